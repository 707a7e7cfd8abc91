//! Range and integer gadgets (`docs/formats.md` §1).
//!
//! A u32 is one Goldilocks limb `< 2^32`; a u64 is two such limbs `lo = v mod 2^32`,
//! `hi = v >> 32` ([`U64Target`]). Range checks use plonky2's `BaseSumGate<2>` (one row per
//! 32-bit limb, whose bit wires come for free). Balances never wrap mod p: checked addition
//! enforces a result `< 2^64`, checked subtraction enforces `a ≥ b`. A Goldilocks element is
//! decomposed canonically: the limbs `(lo, hi)` with `x = lo + 2^32·hi` are required to encode
//! a value `< p`, i.e. `hi = 2^32 − 1 ⇒ lo = 0`, so the decomposition of `x + p` is impossible.
//! Byte strings are big-endian (L1 effects).

use anyhow::Result;
use plonky2::field::extension::Extendable;
use plonky2::field::types::Field;
use plonky2::hash::hash_types::RichField;
use plonky2::iop::generator::{GeneratedValues, SimpleGenerator};
use plonky2::iop::target::{BoolTarget, Target};
use plonky2::iop::witness::{PartitionWitness, Witness, WitnessWrite};
use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::circuit_data::CommonCircuitData;
use plonky2::util::serialization::{Buffer, IoResult, Read, Write};

/// `2^32 − 1`, the largest u32.
const U32_MAX: u64 = 0xFFFF_FFFF;
/// `2^32` as a field element.
fn two_32<F: Field>() -> F {
    F::from_canonical_u64(1 << 32)
}

/// A u64 in circuit as two u32 limbs (`docs/formats.md` §1): value `= lo + 2^32·hi`.
///
/// Invariant: every `U64Target` returned by [`CircuitBuilderRange`] has both limbs
/// range-checked `< 2^32`. One built by hand must go through
/// [`CircuitBuilderRange::range_check_u64`] before it is trusted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct U64Target {
    /// Low 32 bits.
    pub lo: Target,
    /// High 32 bits.
    pub hi: Target,
}

/// Splits a native u64 into its `(lo, hi)` limbs as field elements (the native twin of
/// [`U64Target`]).
pub fn u64_limbs<F: Field>(v: u64) -> [F; 2] {
    [
        F::from_canonical_u64(v & U32_MAX),
        F::from_canonical_u64(v >> 32),
    ]
}

