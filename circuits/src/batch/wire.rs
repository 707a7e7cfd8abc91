//! The serde shape of batch and snapshot files (`docs/formats.md` §7) and its validating
//! conversion to typed values. Byte strings are `0x` hex in JSON and raw bytes in bincode.
//!
//! Byte strings and the snapshot path are read through `deserialize_bytes` /
//! `deserialize_str`, which a borrowing bincode decoder ([`crate::batch::decode_bincode`])
//! answers with a slice of the input: a length prefix larger than what is left of the input
//! is an error before anything is allocated (an owned decoder would first allocate the
//! announced length, up to the decode limit).

use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use plonky2::hash::hash_types::HashOut;

use crate::encoding::{
    first_non_canonical_limb, from_hex_array, hash_from_bytes, hash_to_bytes, to_hex,
};
use crate::error::{BatchError, Location};
use crate::schnorr::{PublicKey, Signature};
use crate::state::Account;
use crate::tx::{Deposit, FullExit, Transfer, Tx, Withdraw};
use crate::F;

/// Fixed-size byte string: `"0x…"` in human-readable formats, bytes otherwise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bytes<const N: usize>(pub [u8; N]);

/// Variable-size byte string, same encodings as [`Bytes`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VarBytes(pub Vec<u8>);

impl<const N: usize> Serialize for Bytes<N> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.serialize_str(&to_hex(&self.0))
        } else {
            s.serialize_bytes(&self.0)
        }
    }
}

impl Serialize for VarBytes {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.serialize_str(&to_hex(&self.0))
        } else {
            s.serialize_bytes(&self.0)
        }
    }
}

struct BytesVisitor;

impl<'de> Visitor<'de> for BytesVisitor {
    type Value = Vec<u8>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a 0x-prefixed hex string or a byte string")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Vec<u8>, E> {
        let h = v
            .strip_prefix("0x")
            .ok_or_else(|| E::custom("hex string must start with 0x"))?;
        hex::decode(h).map_err(|e| E::custom(format!("invalid hex: {e}")))
    }
    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Vec<u8>, E> {
        Ok(v.to_vec())
    }
    fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<Vec<u8>, E> {
        Ok(v)
    }
}

impl<'de, const N: usize> Deserialize<'de> for Bytes<N> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = if d.is_human_readable() {
            d.deserialize_str(BytesVisitor)?
        } else {
            d.deserialize_bytes(BytesVisitor)?
        };
        let len = v.len();
        v.try_into()
            .map(Bytes)
            .map_err(|_| de::Error::custom(format!("expected {N} bytes, got {len}")))
    }
}

impl<'de> Deserialize<'de> for VarBytes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if d.is_human_readable() {
            d.deserialize_str(BytesVisitor).map(VarBytes)
        } else {
            d.deserialize_bytes(BytesVisitor).map(VarBytes)
        }
    }
}

/// Batch header on the wire.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct WireHeader {
    /// EIP-155 chain id.
    pub chain_id: u64,
    /// Rollup contract address.
    pub rollup: Bytes<20>,
    /// Fee recipient account index.
    pub operator: u32,
}

/// One pre-state account on the wire.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct WireAccount {
    /// Leaf index.
    pub index: u32,
    /// Key hash, `h0‖h1‖h2‖h3` (u64 BE limbs, each `< p`).
    pub pkhash: Bytes<32>,
    /// Balance.
    pub balance: u64,
    /// Nonce.
    pub nonce: u32,
    /// L1 owner.
    pub owner: Bytes<20>,
}

/// Pre-state on the wire: inline accounts or a snapshot path (relative to the batch file).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum WirePreState {
    /// Inline genesis accounts.
    Genesis(Vec<WireAccount>),
    /// Path of a snapshot file.
    Snapshot(#[serde(deserialize_with = "deserialize_path")] String),
}

/// Reads a string through `deserialize_str` (borrowed from the input by a borrowing
/// decoder), never `deserialize_string`, which bincode answers by allocating the announced
/// length first.
fn deserialize_path<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    struct PathVisitor;
    impl Visitor<'_> for PathVisitor {
        type Value = String;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a path string")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
            Ok(v.to_owned())
        }
    }
    d.deserialize_str(PathVisitor)
}

/// A transaction on the wire.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum WireTx {
    /// See [`Deposit`].
    Deposit {
        /// Account index.
        account: u32,
        /// Key hash (32 bytes, canonical limbs).
        pkhash: Bytes<32>,
        /// Amount (`< 2^56`, checked at execution).
        amount: u64,
        /// L1 owner.
        owner: Bytes<20>,
    },
    /// See [`Transfer`].
    Transfer {
        /// Sender.
        from: u32,
        /// Receiver.
        to: u32,
        /// Amount.
        amount: u64,
        /// Fee.
        fee: u64,
        /// Nonce.
        nonce: u32,
        /// Signer's key (40 bytes).
        pubkey: Bytes<40>,
        /// Signature bytes.
        signature: VarBytes,
    },
    /// See [`Withdraw`].
    Withdraw {
        /// Sender.
        from: u32,
        /// L1 recipient.
        l1_address: Bytes<20>,
        /// Amount.
        amount: u64,
        /// Fee.
        fee: u64,
        /// Nonce.
        nonce: u32,
        /// Signer's key (40 bytes).
        pubkey: Bytes<40>,
        /// Signature bytes.
        signature: VarBytes,
    },
    /// See [`FullExit`].
    FullExit {
        /// Account to exit.
        account: u32,
        /// L1 address that requested the exit.
        requester: Bytes<20>,
    },
}

