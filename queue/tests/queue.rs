//! The queue against a real PostgreSQL server (`ZKROLL_TEST_PG`, set by scripts/test.sh from
//! scripts/postgres.sh): workers, faults, restarts, tampering, bad servers. Each test works in
//! its own database. Workers that must die for real run as child processes of this binary
//! (the `child_*` tests, ignored unless a parent starts them).

mod common;

use std::net::TcpListener;
use std::process::{Child, Command};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use common::fixture::{chain, FixtureLeaf};
use common::{base_url, fresh_db, prover, OtherLeaf, SlowLeaf, HEIGHT};
use sha2::{Digest, Sha256};
use zkroll_prover::{BatchProof, Prover, ProverConfig};
use zkroll_queue::{
    Coordinator, CoordinatorConfig, Db, DbConfig, Outcome, QueueError, QueueLeaf, Worker,
    WorkerConfig,
};

fn coordinator_config() -> CoordinatorConfig {
    CoordinatorConfig {
        height: Some(HEIGHT),
        poll: Duration::from_millis(50),
        deadline: Some(Duration::from_secs(600)),
        ..CoordinatorConfig::default()
    }
}

fn worker_config(id: &str) -> WorkerConfig {
    WorkerConfig {
        id: id.into(),
        height: HEIGHT,
        threads: Some(1),
        lease: Duration::from_secs(2),
        heartbeat: Duration::from_millis(200),
        poll: Duration::from_millis(50),
        ..WorkerConfig::default()
    }
}

/// Waits for the batch while `workers` fixture workers prove; returns the proof and the
/// number of jobs each worker proved.
fn finish<L: QueueLeaf>(
    c: &Coordinator<'_, L>,
    b: &zkroll_queue::Published,
    url: &str,
    workers: &[&str],
) -> (BatchProof, Vec<usize>) {
    let stop = AtomicBool::new(false);
    std::thread::scope(|s| {
        let handles: Vec<_> = workers
            .iter()
            .map(|id| {
                let stop = &stop;
                s.spawn(move || {
                    let mut w = Worker::connect(prover(), url, worker_config(id)).unwrap();
                    w.run(stop, None).unwrap()
                })
            })
            .collect();
        let r = c.wait(b);
        stop.store(true, Ordering::SeqCst);
        let counts = handles.into_iter().map(|h| h.join().unwrap()).collect();
        (r.expect("batch proved"), counts)
    })
}

/// `(id, level, idx, state, attempts, result)` of a job row.
type JobRow = (i64, i32, i32, String, i32, Option<Vec<u8>>);

fn job_rows(db: &Db, batch: i64) -> Vec<JobRow> {
    db.query(
        "test",
        "SELECT id, level, idx, state, attempts, result FROM zkroll_jobs WHERE batch_id = $1 \
         ORDER BY level, idx",
        &[&batch],
    )
    .unwrap()
    .iter()
    .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4), r.get(5)))
    .collect()
}

