//! TEST-ONLY stand-in for the Groth16 wrap circuit: the "digest echo" circuit has exactly one
//! public input (the batch digest) and proves knowledge of a witness equal to it. It gives the
//! L1 tests and the gas report real ark-groth16 proofs with the same shape (1 public input,
//! BN254) as the wrap's, until the aggregator's wrap lands. It proves nothing about a batch and
//! must never be deployed: the verifier gas does not depend on the circuit, only on the number
//! of public inputs.

use alloy::primitives::U256;
use ark_bn254::{Bn254, Fr};
use ark_groth16::{Groth16, Proof, ProvingKey};
use ark_relations::lc;
use ark_relations::r1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError, Variable};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use zkroll_verifier_contract::digest_to_fr;

/// One public input `x`, one witness `w`, one constraint `w · 1 = x`.
#[derive(Clone, Copy)]
pub struct DigestEcho {
    /// The public input.
    pub digest: Fr,
}

impl ConstraintSynthesizer<Fr> for DigestEcho {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        let x = cs.new_input_variable(|| Ok(self.digest))?;
        let w = cs.new_witness_variable(|| Ok(self.digest))?;
        cs.enforce_constraint(lc!() + w, lc!() + Variable::One, lc!() + x)?;
        Ok(())
    }
}

/// A seeded (reproducible, insecure) setup of the echo circuit.
pub fn setup(seed: u64) -> ProvingKey<Bn254> {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    Groth16::<Bn254>::generate_random_parameters_with_reduction(
        DigestEcho {
            digest: Fr::from(0u64),
        },
        &mut rng,
    )
    .expect("echo setup")
}

/// A proof that `digest` (< 2^253) is the public input.
pub fn prove(pk: &ProvingKey<Bn254>, digest: U256) -> Proof<Bn254> {
    prove_fr(pk, digest_to_fr(digest).expect("digest below 2^253"))
}

/// A proof for an arbitrary scalar.
pub fn prove_fr(pk: &ProvingKey<Bn254>, digest: Fr) -> Proof<Bn254> {
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    Groth16::<Bn254>::create_random_proof_with_reduction(DigestEcho { digest }, pk, &mut rng)
        .expect("echo proof")
}
