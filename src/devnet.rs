//! A local L1 for the demo, the bench and examples: an anvil node on 127.0.0.1 with the
//! Groth16 verifier of a deployment and a Rollup contract deployed at a genesis root.
//!
//! Invariant: the anvil process lives exactly as long as the [`Devnet`] (alloy kills it on
//! drop, also when a caller returns early with an error).

use alloy::node_bindings::AnvilInstance;
use alloy::primitives::{Address, U256};
use alloy::providers::DynProvider;
use ark_bn254::Bn254;
use ark_groth16::VerifyingKey;
use zkroll_circuits::encoding::hash_to_bytes;
use zkroll_circuits::execute::Execution;
use zkroll_circuits::tx::{Domain, Tx};
use zkroll_verifier_contract::{
    anvil_provider, deploy_rollup, deploy_verifier, digest_to_fr, proof_words, spawn_anvil,
    verify_proof_tx, L1Error, RollupClient, Toolchain, TxReport,
};

use crate::WrappedBatch;

/// Wei per L2 balance unit (the Rollup contract's `deposit` divides `msg.value` by this).
pub const WEI_PER_UNIT: u64 = 1_000_000_000;

/// Why a devnet operation failed.
#[derive(Debug, thiserror::Error)]
pub enum DevnetError {
    /// anvil, a deployment or a transaction failed (reverts are decoded by [`L1Error`]).
    #[error(transparent)]
    L1(#[from] L1Error),
    /// The wrapped proof's bytes are not a valid Groth16 proof.
    #[error(transparent)]
    Proof(#[from] zkroll_aggregator::AggregatorError),
    /// The wrapped proof is not the proof of this execution.
    #[error("the Groth16 proof is for digest {proof}, the batch's digest is {batch}")]
    WrongBatch {
        /// Digest the proof commits to (hex).
        proof: String,
        /// Digest of the execution (hex).
        batch: String,
    },
    /// The digest is not a BN254 scalar (a digest of docs/formats.md §5 always is).
    #[error("digest ≥ r")]
    DigestRange,
    /// The batch has a priority op (Deposit with `pkhash`/`owner`, FullExit) that this build's
    /// Rollup client cannot queue: the issue-12 client (`deposit(pkhash, owner)`,
    /// `requestFullExit`) replaces the pre-issue-12 `deposit(pubkey)`.
    #[error("tx {index}: this Rollup client cannot queue issue-12 priority ops (deposit by pkhash and owner, full exit)")]
    PriorityOpUnsupported {
        /// Position of the op in the batch.
        index: usize,
    },
    /// After a successful `commitBatch` the contract's root is not the batch's new root.
    #[error("Rollup.stateRoot() is {on_chain} after commitBatch, expected {expected}")]
    RootNotMoved {
        /// Root read back.
        on_chain: String,
        /// The batch's new root.
        expected: String,
    },
}

/// anvil with a verifier and a rollup (see the module documentation).
pub struct Devnet {
    anvil: AnvilInstance,
    provider: DynProvider,
    verifier: Address,
    rollup: RollupClient,
    /// Gas used by the two deployments.
    pub deploy_gas: u64,
}

impl Devnet {
    /// Starts anvil and deploys the verifier of `vk` and a Rollup at `genesis_root`.
    pub async fn start(
        toolchain: &Toolchain,
        vk: &VerifyingKey<Bn254>,
        genesis_root: [u8; 32],
    ) -> Result<Self, DevnetError> {
        let anvil = spawn_anvil(toolchain)?;
        let provider = anvil_provider(&anvil, 0)?;
        let (verifier, v) = deploy_verifier(&provider, toolchain, vk).await?;
        let (rollup, r) = deploy_rollup(&provider, toolchain, verifier, genesis_root).await?;
        Ok(Self {
            anvil,
            provider,
            verifier,
            rollup,
            deploy_gas: v.gas_used + r.gas_used,
        })
    }

    /// The signing domain of this rollup: anvil's chain id and the Rollup address.
    pub fn domain(&self) -> Domain {
        Domain {
            chain_id: self.anvil.chain_id(),
            rollup: self.rollup.address().into_array(),
        }
    }

    /// anvil's JSON-RPC endpoint.
    pub fn endpoint(&self) -> String {
        self.anvil.endpoint()
    }

    /// The Rollup contract.
    pub fn rollup(&self) -> &RollupClient {
        &self.rollup
    }

    /// The verifier contract.
    pub fn verifier(&self) -> Address {
        self.verifier
    }

    /// Queues every priority op of `txs` on L1, in order, so that the batch can consume the
    /// queue as it claims.
    ///
    /// Integration point (issue 12): deposits are now `(pkhash, owner)` and full exits are
    /// priority ops too; the pre-issue-12 client here only has `deposit(pubkey)`, so any
    /// priority op is reported as [`DevnetError::PriorityOpUnsupported`] until the new client
    /// (`deposit(pkhash, Some(owner), wei)`, `request_full_exit(account)` from the requester)
    /// is wired in.
    pub async fn queue_deposits(&self, txs: &[Tx]) -> Result<Vec<TxReport>, DevnetError> {
        match txs
            .iter()
            .position(|tx| matches!(tx, Tx::Deposit(_) | Tx::FullExit(_)))
        {
            Some(index) => Err(DevnetError::PriorityOpUnsupported { index }),
            None => Ok(Vec::new()),
        }
    }

    /// `commitBatch(pubdata, newRoot, proof)` of `exec` with its wrapped proof; checks the
    /// proof is of this execution before sending and that the root moved afterwards.
    pub async fn commit(
        &self,
        exec: &Execution,
        wrapped: &WrappedBatch,
    ) -> Result<TxReport, DevnetError> {
        check_same_batch(exec, wrapped)?;
        let proof = zkroll_aggregator::groth16::proof_from_bytes(&wrapped.proof)?;
        let new_root = hash_to_bytes(&exec.new_root);
        let report = self
            .rollup
            .commit_batch(&exec.pubdata, new_root, proof_words(&proof))
            .await?;
        let on_chain = self.rollup.state_root().await?;
        if on_chain != new_root {
            return Err(DevnetError::RootNotMoved {
                on_chain: hex::encode(on_chain),
                expected: hex::encode(new_root),
            });
        }
        Ok(report)
    }

    /// Sends `verifyProof(proof, digest)` to the verifier as a transaction, to measure its gas.
    pub async fn verify_proof_gas(&self, wrapped: &WrappedBatch) -> Result<TxReport, DevnetError> {
        let proof = zkroll_aggregator::groth16::proof_from_bytes(&wrapped.proof)?;
        let digest = U256::from_be_bytes(wrapped.digest);
        digest_to_fr(digest).ok_or(DevnetError::DigestRange)?;
        Ok(verify_proof_tx(&self.provider, self.verifier, proof_words(&proof), digest).await?)
    }
}

fn check_same_batch(exec: &Execution, wrapped: &WrappedBatch) -> Result<(), DevnetError> {
    if exec.digest.value != wrapped.digest {
        return Err(DevnetError::WrongBatch {
            proof: hex::encode(wrapped.digest),
            batch: hex::encode(exec.digest.value),
        });
    }
    Ok(())
}
