//! plonky2 gadgets: `CircuitBuilder` extension traits next to their native twins, with their
//! witness generators beside them.

pub mod ecgfp5;
pub mod schnorr;
