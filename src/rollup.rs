//! Proving and verifying whole batches: batch → native execution → leaf proofs (rayon) →
//! aggregation tree → top proof exposing the §5 digest.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use zkroll_circuits::execute::Execution;
use zkroll_prover::rollup_leaf::{leaf_witnesses, RollupLeaf};
use zkroll_prover::top::{digest_value_bytes, top_values, TopWitness};
use zkroll_prover::{BatchProof, ProgressFn, Prover, ProverConfig, Statement};

use zkroll_aggregator::groth16::cache::{CacheOutcome, KeyCache, KeySource};
use zkroll_aggregator::shrink::ShrinkParams;
use zkroll_aggregator::wrap::{WrapStage, WrappedBatch, Wrapper};

use crate::proof::DataBinding;
use crate::{Batch, ProveError, RollupProof};

/// Options of a [`RollupProver`].
#[derive(Clone)]
pub struct ProveOptions {
    /// Tx slots per leaf proof (`1..=zkroll_circuits::leaf::MAX_K`; see `SUPPORTED_K`).
    pub k: usize,
    /// Worker threads (`None`: one per core).
    pub threads: Option<usize>,
    /// Work directory: finished proofs and built circuits are written there atomically and
    /// reused by the next run (resume after a crash or Ctrl-C). `None`: memory only.
    pub work_dir: Option<PathBuf>,
    /// Called after every finished leaf or aggregate proof (from worker threads).
    pub progress: Option<ProgressFn>,
    /// Set to `true` to stop starting new proofs; `prove` then returns `Cancelled`.
    pub cancel: Option<Arc<AtomicBool>>,
    /// Fixed aggregation-tree height: every batch is padded to `2^height` leaves (capacity
    /// `k · 2^height` txs), so all proofs share one top circuit and hence one Groth16 key and
    /// one L1 verifier. `None`: the smallest height for each batch (proofs of different sizes
    /// then come from different top circuits).
    pub height: Option<usize>,
}

impl Default for ProveOptions {
    fn default() -> Self {
        ProveOptions {
            k: zkroll_circuits::leaf::DEFAULT_K,
            threads: None,
            work_dir: None,
            progress: None,
            cancel: None,
            height: None,
        }
    }
}

/// What a verified [`RollupProof`] establishes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VerifiedBatch {
    /// The statement (chain, rollup, roots, data and effects chains, fees) the digest
    /// commits to.
    pub statement: Statement,
    /// The final root and published data the digest commits to.
    pub binding: DataBinding,
    /// The public-input digest (formats.md §5), big-endian, `< 2^253`.
    pub digest: [u8; 32],
}

/// Proves batches end to end and verifies the proofs. Circuits are built once (or loaded
/// from the work directory) and shared by every call; `prove` is blocking and CPU-bound —
/// from an async runtime use [`RollupProver::prove_async`].
pub struct RollupProver {
    prover: Prover<RollupLeaf>,
    options: ProveOptions,
}

impl RollupProver {
    /// Builds (or loads from `work_dir/circuits`) the leaf circuit for `options.k`.
    pub fn new(options: ProveOptions) -> Result<Self, ProveError> {
        let _span = tracing::info_span!("build_leaf", k = options.k).entered();
        let leaf = RollupLeaf::load_or_build(options.k, options.work_dir.as_deref())?;
        let prover = Prover::new(leaf, config(&options))?;
        Ok(RollupProver { prover, options })
    }

    /// Tx slots per leaf.
    pub fn k(&self) -> usize {
        self.options.k
    }

    /// A prover sharing this one's circuits (nothing is rebuilt) that reports progress to
    /// `progress` instead.
    pub fn with_progress(&self, progress: ProgressFn) -> Result<Self, ProveError> {
        let options = ProveOptions {
            progress: Some(progress),
            ..self.options.clone()
        };
        Ok(RollupProver {
            prover: self.prover.reconfigure(config(&options))?,
            options,
        })
    }

    /// A prover sharing this one's circuits that proves everything from scratch: no work
    /// directory, so no proof file is read or written (what a measurement needs: a proof
    /// reused from an earlier run must never count as throughput), reporting to `progress`.
    pub fn fresh_with_progress(&self, progress: ProgressFn) -> Result<Self, ProveError> {
        let options = ProveOptions {
            progress: Some(progress),
            work_dir: None,
            ..self.options.clone()
        };
        Ok(RollupProver {
            prover: self.prover.reconfigure(config(&options))?,
            options,
        })
    }