/// Range, comparison, checked-arithmetic and decomposition gadgets.
pub trait CircuitBuilderRange<F: RichField + Extendable<D>, const D: usize> {
    /// Constrains `x < 2^32` and returns its 32 bits, least significant first.
    fn range_check_u32(&mut self, x: Target) -> Vec<BoolTarget>;
    /// Constrains `b < 2^8`.
    fn range_check_byte(&mut self, b: Target);
    /// A new virtual u32, range-checked `< 2^32`.
    fn add_virtual_u32_target(&mut self) -> Target;
    /// A new virtual u64 whose limbs are range-checked.
    fn add_virtual_u64_target(&mut self) -> U64Target;
    /// Constrains both limbs of `x` to be `< 2^32` (two rows).
    fn range_check_u64(&mut self, x: U64Target);
    /// The constant u64 `v`.
    fn constant_u64(&mut self, v: u64) -> U64Target;
    /// Constrains `a == b` limb by limb.
    fn connect_u64(&mut self, a: U64Target, b: U64Target);
    /// `a ≤ b` for u32 values. Precondition: `a, b < 2^32` (otherwise proving fails or the
    /// result is meaningless).
    fn le_u32(&mut self, a: Target, b: Target) -> BoolTarget;
    /// `a < b` for u32 values (same precondition as [`Self::le_u32`]).
    fn lt_u32(&mut self, a: Target, b: Target) -> BoolTarget;
    /// `a ≤ b` for range-checked u64 values.
    fn le_u64(&mut self, a: U64Target, b: U64Target) -> BoolTarget;
    /// `a < b` for range-checked u64 values.
    fn lt_u64(&mut self, a: U64Target, b: U64Target) -> BoolTarget;
    /// `a + b` for u32 values, constrained `< 2^32` (no wrap; e.g. `nonce + 1`).
    fn add_u32_checked(&mut self, a: Target, b: Target) -> Target;
    /// `a + b` for range-checked u64 values; enforces `a + b < 2^64` (an overflow is
    /// unprovable). The result's limbs are range-checked.
    fn add_u64_checked(&mut self, a: U64Target, b: U64Target) -> U64Target;
    /// `a − b` for range-checked u64 values; enforces `a ≥ b` (an underflow is unprovable).
    /// The result's limbs are range-checked.
    fn sub_u64_checked(&mut self, a: U64Target, b: U64Target) -> U64Target;
    /// Canonical split of a field element `x` into u32 limbs with `lo + 2^32·hi = x < p`.
    fn split_field_u64(&mut self, x: Target) -> U64Target;
    /// Canonical 64-bit decomposition of a field element, least significant bit first
    /// (unique: the bits of `x + p` are rejected).
    fn split_field_bits(&mut self, x: Target) -> Vec<BoolTarget>;
    /// Both [`Self::split_field_u64`] and [`Self::split_field_bits`] of `x`, from one split.
    fn split_field_u64_and_bits(&mut self, x: Target) -> (U64Target, Vec<BoolTarget>);
    /// Canonical big-endian 8-byte encoding of a field element (`docs/formats.md` §1).
    fn split_field_be_bytes(&mut self, x: Target) -> [Target; 8];
    /// Big-endian bytes of a u32; also constrains `x < 2^32`. Each byte is `< 256`.
    fn u32_to_be_bytes(&mut self, x: Target) -> [Target; 4];
    /// Big-endian bytes of a u64 (`hi` limb bytes first); constrains both limbs. Each byte is
    /// `< 256`.
    fn u64_to_be_bytes(&mut self, x: U64Target) -> [Target; 8];
    /// The u32 whose big-endian bytes are `bytes`. Precondition: each byte is already
    /// `< 256` (e.g. from [`Self::u32_to_be_bytes`] or [`Self::range_check_byte`]); the
    /// result is then `< 2^32`.
    fn be_bytes_to_u32(&mut self, bytes: &[Target; 4]) -> Target;
}

