//! The queue's tables, created or upgraded by [`crate::Db::connect`].
//!
//! Migrations are numbered from 1 and applied in order inside one transaction holding an
//! advisory lock, so concurrent first connections (several workers starting at once) apply
//! each exactly once. A database with a newer version than [`SCHEMA_VERSION`] is refused.

/// Newest schema version this program knows.
pub const SCHEMA_VERSION: i32 = 1;

/// Advisory lock key taken while migrating ("zkrollq" as ASCII).
pub const MIGRATION_LOCK: i64 = 0x007a_6b72_6f6c_6c71;

/// `MIGRATIONS[v - 1]` brings the schema from version `v - 1` to `v`.
pub const MIGRATIONS: [&str; SCHEMA_VERSION as usize] = [r#"
CREATE TABLE zkroll_batches (
    id            BIGSERIAL PRIMARY KEY,
    -- The caller's name of the batch (the CLI: sha256 of the batch bytes, k and height).
    key           TEXT NOT NULL UNIQUE,
    -- Aggregation-tree height and real (non-padding) leaves.
    height        INT NOT NULL CHECK (height >= 1),
    leaves        INT NOT NULL CHECK (leaves >= 1),
    -- Hex circuit digest (4 x u64 BE) of the leaf circuit every leaf job needs.
    leaf_digest   TEXT NOT NULL,
    -- What every leaf job of the batch shares (QueueLeaf::decode_context).
    context       BYTEA NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    done_at       TIMESTAMPTZ
);
CREATE TABLE zkroll_jobs (
    id             BIGSERIAL PRIMARY KEY,
    batch_id       BIGINT NOT NULL REFERENCES zkroll_batches (id) ON DELETE CASCADE,
    level          INT NOT NULL CHECK (level >= 0),
    idx            INT NOT NULL CHECK (idx >= 0),
    -- Hex digest of the circuit that must prove the job; a worker takes only its own.
    circuit_digest TEXT NOT NULL,
    -- Statement::hash of the statement the proof must expose.
    statement_hash BYTEA NOT NULL,
    -- queued -> running -> proved (stored, unverified) -> done (verified by the coordinator);
    -- a rejected result, a failed proof or an expired lease goes back to queued.
    state          TEXT NOT NULL DEFAULT 'queued'
                   CHECK (state IN ('queued', 'running', 'proved', 'done')),
    -- Leaf: the encoded witness. Aggregation: the two child indices (2 x u32 BE).
    input          BYTEA NOT NULL,
    lease_owner    TEXT,
    lease_expires  TIMESTAMPTZ,
    heartbeat      TIMESTAMPTZ,
    attempts       INT NOT NULL DEFAULT 0,
    max_attempts   INT NOT NULL,
    -- proof_file encoding (header with circuit digest and statement hash, checksum).
    result         BYTEA,
    error          TEXT,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    started_at     TIMESTAMPTZ,
    finished_at    TIMESTAMPTZ,
    UNIQUE (batch_id, level, idx)
);
-- What a worker scans: takeable jobs, aggregation first, then oldest.
CREATE INDEX zkroll_jobs_takeable ON zkroll_jobs (level DESC, id)
    WHERE state IN ('queued', 'running');
CREATE INDEX zkroll_jobs_batch ON zkroll_jobs (batch_id, state);
"#];
