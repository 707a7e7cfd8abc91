//! Native Poseidon-BN254 speed: µs per permutation of the reference (round-by-round) and the
//! optimised form, and of a 135-element Merkle leaf (`hash_no_pad`, 23 permutations).
//!
//! `cargo run -p zkroll-aggregator --release --example poseidon_bn254 [iterations]`

use std::hint::black_box;
use std::time::Instant;

use ark_bn254::Fr;
use plonky2::field::types::Field;
use zkroll_aggregator::config::PoseidonBn254Hash;
use zkroll_aggregator::poseidon_bn254::native::{permute, permute_reference};

type F = plonky2::field::goldilocks_field::GoldilocksField;

fn time_per_call(n: usize, mut f: impl FnMut()) -> f64 {
    f();
    let t = Instant::now();
    for _ in 0..n {
        f();
    }
    t.elapsed().as_secs_f64() * 1e6 / n as f64
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(20_000);
    let mut s = [Fr::from(1u64), Fr::from(2u64), Fr::from(3u64)];
    let reference = time_per_call(n, || permute_reference(black_box(&mut s)));
    let optimized = time_per_call(n, || permute(black_box(&mut s)));
    let row: Vec<F> = (0..135u64).map(F::from_canonical_u64).collect();
    let leaf = time_per_call(n / 23 + 1, || {
        black_box(PoseidonBn254Hash::hash_goldilocks(black_box(&row)));
    });
    println!("permutation, reference: {reference:.2} µs");
    println!("permutation, optimised: {optimized:.2} µs");
    println!("hash_no_pad(135 elements), 23 permutations: {leaf:.2} µs");
    Ok(())
}
