//! The worker: takes a job it has the circuit for, proves it while renewing its lease, and
//! stores the proof for the coordinator to verify.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::Arc;
use std::time::{Duration, Instant};

use zkroll_prover::proof_file::{self, Expected};
use zkroll_prover::{LeafCircuit, Proof, Prover, ProverError, Statement};

use crate::{circuit_digest, digest_hex, Db, DbConfig, JobRef, QueueError, QueueLeaf};

/// Configuration of a [`Worker`].
#[derive(Clone, Debug)]
pub struct WorkerConfig {
    /// Name recorded as the lease owner (default: `hostname-pid`); must be unique among
    /// live workers.
    pub id: String,
    /// Aggregation levels served: `1..=height` (their circuits are built at start).
    pub height: usize,
    /// Proving threads (`None`: one per core).
    pub threads: Option<usize>,
    /// A job is held this long after the last heartbeat; then any worker may take it.
    pub lease: Duration,
    /// Interval between heartbeats while proving (well below `lease`).
    pub heartbeat: Duration,
    /// Pause between two polls when no job is available.
    pub poll: Duration,
    /// Connection limits.
    pub db: DbConfig,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .map(|h| h.trim().to_string())
            .unwrap_or_else(|_| "worker".into());
        WorkerConfig {
            id: format!("{host}-{}", std::process::id()),
            height: 1,
            threads: None,
            lease: Duration::from_secs(30),
            heartbeat: Duration::from_secs(10),
            poll: Duration::from_millis(500),
            db: DbConfig {
                application_name: "zkroll-worker".into(),
                ..DbConfig::default()
            },
        }
    }
}

/// Timings of one job, for the figures of `docs/queue.md`.
#[derive(Clone, Debug)]
pub struct JobReport {
    /// The job.
    pub job: JobRef,
    /// Taking it (one round trip, input included).
    pub take: Duration,
    /// Fetching what proving needs besides the input (batch context, child proofs).
    pub fetch: Duration,
    /// Proving.
    pub prove: Duration,
    /// Storing the result.
    pub store: Duration,
    /// Bytes received (input, context, child proofs).
    pub bytes_in: usize,
    /// Bytes of the stored result.
    pub bytes_out: usize,
}

/// What [`Worker::run_once`] did.
#[derive(Clone, Debug)]
pub enum Outcome {
    /// No job this worker can prove is available.
    Idle,
    /// A job was proved and its result stored.
    Proved(JobReport),
    /// A job was proved but its lease was lost meanwhile (another worker took it): the
    /// result was dropped, not stored.
    Dropped(JobRef),
    /// The job could not be proved (bad input, unsatisfiable witness); it was queued again
    /// with the error recorded.
    Failed(JobRef, String),
}

struct Taken {
    job: JobRef,
    statement_hash: Vec<u8>,
    input: Vec<u8>,
}

/// Proves jobs from the queue with this process's circuits.
pub struct Worker<'p, L: QueueLeaf> {
    prover: &'p Prover<L>,
    db: Db,
    heartbeat_db: Db,
    config: WorkerConfig,
    /// Circuit digest (hex) of each level served, 0 = leaf.
    digests: Vec<String>,
    pool: rayon::ThreadPool,
    context: Option<(i64, Arc<L::Context>)>,
}

impl<'p, L: QueueLeaf> Worker<'p, L> {
    /// Builds the aggregation circuits of levels `1..=config.height` and connects to the
    /// queue at `url` (two connections: jobs, heartbeats).
    pub fn connect(
        prover: &'p Prover<L>,
        url: &str,
        config: WorkerConfig,
    ) -> Result<Self, QueueError> {
        let mut digests = vec![digest_hex(&circuit_digest(prover.leaf().data()))];
        for l in 1..=config.height {
            let agg = prover
                .aggregation(l)
                .map_err(QueueError::prover(format!("aggregation circuit {l}")))?;
            digests.push(digest_hex(&circuit_digest(&agg.data)));
        }
        let mut pb = rayon::ThreadPoolBuilder::new();
        if let Some(t) = config.threads {
            pb = pb.num_threads(t);
        }
        let pool = pb.build().map_err(|e| QueueError::Prover {
            what: "worker thread pool".into(),
            source: ProverError::ThreadPool(e.to_string()),
        })?;
        let db = Db::connect(url, &config.db)?;
        let heartbeat_db = Db::connect(url, &config.db)?;
        Ok(Worker {
            prover,
            db,
            heartbeat_db,
            config,
            digests,
            pool,
            context: None,
        })
    }

