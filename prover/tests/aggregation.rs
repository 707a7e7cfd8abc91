//! End-to-end tests of aggregation, batch proofs and their negative cases, on the fixture
//! leaf circuit (see tests/fixture/mod.rs). Circuits are built once and shared.

mod fixture;

use fixture::{chain, FixtureLeaf, FixtureWitness};
use std::sync::OnceLock;
use zkroll_prover::batch::BATCH_VERSION;
use zkroll_prover::{BatchProof, LeafCircuit, Prover, ProverConfig, ProverError, Statement};

fn prover() -> &'static Prover<FixtureLeaf> {
    static P: OnceLock<Prover<FixtureLeaf>> = OnceLock::new();
    P.get_or_init(|| Prover::new(FixtureLeaf::build(4), ProverConfig::default()).unwrap())
}

/// A proof of batch A: 3 real leaves, padded to 4 (height 2).
fn batch_a() -> &'static BatchProof {
    static B: OnceLock<BatchProof> = OnceLock::new();
    B.get_or_init(|| prover().prove(chain(3, 1)).unwrap())
}

#[test]
fn batch_proof_verifies_and_round_trips() {
    let bp = batch_a();
    assert_eq!(bp.height, 2);
    assert_eq!(bp.leaves, 3);
    let w = chain(3, 1);
    let first = w[0].honest();
    let last = w[2].honest();
    let s = prover().verify(bp).unwrap();
    assert_eq!(s.old_root, first.old_root);
    assert_eq!(s.new_root, last.new_root);
    assert_eq!(s.data_in, [0; 4]);
    assert_eq!(s.data_out, last.data_out);
    assert_eq!(s.effects_out, last.effects_out);
    assert_eq!((s.records_in, s.records_out), (0, 8));
    assert_eq!((s.effect_count_in, s.effect_count_out), (0, 5));
    assert_eq!((s.fees_in, s.fees_out), (0, 90));
    assert_eq!(s.operator, fixture::OPERATOR);
    let bytes = bp.to_bytes().unwrap();
    let back = BatchProof::from_bytes(&bytes).unwrap();
    assert_eq!(&back, bp);
    assert_eq!(prover().verify(&back).unwrap(), s);
}

#[test]
fn flipped_byte_and_wrong_version_rejected() {
    let bytes = batch_a().to_bytes().unwrap();
    for pos in [0, 5, 20, 60, bytes.len() / 2, bytes.len() - 1] {
        let mut b = bytes.clone();
        b[pos] ^= 0x01;
        assert!(matches!(
            BatchProof::from_bytes(&b),
            Err(ProverError::Malformed(_))
        ));
    }
    let mut b = bytes.clone();
    b[4..8].copy_from_slice(&(BATCH_VERSION + 1).to_be_bytes());
    assert!(BatchProof::from_bytes(&b).is_err());
    assert!(BatchProof::from_bytes(&bytes[..bytes.len() - 1]).is_err());
    // A flipped byte inside the proof itself, re-encoded with a valid checksum, must fail
    // plonky2 verification.
    let mut bp = batch_a().clone();
    let mid = bp.proof.len() / 2;
    bp.proof[mid] ^= 0x01;
    assert!(prover().verify(&bp).is_err());
}

#[test]
fn proof_of_batch_a_rejected_with_statement_of_batch_b() {
    let mut bp = batch_a().clone();
    let b = chain(3, 2);
    let sb = Statement::compose(&b[0].honest(), &b[1].honest()).unwrap();
    let sb = Statement::compose(&sb, &b[2].honest()).unwrap();
    assert_ne!(sb, bp.statement);
    bp.statement = sb;
    assert!(matches!(
        prover().verify(&bp),
        Err(ProverError::Verification(_))
    ));
}

/// Proves two leaves with the level-1 aggregation circuit directly (bypassing the native
/// link check of `Prover::prove`), so the circuit itself must refuse.
fn aggregate_directly(l: &FixtureWitness, r: &FixtureWitness) -> Result<(), ProverError> {
    let leaf = prover().leaf();
    let pl = leaf.prove(l)?;
    let pr = leaf.prove(r)?;
    let agg = prover().aggregation(1)?;
    let p = agg.prove(&pl, &pr)?;
    agg.verify(&p)
}

#[test]
fn unlinked_children_cannot_be_aggregated() {
    let w = chain(2, 1);
    // Sanity: the honest pair aggregates.
    aggregate_directly(&w[0], &w[1]).unwrap();

    type Break = (&'static str, fn(&mut Statement));
    let breaks: [Break; 9] = [
        ("roots", |s| s.old_root[0] += 1),
        ("operator", |s| s.operator += 1),
        ("data commitment", |s| s.data_in[2] ^= 1),
        ("effects chain", |s| s.effects_in[3] ^= 1),
        ("record counter", |s| s.records_in += 1),
        ("effect counter", |s| s.effect_count_in += 1),
        ("fees (low limb)", |s| s.fees_in += 1),
        ("fees (high limb)", |s| s.fees_in += 1 << 32),
        ("chain id", |s| s.chain_id ^= 1 << 40),
    ];
    for (what, f) in breaks {
        let mut r = w[1].clone();
        f(&mut r.start);
        assert!(
            matches!(aggregate_directly(&w[0], &r), Err(ProverError::Proving(_))),
            "{what}: the circuit must refuse"
        );
        assert!(
            matches!(
                prover().prove(vec![w[0].clone(), r]),
                Err(ProverError::NotLinked(_))
            ),
            "{what}: the native check must refuse"
        );
    }
}

#[test]
fn leaf_claiming_a_wrong_statement_fails_to_prove() {
    let mut w = chain(1, 1)[0].clone();
    let mut lie = w.honest();
    lie.new_root[1] += 1;
    w.claim_override = Some(lie);
    assert!(prover().leaf().prove(&w).is_err());
}

#[test]
fn aggregation_circuit_round_trips_through_bytes() {
    let agg = prover().aggregation(1).unwrap();
    let bytes = agg.to_bytes().unwrap();
    let back = zkroll_prover::AggCircuit::from_bytes(&bytes).unwrap();
    assert_eq!(back.level, 1);
    assert!(back.data == agg.data);
    let mut b = bytes.clone();
    let mid = b.len() / 2;
    b[mid] ^= 1;
    assert!(zkroll_prover::AggCircuit::from_bytes(&b).is_err());
    let mut b = bytes;
    b[5] ^= 1;
    assert!(zkroll_prover::AggCircuit::from_bytes(&b).is_err());
}
