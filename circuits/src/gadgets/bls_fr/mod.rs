//! Non-native BLS12-381 scalar-field (`Fr`, modulus `r ≈ 2^254.9`) arithmetic in plonky2,
//! written by hand: plonky2 1.1 has no maintained non-native field crate (`plonky2_ecdsa`'s
//! `NonNativeTarget` and `plonky2_u32` target plonky2 0.1 and 32-bit limbs whose products
//! overflow Goldilocks).
//!
//! An element is a [`BlsFrTarget`]: 9 limbs of 29 bits (least significant first), value
//! `< 2^261`. Invariant: every `BlsFrTarget` returned by [`CircuitBuilderBlsFr`] has its limbs
//! range-checked `< 2^29`; one built by hand must go through
//! [`CircuitBuilderBlsFr::range_check_bls_fr`]. Results of arithmetic are congruent mod `r`
//! to the true result but not necessarily canonical (the prover may add a multiple of `r`
//! that fits in 261 bits); [`CircuitBuilderBlsFr::assert_bls_fr_canonical`] forces `< r` and
//! must be applied to every value that crosses a layer or is compared limb by limb.
//!
//! Every operation witnesses its result and quotient and checks the integer identity
//! (`a·b + M·r = c + k·r`, ...) column by column with carries ([`expr`]): a product costs
//! 81 limb products (one arithmetic operation each, 20 per row), 9 + 10 limb range checks
//! (4 per row) and 17 carry range checks (3 per row, two slots for a narrow carry), all in
//! [`range_gate::LimbRangeGate`]: 29 rows.

pub mod expr;
pub mod range_gate;

use anyhow::{ensure, Result};
use num_bigint::BigUint;
use plonky2::field::extension::Extendable;
use plonky2::field::types::{Field, PrimeField64};
use plonky2::hash::hash_types::RichField;
use plonky2::iop::generator::{GeneratedValues, SimpleGenerator};
use plonky2::iop::target::Target;
use plonky2::iop::witness::{PartitionWitness, Witness, WitnessWrite};
use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::circuit_data::CommonCircuitData;
use plonky2::util::serialization::{Buffer, IoResult, Read, Write};

use self::expr::{
    assert_zero_integer, limbs_of, reduce_mod_r, value_of, BigExpr, Operand, Term, LIMB_BITS,
    LIMB_MAX,
};
use crate::blob::field::modulus;

/// Limbs of a [`BlsFrTarget`] (`9 · 29 = 261` bits).
pub const NUM_LIMBS: usize = 9;

/// A BLS12-381 scalar in circuit: 9 limbs of 29 bits, least significant first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlsFrTarget {
    /// The limbs (each range-checked `< 2^29`, see the module invariant).
    pub limbs: [Target; NUM_LIMBS],
}

impl BlsFrTarget {
    /// The element as an [`Operand`] of a [`BigExpr`].
    pub fn operand(&self) -> Operand {
        Operand {
            limbs: self.limbs.to_vec(),
            max_limb: LIMB_MAX,
        }
    }

    fn from_vec(limbs: Vec<Target>) -> Self {
        Self {
            limbs: limbs.try_into().expect("9 limbs"),
        }
    }
}

/// The 9 limbs of `v` as field elements (native twin of [`BlsFrTarget`]).
///
/// Panics if `v ≥ 2^261` (it has no such representation).
pub fn bls_fr_limbs<F: Field>(v: &BigUint) -> [F; NUM_LIMBS] {
    let limbs = limbs_of(v);
    assert!(limbs.len() <= NUM_LIMBS, "value ≥ 2^261");
    core::array::from_fn(|i| F::from_canonical_u64(limbs.get(i).copied().unwrap_or(0)))
}

/// The integer a limb vector holds (limbs of any size).
pub fn bls_fr_value<F: PrimeField64>(limbs: &[F]) -> BigUint {
    value_of(
        &limbs
            .iter()
            .map(|l| l.to_canonical_u64())
            .collect::<Vec<_>>(),
    )
}

