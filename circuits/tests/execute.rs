//! Execution: valid batches, every typed error with its tx index, and all-or-nothing.

use zkroll_circuits::batch::{Batch, Header, PreState};
use zkroll_circuits::error::{ExecError, Role, TxError};
use zkroll_circuits::execute::{apply, execute};
use zkroll_circuits::schnorr::{PublicKey, SecretKey};
use zkroll_circuits::state::{Account, StateTree};
use zkroll_circuits::tx::{message_hash, Deposit, Domain, Transfer, Tx, Withdraw};

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

/// Accounts 0 (operator), 1, 2 with keys 0, 1, 2 and balance 1000.
fn state() -> StateTree {
    StateTree::from_accounts((0..3u8).map(|i| {
        (
            i as u32,
            Account {
                pubkey: pk(i),
                balance: 1000,
                nonce: 0,
            },
        )
    }))
    .unwrap()
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
        Tx::Deposit(Deposit {
            account: 5,
            pubkey: pk(5),
            amount: 50,
        }),
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
    assert_eq!(s.get(0).unwrap().balance, 1000 + 3 + 2 + 1);
    assert_eq!(s.get(0).unwrap().nonce, 1);
    assert_eq!(e.pubdata.len(), 6 * 64);
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
    assert_eq!(root, e.new_root);
    assert_eq!(e.witnesses[0].updates.len(), 1);
    assert_eq!(e.witnesses[1].updates.len(), 3);
    assert_eq!(e.witnesses[3].updates.len(), 2);
    assert_eq!(e.witnesses[0].updates[0].old, None);
    let d = zkroll_circuits::digest::digest(&DOMAIN, &old, &e.new_root, &e.pubdata);
    assert_eq!(e.digest, d);
    assert_eq!(e.digest.value[0] & 0xe0, 0);
}

#[test]
fn pubdata_slots_follow_the_layout() {
    let mut s = state();
    let txs = [
        Tx::Deposit(Deposit {
            account: 9,
            pubkey: pk(9),
            amount: 0x0102,
        }),
        transfer(1, 2, 5, 6, 0),
        withdraw(2, 7, 8, 0),
    ];
    let e = apply(&mut s, &HEADER, &txs).unwrap();
    let p = &e.pubdata;
    assert_eq!(p[0], 1);
    assert_eq!(&p[1..5], &9u32.to_be_bytes());
    assert_eq!(&p[5..45], &pk(9).to_bytes());
    assert_eq!(&p[45..53], &0x0102u64.to_be_bytes());
    assert!(p[53..64].iter().all(|b| *b == 0));
    let t = &p[64..128];
    assert_eq!(t[0], 2);
    assert_eq!(&t[1..5], &1u32.to_be_bytes());
    assert_eq!(&t[5..9], &2u32.to_be_bytes());
    assert_eq!(&t[9..17], &5u64.to_be_bytes());
    assert_eq!(&t[17..25], &6u64.to_be_bytes());
    assert_eq!(&t[25..29], &0u32.to_be_bytes());
    assert!(t[29..].iter().all(|b| *b == 0));
    let w = &p[128..192];
    assert_eq!(w[0], 3);
    assert_eq!(&w[1..5], &2u32.to_be_bytes());
    assert_eq!(&w[5..25], &[7; 20]);
    assert_eq!(&w[25..33], &7u64.to_be_bytes());
    assert_eq!(&w[33..41], &8u64.to_be_bytes());
    assert_eq!(&w[41..45], &0u32.to_be_bytes());
    assert!(w[45..].iter().all(|b| *b == 0));
}

#[test]
fn bad_signature() {
    let ok = transfer(1, 2, 1, 0, 0);
    // Signed by the wrong key.
    let Tx::Transfer(mut t) = transfer(2, 2, 1, 0, 0) else {
        unreachable!()
    };
    t.from = 1;
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
    s.set(
        2,
        Account {
            pubkey: pk(2),
            balance: u64::MAX - 1,
            nonce: 0,
        },
    );
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
        &[Tx::Deposit(Deposit {
            account: 2,
            pubkey: pk(2),
            amount: 2,
        })],
        0,
        TxError::BalanceOverflow {
            role: Role::Account,
            account: 2,
        },
    );
    // Operator overflow (fee).
    let mut s = state();
    s.set(
        0,
        Account {
            pubkey: pk(0),
            balance: u64::MAX,
            nonce: 0,
        },
    );
    expect_err(
        s,
        &[withdraw(1, 1, 1, 0)],
        0,
        TxError::BalanceOverflow {
            role: Role::Operator,
            account: 0,
        },
    );
    // Nonce overflow.
    let mut s = state();
    s.set(
        1,
        Account {
            pubkey: pk(1),
            balance: 10,
            nonce: u32::MAX,
        },
    );
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
    let mut s = state();
    let before = s.clone();
    let header = Header {
        domain: DOMAIN,
        operator: 42,
    };
    match apply(&mut s, &header, &[withdraw(1, 1, 1, 0)]) {
        Err(ExecError::Tx { index: 0, error }) => assert_eq!(
            error,
            TxError::UnknownAccount {
                role: Role::Operator,
                index: 42
            }
        ),
        other => panic!("{other:?}"),
    }
    assert_eq!(s.root(), before.root());
}

#[test]
fn deposit_creates_then_requires_same_key() {
    let dep = |account, key: u8, amount| {
        Tx::Deposit(Deposit {
            account,
            pubkey: pk(key),
            amount,
        })
    };
    // Created account can then send (its key verified even though it is new in this batch).
    let mut s = state();
    let e = apply(
        &mut s,
        &HEADER,
        &[dep(8, 8, 10), transfer(8, 1, 5, 1, 0), dep(8, 8, 1)],
    )
    .unwrap();
    assert_eq!(s.get(8).unwrap().balance, 5);
    assert_eq!(e.witnesses[0].updates[0].old, None);
    expect_err(
        state(),
        &[dep(8, 8, 10), dep(8, 9, 10)],
        1,
        TxError::PubkeyMismatch { account: 8 },
    );
    expect_err(
        state(),
        &[dep(1, 2, 10)],
        0,
        TxError::PubkeyMismatch { account: 1 },
    );
}

#[test]
fn all_or_nothing_after_many_valid_txs() {
    // Ten valid txs (including account creation) then a failure: nothing remains.
    let mut txs: Vec<Tx> = (0..10).map(|n| transfer(1, 2, 1, 1, n)).collect();
    txs.insert(
        3,
        Tx::Deposit(Deposit {
            account: 1 << 30,
            pubkey: pk(30),
            amount: 1,
        }),
    );
    txs.push(transfer(2, 1, 5000, 0, 0));
    expect_err(
        state(),
        &txs,
        11,
        TxError::Overdraft {
            account: 2,
            balance: 1010,
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
