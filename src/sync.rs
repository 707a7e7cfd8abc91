//! The L2 state from L1 data alone (`zkroll sync`, docs/l1.md "State from L1").
//!
//! A rollup's state is the empty tree (formats.md §2) followed by the published data of every
//! committed batch, in order (formats.md §4: the blob's records and the calldata's L1-effects
//! list): [`sync`] reads the committed batches from a [`BatchSource`] (the Rollup contract's
//! `BatchCommitted` events, the `commitBatch` calldata of their transactions and the blobs
//! those carried, see [`crate::l1::RollupClient`] and docs/l1.md "Reading blobs back"),
//! applies each with [`zkroll_circuits::da::apply_batch_data`] and checks the root the batch
//! committed. The
//! result, a [`SyncState`], is saved atomically and resumed by the next run.
//!
//! Invariant: a [`SyncState`] of batch `n` holds exactly the state whose root the Rollup
//! committed as batch `n` (every batch's root is checked before the state moves on), for the
//! chain and rollup it names.

use std::future::Future;
use std::path::Path;

use serde::{Deserialize, Serialize};
use zkroll_circuits::da::{apply_batch_data, BatchData, DaError};
use zkroll_circuits::encoding::{hash_from_bytes, hash_to_bytes, to_hex};
use zkroll_circuits::error::ReplayError;
use zkroll_circuits::state::StateTree;

/// First bytes of a sync state file.
pub const SYNC_MAGIC: [u8; 4] = *b"ZKSY";
/// Sync state file version.
pub const SYNC_VERSION: u32 = 1;
/// Largest sync state file read (the snapshot inside is capped by its own decoder too).
pub const MAX_SYNC_FILE: u64 = 4 << 30;

/// One batch as committed on L1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommittedBatch {
    /// Batch number (1 for the first batch).
    pub number: u64,
    /// L1 block that holds the commit.
    pub block: u64,
    /// The root the batch committed (formats.md §1 bytes).
    pub new_root: [u8; 32],
    /// The batch's blob data (formats.md §4.2), read back from the blob its commit carried
    /// and checked against the versioned hash the Rollup recorded.
    pub blob_data: Vec<u8>,
    /// The batch's L1-effects list (formats.md §4.3), from the `commitBatch` calldata.
    pub effects: Vec<u8>,
}

/// Where committed batches come from (the Rollup contract, or a test double).
pub trait BatchSource {
    /// The chain id and the Rollup address the batches belong to.
    fn identity(&self) -> impl Future<Output = Result<(u64, [u8; 20]), SyncError>> + Send;
    /// The committed batches with `number > after`, in increasing order, as far as the
    /// source knows now.
    fn batches_after(
        &self,
        after: u64,
    ) -> impl Future<Output = Result<Vec<CommittedBatch>, SyncError>> + Send;
}

/// Why synchronising failed.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// Reading from L1 failed (RPC down, malformed event or calldata).
    #[error("L1: {0}")]
    L1(String),
    /// The sync state file belongs to another chain or rollup.
    #[error("{path}: sync state of chain {file_chain} rollup 0x{file_rollup}, not chain {chain} rollup 0x{rollup}")]
    OtherRollup {
        /// The file.
        path: String,
        /// Its chain id.
        file_chain: u64,
        /// Its rollup (hex).
        file_rollup: String,
        /// The chain id asked for.
        chain: u64,
        /// The rollup asked for (hex).
        rollup: String,
    },
    /// The source skipped or repeated a batch number.
    #[error("batch {found} follows batch {after}: expected batch {}", .after + 1)]
    Gap {
        /// Last batch applied.
        after: u64,
        /// Batch number received.
        found: u64,
    },
    /// A committed root is not 4 canonical limbs.
    #[error("batch {batch}: committed root limb {limb} is not canonical")]
    BadRoot {
        /// Batch number.
        batch: u64,
        /// Limb index.
        limb: usize,
    },
    /// A committed batch's published data does not parse.
    #[error("batch {batch}: {source}")]
    Data {
        /// Batch number.
        batch: u64,
        /// What is wrong.
        #[source]
        source: DaError,
    },
    /// A committed batch's published data does not rebuild its committed root.
    #[error("batch {batch}: {source}")]
    Replay {
        /// Batch number.
        batch: u64,
        /// What is wrong.
        #[source]
        source: ReplayError,
    },
    /// A sync state file could not be read or written.
    #[error("{path}: {message}")]
    File {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
}

/// The state after batch `batch` of one rollup.
#[derive(Clone, Debug)]
pub struct SyncState {
    /// Chain id of the L1.
    pub chain_id: u64,
    /// Rollup contract address.
    pub rollup: [u8; 20],
    /// Last batch applied (0: none, the empty genesis).
    pub batch: u64,
    /// L1 block of that batch's commit (0 before any).
    pub block: u64,
    /// The accounts.
    pub state: StateTree,
}

