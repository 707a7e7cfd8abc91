//! Tests of the ceremony: formats, the phase-2 chain, rejections, and compatibility with the
//! pinned snarkjs (`cd aggregator && npm ci`).

use std::path::{Path, PathBuf};
use std::process::Command;

use ark_bn254::{Bn254, Fr, G1Affine, G2Affine};
use ark_ec::{AffineRepr, CurveGroup};
use ark_groth16::Groth16;
use ark_r1cs_std::alloc::AllocVar;
use ark_r1cs_std::eq::EqGadget;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::fields::FieldVar;
use ark_r1cs_std::R1CSVar;
use ark_relations::r1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

use super::contribute::{beacon, contribute};
use super::encoding;
use super::phase2::init;
use super::ptau::{write_dev_ptau, Ptau};
use super::r1cs_file::R1cs;
use super::reduction::CircomReduction;
use super::verify::{verify, verify_against_init};
use super::zkey::{Layout, Zkey};
use super::CeremonyError;
use crate::groth16::test_circuit;

/// `v_{i+1} = v_i² + x` for `steps` steps from `v_0 = x`; public `x` and `y = v_steps`.
#[derive(Clone)]
struct ChainCircuit {
    x: Option<Fr>,
    steps: usize,
}

impl ChainCircuit {
    fn output(&self) -> Fr {
        let x = self.x.unwrap_or_default();
        let mut v = x;
        for _ in 0..self.steps {
            v = v * v + x;
        }
        v
    }
}

