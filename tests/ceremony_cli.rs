//! A whole phase-2 ceremony through the `zkroll setup` verbs, for a small circuit given as a
//! `.r1cs` file (issue 11, test 4b): `ptau-dev` → `init` → our contribution → a snarkjs
//! contribution → `beacon` → `verify` (ours and `snarkjs zkey verify`) → a proof with the
//! final key, verified by ark-groth16, by snarkjs and by the generated Verifier.sol on anvil.
//! Then the verbs' bad input: tampered, truncated and foreign files are refused with an error
//! that names the file and what is wrong, and nothing is written.
//!
//! Needs the L1 toolchain and snarkjs (`scripts/setup-l1.sh`, run by `scripts/test.sh`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use ark_bn254::Fr;
use ark_ff::Field;
use ark_relations::lc;
use ark_relations::r1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError};
use zkroll::aggregator::groth16;
use zkroll::aggregator::groth16::ceremony::{r1cs_file::R1cs, zkey::Zkey};
use zkroll::l1::{
    anvil_provider, deploy_verifier, proof_words, spawn_anvil, verify_proof_call, Toolchain,
};

/// `y = x^(2^steps)`: one public input `y`, a private `x`, `steps` constraints.
#[derive(Clone, Copy)]
struct Squarings {
    x: Fr,
    steps: usize,
}

impl Squarings {
    fn output(&self) -> Fr {
        (0..self.steps).fold(self.x, |v, _| v.square())
    }
}

impl ConstraintSynthesizer<Fr> for Squarings {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        let y = cs.new_input_variable(|| Ok(self.output()))?;
        let mut v = self.x;
        let mut cur = cs.new_witness_variable(|| Ok(v))?;
        for i in 0..self.steps {
            v = v.square();
            let next = if i + 1 == self.steps {
                y
            } else {
                cs.new_witness_variable(|| Ok(v))?
            };
            cs.enforce_constraint(lc!() + cur, lc!() + cur, lc!() + next)?;
            cur = next;
        }
        Ok(())
    }
}

fn zkroll(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zkroll"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run zkroll")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Runs a verb (its arguments separated by spaces) that must succeed; returns its output.
fn ok(dir: &Path, line: &str) -> String {
    let args: Vec<&str> = line.split_whitespace().collect();
    let o = zkroll(dir, &args);
    assert!(o.status.success(), "zkroll {args:?} failed: {}", text(&o));
    text(&o)
}

/// Runs a verb (its arguments separated by spaces) that must fail; returns its output.
fn fails(dir: &Path, line: &str) -> String {
    let args: Vec<&str> = line.split_whitespace().collect();
    let o = zkroll(dir, &args);
    assert!(
        !o.status.success(),
        "zkroll {args:?} succeeded: {}",
        text(&o)
    );
    let t = text(&o);
    assert!(!t.contains("panicked"), "zkroll {args:?} panicked: {t}");
    t
}

fn snarkjs(dir: &Path, args: &[&str]) -> (bool, String) {
    let bin =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("aggregator/node_modules/.bin/snarkjs");
    assert!(
        bin.exists(),
        "snarkjs missing: run scripts/setup-l1.sh (npm ci --prefix aggregator)"
    );
    let o = Command::new(bin)
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run snarkjs");
    (o.status.success(), text(&o))
}

/// The 128 hex digits that follow `label` in a verb's output (hashes are printed as four
/// lines of 32 hex digits).
fn hash_after(out: &str, label: &str) -> String {
    let at = out
        .find(label)
        .unwrap_or_else(|| panic!("no {label:?} in {out}"));
    let hex: String = out[at + label.len()..]
        .lines()
        .skip(1)
        .take(4)
        .flat_map(|l| l.split_whitespace())
        .collect();
    assert_eq!(hex.len(), 128, "hash after {label:?}: {out}");
    hex
}

