//! Prints the number of rows (gates) of one ECgFp5 Schnorr verification in a plonky2 circuit
//! (standard recursion config), and the time to prove it.
//!
//! `cargo run --release -p zkroll-circuits --example schnorr_rows`

use std::time::Instant;

use plonky2::hash::hash_types::HashOut;
use plonky2::iop::witness::{PartialWitness, WitnessWrite};
use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::circuit_data::CircuitConfig;
use zkroll_circuits::gadgets::schnorr::{set_signature_target, CircuitBuilderSchnorr};
use zkroll_circuits::schnorr::SecretKey;
use zkroll_circuits::{C, D, F};

/// Prints plonky2's build statistics (gate counts, degree before padding).
struct StderrLogger;

impl log::Log for StderrLogger {
    fn enabled(&self, m: &log::Metadata) -> bool {
        m.target().starts_with("plonky2")
    }
    fn log(&self, r: &log::Record) {
        if self.enabled(r.metadata()) {
            eprintln!("{}", r.args());
        }
    }
    fn flush(&self) {}
}

fn main() -> anyhow::Result<()> {
    log::set_logger(&StderrLogger).map_err(|e| anyhow::anyhow!("{e}"))?;
    log::set_max_level(log::LevelFilter::Debug);
    let mut b = CircuitBuilder::<F, D>::new(CircuitConfig::standard_recursion_config());
    let pk = b.add_virtual_target_arr();
    let msg = b.add_virtual_hash();
    let sig = b.add_virtual_signature_target();
    let before = b.num_gates();
    b.verify_schnorr(pk, msg, &sig);
    let rows = b.num_gates() - before;
    let data = b.build::<C>();
    println!(
        "rows per Schnorr verification: {rows} (circuit degree 2^{})",
        data.common.degree_bits()
    );

    let sk = SecretKey::from_seed(&[1; 32]);
    let m = HashOut {
        elements: [F::default(); 4],
    };
    let s = sk.sign(&m);
    let mut pw = PartialWitness::new();
    pw.set_target_arr(&pk, &sk.public_key().encode())?;
    pw.set_hash_target(msg, m)?;
    set_signature_target(&mut pw, &sig, &s)?;
    let t = Instant::now();
    let proof = data.prove(pw)?;
    println!("prove: {:?}", t.elapsed());
    data.verify(proof)
}
