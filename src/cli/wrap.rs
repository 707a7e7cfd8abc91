//! `zkroll wrap`, `zkroll export-verifier`, `zkroll deploy`, `zkroll submit`, and Groth16
//! `zkroll verify`.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use alloy::primitives::{Address, B256};
use alloy::signers::local::PrivateKeySigner;
use anyhow::Context;
use clap::Args;
use zkroll::aggregator::groth16::policy::{self, DEV_KEY_WARNING};
use zkroll::circuits::encoding::{hash_to_bytes, to_hex};
use zkroll::l1::bindings::{IGroth16Verifier, IRollup};
use zkroll::l1::{
    connect, deploy_rollup, deploy_verifier, proof_words, verifier_solidity, BatchBlob,
    RollupClient, RollupParams, Toolchain,
};
use zkroll::{
    Batch, KeyCache, KeySource, ProveOptions, RollupProof, RollupProver, WrapStage, WrappedBatch,
    Wrapper,
};

/// `--expect-vk-hash`: `0x` + 64 hex digits.
pub(crate) fn vk_hash_arg(s: &str) -> Result<[u8; 32], String> {
    policy::parse_vk_hash(s)
}

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
    /// With no key installed, run the seeded development setup and install its key
    /// (INSECURE: anyone can forge proofs for it; tests and local devnets only).
    #[arg(long)]
    pub dev_setup: bool,
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
    /// Allow a development key (the seeded setup, generated and installed if no key is):
    /// INSECURE, anyone can forge proofs for it. Refused unless the chain id is 31337 or 1337.
    #[arg(long)]
    pub dev_setup: bool,
    /// Refuse unless the key's vk hash is this (0x + 64 hex digits; docs/formats.md §8).
    #[arg(long, value_name = "HEX", value_parser = vk_hash_arg)]
    pub expect_vk_hash: Option<[u8; 32]>,
}

impl DeploymentArgs {
    fn source(&self) -> KeySource {
        if self.dev_setup {
            KeySource::DevSetup
        } else {
            KeySource::Installed
        }
    }

    /// The prover and wrapper of this deployment (see [`deployment`]) for chain `chain_id`,
    /// under the key policy: `--dev-setup` only for a local devnet (checked before anything
    /// is built), a development key only with `--dev-setup` (then a loud warning), and the
    /// `--expect-vk-hash` pin.
    fn load(
        &self,
        chain_id: Option<u64>,
        pb: &indicatif::ProgressBar,
    ) -> anyhow::Result<(RollupProver, Wrapper)> {
        if self.dev_setup {
            policy::check_dev_chain(chain_id)?;
        } else {
            let cache = key_cache(&self.keys);
            anyhow::ensure!(
                !cache.installed()?.is_empty(),
                "no Groth16 key is installed in {}: run a ceremony (`zkroll setup`, \
                 docs/ceremony.md) and install its key, or pass --dev-setup for an INSECURE \
                 development key on a local devnet (chain id 31337 or 1337)",
                cache.dir().display()
            );
        }
        let (prover, wrapper) = deployment(
            self.k,
            self.height,
            self.work_dir.clone(),
            &self.keys,
            self.source(),
            pb,
        )?;
        let is_dev = wrapper.is_dev_key();
        policy::check_deployable(wrapper.circuit_id(), is_dev, self.dev_setup, chain_id)?;
        policy::check_pin(self.expect_vk_hash, "the key", wrapper.vk_hash())?;
        if is_dev {
            pb.suspend(|| eprintln!("{DEV_KEY_WARNING}"));
        }
        Ok((prover, wrapper))
    }
}

/// Arguments of `zkroll export-verifier`.
#[derive(Args, Debug)]
pub struct ExportArgs {
    /// Where to write the Solidity verifier.
    #[arg(short, long, default_value = "Verifier.sol")]
    pub output: PathBuf,
    /// Chain id the verifier is for. Needed with --dev-setup (only 31337 and 1337 are
    /// allowed): an exported file has no RPC to ask, so the operator states the target.
    #[arg(long)]
    pub chain_id: Option<u64>,
    /// The deployment.
    #[command(flatten)]
    pub deployment: DeploymentArgs,
}

