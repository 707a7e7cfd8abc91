//! The rollup state: accounts in a depth-32 sparse Merkle tree over Poseidon
//! (`docs/formats.md` §2), with membership proofs and updates that are the circuit's witness,
//! plus snapshot files.

mod account;
mod fxhash;
mod proof;
mod snapshot;
mod tree;

pub use account::{leaf_hash, Account, LEAF_LIMBS};
pub use proof::{MerkleProof, MerkleUpdate};
pub use snapshot::{SnapshotError, SNAPSHOT_MAGIC, SNAPSHOT_VERSION};
pub use tree::{empty_hashes, StateTree, DEPTH};
