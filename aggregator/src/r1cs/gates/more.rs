//! Random-access, exponentiation, reducing (base and extension) and Poseidon-MDS gates.

use super::{basic::algebra_mul, EvalVars};
use crate::r1cs::{
    ext2::{Ext2Var, GF2},
    goldilocks::GF,
    VerifierError,
};
use plonky2::{
    field::types::{Field, PrimeField64},
    hash::poseidon::{Poseidon, SPONGE_WIDTH},
};

type Alg = [Ext2Var; 2];

fn alg_sub(a: &Alg, b: &Alg) -> Result<Alg, VerifierError> {
    Ok([a[0].sub(&b[0])?, a[1].sub(&b[1])?])
}

fn alg_add(a: &Alg, b: &Alg) -> Result<Alg, VerifierError> {
    Ok([a[0].add(&b[0])?, a[1].add(&b[1])?])
}

pub(super) fn random_access(
    bits: usize,
    num_copies: usize,
    num_extra_constants: usize,
    v: EvalVars<'_>,
) -> Result<Vec<Ext2Var>, VerifierError> {
    let vec_size = 1usize << bits;
    let w = v.local_wires;
    let mut out = Vec::new();
    let one = Ext2Var::one();
    for copy in 0..num_copies {
        let base = (2 + vec_size) * copy;
        let access_index = &w[base];
        let claimed = &w[base + 1];
        let mut items: Vec<Ext2Var> = w[base + 2..base + 2 + vec_size].to_vec();
        let start_bits = (2 + vec_size) * num_copies + num_extra_constants + copy * bits;
        let bs: Vec<Ext2Var> = w[start_bits..start_bits + bits].to_vec();
        for b in &bs {
            out.push(b.mul(&b.sub(&one)?)?);
        }
        let mut rec = Ext2Var::zero();
        for b in bs.iter().rev() {
            rec = rec.add(&rec)?.add(b)?;
        }
        out.push(rec.sub(access_index)?);
        for b in &bs {
            let b = b.reduce()?;
            items = items
                .chunks(2)
                .map(|p| Ok(p[0].add(&b.mul(&p[1].sub(&p[0])?)?)?.reduce()?))
                .collect::<Result<_, VerifierError>>()?;
        }
        out.push(items[0].sub(claimed)?);
    }
    let start_extra = (2 + vec_size) * num_copies;
    for i in 0..num_extra_constants {
        out.push(v.local_constants[i].sub(&w[start_extra + i])?);
    }
    Ok(out)
}

pub(super) fn exponentiation(
    num_power_bits: usize,
    v: EvalVars<'_>,
) -> Result<Vec<Ext2Var>, VerifierError> {
    let w = v.local_wires;
    let base = &w[0];
    let bits = &w[1..1 + num_power_bits];
    let output = &w[1 + num_power_bits];
    let inter = &w[2 + num_power_bits..2 + 2 * num_power_bits];
    let one = Ext2Var::one();
    let mut out = Vec::with_capacity(num_power_bits + 1);
    for i in 0..num_power_bits {
        let prev = if i == 0 {
            one.clone()
        } else {
            inter[i - 1].square()?.reduce()?
        };
        let b = &bits[num_power_bits - i - 1];
        let factor = b.mul(base)?.add(&one.sub(b)?)?;
        out.push(prev.mul(&factor)?.sub(&inter[i])?);
    }
    out.push(output.sub(&inter[num_power_bits - 1])?);
    Ok(out)
}

/// Reducing gates; `ext_coeffs` selects `ReducingExtensionGate` (coefficients in the algebra)
/// over `ReducingGate` (base-field-like coefficients, one wire each).
pub(super) fn reducing(
    num_coeffs: usize,
    ext_coeffs: bool,
    v: EvalVars<'_>,
) -> Result<Vec<Ext2Var>, VerifierError> {
    let alpha = v.ext_algebra(2);
    let start_coeffs = 6;
    let coeff_width = if ext_coeffs { 2 } else { 1 };
    let start_accs = start_coeffs + num_coeffs * coeff_width;
    let accs_at = |i: usize| -> Alg {
        if i == num_coeffs - 1 {
            v.ext_algebra(0)
        } else {
            v.ext_algebra(start_accs + 2 * i)
        }
    };
    let mut acc = v.ext_algebra(4);
    let mut out = Vec::with_capacity(2 * num_coeffs);
    for i in 0..num_coeffs {
        let coeff: Alg = if ext_coeffs {
            v.ext_algebra(start_coeffs + 2 * i)
        } else {
            [v.local_wires[start_coeffs + i].clone(), Ext2Var::zero()]
        };
        let next = accs_at(i);
        let c = alg_sub(&alg_add(&algebra_mul(&acc, &alpha)?, &coeff)?, &next)?;
        out.extend(c);
        acc = next;
    }
    Ok(out)
}

