//! Leaf circuit against the native executor, and its negative cases. The K = 4 circuit is
//! built once and shared by every test.

use std::sync::OnceLock;

use plonky2::field::types::{Field, PrimeField64};
use plonky2::hash::hash_types::HashOut;

use super::*;
use crate::batch::Header;
use crate::execute::{apply, Execution, TxWitness};
use crate::gadgets::sha256::native as sha;
use crate::gadgets::test_util::tamper_rejected;
use crate::schnorr::SecretKey;
use crate::state::{Account, StateTree};
use crate::tx::{Deposit, Domain, FullExit, Transfer, Tx, Withdraw};

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

/// The L1 owner of test account `i`.
fn owner(i: u8) -> [u8; 20] {
    [0x10 + i; 20]
}

/// A stranger's L1 address.
const STRANGER: [u8; 20] = [0x99; 20];

/// A key hash with no key behind it (not the hash of any known point).
fn undecodable_pkhash() -> HashOut<F> {
    HashOut {
        elements: [1u64, 2, 3, 4].map(F::from_canonical_u64),
    }
}

/// Accounts 0 (operator), 1, 2 with balance 1000, owned by `owner(i)`.
fn state() -> StateTree {
    StateTree::from_accounts((0..3u8).map(|i| {
        (
            i as u32,
            Account {
                pkhash: sk(i).public_key().pkhash(),
                balance: 1000,
                nonce: 0,
                owner: owner(i),
            },
        )
    }))
    .unwrap()
}

fn deposit(account: u32, key: u8, amount: u64) -> Tx {
    Tx::Deposit(Deposit {
        account,
        pkhash: sk(key).public_key().pkhash(),
        amount,
        owner: owner(key),
    })
}

fn full_exit(account: u32, requester: [u8; 20]) -> Tx {
    Tx::FullExit(FullExit { account, requester })
}

