//! `execute` (zkroll-circuits `apply`) on structured random batches: a small genesis made
//! of deposits, then arbitrary deposits, transfers, withdrawals and forced exits over a few
//! accounts, keys and owners, mostly well signed with the right nonce. Checked:
//!
//! - nothing panics;
//! - an error names a tx of the batch, and leaves the state exactly as it was;
//! - on success: total supply changes only by deposits, withdrawals and forced exits; no
//!   account disappears; nonces only grow, by one per signed tx of the account; the roots of
//!   the execution are the state's; there is one blob record per tx, the published data
//!   (blob data bytes and effects list) decodes back to the execution's, and replaying it
//!   (what `zkroll sync` does from L1 data) from the pre-state reaches the same root.
#![no_main]

use std::collections::BTreeMap;
use std::sync::LazyLock;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use zkroll::circuits::da::{apply_batch_data, BatchData};
use zkroll::{
    apply, Deposit, Domain, ExecError, FullExit, Header, PublicKey, SecretKey, StateTree, Transfer,
    Tx, Withdraw,
};
use zkroll_fuzz::seeds::DOMAIN;

/// Account indices the txs pick from (including both ends of the tree).
const INDICES: [u32; 6] = [0, 1, 2, 3, 1 << 20, u32::MAX];
/// L1 addresses (owners, recipients, requesters); the last one is the zero address.
const ADDRESSES: [[u8; 20]; 4] = [[0x11; 20], [0x22; 20], [0x33; 20], [0; 20]];

static KEYS: LazyLock<Vec<(SecretKey, PublicKey)>> = LazyLock::new(|| {
    (0u8..3)
        .map(|i| {
            let sk = SecretKey::from_seed(&[i + 1; 32]);
            let pk = sk.public_key();
            (sk, pk)
        })
        .collect()
});

#[derive(Arbitrary, Debug)]
struct GenesisDeposit {
    account: u8,
    key: u8,
    owner: u8,
    amount: u32,
}

#[derive(Arbitrary, Debug)]
enum FuzzTx {
    Deposit {
        account: u8,
        key: u8,
        owner: u8,
        amount: u64,
    },
    Transfer {
        from: u8,
        to: u8,
        amount: u64,
        fee: u16,
        key: u8,
        nonce_delta: i8,
        sign: Signing,
    },
    Withdraw {
        from: u8,
        to: u8,
        amount: u64,
        fee: u16,
        key: u8,
        nonce_delta: i8,
        sign: Signing,
    },
    FullExit {
        account: u8,
        requester: u8,
    },
}

/// How a signed tx is signed.
#[derive(Arbitrary, Debug, Clone, Copy)]
enum Signing {
    /// By its key, on its own message.
    Good,
    /// By its key, on another domain's message (a replay from another rollup).
    OtherDomain,
    /// By another key (the tx still carries its own public key).
    OtherKey,
}

#[derive(Arbitrary, Debug)]
struct Input {
    operator: u8,
    genesis: Vec<GenesisDeposit>,
    txs: Vec<FuzzTx>,
}

fn index(i: u8) -> u32 {
    INDICES[i as usize % INDICES.len()]
}

fn address(i: u8) -> [u8; 20] {
    ADDRESSES[i as usize % ADDRESSES.len()]
}

fn key(i: u8) -> &'static (SecretKey, PublicKey) {
    &KEYS[i as usize % KEYS.len()]
}

fn other_domain() -> Domain {
    Domain {
        chain_id: DOMAIN.chain_id + 1,
        ..DOMAIN
    }
}

/// Builds the txs, tracking nonces along the way so that most signed txs use the sender's
/// next nonce (`nonce_delta` 0).
fn build(txs: &[FuzzTx], state: &StateTree) -> Vec<Tx> {
    let mut nonces: BTreeMap<u32, u32> = state.accounts().map(|(i, a)| (i, a.nonce)).collect();
    let mut next_nonce = |from: u32, delta: i8| -> u32 {
        let n = nonces.entry(from).or_insert(0);
        let used = n.wrapping_add_signed(delta as i32);
        if delta == 0 {
            *n = n.wrapping_add(1);
        }
        used
    };
    txs.iter()
        .map(|t| match *t {
            FuzzTx::Deposit {
                account,
                key: k,
                owner,
                amount,
            } => Tx::Deposit(Deposit {
                account: index(account),
                pkhash: key(k).1.pkhash(),
                amount,
                owner: address(owner),
            }),
            FuzzTx::Transfer {
                from,
                to,
                amount,
                fee,
                key: k,
                nonce_delta,
                sign,
            } => {
                let from = index(from);
                let nonce = next_nonce(from, nonce_delta);
                let (signer, domain) = signer(k, sign);
                let mut tx =
                    Transfer::signed(signer, &domain, from, index(to), amount, fee as u64, nonce);
                tx.pubkey = key(k).1;
                Tx::Transfer(tx)
            }
            FuzzTx::Withdraw {
                from,
                to,
                amount,
                fee,
                key: k,
                nonce_delta,
                sign,
            } => {
                let from = index(from);
                let nonce = next_nonce(from, nonce_delta);
                let (signer, domain) = signer(k, sign);
                let mut tx = Withdraw::signed(
                    signer,
                    &domain,
                    from,
                    address(to),
                    amount,
                    fee as u64,
                    nonce,
                );
                tx.pubkey = key(k).1;
                Tx::Withdraw(tx)
            }
            FuzzTx::FullExit { account, requester } => Tx::FullExit(FullExit {
                account: index(account),
                requester: address(requester),
            }),
        })
        .collect()
}

