//! The wrap pipeline: a plonky2 proof whose 8 public inputs are the digest words (the
//! prover's top proof) → shrink layers → final Poseidon-BN254 proof → R1CS verifier →
//! Groth16 proof with one public input, the digest.

use ark_bn254::Fr;
use ark_ff::{BigInteger, PrimeField};
use plonky2::plonk::circuit_data::{CommonCircuitData, VerifierOnlyCircuitData};
use plonky2::plonk::proof::ProofWithPublicInputs;
use sha2::{Digest as _, Sha256};

use crate::config::F;
use crate::groth16::cache::{vk_hash, CacheOutcome, KeyCache, KeyRecord, KeySource};
use crate::groth16::{self, G16ProvingKey, G16VerifyingKey};
use crate::r1cs::circuit::CheckedVerifierData;
use crate::r1cs::verifier::{
    dummy_proof, public_input_digest, verify_proof_var_counted, ConstraintCounts, WrapCircuit,
};
use crate::shrink::{InnerConfig, ShrinkCircuits, ShrinkParams};
use crate::AggregatorError;

/// Magic bytes of an encoded [`WrappedBatch`] (`zkroll wrap`'s output).
pub const WRAPPED_MAGIC: [u8; 4] = *b"ZKRW";
/// Version of the [`WrappedBatch`] encoding (2: carries the vk hash; version 1 is refused).
pub const WRAPPED_VERSION: u32 = 2;

/// Stages of [`Wrapper::new`] and [`Wrapper::wrap`], for progress reporting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WrapStage {
    /// Building the shrink circuits.
    BuildShrink,
    /// Loading (or generating, first time) the Groth16 keys.
    Keys,
    /// Proving the shrink layers.
    Shrink,
    /// Synthesising the R1CS witness and proving Groth16.
    Groth16,
}

/// A Groth16 proof of a batch.
///
/// Invariant (checked by [`Wrapper::verify`] / by the L1 verifier): `proof` verifies under
/// the verifying key of `circuit_id` whose [`vk_hash`] is `vk_hash`, with the single public
/// input `digest` (big-endian, `< 2^253`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WrappedBatch {
    /// Identity of the wrap circuit (and so of its keys).
    pub circuit_id: String,
    /// The public input: the batch digest of docs/formats.md §5.
    pub digest: [u8; 32],
    /// [`vk_hash`] of the verifying key the proof was made for.
    pub vk_hash: [u8; 32],
    /// The Groth16 proof, arkworks compressed encoding (128 bytes).
    pub proof: Vec<u8>,
}

impl WrappedBatch {
    /// `"ZKRW" ‖ version u32 BE ‖ sha256(body) ‖ body`, body = `digest ‖ vk_hash ‖ len u32 ‖
    /// circuit_id ‖ len u32 ‖ proof` (docs/formats.md §8).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut body = self.digest.to_vec();
        body.extend(self.vk_hash);
        body.extend((self.circuit_id.len() as u32).to_be_bytes());
        body.extend(self.circuit_id.as_bytes());
        body.extend((self.proof.len() as u32).to_be_bytes());
        body.extend(&self.proof);
        let mut out = WRAPPED_MAGIC.to_vec();
        out.extend(WRAPPED_VERSION.to_be_bytes());
        out.extend(Sha256::digest(&body));
        out.extend(body);
        out
    }

    /// Decodes [`WrappedBatch::to_bytes`]; rejects a bad magic, version, checksum, length or
    /// trailing bytes, and a digest `≥ 2^253`.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, AggregatorError> {
        let bad = |m: &str| AggregatorError::Serialization(format!("wrapped proof: {m}"));
        if bytes.len() < 8 || bytes[..4] != WRAPPED_MAGIC {
            return Err(bad("not a zkroll Groth16 proof file"));
        }
        let version = u32::from_be_bytes(bytes[4..8].try_into().expect("4 bytes"));
        if version != WRAPPED_VERSION {
            return Err(bad(&format!(
                "format version {version}, this zkroll reads version {WRAPPED_VERSION}{}",
                if version < WRAPPED_VERSION {
                    " (older files carry no vk hash: wrap the batch proof again)"
                } else {
                    ""
                }
            )));
        }
        if bytes.len() < 40 + 32 + 32 + 8 {
            return Err(bad("truncated"));
        }
        let body = &bytes[40..];
        if Sha256::digest(body).as_slice() != &bytes[8..40] {
            return Err(bad("checksum mismatch (corrupted file)"));
        }
        let digest: [u8; 32] = body[..32].try_into().expect("32 bytes");
        if digest[0] & 0xe0 != 0 {
            return Err(bad("digest ≥ 2^253"));
        }
        let vk_hash: [u8; 32] = body[32..64].try_into().expect("32 bytes");
        let mut rest = &body[64..];
        let mut take = |what: &str| -> Result<Vec<u8>, AggregatorError> {
            if rest.len() < 4 {
                return Err(bad(what));
            }
            let n = u32::from_be_bytes(rest[..4].try_into().expect("4 bytes")) as usize;
            if rest.len() < 4 + n {
                return Err(bad(what));
            }
            let v = rest[4..4 + n].to_vec();
            rest = &rest[4 + n..];
            Ok(v)
        };
        let id = take("truncated circuit id")?;
        let proof = take("truncated proof")?;
        if !rest.is_empty() {
            return Err(bad("trailing bytes"));
        }
        Ok(WrappedBatch {
            circuit_id: String::from_utf8(id).map_err(|_| bad("circuit id is not UTF-8"))?,
            digest,
            vk_hash,
            proof,
        })
    }

    /// The digest as the Groth16 public input.
    pub fn public_input(&self) -> Fr {
        Fr::from_be_bytes_mod_order(&self.digest)
    }
}

