//! The batch prover: leaves in parallel, then each aggregation level, with resumable proof
//! files in an optional work directory.

use crate::proof_file::{self, Expected};
use crate::top::{check_sizes, TopCircuit, TopWitness, DIGEST_WORDS};
use crate::{AggCircuit, BatchProof, LeafCircuit, Proof, ProverError, Statement};
use plonky2::field::types::PrimeField64;
use plonky2::plonk::circuit_data::{CommonCircuitData, VerifierOnlyCircuitData};
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use zkroll_circuits::da::MAX_EFFECTS;

/// Where a finished proof came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProofOrigin {
    /// Proved in this run.
    Proved,
    /// Loaded from the work directory and verified.
    Reused,
}

/// One progress event, emitted after each finished proof.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// Tree level: 0 = leaves, `k` = aggregates of level `k - 1`.
    pub level: usize,
    /// Proofs of this level finished so far (this one included).
    pub done: usize,
    /// Proofs of this level in total.
    pub total: usize,
    /// Height of the tree (root level).
    pub height: usize,
    /// Whether this proof was computed or reused.
    pub origin: ProofOrigin,
}

/// Progress callback; called from the worker threads.
pub type ProgressFn = Arc<dyn Fn(Progress) + Send + Sync>;

/// Configuration of a [`Prover`].
#[derive(Clone, Default)]
pub struct ProverConfig {
    /// Worker threads (`None`: rayon's default, one per core).
    pub threads: Option<usize>,
    /// Directory where each finished proof is written and from which it is reused after a
    /// crash (`None`: keep everything in memory).
    pub work_dir: Option<PathBuf>,
    /// Called after every finished proof.
    pub progress: Option<ProgressFn>,
    /// When set to `true`, no new proof is started and `prove` returns
    /// [`ProverError::Cancelled`]; finished proofs stay in the work directory.
    pub cancel: Option<Arc<AtomicBool>>,
    /// Fixed tree height (`2^height` leaves, `height >= 1`): every batch is padded to it, so
    /// every proof comes from the same root (and top) circuit — what a deployment with one
    /// verifying key needs. `None`: the smallest height that fits each batch.
    pub height: Option<usize>,
}

/// Proves batches of leaves of circuit `L` and verifies batch proofs.
///
/// Circuits are built once per process: the leaf circuit by the caller, the aggregation
/// circuit of each level lazily on first use, then shared. Only proofs (not per-leaf
/// prover data) are kept in memory, one tree level at a time.
pub struct Prover<L: LeafCircuit> {
    leaf: Arc<L>,
    config: ProverConfig,
    pool: rayon::ThreadPool,
    aggs: Arc<Mutex<Vec<Arc<AggCircuit>>>>,
    tops: Arc<Mutex<HashMap<usize, Arc<TopCircuit>>>>,
}

fn digest_of(v: &VerifierOnlyCircuitData<crate::C, { crate::D }>) -> [u64; 4] {
    v.circuit_digest.elements.map(|x| x.to_canonical_u64())
}

impl<L: LeafCircuit> Prover<L> {
    /// Creates a prover; fails if the leaf circuit does not expose the 40-limb statement or
    /// the thread pool cannot be built.
    pub fn new(leaf: L, config: ProverConfig) -> Result<Self, ProverError> {
        Self::with_circuits(Arc::new(leaf), Arc::default(), Arc::default(), config)
    }

    /// A prover with another configuration sharing this one's circuits (nothing is rebuilt).
    pub fn reconfigure(&self, config: ProverConfig) -> Result<Self, ProverError> {
        Self::with_circuits(
            self.leaf.clone(),
            self.aggs.clone(),
            self.tops.clone(),
            config,
        )
    }

    fn with_circuits(
        leaf: Arc<L>,
        aggs: Arc<Mutex<Vec<Arc<AggCircuit>>>>,
        tops: Arc<Mutex<HashMap<usize, Arc<TopCircuit>>>>,
        config: ProverConfig,
    ) -> Result<Self, ProverError> {
        let n = leaf.data().common.num_public_inputs;
        if n != crate::STATEMENT_LEN {
            return Err(ProverError::BadLeafCircuit(n));
        }
        let mut pb = rayon::ThreadPoolBuilder::new();
        if let Some(t) = config.threads {
            pb = pb.num_threads(t);
        }
        let pool = pb
            .build()
            .map_err(|e| ProverError::ThreadPool(e.to_string()))?;
        if let Some(dir) = &config.work_dir {
            std::fs::create_dir_all(dir).map_err(|source| ProverError::Io {
                path: dir.clone(),
                source,
            })?;
        }
        Ok(Prover {
            leaf,
            config,
            pool,
            aggs,
            tops,
        })
    }