#[tokio::test(flavor = "multi_thread")]
async fn ceremony_through_the_cli_proves_on_l1_and_interoperates_with_snarkjs() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let circuit = Squarings {
        x: Fr::from(3u64),
        steps: 50,
    };
    R1cs::from_circuit(circuit)
        .unwrap()
        .write(&d.join("circuit.r1cs"))
        .unwrap();

    let out = ok(d, "setup ptau-dev --power 7 -o pot.ptau");
    assert!(out.contains("INSECURE"), "{out}");
    ok(
        d,
        "setup init --ptau pot.ptau --r1cs circuit.r1cs -o 0000.zkey",
    );
    let out = ok(
        d,
        "setup contribute 0000.zkey -o 0001.zkey --entropy dice:31415 --name alice",
    );
    let ours = hash_after(&out, "contribution hash (publish it):");
    let (good, log) = snarkjs(
        d,
        &[
            "zkey",
            "contribute",
            "0001.zkey",
            "0002.zkey",
            "-n=bob",
            "-e=bob's entropy",
        ],
    );
    assert!(good, "{log}");
    ok(
        d,
        "setup beacon 0002.zkey -o final.zkey --beacon 0x0123456789abcdef --iterations 10",
    );
    let report = ok(
        d,
        "setup verify final.zkey --ptau pot.ptau --r1cs circuit.r1cs",
    );
    assert!(report.contains("key OK"), "{report}");
    assert_eq!(hash_after(&report, "contribution #1 alice"), ours);
    assert!(report.contains("contribution #2 bob"), "{report}");
    assert!(report.contains("contribution #3"), "{report}");
    // From the published initial key: the same hashes; a key with a contribution is refused.
    let quick = ok(
        d,
        "setup verify final.zkey --ptau pot.ptau --r1cs circuit.r1cs --initial 0000.zkey",
    );
    assert_eq!(hash_after(&quick, "contribution #1 alice"), ours);
    assert!(quick.contains("contribution #3"), "{quick}");
    let out = fails(
        d,
        "setup verify final.zkey --ptau pot.ptau --r1cs circuit.r1cs --initial 0001.zkey",
    );
    assert!(out.contains("initial key"), "{out}");
    let (good, log) = snarkjs(
        d,
        &["zkey", "verify", "circuit.r1cs", "pot.ptau", "final.zkey"],
    );
    assert!(good && log.contains("ZKey Ok!"), "{log}");
    // snarkjs lists our contribution under the hash we published.
    assert!(
        log.contains(&ours[..8]),
        "snarkjs does not list {ours}: {log}"
    );

    // A proof with the final key: ark-groth16, snarkjs and the generated Verifier.sol agree.
    let pk = Zkey::read(&d.join("final.zkey")).unwrap().proving_key();
    assert!(groth16::is_circom_key(&pk));
    let y = circuit.output();
    let proof = groth16::prove(&pk, circuit, &mut rand::rngs::OsRng).unwrap();
    groth16::verify(&pk.vk, &[y], &proof).unwrap();
    assert!(groth16::verify(&pk.vk, &[y + Fr::ONE], &proof).is_err());
    groth16::snarkjs::export(&d.join("proof"), &pk.vk, &proof, &[y]).unwrap();
    let (good, log) = snarkjs(
        &d.join("proof"),
        &[
            "groth16",
            "verify",
            "verification_key.json",
            "public.json",
            "proof.json",
        ],
    );
    assert!(good && log.contains("OK"), "{log}");

    let toolchain = Toolchain::locate().unwrap_or_else(|e| panic!("{e}"));
    let anvil = spawn_anvil(&toolchain).unwrap();
    let provider = anvil_provider(&anvil, 0).unwrap();
    let (verifier, _) = deploy_verifier(&provider, &toolchain, &pk.vk)
        .await
        .unwrap();
    let y_word = alloy::primitives::U256::from_le_slice(&fr_le(&y));
    verify_proof_call(&provider, verifier, proof_words(&proof), y_word)
        .await
        .expect("the ceremony key's proof verifies on L1");
    let wrong = y_word + alloy::primitives::U256::from(1u64);
    assert!(
        verify_proof_call(&provider, verifier, proof_words(&proof), wrong)
            .await
            .is_err(),
        "a wrong public input is accepted on L1"
    );

    // Bad input through the verbs: each refused, naming what failed, writing nothing.
    // Another circuit.
    R1cs::from_circuit(Squarings {
        steps: 51,
        ..circuit
    })
    .unwrap()
    .write(&d.join("other.r1cs"))
    .unwrap();
    let out = fails(
        d,
        "setup verify final.zkey --ptau pot.ptau --r1cs other.r1cs",
    );
    assert!(
        out.contains("does NOT verify") && out.contains("circuit"),
        "{out}"
    );
    // Another powers of tau.
    ok(d, "setup ptau-dev --power 7 -o other.ptau");
    let out = fails(
        d,
        "setup verify final.zkey --ptau other.ptau --r1cs circuit.r1cs",
    );
    assert!(out.contains("does NOT verify"), "{out}");
    // A ptau with too few powers names the power the circuit needs.
    ok(d, "setup ptau-dev --power 4 -o small.ptau");
    let out = fails(
        d,
        "setup init --ptau small.ptau --r1cs circuit.r1cs -o x.zkey",
    );
    assert!(out.contains("power") && out.contains('6'), "{out}");
    assert!(!d.join("x.zkey").exists());
    // A truncated ptau names the file.
    let bytes = std::fs::read(d.join("pot.ptau")).unwrap();
    std::fs::write(d.join("short.ptau"), &bytes[..bytes.len() / 2]).unwrap();
    let out = fails(
        d,
        "setup init --ptau short.ptau --r1cs circuit.r1cs -o x.zkey",
    );
    assert!(out.contains("short.ptau"), "{out}");
    assert!(!d.join("x.zkey").exists());
    // A truncated key is refused by every verb that reads one; nothing is written.
    let key = std::fs::read(d.join("final.zkey")).unwrap();
    std::fs::write(d.join("cut.zkey"), &key[..key.len() - 100]).unwrap();
    for line in [
        "setup contribute cut.zkey -o x.zkey",
        "setup beacon cut.zkey -o x.zkey --beacon 00 --iterations 10",
        "setup verify cut.zkey --ptau pot.ptau --r1cs circuit.r1cs",
        "setup install cut.zkey --ptau pot.ptau --keys keys",
    ] {
        let out = fails(d, line);
        assert!(out.contains("cut.zkey"), "{line}: {out}");
    }
    assert!(!d.join("x.zkey").exists());
    assert!(!d.join("keys").exists(), "install wrote to the key cache");
    // A tampered contribution: the last point of the key's L section moved.
    let mut t = Zkey::read(&d.join("final.zkey")).unwrap();
    let last = t.c.len() - 1;
    t.c[last] = t.c[0];
    t.write(
        &d.join("tampered.zkey"),
        zkroll::aggregator::groth16::ceremony::zkey::Layout::Contribution,
    )
    .unwrap();
    let out = fails(
        d,
        "setup verify tampered.zkey --ptau pot.ptau --r1cs circuit.r1cs",
    );
    assert!(out.contains("L section"), "{out}");
    // Bad beacon parameters.
    let out = fails(
        d,
        "setup beacon final.zkey -o x.zkey --beacon zz --iterations 10",
    );
    assert!(out.contains("--beacon"), "{out}");
    let out = fails(
        d,
        "setup beacon final.zkey -o x.zkey --beacon 00 --iterations 5",
    );
    assert!(out.contains("iterations"), "{out}");
    assert!(!d.join("x.zkey").exists());
}

/// Little-endian bytes of a scalar.
fn fr_le(x: &Fr) -> Vec<u8> {
    use ark_ff::{BigInteger, PrimeField};
    x.into_bigint().to_bytes_le()
}
