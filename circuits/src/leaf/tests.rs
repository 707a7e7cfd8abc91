//! Leaf circuit against the native executor, and its negative cases. The K = 4 circuit is
//! built once and shared by every test.

use std::sync::OnceLock;

use plonky2::field::types::{Field, PrimeField64};
use plonky2::hash::hash_types::HashOut;

use super::*;
use crate::batch::Header;
use crate::da::{
    data_commitment, data_step, effects_commitment, pack_amount, pack_fee, Effect, Record,
};
use crate::execute::{apply, Execution, TxWitness};
use crate::gadgets::range::u64_limbs;
use crate::gadgets::test_util::{tamper_many_rejected, tamper_rejected};
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

/// Statement limb positions (docs/recursion.md, "Statement layout").
mod at {
    pub const OPERATOR: usize = 7;
    pub const NEW_ROOT: usize = 12;
    pub const DATA_IN: usize = 16;
    pub const DATA_OUT: usize = 20;
    pub const EFFECTS_IN: usize = 24;
    pub const EFFECTS_OUT: usize = 28;
    pub const RECORDS_IN: usize = 32;
    pub const RECORDS_OUT: usize = 33;
    pub const EFFECT_COUNT_IN: usize = 34;
    pub const EFFECT_COUNT_OUT: usize = 35;
    pub const FEES_IN: usize = 36;
    pub const FEES_OUT: usize = 38;
}

#[test]
fn leaves_prove_the_native_statement_and_chain_to_the_execution() {
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
    // The leaves end where execution's slots end; the operator credit is the top step's.
    assert_eq!(end.root, exec.slots_root);
    assert_ne!(exec.slots_root, exec.new_root);
    assert_eq!(end.records, 11);
    assert_eq!(end.effects, 9);
    assert_eq!(end.fees, 3 + 2 + 1);
    assert_eq!(end.fees, exec.fees);
    assert_eq!(end.dc, data_commitment(&exec.data.records));
    assert_eq!(end.ec, effects_commitment(&exec.data.effects));
    // The owner's full exit paid the whole balance, the stranger's and the empty one nothing.
    let paid: Vec<u64> = exec.witnesses[6..9]
        .iter()
        .map(|w| w.exit_amount())
        .collect();
    assert_eq!(paid, vec![1000 + 400 - 100 - 2, 0, 0]);
}

#[test]
fn padding_leaf_changes_nothing_and_cannot_change_the_root() {
    let last = leaves()[2].end().unwrap();
    let pad = LeafWitness::padding(DOMAIN, 0, last, 4);
    let s = pad.statement().unwrap();
    assert_eq!(s[8..12], s[12..16], "roots");
    assert_eq!(s[16..20], s[20..24], "data commitment");
    assert_eq!(s[24..28], s[28..32], "effects chain");
    assert_eq!(s[32], s[33], "records");
    assert_eq!(s[34], s[35], "effects");
    assert_eq!(s[36..38], s[38..40], "fees");
    assert!(proves(&pad));
    let pis = &circuit().data.prover_only.public_inputs;
    // Forcing another new root, record count or effect count into a no-op leaf is rejected.
    for i in [at::NEW_ROOT, at::RECORDS_OUT, at::EFFECT_COUNT_OUT] {
        let pw = circuit().witness(&pad).unwrap();
        assert!(
            tamper_rejected(&circuit().data, pw, pis[i], s[i] + F::ONE),
            "limb {i}"
        );
    }
}

