//! Big-integer identities over limbs: the engine of the non-native `Fr` gadgets.
//!
//! A [`BigExpr`] is `Σ pos − Σ neg` of terms over limb vectors (limb `j` weighs
//! `2^{29j}`): products of two vectors, a constant times a vector, constants. Its value is
//! constrained as an integer by summing the terms column by column in Goldilocks (column
//! `j` gathers every limb product of weight `2^{29j}`) and propagating signed carries:
//! `col_j + carry_{j−1} = 2^29·carry_j`, last column `col + carry = 0`.
//!
//! Soundness invariant (checked by assertions when the circuit is built, so a gadget that
//! breaks it cannot be built): every limb is bounded by its [`Operand::max_limb`] (the
//! caller range-checked it), each carry is range-checked to an interval `[−l_j, 2^{b_j} −
//! l_j)` (one `b_j`-bit range check of `carry + l_j`) that contains every honest carry, and
//! `l_j` is chosen so that for every column the integer `col_j + carry_{j−1} −
//! 2^29·carry_j` lies strictly between `−p` and `p` whatever admitted carries are used.
//! A column equation that holds mod p therefore holds over the integers, and the telescoped
//! sum `Σ_j 2^{29j}·col_j = 0` is the identity `Σ pos = Σ neg`.

use anyhow::{anyhow, ensure, Result};
use num_bigint::{BigInt, BigUint};
use plonky2::field::extension::Extendable;
use plonky2::field::types::{Field, PrimeField64};
use plonky2::hash::hash_types::RichField;
use plonky2::iop::generator::{GeneratedValues, SimpleGenerator};
use plonky2::iop::target::Target;
use plonky2::iop::witness::{PartitionWitness, Witness, WitnessWrite};
use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::circuit_data::CommonCircuitData;
use plonky2::util::serialization::{Buffer, IoError, IoResult, Read, Write};

use crate::blob::field::modulus;

/// Bits per limb.
pub const LIMB_BITS: usize = 29;
/// `2^29 − 1`, the largest limb of a range-checked vector.
pub const LIMB_MAX: u64 = (1 << LIMB_BITS) - 1;

/// A vector of limbs (least significant first), each known to be `≤ max_limb`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operand {
    /// The limbs.
    pub limbs: Vec<Target>,
    /// A bound every limb keeps (the caller's range checks guarantee it).
    pub max_limb: u64,
}

/// A term of a [`BigExpr`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Term {
    /// The product of two vectors.
    Prod(Operand, Operand),
    /// A constant times a vector.
    Scaled(BigUint, Operand),
    /// A constant.
    Const(BigUint),
}

/// `Σ pos − Σ neg` over terms of limb vectors.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BigExpr {
    /// Terms added.
    pub pos: Vec<Term>,
    /// Terms subtracted.
    pub neg: Vec<Term>,
}

/// The 29-bit limbs of `v`, least significant first (at least one).
pub fn limbs_of(v: &BigUint) -> Vec<u64> {
    let mut out = Vec::new();
    let mut rest = v.clone();
    let mask = BigUint::from(LIMB_MAX);
    loop {
        out.push(u64::try_from(&rest & &mask).expect("29 bits"));
        rest >>= LIMB_BITS;
        if rest == BigUint::ZERO {
            return out;
        }
    }
}

/// `Σ_j limbs[j]·2^{29j}` for limbs of any size.
pub fn value_of(limbs: &[u64]) -> BigUint {
    limbs.iter().rev().fold(BigUint::ZERO, |acc, &l| {
        (acc << LIMB_BITS) + BigUint::from(l)
    })
}

impl Operand {
    /// The largest integer the operand can hold.
    fn max_value(&self) -> BigUint {
        value_of(&vec![self.max_limb; self.limbs.len()])
    }

    fn value<F: PrimeField64>(&self, w: &PartitionWitness<F>) -> BigUint {
        let limbs: Vec<u64> = self
            .limbs
            .iter()
            .map(|&t| w.get_target(t).to_canonical_u64())
            .collect();
        value_of(&limbs)
    }
}

