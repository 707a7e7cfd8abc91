//! EIP-4844 blobs on L1: KZG commitments and openings (c-kzg 2.1 with Ethereum's trusted setup,
//! the one alloy pulls), sending a contract call as a type-3 transaction with a blob sidecar,
//! and reading a transaction's blobs back, each checked against the versioned hash the chain
//! recorded (docs/l1.md "Blobs").
//!
//! What goes into a blob (the 31-byte chunk encoding of docs/formats.md §10) is
//! `zkroll_circuits::blob::encoding`'s business: [`BatchBlob`] builds a batch's blob from its data
//! bytes with it (and opens it at the proof's point), [`batch_data`] decodes one back; everything
//! else here takes and returns whole [`Blob`]s.

use crate::client::{calldata_gas, L1Error, TxReport, RECEIPT_TIMEOUT};
use alloy::consensus::Transaction as _;
use alloy::eips::eip4844::{
    c_kzg, env_settings::EnvKzgSettings, kzg_to_versioned_hash, Blob, BlobTransactionSidecar,
    Bytes48, BLOB_TX_MIN_BLOB_GASPRICE, BLS_MODULUS,
};
use alloy::eips::eip7594::{BlobTransactionSidecarEip7594, BlobTransactionSidecarVariant};
use alloy::network::{TransactionBuilder, TransactionBuilder4844};
use alloy::primitives::{Address, Bytes, TxHash, B256, U256};
use alloy::providers::{DynProvider, Provider};
use alloy::rpc::types::TransactionRequest;
use std::future::Future;

/// At most this many blobs per transaction (EIP-7594's per-transaction cap since Osaka; the
/// block limit before it was 6 at Cancun, 9 at Prague).
pub const MAX_BLOBS_PER_TX: usize = 6;

/// Why a blob could not be built, sent or read back.
#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    /// c-kzg refused a blob or a point (e.g. a 32-byte field element ≥ the BLS12-381 modulus).
    #[error("KZG: {0}")]
    Kzg(#[from] c_kzg::Error),
    /// Batch data does not fit one blob, or a blob is not a valid encoding of data (an element
    /// with a non-zero top byte or ≥ the modulus, named by its index).
    #[error("batch blob data: {0}")]
    Data(#[from] zkroll_circuits::blob::BlobError),
    /// An evaluation point is not a canonical BLS12-381 scalar.
    #[error("evaluation point {0} is not below the BLS12-381 scalar modulus")]
    PointNotCanonical(B256),
    /// A blob transaction carries 1 to [`MAX_BLOBS_PER_TX`] blobs.
    #[error("a blob transaction carries 1 to {MAX_BLOBS_PER_TX} blobs, not {0}")]
    BlobCount(usize),
    /// The transaction is not known to the node.
    #[error("transaction {tx} not found")]
    TxNotFound {
        /// The transaction.
        tx: TxHash,
    },
    /// The transaction is known but not mined yet.
    #[error("transaction {tx} is not mined yet")]
    NotMined {
        /// The transaction.
        tx: TxHash,
    },
    /// The transaction carries no blob (it is not a type-3 transaction).
    #[error("transaction {tx} carries no blob")]
    NotABlobTx {
        /// The transaction.
        tx: TxHash,
    },
    /// The blob source does not have the transaction's blobs (pruned after ~18 days, or never
    /// seen by it).
    #[error("blobs of transaction {tx} unavailable from {source_name}")]
    Unavailable {
        /// The transaction.
        tx: TxHash,
        /// The source asked.
        source_name: String,
    },
    /// A beacon node's blob endpoint failed or answered something else than blobs.
    #[error("beacon node {url}: {reason}")]
    Beacon {
        /// The request.
        url: String,
        /// What failed.
        reason: String,
    },
    /// The source returned another number of blobs than the transaction's versioned hashes.
    #[error("transaction {tx} has {expected} blobs, the source returned {got}")]
    WrongBlobCount {
        /// The transaction.
        tx: TxHash,
        /// Versioned hashes in the transaction.
        expected: usize,
        /// Blobs returned.
        got: usize,
    },
    /// Blob `index` of `tx`, as returned by the source, does not commit to the versioned hash
    /// the transaction carries (tampered or wrong data).
    #[error("blob {index} of transaction {tx}: versioned hash {got} of the returned data, {expected} on chain")]
    VersionedHashMismatch {
        /// The transaction.
        tx: TxHash,
        /// The blob index in the transaction.
        index: usize,
        /// The versioned hash recorded in the transaction.
        expected: B256,
        /// The versioned hash of the returned blob.
        got: B256,
    },
}

/// Which sidecar a node's transaction pool takes: EIP-4844 blob proofs before Osaka, EIP-7594
/// cell proofs from Osaka on (mainnet since Fusaka, December 2025; anvil 1.7's default hardfork,
/// though anvil takes either). The default is [`SidecarFormat::Eip7594`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SidecarFormat {
    /// One KZG proof per blob (Cancun, Prague).
    Eip4844,
    /// 128 cell proofs per blob (Osaka and later).
    #[default]
    Eip7594,
}

