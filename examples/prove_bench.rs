//! Prover throughput: signed transfers per second through leaf proofs, aggregation and the
//! top step, for several batch sizes, with the phase breakdown and peak RSS.
//!
//! `cargo run --release --example prove_bench -- [k] [sizes...]` (default: k = the
//! library default, sizes 64 256 1024). Circuits are built once, before the first size.

use zkroll::bench::{measure_prove, peak_rss_bytes};
use zkroll::{ProveOptions, RollupProver};

fn main() -> anyhow::Result<()> {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse())
        .collect::<Result<_, _>>()?;
    let k = args
        .first()
        .copied()
        .unwrap_or(zkroll::circuits::leaf::DEFAULT_K);
    let sizes = if args.len() > 1 {
        args[1..].to_vec()
    } else {
        vec![64, 256, 1024]
    };
    let t = std::time::Instant::now();
    let prover = RollupProver::new(ProveOptions {
        k,
        ..ProveOptions::default()
    })?;
    println!(
        "leaf circuit k={k}: built in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    println!("| txs | leaves | circuits (s) | leaves (s) | aggregation (s) | top (s) | total (s) | tx/s | peak RSS (GiB) |");
    println!("|---|---|---|---|---|---|---|---|---|");
    for n in sizes {
        let f = measure_prove(&prover, n)?;
        println!(
            "| {} | {} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.2} | {:.2} |",
            f.txs,
            f.leaves,
            f.build.as_secs_f64(),
            f.leaf_phase.as_secs_f64(),
            f.aggregation_phase.as_secs_f64(),
            f.top.as_secs_f64(),
            f.total.as_secs_f64(),
            f.tx_per_s(),
            peak_rss_bytes().unwrap_or(0) as f64 / (1u64 << 30) as f64
        );
    }
    Ok(())
}
