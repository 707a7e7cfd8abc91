//! Test-side state tree with plonky2's `PoseidonHash` (docs/formats.md §2, issue-12 leaf of 12
//! limbs): leaves, roots and Merkle paths to check Rollup.sol's exodus exits against. Written
//! from the spec here (not taken from zkroll-circuits), so the contract is checked against the
//! format, not against another implementation's reading of it.

use alloy::primitives::Address;
use plonky2::field::goldilocks_field::GoldilocksField as F;
use plonky2::field::types::{Field, Field64, PrimeField64};
use plonky2::hash::hash_types::HashOut;
use plonky2::hash::poseidon::PoseidonHash;
use plonky2::plonk::config::Hasher;
use std::collections::HashMap;

/// Tree depth (formats.md §2).
pub const DEPTH: usize = 32;

/// A hash as 32 bytes: 4 limbs, u64 big-endian each.
pub fn hash_bytes(h: HashOut<F>) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (i, e) in h.elements.iter().enumerate() {
        out[8 * i..8 * i + 8].copy_from_slice(&e.to_canonical_u64().to_be_bytes());
    }
    out
}

/// 32 bytes (4 canonical u64 BE limbs) as a hash.
pub fn bytes_hash(b: &[u8; 32]) -> HashOut<F> {
    let limb = |i: usize| {
        let v = u64::from_be_bytes(b[8 * i..8 * i + 8].try_into().unwrap());
        assert!(v < F::ORDER, "non-canonical limb");
        F::from_canonical_u64(v)
    };
    HashOut {
        elements: [limb(0), limb(1), limb(2), limb(3)],
    }
}

/// The 12 leaf limbs: `[pk0..pk3, balance_lo, balance_hi, nonce, own0..own4]`.
pub fn leaf_limbs(pkhash: &[u8; 32], balance: u64, nonce: u32, owner: Address) -> [u64; 12] {
    let mut l = [0u64; 12];
    for i in 0..4 {
        l[i] = u64::from_be_bytes(pkhash[8 * i..8 * i + 8].try_into().unwrap());
    }
    l[4] = balance & 0xffff_ffff;
    l[5] = balance >> 32;
    l[6] = u64::from(nonce);
    for i in 0..5 {
        l[7 + i] = u64::from(u32::from_be_bytes(
            owner.as_slice()[4 * i..4 * i + 4].try_into().unwrap(),
        ));
    }
    l
}

/// `Poseidon.hash_no_pad` of canonical limbs.
pub fn hash_no_pad(limbs: &[u64]) -> HashOut<F> {
    let v: Vec<F> = limbs.iter().map(|&x| F::from_canonical_u64(x)).collect();
    PoseidonHash::hash_no_pad(&v)
}

/// The leaf hash of an account.
pub fn leaf_hash(pkhash: &[u8; 32], balance: u64, nonce: u32, owner: Address) -> HashOut<F> {
    hash_no_pad(&leaf_limbs(pkhash, balance, nonce, owner))
}

/// `E_0 = ZERO`, `E_{k+1} = two_to_one(E_k, E_k)`.
pub fn empty_hashes() -> Vec<HashOut<F>> {
    let mut e = vec![HashOut::ZERO];
    for k in 0..DEPTH {
        e.push(PoseidonHash::two_to_one(e[k], e[k]));
    }
    e
}

/// A sparse Merkle tree of depth 32 holding only its non-empty nodes.
pub struct Tree {
    /// `(level, index at that level) -> node`; level 0 = leaves.
    nodes: HashMap<(usize, u64), HashOut<F>>,
    empty: Vec<HashOut<F>>,
}

impl Default for Tree {
    fn default() -> Self {
        Self {
            nodes: HashMap::new(),
            empty: empty_hashes(),
        }
    }
}

impl Tree {
    fn node(&self, level: usize, index: u64) -> HashOut<F> {
        self.nodes
            .get(&(level, index))
            .copied()
            .unwrap_or(self.empty[level])
    }

    /// Sets leaf `account` and updates its path.
    pub fn set(&mut self, account: u32, leaf: HashOut<F>) {
        let mut index = u64::from(account);
        self.nodes.insert((0, index), leaf);
        let mut node = leaf;
        for level in 0..DEPTH {
            let sib = self.node(level, index ^ 1);
            node = if index & 1 == 1 {
                PoseidonHash::two_to_one(sib, node)
            } else {
                PoseidonHash::two_to_one(node, sib)
            };
            index >>= 1;
            self.nodes.insert((level + 1, index), node);
        }
    }

    /// The root.
    pub fn root(&self) -> [u8; 32] {
        hash_bytes(self.node(DEPTH, 0))
    }

    /// The 32 siblings of `account`'s path, leaf level first.
    pub fn siblings(&self, account: u32) -> [[u8; 32]; 32] {
        let mut index = u64::from(account);
        let mut out = [[0u8; 32]; 32];
        for (level, o) in out.iter_mut().enumerate() {
            *o = hash_bytes(self.node(level, index ^ 1));
            index >>= 1;
        }
        out
    }
}
