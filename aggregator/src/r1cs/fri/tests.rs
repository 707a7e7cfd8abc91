//! Whole-verifier tests: a small plonky2 circuit with 8 u32 public inputs proven under
//! `PoseidonBn254GoldilocksConfig` with small FRI parameters; the R1CS accepts it and rejects
//! each tampered part. Negative FRI tests skip the checks at ζ (`verify_inner(.., false)`), which
//! do not depend on FRI and are tested in `vanishing.rs`, to keep each test short.

use super::super::{
    circuit::CheckedVerifierData,
    goldilocks::GF,
    verifier::{public_input_digest, verify_inner, WrapCircuit, WrappedProof},
};
use crate::config::{PoseidonBn254GoldilocksConfig as C, PoseidonBn254HashOut};
use ark_bn254::Fr;
use ark_relations::r1cs::{
    ConstraintSynthesizer, ConstraintSystem, ConstraintSystemRef, SynthesisMode,
};
use plonky2::{
    field::{extension::quadratic::QuadraticExtension, types::Field},
    fri::{reduction_strategies::FriReductionStrategy, FriConfig},
    iop::witness::{PartialWitness, WitnessWrite},
    plonk::{
        circuit_builder::CircuitBuilder,
        circuit_data::{CircuitConfig, CircuitData},
    },
};
use std::sync::OnceLock;

type GF2 = QuadraticExtension<GF>;

struct Fixture {
    data: CircuitData<GF, C, 2>,
    proof: WrappedProof,
}

/// 8 u32 public inputs (range-checked), a few products; FRI: rate 2^-3, `queries` queries,
/// 2 PoW bits, the given cap height and reduction strategy, no zero knowledge.
fn build(cap_height: usize, strategy: FriReductionStrategy, queries: usize) -> Fixture {
    let mut config = CircuitConfig::standard_recursion_config();
    config.zero_knowledge = false;
    // Test parameters only: plonky2 refuses FRI parameters below the target security.
    config.security_bits = 3 * queries + 2;
    config.fri_config = FriConfig {
        rate_bits: 3,
        cap_height,
        proof_of_work_bits: 2,
        reduction_strategy: strategy,
        num_query_rounds: queries,
    };
    let mut b = CircuitBuilder::<GF, 2>::new(config);
    let x = b.add_virtual_target();
    let mut acc = x;
    for i in 0..8u64 {
        acc = b.mul_const_add(GF::from_canonical_u64(i + 3), acc, x);
        let lo = b.split_low_high(acc, 32, 64).0;
        b.register_public_input(lo);
    }
    let data = b.build::<C>();
    let mut pw = PartialWitness::new();
    pw.set_target(x, GF::from_canonical_u64(0x1234_5678_9abc))
        .unwrap();
    let proof = data.prove(pw).unwrap();
    data.verify(proof.clone()).unwrap();
    Fixture { data, proof }
}

/// Cap height 0, two folds of arity 4.
fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| build(0, FriReductionStrategy::ConstantArityBits(2, 1), 2))
}

fn vd(f: &Fixture) -> CheckedVerifierData<C> {
    CheckedVerifierData::new(f.data.common.clone(), f.data.verifier_only.clone(), &[]).unwrap()
}

/// Transcript + FRI (no checks at ζ); returns whether the system is satisfied.
fn fri_satisfied(f: &Fixture, proof: &WrappedProof) -> bool {
    let cs = ConstraintSystem::<Fr>::new_ref();
    verify_inner(cs.clone(), &vd(f), proof, false).unwrap();
    cs.is_satisfied().unwrap()
}

fn tampered(f: impl FnOnce(&mut WrappedProof)) -> WrappedProof {
    let mut p = fixture().proof.clone();
    f(&mut p);
    p
}

fn bump(h: &mut PoseidonBn254HashOut) {
    *h = PoseidonBn254HashOut::from_fr(h.to_fr().unwrap() + Fr::from(1u8));
}

#[test]
fn fri_fixture_shape() {
    let f = fixture();
    let p = &f.data.common.fri_params;
    assert!(
        p.reduction_arity_bits.len() >= 2,
        "{:?}",
        p.reduction_arity_bits
    );
    assert_eq!(f.proof.public_inputs.len(), 8);
}

