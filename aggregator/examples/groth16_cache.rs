//! Measures the seeded Groth16 setup, key-cache store and load (unchecked, checksummed) and
//! validated loading of the same key, for a synthetic circuit of `n` constraints.
//!
//! `cargo run -p zkroll-aggregator --release --example groth16_cache [n]`

use std::time::Instant;

use ark_bn254::Fr;
use ark_r1cs_std::alloc::AllocVar;
use ark_r1cs_std::eq::EqGadget;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::fields::FieldVar;
use ark_relations::r1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError};
use ark_serialize::{CanonicalSerialize, Compress};
use zkroll_aggregator::groth16::cache::{load_proving_key_validated, KeyCache, KeySource};
use zkroll_aggregator::groth16::{prove, verify};

/// `n` squarings of a witness `x`; public output `x^(2^n)`.
#[derive(Clone)]
struct Squarings {
    n: usize,
    x: Fr,
}

impl Squarings {
    fn output(&self) -> Fr {
        (0..self.n).fold(self.x, |a, _| a * a)
    }
}

impl ConstraintSynthesizer<Fr> for Squarings {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        let out = FpVar::new_input(cs.clone(), || Ok(self.output()))?;
        let mut a = FpVar::new_witness(cs, || Ok(self.x))?;
        for _ in 0..self.n {
            a = a.square()?;
        }
        a.enforce_equal(&out)
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(1 << 16);
    let dir = tempfile::tempdir()?;
    let cache = KeyCache::new(dir.path());
    let id = format!("example/squarings/{n}");
    let c = Squarings {
        n,
        x: Fr::from(3u64),
    };
    let t = Instant::now();
    // The development setup, explicitly: its keys are forgeable (figures only).
    let (pk, _, o) = cache.load_or_setup(&id, KeySource::DevSetup, || c.clone())?;
    println!("setup+store ({o:?}): {:.2}s", t.elapsed().as_secs_f64());
    let size = std::fs::metadata(cache.path_for(&id))?.len();
    println!(
        "cache file: {} bytes ({:.0} bytes/constraint)",
        size,
        size as f64 / n as f64
    );
    let t = Instant::now();
    let _ = cache.load(&id)?;
    println!(
        "load (checksum, unchecked points, vk hash vs record): {:.3}s",
        t.elapsed().as_secs_f64()
    );
    let f = dir.path().join("compressed.bin");
    let mut buf = Vec::new();
    pk.serialize_compressed(&mut buf)?;
    std::fs::write(&f, &buf)?;
    let t = Instant::now();
    let _ = load_proving_key_validated(&f, Compress::Yes)?;
    println!(
        "load (compressed, validated): {:.3}s",
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let out = c.output();
    let proof = prove(&pk, c, &mut rand::rngs::OsRng)?;
    println!("prove: {:.2}s", t.elapsed().as_secs_f64());
    verify(&pk.vk, &[out], &proof)?;
    println!("verify: ok");
    Ok(())
}
