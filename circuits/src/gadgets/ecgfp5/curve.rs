//! The ECgFp5 group in circuits, twin of [`crate::ecgfp5::curve`].
//!
//! A [`PointTarget`] is a group element other than the neutral one, as affine short
//! Weierstrass coordinates `(X, Y)` on `Y² = X³ + A·X + B`, in the order-`n` subgroup. Every
//! gadget returning a `PointTarget` keeps that invariant:
//! - [`ec_decode`](CircuitBuilderEcGFp5::ec_decode) proves that `(X, Y)` is on the curve, on
//!   the line `Y = w·(a/3 − X)` of the encoding, and in the subgroup (`X − a/3` is a non-zero
//!   square, witnessed by its root). Exactly one subgroup point lies on that line for a valid
//!   `w`, so this is the native decoding; an invalid `w` (or `w = 0`, the neutral element)
//!   makes the circuit unsatisfiable.
//! - [`ec_add`](CircuitBuilderEcGFp5::ec_add) uses the affine chord formula and *requires*
//!   `X₁ ≠ X₂` (proving fails otherwise; it checks the constant coefficient of `X₂ − X₁` is
//!   invertible, which also rejects the ~2^-64 fraction of honest sums where it is zero): callers arrange that `P = ±Q` cannot occur (see
//!   `gadgets::schnorr`). Without this check `P = Q` would leave the slope free.
//! - [`ec_double`](CircuitBuilderEcGFp5::ec_double): subgroup points have `Y ≠ 0` (odd
//!   order), so the tangent slope is determined.

use anyhow::Result;
use plonky2::field::types::Field;
use plonky2::iop::generator::{GeneratedValues, SimpleGenerator};
use plonky2::iop::target::Target;
use plonky2::iop::witness::{PartitionWitness, WitnessWrite};
use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::circuit_data::CommonCircuitData;
use plonky2::util::serialization::{Buffer, IoResult, Read, Write};

use super::field::{get_fp5, CircuitBuilderFp5, Fp5Target};
use crate::ecgfp5::field::{coeffs, sqrt};
use crate::ecgfp5::{Fp5, Point};
use crate::{D, F};

/// A non-neutral ECgFp5 group element in a circuit (affine Weierstrass `(X, Y)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PointTarget {
    /// `X`.
    pub x: Fp5Target,
    /// `Y`.
    pub y: Fp5Target,
}

/// ECgFp5 group operations on a [`CircuitBuilder`].
pub trait CircuitBuilderEcGFp5 {
    /// A constant point. Panics on the neutral element (a programming error: the circuit
    /// representation has no neutral element).
    fn ec_constant(&mut self, p: &Point) -> PointTarget;
    /// Decodes `w`, proving validity (see the module documentation).
    fn ec_decode(&mut self, w: Fp5Target) -> PointTarget;
    /// The canonical encoding `w = Y / (a/3 − X)` (never `0`).
    fn ec_encode(&mut self, p: PointTarget) -> Fp5Target;
    /// `p + q`; proving fails if `X_p = X_q` (`p = ±q`).
    fn ec_add(&mut self, p: PointTarget, q: PointTarget) -> PointTarget;
    /// `2·p`.
    fn ec_double(&mut self, p: PointTarget) -> PointTarget;
    /// `table[index]`; `index` is range-checked to `[0, 16)` by the random-access gate.
    fn ec_lookup16(&mut self, index: Target, table: &[PointTarget; 16]) -> PointTarget;
}

impl CircuitBuilderEcGFp5 for CircuitBuilder<F, D> {
    fn ec_constant(&mut self, p: &Point) -> PointTarget {
        let (x, y) = p
            .weierstrass_xy()
            .expect("constant points are never the neutral element");
        PointTarget {
            x: self.fp5_constant(x),
            y: self.fp5_constant(y),
        }
    }

