//! zkroll L1: Solidity Groth16 verifier generator, Rollup contract, alloy client (in progress, see docs/architecture.md).
