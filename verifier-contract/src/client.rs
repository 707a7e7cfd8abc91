//! alloy client: spawn anvil, deploy the verifier and the rollup, send deposits, forced-exit
//! requests, batches (type-3 transactions carrying the batch's blob), withdrawals and the exodus
//! calls, read the state and the event/calldata/blob history a `zkroll sync` rebuilds the L2
//! state from, and report the gas each transaction used.
//!
//! Every JSON-RPC request has a timeout ([`RPC_TIMEOUT`]) and every receipt wait one
//! ([`RECEIPT_TIMEOUT`]): a dead or silent node is an error, never a hang.

use crate::bindings::{IGroth16Verifier, IPoseidonGoldilocks, IRollup};
use crate::blob::{
    read_blobs, send_blob_tx, BatchBlob, BlobError, BlobOpening, BlobSource, BlobTxReport,
    SidecarFormat,
};
use crate::toolchain::{Artifact, Toolchain, ToolchainError};
use crate::verifier_gen::{verifier_solidity, GenerateError};
use alloy::eips::eip4844::Blob;
#[cfg(test)]
use alloy::eips::eip4844::Bytes48;
use alloy::network::{EthereumWallet, TransactionBuilder};
use alloy::node_bindings::{Anvil, AnvilInstance, NodeError};
use alloy::primitives::{Address, Bytes, TxHash, B256, U256};
use alloy::providers::{DynProvider, Provider, ProviderBuilder};
use alloy::rpc::types::{TransactionReceipt, TransactionRequest};
use alloy::signers::local::PrivateKeySigner;
use alloy::sol_types::{SolInterface, SolValue};
use ark_bn254::Bn254;
use ark_groth16::VerifyingKey;

/// How long to wait for a transaction to be mined before giving up.
pub const RECEIPT_TIMEOUT: Option<std::time::Duration> = Some(std::time::Duration::from_secs(60));

/// How long one JSON-RPC request may take before it fails (see [`connect_with_timeout`]).
pub const RPC_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// Root of the empty state tree of depth 32 (`E_32`, docs/formats.md §2): every rollup starts
/// here (Rollup.sol's `EMPTY_ROOT`; tests/exodus.rs checks both against plonky2).
pub const EMPTY_ROOT: [u8; 32] = [
    0xe4, 0x79, 0xb9, 0xbb, 0x36, 0xc3, 0xfc, 0x43, 0xb1, 0xe4, 0xda, 0xc9, 0x3c, 0x0c, 0xde, 0x8e,
    0x29, 0x33, 0x2a, 0x71, 0x43, 0x27, 0xba, 0x72, 0xd6, 0x5a, 0xf5, 0x93, 0x3a, 0x09, 0x4e, 0x83,
];

/// Intrinsic gas of every transaction.
pub const TX_BASE_GAS: u64 = 21_000;

