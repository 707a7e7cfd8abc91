//! The proof of a whole batch as the library hands it out: the top proof (whose only public
//! inputs are the digest words of `docs/formats.md` §5), the statement and the data binding
//! (final root, effects hash, blob versioned hash, `x`, `y`) the digest commits to, and the
//! root aggregate it was made from.

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use zkroll_prover::{BatchProof, Statement};

use crate::ProveError;

/// Magic bytes of an encoded [`RollupProof`] (`zkroll prove`'s output file).
pub const ROLLUP_PROOF_MAGIC: [u8; 4] = *b"ZKRT";
/// Version of the [`RollupProof`] encoding.
pub const ROLLUP_PROOF_VERSION: u32 = 2;
/// Largest proof file decoded (a real one is a few hundred KiB): longer input is refused before
/// any allocation, and bincode decoding is capped at the same size.
pub const MAX_PROOF_FILE_BYTES: usize = 64 << 20;

/// What the digest binds besides the statement (formats.md §5): the root after the batch-end
/// operator credit and the batch's published data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataBinding {
    /// The batch's final state root (after the operator credit), 4 canonical limbs.
    pub final_root: [u64; 4],
    /// `sha256` of the L1-effects list (formats.md §4.3).
    pub effects_hash: [u8; 32],
    /// The versioned hash of the batch's blob (formats.md §10).
    pub versioned_hash: [u8; 32],
    /// The evaluation point, 32 bytes big-endian (`< r_BLS`).
    pub x: [u8; 32],
    /// The blob polynomial's value at `x`, 32 bytes big-endian (`< r_BLS`).
    pub y: [u8; 32],
}

impl DataBinding {
    /// The digest (formats.md §5) of `statement` with this binding: 8 big-endian words, word
    /// 0's top 3 bits cleared. Fails on a non-canonical root limb.
    pub fn digest_words(&self, statement: &Statement) -> Result<[u32; 8], ProveError> {
        use plonky2::field::types::{Field, Field64};
        use plonky2::hash::hash_types::HashOut;
        use zkroll_circuits::F;
        let p = F::ORDER;
        let hash = |limbs: &[u64; 4], what: &str| {
            if limbs.iter().any(|&l| l >= p) {
                return Err(ProveError::Malformed(format!("{what} limb not canonical")));
            }
            Ok(HashOut {
                elements: limbs.map(F::from_canonical_u64),
            })
        };
        let mut rollup = [0u8; 20];
        for (c, w) in rollup.chunks_exact_mut(4).zip(statement.rollup) {
            c.copy_from_slice(&w.to_be_bytes());
        }
        let domain = zkroll_circuits::tx::Domain {
            chain_id: statement.chain_id,
            rollup,
        };
        let d = zkroll_circuits::digest::digest(
            &domain,
            &hash(&statement.old_root, "old root")?,
            &hash(&self.final_root, "final root")?,
            &zkroll_circuits::digest::DataBinding {
                effects_hash: self.effects_hash,
                versioned_hash: self.versioned_hash,
                x: self.x,
                y: self.y,
            },
        );
        Ok(std::array::from_fn(|i| {
            u32::from_be_bytes(d.value[4 * i..4 * i + 4].try_into().expect("4 bytes"))
        }))
    }
}

/// A proven batch.
///
/// Invariant (checked by [`crate::RollupProver::verify`], not by construction): `top` is a
/// plonky2 proof of the top circuit over the aggregation tree of height `batch.height` for
/// leaves of `k` slots, whose circuit digest is `top_circuit_digest`; its public inputs are
/// the digest words of `statement`, and `digest` is their 32-byte big-endian value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RollupProof {
    /// Tx slots per leaf of the circuits that made the proof.
    pub k: u32,
    /// Number of transactions proven (the rest of the slots are no-op padding).
    pub txs: u32,
    /// The public-input digest (formats.md §5): `< 2^253`, big-endian.
    pub digest: [u8; 32],
    /// The statement the digest commits to (chain, roots, data and effects chains, fees).
    pub statement: Statement,
    /// The rest of what the digest commits to (final root, published data).
    pub binding: DataBinding,
    /// Circuit digest of the top circuit.
    pub top_circuit_digest: [u64; 4],
    /// The top proof, plonky2 `ProofWithPublicInputs::to_bytes`.
    pub top: Vec<u8>,
    /// The root aggregate proof the top proof verifies.
    pub batch: BatchProof,
}

