//! Goldilocks field arithmetic (`p = 2^64 − 2^32 + 1`) inside an R1CS over BN254's scalar
//! field `Fr`, with lazy reduction.
//!
//! A [`GoldilocksVar`] is an `FpVar<Fr>` holding a non-negative integer `x < 2^bits` that
//! represents `x mod p`. Additions and multiplications are done on the integers in `Fr`
//! (which has 254 bits, so no wrap-around as long as `bits ≤ MAX_BITS`) and cost at most one
//! constraint; a value is reduced (`x = q·p + r`, `r` range-checked **< p**, `q` range-checked
//! to `bits − 63` bits) only when its bound would overflow, when a canonical value is needed
//! (bits, hashing, public outputs) or when two values are compared.
//!
//! Invariant kept by every constructor: the integer in `v` is in `[0, 2^bits)` for every
//! satisfying assignment, and `bits ≤ MAX_BITS`. A value with `canonical == true` is `< p`.

use ark_bn254::Fr;
use ark_ff::{BigInteger, Field as _, PrimeField};
use ark_r1cs_std::{
    alloc::AllocVar,
    boolean::Boolean,
    eq::EqGadget,
    fields::{fp::FpVar, FieldVar},
    R1CSVar,
};
use ark_relations::r1cs::{ConstraintSystemRef, SynthesisError};
use num_bigint::BigUint;
use plonky2::field::{
    goldilocks_field::GoldilocksField,
    types::{Field, PrimeField64},
};

/// The Goldilocks modulus.
pub const P: u64 = 0xFFFF_FFFF_0000_0001;
/// Largest bit bound a lazily-reduced value may carry. With `x < 2^MAX_BITS`, `q < 2^(MAX_BITS−63)`
/// and `q·p + r < 2^(MAX_BITS+1) < r_BN254`, so the reduction equation cannot wrap in `Fr`.
pub const MAX_BITS: u32 = 250;

/// Native Goldilocks element used as the witness type.
pub type GF = GoldilocksField;

/// A Goldilocks element in R1CS, possibly not yet reduced (see module docs).
#[derive(Clone, Debug)]
pub struct GoldilocksVar {
    v: FpVar<Fr>,
    bits: u32,
    canonical: bool,
}

fn fr_to_biguint(x: Fr) -> BigUint {
    BigUint::from_bytes_le(&x.into_bigint().to_bytes_le())
}

fn biguint_to_fr(x: &BigUint) -> Fr {
    Fr::from_le_bytes_mod_order(&x.to_bytes_le())
}

fn bitlen_u64(x: u64) -> u32 {
    64 - x.leading_zeros()
}

/// Allocates `n` witness booleans (little-endian) holding `value`'s low `n` bits and returns
/// them with their linear recombination. Costs `n` constraints.
fn alloc_bits(
    cs: &ConstraintSystemRef<Fr>,
    value: Option<&BigUint>,
    n: u32,
) -> Result<(Vec<Boolean<Fr>>, FpVar<Fr>), SynthesisError> {
    let mut bits = Vec::with_capacity(n as usize);
    for i in 0..n {
        let b = Boolean::new_witness(cs.clone(), || {
            value
                .map(|v| v.bit(i as u64))
                .ok_or(SynthesisError::AssignmentMissing)
        })?;
        bits.push(b);
    }
    let fp = if bits.is_empty() {
        FpVar::zero()
    } else {
        Boolean::le_bits_to_fp(&bits)?
    };
    Ok((bits, fp))
}

/// Enforces that the 64 little-endian `bits` encode a value `< p`: not (high half all ones and
/// low half nonzero). Costs 3 constraints.
fn enforce_bits_lt_p(bits: &[Boolean<Fr>]) -> Result<(), SynthesisError> {
    debug_assert_eq!(bits.len(), 64);
    let lo = Boolean::le_bits_to_fp(&bits[..32])?;
    let hi = Boolean::le_bits_to_fp(&bits[32..])?;
    let d = hi - FpVar::constant(Fr::from(u32::MAX as u64));
    let cs = bits.cs();
    if cs.is_none() {
        // All constant: check natively.
        let ok = d.value()? != Fr::from(0u8) || lo.value()? == Fr::from(0u8);
        return if ok {
            Ok(())
        } else {
            Err(SynthesisError::Unsatisfiable)
        };
    }
    // z = [d == 0]: d·inv = 1 − z and d·z = 0 force z = 1 iff d = 0. Then z·lo = 0.
    let dv = d.value().ok();
    let inv = FpVar::new_witness(cs.clone(), || {
        let d = dv.ok_or(SynthesisError::AssignmentMissing)?;
        Ok(d.inverse().unwrap_or(Fr::from(0u8)))
    })?;
    let z = FpVar::new_witness(cs, || {
        let d = dv.ok_or(SynthesisError::AssignmentMissing)?;
        Ok(if d == Fr::from(0u8) {
            Fr::from(1u8)
        } else {
            Fr::from(0u8)
        })
    })?;
    d.mul_equals(&inv, &(FpVar::one() - &z))?;
    d.mul_equals(&z, &FpVar::zero())?;
    z.mul_equals(&lo, &FpVar::zero())
}

