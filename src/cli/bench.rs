//! `zkroll bench`: one table of the figures that matter to an operator, per batch size —
//! proving throughput (leaf / aggregation / top breakdown), wrap time, peak RSS, and the L1
//! gas of `verifyProof` and `commitBatch` on a local anvil.
//!
//! Every size is proven at one tree height (the one the largest size needs), so all sizes
//! share the circuits, one Groth16 key and one verifier, as a deployment would.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use zkroll::bench::{
    leaf_rows_per_slot, measure_execution, median, peak_rss_bytes, transfer_batch, ProveFigures,
};
use zkroll::devnet::Devnet;
use zkroll::l1::Toolchain;
use zkroll::Domain;

/// Arguments of `zkroll bench`.
#[derive(Args, Debug)]
pub struct BenchArgs {
    /// Batch sizes (signed transfers), comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "64,256,1024")]
    pub sizes: Vec<usize>,
    /// Tx slots per leaf.
    #[arg(long, default_value_t = zkroll::circuits::leaf::DEFAULT_K)]
    pub k: usize,
    /// Skip the Groth16 wrap and the L1 (prover figures only).
    #[arg(long)]
    pub prove_only: bool,
    /// Groth16 key cache (default: $ZKROLL_KEY_CACHE or ~/.cache/zkroll/keys).
    #[arg(long)]
    pub keys: Option<PathBuf>,
    /// Work directory for cached circuits. Proof files are never read or written by the
    /// bench: every measured run proves every leaf and aggregate from scratch.
    #[arg(long)]
    pub work_dir: Option<PathBuf>,
    /// Prove each size this many times and report the median of each figure.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub repeat: u32,
}

/// One row of the table.
struct Row {
    txs: usize,
    leaves: usize,
    leaf_proofs: usize,
    leaf_s: f64,
    agg_s: f64,
    top_s: f64,
    prove_s: f64,
    tx_per_s: f64,
    wrap_s: Option<f64>,
    verify_gas: Option<u64>,
    /// `commitBatch`: gas used, execution gas (excluding calldata), blob gas.
    commit_gas: Option<(u64, u64, u64)>,
    rss_gib: f64,
}

