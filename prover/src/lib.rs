//! zkroll prover: parallel leaf proving and binary recursive aggregation of a batch into one
//! plonky2 proof, with resumable on-disk proof files and progress reporting.
//!
//! The crate is generic over the leaf circuit ([`LeafCircuit`]): any circuit whose public
//! inputs are exactly the 40-limb [`Statement`] layout (see `docs/recursion.md`) can be
//! aggregated. Aggregation circuits ([`AggCircuit`]) verify two child proofs whose verifier
//! data are constants of the parent, check that the children's statements link, and expose
//! the combined statement.

pub mod aggregate;
pub mod batch;
pub mod error;
pub mod leaf;
pub mod proof_file;
pub mod prover;
pub mod rollup_leaf;
pub mod statement;
pub mod top;

pub use aggregate::AggCircuit;
pub use batch::BatchProof;
pub use error::ProverError;
pub use leaf::LeafCircuit;
pub use prover::{Progress, ProgressFn, ProofOrigin, Prover, ProverConfig};
pub use rollup_leaf::RollupLeaf;
pub use statement::{Statement, StatementTarget, STATEMENT_LEN};
pub use top::{
    expected_digest_words, top_values, OperatorCredit, TopCircuit, TopError, TopValues, TopWitness,
    DIGEST_WORDS,
};

use plonky2::field::goldilocks_field::GoldilocksField;
use plonky2::plonk::config::PoseidonGoldilocksConfig;

/// Extension degree used by every zkroll plonky2 circuit.
pub const D: usize = 2;
/// Hash/FRI configuration of every zkroll plonky2 circuit before the shrink layer.
pub type C = PoseidonGoldilocksConfig;
/// The Goldilocks field.
pub type F = GoldilocksField;
/// A plonky2 proof with its public inputs, in the crate's configuration.
pub type Proof = plonky2::plonk::proof::ProofWithPublicInputs<F, C, D>;
/// Full circuit data (prover + verifier) in the crate's configuration.
pub type CircuitData = plonky2::plonk::circuit_data::CircuitData<F, C, D>;
