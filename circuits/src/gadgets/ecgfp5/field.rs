//! `GF(p^5) = GF(p)[z]/(z⁵ − 3)` arithmetic in circuits, twin of [`crate::ecgfp5::field`].
//!
//! A product `a·b` has coefficients `c_k = Σ_{i+j=k} aᵢbⱼ + 3·Σ_{i+j=k+5} aᵢbⱼ`; a multiply-add
//! `k₀·a·b + k₁·c` (product, square or quotient check) is one op of the custom
//! [`Fp5MulAddGate`](super::gate::Fp5MulAddGate) (4 per row); linear combinations are
//! base-field `ArithmeticGate` operations (5 per `GF(p^5)` value). Quotients are witnessed and
//! checked with one multiply-add.

use anyhow::Result;
use plonky2::field::types::Field;
use plonky2::iop::generator::{GeneratedValues, SimpleGenerator};
use plonky2::iop::target::Target;
use plonky2::iop::witness::{PartitionWitness, Witness, WitnessWrite};
use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::circuit_data::CommonCircuitData;
use plonky2::util::serialization::{Buffer, IoResult, Read, Write};

use super::gate::add_mul_add_op;
use crate::ecgfp5::field::{coeffs, fp5, from_base};
use crate::ecgfp5::Fp5;
use crate::{D, F};

/// A `GF(p^5)` element in a circuit: coefficient `i` multiplies `z^i`. Each limb is a
/// Goldilocks target, hence canonical by construction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fp5Target(pub [Target; 5]);

/// Witness helpers for [`Fp5Target`].
pub fn set_fp5_target(
    witness: &mut impl WitnessWrite<F>,
    target: Fp5Target,
    value: Fp5,
) -> Result<()> {
    witness.set_target_arr(&target.0, &coeffs(&value))
}

/// Reads an [`Fp5Target`] from a witness.
pub fn get_fp5(witness: &impl Witness<F>, target: Fp5Target) -> Fp5 {
    fp5(target.0.map(|t| witness.get_target(t)))
}

/// `GF(p^5)` arithmetic on a [`CircuitBuilder`].
pub trait CircuitBuilderFp5 {
    /// Five fresh virtual targets (unconstrained).
    fn add_virtual_fp5_target(&mut self) -> Fp5Target;
    /// A constant.
    fn fp5_constant(&mut self, c: Fp5) -> Fp5Target;
    /// Constrains `a = b`.
    fn fp5_connect(&mut self, a: Fp5Target, b: Fp5Target);
    /// `k₀·a + k₁·b` (5 operations).
    fn fp5_lin(&mut self, k0: F, a: Fp5Target, k1: F, b: Fp5Target) -> Fp5Target;
    /// `a + b`.
    fn fp5_add(&mut self, a: Fp5Target, b: Fp5Target) -> Fp5Target;
    /// `a − b`.
    fn fp5_sub(&mut self, a: Fp5Target, b: Fp5Target) -> Fp5Target;
    /// `k₀·a·b + k₁·c` (one op of an `Fp5MulAddGate`).
    fn fp5_mul_add(&mut self, k0: F, a: Fp5Target, b: Fp5Target, k1: F, c: Fp5Target) -> Fp5Target;
    /// `a·b`.
    fn fp5_mul(&mut self, a: Fp5Target, b: Fp5Target) -> Fp5Target;
    /// Constrains `k₀·a·b + k₁·c = 0`.
    fn fp5_assert_mul_add_zero(&mut self, k0: F, a: Fp5Target, b: Fp5Target, k1: F, c: Fp5Target);
    /// The quotient `q = num / (scale·den)`, witnessed, with `scale·q·den = num` enforced.
    /// If `den = 0` the constraint forces `num = 0` and leaves `q` free: callers must
    /// guarantee (or separately enforce) `den ≠ 0` where that matters.
    fn fp5_div_scaled(&mut self, num: Fp5Target, den: Fp5Target, scale: F) -> Fp5Target;
    /// `num / den` (see [`fp5_div_scaled`](Self::fp5_div_scaled)).
    fn fp5_div(&mut self, num: Fp5Target, den: Fp5Target) -> Fp5Target;
    /// Constrains `a ≠ 0` (by witnessing its inverse); proving fails for `a = 0`.
    fn fp5_assert_nonzero(&mut self, a: Fp5Target);
}