    fn ec_decode(&mut self, w: Fp5Target) -> PointTarget {
        let (wa, wb) = Point::weierstrass_ab();
        let x = self.add_virtual_fp5_target();
        let root = self.add_virtual_fp5_target();
        self.add_simple_generator(DecodeGenerator { w, x, root });
        let a3 = self.fp5_constant(Point::a_div_3());
        // u = a/3 − X = −root², root ≠ 0.
        let u = self.fp5_sub(a3, x);
        self.fp5_assert_mul_add_zero(F::ONE, root, root, F::ONE, u);
        self.fp5_assert_nonzero(root);
        // Y = w·u, on the curve: Y² = (X² + A)·X + B.
        let y = self.fp5_mul(w, u);
        let a = self.fp5_constant(wa);
        let b = self.fp5_constant(wb);
        let x2a = self.fp5_mul_add(F::ONE, x, x, F::ONE, a);
        let rhs = self.fp5_mul_add(F::ONE, x2a, x, F::ONE, b);
        self.fp5_assert_mul_add_zero(F::ONE, y, y, F::NEG_ONE, rhs);
        PointTarget { x, y }
    }

    fn ec_encode(&mut self, p: PointTarget) -> Fp5Target {
        // a/3 − X ≠ 0 for subgroup points (X = a/3 forces Y = 0, the point of order 2), so
        // the quotient is determined.
        let a3 = self.fp5_constant(Point::a_div_3());
        let u = self.fp5_sub(a3, p.x);
        self.fp5_div(p.y, u)
    }

    fn ec_add(&mut self, p: PointTarget, q: PointTarget) -> PointTarget {
        let dx = self.fp5_sub(q.x, p.x);
        let dy = self.fp5_sub(q.y, p.y);
        // X_p ≠ X_q, enforced through the constant coefficient (dx = 0 ⇒ dx₀ = 0 ⇒ no
        // inverse). An honest dx with dx₀ = 0 (probability ~2^-64 per addition) would only
        // make proving fail.
        self.inverse(dx.0[0]);
        let lambda = self.fp5_div(dy, dx);
        let sx = self.fp5_add(p.x, q.x);
        let x3 = self.fp5_mul_add(F::ONE, lambda, lambda, F::NEG_ONE, sx);
        let t = self.fp5_sub(p.x, x3);
        let y3 = self.fp5_mul_add(F::ONE, lambda, t, F::NEG_ONE, p.y);
        PointTarget { x: x3, y: y3 }
    }

    fn ec_double(&mut self, p: PointTarget) -> PointTarget {
        let (wa, _) = Point::weierstrass_ab();
        let a = self.fp5_constant(wa);
        let num = self.fp5_mul_add(F::from_canonical_u64(3), p.x, p.x, F::ONE, a);
        let lambda = self.fp5_div_scaled(num, p.y, F::TWO);
        let x3 = self.fp5_mul_add(F::ONE, lambda, lambda, -F::TWO, p.x);
        let t = self.fp5_sub(p.x, x3);
        let y3 = self.fp5_mul_add(F::ONE, lambda, t, F::NEG_ONE, p.y);
        PointTarget { x: x3, y: y3 }
    }

    fn ec_lookup16(&mut self, index: Target, table: &[PointTarget; 16]) -> PointTarget {
        let mut pick = |f: &dyn Fn(&PointTarget) -> Fp5Target| {
            Fp5Target(std::array::from_fn(|i| {
                let column = table.iter().map(|p| f(p).0[i]).collect();
                self.random_access(index, column)
            }))
        };
        let x = pick(&|p| p.x);
        let y = pick(&|p| p.y);
        PointTarget { x, y }
    }
}

/// Witnesses `X` and `root = sqrt(X − a/3)` of the point encoded by `w`; zeros if `w` is not
/// a valid encoding (the decode constraints then fail).
#[derive(Debug)]
pub struct DecodeGenerator {
    w: Fp5Target,
    x: Fp5Target,
    root: Fp5Target,
}

impl SimpleGenerator<F, D> for DecodeGenerator {
    fn id(&self) -> String {
        "EcGFp5DecodeGenerator".to_string()
    }

    fn dependencies(&self) -> Vec<Target> {
        self.w.0.to_vec()
    }

    fn run_once(
        &self,
        witness: &PartitionWitness<F>,
        out_buffer: &mut GeneratedValues<F>,
    ) -> Result<()> {
        let w = get_fp5(witness, self.w);
        let (x, root) = Point::decode(w)
            .and_then(|p| p.weierstrass_xy())
            .and_then(|(x, _)| Some((x, sqrt(&(x - Point::a_div_3()))?)))
            .unwrap_or((Fp5::ZERO, Fp5::ZERO));
        out_buffer.set_target_arr(&self.x.0, &coeffs(&x))?;
        out_buffer.set_target_arr(&self.root.0, &coeffs(&root))
    }