impl ConstraintSynthesizer<Fr> for ChainCircuit {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        let y_val = self.output();
        let x = FpVar::new_input(cs.clone(), || {
            self.x.ok_or(SynthesisError::AssignmentMissing)
        })?;
        let y = FpVar::new_input(cs.clone(), || {
            self.x
                .map(|_| y_val)
                .ok_or(SynthesisError::AssignmentMissing)
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

fn chain(steps: usize) -> ChainCircuit {
    ChainCircuit {
        x: Some(Fr::from(7u64)),
        steps,
    }
}

fn ark_verify(
    vk: &ark_groth16::VerifyingKey<Bn254>,
    inputs: &[Fr],
    proof: &ark_groth16::Proof<Bn254>,
) -> Result<bool, SynthesisError> {
    Groth16::<Bn254>::verify_proof(&ark_groth16::prepare_verifying_key(vk), proof, inputs)
}

fn rng(seed: u8) -> ChaCha20Rng {
    ChaCha20Rng::from_seed([seed; 32])
}

fn snarkjs_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("node_modules/.bin/snarkjs")
}

fn require_snarkjs() -> PathBuf {
    let bin = snarkjs_bin();
    assert!(
        bin.exists(),
        "snarkjs missing: run `npm ci --prefix aggregator` (pinned in aggregator/package-lock.json)"
    );
    bin
}

/// Runs snarkjs in `dir`; returns (success, stdout+stderr).
fn snarkjs(dir: &Path, args: &[&str]) -> (bool, String) {
    let out = Command::new(require_snarkjs())
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run snarkjs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

struct Setup {
    dir: tempfile::TempDir,
    r1cs: R1cs,
    init: Zkey,
}

impl Setup {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
    fn ptau(&self) -> Ptau {
        Ptau::open(&self.path("pot.ptau")).unwrap()
    }
}

/// ptau-dev of `power`, the chain circuit's r1cs and its initial key, in a tempdir.
fn setup(steps: usize, power: u32) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    write_dev_ptau(&dir.path().join("pot.ptau"), power, &mut rng(1)).unwrap();
    let r1cs = R1cs::from_circuit(chain(steps)).unwrap();
    r1cs.write(&dir.path().join("circuit.r1cs")).unwrap();
    let mut ptau = Ptau::open(&dir.path().join("pot.ptau")).unwrap();
    let init = init(&r1cs, &mut ptau).unwrap();
    init.write(&dir.path().join("0000.zkey"), Layout::Init)
        .unwrap();
    Setup { dir, r1cs, init }
}

#[test]
fn r1cs_file_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let r1cs = R1cs::from_circuit(chain(20)).unwrap();
    assert_eq!(r1cs.num_public, 2);
    assert_eq!(r1cs.num_constraints(), 21);
    let p = dir.path().join("c.r1cs");
    r1cs.write(&p).unwrap();
    assert_eq!(R1cs::read(&p).unwrap(), r1cs);
    // Truncated files are typed errors.
    let bytes = std::fs::read(&p).unwrap();
    for cut in [0, 3, 11, 20, 60, bytes.len() - 1] {
        std::fs::write(&p, &bytes[..cut]).unwrap();
        assert!(R1cs::read(&p).is_err(), "cut at {cut}");
    }
}

#[test]
fn dev_ptau_is_consistent_and_zkey_round_trips() {
    let s = setup(20, 6);
    let mut ptau = s.ptau();
    assert_eq!((ptau.power, ptau.prepared), (6, true));
    ptau.check_for(6, 50).unwrap();
    let back = Zkey::read(&s.path("0000.zkey")).unwrap();
    assert_eq!(back, s.init);
    assert_eq!(back.domain_size, 32);
    assert!(back.contributions.is_empty());
}

#[test]
fn ceremony_proves_and_verifies_in_ark() {
    let s = setup(30, 6);
    let (k1, _) = contribute(&s.init, "alice", Some("alice"), &mut rand::rngs::OsRng).unwrap();
    let (k2, _) = contribute(&k1, "bob", None, &mut rand::rngs::OsRng).unwrap();
    let (fin, _) = beacon(&k2, &[0xab; 32], 10, Some("beacon")).unwrap();
    let report = verify(&fin, &s.r1cs, &mut s.ptau()).unwrap();
    assert_eq!(report.contributions.len(), 3);
    assert_eq!(report.contributions[0].name.as_deref(), Some("alice"));
    // File round trip keeps the chain verifiable.
    fin.write(&s.path("final.zkey"), Layout::Contribution)
        .unwrap();
    let fin = Zkey::read(&s.path("final.zkey")).unwrap();
    verify(&fin, &s.r1cs, &mut s.ptau()).unwrap();

    let pk = fin.proving_key();
    let c = chain(30);
    let y = c.output();
    let proof = Groth16::<Bn254, CircomReduction>::create_random_proof_with_reduction(
        c.clone(),
        &pk,
        &mut rand::rngs::OsRng,
    )
    .unwrap();
    let x = Fr::from(7u64);
    assert!(ark_verify(&pk.vk, &[x, y], &proof).unwrap());
    assert!(!ark_verify(&pk.vk, &[x, y + Fr::from(1u64)], &proof).unwrap());
    // `groth16::prove` recognises the ceremony key and uses circom's reduction.
    assert!(crate::groth16::is_circom_key(&pk));
    let p2 = crate::groth16::prove(&pk, chain(30), &mut rand::rngs::OsRng).unwrap();
    crate::groth16::verify(&pk.vk, &[x, y], &p2).unwrap();
    let dev = crate::groth16::setup_seeded(chain(30), "test/chain").unwrap();
    assert!(!crate::groth16::is_circom_key(&dev));
    let p3 = crate::groth16::prove(&dev, chain(30), &mut rand::rngs::OsRng).unwrap();
    crate::groth16::verify(&dev.vk, &[x, y], &p3).unwrap();
    // ark-groth16's default reduction does not fit a circom key.
    let bad = Groth16::<Bn254>::create_random_proof_with_reduction(c, &pk, &mut rand::rngs::OsRng)
        .unwrap();
    assert!(!ark_verify(&pk.vk, &[x, y], &bad).unwrap());
}

fn expect_bad_contribution(r: Result<impl std::fmt::Debug, CeremonyError>, index: usize) {
    match r {
        Err(CeremonyError::BadContribution { index: i, .. }) => assert_eq!(i, index),
        other => panic!("expected BadContribution #{index}, got {other:?}"),
    }
}

fn expect_mismatch(r: Result<impl std::fmt::Debug, CeremonyError>) {
    match r {
        Err(CeremonyError::Mismatch { .. }) => {}
        other => panic!("expected Mismatch, got {other:?}"),
    }
}

#[test]
fn verify_rejects_tampered_chains() {
    let s = setup(10, 5);
    let (k1, _) = contribute(&s.init, "a", None, &mut rand::rngs::OsRng).unwrap();
    let (k2, _) = contribute(&k1, "b", None, &mut rand::rngs::OsRng).unwrap();
    verify(&k2, &s.r1cs, &mut s.ptau()).unwrap();
    let other = G1Affine::generator() * Fr::from(5u64);

    // Tampered proof-of-knowledge point.
    let mut t = k2.clone();
    t.contributions[0].g1_sx = other.into_affine();
    expect_bad_contribution(verify(&t, &s.r1cs, &mut s.ptau()), 1);
    // Tampered transcript (a wrong contribution hash).
    let mut t = k2.clone();
    t.contributions[1].transcript[0] ^= 1;
    expect_bad_contribution(verify(&t, &s.r1cs, &mut s.ptau()), 2);
    // Dropped first contribution.
    let mut t = k2.clone();
    t.contributions.remove(0);
    expect_bad_contribution(verify(&t, &s.r1cs, &mut s.ptau()), 1);
    // Reordered contributions.
    let mut t = k2.clone();
    t.contributions.swap(0, 1);
    expect_bad_contribution(verify(&t, &s.r1cs, &mut s.ptau()), 1);
    // Dropped last contribution: delta no longer matches.
    let mut t = k2.clone();
    t.contributions.pop();
    expect_mismatch(verify(&t, &s.r1cs, &mut s.ptau()));
    // A delta not backed by a contribution.
    let mut t = k2.clone();
    t.delta1 = (t.delta1 * Fr::from(2u64)).into_affine();
    t.delta2 = (t.delta2 * Fr::from(2u64)).into_affine();
    expect_mismatch(verify(&t, &s.r1cs, &mut s.ptau()));
    // Tampered L and H points.
    let mut t = k2.clone();
    t.c[0] = other.into_affine();
    expect_mismatch(verify(&t, &s.r1cs, &mut s.ptau()));
    let mut t = k2.clone();
    t.h[3] = other.into_affine();
    expect_mismatch(verify(&t, &s.r1cs, &mut s.ptau()));
    // Every circuit section, checked by random linear combination (A, B1, B2) or compared
    // (IC, coefficients, circuit hash), each named in the error.
    let other2 = (G2Affine::generator() * Fr::from(5u64)).into_affine();
    type Tamper = fn(&mut Zkey, G1Affine, G2Affine);
    let tampered: [(&str, Tamper); 7] = [
        ("A section", |t, p, _| t.a[2] = p),
        ("A section", |t, p, _| {
            let last = t.a.len() - 1;
            t.a[last] = p
        }),
        ("B1 section", |t, p, _| t.b1[1] = p),
        ("B2 section", |t, _, q| t.b2[1] = q),
        ("IC section", |t, p, _| t.ic[0] = p),
        ("coefficients section", |t, _, _| {
            t.coefs[0].value += Fr::from(1u64)
        }),
        ("circuit hash", |t, _, _| t.cs_hash[5] ^= 1),
    ];
    for (what, tamper) in tampered {
        let mut t = k2.clone();
        tamper(&mut t, other.into_affine(), other2);
        match verify(&t, &s.r1cs, &mut s.ptau()) {
            Err(CeremonyError::Mismatch { what: w }) => assert!(w.contains(what), "{what}: {w}"),
            r => panic!("{what} tampered: {r:?}"),
        }
        // The exhaustive comparison agrees.
        expect_mismatch(verify_against_init(&t, &s.init));
    }
    // Another circuit, another powers of tau.
    let r2 = R1cs::from_circuit(chain(11)).unwrap();
    expect_mismatch(verify(&k2, &r2, &mut s.ptau()));
    let p2 = s.path("pot2.ptau");
    write_dev_ptau(&p2, 5, &mut rng(2)).unwrap();
    expect_mismatch(verify(&k2, &s.r1cs, &mut Ptau::open(&p2).unwrap()));
}

/// `(id, data offset, size)` of every section of a container file.
fn sections(b: &[u8]) -> Vec<(u32, usize, usize)> {
    let n = u32::from_le_bytes(b[8..12].try_into().unwrap());
    let mut pos = 12;
    let mut out = Vec::new();
    for _ in 0..n {
        let id = u32::from_le_bytes(b[pos..pos + 4].try_into().unwrap());
        let size = u64::from_le_bytes(b[pos + 4..pos + 12].try_into().unwrap()) as usize;
        out.push((id, pos + 12, size));
        pos += 12 + size;
    }
    out
}

fn offset_of(b: &[u8], id: u32) -> usize {
    sections(b).into_iter().find(|s| s.0 == id).unwrap().1
}

#[test]
fn bad_ptau_files_are_typed_errors() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("pot.ptau");
    write_dev_ptau(&p, 5, &mut rng(3)).unwrap();
    let good = std::fs::read(&p).unwrap();
    let r1cs = R1cs::from_circuit(chain(10)).unwrap();
    let bad = dir.path().join("bad.ptau");
    let open = |bytes: &[u8]| {
        std::fs::write(&bad, bytes).unwrap();
        Ptau::open(&bad)
    };
    // Truncated anywhere.
    for cut in [0, 4, 11, 30, 100, good.len() / 2, good.len() - 1] {
        assert!(
            matches!(
                open(&good[..cut]),
                Err(CeremonyError::Truncated { .. }) | Err(CeremonyError::Malformed { .. })
            ),
            "cut {cut}"
        );
    }
    // Not a ptau.
    let mut b = good.clone();
    b[0] = b'x';
    assert!(matches!(open(&b), Err(CeremonyError::BadMagic { .. })));
    // Wrong curve (another q).
    let mut b = good.clone();
    let h = offset_of(&b, 1);
    b[h + 4] ^= 1;
    assert!(matches!(open(&b), Err(CeremonyError::WrongCurve { .. })));
    // Too few powers.
    let small = dir.path().join("small.ptau");
    write_dev_ptau(&small, 3, &mut rng(4)).unwrap();
    let r = init(&r1cs, &mut Ptau::open(&small).unwrap());
    assert!(
        matches!(
            r,
            Err(CeremonyError::TooFewPowers {
                needed: 4,
                available: 3,
                ..
            })
        ),
        "{r:?}"
    );
    // Not prepared: keep sections 1-7 only.
    let mut b = good[..12].to_vec();
    b[8..12].copy_from_slice(&7u32.to_le_bytes());
    for (id, off, size) in sections(&good) {
        if id <= 7 {
            b.extend_from_slice(&good[off - 12..off + size]);
        }
    }
    let r = init(&r1cs, &mut open(&b).unwrap());
    assert!(matches!(r, Err(CeremonyError::NotPrepared { .. })), "{r:?}");
    // A point off the curve.
    let mut b = good.clone();
    let t = offset_of(&b, 2);
    b[t + 64 * 3] ^= 1;
    let r = init(&r1cs, &mut open(&b).unwrap());
    assert!(
        matches!(r, Err(CeremonyError::InvalidPoint { .. })),
        "{r:?}"
    );
    // A G2 point on the curve but outside the subgroup (tauG2[5]), named in the error.
    let mut b = good.clone();
    let t2 = offset_of(&b, 3);
    let outside = super::subgroup::outside_point(&mut rng(9));
    b[t2 + 128 * 5..t2 + 128 * 6].copy_from_slice(&encoding::g2_to_lem(&outside));
    let r = init(&r1cs, &mut open(&b).unwrap());
    assert!(
        matches!(&r, Err(CeremonyError::InvalidPoint { what, reason, .. })
            if what == "section 3 point 5" && reason.contains("subgroup")),
        "{r:?}"
    );
    // A valid point that breaks the powers (tau^3 replaced).
    let mut b = good.clone();
    let p5 = (G1Affine::generator() * Fr::from(5u64)).into_affine();
    b[t + 64 * 3..t + 64 * 4].copy_from_slice(&encoding::g1_to_lem(&p5));
    let r = init(&r1cs, &mut open(&b).unwrap());
    assert!(
        matches!(r, Err(CeremonyError::InconsistentPtau { .. })),
        "{r:?}"
    );
    // A Lagrange point replaced.
    let mut b = good.clone();
    let l = offset_of(&b, 12);
    let lvl4 = l + 64 * ((1 << 4) - 1);
    b[lvl4 + 64..lvl4 + 128].copy_from_slice(&encoding::g1_to_lem(&p5));
    let r = init(&r1cs, &mut open(&b).unwrap());
    assert!(
        matches!(r, Err(CeremonyError::InconsistentPtau { .. })),
        "{r:?}"
    );
}

