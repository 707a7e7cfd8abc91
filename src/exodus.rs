//! Exodus exits (docs/l1.md "Exodus"): once the Rollup is in exodus mode, each account's
//! balance in the last committed root is paid once to its L1 owner against a proof of its
//! leaf. This module builds that proof from a [`SyncState`] (the state rebuilt from L1 by
//! [`crate::sync`]); the L1 call is [`crate::l1::RollupClient::exodus_exit`].
//!
//! Invariant: an [`ExitProof`] is only built from a state whose batch is the Rollup's last
//! committed batch (checked by the caller against L1 with [`check_current`]), so its leaf
//! proves against the contract's `stateRoot`.

use zkroll_circuits::encoding::hash_to_bytes;

use crate::sync::SyncState;

/// What `Rollup.exodusExit` takes: the account's leaf fields and its 32 Merkle siblings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExitProof {
    /// Account index.
    pub account: u32,
    /// The account's key hash (formats.md §1 bytes).
    pub pkhash: [u8; 32],
    /// Balance (gwei) paid to `owner`.
    pub balance: u64,
    /// Nonce (part of the leaf).
    pub nonce: u32,
    /// L1 owner, paid.
    pub owner: [u8; 20],
    /// Sibling hashes, level 0 (next to the leaf) first (formats.md §2).
    pub siblings: [[u8; 32]; 32],
}

impl ExitProof {
    /// The leaf fields in the form `Rollup.exodusExit` takes
    /// ([`crate::l1::RollupClient::exodus_exit`], with [`ExitProof::siblings`]).
    pub fn leaf(&self) -> crate::l1::ExitLeaf {
        crate::l1::ExitLeaf {
            account: self.account,
            pkhash: self.pkhash,
            balance: self.balance,
            nonce: self.nonce,
            owner: alloy::primitives::Address::from(self.owner),
        }
    }
}

/// Why an exit proof cannot be built.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ExitError {
    /// No account at this index in the synced state.
    #[error("account {account} does not exist in the state after batch {batch}")]
    UnknownAccount {
        /// Index asked for.
        account: u32,
        /// Batch of the state.
        batch: u64,
    },
    /// The account has nothing to exit.
    #[error("account {account} has balance 0 after batch {batch}: nothing to exit")]
    ZeroBalance {
        /// Index asked for.
        account: u32,
        /// Batch of the state.
        batch: u64,
    },
    /// The synced state is not the Rollup's last committed state.
    #[error("the state file is at batch {file} (root {file_root}), the Rollup at batch {l1} (root {l1_root}): run `zkroll sync` first")]
    Stale {
        /// Batch of the file.
        file: u64,
        /// Its root (hex).
        file_root: String,
        /// The Rollup's batch number.
        l1: u64,
        /// The Rollup's root (hex).
        l1_root: String,
    },
}

/// Checks that `st` is the state the Rollup holds now (`batch`, `root` read from L1).
pub fn check_current(st: &SyncState, l1_batch: u64, l1_root: [u8; 32]) -> Result<(), ExitError> {
    let root = hash_to_bytes(&st.state.root());
    if st.batch != l1_batch || root != l1_root {
        return Err(ExitError::Stale {
            file: st.batch,
            file_root: hex::encode(root),
            l1: l1_batch,
            l1_root: hex::encode(l1_root),
        });
    }
    Ok(())
}

/// The exit proof of `account` in `st`.
pub fn exit_proof(st: &SyncState, account: u32) -> Result<ExitProof, ExitError> {
    let a = *st.state.get(account).ok_or(ExitError::UnknownAccount {
        account,
        batch: st.batch,
    })?;
    if a.balance == 0 {
        return Err(ExitError::ZeroBalance {
            account,
            batch: st.batch,
        });
    }
    let proof = st.state.proof(account);
    Ok(ExitProof {
        account,
        pkhash: hash_to_bytes(&a.pkhash),
        balance: a.balance,
        nonce: a.nonce,
        owner: a.owner,
        siblings: proof.siblings.map(|s| hash_to_bytes(&s)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use plonky2::field::types::Field;
    use plonky2::hash::hash_types::HashOut;
    use zkroll_circuits::encoding::hash_from_bytes;
    use zkroll_circuits::state::{Account, StateTree};

    fn state() -> SyncState {
        let mut st = SyncState::genesis(31337, [1; 20]);
        let mut a = Account::new(
            HashOut {
                elements: [zkroll_circuits::F::from_canonical_u64(9); 4],
            },
            [7; 20],
        );
        a.balance = 1234;
        a.nonce = 3;
        st.state =
            StateTree::from_accounts([(5, a), (6, Account::new(HashOut::ZERO, [8; 20]))]).unwrap();
        st.batch = 4;
        st
    }

    #[test]
    fn the_proof_folds_to_the_committed_root() {
        let st = state();
        let p = exit_proof(&st, 5).unwrap();
        assert_eq!((p.balance, p.nonce, p.owner), (1234, 3, [7; 20]));
        let proof = zkroll_circuits::state::MerkleProof {
            index: 5,
            account: Some(*st.state.get(5).unwrap()),
            siblings: p.siblings.map(|s| hash_from_bytes(&s).unwrap()),
        };
        assert!(proof.verify(&st.state.root()));
        check_current(&st, 4, hash_to_bytes(&st.state.root())).unwrap();
    }

    #[test]
    fn unknown_empty_and_stale_are_refused() {
        let st = state();
        assert_eq!(
            exit_proof(&st, 7),
            Err(ExitError::UnknownAccount {
                account: 7,
                batch: 4
            })
        );
        assert_eq!(
            exit_proof(&st, 6),
            Err(ExitError::ZeroBalance {
                account: 6,
                batch: 4
            })
        );
        let root = hash_to_bytes(&st.state.root());
        assert!(matches!(
            check_current(&st, 5, root),
            Err(ExitError::Stale { .. })
        ));
        let mut other = root;
        other[0] ^= 1;
        assert!(matches!(
            check_current(&st, 4, other),
            Err(ExitError::Stale { .. })
        ));
    }
}