impl CircuitBuilderFp5 for CircuitBuilder<F, D> {
    fn add_virtual_fp5_target(&mut self) -> Fp5Target {
        Fp5Target(std::array::from_fn(|_| self.add_virtual_target()))
    }

    fn fp5_constant(&mut self, c: Fp5) -> Fp5Target {
        Fp5Target(coeffs(&c).map(|v| self.constant(v)))
    }

    fn fp5_connect(&mut self, a: Fp5Target, b: Fp5Target) {
        for (x, y) in a.0.into_iter().zip(b.0) {
            self.connect(x, y);
        }
    }

    fn fp5_lin(&mut self, k0: F, a: Fp5Target, k1: F, b: Fp5Target) -> Fp5Target {
        let one = self.one();
        Fp5Target(std::array::from_fn(|i| {
            self.arithmetic(k0, k1, a.0[i], one, b.0[i])
        }))
    }

    fn fp5_add(&mut self, a: Fp5Target, b: Fp5Target) -> Fp5Target {
        self.fp5_lin(F::ONE, a, F::ONE, b)
    }

    fn fp5_sub(&mut self, a: Fp5Target, b: Fp5Target) -> Fp5Target {
        self.fp5_lin(F::ONE, a, F::NEG_ONE, b)
    }

    fn fp5_mul_add(&mut self, k0: F, a: Fp5Target, b: Fp5Target, k1: F, c: Fp5Target) -> Fp5Target {
        Fp5Target(add_mul_add_op(self, k0, a.0, b.0, k1, c.0))
    }

    fn fp5_mul(&mut self, a: Fp5Target, b: Fp5Target) -> Fp5Target {
        let zero = self.fp5_constant(Fp5::ZERO);
        self.fp5_mul_add(F::ONE, a, b, F::ZERO, zero)
    }

    fn fp5_assert_mul_add_zero(&mut self, k0: F, a: Fp5Target, b: Fp5Target, k1: F, c: Fp5Target) {
        let r = self.fp5_mul_add(k0, a, b, k1, c);
        let zero = self.fp5_constant(Fp5::ZERO);
        self.fp5_connect(r, zero);
    }

    fn fp5_div_scaled(&mut self, num: Fp5Target, den: Fp5Target, scale: F) -> Fp5Target {
        let q = self.add_virtual_fp5_target();
        self.add_simple_generator(Fp5QuotientGenerator {
            num,
            den,
            scale,
            out: q,
        });
        self.fp5_assert_mul_add_zero(scale, q, den, F::NEG_ONE, num);
        q
    }

    fn fp5_div(&mut self, num: Fp5Target, den: Fp5Target) -> Fp5Target {
        self.fp5_div_scaled(num, den, F::ONE)
    }

    fn fp5_assert_nonzero(&mut self, a: Fp5Target) {
        let one = self.fp5_constant(Fp5::ONE);
        self.fp5_div(one, a);
    }
}

/// Witnesses `out = num / (scale·den)` (`0` when `den = 0`: the constraint then fails unless
/// `num = 0`).
#[derive(Debug)]
pub struct Fp5QuotientGenerator {
    num: Fp5Target,
    den: Fp5Target,
    scale: F,
    out: Fp5Target,
}

impl SimpleGenerator<F, D> for Fp5QuotientGenerator {
    fn id(&self) -> String {
        "Fp5QuotientGenerator".to_string()
    }