#[test]
fn bad_zkey_files_are_typed_errors() {
    let s = setup(10, 5);
    let (k1, _) = contribute(&s.init, "a", None, &mut rand::rngs::OsRng).unwrap();
    let p = s.path("k1.zkey");
    k1.write(&p, Layout::Contribution).unwrap();
    let good = std::fs::read(&p).unwrap();
    let bad = s.path("bad.zkey");
    for cut in (0..good.len()).step_by(97).chain([good.len() - 1]) {
        std::fs::write(&bad, &good[..cut]).unwrap();
        assert!(Zkey::read(&bad).is_err(), "cut {cut}");
    }
    // Flipped bits anywhere give an error or a key that does not verify; never a panic.
    for pos in (0..good.len()).step_by(131) {
        let mut b = good.clone();
        b[pos] ^= 0x10;
        std::fs::write(&bad, &b).unwrap();
        if let Ok(k) = Zkey::read(&bad) {
            assert!(verify(&k, &s.r1cs, &mut s.ptau()).is_err(), "flip at {pos}");
        }
    }
    // A B2 point outside the subgroup, named in the error.
    let mut b = good.clone();
    let b2 = offset_of(&b, 7);
    let outside = super::subgroup::outside_point(&mut rng(10));
    b[b2 + 128 * 3..b2 + 128 * 4].copy_from_slice(&encoding::g2_to_lem(&outside));
    std::fs::write(&bad, &b).unwrap();
    let r = Zkey::read(&bad);
    assert!(
        matches!(&r, Err(CeremonyError::InvalidPoint { what, reason, .. })
            if what == "section 7 point 3" && reason.contains("subgroup")),
        "{:?}",
        r.err()
    );
    // A contribution point off the curve.
    let mut b = good.clone();
    let m = offset_of(&b, 10);
    b[m + 64 + 4 + 64 + 1] ^= 1;
    std::fs::write(&bad, &b).unwrap();
    assert!(matches!(
        Zkey::read(&bad),
        Err(CeremonyError::InvalidPoint { .. })
    ));
}

