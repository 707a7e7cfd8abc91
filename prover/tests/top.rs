//! The top step end to end on the fixture leaf (tests/fixture/mod.rs): the digest of a batch
//! with records, effects, a blob and an operator credit, and every tampering refused —
//! natively by `Prover::prove_top` (a typed error before proving) AND by the circuit when the
//! native check is bypassed (`TopCircuit::prove` fails or its proof does not verify).

mod fixture;

use fixture::{batch_data, chain_to, FixtureLeaf, FixtureWitness, OPERATOR};
use plonky2::field::types::{Field, PrimeField64};
use plonky2::hash::hash_types::HashOut;
use std::sync::OnceLock;
use zkroll_circuits::blob::kzg::open_blob;
use zkroll_circuits::da::{BatchData, Effect, Record, MAX_EFFECTS};
use zkroll_circuits::state::{Account, StateTree};
use zkroll_prover::top::{digest_value_bytes, top_values};
use zkroll_prover::{
    expected_digest_words, BatchProof, OperatorCredit, Proof, Prover, ProverConfig, ProverError,
    TopError, TopWitness, DIGEST_WORDS, F,
};

const LEAVES: usize = 3;

fn prover() -> &'static Prover<FixtureLeaf> {
    static P: OnceLock<Prover<FixtureLeaf>> = OnceLock::new();
    P.get_or_init(|| Prover::new(FixtureLeaf::build(4), ProverConfig::default()).unwrap())
}

/// A state tree holding the operator with `balance` and two other accounts.
fn tree(balance: u64) -> StateTree {
    let acc = |i: u64, balance| Account {
        pkhash: HashOut {
            elements: [i, 2, 3, 4].map(F::from_canonical_u64),
        },
        balance,
        nonce: 3,
        owner: [i as u8; 20],
    };
    StateTree::from_accounts([(1, acc(1, 5)), (OPERATOR, acc(9, balance)), (77, acc(7, 0))])
        .unwrap()
}

fn root_limbs(t: &StateTree) -> [u64; 4] {
    t.root().elements.map(|x| x.to_canonical_u64())
}

fn credit(t: &StateTree) -> OperatorCredit {
    let p = t.proof(OPERATOR);
    OperatorCredit {
        account: p.account.unwrap(),
        siblings: p.siblings,
    }
}

/// A batch of [`LEAVES`] fixture leaves ending at `tree`'s root, its proof and honest witness.
struct Case {
    bp: BatchProof,
    root_proof: Proof,
    witness: TopWitness,
}

fn case_with(leaves: Vec<FixtureWitness>, t: &StateTree) -> Case {
    let (records, effects) = {
        let mut r = vec![];
        let mut e = vec![];
        for w in &leaves {
            let st = w.step.as_ref().unwrap();
            r.extend(st.records.iter().copied());
            e.extend(st.effects.iter().copied());
        }
        (r, e)
    };
    let bp = prover().prove(leaves).unwrap();
    let root = prover().aggregation(bp.height as usize).unwrap();
    let root_proof = Proof::from_bytes(bp.proof.clone(), &root.data.common).unwrap();
    let data = BatchData {
        operator: OPERATOR,
        records,
        effects,
    };
    let witness = TopWitness::from_batch_data(&data, Some(credit(t))).unwrap();
    Case {
        bp,
        root_proof,
        witness,
    }
}

fn honest() -> &'static Case {
    static C: OnceLock<Case> = OnceLock::new();
    C.get_or_init(|| {
        let t = tree(1000);
        case_with(chain_to(LEAVES, 1, Some(root_limbs(&t))), &t)
    })
}

/// The circuit refuses `w` over `c`'s root proof: proving fails, or the proof does not verify.
fn circuit_refuses(c: &Case, w: &TopWitness) -> bool {
    let top = prover().top(c.bp.height as usize).unwrap();
    match top.prove(&c.root_proof, w) {
        Err(_) => true,
        Ok(p) => top.verify(&p).is_err(),
    }
}

/// The honest top proof, proven once.
fn honest_top() -> &'static Proof {
    static P: OnceLock<Proof> = OnceLock::new();
    P.get_or_init(|| {
        let c = honest();
        prover().prove_top(&c.bp, &c.witness).unwrap()
    })
}

/// The digest words of [`honest_top`] (verified).
fn honest_words() -> [u32; DIGEST_WORDS] {
    prover()
        .verify_top(honest().bp.height as usize, honest_top())
        .unwrap()
}

