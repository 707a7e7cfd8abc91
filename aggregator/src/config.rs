//! The plonky2 configuration of the outermost (shrink) proof: Merkle caps, Merkle paths and
//! the Fiat–Shamir transcript use Poseidon over BN254, so that an R1CS circuit over BN254 can
//! verify the proof cheaply. The exact semantics are normative and documented in
//! docs/wrap.md, "Poseidon-BN254 hasher and transcript".
//!
//! `AlgebraicHasher` cannot be implemented for a BN254 hasher (it would need BN254 arithmetic
//! in Goldilocks), so a proof under [`PoseidonBn254GoldilocksConfig`] can't be verified
//! recursively by plonky2; it is the outermost layer only. The `InnerHasher` (public-input
//! hash) stays plonky2's Poseidon over Goldilocks.

use ark_bn254::Fr;
use ark_ff::{BigInteger, PrimeField};
use plonky2::field::extension::quadratic::QuadraticExtension;
use plonky2::field::goldilocks_field::GoldilocksField;
use plonky2::field::types::{Field, PrimeField64};
use plonky2::hash::hashing::PlonkyPermutation;
use plonky2::hash::poseidon::PoseidonHash;
use plonky2::plonk::config::{GenericConfig, GenericHashOut, Hasher};
use plonky2::plonk::proof::Proof;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::AggregatorError;
use crate::poseidon_bn254::{hash2, permute};

/// Goldilocks, the base field of every proof.
pub type F = GoldilocksField;

/// Number of Goldilocks limbs packed into one BN254 element when absorbing.
pub const LIMBS_PER_FR: usize = 3;

/// Packs up to three canonical Goldilocks elements into one BN254 element:
/// `x0 + 2^64·x1 + 2^128·x2` (missing limbs are 0). Injective on canonical limbs (< p < 2^64)
/// and never reduced mod r (the value is < 2^192 < r).
pub fn pack_goldilocks(limbs: &[F]) -> Fr {
    debug_assert!(limbs.len() <= LIMBS_PER_FR);
    let mut words = [0u64; 4];
    for (w, l) in words.iter_mut().zip(limbs) {
        *w = l.to_canonical_u64();
    }
    Fr::from_bigint(ark_ff::BigInt::new(words)).expect("< 2^192 < r")
}

/// Squeezes three Goldilocks elements out of one BN254 element `v` (canonical, `< r`): with
/// `v = l0 + 2^64·l1 + 2^128·l2 + 2^192·l3`, the outputs are `l0 mod p, l1 mod p, l2 mod p`
/// (each `l_i < 2^64 < 2p`, so `l_i mod p` is `l_i` or `l_i − p`); `l3` is dropped.
pub fn unpack_goldilocks(v: Fr) -> [F; LIMBS_PER_FR] {
    let words = v.into_bigint().0;
    [0, 1, 2].map(|i| F::from_noncanonical_u64(words[i]).to_canonical())
}

trait ToCanonical {
    fn to_canonical(self) -> Self;
}
impl ToCanonical for F {
    fn to_canonical(self) -> Self {
        F::from_canonical_u64(self.to_canonical_u64())
    }
}

/// A Poseidon-BN254 digest: one BN254 scalar, 32 bytes big-endian.
///
/// Invariant: values produced by hashing are canonical (`< r`). A value read through the
/// infallible [`GenericHashOut::from_bytes`] (what plonky2's proof deserialiser calls) keeps
/// the raw bytes and may be non-canonical; such a value never equals a computed digest, and
/// [`check_proof_hashes`] / [`Self::try_from_bytes`] reject it explicitly.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PoseidonBn254HashOut {
    bytes: [u8; 32],
}

impl PoseidonBn254HashOut {
    /// The digest of a field element.
    pub fn from_fr(v: Fr) -> Self {
        let mut bytes = [0u8; 32];
        let be = v.into_bigint().to_bytes_be();
        bytes.copy_from_slice(&be);
        Self { bytes }
    }

    /// Strict decoding: exactly 32 bytes, big-endian, value `< r`.
    pub fn try_from_bytes(bytes: &[u8]) -> Result<Self, AggregatorError> {
        let arr: [u8; 32] = bytes.try_into().map_err(|_| {
            AggregatorError::NonCanonicalFr(format!("expected 32 bytes, got {}", bytes.len()))
        })?;
        let h = Self { bytes: arr };
        h.to_fr()?;
        Ok(h)
    }