/// Why an L1 operation failed.
#[derive(Debug, thiserror::Error)]
pub enum L1Error {
    /// The toolchain is missing or a compilation failed.
    #[error(transparent)]
    Toolchain(#[from] ToolchainError),
    /// The verifying key does not fit the verifier template.
    #[error(transparent)]
    Generate(#[from] GenerateError),
    /// anvil could not be started.
    #[error("anvil: {0}")]
    Anvil(#[from] NodeError),
    /// A call or transaction was rejected (a revert shows up here, decoded by [`L1Error::decode`];
    /// the message names the custom error when it is one of the rollup's or the verifier's).
    #[error("contract call failed: {}", describe_contract_error(.0))]
    Contract(#[from] alloy::contract::Error),
    /// Sending a transaction or waiting for its receipt failed.
    #[error("transaction failed: {0}")]
    Pending(#[from] alloy::providers::PendingTransactionError),
    /// A JSON-RPC request failed (a revert during gas estimation is named, as for `Contract`).
    #[error("rpc: {}", describe_rpc_error(.0))]
    Rpc(#[from] alloy::transports::TransportError),
    /// The node URL is malformed.
    #[error("bad node url {0}")]
    Url(String),
    /// A transaction was mined but reverted.
    #[error("transaction {0} reverted")]
    Reverted(TxHash),
    /// The node at `url` does not answer (down, wrong URL, or silent past [`RPC_TIMEOUT`]).
    #[error("L1 node {url} unreachable: {reason}")]
    Unreachable {
        /// The node URL.
        url: String,
        /// What failed.
        reason: String,
    },
    /// An event of the rollup does not carry what Rollup.sol emits (or the history has gaps).
    #[error("malformed rollup event: {0}")]
    BadEvent(String),
    /// A `BatchCommitted` event's transaction is not a direct `commitBatch` call matching it
    /// (e.g. a batch committed through another contract: its calldata is not in the transaction).
    #[error("batch {batch} (tx {tx}): {reason}")]
    BadCalldata {
        /// The batch number.
        batch: u64,
        /// Its transaction.
        tx: TxHash,
        /// What does not match.
        reason: String,
    },
    /// A blob could not be built, or a transaction's blobs could not be read back or do not
    /// match their versioned hashes.
    #[error(transparent)]
    Blob(#[from] crate::blob::BlobError),
    /// A deployment receipt has no contract address.
    #[error("deployment transaction {0} created no contract")]
    NoContract(TxHash),
}

impl L1Error {
    /// The revert data of a rejected call or transaction, if this error is a revert (a
    /// contract call's, or a deployment's seen during gas estimation).
    pub fn revert_data(&self) -> Option<Bytes> {
        match self {
            Self::Contract(e) => e.as_revert_data(),
            Self::Rpc(e) => e.as_error_resp().and_then(|r| r.as_revert_data()),
            _ => None,
        }
    }

    /// The revert decoded as one of the custom errors of `E` (e.g.
    /// `IRollup::IRollupErrors` or `IGroth16Verifier::IGroth16VerifierErrors`).
    pub fn decode<E: SolInterface>(&self) -> Option<E> {
        self.revert_data().and_then(|d| E::abi_decode(&d).ok())
    }
}

/// Revert data as text when it is one of Rollup.sol's, the verifier's or the hasher's custom
/// errors (e.g. `Rollup reverted: ExitAlreadyDone(..)`).
fn describe_revert(data: &[u8]) -> Option<String> {
    if let Ok(r) = IRollup::IRollupErrors::abi_decode(data) {
        return Some(format!("Rollup reverted: {r:?}"));
    }
    if let Ok(v) = IGroth16Verifier::IGroth16VerifierErrors::abi_decode(data) {
        return Some(format!("Verifier reverted: {v:?}"));
    }
    if let Ok(h) = IPoseidonGoldilocks::IPoseidonGoldilocksErrors::abi_decode(data) {
        return Some(format!("PoseidonGoldilocks reverted: {h:?}"));
    }
    None
}

/// A contract error as text: a revert with one of the contracts' custom errors is named with
/// its arguments, anything else is alloy's message.
fn describe_contract_error(e: &alloy::contract::Error) -> String {
    e.as_revert_data()
        .and_then(|d| describe_revert(&d))
        .unwrap_or_else(|| e.to_string())
}

/// A JSON-RPC error as text, naming the revert when it is one of the contracts' errors.
fn describe_rpc_error(e: &alloy::transports::TransportError) -> String {
    e.as_error_resp()
        .and_then(|r| r.as_revert_data())
        .and_then(|d| describe_revert(&d))
        .unwrap_or_else(|| e.to_string())
}

/// Gas figures of one mined transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TxReport {
    /// The transaction.
    pub tx_hash: TxHash,
    /// `gasUsed` of its receipt (intrinsic + calldata + execution).
    pub gas_used: u64,
    /// Calldata gas by EIP-2028: 4 per zero byte, 16 per non-zero byte of the input.
    pub calldata_gas: u64,
}

impl TxReport {
    /// `gas_used − 21000 − calldata_gas`: what the contract's execution cost (EIP-7623's
    /// calldata floor does not bind for these transactions; see gas.md).
    pub fn execution_gas(&self) -> u64 {
        self.gas_used
            .saturating_sub(TX_BASE_GAS)
            .saturating_sub(self.calldata_gas)
    }
}

/// EIP-2028 calldata gas of `input`.
pub fn calldata_gas(input: &[u8]) -> u64 {
    input.iter().map(|&b| if b == 0 { 4 } else { 16 }).sum()
}

/// Starts the toolchain's anvil on 127.0.0.1 at a free port (chosen by anvil). The node is
/// killed when the returned instance is dropped, including when a test panics.
pub fn spawn_anvil(toolchain: &Toolchain) -> Result<AnvilInstance, L1Error> {
    spawn_anvil_with_args(toolchain, &[])
}

/// [`spawn_anvil`] with extra command-line arguments (e.g. `["--hardfork", "prague"]`).
pub fn spawn_anvil_with_args(
    toolchain: &Toolchain,
    args: &[&str],
) -> Result<AnvilInstance, L1Error> {
    Ok(Anvil::new()
        .path(toolchain.anvil_path())
        .host("127.0.0.1")
        .port(0u16)
        .args(args.iter().copied())
        .try_spawn()?)
}

/// A provider signing with `signer`, talking to `url`; every request times out after
/// [`RPC_TIMEOUT`]. Nothing is sent yet: see [`connect_checked`] to fail early on a dead node.
pub fn connect(url: &str, signer: PrivateKeySigner) -> Result<DynProvider, L1Error> {
    connect_with_timeout(url, signer, RPC_TIMEOUT)
}

/// [`connect`] with a given per-request timeout.
pub fn connect_with_timeout(
    url: &str,
    signer: PrivateKeySigner,
    timeout: std::time::Duration,
) -> Result<DynProvider, L1Error> {
    use alloy::transports::http::reqwest;
    let parsed = reqwest::Url::parse(url).map_err(|e| L1Error::Url(format!("{url}: {e}")))?;
    let http = reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .build()
        .map_err(|e| L1Error::Url(format!("{url}: {e}")))?;
    let client = alloy::rpc::client::RpcClient::new_http_with_client(http, parsed);
    // The nonce is fetched from the node for every transaction: alloy's default cached nonce
    // manager keeps counting after a transaction fails gas estimation (a revert), and the next
    // one would then wait forever behind a nonce gap.
    Ok(ProviderBuilder::new()
        .disable_recommended_fillers()
        .with_gas_estimation()
        .with_simple_nonce_management()
        .fetch_chain_id()
        .wallet(EthereumWallet::from(signer))
        .connect_client(client)
        .erased())
}

/// [`connect_with_timeout`], then one `eth_chainId` request: a node that is down, refuses the
/// connection or stays silent past `timeout` is [`L1Error::Unreachable`] naming `url`.
pub async fn connect_checked(
    url: &str,
    signer: PrivateKeySigner,
    timeout: std::time::Duration,
) -> Result<DynProvider, L1Error> {
    let provider = connect_with_timeout(url, signer, timeout)?;
    provider
        .get_chain_id()
        .await
        .map_err(|e| L1Error::Unreachable {
            url: url.to_owned(),
            reason: e.to_string(),
        })?;
    Ok(provider)
}

/// A provider on `anvil` signing with its funded dev account number `index`.
pub fn anvil_provider(anvil: &AnvilInstance, index: usize) -> Result<DynProvider, L1Error> {
    let key = anvil.keys()[index].clone();
    connect(&anvil.endpoint(), PrivateKeySigner::from(key))
}

async fn report(
    receipt: TransactionReceipt,
    input: &[u8],
) -> Result<(TransactionReceipt, TxReport), L1Error> {
    if !receipt.status() {
        return Err(L1Error::Reverted(receipt.transaction_hash));
    }
    let r = TxReport {
        tx_hash: receipt.transaction_hash,
        gas_used: receipt.gas_used,
        calldata_gas: calldata_gas(input),
    };
    Ok((receipt, r))
}

/// Deploys `artifact` with ABI-encoded constructor `args`; returns its address.
pub async fn deploy(
    provider: &DynProvider,
    artifact: &Artifact,
    args: &[u8],
) -> Result<(Address, TxReport), L1Error> {
    let mut code = artifact.bytecode.to_vec();
    code.extend_from_slice(args);
    let tx = TransactionRequest::default().with_deploy_code(code.clone());
    let receipt = provider
        .send_transaction(tx)
        .await?
        .with_timeout(RECEIPT_TIMEOUT)
        .get_receipt()
        .await?;
    let (receipt, r) = report(receipt, &code).await?;
    let address = receipt
        .contract_address
        .ok_or(L1Error::NoContract(r.tx_hash))?;
    Ok((address, r))
}

/// Generates, compiles and deploys the Groth16 verifier of `vk`.
pub async fn deploy_verifier(
    provider: &DynProvider,
    toolchain: &Toolchain,
    vk: &VerifyingKey<Bn254>,
) -> Result<(Address, TxReport), L1Error> {
    let artifact = toolchain.compile_verifier(&verifier_solidity(vk)?)?;
    deploy(provider, &artifact, &[]).await
}

/// Constructor parameters of Rollup.sol besides the verifier (docs/l1.md "Who commits").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RollupParams {
    /// The designated operator (may always commit).
    pub operator: Address,
    /// Blocks a priority operation may wait before exodus can be activated.
    pub priority_deadline: u64,
    /// Blocks after which the oldest waiting priority operation lets anyone commit.
    pub operator_window: u64,
    /// Blocks without a batch after which anyone may commit.
    pub silence_window: u64,
}

impl RollupParams {
    /// Default priority deadline: 21 600 blocks (3 days of 12 s blocks).
    pub const DEFAULT_PRIORITY_DEADLINE: u64 = 21_600;
    /// Default operator window: half the deadline, 10 800 blocks.
    pub const DEFAULT_OPERATOR_WINDOW: u64 = 10_800;
    /// Default silence window: 7 200 blocks (1 day).
    pub const DEFAULT_SILENCE_WINDOW: u64 = 7_200;

    /// The defaults, with `operator` as the designated operator.
    pub fn new(operator: Address) -> Self {
        Self {
            operator,
            priority_deadline: Self::DEFAULT_PRIORITY_DEADLINE,
            operator_window: Self::DEFAULT_OPERATOR_WINDOW,
            silence_window: Self::DEFAULT_SILENCE_WINDOW,
        }
    }
}

/// Deploys Rollup.sol (which deploys its Poseidon hasher) at the empty-tree root
/// [`EMPTY_ROOT`], verified by the contract at `verifier`.
pub async fn deploy_rollup(
    provider: &DynProvider,
    toolchain: &Toolchain,
    verifier: Address,
    params: &RollupParams,
) -> Result<(RollupClient, TxReport), L1Error> {
    let artifact = toolchain.rollup_artifact()?;
    let args = (
        verifier,
        params.operator,
        U256::from(params.priority_deadline),
        U256::from(params.operator_window),
        U256::from(params.silence_window),
    )
        .abi_encode_params();
    let (address, r) = deploy(provider, &artifact, &args).await?;
    Ok((RollupClient::new(provider.clone(), address), r))
}

/// Sends `verifyProof(proof, input)` to the verifier at `verifier` as a transaction (it is a
/// view function; this is how its gas is measured). A rejected proof is an error.
pub async fn verify_proof_tx(
    provider: &DynProvider,
    verifier: Address,
    proof: [U256; 8],
    input: U256,
) -> Result<TxReport, L1Error> {
    let c = IGroth16Verifier::new(verifier, provider);
    let call = c.verifyProof(proof, input);
    let input_bytes = call.calldata().clone();
    let receipt = call
        .send()
        .await?
        .with_timeout(RECEIPT_TIMEOUT)
        .get_receipt()
        .await?;
    Ok(report(receipt, &input_bytes).await?.1)
}

/// Calls `verifyProof(proof, input)` on the verifier at `verifier` (no transaction).
pub async fn verify_proof_call(
    provider: &DynProvider,
    verifier: Address,
    proof: [U256; 8],
    input: U256,
) -> Result<(), L1Error> {
    IGroth16Verifier::new(verifier, provider)
        .verifyProof(proof, input)
        .call()
        .await?;
    Ok(())
}

/// A deposit queued on L1, read from its `DepositQueued` event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueuedDeposit {
    /// Position in the priority queue (0-based, shared with forced exits).
    pub index: u64,
    /// The L1 sender (refunded in exodus mode if the deposit was never processed).
    pub sender: Address,
    /// The L1 owner of the account (the sender unless `deposit` named another).
    pub owner: Address,
    /// The key hash (4 canonical limbs: Rollup.sol checks them).
    pub pkhash: [u8; 32],
    /// The amount in gwei (below 2^56).
    pub amount_gwei: u64,
    /// The L1 block by which a batch must process it.
    pub deadline: u64,
}

impl QueuedDeposit {
    /// The Deposit effect (formats.md §4.3) that processes this deposit into `account`.
    pub fn effect(&self, account: u32) -> [u8; 64] {
        let mut s = [0u8; 64];
        s[0] = 1;
        s[1..5].copy_from_slice(&account.to_be_bytes());
        s[5..37].copy_from_slice(&self.pkhash);
        s[37..44].copy_from_slice(&self.amount_gwei.to_be_bytes()[1..]);
        s[44..64].copy_from_slice(self.owner.as_slice());
        s
    }
}

/// A forced exit queued on L1, read from its `FullExitRequested` event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueuedFullExit {
    /// Position in the priority queue (0-based, shared with deposits).
    pub index: u64,
    /// The L1 address that asked (paid if it owns the account).
    pub requester: Address,
    /// The L2 account.
    pub account: u32,
    /// The L1 block by which a batch must process it.
    pub deadline: u64,
}

impl QueuedFullExit {
    /// The FullExit effect (formats.md §4.3) with the circuit's result `amount` (the
    /// account's balance when `requester` owns it, 0 for a no-op).
    pub fn effect(&self, amount: u64) -> [u8; 64] {
        let mut s = [0u8; 64];
        s[0] = 4;
        s[1..5].copy_from_slice(&self.account.to_be_bytes());
        s[5..25].copy_from_slice(self.requester.as_slice());
        s[25..33].copy_from_slice(&amount.to_be_bytes());
        s
    }
}

/// One L1 priority operation, in queue order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PriorityOp {
    /// `deposit(pkhash, owner)`.
    Deposit(QueuedDeposit),
    /// `requestFullExit(account)`.
    FullExit(QueuedFullExit),
}

impl PriorityOp {
    /// Its position in the queue.
    pub fn index(&self) -> u64 {
        match self {
            Self::Deposit(d) => d.index,
            Self::FullExit(f) => f.index,
        }
    }

    /// The L1 block by which a batch must process it.
    pub fn deadline(&self) -> u64 {
        match self {
            Self::Deposit(d) => d.deadline,
            Self::FullExit(f) => f.deadline,
        }
    }
}

/// What Rollup.sol stores of priority operation `n` (its `priorityOp(n)` view).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PriorityOpInfo {
    /// The sender of a deposit (zero once refunded) or the requester of a forced exit.
    pub sender: Address,
    /// The deposit amount in gwei (0 for a forced exit or a refunded deposit).
    pub amount_gwei: u64,
    /// Its deadline block.
    pub deadline: u64,
}

/// A committed batch: its `BatchCommitted` event and the `commitBatch` calldata of its
/// transaction. Its data is in the blob with `versioned_hash` (blob 0 of `tx_hash`): see
/// [`RollupClient::batch_blob_data`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommittedBatch {
    /// Batch number (1-based).
    pub batch_number: u64,
    /// Root before the batch.
    pub old_root: [u8; 32],
    /// Root after the batch (equal to the calldata's `newRoot`).
    pub new_root: [u8; 32],
    /// Number of priority operations it consumed.
    pub priority_ops: u64,
    /// The public-input digest it was proven for.
    pub digest: U256,
    /// The batch's L1-effects list (64-byte effects, formats.md §4.3), from the calldata.
    pub effects: Vec<u8>,
    /// The versioned hash of the blob carrying the batch's data (from the event; equal to the
    /// transaction's first blob versioned hash).
    pub versioned_hash: B256,
    /// The evaluation point the blob was opened at (from the calldata).
    pub x: B256,
    /// The blob polynomial's value at `x` (from the calldata).
    pub y: B256,
    /// The transaction.
    pub tx_hash: TxHash,
    /// Its block.
    pub block_number: u64,
}

