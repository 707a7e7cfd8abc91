//! Library use: a batch in memory → plonky2 batch proof → Groth16 proof bytes, no files
//! (besides the Groth16 key cache). `cargo run --release --example prove_batch`.

use std::sync::Arc;

use zkroll::gen::{generate, GenParams};
use zkroll::{Domain, KeyCache, KeySource, ProveOptions, RollupProver};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // A node would assemble this from its mempool; here: 12 signed txs.
    let batch = generate(
        &GenParams {
            txs: 12,
            accounts: 4,
            seed: 1,
            deposits: 2,
            withdrawals: 2,
            full_exits: 0,
            domain: Domain {
                chain_id: 31337,
                rollup: [0x11; 20],
            },
        },
        |_| {},
    )?;
    let height = 1; // 2 leaves of k = 35 slots: up to 70 txs per batch
    let prover = Arc::new(RollupProver::new(ProveOptions {
        height: Some(height),
        ..ProveOptions::default()
    })?);
    // Proving is CPU-bound: `prove_async` runs it on a blocking thread.
    let proof = prover.clone().prove_async(batch).await?;
    println!("digest 0x{}", hex::encode(proof.digest));
    let p = prover.clone();
    let g16 = tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
        let (wrapper, _) = p.wrapper(
            height,
            &KeyCache::new(KeyCache::default_dir()),
            // Explicitly the development key (forgeable); a deployment installs a ceremony key.
            KeySource::DevSetup,
            &|_| {},
        )?;
        Ok(p.wrap(&wrapper, &proof, &|_| {})?)
    })
    .await??;
    println!(
        "Groth16 proof: {} bytes, public input 0x{}",
        g16.proof.len(),
        hex::encode(g16.digest)
    );
    Ok(())
}
