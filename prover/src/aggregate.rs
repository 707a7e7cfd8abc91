//! The aggregation circuit: verifies two child proofs and checks that their statements link.

use crate::{CircuitData, Proof, ProverError, StatementTarget, C, D, F, STATEMENT_LEN};
use plonky2::iop::witness::{PartialWitness, WitnessWrite};
use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::circuit_data::{CircuitConfig, CommonCircuitData, VerifierOnlyCircuitData};
use plonky2::plonk::proof::ProofWithPublicInputsTarget;

/// One level of the aggregation tree.
///
/// Invariant: the children's verifier data (constants Merkle cap and circuit digest) are
/// constants of this circuit, so a proof of it attests two proofs of exactly that child
/// circuit; its public inputs are the linked [`crate::Statement`] (33 limbs).
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
        let out = StatementTarget::link(&mut b, &ls, &rs);
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
