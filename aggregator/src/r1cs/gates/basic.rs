//! Constant, public-input, arithmetic (base and extension), multiplication and base-sum gates.

use super::EvalVars;
use crate::r1cs::{
    ext2::{Ext2Var, GF2},
    goldilocks::GF,
    VerifierError,
};
use plonky2::field::extension::FieldExtension;
use plonky2::field::types::Field;

/// `a·b` in the degree-2 algebra over GF(p^2) (`X^2 = 7`), as plonky2's `ExtensionAlgebra`.
pub(crate) fn algebra_mul(
    a: &[Ext2Var; 2],
    b: &[Ext2Var; 2],
) -> Result<[Ext2Var; 2], VerifierError> {
    let w =
        <GF2 as FieldExtension<2>>::from_basefield(GF::from_canonical_u64(crate::r1cs::ext2::W));
    let c0 = a[0].mul(&b[0])?.add(&a[1].mul(&b[1])?.mul_const(w)?)?;
    let c1 = a[0].mul(&b[1])?.add(&a[1].mul(&b[0])?)?;
    Ok([c0, c1])
}

pub(super) fn constant(n: usize, v: EvalVars<'_>) -> Result<Vec<Ext2Var>, VerifierError> {
    (0..n)
        .map(|i| Ok(v.local_constants[i].sub(&v.local_wires[i])?))
        .collect()
}

pub(super) fn public_input(v: EvalVars<'_>) -> Result<Vec<Ext2Var>, VerifierError> {
    (0..4)
        .map(|i| Ok(v.local_wires[i].sub(&Ext2Var::from_base(&v.public_inputs_hash[i]))?))
        .collect()
}

pub(super) fn arithmetic(num_ops: usize, v: EvalVars<'_>) -> Result<Vec<Ext2Var>, VerifierError> {
    let c0 = &v.local_constants[0];
    let c1 = &v.local_constants[1];
    (0..num_ops)
        .map(|i| {
            let w = |k: usize| &v.local_wires[4 * i + k];
            let computed = w(0).mul(w(1))?.reduce()?.mul(c0)?.add(&w(2).mul(c1)?)?;
            Ok(w(3).sub(&computed)?)
        })
        .collect()
}

pub(super) fn arithmetic_extension(
    num_ops: usize,
    v: EvalVars<'_>,
) -> Result<Vec<Ext2Var>, VerifierError> {
    let c0 = &v.local_constants[0];
    let c1 = &v.local_constants[1];
    let mut out = Vec::with_capacity(2 * num_ops);
    for i in 0..num_ops {
        let base = 8 * i;
        let m0 = v.ext_algebra(base);
        let m1 = v.ext_algebra(base + 2);
        let add = v.ext_algebra(base + 4);
        let o = v.ext_algebra(base + 6);
        let prod = algebra_mul(&m0, &m1)?;
        for k in 0..2 {
            let computed = prod[k].reduce()?.mul(c0)?.add(&add[k].mul(c1)?)?;
            out.push(o[k].sub(&computed)?);
        }
    }
    Ok(out)
}

pub(super) fn mul_extension(
    num_ops: usize,
    v: EvalVars<'_>,
) -> Result<Vec<Ext2Var>, VerifierError> {
    let c0 = &v.local_constants[0];
    let mut out = Vec::with_capacity(2 * num_ops);
    for i in 0..num_ops {
        let base = 6 * i;
        let m0 = v.ext_algebra(base);
        let m1 = v.ext_algebra(base + 2);
        let o = v.ext_algebra(base + 4);
        let prod = algebra_mul(&m0, &m1)?;
        for k in 0..2 {
            out.push(o[k].sub(&prod[k].reduce()?.mul(c0)?)?);
        }
    }
    Ok(out)
}

pub(super) fn base_sum(
    b: u64,
    num_limbs: usize,
    v: EvalVars<'_>,
) -> Result<Vec<Ext2Var>, VerifierError> {
    let sum = &v.local_wires[0];
    let limbs = &v.local_wires[1..1 + num_limbs];
    // Horner: Σ limbs[i]·B^i.
    let mut acc = Ext2Var::zero();
    for limb in limbs.iter().rev() {
        acc = acc.mul_const(GF2::from_canonical_u64(b))?.add(limb)?;
    }
    let mut out = vec![acc.sub(sum)?];
    for limb in limbs {
        let mut prod = Ext2Var::one();
        for i in 0..b {
            let t = limb.sub(&Ext2Var::constant(GF2::from_canonical_u64(i)))?;
            prod = prod.reduce()?.mul(&t)?;
        }
        out.push(prod);
    }
    Ok(out)
}
