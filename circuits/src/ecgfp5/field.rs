//! `GF(p^5) = GF(p)[z]/(z⁵ − 3)` over Goldilocks: plonky2's quintic extension, plus the square
//! root and quadratic-residue test that ECgFp5 point decoding needs.
//!
//! Both use the norm map: with `r = 1 + p + p² + p³ + p⁴`, `a^r` lies in `GF(p)`, and `a` is a
//! square in `GF(p^5)` iff `a^r` is a square in `GF(p)`.

use plonky2::field::extension::quintic::QuinticExtension;
use plonky2::field::extension::{FieldExtension, Frobenius};
use plonky2::field::ops::Square;
use plonky2::field::types::{Field, PrimeField};

use crate::F;

/// An element of `GF(p^5)`; coefficient `i` multiplies `z^i`.
pub type Fp5 = QuinticExtension<F>;

/// Builds an element from its five canonical coefficients.
pub fn fp5(c: [F; 5]) -> Fp5 {
    <Fp5 as FieldExtension<5>>::from_basefield_array(c)
}

/// Embeds a base-field element.
pub fn from_base(c: F) -> Fp5 {
    <Fp5 as FieldExtension<5>>::from_basefield(c)
}

/// The coefficients of `a` (`a = Σ c_i z^i`).
pub fn coeffs(a: &Fp5) -> [F; 5] {
    <Fp5 as FieldExtension<5>>::to_basefield_array(a)
}

/// `a^(p + p² + p³ + p⁴)`, from which both the norm and the square root follow.
fn pow_r_minus_one(a: &Fp5) -> Fp5 {
    let t0 = a.frobenius(); // a^p
    let t1 = t0 * t0.frobenius(); // a^(p + p²)
    t1 * t1.repeated_frobenius(2) // a^(p + p² + p³ + p⁴)
}

/// The norm `a^r ∈ GF(p)`, computed as the constant coefficient of `a · a^(r−1)`.
pub fn norm(a: &Fp5) -> F {
    coeffs(&(*a * pow_r_minus_one(a)))[0]
}

/// `true` iff `a` is a non-zero square in `GF(p^5)`.
pub fn is_nonzero_square(a: &Fp5) -> bool {
    let n = norm(a);
    n != F::ZERO && n.is_quadratic_residue()
}

/// A square root of `a` if `a` is a square (`Some(0)` for `0`), `None` otherwise.
///
/// With `e = a^((r−1)/2)` and `g = a^r = a·e² ∈ GF(p)`: `sqrt(a) = sqrt_p(g) / e`.
pub fn sqrt(a: &Fp5) -> Option<Fp5> {
    if *a == Fp5::ZERO {
        return Some(Fp5::ZERO);
    }
    // d = a^((p+1)/2), (p+1)/2 = 2^63 − 2^31 + 1.
    let v = a.exp_power_of_2(31);
    let d = *a * v.exp_power_of_2(32) * v.inverse();
    // e = (d · d^(p²))^p = a^((p+1)/2 · (p + p³)) = a^((r−1)/2).
    let e = (d * d.repeated_frobenius(2)).frobenius();
    let g = coeffs(&(*a * e.square()))[0];
    let s = g.sqrt()?;
    let root = from_base(s) * e.inverse();
    debug_assert_eq!(root.square(), *a);
    Some(root)
}

#[cfg(test)]
mod tests {
    use super::*;
    use plonky2::field::types::Sample;

    #[test]
    fn sqrt_of_squares_and_rejection_of_non_squares() {
        let mut squares = 0;
        for _ in 0..64 {
            let a = Fp5::rand();
            let sq = a.square();
            let r = sqrt(&sq).expect("a square has a root");
            assert_eq!(r.square(), sq);
            assert!(is_nonzero_square(&sq));
            match sqrt(&a) {
                Some(r) => {
                    squares += 1;
                    assert_eq!(r.square(), a);
                    assert!(is_nonzero_square(&a));
                }
                None => assert!(!is_nonzero_square(&a)),
            }
        }
        // About half of random elements are squares.
        assert!((10..=54).contains(&squares), "{squares} squares of 64");
        assert_eq!(sqrt(&Fp5::ZERO), Some(Fp5::ZERO));
    }

    #[test]
    fn norm_is_multiplicative_and_in_base_field() {
        let a = Fp5::rand();
        let b = Fp5::rand();
        assert_eq!(norm(&(a * b)), norm(&a) * norm(&b));
        let full = a * pow_r_minus_one(&a);
        assert_eq!(coeffs(&full)[1..], [F::ZERO; 4]);
    }
}
