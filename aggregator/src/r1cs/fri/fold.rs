//! FRI arithmetic in R1CS: domain points from index bits, plonky2's `compute_evaluation`
//! (the arity-`2^k` fold) and the final-polynomial evaluation.
//!
//! Invariant: every point and inverse is a product of constants selected by boolean bits (no
//! inverse hints), so a point can never be zero and no division can be forged.

use super::super::{
    ext2::Ext2Var,
    goldilocks::{GoldilocksVar, GF},
};
use ark_bn254::Fr;
use ark_r1cs_std::boolean::Boolean;
use ark_relations::r1cs::SynthesisError;
use plonky2::field::types::Field;

/// `c · Π_i base_i^{bit_i}` for constants `base_i` and boolean `bits` (one product per bit,
/// reductions as the lazy bounds require).
pub fn const_product_by_bits(
    c: GF,
    bases: &[GF],
    bits: &[Boolean<Fr>],
) -> Result<GoldilocksVar, SynthesisError> {
    if bases.len() != bits.len() {
        return Err(SynthesisError::Unsatisfiable);
    }
    let mut acc = GoldilocksVar::constant(c);
    for (b, &base) in bits.iter().zip(bases) {
        let factor =
            GoldilocksVar::select(b, &GoldilocksVar::constant(base), &GoldilocksVar::one())?;
        acc = acc.mul(&factor)?;
    }
    acc.reduce()
}

/// The LDE point of query index `index_bits` (little-endian, `log_n` bits) and its inverse:
/// `x = shift · ω^{reverse_bits(index)}` with `ω` the primitive `2^log_n`-th root of unity and
/// `shift` plonky2's `MULTIPLICATIVE_GROUP_GENERATOR` (both canonical).
pub fn lde_point(
    index_bits: &[Boolean<Fr>],
) -> Result<(GoldilocksVar, GoldilocksVar), SynthesisError> {
    let log_n = index_bits.len();
    let omega = GF::primitive_root_of_unity(log_n);
    let omega_inv = omega.inverse();
    // Bit j of the index is bit (log_n − 1 − j) of the reversed index.
    let pows = |g: GF| -> Vec<GF> {
        (0..log_n)
            .map(|j| g.exp_power_of_2(log_n - 1 - j))
            .collect()
    };
    let shift = GF::MULTIPLICATIVE_GROUP_GENERATOR;
    let x = const_product_by_bits(shift, &pows(omega), index_bits)?;
    let x_inv = const_product_by_bits(shift.inverse(), &pows(omega_inv), index_bits)?;
    Ok((x, x_inv))
}

/// `x^(2^k)` of a canonical value, reduced.
pub fn exp_power_of_2(x: &GoldilocksVar, k: usize) -> Result<GoldilocksVar, SynthesisError> {
    let mut x = x.reduce()?;
    for _ in 0..k {
        x = x.square()?.reduce()?;
    }
    Ok(x)
}

/// `values[index]` for little-endian `index_bits` (`values.len() == 2^bits`): a selection tree,
/// two constraints per inner node.
pub fn select_by_bits(
    values: &[Ext2Var],
    index_bits: &[Boolean<Fr>],
) -> Result<Ext2Var, SynthesisError> {
    if values.len() != 1 << index_bits.len() {
        return Err(SynthesisError::Unsatisfiable);
    }
    let mut layer = values.to_vec();
    for b in index_bits {
        layer = layer
            .chunks(2)
            .map(|pair| Ext2Var::select(b, &pair[1], &pair[0]))
            .collect::<Result<_, _>>()?;
    }
    Ok(layer.swap_remove(0))
}

/// plonky2's `compute_evaluation`: the value at `β` of the polynomial of degree `< 2^k`
/// interpolating `evals` on the coset of `x` (`evals[j]` is the value at
/// `c·g^{reverse_bits(j)}`, `c = x·g^{−reverse_bits(index_in_coset)}`, `g` the primitive `2^k`-th
/// root of unity).
///
/// Computed as `k` binary folds (equal to the interpolant at `β`, since folding with
/// `β, β², β⁴, …` evaluates the coefficient form at `β`): on the coset `c·⟨g⟩`, values at `±y`
/// fold to `(a + b)/2 + β·(a − b)/(2y)`. `1/y` is `x⁻¹` times constants, so no hint is needed.
/// `x_inv` must be `x⁻¹`, canonical; `index_bits` are the `k` low bits of the query index.
pub fn compute_evaluation(
    x_inv: &GoldilocksVar,
    index_bits: &[Boolean<Fr>],
    evals: &[Ext2Var],
    beta: &Ext2Var,
) -> Result<Ext2Var, SynthesisError> {
    let k = index_bits.len();
    if evals.len() != 1usize << k {
        return Err(SynthesisError::Unsatisfiable);
    }
    let g = GF::primitive_root_of_unity(k);
    // c⁻¹ = x⁻¹ · g^{reverse_bits(index)}.
    let rev_pows: Vec<GF> = (0..k).map(|j| g.exp_power_of_2(k - 1 - j)).collect();
    let g_rev = const_product_by_bits(GF::ONE, &rev_pows, index_bits)?;
    let mut c_inv = x_inv.mul(&g_rev)?.reduce()?;
    // Values in natural order of the coset points c·g^i.
    let mut vals = evals.to_vec();
    plonky2::util::reverse_index_bits_in_place(&mut vals);
    let mut beta_l = beta.reduce()?;
    let mut g_l = g;
    // Folds are computed scaled by 2 (new = (a + b) + (a − b)·β_l/y = 2·fold), so no constant
    // 1/2 enlarges the lazy bounds; the result is multiplied by 2^−k once at the end. Only the
    // differences are reduced (one GF(p²) reduction per pair from the second layer on).
    for layer in 0..k {
        let m = vals.len() / 2;
        let w = beta_l.scalar_mul(&c_inv)?.reduce()?; // β_l / c_l
        let g_l_inv = g_l.inverse();
        let mut next = Vec::with_capacity(m);
        let mut gi = GF::ONE;
        for i in 0..m {
            let (a, b) = (&vals[i], &vals[i + m]);
            let mut diff = a.sub(b)?;
            if diff.0.iter().any(|c| c.bits() > 64 + 2) {
                diff = diff.reduce()?;
            }
            let t = diff.mul(&w)?.mul_const(gi.into())?;
            next.push(a.add(b)?.add(&t)?);
            gi *= g_l_inv;
        }
        vals = next;
        if layer + 1 < k {
            beta_l = beta_l.square()?.reduce()?;
            c_inv = c_inv.square()?.reduce()?;
            g_l = g_l * g_l;
        }
    }
    let scale = GF::TWO.inverse().exp_u64(k as u64);
    vals.swap_remove(0).mul_const(scale.into())
}

