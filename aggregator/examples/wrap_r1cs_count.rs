//! Constraint counts of the whole R1CS verifier (PLONK part and FRI by part).
//!
//! 1. The test circuit of `r1cs::fri::tests` (8 u32 public inputs, standard recursion gates,
//!    FRI rate 2^-3, 2 queries, 2 PoW bits, cap height 0, arity 4): proven, synthesised on the
//!    real proof, satisfied.
//! 2. The same circuit built with the production final-layer config
//!    (`ShrinkParams::PRODUCTION.final_circuit_config()`: rate 2^-7, 12 queries, 16 PoW bits,
//!    cap height 0, arity 16 / final 2^5), with its degree replaced by `2^d` (default d = 12 and
//!    13, the size of the shrink layer's final circuit): the system's shape depends only on the
//!    common data, so it is synthesised in setup mode on a zero proof of that shape (no proving).
//!
//! Run: `cargo run -p zkroll-aggregator --release --example wrap_r1cs_count [d ...]`.

use ark_bn254::Fr;
use ark_relations::r1cs::{ConstraintSynthesizer, ConstraintSystem, SynthesisMode};
use plonky2::{
    field::types::Field,
    fri::{reduction_strategies::FriReductionStrategy, FriConfig},
    iop::witness::{PartialWitness, WitnessWrite},
    plonk::{
        circuit_builder::CircuitBuilder,
        circuit_data::{CircuitConfig, CircuitData},
    },
};
use zkroll_aggregator::{
    config::PoseidonBn254GoldilocksConfig as C,
    r1cs::{
        circuit::{recompute_circuit_digest, CheckedVerifierData},
        goldilocks::GF,
        verifier::{
            dummy_proof, verify_proof_var_counted, ConstraintCounts, WrapCircuit, WrappedProof,
        },
    },
    shrink::ShrinkParams,
};

fn circuit(config: CircuitConfig) -> (CircuitData<GF, C, 2>, PartialWitness<GF>) {
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
        .expect("fresh witness");
    (data, pw)
}

fn print(label: &str, total: usize, n: &ConstraintCounts) {
    let f = &n.fri;
    println!("== {label}");
    println!("  total                                {total:>10}");
    println!(
        "  PLONK part                           {:>10}",
        n.plonk_total()
    );
    println!(
        "    public inputs + Poseidon-GL hash   {:>10}",
        n.public_inputs
    );
    println!(
        "    transcript to zeta                 {:>10}",
        n.plonk_transcript
    );
    println!("    openings (canonical witnesses)     {:>10}", n.openings);
    println!("    checks at zeta                     {:>10}", n.vanishing);
    println!(
        "  FRI part                             {:>10}",
        n.fri_total()
    );
    println!(
        "    proof allocation                   {:>10}",
        f.allocation
    );
    println!(
        "    transcript (openings .. indices)   {:>10}",
        f.transcript
    );
    println!(
        "    alpha powers, reduced openings     {:>10}",
        f.precompute
    );
    println!("    Merkle paths                       {:>10}", f.merkle);
    println!(
        "    initial combination                {:>10}",
        f.initial_combination
    );
    println!("    folding                            {:>10}", f.folding);
    println!(
        "    final polynomial                   {:>10}",
        f.final_poly
    );
}

fn main() {
    // 1. Test parameters, real proof.
    let mut config = CircuitConfig::standard_recursion_config();
    config.zero_knowledge = false;
    config.security_bits = 8;
    config.fri_config = FriConfig {
        rate_bits: 3,
        cap_height: 0,
        proof_of_work_bits: 2,
        reduction_strategy: FriReductionStrategy::ConstantArityBits(2, 1),
        num_query_rounds: 2,
    };
    let (data, pw) = circuit(config);
    let proof: WrappedProof = data.prove(pw).expect("prove");
    let vd = CheckedVerifierData::new(data.common.clone(), data.verifier_only.clone(), &[])
        .expect("verifier data");
    let cs = ConstraintSystem::<Fr>::new_ref();
    let (_, n) = verify_proof_var_counted(cs.clone(), &vd, &proof).expect("synthesis");
    assert!(
        cs.is_satisfied().expect("assigned"),
        "real proof must satisfy"
    );
    let total = cs.num_constraints();
    // The Groth16 circuit: the same plus the public input and the digest binding.
    let wrap = ConstraintSystem::<Fr>::new_ref();
    WrapCircuit::new(
        data.common.clone(),
        data.verifier_only.clone(),
        &[],
        Some(proof.clone()),
    )
    .expect("wrap circuit")
    .generate_constraints(wrap.clone())
    .expect("synthesis");
    assert!(wrap.is_satisfied().expect("assigned"));
    println!(
        "WrapCircuit (test params): {} constraints, {} public input(s); digest binding {}",
        wrap.num_constraints(),
        wrap.num_instance_variables() - 1,
        wrap.num_constraints() - total
    );
    let p = &data.common.fri_params;
    print(
        &format!(
            "test params: degree 2^{}, rate 2^-{}, {} queries, arities {:?}, cap {}",
            data.common.degree_bits(),
            p.config.rate_bits,
            p.config.num_query_rounds,
            p.reduction_arity_bits,
            p.config.cap_height
        ),
        total,
        &n,
    );

    // 2. Production FRI parameters at degree 2^d (shape only).
    let degrees: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("degree bits"))
        .collect();
    let degrees = if degrees.is_empty() {
        vec![12, 13]
    } else {
        degrees
    };
    let (data, _) = circuit(ShrinkParams::PRODUCTION.final_circuit_config());
    for d in degrees {
        let mut common = data.common.clone();
        common.fri_params = common.config.fri_config.fri_params(d, false);
        let mut vo = data.verifier_only.clone();
        vo.circuit_digest = recompute_circuit_digest(&vo, &common, &[]);
        let vd = CheckedVerifierData::new(common.clone(), vo, &[]).expect("verifier data");
        let cs = ConstraintSystem::<Fr>::new_ref();
        cs.set_mode(SynthesisMode::Setup);
        let (_, n) =
            verify_proof_var_counted(cs.clone(), &vd, &dummy_proof(&common)).expect("synthesis");
        let p = &common.fri_params;
        print(
            &format!(
                "production FRI params (shape only): degree 2^{d}, rate 2^-{}, {} queries, {} PoW bits, arities {:?}, final poly {}, cap {}",
                p.config.rate_bits,
                p.config.num_query_rounds,
                p.config.proof_of_work_bits,
                p.reduction_arity_bits,
                p.final_poly_len(),
                p.config.cap_height
            ),
            cs.num_constraints(),
            &n,
        );
    }
}
