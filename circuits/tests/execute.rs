//! Execution: valid batches, every typed error with its tx index, and all-or-nothing.

use zkroll_circuits::batch::{Batch, Header, PreState};
use zkroll_circuits::blob::kzg::{open_blob, verify_opening};
use zkroll_circuits::da::{data_commitment, effects_hash, Record};
use zkroll_circuits::digest::DataBinding;
use zkroll_circuits::encoding::hash_to_bytes;
use zkroll_circuits::error::{ExecError, Role, TxError};
use zkroll_circuits::execute::{apply, execute};
use zkroll_circuits::schnorr::{PublicKey, SecretKey};
use zkroll_circuits::state::{Account, StateTree};
use zkroll_circuits::tx::{message_hash, Deposit, Domain, FullExit, Transfer, Tx, Withdraw};

const DOMAIN: Domain = Domain {
    chain_id: 31337,
    rollup: [0xaa; 20],
};
const HEADER: Header = Header {
    domain: DOMAIN,
    operator: 0,
};

fn sk(i: u8) -> SecretKey {
    SecretKey::from_seed(&[i; 32])
}
fn pk(i: u8) -> PublicKey {
    sk(i).public_key()
}

/// The L1 owner of key `i`'s accounts.
fn owner(i: u8) -> [u8; 20] {
    [0x10 + i; 20]
}

/// An account of key `i` (owned by `owner(i)`).
fn acct(i: u8, balance: u64, nonce: u32) -> Account {
    Account {
        pkhash: pk(i).pkhash(),
        balance,
        nonce,
        owner: owner(i),
    }
}

/// A deposit of `amount` to `account` for key `key` and `owner(key)`.
fn dep(account: u32, key: u8, amount: u64) -> Tx {
    Tx::Deposit(Deposit {
        account,
        pkhash: pk(key).pkhash(),
        amount,
        owner: owner(key),
    })
}

fn full_exit(account: u32, requester: [u8; 20]) -> Tx {
    Tx::FullExit(FullExit { account, requester })
}

/// Accounts 0 (operator), 1, 2 with keys 0, 1, 2 and balance 1000.
fn state() -> StateTree {
    StateTree::from_accounts((0..3u8).map(|i| (i as u32, acct(i, 1000, 0)))).unwrap()
}

fn transfer(from: u8, to: u32, amount: u64, fee: u64, nonce: u32) -> Tx {
    Tx::Transfer(Transfer::signed(
        &sk(from),
        &DOMAIN,
        from as u32,
        to,
        amount,
        fee,
        nonce,
    ))
}

fn withdraw(from: u8, amount: u64, fee: u64, nonce: u32) -> Tx {
    Tx::Withdraw(Withdraw::signed(
        &sk(from),
        &DOMAIN,
        from as u32,
        [7; 20],
        amount,
        fee,
        nonce,
    ))
}

/// Applies `txs`, expects the error of tx `index`, and checks the state did not change.
fn expect_err(mut s: StateTree, txs: &[Tx], index: usize, error: TxError) {
    let before = s.clone();
    match apply(&mut s, &HEADER, txs) {
        Err(ExecError::Tx { index: i, error: e }) => {
            assert_eq!((i, e), (index, error));
        }
        other => panic!("expected tx error, got {other:?}"),
    }
    assert_eq!(s.root(), before.root(), "state changed after an error");
    assert_eq!(s.len(), before.len());
    for (i, a) in before.accounts() {
        assert_eq!(s.get(i), Some(a));
    }
}

