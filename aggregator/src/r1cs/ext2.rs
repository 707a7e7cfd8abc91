//! plonky2's quadratic extension `GF(p^2) = GF(p)[X]/(X^2 − 7)` in R1CS, built on the lazily
//! reduced [`GoldilocksVar`]. Invariant: both coordinates keep the [`GoldilocksVar`] invariant.

use super::goldilocks::{GoldilocksVar, GF};
use ark_bn254::Fr;
use ark_r1cs_std::boolean::Boolean;
use ark_relations::r1cs::{ConstraintSystemRef, SynthesisError};
use plonky2::field::{
    extension::{quadratic::QuadraticExtension, Extendable, FieldExtension},
    types::Field,
};

/// Native quadratic extension element.
pub type GF2 = QuadraticExtension<GF>;

/// `W` in `X^2 = W`.
pub const W: u64 = <GF as Extendable<2>>::W.0;

/// An element `c0 + c1·X` of `GF(p^2)` in R1CS.
#[derive(Clone, Debug)]
pub struct Ext2Var(pub [GoldilocksVar; 2]);

impl Ext2Var {
    /// A constant.
    pub fn constant(x: GF2) -> Self {
        let [a, b] = <GF2 as FieldExtension<2>>::to_basefield_array(&x);
        Self([GoldilocksVar::constant(a), GoldilocksVar::constant(b)])
    }

    /// Zero.
    pub fn zero() -> Self {
        Self::constant(GF2::ZERO)
    }

    /// One.
    pub fn one() -> Self {
        Self::constant(GF2::ONE)
    }

    /// Embeds a base-field element.
    pub fn from_base(x: &GoldilocksVar) -> Self {
        Self([x.clone(), GoldilocksVar::zero()])
    }

    /// Allocates a canonical witness (two range-checked coordinates).
    pub fn new_witness(
        cs: ConstraintSystemRef<Fr>,
        f: impl FnOnce() -> Result<GF2, SynthesisError>,
    ) -> Result<Self, SynthesisError> {
        let v = if cs.is_in_setup_mode() {
            None
        } else {
            Some(<GF2 as FieldExtension<2>>::to_basefield_array(&f()?))
        };
        let a = GoldilocksVar::new_witness(cs.clone(), || {
            v.map(|v| v[0]).ok_or(SynthesisError::AssignmentMissing)
        })?;
        let b = GoldilocksVar::new_witness(cs, || {
            v.map(|v| v[1]).ok_or(SynthesisError::AssignmentMissing)
        })?;
        Ok(Self([a, b]))
    }

    /// The represented value.
    pub fn value(&self) -> Result<GF2, SynthesisError> {
        Ok(GF2::from_basefield_array([
            self.0[0].value()?,
            self.0[1].value()?,
        ]))
    }

    /// Both coordinates reduced canonical.
    pub fn reduce(&self) -> Result<Self, SynthesisError> {
        Ok(Self([self.0[0].reduce()?, self.0[1].reduce()?]))
    }

    /// `self + other` (lazy).
    pub fn add(&self, other: &Self) -> Result<Self, SynthesisError> {
        Ok(Self([
            self.0[0].add(&other.0[0])?,
            self.0[1].add(&other.0[1])?,
        ]))
    }

    /// `self − other` (lazy).
    pub fn sub(&self, other: &Self) -> Result<Self, SynthesisError> {
        Ok(Self([
            self.0[0].sub(&other.0[0])?,
            self.0[1].sub(&other.0[1])?,
        ]))
    }

    /// `−self` (lazy).
    pub fn neg(&self) -> Result<Self, SynthesisError> {
        Ok(Self([self.0[0].neg()?, self.0[1].neg()?]))
    }

    /// `self · other` (lazy: 4 base products, at most 4 constraints).
    pub fn mul(&self, other: &Self) -> Result<Self, SynthesisError> {
        let [a0, a1] = &self.0;
        let [b0, b1] = &other.0;
        let c0 = a0
            .mul(b0)?
            .add(&a1.mul(b1)?.mul_const(GF::from_canonical_u64(W))?)?;
        let c1 = a0.mul(b1)?.add(&a1.mul(b0)?)?;
        Ok(Self([c0, c1]))
    }

