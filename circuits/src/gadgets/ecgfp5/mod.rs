//! ECgFp5 in plonky2 circuits: `GF(p^5)` arithmetic ([`field`]) and the group law, point
//! decoding/encoding and table lookups ([`curve`]), twins of [`crate::ecgfp5`].
//!
//! Points are handled in affine short Weierstrass coordinates (the native representation).
//! Inversions and quotients are witnessed and checked with one multiplication; every
//! `GF(p^5)` multiply-add is one op of the custom [`gate::Fp5MulAddGate`].

pub mod curve;
pub mod field;
pub mod gate;
pub mod ladder;

pub use curve::{CircuitBuilderEcGFp5, PointTarget};
pub use field::{CircuitBuilderFp5, Fp5Target};
