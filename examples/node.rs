//! A tiny rollup node on tokio: wallets send signed transfers into a mempool; the node admits
//! each one against its pending state (bad signature, nonce or balance → rejected with the
//! executor's error, nothing else changes), seals a batch when it is full or the mempool goes
//! idle, proves and wraps it **off the async threads** (`spawn_blocking`), and commits it to a
//! Rollup contract on a local anvil, batch after batch, while new transactions keep arriving.
//!
//! ```text
//! scripts/setup-l1.sh && cargo run --release --example node
//! ```
//! First run: the circuits and the Groth16 key of the deployment (k = 4, height 2: batches of
//! up to 16 txs) are built and cached (~2 min), then each batch takes about a minute.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use tokio::sync::mpsc;
use zkroll::circuits::encoding::hash_to_bytes;
use zkroll::devnet::Devnet;
use zkroll::l1::Toolchain;
use zkroll::{
    apply, Deposit, Domain, Execution, Header, KeyCache, KeySource, ProveOptions, RollupProver,
    SecretKey, StateTree, Transfer, Tx, Wrapper,
};

/// Slots per leaf and tree height of the deployment: up to `K · 2^HEIGHT` txs per batch.
const K: usize = 4;
const HEIGHT: usize = 2;
/// Seal as soon as this many txs are pending…
const BATCH_TXS: usize = 12;
/// …or when no tx arrived for this long.
const IDLE: Duration = Duration::from_secs(2);
/// Users (accounts 1..=USERS, created by deposits; account 0 is the operator) and transfers they send.
const USERS: u32 = 6;
const TRANSFERS: usize = 30;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();

    // The Rollup starts from the empty tree: an operator account and a few users, each
    // created and funded by an L1 deposit that the first batch consumes.
    let keys: Vec<SecretKey> = (0..=USERS)
        .map(|i| SecretKey::from_seed(&[i as u8 + 1; 32]))
        .collect();
    let funding: Vec<Tx> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| {
            Tx::Deposit(Deposit {
                account: i as u32,
                pkhash: k.public_key().pkhash(),
                amount: if i == 0 { 1 } else { 1_000_000 },
                owner: [i as u8 + 1; 20],
            })
        })
        .collect();

    // Circuits and keys are CPU work: build them off the runtime too.
    let t = Instant::now();
    let (prover, wrapper) = tokio::task::spawn_blocking(|| -> anyhow::Result<_> {
        let prover = RollupProver::new(ProveOptions {
            k: K,
            height: Some(HEIGHT),
            ..ProveOptions::default()
        })?;
        let (wrapper, _) = prover.wrapper(
            HEIGHT,
            &KeyCache::new(KeyCache::default_dir()),
            // Explicitly the development key (forgeable): this node deploys to its own anvil.
            KeySource::DevSetup,
            &|_| {},
        )?;
        Ok((Arc::new(prover), Arc::new(wrapper)))
    })
    .await??;
    tracing::info!(secs = t.elapsed().as_secs_f64(), "circuits and keys ready");

    let toolchain = Toolchain::locate().context("L1 toolchain (run scripts/setup-l1.sh)")?;
    let devnet = Arc::new(Devnet::start(&toolchain, wrapper.verifying_key()).await?);
    devnet.queue_priority_ops(&funding).await?;
    let header = Header {
        domain: devnet.domain(),
        operator: 0,
    };
    tracing::info!(rollup = %devnet.rollup().address(), endpoint = %devnet.endpoint(), "L1 ready");

    // Wallets → mempool → sealer → prover pipeline (in order) → L1.
    let (mempool_tx, mempool_rx) = mpsc::channel::<Tx>(64);
    let (sealed_tx, sealed_rx) = mpsc::channel::<Execution>(4);
    let wallets = tokio::spawn(wallets(keys, header.domain, mempool_tx));
    let sealer = tokio::spawn(sealer(funding, header, mempool_rx, sealed_tx));
    let pipeline = tokio::spawn(pipeline(prover, wrapper, devnet.clone(), sealed_rx));

    wallets.await?;
    let admitted = sealer.await??;
    let batches = pipeline.await??;
    let on_chain = devnet.rollup().state_root().await?;
    println!(
        "{admitted} txs admitted, {batches} batches committed; L1 root 0x{}",
        hex::encode(on_chain)
    );
    Ok(())
}