/// Arguments of `zkroll deploy`.
#[derive(Args, Debug)]
pub struct DeployArgs {
    /// JSON-RPC endpoint of the L1 node (the Rollup starts from the empty tree: every
    /// account is created by an L1 deposit).
    #[arg(long, default_value = "http://127.0.0.1:8545")]
    pub rpc: String,
    /// The deployment.
    #[command(flatten)]
    pub deployment: DeploymentArgs,
    /// Private key of the deploying account (hex); default: $ZKROLL_PRIVATE_KEY.
    #[arg(long, env = "ZKROLL_PRIVATE_KEY", hide_env_values = true)]
    pub private_key: String,
    /// The designated operator (may always commit); default: the deploying account.
    #[arg(long)]
    pub operator: Option<String>,
    /// Blocks a priority operation may wait before anyone may activate exodus.
    #[arg(long, default_value_t = RollupParams::DEFAULT_PRIORITY_DEADLINE)]
    pub priority_deadline: u64,
    /// Blocks a priority operation waits before anyone (not only the operator) may commit.
    #[arg(long, default_value_t = RollupParams::DEFAULT_OPERATOR_WINDOW)]
    pub operator_window: u64,
    /// Blocks without a batch after which anyone may commit.
    #[arg(long, default_value_t = RollupParams::DEFAULT_SILENCE_WINDOW)]
    pub silence_window: u64,
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
    /// Refuse unless the proof's and the deployed verifier's vk hash are this (0x + 64 hex).
    #[arg(long, value_name = "HEX", value_parser = vk_hash_arg)]
    pub expect_vk_hash: Option<[u8; 32]>,
}

pub(crate) fn key_cache(dir: &Option<PathBuf>) -> KeyCache {
    KeyCache::new(dir.clone().unwrap_or_else(KeyCache::default_dir))
}

/// A spinner that shows the wrap stage.
pub(crate) fn stage_printer(pb: &indicatif::ProgressBar) -> impl Fn(WrapStage) + '_ {
    move |s| {
        pb.set_message(match s {
            WrapStage::BuildShrink => "building the shrink circuits",
            WrapStage::Keys => {
                "loading Groth16 keys (--dev-setup, first use: seeded setup, minutes)"
            }
            WrapStage::Shrink => "proving the shrink layers",
            WrapStage::Groth16 => "Groth16: witness and proof",
        })
    }
}

/// The prover and wrapper of a deployment `(k, height)`, its key taken as `source` allows.
pub(crate) fn deployment(
    k: usize,
    height: usize,
    work_dir: Option<PathBuf>,
    keys: &Option<PathBuf>,
    source: KeySource,
    pb: &indicatif::ProgressBar,
) -> anyhow::Result<(RollupProver, Wrapper)> {
    pb.set_message("building prover circuits");
    let prover = RollupProver::new(ProveOptions {
        k,
        height: Some(height),
        work_dir,
        ..ProveOptions::default()
    })?;
    let (wrapper, outcome) =
        prover.wrapper(height, &key_cache(keys), source, &stage_printer(pb))?;
    tracing::info!(
        ?outcome,
        circuit = wrapper.circuit_id(),
        vk_hash = hex::encode(wrapper.vk_hash()),
        provenance = %wrapper.key_record().provenance,
        "Groth16 keys"
    );
    Ok((prover, wrapper))
}

