//! Constraint counts of the Groth16 wrap circuit for the **real** final shrink circuit
//! (plonky2's full recursion gate set, `ShrinkParams::PRODUCTION` or the FRI parameters given),
//! without any Groth16 setup: the shrink circuits are built for a test input circuit, then
//! the wrap R1CS is synthesised in setup mode on a zero proof of the final circuit's shape
//! (the system's shape depends only on the final circuit's common data).
//!
//! With `prove` as the first argument it also proves the shrink layers on a real input,
//! synthesises the R1CS on that proof with its witness and checks that it is satisfied.
//!
//! `cargo run -p zkroll-aggregator --example final_r1cs_count [prove] [filler_muls [rate_bits
//! queries pow_bits [cap_height]]]` (default filler 300000: a 2^14-row input, whose middle layer has 2^13
//! rows and final layer 2^12 rows, as for the rollup's top proof).

use std::time::Instant;

use ark_bn254::Fr;
use ark_relations::r1cs::{ConstraintSynthesizer, ConstraintSystem, SynthesisMode};
use plonky2::field::types::Field;
use plonky2::iop::target::Target;
use plonky2::iop::witness::{PartialWitness, WitnessWrite};
use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::circuit_data::{CircuitConfig, CircuitData};
use plonky2::plonk::proof::ProofWithPublicInputs;
use zkroll_aggregator::config::F;
use zkroll_aggregator::r1cs::circuit::CheckedVerifierData;
use zkroll_aggregator::r1cs::verifier::{dummy_proof, verify_proof_var_counted, WrapCircuit};
use zkroll_aggregator::shrink::{peak_rss_kib, InnerConfig, ShrinkCircuits, ShrinkParams};

/// An input circuit like the rollup's top proof: 8 public inputs (u32 limbs), `filler_muls`
/// multiplications (20 per row; 300000 gives 2^14 rows).
struct Input {
    data: CircuitData<F, InnerConfig, 2>,
    x: Target,
    limbs: Vec<Target>,
}

impl Input {
    fn build(filler_muls: usize) -> Self {
        let mut b = CircuitBuilder::<F, 2>::new(CircuitConfig::standard_recursion_config());
        let x = b.add_virtual_target();
        let limbs: Vec<Target> = (0..8).map(|_| b.add_virtual_target()).collect();
        for l in &limbs {
            b.range_check(*l, 32);
            b.register_public_input(*l);
        }
        let mut acc = x;
        for _ in 0..filler_muls {
            acc = b.mul(acc, x);
        }
        let zero = b.zero();
        let t = b.mul(acc, zero);
        b.assert_zero(t);
        Self {
            data: b.build::<InnerConfig>(),
            x,
            limbs,
        }
    }

    fn prove(
        &self,
    ) -> Result<ProofWithPublicInputs<F, InnerConfig, 2>, Box<dyn std::error::Error>> {
        let mut pw = PartialWitness::new();
        pw.set_target(self.x, F::from_canonical_u64(3))?;
        for (i, t) in self.limbs.iter().enumerate() {
            pw.set_target(*t, F::from_canonical_u64(i as u64 * 0x1234_5677 + 1))?;
        }
        Ok(self.data.prove(pw)?)
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let prove = args.first().is_some_and(|a| a == "prove");
    if prove {
        args.remove(0);
    }
    let args: Vec<usize> = args.iter().map(|s| s.parse()).collect::<Result<_, _>>()?;
    let filler = args.first().copied().unwrap_or(300_000);
    let mut params = ShrinkParams::PRODUCTION;
    if let [_, rate_bits, queries, pow_bits, ..] = args[..] {
        params.rate_bits = rate_bits;
        params.num_query_rounds = queries;
        params.proof_of_work_bits = u32::try_from(pow_bits)?;
    }
    if let Some(&cap_height) = args.get(4) {
        params.cap_height = cap_height;
    }
    let tc = Input::build(filler);
    let t = Instant::now();
    let sc = ShrinkCircuits::build(&tc.data.common, &tc.data.verifier_only, params);
    let data = sc.final_data();
    let c = &data.common;
    println!(
        "shrink build {:.1}s; input 2^{}, final 2^{}, rate 2^-{}, {} queries, {} PoW bits, cap height {}, arities {:?}, conjectured security {} bits",
        t.elapsed().as_secs_f64(),
        tc.data.common.degree_bits(),
        c.degree_bits(),
        c.config.fri_config.rate_bits,
        c.config.fri_config.num_query_rounds,
        c.config.fri_config.proof_of_work_bits,
        c.config.fri_config.cap_height,
        c.fri_params.reduction_arity_bits,
        params.conjectured_security_bits()
    );

    let t = Instant::now();
    let vd = CheckedVerifierData::new(c.clone(), data.verifier_only.clone(), &[])?;
    let cs = ConstraintSystem::<Fr>::new_ref();
    cs.set_mode(SynthesisMode::Setup);
    let (_, n) = verify_proof_var_counted(cs.clone(), &vd, &dummy_proof(c))?;
    let wrap = ConstraintSystem::<Fr>::new_ref();
    wrap.set_mode(SynthesisMode::Setup);
    WrapCircuit::new(c.clone(), data.verifier_only.clone(), &[], None)?
        .generate_constraints(wrap.clone())?;
    println!(
        "synthesis (setup mode, twice) {:.1}s",
        t.elapsed().as_secs_f64()
    );
    let f = &n.fri;
    println!("| R1CS part | constraints |");
    println!("|---|---|");
    for (name, v) in [
        ("public inputs + Poseidon-Goldilocks hash", n.public_inputs),
        ("transcript to ζ", n.plonk_transcript),
        ("openings (canonical witnesses)", n.openings),
        ("gates, permutation, quotient at ζ", n.vanishing),
        ("FRI proof allocation", f.allocation),
        ("FRI transcript (… indices, PoW)", f.transcript),
        ("α powers, reduced openings", f.precompute),
        ("Merkle paths (Poseidon-BN254)", f.merkle),
        ("initial combination", f.initial_combination),
        ("folding", f.folding),
        ("final polynomial", f.final_poly),
    ] {
        println!("| {name} | {v} |");
    }
    println!("| PLONK part | {} |", n.plonk_total());
    println!("| FRI part | {} |", n.fri_total());
    println!(
        "| **Groth16 circuit (1 public input)** | **{}** |",
        wrap.num_constraints()
    );

    if prove {
        let input = tc.prove()?;
        let t = Instant::now();
        let (proof, _) = sc.prove(&input)?;
        sc.verify(&proof)?;
        println!("shrink prove {:.1}s", t.elapsed().as_secs_f64());
        let t = Instant::now();
        let cs = ConstraintSystem::<Fr>::new_ref();
        WrapCircuit::new(c.clone(), data.verifier_only.clone(), &[], Some(proof))?
            .generate_constraints(cs.clone())?;
        let ok = cs.is_satisfied()?;
        println!(
            "witness synthesis + check {:.1}s: satisfied = {ok}{}",
            t.elapsed().as_secs_f64(),
            cs.which_is_unsatisfied()?
                .map(|s| format!(" (first failing: {s})"))
                .unwrap_or_default()
        );
        if !ok {
            return Err("the real proof does not satisfy the wrap R1CS".into());
        }
    }
    println!("peak RSS {} MiB", peak_rss_kib() / 1024);
    Ok(())
}
