//! SHA-256 gadget tests against the `sha2` crate and the native twin.

use plonky2::field::types::{Field, PrimeField64};
use plonky2::iop::generator::generate_partial_witness;
use plonky2::iop::target::Target;
use plonky2::iop::witness::{PartialWitness, Witness, WitnessWrite};
use plonky2::plonk::circuit_builder::CircuitBuilder;
use rand::{rngs::StdRng, Rng, SeedableRng};
use sha2::Digest;

use super::*;
use crate::gadgets::test_util::{builder, proves, tamper_rejected};
use crate::{C, F};

const NIST_448: &[u8] = b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

fn random_msg(rng: &mut StdRng, len: usize) -> Vec<u8> {
    (0..len).map(|_| rng.gen()).collect()
}

/// Adds a circuit hashing a message of `len` bytes; returns the message and expected-digest
/// targets (the digest is connected to the latter).
fn add_hash(b: &mut CircuitBuilder<F, 2>, len: usize) -> (Vec<Target>, Vec<Target>) {
    let msg = b.add_virtual_targets(len);
    let st = b.sha256(&msg);
    let digest = b.sha256_digest_bytes(&st);
    let expect = b.add_virtual_targets(32);
    for (d, e) in digest.iter().zip(&expect) {
        b.connect(*d, *e);
    }
    (msg, expect)
}

fn set_bytes(pw: &mut PartialWitness<F>, ts: &[Target], bytes: &[u8]) {
    for (t, &v) in ts.iter().zip(bytes) {
        pw.set_target(*t, F::from_canonical_u8(v)).unwrap();
    }
}

/// One circuit hashing each of `msgs`; proves it with the `sha2` digests, then checks that a
/// single wrong digest byte is rejected.
fn check_messages(msgs: &[Vec<u8>]) {
    let mut b = builder();
    let slots: Vec<_> = msgs.iter().map(|m| add_hash(&mut b, m.len())).collect();
    let data = b.build::<C>();
    let witness = |flip: bool| {
        let mut pw = PartialWitness::new();
        for (i, (m, (mt, et))) in msgs.iter().zip(&slots).enumerate() {
            let mut digest: [u8; 32] = sha2::Sha256::digest(m).into();
            if flip && i == msgs.len() - 1 {
                digest[31] ^= 1;
            }
            set_bytes(&mut pw, mt, m);
            set_bytes(&mut pw, et, &digest);
        }
        pw
    };
    assert!(proves(&data, witness(false)));
    assert!(
        !proves(&data, witness(true)),
        "a wrong hash must be rejected"
    );
}

