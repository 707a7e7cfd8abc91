//! Rows of the blob-binding gadgets (standard recursion configuration), as a Markdown table
//! (the figures of docs/blobs.md), and the time to prove one 64-element evaluation.
//!
//! Run: `cargo run -p zkroll-circuits --example blob_rows`

use std::time::Instant;

use num_bigint::BigUint;
use plonky2::iop::generator::generate_partial_witness;
use plonky2::iop::target::Target;
use plonky2::iop::witness::PartialWitness;
use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::circuit_data::CircuitConfig;
use zkroll_circuits::blob::encoding::data_to_elements;
use zkroll_circuits::blob::eval::evaluate;
use zkroll_circuits::gadgets::blob::CircuitBuilderBlob;
use zkroll_circuits::gadgets::bls_fr::{BlsFrTarget, CircuitBuilderBlsFr, WitnessBlsFr};
use zkroll_circuits::{C, D, F};

type Builder = CircuitBuilder<F, D>;

fn new_builder() -> Builder {
    Builder::new(CircuitConfig::standard_recursion_config())
}

/// A circuit evaluating a blob of `n` used elements at an input `x` (elements range-checked
/// as 31-byte chunks, `y` connected to an input).
fn eval_circuit(n: usize) -> (Builder, Vec<BlsFrTarget>, BlsFrTarget, BlsFrTarget) {
    let mut b = new_builder();
    let elements: Vec<BlsFrTarget> = (0..n).map(|_| b.add_virtual_blob_element()).collect();
    let x = b.add_virtual_bls_fr_target();
    let y = b.add_virtual_bls_fr_target();
    b.assert_blob_evaluation(&elements, &x, &y);
    (b, elements, x, y)
}

fn main() {
    println!("| circuit | rows |");
    println!("|---|---:|");
    let mut b = new_builder();
    let (x, y) = (b.add_virtual_bls_fr_target(), b.add_virtual_bls_fr_target());
    let base = b.num_gates();
    let p = b.bls_fr_mul(&x, &y);
    let one_mul = b.num_gates() - base;
    b.bls_fr_mul(&p, &x);
    println!(
        "| Fr multiplication (first / second in a circuit) | {one_mul} / {} |",
        b.num_gates() - base - one_mul
    );
    let before = b.num_gates();
    b.assert_bls_fr_canonical(&p);
    println!("| Fr canonical check | {} |", b.num_gates() - before);
    let mut b = new_builder();
    let dc = b.add_virtual_hash();
    let vh: [Target; 8] = b.add_virtual_target_arr();
    b.blob_challenge(dc, &vh);
    println!(
        "| evaluation point x (Poseidon + 252-bit split) | {} |",
        b.num_gates()
    );
    let mut rows = vec![];
    for n in [1usize, 16, 64, 256, 1024] {
        let (b, ..) = eval_circuit(n);
        rows.push((n, b.num_gates()));
        println!("| blob evaluation, {n} used elements | {} |", b.num_gates());
    }
    let (n0, r0) = rows[1];
    let (n1, r1) = rows[4];
    let per = (r1 - r0) as f64 / (n1 - n0) as f64;
    println!(
        "| per used element (slope {n0} → {n1}; 2.5 of them range-check the element) | {per:.1} |"
    );
    println!(
        "| fixed part (rows at {n0} − {n0}·slope) | {:.0} |",
        r0 as f64 - n0 as f64 * per
    );

    let (b, targets, xt, yt) = eval_circuit(64);
    let data = b.build::<C>();
    let bytes: Vec<u8> = (0..64 * 31).map(|i| (i * 7 + 3) as u8).collect();
    let elements = data_to_elements(&bytes).unwrap();
    let x = BigUint::from_bytes_be(&[0x5a; 31]);
    let y = evaluate(&elements, &x);
    let mut pw = PartialWitness::new();
    for (t, v) in targets.iter().zip(&elements) {
        pw.set_bls_fr_target(t, v).unwrap();
    }
    pw.set_bls_fr_target(&xt, &x).unwrap();
    pw.set_bls_fr_target(&yt, &y).unwrap();
    let start = Instant::now();
    generate_partial_witness(pw.clone(), &data.prover_only, &data.common).expect("witness");
    let witness_secs = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let proof = data.prove(pw).expect("proof");
    let secs = start.elapsed().as_secs_f64();
    data.verify(proof).expect("verifies");
    println!(
        "\n64-element evaluation: degree 2^{}, proved and verified; proving {secs:.2} s (of which witness generation {witness_secs:.2} s)",
        data.common.degree_bits()
    );
}