#[test]
fn init_matches_snarkjs_zkey_new_byte_for_byte() {
    let s = setup(40, 7);
    let (ok, log) = snarkjs(
        s.dir.path(),
        &["zkey", "new", "circuit.r1cs", "pot.ptau", "snarkjs.zkey"],
    );
    assert!(ok, "{log}");
    let ours = std::fs::read(s.path("0000.zkey")).unwrap();
    let theirs = std::fs::read(s.path("snarkjs.zkey")).unwrap();
    assert!(ours == theirs, "init differs from snarkjs zkey new");
    // And the small test circuit of the crate.
    let r = R1cs::from_circuit(test_circuit::blank()).unwrap();
    r.write(&s.path("mul.r1cs")).unwrap();
    init(&r, &mut s.ptau())
        .unwrap()
        .write(&s.path("mul0.zkey"), Layout::Init)
        .unwrap();
    let (ok, log) = snarkjs(
        s.dir.path(),
        &["zkey", "new", "mul.r1cs", "pot.ptau", "mul_snarkjs.zkey"],
    );
    assert!(ok, "{log}");
    assert!(
        std::fs::read(s.path("mul0.zkey")).unwrap()
            == std::fs::read(s.path("mul_snarkjs.zkey")).unwrap()
    );
}

#[test]
fn snarkjs_ptau_is_accepted_and_init_matches() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for args in [
        &["powersoftau", "new", "bn128", "6", "p0.ptau"][..],
        &[
            "powersoftau",
            "contribute",
            "p0.ptau",
            "p1.ptau",
            "-e=zkroll test",
        ][..],
        &["powersoftau", "prepare", "phase2", "p1.ptau", "pot.ptau"][..],
    ] {
        let (ok, log) = snarkjs(d, args);
        assert!(ok, "{args:?}: {log}");
    }
    let r1cs = R1cs::from_circuit(chain(25)).unwrap();
    r1cs.write(&d.join("circuit.r1cs")).unwrap();
    let mut ptau = Ptau::open(&d.join("pot.ptau")).unwrap();
    assert_eq!(ptau.power, 6);
    init(&r1cs, &mut ptau)
        .unwrap()
        .write(&d.join("ours.zkey"), Layout::Init)
        .unwrap();
    let (ok, log) = snarkjs(
        d,
        &["zkey", "new", "circuit.r1cs", "pot.ptau", "theirs.zkey"],
    );
    assert!(ok, "{log}");
    assert!(
        std::fs::read(d.join("ours.zkey")).unwrap()
            == std::fs::read(d.join("theirs.zkey")).unwrap()
    );
    // The unprepared file is refused with a typed error.
    let r = init(&r1cs, &mut Ptau::open(&d.join("p1.ptau")).unwrap());
    assert!(matches!(r, Err(CeremonyError::NotPrepared { .. })), "{r:?}");
}