    /// `self²` (lazy).
    pub fn square(&self) -> Result<Self, SynthesisError> {
        self.mul(self)
    }

    /// `self · s` for a base-field `s` (lazy).
    pub fn scalar_mul(&self, s: &GoldilocksVar) -> Result<Self, SynthesisError> {
        Ok(Self([self.0[0].mul(s)?, self.0[1].mul(s)?]))
    }

    /// `self · c` for a constant `c`.
    pub fn mul_const(&self, c: GF2) -> Result<Self, SynthesisError> {
        self.mul(&Self::constant(c))
    }

    /// Enforces equality mod p coordinate-wise.
    pub fn enforce_equal(&self, other: &Self) -> Result<(), SynthesisError> {
        self.0[0].enforce_equal(&other.0[0])?;
        self.0[1].enforce_equal(&other.0[1])
    }

    /// `if b { x } else { y }`.
    pub fn select(b: &Boolean<Fr>, x: &Self, y: &Self) -> Result<Self, SynthesisError> {
        Ok(Self([
            GoldilocksVar::select(b, &x.0[0], &y.0[0])?,
            GoldilocksVar::select(b, &x.0[1], &y.0[1])?,
        ]))
    }

    fn cs(&self) -> ConstraintSystemRef<Fr> {
        self.0[0].cs().or(self.0[1].cs())
    }

    fn is_constant(&self) -> bool {
        self.0[0].is_constant() && self.0[1].is_constant()
    }

    /// `self / other` as `self · other⁻¹`: unsatisfiable whenever `other = 0`, also for
    /// `0 / 0` (a hinted quotient checked by `other · d = self` would accept any `d` there).
    pub fn div(&self, other: &Self) -> Result<Self, SynthesisError> {
        self.mul(&other.inverse()?)
    }

    /// Multiplicative inverse: hint `inv` (canonical witness) with `self · inv = 1`;
    /// unsatisfiable for 0.
    pub fn inverse(&self) -> Result<Self, SynthesisError> {
        if self.is_constant() {
            let inv = self
                .value()?
                .try_inverse()
                .ok_or(SynthesisError::Unsatisfiable)?;
            return Ok(Self::constant(inv));
        }
        let inv = Self::new_witness(self.cs(), || {
            Ok(self.value()?.try_inverse().unwrap_or(GF2::ZERO))
        })?;
        self.mul(&inv)?.enforce_equal(&Self::one())?;
        Ok(inv)
    }

    /// `self^(2^k)` by `k` squarings.
    pub fn exp_power_of_2(&self, k: usize) -> Result<Self, SynthesisError> {
        let mut x = self.clone();
        for _ in 0..k {
            x = x.reduce()?.square()?;
        }
        Ok(x)
    }

    /// `self^e` for a constant `e`.
    pub fn pow_const(&self, e: u64) -> Result<Self, SynthesisError> {
        let mut acc = Self::one();
        let mut base = self.clone();
        let mut e = e;
        let mut first = true;
        while e > 0 {
            if e & 1 == 1 {
                acc = if first {
                    base.clone()
                } else {
                    acc.reduce()?.mul(&base)?
                };
                first = false;
            }
            e >>= 1;
            if e > 0 {
                base = base.reduce()?.square()?;
            }
        }
        Ok(acc)
    }

