//! A local L1 for the demo, the bench and examples: an anvil node on 127.0.0.1 with the
//! Groth16 verifier of a deployment and a Rollup contract (empty genesis, anvil's first dev
//! account as the designated operator).
//!
//! Invariant: the anvil process lives exactly as long as the [`Devnet`] (alloy kills it on
//! drop, also when a caller returns early with an error).

use alloy::node_bindings::AnvilInstance;
use alloy::primitives::{Address, B256, U256};
use alloy::providers::{DynProvider, Provider};
use ark_bn254::Bn254;
use ark_groth16::VerifyingKey;
use zkroll_circuits::encoding::hash_to_bytes;
use zkroll_circuits::execute::Execution;
use zkroll_circuits::tx::{Domain, Tx};
use zkroll_verifier_contract::{
    anvil_provider, deploy_rollup, deploy_verifier, digest_to_fr, proof_words, spawn_anvil,
    verify_proof_tx, BatchBlob, BlobTxReport, L1Error, RollupClient, RollupParams, Toolchain,
    TxReport,
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
    /// A FullExit of the batch is requested by an address the devnet holds no key for.
    #[error("tx {index}: forced exit requested by an address that is not an anvil dev account")]
    ForeignRequester {
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
    /// Starts anvil and deploys the verifier of `vk` and a Rollup with the default windows
    /// (docs/l1.md), anvil's dev account 0 as its operator.
    pub async fn start(
        toolchain: &Toolchain,
        vk: &VerifyingKey<Bn254>,
    ) -> Result<Self, DevnetError> {
        Self::start_with(toolchain, vk, RollupParams::new).await
    }

    /// [`Devnet::start`] with the Rollup parameters `params(operator)` (e.g. short deadlines,
    /// so that a demo can reach exodus by mining a few blocks).
    pub async fn start_with(
        toolchain: &Toolchain,
        vk: &VerifyingKey<Bn254>,
        params: impl FnOnce(Address) -> RollupParams,
    ) -> Result<Self, DevnetError> {
        let anvil = spawn_anvil(toolchain)?;
        let provider = anvil_provider(&anvil, 0)?;
        let operator = anvil.addresses()[0];
        let (verifier, v) = deploy_verifier(&provider, toolchain, vk).await?;
        let (rollup, r) = deploy_rollup(&provider, toolchain, verifier, &params(operator)).await?;
        Ok(Self {
            anvil,
            provider,
            verifier,
            rollup,
            deploy_gas: v.gas_used + r.gas_used,
        })
    }

    /// anvil's dev account `index` (funded with 10 000 ether at start).
    pub fn account(&self, index: usize) -> Option<Address> {
        self.anvil.addresses().get(index).copied()
    }

    /// The Rollup as seen by anvil's dev account `index` (to send its transactions).
    pub fn rollup_as(&self, index: usize) -> Result<RollupClient, DevnetError> {
        Ok(self
            .rollup
            .with_provider(anvil_provider(&self.anvil, index)?))
    }

    /// Mines `blocks` empty blocks (`anvil_mine`).
    pub async fn mine(&self, blocks: u64) -> Result<(), DevnetError> {
        self.provider
            .raw_request::<_, serde_json::Value>("anvil_mine".into(), (U256::from(blocks),))
            .await
            .map_err(L1Error::from)?;
        Ok(())
    }

    /// Wei held by `who` on L1.
    pub async fn balance(&self, who: Address) -> Result<U256, DevnetError> {
        Ok(self
            .provider
            .get_balance(who)
            .await
            .map_err(L1Error::from)?)
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
    /// queue as it claims: each Deposit as `deposit(pkhash, owner)` from dev account 0 (whose
    /// balance is first raised to cover them: generated batches deposit more than anvil's
    /// 10 000 ether), each FullExit as `requestFullExit(account)` from its requester, which
    /// must be one of anvil's dev accounts ([`DevnetError::ForeignRequester`] otherwise).
    pub async fn queue_priority_ops(&self, txs: &[Tx]) -> Result<Vec<TxReport>, DevnetError> {
        let gwei = U256::from(WEI_PER_UNIT);
        let total: U256 = txs
            .iter()
            .filter_map(|tx| match tx {
                Tx::Deposit(d) => Some(U256::from(d.amount) * gwei),
                _ => None,
            })
            .sum();
        let me = self.anvil.addresses()[0];
        let have = self.balance(me).await?;
        let ether = U256::from(10u64).pow(U256::from(18u64));
        self.provider
            .raw_request::<_, serde_json::Value>(
                "anvil_setBalance".into(),
                (me, have + total + U256::from(100u64) * ether),
            )
            .await
            .map_err(L1Error::from)?;
        let mut reports = Vec::new();
        for (index, tx) in txs.iter().enumerate() {
            match tx {
                Tx::Deposit(d) => {
                    let wei = U256::from(d.amount) * gwei;
                    let pkhash = hash_to_bytes(&d.pkhash);
                    let owner = Address::from(d.owner);
                    reports.push(self.rollup.deposit(pkhash, Some(owner), wei).await?);
                }
                Tx::FullExit(f) => {
                    let requester = Address::from(f.requester);
                    let i = self
                        .anvil
                        .addresses()
                        .iter()
                        .position(|a| *a == requester)
                        .ok_or(DevnetError::ForeignRequester { index })?;
                    reports.push(self.rollup_as(i)?.request_full_exit(f.account).await?);
                }
                _ => {}
            }
        }
        Ok(reports)
    }

    /// `commitBatch(newRoot, effects, x, y, commitment, proof, groth16)` of `exec` with its
    /// wrapped proof, as a type-3 transaction carrying the batch's blob (formats.md §4, §10);
    /// checks the proof is of this execution before sending and that the root moved
    /// afterwards.
    pub async fn commit(
        &self,
        exec: &Execution,
        wrapped: &WrappedBatch,
    ) -> Result<BlobTxReport, DevnetError> {
        check_same_batch(exec, wrapped)?;
        let proof = zkroll_aggregator::groth16::proof_from_bytes(&wrapped.proof)?;
        let new_root = hash_to_bytes(&exec.new_root);
        let blob = BatchBlob::new(&exec.data.blob_data(), B256::from(exec.blob.x))
            .map_err(L1Error::from)?;
        let report = self
            .rollup
            .commit_batch(
                new_root,
                &exec.data.effects_bytes(),
                &blob,
                proof_words(&proof),
            )
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
