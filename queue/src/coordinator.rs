//! The coordinator: publishes a batch's jobs, verifies results, publishes aggregation jobs as
//! their children finish, and assembles the batch proof. All its state is in the database, so
//! a restarted coordinator resumes where the last one stopped.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use zkroll_prover::proof_file::{self, Expected};
use zkroll_prover::{BatchProof, Proof, Prover, ProverError, Statement};

use crate::{circuit_digest, digest_hex, Db, DbConfig, JobRef, Plan, QueueError, QueueLeaf};

/// Progress callback: `(jobs done, jobs of the batch)`.
pub type ProgressFn = Arc<dyn Fn(usize, usize) + Send + Sync>;

/// Configuration of a [`Coordinator`].
#[derive(Clone)]
pub struct CoordinatorConfig {
    /// Fixed tree height (as `ProverConfig::height`); `None`: the smallest that fits.
    pub height: Option<usize>,
    /// Pause between two polls of the database while waiting.
    pub poll: Duration,
    /// Attempts after which a job that keeps failing (or whose workers keep dying) fails the
    /// batch.
    pub max_attempts: i32,
    /// Give up waiting after this long (`None`: wait for the workers indefinitely).
    pub deadline: Option<Duration>,
    /// When set to `true`, [`Coordinator::wait`] returns [`QueueError::Cancelled`]; the batch
    /// stays in the database and a later coordinator resumes it.
    pub cancel: Option<Arc<AtomicBool>>,
    /// Called after each poll.
    pub progress: Option<ProgressFn>,
    /// Connection limits.
    pub db: DbConfig,
}

impl Default for CoordinatorConfig {
    fn default() -> Self {
        CoordinatorConfig {
            height: None,
            poll: Duration::from_millis(100),
            max_attempts: 5,
            deadline: None,
            cancel: None,
            progress: None,
            db: DbConfig {
                application_name: "zkroll-coordinator".into(),
                ..DbConfig::default()
            },
        }
    }
}

/// A batch in the queue, as this coordinator planned it.
#[derive(Clone, Debug)]
pub struct Published {
    /// Row id of the batch.
    pub id: i64,
    /// The caller's key of the batch.
    pub key: String,
    /// The job tree.
    pub plan: Plan,
    /// Circuit digest of each level (0 = leaf).
    pub digests: Vec<[u64; 4]>,
}

/// What one [`Coordinator::step`] did.
#[derive(Clone, Debug, Default)]
pub struct StepReport {
    /// Results verified and accepted.
    pub accepted: usize,
    /// Results rejected (dropped, logged, job queued again).
    pub rejected: usize,
    /// Aggregation jobs published.
    pub published: usize,
    /// Jobs done (verified) so far.
    pub done: usize,
    /// Jobs of the batch.
    pub total: usize,
    /// The batch proof, once the root job is done.
    pub root: Option<BatchProof>,
}

/// Publishes batches and assembles their proofs from the workers' results.
pub struct Coordinator<'p, L: QueueLeaf> {
    prover: &'p Prover<L>,
    db: Db,
    config: CoordinatorConfig,
}

impl<'p, L: QueueLeaf> Coordinator<'p, L> {
    /// Connects to the queue at `url` (creating its tables if needed). `prover` supplies the
    /// circuits every result is verified against.
    pub fn connect(
        prover: &'p Prover<L>,
        url: &str,
        config: CoordinatorConfig,
    ) -> Result<Self, QueueError> {
        let db = Db::connect(url, &config.db)?;
        Ok(Coordinator { prover, db, config })
    }

    /// The connection.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Publishes a batch and waits for its proof: [`Coordinator::publish`] then
    /// [`Coordinator::wait`].
    pub fn prove(
        &self,
        key: &str,
        context: &[u8],
        witnesses: &[L::Witness],
    ) -> Result<BatchProof, QueueError> {
        let b = self.publish(key, context, witnesses)?;
        self.wait(&b)
    }

