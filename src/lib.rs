//! # zkroll
//!
//! Prove zk-rollup batches with plonky2, wrap the proof into Groth16 on BN254 and verify it on
//! Ethereum. This crate is the facade a rollup node links; the `zkroll` binary is its CLI.
//!
//! ```no_run
//! let batch = zkroll::Batch::load(std::path::Path::new("batch.json"))?;
//! let exec = zkroll::execute(&batch)?;
//! println!("new root {:?}, digest {:?}", exec.new_root, exec.digest.value);
//! # Ok::<(), zkroll::ExecError>(())
//! ```

pub mod bench;
pub mod devnet;
pub mod error;
pub mod exodus;
pub mod gen;
pub mod proof;
pub mod rollup;
pub mod sync;

pub use zkroll_aggregator as aggregator;
pub use zkroll_circuits as circuits;
pub use zkroll_prover as prover;
pub use zkroll_verifier_contract as l1;

pub use error::ProveError;

/// Default aggregation-tree height of the CLI: `2^4` leaves of `DEFAULT_K = 35` slots, i.e.
/// batches of up to 560 txs share one top circuit, one Groth16 key and one L1 verifier.
pub const DEFAULT_HEIGHT: usize = 4;
pub use proof::RollupProof;
pub use rollup::{ProveOptions, RollupProver, VerifiedBatch};
pub use zkroll_aggregator::groth16::cache::{KeyCache, KeyProvenance, KeyRecord, KeySource};
pub use zkroll_aggregator::wrap::{WrapStage, WrappedBatch, Wrapper};
pub use zkroll_circuits::batch::{Batch, Format, Header, PreState};
pub use zkroll_circuits::digest::Digest;
pub use zkroll_circuits::error::{BatchError, ExecError, Location, Role, TxError};
pub use zkroll_circuits::execute::{apply, Execution, TxCounts, TxWitness};
pub use zkroll_circuits::schnorr::{PublicKey, SecretKey, Signature};
pub use zkroll_circuits::state::{Account, StateTree};
pub use zkroll_circuits::tx::{Deposit, Domain, FullExit, Transfer, Tx, Withdraw};
pub use zkroll_prover::proof_file::write_atomic;
pub use zkroll_prover::{Progress, ProofOrigin, Statement};

/// Executes `batch` from its own pre-state (all-or-nothing) and returns the witness, pubdata
/// and digest. Use [`apply`] to run txs against a state the node keeps.
pub fn execute(batch: &Batch) -> Result<Execution, ExecError> {
    zkroll_circuits::execute::execute(batch).map(|(_, exec)| exec)
}
