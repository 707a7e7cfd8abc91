//! Blob records (`docs/formats.md` §4.2): 124 bits, `type (3) ‖ payload (121)`.

use plonky2::field::types::Field;

use super::packed::{unpack_amount, unpack_fee};
use super::DaError;
use crate::tx::TxType;
use crate::F;

/// Bits of one record (two per 248-bit blob element).
pub const RECORD_BITS: u32 = 124;

/// One record in its field form `(t, a, b, c, d)`.
///
/// Invariant (kept by the constructors and [`Record::from_bits`]): `t ∈ {1, 2, 3, 4}`; `b`,
/// `c` are zero unless `t = 2`; `d` is zero for `t ∈ {1, 4}`; `c` is a canonical packed
/// amount (`< 2^40`) and `d` a canonical packed fee (`< 2^16`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Record {
    /// Type code (formats.md §3).
    pub t: u8,
    /// Account (Deposit, FullExit) or sender (Transfer, Withdraw).
    pub a: u32,
    /// Receiver (Transfer).
    pub b: u32,
    /// Packed amount (Transfer).
    pub c: u64,
    /// Packed fee (Transfer, Withdraw).
    pub d: u64,
}

impl Record {
    /// A Deposit's record.
    pub fn deposit(account: u32) -> Self {
        Record {
            t: TxType::Deposit as u8,
            a: account,
            b: 0,
            c: 0,
            d: 0,
        }
    }

    /// A FullExit's record.
    pub fn full_exit(account: u32) -> Self {
        Record {
            t: TxType::FullExit as u8,
            a: account,
            b: 0,
            c: 0,
            d: 0,
        }
    }

    /// A Transfer's record from its packed amount and fee (see [`super::pack_amount`]).
    pub fn transfer(from: u32, to: u32, packed_amount: u64, packed_fee: u64) -> Self {
        Record {
            t: TxType::Transfer as u8,
            a: from,
            b: to,
            c: packed_amount,
            d: packed_fee,
        }
    }

    /// A Withdraw's record from its packed fee.
    pub fn withdraw(from: u32, packed_fee: u64) -> Self {
        Record {
            t: TxType::Withdraw as u8,
            a: from,
            b: 0,
            c: 0,
            d: packed_fee,
        }
    }

    /// The five field elements absorbed into the data commitment after `dc`:
    /// `[t·2^32 + a, b, c, d]` (formats.md §4.2).
    pub fn chain_input(&self) -> [F; 4] {
        [
            F::from_canonical_u64((u64::from(self.t) << 32) | u64::from(self.a)),
            F::from_canonical_u32(self.b),
            F::from_canonical_u64(self.c),
            F::from_canonical_u64(self.d),
        ]
    }

    /// The 124-bit big-endian value (`type ‖ payload`, unused bits zero).
    pub fn to_bits(&self) -> u128 {
        let t = u128::from(self.t) << 121;
        let a = u128::from(self.a) << 89;
        match self.t {
            2 => {
                t | a
                    | u128::from(self.b) << 57
                    | u128::from(self.c) << 17
                    | u128::from(self.d) << 1
            }
            3 => t | a | u128::from(self.d) << 73,
            _ => t | a,
        }
    }

    /// Parses record `index` of a batch from its 124-bit value: a known type, zero unused
    /// bits, canonical packed fields. Zero (no record) is an error here: callers stop at the
    /// record count.
    pub fn from_bits(v: u128, index: usize) -> Result<Self, DaError> {
        let bad = |why: String| DaError::BadRecord { index, why };
        if v >> RECORD_BITS != 0 {
            return Err(bad("more than 124 bits".into()));
        }
        let t = (v >> 121) as u8;
        let a = (v >> 89) as u32;
        let r = match t {
            1 => Record::deposit(a),
            4 => Record::full_exit(a),
            2 => Record::transfer(
                a,
                (v >> 57) as u32,
                ((v >> 17) & ((1 << 40) - 1)) as u64,
                ((v >> 1) & 0xffff) as u64,
            ),
            3 => Record::withdraw(a, ((v >> 73) & 0xffff) as u64),
            t => return Err(bad(format!("unknown type {t}"))),
        };
        if r.to_bits() != v {
            return Err(bad("non-zero unused bits".into()));
        }
        if r.t == 2 {
            unpack_amount(r.c).map_err(|e| bad(e.to_string()))?;
        }
        if r.t == 2 || r.t == 3 {
            unpack_fee(r.d).map_err(|e| bad(e.to_string()))?;
        }
        Ok(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::da::{pack_amount, pack_fee};

    #[test]
    fn bit_layout_matches_formats() {
        let r = Record::transfer(
            0x0102_0304,
            0x0506_0708,
            pack_amount(5).unwrap(),
            pack_fee(1).unwrap(),
        );
        let v = r.to_bits();
        assert_eq!(v >> 121, 2);
        assert_eq!((v >> 89) as u32, 0x0102_0304);
        assert_eq!((v >> 57) as u32, 0x0506_0708);
        assert_eq!((v >> 17) & ((1 << 40) - 1), 5 << 5);
        assert_eq!((v >> 1) & 0xffff, 1 << 5);
        assert_eq!(v & 1, 0);
        for r in [
            r,
            Record::deposit(7),
            Record::full_exit(u32::MAX),
            Record::withdraw(3, pack_fee(20).unwrap()),
        ] {
            assert_eq!(Record::from_bits(r.to_bits(), 0), Ok(r));
        }
    }

    #[test]
    fn bad_records_are_rejected() {
        let w = Record::withdraw(3, pack_fee(20).unwrap()).to_bits();
        assert!(Record::from_bits(w | 1, 4).is_err()); // unused bit set
        assert!(Record::from_bits(0, 0).is_err()); // type 0
        assert!(Record::from_bits(5u128 << 121, 0).is_err()); // type 5
                                                              // A non-canonical packed fee (10·10^0) in a Transfer.
        let t = Record::transfer(1, 2, 1 << 5, 10 << 5).to_bits();
        assert!(matches!(
            Record::from_bits(t, 9),
            Err(DaError::BadRecord { index: 9, .. })
        ));
    }
}
