//! Packed decimal floats in circuit (`docs/formats.md` §4.1; native twin `crate::da::packed`).
//!
//! [`CircuitBuilderPacked::packed_value`] takes a packed form `m·2^5 + e` and returns its
//! value `m·10^e` as a [`U64Target`], constraining everything the native `unpack` checks:
//!
//! - the form has `bits + 5` bits (so `m < 2^bits`, `e < 32`), and `e ≤ 19` (a lookup);
//! - canonical: `m = 10·q + r` with `q < 2^32`, `r < 32` witnessed ([`PackedDigitGenerator`])
//!   and `T[r] = 1` iff `1 ≤ r ≤ 9` (a lookup); `z = 1 − T[r]` must imply `m = 0` and `e = 0`.
//!   So `m ≠ 0` has a non-zero last digit, and `m = 0` has `e = 0`;
//! - the value is the exact integer product `m·10^e < 2^64`: with `m = m0 + 2^32·m1`
//!   (`m1 < 2^(bits − 32)`, absent for `bits ≤ 32`) and `10^e = P0 + 2^32·P1` (two lookups of
//!   u32 constants), `m0·P0` (exact, `< p`) is split canonically into `lo + 2^32·c`, the
//!   cross products `m0·P1` and `m1·P0` are each range-checked to u32, `m1·P1 = 0`, and
//!   `hi = c + m0·P1 + m1·P0` is range-checked to u32. Every product is below `p`, so no
//!   identity wraps.
//!
//! Cost (standard config): about 10 rows per value, plus the four 32-entry tables' constants
//! once per circuit.

use anyhow::Result;
use plonky2::field::extension::Extendable;
use plonky2::hash::hash_types::RichField;
use plonky2::iop::generator::{GeneratedValues, SimpleGenerator};
use plonky2::iop::target::Target;
use plonky2::iop::witness::{PartitionWitness, Witness, WitnessWrite};
use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::circuit_data::CommonCircuitData;
use plonky2::util::serialization::{Buffer, IoResult, Read, Write};

use crate::da::MAX_EXPONENT;
use crate::gadgets::range::{CircuitBuilderRange, U64Target};

/// Bits of the exponent field of a packed form.
const EXPONENT_BITS: usize = 5;

/// Packed-value gadget.
pub trait CircuitBuilderPacked<F: RichField + Extendable<D>, const D: usize> {
    /// The value `m·10^e` of the packed form `packed = m·2^5 + e` with a `mantissa_bits`-bit
    /// mantissa (`1 ≤ mantissa_bits ≤ 35`); unsatisfiable unless `packed` is a canonical
    /// packed form (formats.md §4.1) whose value is `< 2^64`. The result's limbs are u32.
    fn packed_value(&mut self, packed: Target, mantissa_bits: usize) -> U64Target;
}

/// `10^e` for `e < 32` as u32 limbs (zero for `e > 19`, which the exponent check rejects).
fn pow10_limbs(e: usize) -> (u64, u64) {
    if e as u32 > MAX_EXPONENT {
        return (0, 0);
    }
    let v = 10u64.pow(e as u32);
    (v & 0xffff_ffff, v >> 32)
}

impl<F: RichField + Extendable<D>, const D: usize> CircuitBuilderPacked<F, D>
    for CircuitBuilder<F, D>
{
    fn packed_value(&mut self, packed: Target, mantissa_bits: usize) -> U64Target {
        packed_value_and_quotient(self, packed, mantissa_bits).0
    }
}