    fn dependencies(&self) -> Vec<Target> {
        self.num
            .0
            .iter()
            .chain(self.den.0.iter())
            .copied()
            .collect()
    }

    fn run_once(
        &self,
        witness: &PartitionWitness<F>,
        out_buffer: &mut GeneratedValues<F>,
    ) -> Result<()> {
        let num = get_fp5(witness, self.num);
        let den = get_fp5(witness, self.den) * from_base(self.scale);
        let q = if den == Fp5::ZERO {
            Fp5::ZERO
        } else {
            num / den
        };
        out_buffer.set_target_arr(&self.out.0, &coeffs(&q))
    }

    fn serialize(&self, dst: &mut Vec<u8>, _common: &CommonCircuitData<F, D>) -> IoResult<()> {
        dst.write_target_array(&self.num.0)?;
        dst.write_target_array(&self.den.0)?;
        dst.write_field(self.scale)?;
        dst.write_target_array(&self.out.0)
    }

    fn deserialize(src: &mut Buffer, _common: &CommonCircuitData<F, D>) -> IoResult<Self> {
        Ok(Self {
            num: Fp5Target(src.read_target_array()?),
            den: Fp5Target(src.read_target_array()?),
            scale: src.read_field()?,
            out: Fp5Target(src.read_target_array()?),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::C;
    use plonky2::field::types::Sample;
    use plonky2::iop::witness::PartialWitness;
    use plonky2::plonk::circuit_data::CircuitConfig;

    fn prove(
        build: impl FnOnce(&mut CircuitBuilder<F, D>) -> Vec<(Fp5Target, Fp5)>,
    ) -> anyhow::Result<()> {
        let mut b = CircuitBuilder::<F, D>::new(CircuitConfig::standard_recursion_config());
        let inputs = build(&mut b);
        let data = b.build::<C>();
        let mut pw = PartialWitness::new();
        for (t, v) in inputs {
            set_fp5_target(&mut pw, t, v)?;
        }
        let proof = data.prove(pw)?;
        data.verify(proof)
    }

    #[test]
    fn mul_square_div_match_native() {
        let (x, y, z) = (Fp5::rand(), Fp5::rand(), Fp5::rand());
        prove(|b| {
            let (xt, yt, zt) = (
                b.add_virtual_fp5_target(),
                b.add_virtual_fp5_target(),
                b.add_virtual_fp5_target(),
            );
            let prod = b.fp5_mul(xt, yt);
            let expected = b.fp5_constant(x * y);
            b.fp5_connect(prod, expected);
            let sq = b.fp5_mul_add(F::TWO, xt, xt, F::NEG_ONE, zt);
            let expected = b.fp5_constant(x * x * Fp5::TWO - z);
            b.fp5_connect(sq, expected);
            let q = b.fp5_div_scaled(xt, yt, F::TWO);
            let expected = b.fp5_constant(x / (y * Fp5::TWO));
            b.fp5_connect(q, expected);
            b.fp5_assert_nonzero(zt);
            vec![(xt, x), (yt, y), (zt, z)]
        })
        .expect("native values satisfy the circuit");
    }

    #[test]
    fn wrong_product_and_zero_inverse_rejected() {
        let (x, y) = (Fp5::rand(), Fp5::rand());
        let bad = prove(|b| {
            let (xt, yt) = (b.add_virtual_fp5_target(), b.add_virtual_fp5_target());
            let prod = b.fp5_mul(xt, yt);
            let expected = b.fp5_constant(x * y + Fp5::ONE);
            b.fp5_connect(prod, expected);
            vec![(xt, x), (yt, y)]
        });
        assert!(bad.is_err());
        let zero_inv = prove(|b| {
            let zt = b.add_virtual_fp5_target();
            b.fp5_assert_nonzero(zt);
            vec![(zt, Fp5::ZERO)]
        });
        assert!(zero_inv.is_err());
    }
}
