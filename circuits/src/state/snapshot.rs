//! State snapshot files: [`SNAPSHOT_MAGIC`] then bincode of `{version, root, accounts}`,
//! accounts sorted by index. Loading re-validates every key hash and recomputes the root.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::tree::StateTree;
use crate::batch::wire::{Bytes, WireAccount};
use crate::batch::{bincode_config, decode_bincode};
use crate::encoding::{hash_from_bytes, hash_to_bytes, to_hex};
use crate::error::{BatchError, Location};

/// First bytes of a snapshot file.
pub const SNAPSHOT_MAGIC: [u8; 4] = *b"ZKRS";
/// Snapshot format version (2: accounts hold `pkhash` and `owner`; version 1 is rejected).
pub const SNAPSHOT_VERSION: u32 = 2;

/// Errors of snapshot files are batch-file errors.
pub type SnapshotError = BatchError;

#[derive(Serialize, Deserialize)]
struct WireSnapshot {
    version: u32,
    root: Bytes<32>,
    accounts: Vec<WireAccount>,
}

impl StateTree {
    /// Serialises the whole state (accounts sorted by index, plus the root).
    pub fn to_snapshot_bytes(&self) -> Vec<u8> {
        let mut accounts: Vec<WireAccount> = self
            .accounts()
            .map(|(i, a)| WireAccount::encode(i, a))
            .collect();
        accounts.sort_unstable_by_key(|a| a.index);
        let snap = WireSnapshot {
            version: SNAPSHOT_VERSION,
            root: Bytes(hash_to_bytes(&self.root())),
            accounts,
        };
        let mut out = SNAPSHOT_MAGIC.to_vec();
        if let Ok(body) = bincode::serde::encode_to_vec(&snap, bincode_config()) {
            out.extend(body);
        }
        out
    }

    /// Decodes and re-validates a snapshot (canonical limbs, indices increasing and unique,
    /// root matching the accounts, no trailing bytes).
    pub fn from_snapshot_bytes(bytes: &[u8]) -> Result<Self, SnapshotError> {
        let body = bytes
            .strip_prefix(&SNAPSHOT_MAGIC)
            .ok_or(BatchError::UnknownFormat {
                expected: SNAPSHOT_MAGIC,
            })?;
        let (version, _): (u32, usize) = decode_bincode(body)?;
        if version != SNAPSHOT_VERSION {
            return Err(BatchError::UnsupportedVersion {
                found: version,
                supported: SNAPSHOT_VERSION,
            });
        }
        let (snap, read): (WireSnapshot, usize) = decode_bincode(body)?;
        if read != body.len() {
            return Err(BatchError::Bincode(format!(
                "{} trailing bytes after the snapshot",
                body.len() - read
            )));
        }
        let root = hash_from_bytes(&snap.root.0).map_err(|limb| BatchError::NonCanonical {
            location: Location::Header,
            field: "root",
            limb,
        })?;
        if let Some(i) =
            (1..snap.accounts.len()).find(|&i| snap.accounts[i].index < snap.accounts[i - 1].index)
        {
            return Err(BatchError::UnsortedSnapshot {
                location: Location::Snapshot(i),
                index: snap.accounts[i].index,
                previous: snap.accounts[i - 1].index,
            });
        }
        let accounts = snap
            .accounts
            .iter()
            .enumerate()
            .map(|(i, a)| a.decode(Location::Snapshot(i)))
            .collect::<Result<Vec<_>, _>>()?;
        let tree = StateTree::from_accounts(accounts.iter().copied()).map_err(|index| {
            BatchError::DuplicateAccount {
                location: Location::Snapshot(
                    accounts.iter().rposition(|(i, _)| *i == index).unwrap_or(0),
                ),
                index,
            }
        })?;
        if tree.root() != root {
            return Err(BatchError::SnapshotRootMismatch {
                expected: to_hex(&snap.root.0),
                computed: to_hex(&hash_to_bytes(&tree.root())),
            });
        }
        Ok(tree)
    }

    /// Writes a snapshot file.
    pub fn save_snapshot(&self, path: &Path) -> Result<(), SnapshotError> {
        std::fs::write(path, self.to_snapshot_bytes()).map_err(|source| BatchError::Io {
            path: path.to_owned(),
            source,
        })
    }

    /// Reads a snapshot file.
    pub fn load_snapshot(path: &Path) -> Result<Self, SnapshotError> {
        let bytes = std::fs::read(path).map_err(|source| BatchError::Io {
            path: path.to_owned(),
            source,
        })?;
        Self::from_snapshot_bytes(&bytes)
    }
}
