//! Schnorr signatures over ECgFp5 with a Poseidon challenge (specified in `docs/formats.md` §6).
//!
//! - Secret key `x ∈ [1, n)`, public key `Q = x·G`, encoded as one `GF(p^5)` element `w`.
//! - Signing message `m`: a Poseidon [`HashOut`] (4 Goldilocks limbs).
//! - Nonce `k`: derived from the secret key and `m` with Poseidon (never from an RNG),
//!   `R = k·G`.
//! - Challenge `e = Poseidon.hash_no_pad(enc(R) ‖ enc(Q) ‖ m)`: 4 canonical limbs, read as the
//!   integer `e = Σ eᵢ·2^(64i) < 2^256 < n`.
//! - `s = k − e·x mod n`; the signature is `(e, s)`.
//! - Verification: `R' = s·G + e·Q`; reject if `R'` is the neutral element, else accept iff `Poseidon(enc(R') ‖ enc(Q) ‖ m) = e`.
//!
//! The `(e, s)` form is chosen for the circuit: verifying needs no point decoding of `R`,
//! only one fixed-base and one 256-bit variable-base multiplication and one Poseidon hash.

use std::fmt;

use num_bigint::BigUint;
use plonky2::field::types::{Field, Field64, PrimeField64};
use plonky2::hash::hash_types::HashOut;
use plonky2::hash::poseidon::PoseidonHash;
use plonky2::plonk::config::Hasher;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::ecgfp5::field::{coeffs, fp5};
use crate::ecgfp5::{Point, Scalar};
use crate::F;

/// Domain tag of key generation from a seed.
const TAG_KEYGEN: u64 = 0x7a6b_726c_6b67; // "zkrlkg"
/// Domain tag of nonce derivation.
const TAG_NONCE: u64 = 0x7a6b_726c_6e63; // "zkrlnc"

/// Why a public key or signature encoding was rejected.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum EncodingError {
    /// A 64-bit limb is not a canonical Goldilocks element (`≥ p`).
    #[error("limb {index} is not a canonical field element (>= p)")]
    NonCanonicalLimb {
        /// Index of the offending limb.
        index: usize,
    },
    /// The field element encodes no ECgFp5 group element.
    #[error("not the encoding of an ECgFp5 point")]
    NotOnCurve,
    /// The neutral element is not a valid public key.
    #[error("the neutral element is not a valid public key")]
    NeutralPoint,
    /// The encoding has the wrong length.
    #[error("wrong length: expected {expected} bytes, got {got}")]
    BadLength {
        /// Expected byte length.
        expected: usize,
        /// Actual byte length.
        got: usize,
    },
    /// The scalar `s` of a signature is not canonical (`≥ n`).
    #[error("signature scalar is not canonical (>= n)")]
    ScalarOutOfRange,
    /// A hex string could not be parsed.
    #[error("invalid hex: {0}")]
    BadHex(String),
}

/// Reads 8 big-endian bytes as a canonical Goldilocks element.
fn canonical_limb(bytes: &[u8], index: usize) -> Result<F, EncodingError> {
    let v = u64::from_be_bytes(bytes.try_into().expect("8 bytes"));
    if v >= F::ORDER {
        return Err(EncodingError::NonCanonicalLimb { index });
    }
    Ok(F::from_canonical_u64(v))
}

/// Reduces Goldilocks limbs `l₀, l₁, …` read in base `p` (`Σ lᵢ·pⁱ`) modulo `n`. With 8
/// uniformly random limbs the value is uniform in `[0, p⁸) ⊃ [0, 2^511)`, so the bias mod
/// `n ≈ 2^319` is below `2^-190`.
fn reduce_base_p(limbs: &[F]) -> Scalar {
    let p = BigUint::from(F::ORDER);
    let v = limbs
        .iter()
        .rev()
        .fold(BigUint::ZERO, |acc, l| acc * &p + l.to_canonical_u64());
    Scalar::from_biguint(&v)
}

/// 8 Poseidon output limbs (two domain-separated hashes of `input`).
fn expand(input: &[F]) -> [F; 8] {
    let mut out = [F::ZERO; 8];
    for (half, chunk) in out.chunks_mut(4).enumerate() {
        let mut data = input.to_vec();
        data.push(F::from_canonical_usize(half));
        chunk.copy_from_slice(&PoseidonHash::hash_no_pad(&data).elements);
    }
    out
}

/// The scalar as ten 32-bit limbs (always canonical Goldilocks elements).
fn scalar_u32_limbs(s: &Scalar) -> [F; 10] {
    let mut out = [F::ZERO; 10];
    for (i, limb) in s.limbs().iter().enumerate() {
        out[2 * i] = F::from_canonical_u64(limb & 0xFFFF_FFFF);
        out[2 * i + 1] = F::from_canonical_u64(limb >> 32);
    }
    out
}