/// c-kzg's settings for Ethereum's trusted setup (the mainnet KZG ceremony, built into c-kzg;
/// loaded once per process).
pub fn kzg_settings() -> &'static c_kzg::KzgSettings {
    EnvKzgSettings::Default.get()
}

fn ckzg_blob(blob: &Blob) -> Result<Box<c_kzg::Blob>, BlobError> {
    Ok(Box::new(c_kzg::Blob::from_bytes(blob.as_slice())?))
}

/// The KZG commitment of `blob` (fails if a field element is ≥ the BLS12-381 modulus).
pub fn blob_commitment(blob: &Blob) -> Result<Bytes48, BlobError> {
    let c = kzg_settings().blob_to_kzg_commitment(&*ckzg_blob(blob)?)?;
    Ok(Bytes48::from(c.to_bytes().into_inner()))
}

/// The versioned hash of a commitment: `0x01 ‖ sha256(commitment)[1..]` (EIP-4844).
pub fn versioned_hash(commitment: &Bytes48) -> B256 {
    kzg_to_versioned_hash(commitment.as_slice())
}

/// The versioned hash of `blob`.
pub fn blob_versioned_hash(blob: &Blob) -> Result<B256, BlobError> {
    Ok(versioned_hash(&blob_commitment(blob)?))
}

/// What the point-evaluation precompile (and `BlobOpening._openBlob`) checks: the blob behind
/// `versioned_hash` evaluates to `y` at `x`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlobOpening {
    /// `0x01 ‖ sha256(commitment)[1..]`.
    pub versioned_hash: B256,
    /// The evaluation point (a canonical BLS12-381 scalar, big-endian).
    pub x: B256,
    /// The blob polynomial's value at `x` (canonical, big-endian).
    pub y: B256,
    /// The blob's KZG commitment.
    pub commitment: Bytes48,
    /// The KZG proof of `p(x) = y`.
    pub proof: Bytes48,
}

impl BlobOpening {
    /// `x` as a uint256.
    pub fn x_u256(&self) -> U256 {
        U256::from_be_bytes(self.x.0)
    }

    /// `y` as a uint256.
    pub fn y_u256(&self) -> U256 {
        U256::from_be_bytes(self.y.0)
    }

    /// The precompile's 192-byte input: versioned hash ‖ x ‖ y ‖ commitment ‖ proof.
    pub fn precompile_input(&self) -> [u8; 192] {
        let mut out = [0u8; 192];
        out[..32].copy_from_slice(self.versioned_hash.as_slice());
        out[32..64].copy_from_slice(self.x.as_slice());
        out[64..96].copy_from_slice(self.y.as_slice());
        out[96..144].copy_from_slice(self.commitment.as_slice());
        out[144..].copy_from_slice(self.proof.as_slice());
        out
    }
}

/// Opens `blob` at `x` with c-kzg: its commitment, `y = p(x)` and the KZG proof. `x` must be a
/// canonical scalar ([`BlobError::PointNotCanonical`] otherwise).
pub fn open_blob(blob: &Blob, x: B256) -> Result<BlobOpening, BlobError> {
    if U256::from_be_bytes(x.0) >= BLS_MODULUS {
        return Err(BlobError::PointNotCanonical(x));
    }
    let settings = kzg_settings();
    let b = ckzg_blob(blob)?;
    let commitment = settings.blob_to_kzg_commitment(&b)?.to_bytes().into_inner();
    let (proof, y) = settings.compute_kzg_proof(&b, &c_kzg::Bytes32::from(x.0))?;
    let commitment = Bytes48::from(commitment);
    Ok(BlobOpening {
        versioned_hash: versioned_hash(&commitment),
        x,
        y: B256::from(*y),
        commitment,
        proof: Bytes48::from(proof.to_bytes().into_inner()),
    })
}