impl Term {
    fn max_value(&self) -> BigUint {
        match self {
            Term::Prod(a, b) => a.max_value() * b.max_value(),
            Term::Scaled(c, a) => c * a.max_value(),
            Term::Const(c) => c.clone(),
        }
    }

    fn value<F: PrimeField64>(&self, w: &PartitionWitness<F>) -> BigUint {
        match self {
            Term::Prod(a, b) => a.value(w) * b.value(w),
            Term::Scaled(c, a) => c * a.value(w),
            Term::Const(c) => c.clone(),
        }
    }

    fn targets(&self) -> Vec<Target> {
        match self {
            Term::Prod(a, b) => [a.limbs.clone(), b.limbs.clone()].concat(),
            Term::Scaled(_, a) => a.limbs.clone(),
            Term::Const(_) => vec![],
        }
    }
}

impl BigExpr {
    /// Largest value of `Σ pos` and of `Σ neg`.
    fn max_values(&self) -> (BigUint, BigUint) {
        let sum = |ts: &[Term]| ts.iter().map(Term::max_value).sum();
        (sum(&self.pos), sum(&self.neg))
    }

    /// `Σ pos − Σ neg` in the witness.
    fn value<F: PrimeField64>(&self, w: &PartitionWitness<F>) -> BigInt {
        let sum = |ts: &[Term]| -> BigUint { ts.iter().map(|t| t.value(w)).sum() };
        BigInt::from(sum(&self.pos)) - BigInt::from(sum(&self.neg))
    }

    fn targets(&self) -> Vec<Target> {
        self.pos
            .iter()
            .chain(&self.neg)
            .flat_map(Term::targets)
            .collect()
    }
}

/// Column sums in Goldilocks with the integer bounds of their positive and negative parts.
struct Columns {
    sums: Vec<Option<Target>>,
    pos: Vec<u128>,
    neg: Vec<u128>,
}

impl Columns {
    fn new() -> Self {
        Self {
            sums: vec![],
            pos: vec![],
            neg: vec![],
        }
    }

    fn grow(&mut self, len: usize) {
        if self.sums.len() < len {
            self.sums.resize(len, None);
            self.pos.resize(len, 0);
            self.neg.resize(len, 0);
        }
    }

    /// Adds `± x·y` (each product bounded by `bound`) to column `j`.
    fn add<F: RichField + Extendable<D>, const D: usize>(
        &mut self,
        b: &mut CircuitBuilder<F, D>,
        j: usize,
        x: Target,
        y: Target,
        bound: u128,
        negative: bool,
    ) {
        if bound == 0 {
            return;
        }
        self.grow(j + 1);
        let acc = self.sums[j].unwrap_or_else(|| b.zero());
        let c0 = if negative { F::NEG_ONE } else { F::ONE };
        self.sums[j] = Some(b.arithmetic(c0, F::ONE, x, y, acc));
        let side = if negative {
            &mut self.neg[j]
        } else {
            &mut self.pos[j]
        };
        *side = side.checked_add(bound).expect("column bound overflow");
    }

    fn add_term<F: RichField + Extendable<D>, const D: usize>(
        &mut self,
        b: &mut CircuitBuilder<F, D>,
        term: &Term,
        negative: bool,
    ) {
        let one = b.one();
        match term {
            Term::Prod(x, y) => {
                let bound = x.max_limb as u128 * y.max_limb as u128;
                for (i, &xi) in x.limbs.iter().enumerate() {
                    for (j, &yj) in y.limbs.iter().enumerate() {
                        self.add(b, i + j, xi, yj, bound, negative);
                    }
                }
            }
            Term::Scaled(c, x) => {
                for (i, ci) in limbs_of(c).into_iter().enumerate() {
                    if ci == 0 {
                        continue;
                    }
                    let ct = b.constant(F::from_canonical_u64(ci));
                    let bound = ci as u128 * x.max_limb as u128;
                    for (j, &xj) in x.limbs.iter().enumerate() {
                        if ci == 1 {
                            self.add(b, i + j, xj, one, bound, negative);
                        } else {
                            self.add(b, i + j, ct, xj, bound, negative);
                        }
                    }
                }
            }
            Term::Const(c) => {
                for (i, ci) in limbs_of(c).into_iter().enumerate() {
                    if ci != 0 {
                        let ct = b.constant(F::from_canonical_u64(ci));
                        self.add(b, i, ct, one, ci as u128, negative);
                    }
                }
            }
        }
    }
}