/// The digest bytes (big-endian) of a public input `< 2^253`.
pub fn digest_bytes(x: &Fr) -> [u8; 32] {
    let b = x.into_bigint().to_bytes_be();
    let mut out = [0u8; 32];
    out[32 - b.len()..].copy_from_slice(&b);
    out
}

/// Wraps proofs of one input circuit (the prover's top circuit for one tree height).
pub struct Wrapper {
    shrink: ShrinkCircuits,
    pk: G16ProvingKey,
    circuit_id: String,
    record: KeyRecord,
}

impl Wrapper {
    /// Builds the shrink circuits for the input circuit and loads its Groth16 keys from
    /// `cache` as `source` allows: [`KeySource::Installed`] needs an installed key (a ceremony
    /// key); [`KeySource::DevSetup`] uses the installed key if there is one, else runs the
    /// seeded development setup (forgeable, for tests and local devnets) and installs it.
    pub fn new(
        input_common: &CommonCircuitData<F, 2>,
        input_verifier: &VerifierOnlyCircuitData<InnerConfig, 2>,
        params: ShrinkParams,
        cache: &KeyCache,
        source: KeySource,
        progress: &dyn Fn(WrapStage),
    ) -> Result<(Self, CacheOutcome), AggregatorError> {
        let _span = tracing::info_span!("wrapper_setup").entered();
        progress(WrapStage::BuildShrink);
        let shrink = ShrinkCircuits::build(input_common, input_verifier, params);
        progress(WrapStage::Keys);
        let data = shrink.final_data();
        let setup = || WrapCircuit::new(data.common.clone(), data.verifier_only.clone(), &[], None);
        let circuit_id = setup()
            .map_err(|e| AggregatorError::Groth16(e.to_string()))?
            .circuit_id();
        let (pk, record, outcome) = cache.load_or_setup(&circuit_id, source, || {
            setup().expect("checked just above with the same inputs")
        })?;
        Ok((
            Wrapper {
                shrink,
                pk,
                circuit_id,
                record,
            },
            outcome,
        ))
    }

    /// The install record of the key (its vk hash and provenance).
    pub fn key_record(&self) -> &KeyRecord {
        &self.record
    }

    /// [`vk_hash`] of the verifying key.
    pub fn vk_hash(&self) -> [u8; 32] {
        self.record.vk_hash
    }

    /// True when anyone can forge proofs for this key: its record says development setup,
    /// or (whatever the record says) it is the seeded setup of this circuit id
    /// ([`groth16::dev::is_dev_seeded`]).
    pub fn is_dev_key(&self) -> bool {
        self.record.provenance.is_dev()
            || groth16::dev::is_dev_seeded(&self.pk.vk, &self.circuit_id)
    }

    /// The verifying key (for the Solidity verifier and snarkjs).
    pub fn verifying_key(&self) -> &G16VerifyingKey {
        &self.pk.vk
    }

    /// Identity of the wrap circuit.
    pub fn circuit_id(&self) -> &str {
        &self.circuit_id
    }

