//! Typed errors of the queue: each names what was being done and where (the server, with any
//! password removed, or the job).

use std::fmt;
use std::time::Duration;

use thiserror::Error;
use zkroll_prover::ProverError;

/// One job of the queue, for messages: `batch 3 level 1 index 2 (job 17)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JobRef {
    /// Row id of the job.
    pub id: i64,
    /// Row id of its batch.
    pub batch: i64,
    /// Tree level: 0 = leaf, `k >= 1` = aggregation of level `k - 1`.
    pub level: u32,
    /// Index in its level.
    pub index: u32,
}

impl fmt::Display for JobRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "batch {} level {} index {} (job {})",
            self.batch, self.level, self.index, self.id
        )
    }
}

/// Everything that can go wrong in the queue. No variant is produced by a panic, and every
/// database call is bounded in time ([`QueueError::Timeout`]), so nothing hangs.
#[derive(Debug, Error)]
pub enum QueueError {
    /// The queue URL does not parse as a PostgreSQL connection string.
    #[error("bad queue URL {url}: {reason}")]
    BadUrl {
        /// The URL, password removed.
        url: String,
        /// Why it was refused.
        reason: String,
    },
    /// The server could not be reached or refused the connection.
    #[error("cannot connect to the queue at {url}: {source}")]
    Connect {
        /// The URL, password removed.
        url: String,
        /// The driver's error.
        #[source]
        source: tokio_postgres::Error,
    },
    /// A database call did not answer in time (server gone, frozen or overloaded).
    #[error("{what} on the queue at {url}: no answer within {after:?}")]
    Timeout {
        /// What was being done.
        what: &'static str,
        /// The URL, password removed.
        url: String,
        /// The bound that was exceeded.
        after: Duration,
    },
    /// A database call failed (connection lost, constraint, SQL error).
    #[error("{what} on the queue at {url}: {source}")]
    Db {
        /// What was being done.
        what: &'static str,
        /// The URL, password removed.
        url: String,
        /// The driver's error.
        #[source]
        source: tokio_postgres::Error,
    },
    /// The database holds a newer queue schema than this program knows.
    #[error("queue schema version {found} at {url} is newer than this zkroll's ({known})")]
    SchemaTooNew {
        /// The URL, password removed.
        url: String,
        /// Version found in the database.
        found: i32,
        /// Newest version this program knows.
        known: i32,
    },
    /// A batch of this key was published before with other parameters.
    #[error("batch {key} exists in the queue with {what}")]
    BatchMismatch {
        /// The batch key.
        key: String,
        /// What differs.
        what: String,
    },
    /// A job failed or was abandoned too often; the batch cannot finish.
    #[error("batch {key}: {job} failed {attempts} times, last error: {error}")]
    JobFailed {
        /// The batch key.
        key: String,
        /// The job.
        job: JobRef,
        /// Attempts made.
        attempts: i32,
        /// The last recorded error.
        error: String,
    },
    /// A job row holds data this program cannot use (bad input encoding, missing child).
    #[error("{job}: {what}")]
    BadJob {
        /// The job.
        job: JobRef,
        /// What is wrong.
        what: String,
    },
    /// The prover failed (planning a batch, proving or verifying a job).
    #[error("{what}: {source}")]
    Prover {
        /// What was being done.
        what: String,
        /// The prover's error.
        #[source]
        source: ProverError,
    },
    /// The local async runtime could not be created.
    #[error("cannot create the database runtime: {0}")]
    Runtime(#[source] std::io::Error),
    /// The batch did not finish within the coordinator's time limit.
    #[error("batch {key} not finished after {after:?} ({done} of {total} jobs done)")]
    Deadline {
        /// The batch key.
        key: String,
        /// The limit.
        after: Duration,
        /// Jobs done.
        done: usize,
        /// Jobs of the batch.
        total: usize,
    },
    /// Stopped through the cancel flag.
    #[error("cancelled")]
    Cancelled,
}

impl QueueError {
    /// Wraps a prover error with what was being done.
    pub fn prover(what: impl Into<String>) -> impl FnOnce(ProverError) -> QueueError {
        let what = what.into();
        move |source| QueueError::Prover { what, source }
    }
}