impl RollupProof {
    /// `magic "ZKRT" ‖ version u32 BE ‖ sha256(payload) ‖ payload`, the payload being the
    /// bincode (standard config) encoding of `self`.
    pub fn to_bytes(&self) -> Result<Vec<u8>, ProveError> {
        let payload = bincode::serde::encode_to_vec(self, bincode::config::standard())
            .map_err(|e| ProveError::Malformed(e.to_string()))?;
        let mut out = Vec::with_capacity(40 + payload.len());
        out.extend(ROLLUP_PROOF_MAGIC);
        out.extend(ROLLUP_PROOF_VERSION.to_be_bytes());
        out.extend(Sha256::digest(&payload));
        out.extend(payload);
        Ok(out)
    }

    /// Decodes [`RollupProof::to_bytes`]; rejects a bad magic, another version, a checksum
    /// mismatch (any flipped byte), a truncated file or trailing bytes. The proof still has
    /// to be verified.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ProveError> {
        let bad = |m: &str| Err(ProveError::Malformed(m.to_string()));
        if bytes.len() > MAX_PROOF_FILE_BYTES {
            return bad("proof file larger than the 64 MiB cap");
        }
        if bytes.len() < 40 {
            return bad("truncated proof file");
        }
        if bytes[0..4] != ROLLUP_PROOF_MAGIC {
            return bad("not a zkroll batch proof (bad magic)");
        }
        if bytes[4..8] != ROLLUP_PROOF_VERSION.to_be_bytes() {
            return bad("unsupported proof file version");
        }
        let payload = &bytes[40..];
        if Sha256::digest(payload).as_slice() != &bytes[8..40] {
            return bad("checksum mismatch (corrupted proof file)");
        }
        let (p, used): (RollupProof, usize) = bincode::serde::decode_from_slice(
            payload,
            bincode::config::standard().with_limit::<MAX_PROOF_FILE_BYTES>(),
        )
        .map_err(|e| ProveError::Malformed(e.to_string()))?;
        if used != payload.len() {
            return bad("trailing bytes");
        }
        Ok(p)
    }
}

/// Reads a proof file (`.proof`, `.g16`), refusing one larger than [`MAX_PROOF_FILE_BYTES`]
/// before reading it into memory.
pub fn read_proof_file(path: &std::path::Path) -> Result<Vec<u8>, ProveError> {
    let err = |m: String| ProveError::Malformed(format!("{}: {m}", path.display()));
    let len = std::fs::metadata(path)
        .map_err(|e| err(e.to_string()))?
        .len();
    if len > MAX_PROOF_FILE_BYTES as u64 {
        return Err(err(format!("{len} bytes, larger than the 64 MiB cap")));
    }
    std::fs::read(path).map_err(|e| err(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oversized_proof_files_are_refused_before_decoding() {
        let big = vec![0u8; MAX_PROOF_FILE_BYTES + 1];
        let e = RollupProof::from_bytes(&big).unwrap_err().to_string();
        assert!(e.contains("64 MiB cap"), "{e}");
        let e = zkroll_prover::BatchProof::from_bytes(&big)
            .unwrap_err()
            .to_string();
        assert!(e.contains("64 MiB cap"), "{e}");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.g16");
        std::fs::write(&path, &big).unwrap();
        let e = read_proof_file(&path).unwrap_err().to_string();
        assert!(e.contains("cap") && e.contains("big.g16"), "{e}");
    }
}