/// [`CircuitBuilderPacked::packed_value`], also returning the witnessed quotient `q` (tests
/// tamper with it).
fn packed_value_and_quotient<F: RichField + Extendable<D>, const D: usize>(
    b: &mut CircuitBuilder<F, D>,
    packed: Target,
    mantissa_bits: usize,
) -> (U64Target, Target) {
    assert!(
        (1..=35).contains(&mantissa_bits),
        "mantissa of 1 to 35 bits"
    );
    let bits = b.split_le(packed, mantissa_bits + EXPONENT_BITS);
    let e = b.le_sum(bits[..EXPONENT_BITS].iter());
    // m = (packed − e) / 32, exact: the low 5 bits of packed are e.
    let inv32 = F::from_canonical_u64(32).inverse();
    let pe = b.sub(packed, e);
    let m = b.mul_const(inv32, pe);
    let (m0, m1) = if mantissa_bits > 32 {
        let m1 = b.le_sum(bits[EXPONENT_BITS + 32..].iter());
        let two32 = F::from_canonical_u64(1 << 32);
        let m0 = b.mul_const_add(-two32, m1, m);
        (m0, Some(m1))
    } else {
        (m, None)
    };

    // e ≤ 19 and 10^e, by lookups indexed by e (< 32 by its 5 bits).
    let table = |bb: &mut CircuitBuilder<F, D>, f: &dyn Fn(usize) -> u64| -> Vec<Target> {
        (0..1 << EXPONENT_BITS)
            .map(|i| bb.constant(F::from_canonical_u64(f(i))))
            .collect()
    };
    let valid_e = table(b, &|i| u64::from(i as u32 <= MAX_EXPONENT));
    let ok = b.random_access(e, valid_e);
    let one = b.one();
    b.connect(ok, one);
    let lo_table = table(b, &|i| pow10_limbs(i).0);
    let hi_table = table(b, &|i| pow10_limbs(i).1);
    let p0 = b.random_access(e, lo_table);
    let p1 = b.random_access(e, hi_table);

    // Canonical: m = 10q + r, T[r] = 1 iff 1 ≤ r ≤ 9; z = 1 − T[r] forces m = 0 and e = 0.
    let q = b.add_virtual_target();
    let r = b.add_virtual_target();
    b.add_simple_generator(PackedDigitGenerator { m, q, r });
    b.range_check_u32(q);
    let ten = F::from_canonical_u64(10);
    let m_again = b.mul_const_add(ten, q, r);
    b.connect(m_again, m);
    let digit = table(b, &|i| u64::from((1..=9).contains(&i)));
    let t = b.random_access(r, digit);
    let z = b.sub(one, t);
    let zm = b.mul(z, m);
    b.assert_zero(zm);
    let ze = b.mul(z, e);
    b.assert_zero(ze);

    // The exact product m·10^e < 2^64.
    let t0 = b.mul(m0, p0);
    let split = b.split_field_u64(t0);
    let u = b.mul(m0, p1);
    b.range_check_u32(u);
    let mut hi = b.add(split.hi, u);
    if let Some(m1) = m1 {
        let w = b.mul(m1, p0);
        b.range_check_u32(w);
        let top = b.mul(m1, p1);
        b.assert_zero(top);
        hi = b.add(hi, w);
    }
    b.range_check_u32(hi);
    (U64Target { lo: split.lo, hi }, q)
}

/// Witness generator of [`CircuitBuilderPacked::packed_value`]: `q = ⌊m / 10⌋`,
/// `r = m mod 10` from the canonical value of `m`.
#[derive(Debug, Default)]
pub struct PackedDigitGenerator {
    m: Target,
    q: Target,
    r: Target,
}

impl<F: RichField + Extendable<D>, const D: usize> SimpleGenerator<F, D> for PackedDigitGenerator {
    fn id(&self) -> String {
        "zkroll::PackedDigitGenerator".to_string()
    }

    fn dependencies(&self) -> Vec<Target> {
        vec![self.m]
    }

    fn run_once(
        &self,
        witness: &PartitionWitness<F>,
        out_buffer: &mut GeneratedValues<F>,
    ) -> Result<()> {
        let m = witness.get_target(self.m).to_canonical_u64();
        out_buffer.set_target(self.q, F::from_canonical_u64(m / 10))?;
        out_buffer.set_target(self.r, F::from_canonical_u64(m % 10))
    }

    fn serialize(&self, dst: &mut Vec<u8>, _common: &CommonCircuitData<F, D>) -> IoResult<()> {
        dst.write_target(self.m)?;
        dst.write_target(self.q)?;
        dst.write_target(self.r)
    }