impl GoldilocksVar {
    /// A constant (no constraints).
    pub fn constant(x: GF) -> Self {
        let x = x.to_canonical_u64();
        Self {
            v: FpVar::constant(Fr::from(x)),
            bits: bitlen_u64(x),
            canonical: true,
        }
    }

    /// Zero.
    pub fn zero() -> Self {
        Self::constant(GF::ZERO)
    }

    /// One.
    pub fn one() -> Self {
        Self::constant(GF::ONE)
    }

    /// Allocates a witness and range-checks it canonical (`< p`): 67 constraints.
    pub fn new_witness(
        cs: ConstraintSystemRef<Fr>,
        f: impl FnOnce() -> Result<GF, SynthesisError>,
    ) -> Result<Self, SynthesisError> {
        let value = if cs.is_in_setup_mode() {
            None
        } else {
            Some(BigUint::from(f()?.to_canonical_u64()))
        };
        let (bits, fp) = alloc_bits(&cs, value.as_ref(), 64)?;
        enforce_bits_lt_p(&bits)?;
        Ok(Self {
            v: fp,
            bits: 64,
            canonical: true,
        })
    }

    /// Allocates a witness and returns it with its 64 little-endian bits (canonical).
    pub fn new_witness_with_bits(
        cs: ConstraintSystemRef<Fr>,
        f: impl FnOnce() -> Result<GF, SynthesisError>,
    ) -> Result<(Self, Vec<Boolean<Fr>>), SynthesisError> {
        let value = if cs.is_in_setup_mode() {
            None
        } else {
            Some(BigUint::from(f()?.to_canonical_u64()))
        };
        let (bits, fp) = alloc_bits(&cs, value.as_ref(), 64)?;
        enforce_bits_lt_p(&bits)?;
        Ok((
            Self {
                v: fp,
                bits: 64,
                canonical: true,
            },
            bits,
        ))
    }

    /// Wraps an `FpVar` that the caller has already constrained to `[0, 2^bits)`.
    /// `canonical` must only be set when the value is also known `< p`.
    pub fn from_fp_unchecked(v: FpVar<Fr>, bits: u32, canonical: bool) -> Self {
        assert!(bits <= MAX_BITS);
        Self { v, bits, canonical }
    }

    /// The underlying integer variable (not reduced unless [`Self::is_canonical`]).
    pub fn fp(&self) -> &FpVar<Fr> {
        &self.v
    }

    /// Current bit bound of the integer held.
    pub fn bits(&self) -> u32 {
        self.bits
    }

    /// Whether the held integer is known to be `< p`.
    pub fn is_canonical(&self) -> bool {
        self.canonical
    }

    /// Whether this is a constant.
    pub fn is_constant(&self) -> bool {
        self.v.is_constant()
    }

    /// The constraint system this variable lives in (none for constants).
    pub fn cs(&self) -> ConstraintSystemRef<Fr> {
        self.v.cs()
    }

    /// The represented Goldilocks value (witness value reduced mod p).
    pub fn value(&self) -> Result<GF, SynthesisError> {
        let x = fr_to_biguint(self.v.value()?);
        let r = x % BigUint::from(P);
        Ok(GF::from_canonical_u64(
            r.to_u64_digits().first().copied().unwrap_or(0),
        ))
    }

    fn integer_value(&self) -> Option<BigUint> {
        self.v.value().ok().map(fr_to_biguint)
    }

