//! Prints the R1CS constraint counts of the plonky2 verifier by part, for a small circuit
//! (standard recursion config, PoseidonBn254GoldilocksConfig) with arithmetic and Poseidon
//! gates. Run: `cargo run -p zkroll-aggregator --example r1cs_count`.

use ark_bn254::Fr;
use ark_r1cs_std::{
    alloc::AllocVar,
    fields::{fp::FpVar, FieldVar},
};
use ark_relations::r1cs::{ConstraintSystem, ConstraintSystemRef};
use plonky2::{
    field::types::{Field, Sample},
    hash::poseidon::PoseidonHash,
    iop::witness::{PartialWitness, WitnessWrite},
    plonk::{circuit_builder::CircuitBuilder, circuit_data::CircuitConfig},
};
use zkroll_aggregator::{
    config::{PoseidonBn254GoldilocksConfig as C, PoseidonBn254Hash},
    r1cs::{
        challenger::plonk_challenges,
        circuit::CheckedVerifierData,
        ext2::{Ext2Var, GF2},
        goldilocks::{GoldilocksVar, GF},
        public_inputs::{alloc_public_inputs, hash_no_pad},
        vanishing::{check_vanishing, evaluate_gate_constraints, OpeningSetVar},
    },
};

fn count<T>(cs: &ConstraintSystemRef<Fr>, f: impl FnOnce() -> T) -> (T, usize) {
    let n0 = cs.num_constraints();
    let t = f();
    (t, cs.num_constraints() - n0)
}

fn main() {
    // Field arithmetic.
    let cs = ConstraintSystem::<Fr>::new_ref();
    let (a, n_wit) = count(&cs, || {
        GoldilocksVar::new_witness(cs.clone(), || Ok(GF::rand())).unwrap()
    });
    let b = GoldilocksVar::new_witness(cs.clone(), || Ok(GF::rand())).unwrap();
    let (m, n_mul) = count(&cs, || a.mul(&b).unwrap());
    let (_, n_red) = count(&cs, || m.reduce().unwrap());
    let (_, n_eq) = count(&cs, || m.enforce_equal(&a).unwrap());
    let x = Ext2Var::new_witness(cs.clone(), || Ok(GF2::rand())).unwrap();
    let y = Ext2Var::new_witness(cs.clone(), || Ok(GF2::rand())).unwrap();
    let (xy, n_emul) = count(&cs, || x.mul(&y).unwrap());
    let (_, n_ered) = count(&cs, || xy.reduce().unwrap());
    println!("goldilocks: canonical witness {n_wit}, mul {n_mul}, reduce(product) {n_red}, lazy eq {n_eq}");
    println!("ext2: mul {n_emul}, reduce(product) {n_ered}");

    // A real proof.
    let mut bld = CircuitBuilder::<GF, 2>::new(CircuitConfig::standard_recursion_config());
    let xt = bld.add_virtual_target();
    let mut acc = xt;
    for _ in 0..100 {
        acc = bld.mul_add(acc, acc, xt);
    }
    let h = bld.hash_n_to_hash_no_pad::<PoseidonHash>(vec![acc, xt]);
    bld.register_public_inputs(&h.elements);
    let data = bld.build::<C>();
    let mut pw = PartialWitness::new();
    pw.set_target(xt, GF::from_canonical_u64(7)).unwrap();
    let proof = data.prove(pw).unwrap();
    let vd = CheckedVerifierData::<C>::new(data.common.clone(), data.verifier_only.clone(), &[])
        .unwrap();
    let common = &vd.common;
    println!(
        "circuit: degree 2^{}, {} gate types, {} gate constraints, {} routed wires",
        common.degree_bits(),
        common.gates.len(),
        common.num_gate_constraints,
        common.config.num_routed_wires
    );

    let cs = ConstraintSystem::<Fr>::new_ref();
    let t0 = std::time::Instant::now();
    let (pis, n_pi) = count(&cs, || {
        let pis = alloc_public_inputs(cs.clone(), &proof.public_inputs).unwrap();
        hash_no_pad(&pis).unwrap()
    });
    let capv = |cap: &plonky2::hash::merkle_tree::MerkleCap<GF, PoseidonBn254Hash>| {
        cap.0
            .iter()
            .map(|h| FpVar::new_witness(cs.clone(), || Ok(h.to_fr().unwrap())).unwrap())
            .collect::<Vec<_>>()
    };
    let p = &proof.proof;
    let ((chv, _), n_ch) = count(&cs, || {
        let digest = FpVar::constant(vd.verifier_only.circuit_digest.to_fr().unwrap());
        plonk_challenges(
            &common.fri_params,
            common.config.num_challenges,
            &digest,
            &pis,
            &capv(&p.wires_cap),
            &capv(&p.plonk_zs_partial_products_cap),
            &capv(&p.quotient_polys_cap),
        )
        .unwrap()
    });
    let (ov, n_open) = count(&cs, || {
        OpeningSetVar::new_witness(cs.clone(), &p.openings, common).unwrap()
    });
    let (_, n_gates) = count(&cs, || {
        evaluate_gate_constraints(common, &ov, &pis).unwrap()
    });
    let (_, n_van) = count(&cs, || check_vanishing(common, &ov, &chv, &pis).unwrap());
    let synth = t0.elapsed();
    assert!(cs.is_satisfied().unwrap());
    println!(
        "public inputs ({}) + Poseidon-Goldilocks hash: {n_pi}",
        proof.public_inputs.len()
    );
    println!("transcript up to zeta (Poseidon-BN254 challenger): {n_ch}");
    println!("openings as canonical witnesses: {n_open}");
    println!("gates at zeta: {n_gates}");
    println!(
        "permutation + L0 + alpha/quotient combination: {}",
        n_van - n_gates
    );
    println!(
        "total (PLONK part, FRI not included): {} constraints, synthesized in {:.1?}",
        cs.num_constraints() - n_gates,
        synth
    );
}