/// Non-native `Fr` gadgets.
pub trait CircuitBuilderBlsFr<F: RichField + Extendable<D>, const D: usize> {
    /// A new element with range-checked limbs (any value `< 2^261`).
    fn add_virtual_bls_fr_target(&mut self) -> BlsFrTarget;
    /// Constrains each limb of `a` to be `< 2^29` (9 rows).
    fn range_check_bls_fr(&mut self, a: &BlsFrTarget);
    /// The constant `v` (`< 2^261`).
    fn constant_bls_fr(&mut self, v: &BigUint) -> BlsFrTarget;
    /// Constrains `a` and `b` to have equal limbs (equal integers).
    fn connect_bls_fr(&mut self, a: &BlsFrTarget, b: &BlsFrTarget);
    /// An element `≡ expr (mod r)`. `expr`'s operands must keep their limb bounds.
    fn bls_fr_reduce(&mut self, expr: &BigExpr) -> BlsFrTarget;
    /// Constrains `expr ≡ 0 (mod r)`.
    fn assert_bls_fr_zero_mod_r(&mut self, expr: &BigExpr);
    /// `a + b mod r`.
    fn bls_fr_add(&mut self, a: &BlsFrTarget, b: &BlsFrTarget) -> BlsFrTarget;
    /// `a − b mod r`.
    fn bls_fr_sub(&mut self, a: &BlsFrTarget, b: &BlsFrTarget) -> BlsFrTarget;
    /// `a · b mod r`.
    fn bls_fr_mul(&mut self, a: &BlsFrTarget, b: &BlsFrTarget) -> BlsFrTarget;
    /// `a · c mod r` for a constant `c`.
    fn bls_fr_mul_const(&mut self, a: &BlsFrTarget, c: &BigUint) -> BlsFrTarget;
    /// Constrains `a < r` (witnesses `r − 1 − a` with range-checked limbs and checks the sum).
    fn assert_bls_fr_canonical(&mut self, a: &BlsFrTarget);
    /// The 32-byte big-endian encoding of `a` as 8 u32 words, most significant first (the
    /// layout of a 32-byte value in formats.md limb lists); constrains `a < 2^256` (bits
    /// 256–260 zero). Apply [`Self::assert_bls_fr_canonical`] first for a canonical encoding.
    fn bls_fr_to_be_u32_words(&mut self, a: &BlsFrTarget) -> [Target; 8];
}

fn lin(a: &BlsFrTarget) -> Term {
    Term::Scaled(BigUint::from(1u32), a.operand())
}

impl<F: RichField + Extendable<D>, const D: usize> CircuitBuilderBlsFr<F, D>
    for CircuitBuilder<F, D>
{
    fn add_virtual_bls_fr_target(&mut self) -> BlsFrTarget {
        let a = BlsFrTarget::from_vec(self.add_virtual_targets(NUM_LIMBS));
        self.range_check_bls_fr(&a);
        a
    }

    fn range_check_bls_fr(&mut self, a: &BlsFrTarget) {
        for &l in &a.limbs {
            range_gate::range_check_packed(self, l, LIMB_BITS);
        }
    }

    fn constant_bls_fr(&mut self, v: &BigUint) -> BlsFrTarget {
        let limbs = bls_fr_limbs::<F>(v);
        BlsFrTarget {
            limbs: limbs.map(|l| self.constant(l)),
        }
    }

    fn connect_bls_fr(&mut self, a: &BlsFrTarget, b: &BlsFrTarget) {
        for (&x, &y) in a.limbs.iter().zip(&b.limbs) {
            self.connect(x, y);
        }
    }

    fn bls_fr_reduce(&mut self, expr: &BigExpr) -> BlsFrTarget {
        BlsFrTarget::from_vec(reduce_mod_r(self, expr, NUM_LIMBS).rem)
    }

    fn assert_bls_fr_zero_mod_r(&mut self, expr: &BigExpr) {
        reduce_mod_r(self, expr, 0);
    }

    fn bls_fr_add(&mut self, a: &BlsFrTarget, b: &BlsFrTarget) -> BlsFrTarget {
        self.bls_fr_reduce(&BigExpr {
            pos: vec![lin(a), lin(b)],
            neg: vec![],
        })
    }

    fn bls_fr_sub(&mut self, a: &BlsFrTarget, b: &BlsFrTarget) -> BlsFrTarget {
        self.bls_fr_reduce(&BigExpr {
            pos: vec![lin(a)],
            neg: vec![lin(b)],
        })
    }

    fn bls_fr_mul(&mut self, a: &BlsFrTarget, b: &BlsFrTarget) -> BlsFrTarget {
        self.bls_fr_reduce(&BigExpr {
            pos: vec![Term::Prod(a.operand(), b.operand())],
            neg: vec![],
        })
    }

    fn bls_fr_mul_const(&mut self, a: &BlsFrTarget, c: &BigUint) -> BlsFrTarget {
        self.bls_fr_reduce(&BigExpr {
            pos: vec![Term::Scaled(c % modulus(), a.operand())],
            neg: vec![],
        })
    }

    fn assert_bls_fr_canonical(&mut self, a: &BlsFrTarget) {
        let complement = self.add_virtual_bls_fr_target();
        self.add_simple_generator(ComplementGenerator {
            a: a.limbs.to_vec(),
            complement: complement.limbs.to_vec(),
        });
        // a + (r − 1 − a) = r − 1 over the integers, with both summands ≥ 0.
        assert_zero_integer(
            self,
            &BigExpr {
                pos: vec![lin(a), lin(&complement)],
                neg: vec![Term::Const(modulus() - 1u32)],
            },
        );
    }

    fn bls_fr_to_be_u32_words(&mut self, a: &BlsFrTarget) -> [Target; 8] {
        let bits: Vec<_> = a
            .limbs
            .iter()
            .flat_map(|&l| self.split_le(l, LIMB_BITS))
            .collect();
        for b in &bits[256..] {
            self.assert_zero(b.target);
        }
        let le_words: Vec<Target> = bits[..256]
            .chunks(32)
            .map(|c| self.le_sum(c.iter()))
            .collect();
        core::array::from_fn(|i| le_words[7 - i])
    }
}

