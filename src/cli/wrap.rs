//! `zkroll wrap`, `zkroll export-verifier`, `zkroll deploy`, `zkroll submit`, and Groth16
//! `zkroll verify`.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use alloy::primitives::Address;
use alloy::signers::local::PrivateKeySigner;
use anyhow::Context;
use clap::Args;
use zkroll::circuits::encoding::{from_hex_array, hash_from_bytes, hash_to_bytes, to_hex};
use zkroll::l1::{
    connect, deploy_rollup, deploy_verifier, proof_words, verifier_solidity, RollupClient,
    Toolchain,
};
use zkroll::{
    Batch, KeyCache, ProveOptions, RollupProof, RollupProver, WrapStage, WrappedBatch, Wrapper,
};

/// Arguments of `zkroll wrap`.
#[derive(Args, Debug)]
pub struct WrapArgs {
    /// A proof written by `zkroll prove`.
    pub proof: PathBuf,
    /// Where to write the Groth16 proof (atomically).
    #[arg(short, long, default_value = "batch.g16")]
    pub output: PathBuf,
    /// Groth16 key cache (default: $ZKROLL_KEY_CACHE or ~/.cache/zkroll/keys).
    #[arg(long)]
    pub keys: Option<PathBuf>,
    /// Work directory of `zkroll prove` (its cached circuits are reused).
    #[arg(long)]
    pub work_dir: Option<PathBuf>,
    /// Also write snarkjs' `verification_key.json`, `proof.json`, `public.json` into DIR
    /// (check with `snarkjs groth16 verify`).
    #[arg(long, value_name = "DIR")]
    pub snarkjs: Option<PathBuf>,
}

/// A deployment `(k, height)` and where its circuits and keys are cached.
#[derive(Args, Debug)]
pub struct DeploymentArgs {
    /// Tx slots per leaf of the deployment.
    #[arg(long, default_value_t = zkroll::circuits::leaf::DEFAULT_K)]
    pub k: usize,
    /// Aggregation-tree height of the deployment.
    #[arg(long, default_value_t = zkroll::DEFAULT_HEIGHT)]
    pub height: usize,
    /// Groth16 key cache (default: $ZKROLL_KEY_CACHE or ~/.cache/zkroll/keys).
    #[arg(long)]
    pub keys: Option<PathBuf>,
    /// Work directory for cached circuits.
    #[arg(long)]
    pub work_dir: Option<PathBuf>,
}

impl DeploymentArgs {
    /// The prover and wrapper of this deployment (see [`deployment`]).
    fn load(&self, pb: &indicatif::ProgressBar) -> anyhow::Result<(RollupProver, Wrapper)> {
        deployment(self.k, self.height, self.work_dir.clone(), &self.keys, pb)
    }
}

/// Arguments of `zkroll export-verifier`.
#[derive(Args, Debug)]
pub struct ExportArgs {
    /// Where to write the Solidity verifier.
    #[arg(short, long, default_value = "Verifier.sol")]
    pub output: PathBuf,
    /// The deployment.
    #[command(flatten)]
    pub deployment: DeploymentArgs,
}

/// Arguments of `zkroll deploy`.
#[derive(Args, Debug)]
pub struct DeployArgs {
    /// State root the rollup starts from (0x hex, 32 bytes: `zkroll execute`'s old root of
    /// the first batch).
    #[arg(long)]
    pub genesis_root: String,
    /// JSON-RPC endpoint of the L1 node.
    #[arg(long, default_value = "http://127.0.0.1:8545")]
    pub rpc: String,
    /// The deployment.
    #[command(flatten)]
    pub deployment: DeploymentArgs,
    /// Private key of the deploying account (hex); default: $ZKROLL_PRIVATE_KEY.
    #[arg(long, env = "ZKROLL_PRIVATE_KEY", hide_env_values = true)]
    pub private_key: String,
}

/// Arguments of `zkroll submit`.
#[derive(Args, Debug)]
pub struct SubmitArgs {
    /// A Groth16 proof written by `zkroll wrap`.
    pub proof: PathBuf,
    /// The batch file it proves (its pubdata and new root are sent as calldata).
    #[arg(long)]
    pub batch: PathBuf,
    /// JSON-RPC endpoint of the L1 node.
    #[arg(long, default_value = "http://127.0.0.1:8545")]
    pub rpc: String,
    /// Address of the Rollup contract.
    #[arg(long)]
    pub rollup: String,
    /// Private key of the submitting account (hex); default: $ZKROLL_PRIVATE_KEY.
    #[arg(long, env = "ZKROLL_PRIVATE_KEY", hide_env_values = true)]
    pub private_key: String,
}

