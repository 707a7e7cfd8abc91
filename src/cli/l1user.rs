//! The user's L1 verbs: `zkroll deposit`, `request-exit`, `activate-exodus`, `exit`,
//! `refund` and `sync` — thin wrappers over [`zkroll::l1::RollupClient`], [`zkroll::sync`]
//! and [`zkroll::exodus`].

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use alloy::primitives::{Address, U256};
use alloy::signers::local::PrivateKeySigner;
use anyhow::Context;
use clap::Args;
use zkroll::circuits::encoding::{from_hex_array, hash_from_bytes, hash_to_bytes, to_hex};
use zkroll::circuits::schnorr::PublicKey;
use zkroll::exodus::{check_current, exit_proof};
use zkroll::l1::{connect_checked, RollupClient};
use zkroll::sync::{sync, RollupSource, SyncState};

/// How long one RPC request may take before the verb fails naming the node.
const RPC_TIMEOUT: Duration = Duration::from_secs(20);
/// Wei per gwei (L2 unit).
const GWEI: u64 = 1_000_000_000;

/// Where the Rollup is and who signs.
#[derive(Args, Debug)]
pub struct L1Args {
    /// JSON-RPC endpoint of the L1 node.
    #[arg(long)]
    pub rpc: String,
    /// Address of the Rollup contract.
    #[arg(long)]
    pub rollup: String,
    /// Private key of the sending account (hex); default: $ZKROLL_PRIVATE_KEY.
    #[arg(long, env = "ZKROLL_PRIVATE_KEY", hide_env_values = true)]
    pub private_key: String,
}

impl L1Args {
    async fn client(&self) -> anyhow::Result<RollupClient> {
        let signer = PrivateKeySigner::from_str(self.private_key.trim_start_matches("0x"))
            .context("--private-key / $ZKROLL_PRIVATE_KEY: not a secp256k1 private key")?;
        client(&self.rpc, &self.rollup, signer).await
    }
}

async fn client(rpc: &str, rollup: &str, signer: PrivateKeySigner) -> anyhow::Result<RollupClient> {
    let rollup = Address::from_str(rollup).context("--rollup: not an address")?;
    let provider = connect_checked(rpc, signer, RPC_TIMEOUT).await?;
    Ok(RollupClient::new(provider, rollup))
}

/// Arguments of `zkroll deposit`.
#[derive(Args, Debug)]
pub struct DepositArgs {
    #[command(flatten)]
    pub l1: L1Args,
    /// The account's Schnorr public key (40 bytes hex); must be a valid key.
    #[arg(long, conflicts_with = "pkhash", required_unless_present = "pkhash")]
    pub pubkey: Option<String>,
    /// The account's key hash (32 bytes hex), sent as is: if no key hashes to it, the account
    /// can never sign and its funds only leave by a forced exit to its owner.
    #[arg(long)]
    pub pkhash: Option<String>,
    /// Amount in gwei (L2 units), below 2^56.
    #[arg(long)]
    pub amount: u64,
    /// L1 owner of the account (receives its forced or exodus exit); default: the sender.
    #[arg(long)]
    pub owner: Option<String>,
}

/// Runs `zkroll deposit`.
pub fn run_deposit(a: DepositArgs) -> anyhow::Result<()> {
    let pkhash = match (&a.pubkey, &a.pkhash) {
        (Some(pk), _) => {
            let b: [u8; 40] = from_hex_array(pk).map_err(|e| anyhow::anyhow!("--pubkey: {e}"))?;
            let key = PublicKey::from_bytes(&b).map_err(|e| anyhow::anyhow!("--pubkey: {e}"))?;
            hash_to_bytes(&key.pkhash())
        }
        (None, Some(h)) => {
            let b: [u8; 32] = from_hex_array(h).map_err(|e| anyhow::anyhow!("--pkhash: {e}"))?;
            hash_from_bytes(&b).map_err(|limb| {
                anyhow::anyhow!("--pkhash: limb {limb} is not a canonical Goldilocks element")
            })?;
            b
        }
        (None, None) => anyhow::bail!("give --pubkey or --pkhash"),
    };
    anyhow::ensure!(a.amount > 0, "--amount: must be positive");
    anyhow::ensure!(a.amount < 1 << 56, "--amount: must be below 2^56 gwei");
    let owner = a
        .owner
        .as_deref()
        .map(Address::from_str)
        .transpose()
        .context("--owner: not an address")?;
    let wei = U256::from(a.amount) * U256::from(GWEI);
    let rt = tokio::runtime::Runtime::new()?;
    let r = rt.block_on(async {
        a.l1.client()
            .await?
            .deposit(pkhash, owner, wei)
            .await
            .map_err(anyhow::Error::from)
    })?;
    println!("deposit queued: tx {}", r.tx_hash);
    println!("  pkhash:  {}", to_hex(&pkhash));
    println!("  amount:  {} gwei", a.amount);
    println!("  gas:     {}", r.gas_used);
    Ok(())
}

/// Arguments of `zkroll request-exit`.
#[derive(Args, Debug)]
pub struct RequestExitArgs {
    #[command(flatten)]
    pub l1: L1Args,
    /// The L2 account to exit (its whole balance goes to its owner if the sender owns it;
    /// otherwise the request is consumed as a no-op).
    #[arg(long)]
    pub account: u32,
}

