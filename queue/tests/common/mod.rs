//! Shared helpers of the queue tests: the prover's fixture leaf circuit made queueable, a
//! second (different) leaf circuit, fresh databases on the test server.
#![allow(dead_code)]

#[path = "../../../prover/tests/fixture/mod.rs"]
pub mod fixture;

use std::sync::OnceLock;

use fixture::{FixtureLeaf, FixtureWitness, Step};
use plonky2::iop::target::Target;
use plonky2::iop::witness::{PartialWitness, WitnessWrite};
use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::circuit_data::CircuitConfig;
use serde::{Deserialize, Serialize};
use zkroll_circuits::da::{Effect, Record};
use zkroll_prover::{
    CircuitData, LeafCircuit, Proof, Prover, ProverConfig, ProverError, Statement, C, D, F,
};
use zkroll_queue::{Db, DbConfig, QueueLeaf};

/// Height of every test batch: 4 leaves, 3 aggregation jobs.
pub const HEIGHT: usize = 2;

/// The server URL the tests run against, or `None` (the test then skips, saying why).
pub fn base_url() -> Option<String> {
    let url = std::env::var("ZKROLL_TEST_PG")
        .ok()
        .filter(|s| !s.is_empty());
    if url.is_none() {
        eprintln!(
            "SKIPPED: ZKROLL_TEST_PG is not set; start a server with `scripts/postgres.sh start` \
             and export ZKROLL_TEST_PG=$(scripts/postgres.sh url) (scripts/test.sh does)"
        );
    }
    url
}

/// A new empty database `zkq_<name>_<pid>` on the server of `base`; returns its URL.
pub fn fresh_db(base: &str, name: &str) -> String {
    let admin = Db::connect(base, &DbConfig::default()).expect("test server");
    let db = format!("zkq_{name}_{}", std::process::id());
    admin
        .batch_execute(
            "dropping a test db",
            &format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"),
        )
        .unwrap();
    admin
        .batch_execute("creating a test db", &format!("CREATE DATABASE {db}"))
        .unwrap();
    let (head, _) = base.rsplit_once('/').expect("URL with a database path");
    format!("{head}/{db}")
}

/// A fixture step on the wire: delta, jump, records as `(t, a, b, c, d)`, effects as their
/// 64 bytes (two 32-byte halves), fees.
type WireStep = (
    [u64; 4],
    bool,
    Vec<(u8, u32, u32, u64, u64)>,
    Vec<([u8; 32], [u8; 32])>,
    u64,
);

#[derive(Serialize, Deserialize)]
struct Wire {
    start: Statement,
    step: Option<WireStep>,
    claim: Option<Statement>,
}

fn step_to_wire(s: &Step) -> WireStep {
    (
        s.delta,
        s.jump,
        s.records
            .iter()
            .map(|r| (r.t, r.a, r.b, r.c, r.d))
            .collect(),
        s.effects
            .iter()
            .map(|e| {
                let b = e.encode();
                (b[..32].try_into().unwrap(), b[32..].try_into().unwrap())
            })
            .collect(),
        s.fees,
    )
}

