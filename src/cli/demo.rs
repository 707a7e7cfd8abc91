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
    /// Deposits besides the ones that create and fund the accounts (all queued on L1 first,
    /// then consumed by the batch). Funding deposits, deposits and withdrawals are the batch's
    /// L1 effects: at most 16 (formats.md §4.3).
    #[arg(long, default_value_t = 2)]
    pub deposits: usize,
    /// Withdrawals (credited on L1 by the commit, claimable by their L1 addresses).
    #[arg(long, default_value_t = 4)]
    pub withdrawals: usize,
    /// Tx slots per leaf.
    #[arg(long, default_value_t = zkroll::circuits::leaf::DEFAULT_K)]
    pub k: usize,
    /// Aggregation-tree height (capacity k·2^height txs; the default 1 holds 174 txs at the
    /// default k).
    #[arg(long, default_value_t = 1)]
    pub height: usize,
    /// Groth16 key cache (default: $ZKROLL_KEY_CACHE or ~/.cache/zkroll/keys).
    #[arg(long)]
    pub keys: Option<PathBuf>,
    /// Work directory (circuits and proofs are kept and reused there).
    #[arg(long, default_value = "zkroll-demo")]
    pub work_dir: PathBuf,
    /// Accounts the batch creates and funds by its first deposits (account 0 operates).
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u32).range(2..))]
    pub accounts: u32,
    /// Then tell the exodus story on the same L1 (short deadlines): a user's deposit and
    /// forced exit wait, the operator stops, the deadline passes, anyone activates exodus,
    /// the state is rebuilt from L1 alone, an owner exits against a leaf proof, the deposit is
    /// refunded; with a table of gas per step.
    #[arg(long)]
    pub exodus: bool,
    /// Use a development key (the seeded setup, generated and installed on first use):
    /// INSECURE, anyone can forge proofs for it; allowed because the demo deploys only to its
    /// own local anvil (chain id 31337). Without it the installed (ceremony) key is used.
    #[arg(long)]
    pub dev_setup: bool,
}

/// Chain id of the demo's own anvil (its default).
const DEMO_CHAIN_ID: u64 = 31337;
/// Rollup windows of `demo --exodus` (blocks): short, so that anvil reaches them quickly.
const EXODUS_DEADLINE: u64 = 64;

/// Runs `zkroll demo`.
pub fn run(a: DemoArgs) -> anyhow::Result<()> {
    let txs = a.accounts as usize + a.transfers + a.deposits + a.withdrawals;
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

    // 2. L1: anvil, verifier, rollup (empty genesis, anvil account 0 operates).
    let t = Instant::now();
    let toolchain = Toolchain::locate().context("L1 toolchain (run scripts/setup-l1.sh)")?;
    let rt = tokio::runtime::Runtime::new()?;
    let params = |domain: Domain| GenParams {
        txs,
        accounts: a.accounts,
        seed: 2026,
        deposits: a.deposits,
        withdrawals: a.withdrawals,
        full_exits: 0,
        domain,
    };
    // The Rollup starts from the empty tree: the batch's first deposits create the accounts.
    let devnet = if a.exodus {
        rt.block_on(Devnet::start_with(
            &toolchain,
            wrapper.verifying_key(),
            |operator| zkroll::l1::RollupParams {
                operator,
                priority_deadline: EXODUS_DEADLINE,
                operator_window: EXODUS_DEADLINE / 2,
                silence_window: EXODUS_DEADLINE,
            },
        ))?
    } else {
        rt.block_on(Devnet::start(&toolchain, wrapper.verifying_key()))?
    };
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
        exec.old_root == zkroll::circuits::state::StateTree::new().root(),
        "the demo batch must start from the empty tree"
    );
    batch.save(&a.work_dir.join("batch.json"))?;
    rt.block_on(devnet.queue_priority_ops(&batch.txs))?;
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
    println!(
        "  tx:        {} (type 3, one blob: {} records in {} of 4096 elements)",
        report.tx.tx_hash,
        exec.data.records.len(),
        exec.data.used_elements()
    );
    println!(
        "  gas:       {} ({} excluding calldata), blob gas {}",
        report.tx.gas_used,
        report.tx.execution_gas(),
        report.blob_gas_used
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
    if a.exodus {
        rt.block_on(exodus_story(&devnet, &exec, &wrapped))?;
    }
    Ok(())
}

/// Fails unless `r` is an L1 error whose message names the revert `name`.
fn expect_revert<T>(r: Result<T, impl std::fmt::Display>, name: &str) -> anyhow::Result<String> {
    match r {
        Ok(_) => anyhow::bail!("expected the Rollup to refuse with {name}, it accepted"),
        Err(e) if e.to_string().contains(name) => Ok(e.to_string()),
        Err(e) => anyhow::bail!("expected the Rollup to refuse with {name}, got: {e}"),
    }
}