    /// Wraps a proof of the input circuit: shrink layers, then Groth16. Fails (never
    /// panics) on a proof that does not verify.
    pub fn wrap(
        &self,
        input: &ProofWithPublicInputs<F, InnerConfig, 2>,
        progress: &dyn Fn(WrapStage),
    ) -> Result<WrappedBatch, AggregatorError> {
        let _span = tracing::info_span!("wrap").entered();
        progress(WrapStage::Shrink);
        let (final_proof, _) = self.shrink.prove(input)?;
        progress(WrapStage::Groth16);
        let data = self.shrink.final_data();
        let x = public_input_digest(&final_proof.public_inputs)
            .map_err(|e| AggregatorError::Groth16(e.to_string()))?;
        let circuit = WrapCircuit::new(
            data.common.clone(),
            data.verifier_only.clone(),
            &[],
            Some(final_proof),
        )
        .map_err(|e| AggregatorError::Groth16(e.to_string()))?;
        let proof = groth16::prove(&self.pk, circuit, &mut rand::rngs::OsRng)?;
        groth16::verify(&self.pk.vk, &[x], &proof)?;
        Ok(WrappedBatch {
            circuit_id: self.circuit_id.clone(),
            digest: digest_bytes(&x),
            vk_hash: self.record.vk_hash,
            proof: groth16::proof_to_bytes(&proof)?,
        })
    }

    /// The size of this wrapper's R1CS, by part: `(total of the Groth16 circuit, counts of the
    /// plonky2 verifier in it)`; the total adds the public input and the digest binding.
    /// Synthesised in setup mode on a zero proof (the system's shape depends only on the final
    /// circuit's common data), so no proving is needed.
    pub fn constraint_counts(&self) -> Result<(usize, ConstraintCounts), AggregatorError> {
        use ark_relations::r1cs::{ConstraintSynthesizer, ConstraintSystem, SynthesisMode};
        let err = |e: &dyn std::fmt::Display| AggregatorError::Groth16(e.to_string());
        let data = self.shrink.final_data();
        let vd = CheckedVerifierData::new(data.common.clone(), data.verifier_only.clone(), &[])
            .map_err(|e| err(&e))?;
        let cs = ConstraintSystem::<Fr>::new_ref();
        cs.set_mode(SynthesisMode::Setup);
        let (_, counts) = crate::groth16::quiet::quiet(|| {
            verify_proof_var_counted(cs.clone(), &vd, &dummy_proof(&data.common))
        })
        .map_err(|e| err(&e))?;
        let wrap = ConstraintSystem::<Fr>::new_ref();
        wrap.set_mode(SynthesisMode::Setup);
        let circuit = WrapCircuit::new(data.common.clone(), data.verifier_only.clone(), &[], None)
            .map_err(|e| err(&e))?;
        crate::groth16::quiet::quiet(|| circuit.generate_constraints(wrap.clone()))
            .map_err(|e| err(&e))?;
        Ok((wrap.num_constraints(), counts))
    }

    /// Verifies a wrapped proof with this wrapper's key.
    pub fn verify(&self, w: &WrappedBatch) -> Result<(), AggregatorError> {
        verify_wrapped(&self.pk.vk, &self.circuit_id, w)
    }
}

/// Verifies a wrapped proof against a verifying key and the circuit id it belongs to; a proof
/// whose vk hash is not `vk`'s is [`AggregatorError::WrongKey`].
pub fn verify_wrapped(
    vk: &G16VerifyingKey,
    circuit_id: &str,
    w: &WrappedBatch,
) -> Result<(), AggregatorError> {
    if w.circuit_id != circuit_id {
        return Err(AggregatorError::Groth16(
            "proof of another wrap circuit".into(),
        ));
    }
    let key = vk_hash(vk);
    if w.vk_hash != key {
        return Err(AggregatorError::WrongKey {
            proof: hex::encode(w.vk_hash),
            against: "the verifying key here".into(),
            key: hex::encode(key),
        });
    }
    let proof = groth16::proof_from_bytes(&w.proof)?;
    groth16::verify(vk, &[w.public_input()], &proof)
}

#[cfg(test)]
mod tests {
    use super::*;
    use plonky2::field::types::Field;
    use plonky2::iop::witness::{PartialWitness, WitnessWrite};
    use plonky2::plonk::circuit_builder::CircuitBuilder;
    use plonky2::plonk::circuit_data::{CircuitConfig, CircuitData};

    fn sample() -> WrappedBatch {
        let mut digest = [0x5a; 32];
        digest[0] = 0x1f;
        WrappedBatch {
            circuit_id: "zkroll/wrap/v1/test".into(),
            digest,
            vk_hash: [0x33; 32],
            proof: (0..128).map(|i| i as u8).collect(),
        }
    }

