//! The public-input digest (`docs/formats.md` §5).

use plonky2::hash::hash_types::HashOut;
use sha2::{Digest as _, Sha256};

use crate::encoding::hash_to_bytes;
use crate::tx::Domain;
use crate::F;

/// The batch statement's digest.
///
/// Invariant: `value` is `sha256` with its top 3 bits cleared, so as a big-endian integer
/// `value < 2^253 < r_BN254`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Digest {
    /// `sha256(chain_id ‖ rollup ‖ old_root ‖ new_root ‖ effects_hash ‖ versioned_hash ‖ x ‖ y)`.
    pub sha256: [u8; 32],
    /// The public input: `uint256(sha256) & (2^253 − 1)`, big-endian.
    pub value: [u8; 32],
}

/// What a batch's digest binds besides its roots: its L1 effects and its blob.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DataBinding {
    /// `sha256` of the L1-effects list (formats.md §4.3).
    pub effects_hash: [u8; 32],
    /// The blob's versioned hash (formats.md §10).
    pub versioned_hash: [u8; 32],
    /// The evaluation point, 32 bytes big-endian.
    pub x: [u8; 32],
    /// The blob polynomial's value at `x`, 32 bytes big-endian.
    pub y: [u8; 32],
}

/// Computes the digest of a batch that takes the state from `old_root` to `new_root` (the
/// root after the batch-end operator credit) with the data `data`.
pub fn digest(
    domain: &Domain,
    old_root: &HashOut<F>,
    new_root: &HashOut<F>,
    data: &DataBinding,
) -> Digest {
    let mut h = Sha256::new();
    h.update(domain.chain_id.to_be_bytes());
    h.update(domain.rollup);
    h.update(hash_to_bytes(old_root));
    h.update(hash_to_bytes(new_root));
    h.update(data.effects_hash);
    h.update(data.versioned_hash);
    h.update(data.x);
    h.update(data.y);
    let sha256: [u8; 32] = h.finalize().into();
    let mut value = sha256;
    value[0] &= 0x1f;
    Digest { sha256, value }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plonky2::field::types::Field;

    #[test]
    fn digest_layout_matches_formats() {
        let domain = Domain {
            chain_id: 31337,
            rollup: [0x11; 20],
        };
        let old = HashOut::ZERO;
        let new = HashOut {
            elements: [1u64, 2, 3, 4].map(F::from_canonical_u64),
        };
        let data = DataBinding {
            effects_hash: [0xe0; 32],
            versioned_hash: [0x01; 32],
            x: [0x0a; 32],
            y: [0x0b; 32],
        };
        let d = digest(&domain, &old, &new, &data);
        // Recompute independently from the byte layout of §5 (one sha256 over 220 bytes).
        let mut pre = Vec::new();
        pre.extend(hex::decode("0000000000007a69").unwrap()); // 31337, u64 BE
        pre.extend([0x11; 20]);
        pre.extend([0u8; 32]);
        for limb in 1u8..=4 {
            pre.extend([0, 0, 0, 0, 0, 0, 0, limb]);
        }
        pre.extend([0xe0; 32]);
        pre.extend([0x01; 32]);
        pre.extend([0x0a; 32]);
        pre.extend([0x0b; 32]);
        assert_eq!(pre.len(), 8 + 20 + 32 * 6);
        let expect: [u8; 32] = Sha256::digest(&pre).into();
        assert_eq!(d.sha256, expect);
        assert_eq!(d.value[0], expect[0] & 0x1f);
        assert_eq!(d.value[1..], expect[1..]);
        // Every input moves the digest.
        let other = DataBinding {
            y: [0x0c; 32],
            ..data
        };
        assert_ne!(digest(&domain, &old, &new, &other), d);
        assert_ne!(digest(&domain, &new, &old, &data), d);
    }
}