/// Goldilocks' order as a u128.
const P: u128 = 0xFFFF_FFFF_0000_0001;

/// Constrains `Σ expr.pos = Σ expr.neg` over the integers (see the module doc). Costs one
/// arithmetic operation per limb product, and per column one carry (a range check, in
/// [`super::range_gate::LimbRangeGate`] slots up to 35 bits, else a `BaseSumGate` row) and
/// two operations.
///
/// Panics while building if the bounds of the terms could let a column wrap modulo p (a bug
/// in the calling gadget, not an input error).
pub fn assert_zero_integer<F: RichField + Extendable<D>, const D: usize>(
    b: &mut CircuitBuilder<F, D>,
    expr: &BigExpr,
) {
    assert_eq!(
        F::ORDER as u128,
        P,
        "limb bounds are computed for Goldilocks"
    );
    let mut cols = Columns::new();
    for t in &expr.pos {
        cols.add_term(b, t, false);
    }
    for t in &expr.neg {
        cols.add_term(b, t, true);
    }
    let n = cols.sums.len();
    if n == 0 {
        return;
    }
    let sums: Vec<Target> = cols
        .sums
        .iter()
        .map(|s| s.unwrap_or_else(|| b.zero()))
        .collect();
    let carries = b.add_virtual_targets(n - 1);
    b.add_simple_generator(CarryGenerator {
        cols: sums.clone(),
        carries: carries.clone(),
    });
    let shift = F::from_canonical_u64(1 << LIMB_BITS);
    // Honest carries lie in [−bneg, bpos]; the range check admits [−cneg, cpos] ⊇ that.
    let (mut bpos_prev, mut bneg_prev) = (0u128, 0u128);
    let (mut cpos_prev, mut cneg_prev) = (0u128, 0u128);
    let mut prev: Option<Target> = None;
    for j in 0..n {
        let (pos, neg) = (cols.pos[j], cols.neg[j]);
        assert!(pos < P / 2 && neg < P / 2, "column {j} may exceed p/2");
        let (vpos, vneg) = (pos + cpos_prev, neg + cneg_prev);
        assert!(vpos < P && vneg < P, "column {j} may wrap modulo p");
        let with_carry = match prev {
            Some(c) => b.add(sums[j], c),
            None => sums[j],
        };
        if j + 1 == n {
            b.assert_zero(with_carry);
            break;
        }
        let bpos = (pos + bpos_prev) >> LIMB_BITS;
        let bneg = (neg + bneg_prev) >> LIMB_BITS;
        let bits = ((128 - (bpos + bneg).leading_zeros()) as usize).max(1);
        assert!(bits <= 63, "carry {j} too wide");
        let top = (1u128 << bits) - 1;
        // Admit c ∈ [−l, top − l]. Soundness needs |col + c_prev − 2^29·c| < p on both
        // sides: pos + cpos_prev + 2^29·l < p and neg + cneg_prev + 2^29·(top − l) < p.
        let l_hi = ((P - 1 - vpos) >> LIMB_BITS).min(top - bpos);
        let l_lo = top.saturating_sub((P - 1 - vneg) >> LIMB_BITS).max(bneg);
        assert!(l_lo <= l_hi, "carry {j}: no sound range");
        let l = (l_lo + l_hi) / 2;
        let carry = carries[j];
        let shifted = b.add_const(carry, F::from_canonical_u64(l as u64));
        if bits <= super::range_gate::WIDE_PACKED_BITS {
            super::range_gate::range_check_packed(b, shifted, bits);
        } else {
            b.range_check(shifted, bits);
        }
        let one = b.one();
        let e = b.arithmetic(-shift, F::ONE, carry, one, with_carry);
        b.assert_zero(e);
        (bpos_prev, bneg_prev) = (bpos, bneg);
        (cpos_prev, cneg_prev) = (top - l, l);
        prev = Some(carry);
    }
}

