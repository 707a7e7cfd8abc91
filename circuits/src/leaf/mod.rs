//! The rollup's leaf circuit: `k` consecutive transaction slots of a batch (DESIGN §4).
//!
//! Public inputs: the 40-limb statement of docs/recursion.md ("Statement layout"), in this
//! order: `[chain_id_lo, chain_id_hi, rollup_0..4, operator, old_root_0..3, new_root_0..3,
//! data_in_0..3, data_out_0..3, effects_in_0..3, effects_out_0..3, records_in, records_out,
//! effect_count_in, effect_count_out, fees_in_lo, fees_in_hi, fees_out_lo, fees_out_hi]`.
//! Every u32 limb is range-checked in the circuit; roots and chains are field elements
//! (canonical by construction).
//!
//! What a proof attests: starting from `old_root`, applying the `k` slots — each a Deposit,
//! Transfer, Withdraw, FullExit (docs/formats.md §3, the exact semantics of
//! `crate::execute`) or a no-op — gives `new_root` (before the batch-end operator credit,
//! which the top step applies); the records of the real slots (formats.md §4.2), absorbed
//! into the data commitment `data_in`, give `data_out`, and the effects of the Deposit,
//! Withdraw and FullExit slots (§4.3), absorbed into `effects_in`, give `effects_out`;
//! `records_out − records_in` and `effect_count_out − effect_count_in` count them;
//! `fees_out = fees_in + Σ fees < 2^64`. Signatures are bound to the statement's chain id and
//! rollup address. The operator is carried unchanged for the top step's credit.

mod slot;
mod witness;

use plonky2::hash::hash_types::HashOutTarget;
use plonky2::iop::target::Target;
use plonky2::iop::witness::PartialWitness;
use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::circuit_data::{CircuitConfig, CircuitData};
use plonky2::plonk::proof::ProofWithPublicInputs;

use sha2::{Digest as _, Sha256};

use crate::gadgets::range::{CircuitBuilderRange, U64Target};
use crate::gadgets::serializer::{ZkrollGateSerializer, ZkrollGeneratorSerializer};
use crate::{C, D, F};
use slot::{build_slot, Context, Running, SlotTargets};
pub use witness::{leaf_witnesses, rollup_words, LeafStart, LeafWitness};

/// Number of public inputs of a leaf proof.
pub const STATEMENT_LIMBS: usize = 40;
/// Largest slot count accepted by [`LeafCircuit::build`] (2^17 rows).
pub const MAX_K: usize = 256;
/// Slot counts that fill their power-of-two row count best (rows = 20 + 373·k, measured by
/// `cargo run -p zkroll-circuits --example leaf_rows`: k = 43 → 2^14, k = 87 → 2^15,
/// k = 175 → 2^16, each ≥ 98 % full); any `1 ≤ k ≤ MAX_K` is accepted.
pub const SUPPORTED_K: [usize; 3] = [43, 87, 175];
/// Default slots per leaf: the most that fit 2^15 rows. A leaf's proving time depends on its
/// padded row count, so filling it maximises tx/s; 2^15 rather than 2^16 keeps the batches
/// of the benchmark's sizes (64, 256 transfers) from paying for a half-empty 2^16 leaf and
/// halves the top step's capacity at a given height (docs/recursion.md, "Throughput").
pub const DEFAULT_K: usize = 87;

/// Version of the leaf circuit file ([`LeafCircuit::to_bytes`]). 2: the 40-limb statement
/// of the blob data availability (issue 13); files of the 33-limb circuit (which had no
/// version field: their bytes 4..8 hold `k`) are refused, so a cached old circuit is rebuilt,
/// never loaded with the new wiring.
pub const CIRCUIT_FILE_VERSION: u32 = 2;

