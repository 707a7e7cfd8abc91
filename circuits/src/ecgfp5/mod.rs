//! ECgFp5 (T. Pornin, "EcGFp5: a Specialized Elliptic Curve", 2022): a prime-order group
//! built on the double-odd curve `y² = x(x² + 2x + 263·z)` over `GF(p^5) = GF(p)[z]/(z⁵ − 3)`,
//! `p` the Goldilocks prime. Its base field is native to plonky2, so the same arithmetic is
//! cheap inside circuits (see `crate::gadgets`).
//!
//! - [`field`]: `GF(p^5)` helpers (square roots, Legendre symbol) on top of plonky2's
//!   [`QuinticExtension`](plonky2::field::extension::quintic::QuinticExtension);
//! - [`scalar`]: integers modulo the prime group order `n`;
//! - [`curve`]: group elements, the group law, scalar multiplication and the canonical
//!   encoding of a group element into one `GF(p^5)` element.

pub mod curve;
pub mod field;
pub mod scalar;

pub use curve::Point;
pub use field::Fp5;
pub use scalar::Scalar;
