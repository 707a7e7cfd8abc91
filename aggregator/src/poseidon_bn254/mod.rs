//! Poseidon over the BN254 scalar field (circomlib parameters, t = 3): parameters, native
//! permutation and its R1CS gadget.

pub mod gadget;
pub mod native;
pub mod params;

pub use native::{hash2, permute};
