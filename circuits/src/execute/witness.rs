//! What execution hands to the prover.

use plonky2::hash::hash_types::HashOut;

use crate::batch::Header;
use crate::digest::Digest;
use crate::pubdata::SLOT_BYTES;
use crate::schnorr::PublicKey;
use crate::state::MerkleUpdate;
use crate::tx::{Tx, MESSAGE_LIMBS};
use crate::F;

/// Witness of one transaction.
///
/// Invariants: `updates` are in the order of `docs/formats.md` §3 (Deposit: account;
/// Transfer: sender, receiver, operator; Withdraw: sender, operator; FullExit: account, a
/// no-change touch when nothing is paid), each `old_root` is the previous update's
/// `new_root`; for signed txs `message_hash = Poseidon(message)`, `signer` hashes to the
/// sender's `pkhash` and the tx's signature verifies under it on `message_hash`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxWitness {
    /// The transaction.
    pub tx: Tx,
    /// Its Merkle updates, in application order.
    pub updates: Vec<MerkleUpdate>,
    /// The signed message `M` (signed types only).
    pub message: Option<[F; MESSAGE_LIMBS]>,
    /// `Poseidon(M)` (signed types only).
    pub message_hash: Option<HashOut<F>>,
    /// The signer's public key (signed types only).
    pub signer: Option<PublicKey>,
    /// What a FullExit paid out (0 for a no-op and for every other type).
    pub exit_amount: u64,
    /// Its pubdata slot.
    pub pubdata: [u8; SLOT_BYTES],
}

/// Number of transactions of each type.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TxCounts {
    /// Deposits.
    pub deposits: usize,
    /// Transfers.
    pub transfers: usize,
    /// Withdrawals.
    pub withdrawals: usize,
    /// Forced exits (paid or no-op).
    pub full_exits: usize,
}

impl TxCounts {
    pub(crate) fn add(&mut self, tx: &Tx) {
        match tx {
            Tx::Deposit(_) => self.deposits += 1,
            Tx::Transfer(_) => self.transfers += 1,
            Tx::Withdraw(_) => self.withdrawals += 1,
            Tx::FullExit(_) => self.full_exits += 1,
        }
    }

    /// Total number of transactions.
    pub fn total(&self) -> usize {
        self.deposits + self.transfers + self.withdrawals + self.full_exits
    }
}

/// Result of executing a batch.
///
/// Invariants: `pubdata` is the concatenation of the witnesses' slots; `digest` is
/// `docs/formats.md` §5 over `(header.domain, old_root, new_root, pubdata)`; the first
/// update's `old_root` is `old_root` and the last one's `new_root` is `new_root`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Execution {
    /// The batch header.
    pub header: Header,
    /// State root before the batch.
    pub old_root: HashOut<F>,
    /// State root after the batch.
    pub new_root: HashOut<F>,
    /// One witness per tx, in order.
    pub witnesses: Vec<TxWitness>,
    /// The batch's pubdata (64 bytes per tx).
    pub pubdata: Vec<u8>,
    /// The public-input digest.
    pub digest: Digest,
    /// Counts by type.
    pub counts: TxCounts,
}