/// Runs `zkroll wrap`.
pub fn run_wrap(a: WrapArgs) -> anyhow::Result<()> {
    let bytes = zkroll::proof::read_proof_file(&a.proof)
        .with_context(|| format!("reading {}", a.proof.display()))?;
    let proof = RollupProof::from_bytes(&bytes)?;
    let t = std::time::Instant::now();
    let pb = super::progress_bar(None, "wrapping");
    let source = if a.dev_setup {
        KeySource::DevSetup
    } else {
        KeySource::Installed
    };
    let (prover, wrapper) = deployment(
        proof.k as usize,
        proof.batch.height as usize,
        a.work_dir.clone(),
        &a.keys,
        source,
        &pb,
    )?;
    if wrapper.is_dev_key() {
        pb.suspend(|| {
            eprintln!(
                "note: development Groth16 key (seeded setup): anyone can forge proofs for it"
            )
        });
    }
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
    println!("vk hash:   {}", to_hex(&w.vk_hash));
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

/// `zkroll verify` of a Groth16 proof file: the proof's vk hash must be the pinned one (if
/// any) and the installed key's (looked up in the cache by circuit id), then the proof must
/// verify under that key.
pub fn verify_groth16(
    path: &Path,
    keys: &Option<PathBuf>,
    expect_vk_hash: Option<[u8; 32]>,
) -> anyhow::Result<()> {
    let bytes = zkroll::proof::read_proof_file(path)?;
    let w =
        WrappedBatch::from_bytes(&bytes).with_context(|| format!("decoding {}", path.display()))?;
    policy::check_pin(expect_vk_hash, "the proof", w.vk_hash)?;
    let cache = key_cache(keys);
    let no_key = || {
        format!(
            "no Groth16 key of this proof's circuit is installed in {} (pass --keys, or install \
             the deployment's key)",
            cache.dir().display()
        )
    };
    let record = cache.record(&w.circuit_id)?.with_context(no_key)?;
    anyhow::ensure!(
        record.vk_hash == w.vk_hash,
        "{} was made with Groth16 key 0x{} (vk hash), but the installed key of its circuit is \
         0x{} ({}): it is not a proof of this deployment",
        path.display(),
        hex::encode(w.vk_hash),
        hex::encode(record.vk_hash),
        record.provenance
    );
    let pk = cache.load(&w.circuit_id)?;
    zkroll::aggregator::wrap::verify_wrapped(&pk.vk, &w.circuit_id, &w)
        .context("Groth16 verification failed")?;
    println!("valid Groth16 proof");
    println!("digest:    {}", to_hex(&w.digest));
    println!("vk hash:   {}", to_hex(&w.vk_hash));
    println!("key:       {}", record.provenance);
    Ok(())
}

/// Runs `zkroll export-verifier`.
pub fn run_export(a: ExportArgs) -> anyhow::Result<()> {
    let pb = super::progress_bar(None, "preparing");
    let r = a.deployment.load(a.chain_id, &pb);
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
    println!("vk hash:   {}", to_hex(&wrapper.vk_hash()));
    println!("key:       {}", wrapper.key_record().provenance);
    Ok(())
}

fn signer(private_key: &str) -> anyhow::Result<PrivateKeySigner> {
    PrivateKeySigner::from_str(private_key.trim_start_matches("0x")).context("--private-key")
}

/// Runs `zkroll deploy`: the deployment's Groth16 verifier and a Rollup starting from the empty tree.
pub fn run_deploy(a: DeployArgs) -> anyhow::Result<()> {
    let signer = signer(&a.private_key)?;
    let params = RollupParams {
        operator: match &a.operator {
            Some(o) => Address::from_str(o).context("--operator: not an address")?,
            None => signer.address(),
        },
        priority_deadline: a.priority_deadline,
        operator_window: a.operator_window,
        silence_window: a.silence_window,
    };
    anyhow::ensure!(
        params.operator_window <= params.priority_deadline && params.priority_deadline > 0,
        "--operator-window must not exceed --priority-deadline (> 0)"
    );
    let toolchain = Toolchain::locate().context("L1 toolchain (run scripts/setup-l1.sh)")?;
    let rt = tokio::runtime::Runtime::new()?;
    let provider = connect(&a.rpc, signer)?;
    // The chain the key goes to decides whether a development key is allowed.
    let chain_id = rt
        .block_on(alloy::providers::Provider::get_chain_id(&provider))
        .with_context(|| format!("reading the chain id from {}", a.rpc))?;
    let pb = super::progress_bar(None, "preparing");
    let r = a.deployment.load(Some(chain_id), &pb);
    pb.finish_and_clear();
    let (_, wrapper) = r?;
    let (verifier, rollup, gas) = rt.block_on(async {
        let (verifier, v) = deploy_verifier(&provider, &toolchain, wrapper.verifying_key()).await?;
        let (rollup, r) = deploy_rollup(&provider, &toolchain, verifier, &params).await?;
        anyhow::Ok((verifier, rollup.address(), v.gas_used + r.gas_used))
    })?;
    println!("verifier:  {verifier}");
    println!("rollup:    {rollup}");
    println!("gas:       {gas}");
    println!("operator:  {}", params.operator);
    println!("chain id:  {chain_id}");
    println!("vk hash:   {}", to_hex(&wrapper.vk_hash()));
    println!("key:       {}", wrapper.key_record().provenance);
    println!(
        "batches of up to {} txs (k = {}, height = {}), empty genesis root {}; priority \
         deadline {} blocks, operator window {}, silence window {}",
        a.deployment.k << a.deployment.height,
        a.deployment.k,
        a.deployment.height,
        to_hex(&zkroll::l1::EMPTY_ROOT),
        params.priority_deadline,
        params.operator_window,
        params.silence_window
    );
    Ok(())
}

/// Runs `zkroll submit`.
pub fn run_submit(a: SubmitArgs) -> anyhow::Result<()> {
    let w = WrappedBatch::from_bytes(&zkroll::proof::read_proof_file(&a.proof)?)?;
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
    policy::check_pin(a.expect_vk_hash, "the proof", w.vk_hash)?;
    let proof = zkroll::aggregator::groth16::proof_from_bytes(&w.proof)?;
    let signer = signer(&a.private_key)?;
    let rollup = Address::from_str(&a.rollup).context("--rollup")?;
    let rt = tokio::runtime::Runtime::new()?;
    let report = rt.block_on(async {
        let provider = connect(&a.rpc, signer)?;
        // The proof must be made for the key of the deployed verifier.
        let verifier = IRollup::new(rollup, &provider)
            .verifier()
            .call()
            .await
            .with_context(|| format!("reading verifier() of the rollup {rollup}"))?;
        let deployed = IGroth16Verifier::new(verifier, &provider)
            .VK_HASH()
            .call()
            .await
            .with_context(|| {
                format!(
                    "reading VK_HASH() of the rollup's verifier {verifier} (a verifier \
                     deployed by an older zkroll has none: redeploy)"
                )
            })?
            .0;
        policy::check_pin(a.expect_vk_hash, "the deployed verifier", deployed)?;
        anyhow::ensure!(
            deployed == w.vk_hash,
            "{} was made with Groth16 key 0x{} (vk hash), but the rollup's verifier {verifier} \
             checks key 0x{}: not submitted",
            a.proof.display(),
            hex::encode(w.vk_hash),
            hex::encode(deployed)
        );
        let blob = BatchBlob::new(&exec.data.blob_data(), B256::from(exec.blob.x))?;
        let report = RollupClient::new(provider, rollup)
            .commit_batch(
                hash_to_bytes(&exec.new_root),
                &exec.data.effects_bytes(),
                &blob,
                proof_words(&proof),
            )
            .await?;
        anyhow::Ok(report)
    })?;
    println!(
        "committed: tx {} (type 3, blob {})",
        report.tx.tx_hash,
        report
            .versioned_hashes
            .first()
            .map(|h| h.to_string())
            .unwrap_or_default()
    );
    println!(
        "gas:       {} ({} excluding calldata), blob gas {}",
        report.tx.gas_used,
        report.tx.execution_gas(),
        report.blob_gas_used
    );
    println!("new root:  {}", to_hex(&hash_to_bytes(&exec.new_root)));
    Ok(())
}

#[cfg(test)]
mod tests {
    use ark_bn254::{Bn254, Fr, G1Affine};
    use ark_groth16::VerifyingKey;

    /// The vk hash of the key cache and `.g16` files (aggregator) is the `VK_HASH` the
    /// generated verifier publishes (verifier-contract): two implementations, one encoding.
    #[test]
    fn vk_hash_agrees_between_aggregator_and_verifier_contract() {
        let t = zkroll::aggregator::groth16::dev::dev_trapdoor("cli/vk-hash");
        let mut vk = VerifyingKey::<Bn254> {
            alpha_g1: (t.g1 * t.alpha).into(),
            beta_g2: (t.g2 * t.beta).into(),
            gamma_g2: (t.g2 * t.gamma).into(),
            delta_g2: (t.g2 * t.delta).into(),
            gamma_abc_g1: vec![
                (t.g1 * Fr::from(5u64)).into(),
                (t.g1 * Fr::from(7u64)).into(),
            ],
        };
        let h = zkroll::aggregator::groth16::vk_hash(&vk);
        assert_eq!(h, zkroll::l1::verifier_gen::vk_hash(&vk));
        let sol = zkroll::l1::verifier_solidity(&vk).unwrap();
        assert!(sol.contains(&format!(
            "bytes32 public constant VK_HASH = 0x{};",
            hex::encode(h)
        )));
        // Also with the point at infinity and another count of points.
        vk.gamma_abc_g1.push(G1Affine::default());
        let h2 = zkroll::aggregator::groth16::vk_hash(&vk);
        assert_ne!(h2, h);
        assert_eq!(h2, zkroll::l1::verifier_gen::vk_hash(&vk));
    }

    /// The deployed verifier returns the key's vk hash from `VK_HASH()` (what `zkroll submit`
    /// compares a proof's vk hash with).
    #[test]
    fn deployed_verifier_publishes_the_vk_hash() {
        use zkroll::l1::bindings::IGroth16Verifier;
        let t = zkroll::aggregator::groth16::dev::dev_trapdoor("cli/vk-hash/onchain");
        let vk = VerifyingKey::<Bn254> {
            alpha_g1: (t.g1 * t.alpha).into(),
            beta_g2: (t.g2 * t.beta).into(),
            gamma_g2: (t.g2 * t.gamma).into(),
            delta_g2: (t.g2 * t.delta).into(),
            gamma_abc_g1: vec![
                (t.g1 * Fr::from(5u64)).into(),
                (t.g1 * Fr::from(7u64)).into(),
            ],
        };
        let toolchain = zkroll::l1::Toolchain::locate().expect("run scripts/setup-l1.sh");
        let anvil = zkroll::l1::spawn_anvil(&toolchain).unwrap();
        let provider = zkroll::l1::anvil_provider(&anvil, 0).unwrap();
        let rt = tokio::runtime::Runtime::new().unwrap();
        let onchain = rt.block_on(async {
            let (addr, _) = zkroll::l1::deploy_verifier(&provider, &toolchain, &vk)
                .await
                .unwrap();
            IGroth16Verifier::new(addr, &provider)
                .VK_HASH()
                .call()
                .await
                .unwrap()
        });
        assert_eq!(onchain.0, zkroll::aggregator::groth16::vk_hash(&vk));
    }
}