/// Errors of the leaf circuit.
#[derive(Debug, thiserror::Error)]
pub enum LeafError {
    /// An unsupported slot count.
    #[error("unsupported slots per leaf {0} (1 to {MAX_K})", MAX_K = MAX_K)]
    UnsupportedK(usize),
    /// The witness does not fit the circuit or is inconsistent.
    #[error("leaf witness: {0}")]
    Witness(String),
    /// plonky2 could not prove (an unsatisfied constraint).
    #[error("leaf proving failed: {0}")]
    Proving(String),
    /// The proof does not verify.
    #[error("leaf proof does not verify: {0}")]
    Verification(String),
    /// Circuit bytes could not be written or read.
    #[error("leaf circuit serialization: {0}")]
    Serialization(String),
}

/// The statement targets and slots of a built leaf circuit.
#[derive(Clone, Debug)]
pub(crate) struct LeafTargets {
    pub chain: [Target; 2],
    pub rollup: [Target; 5],
    pub operator: Target,
    pub old_root: HashOutTarget,
    pub data_in: HashOutTarget,
    pub effects_in: HashOutTarget,
    pub records_in: Target,
    pub effect_count_in: Target,
    pub fees_in: U64Target,
    pub slots: Vec<SlotTargets>,
}

/// A built leaf circuit for `k` slots.
pub struct LeafCircuit {
    /// Slots per leaf.
    pub k: usize,
    /// The plonky2 circuit.
    pub data: CircuitData<F, C, D>,
    targets: LeafTargets,
}

impl LeafCircuit {
    /// Builds the circuit for `k` slots, `1 ≤ k ≤ MAX_K` (see [`SUPPORTED_K`] for the sizes that fill their row count).
    pub fn build(k: usize) -> Result<Self, LeafError> {
        if k == 0 || k > MAX_K {
            return Err(LeafError::UnsupportedK(k));
        }
        let (b, targets) = Self::builder(k);
        let data = b.build::<C>();
        Ok(LeafCircuit { k, data, targets })
    }

    /// Rows (gates, before padding to a power of two) of the circuit for `k` slots.
    pub fn num_rows(k: usize) -> Result<usize, LeafError> {
        if k == 0 || k > MAX_K {
            return Err(LeafError::UnsupportedK(k));
        }
        Ok(Self::builder(k).0.num_gates())
    }

    fn builder(k: usize) -> (CircuitBuilder<F, D>, LeafTargets) {
        let mut b = CircuitBuilder::<F, D>::new(CircuitConfig::standard_recursion_config());
        let chain: [Target; 2] = std::array::from_fn(|_| b.add_virtual_u32_target());
        let rollup: [Target; 5] = std::array::from_fn(|_| b.add_virtual_u32_target());
        let operator = b.add_virtual_u32_target();
        let old_root = b.add_virtual_hash();
        let data_in = b.add_virtual_hash();
        let effects_in = b.add_virtual_hash();
        let records_in = b.add_virtual_u32_target();
        let effect_count_in = b.add_virtual_u32_target();
        let fees_in = b.add_virtual_u64_target();
        let ctx = Context { chain, rollup };
        let mut run = Running {
            root: old_root,
            dc: data_in,
            ec: effects_in,
            records: records_in,
            effects: effect_count_in,
            fees: fees_in,
        };
        let mut slots = Vec::with_capacity(k);
        for _ in 0..k {
            let (t, next) = build_slot(&mut b, &ctx, run);
            slots.push(t);
            run = next;
        }
        // The counters grow by at most k ≤ MAX_K: no wrap mod p before this check.
        b.range_check_u32(run.records);
        b.range_check_u32(run.effects);
        b.register_public_inputs(&chain);
        b.register_public_inputs(&rollup);
        b.register_public_input(operator);
        b.register_public_inputs(&old_root.elements);
        b.register_public_inputs(&run.root.elements);
        b.register_public_inputs(&data_in.elements);
        b.register_public_inputs(&run.dc.elements);
        b.register_public_inputs(&effects_in.elements);
        b.register_public_inputs(&run.ec.elements);
        b.register_public_input(records_in);
        b.register_public_input(run.records);
        b.register_public_input(effect_count_in);
        b.register_public_input(run.effects);
        b.register_public_inputs(&[fees_in.lo, fees_in.hi, run.fees.lo, run.fees.hi]);
        let targets = LeafTargets {
            chain,
            rollup,
            operator,
            old_root,
            data_in,
            effects_in,
            records_in,
            effect_count_in,
            fees_in,
            slots,
        };
        (b, targets)
    }