    /// Plans the batch (failing before anything is queued if its leaves do not link), then
    /// records it under `key` with its leaf jobs. Idempotent: publishing a key again (a
    /// restarted coordinator) keeps every job and result already there, and fails with
    /// [`QueueError::BatchMismatch`] if the key names a batch of other circuits or size.
    pub fn publish(
        &self,
        key: &str,
        context: &[u8],
        witnesses: &[L::Witness],
    ) -> Result<Published, QueueError> {
        let leaf = self.prover.leaf();
        let statements = witnesses
            .iter()
            .map(|w| leaf.statement(w))
            .collect::<Result<Vec<_>, _>>()
            .map_err(QueueError::prover(format!("batch {key}: leaf statements")))?;
        let plan = Plan::new(leaf, statements, self.config.height)
            .map_err(QueueError::prover(format!("batch {key}: planning")))?;
        let mut digests = vec![circuit_digest(leaf.data())];
        for l in 1..=plan.height {
            let agg = self
                .prover
                .aggregation(l)
                .map_err(QueueError::prover(format!("aggregation circuit {l}")))?;
            digests.push(circuit_digest(&agg.data));
        }
        let leaf_hex = digest_hex(&digests[0]);
        let (height, leaves) = (plan.height as i32, plan.real as i32);
        const WHAT: &str = "publishing a batch";
        let inserted = self.db.query_opt(
            WHAT,
            "INSERT INTO zkroll_batches (key, height, leaves, leaf_digest, context) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (key) DO NOTHING RETURNING id",
            &[&key, &height, &leaves, &leaf_hex, &context],
        )?;
        let id: i64 = match inserted {
            Some(row) => row.get(0),
            None => {
                let row = self
                    .db
                    .query_opt(
                        WHAT,
                        "SELECT id, height, leaves, leaf_digest FROM zkroll_batches WHERE key = $1",
                        &[&key],
                    )?
                    .ok_or_else(|| QueueError::BatchMismatch {
                        key: key.into(),
                        what: "a row that vanished while publishing".into(),
                    })?;
                let (h, n, d): (i32, i32, String) = (row.get(1), row.get(2), row.get(3));
                if (h, n, d.as_str()) != (height, leaves, leaf_hex.as_str()) {
                    return Err(QueueError::BatchMismatch {
                        key: key.into(),
                        what: format!(
                            "height {h}, {n} leaves, leaf circuit {d} (this one: height \
                             {height}, {leaves} leaves, leaf circuit {leaf_hex})"
                        ),
                    });
                }
                tracing::info!(batch = id_of(&row), key, "batch already queued: resuming");
                row.get(0)
            }
        };
        let b = Published {
            id,
            key: key.into(),
            plan,
            digests,
        };
        for i in b.plan.jobs(0) {
            let input = if i < b.plan.real {
                leaf.encode_witness(i, &witnesses[i])
            } else {
                leaf.encode_padding(&b.plan.statements[0][b.plan.real - 1])
            }
            .map_err(QueueError::prover(format!(
                "batch {key}: encoding leaf {i}"
            )))?;
            self.insert_job(&b, 0, i, &input)?;
        }
        tracing::info!(
            batch = id,
            key,
            leaves = b.plan.real,
            height = b.plan.height,
            jobs = b.plan.job_count(),
            "batch published"
        );
        Ok(b)
    }

    fn insert_job(
        &self,
        b: &Published,
        level: usize,
        index: usize,
        input: &[u8],
    ) -> Result<bool, QueueError> {
        let hash = b.plan.statements[level][index].hash().to_vec();
        let n = self.db.execute(
            "publishing a job",
            "INSERT INTO zkroll_jobs (batch_id, level, idx, circuit_digest, statement_hash, \
             input, max_attempts) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (batch_id, level, idx) DO NOTHING",
            &[
                &b.id,
                &(level as i32),
                &(index as i32),
                &digest_hex(&b.digests[level]),
                &hash,
                &input,
                &self.config.max_attempts,
            ],
        )?;
        Ok(n == 1)
    }