#[test]
fn beacon_matches_snarkjs_zkey_beacon_byte_for_byte() {
    let s = setup(20, 6);
    let (k1, _) = contribute(&s.init, "a", None, &mut rand::rngs::OsRng).unwrap();
    k1.write(&s.path("k1.zkey"), Layout::Contribution).unwrap();
    let hash = [0x5au8; 32];
    let (ours, _) = beacon(&k1, &hash, 10, Some("final beacon")).unwrap();
    ours.write(&s.path("ours.zkey"), Layout::Contribution)
        .unwrap();
    let hex = hex::encode(hash);
    let (ok, log) = snarkjs(
        s.dir.path(),
        &[
            "zkey",
            "beacon",
            "k1.zkey",
            "theirs.zkey",
            &hex,
            "10",
            "-n=final beacon",
        ],
    );
    assert!(ok, "{log}");
    assert!(
        std::fs::read(s.path("ours.zkey")).unwrap()
            == std::fs::read(s.path("theirs.zkey")).unwrap(),
        "beacon differs from snarkjs zkey beacon"
    );
}

#[test]
fn full_ceremony_interoperates_with_snarkjs() {
    let s = setup(40, 7);
    let d = s.dir.path();
    // Ours, then snarkjs, then our beacon.
    let (k1, h1) = contribute(&s.init, "ours", Some("zkroll"), &mut rand::rngs::OsRng).unwrap();
    k1.write(&s.path("0001.zkey"), Layout::Contribution)
        .unwrap();
    let (ok, log) = snarkjs(
        d,
        &[
            "zkey",
            "contribute",
            "0001.zkey",
            "0002.zkey",
            "-n=snarkjs",
            "-e=outside entropy",
        ],
    );
    assert!(ok, "{log}");
    let k2 = Zkey::read(&s.path("0002.zkey")).unwrap();
    assert_eq!(k2.contributions.len(), 2);
    let (fin, _) = beacon(&k2, &[7u8; 32], 10, None).unwrap();
    fin.write(&s.path("final.zkey"), Layout::Contribution)
        .unwrap();
    let report = verify(&fin, &s.r1cs, &mut s.ptau()).unwrap();
    assert_eq!(report.contributions[0].hash, h1);
    // snarkjs verifies the whole chain and prints our hashes.
    let (ok, log) = snarkjs(
        d,
        &["zkey", "verify", "circuit.r1cs", "pot.ptau", "final.zkey"],
    );
    assert!(ok && log.contains("ZKey Ok!"), "{log}");
    let first = hex::encode(&h1[..4]);
    assert!(
        log.contains(&first),
        "snarkjs does not list our hash {first}: {log}"
    );

    // Prove with the final key; verify in ark-groth16 and snarkjs.
    let pk = fin.proving_key();
    let c = chain(40);
    let y = c.output();
    let proof = Groth16::<Bn254, CircomReduction>::create_random_proof_with_reduction(
        c,
        &pk,
        &mut rand::rngs::OsRng,
    )
    .unwrap();
    let inputs = [Fr::from(7u64), y];
    assert!(ark_verify(&pk.vk, &inputs, &proof).unwrap());
    let out = d.join("proof");
    crate::groth16::snarkjs::export(&out, &pk.vk, &proof, &inputs).unwrap();
    let (ok, log) = snarkjs(
        &out,
        &[
            "groth16",
            "verify",
            "verification_key.json",
            "public.json",
            "proof.json",
        ],
    );
    assert!(ok && log.contains("OK"), "{log}");
    // snarkjs' own export of the key's verifying key is ours.
    let (ok, log) = snarkjs(
        d,
        &["zkey", "export", "verificationkey", "final.zkey", "vk.json"],
    );
    assert!(ok, "{log}");
    let theirs: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("vk.json")).unwrap()).unwrap();
    let ours = crate::groth16::snarkjs::verification_key_json(&pk.vk);
    for field in ["vk_alpha_1", "vk_beta_2", "vk_gamma_2", "vk_delta_2", "IC"] {
        assert_eq!(theirs[field], ours[field], "{field}");
    }
    // A snarkjs-verified chain with a tampered L point is rejected by snarkjs as well.
    let mut t = fin.clone();
    t.c[1] = (G1Affine::generator() * Fr::from(3u64)).into_affine();
    t.write(&s.path("tampered.zkey"), Layout::Contribution)
        .unwrap();
    let (ok, _) = snarkjs(
        d,
        &[
            "zkey",
            "verify",
            "circuit.r1cs",
            "pot.ptau",
            "tampered.zkey",
        ],
    );
    assert!(!ok);
    expect_mismatch(verify(&t, &s.r1cs, &mut s.ptau()));
}