    /// The circuit digests (hex) this worker proves, leaf first.
    pub fn digests(&self) -> &[String] {
        &self.digests
    }

    /// This worker's lease-owner name.
    pub fn id(&self) -> &str {
        &self.config.id
    }

    /// Takes the next job this worker has the circuit for — aggregation before leaves, then
    /// oldest first, skipping rows other workers hold (`FOR UPDATE SKIP LOCKED`), a queued
    /// job or one whose lease expired — and leases it.
    fn take(&self) -> Result<Option<Taken>, QueueError> {
        let lease_ms = self.config.lease.as_secs_f64() * 1e3;
        let row = self.db.query_opt(
            "taking a job",
            "UPDATE zkroll_jobs j SET state = 'running', lease_owner = $1, \
             lease_expires = now() + $2::float8 * interval '1 millisecond', heartbeat = now(), \
             started_at = now(), attempts = j.attempts + 1 \
             WHERE j.id = (SELECT id FROM zkroll_jobs \
                 WHERE circuit_digest = ANY($3) AND attempts < max_attempts \
                 AND (state = 'queued' OR (state = 'running' AND lease_expires < now())) \
                 ORDER BY level DESC, id LIMIT 1 FOR UPDATE SKIP LOCKED) \
             RETURNING j.id, j.batch_id, j.level, j.idx, j.circuit_digest, j.statement_hash, \
             j.input",
            &[&self.config.id, &lease_ms, &self.digests],
        )?;
        let Some(row) = row else { return Ok(None) };
        let (level, index): (i32, i32) = (row.get(2), row.get(3));
        let job = JobRef {
            id: row.get(0),
            batch: row.get(1),
            level: level as u32,
            index: index as u32,
        };
        let digest: String = row.get(4);
        // Defence in depth: the query only returns our digests, but the level must match too.
        if self.digests.get(job.level as usize) != Some(&digest) {
            self.release(job, "circuit digest of another level")?;
            return Err(QueueError::BadJob {
                job,
                what: format!("circuit {digest} is not this worker's circuit of its level"),
            });
        }
        Ok(Some(Taken {
            job,
            statement_hash: row.get(5),
            input: row.get(6),
        }))
    }

    /// Gives a taken job back without counting the attempt.
    fn release(&self, job: JobRef, why: &str) -> Result<(), QueueError> {
        tracing::warn!(%job, why, "job released");
        self.db.execute(
            "releasing a job",
            "UPDATE zkroll_jobs SET state = 'queued', lease_owner = NULL, lease_expires = NULL, \
             attempts = attempts - 1 WHERE id = $1 AND lease_owner = $2 AND state = 'running'",
            &[&job.id, &self.config.id],
        )?;
        Ok(())
    }

    /// The decoded context of `batch` (cached for the last batch seen).
    fn context(&mut self, job: JobRef) -> Result<(Arc<L::Context>, usize), QueueError> {
        if let Some((id, c)) = &self.context {
            if *id == job.batch {
                return Ok((c.clone(), 0));
            }
        }
        let row = self.db.query_opt(
            "reading a batch context",
            "SELECT context FROM zkroll_batches WHERE id = $1",
            &[&job.batch],
        )?;
        let bytes: Vec<u8> = row.map(|r| r.get(0)).ok_or_else(|| QueueError::BadJob {
            job,
            what: "its batch is gone".into(),
        })?;
        let ctx = self
            .prover
            .leaf()
            .decode_context(&bytes)
            .map_err(|e| QueueError::BadJob {
                job,
                what: format!("batch context: {e}"),
            })?;
        let ctx = Arc::new(ctx);
        self.context = Some((job.batch, ctx.clone()));
        Ok((ctx, bytes.len()))
    }

