//! Errors of the library facade.

use zkroll_circuits::error::ExecError;
use zkroll_prover::ProverError;

/// Everything that can go wrong while proving or verifying a batch through the facade.
#[derive(Debug, thiserror::Error)]
pub enum ProveError {
    /// The batch is invalid (the error names the tx and field); nothing was proven.
    #[error(transparent)]
    Exec(#[from] ExecError),
    /// Building circuits, proving, verifying, or the work directory failed.
    #[error(transparent)]
    Prover(#[from] ProverError),
    /// The wrap (shrink, R1CS, Groth16, key cache) failed.
    #[error(transparent)]
    Wrap(#[from] zkroll_aggregator::AggregatorError),
    /// Bytes that do not decode as a proof file.
    #[error("malformed proof: {0}")]
    Malformed(String),
    /// A proof that does not match what it claims (statement, digest, circuit).
    #[error("proof mismatch: {0}")]
    Mismatch(String),
    /// The blocking proving task panicked or was cancelled by the runtime.
    #[error("proving task failed: {0}")]
    Join(String),
}
