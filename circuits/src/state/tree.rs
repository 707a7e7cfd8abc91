//! The sparse Merkle tree itself. Only non-empty nodes are stored (one map per level), so a
//! million accounts take a few hundred MB at most; an empty subtree of height `k` is `E_k`.

use std::sync::OnceLock;

use plonky2::hash::hash_types::HashOut;
use plonky2::hash::poseidon::PoseidonHash;
use plonky2::plonk::config::Hasher;
use rayon::prelude::*;

use super::account::{leaf_hash, Account};
use super::fxhash::FxHashMap;
use super::proof::{MerkleProof, MerkleUpdate};
use crate::F;

/// Depth of the state tree: account indices are `u32`.
pub const DEPTH: usize = 32;

/// `E_0 = ZERO`, `E_{k+1} = two_to_one(E_k, E_k)` for `k = 0..=32`; `E_32` is the empty root.
pub fn empty_hashes() -> &'static [HashOut<F>; DEPTH + 1] {
    static EMPTY: OnceLock<[HashOut<F>; DEPTH + 1]> = OnceLock::new();
    EMPTY.get_or_init(|| {
        let mut e = [HashOut::ZERO; DEPTH + 1];
        for k in 0..DEPTH {
            e[k + 1] = PoseidonHash::two_to_one(e[k], e[k]);
        }
        e
    })
}

/// Undo record of the journal kept while a batch is applied.
#[derive(Clone, Debug)]
enum Undo {
    Node {
        level: u8,
        pos: u32,
        old: Option<HashOut<F>>,
    },
    Account {
        index: u32,
        old: Option<Account>,
    },
}

/// The account tree.
///
/// Invariants: `nodes[k][pos]` is the hash of the height-`k` subtree at position `pos` for
/// every subtree that holds at least one account (absent ⇒ `E_k`); `root` is the height-32
/// node; `accounts[i]` exists iff leaf `i` is non-empty and `nodes[0][i]` is its leaf hash.
#[derive(Clone, Debug)]
pub struct StateTree {
    accounts: FxHashMap<u32, Account>,
    nodes: Vec<FxHashMap<u32, HashOut<F>>>,
    root: HashOut<F>,
    journal: Option<Vec<Undo>>,
}

impl Default for StateTree {
    fn default() -> Self {
        Self::new()
    }
}

impl StateTree {
    /// The empty tree (root `E_32`).
    pub fn new() -> Self {
        Self {
            accounts: FxHashMap::default(),
            nodes: (0..DEPTH).map(|_| FxHashMap::default()).collect(),
            root: empty_hashes()[DEPTH],
            journal: None,
        }
    }

    /// Builds a tree from accounts in bulk (hashing level by level, in parallel): about one
    /// hash per stored node instead of 32 per account. Returns `Err(index)` on a duplicate.
    pub fn from_accounts(accounts: impl IntoIterator<Item = (u32, Account)>) -> Result<Self, u32> {
        let mut list: Vec<(u32, Account)> = accounts.into_iter().collect();
        list.sort_unstable_by_key(|(i, _)| *i);
        if let Some(w) = list.windows(2).find(|w| w[0].0 == w[1].0) {
            return Err(w[0].0);
        }
        let empty = empty_hashes();
        let mut tree = Self::new();
        let mut level: Vec<(u32, HashOut<F>)> =
            list.par_iter().map(|(i, a)| (*i, a.leaf_hash())).collect();
        tree.accounts.reserve(list.len());
        tree.accounts.extend(list);
        for (k, map) in tree.nodes.iter_mut().enumerate() {
            // Pair up siblings: (parent position, left, right).
            let mut pairs: Vec<(u32, HashOut<F>, HashOut<F>)> = Vec::with_capacity(level.len());
            let mut j = 0;
            while j < level.len() {
                let (pos, h) = level[j];
                if pos & 1 == 0 {
                    if j + 1 < level.len() && level[j + 1].0 == pos + 1 {
                        pairs.push((pos >> 1, h, level[j + 1].1));
                        j += 2;
                        continue;
                    }
                    pairs.push((pos >> 1, h, empty[k]));
                } else {
                    pairs.push((pos >> 1, empty[k], h));
                }
                j += 1;
            }
            map.reserve(level.len());
            map.extend(level);
            level = pairs
                .par_iter()
                .map(|(p, l, r)| (*p, PoseidonHash::two_to_one(*l, *r)))
                .collect();
        }
        if let Some((_, r)) = level.first() {
            tree.root = *r;
        }
        Ok(tree)
    }