    /// The digest as a field element; fails if the bytes are not canonical.
    pub fn to_fr(&self) -> Result<Fr, AggregatorError> {
        let mut le = self.bytes;
        le.reverse();
        let mut words = [0u64; 4];
        for (i, w) in words.iter_mut().enumerate() {
            *w = u64::from_le_bytes(le[8 * i..8 * i + 8].try_into().expect("8 bytes"));
        }
        Fr::from_bigint(ark_ff::BigInt::new(words))
            .ok_or_else(|| AggregatorError::NonCanonicalFr(hex::encode(self.bytes)))
    }

    /// Whether the bytes encode a value `< r`.
    pub fn is_canonical(&self) -> bool {
        self.to_fr().is_ok()
    }

    /// The raw 32 big-endian bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.bytes
    }

    /// Value used when hashing: the field element, with a non-canonical encoding reduced mod r
    /// (only reachable from a malformed proof, which [`check_proof_hashes`] rejects; reducing
    /// keeps Merkle recomputation identical to the canonical sibling, so it cannot help a
    /// forger either).
    fn fr_for_hashing(&self) -> Fr {
        Fr::from_be_bytes_mod_order(&self.bytes)
    }
}

impl GenericHashOut<F> for PoseidonBn254HashOut {
    fn to_bytes(&self) -> Vec<u8> {
        self.bytes.to_vec()
    }

    /// Infallible by trait signature: keeps the raw bytes (see the type's invariant). Input
    /// shorter than 32 bytes is left-padded with zeros, longer input keeps its last 32 bytes
    /// after marking the value non-canonical (all 0xff), so it is never accepted.
    fn from_bytes(bytes: &[u8]) -> Self {
        let mut out = [0u8; 32];
        if bytes.len() <= 32 {
            out[32 - bytes.len()..].copy_from_slice(bytes);
        } else {
            out = [0xff; 32];
        }
        Self { bytes: out }
    }

    /// Eight limbs of 32 bits, least significant first: limb `i` is bits `32i .. 32i+32` of
    /// the 256-bit big-endian integer. Each limb is `< 2^32`, hence a canonical Goldilocks
    /// element, and the map is injective.
    fn to_vec(&self) -> Vec<F> {
        (0..8)
            .map(|i| {
                let off = 28 - 4 * i;
                let w = u32::from_be_bytes(self.bytes[off..off + 4].try_into().expect("4 bytes"));
                F::from_canonical_u32(w)
            })
            .collect()
    }
}

impl Serialize for PoseidonBn254HashOut {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(self.bytes))
    }
}

impl<'de> Deserialize<'de> for PoseidonBn254HashOut {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let bytes = hex::decode(s).map_err(serde::de::Error::custom)?;
        Self::try_from_bytes(&bytes).map_err(serde::de::Error::custom)
    }
}

/// Goldilocks rate of the transcript permutation (two BN254 rate elements × 3 limbs).
pub const TRANSCRIPT_RATE: usize = 6;

/// Duplex state of the Fiat–Shamir transcript, in plonky2's `PlonkyPermutation` interface.
///
/// `gl` are the six Goldilocks rate slots (inputs before `permute`, outputs after); `cap` is
/// the BN254 capacity element. `permute` runs
/// `[cap, pack(gl[0..3]), pack(gl[3..6])] ↦ Poseidon` and sets `cap = out[0]`,
/// `gl[0..3] = unpack(out[1])`, `gl[3..6] = unpack(out[2])`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PoseidonBn254Permutation {
    gl: [F; TRANSCRIPT_RATE],
    cap: Fr,
}

impl AsRef<[F]> for PoseidonBn254Permutation {
    fn as_ref(&self) -> &[F] {
        &self.gl
    }
}

impl PlonkyPermutation<F> for PoseidonBn254Permutation {
    const RATE: usize = TRANSCRIPT_RATE;
    const WIDTH: usize = TRANSCRIPT_RATE;

    fn new<I: IntoIterator<Item = F>>(iter: I) -> Self {
        let mut p = Self::default();
        p.set_from_iter(iter, 0);
        p
    }

    fn set_elt(&mut self, elt: F, idx: usize) {
        self.gl[idx] = elt;
    }

    fn set_from_iter<I: IntoIterator<Item = F>>(&mut self, elts: I, start_idx: usize) {
        for (s, e) in self.gl[start_idx..].iter_mut().zip(elts) {
            *s = e;
        }
    }

