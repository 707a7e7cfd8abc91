//! Merkle membership proofs and updates: the per-update witness of the circuit.

use plonky2::hash::hash_types::HashOut;
use plonky2::hash::poseidon::PoseidonHash;
use plonky2::plonk::config::Hasher;

use super::account::{leaf_hash, Account};
use super::tree::DEPTH;
use crate::F;

/// Folds a leaf hash up the LSB-first path of `index` with `siblings` (level 0 first).
pub(crate) fn fold_path(
    index: u32,
    leaf: HashOut<F>,
    siblings: &[HashOut<F>; DEPTH],
) -> HashOut<F> {
    let mut node = leaf;
    for (k, sib) in siblings.iter().enumerate() {
        node = if (index >> k) & 1 == 1 {
            PoseidonHash::two_to_one(*sib, node)
        } else {
            PoseidonHash::two_to_one(node, *sib)
        };
    }
    node
}

/// Proof that slot `index` holds `account` (`None` = empty leaf) under some root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MerkleProof {
    /// Leaf index (its bits, LSB first, are the path).
    pub index: u32,
    /// Account in the slot, `None` if the leaf is empty.
    pub account: Option<Account>,
    /// Sibling hashes from level 0 (next to the leaf) to level 31 (next to the root).
    pub siblings: [HashOut<F>; DEPTH],
}

impl MerkleProof {
    /// The root this proof commits to.
    pub fn root(&self) -> HashOut<F> {
        fold_path(self.index, leaf_hash(self.account.as_ref()), &self.siblings)
    }

    /// Whether the proof holds under `root`.
    pub fn verify(&self, root: &HashOut<F>) -> bool {
        self.root() == *root
    }
}

/// One leaf update: the slot `index` goes from `old` to `new`. The siblings are the same
/// before and after, so `fold(old) = old_root` and `fold(new) = new_root`. A "touch" (a
/// FullExit that changes nothing) has `old == new`, possibly both empty.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MerkleUpdate {
    /// Leaf index.
    pub index: u32,
    /// Account before (`None` = empty leaf).
    pub old: Option<Account>,
    /// Account after (`None` = still empty: only a no-op touch leaves a leaf empty).
    pub new: Option<Account>,
    /// Sibling hashes, level 0 first.
    pub siblings: [HashOut<F>; DEPTH],
    /// Root before the update.
    pub old_root: HashOut<F>,
    /// Root after the update.
    pub new_root: HashOut<F>,
}

impl MerkleUpdate {
    /// Re-checks both paths: `old` folds to `old_root` and `new` folds to `new_root`.
    pub fn verify(&self) -> bool {
        fold_path(self.index, leaf_hash(self.old.as_ref()), &self.siblings) == self.old_root
            && fold_path(self.index, leaf_hash(self.new.as_ref()), &self.siblings) == self.new_root
    }
}