    /// Current root.
    pub fn root(&self) -> HashOut<F> {
        self.root
    }

    /// Number of non-empty leaves.
    pub fn len(&self) -> usize {
        self.accounts.len()
    }

    /// Whether no account exists.
    pub fn is_empty(&self) -> bool {
        self.accounts.is_empty()
    }

    /// The account at `index`, if any.
    pub fn get(&self, index: u32) -> Option<&Account> {
        self.accounts.get(&index)
    }

    /// All accounts, in no particular order.
    pub fn accounts(&self) -> impl Iterator<Item = (u32, &Account)> {
        self.accounts.iter().map(|(i, a)| (*i, a))
    }

    fn node(&self, level: usize, pos: u32) -> HashOut<F> {
        if level == DEPTH {
            return self.root;
        }
        self.nodes[level]
            .get(&pos)
            .copied()
            .unwrap_or(empty_hashes()[level])
    }

    fn siblings(&self, index: u32) -> [HashOut<F>; DEPTH] {
        core::array::from_fn(|k| self.node(k, (index >> k) ^ 1))
    }

    /// Membership (or non-membership, for an empty slot) proof of `index`.
    pub fn proof(&self, index: u32) -> MerkleProof {
        MerkleProof {
            index,
            account: self.get(index).copied(),
            siblings: self.siblings(index),
        }
    }

    /// Writes `account` at `index`, rehashing its path; returns the update witness.
    pub fn set(&mut self, index: u32, account: Account) -> MerkleUpdate {
        let siblings = self.siblings(index);
        let old_root = self.root;
        let old = self.accounts.insert(index, account);
        if let Some(j) = self.journal.as_mut() {
            j.push(Undo::Account { index, old });
        }
        let mut node = account.leaf_hash();
        for (k, sib) in siblings.iter().enumerate() {
            let pos = index >> k;
            let prev = self.nodes[k].insert(pos, node);
            if let Some(j) = self.journal.as_mut() {
                j.push(Undo::Node {
                    level: k as u8,
                    pos,
                    old: prev,
                });
            }
            node = if pos & 1 == 1 {
                PoseidonHash::two_to_one(*sib, node)
            } else {
                PoseidonHash::two_to_one(node, *sib)
            };
        }
        self.root = node;
        MerkleUpdate {
            index,
            old,
            new: Some(account),
            siblings,
            old_root,
            new_root: node,
        }
    }

    /// A no-change update of `index` (its membership proof as an update witness): `old ==
    /// new`, `old_root == new_root`. Used by a FullExit that pays nothing.
    pub fn touch(&self, index: u32) -> MerkleUpdate {
        let account = self.get(index).copied();
        MerkleUpdate {
            index,
            old: account,
            new: account,
            siblings: self.siblings(index),
            old_root: self.root,
            new_root: self.root,
        }
    }

    /// Runs `f` all-or-nothing: if it returns `Err`, every change it made is undone and the
    /// tree (accounts, nodes, root) is exactly as before. Nested calls are not supported
    /// (the inner call runs without its own journal and is covered by the outer one).
    pub fn atomically<T, E>(&mut self, f: impl FnOnce(&mut Self) -> Result<T, E>) -> Result<T, E> {
        if self.journal.is_some() {
            return f(self);
        }
        let root = self.root;
        self.journal = Some(Vec::new());
        let out = f(self);
        let journal = self.journal.take().unwrap_or_default();
        if out.is_err() {
            for undo in journal.into_iter().rev() {
                match undo {
                    Undo::Node { level, pos, old } => {
                        let map = &mut self.nodes[level as usize];
                        match old {
                            Some(h) => map.insert(pos, h),
                            None => map.remove(&pos),
                        };
                    }
                    Undo::Account { index, old } => {
                        match old {
                            Some(a) => self.accounts.insert(index, a),
                            None => self.accounts.remove(&index),
                        };
                    }
                }
            }
            self.root = root;
        }
        out
    }

    /// Recomputes the root from the stored accounts alone (slow; for checks and tests).
    pub fn recompute_root(&self) -> HashOut<F> {
        let rebuilt = Self::from_accounts(self.accounts.iter().map(|(i, a)| (*i, *a)));
        rebuilt.map_or(self.root, |t| t.root)
    }

