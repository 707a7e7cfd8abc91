//! `zkroll demo`: the whole pipeline on a fresh machine with embedded defaults — a batch of
//! signed transfers, deposits and withdrawals → leaf proofs → aggregation → top proof →
//! Groth16 wrap → local anvil L1 (verifier + rollup deployed, deposits queued) → commitBatch.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;
use zkroll::aggregator::groth16::policy;
use zkroll::circuits::encoding::{hash_to_bytes, to_hex};
use zkroll::devnet::Devnet;
use zkroll::gen::{generate, GenParams};
use zkroll::l1::Toolchain;
use zkroll::{Domain, KeySource};

/// Arguments of `zkroll demo` (all optional).
#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Signed transfers in the batch.
    #[arg(long, default_value_t = 64)]
    pub transfers: usize,
    /// Deposits (queued on L1 first, then consumed by the batch).
    #[arg(long, default_value_t = 8)]
    pub deposits: usize,
    /// Withdrawals (credited on L1 by the commit, claimable by their L1 addresses).
    #[arg(long, default_value_t = 8)]
    pub withdrawals: usize,
    /// Tx slots per leaf.
    #[arg(long, default_value_t = zkroll::circuits::leaf::DEFAULT_K)]
    pub k: usize,
    /// Aggregation-tree height (capacity k·2^height txs; the default 2 holds 140 txs at the
    /// default k).
    #[arg(long, default_value_t = 2)]
    pub height: usize,
    /// Groth16 key cache (default: $ZKROLL_KEY_CACHE or ~/.cache/zkroll/keys).
    #[arg(long)]
    pub keys: Option<PathBuf>,
    /// Work directory (circuits and proofs are kept and reused there).
    #[arg(long, default_value = "zkroll-demo")]
    pub work_dir: PathBuf,
    /// Use a development key (the seeded setup, generated and installed on first use):
    /// INSECURE, anyone can forge proofs for it; allowed because the demo deploys only to its
    /// own local anvil (chain id 31337). Without it the installed (ceremony) key is used.
    #[arg(long)]
    pub dev_setup: bool,
}

/// Chain id of the demo's own anvil (its default).
const DEMO_CHAIN_ID: u64 = 31337;