fn wait_for(what: &str, limit: Duration, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn spawn_child(test: &str, url: &str, id: &str) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args([
            test,
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("ZKQ_CHILD_URL", url)
        .env("ZKQ_CHILD_ID", id)
        .spawn()
        .unwrap()
}

#[test]
fn two_workers_prove_a_batch_whose_statement_is_local_provings() {
    let Some(base) = base_url() else { return };
    let url = fresh_db(&base, "two");
    let witnesses = chain(3, 1);
    let c = Coordinator::connect(prover(), &url, coordinator_config()).unwrap();
    let b = c.publish("two", &[], &witnesses).unwrap();
    assert_eq!(
        b.plan.job_count(),
        7,
        "4 distinct leaves, 2 + 1 aggregations"
    );
    let (queued, counts) = finish(&c, &b, &url, &["w1", "w2"]);
    assert_eq!(
        counts.iter().sum::<usize>(),
        7,
        "each job proved once: {counts:?}"
    );
    assert!(
        counts.iter().all(|&n| n >= 1),
        "both workers proved: {counts:?}"
    );

    let local = prover().prove(witnesses).unwrap();
    assert_eq!(queued.statement, local.statement);
    assert_eq!(
        (queued.height, queued.leaves, queued.circuit_digest),
        (local.height, local.leaves, local.circuit_digest)
    );
    assert_eq!(prover().verify(&queued).unwrap(), local.statement);
    let db = Db::connect(&url, &DbConfig::default()).unwrap();
    assert!(job_rows(&db, b.id)
        .iter()
        .all(|j| j.3 == "done" && j.4 == 1));
}

#[test]
#[ignore = "child process of a_worker_killed_mid_job_has_its_job_proved_by_another"]
fn child_slow_worker() {
    let Ok(url) = std::env::var("ZKQ_CHILD_URL") else {
        return;
    };
    let slow = Prover::new(
        SlowLeaf(FixtureLeaf::build(4), Duration::from_secs(600)),
        ProverConfig {
            height: Some(HEIGHT),
            threads: Some(1),
            ..ProverConfig::default()
        },
    )
    .unwrap();
    let id = std::env::var("ZKQ_CHILD_ID").unwrap();
    let mut w = Worker::connect(&slow, &url, worker_config(&id)).unwrap();
    w.run(&AtomicBool::new(false), Some(1)).unwrap();
}

#[test]
fn a_worker_killed_mid_job_has_its_job_proved_by_another() {
    let Some(base) = base_url() else { return };
    let url = fresh_db(&base, "kill");
    let c = Coordinator::connect(prover(), &url, coordinator_config()).unwrap();
    let b = c.publish("kill", &[], &chain(3, 2)).unwrap();
    let db = Db::connect(&url, &DbConfig::default()).unwrap();
    let mut child = spawn_child("child_slow_worker", &url, "doomed");
    let mut held = None;
    wait_for("the child to take a job", Duration::from_secs(300), || {
        held = db
            .query_opt(
                "test",
                "SELECT id FROM zkroll_jobs WHERE lease_owner = 'doomed' AND state = 'running'",
                &[],
            )
            .unwrap()
            .map(|r| r.get::<_, i64>(0));
        held.is_some()
    });
    let held = held.unwrap();
    // Heartbeats renew the lease while the child is (slowly) proving.
    wait_for("a heartbeat", Duration::from_secs(10), || {
        db.query_opt(
            "test",
            "SELECT 1 FROM zkroll_jobs WHERE id = $1 AND heartbeat > started_at",
            &[&held],
        )
        .unwrap()
        .is_some()
    });
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    let (bp, counts) = finish(&c, &b, &url, &["survivor"]);
    assert_eq!(counts, vec![7]);
    assert_eq!(prover().verify(&bp).unwrap(), b.plan.statements[HEIGHT][0]);
    let row = db
        .query_opt(
            "test",
            "SELECT attempts, lease_owner, state FROM zkroll_jobs WHERE id = $1",
            &[&held],
        )
        .unwrap()
        .unwrap();
    let (attempts, owner, state): (i32, String, String) = (row.get(0), row.get(1), row.get(2));
    assert_eq!(
        (attempts, owner.as_str(), state.as_str()),
        (2, "survivor", "done")
    );
}

/// Re-encodes a proof file with a new body, fixing length and checksum, so that only the
/// plonky2 verification can tell.
fn with_body(file: &[u8], body: &[u8]) -> Vec<u8> {
    let mut out = file[..72].to_vec();
    out.extend((body.len() as u64).to_be_bytes());
    out.extend(Sha256::digest(body));
    out.extend(body);
    out
}

#[test]
fn tampered_results_are_rejected_logged_and_proved_again() {
    let Some(base) = base_url() else { return };
    let url = fresh_db(&base, "tamper");
    let c = Coordinator::connect(prover(), &url, coordinator_config()).unwrap();
    let b = c.publish("tamper", &[], &chain(3, 3)).unwrap();
    let mut w = Worker::connect(prover(), &url, worker_config("honest")).unwrap();
    for _ in 0..4 {
        assert!(matches!(w.run_once().unwrap(), Outcome::Proved(_)));
    }
    let db = Db::connect(&url, &DbConfig::default()).unwrap();
    let rows = job_rows(&db, b.id);
    let result = |i: usize| rows[i].5.clone().unwrap();
    let set = |i: usize, bytes: Vec<u8>| {
        db.execute(
            "test",
            "UPDATE zkroll_jobs SET result = $2 WHERE id = $1",
            &[&rows[i].0, &bytes],
        )
        .unwrap();
    };
    // Leaf 0: a valid proof of leaf 1 under leaf 0's header (header checks pass, plonky2
    // verification passes, the statement does not).
    set(0, with_body(&result(0), &result(1)[112..]));
    // Leaf 1: one byte of its proof flipped, checksum fixed.
    let mut body = result(1)[112..].to_vec();
    let n = body.len();
    body[n - 100] ^= 1;
    set(1, with_body(&result(1), &body));
    // Leaf 2: leaf 3's result as is (statement hash of the header differs).
    set(2, result(3));
    let r = c.step(&b).unwrap();
    assert_eq!((r.accepted, r.rejected, r.published), (1, 3, 0));
    for (i, row) in job_rows(&db, b.id).iter().take(3).enumerate() {
        assert_eq!(
            (row.3.as_str(), row.5.is_none()),
            ("queued", true),
            "leaf {i}"
        );
        let err: String = db
            .query_opt(
                "test",
                "SELECT error FROM zkroll_jobs WHERE id = $1",
                &[&row.0],
            )
            .unwrap()
            .unwrap()
            .get(0);
        assert!(err.starts_with("result rejected"), "leaf {i}: {err}");
    }
    let (bp, _) = finish(&c, &b, &url, &["honest2"]);
    assert_eq!(prover().verify(&bp).unwrap(), b.plan.statements[HEIGHT][0]);
    let attempts: Vec<i32> = job_rows(&db, b.id).iter().map(|j| j.4).collect();
    assert_eq!(&attempts[..4], &[2, 2, 2, 1]);
}

#[test]
#[ignore = "child process of a_killed_coordinator_restarted_finishes_without_redoing_jobs"]
fn child_coordinator() {
    let Ok(url) = std::env::var("ZKQ_CHILD_URL") else {
        return;
    };
    let c = Coordinator::connect(prover(), &url, coordinator_config()).unwrap();
    c.prove("restart", &[], &chain(3, 4)).unwrap();
}

#[test]
fn a_killed_coordinator_restarted_finishes_without_redoing_jobs() {
    let Some(base) = base_url() else { return };
    let url = fresh_db(&base, "restart");
    let db = Db::connect(&url, &DbConfig::default()).unwrap();
    let mut child = spawn_child("child_coordinator", &url, "");
    let count = |sql: &str| -> i64 { db.query_opt("test", sql, &[]).unwrap().unwrap().get(0) };
    wait_for("the leaf jobs", Duration::from_secs(300), || {
        count("SELECT count(*) FROM zkroll_jobs") == 4
    });
    // Prove the four leaves and one of the two aggregations the coordinator publishes.
    let mut w = Worker::connect(prover(), &url, worker_config("w")).unwrap();
    let finished = "SELECT count(*) FROM zkroll_jobs WHERE state IN ('proved', 'done')";
    wait_for("five proved jobs", Duration::from_secs(120), || {
        if let Outcome::Idle = w.run_once().unwrap() {
            std::thread::sleep(Duration::from_millis(50));
        }
        count(finished) == 5
    });
    wait_for(
        "the coordinator to accept it",
        Duration::from_secs(60),
        || count("SELECT count(*) FROM zkroll_jobs WHERE state = 'done'") == 5,
    );
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let batch: i64 = db
        .query_opt("test", "SELECT id FROM zkroll_batches", &[])
        .unwrap()
        .unwrap()
        .get(0);
    let before = job_rows(&db, batch);

    let c = Coordinator::connect(prover(), &url, coordinator_config()).unwrap();
    let b = c.publish("restart", &[], &chain(3, 4)).unwrap();
    assert_eq!(b.id, batch, "resumed, not published again");
    let (bp, counts) = finish(&c, &b, &url, &["w2"]);
    assert_eq!(
        counts,
        vec![2],
        "only the two missing aggregations were proved"
    );
    assert_eq!(prover().verify(&bp).unwrap(), b.plan.statements[HEIGHT][0]);
    let after = job_rows(&db, batch);
    assert_eq!(after.len(), 7);
    for j in &after {
        assert_eq!((j.3.as_str(), j.4), ("done", 1), "job {j:?}");
    }
    for old in before.iter().filter(|j| j.3 == "done") {
        let new = after.iter().find(|j| j.0 == old.0).unwrap();
        assert_eq!(new.5, old.5, "finished proof kept");
    }
}

#[test]
fn a_worker_never_takes_a_job_of_other_circuits() {
    let Some(base) = base_url() else { return };
    let url = fresh_db(&base, "refuse");
    let c = Coordinator::connect(prover(), &url, coordinator_config()).unwrap();
    let b = c.publish("refuse", &[], &chain(2, 5)).unwrap();
    let other = Prover::new(OtherLeaf::build(), ProverConfig::default()).unwrap();
    let mut ow = Worker::connect(&other, &url, worker_config("other")).unwrap();
    let mut fw = Worker::connect(prover(), &url, worker_config("fixture")).unwrap();
    assert!(ow.digests().iter().all(|d| !fw.digests().contains(d)));
    assert!(matches!(ow.run_once().unwrap(), Outcome::Idle));
    let db = Db::connect(&url, &DbConfig::default()).unwrap();
    assert!(job_rows(&db, b.id)
        .iter()
        .all(|j| j.3 == "queued" && j.4 == 0));
    assert!(matches!(fw.run_once().unwrap(), Outcome::Proved(_)));
}

#[test]
fn aggregation_comes_before_new_leaves_across_batches() {
    let Some(base) = base_url() else { return };
    let url = fresh_db(&base, "order");
    let config = CoordinatorConfig {
        height: Some(1),
        ..coordinator_config()
    };
    let c = Coordinator::connect(prover(), &url, config).unwrap();
    let a = c.publish("a", &[], &chain(2, 6)).unwrap();
    let b = c.publish("b", &[], &chain(2, 7)).unwrap();
    let mut w = Worker::connect(prover(), &url, worker_config("w")).unwrap();
    let mut next = || match w.run_once().unwrap() {
        Outcome::Proved(r) => (r.job.batch, r.job.level),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        [next(), next()],
        [(a.id, 0), (a.id, 0)],
        "oldest batch first"
    );
    let r = c.step(&a).unwrap();
    assert_eq!((r.accepted, r.published), (2, 1));
    assert_eq!(next(), (a.id, 1), "a's aggregation before b's leaves");
    assert_eq!(next(), (b.id, 0));
    let root = c.step(&a).unwrap().root.expect("batch a proved");
    assert_eq!(prover().verify(&root).unwrap(), a.plan.statements[1][0]);
}

#[test]
fn bad_urls_fail_fast_with_clear_errors() {
    let quick = DbConfig {
        connect_timeout: Duration::from_secs(2),
        call_timeout: Duration::from_secs(2),
        ..DbConfig::default()
    };
    let err = Db::connect("postgres://u:pw@127.0.0.1:notaport/db", &quick)
        .err()
        .unwrap();
    assert!(matches!(err, QueueError::BadUrl { .. }), "{err}");
    assert!(!err.to_string().contains("pw"), "password shown: {err}");

    // Nothing listens on the port.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let start = Instant::now();
    let err = Db::connect(&format!("postgres://u@127.0.0.1:{port}/db"), &quick)
        .err()
        .unwrap();
    assert!(matches!(err, QueueError::Connect { .. }), "{err}");
    assert!(err.to_string().contains(&port.to_string()), "{err}");
    assert!(start.elapsed() < Duration::from_secs(10));

    // Something accepts the connection and never answers.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let hold = std::thread::spawn(move || silent.accept().map(|(s, _)| s));
    let start = Instant::now();
    let err = Db::connect(&format!("postgres://u@127.0.0.1:{port}/db"), &quick)
        .err()
        .unwrap();
    assert!(matches!(err, QueueError::Timeout { .. }), "{err}");
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "{:?}",
        start.elapsed()
    );
    drop(hold.join());
}

fn postgres_sh(dir: &str, cmd: &str) -> String {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/postgres.sh");
    let out = Command::new(script)
        .arg(cmd)
        .env("ZKROLL_PG_DIR", dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

#[test]
fn a_server_that_goes_away_gives_an_error_not_a_hang() {
    // Needs the PostgreSQL binaries: run where the test server is.
    if base_url().is_none() {
        return;
    }
    let dir = format!("/tmp/zkq-gone-{}", std::process::id());
    let url = postgres_sh(&dir, "start");
    let quick = DbConfig {
        connect_timeout: Duration::from_secs(3),
        call_timeout: Duration::from_secs(3),
        ..DbConfig::default()
    };
    let config = CoordinatorConfig {
        db: quick.clone(),
        ..coordinator_config()
    };
    let c = Coordinator::connect(prover(), &url, config).unwrap();
    let b = c.publish("gone", &[], &chain(2, 8)).unwrap();
    let mut w = Worker::connect(
        prover(),
        &url,
        WorkerConfig {
            db: quick.clone(),
            ..worker_config("w")
        },
    )
    .unwrap();
    postgres_sh(&dir, "stop");
    let port = url.rsplit(':').next().unwrap().split('/').next().unwrap();
    let start = Instant::now();
    let err = c.step(&b).expect_err("coordinator error");
    assert!(
        matches!(err, QueueError::Db { .. } | QueueError::Timeout { .. }),
        "{err}"
    );
    assert!(err.to_string().contains(port), "{err}");
    let err = w.run_once().expect_err("worker error");
    assert!(
        matches!(err, QueueError::Db { .. } | QueueError::Timeout { .. }),
        "{err}"
    );
    let err = Db::connect(&url, &quick).err().expect("reconnect error");
    assert!(matches!(err, QueueError::Connect { .. }), "{err}");
    assert!(
        start.elapsed() < Duration::from_secs(15),
        "{:?}",
        start.elapsed()
    );
}