/// The blob carrying a batch's data (docs/formats.md §4.2, §10) and its opening at the
/// evaluation point the batch's proof fixes: what `commitBatch` needs besides the effects list,
/// the root and the proof.
///
/// Invariant (kept by [`BatchBlob::new`]): `opening` opens `blob` (its commitment, versioned
/// hash, `y = p(x)` and KZG proof are `blob`'s, computed with c-kzg).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchBlob {
    /// The blob (boxed: 128 KiB).
    pub blob: Box<Blob>,
    /// Its opening at `x`.
    pub opening: BlobOpening,
}

impl BatchBlob {
    /// The blob of `data` (31-byte chunks, `zkroll_circuits::blob::encoding::data_to_blob`),
    /// opened at `x`. Errors: the data does not fit one blob ([`BlobError::Data`]), `x` is not
    /// canonical ([`BlobError::PointNotCanonical`]).
    pub fn new(data: &[u8], x: B256) -> Result<Self, BlobError> {
        let bytes = zkroll_circuits::blob::encoding::data_to_blob(data)?;
        let blob = Box::new(Blob::from_slice(&bytes[..]));
        let opening = open_blob(&blob, x)?;
        Ok(Self { blob, opening })
    }

    /// The blob's versioned hash (what `blobhash(0)` returns in the commit transaction).
    pub fn versioned_hash(&self) -> B256 {
        self.opening.versioned_hash
    }
}

/// The data bytes a batch blob carries (`4096 · 31` bytes, trailing zeros included: the blob
/// header says how many records follow), decoded with
/// `zkroll_circuits::blob::encoding::blob_to_data`. A blob whose elements are not of the data
/// encoding's form is [`BlobError::Data`] naming the element.
pub fn batch_data(blob: &Blob) -> Result<Vec<u8>, BlobError> {
    Ok(zkroll_circuits::blob::encoding::blob_to_data(
        blob.as_slice(),
    )?)
}

/// The sidecar of `blobs` in `format`, with commitments and proofs computed by c-kzg
/// (alloy's `BlobTransactionSidecar` / `BlobTransactionSidecarEip7594`).
pub fn build_sidecar(
    blobs: Vec<Blob>,
    format: SidecarFormat,
) -> Result<BlobTransactionSidecarVariant, BlobError> {
    if blobs.is_empty() || blobs.len() > MAX_BLOBS_PER_TX {
        return Err(BlobError::BlobCount(blobs.len()));
    }
    let settings = kzg_settings();
    Ok(match format {
        SidecarFormat::Eip4844 => {
            BlobTransactionSidecar::try_from_blobs_with_settings(blobs, settings)?.into()
        }
        SidecarFormat::Eip7594 => BlobTransactionSidecarVariant::Eip7594(
            BlobTransactionSidecarEip7594::try_from_blobs_with_settings(blobs, settings)?,
        ),
    })
}

/// Gas figures of a mined type-3 transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlobTxReport {
    /// Execution and calldata gas (blob gas is not part of `gas_used`).
    pub tx: TxReport,
    /// The versioned hashes of its blobs, in order (what `blobhash(i)` returns).
    pub versioned_hashes: Vec<B256>,
    /// Blob gas it used: 131 072 per blob.
    pub blob_gas_used: u64,
    /// The blob base fee it paid (wei per blob gas).
    pub blob_gas_price: u128,
}

/// `max_fee_per_blob_gas` for a transaction sent now: twice the node's current blob base fee
/// (`eth_blobBaseFee`; the fee moves by at most about 12 % per block, so this survives a few
/// blocks of full blob usage), at least 1 wei.
pub async fn max_fee_per_blob_gas(provider: &DynProvider) -> Result<u128, L1Error> {
    let base = provider.get_blob_base_fee().await?;
    Ok(base.saturating_mul(2).max(BLOB_TX_MIN_BLOB_GASPRICE))
}

