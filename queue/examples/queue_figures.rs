//! Figures of docs/queue.md: the queue's per-job overhead (taking a job, fetching its inputs,
//! storing the proof, the coordinator's verification) against proving time, and the wall time
//! of one batch with 1 and 2 workers, beside local proving with 1 and 2 threads.
//!
//! Uses the prover's fixture leaf circuit (cheap leaves; the aggregation jobs are real
//! recursion proofs). Workers are threads of this process, one proving thread each.
//!
//! ```text
//! export ZKROLL_TEST_PG=$(scripts/postgres.sh start)
//! cargo run -p zkroll-queue --example queue_figures [-- HEIGHT]   # default HEIGHT = 3
//! ```

#[path = "../tests/common/mod.rs"]
mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::Context;
use common::fixture::{chain, FixtureLeaf};
use common::fresh_db;
use zkroll_prover::{Prover, ProverConfig};
use zkroll_queue::{Coordinator, CoordinatorConfig, JobReport, Outcome, Worker, WorkerConfig};

fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() -> anyhow::Result<()> {
    let base = std::env::var("ZKROLL_TEST_PG")
        .context("set ZKROLL_TEST_PG (e.g. $(scripts/postgres.sh start))")?;
    let height: usize = match std::env::args().nth(1) {
        Some(h) => h.parse().context("HEIGHT")?,
        None => 3,
    };
    let config = |threads| ProverConfig {
        height: Some(height),
        threads: Some(threads),
        ..ProverConfig::default()
    };
    let prover = Prover::new(FixtureLeaf::build(4), config(1))?;
    for l in 1..=height {
        prover.aggregation(l)?;
    }
    let witnesses = chain(1 << height, 42);
    println!(
        "batch: {} fixture leaves, height {height}, {} jobs",
        witnesses.len(),
        (2usize << height) - 1
    );

    for threads in [1, 2] {
        let p = prover.reconfigure(config(threads))?;
        let t = Instant::now();
        p.prove(witnesses.clone())?;
        println!(
            "local proving, {threads} thread(s): {:.2} s",
            t.elapsed().as_secs_f64()
        );
    }

    for workers in [1usize, 2] {
        let url = fresh_db(&base, &format!("figures{workers}"));
        let c = Coordinator::connect(
            &prover,
            &url,
            CoordinatorConfig {
                height: Some(height),
                poll: Duration::from_millis(20),
                ..CoordinatorConfig::default()
            },
        )?;
        let reports: Mutex<Vec<JobReport>> = Mutex::new(Vec::new());
        let stop = AtomicBool::new(false);
        let t = Instant::now();
        let (bp, b) = std::thread::scope(|s| -> anyhow::Result<_> {
            for i in 0..workers {
                let (url, stop, reports, prover) = (&url, &stop, &reports, &prover);
                s.spawn(move || -> anyhow::Result<()> {
                    let mut w = Worker::connect(
                        prover,
                        url,
                        WorkerConfig {
                            id: format!("fig-{i}"),
                            height,
                            threads: Some(1),
                            poll: Duration::from_millis(20),
                            ..WorkerConfig::default()
                        },
                    )?;
                    while !stop.load(Ordering::SeqCst) {
                        match w.run_once()? {
                            Outcome::Proved(r) => reports.lock().unwrap().push(r),
                            _ => std::thread::sleep(Duration::from_millis(20)),
                        }
                    }
                    Ok(())
                });
            }
            let b = c.publish("figures", &[], &witnesses);
            let r = b.and_then(|b| c.wait(&b).map(|bp| (bp, b)));
            stop.store(true, Ordering::SeqCst);
            Ok(r?)
        })?;
        let wall = t.elapsed();
        prover.verify(&bp)?;
        println!(
            "queue, {workers} worker(s) (1 thread each): {:.2} s wall, publish to verified root",
            wall.as_secs_f64()
        );
        let reports = reports.into_inner().unwrap();
        // The coordinator's verification of each result, measured again on the stored results.
        let mut verify: [Vec<f64>; 2] = [vec![], vec![]];
        for row in c.db().query(
            "figures",
            "SELECT level, idx, result FROM zkroll_jobs WHERE batch_id = $1",
            &[&b.id],
        )? {
            let (level, idx, result): (i32, i32, Vec<u8>) = (row.get(0), row.get(1), row.get(2));
            let t = Instant::now();
            c.check_result(&b, level as usize, idx as usize, &result)?;
            verify[(level > 0) as usize].push(ms(t.elapsed()));
        }
        if workers == 1 {
            println!(
                "{:<11} {:>4} {:>9} {:>9} {:>9} {:>9} {:>10} {:>9} {:>9}",
                "job",
                "n",
                "take ms",
                "fetch ms",
                "store ms",
                "verify ms",
                "prove ms",
                "in KiB",
                "out KiB"
            );
            for (k, name) in ["leaf", "aggregation"].iter().enumerate() {
                let rs: Vec<&JobReport> = reports
                    .iter()
                    .filter(|r| (r.job.level > 0) as usize == k)
                    .collect();
                let m = |f: &dyn Fn(&JobReport) -> f64| median(rs.iter().map(|r| f(r)).collect());
                println!(
                    "{:<11} {:>4} {:>9.2} {:>9.2} {:>9.2} {:>9.2} {:>10.1} {:>9.1} {:>9.1}",
                    name,
                    rs.len(),
                    m(&|r| ms(r.take)),
                    m(&|r| ms(r.fetch)),
                    m(&|r| ms(r.store)),
                    median(verify[k].clone()),
                    m(&|r| ms(r.prove)),
                    m(&|r| r.bytes_in as f64 / 1024.0),
                    m(&|r| r.bytes_out as f64 / 1024.0),
                );
            }
        }
    }
    println!("(medians; shared 2-core machine: other processes compete for the cores)");
    Ok(())
}