/// Leaf 0: deposit creating account 5, deposit to existing 1, transfer 1 → 2, withdraw from
/// 2. Leaf 1: transfer from the new account 5 → 1, deposit creating account 6 with a key
/// hash of no key, full exit of 2 by its owner (paid), full exit of 1 by a stranger (no-op).
/// Leaf 2: full exit of the empty account 9 (no-op), a second deposit to 6, a deposit
/// creating 7 (padded).
fn execution() -> &'static Execution {
    static E: OnceLock<Execution> = OnceLock::new();
    E.get_or_init(|| {
        let txs = vec![
            deposit(5, 5, 300),
            deposit(1, 1, 50),
            Tx::Transfer(Transfer::signed(&sk(1), &DOMAIN, 1, 2, 400, 3, 0)),
            Tx::Withdraw(Withdraw::signed(&sk(2), &DOMAIN, 2, [7; 20], 100, 2, 0)),
            Tx::Transfer(Transfer::signed(&sk(5), &DOMAIN, 5, 1, 250, 1, 0)),
            Tx::Deposit(Deposit {
                account: 6,
                pkhash: undecodable_pkhash(),
                amount: 77,
                owner: owner(6),
            }),
            full_exit(2, owner(2)),
            full_exit(1, STRANGER),
            full_exit(9, STRANGER),
            Tx::Deposit(Deposit {
                account: 6,
                pkhash: undecodable_pkhash(),
                amount: 5,
                owner: owner(6),
            }),
            deposit(7, 7, 1),
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
    assert_eq!(ls.len(), 3);
    let mut end = None;
    for w in &ls {
        let proof = circuit().prove(w).expect("honest leaf proves");
        circuit().verify(&proof).unwrap();
        assert_eq!(proof.public_inputs, w.statement().unwrap().to_vec());
        end = Some(w.end().unwrap());
    }
    let end = end.unwrap();
    assert_eq!(end.root, exec.new_root);
    assert_eq!(end.blocks, 11);
    // The owner's full exit paid the whole balance, the stranger's and the empty one nothing.
    let paid: Vec<u64> = exec.witnesses[6..9].iter().map(|w| w.exit_amount).collect();
    assert_eq!(paid, vec![1000 + 400 - 100 - 2, 0, 0]);
    // The chained SHA state, finalized, is sha256(pubdata).
    let fin = sha::compress_blocks(end.sha, &sha::padding(exec.pubdata.len() as u64));
    assert_eq!(sha::digest_bytes(fin), sha::sha256(&exec.pubdata));
}

#[test]
fn padding_leaf_changes_nothing_and_cannot_change_the_root() {
    let last = leaves()[2].end().unwrap();
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

/// Leaf `leaf` with slot `slot`'s witness changed by `f`, its pubdata re-encoded from the
/// changed tx (so that [`LeafWitness::statement`] is the tampered claim).
fn tampered(leaf: usize, slot: usize, f: impl FnOnce(&mut TxWitness)) -> LeafWitness {
    let mut w = leaves()[leaf].clone();
    let operator = w.operator;
    let s = w.slots[slot].as_mut().unwrap();
    f(s);
    s.pubdata = crate::pubdata::Slot::of(&s.tx, operator, s.exit_amount).encode();
    w
}

/// Whether a proof of exactly `w`'s claimed statement (roots, pubdata chain) can be made.
fn proves_claim(w: &LeafWitness) -> bool {
    match circuit().prove(w) {
        Ok(p) => circuit().verify(&p).is_ok() && w.statement().is_ok_and(|s| p.public_inputs == s),
        Err(_) => false,
    }
}

#[test]
fn deposit_to_an_account_of_another_pkhash_or_owner_is_rejected() {
    // Account 1 exists with (pkhash 1, owner 1). A deposit naming another pkhash or owner may
    // not reach it, even if the witness claims the account had them.
    for field in ["pkhash", "owner"] {
        for claim_in_witness in [false, true] {
            let w = tampered(0, 1, |slot| {
                let Tx::Deposit(mut d) = slot.tx else {
                    unreachable!()
                };
                match field {
                    "pkhash" => d.pkhash = sk(9).public_key().pkhash(),
                    _ => d.owner = STRANGER,
                }
                slot.tx = Tx::Deposit(d);
                if claim_in_witness {
                    let u = &mut slot.updates[0];
                    let mut acc = u.old.unwrap();
                    acc.pkhash = d.pkhash;
                    acc.owner = d.owner;
                    u.old = Some(acc);
                }
            });
            assert!(
                !proves_claim(&w),
                "{field}, witness claims it: {claim_in_witness}"
            );
        }
    }
}

#[test]
fn deposit_amount_must_be_below_2_pow_56() {
    // The last deposit of the batch (leaf 2, slot 2, creating account 7) with another amount:
    // the circuit recomputes the root, so 2^56 − 1 proves and 2^56 does not (its top byte is
    // not zero).
    let with_amount = |amount| {
        tampered(2, 2, |slot| {
            let Tx::Deposit(mut d) = slot.tx else {
                unreachable!()
            };
            d.amount = amount;
            slot.tx = Tx::Deposit(d);
        })
    };
    assert!(proves(&with_amount((1 << 56) - 1)));
    assert!(!proves(&with_amount(1 << 56)));
    assert!(!proves(&with_amount(u64::MAX)));
}

#[test]
fn withdraw_to_the_zero_address_is_rejected() {
    // The same withdrawal, re-signed for another address: a non-zero one proves, zero does not.
    let with_address = |l1| {
        tampered(0, 3, |slot| {
            slot.tx = Tx::Withdraw(Withdraw::signed(&sk(2), &DOMAIN, 2, l1, 100, 2, 0));
        })
    };
    assert!(proves(&with_address([8; 20])));
    let mut one_bit = [0; 20];
    one_bit[19] = 1;
    assert!(proves(&with_address(one_bit)));
    assert!(!proves(&with_address([0; 20])));
}

#[test]
fn signer_key_must_hash_to_the_leaf_pkhash() {
    // Account 1's transfer signed (validly) by key 9 and presented with key 9.
    let forged = Transfer::signed(&sk(9), &DOMAIN, 1, 2, 400, 3, 0);
    assert!(!proves(&with_tx(Tx::Transfer(forged))));
    // The right key hash with a signature of another key does not help either.
    let mut t = forged;
    t.pubkey = sk(1).public_key();
    assert!(!proves(&with_tx(Tx::Transfer(t))));
}

#[test]
fn full_exit_amount_is_the_balance_for_the_owner_and_zero_otherwise() {
    let with_amount = |leaf, slot, amount| tampered(leaf, slot, |s| s.exit_amount = amount);
    // Owner's exit (leaf 1, slot 2) paying less than the balance, or nothing.
    assert!(!proves(&with_amount(1, 2, 1297)));
    assert!(!proves(&with_amount(1, 2, 0)));
    // Stranger's exit (leaf 1, slot 3) and an empty account's (leaf 2, slot 0) paying anything.
    assert!(!proves(&with_amount(1, 3, 1)));
    assert!(!proves(&with_amount(1, 3, 1050)));
    assert!(!proves(&with_amount(2, 0, 5)));
    // A stranger claiming to be the owner in the witness does not make a payment provable.
    let w = tampered(1, 3, |s| {
        s.exit_amount = 1050;
        let u = &mut s.updates[0];
        let mut acc = u.old.unwrap();
        acc.owner = STRANGER;
        u.old = Some(acc);
    });
    assert!(!proves(&w));
    // An owner's exit disguised as an exit of an empty leaf does not prove.
    let w = tampered(1, 2, |s| {
        s.exit_amount = 0;
        s.updates[0].old = None;
        s.updates[0].new = None;
    });
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