/// A whole batch file.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct WireBatch {
    /// Format version (2).
    pub version: u32,
    /// Header.
    pub header: WireHeader,
    /// Pre-state.
    pub pre_state: WirePreState,
    /// Ordered transactions.
    pub txs: Vec<WireTx>,
}

/// Only the version, read first so that a future layout gets a clean error.
#[derive(Deserialize)]
pub struct VersionProbe {
    /// Format version.
    pub version: u32,
}

/// Decodes a public key, separating non-canonical limbs from invalid points.
pub fn decode_pubkey(
    b: &Bytes<40>,
    location: Location,
    field: &'static str,
) -> Result<PublicKey, BatchError> {
    if let Some(limb) = first_non_canonical_limb(&b.0) {
        return Err(BatchError::NonCanonical {
            location,
            field,
            limb,
        });
    }
    PublicKey::from_bytes(&b.0).map_err(|_| BatchError::InvalidPoint { location, field })
}

/// Decodes a key hash, rejecting non-canonical limbs.
pub fn decode_pkhash(
    b: &Bytes<32>,
    location: Location,
    field: &'static str,
) -> Result<HashOut<F>, BatchError> {
    hash_from_bytes(&b.0).map_err(|limb| BatchError::NonCanonical {
        location,
        field,
        limb,
    })
}

fn decode_signature(b: &VarBytes, location: Location) -> Result<Signature, BatchError> {
    Signature::from_bytes(&b.0).map_err(|_| BatchError::InvalidSignatureEncoding { location })
}

impl WireAccount {
    /// Validates into `(index, Account)`.
    pub fn decode(&self, location: Location) -> Result<(u32, Account), BatchError> {
        Ok((
            self.index,
            Account {
                pkhash: decode_pkhash(&self.pkhash, location, "pkhash")?,
                balance: self.balance,
                nonce: self.nonce,
                owner: self.owner.0,
            },
        ))
    }

    /// Wire form of an account.
    pub fn encode(index: u32, a: &Account) -> Self {
        Self {
            index,
            pkhash: Bytes(hash_to_bytes(&a.pkhash)),
            balance: a.balance,
            nonce: a.nonce,
            owner: Bytes(a.owner),
        }
    }
}

impl WireTx {
    /// Validates into a [`Tx`] (encodings only; state checks happen at execution).
    pub fn decode(&self, index: usize) -> Result<Tx, BatchError> {
        let loc = Location::Tx(index);
        Ok(match self {
            WireTx::Deposit {
                account,
                pkhash,
                amount,
                owner,
            } => Tx::Deposit(Deposit {
                account: *account,
                pkhash: decode_pkhash(pkhash, loc, "pkhash")?,
                amount: *amount,
                owner: owner.0,
            }),
            WireTx::Transfer {
                from,
                to,
                amount,
                fee,
                nonce,
                pubkey,
                signature,
            } => Tx::Transfer(Transfer {
                from: *from,
                to: *to,
                amount: *amount,
                fee: *fee,
                nonce: *nonce,
                pubkey: decode_pubkey(pubkey, loc, "pubkey")?,
                signature: decode_signature(signature, loc)?,
            }),
            WireTx::Withdraw {
                from,
                l1_address,
                amount,
                fee,
                nonce,
                pubkey,
                signature,
            } => Tx::Withdraw(Withdraw {
                from: *from,
                l1_address: l1_address.0,
                amount: *amount,
                fee: *fee,
                nonce: *nonce,
                pubkey: decode_pubkey(pubkey, loc, "pubkey")?,
                signature: decode_signature(signature, loc)?,
            }),
            WireTx::FullExit { account, requester } => Tx::FullExit(FullExit {
                account: *account,
                requester: requester.0,
            }),
        })
    }

    /// Wire form of a transaction.
    pub fn encode(tx: &Tx) -> Self {
        match tx {
            Tx::Deposit(d) => WireTx::Deposit {
                account: d.account,
                pkhash: Bytes(hash_to_bytes(&d.pkhash)),
                amount: d.amount,
                owner: Bytes(d.owner),
            },
            Tx::Transfer(t) => WireTx::Transfer {
                from: t.from,
                to: t.to,
                amount: t.amount,
                fee: t.fee,
                nonce: t.nonce,
                pubkey: Bytes(t.pubkey.to_bytes()),
                signature: VarBytes(t.signature.to_bytes().as_ref().to_vec()),
            },
            Tx::Withdraw(w) => WireTx::Withdraw {
                from: w.from,
                l1_address: Bytes(w.l1_address),
                amount: w.amount,
                fee: w.fee,
                nonce: w.nonce,
                pubkey: Bytes(w.pubkey.to_bytes()),
                signature: VarBytes(w.signature.to_bytes().as_ref().to_vec()),
            },
            Tx::FullExit(e) => WireTx::FullExit {
                account: e.account,
                requester: Bytes(e.requester),
            },
        }
    }
}

/// Parses a 20-byte address from `0x` hex (for CLIs).
pub fn parse_address(s: &str) -> Result<[u8; 20], String> {
    from_hex_array::<20>(s)
}
