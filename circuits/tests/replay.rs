//! Pubdata parsing and replay (`apply_pubdata`, the state rebuild of `zkroll sync`): every
//! type round-trips, the replayed state equals the executed one, and every tampering is a
//! typed error that leaves the state unchanged.

use plonky2::field::types::Field;
use plonky2::hash::hash_types::HashOut;
use zkroll_circuits::batch::Header;
use zkroll_circuits::encoding::hash_to_bytes;
use zkroll_circuits::error::{PubdataError, Role, TxError};
use zkroll_circuits::execute::{apply, Execution};
use zkroll_circuits::pubdata::{apply_pubdata, parse_pubdata, Slot, SLOT_BYTES};
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
    ];
    let exec = apply(&mut state, &HEADER, &txs).unwrap();
    (state, exec)
}

#[test]
fn replaying_pubdata_rebuilds_the_executed_state() {
    let (after, exec) = batch();
    let mut s = StateTree::new();
    let slots = apply_pubdata(&mut s, &exec.pubdata, &exec.new_root).unwrap();
    assert_eq!(s.root(), after.root());
    assert_eq!(s.len(), after.len());
    for (i, a) in after.accounts() {
        assert_eq!(s.get(i), Some(a));
    }
    assert_eq!(slots.len(), exec.witnesses.len());
    for (slot, w) in slots.iter().zip(&exec.witnesses) {
        assert_eq!(slot.encode(), w.pubdata);
    }
    assert_eq!(
        slots[6],
        Slot::FullExit {
            exit: FullExit {
                account: 3,
                requester: owner(3)
            },
            amount: 40
        }
    );
    // An empty pubdata keeps the root.
    let root = s.root();
    assert_eq!(apply_pubdata(&mut s, &[], &root), Ok(vec![]));
}

#[test]
fn slots_round_trip() {
    let (_, exec) = batch();
    let slots = parse_pubdata(&exec.pubdata).unwrap();
    for (i, s) in slots.iter().enumerate() {
        assert_eq!(Slot::decode(&s.encode(), i), Ok(*s));
    }
    // Priority ops (formats.md §8): deposits and full exits only.
    let op = slots[1].priority_op().unwrap();
    assert_eq!(op.len(), 60);
    assert_eq!(op[0], 1);
    assert_eq!(&op[1..33], &hash_to_bytes(&sk(1).public_key().pkhash()));
    assert_eq!(&op[33..40], &1000u64.to_be_bytes()[1..]);
    assert_eq!(&op[40..60], &owner(1));
    let op = slots[7].priority_op().unwrap();
    assert_eq!(op.len(), 25);
    assert_eq!(op[0], 4);
    assert_eq!(&op[1..5], &1u32.to_be_bytes());
    assert_eq!(&op[5..25], &owner(2));
    assert_eq!(
        (slots[4].priority_op(), slots[5].priority_op()),
        (None, None)
    );
    assert_eq!(
        slots[4],
        Slot::Transfer {
            from: 1,
            to: 2,
            amount: 100,
            fee: 3,
            operator: 0
        }
    );
}

/// Applies tampered pubdata to a state holding one unrelated account; expects `error` and
/// an unchanged state.
fn rejected(pubdata: &[u8], new_root: &HashOut<F>, error: PubdataError) {
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
    assert_eq!(apply_pubdata(&mut s, pubdata, new_root), Err(error));
    assert_eq!(s.root(), before.root());
    assert_eq!(s.len(), 1);
    assert_eq!(s.get(40), before.get(40));
}

#[test]
fn tampered_pubdata_is_rejected_and_changes_nothing() {
    let (_, exec) = batch();
    let p = &exec.pubdata;
    let root = exec.new_root;
    let tamper = |slot: usize, byte: usize, value: u8| {
        let mut t = p.clone();
        t[slot * SLOT_BYTES + byte] = value;
        t
    };
    // Another transfer amount: valid on its own, but not the committed root.
    let t = tamper(4, 16, 99);
    let mut s = StateTree::new();
    assert!(matches!(
        apply_pubdata(&mut s, &t, &root),
        Err(PubdataError::RootMismatch { .. })
    ));
    assert_eq!(s.root(), StateTree::new().root());
    // A full exit paying less than the balance, or a no-op paying something.
    rejected(
        &tamper(6, 32, 39),
        &root,
        PubdataError::ExitAmount {
            slot: 6,
            expected: 40,
            found: 39,
        },
    );
    rejected(
        &tamper(7, 32, 1),
        &root,
        PubdataError::ExitAmount {
            slot: 7,
            expected: 0,
            found: 1,
        },
    );
    // Structure: unknown type, padding, length, non-canonical pkhash.
    rejected(
        &tamper(4, 0, 5),
        &root,
        PubdataError::UnknownType { slot: 4, code: 5 },
    );
    rejected(
        &tamper(5, 63, 1),
        &root,
        PubdataError::NonZeroPadding { slot: 5, byte: 63 },
    );
    rejected(
        &p[..p.len() - 1],
        &root,
        PubdataError::Length { len: p.len() - 1 },
    );
    let mut nc = p.clone();
    nc[3 * SLOT_BYTES + 5..3 * SLOT_BYTES + 13].fill(0xff);
    rejected(&nc, &root, PubdataError::NonCanonical { slot: 3, limb: 0 });
    // Transitions the circuit would not prove: a withdrawal to the zero address, an
    // overdraft, a transfer to an unknown account, a deposit to another owner.
    let mut zero = p.clone();
    zero[5 * SLOT_BYTES + 5..5 * SLOT_BYTES + 25].fill(0);
    rejected(
        &zero,
        &root,
        PubdataError::Tx {
            slot: 5,
            error: TxError::ZeroAddress,
        },
    );
    rejected(
        &tamper(4, 9, 0xff),
        &root,
        PubdataError::Tx {
            slot: 4,
            error: TxError::Overdraft {
                account: 1,
                balance: 1000,
                needed: 0xff00_0000_0000_0064 + 3,
            },
        },
    );
    rejected(
        &tamper(4, 8, 9),
        &root,
        PubdataError::Tx {
            slot: 4,
            error: TxError::UnknownAccount {
                role: Role::To,
                index: 9,
            },
        },
    );
    let mut other_owner = p[..SLOT_BYTES].to_vec();
    other_owner.extend_from_slice(&p[..SLOT_BYTES]);
    other_owner[SLOT_BYTES + 63] ^= 1;
    rejected(
        &other_owner,
        &root,
        PubdataError::Tx {
            slot: 1,
            error: TxError::DepositMismatch {
                account: 0,
                field: "owner",
            },
        },
    );
}