/// Users sending transfers to each other, a few per second. Every fifth one is deliberately
/// replayed (same nonce) to show admission rejecting it.
async fn wallets(keys: Vec<SecretKey>, domain: Domain, mempool: mpsc::Sender<Tx>) {
    let mut nonces = vec![0u32; keys.len()];
    for i in 0..TRANSFERS {
        let from = 1 + (i as u32 * 7) % USERS;
        let to = 1 + (i as u32 * 3 + 1) % USERS;
        let replay = i % 5 == 4 && nonces[from as usize] > 0;
        let nonce = nonces[from as usize] - u32::from(replay);
        let tx = Transfer::signed(&keys[from as usize], &domain, from, to, 1_000, 10, nonce);
        if !replay {
            nonces[from as usize] += 1;
        }
        if mempool.send(Tx::Transfer(tx)).await.is_err() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

/// Admits txs against the pending state (starting from the empty tree with the L1 deposits
/// `funding`, which lead the first batch) and seals batches. Returns how many txs it admitted.
async fn sealer(
    funding: Vec<Tx>,
    header: Header,
    mut mempool: mpsc::Receiver<Tx>,
    sealed: mpsc::Sender<Execution>,
) -> anyhow::Result<usize> {
    // `pending` runs ahead of `sealed_state` by exactly the txs in `batch`.
    let mut pending = StateTree::new();
    let mut sealed_state = StateTree::new();
    apply(&mut pending, &header, &funding)?;
    let mut admitted = funding.len();
    let mut batch: Vec<Tx> = funding;
    loop {
        let next = tokio::time::timeout(IDLE, mempool.recv()).await;
        let closed = matches!(next, Ok(None));
        if let Ok(Some(tx)) = next {
            match apply(&mut pending, &header, &[tx]) {
                Ok(_) => {
                    batch.push(tx);
                    admitted += 1;
                }
                Err(e) => tracing::warn!(error = %e, "tx rejected at admission"),
            }
        }
        let full = batch.len() >= BATCH_TXS.min(K << HEIGHT);
        if !batch.is_empty() && (full || closed || next.is_err()) {
            let txs = std::mem::take(&mut batch);
            let exec = apply(&mut sealed_state, &header, &txs)?;
            debug_assert_eq!(exec.new_root, pending.root());
            tracing::info!(txs = txs.len(), "batch sealed");
            sealed.send(exec).await?;
        }
        if closed {
            return Ok(admitted);
        }
    }
}

/// Proves, wraps and commits sealed batches in order. Returns how many it committed.
async fn pipeline(
    prover: Arc<RollupProver>,
    wrapper: Arc<Wrapper>,
    devnet: Arc<Devnet>,
    mut sealed: mpsc::Receiver<Execution>,
) -> anyhow::Result<usize> {
    let mut committed = 0;
    while let Some(exec) = sealed.recv().await {
        let t = Instant::now();
        let (p, w) = (prover.clone(), wrapper.clone());
        let (exec, wrapped) = tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
            let proof = p.prove_execution(&exec)?;
            let wrapped = p.wrap(&w, &proof, &|_| {})?;
            Ok((exec, wrapped))
        })
        .await??;
        let proved = t.elapsed();
        let report = devnet.commit(&exec, &wrapped).await?;
        committed += 1;
        tracing::info!(
            batch = committed,
            txs = exec.witnesses.len(),
            prove_and_wrap_s = proved.as_secs_f64(),
            gas = report.tx.gas_used,
            tx = %report.tx.tx_hash,
            new_root = %hex::encode(hash_to_bytes(&exec.new_root)),
            "batch committed on L1"
        );
    }
    Ok(committed)
}
