//! Replay of a batch's published data (`apply_batch_data`, the state rebuild of `zkroll
//! sync`): the blob and effects list as L1 carries them decode to what execution produced,
//! the replayed state equals the executed one, and every tampering is a typed error that
//! leaves the state unchanged.

use plonky2::field::types::Field;
use plonky2::hash::hash_types::HashOut;
use zkroll_circuits::batch::Header;
use zkroll_circuits::blob::encoding::{blob_to_data, data_to_blob};
use zkroll_circuits::da::{apply_batch_data, pack_amount, BatchData, Effect, Record};
use zkroll_circuits::error::{ReplayError, Role, TxError};
use zkroll_circuits::execute::{apply, Execution};
use zkroll_circuits::schnorr::SecretKey;
use zkroll_circuits::state::{Account, StateTree};
use zkroll_circuits::tx::{Deposit, Domain, FullExit, Transfer, Tx, Withdraw};
use zkroll_circuits::F;

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

fn owner(i: u8) -> [u8; 20] {
    [0x10 + i; 20]
}

fn deposit(account: u32, key: u8, amount: u64) -> Tx {
    Tx::Deposit(Deposit {
        account,
        pkhash: sk(key).public_key().pkhash(),
        amount,
        owner: owner(key),
    })
}

/// The empty genesis (as on L1), then one batch of every type: deposits create 0 (the
/// operator), 1 and 2, a deposit to a pkhash of no key creates 3, transfers, a withdrawal,
/// a paid full exit and two no-op ones.
fn batch() -> (StateTree, Execution) {
    let mut state = StateTree::new();
    let txs = vec![
        deposit(0, 0, 1),
        deposit(1, 1, 1000),
        deposit(2, 2, 500),
        Tx::Deposit(Deposit {
            account: 3,
            pkhash: HashOut {
                elements: [9u64, 8, 7, 6].map(F::from_canonical_u64),
            },
            amount: 40,
            owner: owner(3),
        }),
        Tx::Transfer(Transfer::signed(&sk(1), &DOMAIN, 1, 2, 100, 3, 0)),
        Tx::Withdraw(Withdraw::signed(&sk(2), &DOMAIN, 2, [7; 20], 50, 2, 0)),
        Tx::FullExit(FullExit {
            account: 3,
            requester: owner(3),
        }),
        Tx::FullExit(FullExit {
            account: 1,
            requester: owner(2),
        }),
        Tx::FullExit(FullExit {
            account: 77,
            requester: owner(2),
        }),
        Tx::Transfer(Transfer::signed(&sk(1), &DOMAIN, 1, 0, 1, 0, 1)),
        Tx::Transfer(Transfer::signed(&sk(2), &DOMAIN, 2, 1, 200, 10, 1)),
    ];
    let exec = apply(&mut state, &HEADER, &txs).unwrap();
    (state, exec)
}

/// The batch data as a syncing node reads it: the blob's bytes decoded, the effects list.
fn published(exec: &Execution) -> BatchData {
    let blob = data_to_blob(&exec.data.blob_data()).unwrap();
    let data = blob_to_data(&blob[..]).unwrap();
    BatchData::from_published(&data, &exec.data.effects_bytes()).unwrap()
}

#[test]
fn replaying_published_data_rebuilds_the_executed_state() {
    let (after, exec) = batch();
    let data = published(&exec);
    assert_eq!(data, exec.data);
    assert_eq!(data.records.len(), exec.witnesses.len());
    assert_eq!(data.effects.len(), 8);
    let mut s = StateTree::new();
    let fees = apply_batch_data(&mut s, &data, &exec.new_root).unwrap();
    assert_eq!(fees, 3 + 2 + 10);
    assert_eq!(fees, exec.fees);
    assert_eq!(s.root(), after.root());
    assert_eq!(s.len(), after.len());
    for (i, a) in after.accounts() {
        assert_eq!(s.get(i), Some(a));
    }
    // The operator got the fees once, at the end (it started with 1 and received 1 as a
    // transfer's amount).
    assert_eq!(s.get(0).unwrap().balance, 1 + 1 + 15);
    assert_eq!(
        data.effects[5],
        Effect::FullExit {
            exit: FullExit {
                account: 3,
                requester: owner(3)
            },
            amount: 40
        }
    );
    assert_eq!(
        data.records[10],
        Record::transfer(2, 1, pack_amount(200).unwrap(), (1 << 5) | 1)
    );
    // An empty batch keeps the root.
    let root = s.root();
    let empty = BatchData::new(0, vec![], vec![]).unwrap();
    assert_eq!(apply_batch_data(&mut s, &empty, &root), Ok(0));
}

/// Applies tampered data to the empty genesis; expects `error` and an unchanged state.
fn rejected(data: &BatchData, new_root: &HashOut<F>, error: ReplayError) {
    let mut s = StateTree::new();
    s.set(
        40,
        Account {
            pkhash: HashOut::ZERO,
            balance: 1,
            nonce: 0,
            owner: [1; 20],
        },
    );
    let before = s.clone();
    assert_eq!(apply_batch_data(&mut s, data, new_root), Err(error));
    assert_eq!(s.root(), before.root());
    assert_eq!(s.len(), 1);
    assert_eq!(s.get(40), before.get(40));
}

