//! Export of a verifying key, proof and public inputs in snarkjs' JSON formats
//! (`verification_key.json`, `proof.json`, `public.json`), so that `snarkjs groth16 verify`
//! can check our proofs independently.
//!
//! Numbers are decimal strings. G1 points are `[x, y, "1"]`; G2 points are
//! `[[x.c0, x.c1], [y.c0, y.c1], ["1", "0"]]` (snarkjs' JSON order: real part first; only the
//! Solidity calldata swaps to `[c1, c0]`). The point at infinity is `["0", "1", "0"]`
//! (G1) / `[["0","0"],["1","0"],["0","0"]]` (G2), as snarkjs writes it.

use std::path::Path;

use ark_bn254::{Fq, Fq2, Fr, G1Affine, G2Affine};
use ark_ff::PrimeField;
use serde_json::{json, Value};

use super::{G16Proof, G16VerifyingKey};
use crate::error::AggregatorError;

fn dec<F: PrimeField>(x: F) -> String {
    x.into_bigint().to_string()
}

fn fq2(x: Fq2) -> Value {
    json!([dec::<Fq>(x.c0), dec::<Fq>(x.c1)])
}

/// A G1 point in snarkjs JSON.
pub fn g1_json(p: &G1Affine) -> Value {
    if p.infinity {
        return json!(["0", "1", "0"]);
    }
    json!([dec(p.x), dec(p.y), "1"])
}

/// A G2 point in snarkjs JSON.
pub fn g2_json(p: &G2Affine) -> Value {
    if p.infinity {
        return json!([["0", "0"], ["1", "0"], ["0", "0"]]);
    }
    json!([fq2(p.x), fq2(p.y), ["1", "0"]])
}

/// snarkjs `verification_key.json`.
pub fn verification_key_json(vk: &G16VerifyingKey) -> Value {
    json!({
        "protocol": "groth16",
        "curve": "bn128",
        "nPublic": vk.gamma_abc_g1.len() - 1,
        "vk_alpha_1": g1_json(&vk.alpha_g1),
        "vk_beta_2": g2_json(&vk.beta_g2),
        "vk_gamma_2": g2_json(&vk.gamma_g2),
        "vk_delta_2": g2_json(&vk.delta_g2),
        "IC": vk.gamma_abc_g1.iter().map(g1_json).collect::<Vec<_>>(),
    })
}

/// snarkjs `proof.json`.
pub fn proof_json(proof: &G16Proof) -> Value {
    json!({
        "pi_a": g1_json(&proof.a),
        "pi_b": g2_json(&proof.b),
        "pi_c": g1_json(&proof.c),
        "protocol": "groth16",
        "curve": "bn128",
    })
}

/// snarkjs `public.json`.
pub fn public_json(inputs: &[Fr]) -> Value {
    Value::Array(inputs.iter().map(|x| Value::String(dec(*x))).collect())
}

/// Writes `verification_key.json`, `proof.json` and `public.json` into `dir`.
pub fn export(
    dir: &Path,
    vk: &G16VerifyingKey,
    proof: &G16Proof,
    inputs: &[Fr],
) -> Result<(), AggregatorError> {
    std::fs::create_dir_all(dir)?;
    let write = |name: &str, v: Value| -> Result<(), AggregatorError> {
        let s = serde_json::to_string_pretty(&v)
            .map_err(|e| AggregatorError::Serialization(e.to_string()))?;
        std::fs::write(dir.join(name), s)?;
        Ok(())
    };
    write("verification_key.json", verification_key_json(vk))?;
    write("proof.json", proof_json(proof))?;
    write("public.json", public_json(inputs))
}

#[cfg(test)]
mod tests {
    use super::super::test_circuit::{blank, instance};
    use super::super::{prove, setup_seeded};
    use super::*;
    use std::path::PathBuf;
    use std::process::Command;

    fn snarkjs_bin() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("node_modules/.bin/snarkjs")
    }

    fn snarkjs_verify(dir: &Path) -> bool {
        let out = Command::new(snarkjs_bin())
            .current_dir(dir)
            .args([
                "groth16",
                "verify",
                "verification_key.json",
                "public.json",
                "proof.json",
            ])
            .output()
            .expect("run snarkjs");
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        out.status.success() && text.contains("OK")
    }

    #[test]
    fn json_shapes() {
        let pk = setup_seeded(blank(), "test/mul").unwrap();
        let v = verification_key_json(&pk.vk);
        assert_eq!(v["nPublic"], 1);
        assert_eq!(v["IC"].as_array().unwrap().len(), 2);
        assert_eq!(v["vk_beta_2"][2], json!(["1", "0"]));
        assert_eq!(v["vk_beta_2"][0][0], json!(dec(pk.vk.beta_g2.x.c0)));
        assert_eq!(public_json(&[Fr::from(36u64)]), json!(["36"]));
    }

    /// Needs snarkjs installed at aggregator/node_modules (`cd aggregator && npm ci`).
    #[test]
    fn snarkjs_accepts_export_and_rejects_wrong_input() {
        assert!(
            snarkjs_bin().exists(),
            "snarkjs missing: run `npm ci --prefix aggregator` (pinned in aggregator/package-lock.json)"
        );
        let pk = setup_seeded(blank(), "test/mul").unwrap();
        let (c, z) = instance();
        let proof = prove(&pk, c, &mut rand::rngs::OsRng).unwrap();
        let dir = tempfile::tempdir().unwrap();
        export(dir.path(), &pk.vk, &proof, &[z]).unwrap();
        assert!(snarkjs_verify(dir.path()), "snarkjs rejected a valid proof");
        // Wrong public input.
        export(dir.path(), &pk.vk, &proof, &[z + Fr::from(1u64)]).unwrap();
        assert!(!snarkjs_verify(dir.path()));
        // Tampered proof.
        let mut bad = proof;
        bad.c = bad.a;
        export(dir.path(), &pk.vk, &bad, &[z]).unwrap();
        assert!(!snarkjs_verify(dir.path()));
    }
}
