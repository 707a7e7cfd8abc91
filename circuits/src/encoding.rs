//! Canonical conversions between Goldilocks values and the byte/limb layouts of
//! `docs/formats.md` §1. Every decoder here rejects non-canonical input instead of reducing it.

use plonky2::field::types::{Field, Field64, PrimeField64};
use plonky2::hash::hash_types::HashOut;

use crate::F;

/// Splits a u64 into the two limbs `[lo, hi]` (`lo = v mod 2^32`, `hi = v >> 32`), each `< 2^32`.
pub fn u64_limbs(v: u64) -> [F; 2] {
    [
        F::from_canonical_u32(v as u32),
        F::from_canonical_u32((v >> 32) as u32),
    ]
}

/// The five u32 limbs of a 20-byte address (big-endian 4-byte words, first word first).
pub fn address_limbs(a: &[u8; 20]) -> [F; 5] {
    core::array::from_fn(|i| {
        F::from_canonical_u32(u32::from_be_bytes([
            a[4 * i],
            a[4 * i + 1],
            a[4 * i + 2],
            a[4 * i + 3],
        ]))
    })
}

/// A Goldilocks element from a u64, or `None` when `v ≥ p` (non-canonical).
pub fn canonical(v: u64) -> Option<F> {
    (v < F::ORDER).then(|| F::from_canonical_u64(v))
}

/// The 32-byte encoding `h0‖h1‖h2‖h3` (each limb u64 big-endian) of a hash.
pub fn hash_to_bytes(h: &HashOut<F>) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (chunk, e) in out.chunks_exact_mut(8).zip(h.elements) {
        chunk.copy_from_slice(&e.to_canonical_u64().to_be_bytes());
    }
    out
}

/// Decodes `h0‖h1‖h2‖h3`; returns the index of the first limb `≥ p` on failure.
pub fn hash_from_bytes(b: &[u8; 32]) -> Result<HashOut<F>, usize> {
    let mut elements = [F::ZERO; 4];
    for (i, chunk) in b.chunks_exact(8).enumerate() {
        let mut limb = [0u8; 8];
        limb.copy_from_slice(chunk);
        elements[i] = canonical(u64::from_be_bytes(limb)).ok_or(i)?;
    }
    Ok(HashOut { elements })
}

/// Index of the first 8-byte big-endian limb `≥ p` in `b` (length a multiple of 8), if any.
pub fn first_non_canonical_limb(b: &[u8]) -> Option<usize> {
    b.chunks_exact(8).position(|c| {
        let mut limb = [0u8; 8];
        limb.copy_from_slice(c);
        u64::from_be_bytes(limb) >= F::ORDER
    })
}

/// `0x`-prefixed lowercase hex.
pub fn to_hex(b: &[u8]) -> String {
    format!("0x{}", hex::encode(b))
}

/// Parses `0x`-prefixed (or bare) hex of exactly `N` bytes.
pub fn from_hex_array<const N: usize>(s: &str) -> Result<[u8; N], String> {
    let s = s.strip_prefix("0x").unwrap_or(s);
    let v = hex::decode(s).map_err(|e| e.to_string())?;
    v.try_into()
        .map_err(|v: Vec<u8>| format!("expected {N} bytes, got {}", v.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limbs_and_hash_roundtrip() {
        let [lo, hi] = u64_limbs(0x1234_5678_9abc_def0);
        assert_eq!(lo.to_canonical_u64(), 0x9abc_def0);
        assert_eq!(hi.to_canonical_u64(), 0x1234_5678);
        let mut a = [0u8; 20];
        a[0] = 0xde;
        a[19] = 0x01;
        let l = address_limbs(&a);
        assert_eq!(l[0].to_canonical_u64(), 0xde00_0000);
        assert_eq!(l[4].to_canonical_u64(), 1);
        let h = HashOut {
            elements: [F::ONE, F::NEG_ONE, F::TWO, F::ZERO],
        };
        assert_eq!(hash_from_bytes(&hash_to_bytes(&h)), Ok(h));
        let mut bad = hash_to_bytes(&h);
        bad[16..24].copy_from_slice(&F::ORDER.to_be_bytes());
        assert_eq!(hash_from_bytes(&bad), Err(2));
        assert_eq!(first_non_canonical_limb(&bad), Some(2));
        assert_eq!(from_hex_array::<2>("0xabcd"), Ok([0xab, 0xcd]));
        assert!(from_hex_array::<2>("0xabcdef").is_err());
        assert!(from_hex_array::<2>("zz").is_err());
    }
}
