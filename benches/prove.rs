//! Prover and wrap speed with criterion: signed transfers per second through leaf proofs,
//! aggregation and the top step (criterion reports `elem/s` = tx/s), and the time of one
//! Groth16 wrap (shrink layers + Groth16 prove) of a top proof.
//!
//! Run: `cargo bench --bench prove` (about 10 minutes: 10 samples of each). Sizes and slots
//! per leaf: `ZKROLL_BENCH_TXS=16,64` (default 32) and `ZKROLL_BENCH_K=4` (default
//! `DEFAULT_K`). The Groth16 key is taken from the key cache (generated there on first use,
//! outside the measurement). `zkroll bench` prints the per-phase breakdown and L1 gas.

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use zkroll::bench::transfer_batch;
use zkroll::{Domain, KeyCache, KeySource, ProveOptions, RollupProver};

fn env_list(name: &str, default: &[usize]) -> Vec<usize> {
    std::env::var(name)
        .ok()
        .map(|v| v.split(',').filter_map(|s| s.trim().parse().ok()).collect())
        .filter(|v: &Vec<usize>| !v.is_empty())
        .unwrap_or_else(|| default.to_vec())
}

const DOMAIN: Domain = Domain {
    chain_id: 31337,
    rollup: [0x11; 20],
};

fn bench_prove(c: &mut Criterion) {
    let k = env_list("ZKROLL_BENCH_K", &[zkroll::circuits::leaf::DEFAULT_K])[0];
    let sizes = env_list("ZKROLL_BENCH_TXS", &[32]);
    let prover = RollupProver::new(ProveOptions {
        k,
        ..ProveOptions::default()
    })
    .expect("leaf circuit");
    let mut g = c.benchmark_group(format!("prove (k = {k})"));
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(60));
    for n in sizes {
        let exec = zkroll::execute(&transfer_batch(n, DOMAIN).expect("valid parameters"))
            .expect("valid batch");
        prover.warm(prover.height_for(n)).expect("circuits");
        g.throughput(Throughput::Elements(n as u64));
        g.bench_function(format!("{n} transfers"), |b| {
            b.iter(|| prover.prove_execution(&exec).expect("provable"))
        });
    }
    g.finish();
}

fn bench_wrap(c: &mut Criterion) {
    let height = 1;
    let prover = RollupProver::new(ProveOptions {
        k: 4,
        height: Some(height),
        ..ProveOptions::default()
    })
    .expect("leaf circuit");
    let exec = zkroll::execute(&transfer_batch(8, DOMAIN).expect("valid parameters"))
        .expect("valid batch");
    let proof = prover.prove_execution(&exec).expect("provable");
    let (wrapper, _) = prover
        .wrapper(
            height,
            &KeyCache::new(KeyCache::default_dir()),
            KeySource::DevSetup,
            &|_| {},
        )
        .expect("wrap circuits and Groth16 keys");
    let mut g = c.benchmark_group("wrap");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(600));
    g.bench_function("shrink + Groth16 of a top proof", |b| {
        b.iter(|| prover.wrap(&wrapper, &proof, &|_| {}).expect("wrappable"))
    });
    g.finish();
}

criterion_group!(benches, bench_prove, bench_wrap);
criterion_main!(benches);
