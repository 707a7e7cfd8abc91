//! The interface a leaf circuit offers to the prover.

use crate::{CircuitData, Proof, ProverError, Statement};

/// A leaf circuit the prover can aggregate.
///
/// Invariant the implementor keeps: the circuit's public inputs are exactly the 40 limbs of
/// [`Statement::to_limbs`], each range-checked in the circuit (u32 limbs `< 2^32`, root limbs
/// canonical Goldilocks), and a proof of `w` has public inputs `self.statement(w)`.
pub trait LeafCircuit: Send + Sync {
    /// One leaf's private witness (K tx slots, Merkle paths, ...).
    type Witness: Send + Sync;

    /// The built circuit (built once, reused for every leaf).
    fn data(&self) -> &CircuitData;

    /// The statement a proof of `w` exposes, computed natively (cheap).
    fn statement(&self, w: &Self::Witness) -> Result<Statement, ProverError>;

    /// The witness of a padding leaf following `prev`: all slots no-op, so its statement is
    /// [`Statement::noop_after`]`(prev)`.
    fn padding(&self, prev: &Statement) -> Self::Witness;

    /// Records (real slots) one leaf can absorb at most: the top circuit of a tree of height
    /// `h` has `records_per_leaf() · 2^h` record slots.
    fn records_per_leaf(&self) -> usize;

    /// Proves one leaf.
    fn prove(&self, w: &Self::Witness) -> Result<Proof, ProverError>;
}