/// The leaf fields of an account in the last committed state (formats.md §2), as
/// `exodusExit` takes them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExitLeaf {
    /// The account index.
    pub account: u32,
    /// Its key hash (4 canonical limbs).
    pub pkhash: [u8; 32],
    /// Its balance in gwei.
    pub balance: u64,
    /// Its nonce.
    pub nonce: u32,
    /// Its L1 owner (who is paid).
    pub owner: Address,
}

/// What a sync reads from a `commitBatch` transaction's calldata besides the new root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommitCalldata {
    /// The L1-effects list.
    pub effects: Vec<u8>,
    /// The evaluation point.
    pub x: B256,
    /// The blob's value at `x`.
    pub y: B256,
}

/// The effects list, `x` and `y` of a committed batch, from the `input` of the transaction that
/// emitted its `BatchCommitted` event `ev` on the rollup at `rollup` of chain `chain_id`:
/// `input` must be `commitBatch` calldata with the event's new root, and its effects, `x` and
/// `y` must hash, with the event's roots and versioned hash, to the event's digest (the digest
/// the proof was checked against binds them, so these are the bytes the batch was proven for).
/// The error says which check failed. Pure: [`RollupClient::committed_batches`] calls it on
/// what the node returns.
pub fn commit_calldata(
    ev: &IRollup::BatchCommitted,
    input: &[u8],
    chain_id: u64,
    rollup: Address,
) -> Result<CommitCalldata, String> {
    use alloy::sol_types::SolCall;
    let call = IRollup::commitBatchCall::abi_decode(input)
        .map_err(|e| format!("not commitBatch calldata: {e}"))?;
    if call.newRoot != ev.newRoot {
        return Err("calldata newRoot differs from the event".into());
    }
    let (x, y) = (B256::from(call.x), B256::from(call.y));
    let digest = crate::digest::public_input_digest(
        chain_id,
        rollup,
        &ev.oldRoot.0,
        &ev.newRoot.0,
        &call.effects,
        &ev.versionedHash.0,
        &x.0,
        &y.0,
    );
    if digest != ev.digest {
        return Err("calldata does not hash to the event's digest".into());
    }
    Ok(CommitCalldata {
        effects: call.effects.to_vec(),
        x,
        y,
    })
}