/// The challenge `Poseidon.hash_no_pad(enc(R) ‖ enc(Q) ‖ m)`.
pub fn challenge(r_enc: &[F; 5], pk_enc: &[F; 5], msg: &HashOut<F>) -> [F; 4] {
    let mut data = Vec::with_capacity(14);
    data.extend_from_slice(r_enc);
    data.extend_from_slice(pk_enc);
    data.extend_from_slice(&msg.elements);
    PoseidonHash::hash_no_pad(&data).elements
}

/// The challenge limbs read as the integer `Σ eᵢ·2^(64i)` (`< 2^256 < n`, so canonical).
pub fn challenge_scalar(e: &[F; 4]) -> Scalar {
    let v = e.iter().rev().fold(BigUint::ZERO, |acc, l| {
        (acc << 64u32) + l.to_canonical_u64()
    });
    Scalar::from_canonical_biguint(&v).expect("2^256 < n")
}

/// A Schnorr secret key `x ∈ [1, n)`.
#[derive(Clone)]
pub struct SecretKey {
    x: Scalar,
    public: PublicKey,
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecretKey")
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

impl SecretKey {
    /// Deterministic key generation: the same seed always gives the same key.
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        let mut input: Vec<F> = seed
            .chunks(4)
            .map(|c| F::from_canonical_u32(u32::from_be_bytes(c.try_into().expect("4 bytes"))))
            .collect();
        input.push(F::from_canonical_u64(TAG_KEYGEN));
        loop {
            let x = reduce_base_p(&expand(&input));
            if !x.is_zero() {
                return Self::from_scalar(x);
            }
            input.push(F::ONE); // probability ~2^-319: re-derive
        }
    }

    /// A key from a cryptographically secure RNG.
    pub fn random<R: rand::RngCore + rand::CryptoRng>(rng: &mut R) -> Self {
        let mut seed = [0u8; 32];
        rng.fill_bytes(&mut seed);
        Self::from_seed(&seed)
    }

    fn from_scalar(x: Scalar) -> Self {
        let point = Point::mul_generator(&x);
        let public = PublicKey {
            point,
            w: coeffs(&point.encode()),
        };
        Self { x, public }
    }

    /// The public key `x·G`.
    pub fn public_key(&self) -> PublicKey {
        self.public
    }

    /// Signs `msg`; deterministic (the nonce is derived from the key and the message).
    pub fn sign(&self, msg: &HashOut<F>) -> Signature {
        let mut input = scalar_u32_limbs(&self.x).to_vec();
        input.extend_from_slice(&msg.elements);
        input.push(F::from_canonical_u64(TAG_NONCE));
        let mut k = reduce_base_p(&expand(&input));
        while k.is_zero() {
            input.push(F::ONE);
            k = reduce_base_p(&expand(&input));
        }
        let r = coeffs(&Point::mul_generator(&k).encode());
        let e = challenge(&r, &self.public.w, msg);
        let s = k.sub(&challenge_scalar(&e).mul(&self.x));
        Signature { e, s }
    }
}

/// A public key: an ECgFp5 group element other than the neutral element.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PublicKey {
    point: Point,
    w: [F; 5],
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey(0x{})", hex::encode(self.to_bytes()))
    }
}

impl PublicKey {
    /// Length of the byte encoding.
    pub const BYTES: usize = 40;

    /// Verifies `sig` on `msg`.
    pub fn verify(&self, msg: &HashOut<F>, sig: &Signature) -> bool {
        let r = Point::mul_generator(&sig.s).add(&self.point.mul(&challenge_scalar(&sig.e)));
        // An honest R = k·G is never neutral (k ≠ 0); the circuit cannot represent it either.
        if r.is_neutral() {
            return false;
        }
        challenge(&coeffs(&r.encode()), &self.w, msg) == sig.e
    }

    /// The encoding `w` as five Goldilocks limbs.
    pub fn encode(&self) -> [F; 5] {
        self.w
    }

    /// The key hash an account leaf stores: `Poseidon.hash_no_pad([w0..w4])`
    /// (`docs/formats.md` §2).
    pub fn pkhash(&self) -> HashOut<F> {
        pkhash_of_limbs(&self.w)
    }

    /// The group element.
    pub fn point(&self) -> Point {
        self.point
    }

    /// Decodes `w`; rejects encodings of no point and the neutral element.
    pub fn decode(w: [F; 5]) -> Result<Self, EncodingError> {
        let point = Point::decode(fp5(w)).ok_or(EncodingError::NotOnCurve)?;
        if point.is_neutral() {
            return Err(EncodingError::NeutralPoint);
        }
        Ok(Self { point, w })
    }