    fn deserialize(src: &mut Buffer, _common: &CommonCircuitData<F, D>) -> IoResult<Self> {
        Ok(Self {
            m: src.read_target()?,
            q: src.read_target()?,
            r: src.read_target()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use plonky2::field::types::Field;
    use plonky2::iop::witness::PartialWitness;
    use plonky2::plonk::circuit_data::CircuitData;

    use super::*;
    use crate::da::{pack, unpack, AMOUNT_MANTISSA_BITS, FEE_MANTISSA_BITS};
    use crate::gadgets::range::u64_limbs;
    use crate::gadgets::test_util::{builder, proves, tamper_rejected};
    use crate::{C, F};

    struct Packed {
        data: CircuitData<F, C, 2>,
        packed: Target,
        value: U64Target,
        q: Target,
    }

    /// `value == packed_value(packed)`, both witnesses; `q` the generator's quotient.
    fn circuit(bits: usize) -> Packed {
        let mut b = builder();
        let packed = b.add_virtual_target();
        let value = b.add_virtual_u64_target();
        let (v, q) = packed_value_and_quotient(&mut b, packed, bits);
        b.connect_u64(v, value);
        b.register_public_input(v.lo);
        b.register_public_input(v.hi);
        Packed {
            data: b.build::<C>(),
            packed,
            value,
            q,
        }
    }

    fn witness(c: &Packed, packed: u64, value: u64) -> PartialWitness<F> {
        let mut pw = PartialWitness::new();
        pw.set_target(c.packed, F::from_canonical_u64(packed))
            .unwrap();
        let [lo, hi] = u64_limbs::<F>(value);
        pw.set_target(c.value.lo, lo).unwrap();
        pw.set_target(c.value.hi, hi).unwrap();
        pw
    }

    fn amount_circuit() -> &'static Packed {
        static C: std::sync::OnceLock<Packed> = std::sync::OnceLock::new();
        C.get_or_init(|| circuit(AMOUNT_MANTISSA_BITS as usize))
    }

    #[test]
    fn canonical_forms_prove_their_native_value() {
        let c = amount_circuit();
        for v in [
            0u64,
            1,
            7,
            10,
            1_000_000_000,
            34_359_738_367,
            34_359_738_367 * 10u64.pow(8),
            10u64.pow(19),
            18 * 10u64.pow(18),
        ] {
            let p = pack(v, AMOUNT_MANTISSA_BITS).expect("packable");
            assert_eq!(unpack(p, AMOUNT_MANTISSA_BITS, "amount"), Ok(v));
            assert!(proves(&c.data, witness(c, p, v)), "{v}");
        }
        let f = circuit(FEE_MANTISSA_BITS as usize);
        for v in [0u64, 2047, 20_470, 15 * 10u64.pow(18)] {
            let p = pack(v, FEE_MANTISSA_BITS).unwrap();
            assert!(proves(&f.data, witness(&f, p, v)), "{v}");
        }
    }

    #[test]
    fn non_canonical_or_out_of_range_forms_are_rejected() {
        let c = amount_circuit();
        // (packed, the value it would stand for if accepted)
        let cases = [
            (10 << 5, 10),                                       // 10·10^0: canonical is 1·10^1
            (3, 0),                                              // 0·10^3
            ((1 << 5) | 20, 0), // e = 20 (1·10^20 ≥ 2^64; any value)
            ((7 << 5) | 20, 7), // e = 20
            (1u64 << 40, 0),    // a 36-bit mantissa
            (((1u64 << 35) - 1) << 5 | 19, u64::MAX), // product ≥ 2^64
            ((19 << 5) | 18, 19u64.wrapping_mul(10u64.pow(18))), // 1.9·10^19 ≥ 2^64, wrapped
        ];
        for (p, v) in cases {
            assert!(
                unpack(p, AMOUNT_MANTISSA_BITS, "amount").is_err(),
                "native rejects {p:#x}"
            );
            assert!(!proves(&c.data, witness(c, p, v)), "{p:#x}");
        }
    }

    #[test]
    fn wrong_value_is_rejected() {
        let c = amount_circuit();
        let p = pack(12_300, AMOUNT_MANTISSA_BITS).unwrap();
        for v in [12_301, 12_300 + (1u64 << 32), 0, 123] {
            assert!(!proves(&c.data, witness(c, p, v)), "{v}");
        }
        // A fee form: more than 11 mantissa bits is out of range.
        let f = circuit(FEE_MANTISSA_BITS as usize);
        assert!(!proves(&f.data, witness(&f, 2049 << 5, 2049)));
    }

    #[test]
    fn tampered_digit_witness_is_rejected() {
        // q off by one (r then wrong or out of range): the decomposition m = 10q + r breaks.
        let c = amount_circuit();
        let p = pack(12_345, AMOUNT_MANTISSA_BITS).unwrap();
        let pw = witness(c, p, 12_345);
        assert!(tamper_rejected(
            &c.data,
            pw,
            c.q,
            F::from_canonical_u64(12_345 / 10 + 1)
        ));
    }
}