fn signer(k: u8, sign: Signing) -> (&'static SecretKey, Domain) {
    match sign {
        Signing::Good => (&key(k).0, DOMAIN),
        Signing::OtherDomain => (&key(k).0, other_domain()),
        Signing::OtherKey => (&key(k.wrapping_add(1)).0, DOMAIN),
    }
}

fn supply(state: &StateTree) -> u128 {
    state.accounts().map(|(_, a)| a.balance as u128).sum()
}

fuzz_target!(init: { let _ = &*KEYS; }, |data: &[u8]| {
    let Ok(input) = arbitrary::Unstructured::new(data).arbitrary::<Input>() else {
        return;
    };
    if input.genesis.len() > 6 || input.txs.len() > 24 {
        return;
    }
    let header = Header {
        domain: DOMAIN,
        operator: index(input.operator),
    };

    // Genesis: valid deposits always apply (a deposit to an existing account with another
    // key or owner is skipped here, as the operator would pick another slot).
    let mut state = StateTree::new();
    for g in &input.genesis {
        let d = Deposit {
            account: index(g.account),
            pkhash: key(g.key).1.pkhash(),
            amount: g.amount as u64,
            owner: address(g.owner),
        };
        if let Some(a) = state.get(d.account) {
            if a.pkhash != d.pkhash || a.owner != d.owner {
                continue;
            }
        }
        apply(&mut state, &header, &[Tx::Deposit(d)]).expect("a valid genesis deposit applies");
    }

    let txs = build(&input.txs, &state);
    let before = state.clone();
    let before_accounts: BTreeMap<_, _> = before.accounts().map(|(i, a)| (i, *a)).collect();
    match apply(&mut state, &header, &txs) {
        Err(
            e @ (ExecError::Tx { .. }
            | ExecError::FeeOverflow { .. }
            | ExecError::OperatorCredit(_)
            | ExecError::Data(_)),
        ) => {
            if let ExecError::Tx { index, .. } | ExecError::FeeOverflow { index } = e {
                assert!(index < txs.len(), "error names tx {index} of {}: {e}", txs.len());
            }
            assert_eq!(state.root(), before.root(), "a failed batch changed the root");
            let after: BTreeMap<_, _> = state.accounts().map(|(i, a)| (i, *a)).collect();
            assert_eq!(after, before_accounts, "a failed batch changed the accounts");
        }
        Err(e) => panic!("apply failed with an unexpected error: {e}"),
        Ok(exec) => {
            assert_eq!(exec.old_root, before.root());
            assert_eq!(exec.new_root, state.root());
            assert_eq!(state.root(), state.recompute_root(), "cached root");

            // Supply: + deposits − withdrawals − forced exits; fees stay on L2.
            let mut expected = supply(&before) as i128;
            let mut signed: BTreeMap<u32, u32> = BTreeMap::new();
            for (tx, w) in txs.iter().zip(&exec.witnesses) {
                match tx {
                    Tx::Deposit(d) => expected += d.amount as i128,
                    Tx::Withdraw(wd) => {
                        expected -= wd.amount as i128;
                        *signed.entry(wd.from).or_default() += 1;
                    }
                    Tx::Transfer(t) => *signed.entry(t.from).or_default() += 1,
                    Tx::FullExit(_) => expected -= w.exit_amount() as i128,
                }
            }
            assert_eq!(supply(&state) as i128, expected, "total supply");

            // Nonces only grow, by one per signed tx; no account disappears.
            for (i, a) in &before_accounts {
                let now = state.get(*i).expect("an account disappeared");
                let n = signed.get(i).copied().unwrap_or(0);
                assert_eq!(now.nonce, a.nonce + n, "nonce of account {i}");
            }
            for (i, a) in state.accounts() {
                if !before_accounts.contains_key(&i) {
                    assert_eq!(a.nonce, signed.get(&i).copied().unwrap_or(0));
                }
            }

            // Published data: one record per tx, it decodes back, and it replays to the root.
            assert_eq!(exec.data.records.len(), txs.len());
            let published =
                BatchData::from_published(&exec.data.blob_data(), &exec.data.effects_bytes())
                    .expect("the published data of an executed batch decodes");
            assert_eq!(published, exec.data);
            let mut replay = before.clone();
            let fees = apply_batch_data(&mut replay, &published, &exec.new_root)
                .expect("the published data of an executed batch replays to its root");
            assert_eq!(fees, exec.fees);
        }
    }
});