/// Sets the limbs of [`BlsFrTarget`]s in a witness.
pub trait WitnessBlsFr<F: PrimeField64>: WitnessWrite<F> {
    /// Sets `t` to `v` (`< 2^261`; canonical if `t` is checked canonical).
    fn set_bls_fr_target(&mut self, t: &BlsFrTarget, v: &BigUint) -> Result<()> {
        ensure!(v.bits() <= (NUM_LIMBS * LIMB_BITS) as u64, "value ≥ 2^261");
        for (&limb, value) in t.limbs.iter().zip(bls_fr_limbs::<F>(v)) {
            self.set_target(limb, value)?;
        }
        Ok(())
    }
}

impl<F: PrimeField64, W: WitnessWrite<F>> WitnessBlsFr<F> for W {}

/// Witness generator of [`CircuitBuilderBlsFr::assert_bls_fr_canonical`]: `r − 1 − a`
/// (fails if `a ≥ r`, so a non-canonical value cannot be proven).
#[derive(Debug, Default)]
pub struct ComplementGenerator {
    a: Vec<Target>,
    complement: Vec<Target>,
}

impl<F: RichField + Extendable<D>, const D: usize> SimpleGenerator<F, D> for ComplementGenerator {
    fn id(&self) -> String {
        "zkroll::bls_fr::ComplementGenerator".to_string()
    }

    fn dependencies(&self) -> Vec<Target> {
        self.a.clone()
    }

    fn run_once(&self, w: &PartitionWitness<F>, out: &mut GeneratedValues<F>) -> Result<()> {
        let a = bls_fr_value(&w.get_targets(&self.a));
        let r = modulus();
        ensure!(a < *r, "BLS12-381 scalar is not canonical (≥ r)");
        let limbs = bls_fr_limbs::<F>(&(r - 1u32 - a));
        for (&t, v) in self.complement.iter().zip(limbs) {
            out.set_target(t, v)?;
        }
        Ok(())
    }

    fn serialize(&self, dst: &mut Vec<u8>, _common: &CommonCircuitData<F, D>) -> IoResult<()> {
        dst.write_target_vec(&self.a)?;
        dst.write_target_vec(&self.complement)
    }

    fn deserialize(src: &mut Buffer, _common: &CommonCircuitData<F, D>) -> IoResult<Self> {
        Ok(Self {
            a: src.read_target_vec()?,
            complement: src.read_target_vec()?,
        })
    }
}

#[cfg(test)]
mod tests;
