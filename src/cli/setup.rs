//! `zkroll setup …`: the Groth16 trusted-setup ceremony for a deployment's wrap circuit
//! (phase 1 import, phase-2 contributions, verification, installation into the key cache).
//! A thin layer over `zkroll_aggregator::groth16::ceremony`; see docs/ceremony.md.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use clap::{Args, Subcommand};
use sha2::{Digest, Sha256};
use zkroll::aggregator::groth16::ceremony::{
    contribute, phase2, ptau, r1cs_file::R1cs, verify, zkey,
};
use zkroll::aggregator::groth16::KeyProvenance;
use zkroll::{ProveOptions, RollupProver};

/// `zkroll setup` verbs.
#[derive(Subcommand, Debug)]
pub enum SetupCommand {
    /// Write an INSECURE one-contributor Powers of Tau (development and benchmarks only).
    PtauDev(PtauDevArgs),
    /// Start phase 2: the initial key of the deployment's wrap circuit from a `.ptau`.
    Init(InitArgs),
    /// Add a contribution (OS randomness mixed with --entropy); prints its hash.
    Contribute(ContributeArgs),
    /// Add a final contribution from a public random beacon.
    Beacon(BeaconArgs),
    /// Verify a key: the whole chain from the `.ptau` to the last contribution.
    Verify(VerifyArgs),
    /// Write the deployment's wrap circuit in circom's `.r1cs` format.
    ExportR1cs(ExportR1csArgs),
    /// Verify a key, then install it as the deployment's Groth16 key.
    Install(InstallArgs),
}

/// The deployment whose wrap circuit the ceremony is for.
#[derive(Args, Debug)]
pub struct CircuitArgs {
    /// Tx slots per leaf of the deployment.
    #[arg(long, default_value_t = zkroll::circuits::leaf::DEFAULT_K)]
    pub k: usize,
    /// Aggregation-tree height of the deployment.
    #[arg(long, default_value_t = zkroll::DEFAULT_HEIGHT)]
    pub height: usize,
    /// Work directory for cached circuits.
    #[arg(long)]
    pub work_dir: Option<PathBuf>,
}

/// The circuit of a ceremony: the deployment's wrap circuit, rebuilt, or a `.r1cs` file.
#[derive(Args, Debug)]
pub struct CeremonyCircuitArgs {
    /// The deployment (ignored with --r1cs).
    #[command(flatten)]
    pub deployment: CircuitArgs,
    /// Take the circuit from this circom `.r1cs` file (e.g. written by `setup export-r1cs`)
    /// instead of rebuilding the deployment's wrap circuit. `install` always rebuilds it.
    #[arg(long)]
    pub r1cs: Option<PathBuf>,
}

/// Arguments of `zkroll setup ptau-dev`.
#[derive(Args, Debug)]
pub struct PtauDevArgs {
    /// log2 of the number of powers (the wrap circuit of the default deployment needs 21).
    #[arg(long)]
    pub power: u32,
    /// Output file.
    #[arg(short, long)]
    pub output: PathBuf,
}

/// Arguments of `zkroll setup init`.
#[derive(Args, Debug)]
pub struct InitArgs {
    /// A prepared Powers of Tau (`snarkjs powersoftau prepare phase2`), e.g. a public
    /// perpetual-powers-of-tau file.
    #[arg(long)]
    pub ptau: PathBuf,
    /// The circuit.
    #[command(flatten)]
    pub circuit: CeremonyCircuitArgs,
    /// Output `.zkey`.
    #[arg(short, long, default_value = "0000.zkey")]
    pub output: PathBuf,
}

/// Arguments of `zkroll setup contribute`.
#[derive(Args, Debug)]
pub struct ContributeArgs {
    /// The latest `.zkey` of the ceremony.
    pub input: PathBuf,
    /// The new `.zkey`.
    #[arg(short, long)]
    pub output: PathBuf,
    /// Extra entropy mixed with 64 bytes of OS randomness.
    #[arg(long, default_value = "")]
    pub entropy: String,
    /// Name recorded in the contribution (public).
    #[arg(long)]
    pub name: Option<String>,
}

/// Arguments of `zkroll setup beacon`.
#[derive(Args, Debug)]
pub struct BeaconArgs {
    /// The latest `.zkey` of the ceremony.
    pub input: PathBuf,
    /// The new `.zkey`.
    #[arg(short, long)]
    pub output: PathBuf,
    /// The beacon value (hex), e.g. a future block hash announced in advance.
    #[arg(long)]
    pub beacon: String,
    /// log2 of the SHA-256 iterations applied to the beacon (10..=63).
    #[arg(long)]
    pub iterations: u32,
    /// Name recorded in the contribution.
    #[arg(long)]
    pub name: Option<String>,
}

/// Arguments of `zkroll setup verify`.
#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// The `.zkey` to verify.
    pub file: PathBuf,
    /// The Powers of Tau the ceremony started from.
    #[arg(long)]
    pub ptau: PathBuf,
    /// The ceremony's published initial key (`0000.zkey`): checked instead of recomputed,
    /// which makes verification several times faster.
    #[arg(long)]
    pub initial: Option<PathBuf>,
    /// The circuit.
    #[command(flatten)]
    pub circuit: CeremonyCircuitArgs,
}

