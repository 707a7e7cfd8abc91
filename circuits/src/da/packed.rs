//! Packed decimal floats (`docs/formats.md` §4.1): `m·2^5 + e` stands for `m·10^e`, with
//! `m < 2^bits`, `e ≤ 19`, canonical (the largest exponent: `m` not a multiple of 10 unless
//! `m = 0`, and then `e = 0`).

use super::DaError;

/// Mantissa bits of a packed Transfer amount (40-bit form).
pub const AMOUNT_MANTISSA_BITS: u32 = 35;
/// Mantissa bits of a packed fee (16-bit form).
pub const FEE_MANTISSA_BITS: u32 = 11;
/// Largest exponent (`10^19 < 2^64 < 10^20`).
pub const MAX_EXPONENT: u32 = 19;

/// The canonical packed form of `value` with a `bits`-bit mantissa, if it has one.
pub fn pack(value: u64, bits: u32) -> Option<u64> {
    if value == 0 {
        return Some(0);
    }
    let (mut m, mut e) = (value, 0u32);
    while m % 10 == 0 {
        m /= 10;
        e += 1;
    }
    (m < 1u64 << bits).then_some((m << 5) | u64::from(e))
}

/// The value of a packed form; rejects a mantissa of `bits` bits or more, `e > 19`, a
/// non-canonical form and a value `≥ 2^64`.
pub fn unpack(packed: u64, bits: u32, field: &'static str) -> Result<u64, DaError> {
    let bad = || DaError::BadPacked { field, packed };
    let (m, e) = (packed >> 5, (packed & 31) as u32);
    if m >> bits != 0 || e > MAX_EXPONENT || (m == 0 && e != 0) || (m != 0 && m % 10 == 0) {
        return Err(bad());
    }
    m.checked_mul(10u64.pow(e)).ok_or_else(bad)
}

/// The 40-bit packed form of a Transfer amount.
pub fn pack_amount(amount: u64) -> Result<u64, DaError> {
    pack(amount, AMOUNT_MANTISSA_BITS).ok_or(DaError::NotPackable {
        field: "amount",
        value: amount,
        bits: AMOUNT_MANTISSA_BITS,
    })
}

/// The 16-bit packed form of a fee.
pub fn pack_fee(fee: u64) -> Result<u64, DaError> {
    pack(fee, FEE_MANTISSA_BITS).ok_or(DaError::NotPackable {
        field: "fee",
        value: fee,
        bits: FEE_MANTISSA_BITS,
    })
}

/// Inverse of [`pack_amount`] (rejects what [`unpack`] rejects).
pub fn unpack_amount(packed: u64) -> Result<u64, DaError> {
    unpack(packed, AMOUNT_MANTISSA_BITS, "amount")
}

/// Inverse of [`pack_fee`] (rejects what [`unpack`] rejects).
pub fn unpack_fee(packed: u64) -> Result<u64, DaError> {
    unpack(packed, FEE_MANTISSA_BITS, "fee")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_is_canonical() {
        for v in [
            0u64,
            1,
            9,
            10,
            123_000,
            34_359_738_367,
            10u64.pow(19),
            u64::MAX / 10 * 10,
        ] {
            if let Some(p) = pack(v, AMOUNT_MANTISSA_BITS) {
                assert_eq!(unpack_amount(p).unwrap(), v, "{v}");
                assert!(p < 1 << 40);
            }
        }
        assert_eq!(pack_amount(1_000_000_000).unwrap(), (1 << 5) | 9);
        assert_eq!(pack_fee(2047).unwrap(), 2047 << 5);
        assert_eq!(pack_fee(20_470).unwrap(), (2047 << 5) | 1);
    }

    #[test]
    fn unrepresentable_values_are_named() {
        assert_eq!(
            pack_amount(34_359_738_369),
            Err(DaError::NotPackable {
                field: "amount",
                value: 34_359_738_369,
                bits: 35
            })
        );
        assert!(matches!(
            pack_fee(2049),
            Err(DaError::NotPackable { field: "fee", .. })
        ));
        // 2^64 − 1 has no trailing zero and more than 35 bits.
        assert!(pack_amount(u64::MAX).is_err());
    }

    #[test]
    fn non_canonical_forms_are_rejected() {
        // 10·10^0 (canonical is 1·10^1), 0·10^3, e = 20, a mantissa of 36 bits, 2^64 overflow.
        for p in [10 << 5, 3, (1 << 5) | 20, 1u64 << 40, (19u64 << 5) | 19] {
            assert!(unpack_amount(p).is_err(), "{p:#x}");
        }
        assert!(unpack_fee(1 << 16).is_err());
    }
}
