//! plonky2's Goldilocks Poseidon (width 12, x^7 S-box) over GF(p^2) in R1CS: the
//! `PoseidonGate` constraints at ζ, and the plain permutation.

use super::EvalVars;
use crate::r1cs::{
    ext2::{Ext2Var, GF2},
    goldilocks::{GoldilocksVar, GF},
    VerifierError,
};
use plonky2::field::extension::FieldExtension;
use plonky2::{
    field::types::Field,
    hash::poseidon::{
        Poseidon, ALL_ROUND_CONSTANTS, HALF_N_FULL_ROUNDS, N_PARTIAL_ROUNDS, SPONGE_WIDTH,
    },
};

type State = [Ext2Var; SPONGE_WIDTH];

fn c(x: u64) -> GF2 {
    <GF2 as FieldExtension<2>>::from_basefield(GF::from_noncanonical_u64(x))
}

fn constant_layer(state: &mut State, round_ctr: usize) -> Result<(), VerifierError> {
    for (i, s) in state.iter_mut().enumerate() {
        *s = s.add(&Ext2Var::constant(c(
            ALL_ROUND_CONSTANTS[i + SPONGE_WIDTH * round_ctr]
        )))?;
    }
    Ok(())
}

/// `x^7` of a base-field value, canonical: `x` reduced, then two canonical witnesses
/// `t = x³` and `y = t²·x` with `t ≡ (x·x)·x` and `y ≡ (t·t)·x` enforced on the unreduced
/// (≤ 192-bit) products, i.e. one range check per witness instead of a reduction per product.
fn sbox_base(x: &GoldilocksVar) -> Result<GoldilocksVar, VerifierError> {
    let x = x.reduce()?;
    if x.is_constant() {
        return Ok(GoldilocksVar::constant(x.value()?.exp_u64(7)));
    }
    let t = GoldilocksVar::new_witness(x.cs(), || Ok(x.value()?.cube()))?;
    t.enforce_equal(&x.square()?.mul(&x)?)?;
    let y = GoldilocksVar::new_witness(x.cs(), || Ok(x.value()?.exp_u64(7)))?;
    y.enforce_equal(&t.square()?.mul(&x)?)?;
    Ok(y)
}

/// `x^7`, canonical. A value with a constant-zero high coordinate (a base-field value, as in
/// the public-input hash) takes [`sbox_base`]; otherwise, as there, canonical witnesses
/// `t = x³`, `y = t²·x` with `t ≡ x²·x` and `y ≡ t²·x` enforced on the unreduced (≤ 197-bit)
/// GF(p²) products. Returning it canonical lets the MDS layer (entries ≤ 41) and the partial
/// rounds' linear forms use it without further reduction.
fn sbox(x: &Ext2Var) -> Result<Ext2Var, VerifierError> {
    if x.0[1].is_constant() && x.0[1].value()? == GF::ZERO {
        return Ok(Ext2Var::from_base(&sbox_base(&x.0[0])?));
    }
    let x = x.reduce()?;
    if x.0[0].is_constant() && x.0[1].is_constant() {
        return Ok(Ext2Var::constant(x.value()?.exp_u64(7)));
    }
    sbox_with_hints(&x, |v| v.cube(), |v| v.exp_u64(7))
}

/// The GF(p²) S-box on a canonical non-constant `x` with the witnesses `t = hint_t(x)`,
/// `y = hint_y(x)` (the real hints are `x³` and `x⁷`; tests pass wrong ones).
fn sbox_with_hints(
    x: &Ext2Var,
    hint_t: impl FnOnce(GF2) -> GF2,
    hint_y: impl FnOnce(GF2) -> GF2,
) -> Result<Ext2Var, VerifierError> {
    let cs = x.0[0].cs().or(x.0[1].cs());
    let t = Ext2Var::new_witness(cs.clone(), || Ok(hint_t(x.value()?)))?;
    t.enforce_equal(&x.square()?.mul(x)?)?;
    let y = Ext2Var::new_witness(cs, || Ok(hint_y(x.value()?)))?;
    y.enforce_equal(&t.square()?.mul(x)?)?;
    Ok(y)
}

/// plonky2's MDS matrix `M[r][j] = CIRC[(j − r) mod 12] + [r = j]·DIAG[r]` (entries ≤ 41).
fn mds_entry(r: usize, j: usize) -> u64 {
    let circ = <GF as Poseidon>::MDS_MATRIX_CIRC;
    let diag = <GF as Poseidon>::MDS_MATRIX_DIAG;
    circ[(j + SPONGE_WIDTH - r) % SPONGE_WIDTH] + if r == j { diag[r] } else { 0 }
}

fn mds_layer(state: &State) -> Result<State, VerifierError> {
    let st: Vec<Ext2Var> = state.iter().map(|s| s.reduce()).collect::<Result<_, _>>()?;
    let mut out = Vec::with_capacity(SPONGE_WIDTH);
    for r in 0..SPONGE_WIDTH {
        let mut acc = Ext2Var::zero();
        for (j, x) in st.iter().enumerate() {
            acc = acc.add(&x.mul_const(c(mds_entry(r, j)))?)?;
        }
        out.push(acc);
    }
    Ok(out.try_into().expect("width 12"))
}

