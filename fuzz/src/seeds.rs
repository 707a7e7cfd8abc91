//! Seed corpora, made by the project's own encoders from small valid values (a generated
//! batch, its execution, its post-state, a tiny plonky2 proof, Groth16 curve points): a few
//! KB per target, regenerated at every run instead of committed.
//!
//! A target writes its seeds into the directory named by `ZKROLL_FUZZ_SEEDS` (scripts/fuzz.sh
//! points it at the target's corpus directory) when it starts, before libFuzzer reads the
//! corpus.

use std::path::Path;
use std::sync::LazyLock;

use ark_ec::AffineRepr;
use plonky2::field::types::Field;
use plonky2::iop::witness::{PartialWitness, WitnessWrite};
use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::circuit_data::{CircuitConfig, CommonCircuitData};

use zkroll::aggregator::groth16::{proof_to_bytes, G16Proof};
use zkroll::circuits::execute::execute;
use zkroll::gen::{generate, GenParams};
use zkroll::prover::{BatchProof, Statement, C, D, F};
use zkroll::sync::SyncState;
use zkroll::{Batch, Domain, Format, PreState, RollupProof, StateTree, WrappedBatch};

/// Writes `make()`'s seeds into `$ZKROLL_FUZZ_SEEDS` if it is set (files `seed-NN`,
/// overwritten at each run).
pub fn write_if_asked(make: impl FnOnce() -> Vec<Vec<u8>>) {
    let Some(dir) = std::env::var_os("ZKROLL_FUZZ_SEEDS") else {
        return;
    };
    let dir = Path::new(&dir);
    std::fs::create_dir_all(dir).expect("create the seed directory");
    for (i, s) in make().iter().enumerate() {
        std::fs::write(dir.join(format!("seed-{i:02}")), s).expect("write a seed");
    }
}

/// The signing domain of every fixture.
pub const DOMAIN: Domain = Domain {
    chain_id: 31337,
    rollup: [0x5a; 20],
};

/// A small valid batch from the empty state (`zkroll gen`'s generator): 3 funding deposits,
/// then deposits, transfers, withdrawals and forced exits.
pub fn small_batch() -> Batch {
    generate(
        &GenParams {
            txs: 12,
            accounts: 3,
            seed: 15,
            deposits: 2,
            withdrawals: 2,
            full_exits: 2,
            domain: DOMAIN,
        },
        |_| {},
    )
    .expect("valid generator parameters")
}

/// `small_batch` executed: its post-state and published data.
pub fn small_execution() -> (StateTree, zkroll::Execution) {
    execute(&small_batch()).expect("a generated batch executes")
}

/// Batch files: the small batch in both encodings, the same over a snapshot pre-state, and
/// an empty batch.
pub fn batch_files() -> Vec<Vec<u8>> {
    let b = small_batch();
    let mut snap = b.clone();
    snap.pre_state = PreState::Snapshot("pre.snap".into());
    snap.txs.truncate(2);
    let mut empty = b.clone();
    empty.txs.clear();
    let mut out = Vec::new();
    for batch in [b, snap, empty] {
        out.push(batch.to_bytes(Format::Json));
        out.push(batch.to_bytes(Format::Bincode));
    }
    out
}

/// Snapshot files: the small batch's post-state and the empty tree.
pub fn snapshots() -> Vec<Vec<u8>> {
    vec![
        small_execution().0.to_snapshot_bytes(),
        StateTree::new().to_snapshot_bytes(),
    ]
}

/// Sync state files holding the snapshots above.
pub fn sync_states() -> Vec<Vec<u8>> {
    let mut st = SyncState::genesis(DOMAIN.chain_id, DOMAIN.rollup);
    let empty = st.to_bytes();
    st.state = small_execution().0;
    st.batch = 1;
    st.block = 42;
    vec![st.to_bytes(), empty]
}

/// A tiny plonky2 circuit (`y = x²`, both public) in zkroll's config, and one proof of it.
pub struct TinyCircuit {
    /// Its common data (what a proof file is decoded against).
    pub common: CommonCircuitData<F, D>,
    /// `ProofWithPublicInputs::to_bytes` of a proof for `x = 3`.
    pub proof: Vec<u8>,
}

/// Built on first use (about a second).
pub static TINY: LazyLock<TinyCircuit> = LazyLock::new(|| {
    let mut b = CircuitBuilder::<F, D>::new(CircuitConfig::standard_recursion_config());
    let x = b.add_virtual_target();
    let y = b.mul(x, x);
    b.register_public_input(x);
    b.register_public_input(y);
    let data = b.build::<C>();
    let mut pw = PartialWitness::new();
    pw.set_target(x, F::from_canonical_u64(3))
        .expect("a fresh witness");
    let proof = data.prove(pw).expect("the tiny circuit proves");
    TinyCircuit {
        common: data.common.clone(),
        proof: proof.to_bytes(),
    }
});

