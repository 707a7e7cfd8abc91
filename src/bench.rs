//! Prover throughput measurement: signed transfers per second through leaf proofs,
//! aggregation and the top step, with the time of each phase and the peak RSS.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::gen::{generate, GenError, GenParams};
use crate::{Batch, Domain, Execution, ProveError, RollupProof, RollupProver};

/// One measured run.
#[derive(Clone, Copy, Debug)]
pub struct ProveFigures {
    /// Transactions proven.
    pub txs: usize,
    /// Slots per leaf.
    pub k: usize,
    /// Leaf slots of the tree (`2^height`, padding leaves included; identical padding leaves
    /// are proven once).
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

/// `txs` transactions from the empty state: 2 deposits creating accounts 0 and 1, then
/// signed transfers between them (`txs ≥ 2`), deterministic, signed for `domain`. (Every slot
/// costs the same rows, so the mix does not change proving time.)
pub fn transfer_batch(txs: usize, domain: Domain) -> Result<Batch, GenError> {
    generate(
        &GenParams {
            txs,
            accounts: 2,
            seed: 42,
            deposits: 0,
            withdrawals: 0,
            full_exits: 0,
            domain,
        },
        |_| {},
    )
}

/// Generates `txs` signed transfers ([`transfer_batch`]) and proves them with `prover`
/// ([`measure_execution`]).
pub fn measure_prove(prover: &RollupProver, txs: usize) -> Result<ProveFigures, ProveError> {
    let domain = Domain {
        chain_id: 31337,
        rollup: [0; 20],
    };
    let batch = transfer_batch(txs, domain).map_err(|e| ProveError::Mismatch(e.to_string()))?;
    let exec = crate::execute(&batch)?;
    measure_execution(prover, &exec).map(|(_, f)| f)
}

/// Proves `exec` with `prover`, after warming its circuits for the batch's tree height (so
/// the figures are proving only), and times each phase.
pub fn measure_execution(
    prover: &RollupProver,
    exec: &Execution,
) -> Result<(RollupProof, ProveFigures), ProveError> {
    let txs = exec.witnesses.len();
    let k = prover.k();
    let height = prover.height_for(txs);
    let t = Instant::now();
    prover.warm(height)?;
    let build = t.elapsed();
    let last_leaf = Arc::new(Mutex::new(None::<Instant>));
    let ll = last_leaf.clone();
    let observed = prover.with_progress(Arc::new(move |p: crate::Progress| {
        if p.level == 0 {
            *ll.lock().unwrap_or_else(|e| e.into_inner()) = Some(Instant::now());
        }
    }))?;
    let start = Instant::now();
    let (proof, agg_done) = observed.prove_execution_timed(exec)?;
    let end = Instant::now();
    let leaf_end = last_leaf
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .unwrap_or(start);
    let figures = ProveFigures {
        txs,
        k,
        leaves: 1 << height,
        build,
        leaf_phase: leaf_end - start,
        aggregation_phase: agg_done - leaf_end,
        top: end - agg_done,
        total: end - start,
    };
    Ok((proof, figures))
}

/// Peak resident set size of this process so far, in bytes (Linux `VmHWM`; `None` elsewhere).
pub fn peak_rss_bytes() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}