    /// The leaf circuit.
    pub fn leaf(&self) -> &L {
        &self.leaf
    }

    /// The aggregation circuit producing tree level `level >= 1` (built on first use).
    pub fn aggregation(&self, level: usize) -> Result<Arc<AggCircuit>, ProverError> {
        if level == 0 {
            return Err(ProverError::InvalidStatement(
                "aggregation levels start at 1".into(),
            ));
        }
        let mut aggs = self.aggs.lock().unwrap_or_else(|p| p.into_inner());
        while aggs.len() < level {
            let next = aggs.len() + 1;
            let (common, verifier) = match aggs.last() {
                None => (&self.leaf.data().common, &self.leaf.data().verifier_only),
                Some(prev) => (&prev.data.common, &prev.data.verifier_only),
            };
            let built = self.load_or_build(next, common, verifier)?;
            aggs.push(Arc::new(built));
        }
        Ok(aggs[level - 1].clone())
    }

    /// Loads the aggregation circuit of `level` from `work_dir/circuits/` (keyed by the
    /// child circuit digest) or builds it and stores it there. An unreadable or corrupted
    /// file is logged and replaced.
    fn load_or_build(
        &self,
        level: usize,
        common: &CommonCircuitData<crate::F, { crate::D }>,
        verifier: &VerifierOnlyCircuitData<crate::C, { crate::D }>,
    ) -> Result<AggCircuit, ProverError> {
        let Some(dir) = &self.config.work_dir else {
            return AggCircuit::build(level, common, verifier);
        };
        let dir = dir.join("circuits");
        let child: String = digest_of(verifier)
            .iter()
            .map(|x| format!("{x:016x}"))
            .collect();
        let path = dir.join(format!("agg_L{level:02}_{child}.bin"));
        match std::fs::read(&path).map(|b| AggCircuit::from_bytes(&b)) {
            Ok(Ok(c)) if c.level == level => return Ok(c),
            Ok(Ok(_)) => tracing::warn!(path = %path.display(), "circuit file of another level"),
            Ok(Err(e)) => {
                tracing::warn!(path = %path.display(), error = %e, "invalid circuit file")
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => tracing::warn!(path = %path.display(), error = %e, "unreadable circuit file"),
        }
        let built = AggCircuit::build(level, common, verifier)?;
        std::fs::create_dir_all(&dir).map_err(|source| ProverError::Io {
            path: dir.clone(),
            source,
        })?;
        proof_file::write_atomic(&path, &built.to_bytes()?)?;
        Ok(built)
    }

    fn cancelled(&self) -> bool {
        self.config
            .cancel
            .as_ref()
            .is_some_and(|c| c.load(Ordering::SeqCst))
    }

    fn report(&self, p: Progress) {
        if let Some(f) = &self.config.progress {
            f(p);
        }
    }

    fn file(&self, level: usize, index: usize) -> Option<PathBuf> {
        self.config
            .work_dir
            .as_ref()
            .map(|d| d.join(format!("L{level:02}_{index:06}.proof")))
    }

    /// Reuses a valid proof file or runs `make`; saves new proofs atomically.
    #[allow(clippy::too_many_arguments)]
    fn obtain(
        &self,
        path: Option<&Path>,
        common: &CommonCircuitData<crate::F, { crate::D }>,
        verifier: &VerifierOnlyCircuitData<crate::C, { crate::D }>,
        verify: &dyn Fn(&Proof) -> Result<(), ProverError>,
        statement: &Statement,
        make: &dyn Fn() -> Result<Proof, ProverError>,
    ) -> Result<(Proof, ProofOrigin), ProverError> {
        let exp = Expected {
            circuit_digest: digest_of(verifier),
            statement_hash: statement.hash(),
        };
        if let Some(path) = path {
            match proof_file::load(path, &exp, common) {
                Ok(Some(p)) => {
                    let ok = verify(&p).and_then(|()| {
                        if Statement::from_limbs(&p.public_inputs)? == *statement {
                            Ok(())
                        } else {
                            Err(ProverError::Verification("statement mismatch".into()))
                        }
                    });
                    match ok {
                        Ok(()) => return Ok((p, ProofOrigin::Reused)),
                        Err(e) => {
                            tracing::warn!(path = %path.display(), error = %e, "invalid proof file, proving again")
                        }
                    }
                }
                Ok(None) => {}
                Err(e) => {
                    tracing::warn!(path = %path.display(), error = %e, "unusable proof file, proving again")
                }
            }
        }
        if self.cancelled() {
            return Err(ProverError::Cancelled);
        }
        let p = make()?;
        if Statement::from_limbs(&p.public_inputs)? != *statement {
            return Err(ProverError::Proving(
                "proof does not expose the expected statement".into(),
            ));
        }
        if let Some(path) = path {
            proof_file::write_atomic(path, &proof_file::encode(&p, &exp))?;
        }
        Ok((p, ProofOrigin::Proved))
    }

    /// Proves a batch: the leaves (padded with no-op leaves to `2^h`, `h >= 1`) in
    /// parallel, then each aggregation level. Fails with [`ProverError::NotLinked`] before
    /// proving anything if consecutive leaves do not link.
    pub fn prove(&self, witnesses: Vec<L::Witness>) -> Result<BatchProof, ProverError> {
        if witnesses.is_empty() {
            return Err(ProverError::EmptyBatch);
        }
        let real = witnesses.len();
        let total = match self.config.height {
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
        let _span = tracing::info_span!("prove_batch", leaves = real, height).entered();
        let mut statements = witnesses
            .iter()
            .map(|w| self.leaf.statement(w))
            .collect::<Result<Vec<_>, _>>()?;
        let mut witnesses = witnesses;
        let last = statements[real - 1];
        while witnesses.len() < total {
            let pad = self.leaf.padding(&last);
            let s = self.leaf.statement(&pad)?;
            if s != last.noop_after() {
                return Err(ProverError::InvalidStatement(
                    "padding leaf is not a no-op".into(),
                ));
            }
            witnesses.push(pad);
            statements.push(s);
        }
        for s in &statements {
            s.check_canonical()?;
        }
        // Statements of every level, checked natively before any proving.
        let mut level_statements = vec![statements];
        for _ in 0..height {
            let prev = level_statements.last().expect("non-empty");
            let next = prev
                .chunks(2)
                .map(|c| Statement::compose(&c[0], &c[1]))
                .collect::<Result<Vec<_>, _>>()?;
            level_statements.push(next);
        }
        let aggs = (1..=height)
            .map(|l| self.aggregation(l))
            .collect::<Result<Vec<_>, _>>()?;

        self.pool.install(|| {
            let leaf_data = self.leaf.data();
            let done = AtomicUsize::new(0);
            let span = tracing::info_span!("leaves", total);
            let _g = span.enter();
            // Identical statements (the padding leaves after the last real one) are proved
            // once: any valid proof of a statement is a proof of every leaf claiming it.
            let (firsts, source) = dedupe(&level_statements[0]);
            let unique: Vec<Proof> = firsts
                .par_iter()
                .map(|&i| {
                    let (p, origin) = self.obtain(
                        self.file(0, i).as_deref(),
                        &leaf_data.common,
                        &leaf_data.verifier_only,
                        &|p| {
                            leaf_data
                                .verify(p.clone())
                                .map_err(|e| ProverError::Verification(e.to_string()))
                        },
                        &level_statements[0][i],
                        &|| self.leaf.prove(&witnesses[i]),
                    )?;
                    self.report(Progress {
                        level: 0,
                        done: done.fetch_add(1, Ordering::SeqCst) + 1,
                        total,
                        height,
                        origin,
                    });
                    Ok(p)
                })
                .collect::<Result<Vec<_>, ProverError>>()?;
            let mut proofs = self.expand(&unique, &source, 0, &done, total, height);
            drop(witnesses);
            for (k, agg) in aggs.iter().enumerate() {
                let level = k + 1;
                let n = proofs.len() / 2;
                let done = AtomicUsize::new(0);
                let span = tracing::info_span!("aggregate", level, total = n);
                let _g = span.enter();
                let (firsts, source) = dedupe(&level_statements[level]);
                let unique: Vec<Proof> = firsts
                    .par_iter()
                    .map(|&i| {
                        let pair = &proofs[2 * i..2 * i + 2];
                        let (p, origin) = self.obtain(
                            self.file(level, i).as_deref(),
                            &agg.data.common,
                            &agg.data.verifier_only,
                            &|p| agg.verify(p),
                            &level_statements[level][i],
                            &|| agg.prove(&pair[0], &pair[1]),
                        )?;
                        self.report(Progress {
                            level,
                            done: done.fetch_add(1, Ordering::SeqCst) + 1,
                            total: n,
                            height,
                            origin,
                        });
                        Ok(p)
                    })
                    .collect::<Result<Vec<_>, ProverError>>()?;
                proofs = self.expand(&unique, &source, level, &done, n, height);
            }
            let root = proofs.pop().expect("one root proof");
            let root_agg = aggs.last().expect("height >= 1");
            Ok(BatchProof {
                statement: level_statements[height][0],
                height: height as u32,
                leaves: real as u32,
                circuit_digest: digest_of(&root_agg.data.verifier_only),
                proof: root.to_bytes(),
            })
        })
    }

    /// The proofs of a whole level from the proofs of its distinct statements; the copies
    /// are reported as reused.
    fn expand(
        &self,
        unique: &[Proof],
        source: &[usize],
        level: usize,
        done: &AtomicUsize,
        total: usize,
        height: usize,
    ) -> Vec<Proof> {
        for _ in unique.len()..source.len() {
            self.report(Progress {
                level,
                done: done.fetch_add(1, Ordering::SeqCst) + 1,
                total,
                height,
                origin: ProofOrigin::Reused,
            });
        }
        source.iter().map(|&j| unique[j].clone()).collect()
    }

    /// Verifies a batch proof against this prover's circuits and returns its statement.
    /// Rejects a proof of another circuit, an invalid proof, or a statement that is not the
    /// one the proof exposes.
    pub fn verify(&self, bp: &BatchProof) -> Result<Statement, ProverError> {
        if bp.height == 0 || bp.height > 32 {
            return Err(ProverError::Verification("bad tree height".into()));
        }
        let agg = self.aggregation(bp.height as usize)?;
        if digest_of(&agg.data.verifier_only) != bp.circuit_digest {
            return Err(ProverError::Verification("circuit digest mismatch".into()));
        }
        let proof = crate::proof_file::decode_proof(&bp.proof, &agg.data.common)?;
        agg.verify(&proof)?;
        let s = Statement::from_limbs(&proof.public_inputs)?;
        if s != bp.statement {
            return Err(ProverError::Verification(
                "proof does not prove the claimed statement".into(),
            ));
        }
        Ok(s)
    }

    /// Record slots of the top circuit of a tree of `height`: `records_per_leaf · 2^height`.
    pub fn capacity(&self, height: usize) -> usize {
        self.leaf.records_per_leaf() << height
    }

    /// The top circuit over the root circuit of a tree of `height >= 1`, with
    /// [`Prover::capacity`] record slots and `MAX_EFFECTS` effect slots (built on first use,
    /// then shared).
    pub fn top(&self, height: usize) -> Result<Arc<TopCircuit>, ProverError> {
        let root = self.aggregation(height)?;
        let mut tops = self.tops.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(t) = tops.get(&height) {
            return Ok(t.clone());
        }
        let t = Arc::new(TopCircuit::build(
            &root.data.common,
            &root.data.verifier_only,
            self.capacity(height),
            MAX_EFFECTS,
        )?);
        tops.insert(height, t.clone());
        Ok(t)
    }

    /// The top step over a batch proof: verifies it ([`Prover::verify`]), checks the
    /// witness natively ([`crate::top::top_values`]: sizes, chains, counters, credit; a typed
    /// error before any proving), then proves the top circuit, whose only public inputs are
    /// the batch digest words (formats.md §5), and checks they are the native ones.
    pub fn prove_top(&self, bp: &BatchProof, w: &TopWitness) -> Result<Proof, ProverError> {
        let s = self.verify(bp)?;
        let height = bp.height as usize;
        check_sizes(w, self.capacity(height), MAX_EFFECTS)?;
        let expected = crate::top::expected_digest_words(&s, w)?;
        let top = self.top(height)?;
        let root = self.aggregation(height)?;
        let proof = crate::proof_file::decode_proof(&bp.proof, &root.data.common)?;
        let _span = tracing::info_span!("prove_top", height = bp.height).entered();
        let p = top.prove(&proof, w)?;
        if crate::top::words_of(&p.public_inputs)? != expected {
            return Err(ProverError::Proving(
                "top proof digest differs from the native digest".into(),
            ));
        }
        Ok(p)
    }

    /// Verifies a top proof over a tree of `height` and returns its digest words.
    pub fn verify_top(
        &self,
        height: usize,
        proof: &Proof,
    ) -> Result<[u32; DIGEST_WORDS], ProverError> {
        self.top(height)?.verify(proof)
    }
}

/// The first index of each distinct statement, and for every index the position of its
/// statement among those firsts.
fn dedupe(statements: &[Statement]) -> (Vec<usize>, Vec<usize>) {
    let mut seen: HashMap<&Statement, usize> = HashMap::new();
    let mut firsts = Vec::new();
    let source = statements
        .iter()
        .enumerate()
        .map(|(i, s)| {
            *seen.entry(s).or_insert_with(|| {
                firsts.push(i);
                firsts.len() - 1
            })
        })
        .collect();
    (firsts, source)
}
