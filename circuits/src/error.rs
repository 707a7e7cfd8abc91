//! Typed errors of loading and executing batches. Every error names where it happened (tx
//! index, genesis entry, header) and which field was wrong; none of this crate's input paths
//! panic.

use std::fmt;
use std::path::PathBuf;

/// Where in a batch (or snapshot) a bad value sits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Location {
    /// The batch header.
    Header,
    /// Entry `n` (0-based) of the genesis account list.
    Genesis(usize),
    /// Transaction `n` (0-based, execution order).
    Tx(usize),
    /// Entry `n` of a state snapshot file.
    Snapshot(usize),
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Header => write!(f, "header"),
            Location::Genesis(i) => write!(f, "genesis account #{i}"),
            Location::Tx(i) => write!(f, "tx {i}"),
            Location::Snapshot(i) => write!(f, "snapshot account #{i}"),
        }
    }
}

/// Which account of a transaction an error is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// A Deposit's `account`.
    Account,
    /// The signer (`from`).
    From,
    /// A Transfer's receiver (`to`).
    To,
    /// The batch's fee recipient.
    Operator,
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::Account => "account",
            Role::From => "from",
            Role::To => "to",
            Role::Operator => "operator",
        })
    }
}

/// A batch or snapshot file that cannot be read, parsed or decoded into valid values.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// File concerned.
        path: PathBuf,
        /// Underlying error.
        source: std::io::Error,
    },
    /// The JSON text is malformed or does not have the batch's shape.
    #[error("malformed JSON at line {line}, column {column}: {message}")]
    Json {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What serde_json reported.
        message: String,
    },
    /// The bincode payload is malformed.
    #[error("malformed bincode: {0}")]
    Bincode(String),
    /// The content is neither a JSON nor a bincode batch/snapshot.
    #[error("unrecognised file format (expected a JSON object or the {expected:?} bincode magic)")]
    UnknownFormat {
        /// Magic bytes the bincode form starts with.
        expected: [u8; 4],
    },
    /// The file's `version` is not one this build reads.
    #[error("unsupported version {found} (this build reads version {supported})")]
    UnsupportedVersion {
        /// Version in the file.
        found: u32,
        /// The version supported.
        supported: u32,
    },
    /// A Goldilocks limb `≥ p`.
    #[error("{location}: field `{field}` limb {limb} is not a canonical Goldilocks element (≥ p)")]
    NonCanonical {
        /// Where.
        location: Location,
        /// Field name.
        field: &'static str,
        /// Index of the offending 8-byte limb.
        limb: usize,
    },
    /// A public key that does not decode to a non-neutral ECgFp5 point.
    #[error("{location}: field `{field}` is not a valid ECgFp5 point encoding")]
    InvalidPoint {
        /// Where.
        location: Location,
        /// Field name.
        field: &'static str,
    },
    /// A signature that does not decode.
    #[error("{location}: field `signature` is not a valid signature encoding")]
    InvalidSignatureEncoding {
        /// Where.
        location: Location,
    },
    /// Two pre-state entries for one index.
    #[error("{location}: account index {index} appears twice")]
    DuplicateAccount {
        /// Where the second entry is.
        location: Location,
        /// Duplicated index.
        index: u32,
    },
    /// A snapshot whose accounts are not listed by increasing index (formats.md §7).
    #[error("{location}: account index {index} follows index {previous} (snapshots list accounts by increasing index)")]
    UnsortedSnapshot {
        /// Where the out-of-order entry is.
        location: Location,
        /// Its index.
        index: u32,
        /// The index before it.
        previous: u32,
    },
    /// A snapshot whose accounts do not hash to the root it records.
    #[error("snapshot root mismatch: file says {expected}, accounts hash to {computed}")]
    SnapshotRootMismatch {
        /// Root written in the file (0x hex).
        expected: String,
        /// Root recomputed (0x hex).
        computed: String,
    },
}

impl BatchError {
    /// Wraps a serde_json error with its line/column.
    pub fn json(e: &serde_json::Error) -> Self {
        BatchError::Json {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        }
    }
}

