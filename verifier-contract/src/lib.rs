//! zkroll L1: the Solidity Groth16 verifier generator, `Rollup.sol`, and an alloy client that
//! deploys them on an Ethereum node (tested on anvil) and submits deposits, batches and
//! withdrawals.
//!
//! The toolchain (solc-js and anvil, from npm) is installed by `scripts/setup-l1.sh`;
//! [`Toolchain::locate`] fails with a message saying so when it is missing.

pub mod bindings;
pub mod client;
pub mod digest;
pub mod toolchain;
pub mod verifier_gen;

pub use client::{
    anvil_provider, calldata_gas, connect, deploy, deploy_rollup, deploy_verifier, spawn_anvil,
    verify_proof_call, verify_proof_tx, L1Error, QueuedDeposit, RollupClient, TxReport,
    TX_BASE_GAS,
};
pub use digest::{digest_to_fr, public_input_digest};
pub use toolchain::{Artifact, Toolchain, ToolchainError, SETUP_HINT};
pub use verifier_gen::{proof_words, verifier_solidity, GenerateError};