/// The result of [`reduce_mod_r`]: `rem ≡ expr (mod r)` with `rem`'s limbs range-checked.
pub struct Reduced {
    /// The remainder's limbs (9 limbs `< 2^29`; the honest prover gives the canonical one).
    pub rem: Vec<Target>,
}

/// Number of 29-bit limbs of a value `< 2^bits`.
fn limbs_for_bits(bits: u64) -> usize {
    (bits as usize).div_ceil(LIMB_BITS).max(1)
}

/// Constrains `expr ≡ 0 (mod r)` and, with `rem_limbs > 0`, returns a remainder: witnesses
/// `rem` (if asked), `k ≥ 0` with range-checked limbs and the offset `M·r ≥ Σ neg`, and
/// constrains `expr + M·r = rem + k·r` over the integers.
pub fn reduce_mod_r<F: RichField + Extendable<D>, const D: usize>(
    b: &mut CircuitBuilder<F, D>,
    expr: &BigExpr,
    rem_limbs: usize,
) -> Reduced {
    let r = modulus();
    let (max_pos, max_neg) = expr.max_values();
    let offset = (max_neg + r - 1u32) / r;
    let k_max = (max_pos + &offset * r) / r;
    let k = b.add_virtual_targets(limbs_for_bits(k_max.bits()));
    let rem = b.add_virtual_targets(rem_limbs);
    for &t in k.iter().chain(&rem) {
        super::range_gate::range_check_packed(b, t, LIMB_BITS);
    }
    b.add_simple_generator(QuotientGenerator {
        expr: expr.clone(),
        offset: offset.clone(),
        rem: rem.clone(),
        quot: k.clone(),
    });
    let mut full = expr.clone();
    if offset != BigUint::ZERO {
        full.pos.push(Term::Const(offset * r));
    }
    full.neg.push(Term::Scaled(
        r.clone(),
        Operand {
            limbs: k,
            max_limb: LIMB_MAX,
        },
    ));
    if rem_limbs > 0 {
        full.neg.push(Term::Scaled(
            BigUint::from(1u32),
            Operand {
                limbs: rem.clone(),
                max_limb: LIMB_MAX,
            },
        ));
    }
    assert_zero_integer(b, &full);
    Reduced { rem }
}

/// Reads a signed integer from a Goldilocks element (values above `p/2` are negative).
fn signed<F: PrimeField64>(v: F) -> i128 {
    let v = v.to_canonical_u64() as i128;
    if v as u128 > P / 2 {
        v - P as i128
    } else {
        v
    }
}

/// Witness generator of the carries of [`assert_zero_integer`].
#[derive(Debug, Default)]
pub struct CarryGenerator {
    cols: Vec<Target>,
    carries: Vec<Target>,
}

impl<F: RichField + Extendable<D>, const D: usize> SimpleGenerator<F, D> for CarryGenerator {
    fn id(&self) -> String {
        "zkroll::bls_fr::CarryGenerator".to_string()
    }

    fn dependencies(&self) -> Vec<Target> {
        self.cols.clone()
    }

