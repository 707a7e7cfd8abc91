//! Rows of the rollup leaf circuit per slot count, a breakdown of one slot by component, and
//! the largest `k` that fits each power of two (the slot counts worth deploying: a leaf's
//! proving time depends on its padded row count, not on `k`).
//!
//! `cargo run -p zkroll-circuits --example leaf_rows`

use plonky2::hash::poseidon::PoseidonHash;
use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::circuit_data::CircuitConfig;
use zkroll_circuits::gadgets::merkle::{CircuitBuilderMerkle, TREE_DEPTH};
use zkroll_circuits::gadgets::packed::CircuitBuilderPacked;
use zkroll_circuits::gadgets::range::CircuitBuilderRange;
use zkroll_circuits::gadgets::schnorr::CircuitBuilderSchnorr;
use zkroll_circuits::leaf::{LeafCircuit, DEFAULT_K, MAX_K};
use zkroll_circuits::{D, F};

type Builder = CircuitBuilder<F, D>;

/// Marginal rows of `f`: rows with it applied twice minus rows with it applied once (so
/// that one-off costs such as shared constants are not counted).
fn marginal(f: impl Fn(&mut Builder)) -> usize {
    let rows = |n: usize| {
        let mut b = Builder::new(CircuitConfig::standard_recursion_config());
        for _ in 0..n {
            f(&mut b);
        }
        b.num_gates()
    };
    rows(2) - rows(1)
}

/// One sparse-Merkle lane of a slot: old and new leaf hashes, index bits, two paths.
fn lane(b: &mut Builder) {
    let pkhash = b.add_virtual_hash();
    let balance = b.add_virtual_u64_target();
    let nonce = b.add_virtual_target();
    let owner = b.add_virtual_target_arr::<5>();
    let index = b.add_virtual_target();
    let siblings: Vec<_> = (0..TREE_DEPTH).map(|_| b.add_virtual_hash()).collect();
    let old = b.account_leaf_hash(pkhash, balance, nonce, &owner);
    let new = b.account_leaf_hash(pkhash, balance, nonce, &owner);
    let bits = b.merkle_index_bits(index);
    b.verify_merkle_path(old, &bits, &siblings);
    b.verify_merkle_path(new, &bits, &siblings);
}

fn main() -> anyhow::Result<()> {
    let r1 = LeafCircuit::num_rows(1)?;
    let r2 = LeafCircuit::num_rows(2)?;
    let per_slot = r2 - r1;
    let fixed = r1 - per_slot;
    println!("rows(k) = {fixed} + {per_slot}·k");

    let schnorr = marginal(|b| {
        let pk = b.add_virtual_target_arr();
        let msg = b.add_virtual_hash();
        let sig = b.add_virtual_signature_target();
        b.verify_schnorr(pk, msg, &sig);
    });
    let message = marginal(|b| {
        // The signed message (21 limbs) and the signer's key hash (5 limbs).
        let m = b.add_virtual_targets(21);
        b.hash_n_to_hash_no_pad::<PoseidonHash>(m);
        let k = b.add_virtual_targets(5);
        b.hash_n_to_hash_no_pad::<PoseidonHash>(k);
    });
    let merkle = marginal(|b| {
        lane(b);
        lane(b);
    });
    let chains = marginal(|b| {
        let dc = b.add_virtual_targets(8);
        b.hash_n_to_hash_no_pad::<PoseidonHash>(dc);
        let ec = b.add_virtual_targets(20);
        b.hash_n_to_hash_no_pad::<PoseidonHash>(ec);
    });
    let packed = marginal(|b| {
        let a = b.add_virtual_target();
        b.packed_value(a, 35);
        let f = b.add_virtual_target();
        b.packed_value(f, 11);
    });
    let counted = schnorr + message + merkle + chains + packed;
    println!("per slot: {per_slot} rows =");
    println!("  Schnorr verification          {schnorr:>4}");
    println!("  message + key hash (Poseidon) {message:>4}");
    println!("  2 Merkle lanes (4 paths)      {merkle:>4}");
    println!("  dc + ec chains (Poseidon)     {chains:>4}");
    println!("  packed amount + fee checks    {packed:>4}");
    println!(
        "  rest (effect words, rules)    {:>4}",
        per_slot.saturating_sub(counted)
    );

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