/// The ABI-encoded `commitBatch(newRoot, effects, x, y, blobCommitment, blobProof, proof)` call
/// for a batch whose blob opens as `opening` (what [`RollupClient::commit_batch`] sends).
pub fn commit_batch_calldata(
    new_root: [u8; 32],
    effects: &[u8],
    opening: &BlobOpening,
    proof: [U256; 8],
) -> Bytes {
    use alloy::sol_types::SolCall;
    IRollup::commitBatchCall {
        newRoot: new_root.into(),
        effects: Bytes::copy_from_slice(effects),
        x: opening.x_u256(),
        y: opening.y_u256(),
        blobCommitment: Bytes::copy_from_slice(opening.commitment.as_slice()),
        blobProof: Bytes::copy_from_slice(opening.proof.as_slice()),
        proof,
    }
    .abi_encode()
    .into()
}

/// A deployed Rollup contract and the provider (signer) that talks to it.
#[derive(Clone, Debug)]
pub struct RollupClient {
    provider: DynProvider,
    address: Address,
    sidecar_format: SidecarFormat,
}

/// Sends a prepared contract call, waits for its receipt and reports its gas.
macro_rules! send_call {
    ($call:expr) => {{
        let call = $call;
        let input = call.calldata().clone();
        let receipt = call
            .send()
            .await?
            .with_timeout(RECEIPT_TIMEOUT)
            .get_receipt()
            .await?;
        Ok(report(receipt, &input).await?.1)
    }};
}