pub(crate) fn key_cache(dir: &Option<PathBuf>) -> KeyCache {
    KeyCache::new(dir.clone().unwrap_or_else(KeyCache::default_dir))
}

/// A spinner that shows the wrap stage.
pub(crate) fn stage_printer(pb: &indicatif::ProgressBar) -> impl Fn(WrapStage) + '_ {
    move |s| {
        pb.set_message(match s {
            WrapStage::BuildShrink => "building the shrink circuits",
            WrapStage::Keys => "loading Groth16 keys (first use: seeded setup, minutes)",
            WrapStage::Shrink => "proving the shrink layers",
            WrapStage::Groth16 => "Groth16: witness and proof",
        })
    }
}

/// The prover and wrapper of a deployment `(k, height)`.
pub(crate) fn deployment(
    k: usize,
    height: usize,
    work_dir: Option<PathBuf>,
    keys: &Option<PathBuf>,
    pb: &indicatif::ProgressBar,
) -> anyhow::Result<(RollupProver, Wrapper)> {
    pb.set_message("building prover circuits");
    let prover = RollupProver::new(ProveOptions {
        k,
        height: Some(height),
        work_dir,
        ..ProveOptions::default()
    })?;
    let (wrapper, outcome) = prover.wrapper(
        height,
        &key_cache(keys),
        zkroll::KeySource::DevSetup,
        &stage_printer(pb),
    )?;
    tracing::info!(?outcome, circuit = wrapper.circuit_id(), "Groth16 keys");
    Ok((prover, wrapper))
}

/// Runs `zkroll wrap`.
pub fn run_wrap(a: WrapArgs) -> anyhow::Result<()> {
    let bytes =
        std::fs::read(&a.proof).with_context(|| format!("reading {}", a.proof.display()))?;
    let proof = RollupProof::from_bytes(&bytes)?;
    let t = std::time::Instant::now();
    let pb = super::progress_bar(None, "wrapping");
    let (prover, wrapper) = deployment(
        proof.k as usize,
        proof.batch.height as usize,
        a.work_dir.clone(),
        &a.keys,
        &pb,
    )?;
    let setup = t.elapsed();
    let w = prover.wrap(&wrapper, &proof, &stage_printer(&pb));
    pb.finish_and_clear();
    let w = w.context("wrapping")?;
    zkroll::write_atomic(&a.output, &w.to_bytes())?;
    println!("groth16:   {}", a.output.display());
    if let Some(dir) = &a.snarkjs {
        export_snarkjs(dir, &wrapper, &w)?;
        println!("snarkjs:   {}", dir.display());
    }
    println!("digest:    {}", to_hex(&w.digest));
    println!(
        "time:      {:.1} s circuits and keys, {:.1} s wrap",
        setup.as_secs_f64(),
        (t.elapsed() - setup).as_secs_f64()
    );
    Ok(())
}

/// Writes the snarkjs JSON files of `w` (verifying key, proof, the digest as public input).
pub(crate) fn export_snarkjs(
    dir: &Path,
    wrapper: &Wrapper,
    w: &WrappedBatch,
) -> anyhow::Result<()> {
    let proof = zkroll::aggregator::groth16::proof_from_bytes(&w.proof)?;
    let digest = zkroll::l1::digest_to_fr(alloy::primitives::U256::from_be_bytes(w.digest))
        .context("digest ≥ r")?;
    zkroll::aggregator::groth16::snarkjs::export(dir, wrapper.verifying_key(), &proof, &[digest])?;
    Ok(())
}

/// `zkroll verify` of a Groth16 proof file: the key is looked up in the cache by circuit id.
pub fn verify_groth16(path: &Path, keys: &Option<PathBuf>) -> anyhow::Result<()> {
    let bytes = std::fs::read(path)?;
    let w = WrappedBatch::from_bytes(&bytes)?;
    let pk = key_cache(keys)
        .load(&w.circuit_id)
        .context("no Groth16 key for this proof's circuit in the key cache (run zkroll wrap or export-verifier first, or pass --keys)")?;
    zkroll::aggregator::wrap::verify_wrapped(&pk.vk, &w.circuit_id, &w)
        .context("Groth16 verification failed")?;
    println!("valid Groth16 proof");
    println!("digest:    {}", to_hex(&w.digest));
    Ok(())
}