/// Sends the call `input` to `to` as an EIP-4844 type-3 transaction carrying `blobs` (1 to
/// [`MAX_BLOBS_PER_TX`]) in a sidecar of `format`, with `max_fee_per_blob_gas` from
/// [`max_fee_per_blob_gas`]; waits for the receipt. A revert during gas estimation is an
/// [`L1Error`] whose [`L1Error::decode`] names the custom error; a mined revert is
/// [`L1Error::Reverted`].
pub async fn send_blob_tx(
    provider: &DynProvider,
    to: Address,
    input: Bytes,
    blobs: Vec<Blob>,
    format: SidecarFormat,
) -> Result<BlobTxReport, L1Error> {
    let sidecar = build_sidecar(blobs, format)?;
    let versioned_hashes: Vec<B256> = sidecar.versioned_hashes().collect();
    let mut tx = TransactionRequest::default()
        .with_to(to)
        .with_input(input.clone())
        .with_max_fee_per_blob_gas(max_fee_per_blob_gas(provider).await?);
    tx.sidecar = Some(sidecar);
    tx.populate_blob_hashes();
    let receipt = provider
        .send_transaction(tx)
        .await?
        .with_timeout(RECEIPT_TIMEOUT)
        .get_receipt()
        .await?;
    if !receipt.status() {
        return Err(L1Error::Reverted(receipt.transaction_hash));
    }
    Ok(BlobTxReport {
        tx: TxReport {
            tx_hash: receipt.transaction_hash,
            gas_used: receipt.gas_used,
            calldata_gas: calldata_gas(&input),
        },
        versioned_hashes,
        blob_gas_used: receipt.blob_gas_used.unwrap_or_default(),
        blob_gas_price: receipt.blob_gas_price.unwrap_or_default(),
    })
}

/// A mined blob transaction, as a [`BlobSource`] is asked for its blobs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlobTxRef {
    /// The transaction.
    pub tx: TxHash,
    /// Its execution block.
    pub block_number: u64,
    /// That block's timestamp.
    pub block_timestamp: u64,
    /// Its blobs' versioned hashes, in order.
    pub versioned_hashes: Vec<B256>,
}

/// Where a transaction's blobs come from. The chain itself keeps only their versioned hashes:
/// the data is served by the consensus layer for about 18 days (4 096 epochs), then by archives.
/// Whatever a source returns is checked by [`read_blobs`] against the versioned hashes, so a
/// source need not be trusted.
pub trait BlobSource {
    /// The blobs of `tx`, in order, or `None` if the source does not have them.
    fn blobs(
        &self,
        tx: &BlobTxRef,
    ) -> impl Future<Output = Result<Option<Vec<Blob>>, L1Error>> + Send;

    /// The source's name, for errors.
    fn name(&self) -> String;
}

/// anvil's own blob store: `anvil_getBlobsByTransactionHash` (anvil keeps the sidecars of the
/// transactions it mined; a mainnet execution node does not, see docs/l1.md "Reading blobs
/// back").
#[derive(Clone, Debug)]
pub struct AnvilBlobs {
    provider: DynProvider,
}

impl AnvilBlobs {
    /// The blob store of the anvil behind `provider`.
    pub fn new(provider: DynProvider) -> Self {
        Self { provider }
    }
}

impl BlobSource for AnvilBlobs {
    async fn blobs(&self, tx: &BlobTxRef) -> Result<Option<Vec<Blob>>, L1Error> {
        Ok(self
            .provider
            .raw_request("anvil_getBlobsByTransactionHash".into(), (tx.tx,))
            .await?)
    }

    fn name(&self) -> String {
        "anvil_getBlobsByTransactionHash".into()
    }
}

/// How a beacon node's `{block_id}` names the beacon block that holds an execution block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BeaconBlockId {
    /// The execution block number (anvil's beacon endpoints number their blocks so).
    ExecutionBlockNumber,
    /// The slot of the execution block's timestamp, `(timestamp − genesis_time) /
    /// seconds_per_slot` (a real beacon node: mainnet has 12-second slots; `genesis_time` is
    /// in `/eth/v1/beacon/genesis`, see [`BeaconBlobs::genesis_time`]).
    SlotOfTimestamp {
        /// The beacon chain's genesis time (Unix seconds).
        genesis_time: u64,
        /// Seconds per slot.
        seconds_per_slot: u64,
    },
}