#[test]
fn top_proof_exposes_the_native_digest_of_blob_effects_and_credit() {
    let c = honest();
    let s = &c.bp.statement;
    assert_eq!((s.records_out, s.effect_count_out, s.fees_out), (8, 5, 90));
    let words = honest_words();
    assert_eq!(words, expected_digest_words(s, &c.witness).unwrap());
    assert!(words[0] < 1 << 29);

    let v = top_values(s, &c.witness).unwrap();
    // The credit: the operator's balance + 90 under the final root.
    let mut t = tree(1000);
    let mut op = *t.get(OPERATOR).unwrap();
    op.balance += 90;
    t.set(OPERATOR, op);
    assert_eq!(v.final_root, root_limbs(&t));
    // x, y are c-kzg's opening of the batch's blob.
    let data = BatchData {
        operator: OPERATOR,
        records: c.witness.records.clone(),
        effects: c.witness.effects.clone(),
    };
    let dc = HashOut {
        elements: s.data_out.map(F::from_canonical_u64),
    };
    let opening = open_blob(&data.blob_data(), dc).unwrap();
    assert_eq!(
        (opening.versioned_hash, opening.x, opening.y),
        (c.witness.versioned_hash, v.x, v.y)
    );
    assert_eq!(
        v.effects_hash,
        zkroll_circuits::da::effects_hash(&c.witness.effects)
    );
    assert_eq!(digest_value_bytes(&words)[0] >> 5, 0);

    // A tampered public input does not verify.
    let mut bad = honest_top().clone();
    bad.public_inputs[7] += F::ONE;
    assert!(prover().verify_top(c.bp.height as usize, &bad).is_err());
}

/// Asserts `w` is refused natively with an error matching `native` and by the circuit.
fn refused(w: &TopWitness, what: &str, native: impl Fn(&ProverError) -> bool) {
    let c = honest();
    match prover().prove_top(&c.bp, w) {
        Err(e) => assert!(native(&e), "{what}: unexpected native error {e}"),
        Ok(_) => panic!("{what}: accepted natively"),
    }
    assert!(circuit_refuses(c, w), "{what}: accepted by the circuit");
}

fn mismatch(e: &ProverError) -> bool {
    matches!(e, ProverError::Top(TopError::Mismatch(_)))
}

#[test]
fn a_record_differing_in_one_field_is_refused() {
    let c = honest();
    for (i, f) in [
        (0usize, (|r: &mut Record| r.b ^= 1) as fn(&mut Record)),
        (3, |r| r.a ^= 1 << 31),
        (4, |r| r.c += 1),
        (5, |r| r.d = 0),
    ] {
        let mut w = c.witness.clone();
        f(&mut w.records[i]);
        refused(&w, &format!("record {i}"), mismatch);
    }
}

#[test]
fn an_extra_record_after_the_count_is_refused() {
    let mut w = honest().witness.clone();
    w.records.push(Record::deposit(5));
    refused(&w, "extra record", mismatch);
}

#[test]
fn an_effect_changed_in_one_byte_is_refused() {
    let c = honest();
    let mut w = c.witness.clone();
    match &mut w.effects[0] {
        Effect::Withdraw { amount, .. } => *amount += 1,
        e => panic!("fixture effect 0 is a Withdraw, got {e:?}"),
    }
    assert_eq!(
        w.effects[0]
            .encode()
            .iter()
            .zip(c.witness.effects[0].encode())
            .filter(|(a, b)| **a != *b)
            .count(),
        1
    );
    refused(&w, "effect byte", mismatch);
    let mut w = c.witness.clone();
    w.effects.push(w.effects[0]);
    refused(&w, "extra effect", mismatch);
}

#[test]
fn a_wrong_versioned_hash_changes_the_digest() {
    let c = honest();
    let mut w = c.witness.clone();
    w.versioned_hash[31] ^= 1;
    let native = expected_digest_words(&c.bp.statement, &w).unwrap();
    assert_ne!(native, honest_words());
    let top = prover().top(c.bp.height as usize).unwrap();
    let p = top.prove(&c.root_proof, &w).unwrap();
    let words = top.verify(&p).unwrap();
    assert_eq!(words, native);
    assert_ne!(words, honest_words());
}