fn u64_of(v: U256, what: &str) -> Result<u64, L1Error> {
    u64::try_from(v).map_err(|_| L1Error::BadEvent(format!("{what} {v} does not fit u64")))
}

impl RollupClient {
    /// The rollup at `address`, used through `provider`; batch blobs go in sidecars of the
    /// default format ([`SidecarFormat::Eip7594`], Osaka and later).
    pub fn new(provider: DynProvider, address: Address) -> Self {
        Self {
            provider,
            address,
            sidecar_format: SidecarFormat::default(),
        }
    }

    /// The same rollup used through another provider (another sender).
    pub fn with_provider(&self, provider: DynProvider) -> Self {
        Self {
            provider,
            ..self.clone()
        }
    }

    /// The same rollup, sending batch blobs in sidecars of `format` (a pre-Osaka node takes
    /// only [`SidecarFormat::Eip4844`]).
    pub fn with_sidecar_format(&self, format: SidecarFormat) -> Self {
        Self {
            sidecar_format: format,
            ..self.clone()
        }
    }

    /// The contract address.
    pub fn address(&self) -> Address {
        self.address
    }

    /// The provider.
    pub fn provider(&self) -> &DynProvider {
        &self.provider
    }

    fn contract(&self) -> IRollup::IRollupInstance<&DynProvider> {
        IRollup::new(self.address, &self.provider)
    }

    /// Queues a deposit of `amount_wei` (a positive multiple of 1 gwei, below 2^56 gwei) to the
    /// account `(pkhash, owner)`; `owner = None` makes the sender the owner.
    pub async fn deposit(
        &self,
        pkhash: [u8; 32],
        owner: Option<Address>,
        amount_wei: U256,
    ) -> Result<TxReport, L1Error> {
        let c = self.contract();
        send_call!(c
            .deposit(B256::from(pkhash), owner.unwrap_or(Address::ZERO))
            .value(amount_wei))
    }

    /// Queues a forced exit of `account` by the sender.
    pub async fn request_full_exit(&self, account: u32) -> Result<TxReport, L1Error> {
        let c = self.contract();
        send_call!(c.requestFullExit(account))
    }

