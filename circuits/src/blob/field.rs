//! Native BLS12-381 scalar-field (`Fr`) arithmetic for blobs, on `num-bigint`.
//!
//! Values are `BigUint`s; every function here returns canonical values (`< r`) and accepts
//! any non-negative input (reducing it first). The roots of unity are those of EIP-4844:
//! `ω = 7^((r − 1)/4096)`, listed in bit-reversed order (`ω_i = ω^{brp(i)}` with `brp` the
//! 12-bit bit reversal), which is the order in which a blob's elements are the evaluations
//! of its polynomial.

use std::sync::OnceLock;

use num_bigint::BigUint;

/// Number of field elements in a blob (EIP-4844 `FIELD_ELEMENTS_PER_BLOB`).
pub const FIELD_ELEMENTS_PER_BLOB: usize = 4096;
/// `log2(FIELD_ELEMENTS_PER_BLOB)`.
pub const LOG_FIELD_ELEMENTS_PER_BLOB: u32 = 12;

/// The BLS12-381 scalar modulus `r`, big-endian bytes.
pub const MODULUS_BE: [u8; 32] = [
    0x73, 0xed, 0xa7, 0x53, 0x29, 0x9d, 0x7d, 0x48, 0x33, 0x39, 0xd8, 0x08, 0x09, 0xa1, 0xd8, 0x05,
    0x53, 0xbd, 0xa4, 0x02, 0xff, 0xfe, 0x5b, 0xfe, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01,
];

/// Generator of `Fr*` whose `(r − 1)/4096`-th power is EIP-4844's primitive 4096-th root of
/// unity (`PRIMITIVE_ROOT_OF_UNITY` in the consensus specs).
const PRIMITIVE_ROOT: u32 = 7;

/// The modulus `r` as a `BigUint`.
pub fn modulus() -> &'static BigUint {
    static R: OnceLock<BigUint> = OnceLock::new();
    R.get_or_init(|| BigUint::from_bytes_be(&MODULUS_BE))
}

/// `a · b mod r`.
pub fn mul(a: &BigUint, b: &BigUint) -> BigUint {
    (a * b) % modulus()
}

/// `a + b mod r`.
pub fn add(a: &BigUint, b: &BigUint) -> BigUint {
    (a + b) % modulus()
}

/// `a − b mod r`.
pub fn sub(a: &BigUint, b: &BigUint) -> BigUint {
    let r = modulus();
    ((a % r) + r - (b % r)) % r
}

/// `a^{-1} mod r` (Fermat), or `None` for `a ≡ 0`.
pub fn inv(a: &BigUint) -> Option<BigUint> {
    let r = modulus();
    let a = a % r;
    if a == BigUint::ZERO {
        return None;
    }
    Some(a.modpow(&(r - 2u32), r))
}

/// `a^e mod r`.
pub fn pow(a: &BigUint, e: u64) -> BigUint {
    a.modpow(&BigUint::from(e), modulus())
}

/// The 4096 roots of unity in EIP-4844's bit-reversed order: entry `i` is `ω^{brp(i)}`.
pub fn roots_of_unity_brp() -> &'static [BigUint] {
    static ROOTS: OnceLock<Vec<BigUint>> = OnceLock::new();
    ROOTS.get_or_init(|| {
        let r = modulus();
        let exp = (r - 1u32) / BigUint::from(FIELD_ELEMENTS_PER_BLOB as u64);
        let omega = BigUint::from(PRIMITIVE_ROOT).modpow(&exp, r);
        let mut natural = Vec::with_capacity(FIELD_ELEMENTS_PER_BLOB);
        let mut acc = BigUint::from(1u32);
        for _ in 0..FIELD_ELEMENTS_PER_BLOB {
            natural.push(acc.clone());
            acc = mul(&acc, &omega);
        }
        (0..FIELD_ELEMENTS_PER_BLOB)
            .map(|i| natural[bit_reverse(i)].clone())
            .collect()
    })
}

/// Reverses the low 12 bits of `i` (`i < 4096`).
fn bit_reverse(i: usize) -> usize {
    i.reverse_bits() >> (usize::BITS - LOG_FIELD_ELEMENTS_PER_BLOB)
}

/// 32-byte big-endian encoding of a value `< 2^256`.
pub fn to_be_bytes32(v: &BigUint) -> [u8; 32] {
    let bytes = v.to_bytes_be();
    assert!(bytes.len() <= 32, "value wider than 256 bits");
    let mut out = [0u8; 32];
    out[32 - bytes.len()..].copy_from_slice(&bytes);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_are_distinct_4096th_roots_in_brp_order() {
        let roots = roots_of_unity_brp();
        let one = BigUint::from(1u32);
        assert_eq!(roots[0], one);
        // brp(1) = 2048: ω^2048 = −1.
        assert_eq!(roots[1], modulus() - 1u32);
        let omega = &roots[FIELD_ELEMENTS_PER_BLOB / 2]; // brp(2048) = 1
        assert_eq!(pow(omega, 4096), one);
        assert_ne!(pow(omega, 2048), one);
        let mut sorted = roots.to_vec();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), FIELD_ELEMENTS_PER_BLOB);
    }

    #[test]
    fn inverse_and_sub() {
        let a = BigUint::from(123_456_789u64);
        assert_eq!(mul(&a, &inv(&a).unwrap()), BigUint::from(1u32));
        assert!(inv(&BigUint::ZERO).is_none());
        assert_eq!(sub(&BigUint::ZERO, &BigUint::from(1u32)), modulus() - 1u32);
    }
}
