//! EIP-4844 blobs, the native side of the blob binding (`docs/formats.md`, "Blob binding";
//! `docs/blobs.md`).
//!
//! - [`encoding`]: data bytes ↔ blob elements (31-byte chunks, canonical by construction),
//!   with typed rejection of non-canonical elements on decoding.
//! - [`field`]: BLS12-381 `Fr` arithmetic and the bit-reversed 4096-th roots of unity.
//! - [`eval`]: the evaluation point `x = H(data commitment ‖ versioned hash)` and the
//!   barycentric evaluation `y = p(x)` over the used elements only.
//! - [`kzg`]: commitment, versioned hash and KZG opening proof through `c-kzg` with
//!   Ethereum's trusted setup ([`kzg::open_blob`] computes everything a batch needs).
//!
//! The plonky2 twin is `crate::gadgets::blob`.

pub mod encoding;
pub mod eval;
pub mod field;
pub mod kzg;

/// Errors of blob encoding, decoding and opening.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BlobError {
    /// The data does not fit in one blob.
    #[error("blob data of {len} bytes exceeds the {max} bytes one blob carries")]
    DataTooLong {
        /// Length of the data.
        len: usize,
        /// Capacity of a blob (`4096 · 31`).
        max: usize,
    },
    /// A blob must be exactly `4096 · 32` bytes.
    #[error("a blob has 131072 bytes, got {0}")]
    BlobLength(usize),
    /// Blob element `index` is `≥ r` (not a canonical BLS12-381 scalar).
    #[error("blob element {index} is not a canonical BLS12-381 scalar (≥ r)")]
    ElementNotCanonical {
        /// Index of the element in the blob.
        index: usize,
    },
    /// Blob element `index` has a non-zero top byte, so it does not carry a 31-byte chunk.
    #[error("blob element {index} has top byte {byte:#04x}, expected 0")]
    ElementTopByte {
        /// Index of the element in the blob.
        index: usize,
        /// The offending byte.
        byte: u8,
    },
    /// `c-kzg` refused an operation.
    #[error("KZG {op} failed: {message}")]
    Kzg {
        /// The operation (commitment, proof, verification).
        op: &'static str,
        /// What c-kzg reported.
        message: String,
    },
}
