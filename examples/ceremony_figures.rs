//! The trusted-setup ceremony's figures for one deployment `(k, height)`: the wrap circuit as
//! R1CS, an (insecure, development) Powers of Tau of the power it needs, phase-2 init, one
//! contribution, verification, installation into a fresh key cache, and one wrap of a real
//! batch with the installed key (checked to use the ceremony key). Prints seconds per step,
//! file sizes and the process's peak RSS (run steps separately with `zkroll setup …` under
//! `/usr/bin/time -v` for per-step peaks).
//!
//! `cargo run --release --example ceremony_figures [k [height [transfers]]]`
//! (defaults: the default deployment, 4 transfers).

use std::time::Instant;

use sha2::{Digest, Sha256};
use zkroll::aggregator::groth16::cache::{CacheOutcome, KeySource};
use zkroll::aggregator::groth16::ceremony::{
    contribute, phase2, ptau, r1cs_file::R1cs, verify, zkey,
};
use zkroll::aggregator::groth16::KeyProvenance;
use zkroll::bench::{peak_rss_bytes, transfer_batch};
use zkroll::{Domain, KeyCache, ProveOptions, RollupProver};

fn mib(path: &std::path::Path) -> f64 {
    std::fs::metadata(path).map_or(0.0, |m| m.len() as f64 / (1u64 << 20) as f64)
}

fn main() -> anyhow::Result<()> {
    let arg = |i: usize, default: usize| -> anyhow::Result<usize> {
        Ok(match std::env::args().nth(i) {
            Some(a) => a.parse()?,
            None => default,
        })
    };
    let k = arg(1, zkroll::circuits::leaf::DEFAULT_K)?;
    let height = arg(2, zkroll::DEFAULT_HEIGHT)?;
    let transfers = arg(3, 4)?;
    let dir = tempfile::tempdir()?;
    let mut rows: Vec<(String, f64)> = Vec::new();
    let mut time =
        |name: &str, t: Instant| rows.push((name.to_string(), t.elapsed().as_secs_f64()));

    let t = Instant::now();
    let prover = RollupProver::new(ProveOptions {
        k,
        height: Some(height),
        ..ProveOptions::default()
    })?;
    let (id, circuit) = prover.wrap_circuit(height)?;
    time("prover + shrink circuits", t);
    let t = Instant::now();
    let r1cs = R1cs::from_circuit(circuit)?;
    time("wrap circuit synthesis (R1CS)", t);
    let power = ptau::domain_power(r1cs.rows());

    let pot = dir.path().join("pot.ptau");
    let t = Instant::now();
    ptau::write_dev_ptau(&pot, power, &mut rand::rngs::OsRng)?;
    time(&format!("ptau-dev (power {power})"), t);

    let t = Instant::now();
    let init = phase2::init(&r1cs, &mut ptau::Ptau::open(&pot)?)?;
    let z0 = dir.path().join("0000.zkey");
    init.write(&z0, zkey::Layout::Init)?;
    time("init (ptau validation + key) + write", t);

    let t = Instant::now();
    let old = zkey::Zkey::read(&z0)?;
    let (new, hash) = contribute::contribute(&old, "figures", None, &mut rand::rngs::OsRng)?;
    let z1 = dir.path().join("0001.zkey");
    new.write(&z1, zkey::Layout::Contribution)?;
    time("contribution (read + contribute + write)", t);
    drop(old);

    let t = Instant::now();
    let key = zkey::Zkey::read(&z1)?;
    let report = verify::verify(&key, &r1cs, &mut ptau::Ptau::open(&pot)?)?;
    anyhow::ensure!(report.contributions[0].hash == hash);
    time("verify (read + init again + chain)", t);

    let keys = tempfile::tempdir()?;
    let cache = KeyCache::new(keys.path().to_path_buf());
    let t = Instant::now();
    let zkey_sha256: [u8; 32] = Sha256::digest(std::fs::read(&z1)?).into();
    cache.install(
        &id,
        &key.proving_key(),
        KeyProvenance::Ceremony { zkey_sha256 },
    )?;
    time("install (store in the key cache)", t);
    drop(key);

    let t = Instant::now();
    let (wrapper, outcome) = prover.wrapper(height, &cache, KeySource::Installed, &|_| {})?;
    anyhow::ensure!(
        matches!(outcome, CacheOutcome::Loaded(_)),
        "the installed key was not used"
    );
    time(
        "wrapper with the installed key (shrink build + key load)",
        t,
    );
    let domain = Domain {
        chain_id: 31337,
        rollup: [0x11; 20],
    };
    let exec = zkroll::execute(&transfer_batch(transfers, domain)?)?;
    let proof = prover.prove_execution(&exec)?;
    let t = Instant::now();
    let wrapped = prover.wrap(&wrapper, &proof, &|_| {})?;
    wrapper.verify(&wrapped)?;
    time("one wrap with the ceremony key (shrink + Groth16)", t);

    println!(
        "deployment k = {k}, height = {height}: {} constraints, {} wires, domain 2^{power}",
        r1cs.num_constraints(),
        r1cs.num_wires
    );
    println!();
    println!("| step | seconds |");
    println!("|---|---|");
    for (name, s) in &rows {
        println!("| {name} | {s:.1} |");
    }
    println!();
    println!(
        "ptau {:.0} MiB, initial zkey {:.0} MiB, contributed zkey {:.0} MiB",
        mib(&pot),
        mib(&z0),
        mib(&z1)
    );
    if let Some(rss) = peak_rss_bytes() {
        println!(
            "peak RSS of the whole run {:.2} GiB",
            rss as f64 / (1u64 << 30) as f64
        );
    }
    Ok(())
}
