//! `zkroll demo`: the whole pipeline on a fresh machine with embedded defaults — a batch of
//! signed transfers, deposits and withdrawals → leaf proofs → aggregation → top proof →
//! Groth16 wrap → local anvil L1 (verifier + rollup deployed, deposits queued) → commitBatch.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use alloy::primitives::U256;
use anyhow::Context;
use clap::Args;
use zkroll::circuits::encoding::{hash_to_bytes, to_hex};
use zkroll::gen::{generate, GenParams};
use zkroll::l1::{
    anvil_provider, deploy_rollup, deploy_verifier, proof_words, spawn_anvil, Toolchain,
};
use zkroll::{Domain, Tx};

/// Arguments of `zkroll demo` (all optional).
#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Signed transfers in the batch.
    #[arg(long, default_value_t = 64)]
    pub transfers: usize,
    /// Deposits (queued on L1 first, then consumed by the batch).
    #[arg(long, default_value_t = 8)]
    pub deposits: usize,
    /// Withdrawals (paid out on L1 after the commit).
    #[arg(long, default_value_t = 8)]
    pub withdrawals: usize,
    /// Tx slots per leaf.
    #[arg(long, default_value_t = zkroll::circuits::leaf::DEFAULT_K)]
    pub k: usize,
    /// Aggregation-tree height (capacity k·2^height txs).
    #[arg(long, default_value_t = 3)]
    pub height: usize,
    /// Groth16 key cache (default: $ZKROLL_KEY_CACHE or ~/.cache/zkroll/keys).
    #[arg(long)]
    pub keys: Option<PathBuf>,
    /// Work directory (circuits and proofs are kept and reused there).
    #[arg(long, default_value = "zkroll-demo")]
    pub work_dir: PathBuf,
}

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
    let r = super::wrap::deployment(a.k, a.height, Some(a.work_dir.clone()), &a.keys, &pb);
    pb.finish_and_clear();
    let (prover, wrapper) = r?;
    times.push(("circuits + Groth16 keys", t.elapsed()));
    eprintln!(
        "[1/5] circuits and keys ready ({:.1} s)",
        t.elapsed().as_secs_f64()
    );

    // 2. L1: anvil, verifier, rollup at the batch's genesis root.
    let t = Instant::now();
    let toolchain = Toolchain::locate().context("L1 toolchain (run scripts/setup-l1.sh)")?;
    let anvil = spawn_anvil(&toolchain)?;
    let rt = tokio::runtime::Runtime::new()?;
    let params = |rollup: [u8; 20]| GenParams {
        txs,
        accounts: 32,
        seed: 2026,
        deposits: a.deposits,
        withdrawals: a.withdrawals,
        domain: Domain {
            chain_id: anvil.chain_id(),
            rollup,
        },
    };
    let genesis = zkroll::execute(&generate(&params([0; 20]), |_| {})?)?.old_root;
    let (rollup, deploy_gas) = rt.block_on(async {
        let provider = anvil_provider(&anvil, 0)?;
        let (verifier, v) = deploy_verifier(&provider, &toolchain, wrapper.verifying_key()).await?;
        let (rollup, r) =
            deploy_rollup(&provider, &toolchain, verifier, hash_to_bytes(&genesis)).await?;
        anyhow::Ok((rollup, v.gas_used + r.gas_used))
    })?;
    times.push(("anvil + deploy", t.elapsed()));
    eprintln!(
        "[2/5] anvil at {}, rollup {} deployed ({deploy_gas} gas)",
        anvil.endpoint(),
        rollup.address()
    );

    // 3. The batch, signed for this chain and rollup; its deposits queued on L1 in order.
    let t = Instant::now();
    let batch = generate(&params(rollup.address().into_array()), |_| {})?;
    let exec = zkroll::execute(&batch)?;
    anyhow::ensure!(
        exec.old_root == genesis,
        "genesis depends on the rollup address"
    );
    batch.save(&a.work_dir.join("batch.json"))?;
    rt.block_on(async {
        for tx in &batch.txs {
            if let Tx::Deposit(d) = tx {
                let wei = U256::from(d.amount) * U256::from(1_000_000_000u64);
                rollup.deposit(&d.pubkey.to_bytes(), wei).await?;
            }
        }
        anyhow::Ok(())
    })?;
    times.push(("batch + L1 deposits", t.elapsed()));
    let c = exec.counts;
    eprintln!(
        "[3/5] batch: {} transfers, {} deposits (queued on L1), {} withdrawals",
        c.transfers, c.deposits, c.withdrawals
    );

    // 4. Prove and wrap.
    let t = Instant::now();
    let pb = super::progress_bar(None, "proving");
    let proof = prover.prove_execution(&exec);
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
    times.push(("wrap (shrink + Groth16)", t.elapsed()));
    eprintln!(
        "[5/5] Groth16 proof ready ({:.1} s)",
        t.elapsed().as_secs_f64()
    );

    // 5. Submit.
    let t = Instant::now();
    let g16 = zkroll::aggregator::groth16::proof_from_bytes(&wrapped.proof)?;
    let new_root = hash_to_bytes(&exec.new_root);
    let (report, on_chain) = rt.block_on(async {
        let r = rollup
            .commit_batch(&exec.pubdata, new_root, proof_words(&g16))
            .await?;
        anyhow::Ok((r, rollup.state_root().await?))
    })?;
    anyhow::ensure!(
        on_chain == new_root,
        "the rollup's root did not move to the new root"
    );
    times.push(("commitBatch on L1", t.elapsed()));

    println!("batch accepted on L1");
    println!("  tx:        {}", report.tx_hash);
    println!(
        "  gas:       {} ({} excluding calldata)",
        report.gas_used,
        report.execution_gas()
    );
    println!("  new root:  {}", to_hex(&new_root));
    println!("  digest:    {}", to_hex(&wrapped.digest));
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