impl<F: RichField + Extendable<D>, const D: usize> CircuitBuilderRange<F, D>
    for CircuitBuilder<F, D>
{
    fn range_check_u32(&mut self, x: Target) -> Vec<BoolTarget> {
        self.split_le(x, 32)
    }

    fn range_check_byte(&mut self, b: Target) {
        self.range_check(b, 8);
    }

    fn add_virtual_u32_target(&mut self) -> Target {
        let x = self.add_virtual_target();
        self.range_check_u32(x);
        x
    }

    fn add_virtual_u64_target(&mut self) -> U64Target {
        let x = U64Target {
            lo: self.add_virtual_target(),
            hi: self.add_virtual_target(),
        };
        self.range_check_u64(x);
        x
    }

    fn range_check_u64(&mut self, x: U64Target) {
        self.range_check_u32(x.lo);
        self.range_check_u32(x.hi);
    }

    fn constant_u64(&mut self, v: u64) -> U64Target {
        let [lo, hi] = u64_limbs::<F>(v);
        U64Target {
            lo: self.constant(lo),
            hi: self.constant(hi),
        }
    }

    fn connect_u64(&mut self, a: U64Target, b: U64Target) {
        self.connect(a.lo, b.lo);
        self.connect(a.hi, b.hi);
    }

    fn le_u32(&mut self, a: Target, b: Target) -> BoolTarget {
        // d = b − a + 2^32 ∈ [1, 2^33) for u32 inputs; bit 32 of d is set iff b ≥ a.
        let diff = self.sub(b, a);
        let c = self.constant(two_32::<F>());
        let d = self.add(diff, c);
        self.split_le(d, 33)[32]
    }

    fn lt_u32(&mut self, a: Target, b: Target) -> BoolTarget {
        let ge = self.le_u32(b, a);
        self.not(ge)
    }

    fn le_u64(&mut self, a: U64Target, b: U64Target) -> BoolTarget {
        // a ≤ b ⟺ a.hi < b.hi ∨ (a.hi = b.hi ∧ a.lo ≤ b.lo); the two cases are exclusive.
        let hi_lt = self.lt_u32(a.hi, b.hi);
        let hi_eq = self.is_equal(a.hi, b.hi);
        let lo_le = self.le_u32(a.lo, b.lo);
        let r = self.mul_add(hi_eq.target, lo_le.target, hi_lt.target);
        BoolTarget::new_unsafe(r)
    }

    fn lt_u64(&mut self, a: U64Target, b: U64Target) -> BoolTarget {
        let ge = self.le_u64(b, a);
        self.not(ge)
    }

    fn add_u32_checked(&mut self, a: Target, b: Target) -> Target {
        let s = self.add(a, b);
        self.range_check_u32(s);
        s
    }

    fn add_u64_checked(&mut self, a: U64Target, b: U64Target) -> U64Target {
        let lo_sum = self.add(a.lo, b.lo);
        let carry = self.split_le(lo_sum, 33)[32];
        let lo = self.mul_const_add(-two_32::<F>(), carry.target, lo_sum);
        let hi = self.add_many([a.hi, b.hi, carry.target]);
        self.range_check_u32(hi);
        U64Target { lo, hi }
    }

    fn sub_u64_checked(&mut self, a: U64Target, b: U64Target) -> U64Target {
        // lo_d = a.lo − b.lo + 2^32 ∈ [1, 2^33); bit 32 set iff there is no borrow.
        let diff = self.sub(a.lo, b.lo);
        let c = self.constant(two_32::<F>());
        let lo_d = self.add(diff, c);
        let no_borrow = self.split_le(lo_d, 33)[32];
        let lo = self.mul_const_add(-two_32::<F>(), no_borrow.target, lo_d);
        // hi = a.hi − b.hi − borrow; a negative value wraps near p and fails the range check.
        let hi_diff = self.sub(a.hi, b.hi);
        let hi_nb = self.add(hi_diff, no_borrow.target);
        let hi = self.add_const(hi_nb, F::NEG_ONE);
        self.range_check_u32(hi);
        U64Target { lo, hi }
    }

    fn split_field_u64(&mut self, x: Target) -> U64Target {
        split_field(self, x).0
    }

    fn split_field_bits(&mut self, x: Target) -> Vec<BoolTarget> {
        split_field(self, x).1
    }

    fn split_field_u64_and_bits(&mut self, x: Target) -> (U64Target, Vec<BoolTarget>) {
        split_field(self, x)
    }

    fn split_field_be_bytes(&mut self, x: Target) -> [Target; 8] {
        let bits = split_field(self, x).1;
        let le: Vec<Target> = bits.chunks(8).map(|c| self.le_sum(c.iter())).collect();
        core::array::from_fn(|i| le[7 - i])
    }

    fn u32_to_be_bytes(&mut self, x: Target) -> [Target; 4] {
        let bits = self.range_check_u32(x);
        let le: Vec<Target> = bits.chunks(8).map(|c| self.le_sum(c.iter())).collect();
        core::array::from_fn(|i| le[3 - i])
    }

    fn u64_to_be_bytes(&mut self, x: U64Target) -> [Target; 8] {
        let hi = self.u32_to_be_bytes(x.hi);
        let lo = self.u32_to_be_bytes(x.lo);
        core::array::from_fn(|i| if i < 4 { hi[i] } else { lo[i - 4] })
    }

    fn be_bytes_to_u32(&mut self, bytes: &[Target; 4]) -> Target {
        let base = F::from_canonical_u64(256);
        let mut acc = bytes[0];
        for &b in &bytes[1..] {
            acc = self.mul_const_add(base, acc, b);
        }
        acc
    }
}

/// Canonical split of `x` into limbs and 64 bits (LSB first); see
/// [`CircuitBuilderRange::split_field_u64`].
fn split_field<F: RichField + Extendable<D>, const D: usize>(
    builder: &mut CircuitBuilder<F, D>,
    x: Target,
) -> (U64Target, Vec<BoolTarget>) {
    let lo = builder.add_virtual_target();
    let hi = builder.add_virtual_target();
    builder.add_simple_generator(FieldSplitGenerator { x, lo, hi });
    let bits = constrain_field_limbs(builder, x, lo, hi);
    (U64Target { lo, hi }, bits)
}