    /// Decodes and verifies a stored result of job (`level`, `index`): proof-file header
    /// (circuit digest, statement hash, checksum), plonky2 verification against this
    /// coordinator's circuit of that level, and the exposed statement equal to the planned one.
    pub fn check_result(
        &self,
        b: &Published,
        level: usize,
        index: usize,
        bytes: &[u8],
    ) -> Result<Proof, ProverError> {
        let expected = b.plan.statements[level][index];
        let exp = Expected {
            circuit_digest: b.digests[level],
            statement_hash: expected.hash(),
        };
        let proof = if level == 0 {
            let data = self.prover.leaf().data();
            let p = proof_file::decode(bytes, &exp, &data.common)?;
            data.verify(p.clone())
                .map_err(|e| ProverError::Verification(e.to_string()))?;
            p
        } else {
            let agg = self.prover.aggregation(level)?;
            let p = proof_file::decode(bytes, &exp, &agg.data.common)?;
            agg.verify(&p)?;
            p
        };
        if Statement::from_limbs(&proof.public_inputs)? != expected {
            return Err(ProverError::Verification(
                "the proof does not expose the job's statement".into(),
            ));
        }
        Ok(proof)
    }

    /// One pass over the batch: verifies every stored (`proved`) result, accepting it
    /// (`done`) or rejecting it (logged, result dropped, job queued again); publishes every
    /// aggregation job whose children are both done; fails if a job has used up its
    /// attempts; and returns the batch proof once the root job is done.
    pub fn step(&self, b: &Published) -> Result<StepReport, QueueError> {
        let rows = self.db.query(
            "reading the batch's jobs",
            "SELECT id, level, idx, state, attempts, max_attempts, coalesce(error, ''), \
             (state = 'running' AND lease_expires < now()) FROM zkroll_jobs WHERE batch_id = $1",
            &[&b.id],
        )?;
        let mut report = StepReport {
            total: b.plan.job_count(),
            ..StepReport::default()
        };
        let mut states: HashMap<(usize, usize), String> = HashMap::new();
        for row in rows {
            let (id, level, index): (i64, i32, i32) = (row.get(0), row.get(1), row.get(2));
            let mut state: String = row.get(3);
            let (attempts, max): (i32, i32) = (row.get(4), row.get(5));
            let job = JobRef {
                id,
                batch: b.id,
                level: level as u32,
                index: index as u32,
            };
            let (level, index) = (level as usize, index as usize);
            if level > b.plan.height || index >= b.plan.statements[level].len() {
                return Err(QueueError::BadJob {
                    job,
                    what: "outside the batch's tree".into(),
                });
            }
            if state == "proved" {
                state = if self.accept(b, job)? {
                    report.accepted += 1;
                    "done".into()
                } else {
                    report.rejected += 1;
                    "queued".into()
                };
            }
            let expired: bool = row.get(7);
            if (state == "queued" || expired) && attempts >= max {
                return Err(QueueError::JobFailed {
                    key: b.key.clone(),
                    job,
                    attempts,
                    error: row.get(6),
                });
            }
            states.insert((level, index), state);
        }
        for level in 1..=b.plan.height {
            for index in b.plan.jobs(level).collect::<Vec<_>>() {
                if states.contains_key(&(level, index)) {
                    continue;
                }
                let (l, r) = b.plan.children(level, index);
                let done = |i| states.get(&(level - 1, i)).is_some_and(|s| s == "done");
                if done(l) && done(r) {
                    let mut input = (l as u32).to_be_bytes().to_vec();
                    input.extend((r as u32).to_be_bytes());
                    if self.insert_job(b, level, index, &input)? {
                        report.published += 1;
                    }
                    states.insert((level, index), "queued".into());
                }
            }
        }
        report.done = states.values().filter(|s| *s == "done").count();
        if states.get(&(b.plan.height, 0)).is_some_and(|s| s == "done") {
            report.root = Some(self.root(b)?);
        }
        Ok(report)
    }