    fn run_once(&self, w: &PartitionWitness<F>, out: &mut GeneratedValues<F>) -> Result<()> {
        let mut carry = 0i128;
        for (j, &t) in self.carries.iter().enumerate() {
            let v = signed(w.get_target(self.cols[j])) + carry;
            ensure!(
                v % (1 << LIMB_BITS) == 0,
                "big-integer identity fails at column {j}"
            );
            carry = v >> LIMB_BITS;
            let f = if carry < 0 {
                -F::from_canonical_u64(carry.unsigned_abs() as u64)
            } else {
                F::from_canonical_u64(carry as u64)
            };
            out.set_target(t, f)?;
        }
        Ok(())
    }

    fn serialize(&self, dst: &mut Vec<u8>, _common: &CommonCircuitData<F, D>) -> IoResult<()> {
        dst.write_target_vec(&self.cols)?;
        dst.write_target_vec(&self.carries)
    }

    fn deserialize(src: &mut Buffer, _common: &CommonCircuitData<F, D>) -> IoResult<Self> {
        Ok(Self {
            cols: src.read_target_vec()?,
            carries: src.read_target_vec()?,
        })
    }
}

/// Witness generator of [`reduce_mod_r`]: `v = expr + M·r`, `rem = v mod r`, `k = v / r`
/// (without a remainder, `v` must be a multiple of r, otherwise witness generation fails).
#[derive(Debug, Default)]
pub struct QuotientGenerator {
    expr: BigExpr,
    offset: BigUint,
    rem: Vec<Target>,
    quot: Vec<Target>,
}

fn set_limbs<F: Field>(out: &mut GeneratedValues<F>, ts: &[Target], v: &BigUint) -> Result<()> {
    let limbs = limbs_of(v);
    ensure!(limbs.len() <= ts.len(), "value wider than its limbs");
    for (i, &t) in ts.iter().enumerate() {
        out.set_target(t, F::from_canonical_u64(limbs.get(i).copied().unwrap_or(0)))?;
    }
    Ok(())
}

impl<F: RichField + Extendable<D>, const D: usize> SimpleGenerator<F, D> for QuotientGenerator {
    fn id(&self) -> String {
        "zkroll::bls_fr::QuotientGenerator".to_string()
    }

    fn dependencies(&self) -> Vec<Target> {
        self.expr.targets()
    }

    fn run_once(&self, w: &PartitionWitness<F>, out: &mut GeneratedValues<F>) -> Result<()> {
        let r = modulus();
        let v = self.expr.value(w) + BigInt::from(&self.offset * r);
        let v = v
            .to_biguint()
            .ok_or_else(|| anyhow!("negative expression despite the offset"))?;
        let (k, rem) = (&v / r, &v % r);
        if self.rem.is_empty() {
            ensure!(rem == BigUint::ZERO, "expression is not 0 mod r");
        } else {
            set_limbs(out, &self.rem, &rem)?;
        }
        set_limbs(out, &self.quot, &k)
    }

    fn serialize(&self, dst: &mut Vec<u8>, _common: &CommonCircuitData<F, D>) -> IoResult<()> {
        write_expr(dst, &self.expr)?;
        write_biguint(dst, &self.offset)?;
        dst.write_target_vec(&self.rem)?;
        dst.write_target_vec(&self.quot)
    }

    fn deserialize(src: &mut Buffer, _common: &CommonCircuitData<F, D>) -> IoResult<Self> {
        Ok(Self {
            expr: read_expr(src)?,
            offset: read_biguint(src)?,
            rem: src.read_target_vec()?,
            quot: src.read_target_vec()?,
        })
    }
}

pub(crate) fn write_biguint(dst: &mut Vec<u8>, v: &BigUint) -> IoResult<()> {
    let bytes = v.to_bytes_le();
    dst.write_usize(bytes.len())?;
    dst.write_all(&bytes)
}

pub(crate) fn read_biguint(src: &mut Buffer) -> IoResult<BigUint> {
    let len = src.read_usize()?;
    if len > 1024 {
        return Err(IoError);
    }
    let mut bytes = vec![0u8; len];
    src.read_exact(&mut bytes)?;
    Ok(BigUint::from_bytes_le(&bytes))
}

