//! What execution hands to the prover.

use plonky2::hash::hash_types::HashOut;

use crate::batch::Header;
use crate::blob::kzg::BlobOpening;
use crate::da::{BatchData, Effect, Record};
use crate::digest::Digest;
use crate::schnorr::PublicKey;
use crate::state::MerkleUpdate;
use crate::tx::{Tx, MESSAGE_LIMBS};
use crate::F;

/// Witness of one transaction.
///
/// Invariants: `updates` are in the order of `docs/formats.md` §3 (Deposit: account;
/// Transfer: sender, receiver; Withdraw: sender; FullExit: account, a no-change touch when
/// nothing is paid; fees go to the operator once per batch, [`Execution::operator_credit`]),
/// each `old_root` is the previous update's `new_root`; for signed txs
/// `message_hash = Poseidon(message)`, `signer` hashes to the sender's `pkhash` and the tx's
/// signature verifies under it on `message_hash`. `record` is the tx's blob record (§4.2,
/// `Some` for every executed tx) and `effect` its L1 effect (§4.3, `Some` exactly for
/// Deposit, Withdraw and FullExit).
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
    /// Its blob record (`None` only for a no-op slot).
    pub record: Option<Record>,
    /// Its L1 effect (Deposit, Withdraw, FullExit).
    pub effect: Option<Effect>,
}

impl TxWitness {
    /// What a FullExit paid out (0 for a no-op exit and for every other type).
    pub fn exit_amount(&self) -> u64 {
        match self.effect {
            Some(Effect::FullExit { amount, .. }) => amount,
            _ => 0,
        }
    }
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
/// Invariants: `data.records` are the witnesses' records and `data.effects` their effects,
/// in order (at most `MAX_EFFECTS`); `fees` is the sum of the txs' fees (`< 2^64`); the
/// first update's `old_root` is `old_root`, the last tx's last update ends at `slots_root`;
/// `operator_credit` is the batch-end credit of `fees` to `header.operator`, starting at
/// `slots_root` (`None` iff `fees = 0`, then `new_root = slots_root`), and `new_root` is the
/// root after it; `blob` opens the blob of `data.blob_data()` bound to the data commitment
/// of `data.records`; `digest` is `docs/formats.md` §5 over `(header.domain, old_root,
/// new_root, effects_hash(data.effects), blob)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Execution {
    /// The batch header.
    pub header: Header,
    /// State root before the batch.
    pub old_root: HashOut<F>,
    /// State root after the last tx, before the operator credit (the leaves' end root).
    pub slots_root: HashOut<F>,
    /// State root after the batch (operator credit included).
    pub new_root: HashOut<F>,
    /// One witness per tx, in order.
    pub witnesses: Vec<TxWitness>,
    /// The batch's published data: blob records and L1 effects.
    pub data: BatchData,
    /// The summed fees of the batch's Transfers and Withdraws.
    pub fees: u64,
    /// The batch-end credit of `fees` to the operator (`None` iff `fees = 0`).
    pub operator_credit: Option<MerkleUpdate>,
    /// The blob carrying `data`, with its commitment and opening.
    pub blob: BlobOpening,
    /// The public-input digest.
    pub digest: Digest,
    /// Counts by type.
    pub counts: TxCounts,
}