/// Issue 11 test 4(a): a proof forged from the development seed verifies under the dev key
/// of a circuit and is rejected under a ceremony key of the same circuit, which still accepts
/// honest proofs.
#[test]
fn forgery_from_dev_seed_fails_against_ceremony_key() {
    use crate::groth16::dev::{dev_trapdoor, forge, is_dev_seeded};
    const ID: &str = "test/mul/ceremony-forgery";
    let (_, z) = test_circuit::instance();
    let target = z + Fr::from(1u64);
    let t = dev_trapdoor(ID);
    let dev = crate::groth16::setup_seeded(test_circuit::blank(), ID).unwrap();
    let forged = forge(&t, &dev.vk, &[target], Fr::from(7u64), Fr::from(9u64));
    crate::groth16::verify(&dev.vk, &[target], &forged).unwrap();

    let dir = tempfile::tempdir().unwrap();
    write_dev_ptau(&dir.path().join("pot.ptau"), 4, &mut rand::rngs::OsRng).unwrap();
    let mut pot = Ptau::open(&dir.path().join("pot.ptau")).unwrap();
    let r1cs = R1cs::from_circuit(test_circuit::blank()).unwrap();
    let k0 = init(&r1cs, &mut pot).unwrap();
    let (k1, _) = contribute(&k0, "x", None, &mut rand::rngs::OsRng).unwrap();
    verify(&k1, &r1cs, &mut pot).unwrap();
    let pk = k1.proving_key();
    assert!(!is_dev_seeded(&pk.vk, ID));
    let forged = forge(&t, &pk.vk, &[target], Fr::from(7u64), Fr::from(9u64));
    assert!(matches!(
        crate::groth16::verify(&pk.vk, &[target], &forged),
        Err(crate::AggregatorError::ProofRejected)
    ));
    let (c, z) = test_circuit::instance();
    let honest = crate::groth16::prove(&pk, c, &mut rand::rngs::OsRng).unwrap();
    crate::groth16::verify(&pk.vk, &[z], &honest).unwrap();
}