    fn set_from_slice(&mut self, elts: &[F], start_idx: usize) {
        let n = elts.len().min(TRANSCRIPT_RATE - start_idx);
        self.gl[start_idx..start_idx + n].copy_from_slice(&elts[..n]);
    }

    fn permute(&mut self) {
        let mut s = [
            self.cap,
            pack_goldilocks(&self.gl[0..3]),
            pack_goldilocks(&self.gl[3..6]),
        ];
        permute(&mut s);
        self.cap = s[0];
        self.gl[0..3].copy_from_slice(&unpack_goldilocks(s[1]));
        self.gl[3..6].copy_from_slice(&unpack_goldilocks(s[2]));
    }

    fn squeeze(&self) -> &[F] {
        &self.gl
    }
}

/// Initial capacity of [`PoseidonBn254Hash::hash_no_pad`] for `n` inputs: `2^64 + n`. It is
/// never 0, the capacity of `two_to_one`, so leaves and inner nodes are domain-separated, and
/// it encodes the length, so zero-padding of the last block cannot collide.
pub fn hash_no_pad_capacity(n: usize) -> Fr {
    Fr::from(1u128 << 64) + Fr::from(n as u64)
}

/// Poseidon-BN254 as a plonky2 [`Hasher`] over Goldilocks (see docs/wrap.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoseidonBn254Hash;

impl PoseidonBn254Hash {
    /// `hash_no_pad` over field elements: sponge with capacity `2^64 + n`, inputs packed 3 per
    /// BN254 element, added 2 elements per permutation (at least one permutation), output the
    /// capacity element `state[0]`.
    pub fn hash_goldilocks(input: &[F]) -> Fr {
        let mut state = [
            hash_no_pad_capacity(input.len()),
            Fr::from(0u64),
            Fr::from(0u64),
        ];
        if input.is_empty() {
            permute(&mut state);
        }
        // One permutation per 2 packed elements (6 limbs), packed on the fly.
        for block in input.chunks(2 * LIMBS_PER_FR) {
            let (a, b) = block.split_at(block.len().min(LIMBS_PER_FR));
            state[1] += pack_goldilocks(a);
            if !b.is_empty() {
                state[2] += pack_goldilocks(b);
            }
            permute(&mut state);
        }
        state[0]
    }
}

impl Hasher<F> for PoseidonBn254Hash {
    const HASH_SIZE: usize = 32;
    type Hash = PoseidonBn254HashOut;
    type Permutation = PoseidonBn254Permutation;

    fn hash_no_pad(input: &[F]) -> Self::Hash {
        PoseidonBn254HashOut::from_fr(Self::hash_goldilocks(input))
    }

    /// Never a no-op: every Merkle leaf is hashed (one rule for the R1CS verifier, and no
    /// 32-byte packing of four Goldilocks limbs that could exceed r).
    fn hash_or_noop(inputs: &[F]) -> Self::Hash {
        Self::hash_no_pad(inputs)
    }

    /// circomlib `poseidon([left, right])` = `permute([0, left, right])[0]`.
    fn two_to_one(left: Self::Hash, right: Self::Hash) -> Self::Hash {
        PoseidonBn254HashOut::from_fr(hash2(left.fr_for_hashing(), right.fr_for_hashing()))
    }
}

/// plonky2 configuration of the final (shrink) proof: Goldilocks, quadratic extension,
/// Poseidon-BN254 for Merkle trees and the transcript, Poseidon-Goldilocks for the
/// public-input hash.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PoseidonBn254GoldilocksConfig;

impl GenericConfig<2> for PoseidonBn254GoldilocksConfig {
    type F = F;
    type FE = QuadraticExtension<F>;
    type Hasher = PoseidonBn254Hash;
    type InnerHasher = PoseidonHash;
}

