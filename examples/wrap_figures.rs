//! The wrap's figures for one deployment `(k, height)`: R1CS constraints by part, Groth16
//! seeded setup time, key sizes and load time (fresh key cache in a temporary directory),
//! then a real batch proved and wrapped — shrink prove time, Groth16 witness + prove time —
//! and the process's peak RSS.
//!
//! `cargo run --release --example wrap_figures [k [height [transfers]]]` (defaults 16, 4, 64).

use std::cell::RefCell;
use std::time::{Duration, Instant};

use zkroll::aggregator::groth16::cache::CacheOutcome;
use zkroll::bench::{peak_rss_bytes, transfer_batch};
use zkroll::{Domain, KeyCache, KeySource, ProveOptions, RollupProver, WrapStage};

/// Records when each wrap stage starts, to time the stages.
#[derive(Default)]
struct StageClock(RefCell<Vec<(WrapStage, Instant)>>);

impl StageClock {
    fn mark(&self, s: WrapStage) {
        self.0.borrow_mut().push((s, Instant::now()));
    }

    /// Time from the start of `stage` to the start of the next stage (or to `end`).
    fn duration(&self, stage: WrapStage, end: Instant) -> Option<Duration> {
        let v = self.0.borrow();
        let i = v.iter().position(|(s, _)| *s == stage)?;
        let next = v.get(i + 1).map_or(end, |(_, t)| *t);
        Some(next - v[i].1)
    }
}

fn secs(d: Option<Duration>) -> String {
    d.map_or("-".into(), |d| format!("{:.1}", d.as_secs_f64()))
}

fn main() -> anyhow::Result<()> {
    let arg = |i: usize, default: usize| -> anyhow::Result<usize> {
        Ok(match std::env::args().nth(i) {
            Some(a) => a.parse()?,
            None => default,
        })
    };
    let k = arg(1, zkroll::circuits::leaf::DEFAULT_K)?;
    let height = arg(2, zkroll::DEFAULT_HEIGHT)?;
    let transfers = arg(3, 64)?;
    anyhow::ensure!(
        transfers <= k << height,
        "{transfers} txs exceed k·2^height"
    );

    let t = Instant::now();
    let prover = RollupProver::new(ProveOptions {
        k,
        height: Some(height),
        ..ProveOptions::default()
    })?;
    prover.warm(height)?;
    let prover_build = t.elapsed();

    // Fresh cache: the first `wrapper` runs the seeded setup and stores the key.
    let keys = tempfile::tempdir()?;
    let cache = KeyCache::new(keys.path().to_path_buf());
    let clock = StageClock::default();
    let (wrapper, outcome) =
        prover.wrapper(height, &cache, KeySource::DevSetup, &|s| clock.mark(s))?;
    let setup_end = Instant::now();
    anyhow::ensure!(
        !matches!(outcome, CacheOutcome::Loaded(_)),
        "the key cache was not fresh"
    );
    let t = Instant::now();
    cache.load(wrapper.circuit_id())?;
    let load = t.elapsed();
    let key_bytes: u64 = std::fs::read_dir(keys.path())?
        .filter_map(|e| e.ok()?.metadata().ok())
        .map(|m| m.len())
        .sum();
    let vk_bytes = zkroll::aggregator::groth16::vk_to_bytes(wrapper.verifying_key())?.len();
    let (total, c) = wrapper.constraint_counts()?;

    // A real batch through the prover, then the wrap.
    let domain = Domain {
        chain_id: 31337,
        rollup: [0x11; 20],
    };
    let exec = zkroll::execute(&transfer_batch(transfers, domain)?)?;
    let t = Instant::now();
    let proof = prover.prove_execution(&exec)?;
    let prove = t.elapsed();
    let wrap_clock = StageClock::default();
    let wrapped = prover.wrap(&wrapper, &proof, &|s| wrap_clock.mark(s))?;
    let wrap_end = Instant::now();
    wrapper.verify(&wrapped)?;

    let f = &c.fri;
    println!("deployment k = {k}, height = {height}; batch of {transfers} transfers");
    println!();
    println!("| R1CS part | constraints |");
    println!("|---|---|");
    for (name, n) in [
        ("public inputs + Poseidon-Goldilocks hash", c.public_inputs),
        ("transcript to ζ", c.plonk_transcript),
        ("openings (canonical witnesses)", c.openings),
        ("gates, permutation, quotient at ζ", c.vanishing),
        ("FRI proof allocation", f.allocation),
        ("FRI transcript (… indices, PoW)", f.transcript),
        ("α powers, reduced openings", f.precompute),
        ("Merkle paths (Poseidon-BN254)", f.merkle),
        ("initial combination", f.initial_combination),
        ("folding", f.folding),
        ("final polynomial", f.final_poly),
    ] {
        println!("| {name} | {n} |");
    }
    println!("| PLONK part | {} |", c.plonk_total());
    println!("| FRI part | {} |", c.fri_total());
    println!("| **Groth16 circuit (1 public input)** | **{total}** |");
    println!();
    println!("| step | seconds |");
    println!("|---|---|");
    println!(
        "| prover circuits (leaf, levels, top) | {:.1} |",
        prover_build.as_secs_f64()
    );
    println!(
        "| shrink circuits build | {} |",
        secs(clock.duration(WrapStage::BuildShrink, setup_end))
    );
    println!(
        "| Groth16 seeded setup + store | {} |",
        secs(clock.duration(WrapStage::Keys, setup_end))
    );
    println!(
        "| proving key load (own cache) | {:.2} |",
        load.as_secs_f64()
    );
    println!(
        "| batch proof ({transfers} transfers) | {:.1} |",
        prove.as_secs_f64()
    );
    println!(
        "| shrink prove | {} |",
        secs(wrap_clock.duration(WrapStage::Shrink, wrap_end))
    );
    println!(
        "| Groth16 witness + prove + verify | {} |",
        secs(wrap_clock.duration(WrapStage::Groth16, wrap_end))
    );
    println!();
    println!(
        "proving key file {:.1} MiB, verifying key {vk_bytes} bytes, proof {} bytes",
        key_bytes as f64 / (1u64 << 20) as f64,
        wrapped.proof.len()
    );
    if let Some(rss) = peak_rss_bytes() {
        println!("peak RSS {:.2} GiB", rss as f64 / (1u64 << 30) as f64);
    }
    Ok(())
}
