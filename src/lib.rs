//! # zkroll
//!
//! Prove zk-rollup batches with plonky2, wrap the proof into Groth16 on BN254 and verify it on
//! Ethereum. This crate is the facade a rollup node links; the `zkroll` binary is its CLI.

pub use zkroll_circuits as circuits;