#[test]
fn fri_whole_verifier_accepts_and_digest_binds() {
    let f = fixture();
    let circuit = WrapCircuit::new(
        f.data.common.clone(),
        f.data.verifier_only.clone(),
        &[],
        Some(f.proof.clone()),
    )
    .unwrap();
    let x = circuit.public_input().unwrap();
    assert_eq!(x, public_input_digest(&f.proof.public_inputs).unwrap());
    // The key-cache id depends on the circuit only, not on the proof.
    let id = circuit.circuit_id();
    let setup_id = WrapCircuit::new(
        f.data.common.clone(),
        f.data.verifier_only.clone(),
        &[],
        None,
    )
    .unwrap()
    .circuit_id();
    assert_eq!(id, setup_id);
    let other = build(1, FriReductionStrategy::Fixed(vec![1, 3]), 3);
    let other_id = WrapCircuit::new(other.data.common, other.data.verifier_only, &[], None)
        .unwrap()
        .circuit_id();
    assert_ne!(id, other_id);
    let cs = ConstraintSystem::<Fr>::new_ref();
    circuit.generate_constraints(cs.clone()).unwrap();
    assert_eq!(cs.num_instance_variables(), 2, "exactly one public input");
    assert!(cs.is_satisfied().unwrap());
    let n = cs.num_constraints();

    // A wrong Groth16 public input is unsatisfied.
    let cs = ConstraintSystem::<Fr>::new_ref();
    WrapCircuit::new(
        f.data.common.clone(),
        f.data.verifier_only.clone(),
        &[],
        Some(f.proof.clone()),
    )
    .unwrap()
    .with_public_input(x + Fr::from(1u8))
    .generate_constraints(cs.clone())
    .unwrap();
    assert!(!cs.is_satisfied().unwrap());

    // Setup without a proof builds the same system.
    let cs = ConstraintSystem::<Fr>::new_ref();
    cs.set_mode(SynthesisMode::Setup);
    WrapCircuit::new(
        f.data.common.clone(),
        f.data.verifier_only.clone(),
        &[],
        None,
    )
    .unwrap()
    .generate_constraints(cs.clone())
    .unwrap();
    assert_eq!(cs.num_constraints(), n);
    assert_eq!(cs.num_instance_variables(), 2);
}

#[test]
fn fri_transcript_and_fri_accept() {
    assert!(fri_satisfied(fixture(), &fixture().proof));
}

/// Cap height 1 and arities 2 then 8 (`Fixed`), 3 queries.
#[test]
fn fri_cap_height_1_mixed_arities_accepts() {
    let f = build(1, FriReductionStrategy::Fixed(vec![1, 3]), 3);
    assert_eq!(f.data.common.fri_params.reduction_arity_bits, vec![1, 3]);
    assert!(fri_satisfied(&f, &f.proof));
    let mut p = f.proof.clone();
    bump(
        &mut p.proof.opening_proof.query_round_proofs[1].steps[1]
            .merkle_proof
            .siblings[0],
    );
    assert!(!fri_satisfied(&f, &p));
}

#[test]
fn fri_tampered_wire_opening_rejected() {
    let p = tampered(|p| p.proof.openings.wires[3] += GF2::ONE);
    assert!(!fri_satisfied(fixture(), &p));
}

#[test]
fn fri_tampered_initial_sibling_rejected() {
    let p = tampered(|p| {
        bump(
            &mut p.proof.opening_proof.query_round_proofs[0]
                .initial_trees_proof
                .evals_proofs[1]
                .1
                .siblings[2],
        )
    });
    assert!(!fri_satisfied(fixture(), &p));
}

#[test]
fn fri_tampered_commit_phase_sibling_rejected() {
    let p = tampered(|p| {
        bump(
            &mut p.proof.opening_proof.query_round_proofs[1].steps[0]
                .merkle_proof
                .siblings[0],
        )
    });
    assert!(!fri_satisfied(fixture(), &p));
}

#[test]
fn fri_tampered_query_leaf_rejected() {
    for oracle in 0..4 {
        let p = tampered(|p| {
            p.proof.opening_proof.query_round_proofs[0]
                .initial_trees_proof
                .evals_proofs[oracle]
                .0[0] += GF::ONE
        });
        assert!(!fri_satisfied(fixture(), &p), "oracle {oracle}");
    }
}

