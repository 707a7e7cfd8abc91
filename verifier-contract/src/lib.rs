//! zkroll L1: the Solidity Groth16 verifier generator, `Rollup.sol` (priority queue, designated
//! operator, exodus mode) with its Poseidon-over-Goldilocks hasher, and an alloy client that
//! deploys them on an Ethereum node (tested on anvil), submits deposits, forced exits, batches,
//! withdrawals and exodus exits, and reads the history a sync needs; [`blob`] sends EIP-4844
//! blob transactions and reads their blobs back, checked against their versioned hashes, and
//! `contracts/BlobOpening.sol` checks a blob's opening on chain.
//!
//! The toolchain (solc-js and anvil, from npm) is installed by `scripts/setup-l1.sh`;
//! [`Toolchain::locate`] fails with a message saying so when it is missing.

pub mod bindings;
pub mod blob;
pub mod client;
pub mod digest;
pub mod poseidon_gen;
pub mod toolchain;
pub mod verifier_gen;

pub use blob::{
    batch_data, open_blob, read_blobs, send_blob_tx, AnvilBlobs, BatchBlob, BeaconBlobs,
    BeaconBlockId, BlobError, BlobOpening, BlobSource, BlobTxRef, BlobTxReport, SidecarFormat,
};
pub use client::{
    anvil_provider, calldata_gas, commit_batch_calldata, commit_calldata, connect, connect_checked,
    connect_with_timeout, deploy, deploy_rollup, deploy_verifier, spawn_anvil,
    spawn_anvil_with_args, verify_proof_call, verify_proof_tx, CommitCalldata, CommittedBatch,
    ExitLeaf, L1Error, PriorityOp, PriorityOpInfo, QueuedDeposit, QueuedFullExit, RollupClient,
    RollupParams, TxReport, EMPTY_ROOT, RPC_TIMEOUT, TX_BASE_GAS,
};
pub use digest::{digest_to_fr, effects_hash, public_input_digest};
pub use toolchain::{Artifact, Toolchain, ToolchainError, SETUP_HINT};
pub use verifier_gen::{proof_words, verifier_solidity, GenerateError};
