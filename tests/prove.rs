//! End to end through the library facade: a generated batch with deposits, transfers and
//! withdrawals → leaf proofs → aggregation → top proof → verify, and the negative cases.
//! One prover (k = 4) and one proof are shared by every test.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, OnceLock};

use zkroll::gen::{generate, GenParams};
use zkroll::{Batch, Domain, ProveError, ProveOptions, RollupProof, RollupProver, Tx};

fn params(seed: u64) -> GenParams {
    GenParams {
        txs: 7,
        accounts: 3,
        seed,
        deposits: 2,
        withdrawals: 2,
        full_exits: 0,
        domain: Domain {
            chain_id: 31337,
            rollup: [0x42; 20],
        },
    }
}

fn batch(seed: u64) -> Batch {
    generate(&params(seed), |_| {}).unwrap()
}

fn prover() -> &'static Arc<RollupProver> {
    static P: OnceLock<Arc<RollupProver>> = OnceLock::new();
    P.get_or_init(|| {
        Arc::new(
            RollupProver::new(ProveOptions {
                k: 4,
                ..ProveOptions::default()
            })
            .unwrap(),
        )
    })
}

/// Batch A (seed 1): 7 txs in 2 leaves of 4 slots, proved with `prove_async` on a
/// current-thread tokio runtime while a ticker task runs on the same runtime; also returns
/// how often the ticker ran during proving.
fn proved_a() -> &'static (RollupProof, u32) {
    static A: OnceLock<(RollupProof, u32)> = OnceLock::new();
    A.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let ticks = Arc::new(AtomicU32::new(0));
        let proof = rt.block_on(async {
            let t = ticks.clone();
            let ticker = tokio::spawn(async move {
                loop {
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                    t.fetch_add(1, Ordering::SeqCst);
                }
            });
            let proof = prover().clone().prove_async(batch(1)).await.unwrap();
            ticker.abort();
            proof
        });
        (proof, ticks.load(Ordering::SeqCst))
    })
}

fn proof_a() -> &'static RollupProof {
    &proved_a().0
}

#[test]
fn prove_async_does_not_block_the_runtime() {
    // Proving takes seconds; a blocked current-thread runtime would not tick at all.
    assert!(proved_a().1 > 10, "ticker ran {} times", proved_a().1);
}

#[test]
fn proof_digest_equals_the_executor_digest() {
    let b = batch(1);
    let exec = zkroll::execute(&b).unwrap();
    assert_eq!((exec.counts.deposits, exec.counts.withdrawals), (3 + 2, 2));
    let p = proof_a();
    assert_eq!(p.txs, 7);
    assert_eq!(p.digest, exec.digest.value);
    let v = prover().verify(p).unwrap();
    assert_eq!(v.digest, exec.digest.value);
    assert_eq!(v.statement.records_out, 7);
    assert_eq!(v.binding.versioned_hash, exec.blob.versioned_hash);
    assert_eq!((v.binding.x, v.binding.y), (exec.blob.x, exec.blob.y));
    // Bytes round trip, and the decoded proof still verifies.
    let back = RollupProof::from_bytes(&p.to_bytes().unwrap()).unwrap();
    assert_eq!(&back, p);
    assert!(prover().verify(&back).is_ok());
}

#[test]
fn flipped_byte_in_a_proof_file_is_rejected() {
    let bytes = proof_a().to_bytes().unwrap();
    for pos in [0, 6, 20, 100, bytes.len() / 2, bytes.len() - 1] {
        let mut b = bytes.clone();
        b[pos] ^= 0x10;
        assert!(matches!(
            RollupProof::from_bytes(&b),
            Err(ProveError::Malformed(_))
        ));
    }
    // A flipped byte inside the top proof, re-encoded with a valid checksum.
    let mut p = proof_a().clone();
    let mid = p.top.len() / 2;
    p.top[mid] ^= 1;
    assert!(prover().verify(&p).is_err());
}

#[test]
fn proof_of_batch_a_with_the_statement_of_batch_b_is_rejected() {
    let exec_b = zkroll::execute(&batch(2)).unwrap();
    let mut p = proof_a().clone();
    p.statement.new_root = exec_b.new_root.elements.map(|e| {
        use plonky2::field::types::PrimeField64;
        e.to_canonical_u64()
    });
    assert!(matches!(prover().verify(&p), Err(ProveError::Mismatch(_))));
    let mut p = proof_a().clone();
    p.digest = exec_b.digest.value;
    assert!(matches!(prover().verify(&p), Err(ProveError::Mismatch(_))));
    // Every field of the data binding is in the digest: another blob, point, value, effects
    // list or final root is refused.
    for field in 0..5 {
        let mut p = proof_a().clone();
        let b = &mut p.binding;
        match field {
            0 => b.versioned_hash[5] ^= 1,
            1 => b.x[31] ^= 1,
            2 => b.y[31] ^= 1,
            3 => b.effects_hash[0] ^= 1,
            _ => b.final_root[0] ^= 1,
        }
        assert!(
            matches!(prover().verify(&p), Err(ProveError::Mismatch(_))),
            "binding field {field}"
        );
    }
}

#[test]
fn invalid_tx_is_reported_before_proving() {
    let mut b = batch(3);
    let i = b
        .txs
        .iter()
        .position(|t| matches!(t, Tx::Withdraw(_)))
        .unwrap();
    if let Tx::Withdraw(t) = &mut b.txs[i] {
        t.amount += 1; // the signature no longer matches
    }
    match prover().prove(&b) {
        Err(ProveError::Exec(e)) => assert!(e.to_string().contains(&format!("tx {i}")), "{e}"),
        other => panic!("expected an execution error, got {other:?}"),
    }
}

/// The bench's measurement never counts a proof from an earlier run: proving the same batch
/// twice with a prover that has a work directory computes every distinct leaf both times and
/// leaves no proof file behind (only the cached circuits).
#[test]
fn measurement_never_reuses_proof_files() {
    let dir = tempfile::tempdir().unwrap();
    let with_dir = RollupProver::new(ProveOptions {
        k: 4,
        work_dir: Some(dir.path().to_path_buf()),
        ..ProveOptions::default()
    })
    .unwrap();
    let exec = zkroll::execute(&batch(1)).unwrap();
    let (_, first) = zkroll::bench::measure_execution(&with_dir, &exec).unwrap();
    let (_, second) = zkroll::bench::measure_execution(&with_dir, &exec).unwrap();
    assert!(first.leaf_proofs >= 2, "7 txs in leaves of 4: {first:?}");
    assert_eq!(
        second.leaf_proofs, first.leaf_proofs,
        "second run reused proofs"
    );
    let proof_files: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "proof"))
        .collect();
    assert!(
        proof_files.is_empty(),
        "proof files written: {proof_files:?}"
    );
}