    /// Reduces to a canonical value `< p`, returning it with its 64 little-endian bits.
    /// Costs `64 + 3 + (bits − 63) + 1` constraints (none for constants).
    pub fn reduce_with_bits(&self) -> Result<(Self, Vec<Boolean<Fr>>), SynthesisError> {
        if self.is_constant() {
            let c = Self::constant(self.value()?);
            let x = c.value()?.to_canonical_u64();
            let bits = (0..64)
                .map(|i| Boolean::constant((x >> i) & 1 == 1))
                .collect();
            return Ok((c, bits));
        }
        let cs = self.cs();
        let x = self.integer_value();
        let p = BigUint::from(P);
        let (q, r) = match &x {
            Some(x) => (Some(x / &p), Some(x % &p)),
            None => (None, None),
        };
        let (rbits, rfp) = alloc_bits(&cs, r.as_ref(), 64)?;
        enforce_bits_lt_p(&rbits)?;
        let qbits = self.bits.saturating_sub(63);
        let (_, qfp) = alloc_bits(&cs, q.as_ref(), qbits)?;
        // x = q·p + r; no wrap in Fr since q·p + r < 2^(bits+1) ≤ 2^251.
        let rhs = qfp * Fr::from(P) + &rfp;
        self.v.enforce_equal(&rhs)?;
        Ok((
            Self {
                v: rfp,
                bits: 64,
                canonical: true,
            },
            rbits,
        ))
    }

    /// Reduces to a canonical value (no-op when already canonical).
    pub fn reduce(&self) -> Result<Self, SynthesisError> {
        if self.canonical {
            return Ok(self.clone());
        }
        Ok(self.reduce_with_bits()?.0)
    }

    /// 64 little-endian bits of the canonical value.
    pub fn to_bits_le(&self) -> Result<Vec<Boolean<Fr>>, SynthesisError> {
        if self.canonical && !self.is_constant() {
            // Re-decompose the canonical value (cheaper than a full reduction: 64 + 3 + 1).
            let (bits, fp) = alloc_bits(&self.cs(), self.integer_value().as_ref(), 64)?;
            enforce_bits_lt_p(&bits)?;
            fp.enforce_equal(&self.v)?;
            return Ok(bits);
        }
        Ok(self.reduce_with_bits()?.1)
    }

    /// Reduces `self` if its bound exceeds `max_bits`.
    fn shrink_to(&self, max_bits: u32) -> Result<Self, SynthesisError> {
        if self.bits > max_bits {
            self.reduce()
        } else {
            Ok(self.clone())
        }
    }

    /// `self + other` (lazy, no constraint unless a reduction is needed).
    pub fn add(&self, other: &Self) -> Result<Self, SynthesisError> {
        let (a, b) = if self.bits.max(other.bits) + 1 > MAX_BITS {
            (self.reduce()?, other.reduce()?)
        } else {
            (self.clone(), other.clone())
        };
        Ok(Self {
            v: &a.v + &b.v,
            bits: a.bits.max(b.bits) + 1,
            canonical: false,
        })
    }

    /// Sum of many values (lazy).
    pub fn sum(items: &[Self]) -> Result<Self, SynthesisError> {
        let mut acc = Self::zero();
        for it in items {
            acc = acc.add(it)?;
        }
        Ok(acc)
    }

    /// `−self`, as `k·p − self` with `k·p ≥ 2^bits` (lazy).
    pub fn neg(&self) -> Result<Self, SynthesisError> {
        if self.is_constant() {
            return Ok(Self::constant(-self.value()?));
        }
        let a = self.shrink_to(MAX_BITS - 1)?;
        // k = 2^(bits−63) ≥ 2^bits / p since p > 2^63; k·p < 2^(bits+1).
        let k = BigUint::from(1u8) << a.bits.saturating_sub(63);
        let kp = biguint_to_fr(&(k * BigUint::from(P)));
        Ok(Self {
            v: FpVar::constant(kp) - &a.v,
            bits: a.bits.max(64) + 1,
            canonical: false,
        })
    }

    /// `self − other` (lazy).
    pub fn sub(&self, other: &Self) -> Result<Self, SynthesisError> {
        self.add(&other.neg()?)
    }