    /// The two (verified, done) child proofs of an aggregation job.
    fn children(&self, t: &Taken) -> Result<([Proof; 2], usize), QueueError> {
        let job = t.job;
        let bad = |what: String| QueueError::BadJob { job, what };
        let idx: [u8; 8] = t.input.as_slice().try_into().map_err(|_| {
            bad(format!(
                "aggregation input of {} bytes, expected 8",
                t.input.len()
            ))
        })?;
        let l = u32::from_be_bytes(idx[..4].try_into().expect("4 bytes")) as i32;
        let r = u32::from_be_bytes(idx[4..].try_into().expect("4 bytes")) as i32;
        let below = job.level as usize - 1;
        let rows = self.db.query(
            "reading child proofs",
            "SELECT idx, state, circuit_digest, statement_hash, result FROM zkroll_jobs \
             WHERE batch_id = $1 AND level = $2 AND idx = ANY($3)",
            &[&job.batch, &(below as i32), &vec![l, r]],
        )?;
        let agg = match below {
            0 => None,
            l => Some(
                self.prover
                    .aggregation(l)
                    .map_err(QueueError::prover(format!("aggregation circuit {l}")))?,
            ),
        };
        let common = match &agg {
            None => &self.prover.leaf().data().common,
            Some(a) => &a.data.common,
        };
        let own = circuit_digest_of_level(self.prover, below)?;
        let mut bytes_in = 0;
        let mut get = |want: i32| -> Result<Proof, QueueError> {
            let row = rows
                .iter()
                .find(|r| r.get::<_, i32>(0) == want)
                .ok_or_else(|| bad(format!("child {want} missing")))?;
            let state: String = row.get(1);
            let digest: String = row.get(2);
            if state != "done" || digest != digest_hex(&own) {
                return Err(bad(format!(
                    "child {want} is {state} with circuit {digest}"
                )));
            }
            let hash: Vec<u8> = row.get(3);
            let result: Option<Vec<u8>> = row.get(4);
            let result = result.ok_or_else(|| bad(format!("child {want} has no result")))?;
            bytes_in += result.len();
            let exp = Expected {
                circuit_digest: own,
                statement_hash: hash
                    .try_into()
                    .map_err(|_| bad(format!("child {want} statement hash length")))?,
            };
            proof_file::decode(&result, &exp, common)
                .map_err(|e| bad(format!("child {want} result: {e}")))
        };
        let left = get(l)?;
        let right = get(r)?;
        Ok(([left, right], bytes_in))
    }

    /// Takes one job and proves it (see [`Outcome`]). Database errors are returned; job
    /// errors (bad input, unsatisfiable witness) are recorded on the job, which is queued
    /// again.
    pub fn run_once(&mut self) -> Result<Outcome, QueueError> {
        let t0 = Instant::now();
        let Some(t) = self.take()? else {
            return Ok(Outcome::Idle);
        };
        let take = t0.elapsed();
        let job = t.job;
        tracing::info!(%job, worker = %self.config.id, "job taken");
        let t1 = Instant::now();
        let input = self.inputs(&t);
        let fetch = t1.elapsed();
        let (work, bytes_in) = match input {
            Ok(x) => x,
            Err(QueueError::BadJob { what, .. }) => return self.fail(job, what),
            Err(e) => return Err(e),
        };
        let t2 = Instant::now();
        let (proved, lost) = self.prove_with_heartbeats(job, work);
        let prove = t2.elapsed();
        let proof = match proved {
            Ok(p) => p,
            Err(e) => return self.fail(job, e.to_string()),
        };
        let exposed = Statement::from_limbs(&proof.public_inputs).map(|s| s.hash());
        let statement_hash: [u8; 32] = match exposed {
            Ok(h) if h.as_slice() == t.statement_hash.as_slice() => h,
            Ok(_) => return self.fail(job, "the proof does not expose the job's statement".into()),
            Err(e) => return self.fail(job, e.to_string()),
        };
        if lost {
            tracing::warn!(%job, "lease lost while proving; result dropped");
            return Ok(Outcome::Dropped(job));
        }
        let exp = Expected {
            circuit_digest: circuit_digest_of_level(self.prover, job.level as usize)?,
            statement_hash,
        };
        let bytes = proof_file::encode(&proof, &exp);
        let t3 = Instant::now();
        let stored = self.db.execute(
            "storing a result",
            "UPDATE zkroll_jobs SET state = 'proved', result = $3, error = NULL, \
             finished_at = now(), lease_expires = NULL \
             WHERE id = $1 AND lease_owner = $2 AND state = 'running'",
            &[&job.id, &self.config.id, &bytes],
        )?;
        let store = t3.elapsed();
        if stored == 0 {
            tracing::warn!(%job, "job no longer leased to this worker; result dropped");
            return Ok(Outcome::Dropped(job));
        }
        tracing::info!(%job, prove_s = prove.as_secs_f64(), "job proved");
        Ok(Outcome::Proved(JobReport {
            job,
            take,
            fetch,
            prove,
            store,
            bytes_in: bytes_in + t.input.len(),
            bytes_out: bytes.len(),
        }))
    }