#[test]
fn nist_vectors() {
    check_messages(&[b"".to_vec(), b"abc".to_vec(), NIST_448.to_vec()]);
    // And the published digest of "abc", independently of the sha2 crate.
    assert_eq!(
        native::sha256(b"abc").to_vec(),
        hex_bytes("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    );
}

fn hex_bytes(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// Messages of `lens` random bytes (seeded) against `sha2`.
fn check_lengths(seed: u64, lens: &[usize]) {
    let mut rng = StdRng::seed_from_u64(seed);
    let msgs: Vec<Vec<u8>> = lens.iter().map(|&l| random_msg(&mut rng, l)).collect();
    check_messages(&msgs);
}

/// 55 bytes is the longest message padded within one block, 56 the shortest needing two.
#[test]
fn padding_boundary_lengths_55_56_63() {
    check_lengths(55, &[55, 56, 63]);
}

/// Whole block, and one byte more.
#[test]
fn padding_boundary_lengths_64_65() {
    check_lengths(64, &[64, 65]);
}

/// 1000 bytes (16 blocks): the generated witness of a mock-built circuit (no commitments) is
/// checked against `sha2` here; the proof of the same circuit is `long_message_proof`.
#[test]
fn long_message_witness() {
    let mut rng = StdRng::seed_from_u64(1000);
    let m = random_msg(&mut rng, 1000);
    let mut b = builder();
    let msg = b.add_virtual_targets(m.len());
    let st = b.sha256(&msg);
    let digest = b.sha256_digest_bytes(&st);
    let data = b.mock_build::<C>();
    let mut pw = PartialWitness::new();
    set_bytes(&mut pw, &msg, &m);
    let w = data.generate_witness(pw);
    let got: Vec<u8> = digest
        .iter()
        .map(|&t| w.get_target(t).to_canonical_u64() as u8)
        .collect();
    let expect: [u8; 32] = sha2::Sha256::digest(&m).into();
    assert_eq!(got, expect);
}

/// Proves the 1000-byte hash. Slow in the dev profile (a 2^16-row circuit); run with
/// `cargo test -p zkroll-circuits long_message_proof -- --ignored`.
#[test]
#[ignore]
fn long_message_proof() {
    let mut rng = StdRng::seed_from_u64(1000);
    check_messages(&[random_msg(&mut rng, 1000)]);
}

/// A 100-byte message hashed across two circuits: the first compresses block 0 from the IV
/// and exposes the chaining value; the second takes it as public input, finalizes with the
/// 36-byte tail and must produce the `sha2` digest.
#[test]
fn chaining_across_two_circuits() {
    let mut rng = StdRng::seed_from_u64(100);
    let m = random_msg(&mut rng, 100);

    let mut b1 = builder();
    let block = b1.add_virtual_targets(64);
    let words = b1.sha256_block_from_bytes(&block);
    let iv = b1.sha256_iv();
    let mid = b1.sha256_compress(&iv, &words);
    b1.register_public_inputs(&mid);
    let data1 = b1.build::<C>();

    let mut b2 = builder();
    let state_in: [Target; 8] = b2.add_virtual_targets(8).try_into().unwrap();
    b2.register_public_inputs(&state_in);
    let tail = b2.add_virtual_targets(36);
    let fin = b2.sha256_finalize(&state_in, &tail, 100);
    let digest = b2.sha256_digest_bytes(&fin);
    let expect = b2.add_virtual_targets(32);
    for (d, e) in digest.iter().zip(&expect) {
        b2.connect(*d, *e);
    }
    let data2 = b2.build::<C>();

    let mut pw1 = PartialWitness::new();
    set_bytes(&mut pw1, &block, &m[..64]);
    let proof1 = data1.prove(pw1).unwrap();
    data1.verify(proof1.clone()).unwrap();
    let native_mid = native::compress(
        native::IV,
        &native::block_words(m[..64].try_into().unwrap()),
    );
    let mid_vals: Vec<u32> = proof1
        .public_inputs
        .iter()
        .map(|x| x.to_canonical_u64() as u32)
        .collect();
    assert_eq!(mid_vals, native_mid.to_vec());

    let digest_expect: [u8; 32] = sha2::Sha256::digest(&m).into();
    let witness2 = |state: &[F]| {
        let mut pw = PartialWitness::new();
        pw.set_target_arr(&state_in, state).unwrap();
        set_bytes(&mut pw, &tail, &m[64..]);
        set_bytes(&mut pw, &expect, &digest_expect);
        pw
    };
    let proof2 = data2.prove(witness2(&proof1.public_inputs)).unwrap();
    assert_eq!(proof2.public_inputs, proof1.public_inputs);
    data2.verify(proof2).unwrap();

    // A different chaining value does not give the digest.
    let mut wrong = proof1.public_inputs.clone();
    wrong[0] += F::ONE;
    assert!(!proves(&data2, witness2(&wrong)));
    // A chaining-value word ≥ 2^32 is rejected even if it agrees mod 2^32.
    let mut wide = proof1.public_inputs.clone();
    wide[3] += F::from_canonical_u64(1 << 32);
    assert!(!proves(&data2, witness2(&wide)));
}

/// `maybe_compress` with cond = 0 leaves the chain unchanged, with cond = 1 compresses.
#[test]
fn maybe_compress_noop_and_active() {
    let mut b = builder();
    let cond = b.add_virtual_bool_target_safe();
    let state: [Target; 8] = b.add_virtual_targets(8).try_into().unwrap();
    let block: [Target; 16] = b.add_virtual_targets(16).try_into().unwrap();
    let out = b.sha256_maybe_compress(cond, &state, &block);
    let expect: [Target; 8] = b.add_virtual_targets(8).try_into().unwrap();
    for (o, e) in out.iter().zip(&expect) {
        b.connect(*o, *e);
    }
    let data = b.build::<C>();
    let mut rng = StdRng::seed_from_u64(7);
    let st: [u32; 8] = rng.gen();
    let blk: [u32; 16] = rng.gen();
    let compressed = native::compress(st, &blk);
    let w = |c: bool, e: &[u32; 8]| {
        let mut pw = PartialWitness::new();
        pw.set_bool_target(cond, c).unwrap();
        let f = |v: &[u32]| {
            v.iter()
                .map(|&x| F::from_canonical_u32(x))
                .collect::<Vec<_>>()
        };
        pw.set_target_arr(&state, &f(&st)).unwrap();
        pw.set_target_arr(&block, &f(&blk)).unwrap();
        pw.set_target_arr(&expect, &f(e)).unwrap();
        pw
    };
    assert!(proves(&data, w(false, &st)));
    assert!(proves(&data, w(true, &compressed)));
    assert!(!proves(&data, w(false, &compressed)));
    assert!(!proves(&data, w(true, &st)));
    // Tampering the condition bit of an honest no-op witness is rejected.
    assert!(tamper_rejected(&data, w(false, &st), cond.target, F::ONE));
}

/// `finalize_blocks` with the number of blocks as a witness.
#[test]
fn finalize_blocks_with_witness_length() {
    let mut rng = StdRng::seed_from_u64(128);
    let m = random_msg(&mut rng, 128);
    let mut b = builder();
    let bytes = b.add_virtual_targets(128);
    let n = b.add_virtual_target();
    let mut st = b.sha256_iv();
    for blk in bytes.chunks(64) {
        let words = b.sha256_block_from_bytes(blk);
        st = b.sha256_compress(&st, &words);
    }
    let fin = b.sha256_finalize_blocks(&st, n);
    let digest = b.sha256_digest_bytes(&fin);
    let expect = b.add_virtual_targets(32);
    for (d, e) in digest.iter().zip(&expect) {
        b.connect(*d, *e);
    }
    let data = b.build::<C>();
    let w = |blocks: u64| {
        let mut pw = PartialWitness::new();
        set_bytes(&mut pw, &bytes, &m);
        pw.set_target(n, F::from_canonical_u64(blocks)).unwrap();
        set_bytes(&mut pw, &expect, &sha2::Sha256::digest(&m));
        pw
    };
    assert!(proves(&data, w(2)));
    assert!(!proves(&data, w(3)), "a wrong length must be rejected");
}

/// A tampered bit inside a compression (bypassing the generators) is rejected.
#[test]
fn tampered_internal_bit_rejected() {
    let mut b = builder();
    let state: [Target; 8] = b.add_virtual_targets(8).try_into().unwrap();
    let block: [Target; 16] = b.add_virtual_targets(16).try_into().unwrap();
    let out = b.sha256_compress(&state, &block);
    b.register_public_inputs(&out);
    let data = b.build::<C>();
    let mut pw = PartialWitness::new();
    let f = |v: &[u32]| {
        v.iter()
            .map(|&x| F::from_canonical_u32(x))
            .collect::<Vec<_>>()
    };
    pw.set_target_arr(&state, &f(&native::IV)).unwrap();
    pw.set_target_arr(&block, &f(&[0x6162_6380; 16])).unwrap();
    assert!(proves(&data, pw.clone()));
    let honest = generate_partial_witness(pw.clone(), &data.prover_only, &data.common).unwrap();
    let out0 = honest.get_target(out[0]);
    assert!(tamper_rejected(&data, pw, out[0], out0 + F::ONE));
}

/// A proof that uses the custom `ShaBitGate` verifies inside a recursive circuit (what the
/// aggregation layer does with leaf proofs). Slow in the dev profile (~50 s on the shared
/// 2-core machine); run with
/// `cargo test -p zkroll-circuits compression_proof_verifies_recursively -- --ignored`.
#[test]
#[ignore]
fn compression_proof_verifies_recursively() {
    use plonky2::plonk::circuit_data::VerifierCircuitTarget;

    let mut b = builder();
    let block: [Target; 16] = b.add_virtual_targets(16).try_into().unwrap();
    let iv = b.sha256_iv();
    let out = b.sha256_compress(&iv, &block);
    b.register_public_inputs(&out);
    let inner = b.build::<C>();
    let mut pw = PartialWitness::new();
    for t in block {
        pw.set_target(t, F::from_canonical_u32(0x6162_6364))
            .unwrap();
    }
    let proof = inner.prove(pw).unwrap();

    let mut outer = builder();
    let pt = outer.add_virtual_proof_with_pis(&inner.common);
    let vd = VerifierCircuitTarget {
        constants_sigmas_cap: outer.constant_merkle_cap(&inner.verifier_only.constants_sigmas_cap),
        circuit_digest: outer.constant_hash(inner.verifier_only.circuit_digest),
    };
    outer.verify_proof::<C>(&pt, &vd, &inner.common);
    outer.register_public_inputs(&pt.public_inputs);
    let outer = outer.build::<C>();
    let mut pw = PartialWitness::new();
    pw.set_proof_with_pis_target(&pt, &proof).unwrap();
    let outer_proof = outer.prove(pw).unwrap();
    assert_eq!(outer_proof.public_inputs, proof.public_inputs);
    outer.verify(outer_proof).unwrap();
}
