//! `zkroll prove` and `zkroll verify`.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use zkroll::circuits::encoding::to_hex;
use zkroll::{Batch, ProveOptions, RollupProof, RollupProver};

/// Arguments of `zkroll prove`.
#[derive(Args, Debug)]
pub struct ProveArgs {
    /// Batch file (JSON or bincode).
    pub batch: PathBuf,
    /// Where to write the proof (atomically).
    #[arg(short, long, default_value = "batch.proof")]
    pub output: PathBuf,
    /// Work directory: finished proofs and circuits are kept there, and a rerun after a
    /// crash or Ctrl-C proves only what is missing.
    #[arg(long)]
    pub work_dir: Option<PathBuf>,
    /// Worker threads (default: one per core).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Tx slots per leaf proof.
    #[arg(long, default_value_t = zkroll::circuits::leaf::DEFAULT_K)]
    pub k: usize,
    /// Aggregation-tree height: the batch is padded to 2^height leaves (capacity k·2^height
    /// txs). One (k, height) pair = one top circuit = one Groth16 key and L1 verifier.
    #[arg(long, default_value_t = zkroll::DEFAULT_HEIGHT)]
    pub height: usize,
    /// Prove through the job queue at this PostgreSQL URL (postgres://user@host:port/db):
    /// `zkroll worker`s, on any machine, prove the leaf and aggregation jobs; this process
    /// publishes them, verifies every result and runs the top step. Rerun after a crash to
    /// resume the batch. Without it everything is proved here, no database needed.
    #[arg(long, value_name = "URL")]
    pub queue: Option<String>,
}

/// Arguments of `zkroll verify`.
#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// A proof written by `zkroll prove` (plonky2) or `zkroll wrap` (Groth16, `.g16`).
    pub proof: PathBuf,
    /// Also check that the proof is the proof of this batch file (same digest).
    #[arg(long)]
    pub batch: Option<PathBuf>,
    /// Groth16 key cache, for a `.g16` proof (default: $ZKROLL_KEY_CACHE or
    /// ~/.cache/zkroll/keys).
    #[arg(long)]
    pub keys: Option<PathBuf>,
    /// For a `.g16` proof: refuse unless its vk hash is this (0x + 64 hex digits).
    #[arg(long, value_name = "HEX", value_parser = super::wrap::vk_hash_arg)]
    pub expect_vk_hash: Option<[u8; 32]>,
}

/// A prover progress callback that drives `bar` over every proof of the tree: `2^height`
/// leaves, then half as many per aggregation level.
pub(crate) fn tree_progress(bar: indicatif::ProgressBar) -> zkroll::prover::ProgressFn {
    Arc::new(move |p: zkroll::Progress| {
        let total = (1u64 << (p.height + 1)) - 1;
        if bar.length() != Some(total) {
            bar.set_length(total);
            bar.set_position(0);
        }
        bar.set_message(if p.level == 0 {
            "leaf proofs".to_string()
        } else {
            format!("aggregation level {}/{}", p.level, p.height)
        });
        bar.inc(1);
    })
}

/// Runs `zkroll prove`.
pub fn run_prove(a: ProveArgs) -> anyhow::Result<()> {
    let batch = Batch::load(&a.batch).with_context(|| format!("loading {}", a.batch.display()))?;
    // Validate first: a bad tx is reported before any circuit is built.
    let exec =
        zkroll::execute(&batch).with_context(|| format!("executing {}", a.batch.display()))?;
    if let Some(url) = &a.queue {
        super::worker::check_queue(url)?;
    }
    let cancel = Arc::new(AtomicBool::new(false));
    let pb = super::progress_bar(Some(1), "building circuits");
    let bar = pb.clone();
    let start = Instant::now();
    let options = ProveOptions {
        k: a.k,
        threads: a.threads,
        work_dir: a.work_dir.clone(),
        progress: Some(tree_progress(bar)),
        cancel: Some(cancel.clone()),
        height: Some(a.height),
    };
    let prover = RollupProver::new(options)?;
    pb.set_message("leaf proofs");
    let result = match &a.queue {
        None => prover.prove_execution(&exec).map_err(anyhow::Error::from),
        Some(url) => super::worker::prove_queued(&prover, url, &batch, &exec, &a, &pb, cancel)
            .and_then(|bp| prover.finish(&exec, bp).map_err(anyhow::Error::from)),
    };
    pb.finish_and_clear();
    let proof = result.context("proving")?;
    let bytes = proof.to_bytes()?;
    zkroll::write_atomic(&a.output, &bytes)
        .with_context(|| format!("writing {}", a.output.display()))?;
    let secs = start.elapsed().as_secs_f64();
    println!("proof:     {} ({} bytes)", a.output.display(), bytes.len());
    println!(
        "txs:       {} in {} leaves of {} slots",
        proof.txs,
        1u64 << proof.batch.height,
        proof.k
    );
    println!("digest:    {}", to_hex(&proof.digest));
    println!(
        "time:      {secs:.1} s ({:.2} tx/s)",
        proof.txs as f64 / secs
    );
    Ok(())
}

/// Runs `zkroll verify`.
pub fn run_verify(a: VerifyArgs) -> anyhow::Result<()> {
    let bytes = zkroll::proof::read_proof_file(&a.proof)
        .with_context(|| format!("reading {}", a.proof.display()))?;
    if bytes.starts_with(&zkroll::aggregator::wrap::WRAPPED_MAGIC) {
        return super::wrap::verify_groth16(&a.proof, &a.keys, a.expect_vk_hash);
    }
    let proof = RollupProof::from_bytes(&bytes)
        .with_context(|| format!("decoding {}", a.proof.display()))?;
    let pb = super::progress_bar(None, "building circuits and verifying");
    let prover = RollupProver::new(ProveOptions {
        k: proof.k as usize,
        height: Some(proof.batch.height as usize),
        ..ProveOptions::default()
    });
    let verified = prover.and_then(|p| p.verify(&proof));
    pb.finish_and_clear();
    let v = verified.context("verification failed")?;
    if let Some(path) = &a.batch {
        let batch = Batch::load(path).with_context(|| format!("loading {}", path.display()))?;
        let exec = zkroll::execute(&batch)?;
        anyhow::ensure!(
            exec.digest.value == v.digest,
            "the proof is not a proof of {} (digest {} vs {})",
            path.display(),
            to_hex(&v.digest),
            to_hex(&exec.digest.value)
        );
    }
    let s = v.statement;
    let root = |r: &[u64; 4]| r.iter().map(|l| format!("{l:016x}")).collect::<String>();
    println!("valid proof");
    println!("chain id:  {}", s.chain_id);
    println!(
        "rollup:    0x{}",
        s.rollup
            .iter()
            .map(|w| format!("{w:08x}"))
            .collect::<String>()
    );
    println!("old root:  0x{}", root(&s.old_root));
    println!("new root:  0x{}", root(&v.binding.final_root));
    println!(
        "data:      {} records (blob 0x{}), {} L1 effects, fees {}",
        s.records_out,
        hex::encode(v.binding.versioned_hash),
        s.effect_count_out,
        s.fees_out
    );
    println!("digest:    {}", to_hex(&v.digest));
    Ok(())
}