/// `demo --exodus`: after the demo's batch, users can leave without the operator
/// (docs/l1.md "Exodus"). Every refusal the story relies on is checked, not assumed.
async fn exodus_story(
    devnet: &Devnet,
    exec: &zkroll::Execution,
    wrapped: &zkroll::WrappedBatch,
) -> anyhow::Result<()> {
    use alloy::primitives::{Address, U256};
    let mut gas: Vec<(String, u64)> = Vec::new();
    let gwei = U256::from(zkroll::devnet::WEI_PER_UNIT);
    println!();
    println!("exodus: the operator stops after batch 1");
    // A user (anvil account 1) deposits to a new key and asks to exit account 1 (not theirs:
    // a forced exit by a stranger would be a no-op), then the operator goes silent.
    let user = devnet.rollup_as(1)?;
    let user_addr = devnet.account(1).context("anvil account 1")?;
    let key = zkroll::SecretKey::from_seed(&[0xd5; 32]);
    let (queued, _) = devnet.rollup().priority_counters().await?;
    let r = user
        .deposit(
            hash_to_bytes(&key.public_key().pkhash()),
            None,
            gwei * U256::from(5_000_000u64),
        )
        .await?;
    gas.push(("deposit (waits: the operator is gone)".into(), r.gas_used));
    let r = user.request_full_exit(1).await?;
    gas.push(("requestFullExit".into(), r.gas_used));
    expect_revert(
        devnet.rollup().activate_exodus().await,
        "DeadlineNotReached",
    )?;
    println!("  activateExodus before the deadline: refused (DeadlineNotReached)");
    devnet.mine(EXODUS_DEADLINE + 1).await?;
    let r = devnet.rollup_as(2)?.activate_exodus().await?;
    gas.push(("activateExodus (by anyone)".into(), r.gas_used));
    expect_revert(devnet.commit(exec, wrapped).await, "ExodusActive")?;
    println!("  commitBatch in exodus: refused (ExodusActive)");

    // The state from L1 alone.
    let blobs = zkroll::l1::AnvilBlobs::new(devnet.rollup().provider().clone());
    let source = zkroll::sync::RollupSource::new(devnet.rollup(), blobs, 0);
    let st = zkroll::sync::sync(&source, None).await?;
    anyhow::ensure!(
        st.state.root() == exec.new_root,
        "sync rebuilt root {}, the batch committed {}",
        st.root_hex(),
        to_hex(&hash_to_bytes(&exec.new_root))
    );
    println!(
        "  sync: state rebuilt from L1 ({} batch, {} accounts), root matches",
        st.batch,
        st.state.len()
    );
    zkroll::exodus::check_current(
        &st,
        devnet.rollup().batch_number().await?,
        devnet.rollup().state_root().await?,
    )?;

    // The richest account exits; a forged leaf and a second exit are refused.
    let (account, _) = st
        .state
        .accounts()
        .max_by_key(|(_, a)| a.balance)
        .context("no account")?;
    let p = zkroll::exodus::exit_proof(&st, account)?;
    let leaf = p.leaf();
    let forged = zkroll::l1::ExitLeaf {
        balance: p.balance + 1,
        ..leaf
    };
    expect_revert(
        devnet.rollup().exodus_exit(&forged, &p.siblings).await,
        "InvalidLeafProof",
    )?;
    println!("  exit with a forged balance: refused (InvalidLeafProof)");
    let owner = Address::from(p.owner);
    let before = devnet.balance(owner).await? + devnet.rollup().claimable(owner).await?;
    let r = devnet.rollup_as(3)?.exodus_exit(&leaf, &p.siblings).await?;
    gas.push((
        format!("exodusExit (account {account}, sent by anyone)"),
        r.gas_used,
    ));
    let after = devnet.balance(owner).await? + devnet.rollup().claimable(owner).await?;
    anyhow::ensure!(
        after - before == U256::from(p.balance) * gwei,
        "the owner received {} wei, expected {} gwei",
        after - before,
        p.balance
    );
    println!(
        "  account {account}: {} gwei paid to its owner {owner}",
        p.balance
    );
    expect_revert(
        devnet.rollup().exodus_exit(&leaf, &p.siblings).await,
        "ExitAlreadyDone",
    )?;
    println!("  second exit of account {account}: refused (ExitAlreadyDone)");

    // The deposit that never made it into a batch goes back to its sender.
    let before = devnet.balance(user_addr).await?;
    let r = devnet.rollup_as(4)?.refund_deposit(queued).await?;
    gas.push(("refundDeposit".into(), r.gas_used));
    let after = devnet.balance(user_addr).await? + devnet.rollup().claimable(user_addr).await?;
    anyhow::ensure!(
        after - before == gwei * U256::from(5_000_000u64),
        "the depositor got {} wei back",
        after - before
    );
    expect_revert(
        devnet.rollup().refund_deposit(queued).await,
        "RefundAlreadyDone",
    )?;
    println!("  unprocessed deposit refunded to {user_addr} (a second refund is refused)");
    println!();
    println!("| exodus step | gas |");
    println!("|---|---|");
    for (step, g) in &gas {
        println!("| {step} | {g} |");
    }
    Ok(())
}
