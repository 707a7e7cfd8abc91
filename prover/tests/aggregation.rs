//! End-to-end tests of aggregation, batch proofs and their negative cases, on the fixture
//! leaf circuit (see tests/fixture/mod.rs). Circuits are built once and shared.

mod fixture;

use fixture::{chain, FixtureLeaf, FixtureWitness};
use plonky2::field::types::Field;
use std::sync::OnceLock;
use zkroll_prover::batch::BATCH_VERSION;
use zkroll_prover::{
    expected_digest_words, BatchProof, LeafCircuit, Proof, Prover, ProverConfig, ProverError,
    Statement, F,
};

fn prover() -> &'static Prover<FixtureLeaf> {
    static P: OnceLock<Prover<FixtureLeaf>> = OnceLock::new();
    P.get_or_init(|| Prover::new(FixtureLeaf::build(), ProverConfig::default()).unwrap())
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
    assert_eq!(s.sha_in, first.sha_in);
    assert_eq!(s.sha_out, last.sha_out);
    assert_eq!((s.blocks_in, s.blocks_out), (0, 3));
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
    let sb = Statement::link(&b[0].honest(), &b[1].honest()).unwrap();
    let sb = Statement::link(&sb, &b[2].honest()).unwrap();
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

    // Roots do not link.
    let mut r = w[1];
    r.start.old_root[0] += 1;
    assert!(matches!(
        aggregate_directly(&w[0], &r),
        Err(ProverError::Proving(_))
    ));
    assert!(matches!(
        prover().prove(vec![w[0], r]),
        Err(ProverError::NotLinked(_))
    ));

    // SHA chains do not link.
    let mut r = w[1];
    r.start.sha_in[3] ^= 1;
    assert!(matches!(
        aggregate_directly(&w[0], &r),
        Err(ProverError::Proving(_))
    ));
    assert!(matches!(
        prover().prove(vec![w[0], r]),
        Err(ProverError::NotLinked(_))
    ));

    // Block counters do not link.
    let mut r = w[1];
    r.start.blocks_in += 1;
    assert!(matches!(
        aggregate_directly(&w[0], &r),
        Err(ProverError::Proving(_))
    ));
    assert!(matches!(
        prover().prove(vec![w[0], r]),
        Err(ProverError::NotLinked(_))
    ));
}

#[test]
fn leaf_claiming_a_wrong_statement_fails_to_prove() {
    let mut w = chain(1, 1)[0];
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

/// The top step over batch A: its public inputs are exactly the native digest words, and a
/// tampered public input does not verify.
#[test]
fn top_proof_exposes_the_batch_digest() {
    let bp = batch_a();
    let top = prover().prove_top(bp).unwrap();
    let words = prover().verify_top(bp.height as usize, &top).unwrap();
    assert_eq!(words, expected_digest_words(&bp.statement).unwrap());
    assert!(words[0] < 1 << 29);
    let mut bad = top.clone();
    bad.public_inputs[7] += F::ONE;
    assert!(prover().verify_top(bp.height as usize, &bad).is_err());
}

/// A root proof whose statement does not start the pubdata hash (`blocks_in = 1`, `sha_in`
/// not the IV) cannot be proved by the top circuit, even bypassing the native check.
#[test]
fn top_circuit_refuses_a_batch_not_starting_at_the_iv() {
    let mut w = chain(4, 3);
    w.remove(0);
    let bp = prover().prove(w).unwrap();
    assert_eq!(bp.height, 2);
    assert_eq!(bp.statement.blocks_in, 1);
    assert!(matches!(
        prover().prove_top(&bp),
        Err(ProverError::InvalidStatement(_))
    ));
    let root = prover().aggregation(2).unwrap();
    let proof = Proof::from_bytes(bp.proof.clone(), &root.data.common).unwrap();
    assert!(prover().top(2).unwrap().prove(&proof).is_err());
}