/// Runs `zkroll request-exit`.
pub fn run_request_exit(a: RequestExitArgs) -> anyhow::Result<()> {
    let rt = tokio::runtime::Runtime::new()?;
    let r = rt.block_on(async {
        a.l1.client()
            .await?
            .request_full_exit(a.account)
            .await
            .map_err(anyhow::Error::from)
    })?;
    println!(
        "forced exit of account {} queued: tx {}",
        a.account, r.tx_hash
    );
    println!("  gas:     {}", r.gas_used);
    Ok(())
}

/// Arguments of `zkroll activate-exodus`.
#[derive(Args, Debug)]
pub struct ActivateExodusArgs {
    #[command(flatten)]
    pub l1: L1Args,
}

/// Runs `zkroll activate-exodus`.
pub fn run_activate_exodus(a: ActivateExodusArgs) -> anyhow::Result<()> {
    let rt = tokio::runtime::Runtime::new()?;
    let r = rt.block_on(async {
        a.l1.client()
            .await?
            .activate_exodus()
            .await
            .map_err(anyhow::Error::from)
    })?;
    println!("exodus mode active: tx {} ({} gas)", r.tx_hash, r.gas_used);
    Ok(())
}

/// Arguments of `zkroll exit`.
#[derive(Args, Debug)]
pub struct ExitArgs {
    #[command(flatten)]
    pub l1: L1Args,
    /// State rebuilt from L1 by `zkroll sync` (must be at the Rollup's last batch).
    #[arg(long)]
    pub snapshot: PathBuf,
    /// The account whose balance is paid to its L1 owner.
    #[arg(long)]
    pub account: u32,
}

/// Runs `zkroll exit`: the exodus withdrawal of one account.
pub fn run_exit(a: ExitArgs) -> anyhow::Result<()> {
    let st = SyncState::load(&a.snapshot)?;
    let rt = tokio::runtime::Runtime::new()?;
    let (proof, r) = rt.block_on(async {
        let c = a.l1.client().await?;
        anyhow::ensure!(
            st.rollup == c.address().into_array(),
            "{} is the state of rollup 0x{}, not {}",
            a.snapshot.display(),
            hex::encode(st.rollup),
            c.address()
        );
        anyhow::ensure!(
            c.exodus_active().await?,
            "the Rollup is not in exodus mode: exits open once `zkroll activate-exodus` succeeds \
             (when a priority operation is past its deadline)"
        );
        anyhow::ensure!(
            !c.exit_done(a.account).await?,
            "account {} has already exited",
            a.account
        );
        check_current(&st, c.batch_number().await?, c.state_root().await?)?;
        let p = exit_proof(&st, a.account)?;
        let r = c.exodus_exit(&p.leaf(), &p.siblings).await?;
        anyhow::Ok((p, r))
    })?;
    println!(
        "account {} exited: {} gwei paid to {}",
        proof.account,
        proof.balance,
        Address::from(proof.owner)
    );
    println!("  tx:      {}", r.tx_hash);
    println!("  gas:     {}", r.gas_used);
    Ok(())
}

/// Arguments of `zkroll refund`.
#[derive(Args, Debug)]
pub struct RefundArgs {
    #[command(flatten)]
    pub l1: L1Args,
    /// Priority-queue index of an unprocessed deposit (refunded to its sender in exodus).
    #[arg(long)]
    pub index: u64,
}

/// Runs `zkroll refund`.
pub fn run_refund(a: RefundArgs) -> anyhow::Result<()> {
    let rt = tokio::runtime::Runtime::new()?;
    let r = rt.block_on(async {
        a.l1.client()
            .await?
            .refund_deposit(a.index)
            .await
            .map_err(anyhow::Error::from)
    })?;
    println!(
        "deposit {} refunded: tx {} ({} gas)",
        a.index, r.tx_hash, r.gas_used
    );
    Ok(())
}

/// Arguments of `zkroll sync`.
#[derive(Args, Debug)]
pub struct SyncArgs {
    /// JSON-RPC endpoint of the L1 node.
    #[arg(long)]
    pub rpc: String,
    /// Address of the Rollup contract.
    #[arg(long)]
    pub rollup: String,
    /// The sync state file: resumed from if it exists, then rewritten atomically.
    #[arg(short, long, default_value = "state.snapshot")]
    pub output: PathBuf,
}

/// Runs `zkroll sync`: rebuilds the L2 state from L1 alone (reads only, signs nothing).
pub fn run_sync(a: SyncArgs) -> anyhow::Result<()> {
    let resume = if a.output.exists() {
        Some(SyncState::load(&a.output)?)
    } else {
        None
    };
    let name = a.output.display().to_string();
    let pb = super::progress_bar(None, "reading committed batches from L1");
    let rt = tokio::runtime::Runtime::new()?;
    let r = rt.block_on(async {
        // Reading signs nothing: any key will do.
        let c = client(&a.rpc, &a.rollup, PrivateKeySigner::random()).await?;
        let from = resume.as_ref().map_or(0, |s| s.block);
        let before = resume.as_ref().map_or(0, |s| s.batch);
        let blobs = zkroll::l1::blob::AnvilBlobs::new(c.provider().clone());
        let st = sync(
            &RollupSource::new(&c, blobs, from),
            resume.map(|s| (s, name.as_str())),
        )
        .await?;
        anyhow::ensure!(
            st.batch == c.batch_number().await?,
            "the Rollup committed more batches while syncing: run again"
        );
        anyhow::Ok((st, before))
    });
    pb.finish_and_clear();
    let (st, before) = r?;
    st.save(&a.output)?;
    println!(
        "synced {} batch(es) (now at batch {}), {} accounts, root {}",
        st.batch - before,
        st.batch,
        st.state.len(),
        st.root_hex()
    );
    println!("  written: {}", a.output.display());
    Ok(())
}
