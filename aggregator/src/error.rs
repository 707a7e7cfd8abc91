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
    /// No key is installed in the cache for this circuit.
    #[error(
        "no Groth16 key installed for circuit `{circuit_id}` in {dir}: run a ceremony \
         (`zkroll setup init/contribute/verify/install`, docs/ceremony.md), or pass \
         `--dev-setup` (library: `KeySource::DevSetup`) for an insecure development key on a \
         local devnet"
    )]
    NoKey {
        /// The circuit whose key is missing.
        circuit_id: String,
        /// The key cache directory.
        dir: String,
    },
    /// A key's install record is missing, unreadable or of another circuit.
    #[error("key record {path}: {reason}")]
    KeyRecord {
        /// Path of the record file.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// A cached key is not the key recorded at install (a planted or swapped key file): it is
    /// refused, never used or replaced silently.
    #[error(
        "key file {path} does not match its install record: recorded vk hash 0x{recorded}, \
         file has 0x{actual}; refusing it (remove the file and reinstall the key)"
    )]
    KeyMismatch {
        /// Path of the key file.
        path: String,
        /// vk hash in the record (hex).
        recorded: String,
        /// vk hash of the key in the file (hex).
        actual: String,
    },
    /// A proof was made with another Groth16 key than the one it is checked against.
    #[error("the proof was made with Groth16 key 0x{proof} (vk hash), but {against} is 0x{key}")]
    WrongKey {
        /// vk hash carried by the proof (hex).
        proof: String,
        /// What the proof was checked against (e.g. "the installed key").
        against: String,
        /// vk hash of that key (hex).
        key: String,
    },
    /// Filesystem error.
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
}
