//! The aggregation circuit: verifies two child proofs and checks that their statements link.

use crate::{CircuitData, Proof, ProverError, StatementTarget, C, D, F, STATEMENT_LEN};
use plonky2::iop::witness::{PartialWitness, WitnessWrite};
use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::circuit_data::{CircuitConfig, CommonCircuitData, VerifierOnlyCircuitData};
use plonky2::plonk::proof::ProofWithPublicInputsTarget;
use plonky2::util::serialization::{
    Buffer, DefaultGateSerializer, DefaultGeneratorSerializer, Read, Remaining, Write,
};
use sha2::{Digest, Sha256};

/// Magic bytes of a serialised aggregation circuit.
pub const CIRCUIT_MAGIC: [u8; 4] = *b"ZKRC";
/// Version of the serialised aggregation circuit layout.
pub const CIRCUIT_VERSION: u32 = 1;

/// One level of the aggregation tree.
///
/// Invariant: the children's verifier data (constants Merkle cap and circuit digest) are
/// constants of this circuit, so a proof of it attests two proofs of exactly that child
/// circuit; its public inputs are the linked [`crate::Statement`] (40 limbs).
pub struct AggCircuit {
    /// Level in the tree: 0 aggregates leaves, `k` aggregates level `k - 1`.
    pub level: usize,
    /// The built circuit.
    pub data: CircuitData,
    left: ProofWithPublicInputsTarget<D>,
    right: ProofWithPublicInputsTarget<D>,
}

impl AggCircuit {
    /// Builds the circuit aggregating two proofs of the child circuit given by its common
    /// and verifier-only data.
    pub fn build(
        level: usize,
        child_common: &CommonCircuitData<F, D>,
        child_verifier: &VerifierOnlyCircuitData<C, D>,
    ) -> Result<Self, ProverError> {
        if child_common.num_public_inputs != STATEMENT_LEN {
            return Err(ProverError::BadLeafCircuit(child_common.num_public_inputs));
        }
        let _span = tracing::info_span!("build_aggregation", level).entered();
        let mut b = CircuitBuilder::<F, D>::new(CircuitConfig::standard_recursion_config());
        let vd = b.constant_verifier_data(child_verifier);
        let left = b.add_virtual_proof_with_pis(child_common);
        let right = b.add_virtual_proof_with_pis(child_common);
        b.verify_proof::<C>(&left, &vd, child_common);
        b.verify_proof::<C>(&right, &vd, child_common);
        let ls = StatementTarget::from_slice(&left.public_inputs)?;
        let rs = StatementTarget::from_slice(&right.public_inputs)?;
        let out = StatementTarget::compose(&mut b, &ls, &rs);
        b.register_public_inputs(&out.limbs);
        let data = b.build::<C>();
        tracing::info!(
            level,
            degree_bits = data.common.degree_bits(),
            "aggregation circuit built"
        );
        Ok(AggCircuit {
            level,
            data,
            left,
            right,
        })
    }

    /// Number of rows (`2^degree_bits`) of the circuit.
    pub fn rows(&self) -> usize {
        1 << self.data.common.degree_bits()
    }

    /// Proves that `left` and `right` are valid child proofs whose statements link.
    /// Fails (never panics) if they do not link or do not verify.
    pub fn prove(&self, left: &Proof, right: &Proof) -> Result<Proof, ProverError> {
        let mut pw = PartialWitness::new();
        pw.set_proof_with_pis_target(&self.left, left)
            .map_err(|e| ProverError::Proving(e.to_string()))?;
        pw.set_proof_with_pis_target(&self.right, right)
            .map_err(|e| ProverError::Proving(e.to_string()))?;
        let data = &self.data;
        // plonky2 may panic inside witness generation on an inconsistent witness (a failed
        // `connect`); turn that into a typed error.
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| data.prove(pw)))
            .map_err(|p| ProverError::Proving(panic_message(&p)))?
            .map_err(|e| ProverError::Proving(e.to_string()))
    }

    /// Verifies a proof of this circuit.
    pub fn verify(&self, proof: &Proof) -> Result<(), ProverError> {
        self.data
            .verify(proof.clone())
            .map_err(|e| ProverError::Verification(e.to_string()))
    }
}

impl AggCircuit {
    /// Serialises the circuit (prover and verifier data, proof targets):
    /// `"ZKRC" ‖ version u32 BE ‖ sha256(payload) ‖ payload`, the payload written with
    /// plonky2's `DefaultGateSerializer` / `DefaultGeneratorSerializer`.
    pub fn to_bytes(&self) -> Result<Vec<u8>, ProverError> {
        let io = |_| ProverError::Malformed("circuit serialisation failed".into());
        let mut payload: Vec<u8> = Vec::new();
        payload.write_usize(self.level).map_err(io)?;
        payload
            .write_circuit_data(
                &self.data,
                &DefaultGateSerializer,
                &DefaultGeneratorSerializer::<C, D>::default(),
            )
            .map_err(io)?;
        payload
            .write_target_proof_with_public_inputs(&self.left)
            .map_err(io)?;
        payload
            .write_target_proof_with_public_inputs(&self.right)
            .map_err(io)?;
        let mut out = Vec::with_capacity(40 + payload.len());
        out.extend(CIRCUIT_MAGIC);
        out.extend(CIRCUIT_VERSION.to_be_bytes());
        out.extend(Sha256::digest(&payload));
        out.extend(payload);
        Ok(out)
    }

    /// Decodes [`AggCircuit::to_bytes`], rejecting a bad magic, version or checksum, or
    /// trailing bytes. The caller must know the bytes come from a trusted cache: a circuit
    /// file determines what the loaded circuit proves.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ProverError> {
        let bad = |m: &str| ProverError::Malformed(m.to_string());
        if bytes.len() < 40 || bytes[0..4] != CIRCUIT_MAGIC {
            return Err(bad("bad circuit magic"));
        }
        if bytes[4..8] != CIRCUIT_VERSION.to_be_bytes() {
            return Err(bad("unsupported circuit version"));
        }
        let payload = &bytes[40..];
        if Sha256::digest(payload).as_slice() != &bytes[8..40] {
            return Err(bad("circuit checksum mismatch"));
        }
        let io = |_| bad("circuit deserialisation failed");
        let mut buf = Buffer::new(payload);
        let level = buf.read_usize().map_err(io)?;
        let data = buf
            .read_circuit_data::<F, C, D>(
                &DefaultGateSerializer,
                &DefaultGeneratorSerializer::<C, D>::default(),
            )
            .map_err(io)?;
        let left = buf.read_target_proof_with_public_inputs().map_err(io)?;
        let right = buf.read_target_proof_with_public_inputs().map_err(io)?;
        if buf.remaining() != 0 {
            return Err(bad("trailing bytes after circuit"));
        }
        Ok(AggCircuit {
            level,
            data,
            left,
            right,
        })
    }
}

/// The message of a caught panic payload.
pub(crate) fn panic_message(p: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic during proving".to_string()
    }
}