    /// 40 bytes: the five limbs of `w`, each a big-endian u64.
    pub fn to_bytes(&self) -> [u8; 40] {
        let mut out = [0u8; 40];
        for (i, limb) in self.w.iter().enumerate() {
            out[8 * i..8 * i + 8].copy_from_slice(&limb.to_canonical_u64().to_be_bytes());
        }
        out
    }

    /// Parses [`to_bytes`](Self::to_bytes); rejects limbs `≥ p`, invalid points, the neutral.
    pub fn from_bytes(b: &[u8; 40]) -> Result<Self, EncodingError> {
        let mut w = [F::ZERO; 5];
        for (i, limb) in w.iter_mut().enumerate() {
            *limb = canonical_limb(&b[8 * i..8 * i + 8], i)?;
        }
        Self::decode(w)
    }
}

/// `Poseidon.hash_no_pad(w)` of five key limbs, whether or not they encode a point: the
/// `pkhash` a deposit may name (`docs/formats.md` §2).
pub fn pkhash_of_limbs(w: &[F; 5]) -> HashOut<F> {
    PoseidonHash::hash_no_pad(w)
}

/// A Schnorr signature `(e, s)`: `e` the 4-limb Poseidon challenge, `s < n`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Signature {
    e: [F; 4],
    s: Scalar,
}

impl Signature {
    /// Length of the byte encoding: `e` (4 × u64 BE) then `s` (40 bytes BE).
    pub const BYTES: usize = 72;

    /// The challenge limbs.
    pub fn e(&self) -> [F; 4] {
        self.e
    }

    /// The response scalar.
    pub fn s(&self) -> Scalar {
        self.s
    }

    /// Builds a signature from its parts (no validity check beyond canonical types).
    pub fn from_parts(e: [F; 4], s: Scalar) -> Self {
        Self { e, s }
    }

    /// `e` as 4 big-endian u64, then `s` as 40 big-endian bytes.
    pub fn to_bytes(&self) -> [u8; Self::BYTES] {
        let mut out = [0u8; Self::BYTES];
        for (i, limb) in self.e.iter().enumerate() {
            out[8 * i..8 * i + 8].copy_from_slice(&limb.to_canonical_u64().to_be_bytes());
        }
        out[32..].copy_from_slice(&self.s.to_bytes_be());
        out
    }

    /// Parses [`to_bytes`](Self::to_bytes); rejects a wrong length, limbs `≥ p` and `s ≥ n`.
    pub fn from_bytes(b: &[u8]) -> Result<Self, EncodingError> {
        if b.len() != Self::BYTES {
            return Err(EncodingError::BadLength {
                expected: Self::BYTES,
                got: b.len(),
            });
        }
        let mut e = [F::ZERO; 4];
        for (i, limb) in e.iter_mut().enumerate() {
            *limb = canonical_limb(&b[8 * i..8 * i + 8], i)?;
        }
        let s = Scalar::from_bytes_be(b[32..].try_into().expect("40 bytes"))
            .ok_or(EncodingError::ScalarOutOfRange)?;
        Ok(Self { e, s })
    }
}

fn parse_hex(s: &str) -> Result<Vec<u8>, EncodingError> {
    let digits = s.strip_prefix("0x").unwrap_or(s);
    hex::decode(digits).map_err(|e| EncodingError::BadHex(e.to_string()))
}

impl Serialize for PublicKey {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        ser.serialize_str(&format!("0x{}", hex::encode(self.to_bytes())))
    }
}

impl<'de> Deserialize<'de> for PublicKey {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        let s = String::deserialize(de)?;
        let bytes = parse_hex(&s).map_err(serde::de::Error::custom)?;
        let arr: [u8; 40] = bytes.as_slice().try_into().map_err(|_| {
            serde::de::Error::custom(EncodingError::BadLength {
                expected: 40,
                got: bytes.len(),
            })
        })?;
        PublicKey::from_bytes(&arr).map_err(serde::de::Error::custom)
    }
}

impl Serialize for Signature {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        ser.serialize_str(&format!("0x{}", hex::encode(self.to_bytes())))
    }
}

impl<'de> Deserialize<'de> for Signature {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        let s = String::deserialize(de)?;
        let bytes = parse_hex(&s).map_err(serde::de::Error::custom)?;
        Signature::from_bytes(&bytes).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plonky2::field::types::Sample;
    use proptest::prelude::*;

    fn msg(i: u64) -> HashOut<F> {
        PoseidonHash::hash_no_pad(&[F::from_canonical_u64(i)])
    }