/// An affine form `Σ_j coeffs[j]·basis[j] + constant` over canonical GF(p²) values, with
/// Goldilocks coefficients computed natively: the partial rounds are linear between their
/// S-boxes, so their state is carried as forms in the last full round's S-box outputs and the
/// partial S-box outputs, and evaluated (lazily, ≤ 64 + 64 + 6 bits) only where needed.
#[derive(Clone)]
struct Form {
    coeffs: Vec<GF>,
    constant: GF,
}

impl Form {
    fn unit(j: usize, n: usize) -> Self {
        let mut coeffs = vec![GF::ZERO; n];
        coeffs[j] = GF::ONE;
        Self {
            coeffs,
            constant: GF::ZERO,
        }
    }

    fn eval(&self, basis: &[Ext2Var]) -> Result<Ext2Var, VerifierError> {
        let mut acc = Ext2Var::constant(<GF2 as FieldExtension<2>>::from_basefield(self.constant));
        for (k, b) in self.coeffs.iter().zip(basis) {
            if *k != GF::ZERO {
                acc = acc.add(&b.mul_const(<GF2 as FieldExtension<2>>::from_basefield(*k))?)?;
            }
        }
        Ok(acc)
    }
}

fn mds_forms(state: &[Form]) -> Vec<Form> {
    let n = state[0].coeffs.len();
    (0..SPONGE_WIDTH)
        .map(|r| {
            let mut f = Form {
                coeffs: vec![GF::ZERO; n],
                constant: GF::ZERO,
            };
            for (j, s) in state.iter().enumerate() {
                let m = GF::from_canonical_u64(mds_entry(r, j));
                for (a, b) in f.coeffs.iter_mut().zip(&s.coeffs) {
                    *a += m * *b;
                }
                f.constant += m * s.constant;
            }
            f
        })
        .collect()
}

/// The partial rounds in plonky2's plain form (constant layer, S-box on `state[0]`, MDS), on
/// the canonical S-box outputs `ys` of the last full round (the state is `MDS·ys`).
/// `sbox_in(r, x)` receives round `r`'s S-box input as a lazy value and returns the S-box
/// output (canonical). Returns the state after the partial rounds, lazy.
fn partial_rounds(
    ys: &State,
    round_ctr: usize,
    mut sbox_in: impl FnMut(usize, Ext2Var) -> Result<Ext2Var, VerifierError>,
) -> Result<State, VerifierError> {
    let n = SPONGE_WIDTH + N_PARTIAL_ROUNDS;
    let mut basis: Vec<Ext2Var> = ys.to_vec();
    let mut state = mds_forms(
        &(0..SPONGE_WIDTH)
            .map(|j| Form::unit(j, n))
            .collect::<Vec<_>>(),
    );
    for r in 0..N_PARTIAL_ROUNDS {
        for (i, f) in state.iter_mut().enumerate() {
            f.constant +=
                GF::from_noncanonical_u64(ALL_ROUND_CONSTANTS[i + SPONGE_WIDTH * (round_ctr + r)]);
        }
        let x = state[0].eval(&basis)?;
        let y = sbox_in(r, x)?;
        basis.push(y);
        state[0] = Form::unit(SPONGE_WIDTH + r, n);
        state = mds_forms(&state);
    }
    let out: Vec<Ext2Var> = state
        .iter()
        .map(|f| f.eval(&basis))
        .collect::<Result<_, _>>()?;
    Ok(out.try_into().expect("width 12"))
}