/// Verifying from the published initial key: the same report as a full verification; a
/// tampered initial key (any section, its hash) or final key is rejected, naming what.
#[test]
fn verify_with_initial_checks_the_initial_key_without_recomputing_it() {
    use super::verify::verify_with_initial;
    let s = setup(10, 5);
    let (k1, h1) = contribute(&s.init, "a", None, &mut rand::rngs::OsRng).unwrap();
    let (k2, h2) = contribute(&k1, "b", None, &mut rand::rngs::OsRng).unwrap();
    let report = verify_with_initial(&k2, &s.init, &s.r1cs, &mut s.ptau()).unwrap();
    let hashes: Vec<_> = report.contributions.iter().map(|c| c.hash).collect();
    assert_eq!(hashes, vec![h1, h2]);
    let p = (G1Affine::generator() * Fr::from(5u64)).into_affine();
    let q = (G2Affine::generator() * Fr::from(5u64)).into_affine();
    type Tamper = fn(&mut Zkey, G1Affine, G2Affine);
    let tampered: [(&str, Tamper); 8] = [
        ("A section", |t, p, _| t.a[1] = p),
        ("B1 section", |t, p, _| t.b1[2] = p),
        ("B2 section", |t, _, q| t.b2[2] = q),
        ("IC section", |t, p, _| t.ic[1] = p),
        ("L section", |t, p, _| t.c[0] = p),
        ("H section", |t, p, _| t.h[4] = p),
        ("circuit hash", |t, _, _| t.cs_hash[0] ^= 1),
        ("delta", |t, p, _| t.delta1 = p),
    ];
    for (what, tamper) in tampered {
        let mut bad = s.init.clone();
        tamper(&mut bad, p, q);
        match verify_with_initial(&k2, &bad, &s.r1cs, &mut s.ptau()) {
            Err(CeremonyError::Mismatch { what: w }) => assert!(w.contains(what), "{what}: {w}"),
            r => panic!("initial key with {what} tampered: {r:?}"),
        }
    }
    // An initial key that already has a contribution is not an initial key.
    expect_mismatch(verify_with_initial(&k2, &k1, &s.r1cs, &mut s.ptau()));
    // The final key is compared with the initial one.
    let mut bad = k2.clone();
    bad.a[0] = p;
    expect_mismatch(verify_with_initial(&bad, &s.init, &s.r1cs, &mut s.ptau()));
    let mut bad = k2.clone();
    bad.h[0] = p;
    expect_mismatch(verify_with_initial(&bad, &s.init, &s.r1cs, &mut s.ptau()));
    // Another circuit.
    let r2 = R1cs::from_circuit(chain(11)).unwrap();
    expect_mismatch(verify_with_initial(&k2, &s.init, &r2, &mut s.ptau()));
}
