//! plonky2 gadgets of zkroll, each a `CircuitBuilder` extension trait with its witness
//! generators and native twin beside it.
//!
//! - [`range`]: u32/u64 range checks, comparisons, checked balance arithmetic, canonical
//!   bit/byte decompositions of Goldilocks elements (`docs/formats.md` §1).
//! - [`sha256`]: the SHA-256 compression function with an explicit chaining value, padding
//!   and conditional (no-op) compression (DESIGN §3, `docs/formats.md` §4–5).
//! - [`ecgfp5`]: `GF(p^5)` arithmetic and the ECgFp5 group (decode, encode, add, double).
//! - [`schnorr`]: Schnorr verification over ECgFp5 (`docs/formats.md` §6).
//! - [`packed`]: packed decimal amounts and fees (`docs/formats.md` §4.1).
//! - [`merkle`]: the depth-32 Poseidon sparse Merkle tree of accounts (`docs/formats.md` §2).
//! - [`bls_fr`]: non-native BLS12-381 scalar arithmetic (limbs, integer identities with
//!   carries).
//! - [`blob`]: the EIP-4844 blob binding (evaluation point, `y = p(x)` over used elements).
//! - [`serializer`]: gate / generator serializers that know the custom types above.

pub mod blob;
pub mod bls_fr;
pub mod ecgfp5;
pub mod merkle;
pub mod packed;
pub mod range;
pub mod schnorr;
pub mod serializer;
pub mod sha256;

#[cfg(test)]
pub(crate) mod test_util;
