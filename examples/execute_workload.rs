//! Builds the benchmark workload (default: 10 000 transfers over 10^6 accounts), executes it
//! once and prints the timings; run under `/usr/bin/time -v` for the peak memory:
//!
//! `cargo build --release --example execute_workload &&
//!  /usr/bin/time -v target/release/examples/execute_workload [ACCOUNTS] [TXS]`

use std::time::Instant;

use zkroll::gen::transfer_workload;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let accounts: u32 = args.next().map_or(Ok(1_000_000), |a| a.parse())?;
    let txs: usize = args.next().map_or(Ok(10_000), |a| a.parse())?;
    let t = Instant::now();
    let (mut state, header, batch) = transfer_workload(accounts, 1024, txs, 1);
    println!(
        "setup: {accounts} accounts + {txs} signed transfers in {:.2?}",
        t.elapsed()
    );
    let t = Instant::now();
    let exec = zkroll::apply(&mut state, &header, &batch)?;
    let dt = t.elapsed();
    println!(
        "execute: {} txs in {dt:.2?} ({:.0} tx/s), blob data {} bytes, digest 0x{}",
        exec.counts.total(),
        exec.counts.total() as f64 / dt.as_secs_f64(),
        exec.data.blob_data().len(),
        hex::encode(exec.digest.value)
    );
    Ok(())
}
