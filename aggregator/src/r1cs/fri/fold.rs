//! FRI arithmetic in R1CS: domain points from index bits, plonky2's `compute_evaluation`
//! (the arity-`2^k` fold) and the final-polynomial evaluation.
//!
//! Invariant: every point is a product of constants selected by boolean bits, so it can never
//! be zero; its inverse is a witness constrained by `x·x⁻¹ ≡ 1`, so no division can be forged.

use super::super::{
    ext2::Ext2Var,
    goldilocks::{GoldilocksVar, GF},
};
use ark_bn254::Fr;
use ark_r1cs_std::{
    boolean::Boolean,
    fields::{fp::FpVar, FieldVar},
};
use ark_relations::r1cs::SynthesisError;
use plonky2::field::types::{Field, PrimeField64};

/// Bits per window of [`const_product_by_bits`].
const WINDOW: usize = 3;

/// `Π_j bases[j]^{bits[j]}` for at most [`WINDOW`] boolean `bits`, as the multilinear
/// polynomial in the bits that takes the table value `T[v] = Π_{j ∈ v} bases[j]` (canonical)
/// at every `v ∈ {0,1}^m`: `Σ_S coef_S·Π_{j∈S} b_j` with Möbius coefficients
/// `coef_S = Σ_{v⊆S} (−1)^{|S∖v|}·T[v]` in `Fr`. For boolean bits the value is exactly one
/// `T[v] < p`, so the result is canonical with no range check. Costs one constraint per
/// monomial of degree ≥ 2 (4 for three bits).
fn select_const_product(
    bases: &[GF],
    bits: &[Boolean<Fr>],
) -> Result<GoldilocksVar, SynthesisError> {
    let m = bits.len();
    debug_assert!(m <= WINDOW && m == bases.len());
    let table: Vec<u64> = (0..1usize << m)
        .map(|v| {
            (0..m)
                .filter(|j| v >> j & 1 == 1)
                .fold(GF::ONE, |acc, j| acc * bases[j])
                .to_canonical_u64()
        })
        .collect();
    // Monomials Π_{j∈S} b_j, built from smaller ones (S minus its highest bit).
    let mut mono: Vec<FpVar<Fr>> = Vec::with_capacity(1 << m);
    let mut value = FpVar::<Fr>::zero();
    for set in 0..1usize << m {
        let mo = if set == 0 {
            FpVar::one()
        } else {
            let hi = usize::BITS as usize - 1 - set.leading_zeros() as usize;
            let rest = set & !(1 << hi);
            let b = FpVar::from(bits[hi].clone());
            if rest == 0 {
                b
            } else {
                &mono[rest] * &b
            }
        };
        let mut coef = Fr::from(0u8);
        for (v, &tv) in table.iter().enumerate() {
            if v & !set == 0 {
                let t = Fr::from(tv);
                if (set & !v).count_ones() % 2 == 0 {
                    coef += t;
                } else {
                    coef -= t;
                }
            }
        }
        value += &mo * coef;
        mono.push(mo);
    }
    let max = table.iter().copied().max().unwrap_or(0);
    Ok(GoldilocksVar::from_fp_unchecked(
        value,
        64 - max.leading_zeros(),
        true,
    ))
}

/// `c · Π_i base_i^{bit_i}` for constants `base_i` and boolean `bits`, reduced: the bits are
/// taken in windows of [`WINDOW`], each window's product selected by
/// [`select_const_product`], and the window values multiplied lazily.
pub fn const_product_by_bits(
    c: GF,
    bases: &[GF],
    bits: &[Boolean<Fr>],
) -> Result<GoldilocksVar, SynthesisError> {
    if bases.len() != bits.len() {
        return Err(SynthesisError::Unsatisfiable);
    }
    let mut acc: Option<GoldilocksVar> = (c != GF::ONE).then(|| GoldilocksVar::constant(c));
    for (bs, bb) in bases.chunks(WINDOW).zip(bits.chunks(WINDOW)) {
        let sel = select_const_product(bs, bb)?;
        acc = Some(match acc {
            // A lone window's value is already canonical.
            None => sel,
            Some(a) => a.mul(&sel)?,
        });
    }
    acc.unwrap_or_else(GoldilocksVar::one).reduce()
}

