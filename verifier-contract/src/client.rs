//! alloy client: spawn anvil, deploy the verifier and the rollup, send deposits, batches and
//! withdrawals, and report the gas each transaction used.

use crate::bindings::{IGroth16Verifier, IRollup};
use crate::toolchain::{Artifact, Toolchain, ToolchainError};
use crate::verifier_gen::{verifier_solidity, GenerateError};
use alloy::network::{EthereumWallet, TransactionBuilder};
use alloy::node_bindings::{Anvil, AnvilInstance, NodeError};
use alloy::primitives::{Address, Bytes, TxHash, U256};
use alloy::providers::{DynProvider, Provider, ProviderBuilder};
use alloy::rpc::types::{TransactionReceipt, TransactionRequest};
use alloy::signers::local::PrivateKeySigner;
use alloy::sol_types::{SolInterface, SolValue};
use ark_bn254::Bn254;
use ark_groth16::VerifyingKey;

/// How long to wait for a transaction to be mined before giving up.
pub const RECEIPT_TIMEOUT: Option<std::time::Duration> = Some(std::time::Duration::from_secs(60));

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
    /// A JSON-RPC request failed.
    #[error("rpc: {0}")]
    Rpc(#[from] alloy::transports::TransportError),
    /// The node URL is malformed.
    #[error("bad node url {0}")]
    Url(String),
    /// A transaction was mined but reverted.
    #[error("transaction {0} reverted")]
    Reverted(TxHash),
    /// A `DepositQueued` event does not carry what Rollup.sol emits.
    #[error("malformed DepositQueued event: {0}")]
    BadEvent(String),
    /// A deployment receipt has no contract address.
    #[error("deployment transaction {0} created no contract")]
    NoContract(TxHash),
}

impl L1Error {
    /// The revert data of a rejected call, if this error is a revert.
    pub fn revert_data(&self) -> Option<Bytes> {
        match self {
            Self::Contract(e) => e.as_revert_data(),
            _ => None,
        }
    }

    /// The revert decoded as one of the custom errors of `E` (e.g.
    /// `IRollup::IRollupErrors` or `IGroth16Verifier::IGroth16VerifierErrors`).
    pub fn decode<E: SolInterface>(&self) -> Option<E> {
        match self {
            Self::Contract(e) => e.as_decoded_interface_error::<E>(),
            _ => None,
        }
    }
}

/// A contract error as text: a revert with one of Rollup.sol's or the verifier's custom errors
/// is named with its arguments (e.g. `Rollup reverted: OldRootMismatch(..)`), anything else is
/// alloy's message.
fn describe_contract_error(e: &alloy::contract::Error) -> String {
    if let Some(r) = e.as_decoded_interface_error::<IRollup::IRollupErrors>() {
        return format!("Rollup reverted: {r:?}");
    }
    if let Some(v) = e.as_decoded_interface_error::<IGroth16Verifier::IGroth16VerifierErrors>() {
        return format!("Verifier reverted: {v:?}");
    }
    e.to_string()
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
    Ok(Anvil::new()
        .path(toolchain.anvil_path())
        .host("127.0.0.1")
        .port(0u16)
        .try_spawn()?)
}