#[derive(Serialize, Deserialize)]
struct WireSync {
    version: u32,
    chain_id: u64,
    rollup: [u8; 20],
    batch: u64,
    block: u64,
    /// A state snapshot file's bytes (formats.md §7).
    snapshot: Vec<u8>,
}

impl SyncState {
    /// The state before any batch: the empty tree (the Rollup's genesis).
    pub fn genesis(chain_id: u64, rollup: [u8; 20]) -> Self {
        Self {
            chain_id,
            rollup,
            batch: 0,
            block: 0,
            state: StateTree::new(),
        }
    }

    /// `ZKSY` ‖ bincode 2 (standard config) of `{version, chain_id, rollup, batch, block,
    /// snapshot}` (docs/formats.md §7).
    pub fn to_bytes(&self) -> Vec<u8> {
        let wire = WireSync {
            version: SYNC_VERSION,
            chain_id: self.chain_id,
            rollup: self.rollup,
            batch: self.batch,
            block: self.block,
            snapshot: self.state.to_snapshot_bytes(),
        };
        let mut out = SYNC_MAGIC.to_vec();
        // Encoding plain integers and byte vectors into a Vec cannot fail.
        out.extend(
            bincode::serde::encode_to_vec(&wire, bincode::config::standard()).unwrap_or_default(),
        );
        out
    }

    /// Decodes a sync state file's bytes; the snapshot inside is re-validated (root recomputed).
    pub fn from_bytes(bytes: &[u8], path: &str) -> Result<Self, SyncError> {
        let err = |message: String| SyncError::File {
            path: path.to_string(),
            message,
        };
        let body = bytes
            .strip_prefix(&SYNC_MAGIC)
            .ok_or_else(|| err("not a zkroll sync state (no ZKSY magic)".into()))?;
        let (version, _): (u32, usize) =
            bincode::serde::decode_from_slice(body, bincode::config::standard())
                .map_err(|e| err(format!("truncated header: {e}")))?;
        if version != SYNC_VERSION {
            return Err(err(format!(
                "sync state version {version}, this build reads {SYNC_VERSION}"
            )));
        }
        let cfg = bincode::config::standard().with_limit::<{ 4 << 30 }>();
        let (wire, used): (WireSync, usize) = bincode::serde::decode_from_slice(body, cfg)
            .map_err(|e| err(format!("malformed: {e}")))?;
        if used != body.len() {
            return Err(err(format!("{} trailing bytes", body.len() - used)));
        }
        let state = StateTree::from_snapshot_bytes(&wire.snapshot)
            .map_err(|e| err(format!("snapshot: {e}")))?;
        Ok(Self {
            chain_id: wire.chain_id,
            rollup: wire.rollup,
            batch: wire.batch,
            block: wire.block,
            state,
        })
    }

    /// Reads a sync state file.
    pub fn load(path: &Path) -> Result<Self, SyncError> {
        let name = path.display().to_string();
        let err = |message: String| SyncError::File {
            path: name.clone(),
            message,
        };
        let len = std::fs::metadata(path)
            .map_err(|e| err(e.to_string()))?
            .len();
        if len > MAX_SYNC_FILE {
            return Err(err(format!(
                "{len} bytes, more than the {MAX_SYNC_FILE} cap"
            )));
        }
        let bytes = std::fs::read(path).map_err(|e| err(e.to_string()))?;
        Self::from_bytes(&bytes, &name)
    }

    /// Writes the file atomically (temporary file, fsync, rename).
    pub fn save(&self, path: &Path) -> Result<(), SyncError> {
        zkroll_prover::proof_file::write_atomic(path, &self.to_bytes()).map_err(|e| {
            SyncError::File {
                path: path.display().to_string(),
                message: e.to_string(),
            }
        })
    }

    /// Applies committed batches in order: each must be the next number, and its published
    /// data must
    /// rebuild exactly its committed root. All-or-nothing per batch: on an error the state
    /// is that of the last good batch. Returns how many were applied.
    pub fn apply(&mut self, batches: &[CommittedBatch]) -> Result<usize, SyncError> {
        for b in batches {
            if b.number != self.batch + 1 {
                return Err(SyncError::Gap {
                    after: self.batch,
                    found: b.number,
                });
            }
            let root = hash_from_bytes(&b.new_root).map_err(|limb| SyncError::BadRoot {
                batch: b.number,
                limb,
            })?;
            let data = BatchData::from_published(&b.blob_data, &b.effects).map_err(|source| {
                SyncError::Data {
                    batch: b.number,
                    source,
                }
            })?;
            apply_batch_data(&mut self.state, &data, &root).map_err(|source| {
                SyncError::Replay {
                    batch: b.number,
                    source,
                }
            })?;
            self.batch = b.number;
            self.block = b.block;
        }
        Ok(batches.len())
    }

