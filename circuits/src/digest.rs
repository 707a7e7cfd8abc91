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
    /// `sha256(chain_id ‖ rollup ‖ old_root ‖ new_root ‖ sha256(pubdata))`.
    pub sha256: [u8; 32],
    /// The public input: `uint256(sha256) & (2^253 − 1)`, big-endian.
    pub value: [u8; 32],
}

/// `sha256(pubdata)`.
pub fn pubdata_hash(pubdata: &[u8]) -> [u8; 32] {
    Sha256::digest(pubdata).into()
}

/// Computes the digest of a batch that takes the state from `old_root` to `new_root`.
pub fn digest(
    domain: &Domain,
    old_root: &HashOut<F>,
    new_root: &HashOut<F>,
    pubdata: &[u8],
) -> Digest {
    let mut h = Sha256::new();
    h.update(domain.chain_id.to_be_bytes());
    h.update(domain.rollup);
    h.update(hash_to_bytes(old_root));
    h.update(hash_to_bytes(new_root));
    h.update(pubdata_hash(pubdata));
    let sha256: [u8; 32] = h.finalize().into();
    let mut value = sha256;
    value[0] &= 0x1f;
    Digest { sha256, value }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_layout_matches_formats() {
        let domain = Domain {
            chain_id: 31337,
            rollup: [0x11; 20],
        };
        let old = HashOut::ZERO;
        let new = HashOut::ZERO;
        let d = digest(&domain, &old, &new, b"abc");
        // Recompute by hand from the byte layout of §5.
        let mut pre = Vec::new();
        pre.extend(31337u64.to_be_bytes());
        pre.extend([0x11; 20]);
        pre.extend([0u8; 64]);
        pre.extend(Sha256::digest(b"abc"));
        assert_eq!(pre.len(), 8 + 20 + 32 + 32 + 32);
        let expect: [u8; 32] = Sha256::digest(&pre).into();
        assert_eq!(d.sha256, expect);
        assert_eq!(d.value[0], expect[0] & 0x1f);
        assert_eq!(d.value[1..], expect[1..]);
        // sha256("abc") test vector.
        assert_eq!(
            hex::encode(pubdata_hash(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