    /// The partial witness of a leaf (every target set; generators fill the rest).
    pub fn witness(&self, w: &LeafWitness) -> Result<PartialWitness<F>, LeafError> {
        let mut pw = PartialWitness::new();
        witness::set_leaf(&mut pw, &self.targets, w)?;
        Ok(pw)
    }

    /// Proves one leaf. Fails (never panics) if the witness violates a constraint.
    pub fn prove(&self, w: &LeafWitness) -> Result<ProofWithPublicInputs<F, C, D>, LeafError> {
        let pw = self.witness(w)?;
        let data = &self.data;
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| data.prove(pw)))
            .map_err(|p| LeafError::Proving(panic_text(&p)))?
            .map_err(|e| LeafError::Proving(e.to_string()))
    }

    /// Verifies a leaf proof.
    pub fn verify(&self, proof: &ProofWithPublicInputs<F, C, D>) -> Result<(), LeafError> {
        self.data
            .verify(proof.clone())
            .map_err(|e| LeafError::Verification(e.to_string()))
    }

    /// The circuit as bytes: `"ZKRL" ‖ version u32 BE (= [`CIRCUIT_FILE_VERSION`]) ‖ k u32
    /// BE ‖ sha256(body) ‖ body`, the body being
    /// plonky2's encoding with zkroll's gate/generator serializers.
    pub fn to_bytes(&self) -> Result<Vec<u8>, LeafError> {
        let body = self
            .data
            .to_bytes(&ZkrollGateSerializer, &ZkrollGeneratorSerializer)
            .map_err(|e| LeafError::Serialization(format!("{e:?}")))?;
        let mut out = b"ZKRL".to_vec();
        out.extend(CIRCUIT_FILE_VERSION.to_be_bytes());
        out.extend((self.k as u32).to_be_bytes());
        out.extend(Sha256::digest(&body));
        out.extend(body);
        Ok(out)
    }

    /// Reads [`LeafCircuit::to_bytes`]; a bad magic, version, slot count or checksum is an
    /// error.
    /// The targets are recomputed by re-running the circuit's (deterministic) wiring. A
    /// circuit file defines what the prover proves: it is trusted local state (keep the
    /// work directory private), like the aggregation circuits cached beside it.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, LeafError> {
        if bytes.len() < 44 || &bytes[..4] != b"ZKRL" {
            return Err(LeafError::Serialization("not a leaf circuit file".into()));
        }
        let version = u32::from_be_bytes(bytes[4..8].try_into().expect("4 bytes"));
        if version != CIRCUIT_FILE_VERSION {
            return Err(LeafError::Serialization(format!(
                "leaf circuit file version {version}, this build reads {CIRCUIT_FILE_VERSION}"
            )));
        }
        let k = u32::from_be_bytes(bytes[8..12].try_into().expect("4 bytes")) as usize;
        if k == 0 || k > MAX_K {
            return Err(LeafError::UnsupportedK(k));
        }
        if Sha256::digest(&bytes[44..]).as_slice() != &bytes[12..44] {
            return Err(LeafError::Serialization("checksum mismatch".into()));
        }
        let data = CircuitData::<F, C, D>::from_bytes(
            &bytes[44..],
            &ZkrollGateSerializer,
            &ZkrollGeneratorSerializer,
        )
        .map_err(|e| LeafError::Serialization(format!("{e:?}")))?;
        let (_, targets) = Self::builder(k);
        Ok(LeafCircuit { k, data, targets })
    }
}

fn panic_text(p: &Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<String>()
        .cloned()
        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "panic while proving".into())
}

#[cfg(test)]
mod tests;