    /// The state root (formats.md §1 bytes), hex.
    pub fn root_hex(&self) -> String {
        to_hex(&hash_to_bytes(&self.state.root()))
    }
}

/// Brings `resume` (or the genesis) up to the last batch `source` has committed. A resumed
/// state must belong to the source's chain and rollup (`path` names it in errors).
pub async fn sync<S: BatchSource>(
    source: &S,
    resume: Option<(SyncState, &str)>,
) -> Result<SyncState, SyncError> {
    let (chain, rollup) = source.identity().await?;
    let mut st = match resume {
        Some((st, path)) => {
            if st.chain_id != chain || st.rollup != rollup {
                return Err(SyncError::OtherRollup {
                    path: path.to_string(),
                    file_chain: st.chain_id,
                    file_rollup: hex::encode(st.rollup),
                    chain,
                    rollup: hex::encode(rollup),
                });
            }
            st
        }
        None => SyncState::genesis(chain, rollup),
    };
    tracing::info!(from = st.batch, "sync: reading committed batches");
    let batches = source.batches_after(st.batch).await?;
    st.apply(&batches)?;
    tracing::info!(batch = st.batch, root = %st.root_hex(), "synced");
    Ok(st)
}

/// The Rollup contract as a [`BatchSource`]: `BatchCommitted` events, the `commitBatch`
/// calldata of their transactions (see [`crate::l1::RollupClient::committed_batches`]) and
/// their blobs from `blobs` (anvil's blob store, or a beacon node: docs/l1.md), scanned from
/// the block of the last batch a resumed state holds.
pub struct RollupSource<'a, B> {
    client: &'a crate::l1::RollupClient,
    blobs: B,
    from_block: u64,
}

impl<'a, B: zkroll_verifier_contract::blob::BlobSource + Sync> RollupSource<'a, B> {
    /// Reads `client`'s rollup from `from_block` on (0 for a sync from genesis), its blobs
    /// from `blobs`.
    pub fn new(client: &'a crate::l1::RollupClient, blobs: B, from_block: u64) -> Self {
        Self {
            client,
            blobs,
            from_block,
        }
    }
}