#[test]
fn valid_batch_updates_balances_witness_and_digest() {
    let mut s = state();
    let old = s.root();
    let txs = [
        dep(5, 5, 50),
        transfer(1, 2, 100, 3, 0),
        transfer(1, 5, 10, 0, 1),
        withdraw(2, 40, 2, 0),
        transfer(5, 5, 1, 1, 0), // self-transfer, fee to operator
        transfer(0, 0, 1, 1, 0), // operator pays itself
    ];
    let e = apply(&mut s, &HEADER, &txs).unwrap();
    assert_eq!(e.old_root, old);
    assert_eq!(e.new_root, s.root());
    assert_eq!(s.get(1).unwrap().balance, 1000 - 103 - 10);
    assert_eq!(s.get(1).unwrap().nonce, 2);
    assert_eq!(s.get(2).unwrap().balance, 1000 + 100 - 42);
    assert_eq!(s.get(5).unwrap().balance, 50 + 10 - 1);
    // The operator paid itself 1 + 1 and got the batch's 3 + 0 + 2 + 1 + 1 in fees.
    assert_eq!(s.get(0).unwrap().balance, 1000 - 2 + 1 + 7);
    assert_eq!(s.get(0).unwrap().nonce, 1);
    assert_eq!(e.fees, 7);
    assert_eq!(e.data.records.len(), 6);
    assert_eq!(e.data.effects.len(), 2);
    assert_eq!(e.data.operator, 0);
    assert_eq!(e.counts.deposits, 1);
    assert_eq!(e.counts.transfers, 4);
    assert_eq!(e.counts.withdrawals, 1);
    // Witness: updates chain root to root and each verifies.
    let mut root = old;
    for (w, tx) in e.witnesses.iter().zip(&txs) {
        assert_eq!(w.tx, *tx);
        for u in &w.updates {
            assert_eq!(u.old_root, root);
            assert!(u.verify());
            root = u.new_root;
        }
        if let Some(m) = w.message {
            assert_eq!(w.message_hash, Some(message_hash(&m)));
        }
    }
    assert_eq!(root, e.slots_root);
    // The fees are credited once, after the last tx.
    let credit = e.operator_credit.as_ref().unwrap();
    assert_eq!(credit.old_root, e.slots_root);
    assert_eq!(credit.new_root, e.new_root);
    assert!(credit.verify());
    assert_eq!(credit.new.unwrap().balance - credit.old.unwrap().balance, 7);
    assert_eq!(e.witnesses[0].updates.len(), 1);
    assert_eq!(e.witnesses[1].updates.len(), 2);
    assert_eq!(e.witnesses[3].updates.len(), 1);
    assert_eq!(e.witnesses[0].updates[0].old, None);
    // The blob carries the data and opens at the challenge bound to the records.
    let o = &e.blob;
    assert_eq!(
        o,
        &open_blob(&e.data.blob_data(), data_commitment(&e.data.records)).unwrap()
    );
    assert!(verify_opening(&o.commitment, &o.x, &o.y, &o.proof).unwrap());
    let binding = DataBinding {
        effects_hash: effects_hash(&e.data.effects),
        versioned_hash: o.versioned_hash,
        x: o.x,
        y: o.y,
    };
    let d = zkroll_circuits::digest::digest(&DOMAIN, &old, &e.new_root, &binding);
    assert_eq!(e.digest, d);
    assert_eq!(e.digest.value[0] & 0xe0, 0);
}

#[test]
fn no_fees_means_no_credit_and_no_operator_needed() {
    let mut s = state();
    let header = Header {
        domain: DOMAIN,
        operator: 42,
    };
    let e = apply(&mut s, &header, &[transfer(1, 2, 5, 0, 0), dep(7, 7, 3)]).unwrap();
    assert_eq!(e.fees, 0);
    assert_eq!(e.operator_credit, None);
    assert_eq!(e.new_root, e.slots_root);
    assert_eq!(s.get(42), None);
}

