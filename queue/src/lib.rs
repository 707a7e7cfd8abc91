//! zkroll queue: proving one batch on many machines, with the jobs in PostgreSQL.
//!
//! A [`Coordinator`] publishes a batch's leaf jobs (the witnesses encoded by [`QueueLeaf`]),
//! then each aggregation job as soon as its two children are done; it verifies every stored
//! result before accepting it (a bad result is dropped, logged and the job queued again) and
//! returns the same [`zkroll_prover::BatchProof`] as local proving, on which the caller runs
//! the top step. [`Worker`]s take jobs with `FOR UPDATE SKIP LOCKED` (aggregation before new
//! leaves, oldest first, across batches), only jobs whose circuit digest is one of their own,
//! heartbeat while proving and store the proof. A job whose worker dies or stalls returns to
//! the queue when its lease expires; a restarted coordinator resumes from the database. See
//! `docs/queue.md`.

pub mod codec;
pub mod coordinator;
pub mod db;
pub mod error;
pub mod plan;
pub mod schema;
pub mod worker;

pub use codec::QueueLeaf;
pub use coordinator::{Coordinator, CoordinatorConfig, Published, StepReport};
pub use db::{Db, DbConfig};
pub use error::{JobRef, QueueError};
pub use plan::Plan;
pub use worker::{JobReport, Outcome, Worker, WorkerConfig};

use plonky2::field::types::PrimeField64;
use zkroll_prover::CircuitData;

/// The circuit digest of `data` as four canonical u64 limbs.
pub fn circuit_digest(data: &CircuitData) -> [u64; 4] {
    data.verifier_only
        .circuit_digest
        .elements
        .map(|x| x.to_canonical_u64())
}

/// A circuit digest as stored in the queue: 64 hex digits, limbs big-endian in order.
pub fn digest_hex(d: &[u64; 4]) -> String {
    d.iter().map(|x| format!("{x:016x}")).collect()
}
