//! Rows of the rollup leaf circuit per slot count, and the largest `k` that fits each power
//! of two (the slot counts worth deploying: a leaf's proving time depends on its padded row
//! count, not on `k`).
//!
//! `cargo run --release -p zkroll-circuits --example leaf_rows`

use zkroll_circuits::leaf::{LeafCircuit, DEFAULT_K, MAX_K};

fn main() -> anyhow::Result<()> {
    let r1 = LeafCircuit::num_rows(1)?;
    let r2 = LeafCircuit::num_rows(2)?;
    let per_slot = r2 - r1;
    let fixed = r1 - per_slot;
    println!("rows(k) = {fixed} + {per_slot}·k");
    for bits in 12..=17 {
        let fit = ((1usize << bits) - fixed) / per_slot;
        if fit == 0 || fit > MAX_K {
            continue;
        }
        // Check the linear model on the circuit itself.
        let rows = LeafCircuit::num_rows(fit)?;
        println!(
            "2^{bits}: k = {fit} ({rows} rows, {:.1} % full)",
            100.0 * rows as f64 / (1u64 << bits) as f64
        );
    }
    // The built (padded) circuit of the default slot count: the row count that matters.
    let built = LeafCircuit::build(DEFAULT_K)?;
    println!(
        "built k = {DEFAULT_K} (DEFAULT_K): 2^{} rows",
        built.data.common.degree_bits()
    );
    Ok(())
}