#[test]
fn records_and_effects_follow_the_layout() {
    let mut s = state();
    let txs = [
        Tx::Deposit(Deposit {
            account: 9,
            pkhash: pk(9).pkhash(),
            amount: 0x00aa_bbcc_ddee_ff01,
            owner: owner(9),
        }),
        transfer(1, 2, 500, 6, 0),
        withdraw(2, 7, 80, 0),
        full_exit(1, owner(1)),
        full_exit(2, owner(3)),
    ];
    let e = apply(&mut s, &HEADER, &txs).unwrap();
    assert_eq!(
        e.data.records,
        vec![
            Record::deposit(9),
            Record::transfer(1, 2, (5 << 5) | 2, 6 << 5),
            Record::withdraw(2, (8 << 5) | 1),
            Record::full_exit(1),
            Record::full_exit(2),
        ]
    );
    for (w, r) in e.witnesses.iter().zip(&e.data.records) {
        assert_eq!(w.record, Some(*r));
    }
    assert_eq!(e.witnesses[1].effect, None);
    let p = e.data.effects_bytes();
    assert_eq!(p.len(), 4 * 64);
    assert_eq!(p[0], 1);
    assert_eq!(&p[1..5], &9u32.to_be_bytes());
    assert_eq!(&p[5..37], &hash_to_bytes(&pk(9).pkhash()));
    assert_eq!(&p[37..44], &[0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x01]);
    assert_eq!(&p[44..64], &owner(9));
    let w = &p[64..128];
    assert_eq!(w[0], 3);
    assert_eq!(&w[1..5], &2u32.to_be_bytes());
    assert_eq!(&w[5..25], &[7; 20]);
    assert_eq!(&w[25..33], &7u64.to_be_bytes());
    assert!(w[33..].iter().all(|b| *b == 0));
    // Full exit by the owner pays 1000 − 500 − 6; by a stranger 0.
    let x = &p[128..192];
    assert_eq!(x[0], 4);
    assert_eq!(&x[1..5], &1u32.to_be_bytes());
    assert_eq!(&x[5..25], &owner(1));
    assert_eq!(&x[25..33], &494u64.to_be_bytes());
    assert!(x[33..].iter().all(|b| *b == 0));
    let x = &p[192..256];
    assert_eq!(x[0], 4);
    assert_eq!(&x[1..5], &2u32.to_be_bytes());
    assert_eq!(&x[5..25], &owner(3));
    assert!(x[25..].iter().all(|b| *b == 0));
    // Blob data: header (version, operator, 5 records), then two records per element.
    let b = e.data.blob_data();
    assert_eq!(b.len(), 31 * (1 + 3));
    assert_eq!(&b[..9], &[1, 0, 0, 0, 0, 0, 0, 0, 5]);
}

#[test]
fn unpackable_amounts_and_fees_are_rejected() {
    // 2^35 + 1 has no trailing zero and 36 bits; 2049 has 12.
    expect_err(
        state(),
        &[transfer(1, 2, (1 << 35) + 1, 0, 0)],
        0,
        TxError::AmountNotPackable {
            amount: (1 << 35) + 1,
        },
    );
    expect_err(
        state(),
        &[transfer(1, 2, 1, 0, 0), transfer(1, 2, 1, 2049, 1)],
        1,
        TxError::FeeNotPackable { fee: 2049 },
    );
    expect_err(
        state(),
        &[withdraw(1, 1, 2049, 0)],
        0,
        TxError::FeeNotPackable { fee: 2049 },
    );
    // A withdrawal's amount is not packed: any amount the balance covers leaves.
    let mut s = state();
    s.set(1, acct(1, 1 << 36, 0));
    apply(&mut s, &HEADER, &[withdraw(1, (1 << 35) + 1, 0, 0)]).unwrap();
    assert_eq!(s.get(1).unwrap().balance, (1 << 35) - 1);
}

/// Applies `txs` under `header`, expects `check` to accept the error, and checks the state
/// did not change.
fn expect_batch_err(
    mut s: StateTree,
    header: &Header,
    txs: &[Tx],
    check: impl Fn(&ExecError) -> bool,
) {
    let before = s.root();
    match apply(&mut s, header, txs) {
        Err(e) => assert!(check(&e), "{e:?}"),
        Ok(_) => panic!("expected an error"),
    }
    assert_eq!(s.root(), before, "state changed after an error");
}

