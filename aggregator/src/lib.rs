//! zkroll aggregator: wraps the final plonky2 proof into a Groth16 proof on BN254.
//!
//! - [`poseidon_bn254`]: Poseidon over BN254 (circomlib parameters), native and R1CS gadget.
//! - [`config`]: the plonky2 [`config::PoseidonBn254GoldilocksConfig`] whose Merkle caps and
//!   transcript use Poseidon-BN254 (see docs/wrap.md).
//! - [`r1cs`]: the R1CS verifier of plonky2 proofs (Goldilocks gadgets, checks at ζ).

pub mod config;
pub mod error;
pub mod groth16;
pub mod poseidon_bn254;
pub mod r1cs;
pub mod shrink;
pub mod wrap;

pub use error::AggregatorError;
