//! R1CS (arkworks, over BN254's scalar field) verifier of plonky2 proofs: Goldilocks and its
//! quadratic extension with canonical range checks and lazy reduction, the gate constraints
//! and permutation argument at ζ, and the circuit-digest binding. See docs/wrap.md, section
//! "R1CS verifier".

pub mod challenger;
pub mod circuit;
pub mod ext2;
pub mod fri;
pub mod gates;
pub mod goldilocks;
pub mod public_inputs;
pub mod vanishing;
pub mod verifier;

use ark_relations::r1cs::SynthesisError;

/// Errors of the R1CS verifier (while building the constraint system).
#[derive(Debug, thiserror::Error)]
pub enum VerifierError {
    /// An arkworks synthesis error (e.g. an inverse of zero among constants).
    #[error("synthesis: {0}")]
    Synthesis(#[from] SynthesisError),
    /// The circuit uses a gate type this verifier does not implement.
    #[error("unsupported gate {0}")]
    UnsupportedGate(String),
    /// The circuit uses lookups, which this verifier rejects.
    #[error("circuits with lookups are not supported")]
    Lookups,
    /// The circuit digest does not match the constants/sigmas cap it claims to commit to.
    #[error("circuit digest does not match the constants/sigmas cap")]
    DigestMismatch,
    /// The proof or openings do not have the shape the common data requires.
    #[error("proof shape: {0}")]
    Shape(String),
}