fn write_operand(dst: &mut Vec<u8>, o: &Operand) -> IoResult<()> {
    dst.write_target_vec(&o.limbs)?;
    write_biguint(dst, &BigUint::from(o.max_limb))
}

fn read_operand(src: &mut Buffer) -> IoResult<Operand> {
    let limbs = src.read_target_vec()?;
    let max_limb = u64::try_from(read_biguint(src)?).map_err(|_| IoError)?;
    Ok(Operand { limbs, max_limb })
}

fn write_terms(dst: &mut Vec<u8>, ts: &[Term]) -> IoResult<()> {
    dst.write_usize(ts.len())?;
    for t in ts {
        match t {
            Term::Prod(a, b) => {
                dst.write_u8(0)?;
                write_operand(dst, a)?;
                write_operand(dst, b)?;
            }
            Term::Scaled(c, a) => {
                dst.write_u8(1)?;
                write_biguint(dst, c)?;
                write_operand(dst, a)?;
            }
            Term::Const(c) => {
                dst.write_u8(2)?;
                write_biguint(dst, c)?;
            }
        }
    }
    Ok(())
}

fn read_terms(src: &mut Buffer) -> IoResult<Vec<Term>> {
    let n = src.read_usize()?;
    (0..n)
        .map(|_| match src.read_u8()? {
            0 => Ok(Term::Prod(read_operand(src)?, read_operand(src)?)),
            1 => Ok(Term::Scaled(read_biguint(src)?, read_operand(src)?)),
            2 => Ok(Term::Const(read_biguint(src)?)),
            _ => Err(IoError),
        })
        .collect()
}

fn write_expr(dst: &mut Vec<u8>, e: &BigExpr) -> IoResult<()> {
    write_terms(dst, &e.pos)?;
    write_terms(dst, &e.neg)
}

fn read_expr(src: &mut Buffer) -> IoResult<BigExpr> {
    Ok(BigExpr {
        pos: read_terms(src)?,
        neg: read_terms(src)?,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use plonky2::iop::generator::SimpleGenerator;
    use plonky2::plonk::circuit_data::CommonCircuitData;
    use plonky2::util::serialization::Buffer;

    use super::*;
    use crate::gadgets::test_util::builder;
    use crate::{C, D, F};

    /// Common data of a tiny circuit (generators' (de)serializers ignore it).
    pub(crate) fn common() -> CommonCircuitData<F, D> {
        let mut b = builder();
        let t = b.add_virtual_target();
        b.register_public_input(t);
        b.build::<C>().common
    }

    /// Serializes `g`, reads it back and compares the two (by their `Debug` form).
    pub(crate) fn roundtrip<G: SimpleGenerator<F, D> + std::fmt::Debug>(g: &G) {
        let common = common();
        let mut bytes = vec![];
        g.serialize(&mut bytes, &common).unwrap();
        let back = G::deserialize(&mut Buffer::new(&bytes), &common).unwrap();
        assert_eq!(format!("{g:?}"), format!("{back:?}"));
    }

    #[test]
    fn generators_serialize_roundtrip() {
        let t = |i| Target::VirtualTarget { index: i };
        let op = |i: usize| Operand {
            limbs: vec![t(i), t(i + 1)],
            max_limb: LIMB_MAX,
        };
        let expr = BigExpr {
            pos: vec![Term::Prod(op(0), op(2)), Term::Const(modulus() - 1u32)],
            neg: vec![Term::Scaled(BigUint::from(12345u32) << 200, op(4))],
        };
        roundtrip(&QuotientGenerator {
            expr,
            offset: BigUint::from(7u32),
            rem: vec![t(10), t(11)],
            quot: vec![t(12)],
        });
        roundtrip(&CarryGenerator {
            cols: vec![t(1), t(2), t(3)],
            carries: vec![t(4), t(5)],
        });
    }
}
