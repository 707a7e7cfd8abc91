//! Native execution: validates and applies a batch to the state, producing the circuit's
//! witness (one [`TxWitness`] per tx), the pubdata and the public-input digest.
//! All-or-nothing: on any error the state is exactly as before.

mod witness;

use plonky2::hash::hash_types::HashOut;
use rayon::prelude::*;

use crate::batch::{Batch, Header};
use crate::digest::digest;
use crate::error::{ExecError, Role, TxError};
use crate::pubdata::slot;
use crate::schnorr::PublicKey;
use crate::state::{Account, StateTree};
use crate::tx::{message_hash, Deposit, Transfer, Tx, Withdraw};
use crate::F;
pub use witness::{Execution, TxCounts, TxWitness};

/// Executes `batch` from its own pre-state; returns the post-state and the execution.
pub fn execute(batch: &Batch) -> Result<(StateTree, Execution), ExecError> {
    let mut state = batch.load_state()?;
    let exec = apply(&mut state, &batch.header, &batch.txs)?;
    Ok((state, exec))
}

/// Applies `txs` to `state` under `header`, all-or-nothing.
///
/// Signatures are verified in parallel first (a signer's key never changes once its account
/// exists), then the txs are applied in order; the first failing tx is reported.
pub fn apply(state: &mut StateTree, header: &Header, txs: &[Tx]) -> Result<Execution, ExecError> {
    let sig_ok = preverify(state, header, txs);
    state.atomically(|state| {
        let old_root = state.root();
        let mut witnesses = Vec::with_capacity(txs.len());
        let mut pubdata = Vec::with_capacity(txs.len() * crate::pubdata::SLOT_BYTES);
        let mut counts = TxCounts::default();
        for (index, tx) in txs.iter().enumerate() {
            let w = apply_tx(state, header, tx, sig_ok[index])
                .map_err(|error| ExecError::Tx { index, error })?;
            pubdata.extend_from_slice(&w.pubdata);
            counts.add(tx);
            witnesses.push(w);
        }
        let new_root = state.root();
        let digest = digest(&header.domain, &old_root, &new_root, &pubdata);
        Ok(Execution {
            header: *header,
            old_root,
            new_root,
            witnesses,
            pubdata,
            digest,
            counts,
        })
    })
}

/// For each tx: `Some((signer key, valid))` when the signer's key is known at that point of
/// the batch, `None` otherwise (the tx then fails with an unknown account).
fn preverify(state: &StateTree, header: &Header, txs: &[Tx]) -> Vec<Option<(PublicKey, bool)>> {
    let mut created: std::collections::HashMap<u32, PublicKey> = Default::default();
    let keys: Vec<Option<PublicKey>> = txs
        .iter()
        .map(|tx| match tx {
            Tx::Deposit(d) => {
                if state.get(d.account).is_none() {
                    created.entry(d.account).or_insert(d.pubkey);
                }
                None
            }
            _ => tx.signer().and_then(|from| {
                state
                    .get(from)
                    .map(|a| a.pubkey)
                    .or_else(|| created.get(&from).copied())
            }),
        })
        .collect();
    txs.par_iter()
        .zip(keys.par_iter())
        .map(|(tx, key)| {
            let pk = (*key)?;
            let (m, sig) = tx.signed_message(&header.domain)?;
            Some((pk, pk.verify(&message_hash(&m), &sig)))
        })
        .collect()
}

fn credit(state: &StateTree, role: Role, index: u32, amount: u64) -> Result<Account, TxError> {
    let mut a = *state
        .get(index)
        .ok_or(TxError::UnknownAccount { role, index })?;
    a.balance = a
        .balance
        .checked_add(amount)
        .ok_or(TxError::BalanceOverflow {
            role,
            account: index,
        })?;
    Ok(a)
}