impl BeaconBlockId {
    /// The `{block_id}` of the beacon block holding execution block `number` with `timestamp`
    /// (`None` for a timestamp before genesis or a zero slot length).
    pub fn block_id(&self, number: u64, timestamp: u64) -> Option<u64> {
        match *self {
            Self::ExecutionBlockNumber => Some(number),
            Self::SlotOfTimestamp {
                genesis_time,
                seconds_per_slot,
            } => timestamp
                .checked_sub(genesis_time)?
                .checked_div(seconds_per_slot),
        }
    }
}

/// A beacon node's blob endpoint, `GET /eth/v1/beacon/blobs/{block_id}?versioned_hashes=…`
/// (the Fulu-era API; it replaced `/eth/v1/beacon/blob_sidecars/{block_id}`, which anvil 1.7
/// answers with 410 Gone). Nodes serve blobs for about 18 days; an archive exposing the same
/// endpoint serves older ones.
#[derive(Clone, Debug)]
pub struct BeaconBlobs {
    base: String,
    block_id: BeaconBlockId,
    http: alloy::transports::http::reqwest::Client,
}

impl BeaconBlobs {
    /// The beacon API at `base` (e.g. `http://127.0.0.1:5052`), each request timing out after
    /// `timeout`.
    pub fn new(
        base: &str,
        block_id: BeaconBlockId,
        timeout: std::time::Duration,
    ) -> Result<Self, L1Error> {
        let http = alloy::transports::http::reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .map_err(|e| L1Error::Url(format!("{base}: {e}")))?;
        Ok(Self {
            base: base.trim_end_matches('/').to_owned(),
            block_id,
            http,
        })
    }

    async fn get(&self, path: &str) -> Result<Option<serde_json::Value>, BlobError> {
        let url = format!("{}{path}", self.base);
        let bad = |reason: String| BlobError::Beacon {
            url: url.clone(),
            reason,
        };
        let resp = self
            .http
            .get(&url)
            .send()
            .await
            .map_err(|e| bad(e.to_string()))?;
        if resp.status().as_u16() == 404 {
            return Ok(None);
        }
        if !resp.status().is_success() {
            return Err(bad(format!("HTTP {}", resp.status())));
        }
        resp.json().await.map(Some).map_err(|e| bad(e.to_string()))
    }

    /// The beacon chain's genesis time, from `/eth/v1/beacon/genesis`.
    pub async fn genesis_time(&self) -> Result<u64, L1Error> {
        let path = "/eth/v1/beacon/genesis";
        let bad = |reason: &str| BlobError::Beacon {
            url: format!("{}{path}", self.base),
            reason: reason.to_owned(),
        };
        let v = self.get(path).await?.ok_or_else(|| bad("not found"))?;
        Ok(v["data"]["genesis_time"]
            .as_str()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| bad("no data.genesis_time"))?)
    }
}