    /// The aggregation-tree height a batch of `txs` transactions is proven at: the fixed
    /// [`ProveOptions::height`] if set, else the smallest height (at least 1) that fits.
    pub fn height_for(&self, txs: usize) -> usize {
        self.options.height.unwrap_or_else(|| {
            txs.div_ceil(self.options.k)
                .next_power_of_two()
                .max(2)
                .trailing_zeros() as usize
        })
    }

    /// Builds (or loads) every circuit a batch of `2^height` leaves needs: the aggregation
    /// levels and the top circuit, so that the next `prove` only proves.
    pub fn warm(&self, height: usize) -> Result<(), ProveError> {
        self.prover.top(height.max(1))?;
        Ok(())
    }

    /// Executes `batch` natively (a tx the executor rejects is reported, naming the tx and
    /// field, before any proving), then proves it.
    pub fn prove(&self, batch: &Batch) -> Result<RollupProof, ProveError> {
        let exec = crate::execute(batch)?;
        self.prove_execution(&exec)
    }

    /// Proves an execution: leaves in parallel, the aggregation tree, then the top step.
    pub fn prove_execution(&self, exec: &Execution) -> Result<RollupProof, ProveError> {
        self.prove_execution_timed(exec).map(|(p, _)| p)
    }

    /// [`RollupProver::prove_execution`], also returning when the root aggregate was done.
    pub(crate) fn prove_execution_timed(
        &self,
        exec: &Execution,
    ) -> Result<(RollupProof, std::time::Instant), ProveError> {
        let k = self.options.k;
        let _span = tracing::info_span!("prove", txs = exec.witnesses.len(), k).entered();
        let witnesses = leaf_witnesses(exec, k).map_err(zkroll_prover::ProverError::from)?;
        let batch = self.prover.prove(witnesses)?;
        let aggregated = std::time::Instant::now();
        Ok((self.finish(exec, batch)?, aggregated))
    }

    /// The batch prover (leaf and aggregation circuits), e.g. for proving through a queue
    /// (`zkroll_queue`), whose coordinator returns the same [`BatchProof`] as local proving.
    pub fn batch_prover(&self) -> &Prover<RollupLeaf> {
        &self.prover
    }

    /// The top step over the root aggregate `batch` of `exec`, however it was proved:
    /// checks that its statement's digest is the executor's, proves the top circuit and
    /// assembles the [`RollupProof`].
    pub fn finish(&self, exec: &Execution, batch: BatchProof) -> Result<RollupProof, ProveError> {
        let k = self.options.k;
        let witness = TopWitness::from_execution(exec)?;
        let values = top_values(&batch.statement, &witness)?;
        let words = values.digest_words;
        if digest_value_bytes(&words) != exec.digest.value {
            return Err(ProveError::Mismatch(
                "the proven statement's digest differs from the executor's".into(),
            ));
        }
        let binding = DataBinding {
            final_root: values.final_root,
            effects_hash: values.effects_hash,
            versioned_hash: witness.versioned_hash,
            x: values.x,
            y: values.y,
        };
        let top = self.prover.prove_top(&batch, &witness)?;
        let top_circuit = self.prover.top(batch.height as usize)?;
        let proof = RollupProof {
            k: k as u32,
            txs: exec.witnesses.len() as u32,
            digest: digest_value_bytes(&words),
            statement: batch.statement,
            binding,
            top_circuit_digest: digest_limbs(&top_circuit.data),
            top: top.to_bytes(),
            batch,
        };
        Ok(proof)
    }

    /// [`RollupProver::prove`] off the async runtime's worker threads
    /// (`tokio::task::spawn_blocking`), so a node can await it without stalling its runtime.
    pub async fn prove_async(self: Arc<Self>, batch: Batch) -> Result<RollupProof, ProveError> {
        tokio::task::spawn_blocking(move || self.prove(&batch))
            .await
            .map_err(|e| ProveError::Join(e.to_string()))?
    }