/// Runs `zkroll demo`.
pub fn run(a: DemoArgs) -> anyhow::Result<()> {
    let txs = a.transfers + a.deposits + a.withdrawals;
    anyhow::ensure!(
        txs <= a.k << a.height,
        "{txs} txs do not fit k·2^height = {}",
        a.k << a.height
    );
    let mut times: Vec<(&str, Duration)> = Vec::new();
    let total = Instant::now();
    std::fs::create_dir_all(&a.work_dir)?;

    // 1. Circuits and keys (cached after the first run).
    let t = Instant::now();
    let pb = super::progress_bar(None, "circuits");
    let source = if a.dev_setup {
        KeySource::DevSetup
    } else {
        KeySource::Installed
    };
    let r = super::wrap::deployment(
        a.k,
        a.height,
        Some(a.work_dir.clone()),
        &a.keys,
        source,
        &pb,
    );
    pb.finish_and_clear();
    let (prover, wrapper) = r?;
    let is_dev = wrapper.is_dev_key();
    policy::check_deployable(
        wrapper.circuit_id(),
        is_dev,
        a.dev_setup,
        Some(DEMO_CHAIN_ID),
    )?;
    if is_dev {
        eprintln!("{}", policy::DEV_KEY_WARNING);
    }
    times.push(("circuits + Groth16 keys", t.elapsed()));
    eprintln!(
        "[1/5] circuits and keys ready ({:.1} s)",
        t.elapsed().as_secs_f64()
    );

    // 2. L1: anvil, verifier, rollup at the batch's genesis root.
    let t = Instant::now();
    let toolchain = Toolchain::locate().context("L1 toolchain (run scripts/setup-l1.sh)")?;
    let rt = tokio::runtime::Runtime::new()?;
    let params = |domain: Domain| GenParams {
        txs,
        accounts: 32,
        seed: 2026,
        deposits: a.deposits,
        withdrawals: a.withdrawals,
        domain,
    };
    // The genesis state does not depend on the signing domain.
    let genesis = zkroll::execute(&generate(
        &params(Domain {
            chain_id: 0,
            rollup: [0; 20],
        }),
        |_| {},
    )?)?
    .old_root;
    let devnet = rt.block_on(Devnet::start(
        &toolchain,
        wrapper.verifying_key(),
        hash_to_bytes(&genesis),
    ))?;
    anyhow::ensure!(
        devnet.domain().chain_id == DEMO_CHAIN_ID,
        "the demo's anvil runs chain id {}, not {DEMO_CHAIN_ID}",
        devnet.domain().chain_id
    );
    times.push(("anvil + deploy", t.elapsed()));
    eprintln!(
        "[2/5] anvil at {}, rollup {} deployed ({} gas)",
        devnet.endpoint(),
        devnet.rollup().address(),
        devnet.deploy_gas
    );

    // 3. The batch, signed for this chain and rollup; its deposits queued on L1 in order.
    let t = Instant::now();
    let batch = generate(&params(devnet.domain()), |_| {})?;
    let exec = zkroll::execute(&batch)?;
    anyhow::ensure!(
        exec.old_root == genesis,
        "genesis depends on the rollup address"
    );
    batch.save(&a.work_dir.join("batch.json"))?;
    rt.block_on(devnet.queue_deposits(&batch.txs))?;
    times.push(("batch + L1 deposits", t.elapsed()));
    let c = exec.counts;
    eprintln!(
        "[3/5] batch: {} transfers, {} deposits (queued on L1), {} withdrawals",
        c.transfers, c.deposits, c.withdrawals
    );

    // 4. Prove and wrap.
    let t = Instant::now();
    let pb = super::progress_bar(Some(1), "proving");
    let proof = prover
        .with_progress(super::prove::tree_progress(pb.clone()))
        .and_then(|p| p.prove_execution(&exec));
    pb.finish_and_clear();
    let proof = proof.context("proving")?;
    zkroll::write_atomic(&a.work_dir.join("batch.proof"), &proof.to_bytes()?)?;
    times.push(("prove (leaves, aggregation, top)", t.elapsed()));
    eprintln!("[4/5] batch proved ({:.1} s)", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let pb = super::progress_bar(None, "wrapping");
    let wrapped = prover.wrap(&wrapper, &proof, &super::wrap::stage_printer(&pb));
    pb.finish_and_clear();
    let wrapped = wrapped.context("wrapping")?;
    zkroll::write_atomic(&a.work_dir.join("batch.g16"), &wrapped.to_bytes())?;
    super::wrap::export_snarkjs(&a.work_dir.join("snarkjs"), &wrapper, &wrapped)?;
    times.push(("wrap (shrink + Groth16)", t.elapsed()));
    eprintln!(
        "[5/5] Groth16 proof ready ({:.1} s)",
        t.elapsed().as_secs_f64()
    );

    // 5. Submit.
    let t = Instant::now();
    let report = rt.block_on(devnet.commit(&exec, &wrapped))?;
    let new_root = hash_to_bytes(&exec.new_root);
    let mut recipients: Vec<[u8; 20]> = batch
        .txs
        .iter()
        .filter_map(|tx| match tx {
            zkroll::Tx::Withdraw(w) => Some(w.l1_address),
            _ => None,
        })
        .collect();
    recipients.sort_unstable();
    recipients.dedup();
    let mut claimable = alloy::primitives::U256::ZERO;
    for r in &recipients {
        claimable += rt.block_on(
            devnet
                .rollup()
                .claimable(alloy::primitives::Address::from(*r)),
        )?;
    }
    times.push(("commitBatch on L1", t.elapsed()));

    println!("batch accepted on L1");
    println!("  tx:        {}", report.tx_hash);
    println!(
        "  gas:       {} ({} excluding calldata)",
        report.gas_used,
        report.execution_gas()
    );
    println!("  new root:  {}", to_hex(&new_root));
    println!(
        "  withdrawn: {claimable} wei claimable on L1 by {} address(es)",
        recipients.len()
    );
    println!("  digest:    {}", to_hex(&wrapped.digest));
    println!(
        "  vk hash:   {} ({})",
        to_hex(&wrapped.vk_hash),
        wrapper.key_record().provenance
    );
    println!(
        "  files:     {}/{{batch.json, batch.proof, batch.g16, snarkjs/}}",
        a.work_dir.display()
    );
    println!();
    println!("| stage | seconds |");
    println!("|---|---|");
    for (name, d) in &times {
        println!("| {name} | {:.1} |", d.as_secs_f64());
    }
    println!("| **total** | **{:.1}** |", total.elapsed().as_secs_f64());
    if let Some(rss) = zkroll::bench::peak_rss_bytes() {
        println!("peak RSS: {:.2} GiB", rss as f64 / (1u64 << 30) as f64);
    }
    Ok(())
}