#[test]
fn fee_sum_and_operator_credit_are_checked() {
    // Two fees of 10^19 (packable: 1·10^19) sum past 2^64.
    let mut s = state();
    s.set(1, acct(1, u64::MAX, 0));
    s.set(2, acct(2, u64::MAX, 0));
    let big = 10u64.pow(19);
    expect_batch_err(
        s,
        &HEADER,
        &[withdraw(1, 0, big, 0), withdraw(2, 0, big, 0)],
        |e| matches!(e, ExecError::FeeOverflow { index: 1 }),
    );
    // The credit overflows the operator's balance.
    let mut s = state();
    s.set(0, acct(0, u64::MAX, 0));
    expect_batch_err(s, &HEADER, &[withdraw(1, 1, 1, 0)], |e| {
        matches!(
            e,
            ExecError::OperatorCredit(TxError::BalanceOverflow {
                role: Role::Operator,
                account: 0
            })
        )
    });
    // Fees for an operator that does not exist.
    let header = Header {
        domain: DOMAIN,
        operator: 42,
    };
    expect_batch_err(state(), &header, &[withdraw(1, 1, 1, 0)], |e| {
        matches!(
            e,
            ExecError::OperatorCredit(TxError::UnknownAccount {
                role: Role::Operator,
                index: 42
            })
        )
    });
    // More than MAX_EFFECTS effects.
    let txs: Vec<Tx> = (0..17).map(|i| full_exit(i, owner(9))).collect();
    expect_batch_err(state(), &HEADER, &txs, |e| matches!(e, ExecError::Data(_)));
}

#[test]
fn bad_signature() {
    let ok = transfer(1, 2, 1, 0, 0);
    // Signed by the wrong key.
    let Tx::Transfer(mut t) = transfer(2, 2, 1, 0, 0) else {
        unreachable!()
    };
    t.from = 1;
    t.pubkey = pk(1);
    expect_err(state(), &[ok, Tx::Transfer(t)], 1, TxError::BadSignature);
    // Right key, tampered amount.
    let Tx::Transfer(mut t) = transfer(1, 2, 1, 0, 0) else {
        unreachable!()
    };
    t.amount = 2;
    expect_err(state(), &[Tx::Transfer(t)], 0, TxError::BadSignature);
    // Signed for another chain.
    let other = Domain {
        chain_id: 1,
        rollup: DOMAIN.rollup,
    };
    let t = Withdraw::signed(&sk(1), &other, 1, [7; 20], 1, 0, 0);
    expect_err(state(), &[Tx::Withdraw(t)], 0, TxError::BadSignature);
    // Signed for another rollup.
    let other = Domain {
        chain_id: DOMAIN.chain_id,
        rollup: [0xbb; 20],
    };
    let t = Transfer::signed(&sk(1), &other, 1, 2, 1, 0, 0);
    expect_err(state(), &[Tx::Transfer(t)], 0, TxError::BadSignature);
}

#[test]
fn wrong_and_replayed_nonce() {
    expect_err(
        state(),
        &[transfer(1, 2, 1, 0, 1)],
        0,
        TxError::WrongNonce {
            expected: 0,
            got: 1,
        },
    );
    let t = transfer(1, 2, 1, 0, 0);
    expect_err(
        state(),
        &[t, transfer(2, 1, 1, 0, 0), t],
        2,
        TxError::WrongNonce {
            expected: 1,
            got: 0,
        },
    );
}

#[test]
fn overdraft_and_overflows() {
    expect_err(
        state(),
        &[transfer(1, 2, 1000, 1, 0)],
        0,
        TxError::Overdraft {
            account: 1,
            balance: 1000,
            needed: 1001,
        },
    );
    expect_err(
        state(),
        &[withdraw(1, u64::MAX, 1, 0)],
        0,
        TxError::AmountFeeOverflow {
            amount: u64::MAX,
            fee: 1,
        },
    );
    // Receiver overflow: account 2 near u64::MAX.
    let mut s = state();
    s.set(2, acct(2, u64::MAX - 1, 0));
    expect_err(
        s.clone(),
        &[transfer(1, 2, 2, 0, 0)],
        0,
        TxError::BalanceOverflow {
            role: Role::To,
            account: 2,
        },
    );
    // Deposit overflow.
    expect_err(
        s.clone(),
        &[dep(2, 2, 2)],
        0,
        TxError::BalanceOverflow {
            role: Role::Account,
            account: 2,
        },
    );
    // Nonce overflow.
    let mut s = state();
    s.set(1, acct(1, 10, u32::MAX));
    expect_err(
        s,
        &[transfer(1, 2, 1, 0, u32::MAX)],
        0,
        TxError::NonceOverflow { account: 1 },
    );
}

