//! Leaf circuit against the native executor, and its negative cases. The K = 4 circuit is
//! built once and shared by every test.

use std::sync::OnceLock;

use plonky2::field::types::{Field, PrimeField64};

use super::*;
use crate::batch::Header;
use crate::execute::{apply, Execution};
use crate::gadgets::sha256::native as sha;
use crate::gadgets::test_util::tamper_rejected;
use crate::schnorr::SecretKey;
use crate::state::{Account, StateTree};
use crate::tx::{Deposit, Domain, Transfer, Tx, Withdraw};

const DOMAIN: Domain = Domain {
    chain_id: 31337,
    rollup: [0xaa; 20],
};
const HEADER: Header = Header {
    domain: DOMAIN,
    operator: 0,
};

fn circuit() -> &'static LeafCircuit {
    static C4: OnceLock<LeafCircuit> = OnceLock::new();
    C4.get_or_init(|| LeafCircuit::build(4).expect("k = 4 is supported"))
}

fn sk(i: u8) -> SecretKey {
    SecretKey::from_seed(&[i; 32])
}

/// Accounts 0 (operator), 1, 2 with balance 1000.
fn state() -> StateTree {
    StateTree::from_accounts((0..3u8).map(|i| {
        (
            i as u32,
            Account {
                pubkey: sk(i).public_key(),
                balance: 1000,
                nonce: 0,
            },
        )
    }))
    .unwrap()
}

/// Deposit creating account 5, deposit to existing 1, transfer 1 → 2, withdraw from 2,
/// transfer from the new account 5 → 1 (second leaf, padded).
fn execution() -> &'static Execution {
    static E: OnceLock<Execution> = OnceLock::new();
    E.get_or_init(|| {
        let txs = vec![
            Tx::Deposit(Deposit {
                account: 5,
                pubkey: sk(5).public_key(),
                amount: 300,
            }),
            Tx::Deposit(Deposit {
                account: 1,
                pubkey: sk(1).public_key(),
                amount: 50,
            }),
            Tx::Transfer(Transfer::signed(&sk(1), &DOMAIN, 1, 2, 400, 3, 0)),
            Tx::Withdraw(Withdraw::signed(&sk(2), &DOMAIN, 2, [7; 20], 100, 2, 0)),
            Tx::Transfer(Transfer::signed(&sk(5), &DOMAIN, 5, 1, 250, 1, 0)),
        ];
        apply(&mut state(), &HEADER, &txs).expect("valid batch")
    })
}

fn leaves() -> Vec<LeafWitness> {
    leaf_witnesses(execution(), 4).unwrap()
}

fn proves(w: &LeafWitness) -> bool {
    match circuit().prove(w) {
        Ok(p) => circuit().verify(&p).is_ok(),
        Err(_) => false,
    }
}

#[test]
fn leaves_prove_the_native_statement_and_chain_to_the_digest() {
    let exec = execution();
    let ls = leaves();
    assert_eq!(ls.len(), 2);
    let mut end = None;
    for w in &ls {
        let proof = circuit().prove(w).expect("honest leaf proves");
        circuit().verify(&proof).unwrap();
        assert_eq!(proof.public_inputs, w.statement().unwrap().to_vec());
        end = Some(w.end().unwrap());
    }
    let end = end.unwrap();
    assert_eq!(end.root, exec.new_root);
    assert_eq!(end.blocks, 5);
    // The chained SHA state, finalized, is sha256(pubdata).
    let fin = sha::compress_blocks(end.sha, &sha::padding(exec.pubdata.len() as u64));
    assert_eq!(sha::digest_bytes(fin), sha::sha256(&exec.pubdata));
}

#[test]
fn padding_leaf_changes_nothing_and_cannot_change_the_root() {
    let last = leaves()[1].end().unwrap();
    let pad = LeafWitness::padding(DOMAIN, 0, last, 4);
    let s = pad.statement().unwrap();
    assert_eq!(s[7..11], s[11..15], "roots");
    assert_eq!(s[15..23], s[23..31], "sha chain");
    assert_eq!(s[31], s[32], "blocks");
    assert!(proves(&pad));
    // Forcing another new root (public input 11) into a no-op leaf is rejected.
    let pw = circuit().witness(&pad).unwrap();
    let pis = &circuit().data.prover_only.public_inputs;
    assert!(tamper_rejected(
        &circuit().data,
        pw,
        pis[11],
        s[11] + F::ONE
    ));
    // So is a block counter that moves.
    let pw = circuit().witness(&pad).unwrap();
    assert!(tamper_rejected(
        &circuit().data,
        pw,
        pis[32],
        s[32] + F::ONE
    ));
}