/// Checks the signer side of a Transfer/Withdraw and returns its debited account.
fn debit_signer(
    state: &StateTree,
    header: &Header,
    tx: &Tx,
    (from, amount, fee, nonce): (u32, u64, u64, u32),
    sig_ok: Option<(PublicKey, bool)>,
) -> Result<(Account, [F; 21], HashOut<F>), TxError> {
    let sender = *state.get(from).ok_or(TxError::UnknownAccount {
        role: Role::From,
        index: from,
    })?;
    let (message, sig) = tx
        .signed_message(&header.domain)
        .ok_or(TxError::BadSignature)?;
    let m = message_hash(&message);
    let valid = match sig_ok {
        Some((pk, ok)) if pk == sender.pubkey => ok,
        _ => sender.pubkey.verify(&m, &sig),
    };
    if !valid {
        return Err(TxError::BadSignature);
    }
    if nonce != sender.nonce {
        return Err(TxError::WrongNonce {
            expected: sender.nonce,
            got: nonce,
        });
    }
    let needed = amount
        .checked_add(fee)
        .ok_or(TxError::AmountFeeOverflow { amount, fee })?;
    let new_nonce = sender
        .nonce
        .checked_add(1)
        .ok_or(TxError::NonceOverflow { account: from })?;
    let balance = sender
        .balance
        .checked_sub(needed)
        .ok_or(TxError::Overdraft {
            account: from,
            balance: sender.balance,
            needed,
        })?;
    Ok((
        Account {
            pubkey: sender.pubkey,
            balance,
            nonce: new_nonce,
        },
        message,
        m,
    ))
}

fn require(state: &StateTree, role: Role, index: u32) -> Result<(), TxError> {
    state
        .get(index)
        .map(|_| ())
        .ok_or(TxError::UnknownAccount { role, index })
}

fn apply_tx(
    state: &mut StateTree,
    header: &Header,
    tx: &Tx,
    sig_ok: Option<(PublicKey, bool)>,
) -> Result<TxWitness, TxError> {
    let op = header.operator;
    let mut updates = Vec::with_capacity(3);
    let mut signed = None;
    match *tx {
        Tx::Deposit(Deposit {
            account,
            pubkey,
            amount,
        }) => {
            let acc = match state.get(account) {
                Some(a) if a.pubkey != pubkey => {
                    return Err(TxError::PubkeyMismatch { account });
                }
                Some(a) => *a,
                None => Account::new(pubkey),
            };
            let balance = acc
                .balance
                .checked_add(amount)
                .ok_or(TxError::BalanceOverflow {
                    role: Role::Account,
                    account,
                })?;
            updates.push(state.set(account, Account { balance, ..acc }));
        }
        Tx::Transfer(Transfer {
            from,
            to,
            amount,
            fee,
            nonce,
            ..
        }) => {
            let (sender, message, m) =
                debit_signer(state, header, tx, (from, amount, fee, nonce), sig_ok)?;
            require(state, Role::To, to)?;
            require(state, Role::Operator, op)?;
            updates.push(state.set(from, sender));
            let receiver = credit(state, Role::To, to, amount)?;
            updates.push(state.set(to, receiver));
            let operator = credit(state, Role::Operator, op, fee)?;
            updates.push(state.set(op, operator));
            signed = Some((message, m, sender.pubkey));
        }
        Tx::Withdraw(Withdraw {
            from,
            amount,
            fee,
            nonce,
            ..
        }) => {
            let (sender, message, m) =
                debit_signer(state, header, tx, (from, amount, fee, nonce), sig_ok)?;
            require(state, Role::Operator, op)?;
            updates.push(state.set(from, sender));
            let operator = credit(state, Role::Operator, op, fee)?;
            updates.push(state.set(op, operator));
            signed = Some((message, m, sender.pubkey));
        }
    }
    Ok(TxWitness {
        tx: *tx,
        updates,
        message: signed.map(|s| s.0),
        message_hash: signed.map(|s| s.1),
        signer: signed.map(|s| s.2),
        pubdata: slot(tx, op),
    })
}