/// Runs `zkroll bench`.
pub fn run(a: BenchArgs) -> anyhow::Result<()> {
    anyhow::ensure!(!a.sizes.is_empty(), "--sizes is empty");
    anyhow::ensure!(
        a.sizes.iter().all(|&n| n > 0),
        "batch sizes must be positive"
    );
    let max = a.sizes.iter().copied().max().unwrap_or(1);
    let height = max
        .div_ceil(a.k)
        .next_power_of_two()
        .max(2)
        .trailing_zeros() as usize;
    let t = Instant::now();
    let pb = super::progress_bar(None, "circuits");
    let (prover, wrapper) = if a.prove_only {
        pb.set_message("building prover circuits");
        let p = zkroll::RollupProver::new(zkroll::ProveOptions {
            k: a.k,
            height: Some(height),
            work_dir: a.work_dir.clone(),
            ..Default::default()
        });
        (p?, None)
    } else {
        let r = super::wrap::deployment(
            a.k,
            height,
            a.work_dir.clone(),
            &a.keys,
            // The bench deploys only to its own anvil: a development key is allowed there.
            zkroll::KeySource::DevSetup,
            &pb,
        );
        let (p, w) = r?;
        (p, Some(w))
    };
    prover.warm(height)?;
    pb.finish_and_clear();
    eprintln!(
        "circuits (k = {}, height = {height}: up to {} txs) and keys ready in {:.1} s",
        a.k,
        a.k << height,
        t.elapsed().as_secs_f64()
    );
    let toolchain = match &wrapper {
        Some(_) => Some(Toolchain::locate().context("L1 toolchain (run scripts/setup-l1.sh)")?),
        None => None,
    };
    let rt = tokio::runtime::Runtime::new()?;

    let mut rows = Vec::new();
    for &n in &a.sizes {
        let pb = super::progress_bar(None, "bench");
        pb.set_message(format!("{n} transfers: L1 and batch"));
        let devnet = match (&toolchain, &wrapper) {
            (Some(tc), Some(w)) => Some(rt.block_on(Devnet::start(tc, w.verifying_key()))?),
            _ => None,
        };
        let domain = devnet.as_ref().map(Devnet::domain).unwrap_or(Domain {
            chain_id: 31337,
            rollup: [0; 20],
        });
        let exec = zkroll::execute(&transfer_batch(n, domain)?)?;
        let mut runs: Vec<ProveFigures> = Vec::new();
        let mut last = None;
        for i in 0..a.repeat {
            pb.set_message(format!(
                "{n} transfers: proving (run {}/{})",
                i + 1,
                a.repeat
            ));
            let (proof, f) = measure_execution(&prover, &exec)?;
            runs.push(f);
            last = Some(proof);
        }
        let proof = last.context("no run")?;
        let med = |f: fn(&ProveFigures) -> f64| {
            median(&runs.iter().map(f).collect::<Vec<_>>()).unwrap_or(f64::NAN)
        };
        let mut row = Row {
            txs: n,
            leaves: runs[0].leaves,
            leaf_proofs: runs[0].leaf_proofs,
            leaf_s: med(|f| f.leaf_phase.as_secs_f64()),
            agg_s: med(|f| f.aggregation_phase.as_secs_f64()),
            top_s: med(|f| f.top.as_secs_f64()),
            prove_s: med(|f| f.total.as_secs_f64()),
            tx_per_s: med(ProveFigures::tx_per_s),
            wrap_s: None,
            verify_gas: None,
            commit_gas: None,
            rss_gib: 0.0,
        };
        if let (Some(w), Some(devnet)) = (&wrapper, &devnet) {
            pb.set_message(format!("{n} transfers: wrapping"));
            let t = Instant::now();
            let wrapped = prover.wrap(w, &proof, &|_| {})?;
            row.wrap_s = Some(t.elapsed().as_secs_f64());
            pb.set_message(format!("{n} transfers: L1"));
            let (v, c) = rt.block_on(async {
                let v = devnet.verify_proof_gas(&wrapped).await?;
                // The batch's two account-creating deposits must be queued before the commit.
                devnet
                    .queue_priority_ops(&exec.witnesses.iter().map(|w| w.tx).collect::<Vec<_>>())
                    .await?;
                let c = devnet.commit(&exec, &wrapped).await?;
                anyhow::Ok((v, c))
            })?;
            row.verify_gas = Some(v.gas_used);
            row.commit_gas = Some((c.tx.gas_used, c.tx.execution_gas(), c.blob_gas_used));
        }
        row.rss_gib = peak_rss_bytes().unwrap_or(0) as f64 / (1u64 << 30) as f64;
        pb.finish_and_clear();
        eprintln!("{n} transfers done");
        rows.push(row);
    }
    let rows_per_slot = leaf_rows_per_slot()?;
    let top = prover.batch_prover().top(height)?;
    let elements = 1 + top.capacity.div_ceil(2);
    println!(
        "top step: 2^{} rows for {} records ({} blob elements, {:.1} rows per element; \
         effects SHA-256 {} rows)",
        top.data.common.degree_bits(),
        top.capacity,
        elements,
        top.breakdown.blob as f64 / elements as f64,
        top.breakdown.effects_sha
    );
    print_table(&rows, a.k, height, a.repeat, rows_per_slot);
    Ok(())
}

fn print_table(rows: &[Row], k: usize, height: usize, repeat: u32, rows_per_slot: usize) {
    let opt = |v: Option<String>| v.unwrap_or_else(|| "–".into());
    println!(
        "k = {k} slots per leaf, tree height {height}; leaf rows per transfer {rows_per_slot}; \
         every run proves from scratch (no proof reused); times are the median of {repeat} \
         run(s); peak RSS is the process's so far"
    );
    println!(
        "| transfers | leaves (proven) | leaf phase (s) | aggregation (s) | top (s) | prove (s) | leaf/agg/top share | tx/s | wrap (s) | verifyProof gas (as a tx) | commitBatch gas (excl. calldata) | L1 gas per tx: execution + calldata | blob gas (per tx) | peak RSS (GiB) |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for r in rows {
        let t = r.prove_s.max(f64::MIN_POSITIVE);
        println!(
            "| {} | {} ({}) | {:.1} | {:.1} | {:.1} | {:.1} | {:.0}/{:.0}/{:.0} % | {:.2} | {} | {} | {} | {} | {} | {:.2} |",
            r.txs,
            r.leaves,
            r.leaf_proofs,
            r.leaf_s,
            r.agg_s,
            r.top_s,
            r.prove_s,
            100.0 * r.leaf_s / t,
            100.0 * r.agg_s / t,
            100.0 * r.top_s / t,
            r.tx_per_s,
            opt(r.wrap_s.map(|s| format!("{s:.1}"))),
            opt(r.verify_gas.map(|g| g.to_string())),
            opt(r.commit_gas.map(|(all, exec, _)| format!("{all} ({exec})"))),
            opt(r.commit_gas.map(|(all, exec, _)| {
                let n = r.txs as f64;
                format!(
                    "{:.0} + {:.0}",
                    exec as f64 / n,
                    (all - exec) as f64 / n
                )
            })),
            opt(r.commit_gas.map(|(_, _, blob)| format!(
                "{blob} ({:.0})",
                blob as f64 / r.txs as f64
            ))),
            r.rss_gib
        );
    }
}