#[test]
fn u32_public_limbs_are_range_checked() {
    let w = &leaves()[0];
    let s = w.statement().unwrap();
    let pis = &circuit().data.prover_only.public_inputs;
    let big = F::from_canonical_u64(1 << 32);
    // chain_id_lo + 2^32, a SHA word + 2^32 (same value mod nothing: a different limb).
    for i in [0usize, 2, 15] {
        let pw = circuit().witness(w).unwrap();
        assert!(
            tamper_rejected(&circuit().data, pw, pis[i], s[i] + big),
            "limb {i}"
        );
    }
}

/// The transfer slot (index 2 of leaf 0) with its tx replaced.
fn with_tx(tx: Tx) -> LeafWitness {
    let mut w = leaves()[0].clone();
    w.slots[2].as_mut().unwrap().tx = tx;
    w
}

#[test]
fn bad_signature_is_rejected() {
    let Tx::Transfer(mut t) = execution().witnesses[2].tx else {
        unreachable!()
    };
    t.signature = Transfer::signed(&sk(1), &DOMAIN, 1, 2, 400, 3, 1).signature;
    assert!(!proves(&with_tx(Tx::Transfer(t))));
    // Signed by another key.
    let forged = Transfer::signed(&sk(2), &DOMAIN, 1, 2, 400, 3, 0);
    assert!(!proves(&with_tx(Tx::Transfer(forged))));
}

#[test]
fn signature_for_another_chain_or_rollup_is_rejected() {
    for other in [
        Domain {
            chain_id: 1,
            ..DOMAIN
        },
        Domain {
            rollup: [0xbb; 20],
            ..DOMAIN
        },
    ] {
        let t = Transfer::signed(&sk(1), &other, 1, 2, 400, 3, 0);
        assert!(!proves(&with_tx(Tx::Transfer(t))));
    }
}

#[test]
fn replayed_nonce_is_rejected() {
    // A valid signature on nonce 1 while the account's nonce is 0.
    let t = Transfer::signed(&sk(1), &DOMAIN, 1, 2, 400, 3, 1);
    assert!(!proves(&with_tx(Tx::Transfer(t))));
}

#[test]
fn overdraft_and_overflow_are_rejected() {
    // Account 1 has 1050: 1048 + 3 is one too many.
    let t = Transfer::signed(&sk(1), &DOMAIN, 1, 2, 1048, 3, 0);
    assert!(!proves(&with_tx(Tx::Transfer(t))));
    let t = Transfer::signed(&sk(1), &DOMAIN, 1, 2, u64::MAX, 3, 0);
    assert!(!proves(&with_tx(Tx::Transfer(t))));
}

#[test]
fn fee_must_go_to_the_operator() {
    let mut w = leaves()[0].clone();
    w.operator = 1;
    assert!(!proves(&w));
}

#[test]
fn wrong_merkle_sibling_is_rejected() {
    let mut w = leaves()[0].clone();
    let u = &mut w.slots[2].as_mut().unwrap().updates[1];
    u.siblings[7].elements[0] += F::ONE;
    assert!(!proves(&w));
}

#[test]
fn deposit_to_an_account_of_another_key_is_rejected() {
    // Account 1 exists with key 1; a deposit for key 9 may not reach it, even if the witness
    // claims the account had key 9.
    let mut w = leaves()[0].clone();
    let slot = w.slots[1].as_mut().unwrap();
    let Tx::Deposit(mut d) = slot.tx else {
        unreachable!()
    };
    d.pubkey = sk(9).public_key();
    slot.tx = Tx::Deposit(d);
    let u = &mut slot.updates[0];
    let mut acc = u.old.unwrap();
    acc.pubkey = d.pubkey;
    u.old = Some(acc);
    assert!(!proves(&w));
}

#[test]
fn tampered_proof_public_input_does_not_verify() {
    let w = &leaves()[1];
    let mut p = circuit().prove(w).unwrap();
    p.public_inputs[23] += F::ONE; // sha_out[0]
    assert!(circuit().verify(&p).is_err());
}

#[test]
fn circuit_round_trips_through_bytes() {
    let bytes = circuit().to_bytes().unwrap();
    let back = LeafCircuit::from_bytes(&bytes).unwrap();
    assert_eq!(
        back.data.verifier_only.circuit_digest,
        circuit().data.verifier_only.circuit_digest
    );
    let w = &leaves()[1];
    let p = back.prove(w).unwrap();
    circuit().verify(&p).unwrap();
    assert_eq!(p.public_inputs[31].to_canonical_u64(), 4);
    let mut bad = bytes.clone();
    let n = bad.len();
    bad[n / 2] ^= 1;
    assert!(LeafCircuit::from_bytes(&bad).is_err());
    assert!(matches!(
        LeafCircuit::build(0),
        Err(LeafError::UnsupportedK(0))
    ));
    assert!(matches!(
        LeafCircuit::build(MAX_K + 1),
        Err(LeafError::UnsupportedK(k)) if k == MAX_K + 1
    ));
}
