//! Groth16 on BN254 (ark-groth16), generic over any `ConstraintSynthesizer<Fr>`:
//! seeded development setup with an on-disk key cache of installed keys and their provenance
//! ([`cache`]), recognising development keys ([`dev`]) and the rule for deploying them
//! ([`policy`]), the snarkjs-compatible trusted-setup ceremony ([`ceremony`]), proving,
//! verification,
//! (de)serialisation and snarkjs export ([`snarkjs`]).

pub mod cache;
pub mod ceremony;
pub mod dev;
pub mod policy;
pub mod quiet;
pub mod snarkjs;

pub use cache::{vk_hash, KeyProvenance, KeyRecord, KeySource};

use ark_bn254::{Bn254, Fr};
use ark_groth16::{Groth16, Proof, ProvingKey, VerifyingKey};
use ark_relations::r1cs::ConstraintSynthesizer;
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use ark_std::rand::{CryptoRng, RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use sha2::{Digest, Sha256};

use crate::error::AggregatorError;

/// Groth16 proof on BN254.
pub type G16Proof = Proof<Bn254>;
/// Groth16 proving key on BN254.
pub type G16ProvingKey = ProvingKey<Bn254>;
/// Groth16 verifying key on BN254.
pub type G16VerifyingKey = VerifyingKey<Bn254>;

/// Domain separator of the development-setup seed.
const SETUP_DOMAIN: &[u8] = b"zkroll/groth16-dev-setup/v1";

/// The 32-byte ChaCha20 seed of the development setup of circuit `circuit_id`:
/// `sha256(SETUP_DOMAIN ‖ circuit_id)`. The setup is reproducible and therefore **not secure
/// for production**: anyone can recompute the toxic waste ([`dev::dev_trapdoor`]) and forge
/// proofs; it exists for tests, the demo and local devnets.
pub fn dev_setup_seed(circuit_id: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(SETUP_DOMAIN);
    h.update(circuit_id.as_bytes());
    h.finalize().into()
}

/// Reproducible development setup: the same `circuit_id` and circuit give the same keys.
/// **Forgeable** (see [`dev_setup_seed`]); production keys come from a ceremony.
pub fn setup_seeded<C: ConstraintSynthesizer<Fr>>(
    circuit: C,
    circuit_id: &str,
) -> Result<G16ProvingKey, AggregatorError> {
    let mut rng = ChaCha20Rng::from_seed(dev_setup_seed(circuit_id));
    quiet::quiet(|| Groth16::<Bn254>::generate_random_parameters_with_reduction(circuit, &mut rng))
        .map_err(|e| AggregatorError::Groth16(e.to_string()))
}

/// Proves `circuit` with fresh randomness from `rng` (use a CSPRNG, e.g. `OsRng`).
///
/// The witness must satisfy the circuit: ark-groth16 only `debug_assert`s it (a panic in debug
/// builds); in release an unsatisfied witness yields a proof that [`verify`] rejects.
///
/// The QAP reduction follows the key: a key from a snarkjs-compatible ceremony
/// ([`ceremony`]) holds the odd Lagrange points of the doubled domain in its H query and is
/// proved with [`ceremony::reduction::CircomReduction`]; a key from [`setup_seeded`] with
/// ark-groth16's default reduction. See [`is_circom_key`].
pub fn prove<C: ConstraintSynthesizer<Fr>, R: RngCore + CryptoRng>(
    pk: &G16ProvingKey,
    circuit: C,
    rng: &mut R,
) -> Result<G16Proof, AggregatorError> {
    let r = quiet::quiet(|| {
        if is_circom_key(pk) {
            Groth16::<Bn254, ceremony::reduction::CircomReduction>::create_random_proof_with_reduction(
                circuit, pk, rng,
            )
        } else {
            Groth16::<Bn254>::create_random_proof_with_reduction(circuit, pk, rng)
        }
    });
    r.map_err(|e| AggregatorError::Groth16(e.to_string()))
}

/// Whether `pk` is in circom/snarkjs form: its H query has one point per row of the QAP
/// domain (a power of two, at least 2), where ark-groth16's default reduction gives one fewer
/// (`domain - 1`, never a power of two above 1).
pub fn is_circom_key(pk: &G16ProvingKey) -> bool {
    let n = pk.h_query.len();
    n >= 2 && n.is_power_of_two()
}

/// Verifies `proof` for `public_inputs`; `Ok(())` only if it is valid.
pub fn verify(
    vk: &G16VerifyingKey,
    public_inputs: &[Fr],
    proof: &G16Proof,
) -> Result<(), AggregatorError> {
    if public_inputs.len() + 1 != vk.gamma_abc_g1.len() {
        return Err(AggregatorError::Groth16(format!(
            "expected {} public inputs, got {}",
            vk.gamma_abc_g1.len() - 1,
            public_inputs.len()
        )));
    }
    let pvk = ark_groth16::prepare_verifying_key(vk);
    match Groth16::<Bn254>::verify_proof(&pvk, proof, public_inputs) {
        Ok(true) => Ok(()),
        Ok(false) => Err(AggregatorError::ProofRejected),
        Err(e) => Err(AggregatorError::Groth16(e.to_string())),
    }
}

/// Compressed canonical bytes of a proof (128 bytes).
pub fn proof_to_bytes(proof: &G16Proof) -> Result<Vec<u8>, AggregatorError> {
    let mut out = Vec::new();
    proof
        .serialize_compressed(&mut out)
        .map_err(|e| AggregatorError::Serialization(e.to_string()))?;
    Ok(out)
}

/// Parses a proof, validating that every point is on the curve and in the subgroup, and
/// that the bytes are the proof's canonical encoding: arkworks decodes a point whose
/// infinity flag is set as the point at infinity whatever its coordinate bytes hold (found
/// by the `g16` fuzz target, docs/fuzzing.md), so several byte strings would name one proof.
pub fn proof_from_bytes(bytes: &[u8]) -> Result<G16Proof, AggregatorError> {
    let proof = G16Proof::deserialize_compressed(bytes)
        .map_err(|e| AggregatorError::Serialization(e.to_string()))?;
    if proof_to_bytes(&proof)? != bytes {
        return Err(AggregatorError::Serialization(
            "non-canonical Groth16 proof encoding".into(),
        ));
    }
    Ok(proof)
}

/// Compressed canonical bytes of a verifying key.
pub fn vk_to_bytes(vk: &G16VerifyingKey) -> Result<Vec<u8>, AggregatorError> {
    let mut out = Vec::new();
    vk.serialize_compressed(&mut out)
        .map_err(|e| AggregatorError::Serialization(e.to_string()))?;
    Ok(out)
}

/// Parses a verifying key with full validation (foreign input).
pub fn vk_from_bytes(bytes: &[u8]) -> Result<G16VerifyingKey, AggregatorError> {
    G16VerifyingKey::deserialize_compressed(bytes)
        .map_err(|e| AggregatorError::Serialization(e.to_string()))
}

#[cfg(test)]
pub(crate) mod test_circuit {
    use ark_bn254::Fr;
    use ark_r1cs_std::alloc::AllocVar;
    use ark_r1cs_std::eq::EqGadget;
    use ark_r1cs_std::fields::fp::FpVar;
    use ark_relations::r1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError};

    /// Proves knowledge of `x, y` with `x · y + x = z` for public `z`.
    #[derive(Clone)]
    pub struct MulCircuit {
        pub x: Option<Fr>,
        pub y: Option<Fr>,
        pub z: Option<Fr>,
    }

    impl ConstraintSynthesizer<Fr> for MulCircuit {
        fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
            let z = FpVar::new_input(cs.clone(), || {
                self.z.ok_or(SynthesisError::AssignmentMissing)
            })?;
            let x = FpVar::new_witness(cs.clone(), || {
                self.x.ok_or(SynthesisError::AssignmentMissing)
            })?;
            let y = FpVar::new_witness(cs, || self.y.ok_or(SynthesisError::AssignmentMissing))?;
            (&x * &y + &x).enforce_equal(&z)
        }
    }

    pub fn instance() -> (MulCircuit, Fr) {
        let (x, y) = (Fr::from(3u64), Fr::from(11u64));
        let z = x * y + x;
        (
            MulCircuit {
                x: Some(x),
                y: Some(y),
                z: Some(z),
            },
            z,
        )
    }

    pub fn blank() -> MulCircuit {
        MulCircuit {
            x: None,
            y: None,
            z: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::test_circuit::*;
    use super::*;
    use ark_ec::AffineRepr;

    /// Found by the `g16` fuzz target (docs/fuzzing.md): `b` carries the infinity flag with
    /// non-zero coordinate bytes; arkworks decodes it as the point at infinity, so these
    /// bytes and the canonical encoding named the same proof.
    #[test]
    fn non_canonical_proof_encodings_are_rejected() {
        let crash = hex::decode(
            "0100000000000000000000000000000000000000000000000000000000000000\
             edf692d95cbdde46ddda5ef7d422436779445c5e66006a42761e1f12efde0018\
             c212f385b7aee49712e7a9353349aaf1255dfb31157a6b726f6c6c2f77726170\
             2f66750000000000000000000000000000000000000000000000000000000000",
        )
        .unwrap();
        let e = proof_from_bytes(&crash).unwrap_err().to_string();
        assert!(e.contains("non-canonical"), "{e}");
        let p = G16Proof::deserialize_compressed(&crash[..]).unwrap();
        assert!(p.b.is_zero());
        let canonical = proof_to_bytes(&p).unwrap();
        assert_ne!(canonical, crash);
        assert_eq!(proof_from_bytes(&canonical).unwrap(), p);
    }

    #[test]
    fn prove_verify_roundtrip_and_rejections() {
        let pk = setup_seeded(blank(), "test/mul").unwrap();
        let pk2 = setup_seeded(blank(), "test/mul").unwrap();
        assert_eq!(pk.vk, pk2.vk, "seeded setup is reproducible");
        let other = setup_seeded(blank(), "test/other").unwrap();
        assert_ne!(pk.vk, other.vk);
        let (c, z) = instance();
        let proof = prove(&pk, c, &mut rand::rngs::OsRng).unwrap();
        verify(&pk.vk, &[z], &proof).unwrap();
        // Serialisation round trips.
        let pb = proof_to_bytes(&proof).unwrap();
        assert_eq!(pb.len(), 128);
        let vkb = vk_to_bytes(&pk.vk).unwrap();
        verify(
            &vk_from_bytes(&vkb).unwrap(),
            &[z],
            &proof_from_bytes(&pb).unwrap(),
        )
        .unwrap();
        // Wrong public input, wrong count, tampered proof, other key.
        assert!(matches!(
            verify(&pk.vk, &[z + Fr::from(1u64)], &proof),
            Err(AggregatorError::ProofRejected)
        ));
        assert!(verify(&pk.vk, &[z, z], &proof).is_err());
        assert!(verify(&pk.vk, &[], &proof).is_err());
        let mut bad = proof.clone();
        bad.a = (bad.a + ark_bn254::G1Affine::generator()).into();
        assert!(verify(&pk.vk, &[z], &bad).is_err());
        assert!(verify(&other.vk, &[z], &proof).is_err());
        // Corrupted proof bytes are rejected by the validating parser or by verification.
        let mut pb2 = pb.clone();
        pb2[5] ^= 1;
        match proof_from_bytes(&pb2) {
            Err(_) => {}
            Ok(p) => assert!(verify(&pk.vk, &[z], &p).is_err()),
        }
    }
}