/// A statement with distinct small values in every field.
pub fn statement() -> Statement {
    Statement {
        chain_id: DOMAIN.chain_id,
        rollup: [1, 2, 3, 4, 5],
        operator: 6,
        old_root: [6, 7, 8, 9],
        new_root: [10, 11, 12, 13],
        data_in: [0; 4],
        data_out: [14; 4],
        effects_in: [0; 4],
        effects_out: [15; 4],
        records_in: 0,
        records_out: 2,
        effect_count_in: 0,
        effect_count_out: 1,
        fees_in: 0,
        fees_out: 16,
    }
}

/// A batch proof over the tiny proof.
pub fn batch_proof() -> BatchProof {
    BatchProof {
        statement: statement(),
        height: 1,
        leaves: 1,
        circuit_digest: [1, 2, 3, 4],
        proof: TINY.proof.clone(),
    }
}

/// A rollup proof whose top and batch proofs are the tiny proof.
pub fn rollup_proof() -> RollupProof {
    RollupProof {
        k: 35,
        txs: 12,
        digest: [0x11; 32],
        statement: statement(),
        binding: zkroll::proof::DataBinding {
            final_root: [1, 2, 3, 4],
            effects_hash: [0x21; 32],
            versioned_hash: [0x01; 32],
            x: [0x02; 32],
            y: [0x03; 32],
        },
        top_circuit_digest: [5, 6, 7, 8],
        top: TINY.proof.clone(),
        batch: batch_proof(),
    }
}

/// A `.g16` file holding a well-formed Groth16 proof (generator points: valid encodings,
/// not a valid proof).
pub fn wrapped_batch() -> WrappedBatch {
    let proof = G16Proof {
        a: ark_bn254::G1Affine::generator(),
        b: ark_bn254::G2Affine::generator(),
        c: ark_bn254::G1Affine::generator(),
    };
    WrappedBatch {
        circuit_id: "zkroll/wrap/fuzz-seed".into(),
        digest: [0x0f; 32],
        vk_hash: [0xab; 32],
        proof: proof_to_bytes(&proof).expect("serialising points"),
    }
}

/// `y = x·x` with `y` public: the smallest circuit with a constraint.
struct Square;

impl ark_relations::r1cs::ConstraintSynthesizer<ark_bn254::Fr> for Square {
    fn generate_constraints(
        self,
        cs: ark_relations::r1cs::ConstraintSystemRef<ark_bn254::Fr>,
    ) -> ark_relations::r1cs::Result<()> {
        use ark_relations::lc;
        let x = cs.new_witness_variable(|| Ok(ark_bn254::Fr::from(3u64)))?;
        let y = cs.new_input_variable(|| Ok(ark_bn254::Fr::from(9u64)))?;
        cs.enforce_constraint(lc!() + x, lc!() + x, lc!() + y)?;
        Ok(())
    }
}

/// Ceremony seeds (selector byte first): the `.r1cs` of a one-constraint circuit, the
/// `.zkey` phase 2 makes of it, and the development `.ptau` of 2^2 powers it comes from.
pub fn ceremony_files() -> Vec<Vec<u8>> {
    use rand::SeedableRng;
    use zkroll::aggregator::groth16::ceremony::{phase2, ptau, r1cs_file::R1cs, zkey::Layout};
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (r1cs_path, ptau_path, zkey_path) = (
        dir.path().join("c.r1cs"),
        dir.path().join("c.ptau"),
        dir.path().join("c.zkey"),
    );
    let r1cs = R1cs::from_circuit(Square).expect("synthesises");
    r1cs.write(&r1cs_path).expect("writes the r1cs");
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(15);
    ptau::write_dev_ptau(&ptau_path, 2, &mut rng).expect("writes the ptau");
    let mut p = ptau::Ptau::open(&ptau_path).expect("opens the ptau");
    let zkey = phase2::init(&r1cs, &mut p).expect("phase 2 init");
    zkey.write(&zkey_path, Layout::Init)
        .expect("writes the zkey");
    let read = |sel: u8, path: &Path| {
        let mut v = vec![sel];
        v.extend(std::fs::read(path).expect("reads a seed back"));
        v
    };
    vec![
        read(0, &r1cs_path),
        read(1, &zkey_path),
        read(2, &ptau_path),
    ]
}