#[test]
fn unknown_accounts() {
    expect_err(
        state(),
        &[transfer(9, 2, 1, 0, 0)],
        0,
        TxError::UnknownAccount {
            role: Role::From,
            index: 9,
        },
    );
    expect_err(
        state(),
        &[transfer(1, 2, 1, 0, 0), transfer(1, 77, 1, 0, 1)],
        1,
        TxError::UnknownAccount {
            role: Role::To,
            index: 77,
        },
    );
}

#[test]
fn deposit_creates_then_requires_same_pkhash_and_owner() {
    // Created account can then send (its key checked against the pkhash deposited in this
    // batch).
    let mut s = state();
    let e = apply(
        &mut s,
        &HEADER,
        &[dep(8, 8, 10), transfer(8, 1, 5, 1, 0), dep(8, 8, 1)],
    )
    .unwrap();
    assert_eq!(s.get(8), Some(&acct(8, 5, 1)));
    assert_eq!(e.witnesses[0].updates[0].old, None);
    expect_err(
        state(),
        &[dep(8, 8, 10), dep(8, 9, 10)],
        1,
        TxError::DepositMismatch {
            account: 8,
            field: "pkhash",
        },
    );
    // Same key, another owner.
    let other_owner = Tx::Deposit(Deposit {
        account: 1,
        pkhash: pk(1).pkhash(),
        amount: 10,
        owner: owner(2),
    });
    expect_err(
        state(),
        &[other_owner],
        0,
        TxError::DepositMismatch {
            account: 1,
            field: "owner",
        },
    );
}

#[test]
fn deposit_to_a_pkhash_of_no_key_creates_an_account_that_cannot_sign() {
    // Limbs that are the hash of no known key: the deposit still goes through, and a later
    // normal deposit (to it and to another account) too.
    let nokey = plonky2::hash::hash_types::HashOut {
        elements: [1u64, 2, 3, 4].map(plonky2::field::types::Field::from_canonical_u64),
    };
    let lost = Tx::Deposit(Deposit {
        account: 6,
        pkhash: nokey,
        amount: 7,
        owner: owner(6),
    });
    let mut s = state();
    apply(&mut s, &HEADER, &[lost, dep(7, 7, 3), lost]).unwrap();
    assert_eq!(s.get(6).unwrap().balance, 14);
    assert_eq!(s.get(7), Some(&acct(7, 3, 0)));
    // No key hashes to it: whoever signs for account 6 fails with PubkeyMismatch.
    expect_err(
        s.clone(),
        &[transfer(6, 1, 1, 0, 0)],
        0,
        TxError::PubkeyMismatch { account: 6 },
    );
    // Its owner can still force its exit.
    let mut s2 = s.clone();
    let e = apply(&mut s2, &HEADER, &[full_exit(6, owner(6))]).unwrap();
    assert_eq!(e.witnesses[0].exit_amount(), 14);
    assert_eq!(s2.get(6).unwrap().balance, 0);
}

#[test]
fn deposit_amount_must_be_below_2_pow_56() {
    let mut s = state();
    apply(&mut s, &HEADER, &[dep(5, 5, (1 << 56) - 1)]).unwrap();
    assert_eq!(s.get(5).unwrap().balance, (1 << 56) - 1);
    for amount in [1 << 56, u64::MAX] {
        expect_err(
            state(),
            &[dep(1, 1, 1), dep(5, 5, amount)],
            1,
            TxError::DepositTooLarge { amount },
        );
    }
}

