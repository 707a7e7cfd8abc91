//! Typed errors of the prover.

use thiserror::Error;

/// Everything that can go wrong while building circuits, proving, verifying or
/// (de)serialising proofs. No variant is ever produced by a panic on bad input.
#[derive(Debug, Error)]
pub enum ProverError {
    /// A list of limbs does not have the statement layout or a limb is out of range.
    #[error("invalid statement: {0}")]
    InvalidStatement(String),
    /// Two children cannot be aggregated: their statements do not link.
    #[error("statements do not link: {0}")]
    NotLinked(String),
    /// The batch needs more leaves than the configured tree height allows.
    #[error("batch needs {leaves} leaves, the configured tree holds {capacity}")]
    BatchTooLarge {
        /// Leaves needed.
        leaves: usize,
        /// Leaves of the configured tree.
        capacity: usize,
    },
    /// The batch is empty.
    #[error("empty batch: at least one leaf witness is needed")]
    EmptyBatch,
    /// The leaf circuit does not expose the statement layout.
    #[error("leaf circuit exposes {0} public inputs, expected 40")]
    BadLeafCircuit(usize),
    /// plonky2 failed to prove (typically an unsatisfied constraint).
    #[error("proving failed: {0}")]
    Proving(String),
    /// A proof did not verify, or its public inputs do not match the expected statement.
    #[error("verification failed: {0}")]
    Verification(String),
    /// Bytes could not be decoded (bad magic, version, checksum, truncated, ...).
    #[error("malformed data: {0}")]
    Malformed(String),
    /// The work was cancelled through [`crate::ProverConfig::cancel`].
    #[error("cancelled")]
    Cancelled,
    /// A file system error in the work directory.
    #[error("io error on {path}: {source}")]
    Io {
        /// The file or directory concerned.
        path: std::path::PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The top step refuses the batch's data (sizes, chains, operator credit).
    #[error("top step: {0}")]
    Top(crate::top::TopError),
    /// The rayon thread pool could not be built.
    #[error("thread pool: {0}")]
    ThreadPool(String),
}