pub(super) fn poseidon_mds(v: EvalVars<'_>) -> Result<Vec<Ext2Var>, VerifierError> {
    let circ = <GF as Poseidon>::MDS_MATRIX_CIRC;
    let diag = <GF as Poseidon>::MDS_MATRIX_DIAG;
    let inputs: Vec<Alg> = (0..SPONGE_WIDTH).map(|i| v.ext_algebra(2 * i)).collect();
    let mut out = Vec::with_capacity(2 * SPONGE_WIDTH);
    for r in 0..SPONGE_WIDTH {
        let mut res = [Ext2Var::zero(), Ext2Var::zero()];
        for i in 0..SPONGE_WIDTH {
            let c = GF2::from_canonical_u64(circ[i]);
            let x = &inputs[(i + r) % SPONGE_WIDTH];
            res = [
                res[0].add(&x[0].mul_const(c)?)?,
                res[1].add(&x[1].mul_const(c)?)?,
            ];
        }
        let c = GF2::from_canonical_u64(diag[r]);
        let x = &inputs[r];
        res = [
            res[0].add(&x[0].mul_const(c)?)?,
            res[1].add(&x[1].mul_const(c)?)?,
        ];
        let o = v.ext_algebra(2 * (SPONGE_WIDTH + r));
        out.extend(alg_sub(&o, &res)?);
    }
    Ok(out)
}

fn alg_scale(a: &Alg, s: &Ext2Var) -> Result<Alg, VerifierError> {
    Ok([a[0].mul(s)?, a[1].mul(s)?])
}

/// One step block of plonky2's `partial_interpolate_ext_algebra` (barycentric, lazily reduced).
fn partial_interpolate(
    domain: &[GF],
    values: &[Alg],
    weights: &[GF],
    x: &Alg,
    init_eval: Alg,
    init_prod: Alg,
) -> Result<(Alg, Alg), VerifierError> {
    let (mut eval, mut prod) = (init_eval, init_prod);
    for ((val, &w), &xi) in values.iter().zip(weights).zip(domain) {
        let wv = [
            val[0].mul_const(GF2::from_canonical_u64(w.to_canonical_u64()))?,
            val[1].mul_const(GF2::from_canonical_u64(w.to_canonical_u64()))?,
        ];
        let term = [
            x[0].sub(&Ext2Var::constant(GF2::from_canonical_u64(
                xi.to_canonical_u64(),
            )))?,
            x[1].clone(),
        ];
        let term = [term[0].reduce()?, term[1].reduce()?];
        let e = [eval[0].reduce()?, eval[1].reduce()?];
        let p = [prod[0].reduce()?, prod[1].reduce()?];
        let wv = [wv[0].reduce()?, wv[1].reduce()?];
        eval = alg_add(&algebra_mul(&e, &term)?, &algebra_mul(&wv, &p)?)?;
        prod = algebra_mul(&p, &term)?;
    }
    Ok((eval, prod))
}

pub(super) fn coset_interpolation(
    subgroup_bits: usize,
    degree: usize,
    weights: &[GF],
    v: EvalVars<'_>,
) -> Result<Vec<Ext2Var>, VerifierError> {
    let n = 1usize << subgroup_bits;
    if degree < 2 || weights.len() != n {
        return Err(VerifierError::Shape("coset interpolation gate".into()));
    }
    let num_int = (n - 2) / (degree - 1);
    let start_values = 1;
    let eval_point = start_values + 2 * n;
    let eval_value = eval_point + 2;
    let start_int = eval_value + 2;
    let shifted_at = start_int + 4 * num_int;
    let shift = &v.local_wires[0];
    let evaluation_point = v.ext_algebra(eval_point);
    let shifted = v.ext_algebra(shifted_at);
    let mut out = Vec::new();
    out.extend(alg_sub(&evaluation_point, &alg_scale(&shifted, shift)?)?);
    let domain = GF::two_adic_subgroup(subgroup_bits);
    let values: Vec<Alg> = (0..n)
        .map(|i| v.ext_algebra(start_values + 2 * i))
        .collect();
    let (mut eval, mut prod) = partial_interpolate(
        &domain[..degree],
        &values[..degree],
        &weights[..degree],
        &shifted,
        [Ext2Var::zero(), Ext2Var::zero()],
        [Ext2Var::one(), Ext2Var::zero()],
    )?;
    for i in 0..num_int {
        let ie = v.ext_algebra(start_int + 2 * i);
        let ip = v.ext_algebra(start_int + 2 * (num_int + i));
        out.extend(alg_sub(&ie, &eval)?);
        out.extend(alg_sub(&ip, &prod)?);
        let start = 1 + (degree - 1) * (i + 1);
        let end = (start + degree - 1).min(n);
        (eval, prod) = partial_interpolate(
            &domain[start..end],
            &values[start..end],
            &weights[start..end],
            &shifted,
            ie,
            ip,
        )?;
    }
    out.extend(alg_sub(&v.ext_algebra(eval_value), &eval)?);
    Ok(out)
}