    /// Commits a batch: `commitBatch(new_root, effects, x, y, commitment, kzg proof, proof)` in
    /// a type-3 transaction carrying `blob` (`proof` as [`crate::proof_words`] lays it out; it
    /// must prove the digest [`RollupClient::digest_for`] gives). The report has execution,
    /// calldata and blob gas apart.
    pub async fn commit_batch(
        &self,
        new_root: [u8; 32],
        effects: &[u8],
        blob: &BatchBlob,
        proof: [U256; 8],
    ) -> Result<BlobTxReport, L1Error> {
        self.commit_batch_with(new_root, effects, &blob.opening, vec![*blob.blob], proof)
            .await
    }

    /// [`RollupClient::commit_batch`] with the calldata's opening and the transaction's blobs
    /// given apart (tests use it to send a blob other than the opened one, or none: with no
    /// blob it is sent as an ordinary transaction, which `commitBatch` refuses with `NoBlob`).
    pub async fn commit_batch_with(
        &self,
        new_root: [u8; 32],
        effects: &[u8],
        opening: &BlobOpening,
        blobs: Vec<Blob>,
        proof: [U256; 8],
    ) -> Result<BlobTxReport, L1Error> {
        let input = commit_batch_calldata(new_root, effects, opening, proof);
        if !blobs.is_empty() {
            return send_blob_tx(
                &self.provider,
                self.address,
                input,
                blobs,
                self.sidecar_format,
            )
            .await;
        }
        let tx = TransactionRequest::default()
            .with_to(self.address)
            .with_input(input.clone());
        let receipt = self
            .provider
            .send_transaction(tx)
            .await?
            .with_timeout(RECEIPT_TIMEOUT)
            .get_receipt()
            .await?;
        let (_, tx) = report(receipt, &input).await?;
        Ok(BlobTxReport {
            tx,
            versioned_hashes: Vec::new(),
            blob_gas_used: 0,
            blob_gas_price: 0,
        })
    }

    /// Withdraws everything credited to the sender.
    pub async fn withdraw(&self) -> Result<TxReport, L1Error> {
        let c = self.contract();
        send_call!(c.withdraw())
    }

    /// Activates exodus mode (allowed once the oldest unprocessed priority operation is past
    /// its deadline).
    pub async fn activate_exodus(&self) -> Result<TxReport, L1Error> {
        let c = self.contract();
        send_call!(c.activateExodus())
    }

    /// In exodus mode, pays `leaf.balance` gwei to `leaf.owner` against the account's path:
    /// `siblings[k]` is the sibling at level `k` (0 = just above the leaves, formats.md §2).
    pub async fn exodus_exit(
        &self,
        leaf: &ExitLeaf,
        siblings: &[[u8; 32]; 32],
    ) -> Result<TxReport, L1Error> {
        let c = self.contract();
        let sibs: [B256; 32] = siblings.map(B256::from);
        send_call!(c.exodusExit(
            leaf.account,
            B256::from(leaf.pkhash),
            leaf.balance,
            leaf.nonce,
            leaf.owner,
            sibs
        ))
    }

    /// In exodus mode, refunds unprocessed deposit `index` to its sender.
    pub async fn refund_deposit(&self, index: u64) -> Result<TxReport, L1Error> {
        let c = self.contract();
        send_call!(c.refundDeposit(U256::from(index)))
    }

    /// The current state root (the last committed batch's new root).
    pub async fn state_root(&self) -> Result<[u8; 32], L1Error> {
        Ok(self.contract().stateRoot().call().await?.0)
    }

    /// The number of committed batches.
    pub async fn batch_number(&self) -> Result<u64, L1Error> {
        Ok(self.contract().batchNumber().call().await?)
    }

    /// (priority operations queued, priority operations processed by committed batches).
    pub async fn priority_counters(&self) -> Result<(u64, u64), L1Error> {
        let c = self.contract();
        Ok((
            c.priorityCount().call().await?,
            c.priorityProcessed().call().await?,
        ))
    }

    /// Whether exodus mode is active.
    pub async fn exodus_active(&self) -> Result<bool, L1Error> {
        Ok(self.contract().exodus().call().await?)
    }

    /// Whether `account`'s exodus exit is done.
    pub async fn exit_done(&self, account: u32) -> Result<bool, L1Error> {
        Ok(self.contract().exitDone(account).call().await?)
    }

    /// What the contract stores of priority operation `n`.
    pub async fn priority_op(&self, n: u64) -> Result<PriorityOpInfo, L1Error> {
        let r = self.contract().priorityOp(U256::from(n)).call().await?;
        Ok(PriorityOpInfo {
            sender: r.sender,
            amount_gwei: r.amountGwei,
            deadline: r.deadline,
        })
    }

    /// The deployed parameters (operator and windows).
    pub async fn params(&self) -> Result<RollupParams, L1Error> {
        let c = self.contract();
        Ok(RollupParams {
            operator: c.operator().call().await?,
            priority_deadline: u64_of(c.priorityDeadline().call().await?, "priorityDeadline")?,
            operator_window: u64_of(c.operatorWindow().call().await?, "operatorWindow")?,
            silence_window: u64_of(c.silenceWindow().call().await?, "silenceWindow")?,
        })
    }

