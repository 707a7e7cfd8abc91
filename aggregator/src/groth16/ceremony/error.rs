//! Typed errors of the ceremony: every check names what failed and where.

use thiserror::Error;

/// Everything that can go wrong reading, writing or verifying ceremony files.
#[derive(Debug, Error)]
pub enum CeremonyError {
    /// Filesystem error on `path`.
    #[error("io error on {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The file does not start with the expected magic bytes.
    #[error("{file}: not a .{expected} file (magic {found:?})")]
    BadMagic {
        /// The file.
        file: String,
        /// The expected magic (`ptau`, `zkey`, `r1cs`).
        expected: &'static str,
        /// The bytes found.
        found: [u8; 4],
    },
    /// The file ended before a structure it announces.
    #[error("{file}: truncated: {what}")]
    Truncated {
        /// The file.
        file: String,
        /// What was being read.
        what: String,
    },
    /// A structural problem: a missing or duplicated section, a size that does not match the
    /// header, an unsupported version or protocol.
    #[error("{file}: malformed: {what}")]
    Malformed {
        /// The file.
        file: String,
        /// What is wrong.
        what: String,
    },
    /// The file is for another curve than BN254.
    #[error("{file}: wrong curve: {what} (zkroll needs BN254)")]
    WrongCurve {
        /// The file.
        file: String,
        /// Which modulus did not match.
        what: String,
    },
    /// A point is not canonical, not on the curve or not in the prime-order subgroup.
    #[error("{file}: invalid point {what}: {reason}")]
    InvalidPoint {
        /// The file.
        file: String,
        /// Section and index of the point.
        what: String,
        /// Why it is invalid.
        reason: &'static str,
    },
    /// A field element is not canonical (`>= modulus`).
    #[error("{file}: non-canonical field element {what}")]
    InvalidScalar {
        /// The file.
        file: String,
        /// Where.
        what: String,
    },
    /// The Powers of Tau file has too few powers for the circuit.
    #[error(
        "too few powers of tau: the circuit needs 2^{needed} (domain of {rows} rows), the file has 2^{available}"
    )]
    TooFewPowers {
        /// log2 of the domain the circuit needs.
        needed: u32,
        /// Rows of the QAP (constraints + public inputs + 1).
        rows: usize,
        /// The file's power.
        available: u32,
    },
    /// The Powers of Tau file is not prepared for phase 2 (no Lagrange sections 12-15).
    #[error(
        "{file}: powers of tau not prepared for phase 2 (run `snarkjs powersoftau prepare phase2`)"
    )]
    NotPrepared {
        /// The file.
        file: String,
    },
    /// The powers in a Powers of Tau file are not consistent with each other.
    #[error("{file}: inconsistent powers of tau: {what}")]
    InconsistentPtau {
        /// The file.
        file: String,
        /// Which pairing check failed.
        what: String,
    },
    /// A phase-2 contribution does not verify.
    #[error("contribution #{index}: {reason}")]
    BadContribution {
        /// 1-based index of the contribution in the chain.
        index: usize,
        /// What failed.
        reason: String,
    },
    /// The key is not the one this circuit and this Powers of Tau give.
    #[error("key does not match the circuit or the powers of tau: {what}")]
    Mismatch {
        /// What differs.
        what: String,
    },
    /// The constraint system could not be built.
    #[error("constraint synthesis: {0}")]
    Synthesis(String),
    /// An argument is out of range.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
}

impl CeremonyError {
    /// An [`CeremonyError::Io`] for `path`.
    pub fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        CeremonyError::Io {
            path: path.display().to_string(),
            source,
        }
    }
}
