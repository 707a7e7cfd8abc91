//! Batch files (`docs/formats.md` §7): a versioned, self-contained description of one batch
//! (header, pre-state, ordered transactions) in JSON (readable) or bincode (compact).

pub mod wire;

use std::path::{Path, PathBuf};

use crate::error::{BatchError, Location};
use crate::state::{Account, StateTree};
use crate::tx::{Domain, Tx};
use wire::{Bytes, VersionProbe, WireAccount, WireBatch, WireHeader, WirePreState, WireTx};

/// The batch format version this build reads and writes (2: accounts hold `pkhash` and
/// `owner`, signed txs carry `pubkey`, FullExit exists; version 1 files are rejected).
pub const BATCH_VERSION: u32 = 2;
/// First bytes of a bincode batch file.
pub const BATCH_MAGIC: [u8; 4] = *b"ZKRB";
/// Upper bound on what a bincode decode may allocate (guards corrupted length prefixes).
pub(crate) const BINCODE_LIMIT: usize = 1 << 30;

pub(crate) fn bincode_config() -> impl bincode::config::Config {
    bincode::config::standard().with_limit::<BINCODE_LIMIT>()
}

/// Decodes `T` from the front of `body` (bincode 2, [`bincode_config`]) borrowing byte
/// strings from `body`, so that no length prefix makes the decoder allocate more than the
/// input holds (see [`wire`]). Returns the value and the bytes read.
pub(crate) fn decode_bincode<'de, T: serde::Deserialize<'de>>(
    body: &'de [u8],
) -> Result<(T, usize), BatchError> {
    bincode::serde::borrow_decode_from_slice(body, bincode_config())
        .map_err(|e| BatchError::Bincode(e.to_string()))
}

/// On-disk encoding of a batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Pretty JSON, byte strings as `0x` hex.
    Json,
    /// `BATCH_MAGIC` then bincode 2 (standard config) of the same structure.
    Bincode,
}

impl Format {
    /// `.bin`/`.bincode` → bincode, anything else → JSON.
    pub fn from_extension(path: &Path) -> Self {
        match path.extension().and_then(|e| e.to_str()) {
            Some("bin") | Some("bincode") => Format::Bincode,
            _ => Format::Json,
        }
    }
}

/// Batch header: the signing domain and the fee recipient.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// Chain id and rollup address every signature is bound to.
    pub domain: Domain,
    /// Operator (fee recipient) account index.
    pub operator: u32,
}

/// The state a batch starts from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PreState {
    /// Accounts listed inline (indices unique).
    Genesis(Vec<(u32, Account)>),
    /// A snapshot file (see [`StateTree::save_snapshot`]).
    Snapshot(PathBuf),
}

/// A decoded, encoding-valid batch. State validity is checked by execution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Batch {
    /// Header.
    pub header: Header,
    /// Starting state.
    pub pre_state: PreState,
    /// Transactions in execution order.
    pub txs: Vec<Tx>,
}

impl Batch {
    fn from_wire(w: WireBatch, base_dir: Option<&Path>) -> Result<Self, BatchError> {
        if w.version != BATCH_VERSION {
            return Err(BatchError::UnsupportedVersion {
                found: w.version,
                supported: BATCH_VERSION,
            });
        }
        let pre_state = match w.pre_state {
            WirePreState::Genesis(list) => PreState::Genesis(
                list.iter()
                    .enumerate()
                    .map(|(i, a)| a.decode(Location::Genesis(i)))
                    .collect::<Result<_, _>>()?,
            ),
            WirePreState::Snapshot(p) => {
                let p = PathBuf::from(p);
                PreState::Snapshot(match base_dir {
                    Some(d) if p.is_relative() => d.join(p),
                    _ => p,
                })
            }
        };
        let txs = w
            .txs
            .iter()
            .enumerate()
            .map(|(i, t)| t.decode(i))
            .collect::<Result<_, _>>()?;
        Ok(Batch {
            header: Header {
                domain: Domain {
                    chain_id: w.header.chain_id,
                    rollup: w.header.rollup.0,
                },
                operator: w.header.operator,
            },
            pre_state,
            txs,
        })
    }

    fn to_wire(&self) -> WireBatch {
        WireBatch {
            version: BATCH_VERSION,
            header: WireHeader {
                chain_id: self.header.domain.chain_id,
                rollup: Bytes(self.header.domain.rollup),
                operator: self.header.operator,
            },
            pre_state: match &self.pre_state {
                PreState::Genesis(list) => WirePreState::Genesis(
                    list.iter()
                        .map(|(i, a)| WireAccount::encode(*i, a))
                        .collect(),
                ),
                PreState::Snapshot(p) => WirePreState::Snapshot(p.to_string_lossy().into_owned()),
            },
            txs: self.txs.iter().map(WireTx::encode).collect(),
        }
    }