/// Runs `zkroll export-verifier`.
pub fn run_export(a: ExportArgs) -> anyhow::Result<()> {
    let pb = super::progress_bar(None, "preparing");
    let r = a.deployment.load(&pb);
    pb.finish_and_clear();
    let (_, wrapper) = r?;
    let sol = verifier_solidity(wrapper.verifying_key())?;
    zkroll::write_atomic(&a.output, sol.as_bytes())?;
    println!(
        "wrote {} (k = {}, height = {}: batches of up to {} txs)",
        a.output.display(),
        a.deployment.k,
        a.deployment.height,
        a.deployment.k << a.deployment.height
    );
    Ok(())
}

fn signer(private_key: &str) -> anyhow::Result<PrivateKeySigner> {
    PrivateKeySigner::from_str(private_key.trim_start_matches("0x")).context("--private-key")
}

/// Runs `zkroll deploy`: the deployment's Groth16 verifier and a Rollup at the genesis root.
pub fn run_deploy(a: DeployArgs) -> anyhow::Result<()> {
    let root: [u8; 32] =
        from_hex_array(&a.genesis_root).map_err(|e| anyhow::anyhow!("--genesis-root: {e}"))?;
    hash_from_bytes(&root).map_err(|limb| {
        anyhow::anyhow!("--genesis-root: limb {limb} is not a canonical Goldilocks element")
    })?;
    let signer = signer(&a.private_key)?;
    let toolchain = Toolchain::locate().context("L1 toolchain (run scripts/setup-l1.sh)")?;
    let pb = super::progress_bar(None, "preparing");
    let r = a.deployment.load(&pb);
    pb.finish_and_clear();
    let (_, wrapper) = r?;
    let rt = tokio::runtime::Runtime::new()?;
    let (verifier, rollup, gas) = rt.block_on(async {
        let provider = connect(&a.rpc, signer)?;
        let (verifier, v) = deploy_verifier(&provider, &toolchain, wrapper.verifying_key()).await?;
        let (rollup, r) = deploy_rollup(&provider, &toolchain, verifier, root).await?;
        anyhow::Ok((verifier, rollup.address(), v.gas_used + r.gas_used))
    })?;
    println!("verifier:  {verifier}");
    println!("rollup:    {rollup}");
    println!("gas:       {gas}");
    println!(
        "batches of up to {} txs (k = {}, height = {}), genesis root {}",
        a.deployment.k << a.deployment.height,
        a.deployment.k,
        a.deployment.height,
        to_hex(&root)
    );
    Ok(())
}

/// Runs `zkroll submit`.
pub fn run_submit(a: SubmitArgs) -> anyhow::Result<()> {
    let w = WrappedBatch::from_bytes(&std::fs::read(&a.proof)?)?;
    let batch = Batch::load(&a.batch).with_context(|| format!("loading {}", a.batch.display()))?;
    let exec = zkroll::execute(&batch)?;
    anyhow::ensure!(
        exec.digest.value == w.digest,
        "{} is not the batch of {} (digest {} vs {})",
        a.batch.display(),
        a.proof.display(),
        to_hex(&exec.digest.value),
        to_hex(&w.digest)
    );
    let proof = zkroll::aggregator::groth16::proof_from_bytes(&w.proof)?;
    let signer = signer(&a.private_key)?;
    let rollup = Address::from_str(&a.rollup).context("--rollup")?;
    let rt = tokio::runtime::Runtime::new()?;
    let report = rt.block_on(async {
        let provider = connect(&a.rpc, signer)?;
        RollupClient::new(provider, rollup)
            .commit_batch(
                &exec.pubdata,
                hash_to_bytes(&exec.new_root),
                proof_words(&proof),
            )
            .await
    })?;
    println!("committed: tx {}", report.tx_hash);
    println!(
        "gas:       {} ({} excluding calldata)",
        report.gas_used,
        report.execution_gas()
    );
    println!("new root:  {}", to_hex(&hash_to_bytes(&exec.new_root)));
    Ok(())
}
