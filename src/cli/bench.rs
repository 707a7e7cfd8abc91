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
use zkroll::bench::{measure_execution, peak_rss_bytes, transfer_batch};
use zkroll::circuits::encoding::hash_to_bytes;
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
    /// Work directory for cached circuits (proofs are not reused: every size is proven).
    #[arg(long)]
    pub work_dir: Option<PathBuf>,
}

/// One row of the table.
struct Row {
    txs: usize,
    leaves: usize,
    leaf_s: f64,
    agg_s: f64,
    top_s: f64,
    prove_s: f64,
    tx_per_s: f64,
    wrap_s: Option<f64>,
    verify_gas: Option<u64>,
    commit_gas: Option<(u64, u64)>,
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
        // The genesis root does not depend on the signing domain.
        let genesis = zkroll::execute(&transfer_batch(
            n,
            Domain {
                chain_id: 0,
                rollup: [0; 20],
            },
        )?)?
        .old_root;
        let devnet = match (&toolchain, &wrapper) {
            (Some(tc), Some(w)) => Some(rt.block_on(Devnet::start(
                tc,
                w.verifying_key(),
                hash_to_bytes(&genesis),
            ))?),
            _ => None,
        };
        let domain = devnet.as_ref().map(Devnet::domain).unwrap_or(Domain {
            chain_id: 31337,
            rollup: [0; 20],
        });
        let exec = zkroll::execute(&transfer_batch(n, domain)?)?;
        pb.set_message(format!("{n} transfers: proving"));
        let (proof, f) = measure_execution(&prover, &exec)?;
        let mut row = Row {
            txs: n,
            leaves: f.leaves,
            leaf_s: f.leaf_phase.as_secs_f64(),
            agg_s: f.aggregation_phase.as_secs_f64(),
            top_s: f.top.as_secs_f64(),
            prove_s: f.total.as_secs_f64(),
            tx_per_s: f.tx_per_s(),
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
                let c = devnet.commit(&exec, &wrapped).await?;
                anyhow::Ok((v, c))
            })?;
            row.verify_gas = Some(v.gas_used);
            row.commit_gas = Some((c.gas_used, c.execution_gas()));
        }
        row.rss_gib = peak_rss_bytes().unwrap_or(0) as f64 / (1u64 << 30) as f64;
        pb.finish_and_clear();
        eprintln!("{n} transfers done");
        rows.push(row);
    }
    print_table(&rows, a.k, height);
    Ok(())
}

fn print_table(rows: &[Row], k: usize, height: usize) {
    let opt = |v: Option<String>| v.unwrap_or_else(|| "–".into());
    println!("k = {k} slots per leaf, tree height {height}; peak RSS is the process's so far");
    println!(
        "| transfers | leaves | leaf phase (s) | aggregation (s) | top (s) | prove (s) | tx/s | wrap (s) | verifyProof gas (as a tx) | commitBatch gas (excl. calldata) | peak RSS (GiB) |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    for r in rows {
        println!(
            "| {} | {} | {:.1} | {:.1} | {:.1} | {:.1} | {:.2} | {} | {} | {} | {:.2} |",
            r.txs,
            r.leaves,
            r.leaf_s,
            r.agg_s,
            r.top_s,
            r.prove_s,
            r.tx_per_s,
            opt(r.wrap_s.map(|s| format!("{s:.1}"))),
            opt(r.verify_gas.map(|g| g.to_string())),
            opt(r.commit_gas.map(|(all, exec)| format!("{all} ({exec})"))),
            r.rss_gib
        );
    }
}
