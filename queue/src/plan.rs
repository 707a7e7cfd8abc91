//! The job tree of a batch, computed natively before anything is queued: the same padding,
//! statements and deduplication as local proving (`Prover::prove`), so that the queued tree
//! proves exactly the statement a local run proves.

use std::collections::HashMap;

use zkroll_prover::{LeafCircuit, ProverError, Statement};

/// The job tree of one batch.
///
/// Invariants: `statements[0]` are the leaf statements (real leaves, then no-op padding up
/// to `2^height`), `statements[l][i] = compose(statements[l-1][2i], statements[l-1][2i+1])`,
/// `statements[height]` has one element; `rep[l][i]` is the first index of level `l` with the
/// statement of `i` — only those indices become jobs (identical statements are proved once).
#[derive(Clone, Debug)]
pub struct Plan {
    /// Tree height (`2^height` leaves, `height >= 1`).
    pub height: usize,
    /// Real (non-padding) leaves.
    pub real: usize,
    /// The statements of every level.
    pub statements: Vec<Vec<Statement>>,
    /// For every level and index, the index of the job that proves its statement.
    pub rep: Vec<Vec<usize>>,
}

impl Plan {
    /// Plans a batch of `leaves` real leaves whose statements are `statements` (the padding
    /// ones are added here), at the fixed `height` or the smallest that fits. Fails, before
    /// anything is queued, if the leaves do not link, a root limb is not canonical or the
    /// batch does not fit.
    pub fn new<L: LeafCircuit>(
        leaf: &L,
        mut statements: Vec<Statement>,
        height: Option<usize>,
    ) -> Result<Plan, ProverError> {
        let real = statements.len();
        if real == 0 {
            return Err(ProverError::EmptyBatch);
        }
        let total = match height {
            Some(h) if h == 0 || h > 24 => {
                return Err(ProverError::InvalidStatement(format!("tree height {h}")))
            }
            Some(h) if real > 1 << h => {
                return Err(ProverError::BatchTooLarge {
                    leaves: real,
                    capacity: 1 << h,
                })
            }
            Some(h) => 1 << h,
            None => real.next_power_of_two().max(2),
        };
        let height = total.trailing_zeros() as usize;
        let last = statements[real - 1];
        if real < total {
            let s = leaf.statement(&leaf.padding(&last))?;
            if s != last.noop_after() {
                return Err(ProverError::InvalidStatement(
                    "padding leaf is not a no-op".into(),
                ));
            }
            statements.resize(total, s);
        }
        for s in &statements {
            s.check_canonical()?;
        }
        let mut levels = vec![statements];
        for _ in 0..height {
            let prev = levels.last().expect("non-empty");
            let next = prev
                .chunks(2)
                .map(|c| Statement::compose(&c[0], &c[1]))
                .collect::<Result<Vec<_>, _>>()?;
            levels.push(next);
        }
        let rep = levels.iter().map(|l| first_indices(l)).collect();
        Ok(Plan {
            height,
            real,
            statements: levels,
            rep,
        })
    }

    /// The indices of level `level` that are jobs.
    pub fn jobs(&self, level: usize) -> impl Iterator<Item = usize> + '_ {
        self.rep[level]
            .iter()
            .enumerate()
            .filter(|(i, r)| i == *r)
            .map(|(i, _)| i)
    }

    /// The child jobs (level `level - 1`) of aggregation job `index` of `level >= 1`.
    pub fn children(&self, level: usize, index: usize) -> (usize, usize) {
        let below = &self.rep[level - 1];
        (below[2 * index], below[2 * index + 1])
    }

    /// Number of jobs of the whole tree.
    pub fn job_count(&self) -> usize {
        (0..=self.height).map(|l| self.jobs(l).count()).sum()
    }
}

/// For each index, the first index holding an equal statement.
fn first_indices(statements: &[Statement]) -> Vec<usize> {
    let mut seen: HashMap<&Statement, usize> = HashMap::new();
    statements
        .iter()
        .enumerate()
        .map(|(i, s)| *seen.entry(s).or_insert(i))
        .collect()
}