    /// `self · other` (lazy: one constraint, reductions only when the bound would overflow).
    pub fn mul(&self, other: &Self) -> Result<Self, SynthesisError> {
        let mut a = self.clone();
        let mut b = other.clone();
        while a.bits + b.bits > MAX_BITS {
            if a.bits >= b.bits && !a.canonical {
                a = a.reduce()?;
            } else if !b.canonical {
                b = b.reduce()?;
            } else {
                a = a.reduce()?;
            }
        }
        let bits = if a.is_constant() {
            let c = a.value()?.to_canonical_u64();
            if c == 0 {
                return Ok(Self::zero());
            }
            bitlen_u64(c) + b.bits
        } else if b.is_constant() {
            let c = b.value()?.to_canonical_u64();
            if c == 0 {
                return Ok(Self::zero());
            }
            bitlen_u64(c) + a.bits
        } else {
            a.bits + b.bits
        };
        Ok(Self {
            v: &a.v * &b.v,
            bits,
            canonical: false,
        })
    }

    /// `self · c` for a constant `c` (no constraint).
    pub fn mul_const(&self, c: GF) -> Result<Self, SynthesisError> {
        self.mul(&Self::constant(c))
    }

    /// `self + c` for a constant `c`.
    pub fn add_const(&self, c: GF) -> Result<Self, SynthesisError> {
        self.add(&Self::constant(c))
    }

    /// `self²` (lazy).
    pub fn square(&self) -> Result<Self, SynthesisError> {
        self.mul(self)
    }

    /// Enforces `self ≡ other (mod p)` without reducing either: `self − other + k·p = q·p`
    /// with `q` range-checked. Costs `bits − 62` constraints (1 when both are canonical).
    pub fn enforce_equal(&self, other: &Self) -> Result<(), SynthesisError> {
        if self.is_constant() && other.is_constant() {
            return if self.value()? == other.value()? {
                Ok(())
            } else {
                Err(SynthesisError::Unsatisfiable)
            };
        }
        if self.canonical && other.canonical {
            return self.v.enforce_equal(&other.v);
        }
        let d = self.sub(other)?; // non-negative integer ≡ self − other
        let cs = d.cs();
        let x = d.integer_value();
        let p = BigUint::from(P);
        let q = x.as_ref().map(|x| x / &p);
        let qbits = d.bits.saturating_sub(63);
        let (_, qfp) = alloc_bits(&cs, q.as_ref(), qbits)?;
        d.v.enforce_equal(&(qfp * Fr::from(P)))
    }

    /// Enforces `self ≡ 0 (mod p)`.
    pub fn enforce_zero(&self) -> Result<(), SynthesisError> {
        self.enforce_equal(&Self::zero())
    }

    /// `if b { x } else { y }` (one constraint; the result keeps the larger bound).
    pub fn select(b: &Boolean<Fr>, x: &Self, y: &Self) -> Result<Self, SynthesisError> {
        let v = FpVar::from(b.clone()) * (&x.v - &y.v) + &y.v;
        Ok(Self {
            v,
            bits: x.bits.max(y.bits),
            canonical: x.canonical && y.canonical,
        })
    }

    /// Multiplicative inverse: hint `inv` (canonical witness) with `self · inv ≡ 1`.
    /// Unsatisfiable when `self ≡ 0`.
    pub fn inverse(&self) -> Result<Self, SynthesisError> {
        if self.is_constant() {
            let v = self.value()?;
            return v
                .try_inverse()
                .map(Self::constant)
                .ok_or(SynthesisError::Unsatisfiable);
        }
        let inv = Self::new_witness(self.cs(), || {
            Ok(self.value()?.try_inverse().unwrap_or(GF::ZERO))
        })?;
        self.mul(&inv)?.enforce_equal(&Self::one())?;
        Ok(inv)
    }

    /// `self / other` as `self · other⁻¹`: unsatisfiable whenever `other ≡ 0`, also for
    /// `0 / 0` (a hinted quotient checked by `other · d ≡ self` would accept any `d` there).
    pub fn div(&self, other: &Self) -> Result<Self, SynthesisError> {
        self.mul(&other.inverse()?)
    }

    /// `self^e` for a constant exponent (square-and-multiply, lazy).
    pub fn pow_const(&self, e: u64) -> Result<Self, SynthesisError> {
        let mut acc = Self::one();
        let mut base = self.clone();
        let mut e = e;
        let mut first = true;
        while e > 0 {
            if e & 1 == 1 {
                acc = if first { base.clone() } else { acc.mul(&base)? };
                first = false;
            }
            e >>= 1;
            if e > 0 {
                base = base.reduce()?.square()?;
            }
        }
        Ok(acc)
    }

