//! Prover throughput measurement: signed transfers per second through leaf proofs,
//! aggregation and the top step, with the time of each phase and the peak RSS.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::gen::{generate, GenParams};
use crate::{Domain, ProveError, RollupProver};

/// One measured run.
#[derive(Clone, Copy, Debug)]
pub struct ProveFigures {
    /// Transactions proven.
    pub txs: usize,
    /// Slots per leaf.
    pub k: usize,
    /// Leaf proofs (incl. padding leaves).
    pub leaves: usize,
    /// Building (or loading) the circuits, including the aggregation levels and the top.
    pub build: Duration,
    /// From the start of proving to the last leaf proof.
    pub leaf_phase: Duration,
    /// From the last leaf proof to the root aggregate.
    pub aggregation_phase: Duration,
    /// The top (digest) step.
    pub top: Duration,
    /// Proving, all phases (excluding the circuit build).
    pub total: Duration,
}

impl ProveFigures {
    /// Transactions per second of proving (circuit build excluded: done once per process).
    pub fn tx_per_s(&self) -> f64 {
        self.txs as f64 / self.total.as_secs_f64()
    }
}

/// Generates `txs` signed transfers over `txs` accounts (deterministic) and proves them with
/// `prover`, after warming its circuits for the tree height (so the figures are proving only).
pub fn measure_prove(prover: &RollupProver, txs: usize) -> Result<ProveFigures, ProveError> {
    let batch = generate(
        &GenParams {
            txs,
            accounts: txs.max(2) as u32,
            seed: 42,
            deposits: 0,
            withdrawals: 0,
            domain: Domain {
                chain_id: 31337,
                rollup: [0; 20],
            },
        },
        |_| {},
    )
    .map_err(|e| ProveError::Mismatch(e.to_string()))?;
    let exec = crate::execute(&batch)?;
    let k = prover.k();
    let leaves = txs.div_ceil(k).next_power_of_two().max(2);
    let t = Instant::now();
    prover.warm(leaves.trailing_zeros() as usize)?;
    let build = t.elapsed();
    let last_leaf = Arc::new(Mutex::new(None::<Instant>));
    let ll = last_leaf.clone();
    let observed = prover.with_progress(Arc::new(move |p: crate::Progress| {
        if p.level == 0 {
            *ll.lock().unwrap_or_else(|e| e.into_inner()) = Some(Instant::now());
        }
    }))?;
    let start = Instant::now();
    let (proof, agg_done) = observed.prove_execution_timed(&exec)?;
    let end = Instant::now();
    let leaf_end = last_leaf
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .unwrap_or(start);
    debug_assert_eq!(proof.txs as usize, txs);
    Ok(ProveFigures {
        txs,
        k,
        leaves,
        build,
        leaf_phase: leaf_end - start,
        aggregation_phase: agg_done - leaf_end,
        top: end - agg_done,
        total: end - start,
    })
}

/// Peak resident set size of this process so far, in bytes (Linux `VmHWM`; `None` elsewhere).
pub fn peak_rss_bytes() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}
