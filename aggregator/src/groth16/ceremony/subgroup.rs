//! Batched G2 subgroup membership for the large sections of `.ptau` and `.zkey` files.
//!
//! A per-point check costs ≈ 180 µs on this project's 2-core machine, i.e. ≈ 12 minutes of
//! CPU for the 4·2^21 G2 points that phase-2 init reads for the default wrap circuit. Instead,
//! every point is checked to be on the curve (cheap), and the whole section is checked at once:
//! `S = Σ r_i P_i` with independent uniform 64-bit `r_i`, and `S` must be in the prime-order
//! subgroup.
//!
//! **Why this is sound.** The twist group is `G2 × H` with `#H = h = 2q - r` (the cofactor,
//! coprime to r). Write `P_i = G_i + E_i`. `S` is in G2 exactly when `Σ r_i E_i = 0`. If some
//! `E_j ≠ 0`, take a prime `ℓ | h` dividing the order of `E_j`; the ℓ-part of the sum vanishes
//! for at most one residue of `r_j mod ℓ` given the other scalars, so a round passes with
//! probability at most `⌈2^64/ℓ⌉/2^64 ≈ 1/ℓ ≤ 1/10069` (10069 is the smallest prime factor of
//! h; the next is 5864401). [`ROUNDS`] independent rounds bound a wrong acceptance by
//! `10069^-ROUNDS < 2^-66`. When a batch fails, the points are checked one by one so the
//! error names the first bad point.

use ark_bn254::{Fr, G2Affine, G2Projective};
use ark_ec::{CurveGroup, VariableBaseMSM};
use ark_std::rand::RngCore;
use rayon::prelude::*;

/// The smallest prime factor of BN254's G2 cofactor `h = 2q - r`.
pub const G2_COFACTOR_SMALLEST_PRIME: u64 = 10069;

/// Independent rounds of the batched check: a point outside the subgroup passes with
/// probability below `10069^-5 < 2^-66`.
pub const ROUNDS: usize = 5;

/// Whether every point (each already known to be on the curve) is in the prime-order subgroup,
/// with soundness error below `2^-66` (see the module docs).
pub fn all_in_g2_subgroup<R: RngCore>(points: &[G2Affine], rng: &mut R) -> bool {
    if points.len() <= 2 * ROUNDS {
        return points
            .iter()
            .all(|p| p.is_in_correct_subgroup_assuming_on_curve());
    }
    (0..ROUNDS).all(|_| {
        let r: Vec<Fr> = (0..points.len())
            .map(|_| Fr::from(rng.next_u64()))
            .collect();
        let s: G2Projective = G2Projective::msm_unchecked(points, &r);
        s.into_affine().is_in_correct_subgroup_assuming_on_curve()
    })
}

/// The index of the first point outside the prime-order subgroup, checked one by one.
pub fn first_outside_g2_subgroup(points: &[G2Affine]) -> Option<usize> {
    points
        .par_iter()
        .position_first(|p| !p.is_in_correct_subgroup_assuming_on_curve())
}

/// A point on the twist outside the prime-order subgroup (for negative tests).
#[cfg(test)]
pub(crate) fn outside_point<R: RngCore>(rng: &mut R) -> G2Affine {
    use ark_ff::UniformRand;
    loop {
        let x = ark_bn254::Fq2::rand(rng);
        if let Some(p) = G2Affine::get_point_from_x_unchecked(x, false) {
            if !p.is_in_correct_subgroup_assuming_on_curve() {
                return p;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_bn254::Fq2;
    use ark_ec::{AffineRepr, PrimeGroup};
    use ark_ff::{BigInteger, PrimeField, UniformRand, Zero};
    use num_bigint::BigUint;
    use rand::SeedableRng;

    /// A point on the twist whose order is `ℓ` (a prime factor of the cofactor).
    fn torsion_point(rng: &mut rand_chacha::ChaCha20Rng, ell: u64) -> G2Affine {
        let q = BigUint::from_bytes_le(&ark_bn254::Fq::MODULUS.to_bytes_le());
        let r = BigUint::from_bytes_le(&Fr::MODULUS.to_bytes_le());
        let h = 2u32 * &q - &r;
        let cofactor_free = (&h / ell) * &r;
        loop {
            let x = Fq2::rand(rng);
            if let Some(p) = G2Affine::get_point_from_x_unchecked(x, false) {
                let t = p.mul_bigint(cofactor_free.to_u64_digits()).into_affine();
                if !t.is_zero() {
                    assert!(t.mul_bigint([ell]).is_zero());
                    return t;
                }
            }
        }
    }

    #[test]
    fn the_cofactor_has_no_prime_factor_below_10069() {
        let q = BigUint::from_bytes_le(&ark_bn254::Fq::MODULUS.to_bytes_le());
        let r = BigUint::from_bytes_le(&Fr::MODULUS.to_bytes_le());
        let h = 2u32 * &q - &r;
        assert_eq!(&h % G2_COFACTOR_SMALLEST_PRIME, BigUint::from(0u32));
        for p in 2..G2_COFACTOR_SMALLEST_PRIME {
            assert_ne!(&h % p, BigUint::from(0u32), "{p} divides the cofactor");
        }
    }

    #[test]
    fn batch_accepts_the_subgroup_and_rejects_any_torsion_component() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(11);
        let g = G2Projective::generator();
        let good: Vec<G2Affine> = (0..64)
            .map(|_| (g * Fr::rand(&mut rng)).into_affine())
            .collect();
        assert!(all_in_g2_subgroup(&good, &mut rng));
        assert_eq!(first_outside_g2_subgroup(&good), None);
        // The hardest case: a component of order 10069 only, at every position.
        let t = torsion_point(&mut rng, G2_COFACTOR_SMALLEST_PRIME);
        for at in [0, 17, 63] {
            let mut bad = good.clone();
            bad[at] = (bad[at].into_group() + t).into_affine();
            assert!(bad[at].is_on_curve());
            assert!(
                !all_in_g2_subgroup(&bad, &mut rng),
                "torsion at {at} accepted"
            );
            assert_eq!(first_outside_g2_subgroup(&bad), Some(at));
        }
        // A point with a large-order cofactor component.
        let mut bad = good.clone();
        let t = torsion_point(&mut rng, 5864401);
        bad[5] = (bad[5].into_group() + t).into_affine();
        assert!(!all_in_g2_subgroup(&bad, &mut rng));
        // Short lists are checked point by point.
        assert!(!all_in_g2_subgroup(&bad[3..6], &mut rng));
        assert!(all_in_g2_subgroup(&good[..3], &mut rng));
    }
}
