//! Integers modulo the prime order `n` of the ECgFp5 group (`n ≈ 2^318.9`).
//!
//! A [`Scalar`] is always canonical (`< n`). Arithmetic goes through `BigUint`: scalars are
//! only combined when signing, never in a hot loop.

use std::sync::OnceLock;

use num_bigint::BigUint;

/// The group order `n`, as 64-bit limbs, least significant first.
pub const ORDER_LIMBS: [u64; 5] = [
    0xE80F_D996_948B_FFE1,
    0xE888_5C39_D724_A09C,
    0x7FFF_FFE6_CFB8_0639,
    0x7FFF_FFF1_0000_0016,
    0x7FFF_FFFD_8000_0007,
];

/// Number of bits of `n` (and so of every canonical scalar).
pub const BITS: usize = 319;

/// Length of the big-endian byte encoding of a scalar.
pub const BYTES: usize = 40;

fn order() -> &'static BigUint {
    static N: OnceLock<BigUint> = OnceLock::new();
    N.get_or_init(|| limbs_to_biguint(&ORDER_LIMBS))
}

fn limbs_to_biguint(limbs: &[u64; 5]) -> BigUint {
    let words: Vec<u32> = limbs
        .iter()
        .flat_map(|l| [*l as u32, (*l >> 32) as u32])
        .collect();
    BigUint::from_slice(&words)
}

/// An integer modulo the group order, kept canonical (`< n`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Scalar([u64; 5]);

impl std::fmt::Debug for Scalar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Scalar(0x{})", hex::encode(self.to_bytes_be()))
    }
}

impl Scalar {
    /// Zero.
    pub const ZERO: Self = Self([0; 5]);
    /// One.
    pub const ONE: Self = Self([1, 0, 0, 0, 0]);

    fn from_biguint_reduced(v: &BigUint) -> Self {
        let r = v % order();
        let mut limbs = [0u64; 5];
        for (i, d) in r.to_u64_digits().into_iter().enumerate() {
            limbs[i] = d;
        }
        Self(limbs)
    }

    /// The scalar as an unsigned integer.
    pub fn to_biguint(&self) -> BigUint {
        limbs_to_biguint(&self.0)
    }

    /// Reduces an arbitrary integer modulo `n`.
    pub fn from_biguint(v: &BigUint) -> Self {
        Self::from_biguint_reduced(v)
    }

    /// The canonical scalar equal to `v`, or `None` if `v ≥ n`.
    pub fn from_canonical_biguint(v: &BigUint) -> Option<Self> {
        (v < order()).then(|| Self::from_biguint_reduced(v))
    }

    /// Little-endian 64-bit limbs of the canonical value.
    pub fn limbs(&self) -> [u64; 5] {
        self.0
    }

    /// Whether this scalar is zero.
    pub fn is_zero(&self) -> bool {
        self.0 == [0; 5]
    }

    /// Bit `i` of the canonical value (`i < 320`).
    pub fn bit(&self, i: usize) -> bool {
        (self.0[i / 64] >> (i % 64)) & 1 == 1
    }

    /// Big-endian 40-byte encoding.
    pub fn to_bytes_be(&self) -> [u8; BYTES] {
        let mut out = [0u8; BYTES];
        for (i, limb) in self.0.iter().rev().enumerate() {
            out[i * 8..i * 8 + 8].copy_from_slice(&limb.to_be_bytes());
        }
        out
    }

    /// Decodes a big-endian 40-byte encoding; `None` if the value is not `< n`.
    pub fn from_bytes_be(b: &[u8; BYTES]) -> Option<Self> {
        Self::from_canonical_biguint(&BigUint::from_bytes_be(b))
    }

    /// Decodes a little-endian 40-byte encoding (the reference implementation's convention);
    /// `None` if the value is not `< n`.
    pub fn from_bytes_le(b: &[u8; BYTES]) -> Option<Self> {
        Self::from_canonical_biguint(&BigUint::from_bytes_le(b))
    }

    /// `self + rhs mod n`.
    pub fn add(&self, rhs: &Self) -> Self {
        Self::from_biguint_reduced(&(self.to_biguint() + rhs.to_biguint()))
    }

    /// `self − rhs mod n`.
    pub fn sub(&self, rhs: &Self) -> Self {
        Self::from_biguint_reduced(&(self.to_biguint() + order() - rhs.to_biguint()))
    }

    /// `self · rhs mod n`.
    pub fn mul(&self, rhs: &Self) -> Self {
        Self::from_biguint_reduced(&(self.to_biguint() * rhs.to_biguint()))
    }

    /// `−self mod n`.
    pub fn neg(&self) -> Self {
        Self::ZERO.sub(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_has_expected_size_and_rejects_non_canonical() {
        assert_eq!(order().bits() as usize, BITS);
        let n_bytes: [u8; BYTES] = order().to_bytes_be().try_into().unwrap();
        assert_eq!(Scalar::from_bytes_be(&n_bytes), None);
        let mut n_minus_1 = n_bytes;
        n_minus_1[BYTES - 1] -= 1; // n is odd, no borrow
        let s = Scalar::from_bytes_be(&n_minus_1).unwrap();
        assert_eq!(s.add(&Scalar::ONE), Scalar::ZERO);
        assert_eq!(Scalar::from_bytes_be(&s.to_bytes_be()), Some(s));
    }

    #[test]
    fn field_laws() {
        let a = Scalar::from_biguint(&(BigUint::from(3u8).pow(250)));
        let b = Scalar::from_biguint(&(BigUint::from(7u8).pow(160)));
        assert_eq!(a.add(&b).sub(&b), a);
        assert_eq!(a.mul(&b), b.mul(&a));
        assert_eq!(a.add(&a.neg()), Scalar::ZERO);
        assert_eq!(a.mul(&Scalar::ONE), a);
    }
}
