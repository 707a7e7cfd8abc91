//! Seconds and file sizes of each ceremony step on a synthetic circuit of about `N`
//! constraints (a squaring chain with 2 public inputs): ptau-dev of the power it needs, init,
//! one contribution, a beacon, verify, and a proof with the final key (circom's reduction),
//! verified. For the real wrap circuit of a deployment see the root crate's
//! `examples/ceremony_figures.rs`.
//!
//! `cargo run --release -p zkroll-aggregator --example ceremony_steps [N]` (default 65 000).

use std::time::Instant;

use ark_bn254::Fr;
use ark_r1cs_std::alloc::AllocVar;
use ark_r1cs_std::eq::EqGadget;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::fields::FieldVar;
use ark_r1cs_std::R1CSVar;
use ark_relations::r1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError};
use zkroll_aggregator::groth16::ceremony::{
    contribute, phase2, ptau, r1cs_file::R1cs, verify, zkey,
};
use zkroll_aggregator::groth16::{prove, verify as g16_verify};

/// `v_{i+1} = v_i² + x`, public `x` and `v_steps`.
#[derive(Clone)]
struct Chain {
    x: Option<Fr>,
    steps: usize,
}

impl Chain {
    fn output(&self) -> Fr {
        let x = self.x.unwrap_or_default();
        (0..self.steps).fold(x, |v, _| v * v + x)
    }
}

impl ConstraintSynthesizer<Fr> for Chain {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        let out = self.output();
        let x = FpVar::new_input(cs.clone(), || {
            self.x.ok_or(SynthesisError::AssignmentMissing)
        })?;
        let y = FpVar::new_input(cs.clone(), || {
            self.x.map(|_| out).ok_or(SynthesisError::AssignmentMissing)
        })?;
        let mut v = x.clone();
        for _ in 0..self.steps {
            let sq = FpVar::new_witness(cs.clone(), || v.value().map(|a| a * a))?;
            v.mul_equals(&v, &sq)?;
            v = sq + &x;
        }
        v.enforce_equal(&y)
    }
}

fn mib(p: &std::path::Path) -> f64 {
    std::fs::metadata(p).map_or(0.0, |m| m.len() as f64 / (1u64 << 20) as f64)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = std::env::args().nth(1).map_or(Ok(65_000), |a| a.parse())?;
    let dir = tempfile::tempdir()?;
    let mut rows: Vec<(String, f64)> = Vec::new();
    let mut time = |name: &str, t: Instant| rows.push((name.into(), t.elapsed().as_secs_f64()));
    let steps = n.saturating_sub(1).max(1);
    let circuit = Chain {
        x: Some(Fr::from(3u64)),
        steps,
    };

    let t = Instant::now();
    let r1cs = R1cs::from_circuit(circuit.clone())?;
    time("synthesis", t);
    let power = ptau::domain_power(r1cs.rows());
    let pot = dir.path().join("pot.ptau");
    let t = Instant::now();
    ptau::write_dev_ptau(&pot, power, &mut rand::rngs::OsRng)?;
    time(&format!("ptau-dev (power {power})"), t);
    let t = Instant::now();
    let init = phase2::init(&r1cs, &mut ptau::Ptau::open(&pot)?)?;
    let z0 = dir.path().join("0000.zkey");
    init.write(&z0, zkey::Layout::Init)?;
    time("init (incl. ptau validation) + write", t);
    let t = Instant::now();
    let k0 = zkey::Zkey::read(&z0)?;
    let (k1, _) = contribute::contribute(&k0, "steps", None, &mut rand::rngs::OsRng)?;
    let z1 = dir.path().join("0001.zkey");
    k1.write(&z1, zkey::Layout::Contribution)?;
    time("contribute (read + contribute + write)", t);
    let t = Instant::now();
    let (fin, _) = contribute::beacon(&k1, &[1u8; 32], 10, None)?;
    time("beacon (2^10 iterations)", t);
    let t = Instant::now();
    verify::verify(&fin, &r1cs, &mut ptau::Ptau::open(&pot)?)?;
    time("verify (init again + chain)", t);
    let pk = fin.proving_key();
    let out = circuit.output();
    let t = Instant::now();
    let proof = prove(&pk, circuit, &mut rand::rngs::OsRng)?;
    g16_verify(&pk.vk, &[Fr::from(3u64), out], &proof)?;
    time("prove + verify with the ceremony key", t);

    println!(
        "{} constraints, {} wires, domain 2^{power}",
        r1cs.num_constraints(),
        r1cs.num_wires
    );
    println!("| step | seconds |\n|---|---|");
    for (name, s) in &rows {
        println!("| {name} | {s:.2} |");
    }
    println!("ptau {:.1} MiB, zkey {:.1} MiB", mib(&pot), mib(&z1));
    Ok(())
}
