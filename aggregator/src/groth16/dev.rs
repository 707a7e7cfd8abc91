//! The trapdoor of the seeded development setup, recomputed from its public seed.
//!
//! [`super::setup_seeded`] seeds ChaCha20 with [`super::dev_setup_seed`], a hash of public
//! data (a constant and the circuit id, which every proof file carries). ark-groth16 0.5's
//! `generate_random_parameters_with_reduction` draws, in this order, `alpha, beta, gamma,
//! delta` (`Fr::rand`), then the generators `g1` (`G1Projective::rand`) and `g2`
//! (`G2Projective::rand`), then the QAP point `t`. Replaying the same draws gives anyone the
//! trapdoor of a development key, and with it a proof of any statement: development keys
//! must never secure value. [`is_dev_seeded`] recognises such a key from its verifying key
//! alone (four scalar multiplications), whatever its key record claims.

use ark_bn254::{Bn254, Fr, G1Projective, G2Projective};
use ark_ec::CurveGroup;
use ark_groth16::VerifyingKey;
use ark_std::UniformRand;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;

use super::dev_setup_seed;

/// The toxic waste of the development setup of one circuit id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DevTrapdoor {
    /// α.
    pub alpha: Fr,
    /// β.
    pub beta: Fr,
    /// γ.
    pub gamma: Fr,
    /// δ.
    pub delta: Fr,
    /// The G1 generator the setup drew.
    pub g1: G1Projective,
    /// The G2 generator the setup drew.
    pub g2: G2Projective,
}

/// Replays the first draws of the seeded setup of `circuit_id` (see the module docs).
pub fn dev_trapdoor(circuit_id: &str) -> DevTrapdoor {
    let mut rng = ChaCha20Rng::from_seed(dev_setup_seed(circuit_id));
    let alpha = Fr::rand(&mut rng);
    let beta = Fr::rand(&mut rng);
    let gamma = Fr::rand(&mut rng);
    let delta = Fr::rand(&mut rng);
    let g1 = G1Projective::rand(&mut rng);
    let g2 = G2Projective::rand(&mut rng);
    DevTrapdoor {
        alpha,
        beta,
        gamma,
        delta,
        g1,
        g2,
    }
}

impl DevTrapdoor {
    /// True when `vk` was generated with this trapdoor (α·g1, β·g2, γ·g2, δ·g2 all match).
    pub fn matches(&self, vk: &VerifyingKey<Bn254>) -> bool {
        (self.g1 * self.alpha).into_affine() == vk.alpha_g1
            && (self.g2 * self.beta).into_affine() == vk.beta_g2
            && (self.g2 * self.gamma).into_affine() == vk.gamma_g2
            && (self.g2 * self.delta).into_affine() == vk.delta_g2
    }
}

/// True when `vk` is the development (seeded) key of `circuit_id`: anyone can forge proofs
/// for it.
pub fn is_dev_seeded(vk: &VerifyingKey<Bn254>, circuit_id: &str) -> bool {
    dev_trapdoor(circuit_id).matches(vk)
}

/// A proof of `public_inputs` made from the trapdoor alone, with no witness: `A = a·g1`,
/// `B = b·g2`, `C = ((a·b − α·β)/δ)·g1 − (γ/δ)·(IC₀ + Σ xᵢ·ICᵢ)`. It verifies under every key
/// generated with `t` and under no other; for tests that show the hole is real and closed.
#[cfg(test)]
pub(crate) fn forge(
    t: &DevTrapdoor,
    vk: &VerifyingKey<Bn254>,
    public_inputs: &[Fr],
    a: Fr,
    b: Fr,
) -> ark_groth16::Proof<Bn254> {
    use ark_ff::Field;
    let mut acc: G1Projective = vk.gamma_abc_g1[0].into();
    for (x, ic) in public_inputs.iter().zip(&vk.gamma_abc_g1[1..]) {
        acc += *ic * x;
    }
    let delta_inv = t.delta.inverse().expect("δ ≠ 0");
    let c = t.g1 * ((a * b - t.alpha * t.beta) * delta_inv) - acc * (t.gamma * delta_inv);
    ark_groth16::Proof {
        a: (t.g1 * a).into_affine(),
        b: (t.g2 * b).into_affine(),
        c: c.into_affine(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_circuit::{blank, instance};
    use super::super::{setup_seeded, verify};
    use super::*;
    use crate::AggregatorError;

    const ID: &str = "test/mul/forgery";

    /// The recovered scalars are the setup's: the replay of the draw order is exact.
    #[test]
    fn dev_trapdoor_recovers_the_seeded_setup() {
        let pk = setup_seeded(blank(), ID).unwrap();
        let t = dev_trapdoor(ID);
        assert_eq!((t.g1 * t.alpha).into_affine(), pk.vk.alpha_g1);
        assert_eq!((t.g2 * t.beta).into_affine(), pk.vk.beta_g2);
        assert_eq!((t.g2 * t.gamma).into_affine(), pk.vk.gamma_g2);
        assert_eq!((t.g2 * t.delta).into_affine(), pk.vk.delta_g2);
        assert_eq!((t.g1 * t.beta).into_affine(), pk.beta_g1);
        assert_eq!((t.g1 * t.delta).into_affine(), pk.delta_g1);
        assert!(is_dev_seeded(&pk.vk, ID));
        // Another circuit id's trapdoor is another one.
        assert!(!is_dev_seeded(&pk.vk, "test/mul/other"));
    }

    /// Test 4(a) of issue 11: a proof for digest + 1 without any witness verifies under the
    /// development key: the hole is real.
    #[test]
    fn forgery_from_dev_seed_verifies_under_dev_key() {
        let pk = setup_seeded(blank(), ID).unwrap();
        let (_, z) = instance();
        let target = z + Fr::from(1u64);
        let t = dev_trapdoor(ID);
        let (a, b) = (Fr::from(7u64), Fr::from(1234567u64));
        let forged = forge(&t, &pk.vk, &[target], a, b);
        verify(&pk.vk, &[target], &forged).expect("the forgery verifies under the dev key");
        // And for any other statement too.
        let forged = forge(&t, &pk.vk, &[Fr::from(42u64)], b, a);
        verify(&pk.vk, &[Fr::from(42u64)], &forged).unwrap();
    }

    /// The same forgery fails against a key that does not come from the seed: here a key from
    /// a random RNG (the same circuit). Extend with a ceremony key (issue 11: "rejected under a
    /// ceremony key") by running the same two lines on its verifying key.
    #[test]
    fn forgery_from_dev_seed_fails_against_non_seeded_key() {
        let mut rng = rand::rngs::OsRng;
        let pk = ark_groth16::Groth16::<Bn254>::generate_random_parameters_with_reduction(
            blank(),
            &mut rng,
        )
        .unwrap();
        assert!(!is_dev_seeded(&pk.vk, ID));
        let (_, z) = instance();
        let target = z + Fr::from(1u64);
        let forged = forge(
            &dev_trapdoor(ID),
            &pk.vk,
            &[target],
            Fr::from(7u64),
            Fr::from(9u64),
        );
        assert!(matches!(
            verify(&pk.vk, &[target], &forged),
            Err(AggregatorError::ProofRejected)
        ));
    }
}