#[test]
fn fri_tampered_step_evaluation_rejected() {
    let p = tampered(|p| p.proof.opening_proof.query_round_proofs[1].steps[1].evals[2] += GF2::ONE);
    assert!(!fri_satisfied(fixture(), &p));
}

#[test]
fn fri_tampered_final_poly_rejected() {
    let p = tampered(|p| p.proof.opening_proof.final_poly.coeffs[0] += GF2::ONE);
    assert!(!fri_satisfied(fixture(), &p));
}

#[test]
fn fri_tampered_pow_witness_rejected() {
    let p = tampered(|p| p.proof.opening_proof.pow_witness += GF::ONE);
    assert!(!fri_satisfied(fixture(), &p));
}

#[test]
fn fri_tampered_commit_phase_cap_rejected() {
    let p = tampered(|p| bump(&mut p.proof.opening_proof.commit_phase_merkle_caps[1].0[0]));
    assert!(!fri_satisfied(fixture(), &p));
}

#[test]
fn fri_tampered_public_input_rejected() {
    let p = tampered(|p| p.public_inputs[5] += GF::ONE);
    assert!(!fri_satisfied(fixture(), &p));
}

#[test]
fn fri_wrong_shape_is_an_error() {
    let f = fixture();
    let p = tampered(|p| {
        p.proof.opening_proof.query_round_proofs.pop();
    });
    let cs: ConstraintSystemRef<Fr> = ConstraintSystem::new_ref();
    assert!(verify_inner(cs, &vd(f), &p, false).is_err());
    let p = tampered(|p| p.public_inputs.push(GF::ZERO));
    assert!(WrapCircuit::new(
        f.data.common.clone(),
        f.data.verifier_only.clone(),
        &[],
        Some(p)
    )
    .is_err());
}

/// Runs only the transcript (to ζ, then FRI's) and the PoW check; returns the system and the
/// FRI challenges.
fn transcript_only(
    f: &Fixture,
    proof: &WrappedProof,
) -> (ConstraintSystemRef<Fr>, super::FriChallengesVar) {
    use super::super::{
        challenger::plonk_challenges,
        public_inputs::{alloc_public_inputs, hash_no_pad},
        vanishing::OpeningSetVar,
    };
    use ark_r1cs_std::fields::{fp::FpVar, FieldVar};
    let cs = ConstraintSystem::<Fr>::new_ref();
    let common = &f.data.common;
    let pis = alloc_public_inputs(cs.clone(), &proof.public_inputs).unwrap();
    let h = hash_no_pad(&pis).unwrap();
    let digest = FpVar::constant(f.data.verifier_only.circuit_digest.to_fr().unwrap());
    let p = &proof.proof;
    let (_, mut ch) = plonk_challenges(
        &common.fri_params,
        common.config.num_challenges,
        &digest,
        &h,
        &super::alloc_cap(&cs, &p.wires_cap).unwrap(),
        &super::alloc_cap(&cs, &p.plonk_zs_partial_products_cap).unwrap(),
        &super::alloc_cap(&cs, &p.quotient_polys_cap).unwrap(),
    )
    .unwrap();
    let o = OpeningSetVar::new_witness(cs.clone(), &p.openings, common).unwrap();
    let fp = super::FriProofVar::new_witness(cs.clone(), &p.opening_proof, common).unwrap();
    let chs = super::fri_challenges(common, &mut ch, &o, &fp).unwrap();
    (cs, chs)
}

fn native_fri_challenges(
    f: &Fixture,
    p: &WrappedProof,
) -> plonky2::fri::proof::FriChallenges<GF, 2> {
    p.get_challenges(
        p.get_public_inputs_hash(),
        &f.data.verifier_only.circuit_digest,
        &f.data.common,
    )
    .unwrap()
    .fri_challenges
}

#[test]
fn fri_challenges_match_plonky2() {
    use ark_r1cs_std::R1CSVar;
    let f = fixture();
    let native = native_fri_challenges(f, &f.proof);
    let (cs, chs) = transcript_only(f, &f.proof);
    assert!(cs.is_satisfied().unwrap());
    assert_eq!(chs.alpha.value().unwrap(), native.fri_alpha);
    assert_eq!(chs.betas.len(), native.fri_betas.len());
    for (b, n) in chs.betas.iter().zip(&native.fri_betas) {
        assert_eq!(b.value().unwrap(), *n);
    }
    assert_eq!(chs.pow_response.value().unwrap(), native.fri_pow_response);
    let idx: Vec<usize> = chs
        .query_index_bits
        .iter()
        .map(|bits| {
            bits.iter()
                .enumerate()
                .map(|(i, b)| (b.value().unwrap() as usize) << i)
                .sum()
        })
        .collect();
    assert_eq!(idx, native.fri_query_indices);
}

