//! Native Poseidon permutation and hashes over `ark_bn254::Fr`.

use ark_bn254::Fr;
use ark_ff::Field;

use super::params::{params, FULL_ROUNDS, PARTIAL_ROUNDS, WIDTH};

#[inline]
fn sbox(x: Fr) -> Fr {
    let x2 = x.square();
    x2.square() * x
}

/// The Poseidon permutation (t = 3, x^5, 8 full + 57 partial rounds). Each round adds the
/// round constants, applies the S-box (to every element in full rounds, to `state[0]` in
/// partial rounds) and multiplies by the MDS matrix.
pub fn permute(state: &mut [Fr; WIDTH]) {
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
        let old = *state;
        for (i, s) in state.iter_mut().enumerate() {
            *s = p.mds[i].iter().zip(old.iter()).map(|(m, o)| *m * o).sum();
        }
    }
}

/// circomlib's `poseidon([a, b])`: `permute([0, a, b])[0]`. This is the 2-to-1 compression
/// used for Merkle nodes.
pub fn hash2(a: Fr, b: Fr) -> Fr {
    let mut s = [Fr::from(0u64), a, b];
    permute(&mut s);
    s[0]
}