#[test]
fn tampered_blob_data_is_rejected_and_changes_nothing() {
    let (_, exec) = batch();
    let root = exec.new_root;
    let with_record = |i: usize, r: Record| {
        let mut d = exec.data.clone();
        d.records[i] = r;
        d
    };
    let transfer = exec.data.records[4];
    // Another transfer amount: valid on its own, but not the committed root.
    let mut s = StateTree::new();
    let t = with_record(
        4,
        Record {
            c: pack_amount(99).unwrap(),
            ..transfer
        },
    );
    assert!(matches!(
        apply_batch_data(&mut s, &t, &root),
        Err(ReplayError::RootMismatch { .. })
    ));
    assert_eq!(s.root(), StateTree::new().root());
    // A non-canonical packed amount (10·10^0).
    let t = with_record(
        4,
        Record {
            c: 10 << 5,
            ..transfer
        },
    );
    assert!(matches!(
        apply_batch_data(&mut StateTree::new(), &t, &root),
        Err(ReplayError::BadRecord { record: 4, .. })
    ));
    // Transfer to an unknown account; an overdraft.
    rejected(
        &with_record(4, Record { b: 9, ..transfer }),
        &root,
        ReplayError::Tx {
            record: 4,
            error: TxError::UnknownAccount {
                role: Role::To,
                index: 9,
            },
        },
    );
    rejected(
        &with_record(
            4,
            Record {
                c: pack_amount(2000).unwrap(),
                ..transfer
            },
        ),
        &root,
        ReplayError::Tx {
            record: 4,
            error: TxError::Overdraft {
                account: 1,
                balance: 1000,
                needed: 2003,
            },
        },
    );
    // A record whose effect is of another type, a record turned into a deposit of another
    // account, a missing record (its effect left over) and one record too many.
    rejected(
        &with_record(5, Record::full_exit(2)),
        &root,
        ReplayError::EffectMismatch {
            record: 5,
            effect: 4,
        },
    );
    rejected(
        &with_record(1, Record::deposit(7)),
        &root,
        ReplayError::EffectMismatch {
            record: 1,
            effect: 1,
        },
    );
    let mut short = exec.data.clone();
    short.records.truncate(8);
    rejected(
        &short,
        &root,
        ReplayError::LeftoverEffects { first: 7, count: 1 },
    );
    let mut long = exec.data.clone();
    long.records.push(Record::full_exit(1));
    rejected(&long, &root, ReplayError::MissingEffect { record: 11 });
    // The operator header: fees credited to an unknown account.
    let mut op = exec.data.clone();
    op.operator = 33;
    rejected(
        &op,
        &root,
        ReplayError::OperatorCredit(TxError::UnknownAccount {
            role: Role::Operator,
            index: 33,
        }),
    );
    // Bytes: a blob record of unknown type fails to decode.
    let mut bytes = exec.data.blob_data();
    bytes[31] = 0xe0; // record 0's top 3 bits: type 7
    assert!(BatchData::from_published(&bytes, &exec.data.effects_bytes()).is_err());
}

#[test]
fn tampered_effects_are_rejected_and_change_nothing() {
    let (_, exec) = batch();
    let root = exec.new_root;
    let with_effect = |i: usize, e: Effect| {
        let mut d = exec.data.clone();
        d.effects[i] = e;
        d
    };
    // A full exit paying less than the balance, or a no-op paying something.
    let Effect::FullExit { exit, .. } = exec.data.effects[5] else {
        unreachable!()
    };
    rejected(
        &with_effect(5, Effect::FullExit { exit, amount: 39 }),
        &root,
        ReplayError::ExitAmount {
            record: 6,
            expected: 40,
            found: 39,
        },
    );
    let Effect::FullExit { exit, .. } = exec.data.effects[6] else {
        unreachable!()
    };
    rejected(
        &with_effect(6, Effect::FullExit { exit, amount: 1 }),
        &root,
        ReplayError::ExitAmount {
            record: 7,
            expected: 0,
            found: 1,
        },
    );
    // A withdrawal to the zero address; a withdrawal of more than the balance.
    rejected(
        &with_effect(
            4,
            Effect::Withdraw {
                from: 2,
                l1_address: [0; 20],
                amount: 50,
            },
        ),
        &root,
        ReplayError::Tx {
            record: 5,
            error: TxError::ZeroAddress,
        },
    );
    rejected(
        &with_effect(
            4,
            Effect::Withdraw {
                from: 2,
                l1_address: [7; 20],
                amount: 5000,
            },
        ),
        &root,
        ReplayError::Tx {
            record: 5,
            error: TxError::Overdraft {
                account: 2,
                balance: 600,
                needed: 5002,
            },
        },
    );
    // A deposit to another owner than the account's (effect 1 re-targeted at account 0).
    let Effect::Deposit(mut d) = exec.data.effects[1] else {
        unreachable!()
    };
    d.account = 0;
    let mut twice = exec.data.clone();
    twice.effects[1] = Effect::Deposit(d);
    twice.records[1] = Record::deposit(0);
    rejected(
        &twice,
        &root,
        ReplayError::Tx {
            record: 1,
            error: TxError::DepositMismatch {
                account: 0,
                field: "pkhash",
            },
        },
    );
    // Effects swapped out of order.
    let mut swapped = exec.data.clone();
    swapped.effects.swap(5, 6);
    rejected(
        &swapped,
        &root,
        ReplayError::EffectMismatch {
            record: 6,
            effect: 5,
        },
    );
    // Bytes: a non-canonical pkhash limb in a deposit effect fails to decode.
    let mut fx = exec.data.effects_bytes();
    fx[5..13].fill(0xff);
    assert!(BatchData::from_published(&exec.data.blob_data(), &fx).is_err());
}