/// Arguments of `zkroll setup export-r1cs`.
#[derive(Args, Debug)]
pub struct ExportR1csArgs {
    /// Output file.
    #[arg(short, long, default_value = "wrap.r1cs")]
    pub output: PathBuf,
    /// The deployment.
    #[command(flatten)]
    pub circuit: CircuitArgs,
}

/// Arguments of `zkroll setup install`.
#[derive(Args, Debug)]
pub struct InstallArgs {
    /// The final `.zkey` of the ceremony.
    pub file: PathBuf,
    /// The Powers of Tau the ceremony started from.
    #[arg(long)]
    pub ptau: PathBuf,
    /// The ceremony's published initial key (`0000.zkey`): checked instead of recomputed.
    #[arg(long)]
    pub initial: Option<PathBuf>,
    /// The deployment.
    #[command(flatten)]
    pub circuit: CircuitArgs,
    /// Groth16 key cache (default: $ZKROLL_KEY_CACHE or ~/.cache/zkroll/keys).
    #[arg(long)]
    pub keys: Option<PathBuf>,
}

/// Runs a `zkroll setup` verb.
pub fn run(cmd: SetupCommand) -> anyhow::Result<()> {
    match cmd {
        SetupCommand::PtauDev(a) => ptau_dev(a),
        SetupCommand::Init(a) => init(a),
        SetupCommand::Contribute(a) => run_contribute(a),
        SetupCommand::Beacon(a) => run_beacon(a),
        SetupCommand::Verify(a) => run_verify(a).map(|_| ()),
        SetupCommand::ExportR1cs(a) => export_r1cs(a),
        SetupCommand::Install(a) => install(a),
    }
}

/// Runs `f` under a spinner showing `msg`.
fn step<T>(msg: &'static str, f: impl FnOnce() -> T) -> T {
    let pb = super::progress_bar(None, msg);
    let r = f();
    pb.finish_and_clear();
    r
}

/// The deployment's wrap circuit as R1CS, and its circuit id.
fn wrap_r1cs(c: &CircuitArgs) -> anyhow::Result<(String, R1cs)> {
    let (id, circuit) = step("building the deployment's circuits", || {
        let prover = RollupProver::new(ProveOptions {
            k: c.k,
            height: Some(c.height),
            work_dir: c.work_dir.clone(),
            ..ProveOptions::default()
        })?;
        anyhow::Ok(prover.wrap_circuit(c.height)?)
    })?;
    let r1cs = step("synthesising the wrap circuit", || {
        R1cs::from_circuit(circuit)
    })?;
    Ok((id, r1cs))
}

/// The ceremony's circuit: read from `--r1cs`, or the deployment's wrap circuit rebuilt.
/// Returns a name for it and the R1CS.
fn ceremony_r1cs(c: &CeremonyCircuitArgs) -> anyhow::Result<(String, R1cs)> {
    match &c.r1cs {
        Some(path) => {
            let r1cs = step("reading the circuit", || R1cs::read(path))
                .with_context(|| format!("reading {}", path.display()))?;
            Ok((format!("of {}", path.display()), r1cs))
        }
        None => wrap_r1cs(&c.deployment),
    }
}

fn read_zkey(path: &Path) -> anyhow::Result<zkey::Zkey> {
    step("reading the key", || zkey::Zkey::read(path))
        .with_context(|| format!("reading {}", path.display()))
}

fn ptau_dev(a: PtauDevArgs) -> anyhow::Result<()> {
    eprintln!(
        "WARNING: INSECURE development Powers of Tau. This process picks tau, alpha and beta \
         alone; never deploy a key made from this file on a chain that holds value."
    );
    let t = Instant::now();
    step("computing the powers of tau", || {
        ptau::write_dev_ptau(&a.output, a.power, &mut rand::rngs::OsRng)
    })?;
    println!(
        "wrote {} (INSECURE development ptau, 2^{} powers) in {:.1} s",
        a.output.display(),
        a.power,
        t.elapsed().as_secs_f64()
    );
    Ok(())
}

fn init(a: InitArgs) -> anyhow::Result<()> {
    let mut p =
        ptau::Ptau::open(&a.ptau).with_context(|| format!("opening {}", a.ptau.display()))?;
    let (id, r1cs) = ceremony_r1cs(&a.circuit)?;
    let t = Instant::now();
    let key = step("validating the ptau and computing the initial key", || {
        phase2::init(&r1cs, &mut p)
    })?;
    step("writing", || key.write(&a.output, zkey::Layout::Init))?;
    println!("wrote {} for circuit {id}", a.output.display());
    println!(
        "{} constraints, {} public inputs, domain 2^{}, {:.1} s",
        r1cs.num_constraints(),
        r1cs.num_public,
        key.domain_size.trailing_zeros(),
        t.elapsed().as_secs_f64()
    );
    print!("circuit hash:\n{}", zkey::format_hash(&key.cs_hash));
    Ok(())
}

