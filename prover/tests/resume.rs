//! Resumable proving: cancel after some leaves, resume proving only what is missing, and
//! never trust a corrupted or mismatching proof file.

mod fixture;

use fixture::{chain, FixtureLeaf};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use zkroll_prover::{Progress, ProofOrigin, Prover, ProverConfig, ProverError};

/// (level, origin) of every finished proof of one run.
type Log = Arc<Mutex<Vec<(usize, ProofOrigin)>>>;

fn config(dir: &Path, log: &Log, cancel_after_leaves: Option<usize>) -> ProverConfig {
    let cancel = Arc::new(AtomicBool::new(false));
    let (l, c) = (log.clone(), cancel.clone());
    ProverConfig {
        threads: Some(1),
        work_dir: Some(dir.to_path_buf()),
        progress: Some(Arc::new(move |p: Progress| {
            l.lock().unwrap().push((p.level, p.origin));
            if p.level == 0 && Some(p.done) == cancel_after_leaves {
                c.store(true, Ordering::SeqCst);
            }
        })),
        cancel: Some(cancel),
        height: None,
    }
}

fn count(log: &Log, level: usize, origin: ProofOrigin) -> usize {
    log.lock()
        .unwrap()
        .iter()
        .filter(|&&(l, o)| l == level && o == origin)
        .count()
}

fn flip_byte(path: &Path, pos: usize) {
    let mut b = std::fs::read(path).unwrap();
    let pos = pos.min(b.len() - 1);
    b[pos] ^= 0x40;
    std::fs::write(path, b).unwrap();
}

#[test]
fn cancel_resume_and_corruption() {
    let dir = tempfile::tempdir().unwrap();
    let base = Prover::new(FixtureLeaf::build(4), ProverConfig::default()).unwrap();
    let batch = chain(2, 1);
    use ProofOrigin::{Proved, Reused};

    // Run 1: stop after the first leaf.
    let log = Log::default();
    let p = base.reconfigure(config(dir.path(), &log, Some(1))).unwrap();
    assert!(matches!(
        p.prove(batch.clone()),
        Err(ProverError::Cancelled)
    ));
    assert_eq!(count(&log, 0, Proved), 1);
    assert_eq!(log.lock().unwrap().len(), 1);

    // Run 2: only the missing leaf and the aggregate are proved.
    let log = Log::default();
    let p = base.reconfigure(config(dir.path(), &log, None)).unwrap();
    let bp = p.prove(batch.clone()).unwrap();
    assert_eq!(count(&log, 0, Reused), 1);
    assert_eq!(count(&log, 0, Proved), 1);
    assert_eq!(count(&log, 1, Proved), 1);
    assert_eq!(base.verify(&bp).unwrap(), bp.statement);

    // Run 3, a fresh process-like prover: the aggregation circuit is loaded from the work
    // dir, everything is reused, same proof.
    let circuits: Vec<_> = std::fs::read_dir(dir.path().join("circuits"))
        .unwrap()
        .collect();
    assert_eq!(circuits.len(), 1);
    let log = Log::default();
    let p = Prover::new(FixtureLeaf::build(4), config(dir.path(), &log, None)).unwrap();
    assert_eq!(p.prove(batch.clone()).unwrap(), bp);
    assert_eq!(count(&log, 0, Reused), 2);
    assert_eq!(count(&log, 1, Reused), 1);
    assert_eq!(log.lock().unwrap().len(), 3);

    // Run 4: a flipped byte in a leaf file (header) and in the aggregate file (body) are
    // detected and those proofs redone; the other leaf is reused.
    flip_byte(&dir.path().join("L00_000001.proof"), 10);
    flip_byte(&dir.path().join("L01_000000.proof"), 5000);
    let log = Log::default();
    let p = base.reconfigure(config(dir.path(), &log, None)).unwrap();
    let bp4 = p.prove(batch.clone()).unwrap();
    assert_eq!(count(&log, 0, Reused), 1);
    assert_eq!(count(&log, 0, Proved), 1);
    assert_eq!(count(&log, 1, Proved), 1);
    assert_eq!(base.verify(&bp4).unwrap(), bp.statement);

    // Run 5: another batch sharing leaf 0 in the same work dir: the mismatching leaf-1 and
    // aggregate files are not trusted.
    let mut other = batch.clone();
    other[1].step.as_mut().unwrap().delta[3] += 1;
    let log = Log::default();
    let p = base.reconfigure(config(dir.path(), &log, None)).unwrap();
    let bp5 = p.prove(other).unwrap();
    assert_eq!(count(&log, 0, Reused), 1);
    assert_eq!(count(&log, 0, Proved), 1);
    assert_eq!(count(&log, 1, Proved), 1);
    assert_ne!(bp5.statement, bp.statement);
    assert_eq!(base.verify(&bp5).unwrap(), bp5.statement);
}