/// `Σ coeffs[i]·x^i` for a base-field point `x` (powers reduced once each).
pub fn eval_poly_at_base(coeffs: &[Ext2Var], x: &GoldilocksVar) -> Result<Ext2Var, SynthesisError> {
    let mut acc = Ext2Var::zero();
    let mut pow = GoldilocksVar::one();
    for (i, c) in coeffs.iter().enumerate() {
        acc = acc.add(&c.scalar_mul(&pow)?)?;
        if i + 1 < coeffs.len() {
            pow = pow.mul(x)?.reduce()?;
        }
    }
    Ok(acc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::r1cs::ext2::GF2;
    use ark_r1cs_std::{alloc::AllocVar, R1CSVar};
    use ark_relations::r1cs::ConstraintSystem;
    use plonky2::field::{
        interpolation::{barycentric_weights, interpolate},
        types::Sample,
    };

    fn bits_of(
        cs: &ark_relations::r1cs::ConstraintSystemRef<Fr>,
        v: usize,
        n: usize,
    ) -> Vec<Boolean<Fr>> {
        (0..n)
            .map(|i| Boolean::new_witness(cs.clone(), || Ok((v >> i) & 1 == 1)).unwrap())
            .collect()
    }

    fn rev(x: usize, n: usize) -> usize {
        (0..n).fold(0, |acc, i| acc | (((x >> i) & 1) << (n - 1 - i)))
    }

    /// plonky2's `compute_evaluation` (crate-private there), restated natively.
    fn native_compute_evaluation(x: GF, idx: usize, k: usize, evals: &[GF2], beta: GF2) -> GF2 {
        let arity = 1 << k;
        let g = GF::primitive_root_of_unity(k);
        let mut evals = evals.to_vec();
        plonky2::util::reverse_index_bits_in_place(&mut evals);
        let rev = rev(idx, k);
        let coset_start = x * g.exp_u64((arity - rev) as u64);
        let points: Vec<(GF2, GF2)> = g
            .powers()
            .map(|y| (coset_start * y).into())
            .zip(evals)
            .collect();
        let w = barycentric_weights(&points);
        interpolate(&points, beta, &w)
    }

    #[test]
    fn fold_matches_plonky2_compute_evaluation() {
        for k in 1..=4 {
            let cs = ConstraintSystem::<Fr>::new_ref();
            let log_n = 7;
            let idx = 0b1011001 & ((1 << log_n) - 1);
            let ib = bits_of(&cs, idx, log_n);
            let (x, x_inv) = lde_point(&ib).unwrap();
            let nx = GF::MULTIPLICATIVE_GROUP_GENERATOR
                * GF::primitive_root_of_unity(log_n).exp_u64(rev(idx, log_n) as u64);
            assert_eq!(x.value().unwrap(), nx);
            assert_eq!(x_inv.value().unwrap(), nx.inverse());
            let evals: Vec<GF2> = (0..1 << k).map(|_| GF2::rand()).collect();
            let beta = GF2::rand();
            let ev: Vec<Ext2Var> = evals
                .iter()
                .map(|&e| Ext2Var::new_witness(cs.clone(), || Ok(e)).unwrap())
                .collect();
            let bv = Ext2Var::new_witness(cs.clone(), || Ok(beta)).unwrap();
            let within = idx & ((1 << k) - 1);
            let out = compute_evaluation(&x_inv, &ib[..k], &ev, &bv).unwrap();
            assert_eq!(
                out.value().unwrap(),
                native_compute_evaluation(nx, within, k, &evals, beta)
            );
            let sel = select_by_bits(&ev, &ib[..k]).unwrap();
            assert_eq!(sel.value().unwrap(), evals[within]);
            assert!(cs.is_satisfied().unwrap());
            let _ = x.fp().value();
        }
    }

    #[test]
    fn poly_eval_matches() {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let coeffs: Vec<GF2> = (0..5).map(|_| GF2::rand()).collect();
        let x = GF::rand();
        let cv: Vec<Ext2Var> = coeffs
            .iter()
            .map(|&c| Ext2Var::new_witness(cs.clone(), || Ok(c)).unwrap())
            .collect();
        let xv = GoldilocksVar::new_witness(cs.clone(), || Ok(x)).unwrap();
        let out = eval_poly_at_base(&cv, &xv).unwrap();
        let native = plonky2::field::polynomial::PolynomialCoeffs::new(coeffs).eval(x.into());
        assert_eq!(out.value().unwrap(), native);
        assert!(cs.is_satisfied().unwrap());
    }
}