    /// The block of the last committed batch (of the deployment before the first).
    pub async fn last_commit_block(&self) -> Result<u64, L1Error> {
        Ok(self.contract().lastCommitBlock().call().await?.to::<u64>())
    }

    /// Wei `account` may withdraw.
    pub async fn claimable(&self, account: Address) -> Result<U256, L1Error> {
        Ok(self.contract().claimable(account).call().await?)
    }

    /// Every priority operation queued so far, in queue order (from the contract's
    /// `DepositQueued` and `FullExitRequested` events, scanned from block 0). Fails with
    /// [`L1Error::BadEvent`] if the indices are not exactly 0, 1, 2, ...
    pub async fn priority_ops(&self) -> Result<Vec<PriorityOp>, L1Error> {
        let c = self.contract();
        let deposits = c.DepositQueued_filter().from_block(0).query().await?;
        let exits = c.FullExitRequested_filter().from_block(0).query().await?;
        let mut out = Vec::with_capacity(deposits.len() + exits.len());
        for (ev, _) in deposits {
            out.push(PriorityOp::Deposit(QueuedDeposit {
                index: u64_of(ev.index, "deposit index")?,
                sender: ev.sender,
                owner: ev.owner,
                pkhash: ev.pkhash.0,
                amount_gwei: ev.amount,
                deadline: ev.deadline,
            }));
        }
        for (ev, _) in exits {
            out.push(PriorityOp::FullExit(QueuedFullExit {
                index: u64_of(ev.index, "full exit index")?,
                requester: ev.requester,
                account: ev.account,
                deadline: ev.deadline,
            }));
        }
        out.sort_by_key(PriorityOp::index);
        if out.iter().enumerate().any(|(i, op)| op.index() != i as u64) {
            return Err(L1Error::BadEvent(
                "priority operation indices are not 0, 1, 2, ...".into(),
            ));
        }
        Ok(out)
    }

    /// The priority operations not yet consumed by a committed batch, in the order the next
    /// batch's Deposit and FullExit effects must follow.
    pub async fn pending_priority_ops(&self) -> Result<Vec<PriorityOp>, L1Error> {
        let (_, processed) = self.priority_counters().await?;
        let all = self.priority_ops().await?;
        Ok(all.into_iter().skip(processed as usize).collect())
    }

    /// Every batch committed in blocks `from_block..`, in order, with its effects list, `x` and
    /// `y` read from the `commitBatch` calldata of its transaction (checked against the event:
    /// same new root, the event's versioned hash is the transaction's first blob, and the
    /// calldata hashes to the event's digest with the event's roots and versioned hash).
    /// A batch committed through another contract (not a direct call) is
    /// [`L1Error::BadCalldata`]: its calldata is not in the transaction. `from_block` past the
    /// head gives an empty list.
    pub async fn committed_batches(&self, from_block: u64) -> Result<Vec<CommittedBatch>, L1Error> {
        // A resumed sync may start past the head (nothing new yet): nodes refuse such a range.
        let head = self.provider.get_block_number().await?;
        if from_block > head {
            return Ok(Vec::new());
        }
        let logs = self
            .contract()
            .BatchCommitted_filter()
            .from_block(from_block)
            .to_block(head)
            .query()
            .await?;
        let chain_id = self.provider.get_chain_id().await?;
        let mut out = Vec::with_capacity(logs.len());
        for (ev, log) in logs {
            let batch_number = u64_of(ev.batchNumber, "batch number")?;
            let tx_hash = log
                .transaction_hash
                .ok_or_else(|| L1Error::BadEvent(format!("batch {batch_number}: no tx hash")))?;
            let bad = |reason: String| L1Error::BadCalldata {
                batch: batch_number,
                tx: tx_hash,
                reason,
            };
            let tx = self
                .provider
                .get_transaction_by_hash(tx_hash)
                .await?
                .ok_or_else(|| bad("transaction not found".into()))?;
            use alloy::consensus::Transaction as _;
            if tx.to() != Some(self.address) {
                return Err(bad("not a direct call to the rollup".into()));
            }
            if tx.blob_versioned_hashes().and_then(|h| h.first()) != Some(&ev.versionedHash) {
                return Err(bad(
                    "the event's versioned hash is not the transaction's first blob".into(),
                ));
            }
            let calldata = commit_calldata(&ev, tx.input(), chain_id, self.address).map_err(bad)?;
            out.push(CommittedBatch {
                batch_number,
                old_root: ev.oldRoot.0,
                new_root: ev.newRoot.0,
                priority_ops: u64_of(ev.priorityOps, "priority op count")?,
                digest: ev.digest,
                effects: calldata.effects,
                versioned_hash: ev.versionedHash,
                x: calldata.x,
                y: calldata.y,
                tx_hash,
                block_number: log
                    .block_number
                    .ok_or_else(|| bad("log without block number".into()))?,
            });
        }
        out.sort_by_key(|b| b.batch_number);
        Ok(out)
    }

    /// The digest a proof for a batch `(effects, new_root)` whose blob opens as `opening` must
    /// prove on top of the current state (docs/formats.md §5), from the node's chain id and the
    /// stored root.
    pub async fn digest_for(
        &self,
        effects: &[u8],
        new_root: &[u8; 32],
        opening: &BlobOpening,
    ) -> Result<U256, L1Error> {
        let chain_id = self.provider.get_chain_id().await?;
        let old_root = self.state_root().await?;
        Ok(crate::digest::public_input_digest(
            chain_id,
            self.address,
            &old_root,
            new_root,
            effects,
            &opening.versioned_hash.0,
            &opening.x.0,
            &opening.y.0,
        ))
    }

