//! Native Poseidon permutation and hashes over `ark_bn254::Fr`.
//!
//! [`permute`] is the optimised form of the permutation (Poseidon paper, appendix B, as in
//! circomlib's `poseidon_constants_opt` / poseidon-rs): in the partial rounds the round
//! constants of `state[1..3]` are pushed forward through the linear layer, so each partial
//! round adds one constant, and the MDS matrix of every partial round but the first is
//! factored into a sparse matrix (5 multiplications instead of 9). It computes exactly the
//! same function as [`permute_reference`], the round-by-round definition (tested on random
//! states and on the circomlib test vectors).

use std::sync::OnceLock;

use ark_bn254::Fr;
use ark_ff::{Field, Zero};

use super::params::{params, FULL_ROUNDS, PARTIAL_ROUNDS, WIDTH};

type Mat = [[Fr; WIDTH]; WIDTH];

#[inline(always)]
fn sbox(x: Fr) -> Fr {
    let x2 = x.square();
    x2.square() * x
}

#[inline(always)]
fn mat_vec(m: &Mat, s: &[Fr; WIDTH]) -> [Fr; WIDTH] {
    [
        m[0][0] * s[0] + m[0][1] * s[1] + m[0][2] * s[2],
        m[1][0] * s[0] + m[1][1] * s[1] + m[1][2] * s[2],
        m[2][0] * s[0] + m[2][1] * s[1] + m[2][2] * s[2],
    ]
}

fn mat_mul(a: &Mat, b: &Mat) -> Mat {
    let mut c = [[Fr::zero(); WIDTH]; WIDTH];
    for (i, row) in c.iter_mut().enumerate() {
        for (j, e) in row.iter_mut().enumerate() {
            *e = (0..WIDTH).map(|k| a[i][k] * b[k][j]).sum();
        }
    }
    c
}

/// Sparse matrix `[[a0, a1, a2], [b1, 1, 0], [b2, 0, 1]]` of an optimised partial round.
#[derive(Clone, Copy, Debug)]
struct Sparse {
    row0: [Fr; WIDTH],
    col0: [Fr; 2],
}

/// Precomputed constants of [`permute`].
///
/// Invariant: `full_rc` holds the constants of the 8 full rounds (the first full round after
/// the partial rounds already includes the constants carried out of them), `partial_rc[r]`
/// the one constant added to `state[0]` in partial round `r`, `first_partial` the dense
/// matrix of partial round 0 and `sparse[r - 1]` the sparse matrix of partial round `r ≥ 1`,
/// such that the composition equals the reference permutation.
struct Optimized {
    full_rc: [[Fr; WIDTH]; FULL_ROUNDS],
    mds: Mat,
    partial_rc: [Fr; PARTIAL_ROUNDS],
    first_partial: Mat,
    sparse: [Sparse; PARTIAL_ROUNDS - 1],
}

fn inverse_2x2(m: [[Fr; 2]; 2]) -> [[Fr; 2]; 2] {
    let det = m[0][0] * m[1][1] - m[0][1] * m[1][0];
    let inv = det
        .inverse()
        .expect("Poseidon MDS: the 2x2 minors of the accumulated matrices are invertible");
    [
        [m[1][1] * inv, -m[0][1] * inv],
        [-m[1][0] * inv, m[0][0] * inv],
    ]
}

fn optimize() -> Optimized {
    let p = params();
    let mds = p.mds;
    let half = FULL_ROUNDS / 2;
    let mut full_rc = [[Fr::zero(); WIDTH]; FULL_ROUNDS];
    full_rc[..half].copy_from_slice(&p.round_constants[..half]);
    full_rc[half..].copy_from_slice(&p.round_constants[half + PARTIAL_ROUNDS..]);

    // 1. Constants: the real state entering partial round r is the optimised state plus
    //    `carry`; only `state[0]` goes through the S-box, so the constants of state[1..3]
    //    (and the carry) are pushed through the MDS matrix into the next round.
    let mut partial_rc = [Fr::zero(); PARTIAL_ROUNDS];
    let mut carry = [Fr::zero(); WIDTH];
    for (r, k) in partial_rc.iter_mut().enumerate() {
        let c = p.round_constants[half + r];
        let eff = [c[0] + carry[0], c[1] + carry[1], c[2] + carry[2]];
        *k = eff[0];
        carry = mat_vec(&mds, &[Fr::zero(), eff[1], eff[2]]);
    }
    for (f, c) in full_rc[half].iter_mut().zip(carry) {
        *f += c;
    }

    // 2. Matrices: write the accumulated matrix `A = [[a, u], [v, N]]` (applied last) as
    //    `[[a, uN⁻¹], [v, I]] · [[1, 0], [0, N]]`; the right factor (applied first) fixes
    //    state[0], so it commutes with this round's constant and S-box and joins the MDS
    //    matrix of the previous round.
    let mut sparse = [Sparse {
        row0: [Fr::zero(); WIDTH],
        col0: [Fr::zero(); 2],
    }; PARTIAL_ROUNDS - 1];
    let mut acc = mds;
    for r in (1..PARTIAL_ROUNDS).rev() {
        let n = [[acc[1][1], acc[1][2]], [acc[2][1], acc[2][2]]];
        let ni = inverse_2x2(n);
        let u = [acc[0][1], acc[0][2]];
        sparse[r - 1] = Sparse {
            row0: [
                acc[0][0],
                u[0] * ni[0][0] + u[1] * ni[1][0],
                u[0] * ni[0][1] + u[1] * ni[1][1],
            ],
            col0: [acc[1][0], acc[2][0]],
        };
        let right = [
            [Fr::from(1u64), Fr::zero(), Fr::zero()],
            [Fr::zero(), n[0][0], n[0][1]],
            [Fr::zero(), n[1][0], n[1][1]],
        ];
        acc = mat_mul(&right, &mds);
    }
    Optimized {
        full_rc,
        mds,
        partial_rc,
        first_partial: acc,
        sparse,
    }
}