impl<B: zkroll_verifier_contract::blob::BlobSource + Sync> BatchSource for RollupSource<'_, B> {
    async fn identity(&self) -> Result<(u64, [u8; 20]), SyncError> {
        use alloy::providers::Provider;
        let chain = self
            .client
            .provider()
            .get_chain_id()
            .await
            .map_err(|e| SyncError::L1(e.to_string()))?;
        Ok((chain, self.client.address().into_array()))
    }

    async fn batches_after(&self, after: u64) -> Result<Vec<CommittedBatch>, SyncError> {
        let all = self
            .client
            .committed_batches(self.from_block)
            .await
            .map_err(|e| SyncError::L1(e.to_string()))?;
        let mut out = Vec::new();
        for b in all.into_iter().filter(|b| b.batch_number > after) {
            let blob_data = self
                .client
                .batch_blob_data(&b, &self.blobs)
                .await
                .map_err(|e| SyncError::L1(format!("batch {}: {e}", b.batch_number)))?;
            out.push(CommittedBatch {
                number: b.batch_number,
                block: b.block_number,
                new_root: b.new_root,
                blob_data,
                effects: b.effects,
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plonky2::field::types::Field;
    use plonky2::hash::hash_types::HashOut;
    use zkroll_circuits::batch::{Batch, Header, PreState};
    use zkroll_circuits::execute::execute;
    use zkroll_circuits::tx::{Deposit, Domain, FullExit, Tx};
    use zkroll_circuits::F;

    const ROLLUP: [u8; 20] = [0x42; 20];

    fn pkhash(n: u64) -> HashOut<F> {
        HashOut {
            elements: [F::from_canonical_u64(n), F::ONE, F::TWO, F::ZERO],
        }
    }

    /// Executes `txs` from `pre` and returns the committed form of the batch plus the state.
    fn commit(number: u64, pre: &StateTree, txs: Vec<Tx>) -> (CommittedBatch, StateTree) {
        let batch = Batch {
            header: Header {
                domain: Domain {
                    chain_id: 31337,
                    rollup: ROLLUP,
                },
                operator: 0,
            },
            pre_state: PreState::Genesis(pre.accounts().map(|(i, a)| (i, *a)).collect()),
            txs,
        };
        let (state, exec) = execute(&batch).unwrap();
        (
            CommittedBatch {
                number,
                block: 10 * number,
                new_root: hash_to_bytes(&exec.new_root),
                blob_data: exec.data.blob_data(),
                effects: exec.data.effects_bytes(),
            },
            state,
        )
    }

    /// Two batches: deposits creating accounts 0..3 (owner [i; 20]), then a top-up and two
    /// forced exits (by the owner: paid; by a stranger: no-op).
    fn two_batches() -> (Vec<CommittedBatch>, StateTree) {
        let dep = |account: u32, amount| {
            Tx::Deposit(Deposit {
                account,
                pkhash: pkhash(account as u64),
                amount,
                owner: [account as u8 + 1; 20],
            })
        };
        let (b1, s1) = commit(1, &StateTree::new(), vec![dep(0, 5), dep(1, 7), dep(2, 9)]);
        let (b2, s2) = commit(
            2,
            &s1,
            vec![
                dep(1, 3),
                Tx::FullExit(FullExit {
                    account: 2,
                    requester: [3; 20],
                }),
                Tx::FullExit(FullExit {
                    account: 1,
                    requester: [0xee; 20],
                }),
            ],
        );
        (vec![b1, b2], s2)
    }

    struct Fake(Vec<CommittedBatch>);

    impl BatchSource for Fake {
        async fn identity(&self) -> Result<(u64, [u8; 20]), SyncError> {
            Ok((31337, ROLLUP))
        }
        async fn batches_after(&self, after: u64) -> Result<Vec<CommittedBatch>, SyncError> {
            Ok(self
                .0
                .iter()
                .filter(|b| b.number > after)
                .cloned()
                .collect())
        }
    }

    fn block_on<T>(f: impl Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn rebuilds_the_state_and_resumes_from_its_file() {
        let (batches, expected) = two_batches();
        let st = block_on(sync(&Fake(batches[..1].to_vec()), None)).unwrap();
        assert_eq!(st.batch, 1);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.sync");
        st.save(&path).unwrap();
        let resumed = SyncState::load(&path).unwrap();
        assert_eq!(resumed.state.root(), st.state.root());
        let st = block_on(sync(&Fake(batches), Some((resumed, "state.sync")))).unwrap();
        assert_eq!(st.batch, 2);
        assert_eq!(st.block, 20);
        assert_eq!(st.state.root(), expected.root());
        // The owner's forced exit emptied account 2; the stranger's left account 1 alone.
        assert_eq!(st.state.get(2).unwrap().balance, 0);
        assert_eq!(st.state.get(1).unwrap().balance, 10);
    }

    #[test]
    fn a_tampered_batch_is_refused_and_the_state_stays() {
        let (mut batches, _) = two_batches();
        // One byte of the second batch's top-up amount (effect 0, bytes 37..44).
        batches[1].effects[43] ^= 1;
        let mut st = SyncState::genesis(31337, ROLLUP);
        let err = st.apply(&batches).unwrap_err();
        assert!(
            matches!(
                err,
                SyncError::Replay {
                    batch: 2,
                    source: ReplayError::RootMismatch { .. }
                }
            ),
            "{err}"
        );
        assert_eq!(st.batch, 1, "batch 1 stays applied");
        let (good, _) = two_batches();
        assert_eq!(st.state.root(), {
            let mut g = SyncState::genesis(31337, ROLLUP);
            g.apply(&good[..1]).unwrap();
            g.state.root()
        });
        // A record changed in the blob data (the FullExit's account) is refused too.
        let (mut batches, _) = two_batches();
        batches[1].blob_data[31 + 16] ^= 1;
        assert!(SyncState::genesis(31337, ROLLUP).apply(&batches).is_err());
        // A wrong committed root with honest data is refused as well.
        let (mut batches, _) = two_batches();
        batches[0].new_root[31] ^= 1;
        let err = SyncState::genesis(31337, ROLLUP)
            .apply(&batches)
            .unwrap_err();
        assert!(matches!(err, SyncError::Replay { batch: 1, .. }), "{err}");
    }

    #[test]
    fn gaps_other_rollups_and_bad_files_are_named() {
        let (batches, _) = two_batches();
        let err = SyncState::genesis(31337, ROLLUP)
            .apply(&batches[1..])
            .unwrap_err();
        assert!(
            matches!(err, SyncError::Gap { after: 0, found: 2 }),
            "{err}"
        );
        let other = SyncState::genesis(1, ROLLUP);
        let err = block_on(sync(&Fake(batches), Some((other, "x.sync")))).unwrap_err();
        assert!(matches!(err, SyncError::OtherRollup { .. }), "{err}");
        let bytes = SyncState::genesis(31337, ROLLUP).to_bytes();
        for cut in [0, 3, 4, 6, bytes.len() - 1] {
            let err = SyncState::from_bytes(&bytes[..cut], "cut.sync").unwrap_err();
            assert!(err.to_string().starts_with("cut.sync: "), "{err}");
        }
        let mut trailing = bytes.clone();
        trailing.push(0);
        assert!(SyncState::from_bytes(&trailing, "t").is_err());
    }
}