/// The constraints of [`split_field`] on prover-chosen limbs: `lo, hi < 2^32`,
/// `lo + 2^32·hi = x` in the field and `hi = 2^32 − 1 ⇒ lo = 0` (so the limbs encode the
/// canonical value of `x`). Returns the 64 bits, least significant first.
fn constrain_field_limbs<F: RichField + Extendable<D>, const D: usize>(
    builder: &mut CircuitBuilder<F, D>,
    x: Target,
    lo: Target,
    hi: Target,
) -> Vec<BoolTarget> {
    let mut bits = builder.range_check_u32(lo);
    bits.extend(builder.range_check_u32(hi));
    let recomposed = builder.mul_const_add(two_32::<F>(), hi, lo);
    builder.connect(recomposed, x);
    let max = builder.constant(F::from_canonical_u64(U32_MAX));
    let hi_is_max = builder.is_equal(hi, max);
    let bad = builder.mul(hi_is_max.target, lo);
    builder.assert_zero(bad);
    bits
}

/// Witness generator of [`CircuitBuilderRange::split_field_u64`]: sets `lo`, `hi` from the
/// canonical value of `x`.
#[derive(Debug, Default)]
pub struct FieldSplitGenerator {
    x: Target,
    lo: Target,
    hi: Target,
}

impl<F: RichField + Extendable<D>, const D: usize> SimpleGenerator<F, D> for FieldSplitGenerator {
    fn id(&self) -> String {
        "zkroll::FieldSplitGenerator".to_string()
    }

    fn dependencies(&self) -> Vec<Target> {
        vec![self.x]
    }

    fn run_once(
        &self,
        witness: &PartitionWitness<F>,
        out_buffer: &mut GeneratedValues<F>,
    ) -> Result<()> {
        let v = witness.get_target(self.x).to_canonical_u64();
        let [lo, hi] = u64_limbs::<F>(v);
        out_buffer.set_target(self.lo, lo)?;
        out_buffer.set_target(self.hi, hi)
    }

    fn serialize(&self, dst: &mut Vec<u8>, _common: &CommonCircuitData<F, D>) -> IoResult<()> {
        dst.write_target(self.x)?;
        dst.write_target(self.lo)?;
        dst.write_target(self.hi)
    }