    /// Verifies a batch proof: the top proof against the top circuit of its tree height, its
    /// public inputs equal to the digest of the claimed statement. Returns what it proves.
    pub fn verify(&self, proof: &RollupProof) -> Result<VerifiedBatch, ProveError> {
        if proof.k as usize != self.options.k {
            return Err(ProveError::Mismatch(format!(
                "proof made with {} slots per leaf, this prover has {}",
                proof.k, self.options.k
            )));
        }
        let height = proof.batch.height as usize;
        if height == 0 || height > 24 {
            return Err(ProveError::Malformed(format!("tree height {height}")));
        }
        // The digest binds the chain, rollup, old root, final root and published data; the
        // claimed statement's other fields are established by the root aggregate itself.
        let proven = self.prover.verify(&proof.batch)?;
        if proven != proof.statement {
            return Err(ProveError::Mismatch(
                "the claimed statement is not the root aggregate's".into(),
            ));
        }
        let top = self.prover.top(height)?;
        if digest_limbs(&top.data) != proof.top_circuit_digest {
            return Err(ProveError::Mismatch("top circuit digest".into()));
        }
        let p = zkroll_prover::proof_file::decode_proof(&proof.top, &top.data.common)
            .map_err(|e| ProveError::Malformed(format!("top proof: {e}")))?;
        let words = top.verify(&p)?;
        if words != proof.binding.digest_words(&proof.statement)? {
            return Err(ProveError::Mismatch(
                "the top proof's digest is not the digest of the claimed statement".into(),
            ));
        }
        let digest = digest_value_bytes(&words);
        if digest != proof.digest {
            return Err(ProveError::Mismatch("claimed digest".into()));
        }
        Ok(VerifiedBatch {
            statement: proof.statement,
            binding: proof.binding,
            digest,
        })
    }
}

impl RollupProver {
    /// The wrapper (shrink circuits + Groth16 keys from `cache`) for top proofs of tree height
    /// `height`: one Groth16 key per `(k, height)`. `source` says whether only an installed
    /// (ceremony) key may be used, or whether the forgeable development setup may be run and
    /// installed when none is ([`KeySource`]).
    pub fn wrapper(
        &self,
        height: usize,
        cache: &KeyCache,
        source: KeySource,
        progress: &dyn Fn(WrapStage),
    ) -> Result<(Wrapper, CacheOutcome), ProveError> {
        let top = self.prover.top(height.max(1))?;
        Ok(Wrapper::new(
            &top.data.common,
            &top.data.verifier_only,
            ShrinkParams::PRODUCTION,
            cache,
            source,
            progress,
        )?)
    }

    /// The Groth16 wrap circuit of tree height `height` (without a witness: for key
    /// generation, the trusted-setup ceremony and `.r1cs` export) and its circuit id. Builds
    /// the shrink circuits like [`RollupProver::wrapper`] but loads or generates no key.
    pub fn wrap_circuit(
        &self,
        height: usize,
    ) -> Result<(String, zkroll_aggregator::r1cs::verifier::WrapCircuit), ProveError> {
        let top = self.prover.top(height.max(1))?;
        let shrink = zkroll_aggregator::shrink::ShrinkCircuits::build(
            &top.data.common,
            &top.data.verifier_only,
            ShrinkParams::PRODUCTION,
        );
        let data = shrink.final_data();
        let circuit = zkroll_aggregator::r1cs::verifier::WrapCircuit::new(
            data.common.clone(),
            data.verifier_only.clone(),
            &[],
            None,
        )
        .map_err(|e| zkroll_aggregator::AggregatorError::Groth16(e.to_string()))?;
        Ok((circuit.circuit_id(), circuit))
    }

    /// Verifies a batch proof, then wraps its top proof into a Groth16 proof whose one public
    /// input is the batch digest.
    pub fn wrap(
        &self,
        wrapper: &Wrapper,
        proof: &RollupProof,
        progress: &dyn Fn(WrapStage),
    ) -> Result<WrappedBatch, ProveError> {
        let v = self.verify(proof)?;
        let top = self.prover.top(proof.batch.height as usize)?;
        let p = zkroll_prover::proof_file::decode_proof(&proof.top, &top.data.common)
            .map_err(|e| ProveError::Malformed(format!("top proof: {e}")))?;
        let w = wrapper.wrap(&p, progress)?;
        if w.digest != v.digest {
            return Err(ProveError::Mismatch(
                "the wrapped digest differs from the batch digest".into(),
            ));
        }
        Ok(w)
    }
}

fn config(o: &ProveOptions) -> ProverConfig {
    ProverConfig {
        threads: o.threads,
        work_dir: o.work_dir.clone(),
        progress: o.progress.clone(),
        cancel: o.cancel.clone(),
        height: o.height,
    }
}

fn digest_limbs(data: &zkroll_prover::CircuitData) -> [u64; 4] {
    use plonky2::field::types::PrimeField64;
    data.verifier_only
        .circuit_digest
        .elements
        .map(|e| e.to_canonical_u64())
}