    fn serialize(&self, dst: &mut Vec<u8>, _common: &CommonCircuitData<F, D>) -> IoResult<()> {
        dst.write_target_array(&self.w.0)?;
        dst.write_target_array(&self.x.0)?;
        dst.write_target_array(&self.root.0)
    }

    fn deserialize(src: &mut Buffer, _common: &CommonCircuitData<F, D>) -> IoResult<Self> {
        Ok(Self {
            w: Fp5Target(src.read_target_array()?),
            x: Fp5Target(src.read_target_array()?),
            root: Fp5Target(src.read_target_array()?),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::field::set_fp5_target;
    use super::*;
    use crate::ecgfp5::field::is_nonzero_square;
    use crate::ecgfp5::Scalar;
    use crate::C;
    use plonky2::field::types::Sample;
    use plonky2::iop::witness::PartialWitness;
    use plonky2::plonk::circuit_data::CircuitConfig;

    /// Subgroup membership criterion used by `ec_decode`, checked natively.
    #[test]
    fn subgroup_points_have_square_x_minus_a_div_3() {
        let g = Point::generator();
        let (wa, wb) = Point::weierstrass_ab();
        // The other coset: P + T0, T0 = (a/3, 0) the point of order 2.
        let t0x = Point::a_div_3();
        assert_eq!(t0x * t0x * t0x + wa * t0x + wb, Fp5::ZERO);
        for k in 1..20u64 {
            let p = g.mul(&Scalar::from_biguint(&(k * 7919).into()));
            let (x, y) = p.weierstrass_xy().unwrap();
            assert!(is_nonzero_square(&(x - t0x)));
            // P + T0 with the chord formula.
            let l = (Fp5::ZERO - y) / (t0x - x);
            let x2 = l * l - x - t0x;
            assert!(!is_nonzero_square(&(x2 - t0x)));
        }
    }

    fn decode_circuit(w: Fp5, expected: Option<Point>) -> anyhow::Result<()> {
        let mut b = CircuitBuilder::<F, D>::new(CircuitConfig::standard_recursion_config());
        let wt = b.add_virtual_fp5_target();
        let p = b.ec_decode(wt);
        let p2 = b.ec_double(p);
        let p3 = b.ec_add(p2, p);
        let enc = b.ec_encode(p3);
        if let Some(e) = expected {
            let want = b.fp5_constant(e.add(&e).add(&e).encode());
            b.fp5_connect(enc, want);
        }
        let data = b.build::<C>();
        let mut pw = PartialWitness::new();
        set_fp5_target(&mut pw, wt, w)?;
        data.verify(data.prove(pw)?)
    }

    #[test]
    fn decode_double_add_encode_match_native() {
        let p = Point::generator().mul(&Scalar::from_biguint(&123456789u64.into()));
        decode_circuit(p.encode(), Some(p)).expect("valid point");
    }

    /// `P + P` and `P + (−P)` are exceptional for the chord formula: proving must fail.
    #[test]
    fn exceptional_additions_rejected() {
        let p = Point::generator().mul(&Scalar::from_biguint(&987654321u64.into()));
        for q in [p, p.neg()] {
            let mut b = CircuitBuilder::<F, D>::new(CircuitConfig::standard_recursion_config());
            let (wp, wq) = (b.add_virtual_fp5_target(), b.add_virtual_fp5_target());
            let (pt, qt) = (b.ec_decode(wp), b.ec_decode(wq));
            b.ec_add(pt, qt);
            let data = b.build::<C>();
            let mut pw = PartialWitness::new();
            set_fp5_target(&mut pw, wp, p.encode()).unwrap();
            set_fp5_target(&mut pw, wq, q.encode()).unwrap();
            let ok = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                data.prove(pw).and_then(|pr| data.verify(pr)).is_ok()
            }))
            .unwrap_or(false);
            assert!(!ok);
        }
    }

    #[test]
    fn invalid_and_neutral_encodings_rejected() {
        let bad = loop {
            let w = Fp5::rand();
            if Point::decode(w).is_none() {
                break w;
            }
        };
        assert!(decode_circuit(bad, None).is_err());
        assert!(decode_circuit(Fp5::ZERO, None).is_err());
    }
}