/// Why one transaction is invalid against the state it is applied to.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TxError {
    /// The signature does not verify under the signer's key.
    #[error("bad signature")]
    BadSignature,
    /// The nonce is not the signer's current nonce (replay or gap).
    #[error("wrong nonce: expected {expected}, got {got}")]
    WrongNonce {
        /// Signer's current nonce.
        expected: u32,
        /// Nonce in the tx.
        got: u32,
    },
    /// The signer cannot pay `amount + fee`.
    #[error("overdraft: account {account} has {balance}, needs {needed}")]
    Overdraft {
        /// Signer.
        account: u32,
        /// Its balance.
        balance: u64,
        /// `amount + fee`.
        needed: u64,
    },
    /// An account that must exist is empty.
    #[error("unknown account {index} (field `{role}`)")]
    UnknownAccount {
        /// Which field.
        role: Role,
        /// Index.
        index: u32,
    },
    /// A signed tx whose `pubkey` does not hash to its sender's leaf `pkhash`.
    #[error("field `pubkey` does not hash to the pkhash of account {account}")]
    PubkeyMismatch {
        /// The sender.
        account: u32,
    },
    /// A Deposit to an existing account with another `pkhash` or `owner` (an account is
    /// identified by the pair).
    #[error("account {account} exists with another `{field}`")]
    DepositMismatch {
        /// Deposit's account.
        account: u32,
        /// `"pkhash"` or `"owner"`.
        field: &'static str,
    },
    /// A Deposit of `2^56` or more (its effect carries 7 bytes; Rollup.sol never queues one).
    #[error("deposit amount {amount} is not below 2^56")]
    DepositTooLarge {
        /// Amount.
        amount: u64,
    },
    /// A Withdraw to the zero address.
    #[error("field `l1_address` is the zero address")]
    ZeroAddress,
    /// `amount + fee ≥ 2^64`.
    #[error("amount {amount} + fee {fee} overflows u64")]
    AmountFeeOverflow {
        /// Amount.
        amount: u64,
        /// Fee.
        fee: u64,
    },
    /// A credit would make a balance `≥ 2^64`.
    #[error("balance of account {account} (field `{role}`) would overflow u64")]
    BalanceOverflow {
        /// Which field.
        role: Role,
        /// Index.
        account: u32,
    },
    /// A Transfer amount with no packed form (`docs/formats.md` §4.1).
    #[error("field `amount` {amount} has no packed form (mantissa < 2^35 times 10^e)")]
    AmountNotPackable {
        /// Amount.
        amount: u64,
    },
    /// A Transfer or Withdraw fee with no packed form (`docs/formats.md` §4.1).
    #[error("field `fee` {fee} has no packed form (mantissa < 2^11 times 10^e)")]
    FeeNotPackable {
        /// Fee.
        fee: u64,
    },
    /// The signer's nonce is `2^32 − 1` and cannot be incremented.
    #[error("nonce of account {account} would overflow u32")]
    NonceOverflow {
        /// Signer.
        account: u32,
    },
}

/// Why a batch's published data (blob records + L1 effects, `docs/formats.md` §4) cannot be
/// replayed on a state (`crate::da::apply_batch_data`). Record numbers are 0-based
/// positions in the blob data, effect numbers positions in the effects list.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReplayError {
    /// A record of unknown type or whose packed amount or fee does not decode.
    #[error("record {record}: {error}")]
    BadRecord {
        /// Record.
        record: usize,
        /// What is wrong.
        error: crate::da::DaError,
    },
    /// A Deposit/Withdraw/FullExit record with no effect left to take.
    #[error("record {record}: no L1 effect left for it")]
    MissingEffect {
        /// Record.
        record: usize,
    },
    /// The next effect is of another type or account than the record.
    #[error("record {record}: L1 effect {effect} is of another type or account")]
    EffectMismatch {
        /// Record.
        record: usize,
        /// Effect.
        effect: usize,
    },
    /// Effects left after the last record.
    #[error("{count} L1 effects left after the last record (first: effect {first})")]
    LeftoverEffects {
        /// The first unused effect.
        first: usize,
        /// How many.
        count: usize,
    },
    /// The record is not a valid transition of the state (e.g. an overdraft).
    #[error("record {record}: {error}")]
    Tx {
        /// Record.
        record: usize,
        /// What is wrong.
        error: TxError,
    },
    /// A FullExit effect whose amount is not what the state pays.
    #[error("record {record}: full exit amount {found}, the state pays {expected}")]
    ExitAmount {
        /// Record.
        record: usize,
        /// What the state pays (balance, or 0 for a no-op).
        expected: u64,
        /// The effect's amount.
        found: u64,
    },
    /// The fees summed up to this record reach `2^64`.
    #[error("record {record}: the batch's fee sum overflows u64")]
    FeeOverflow {
        /// Record.
        record: usize,
    },
    /// The batch-end credit of the fees to the operator fails.
    #[error("operator fee credit: {0}")]
    OperatorCredit(TxError),
    /// The state after the batch does not have the expected root.
    #[error("batch data leads to root {computed}, the batch claims {expected}")]
    RootMismatch {
        /// Root claimed (0x hex).
        expected: String,
        /// Root computed (0x hex).
        computed: String,
    },
}

/// Failure of executing a batch. On any error the state is left unchanged.
#[derive(Debug, thiserror::Error)]
pub enum ExecError {
    /// Transaction `index` is invalid.
    #[error("tx {index}: {error}")]
    Tx {
        /// 0-based position in the batch.
        index: usize,
        /// What is wrong.
        error: TxError,
    },
    /// The batch's pre-state could not be loaded.
    #[error(transparent)]
    Batch(#[from] BatchError),
    /// The fees of the batch's Transfers and Withdraws sum to `2^64` or more (tx `index` is
    /// the first at which the sum overflows).
    #[error("tx {index}: the batch's fee sum overflows u64")]
    FeeOverflow {
        /// 0-based position in the batch.
        index: usize,
    },
    /// The batch-end credit of the summed fees to the operator fails (unknown operator, or
    /// its balance would overflow).
    #[error("operator fee credit: {0}")]
    OperatorCredit(TxError),
    /// The batch's data does not fit (more than `MAX_EFFECTS` effects or
    /// `MAX_BATCH_RECORDS` records).
    #[error("batch data: {0}")]
    Data(#[from] crate::da::DaError),
    /// The blob carrying the batch's data could not be built or opened.
    #[error("blob: {0}")]
    Blob(#[from] crate::blob::BlobError),
}
