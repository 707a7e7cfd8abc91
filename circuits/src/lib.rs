//! zkroll circuits: the rollup's state model, transaction types, batch format, native
//! execution (which produces the witness) and the plonky2 gadgets and circuits that prove it.
//!
//! The normative formats (account leaf, tree, signed message, blob records and L1 effects, digest) are
//! specified in `docs/formats.md`; every module here keeps to that document.

pub mod batch;
pub mod blob;
pub mod da;
pub mod digest;
pub mod encoding;
pub mod error;
pub mod execute;
pub mod state;
pub mod tx;

/// The Goldilocks field every plonky2 circuit of zkroll works over.
pub type F = plonky2::field::goldilocks_field::GoldilocksField;
/// plonky2's recursion-friendly configuration (Poseidon over Goldilocks).
pub type C = plonky2::plonk::config::PoseidonGoldilocksConfig;
/// Extension degree used by every zkroll circuit.
pub const D: usize = 2;

pub mod ecgfp5;
pub mod gadgets;
pub mod leaf;
pub mod schnorr;