    /// Parses a JSON batch. A relative snapshot path stays relative.
    pub fn from_json(bytes: &[u8]) -> Result<Self, BatchError> {
        Self::from_json_in(bytes, None)
    }

    fn from_json_in(bytes: &[u8], base: Option<&Path>) -> Result<Self, BatchError> {
        let probe: VersionProbe =
            serde_json::from_slice(bytes).map_err(|e| BatchError::json(&e))?;
        if probe.version != BATCH_VERSION {
            return Err(BatchError::UnsupportedVersion {
                found: probe.version,
                supported: BATCH_VERSION,
            });
        }
        let w: WireBatch = serde_json::from_slice(bytes).map_err(|e| BatchError::json(&e))?;
        Self::from_wire(w, base)
    }

    /// Parses a bincode batch (starting with [`BATCH_MAGIC`]).
    pub fn from_bincode(bytes: &[u8]) -> Result<Self, BatchError> {
        Self::from_bincode_in(bytes, None)
    }

    fn from_bincode_in(bytes: &[u8], base: Option<&Path>) -> Result<Self, BatchError> {
        let body = bytes
            .strip_prefix(&BATCH_MAGIC)
            .ok_or(BatchError::UnknownFormat {
                expected: BATCH_MAGIC,
            })?;
        let (version, _): (u32, usize) = decode_bincode(body)?;
        if version != BATCH_VERSION {
            return Err(BatchError::UnsupportedVersion {
                found: version,
                supported: BATCH_VERSION,
            });
        }
        let (w, read): (WireBatch, usize) = decode_bincode(body)?;
        if read != body.len() {
            return Err(BatchError::Bincode(format!(
                "{} trailing bytes after the batch",
                body.len() - read
            )));
        }
        Self::from_wire(w, base)
    }

    /// Parses either encoding, detected by content: the bincode magic, or a JSON object.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, BatchError> {
        Self::from_bytes_in(bytes, None)
    }

    fn from_bytes_in(bytes: &[u8], base: Option<&Path>) -> Result<Self, BatchError> {
        match detect(bytes) {
            Some(Format::Bincode) => Self::from_bincode_in(bytes, base),
            Some(Format::Json) => Self::from_json_in(bytes, base),
            None => Err(BatchError::UnknownFormat {
                expected: BATCH_MAGIC,
            }),
        }
    }

    /// Reads a batch file of either encoding; a relative snapshot path is resolved against
    /// the batch file's directory.
    pub fn load(path: &Path) -> Result<Self, BatchError> {
        let bytes = std::fs::read(path).map_err(|source| BatchError::Io {
            path: path.to_owned(),
            source,
        })?;
        Self::from_bytes_in(&bytes, path.parent())
    }

    /// Pretty JSON text.
    pub fn to_json(&self) -> String {
        // Serialising plain structs with string keys cannot fail.
        serde_json::to_string_pretty(&self.to_wire()).unwrap_or_default()
    }

    /// Bincode bytes, magic first.
    pub fn to_bincode(&self) -> Vec<u8> {
        let mut out = BATCH_MAGIC.to_vec();
        // Encoding into a Vec only fails past BINCODE_LIMIT; such a batch cannot be read back
        // either, so it is reported as an empty body which fails to decode.
        if let Ok(body) = bincode::serde::encode_to_vec(self.to_wire(), bincode_config()) {
            out.extend(body);
        }
        out
    }

    /// Encodes in `format`.
    pub fn to_bytes(&self, format: Format) -> Vec<u8> {
        match format {
            Format::Json => self.to_json().into_bytes(),
            Format::Bincode => self.to_bincode(),
        }
    }

    /// Writes the batch, choosing the encoding from the extension ([`Format::from_extension`]).
    pub fn save(&self, path: &Path) -> Result<(), BatchError> {
        std::fs::write(path, self.to_bytes(Format::from_extension(path))).map_err(|source| {
            BatchError::Io {
                path: path.to_owned(),
                source,
            }
        })
    }

    /// Builds the pre-state tree (from the genesis list, or by loading the snapshot).
    pub fn load_state(&self) -> Result<StateTree, BatchError> {
        match &self.pre_state {
            PreState::Genesis(list) => {
                StateTree::from_accounts(list.iter().copied()).map_err(|index| {
                    BatchError::DuplicateAccount {
                        location: Location::Genesis(
                            list.iter().rposition(|(i, _)| *i == index).unwrap_or(0),
                        ),
                        index,
                    }
                })
            }
            PreState::Snapshot(p) => StateTree::load_snapshot(p),
        }
    }
}

/// Detects the encoding from content: [`BATCH_MAGIC`] → bincode, first non-blank `{` → JSON.
pub fn detect(bytes: &[u8]) -> Option<Format> {
    if bytes.starts_with(&BATCH_MAGIC) {
        return Some(Format::Bincode);
    }
    match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => Some(Format::Json),
        _ => None,
    }
}
