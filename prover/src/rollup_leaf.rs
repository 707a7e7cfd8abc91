//! The rollup's leaf circuit (`zkroll_circuits::leaf`) as a [`LeafCircuit`] of the prover.

use std::path::Path;

use zkroll_circuits::leaf::{LeafCircuit as Circuit, LeafError, LeafStart, LeafWitness};
use zkroll_circuits::tx::Domain;

use crate::{proof_file, CircuitData, LeafCircuit, Proof, ProverError, Statement, F};
use plonky2::field::types::Field;
use plonky2::hash::hash_types::HashOut;

pub use zkroll_circuits::leaf::{leaf_witnesses, DEFAULT_K, SUPPORTED_K};

/// The rollup leaf circuit for `k` slots, built once and shared by every leaf proof.
pub struct RollupLeaf {
    circuit: Circuit,
}

impl From<LeafError> for ProverError {
    fn from(e: LeafError) -> Self {
        match e {
            LeafError::Proving(m) => ProverError::Proving(m),
            LeafError::Verification(m) => ProverError::Verification(m),
            other => ProverError::InvalidStatement(other.to_string()),
        }
    }
}

impl RollupLeaf {
    /// Builds the circuit for `k` slots.
    pub fn build(k: usize) -> Result<Self, ProverError> {
        Ok(RollupLeaf {
            circuit: Circuit::build(k)?,
        })
    }

    /// Loads the circuit for `k` slots from `work_dir/circuits/leaf_K{k}.bin`, or builds it
    /// and stores it there (atomically). A corrupted or unreadable file is logged and
    /// rebuilt. Without a work directory this is [`RollupLeaf::build`].
    pub fn load_or_build(k: usize, work_dir: Option<&Path>) -> Result<Self, ProverError> {
        let Some(dir) = work_dir else {
            return Self::build(k);
        };
        let dir = dir.join("circuits");
        let path = dir.join(format!("leaf_K{k:02}.bin"));
        match std::fs::read(&path).map(|b| Circuit::from_bytes(&b)) {
            Ok(Ok(c)) if c.k == k => return Ok(RollupLeaf { circuit: c }),
            Ok(Ok(_)) => tracing::warn!(path = %path.display(), "leaf circuit file of another k"),
            Ok(Err(e)) => {
                tracing::warn!(path = %path.display(), error = %e, "invalid leaf circuit file")
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "unreadable leaf circuit file")
            }
        }
        let built = Self::build(k)?;
        std::fs::create_dir_all(&dir).map_err(|source| ProverError::Io {
            path: dir.clone(),
            source,
        })?;
        proof_file::write_atomic(&path, &built.circuit.to_bytes()?)?;
        Ok(built)
    }

    /// Slots per leaf.
    pub fn k(&self) -> usize {
        self.circuit.k
    }

    /// The circuit of `zkroll_circuits`.
    pub fn circuit(&self) -> &Circuit {
        &self.circuit
    }
}

impl LeafCircuit for RollupLeaf {
    type Witness = LeafWitness;

    fn data(&self) -> &CircuitData {
        &self.circuit.data
    }

    fn statement(&self, w: &LeafWitness) -> Result<Statement, ProverError> {
        if w.slots.len() != self.circuit.k {
            return Err(ProverError::InvalidStatement(format!(
                "leaf witness of {} slots for a circuit of {}",
                w.slots.len(),
                self.circuit.k
            )));
        }
        Statement::from_limbs(&w.statement()?)
    }

    fn padding(&self, prev: &Statement) -> LeafWitness {
        let mut rollup = [0u8; 20];
        for (c, w) in rollup.chunks_exact_mut(4).zip(prev.rollup) {
            c.copy_from_slice(&w.to_be_bytes());
        }
        let hash = |l: [u64; 4]| HashOut {
            elements: l.map(F::from_noncanonical_u64),
        };
        let start = LeafStart {
            root: hash(prev.new_root),
            dc: hash(prev.data_out),
            ec: hash(prev.effects_out),
            records: prev.records_out,
            effects: prev.effect_count_out,
            fees: prev.fees_out,
        };
        LeafWitness::padding(
            Domain {
                chain_id: prev.chain_id,
                rollup,
            },
            prev.operator,
            start,
            self.circuit.k,
        )
    }

    fn records_per_leaf(&self) -> usize {
        self.circuit.k
    }

    fn prove(&self, w: &LeafWitness) -> Result<Proof, ProverError> {
        Ok(self.circuit.prove(w)?)
    }
}