    /// What proving the job needs, fetched from the database.
    fn inputs(&mut self, t: &Taken) -> Result<(Work<L>, usize), QueueError> {
        if t.job.level == 0 {
            let (ctx, n) = self.context(t.job)?;
            let w = self
                .prover
                .leaf()
                .decode_witness(&ctx, &t.input)
                .map_err(|e| QueueError::BadJob {
                    job: t.job,
                    what: format!("leaf input: {e}"),
                })?;
            Ok((Work::Leaf(w), n))
        } else {
            let (children, n) = self.children(t)?;
            Ok((Work::Aggregate(Box::new(children)), n))
        }
    }

    /// Proves `work` on the worker's pool while a second thread renews the lease every
    /// `heartbeat`. Returns the proof and whether the lease was lost meanwhile.
    fn prove_with_heartbeats(
        &self,
        job: JobRef,
        work: Work<L>,
    ) -> (Result<Proof, ProverError>, bool) {
        let lost = AtomicBool::new(false);
        let (tx, rx) = mpsc::channel::<()>();
        let lease_ms = self.config.lease.as_secs_f64() * 1e3;
        let result = std::thread::scope(|s| {
            let (hb, owner, lost, every) = (
                &self.heartbeat_db,
                &self.config.id,
                &lost,
                self.config.heartbeat,
            );
            s.spawn(move || loop {
                match rx.recv_timeout(every) {
                    Err(RecvTimeoutError::Timeout) => match hb.execute(
                        "renewing a lease",
                        "UPDATE zkroll_jobs SET heartbeat = now(), \
                         lease_expires = now() + $3::float8 * interval '1 millisecond' \
                         WHERE id = $1 AND lease_owner = $2 AND state = 'running'",
                        &[&job.id, owner, &lease_ms],
                    ) {
                        Ok(0) => {
                            lost.store(true, Ordering::SeqCst);
                            return;
                        }
                        Ok(_) => {}
                        Err(e) => tracing::warn!(%job, error = %e, "heartbeat failed"),
                    },
                    _ => return,
                }
            });
            let r = self.pool.install(|| match work {
                Work::Leaf(w) => self.prover.leaf().prove(&w),
                Work::Aggregate(pair) => {
                    let [l, r] = &*pair;
                    self.prover.aggregation(job.level as usize)?.prove(l, r)
                }
            });
            drop(tx);
            r
        });
        (result, lost.load(Ordering::SeqCst))
    }

    /// Records `error` on the job and queues it again.
    fn fail(&self, job: JobRef, error: String) -> Result<Outcome, QueueError> {
        tracing::warn!(%job, %error, "job failed; queued again");
        self.db.execute(
            "recording a failed job",
            "UPDATE zkroll_jobs SET state = 'queued', error = $3, lease_owner = NULL, \
             lease_expires = NULL WHERE id = $1 AND lease_owner = $2 AND state = 'running'",
            &[&job.id, &self.config.id, &error],
        )?;
        Ok(Outcome::Failed(job, error))
    }

    /// Proves jobs until `stop` is set (checked between jobs and while idle) or `max_jobs`
    /// jobs were proved. Returns the number proved; a database error ends the loop.
    pub fn run(&mut self, stop: &AtomicBool, max_jobs: Option<usize>) -> Result<usize, QueueError> {
        let mut proved = 0;
        while !stop.load(Ordering::SeqCst) && max_jobs.is_none_or(|m| proved < m) {
            match self.run_once()? {
                Outcome::Idle => std::thread::sleep(self.config.poll),
                Outcome::Proved(_) => proved += 1,
                Outcome::Dropped(_) | Outcome::Failed(..) => {}
            }
        }
        Ok(proved)
    }
}

enum Work<L: LeafCircuit> {
    Leaf(L::Witness),
    Aggregate(Box<[Proof; 2]>),
}

fn circuit_digest_of_level<L: LeafCircuit>(
    prover: &Prover<L>,
    level: usize,
) -> Result<[u64; 4], QueueError> {
    if level == 0 {
        Ok(circuit_digest(prover.leaf().data()))
    } else {
        Ok(circuit_digest(
            &prover
                .aggregation(level)
                .map_err(QueueError::prover(format!("aggregation circuit {level}")))?
                .data,
        ))
    }
}
