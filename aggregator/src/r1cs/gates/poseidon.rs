//! plonky2's Goldilocks Poseidon (width 12, x^7 S-box) over GF(p^2) in R1CS: the
//! `PoseidonGate` constraints at ζ, and the plain permutation.

use super::EvalVars;
use crate::r1cs::{
    ext2::{Ext2Var, GF2},
    goldilocks::GF,
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

fn sbox(x: &Ext2Var) -> Result<Ext2Var, VerifierError> {
    let x = x.reduce()?;
    let x2 = x.square()?.reduce()?;
    let x4 = x2.square()?.reduce()?;
    let x3 = x.mul(&x2)?.reduce()?;
    Ok(x3.mul(&x4)?)
}

fn mds_layer(state: &State) -> Result<State, VerifierError> {
    let circ = <GF as Poseidon>::MDS_MATRIX_CIRC;
    let diag = <GF as Poseidon>::MDS_MATRIX_DIAG;
    let st: Vec<Ext2Var> = state.iter().map(|s| s.reduce()).collect::<Result<_, _>>()?;
    let mut out = Vec::with_capacity(SPONGE_WIDTH);
    for r in 0..SPONGE_WIDTH {
        let mut acc = st[r].mul_const(c(diag[r]))?;
        for i in 0..SPONGE_WIDTH {
            acc = acc.add(&st[(i + r) % SPONGE_WIDTH].mul_const(c(circ[i]))?)?;
        }
        out.push(acc);
    }
    Ok(out.try_into().expect("width 12"))
}

fn partial_first_constant_layer(state: &mut State) -> Result<(), VerifierError> {
    for (i, s) in state.iter_mut().enumerate() {
        *s = s.add(&Ext2Var::constant(c(
            <GF as Poseidon>::FAST_PARTIAL_FIRST_ROUND_CONSTANT[i],
        )))?;
    }
    Ok(())
}

fn mds_partial_layer_init(state: &State) -> Result<State, VerifierError> {
    let m = <GF as Poseidon>::FAST_PARTIAL_ROUND_INITIAL_MATRIX;
    let st: Vec<Ext2Var> = state.iter().map(|s| s.reduce()).collect::<Result<_, _>>()?;
    let mut out: Vec<Ext2Var> = vec![Ext2Var::zero(); SPONGE_WIDTH];
    out[0] = st[0].clone();
    for r in 1..SPONGE_WIDTH {
        for col in 1..SPONGE_WIDTH {
            out[col] = out[col].add(&st[r].mul_const(c(m[r - 1][col - 1]))?)?;
        }
    }
    Ok(out.try_into().expect("width 12"))
}

fn mds_partial_layer_fast(state: &State, r: usize) -> Result<State, VerifierError> {
    let circ = <GF as Poseidon>::MDS_MATRIX_CIRC;
    let diag = <GF as Poseidon>::MDS_MATRIX_DIAG;
    let st: Vec<Ext2Var> = state.iter().map(|s| s.reduce()).collect::<Result<_, _>>()?;
    let mut d = st[0].mul_const(c(circ[0] + diag[0]))?;
    for (s, &w_hat) in st[1..]
        .iter()
        .zip(<GF as Poseidon>::FAST_PARTIAL_ROUND_W_HATS[r].iter())
    {
        d = d.add(&s.mul_const(c(w_hat))?)?;
    }
    let mut out = vec![d];
    for i in 1..SPONGE_WIDTH {
        let t = c(<GF as Poseidon>::FAST_PARTIAL_ROUND_VS[r][i - 1]);
        out.push(st[0].mul_const(t)?.add(&st[i])?);
    }
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
        state = mds_layer(&state)?;
        round_ctr += 1;
    }

    partial_first_constant_layer(&mut state)?;
    state = mds_partial_layer_init(&state)?;
    for r in 0..N_PARTIAL_ROUNDS {
        let sbox_in = &w[START_PARTIAL + r];
        out.push(state[0].sub(sbox_in)?);
        state[0] = sbox(sbox_in)?;
        if r < N_PARTIAL_ROUNDS - 1 {
            state[0] = state[0].add(&Ext2Var::constant(c(
                <GF as Poseidon>::FAST_PARTIAL_ROUND_CONSTANTS[r],
            )))?;
        }
        state = mds_partial_layer_fast(&state, r)?;
    }
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
    for _ in 0..HALF_N_FULL_ROUNDS {
        constant_layer(&mut state, round_ctr)?;
        for s in state.iter_mut() {
            *s = sbox(s)?;
        }
        state = mds_layer(&state)?;
        round_ctr += 1;
    }
    partial_first_constant_layer(&mut state)?;
    state = mds_partial_layer_init(&state)?;
    for r in 0..N_PARTIAL_ROUNDS {
        state[0] = sbox(&state[0])?;
        if r < N_PARTIAL_ROUNDS - 1 {
            state[0] = state[0].add(&Ext2Var::constant(c(
                <GF as Poseidon>::FAST_PARTIAL_ROUND_CONSTANTS[r],
            )))?;
        }
        state = mds_partial_layer_fast(&state, r)?;
    }
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