#[test]
fn signer_key_must_hash_to_the_sender_pkhash() {
    // Account 1's transfer signed (validly) by key 2 and presented with key 2.
    let t = Transfer::signed(&sk(2), &DOMAIN, 1, 2, 1, 0, 0);
    expect_err(
        state(),
        &[Tx::Transfer(t)],
        0,
        TxError::PubkeyMismatch { account: 1 },
    );
    let w = Withdraw::signed(&sk(2), &DOMAIN, 1, [7; 20], 1, 0, 0);
    expect_err(
        state(),
        &[transfer(1, 2, 1, 0, 0), Tx::Withdraw(w)],
        1,
        TxError::PubkeyMismatch { account: 1 },
    );
}

#[test]
fn withdraw_to_the_zero_address_is_rejected() {
    let w = Withdraw::signed(&sk(1), &DOMAIN, 1, [0; 20], 1, 0, 0);
    expect_err(
        state(),
        &[transfer(1, 2, 1, 0, 0), Tx::Withdraw(w)],
        1,
        TxError::ZeroAddress,
    );
    let mut low = [0; 20];
    low[19] = 1;
    let w = Withdraw::signed(&sk(1), &DOMAIN, 1, low, 1, 0, 0);
    apply(&mut state(), &HEADER, &[Tx::Withdraw(w)]).unwrap();
}

#[test]
fn full_exit_pays_the_owner_and_is_a_no_op_otherwise() {
    let mut s = state();
    let before = s.clone();
    let e = apply(
        &mut s,
        &HEADER,
        &[
            full_exit(1, owner(2)), // stranger: no-op
            full_exit(9, owner(9)), // empty leaf: no-op
            transfer(1, 2, 10, 1, 0),
            full_exit(1, owner(1)), // owner: paid
            full_exit(1, owner(1)), // again: nothing left
        ],
    )
    .unwrap();
    let paid: Vec<u64> = e.witnesses.iter().map(|w| w.exit_amount()).collect();
    assert_eq!(paid, vec![0, 0, 0, 989, 0]);
    assert_eq!(e.counts.full_exits, 4);
    // No-ops change nothing (their update is a touch of the leaf, empty or not).
    for w in &e.witnesses[..2] {
        let u = &w.updates[0];
        assert_eq!((u.old, u.old_root), (u.new, u.new_root));
        assert!(u.verify());
    }
    assert_eq!(e.witnesses[0].updates[0].old_root, before.root());
    assert_eq!(e.witnesses[1].updates[0].old, None);
    // The owner's exit zeroes the balance and keeps the nonce.
    assert_eq!(s.get(1), Some(&acct(1, 0, 1)));
    assert_eq!(s.get(2), Some(&acct(2, 1010, 0)));
    assert!(s.get(9).is_none());
}

#[test]
fn all_or_nothing_after_many_valid_txs() {
    // Twelve valid txs (including account creation and a paid full exit of account 2) then
    // a failure: nothing remains.
    let mut txs: Vec<Tx> = (0..10).map(|n| transfer(1, 2, 1, 1, n)).collect();
    txs.insert(3, dep(1 << 30, 30, 1));
    txs.insert(5, full_exit(2, owner(2)));
    txs.push(transfer(2, 1, 5000, 0, 0));
    expect_err(
        state(),
        &txs,
        12,
        TxError::Overdraft {
            account: 2,
            balance: 6,
            needed: 5000,
        },
    );
}

#[test]
fn execute_twice_gives_the_same_digest() {
    let batch = Batch {
        header: HEADER,
        pre_state: PreState::Genesis(state().accounts().map(|(i, a)| (i, *a)).collect()),
        txs: vec![transfer(1, 2, 3, 4, 0), withdraw(2, 1, 1, 0)],
    };
    let (s1, e1) = execute(&batch).unwrap();
    let (s2, e2) = execute(&batch).unwrap();
    assert_eq!(e1, e2);
    assert_eq!(s1.root(), s2.root());
}
