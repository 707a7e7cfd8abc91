//! Prints the number of rows (`CircuitBuilder::num_gates`) each zkroll gadget costs in the
//! standard recursion configuration, as a Markdown table (the figures of docs/circuits.md).
//!
//! Run: `cargo run -p zkroll-circuits --example gadget_rows`

use plonky2::hash::hash_types::HashOutTarget;
use plonky2::iop::target::Target;
use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::circuit_data::CircuitConfig;
use zkroll_circuits::gadgets::merkle::{CircuitBuilderMerkle, TREE_DEPTH};
use zkroll_circuits::gadgets::range::CircuitBuilderRange;
use zkroll_circuits::gadgets::sha256::CircuitBuilderSha256;
use zkroll_circuits::{D, F};

type Builder = CircuitBuilder<F, D>;

/// Rows added by `n` applications of `gadget` to fresh inputs, divided by `n`, after a
/// warm-up application (so that shared constants and half-filled gates are not counted
/// against the gadget).
fn rows_per(n: usize, mut gadget: impl FnMut(&mut Builder)) -> f64 {
    let mut b = Builder::new(CircuitConfig::standard_recursion_config());
    gadget(&mut b);
    let before = b.num_gates();
    for _ in 0..n {
        gadget(&mut b);
    }
    (b.num_gates() - before) as f64 / n as f64
}

/// Rows of a circuit holding exactly one application of `gadget` (nothing else).
fn rows_alone(mut gadget: impl FnMut(&mut Builder)) -> usize {
    let mut b = Builder::new(CircuitConfig::standard_recursion_config());
    gadget(&mut b);
    b.num_gates()
}

fn sha_block(b: &mut Builder) {
    let state: [Target; 8] = b.add_virtual_targets(8).try_into().unwrap();
    let block: [Target; 16] = b.add_virtual_targets(16).try_into().unwrap();
    let out = b.sha256_compress(&state, &block);
    b.register_public_inputs(&out);
}

fn merkle_update(b: &mut Builder) {
    let old_leaf = b.add_virtual_hash();
    let new_leaf = b.add_virtual_hash();
    let index = b.add_virtual_target();
    let siblings: Vec<HashOutTarget> = b.add_virtual_hashes(TREE_DEPTH);
    let old_root = b.add_virtual_hash();
    let root = b.merkle_update(old_leaf, new_leaf, index, &siblings, old_root);
    b.register_public_inputs(&root.elements);
}

fn main() {
    let rows: Vec<(&str, f64, usize)> = vec![
        (
            "u32 range check",
            rows_per(16, |b| {
                let x = b.add_virtual_target();
                b.range_check_u32(x);
            }),
            rows_alone(|b| {
                let x = b.add_virtual_target();
                b.range_check_u32(x);
            }),
        ),
        (
            "u64 range check (two u32 limbs)",
            rows_per(16, |b| {
                b.add_virtual_u64_target();
            }),
            rows_alone(|b| {
                b.add_virtual_u64_target();
            }),
        ),
        (
            "checked u64 add (inputs range-checked elsewhere)",
            rows_per(16, |b| {
                let x = b.add_virtual_u64_target();
                let y = b.add_virtual_u64_target();
                b.add_u64_checked(x, y);
            }) - 4.0,
            0,
        ),
        (
            "checked u64 sub (inputs range-checked elsewhere)",
            rows_per(16, |b| {
                let x = b.add_virtual_u64_target();
                let y = b.add_virtual_u64_target();
                b.sub_u64_checked(x, y);
            }) - 4.0,
            0,
        ),
        (
            "u64 lt (inputs range-checked elsewhere)",
            rows_per(16, |b| {
                let x = b.add_virtual_u64_target();
                let y = b.add_virtual_u64_target();
                b.lt_u64(x, y);
            }) - 4.0,
            0,
        ),
        (
            "canonical split of a field element (64 bits)",
            rows_per(16, |b| {
                let x = b.add_virtual_target();
                b.split_field_bits(x);
            }),
            0,
        ),
        (
            "u64 -> 8 big-endian bytes (incl. range check)",
            rows_per(16, |b| {
                let x = U64::new(b);
                b.u64_to_be_bytes(x.0);
            }),
            0,
        ),
        (
            "SHA-256 compression, per 64-byte block (ShaBitGate)",
            rows_per(8, sha_block),
            rows_alone(sha_block),
        ),
        (
            "account leaf hash (Poseidon, 12 limbs)",
            rows_per(16, |b| {
                let pk = b.add_virtual_hash();
                let owner: [Target; 5] = b.add_virtual_targets(5).try_into().unwrap();
                let bal = zkroll_circuits::gadgets::range::U64Target {
                    lo: b.add_virtual_target(),
                    hi: b.add_virtual_target(),
                };
                let n = b.add_virtual_target();
                b.account_leaf_hash(pk, bal, n, &owner);
            }),
            0,
        ),
        (
            "sparse-Merkle update, depth 32",
            rows_per(4, merkle_update),
            rows_alone(merkle_update),
        ),
    ];
    println!("| gadget | rows each (amortised) | rows of a circuit with one |");
    println!("|---|---:|---:|");
    for (name, per, alone) in rows {
        let alone = if alone == 0 {
            "–".to_string()
        } else {
            alone.to_string()
        };
        println!("| {name} | {per:.1} | {alone} |");
    }
}

/// A u64 without range checks (they are counted by the gadget under test).
struct U64(zkroll_circuits::gadgets::range::U64Target);

impl U64 {
    fn new(b: &mut Builder) -> Self {
        U64(zkroll_circuits::gadgets::range::U64Target {
            lo: b.add_virtual_target(),
            hi: b.add_virtual_target(),
        })
    }
}