fn run_contribute(a: ContributeArgs) -> anyhow::Result<()> {
    let old = read_zkey(&a.input)?;
    let (new, hash) = step("contributing", || {
        contribute::contribute(&old, &a.entropy, a.name.as_deref(), &mut rand::rngs::OsRng)
    })?;
    step("writing", || {
        new.write(&a.output, zkey::Layout::Contribution)
    })?;
    println!(
        "wrote {} (contribution #{})",
        a.output.display(),
        new.contributions.len()
    );
    print!(
        "contribution hash (publish it):\n{}",
        zkey::format_hash(&hash)
    );
    Ok(())
}

fn run_beacon(a: BeaconArgs) -> anyhow::Result<()> {
    let beacon = hex::decode(a.beacon.trim_start_matches("0x")).context("--beacon: not hex")?;
    let old = read_zkey(&a.input)?;
    let (new, hash) = step("applying the beacon", || {
        contribute::beacon(&old, &beacon, a.iterations, a.name.as_deref())
    })?;
    step("writing", || {
        new.write(&a.output, zkey::Layout::Contribution)
    })?;
    println!(
        "wrote {} (beacon contribution #{})",
        a.output.display(),
        new.contributions.len()
    );
    print!("contribution hash:\n{}", zkey::format_hash(&hash));
    Ok(())
}

/// Verifies `file` for the deployment; returns the key and the circuit id.
fn verify_key(
    file: &Path,
    ptau_path: &Path,
    initial: Option<&Path>,
    c: &CeremonyCircuitArgs,
) -> anyhow::Result<(zkey::Zkey, String)> {
    let t = Instant::now();
    let key = read_zkey(file)?;
    let initial = initial.map(read_zkey).transpose()?;
    let mut p =
        ptau::Ptau::open(ptau_path).with_context(|| format!("opening {}", ptau_path.display()))?;
    let read_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let (id, r1cs) = ceremony_r1cs(c)?;
    let circuit_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let report = step(
        "verifying the chain from phase 1 to the last contribution",
        || match &initial {
            Some(init) => verify::verify_with_initial(&key, init, &r1cs, &mut p),
            None => verify::verify(&key, &r1cs, &mut p),
        },
    )
    .with_context(|| format!("{} does NOT verify", file.display()))?;
    println!(
        "read and checked the key in {read_s:.1} s, circuit in {circuit_s:.1} s, \
         ptau + initial key + chain in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    print!("circuit hash:\n{}", zkey::format_hash(&report.cs_hash));
    for c in &report.contributions {
        let kind = match &c.kind {
            zkey::ContributionKind::Random => String::new(),
            zkey::ContributionKind::Beacon {
                iterations_exp,
                hash,
            } => format!(
                " (beacon {} , 2^{iterations_exp} iterations)",
                hex::encode(hash)
            ),
        };
        println!(
            "contribution #{} {}{kind}:",
            c.index,
            c.name.as_deref().unwrap_or("")
        );
        print!("{}", zkey::format_hash(&c.hash));
    }
    if report.contributions.is_empty() {
        println!("WARNING: no contribution: this is the initial key, its trapdoor is public");
    }
    println!("{}: key OK for circuit {id}", file.display());
    Ok((key, id))
}

fn run_verify(a: VerifyArgs) -> anyhow::Result<(zkey::Zkey, String)> {
    verify_key(&a.file, &a.ptau, a.initial.as_deref(), &a.circuit)
}

fn export_r1cs(a: ExportR1csArgs) -> anyhow::Result<()> {
    let (id, r1cs) = wrap_r1cs(&a.circuit)?;
    step("writing", || r1cs.write(&a.output))?;
    println!(
        "wrote {} (circuit {id}: {} constraints, {} wires, {} public inputs)",
        a.output.display(),
        r1cs.num_constraints(),
        r1cs.num_wires,
        r1cs.num_public
    );
    Ok(())
}

fn install(a: InstallArgs) -> anyhow::Result<()> {
    // The key is bound to the deployment's circuit id: always rebuild the circuit.
    let circuit = CeremonyCircuitArgs {
        deployment: a.circuit,
        r1cs: None,
    };
    let (key, id) = verify_key(&a.file, &a.ptau, a.initial.as_deref(), &circuit)?;
    anyhow::ensure!(
        !key.contributions.is_empty(),
        "refusing to install a key without contributions (its trapdoor is public)"
    );
    let bytes = std::fs::read(&a.file)?;
    let zkey_sha256: [u8; 32] = Sha256::digest(&bytes).into();
    drop(bytes);
    let pk = key.proving_key();
    drop(key);
    let cache = super::wrap::key_cache(&a.keys);
    let t = Instant::now();
    let vk_hash = step("installing", || {
        cache.install(&id, &pk, KeyProvenance::Ceremony { zkey_sha256 })
    })?;
    println!(
        "wrote the key cache entry in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    println!(
        "installed for circuit {id} in {}",
        cache.path_for(&id).display()
    );
    println!("ceremony file sha256: 0x{}", hex::encode(zkey_sha256));
    println!("vk hash:              0x{}", hex::encode(vk_hash));
    Ok(())
}