    #[test]
    fn sign_verify_and_determinism() {
        let sk = SecretKey::from_seed(&[7; 32]);
        let pk = sk.public_key();
        let m = msg(1);
        let sig = sk.sign(&m);
        assert!(pk.verify(&m, &sig));
        assert_eq!(sk.sign(&m), sig, "deterministic nonce");
        assert_eq!(SecretKey::from_seed(&[7; 32]).public_key(), pk);
        assert_ne!(SecretKey::from_seed(&[8; 32]).public_key(), pk);
    }

    #[test]
    fn tampering_is_rejected() {
        let sk = SecretKey::from_seed(&[1; 32]);
        let pk = sk.public_key();
        let m = msg(2);
        let sig = sk.sign(&m);
        assert!(!pk.verify(&msg(3), &sig), "other message");
        let other = SecretKey::from_seed(&[2; 32]).public_key();
        assert!(!other.verify(&m, &sig), "other key");
        let mut e = sig.e();
        e[0] += F::ONE;
        assert!(
            !pk.verify(&m, &Signature::from_parts(e, sig.s())),
            "tampered e"
        );
        let s = sig.s().add(&Scalar::ONE);
        assert!(
            !pk.verify(&m, &Signature::from_parts(sig.e(), s)),
            "tampered s"
        );
    }

    #[test]
    fn encodings_reject_non_canonical_and_invalid() {
        let pk = SecretKey::from_seed(&[3; 32]).public_key();
        assert_eq!(PublicKey::from_bytes(&pk.to_bytes()), Ok(pk));
        let mut b = pk.to_bytes();
        b[8..16].copy_from_slice(&u64::MAX.to_be_bytes());
        assert_eq!(
            PublicKey::from_bytes(&b),
            Err(EncodingError::NonCanonicalLimb { index: 1 })
        );
        // limb + p (the same field element, non-canonical) is rejected too.
        let mut b = [0u8; 40];
        b[0..8].copy_from_slice(&(4u64 + F::ORDER).to_be_bytes()); // p + 4 < 2^64
        assert_eq!(
            PublicKey::from_bytes(&b),
            Err(EncodingError::NonCanonicalLimb { index: 0 })
        );
        assert_eq!(
            PublicKey::from_bytes(&[0u8; 40]),
            Err(EncodingError::NeutralPoint)
        );
        let mut found_invalid = false;
        for _ in 0..16 {
            let w = [F::rand(), F::rand(), F::rand(), F::rand(), F::rand()];
            if let Err(e) = PublicKey::decode(w) {
                assert_eq!(e, EncodingError::NotOnCurve);
                found_invalid = true;
            }
        }
        assert!(found_invalid);

        let sig = SecretKey::from_seed(&[3; 32]).sign(&msg(9));
        assert_eq!(Signature::from_bytes(&sig.to_bytes()), Ok(sig));
        assert!(matches!(
            Signature::from_bytes(&sig.to_bytes()[..71]),
            Err(EncodingError::BadLength { .. })
        ));
        let mut b = sig.to_bytes();
        b[32..].copy_from_slice(&[0xFF; 40]);
        assert_eq!(
            Signature::from_bytes(&b),
            Err(EncodingError::ScalarOutOfRange)
        );
        let mut b = sig.to_bytes();
        b[24..32].copy_from_slice(&u64::MAX.to_be_bytes());
        assert_eq!(
            Signature::from_bytes(&b),
            Err(EncodingError::NonCanonicalLimb { index: 3 })
        );
    }

    #[test]
    fn serde_hex_roundtrip_validates() {
        let sk = SecretKey::from_seed(&[4; 32]);
        let pk = sk.public_key();
        let sig = sk.sign(&msg(4));
        let j = serde_json::to_string(&(pk, sig)).unwrap();
        let (pk2, sig2): (PublicKey, Signature) = serde_json::from_str(&j).unwrap();
        assert_eq!((pk2, sig2), (pk, sig));
        let zero_key = format!("\"0x{}\"", "00".repeat(40));
        assert!(serde_json::from_str::<PublicKey>(&zero_key).is_err());
        assert!(format!("{sk:?}").contains("PublicKey"));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(16))]
        #[test]
        fn prop_roundtrip_and_wrong_message(seed in any::<[u8; 32]>(), a in any::<u64>(), b in any::<u64>()) {
            prop_assume!(a != b);
            let sk = SecretKey::from_seed(&seed);
            let pk = sk.public_key();
            let sig = sk.sign(&msg(a));
            prop_assert!(pk.verify(&msg(a), &sig));
            prop_assert!(!pk.verify(&msg(b), &sig));
            prop_assert_eq!(PublicKey::decode(pk.encode()), Ok(pk));
            prop_assert_eq!(Signature::from_bytes(&sig.to_bytes()), Ok(sig));
        }
    }
}