    /// `self^e` where `e` is given by little-endian bits (one select and mul per bit).
    pub fn pow_bits(&self, bits: &[Boolean<Fr>]) -> Result<Self, SynthesisError> {
        let mut acc = Self::one();
        let mut base = self.reduce()?;
        for (i, b) in bits.iter().enumerate() {
            let factor = Self::select(b, &base, &Self::one())?;
            acc = acc.reduce()?.mul(&factor)?;
            if i + 1 < bits.len() {
                base = base.square()?.reduce()?;
            }
        }
        Ok(acc)
    }

    /// `Σ bits[i]·2^i` for at most 63 bits: a canonical value with no constraint.
    pub fn from_bits_le(bits: &[Boolean<Fr>]) -> Result<Self, SynthesisError> {
        assert!(bits.len() <= 63);
        let v = if bits.is_empty() {
            FpVar::zero()
        } else {
            Boolean::le_bits_to_fp(bits)?
        };
        Ok(Self {
            v,
            bits: bits.len() as u32,
            canonical: true,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_relations::r1cs::ConstraintSystem;
    use plonky2::field::types::Sample;

    fn w(cs: &ConstraintSystemRef<Fr>, x: GF) -> GoldilocksVar {
        GoldilocksVar::new_witness(cs.clone(), || Ok(x)).unwrap()
    }

    #[test]
    fn arithmetic_matches_plonky2() {
        let cs = ConstraintSystem::<Fr>::new_ref();
        for _ in 0..20 {
            let (a, b, c) = (GF::rand(), GF::rand(), GF::rand());
            let (va, vb, vc) = (w(&cs, a), w(&cs, b), w(&cs, c));
            // a·b + c − a, lazily, then several more products stacked.
            let e = va.mul(&vb).unwrap().add(&vc).unwrap().sub(&va).unwrap();
            assert_eq!(e.value().unwrap(), a * b + c - a);
            let mut acc = e.clone();
            let mut nat = a * b + c - a;
            for _ in 0..6 {
                acc = acc.mul(&vb).unwrap().mul(&va).unwrap();
                nat = nat * b * a;
            }
            let red = acc.reduce().unwrap();
            assert_eq!(red.value().unwrap(), nat);
            red.enforce_equal(&GoldilocksVar::constant(nat)).unwrap();
            acc.enforce_equal(&GoldilocksVar::constant(nat)).unwrap();
            let inv = va.inverse().unwrap();
            assert_eq!(inv.value().unwrap(), a.inverse());
            let q = vb.div(&va).unwrap();
            assert_eq!(q.value().unwrap(), b / a);
            assert_eq!(va.neg().unwrap().value().unwrap(), -a);
            let e = 0xDEAD_BEEF_1234_5678u64;
            assert_eq!(va.pow_const(e).unwrap().value().unwrap(), a.exp_u64(e));
            let bits: Vec<_> = (0..20)
                .map(|i| Boolean::new_witness(cs.clone(), || Ok((e >> i) & 1 == 1)).unwrap())
                .collect();
            assert_eq!(
                va.pow_bits(&bits).unwrap().value().unwrap(),
                a.exp_u64(e & 0xFFFFF)
            );
            let sbits = va.to_bits_le().unwrap();
            let back: u64 = sbits
                .iter()
                .enumerate()
                .map(|(i, b)| (b.value().unwrap() as u64) << i)
                .sum();
            assert_eq!(back, a.to_canonical_u64());
            let s = GoldilocksVar::select(&Boolean::TRUE, &va, &vb).unwrap();
            assert_eq!(s.value().unwrap(), a);
        }
        // Edge values.
        let m = w(&cs, GF::NEG_ONE);
        let sq = m.square().unwrap().reduce().unwrap();
        assert_eq!(sq.value().unwrap(), GF::ONE);
        assert!(cs.is_satisfied().unwrap());
    }

    /// `0 / 0` has no quotient: a hinted `d` checked by `0 · d ≡ 0` would accept any `d`, so
    /// division goes through the inverse, which does not exist.
    #[test]
    fn division_by_zero_unsatisfiable_even_zero_over_zero() {
        for num in [GF::ZERO, GF::rand()] {
            let cs = ConstraintSystem::<Fr>::new_ref();
            let vn = GoldilocksVar::new_witness(cs.clone(), || Ok(num)).unwrap();
            let vz = GoldilocksVar::new_witness(cs.clone(), || Ok(GF::ZERO)).unwrap();
            let _ = vn.div(&vz).unwrap();
            assert!(!cs.is_satisfied().unwrap(), "{num} / 0 accepted");
        }
    }

    #[test]
    fn wrong_equality_rejected() {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let a = w(&cs, GF::from_canonical_u64(5));
        let b = w(&cs, GF::from_canonical_u64(7));
        a.mul(&b)
            .unwrap()
            .enforce_equal(&GoldilocksVar::constant(GF::from_canonical_u64(36)))
            .unwrap();
        assert!(!cs.is_satisfied().unwrap());
    }

    /// Builds `x = a·b` reduced with a hand-chosen (q, r) witness and returns satisfiability.
    fn reduction_with_witness(a: u64, b: u64, q: BigUint, r: BigUint) -> bool {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let va = w(&cs, GF::from_canonical_u64(a));
        let vb = w(&cs, GF::from_canonical_u64(b));
        let x = va.mul(&vb).unwrap();
        // Same constraints as `reduce_with_bits`, but with a malicious witness.
        let (rbits, rfp) = alloc_bits(&cs, Some(&r), 64).unwrap();
        enforce_bits_lt_p(&rbits).unwrap();
        let (_, qfp) = alloc_bits(&cs, Some(&q), x.bits - 63).unwrap();
        x.v.enforce_equal(&(qfp * Fr::from(P) + &rfp)).unwrap();
        cs.is_satisfied().unwrap()
    }

    #[test]
    fn non_canonical_remainder_rejected() {
        // x = a·b with x mod p small, so r + p < 2^64 also satisfies the integer equation.
        let a = P - 1;
        let b = P - 1; // x = (p−1)^2 ≡ 1
        let x = BigUint::from(a) * BigUint::from(b);
        let p = BigUint::from(P);
        let (q, r) = (&x / &p, &x % &p);
        assert!(reduction_with_witness(a, b, q.clone(), r.clone()));
        assert!(&r + &p < (BigUint::from(1u8) << 64));
        // r + p, q − 1: integer equation holds, r ≥ p must be rejected.
        assert!(!reduction_with_witness(a, b, q - 1u8, r + p));
    }

    #[test]
    fn wrong_quotient_rejected() {
        let a = 0x1234_5678_9ABC_DEF0u64;
        let b = 0x0FED_CBA9_8765_4321u64;
        let x = BigUint::from(a) * BigUint::from(b);
        let p = BigUint::from(P);
        let (q, r) = (&x / &p, &x % &p);
        // Wrong quotient with the right remainder, and a remainder forged to a wrong value.
        assert!(!reduction_with_witness(a, b, &q + 1u8, r.clone()));
        assert!(!reduction_with_witness(a, b, q.clone(), (&r + 1u8) % &p));
        // A canonical witness forged at allocation is also rejected (value ≥ p).
        let cs = ConstraintSystem::<Fr>::new_ref();
        let (bits, _) = alloc_bits(&cs, Some(&BigUint::from(P)), 64).unwrap();
        enforce_bits_lt_p(&bits).unwrap();
        assert!(!cs.is_satisfied().unwrap());
    }

    #[test]
    fn wrong_inverse_hint_rejected() {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let a = w(&cs, GF::from_canonical_u64(3));
        let bad = w(&cs, GF::from_canonical_u64(5));
        a.mul(&bad)
            .unwrap()
            .enforce_equal(&GoldilocksVar::one())
            .unwrap();
        assert!(!cs.is_satisfied().unwrap());
        // Inverse of zero is unsatisfiable.
        let cs = ConstraintSystem::<Fr>::new_ref();
        let z = w(&cs, GF::ZERO);
        let _ = z.inverse().unwrap();
        assert!(!cs.is_satisfied().unwrap());
    }

    #[test]
    fn constraint_costs() {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let a = w(&cs, GF::rand());
        let b = w(&cs, GF::rand());
        let n0 = cs.num_constraints();
        let m = a.mul(&b).unwrap();
        assert_eq!(cs.num_constraints() - n0, 1);
        let n1 = cs.num_constraints();
        let _ = m.reduce().unwrap();
        // 64 bits + 3 (< p) + 65 quotient bits + 1 equation.
        assert_eq!(cs.num_constraints() - n1, 64 + 3 + 65 + 1);
        let n2 = cs.num_constraints();
        m.enforce_equal(&a).unwrap();
        assert!(cs.num_constraints() - n2 <= 68);
    }
}