/// The PoW condition alone: a witness whose response has a nonzero bit among the top
/// `proof_of_work_bits` is rejected by the transcript part, one whose response passes is not.
#[test]
fn fri_pow_condition_enforced() {
    use plonky2::field::types::PrimeField64;
    let f = fixture();
    let pow_bits = f.data.common.fri_params.config.proof_of_work_bits;
    let (mut seen_bad, mut seen_good) = (false, false);
    for w in 1..64u64 {
        let p = tampered(|p| p.proof.opening_proof.pow_witness = GF::from_canonical_u64(w));
        let resp = native_fri_challenges(f, &p)
            .fri_pow_response
            .to_canonical_u64();
        let ok = resp.leading_zeros() >= pow_bits;
        if (ok && seen_good) || (!ok && seen_bad) {
            continue;
        }
        let (cs, _) = transcript_only(f, &p);
        assert_eq!(cs.is_satisfied().unwrap(), ok, "witness {w}");
        seen_good |= ok;
        seen_bad |= !ok;
        if seen_good && seen_bad {
            return;
        }
    }
    panic!("no passing and failing PoW witness among 63 tries");
}

/// Zero knowledge on: the blinded oracles' leaves carry salt, which the Merkle leaves include
/// and the initial combination skips.
#[test]
fn fri_zero_knowledge_proof_accepts() {
    let mut config = CircuitConfig::standard_recursion_config();
    config.zero_knowledge = true;
    config.security_bits = 8;
    config.fri_config = FriConfig {
        rate_bits: 3,
        cap_height: 0,
        proof_of_work_bits: 2,
        reduction_strategy: FriReductionStrategy::ConstantArityBits(2, 1),
        num_query_rounds: 2,
    };
    let mut b = CircuitBuilder::<GF, 2>::new(config);
    let x = b.add_virtual_target();
    let y = b.mul(x, x);
    b.register_public_input(y);
    let data = b.build::<C>();
    let mut pw = PartialWitness::new();
    pw.set_target(x, GF::from_canonical_u64(7)).unwrap();
    let proof = data.prove(pw).unwrap();
    data.verify(proof.clone()).unwrap();
    assert!(data.common.fri_params.hiding);
    let f = Fixture { data, proof };
    assert!(fri_satisfied(&f, &f.proof));
    let mut p = f.proof.clone();
    // A salt value is part of the leaf: changing it breaks the Merkle path.
    let leaf = &mut p.proof.opening_proof.query_round_proofs[0]
        .initial_trees_proof
        .evals_proofs[1]
        .0;
    *leaf.last_mut().unwrap() += GF::ONE;
    assert!(!fri_satisfied(&f, &p));
}

/// End to end: Groth16 setup without a proof, prove with the fixture's proof, verify with the
/// digest as the only public input; a wrong public input is rejected. Takes ~90 s on 2 busy
/// cores (0.81M constraints), hence ignored. Run:
/// `cargo test -p zkroll-aggregator fri_groth16_end_to_end -- --ignored`.
#[test]
#[ignore]
fn fri_groth16_end_to_end() {
    use crate::groth16;
    let f = fixture();
    let setup = WrapCircuit::new(
        f.data.common.clone(),
        f.data.verifier_only.clone(),
        &[],
        None,
    )
    .unwrap();
    let id = setup.circuit_id();
    let pk = groth16::setup_seeded(setup, &id).unwrap();
    let circuit = WrapCircuit::new(
        f.data.common.clone(),
        f.data.verifier_only.clone(),
        &[],
        Some(f.proof.clone()),
    )
    .unwrap();
    let x = circuit.public_input().unwrap();
    let mut rng = rand::rngs::OsRng;
    let proof = groth16::prove(&pk, circuit, &mut rng).unwrap();
    groth16::verify(&pk.vk, &[x], &proof).unwrap();
    assert!(groth16::verify(&pk.vk, &[x + Fr::from(1u8)], &proof).is_err());
}