#[test]
fn u32_public_limbs_are_range_checked() {
    let w = &leaves()[1];
    let s = w.statement().unwrap();
    let pis = &circuit().data.prover_only.public_inputs;
    let big = F::from_canonical_u64(1 << 32);
    // chain_id_lo, a rollup word, the operator, the counters in, fees_in_lo + 2^32.
    for i in [
        0usize,
        2,
        at::OPERATOR,
        at::RECORDS_IN,
        at::EFFECT_COUNT_IN,
        at::FEES_IN,
    ] {
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
fn fee_sum_is_exact_and_checked() {
    // Leaf 0 pays fees 3 (transfer) + 2 (withdraw): fees_out = fees_in + 5, nothing else.
    let w = leaves()[0].clone();
    let s = w.statement().unwrap();
    assert_eq!(s[at::FEES_OUT], s[at::FEES_IN] + F::from_canonical_u64(5));
    let pis = &circuit().data.prover_only.public_inputs;
    for (i, v) in [
        (at::FEES_OUT, s[at::FEES_OUT] + F::ONE),
        (at::FEES_OUT, s[at::FEES_IN]),
        (at::FEES_OUT + 1, F::ONE),
    ] {
        let pw = circuit().witness(&w).unwrap();
        assert!(tamper_rejected(&circuit().data, pw, pis[i], v), "{i}");
    }
    // A sum reaching 2^64 does not prove (and the native statement refuses it).
    let mut over = w.clone();
    over.start.fees = u64::MAX - 4;
    assert!(over.statement().is_err());
    assert!(!proves(&over));
    over.start.fees = u64::MAX - 5;
    assert!(proves(&over));
}

#[test]
fn wrong_merkle_sibling_is_rejected() {
    let mut w = leaves()[0].clone();
    let u = &mut w.slots[2].as_mut().unwrap().updates[1];
    u.siblings[7].elements[0] += F::ONE;
    assert!(!proves(&w));
}

/// The record and effect execution gives `tx` (FullExit: paying `exit_amount`); an amount or
/// fee with no packed form is recorded as 0.
fn encode(tx: &Tx, exit_amount: u64) -> (Record, Option<Effect>) {
    match *tx {
        Tx::Deposit(d) => (Record::deposit(d.account), Some(Effect::Deposit(d))),
        Tx::Transfer(t) => (
            Record::transfer(
                t.from,
                t.to,
                pack_amount(t.amount).unwrap_or(0),
                pack_fee(t.fee).unwrap_or(0),
            ),
            None,
        ),
        Tx::Withdraw(x) => (
            Record::withdraw(x.from, pack_fee(x.fee).unwrap_or(0)),
            Some(Effect::Withdraw {
                from: x.from,
                l1_address: x.l1_address,
                amount: x.amount,
            }),
        ),
        Tx::FullExit(exit) => (
            Record::full_exit(exit.account),
            Some(Effect::FullExit {
                exit,
                amount: exit_amount,
            }),
        ),
    }
}

/// Leaf `leaf` with slot `slot`'s witness changed by `f` (which may set the FullExit amount
/// it claims), its record and effect re-encoded from the changed tx (so that
/// [`LeafWitness::statement`] is the tampered claim).
fn tampered(leaf: usize, slot: usize, f: impl FnOnce(&mut TxWitness, &mut u64)) -> LeafWitness {
    let mut w = leaves()[leaf].clone();
    let s = w.slots[slot].as_mut().unwrap();
    let mut exit_amount = s.exit_amount();
    f(s, &mut exit_amount);
    let (record, effect) = encode(&s.tx, exit_amount);
    s.record = Some(record);
    s.effect = effect;
    w
}

/// Whether a proof of exactly `w`'s claimed statement (roots, chains, counters, fees) can be
/// made.
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
            let w = tampered(0, 1, |slot, _| {
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
        tampered(2, 2, |slot, _| {
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
        tampered(0, 3, |slot, _| {
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
    let with_amount = |leaf, slot, amount| tampered(leaf, slot, |_, a| *a = amount);
    // Owner's exit (leaf 1, slot 2) paying less than the balance, or nothing.
    assert!(!proves(&with_amount(1, 2, 1297)));
    assert!(!proves(&with_amount(1, 2, 0)));
    // Stranger's exit (leaf 1, slot 3) and an empty account's (leaf 2, slot 0) paying anything.
    assert!(!proves(&with_amount(1, 3, 1)));
    assert!(!proves(&with_amount(1, 3, 1050)));
    assert!(!proves(&with_amount(2, 0, 5)));
    // A stranger claiming to be the owner in the witness does not make a payment provable.
    let w = tampered(1, 3, |s, a| {
        *a = 1050;
        let u = &mut s.updates[0];
        let mut acc = u.old.unwrap();
        acc.owner = STRANGER;
        u.old = Some(acc);
    });
    assert!(!proves(&w));
    // An owner's exit disguised as an exit of an empty leaf does not prove.
    let w = tampered(1, 2, |s, a| {
        *a = 0;
        s.updates[0].old = None;
        s.updates[0].new = None;
    });
    assert!(!proves(&w));
}

#[test]
fn tampered_proof_public_input_does_not_verify() {
    let w = &leaves()[1];
    let mut p = circuit().prove(w).unwrap();
    p.public_inputs[at::DATA_OUT] += F::ONE;
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
    assert_eq!(p.public_inputs[at::RECORDS_IN].to_canonical_u64(), 4);
    let mut bad = bytes.clone();
    let n = bad.len();
    bad[n / 2] ^= 1;
    assert!(LeafCircuit::from_bytes(&bad).is_err());
    // A file of the 33-limb circuit (no version field: `k` where the version now is).
    let mut old = b"ZKRL".to_vec();
    old.extend(4u32.to_be_bytes());
    old.extend(&bytes[12..]);
    assert!(matches!(
        LeafCircuit::from_bytes(&old),
        Err(LeafError::Serialization(m)) if m.contains("version 4")
    ));
    assert!(matches!(
        LeafCircuit::build(0),
        Err(LeafError::UnsupportedK(0))
    ));
    assert!(matches!(
        LeafCircuit::build(MAX_K + 1),
        Err(LeafError::UnsupportedK(k)) if k == MAX_K + 1
    ));
}

#[test]
fn tampered_record_field_does_not_prove_its_claim() {
    // Every record field of the transfer (leaf 0, slot 2) is bound: a claim whose data
    // commitment absorbed another type, account, receiver, packed amount or packed fee is
    // not provable.
    let honest = execution().witnesses[2].record.unwrap();
    for (field, r) in [
        ("t", Record { t: 3, ..honest }),
        ("a", Record { a: 2, ..honest }),
        ("b", Record { b: 0, ..honest }),
        (
            "c",
            Record {
                c: pack_amount(401).unwrap(),
                ..honest
            },
        ),
        (
            "d",
            Record {
                d: pack_fee(4).unwrap(),
                ..honest
            },
        ),
    ] {
        let mut w = leaves()[0].clone();
        w.slots[2].as_mut().unwrap().record = Some(r);
        assert!(!proves_claim(&w), "record field {field}");
    }
}

#[test]
fn wrong_packed_amount_or_fee_is_rejected() {
    // The transfer's amount 400 = 4·10^2 and fee 3 as other packed forms: a non-canonical
    // form of the same value (40·10^1, 30·10^-… i.e. 30·10^0 for 30 ≠ 3), another value, a
    // form with e = 20.
    let honest = execution().witnesses[2].record.unwrap();
    assert_eq!(honest.c, (4 << 5) | 2);
    for r in [
        Record {
            c: (40 << 5) | 1,
            ..honest
        },
        Record {
            c: 400 << 5,
            ..honest
        },
        Record {
            c: (4 << 5) | 20,
            ..honest
        },
        Record { c: 0, ..honest },
        Record {
            d: 30 << 5,
            ..honest
        },
        Record {
            d: (3 << 5) | 1,
            ..honest
        },
        Record { d: 0, ..honest },
    ] {
        let mut w = leaves()[0].clone();
        w.slots[2].as_mut().unwrap().record = Some(r);
        assert!(!proves(&w), "{r:?}");
    }
    // The withdrawal's packed fee (leaf 0, slot 3) too, and a deposit may carry none.
    let mut w = leaves()[0].clone();
    w.slots[3].as_mut().unwrap().record.as_mut().unwrap().d = pack_fee(20).unwrap();
    assert!(!proves(&w));
    let mut w = leaves()[0].clone();
    w.slots[0].as_mut().unwrap().record.as_mut().unwrap().d = pack_fee(1).unwrap();
    assert!(!proves(&w));
}

#[test]
fn tampered_effect_word_does_not_prove_its_claim() {
    // The withdrawal (leaf 0, slot 3): another amount, address or sender in its effect; the
    // deposit (slot 0): another key hash or owner; the paid full exit (leaf 1, slot 2):
    // another requester. Each changes one or more effect words.
    let cases: Vec<(usize, usize, Effect)> = vec![
        (
            0,
            3,
            Effect::Withdraw {
                from: 2,
                l1_address: [7; 20],
                amount: 101,
            },
        ),
        (
            0,
            3,
            Effect::Withdraw {
                from: 2,
                l1_address: [8; 20],
                amount: 100,
            },
        ),
        (
            0,
            3,
            Effect::Withdraw {
                from: 1,
                l1_address: [7; 20],
                amount: 100,
            },
        ),
        (
            0,
            0,
            Effect::Deposit(Deposit {
                account: 5,
                pkhash: undecodable_pkhash(),
                amount: 300,
                owner: owner(5),
            }),
        ),
        (
            0,
            0,
            Effect::Deposit(Deposit {
                account: 5,
                pkhash: sk(5).public_key().pkhash(),
                amount: 300,
                owner: STRANGER,
            }),
        ),
        (
            1,
            2,
            Effect::FullExit {
                exit: FullExit {
                    account: 2,
                    requester: STRANGER,
                },
                amount: 1298,
            },
        ),
    ];
    for (leaf, slot, e) in cases {
        let mut w = leaves()[leaf].clone();
        let s = w.slots[slot].as_mut().unwrap();
        assert_ne!(s.effect, Some(e));
        s.effect = Some(e);
        assert!(!proves_claim(&w), "{e:?}");
    }
    // No effect for a withdrawal, or one for a transfer.
    let mut w = leaves()[0].clone();
    w.slots[3].as_mut().unwrap().effect = None;
    assert!(!proves_claim(&w));
    let mut w = leaves()[0].clone();
    let wd = w.slots[3].as_ref().unwrap().effect;
    w.slots[2].as_mut().unwrap().effect = wd;
    assert!(!proves_claim(&w));
}

/// Tampers the statement limbs `at..at + 4` of leaf `w` to `h` (and `count` to `n`).
fn chain_tamper_rejected(w: &LeafWitness, at: usize, h: HashOut<F>, count: (usize, u32)) -> bool {
    let pis = &circuit().data.prover_only.public_inputs;
    let mut changes: Vec<_> = (0..4).map(|i| (pis[at + i], h.elements[i])).collect();
    changes.push((pis[count.0], F::from_canonical_u32(count.1)));
    tamper_many_rejected(&circuit().data, circuit().witness(w).unwrap(), &changes)
}

#[test]
fn chains_advance_exactly_for_real_and_effect_slots() {
    // Leaf 2: full exit, deposit, deposit, no-op.
    let w = &leaves()[2];
    let end = w.end().unwrap();
    let records: Vec<Record> = w.slots[..3]
        .iter()
        .map(|s| s.as_ref().unwrap().record.unwrap())
        .collect();
    // dc not advanced for the last real slot (its count still advanced, or not).
    let two = records[..2].iter().fold(w.start.dc, data_step);
    for n in [end.records, end.records - 1] {
        assert!(chain_tamper_rejected(
            w,
            at::DATA_OUT,
            two,
            (at::RECORDS_OUT, n)
        ));
    }
    // dc advanced for the no-op (by the all-zero record the slot would absorb).
    let noop = Record {
        t: 0,
        a: 0,
        b: 0,
        c: 0,
        d: 0,
    };
    let extra = data_step(end.dc, &noop);
    assert!(chain_tamper_rejected(
        w,
        at::DATA_OUT,
        extra,
        (at::RECORDS_OUT, end.records + 1)
    ));
    // ec not advanced for the last effect slot; advanced for the no-op.
    let effects: Vec<Effect> = w.slots[..3]
        .iter()
        .map(|s| s.as_ref().unwrap().effect.unwrap())
        .collect();
    let two = effects[..2]
        .iter()
        .fold(w.start.ec, crate::da::effects_step);
    assert!(chain_tamper_rejected(
        w,
        at::EFFECTS_OUT,
        two,
        (at::EFFECT_COUNT_OUT, end.effects - 1)
    ));
    let again = crate::da::effects_step(end.ec, &effects[2]);
    assert!(chain_tamper_rejected(
        w,
        at::EFFECTS_OUT,
        again,
        (at::EFFECT_COUNT_OUT, end.effects + 1)
    ));
    // ec advanced for a transfer (leaf 0, slot 2: the chain after slot 1 absorbs the
    // withdrawal's effect only). The honest ec_out skips it; one that absorbed the transfer
    // as if it were an effect (any words) is not the honest value, so tamper the count.
    let l0 = &leaves()[0];
    let e0 = l0.end().unwrap();
    let [lo, _] = u64_limbs::<F>(u64::from(e0.effects + 1));
    let pis = &circuit().data.prover_only.public_inputs;
    assert!(tamper_rejected(
        &circuit().data,
        circuit().witness(l0).unwrap(),
        pis[at::EFFECT_COUNT_OUT],
        lo
    ));
    // The chains start where the statement says: another data_in / effects_in moves them.
    let mut moved = w.clone();
    moved.start.dc = HashOut::ZERO;
    moved.start.ec = HashOut::ZERO;
    let pw = circuit().witness(&moved).unwrap();
    let proof = circuit().data.prove(pw).unwrap();
    assert_ne!(
        proof.public_inputs[at::DATA_OUT..at::DATA_OUT + 4],
        w.statement().unwrap()[at::DATA_OUT..at::DATA_OUT + 4]
    );
    assert_eq!(proof.public_inputs[at::DATA_IN], F::ZERO);
    assert_eq!(proof.public_inputs[at::EFFECTS_IN], F::ZERO);
}

#[test]
fn effect_words_match_the_native_layout_on_wide_values() {
    // Every byte of the effects non-trivial: a large account index, a deposit amount using
    // all 7 bytes, a withdrawal amount and address using all their bytes, a full exit paying
    // a balance with a non-zero high limb. The leaf's statement (its `ec`) must equal the
    // native chain over these effects.
    let account = 0xfedc_ba98;
    let address: [u8; 20] = std::array::from_fn(|i| 0x81 + i as u8);
    let txs = vec![
        Tx::Deposit(Deposit {
            account,
            pkhash: sk(1).public_key().pkhash(),
            amount: 0x00aa_bbcc_ddee_ff01,
            owner: owner(1),
        }),
        Tx::Withdraw(Withdraw::signed(
            &sk(1),
            &DOMAIN,
            account,
            address,
            0x0001_0203_0405_0607,
            1_230_000,
            0,
        )),
        full_exit(account, owner(1)),
    ];
    let exec = apply(&mut state(), &HEADER, &txs).expect("valid batch");
    assert_eq!(
        exec.witnesses[2].exit_amount(),
        0x00aa_bbcc_ddee_ff01 - 0x0001_0203_0405_0607 - 1_230_000
    );
    let ls = leaf_witnesses(&exec, 4).unwrap();
    assert_eq!(ls.len(), 1);
    let proof = circuit().prove(&ls[0]).expect("honest leaf proves");
    assert_eq!(proof.public_inputs, ls[0].statement().unwrap().to_vec());
    let end = ls[0].end().unwrap();
    assert_eq!(end.ec, effects_commitment(&exec.data.effects));
    assert_eq!(end.dc, data_commitment(&exec.data.records));
}
