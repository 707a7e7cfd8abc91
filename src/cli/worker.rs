//! `zkroll worker` and the coordinator side of `zkroll prove --queue` (docs/queue.md): thin
//! layers over `zkroll_queue`.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use sha2::{Digest, Sha256};
use zkroll::prover::rollup_leaf::leaf_witnesses;
use zkroll::prover::BatchProof;
use zkroll::{Batch, Execution, ProveOptions, RollupProver};
use zkroll_queue::codec::rollup_context;
use zkroll_queue::{Coordinator, CoordinatorConfig, Worker, WorkerConfig};

/// Arguments of `zkroll worker`.
#[derive(Args, Debug)]
pub struct WorkerArgs {
    /// PostgreSQL URL of the job queue (postgres://user[:password]@host:port/db).
    #[arg(long, value_name = "URL")]
    pub queue: String,
    /// Proving threads (default: one per core).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Tx slots per leaf of the deployment (a job of other circuits is never taken).
    #[arg(long, default_value_t = zkroll::circuits::leaf::DEFAULT_K)]
    pub k: usize,
    /// Aggregation-tree height of the deployment (aggregation levels 1..=height are served).
    #[arg(long, default_value_t = zkroll::DEFAULT_HEIGHT)]
    pub height: usize,
    /// Directory where built circuits are cached between runs.
    #[arg(long)]
    pub work_dir: Option<PathBuf>,
    /// Seconds a job stays leased without a heartbeat before another worker may take it.
    #[arg(long, default_value_t = 30)]
    pub lease_secs: u64,
    /// Lease-owner name (default: hostname-pid); unique among live workers.
    #[arg(long)]
    pub id: Option<String>,
    /// Exit after proving this many jobs (default: run until killed).
    #[arg(long)]
    pub max_jobs: Option<usize>,
}

/// Runs `zkroll worker`.
pub fn run(a: WorkerArgs) -> anyhow::Result<()> {
    anyhow::ensure!(a.lease_secs >= 3, "--lease-secs must be at least 3");
    check_queue(&a.queue)?;
    let pb = super::progress_bar(None, "building circuits");
    let prover = RollupProver::new(ProveOptions {
        k: a.k,
        threads: a.threads,
        work_dir: a.work_dir.clone(),
        height: Some(a.height),
        ..ProveOptions::default()
    })?;
    let defaults = WorkerConfig::default();
    let lease = Duration::from_secs(a.lease_secs);
    let config = WorkerConfig {
        id: a.id.clone().unwrap_or_else(|| defaults.id.clone()),
        height: a.height,
        threads: a.threads,
        lease,
        heartbeat: lease / 3,
        ..defaults
    };
    let worker = Worker::connect(prover.batch_prover(), &a.queue, config);
    pb.finish_and_clear();
    let mut worker = worker.context("starting the worker")?;
    eprintln!(
        "worker {} (k = {}, height = {}) waiting for jobs",
        worker.id(),
        a.k,
        a.height
    );
    let proved = worker
        .run(&AtomicBool::new(false), a.max_jobs)
        .context("worker stopped")?;
    println!("proved {proved} jobs");
    Ok(())
}

/// Connects once to the queue (creating its tables), so that a bad URL or an unreachable
/// server is reported before minutes of circuit building.
pub(crate) fn check_queue(url: &str) -> anyhow::Result<()> {
    zkroll_queue::Db::connect(url, &zkroll_queue::DbConfig::default())
        .context("connecting to the queue")?;
    Ok(())
}

/// The queue key of a batch proved with `k` slots per leaf at `height`: hex sha256 of the
/// bincode batch, `k` and `height`, so that rerunning `zkroll prove --queue` on the same batch
/// resumes it.
fn batch_key(context: &[u8], k: usize, height: usize) -> String {
    let mut h = Sha256::new();
    h.update(context);
    h.update((k as u64).to_be_bytes());
    h.update((height as u64).to_be_bytes());
    format!("rollup-{}", hex::encode(h.finalize()))
}

/// Proves `exec`'s aggregation tree through the queue at `url` and returns the root aggregate
/// (the same [`BatchProof`] as local proving); the caller runs the top step.
pub(crate) fn prove_queued(
    prover: &RollupProver,
    url: &str,
    batch: &Batch,
    exec: &Execution,
    a: &super::prove::ProveArgs,
    bar: &indicatif::ProgressBar,
    cancel: Arc<AtomicBool>,
) -> anyhow::Result<BatchProof> {
    let witnesses = leaf_witnesses(exec, a.k).map_err(zkroll::prover::ProverError::from)?;
    let context = rollup_context(batch);
    let key = batch_key(&context, a.k, a.height);
    let progress_bar = bar.clone();
    let config = CoordinatorConfig {
        height: Some(a.height),
        cancel: Some(cancel),
        progress: Some(Arc::new(move |done, total| {
            progress_bar.set_length(total as u64);
            progress_bar.set_position(done as u64);
        })),
        ..CoordinatorConfig::default()
    };
    bar.set_message("queued jobs");
    let c = Coordinator::connect(prover.batch_prover(), url, config)
        .context("connecting to the queue")?;
    let published = c
        .publish(&key, &context, &witnesses)
        .context("publishing the batch")?;
    eprintln!(
        "batch {key}: {} jobs queued at {}",
        published.plan.job_count(),
        c.db().url()
    );
    c.wait(&published).context("waiting for the workers")
}
