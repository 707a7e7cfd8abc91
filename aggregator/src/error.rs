//! Typed errors of the aggregator crate.

use thiserror::Error;

/// Every failure the aggregator reports. No function of this crate panics on bad input.
#[derive(Debug, Error)]
pub enum AggregatorError {
    /// A 32-byte BN254 element encoding was not the canonical big-endian encoding of a value
    /// `< r`, or had the wrong length.
    #[error("non-canonical BN254 field element encoding: {0}")]
    NonCanonicalFr(String),
    /// A plonky2 operation (circuit building, proving, verification) failed.
    #[error("plonky2: {0}")]
    Plonky2(String),
    /// Groth16 setup, proving or verification failed.
    #[error("groth16: {0}")]
    Groth16(String),
    /// A Groth16 proof did not verify.
    #[error("groth16 proof rejected")]
    ProofRejected,
    /// (De)serialisation of keys, proofs or JSON failed.
    #[error("serialization: {0}")]
    Serialization(String),
    /// A key cache file was corrupted (bad checksum, truncated, wrong identity).
    #[error("corrupted key cache file {path}: {reason}")]
    CorruptedCache {
        /// Path of the offending file.
        path: String,
        /// What failed.
        reason: String,
    },
    /// Filesystem error.
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
}