fn optimized() -> &'static Optimized {
    static OPT: OnceLock<Optimized> = OnceLock::new();
    OPT.get_or_init(optimize)
}

#[inline(always)]
fn full_round(state: &mut [Fr; WIDTH], rc: &[Fr; WIDTH], mds: &Mat) {
    let s = [
        sbox(state[0] + rc[0]),
        sbox(state[1] + rc[1]),
        sbox(state[2] + rc[2]),
    ];
    *state = mat_vec(mds, &s);
}

/// The Poseidon permutation (t = 3, x^5, 8 full + 57 partial rounds), optimised form of
/// [`permute_reference`] (same outputs on every input).
pub fn permute(state: &mut [Fr; WIDTH]) {
    let o = optimized();
    let half = FULL_ROUNDS / 2;
    for rc in &o.full_rc[..half] {
        full_round(state, rc, &o.mds);
    }
    state[0] = sbox(state[0] + o.partial_rc[0]);
    *state = mat_vec(&o.first_partial, state);
    for (k, m) in o.partial_rc[1..].iter().zip(&o.sparse) {
        let s0 = sbox(state[0] + k);
        *state = [
            m.row0[0] * s0 + m.row0[1] * state[1] + m.row0[2] * state[2],
            m.col0[0] * s0 + state[1],
            m.col0[1] * s0 + state[2],
        ];
    }
    for rc in &o.full_rc[half..] {
        full_round(state, rc, &o.mds);
    }
}

/// The Poseidon permutation by its definition (t = 3, x^5, 8 full + 57 partial rounds): each
/// round adds the round constants, applies the S-box (to every element in full rounds, to
/// `state[0]` in partial rounds) and multiplies by the MDS matrix. The specification of
/// [`permute`] (which is faster); the R1CS gadget follows this form.
pub fn permute_reference(state: &mut [Fr; WIDTH]) {
    let p = params();
    let half = FULL_ROUNDS / 2;
    for (r, rc) in p.round_constants.iter().enumerate() {
        for (s, c) in state.iter_mut().zip(rc) {
            *s += c;
        }
        if r < half || r >= half + PARTIAL_ROUNDS {
            for s in state.iter_mut() {
                *s = sbox(*s);
            }
        } else {
            state[0] = sbox(state[0]);
        }
        *state = mat_vec(&p.mds, state);
    }
}

/// circomlib's `poseidon([a, b])`: `permute([0, a, b])[0]`. This is the 2-to-1 compression
/// used for Merkle nodes.
pub fn hash2(a: Fr, b: Fr) -> Fr {
    let mut s = [Fr::zero(), a, b];
    permute(&mut s);
    s[0]
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ff::UniformRand;
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    #[test]
    fn poseidon_optimized_equals_reference_on_random_states() {
        let mut rng = ChaCha20Rng::seed_from_u64(7);
        for i in 0..200 {
            let mut a = [Fr::rand(&mut rng), Fr::rand(&mut rng), Fr::rand(&mut rng)];
            if i == 0 {
                a = [Fr::zero(); WIDTH];
            }
            let mut b = a;
            permute(&mut a);
            permute_reference(&mut b);
            assert_eq!(a, b);
        }
    }

    #[test]
    fn poseidon_optimized_differs_on_different_inputs() {
        let mut a = [Fr::zero(), Fr::from(1u64), Fr::from(2u64)];
        let mut b = [Fr::zero(), Fr::from(1u64), Fr::from(3u64)];
        permute(&mut a);
        permute(&mut b);
        assert_ne!(a, b);
    }
}