#[test]
fn a_tampered_operator_leaf_or_path_is_refused() {
    let c = honest();
    let bad_path = |e: &ProverError| matches!(e, ProverError::Top(TopError::BadCreditPath));
    let mut w = c.witness.clone();
    w.operator_credit.as_mut().unwrap().account.balance += 1;
    refused(&w, "operator balance", bad_path);
    let mut w = c.witness.clone();
    w.operator_credit.as_mut().unwrap().account.nonce += 1;
    refused(&w, "operator nonce", bad_path);
    let mut w = c.witness.clone();
    w.operator_credit.as_mut().unwrap().siblings[5].elements[0] += F::ONE;
    refused(&w, "operator path", bad_path);
    let mut w = c.witness.clone();
    w.operator_credit = None;
    refused(&w, "fees without credit", |e| {
        matches!(
            e,
            ProverError::Top(TopError::MissingCredit { fees: 90, .. })
        )
    });
}

#[test]
fn a_credit_overflowing_the_balance_is_refused() {
    let t = tree(u64::MAX - 89);
    let c = case_with(chain_to(LEAVES, 1, Some(root_limbs(&t))), &t);
    assert!(matches!(
        prover().prove_top(&c.bp, &c.witness),
        Err(ProverError::Top(TopError::CreditOverflow { fees: 90, .. }))
    ));
    assert!(circuit_refuses(&c, &c.witness));
}

#[test]
fn too_many_effects_or_records_are_refused_before_proving_and_by_the_circuit() {
    let t = tree(1000);
    // 17 effects in the first leaf.
    let mut leaves = chain_to(LEAVES, 2, Some(root_limbs(&t)));
    let extra = leaves[0].step.as_ref().unwrap().effects[0];
    leaves[0]
        .step
        .as_mut()
        .unwrap()
        .effects
        .extend(std::iter::repeat_n(extra, MAX_EFFECTS + 1 - 5));
    let leaves = relink(leaves);
    let c = case_with(leaves, &t);
    assert_eq!(c.bp.statement.effect_count_out as usize, MAX_EFFECTS + 1);
    assert!(matches!(
        prover().prove_top(&c.bp, &c.witness),
        Err(ProverError::Top(TopError::TooManyEffects {
            count: 17,
            max: 16
        }))
    ));
    let mut w = c.witness.clone();
    w.effects.truncate(MAX_EFFECTS);
    assert!(circuit_refuses(&c, &w), "17 effects claimed, 16 slots");

    // 17 records for a capacity of 4·2^2 = 16.
    let mut leaves = chain_to(LEAVES, 3, Some(root_limbs(&t)));
    let rec = leaves[1].step.as_ref().unwrap().records[0];
    leaves[1]
        .step
        .as_mut()
        .unwrap()
        .records
        .extend(std::iter::repeat_n(rec, 17 - 8));
    let c = case_with(relink(leaves), &t);
    assert_eq!(c.bp.statement.records_out, 17);
    assert!(matches!(
        prover().prove_top(&c.bp, &c.witness),
        Err(ProverError::Top(TopError::TooManyRecords {
            count: 17,
            capacity: 16
        }))
    ));
    let mut w = c.witness.clone();
    w.records.truncate(16);
    assert!(circuit_refuses(&c, &w), "17 records claimed, 16 slots");
}

/// Recomputes each leaf's start from the previous one's honest end (after editing steps).
fn relink(mut leaves: Vec<FixtureWitness>) -> Vec<FixtureWitness> {
    let mut cur = fixture::genesis();
    for w in &mut leaves {
        w.start = cur.noop_after();
        cur = w.honest();
    }
    leaves
}

/// A statement not starting at zero (the first leaf removed) is refused natively and by the
/// circuit.
#[test]
fn a_batch_not_starting_at_zero_is_refused() {
    let t = tree(1000);
    let mut leaves = chain_to(LEAVES + 1, 1, Some(root_limbs(&t)));
    leaves.remove(0);
    let c = case_with(leaves, &t);
    assert_ne!(c.bp.statement.records_in, 0);
    let (records, effects) = batch_data(LEAVES + 1, 1);
    let mut w = c.witness.clone();
    w.records = records[4..].to_vec();
    w.effects = effects[3..].to_vec();
    assert!(matches!(
        prover().prove_top(&c.bp, &w),
        Err(ProverError::Top(TopError::NotAtStart { .. }))
    ));
    assert!(circuit_refuses(&c, &w));
}
