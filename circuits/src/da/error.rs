//! Errors of batch-data encoding and decoding.

/// A batch-data value that has no encoding, or bytes that are not a valid encoding.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DaError {
    /// A value with no exact packed form (formats.md §4.1).
    #[error("{field} {value} has no exact packed form (mantissa < 2^{bits} times 10^e, e ≤ 19)")]
    NotPackable {
        /// `"amount"` or `"fee"`.
        field: &'static str,
        /// The value.
        value: u64,
        /// Mantissa bits of the form.
        bits: u32,
    },
    /// A packed value that is not canonical, out of range or too large.
    #[error("packed {field} {packed:#x} is not a canonical packed value")]
    BadPacked {
        /// `"amount"` or `"fee"`.
        field: &'static str,
        /// The packed bits.
        packed: u64,
    },
    /// A record with an unknown type, non-zero unused bits or a bad packed field.
    #[error("blob record {index}: {why}")]
    BadRecord {
        /// Record index in the batch.
        index: usize,
        /// What is wrong.
        why: String,
    },
    /// An effect with an unknown type, non-zero padding or a non-canonical field.
    #[error("L1 effect {index}: {why}")]
    BadEffect {
        /// Effect index in the list.
        index: usize,
        /// What is wrong.
        why: String,
    },
    /// Blob data whose header or length is wrong.
    #[error("blob data: {0}")]
    BadBlobData(String),
    /// An effects list whose length is wrong.
    #[error("L1 effects list of {len} bytes: {why}")]
    BadEffectsList {
        /// Its length.
        len: usize,
        /// What is wrong.
        why: &'static str,
    },
}