impl BlobSource for BeaconBlobs {
    async fn blobs(&self, tx: &BlobTxRef) -> Result<Option<Vec<Blob>>, L1Error> {
        let id = self
            .block_id
            .block_id(tx.block_number, tx.block_timestamp)
            .ok_or_else(|| BlobError::Beacon {
                url: self.base.clone(),
                reason: format!(
                    "block {} (timestamp {}) has no slot",
                    tx.block_number, tx.block_timestamp
                ),
            })?;
        let hashes: Vec<String> = tx.versioned_hashes.iter().map(|h| h.to_string()).collect();
        let path = format!(
            "/eth/v1/beacon/blobs/{id}?versioned_hashes={}",
            hashes.join(",")
        );
        let Some(v) = self.get(&path).await? else {
            return Ok(None);
        };
        let bad = |reason: String| BlobError::Beacon {
            url: format!("{}{path}", self.base),
            reason,
        };
        let data = v["data"]
            .as_array()
            .ok_or_else(|| bad("no data array".into()))?;
        let blobs = data
            .iter()
            .enumerate()
            .map(|(i, b)| {
                let bytes = b
                    .as_str()
                    .and_then(|s| hex::decode(s.trim_start_matches("0x")).ok())
                    .ok_or_else(|| bad(format!("data[{i}] is not hex")))?;
                Blob::try_from(bytes.as_slice())
                    .map_err(|_| bad(format!("data[{i}] has {} bytes", bytes.len())))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Some(blobs))
    }

    fn name(&self) -> String {
        format!("beacon node {}", self.base)
    }
}

/// The blobs of transaction `tx` (a mined type-3 transaction, read through `provider`), from
/// `source`, each checked against the versioned hash the transaction carries on chain: the KZG commitment is recomputed
/// with c-kzg and `0x01 ‖ sha256(commitment)[1..]` must equal it. Returns them in order.
///
/// Errors: the transaction is unknown ([`BlobError::TxNotFound`]), not mined
/// ([`BlobError::NotMined`]) or carries no blob ([`BlobError::NotABlobTx`]); the source lacks its blobs ([`BlobError::Unavailable`]),
/// returns another number of them ([`BlobError::WrongBlobCount`]), or a blob whose versioned
/// hash differs ([`BlobError::VersionedHashMismatch`] naming the transaction and the index) or
/// that is not a valid blob ([`BlobError::Kzg`]).
pub async fn read_blobs<S: BlobSource>(
    provider: &DynProvider,
    source: &S,
    tx: TxHash,
) -> Result<Vec<Blob>, L1Error> {
    let t = provider
        .get_transaction_by_hash(tx)
        .await?
        .ok_or(BlobError::TxNotFound { tx })?;
    let expected: Vec<B256> = t.blob_versioned_hashes().unwrap_or_default().to_vec();
    if expected.is_empty() {
        return Err(BlobError::NotABlobTx { tx }.into());
    }
    let block_number = t.block_number.ok_or(BlobError::NotMined { tx })?;
    let block_timestamp = provider
        .get_block_by_number(block_number.into())
        .await?
        .ok_or(BlobError::TxNotFound { tx })?
        .header
        .timestamp;
    let r = BlobTxRef {
        tx,
        block_number,
        block_timestamp,
        versioned_hashes: expected.clone(),
    };
    let blobs = source
        .blobs(&r)
        .await?
        .ok_or_else(|| BlobError::Unavailable {
            tx,
            source_name: source.name(),
        })?;
    check_blobs(tx, &expected, &blobs)?;
    Ok(blobs)
}

/// Checks that `blobs` are, in order, the blobs behind the versioned hashes `expected` of
/// transaction `tx` (see [`read_blobs`]).
pub fn check_blobs(tx: TxHash, expected: &[B256], blobs: &[Blob]) -> Result<(), BlobError> {
    if blobs.len() != expected.len() {
        return Err(BlobError::WrongBlobCount {
            tx,
            expected: expected.len(),
            got: blobs.len(),
        });
    }
    for (index, (blob, &want)) in blobs.iter().zip(expected).enumerate() {
        let got = blob_versioned_hash(blob)?;
        if got != want {
            return Err(BlobError::VersionedHashMismatch {
                tx,
                index,
                expected: want,
                got,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy::eips::eip4844::builder::{SidecarBuilder, SimpleCoder};

    fn blob(data: &[u8]) -> Blob {
        SidecarBuilder::<SimpleCoder>::from_slice(data)
            .take()
            .remove(0)
    }

    #[test]
    fn opening_verifies_with_ckzg_and_rejects_a_wrong_y() {
        let b = blob(b"zkroll blob opening");
        let x = B256::with_last_byte(7);
        let o = open_blob(&b, x).unwrap();
        assert_eq!(o.versioned_hash, blob_versioned_hash(&b).unwrap());
        assert_eq!(o.versioned_hash[0], 0x01);
        let s = kzg_settings();
        let check = |y: B256| {
            s.verify_kzg_proof(
                &c_kzg::Bytes48::from(o.commitment.0),
                &c_kzg::Bytes32::from(x.0),
                &c_kzg::Bytes32::from(y.0),
                &c_kzg::Bytes48::from(o.proof.0),
            )
            .unwrap()
        };
        assert!(check(o.y));
        let mut y = o.y;
        y.0[31] ^= 1;
        assert!(!check(y));
        let input = o.precompile_input();
        assert_eq!(&input[64..96], o.y.as_slice());
        assert_eq!(&input[144..], o.proof.as_slice());
    }

    #[test]
    fn non_canonical_points_and_blobs_are_refused() {
        let b = blob(b"x");
        let p = B256::from(BLS_MODULUS.to_be_bytes::<32>());
        assert!(matches!(
            open_blob(&b, p),
            Err(BlobError::PointNotCanonical(q)) if q == p
        ));
        // A field element ≥ the modulus is not a blob.
        let mut bad = b;
        bad.0[..32].copy_from_slice(p.as_slice());
        assert!(matches!(blob_commitment(&bad), Err(BlobError::Kzg(_))));
    }

    #[test]
    fn batch_blob_encodes_data_in_31_byte_chunks_and_opens_at_x() {
        let data: Vec<u8> = (0..100u8).collect();
        let x = B256::with_last_byte(9);
        let b = BatchBlob::new(&data, x).unwrap();
        // Element i is 0x00 ‖ chunk i (formats.md §10).
        assert_eq!(b.blob[0], 0);
        assert_eq!(&b.blob[1..32], &data[..31]);
        assert_eq!(b.blob[32], 0);
        assert_eq!(&b.blob[33..64], &data[31..62]);
        assert_eq!(b.opening, open_blob(&b.blob, x).unwrap());
        assert_eq!(b.versioned_hash(), blob_versioned_hash(&b.blob).unwrap());
        let back = batch_data(&b.blob).unwrap();
        assert_eq!(back.len(), 4096 * 31);
        assert_eq!(&back[..100], &data[..]);
        assert!(back[100..].iter().all(|&v| v == 0));

        // Too much data for one blob, a non-canonical x, a blob that is not data.
        assert!(matches!(
            BatchBlob::new(&vec![1u8; 4096 * 31 + 1], x),
            Err(BlobError::Data(_))
        ));
        let r = B256::from(BLS_MODULUS.to_be_bytes::<32>());
        assert!(matches!(
            BatchBlob::new(&data, r),
            Err(BlobError::PointNotCanonical(p)) if p == r
        ));
        let mut not_data = *b.blob;
        not_data[32 * 7] = 1;
        let err = batch_data(&not_data).unwrap_err();
        assert!(err.to_string().contains("element 7"), "{err}");
    }

    #[test]
    fn beacon_block_ids() {
        assert_eq!(
            BeaconBlockId::ExecutionBlockNumber.block_id(42, 1_000),
            Some(42)
        );
        let mainnet = BeaconBlockId::SlotOfTimestamp {
            genesis_time: 1_606_824_023,
            seconds_per_slot: 12,
        };
        assert_eq!(mainnet.block_id(0, 1_606_824_023 + 12 * 7 + 11), Some(7));
        assert_eq!(mainnet.block_id(0, 1_606_824_022), None);
        let zero = BeaconBlockId::SlotOfTimestamp {
            genesis_time: 0,
            seconds_per_slot: 0,
        };
        assert_eq!(zero.block_id(0, 5), None);
    }

    #[test]
    fn check_blobs_names_the_transaction_and_the_index() {
        let tx = TxHash::repeat_byte(0xab);
        let (a, b) = (blob(b"first"), blob(b"second"));
        let hashes = [
            blob_versioned_hash(&a).unwrap(),
            blob_versioned_hash(&b).unwrap(),
        ];
        check_blobs(tx, &hashes, &[a, b]).unwrap();
        let mut tampered = b;
        tampered.0[100] ^= 1;
        let err = check_blobs(tx, &hashes, &[a, tampered]).unwrap_err();
        assert!(
            matches!(err, BlobError::VersionedHashMismatch { tx: t, index: 1, expected, .. }
                if t == tx && expected == hashes[1]),
            "{err}"
        );
        assert!(matches!(
            check_blobs(tx, &hashes, &[a]),
            Err(BlobError::WrongBlobCount {
                expected: 2,
                got: 1,
                ..
            })
        ));
        assert!(matches!(
            build_sidecar(vec![], SidecarFormat::Eip4844),
            Err(BlobError::BlobCount(0))
        ));
    }
}