    /// The data bytes of committed `batch`'s blob (blob 0 of its transaction), fetched from
    /// `source`, checked against the versioned hash the transaction carries and the one the
    /// batch's event names ([`crate::blob::read_blobs`]), and decoded
    /// ([`crate::blob::batch_data`]: `4096 · 31` bytes, trailing zeros included).
    pub async fn batch_blob_data<S: BlobSource>(
        &self,
        batch: &CommittedBatch,
        source: &S,
    ) -> Result<Vec<u8>, L1Error> {
        let blobs = read_blobs(&self.provider, source, batch.tx_hash).await?;
        let got = crate::blob::blob_versioned_hash(&blobs[0])?;
        if got != batch.versioned_hash {
            return Err(BlobError::VersionedHashMismatch {
                tx: batch.tx_hash,
                index: 0,
                expected: batch.versioned_hash,
                got,
            }
            .into());
        }
        Ok(crate::blob::batch_data(&blobs[0])?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy::sol_types::SolCall;

    fn opening() -> BlobOpening {
        BlobOpening {
            versioned_hash: B256::repeat_byte(0x01),
            x: B256::repeat_byte(0x2a),
            y: B256::repeat_byte(0x07),
            commitment: Bytes48::repeat_byte(0xc0),
            proof: Bytes48::repeat_byte(0xb0),
        }
    }

    /// A `BatchCommitted` event and its `commitBatch` calldata, consistent with each other.
    fn committed(effects: &[u8]) -> (IRollup::BatchCommitted, Bytes) {
        let o = opening();
        let (old, new) = ([3u8; 32], [4u8; 32]);
        let rollup = Address::repeat_byte(0x11);
        let digest = crate::digest::public_input_digest(
            7,
            rollup,
            &old,
            &new,
            effects,
            &o.versioned_hash.0,
            &o.x.0,
            &o.y.0,
        );
        let ev = IRollup::BatchCommitted {
            batchNumber: U256::from(1),
            oldRoot: old.into(),
            newRoot: new.into(),
            priorityOps: U256::ZERO,
            versionedHash: o.versioned_hash,
            digest,
        };
        (
            ev,
            commit_batch_calldata(new, effects, &o, [U256::from(9); 8]),
        )
    }

    #[test]
    fn commit_calldata_reads_what_the_event_binds() {
        let effects = [5u8; 128];
        let (ev, input) = committed(&effects);
        let rollup = Address::repeat_byte(0x11);
        let got = commit_calldata(&ev, &input, 7, rollup).unwrap();
        assert_eq!(got.effects, effects.to_vec());
        assert_eq!((got.x, got.y), (opening().x, opening().y));
        // The calldata is exactly the ABI call.
        let call = IRollup::commitBatchCall::abi_decode(&input).unwrap();
        assert_eq!(
            call.blobCommitment.as_ref(),
            opening().commitment.as_slice()
        );
        assert_eq!(call.blobProof.as_ref(), opening().proof.as_slice());
        assert_eq!(call.proof, [U256::from(9); 8]);

        // Another chain or rollup, a tampered effects list, x or y, another versioned hash in
        // the event, another new root: refused, saying which check failed.
        let digest_err = "calldata does not hash to the event's digest";
        assert_eq!(
            commit_calldata(&ev, &input, 8, rollup).unwrap_err(),
            digest_err
        );
        assert_eq!(
            commit_calldata(&ev, &input, 7, Address::ZERO).unwrap_err(),
            digest_err
        );
        let mut other = ev.clone();
        other.versionedHash.0[31] ^= 1;
        assert_eq!(
            commit_calldata(&other, &input, 7, rollup).unwrap_err(),
            digest_err
        );
        let mut tampered = effects;
        tampered[100] ^= 1;
        let (_, bad_input) = committed(&tampered);
        assert_eq!(
            commit_calldata(&ev, &bad_input, 7, rollup).unwrap_err(),
            digest_err
        );
        let mut call = IRollup::commitBatchCall::abi_decode(&input).unwrap();
        call.y += U256::from(1);
        assert_eq!(
            commit_calldata(&ev, &call.abi_encode(), 7, rollup).unwrap_err(),
            digest_err
        );
        let mut call = IRollup::commitBatchCall::abi_decode(&input).unwrap();
        call.x ^= U256::from(1);
        assert_eq!(
            commit_calldata(&ev, &call.abi_encode(), 7, rollup).unwrap_err(),
            digest_err
        );
        let mut call = IRollup::commitBatchCall::abi_decode(&input).unwrap();
        call.newRoot.0[0] ^= 1;
        assert_eq!(
            commit_calldata(&ev, &call.abi_encode(), 7, rollup).unwrap_err(),
            "calldata newRoot differs from the event"
        );
        let err = commit_calldata(&ev, &input[..100], 7, rollup).unwrap_err();
        assert!(err.starts_with("not commitBatch calldata"), "{err}");
        let err = commit_calldata(&ev, &[0u8; 4], 7, rollup).unwrap_err();
        assert!(err.starts_with("not commitBatch calldata"), "{err}");
    }
}