    /// Verifies the stored result of `job`; marks it done, or drops it and queues the job
    /// again. Returns whether it was accepted.
    fn accept(&self, b: &Published, job: JobRef) -> Result<bool, QueueError> {
        let row = self.db.query_opt(
            "reading a result",
            "SELECT result, lease_owner FROM zkroll_jobs WHERE id = $1 AND state = 'proved'",
            &[&job.id],
        )?;
        let Some(row) = row else {
            return Ok(false);
        };
        let bytes: Option<Vec<u8>> = row.get(0);
        let owner: Option<String> = row.get(1);
        let checked = match &bytes {
            Some(bytes) => self
                .check_result(b, job.level as usize, job.index as usize, bytes)
                .map(|_| ()),
            None => Err(ProverError::Malformed("no result stored".into())),
        };
        match checked {
            Ok(()) => {
                self.db.execute(
                    "accepting a result",
                    "UPDATE zkroll_jobs SET state = 'done' WHERE id = $1 AND state = 'proved'",
                    &[&job.id],
                )?;
                tracing::debug!(%job, "result accepted");
                Ok(true)
            }
            Err(e) => {
                tracing::warn!(%job, worker = owner.as_deref().unwrap_or("?"), error = %e,
                    "result rejected and dropped; job queued again");
                self.db.execute(
                    "rejecting a result",
                    "UPDATE zkroll_jobs SET state = 'queued', result = NULL, error = $2, \
                     lease_owner = NULL, lease_expires = NULL WHERE id = $1 AND state = 'proved'",
                    &[&job.id, &format!("result rejected: {e}")],
                )?;
                Ok(false)
            }
        }
    }

    /// The batch proof from the (done) root job, verified again as a whole.
    fn root(&self, b: &Published) -> Result<BatchProof, QueueError> {
        let h = b.plan.height;
        let row = self.db.query_opt(
            "reading the root proof",
            "SELECT result FROM zkroll_jobs WHERE batch_id = $1 AND level = $2 AND idx = 0 \
             AND state = 'done'",
            &[&b.id, &(h as i32)],
        )?;
        let bytes: Option<Vec<u8>> = row.and_then(|r| r.get(0));
        let bytes = bytes.ok_or_else(|| QueueError::BatchMismatch {
            key: b.key.clone(),
            what: "a done root job without a result".into(),
        })?;
        let what = format!("batch {}: root proof", b.key);
        let proof = self
            .check_result(b, h, 0, &bytes)
            .map_err(QueueError::prover(what.clone()))?;
        let bp = BatchProof {
            statement: b.plan.statements[h][0],
            height: h as u32,
            leaves: b.plan.real as u32,
            circuit_digest: b.digests[h],
            proof: proof.to_bytes(),
        };
        self.prover.verify(&bp).map_err(QueueError::prover(what))?;
        self.db.execute(
            "finishing the batch",
            "UPDATE zkroll_batches SET done_at = coalesce(done_at, now()) WHERE id = $1",
            &[&b.id],
        )?;
        Ok(bp)
    }

    /// Polls [`Coordinator::step`] until the batch proof is ready, the deadline passes, the
    /// cancel flag is set or a job fails for good.
    pub fn wait(&self, b: &Published) -> Result<BatchProof, QueueError> {
        let start = Instant::now();
        loop {
            if self
                .config
                .cancel
                .as_ref()
                .is_some_and(|c| c.load(Ordering::SeqCst))
            {
                return Err(QueueError::Cancelled);
            }
            let r = self.step(b)?;
            if let Some(p) = &self.config.progress {
                p(r.done, r.total);
            }
            if let Some(root) = r.root {
                tracing::info!(batch = b.id, key = %b.key, secs = start.elapsed().as_secs_f64(), "batch proved");
                return Ok(root);
            }
            if let Some(d) = self.config.deadline {
                if start.elapsed() > d {
                    return Err(QueueError::Deadline {
                        key: b.key.clone(),
                        after: d,
                        done: r.done,
                        total: r.total,
                    });
                }
            }
            std::thread::sleep(self.config.poll);
        }
    }
}

fn id_of(row: &tokio_postgres::Row) -> i64 {
    row.get(0)
}