    fn deserialize(src: &mut Buffer, _common: &CommonCircuitData<F, D>) -> IoResult<Self> {
        Ok(Self {
            x: src.read_target()?,
            lo: src.read_target()?,
            hi: src.read_target()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use plonky2::field::types::{Field, Field64};
    use plonky2::iop::witness::{PartialWitness, WitnessWrite};

    use super::*;
    use crate::gadgets::test_util::{builder, proves, tamper_rejected};
    use crate::F;

    fn set_u64(pw: &mut PartialWitness<F>, t: U64Target, v: u64) {
        let [lo, hi] = u64_limbs::<F>(v);
        pw.set_target(t.lo, lo).unwrap();
        pw.set_target(t.hi, hi).unwrap();
    }

    /// Unchecked u64 input: limbs set freely by the prover.
    fn raw_u64(b: &mut CircuitBuilder<F, 2>) -> U64Target {
        U64Target {
            lo: b.add_virtual_target(),
            hi: b.add_virtual_target(),
        }
    }

    #[test]
    fn u32_range_check_accepts_and_rejects() {
        let mut b = builder();
        let x = b.add_virtual_target();
        let bits = b.range_check_u32(x);
        let data = b.build::<crate::C>();
        for v in [0u64, 1, 0xdead_beef, U32_MAX] {
            let mut pw = PartialWitness::new();
            pw.set_target(x, F::from_canonical_u64(v)).unwrap();
            assert!(proves(&data, pw), "{v}");
        }
        for v in [1u64 << 32, (1 << 32) + 5, F::ORDER - 1] {
            let mut pw = PartialWitness::new();
            pw.set_target(x, F::from_canonical_u64(v)).unwrap();
            assert!(!proves(&data, pw), "{v} must be rejected");
        }
        // A wrong bit in an honest decomposition of 5 is rejected by the constraints.
        let mut pw = PartialWitness::new();
        pw.set_target(x, F::from_canonical_u64(5)).unwrap();
        assert!(tamper_rejected(&data, pw, bits[1].target, F::ONE));
    }

    #[test]
    fn u64_range_check_rejects_wide_limb() {
        let mut b = builder();
        let x = raw_u64(&mut b);
        b.range_check_u64(x);
        let data = b.build::<crate::C>();
        let mut pw = PartialWitness::new();
        set_u64(&mut pw, x, u64::MAX);
        assert!(proves(&data, pw));
        // A limb of 2^32 (the same u64 value as lo = 0, hi + 1) is rejected.
        for (lo, hi) in [(1u64 << 32, 0u64), (0, 1 << 32)] {
            let mut pw = PartialWitness::new();
            pw.set_target(x.lo, F::from_canonical_u64(lo)).unwrap();
            pw.set_target(x.hi, F::from_canonical_u64(hi)).unwrap();
            assert!(!proves(&data, pw), "limb {lo} {hi}");
        }
    }

    #[test]
    fn comparisons_match_native() {
        let mut b = builder();
        let (a, c) = (b.add_virtual_u64_target(), b.add_virtual_u64_target());
        let outs = [
            b.lt_u64(a, c),
            b.le_u64(a, c),
            b.lt_u32(a.lo, c.lo),
            b.le_u32(a.lo, c.lo),
        ];
        let expect: Vec<Target> = (0..4).map(|_| b.add_virtual_target()).collect();
        for (o, e) in outs.iter().zip(&expect) {
            b.connect(o.target, *e);
        }
        let data = b.build::<crate::C>();
        let cases = [
            (0u64, 0u64),
            (1, 2),
            (2, 1),
            (u64::MAX, u64::MAX),
            (u64::MAX - 1, u64::MAX),
            (5 << 32, (4 << 32) + U32_MAX),
            ((4 << 32) + 7, (4 << 32) + 9),
            ((4 << 32) + 9, (4 << 32) + 7),
        ];
        for (x, y) in cases {
            let native = [
                x < y,
                x <= y,
                (x & U32_MAX) < (y & U32_MAX),
                (x & U32_MAX) <= (y & U32_MAX),
            ];
            let mut pw = PartialWitness::new();
            set_u64(&mut pw, a, x);
            set_u64(&mut pw, c, y);
            for (e, n) in expect.iter().zip(native) {
                pw.set_target(*e, F::from_bool(n)).unwrap();
            }
            assert!(proves(&data, pw.clone()), "{x} {y}");
            // The flipped answer is rejected.
            assert!(tamper_rejected(
                &data,
                pw,
                expect[0],
                F::from_bool(!native[0])
            ));
        }
    }

    #[test]
    fn checked_add_sub() {
        let mut b = builder();
        let (x, y) = (b.add_virtual_u64_target(), b.add_virtual_u64_target());
        let sum = b.add_u64_checked(x, y);
        let diff = b.sub_u64_checked(x, y);
        let (es, ed) = (b.add_virtual_u64_target(), b.add_virtual_u64_target());
        b.connect_u64(sum, es);
        b.connect_u64(diff, ed);
        let data = b.build::<crate::C>();
        let run = |xv: u64, yv: u64, s: u64, d: u64| {
            let mut pw = PartialWitness::new();
            set_u64(&mut pw, x, xv);
            set_u64(&mut pw, y, yv);
            set_u64(&mut pw, es, s);
            set_u64(&mut pw, ed, d);
            proves(&data, pw)
        };
        for (xv, yv) in [
            (0u64, 0u64),
            (10, 3),
            (1 << 32, 1),
            (u64::MAX - 5, 5),
            (U32_MAX, U32_MAX),
            ((7 << 32) + 3, (2 << 32) + 9),
        ] {
            assert!(run(xv, yv, xv + yv, xv - yv), "{xv} {yv}");
            assert!(!run(xv, yv, (xv + yv) ^ 1, xv - yv), "wrong sum");
            assert!(!run(xv, yv, xv + yv, xv.wrapping_sub(yv) ^ 1), "wrong diff");
        }
        // Underflow (sub) and overflow (add) are unprovable whatever the claimed result.
        for (xv, yv) in [(3u64, 10u64), (1 << 32, (1 << 32) + 1), (0, 1)] {
            let wrapped = xv.wrapping_sub(yv);
            assert!(!run(xv, yv, xv + yv, wrapped), "underflow {xv} {yv}");
        }
        for (xv, yv) in [(u64::MAX, 1u64), (1 << 63, 1 << 63)] {
            assert!(!run(xv, yv, xv.wrapping_add(yv), xv - yv), "overflow");
        }
    }

    #[test]
    fn checked_u32_add_rejects_overflow() {
        let mut b = builder();
        let (x, y) = (b.add_virtual_u32_target(), b.add_virtual_u32_target());
        b.add_u32_checked(x, y);
        let data = b.build::<crate::C>();
        let run = |xv: u64, yv: u64| {
            let mut pw = PartialWitness::new();
            pw.set_target(x, F::from_canonical_u64(xv)).unwrap();
            pw.set_target(y, F::from_canonical_u64(yv)).unwrap();
            proves(&data, pw)
        };
        assert!(run(U32_MAX - 1, 1));
        assert!(!run(U32_MAX, 1));
    }

    #[test]
    fn canonical_field_decomposition() {
        let mut b = builder();
        let x = b.add_virtual_target();
        let limbs = b.split_field_u64(x);
        let bits = b.split_field_bits(x);
        let bytes = b.split_field_be_bytes(x);
        let expect_bytes: Vec<Target> = (0..8).map(|_| b.add_virtual_target()).collect();
        for (t, e) in bytes.iter().zip(&expect_bytes) {
            b.connect(*t, *e);
        }
        let data = b.build::<crate::C>();
        for v in [0u64, 1, 0x0102_0304_0506_0708, F::ORDER - 1, U32_MAX << 32] {
            let mut pw = PartialWitness::new();
            pw.set_target(x, F::from_canonical_u64(v)).unwrap();
            for (e, byte) in expect_bytes.iter().zip(v.to_be_bytes()) {
                pw.set_target(*e, F::from_canonical_u8(byte)).unwrap();
            }
            assert!(proves(&data, pw.clone()), "{v:#x}");
            // A wrong bit is rejected.
            let bit0 = F::from_bool(v & 1 == 0);
            assert!(tamper_rejected(&data, pw.clone(), bits[0].target, bit0));
            // A wrong limb is rejected.
            let lo1 = F::from_canonical_u64((v & U32_MAX) ^ 1);
            assert!(tamper_rejected(&data, pw, limbs.lo, lo1));
        }
    }

    #[test]
    fn non_canonical_limbs_rejected() {
        // Limbs chosen by the prover go through the same constraints as split_field_u64; all
        // other wires are generated honestly, so only the canonicity check can fail.
        let mut b = builder();
        let (x, lo, hi) = (
            b.add_virtual_target(),
            b.add_virtual_target(),
            b.add_virtual_target(),
        );
        constrain_field_limbs(&mut b, x, lo, hi);
        let data = b.build::<crate::C>();
        let run = |xv: u64, limbs: u64| {
            let [l, h] = u64_limbs::<F>(limbs);
            let mut pw = PartialWitness::new();
            pw.set_target(x, F::from_canonical_u64(xv)).unwrap();
            pw.set_target(lo, l).unwrap();
            pw.set_target(hi, h).unwrap();
            proves(&data, pw)
        };
        for v in [0u64, 5, 0xFFFF_FFFE] {
            assert!(run(v, v), "canonical {v}");
            // x + p < 2^64 satisfies the field equation and both u32 checks, but not
            // canonicity.
            assert!(!run(v, v + F::ORDER), "x + p for {v} must be rejected");
        }
        assert!(run(F::ORDER - 1, F::ORDER - 1));
    }

    #[test]
    fn be_bytes_roundtrip() {
        let mut b = builder();
        let x = b.add_virtual_u64_target();
        let bytes = b.u64_to_be_bytes(x);
        let hi: [Target; 4] = core::array::from_fn(|i| bytes[i]);
        let back = b.be_bytes_to_u32(&hi);
        b.connect(back, x.hi);
        let expect: Vec<Target> = (0..8).map(|_| b.add_virtual_target()).collect();
        for (t, e) in bytes.iter().zip(&expect) {
            b.connect(*t, *e);
        }
        let data = b.build::<crate::C>();
        let v = 0xA1B2_C3D4_E5F6_0718u64;
        let mut pw = PartialWitness::new();
        set_u64(&mut pw, x, v);
        for (e, byte) in expect.iter().zip(v.to_be_bytes()) {
            pw.set_target(*e, F::from_canonical_u8(byte)).unwrap();
        }
        assert!(proves(&data, pw.clone()));
        assert!(tamper_rejected(
            &data,
            pw,
            expect[7],
            F::from_canonical_u8(0x19)
        ));
    }
}