/// Rejects a proof carrying any non-canonical digest (Merkle caps and Merkle siblings).
pub fn check_proof_hashes(
    proof: &Proof<F, PoseidonBn254GoldilocksConfig, 2>,
) -> Result<(), AggregatorError> {
    let check = |h: &PoseidonBn254HashOut| h.to_fr().map(|_| ());
    let caps = [
        &proof.wires_cap,
        &proof.plonk_zs_partial_products_cap,
        &proof.quotient_polys_cap,
    ];
    for cap in caps
        .into_iter()
        .chain(proof.opening_proof.commit_phase_merkle_caps.iter())
    {
        cap.0.iter().try_for_each(check)?;
    }
    for q in &proof.opening_proof.query_round_proofs {
        for (_, mp) in &q.initial_trees_proof.evals_proofs {
            mp.siblings.iter().try_for_each(check)?;
        }
        for step in &q.steps {
            step.merkle_proof.siblings.iter().try_for_each(check)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use plonky2::field::types::Field64;
    use plonky2::iop::challenger::Challenger;
    use plonky2::iop::witness::{PartialWitness, WitnessWrite};
    use plonky2::plonk::circuit_builder::CircuitBuilder;
    use plonky2::plonk::circuit_data::CircuitConfig;

    type C = PoseidonBn254GoldilocksConfig;

    #[test]
    fn two_to_one_is_circomlib() {
        let h = PoseidonBn254Hash::two_to_one(
            PoseidonBn254HashOut::from_fr(Fr::from(1u64)),
            PoseidonBn254HashOut::from_fr(Fr::from(2u64)),
        );
        assert_eq!(
            hex::encode(h.to_bytes()),
            "115cc0f5e7d690413df64c6b9662e9cf2a3617f2743245519e19607a4417189a"
        );
    }

    #[test]
    fn bytes_roundtrip_and_non_canonical_rejected() {
        let h = PoseidonBn254Hash::hash_no_pad(&[F::ONE, F::TWO]);
        let b = h.to_bytes();
        assert_eq!(PoseidonBn254HashOut::try_from_bytes(&b).unwrap(), h);
        assert_eq!(PoseidonBn254HashOut::from_bytes(&b), h);
        // r itself, r + 1 and 2^256 − 1 are non-canonical.
        let r = Fr::MODULUS.to_bytes_be();
        assert!(PoseidonBn254HashOut::try_from_bytes(&r).is_err());
        let mut r1 = r.clone();
        r1[31] += 1;
        assert!(PoseidonBn254HashOut::try_from_bytes(&r1).is_err());
        assert!(PoseidonBn254HashOut::try_from_bytes(&[0xff; 32]).is_err());
        assert!(PoseidonBn254HashOut::try_from_bytes(&[0; 31]).is_err());
        assert!(!PoseidonBn254HashOut::from_bytes(&r).is_canonical());
        // r − 1 is fine.
        let rm1 = (Fr::from(0u64) - Fr::from(1u64))
            .into_bigint()
            .to_bytes_be();
        assert!(PoseidonBn254HashOut::try_from_bytes(&rm1).is_ok());
        // serde enforces the same rule.
        let json = format!("\"{}\"", hex::encode(&r));
        assert!(serde_json::from_str::<PoseidonBn254HashOut>(&json).is_err());
        let ok = serde_json::to_string(&h).unwrap();
        assert_eq!(
            serde_json::from_str::<PoseidonBn254HashOut>(&ok).unwrap(),
            h
        );
    }

    #[test]
    fn to_vec_is_u32_limbs() {
        let h = PoseidonBn254HashOut::from_fr(Fr::from((7u128 << 32) | 5));
        let v = h.to_vec();
        assert_eq!(v.len(), 8);
        assert_eq!(v[0], F::from_canonical_u32(5));
        assert_eq!(v[1], F::from_canonical_u32(7));
        assert!(v[2..].iter().all(|x| *x == F::ZERO));
    }

    /// docs/wrap.md's `hash_no_pad`, step by step, with the round-by-round permutation.
    fn hash_no_pad_spec(input: &[F]) -> Fr {
        use crate::poseidon_bn254::native::permute_reference;
        let packed: Vec<Fr> = input.chunks(LIMBS_PER_FR).map(pack_goldilocks).collect();
        let mut state = [
            hash_no_pad_capacity(input.len()),
            Fr::from(0u64),
            Fr::from(0u64),
        ];
        if packed.is_empty() {
            permute_reference(&mut state);
        }
        for pair in packed.chunks(2) {
            state[1] += pair[0];
            state[2] += pair.get(1).copied().unwrap_or(Fr::from(0u64));
            permute_reference(&mut state);
        }
        state[0]
    }

    #[test]
    fn hash_no_pad_matches_spec_on_all_lengths() {
        use plonky2::field::types::Sample;
        for n in (0..=20).chain([45, 80, 135]) {
            let x = F::rand_vec(n);
            assert_eq!(
                PoseidonBn254Hash::hash_goldilocks(&x),
                hash_no_pad_spec(&x),
                "n = {n}"
            );
        }
    }

    #[test]
    fn hash_no_pad_is_length_separated() {
        let a = PoseidonBn254Hash::hash_no_pad(&[]);
        let b = PoseidonBn254Hash::hash_no_pad(&[F::ZERO]);
        let c = PoseidonBn254Hash::hash_no_pad(&[F::ZERO, F::ZERO]);
        let d = PoseidonBn254Hash::hash_no_pad(&[F::ZERO; 6]);
        let e = PoseidonBn254Hash::hash_no_pad(&[F::ZERO; 7]);
        let zz = PoseidonBn254Hash::two_to_one(
            PoseidonBn254HashOut::from_fr(Fr::from(0u64)),
            PoseidonBn254HashOut::from_fr(Fr::from(0u64)),
        );
        let all = [a, b, c, d, e, zz];
        for i in 0..all.len() {
            for j in i + 1..all.len() {
                assert_ne!(all[i], all[j], "{i} {j}");
            }
        }
        assert_eq!(
            PoseidonBn254Hash::hash_or_noop(&[F::ONE]),
            PoseidonBn254Hash::hash_no_pad(&[F::ONE])
        );
        // Explicit value of the sponge for one block, recomputed by hand.
        let x = [
            F::from_canonical_u64(1),
            F::from_canonical_u64(2),
            F::from_canonical_u64(3),
            F::NEG_ONE,
        ];
        let mut st = [
            hash_no_pad_capacity(4),
            Fr::from(1u64)
                + Fr::from(2u64) * Fr::from(1u128 << 64)
                + Fr::from(3u64) * Fr::from(1u128 << 64) * Fr::from(1u128 << 64),
            Fr::from(GoldilocksField::ORDER - 1),
        ];
        permute(&mut st);
        assert_eq!(PoseidonBn254Hash::hash_goldilocks(&x), st[0]);
    }

    #[test]
    fn transcript_outputs_canonical_and_deterministic() {
        let mut c1 = Challenger::<F, PoseidonBn254Hash>::new();
        let mut c2 = Challenger::<F, PoseidonBn254Hash>::new();
        let h = PoseidonBn254Hash::hash_no_pad(&[F::ONE]);
        c1.observe_hash::<PoseidonBn254Hash>(h);
        c2.observe_hash::<PoseidonBn254Hash>(h);
        let a = c1.get_n_challenges(20);
        assert_eq!(a, c2.get_n_challenges(20));
        assert!(a
            .iter()
            .all(|x| x.to_canonical_u64() < GoldilocksField::ORDER));
        let mut c3 = Challenger::<F, PoseidonBn254Hash>::new();
        c3.observe_element(F::ONE);
        assert_ne!(c3.get_n_challenges(20), a);
        // unpack reduces limbs ≥ p.
        let v = Fr::from(u64::MAX);
        assert_eq!(
            unpack_goldilocks(v)[0].to_canonical_u64(),
            u64::MAX - GoldilocksField::ORDER
        );
    }

    #[test]
    fn small_proof_under_bn254_config_verifies_and_tamper_is_rejected() {
        let mut b = CircuitBuilder::<F, 2>::new(CircuitConfig::standard_recursion_config());
        let x = b.add_virtual_target();
        let y = b.mul(x, x);
        b.register_public_input(y);
        let data = b.build::<C>();
        let mut pw = PartialWitness::new();
        pw.set_target(x, F::from_canonical_u64(9)).unwrap();
        let proof = data.prove(pw).unwrap();
        check_proof_hashes(&proof.proof).unwrap();
        data.verify(proof.clone()).unwrap();
        // Tampered cap.
        let mut bad = proof.clone();
        bad.proof.wires_cap.0[0] = PoseidonBn254HashOut::from_fr(Fr::from(1u64));
        assert!(data.verify(bad).is_err());
        // Non-canonical sibling: the pre-check rejects it.
        let mut bad = proof.clone();
        bad.proof.opening_proof.query_round_proofs[0]
            .initial_trees_proof
            .evals_proofs[0]
            .1
            .siblings[0] = PoseidonBn254HashOut::from_bytes(&[0xff; 32]);
        assert!(check_proof_hashes(&bad.proof).is_err());
        assert!(data.verify(bad).is_err());
        // Wrong public input.
        let mut bad = proof;
        bad.public_inputs[0] = F::from_canonical_u64(80);
        assert!(data.verify(bad).is_err());
    }
}