    /// `Σ terms` (lazy).
    pub fn sum(terms: &[Self]) -> Result<Self, SynthesisError> {
        let mut acc = Self::zero();
        for t in terms {
            acc = acc.add(t)?;
        }
        Ok(acc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_relations::r1cs::ConstraintSystem;
    use plonky2::field::types::Sample;

    #[test]
    fn ext_arithmetic_matches_plonky2() {
        let cs = ConstraintSystem::<Fr>::new_ref();
        for _ in 0..10 {
            let (a, b, s) = (GF2::rand(), GF2::rand(), GF::rand());
            let va = Ext2Var::new_witness(cs.clone(), || Ok(a)).unwrap();
            let vb = Ext2Var::new_witness(cs.clone(), || Ok(b)).unwrap();
            let vs = GoldilocksVar::new_witness(cs.clone(), || Ok(s)).unwrap();
            let e = va.mul(&vb).unwrap().add(&va).unwrap().sub(&vb).unwrap();
            assert_eq!(e.value().unwrap(), a * b + a - b);
            let mut acc = e.clone();
            let mut nat = a * b + a - b;
            for _ in 0..5 {
                acc = acc.mul(&va).unwrap().scalar_mul(&vs).unwrap();
                nat = nat * a * <GF2 as FieldExtension<2>>::from_basefield(s);
            }
            assert_eq!(acc.reduce().unwrap().value().unwrap(), nat);
            acc.enforce_equal(&Ext2Var::constant(nat)).unwrap();
            assert_eq!(va.inverse().unwrap().value().unwrap(), a.inverse());
            assert_eq!(va.div(&vb).unwrap().value().unwrap(), a / b);
            assert_eq!(va.neg().unwrap().value().unwrap(), -a);
            assert_eq!(
                va.pow_const(123_456_789).unwrap().value().unwrap(),
                a.exp_u64(123_456_789)
            );
            assert_eq!(
                va.exp_power_of_2(5).unwrap().value().unwrap(),
                a.exp_power_of_2(5)
            );
        }
        assert!(cs.is_satisfied().unwrap());
    }

    /// `0 / 0` has no quotient: a hinted `d` checked by `0 · d = 0` would accept any `d`, so
    /// division goes through the inverse, which does not exist.
    #[test]
    fn division_by_zero_unsatisfiable_even_zero_over_zero() {
        for num in [GF2::ZERO, GF2::rand()] {
            let cs = ConstraintSystem::<Fr>::new_ref();
            let vn = Ext2Var::new_witness(cs.clone(), || Ok(num)).unwrap();
            let vz = Ext2Var::new_witness(cs.clone(), || Ok(GF2::ZERO)).unwrap();
            let _ = vn.div(&vz).unwrap();
            assert!(!cs.is_satisfied().unwrap(), "{num} / 0 accepted");
        }
        // A nonzero divisor is fine, and the quotient is the field's.
        let cs = ConstraintSystem::<Fr>::new_ref();
        let (a, b) = (GF2::rand(), GF2::rand());
        let va = Ext2Var::new_witness(cs.clone(), || Ok(a)).unwrap();
        let vb = Ext2Var::new_witness(cs.clone(), || Ok(b)).unwrap();
        let q = va.div(&vb).unwrap();
        q.enforce_equal(&Ext2Var::constant(a / b)).unwrap();
        assert!(cs.is_satisfied().unwrap());
    }

    #[test]
    fn wrong_ext_product_rejected() {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let (a, b) = (GF2::rand(), GF2::rand());
        let va = Ext2Var::new_witness(cs.clone(), || Ok(a)).unwrap();
        let vb = Ext2Var::new_witness(cs.clone(), || Ok(b)).unwrap();
        // A wrong quotient hint: enforce va·vb = a·b + 1.
        va.mul(&vb)
            .unwrap()
            .enforce_equal(&Ext2Var::constant(a * b + GF2::ONE))
            .unwrap();
        assert!(!cs.is_satisfied().unwrap());
    }

    #[test]
    fn ext_mul_cost() {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let va = Ext2Var::new_witness(cs.clone(), || Ok(GF2::rand())).unwrap();
        let vb = Ext2Var::new_witness(cs.clone(), || Ok(GF2::rand())).unwrap();
        let n0 = cs.num_constraints();
        let m = va.mul(&vb).unwrap();
        assert_eq!(cs.num_constraints() - n0, 4);
        let n1 = cs.num_constraints();
        m.reduce().unwrap();
        // Two reductions of ≤ 132-bit values: 2 · (64 + 3 + 69 + 1).
        assert!(cs.num_constraints() - n1 <= 2 * 137);
    }
}
