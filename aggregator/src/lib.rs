//! zkroll aggregator: wraps the final plonky2 proof into a Groth16 proof on BN254 (in progress, see docs/architecture.md).

pub mod r1cs;