/// A provider signing with `signer`, talking to `url`.
pub fn connect(url: &str, signer: PrivateKeySigner) -> Result<DynProvider, L1Error> {
    let url = alloy::transports::http::reqwest::Url::parse(url)
        .map_err(|e| L1Error::Url(format!("{url}: {e}")))?;
    // The nonce is fetched from the node for every transaction: alloy's default cached nonce
    // manager keeps counting after a transaction fails gas estimation (a revert), and the next
    // one would then wait forever behind a nonce gap.
    Ok(ProviderBuilder::new()
        .disable_recommended_fillers()
        .with_gas_estimation()
        .with_simple_nonce_management()
        .fetch_chain_id()
        .wallet(EthereumWallet::from(signer))
        .connect_http(url)
        .erased())
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

/// Deploys Rollup.sol starting at `genesis_root`, verified by the contract at `verifier`.
pub async fn deploy_rollup(
    provider: &DynProvider,
    toolchain: &Toolchain,
    verifier: Address,
    genesis_root: [u8; 32],
) -> Result<(RollupClient, TxReport), L1Error> {
    let artifact = toolchain.rollup_artifact()?;
    let args = (verifier, alloy::primitives::B256::from(genesis_root)).abi_encode_params();
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
    /// Position in the deposit queue (0-based).
    pub index: u64,
    /// The L1 sender.
    pub sender: Address,
    /// The L2 public key (40 bytes, canonical limbs: Rollup.sol checks them).
    pub pubkey: [u8; 40],
    /// The amount in gwei.
    pub amount_gwei: u64,
}

/// A deployed Rollup contract and the provider (signer) that talks to it.
#[derive(Clone, Debug)]
pub struct RollupClient {
    provider: DynProvider,
    address: Address,
}

impl RollupClient {
    /// The rollup at `address`, used through `provider`.
    pub fn new(provider: DynProvider, address: Address) -> Self {
        Self { provider, address }
    }

    /// The same rollup used through another provider (another sender).
    pub fn with_provider(&self, provider: DynProvider) -> Self {
        Self::new(provider, self.address)
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

    /// Queues a deposit of `amount_wei` (a positive multiple of 1 gwei) to `pubkey`.
    pub async fn deposit(&self, pubkey: &[u8; 40], amount_wei: U256) -> Result<TxReport, L1Error> {
        let c = self.contract();
        let call = c.deposit(Bytes::copy_from_slice(pubkey)).value(amount_wei);
        let input = call.calldata().clone();
        let receipt = call
            .send()
            .await?
            .with_timeout(RECEIPT_TIMEOUT)
            .get_receipt()
            .await?;
        Ok(report(receipt, &input).await?.1)
    }

    /// Commits a batch (`proof` as [`crate::proof_words`] lays it out).
    pub async fn commit_batch(
        &self,
        pubdata: &[u8],
        new_root: [u8; 32],
        proof: [U256; 8],
    ) -> Result<TxReport, L1Error> {
        let c = self.contract();
        let call = c.commitBatch(Bytes::copy_from_slice(pubdata), new_root.into(), proof);
        let input = call.calldata().clone();
        let receipt = call
            .send()
            .await?
            .with_timeout(RECEIPT_TIMEOUT)
            .get_receipt()
            .await?;
        Ok(report(receipt, &input).await?.1)
    }

    /// Withdraws everything credited to the sender.
    pub async fn withdraw(&self) -> Result<TxReport, L1Error> {
        let c = self.contract();
        let call = c.withdraw();
        let input = call.calldata().clone();
        let receipt = call
            .send()
            .await?
            .with_timeout(RECEIPT_TIMEOUT)
            .get_receipt()
            .await?;
        Ok(report(receipt, &input).await?.1)
    }

    /// The current state root.
    pub async fn state_root(&self) -> Result<[u8; 32], L1Error> {
        Ok(self.contract().stateRoot().call().await?.0)
    }

    /// The number of committed batches.
    pub async fn batch_number(&self) -> Result<u64, L1Error> {
        Ok(self.contract().batchNumber().call().await?)
    }

    /// (deposits queued, deposits processed).
    pub async fn deposit_counters(&self) -> Result<(u64, u64), L1Error> {
        let c = self.contract();
        Ok((
            c.depositCount().call().await?,
            c.depositsProcessed().call().await?,
        ))
    }

    /// Wei `account` may withdraw.
    pub async fn claimable(&self, account: Address) -> Result<U256, L1Error> {
        Ok(self.contract().claimable(account).call().await?)
    }

    /// Every deposit queued so far, in queue order (from the contract's `DepositQueued`
    /// events, scanned from block 0).
    pub async fn queued_deposits(&self) -> Result<Vec<QueuedDeposit>, L1Error> {
        let logs = self
            .contract()
            .DepositQueued_filter()
            .from_block(0)
            .query()
            .await?;
        let mut out = Vec::with_capacity(logs.len());
        for (ev, _) in logs {
            let pubkey: [u8; 40] =
                ev.pubkey.as_ref().try_into().map_err(|_| {
                    L1Error::BadEvent(format!("pubkey of {} bytes", ev.pubkey.len()))
                })?;
            let index = u64::try_from(ev.index)
                .map_err(|_| L1Error::BadEvent(format!("index {}", ev.index)))?;
            out.push(QueuedDeposit {
                index,
                sender: ev.sender,
                pubkey,
                amount_gwei: ev.amount,
            });
        }
        out.sort_by_key(|d| d.index);
        if out.iter().enumerate().any(|(i, d)| d.index != i as u64) {
            return Err(L1Error::BadEvent(
                "deposit indices are not 0, 1, 2, ...".into(),
            ));
        }
        Ok(out)
    }

    /// The deposits not yet consumed by a committed batch, in the order the next batch's
    /// Deposit slots must follow.
    pub async fn pending_deposits(&self) -> Result<Vec<QueuedDeposit>, L1Error> {
        let (_, processed) = self.deposit_counters().await?;
        let all = self.queued_deposits().await?;
        Ok(all.into_iter().skip(processed as usize).collect())
    }

    /// The digest a proof for a batch `(pubdata, new_root)` on top of the current state must
    /// prove (docs/formats.md §5), from the node's chain id and the stored root.
    pub async fn digest_for(&self, pubdata: &[u8], new_root: &[u8; 32]) -> Result<U256, L1Error> {
        let chain_id = self.provider.get_chain_id().await?;
        let old_root = self.state_root().await?;
        Ok(crate::digest::public_input_digest(
            chain_id,
            self.address,
            &old_root,
            new_root,
            pubdata,
        ))
    }
}