    #[test]
    fn wrapped_batch_round_trips_and_rejects_corruption() {
        let w = sample();
        let bytes = w.to_bytes();
        assert_eq!(WrappedBatch::from_bytes(&bytes).unwrap(), w);
        for pos in [0, 5, 9, 45, 80, bytes.len() - 1] {
            let mut b = bytes.clone();
            b[pos] ^= 1;
            assert!(WrappedBatch::from_bytes(&b).is_err(), "byte {pos}");
        }
        assert!(WrappedBatch::from_bytes(&bytes[..bytes.len() - 1]).is_err());
        let mut long = bytes.clone();
        long.push(0);
        assert!(WrappedBatch::from_bytes(&long).is_err());
        // A digest ≥ 2^253 is refused even with a valid checksum.
        let mut big = w.clone();
        big.digest[0] = 0x20;
        assert!(WrappedBatch::from_bytes(&big.to_bytes()).is_err());
        assert_eq!(digest_bytes(&w.public_input()), w.digest);
        // Version 1 (no vk hash) is refused with a message saying what to do.
        let mut v1 = bytes.clone();
        v1[4..8].copy_from_slice(&1u32.to_be_bytes());
        let e = WrappedBatch::from_bytes(&v1).unwrap_err().to_string();
        assert!(
            e.contains("version 1") && e.contains("wrap the batch proof again"),
            "{e}"
        );
        assert!(WrappedBatch::from_bytes(&bytes[..60]).is_err());
    }

    /// A small input circuit with 8 u32 public inputs (like the prover's top circuit).
    fn input_circuit() -> (
        CircuitData<F, InnerConfig, 2>,
        Vec<plonky2::iop::target::Target>,
    ) {
        let mut b = CircuitBuilder::<F, 2>::new(CircuitConfig::standard_recursion_config());
        let limbs: Vec<_> = (0..8).map(|_| b.add_virtual_target()).collect();
        for &l in &limbs {
            b.range_check(l, 32);
        }
        b.register_public_inputs(&limbs);
        (b.build::<InnerConfig>(), limbs)
    }

    /// Whole pipeline with small shrink parameters: wrap, verify, and a proof for another
    /// digest or another circuit is rejected. ~3–5 min on 2 cores (Groth16 setup of the
    /// real final-layer verifier): `cargo test -p zkroll-aggregator --release wrap_pipeline
    /// -- --ignored`.
    #[test]
    #[ignore]
    fn wrap_pipeline_end_to_end() {
        let (data, limbs) = input_circuit();
        let dir = tempfile::tempdir().unwrap();
        let cache = KeyCache::new(dir.path());
        let params = ShrinkParams {
            rate_bits: 3,
            num_query_rounds: 28,
            proof_of_work_bits: 16,
            cap_height: 0,
            middle_layers: 1,
        };
        assert!(matches!(
            Wrapper::new(
                &data.common,
                &data.verifier_only,
                params,
                &cache,
                KeySource::Installed,
                &|_| {}
            ),
            Err(AggregatorError::NoKey { .. })
        ));
        let (w, outcome) = Wrapper::new(
            &data.common,
            &data.verifier_only,
            params,
            &cache,
            KeySource::DevSetup,
            &|_| {},
        )
        .unwrap();
        assert!(matches!(outcome, CacheOutcome::Generated));
        assert!(w.is_dev_key());
        let words = [0xffff_ffffu32, 1, 2, 3, 4, 5, 6, 7];
        let mut pw = PartialWitness::new();
        for (t, v) in limbs.iter().zip(words) {
            pw.set_target(*t, F::from_canonical_u32(v)).unwrap();
        }
        let input = data.prove(pw).unwrap();
        let out = w.wrap(&input, &|_| {}).unwrap();
        w.verify(&out).unwrap();
        // digest = words big-endian, top 3 bits dropped.
        let mut expect = [0u8; 32];
        for (c, v) in expect.chunks_exact_mut(4).zip(words) {
            c.copy_from_slice(&v.to_be_bytes());
        }
        expect[0] &= 0x1f;
        assert_eq!(out.digest, expect);
        let mut other = out.clone();
        other.digest[31] ^= 1;
        assert!(w.verify(&other).is_err());
        let mut other = out.clone();
        other.circuit_id.push('x');
        assert!(w.verify(&other).is_err());
        let mut other = out.clone();
        other.vk_hash[0] ^= 1;
        assert!(matches!(
            w.verify(&other),
            Err(AggregatorError::WrongKey { .. })
        ));
        // The keys are cached: a second wrapper loads them.
        let (_, outcome) = Wrapper::new(
            &data.common,
            &data.verifier_only,
            params,
            &cache,
            KeySource::Installed,
            &|_| {},
        )
        .unwrap();
        assert!(matches!(outcome, CacheOutcome::Loaded(_)));
    }
}