    /// Leaf hash at `index` (ZERO when empty).
    pub fn leaf(&self, index: u32) -> HashOut<F> {
        leaf_hash(self.get(index))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schnorr::SecretKey;

    fn acct(i: u8, balance: u64) -> Account {
        Account {
            pkhash: SecretKey::from_seed(&[i; 32]).public_key().pkhash(),
            balance,
            nonce: i as u32,
            owner: [i; 20],
        }
    }

    #[test]
    fn empty_root_is_e32() {
        let t = StateTree::new();
        assert_eq!(t.root(), empty_hashes()[DEPTH]);
        assert_eq!(empty_hashes()[0], HashOut::ZERO);
        assert_eq!(
            empty_hashes()[1],
            PoseidonHash::two_to_one(HashOut::ZERO, HashOut::ZERO)
        );
        let p = t.proof(12345);
        assert!(p.account.is_none());
        assert!(p.verify(&t.root()));
    }

    #[test]
    fn bulk_build_equals_incremental_updates() {
        let idx = [0u32, 1, 2, 7, 8, 1000, u32::MAX, u32::MAX - 1, 1 << 31];
        let mut inc = StateTree::new();
        for (n, &i) in idx.iter().enumerate() {
            let up = inc.set(i, acct(n as u8, n as u64 * 10));
            assert!(up.verify());
            assert_eq!(up.new_root, inc.root());
        }
        let bulk = StateTree::from_accounts(
            idx.iter()
                .enumerate()
                .map(|(n, &i)| (i, acct(n as u8, n as u64 * 10))),
        )
        .unwrap();
        assert_eq!(bulk.root(), inc.root());
        assert_eq!(bulk.len(), idx.len());
        for &i in &idx {
            let p = bulk.proof(i);
            assert!(p.verify(&bulk.root()));
            assert_eq!(p, inc.proof(i));
        }
        // A proof for a wrong leaf or wrong root fails.
        let mut p = bulk.proof(7);
        p.account.as_mut().unwrap().balance += 1;
        assert!(!p.verify(&bulk.root()));
        assert!(StateTree::from_accounts([(5, acct(1, 1)), (5, acct(2, 2))]).is_err());
    }

    #[test]
    fn update_witness_links_roots_and_rejects_tampering() {
        let mut t = StateTree::from_accounts([(3, acct(1, 5)), (4, acct(2, 6))]).unwrap();
        let before = t.root();
        let up = t.set(3, acct(1, 99));
        assert_eq!(up.old_root, before);
        assert_eq!(up.old, Some(acct(1, 5)));
        assert!(up.verify());
        let mut bad = up.clone();
        bad.siblings[31] = HashOut::ZERO;
        assert!(!bad.verify());
        let mut bad = up.clone();
        bad.index ^= 1;
        assert!(!bad.verify());
        assert_eq!(t.recompute_root(), t.root());
        // A touch changes nothing and verifies, for a full and for an empty leaf.
        for i in [3, 77] {
            let touch = t.touch(i);
            assert_eq!(touch.old, touch.new);
            assert_eq!((touch.old_root, touch.new_root), (t.root(), t.root()));
            assert!(touch.verify());
        }
        assert_eq!(t.touch(77).old, None);
    }

    #[test]
    fn atomically_rolls_back_everything_on_error() {
        let mut t = StateTree::from_accounts([(3, acct(1, 5))]).unwrap();
        let snapshot = t.clone();
        let r: Result<(), ()> = t.atomically(|t| {
            t.set(3, acct(1, 7));
            t.set(1 << 20, acct(2, 8));
            Err(())
        });
        assert!(r.is_err());
        assert_eq!(t.root(), snapshot.root());
        assert_eq!(t.len(), 1);
        assert_eq!(t.get(3), snapshot.get(3));
        for k in 0..DEPTH {
            assert_eq!(t.nodes[k], snapshot.nodes[k]);
        }
        let r: Result<(), ()> = t.atomically(|t| {
            t.set(9, acct(3, 1));
            Ok(())
        });
        assert!(r.is_ok());
        assert_eq!(t.len(), 2);
        assert_eq!(t.recompute_root(), t.root());
    }
}
