//! Native execution speed: 10 000 signed transfers over a state of 10^6 accounts, and the
//! state tree alone (bulk build of 10^6 accounts, single updates).
//!
//! Run: `cargo bench --bench execute`.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use zkroll::gen::transfer_workload;
use zkroll::{apply, Account, StateTree};

const ACCOUNTS: u32 = 1_000_000;
const TXS: usize = 10_000;

fn bench_execute(c: &mut Criterion) {
    let (state, header, txs) = transfer_workload(ACCOUNTS, 1024, TXS, 1);
    let mut g = c.benchmark_group("execute");
    g.sample_size(10);
    g.bench_function("10k transfers over 1M accounts", |b| {
        b.iter_batched(
            || state.clone(),
            |mut s| apply(&mut s, &header, &txs).expect("valid workload"),
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

fn bench_tree(c: &mut Criterion) {
    let (state, _, _) = transfer_workload(ACCOUNTS, 64, 0, 2);
    let accounts: Vec<(u32, Account)> = state.accounts().map(|(i, a)| (i, *a)).collect();
    let mut g = c.benchmark_group("state tree");
    g.sample_size(10);
    g.bench_function("bulk build 1M accounts", |b| {
        b.iter(|| StateTree::from_accounts(accounts.iter().copied()).expect("unique"))
    });
    let mut s = state.clone();
    let mut i = 0u32;
    g.bench_function("update one leaf (1M accounts)", |b| {
        b.iter(|| {
            i = (i + 7919) % ACCOUNTS;
            let mut a = *s.get(i).expect("exists");
            a.balance += 1;
            s.set(i, a)
        })
    });
    g.bench_function("membership proof (1M accounts)", |b| {
        b.iter(|| {
            i = (i + 7919) % ACCOUNTS;
            state.proof(i)
        })
    });
    g.finish();
}

criterion_group!(benches, bench_execute, bench_tree);
criterion_main!(benches);
