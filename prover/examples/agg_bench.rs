//! Measures the aggregation tree on the test-fixture leaf circuit:
//! `cargo run --release -p zkroll-prover --example agg_bench [leaves]` (default 8).
//! Prints, per level, the rows of the circuit and the prove time, and the time per leaf.

#[path = "../tests/fixture/mod.rs"]
mod fixture;

use std::sync::{Arc, Mutex};
use std::time::Instant;
use zkroll_prover::{Progress, Prover, ProverConfig};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(8);
    let t = Instant::now();
    let leaf = fixture::FixtureLeaf::build(4);
    println!(
        "fixture leaf: {} rows, built in {:.2?}",
        1usize << leaf_rows(&leaf),
        t.elapsed()
    );
    let stamps: Arc<Mutex<Vec<(usize, Instant)>>> = Arc::default();
    let s = stamps.clone();
    let prover = Prover::new(
        leaf,
        ProverConfig {
            progress: Some(Arc::new(move |p: Progress| {
                s.lock().unwrap().push((p.level, Instant::now()))
            })),
            ..Default::default()
        },
    )?;
    let height = n.next_power_of_two().max(2).trailing_zeros() as usize;
    for l in 1..=height {
        let t = Instant::now();
        let a = prover.aggregation(l)?;
        println!(
            "level {l}: aggregation circuit {} rows (degree_bits {}), built in {:.2?}",
            a.rows(),
            a.data.common.degree_bits(),
            t.elapsed()
        );
    }
    let start = Instant::now();
    let bp = prover.prove(fixture::chain(n, 1))?;
    let total = start.elapsed();
    let st = stamps.lock().unwrap();
    let mut prev = start;
    for l in 0..=height {
        let last = st
            .iter()
            .filter(|(k, _)| *k == l)
            .map(|(_, t)| *t)
            .max()
            .unwrap();
        let cnt = st.iter().filter(|(k, _)| *k == l).count();
        let d = last - prev;
        println!(
            "level {l}: {cnt} proofs in {d:.2?} wall ({:.2?} per proof, {} threads)",
            d / cnt as u32,
            rayon::current_num_threads()
        );
        prev = last;
    }
    let t = Instant::now();
    prover.verify(&bp)?;
    println!(
        "batch of {n} leaves (height {height}) proved in {total:.2?}; proof {} bytes; verified in {:.2?}",
        bp.to_bytes()?.len(),
        t.elapsed()
    );
    Ok(())
}

fn leaf_rows(leaf: &fixture::FixtureLeaf) -> usize {
    use zkroll_prover::LeafCircuit;
    leaf.data().common.degree_bits()
}
