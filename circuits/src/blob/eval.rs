//! The evaluation point and the barycentric evaluation of a blob polynomial.
//!
//! The blob polynomial `p` is the polynomial of degree `< 4096` with `p(ω_i) = d_i`, where
//! `d_i` is blob element `i` and `ω_i` the `i`-th root of unity in bit-reversed order. For
//! `x` not a root of unity,
//! `p(x) = (x^4096 − 1)/4096 · Σ_i d_i·ω_i/(x − ω_i)`,
//! and unused elements (`d_i = 0`) drop out of the sum, so the cost follows the data.

use num_bigint::BigUint;
use plonky2::field::types::{Field, PrimeField64};
use plonky2::hash::hash_types::HashOut;
use plonky2::hash::poseidon::PoseidonHash;
use plonky2::plonk::config::Hasher;

use super::field::{self, roots_of_unity_brp, FIELD_ELEMENTS_PER_BLOB};
use crate::F;

/// Bits kept of each Poseidon output limb for the evaluation point.
pub const CHALLENGE_LIMB_BITS: usize = 63;

/// The Poseidon input of the evaluation point: the 4 limbs of the data commitment, then the
/// versioned hash as 8 big-endian u32 words (`docs/formats.md`, "Blob binding").
pub fn challenge_input(data_commitment: HashOut<F>, versioned_hash: &[u8; 32]) -> [F; 12] {
    let mut input = [F::ZERO; 12];
    input[..4].copy_from_slice(&data_commitment.elements);
    for (slot, word) in input[4..].iter_mut().zip(versioned_hash.chunks(4)) {
        let w = u32::from_be_bytes(word.try_into().expect("4-byte word"));
        *slot = F::from_canonical_u32(w);
    }
    input
}

/// The evaluation point `x = Σ_k (h_k mod 2^63)·2^{63k}` with
/// `h = Poseidon.hash_no_pad(challenge_input)`: 252 bits, so `x < 2^252 < r` is canonical
/// without reduction.
pub fn challenge(data_commitment: HashOut<F>, versioned_hash: &[u8; 32]) -> BigUint {
    let h = PoseidonHash::hash_no_pad(&challenge_input(data_commitment, versioned_hash));
    let mask = (1u64 << CHALLENGE_LIMB_BITS) - 1;
    h.elements.iter().rev().fold(BigUint::ZERO, |acc, limb| {
        (acc << CHALLENGE_LIMB_BITS) + BigUint::from(limb.to_canonical_u64() & mask)
    })
}

/// `p(x)` for the blob whose first `elements.len()` elements are `elements` (the rest zero),
/// by the barycentric formula over the used elements. If `x` is a root of unity `ω_i` the
/// result is `d_i` (0 for an unused `i`). Inputs need not be reduced.
///
/// Panics if more than 4096 elements are given (a caller bug: see
/// [`super::encoding::data_to_elements`]).
pub fn evaluate(elements: &[BigUint], x: &BigUint) -> BigUint {
    assert!(
        elements.len() <= FIELD_ELEMENTS_PER_BLOB,
        "more than 4096 elements"
    );
    let r = field::modulus();
    let x = x % r;
    let roots = roots_of_unity_brp();
    if let Some(i) = roots.iter().position(|w| *w == x) {
        return elements.get(i).map(|d| d % r).unwrap_or_default();
    }
    let sum = elements
        .iter()
        .zip(roots)
        .fold(BigUint::ZERO, |acc, (d, w)| {
            field::add(&acc, &term(d, w, &x))
        });
    field::mul(&sum, &vanishing_factor(&x))
}

/// `d·ω/(x − ω) mod r`, the summand of the barycentric formula (`x ≠ ω`).
pub fn term(d: &BigUint, omega: &BigUint, x: &BigUint) -> BigUint {
    let denom = field::inv(&field::sub(x, omega)).expect("x is not a root of unity");
    field::mul(&field::mul(d, omega), &denom)
}

/// `(x^4096 − 1)/4096 mod r`.
pub fn vanishing_factor(x: &BigUint) -> BigUint {
    let n_inv = field::inv(&BigUint::from(FIELD_ELEMENTS_PER_BLOB as u64)).expect("4096 ≠ 0");
    let xn = field::pow(x, FIELD_ELEMENTS_PER_BLOB as u64);
    field::mul(&field::sub(&xn, &BigUint::from(1u32)), &n_inv)
}