/// Constraints of plonky2's `PoseidonGate` at ζ (same order as its `eval_unfiltered`).
pub(super) fn poseidon_gate(v: EvalVars<'_>) -> Result<Vec<Ext2Var>, VerifierError> {
    const WIRE_SWAP: usize = 2 * SPONGE_WIDTH;
    const START_DELTA: usize = WIRE_SWAP + 1;
    const START_FULL_0: usize = START_DELTA + 4;
    const START_PARTIAL: usize = START_FULL_0 + SPONGE_WIDTH * (HALF_N_FULL_ROUNDS - 1);
    const START_FULL_1: usize = START_PARTIAL + N_PARTIAL_ROUNDS;
    let w = v.local_wires;
    let mut out = Vec::new();
    let swap = &w[WIRE_SWAP];
    out.push(swap.mul(&swap.sub(&Ext2Var::one())?)?);
    for i in 0..4 {
        let d = swap.mul(&w[i + 4].sub(&w[i])?)?.sub(&w[START_DELTA + i])?;
        out.push(d);
    }
    let mut state: Vec<Ext2Var> = Vec::with_capacity(SPONGE_WIDTH);
    for i in 0..4 {
        state.push(w[i].add(&w[START_DELTA + i])?);
    }
    for i in 0..4 {
        state.push(w[i + 4].sub(&w[START_DELTA + i])?);
    }
    state.extend_from_slice(&w[8..SPONGE_WIDTH]);
    let mut state: State = state.try_into().expect("width 12");

    let mut round_ctr = 0;
    for r in 0..HALF_N_FULL_ROUNDS {
        constant_layer(&mut state, round_ctr)?;
        if r != 0 {
            for (i, s) in state.iter_mut().enumerate() {
                let sbox_in = &w[START_FULL_0 + SPONGE_WIDTH * (r - 1) + i];
                out.push(s.sub(sbox_in)?);
                *s = sbox_in.clone();
            }
        }
        for s in state.iter_mut() {
            *s = sbox(s)?;
        }
        if r + 1 < HALF_N_FULL_ROUNDS {
            state = mds_layer(&state)?;
        }
        round_ctr += 1;
    }
    let ys = state.clone();

    // The S-box inputs of the partial rounds are the wires of plonky2's fast form, which equal
    // the plain form's `state[0]` before each S-box (the fast form only rewrites `state[1..]`).
    state = partial_rounds(&ys, round_ctr, |r, x| {
        let sbox_in = &w[START_PARTIAL + r];
        out.push(x.sub(sbox_in)?);
        sbox(sbox_in)
    })?;
    round_ctr += N_PARTIAL_ROUNDS;

    for r in 0..HALF_N_FULL_ROUNDS {
        constant_layer(&mut state, round_ctr)?;
        for (i, s) in state.iter_mut().enumerate() {
            let sbox_in = &w[START_FULL_1 + SPONGE_WIDTH * r + i];
            out.push(s.sub(sbox_in)?);
            *s = sbox(sbox_in)?;
        }
        state = mds_layer(&state)?;
        round_ctr += 1;
    }
    for (i, s) in state.iter().enumerate() {
        out.push(s.sub(&w[SPONGE_WIDTH + i])?);
    }
    Ok(out)
}

/// The Poseidon permutation on a state of GF(p^2) elements (for base-field inputs, embed
/// them: constant-zero high coordinates cost nothing). Outputs are lazily reduced.
pub fn poseidon_permutation_ext(input: &State) -> Result<State, VerifierError> {
    let mut state = input.clone();
    let mut round_ctr = 0;
    for r in 0..HALF_N_FULL_ROUNDS {
        constant_layer(&mut state, round_ctr)?;
        for s in state.iter_mut() {
            *s = sbox(s)?;
        }
        if r + 1 < HALF_N_FULL_ROUNDS {
            state = mds_layer(&state)?;
        }
        round_ctr += 1;
    }
    state = partial_rounds(&state, round_ctr, |_, x| sbox(&x))?;
    round_ctr += N_PARTIAL_ROUNDS;
    for _ in 0..HALF_N_FULL_ROUNDS {
        constant_layer(&mut state, round_ctr)?;
        for s in state.iter_mut() {
            *s = sbox(s)?;
        }
        state = mds_layer(&state)?;
        round_ctr += 1;
    }
    Ok(state)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_bn254::Fr;
    use ark_relations::r1cs::ConstraintSystem;
    use plonky2::field::types::Sample;

    /// The S-box equals `x^7` (base and extension inputs, lazy inputs included) and its hints
    /// are bound: a wrong `t = x³` or `y = x⁷` witness leaves the system unsatisfied.
    #[test]
    fn sbox_is_x7_and_rejects_wrong_hints() {
        let cs = ConstraintSystem::<Fr>::new_ref();
        for _ in 0..5 {
            let (a, b) = (GF2::rand(), GF2::rand());
            let va = Ext2Var::new_witness(cs.clone(), || Ok(a)).unwrap();
            let vb = Ext2Var::new_witness(cs.clone(), || Ok(b)).unwrap();
            // A lazy (unreduced) input and a base-field input.
            let lazy = va.mul(&vb).unwrap().add(&va).unwrap();
            let y = sbox(&lazy).unwrap();
            assert!(y.0.iter().all(|c| c.is_canonical()));
            assert_eq!(y.value().unwrap(), (a * b + a).exp_u64(7));
            let base = Ext2Var::from_base(&va.0[0]);
            let yb = sbox(&base).unwrap();
            assert!(yb.0[1].is_constant());
            assert_eq!(
                yb.value().unwrap(),
                <GF2 as FieldExtension<2>>::from_basefield(a.0[0].exp_u64(7))
            );
        }
        assert!(cs.is_satisfied().unwrap());
        let one = GF2::ONE;
        type Hint = fn(GF2) -> GF2;
        let cases: [(Hint, Hint, bool); 3] = [
            (|v| v.cube(), |v| v.exp_u64(7), true),
            (|v| v.cube() + GF2::ONE, |v| v.exp_u64(7), false),
            (|v| v.cube(), |v| v.exp_u64(7) + GF2::ONE, false),
        ];
        for (ht, hy, ok) in cases {
            let cs = ConstraintSystem::<Fr>::new_ref();
            let x = Ext2Var::new_witness(cs.clone(), || Ok(GF2::rand() + one)).unwrap();
            sbox_with_hints(&x, ht, hy).unwrap();
            assert_eq!(cs.is_satisfied().unwrap(), ok);
        }
    }
}