/// `x^(2^k)` for the LDE point `x` of query index `index_bits` (see [`lde_point`]), directly
/// from the bits: `x^(2^k) = shift^(2^k) · Π_j (ω_j^(2^k))^{bit_j}`, where only the bits with
/// `ω_j^(2^k) ≠ 1` take part. Canonical.
pub fn lde_point_power(
    index_bits: &[Boolean<Fr>],
    k: usize,
) -> Result<GoldilocksVar, SynthesisError> {
    let log_n = index_bits.len();
    let omega = GF::primitive_root_of_unity(log_n);
    let shift = GF::MULTIPLICATIVE_GROUP_GENERATOR.exp_power_of_2(k);
    // Bit j of the index is bit (log_n − 1 − j) of the reversed index: it contributes
    // ω^(2^(log_n − 1 − j + k)), which is 1 once the exponent reaches log_n.
    let (bases, bits): (Vec<GF>, Vec<Boolean<Fr>>) = index_bits
        .iter()
        .enumerate()
        .filter(|(j, _)| log_n - 1 - j + k < log_n)
        .map(|(j, b)| (omega.exp_power_of_2(log_n - 1 - j + k), b.clone()))
        .unzip();
    const_product_by_bits(shift, &bases, &bits)
}

/// The LDE point of query index `index_bits` (little-endian, `log_n` bits) and its inverse:
/// `x = shift · ω^{reverse_bits(index)}` with `ω` the primitive `2^log_n`-th root of unity and
/// `shift` plonky2's `MULTIPLICATIVE_GROUP_GENERATOR` (both canonical). `x` is never zero; its
/// inverse is a canonical witness with `x·x⁻¹ ≡ 1` enforced.
pub fn lde_point(
    index_bits: &[Boolean<Fr>],
) -> Result<(GoldilocksVar, GoldilocksVar), SynthesisError> {
    let x = lde_point_power(index_bits, 0)?;
    let x_inv = x.inverse()?;
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
/// `x_inv` must be `x⁻¹`, canonical; `index_bits` are the `k` low bits of the query index;
/// `beta_pows` are `β^(2^l)` for `l < k`, canonical ([`beta_powers`], computed once per
/// commit-phase step, not per query).
///
/// Returns `2^k` times the value, lazy (the folds are computed scaled by 2 each; the caller
/// multiplies the other side of its comparison by the small constant `2^k` instead of reducing
/// the result to divide it out).
pub fn compute_evaluation_scaled(
    x_inv: &GoldilocksVar,
    index_bits: &[Boolean<Fr>],
    evals: &[Ext2Var],
    beta_pows: &[Ext2Var],
) -> Result<Ext2Var, SynthesisError> {
    let k = index_bits.len();
    if evals.len() != 1usize << k || beta_pows.len() != k {
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
    let mut g_l = g;
    // Folds are computed scaled by 2 (new = (a + b) + (a − b)·β_l/y = 2·fold), so no constant
    // 1/2 enlarges the lazy bounds; the caller accounts for the factor 2^k. Only the
    // differences are reduced (one GF(p²) reduction per pair from the second layer on).
    for (layer, beta_l) in beta_pows.iter().enumerate() {
        let m = vals.len() / 2;
        let w = beta_l.reduce()?.scalar_mul(&c_inv)?.reduce()?; // β_l / c_l
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
            c_inv = c_inv.square()?.reduce()?;
            g_l = g_l * g_l;
        }
    }
    Ok(vals.swap_remove(0))
}

/// `β^(2^l)` for `l < k`, canonical.
pub fn beta_powers(beta: &Ext2Var, k: usize) -> Result<Vec<Ext2Var>, SynthesisError> {
    let mut out = Vec::with_capacity(k);
    let mut b = beta.reduce()?;
    for l in 0..k {
        if l > 0 {
            b = b.square()?.reduce()?;
        }
        out.push(b.clone());
    }
    Ok(out)
}

/// plonky2's `compute_evaluation` (see [`compute_evaluation_scaled`]), unscaled.
pub fn compute_evaluation(
    x_inv: &GoldilocksVar,
    index_bits: &[Boolean<Fr>],
    evals: &[Ext2Var],
    beta: &Ext2Var,
) -> Result<Ext2Var, SynthesisError> {
    let k = index_bits.len();
    let v = compute_evaluation_scaled(x_inv, index_bits, evals, &beta_powers(beta, k)?)?;
    let scale = GF::TWO.inverse().exp_u64(k as u64);
    v.mul_const(scale.into())
}

/// `Σ coeffs[i]·x^i` for a base-field point `x`, baby-step giant-step: with `B ≈ √n`,
/// `Σ_k x^{B·k}·(Σ_{a<B} coeffs[B·k + a]·x^a)`; only the `B + n/B` powers are reduced, the
/// inner sums (≤ 133 bits) are multiplied by the canonical giant steps unreduced and the result
/// is returned lazy (≤ 205 bits for up to 2^10 coefficients).
pub fn eval_poly_at_base(coeffs: &[Ext2Var], x: &GoldilocksVar) -> Result<Ext2Var, SynthesisError> {
    let n = coeffs.len();
    if n == 0 {
        return Ok(Ext2Var::zero());
    }
    let b = (n as f64).sqrt().ceil() as usize;
    let x = x.reduce()?;
    let mut baby = vec![GoldilocksVar::one()];
    for _ in 1..b {
        let last = baby.last().expect("nonempty");
        baby.push(last.mul(&x)?.reduce()?);
    }
    let step = if b > 1 {
        baby[b - 1].mul(&x)?.reduce()?
    } else {
        x.clone()
    };
    let mut acc = Ext2Var::zero();
    let mut giant = GoldilocksVar::one();
    for (k, chunk) in coeffs.chunks(b).enumerate() {
        let mut inner = Ext2Var::zero();
        for (c, p) in chunk.iter().zip(&baby) {
            inner = inner.add(&c.scalar_mul(p)?)?;
        }
        acc = acc.add(&inner.scalar_mul(&giant)?)?;
        if (k + 1) * b < n {
            giant = if k == 0 {
                step.clone()
            } else {
                giant.mul(&step)?.reduce()?
            };
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

    /// `lde_point_power` for every `k` and every index of a small domain equals `x^(2^k)`.
    #[test]
    fn lde_point_power_matches_native() {
        let log_n = 5;
        for idx in 0..1usize << log_n {
            let cs = ConstraintSystem::<Fr>::new_ref();
            let ib = bits_of(&cs, idx, log_n);
            let nx = GF::MULTIPLICATIVE_GROUP_GENERATOR
                * GF::primitive_root_of_unity(log_n).exp_u64(rev(idx, log_n) as u64);
            for k in 0..=log_n + 1 {
                let p = lde_point_power(&ib, k).unwrap();
                assert!(p.is_canonical());
                assert_eq!(p.value().unwrap(), nx.exp_power_of_2(k), "idx {idx} k {k}");
            }
            assert!(cs.is_satisfied().unwrap());
        }
    }

    /// A window's selected constant is exactly `Π bases^bits` for every bit pattern, and a
    /// wrong claimed value is rejected.
    #[test]
    fn windowed_constant_product_exact() {
        let bases: Vec<GF> = (0..7).map(|_| GF::rand()).collect();
        for v in 0..1usize << 7 {
            let cs = ConstraintSystem::<Fr>::new_ref();
            let bits = bits_of(&cs, v, 7);
            let c = GF::rand();
            let got = const_product_by_bits(c, &bases, &bits).unwrap();
            let want = (0..7)
                .filter(|j| v >> j & 1 == 1)
                .fold(c, |acc, j| acc * bases[j]);
            assert_eq!(got.value().unwrap(), want);
            got.enforce_equal(&GoldilocksVar::constant(want)).unwrap();
            assert!(cs.is_satisfied().unwrap());
            got.enforce_equal(&GoldilocksVar::constant(want + GF::ONE))
                .unwrap();
            assert!(!cs.is_satisfied().unwrap());
        }
    }

    #[test]
    fn poly_eval_matches_all_lengths() {
        for n in [1usize, 2, 3, 4, 5, 9, 16, 17] {
            let cs = ConstraintSystem::<Fr>::new_ref();
            let coeffs: Vec<GF2> = (0..n).map(|_| GF2::rand()).collect();
            let x = GF::rand();
            let cv: Vec<Ext2Var> = coeffs
                .iter()
                .map(|&c| Ext2Var::new_witness(cs.clone(), || Ok(c)).unwrap())
                .collect();
            let xv = GoldilocksVar::new_witness(cs.clone(), || Ok(x)).unwrap();
            let out = eval_poly_at_base(&cv, &xv).unwrap();
            let native = plonky2::field::polynomial::PolynomialCoeffs::new(coeffs).eval(x.into());
            assert_eq!(out.value().unwrap(), native, "n = {n}");
            // The lazy result only satisfies the equality with the right value.
            out.enforce_equal(&Ext2Var::constant(native)).unwrap();
            assert!(cs.is_satisfied().unwrap());
            out.enforce_equal(&Ext2Var::constant(native + GF2::ONE))
                .unwrap();
            assert!(!cs.is_satisfied().unwrap());
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