fn step_from_wire(w: WireStep) -> Result<Step, ProverError> {
    let (delta, jump, records, effects, fees) = w;
    let effects = effects
        .iter()
        .enumerate()
        .map(|(i, (lo, hi))| {
            let mut b = [0u8; 64];
            b[..32].copy_from_slice(lo);
            b[32..].copy_from_slice(hi);
            Effect::decode(&b, i).map_err(|e| ProverError::Malformed(e.to_string()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Step {
        delta,
        jump,
        records: records
            .into_iter()
            .map(|(t, a, b, c, d)| Record { t, a, b, c, d })
            .collect(),
        effects,
        fees,
    })
}

/// The fixture's witnesses travel whole in the jobs; no batch context.
impl QueueLeaf for FixtureLeaf {
    type Context = ();

    fn decode_context(&self, bytes: &[u8]) -> Result<(), ProverError> {
        if bytes.is_empty() {
            Ok(())
        } else {
            Err(ProverError::Malformed(
                "fixture batches have no context".into(),
            ))
        }
    }

    fn encode_witness(&self, _index: usize, w: &FixtureWitness) -> Result<Vec<u8>, ProverError> {
        let wire = Wire {
            start: w.start,
            step: w.step.as_ref().map(step_to_wire),
            claim: w.claim_override,
        };
        bincode::serde::encode_to_vec(&wire, bincode::config::standard())
            .map_err(|e| ProverError::Malformed(e.to_string()))
    }

    fn encode_padding(&self, prev: &Statement) -> Result<Vec<u8>, ProverError> {
        self.encode_witness(0, &self.padding(prev))
    }

    fn decode_witness(&self, _: &(), bytes: &[u8]) -> Result<FixtureWitness, ProverError> {
        let (wire, used): (Wire, usize) =
            bincode::serde::decode_from_slice(bytes, bincode::config::standard())
                .map_err(|e| ProverError::Malformed(e.to_string()))?;
        if used != bytes.len() {
            return Err(ProverError::Malformed("trailing bytes".into()));
        }
        Ok(FixtureWitness {
            start: wire.start,
            step: wire.step.map(step_from_wire).transpose()?,
            claim_override: wire.claim,
        })
    }
}

/// The fixture prover shared by the tests of one process (circuits built once).
pub fn prover() -> &'static Prover<FixtureLeaf> {
    static P: OnceLock<Prover<FixtureLeaf>> = OnceLock::new();
    P.get_or_init(|| {
        Prover::new(
            FixtureLeaf::build(4),
            ProverConfig {
                height: Some(HEIGHT),
                threads: Some(1),
                ..ProverConfig::default()
            },
        )
        .expect("fixture prover")
    })
}

/// The fixture leaf, slowed down: same circuit (same digests), but proving first sleeps —
/// what a worker that gets killed or stalls mid-job looks like from the queue.
pub struct SlowLeaf(pub FixtureLeaf, pub std::time::Duration);

impl LeafCircuit for SlowLeaf {
    type Witness = FixtureWitness;
    fn data(&self) -> &CircuitData {
        self.0.data()
    }
    fn statement(&self, w: &FixtureWitness) -> Result<Statement, ProverError> {
        self.0.statement(w)
    }
    fn padding(&self, prev: &Statement) -> FixtureWitness {
        self.0.padding(prev)
    }
    fn records_per_leaf(&self) -> usize {
        self.0.records_per_leaf()
    }
    fn prove(&self, w: &FixtureWitness) -> Result<Proof, ProverError> {
        std::thread::sleep(self.1);
        self.0.prove(w)
    }
}

impl QueueLeaf for SlowLeaf {
    type Context = ();
    fn decode_context(&self, bytes: &[u8]) -> Result<(), ProverError> {
        self.0.decode_context(bytes)
    }
    fn encode_witness(&self, i: usize, w: &FixtureWitness) -> Result<Vec<u8>, ProverError> {
        self.0.encode_witness(i, w)
    }
    fn encode_padding(&self, prev: &Statement) -> Result<Vec<u8>, ProverError> {
        self.0.encode_padding(prev)
    }
    fn decode_witness(&self, c: &(), b: &[u8]) -> Result<FixtureWitness, ProverError> {
        self.0.decode_witness(c, b)
    }
}

/// Another leaf circuit with the statement layout (no-op leaves only): other digests.
pub struct OtherLeaf {
    data: CircuitData,
    pis: [Target; 40],
}

impl OtherLeaf {
    pub fn build() -> Self {
        let mut b = CircuitBuilder::<F, D>::new(CircuitConfig::standard_recursion_config());
        let pis: [Target; 40] = std::array::from_fn(|_| b.add_virtual_target());
        b.register_public_inputs(&pis);
        for i in (0..8).chain(32..40) {
            b.range_check(pis[i], 32);
        }
        for k in 0..4 {
            b.connect(pis[8 + k], pis[12 + k]);
        }
        OtherLeaf {
            data: b.build::<C>(),
            pis,
        }
    }
}

impl LeafCircuit for OtherLeaf {
    type Witness = Statement;
    fn data(&self) -> &CircuitData {
        &self.data
    }
    fn statement(&self, w: &Statement) -> Result<Statement, ProverError> {
        Ok(*w)
    }
    fn padding(&self, prev: &Statement) -> Statement {
        prev.noop_after()
    }
    fn records_per_leaf(&self) -> usize {
        1
    }
    fn prove(&self, w: &Statement) -> Result<Proof, ProverError> {
        let mut pw = PartialWitness::new();
        pw.set_target_arr(&self.pis, &w.to_limbs())
            .map_err(|e| ProverError::Proving(e.to_string()))?;
        self.data
            .prove(pw)
            .map_err(|e| ProverError::Proving(e.to_string()))
    }
}

impl QueueLeaf for OtherLeaf {
    type Context = ();
    fn decode_context(&self, _: &[u8]) -> Result<(), ProverError> {
        Ok(())
    }
    fn encode_witness(&self, _: usize, w: &Statement) -> Result<Vec<u8>, ProverError> {
        zkroll_queue::codec::encode_padding_statement(w)
    }
    fn encode_padding(&self, prev: &Statement) -> Result<Vec<u8>, ProverError> {
        self.encode_witness(0, &prev.noop_after())
    }
    fn decode_witness(&self, _: &(), b: &[u8]) -> Result<Statement, ProverError> {
        zkroll_queue::codec::decode_padding_statement(b.get(1..).unwrap_or_default())
    }
}
