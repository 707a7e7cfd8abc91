//! The proof of a whole batch and its versioned byte encoding.

use crate::{ProverError, Statement};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Magic bytes of an encoded [`BatchProof`].
pub const BATCH_MAGIC: [u8; 4] = *b"ZKRB";
/// Version of the [`BatchProof`] encoding.
pub const BATCH_VERSION: u32 = 1;
/// Largest proof file decoded (a real one is a few hundred KiB): longer input is refused before
/// any allocation, and bincode decoding is capped at the same size.
pub const MAX_PROOF_FILE_BYTES: usize = 64 << 20;

/// The root aggregate proof of a batch.
///
/// Invariant (checked by [`crate::Prover::verify`], not by construction): `proof` is a
/// plonky2 proof of the aggregation circuit of tree height `height`, whose digest is
/// `circuit_digest`, and its public inputs are `statement.to_limbs()`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchProof {
    /// The statement proven.
    pub statement: Statement,
    /// Height of the aggregation tree (`2^height` leaves, `height >= 1`).
    pub height: u32,
    /// Number of real (non-padding) leaves.
    pub leaves: u32,
    /// Circuit digest of the root aggregation circuit.
    pub circuit_digest: [u64; 4],
    /// plonky2 `ProofWithPublicInputs::to_bytes`.
    pub proof: Vec<u8>,
}

impl BatchProof {
    /// `magic "ZKRB" ‖ version u32 BE ‖ sha256(payload) ‖ payload` with `payload` the
    /// bincode (standard config) encoding of `self`.
    pub fn to_bytes(&self) -> Result<Vec<u8>, ProverError> {
        let payload = bincode::serde::encode_to_vec(self, bincode::config::standard())
            .map_err(|e| ProverError::Malformed(e.to_string()))?;
        let mut out = Vec::with_capacity(40 + payload.len());
        out.extend(BATCH_MAGIC);
        out.extend(BATCH_VERSION.to_be_bytes());
        out.extend(Sha256::digest(&payload));
        out.extend(payload);
        Ok(out)
    }

    /// Decodes [`BatchProof::to_bytes`], rejecting a bad magic, another version, a checksum
    /// mismatch (any flipped byte) or trailing bytes. The proof still has to be verified.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ProverError> {
        let bad = |m: &str| Err(ProverError::Malformed(m.to_string()));
        if bytes.len() > MAX_PROOF_FILE_BYTES {
            return bad("proof file larger than the 64 MiB cap");
        }
        if bytes.len() < 40 {
            return bad("truncated batch proof");
        }
        if bytes[0..4] != BATCH_MAGIC {
            return bad("bad magic");
        }
        if bytes[4..8] != BATCH_VERSION.to_be_bytes() {
            return bad("unsupported batch proof version");
        }
        let payload = &bytes[40..];
        if Sha256::digest(payload).as_slice() != &bytes[8..40] {
            return bad("checksum mismatch");
        }
        let (bp, used): (BatchProof, usize) = bincode::serde::decode_from_slice(
            payload,
            bincode::config::standard().with_limit::<MAX_PROOF_FILE_BYTES>(),
        )
        .map_err(|e| ProverError::Malformed(e.to_string()))?;
        if used != payload.len() {
            return bad("trailing bytes");
        }
        Ok(bp)
    }
}
