//! Native execution: validates and applies a batch to the state, producing the circuit's
//! witness (one [`TxWitness`] per tx), the pubdata and the public-input digest.
//! All-or-nothing: on any error the state is exactly as before.

pub(crate) mod transition;
mod witness;

use rayon::prelude::*;

use crate::batch::{Batch, Header};
use crate::digest::digest;
use crate::error::{ExecError, Role, TxError};
use crate::pubdata::slot;
use crate::state::StateTree;
use crate::tx::{message_hash, Transfer, Tx, Withdraw};
pub use witness::{Execution, TxCounts, TxWitness};

/// Executes `batch` from its own pre-state; returns the post-state and the execution.
pub fn execute(batch: &Batch) -> Result<(StateTree, Execution), ExecError> {
    let mut state = batch.load_state()?;
    let exec = apply(&mut state, &batch.header, &batch.txs)?;
    Ok((state, exec))
}

/// Applies `txs` to `state` under `header`, all-or-nothing.
///
/// Signatures are verified in parallel first (each signed tx carries its signer's key), then
/// the txs are applied in order; the first failing tx is reported.
pub fn apply(state: &mut StateTree, header: &Header, txs: &[Tx]) -> Result<Execution, ExecError> {
    let sig_ok: Vec<bool> = txs
        .par_iter()
        .map(
            |tx| match (tx.signer_key(), tx.signed_message(&header.domain)) {
                (Some(pk), Some((m, sig))) => pk.verify(&message_hash(&m), &sig),
                _ => true,
            },
        )
        .collect();
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

/// Checks the signer side of a Transfer/Withdraw: the sender exists, the tx's key hashes to
/// its `pkhash`, the signature (pre-verified as `sig_ok`) is valid.
fn check_signer(state: &StateTree, tx: &Tx, sig_ok: bool) -> Result<(), TxError> {
    let (Some(from), Some(pk)) = (tx.signer(), tx.signer_key()) else {
        return Err(TxError::BadSignature);
    };
    let sender = state.get(from).ok_or(TxError::UnknownAccount {
        role: Role::From,
        index: from,
    })?;
    if pk.pkhash() != sender.pkhash {
        return Err(TxError::PubkeyMismatch { account: from });
    }
    if !sig_ok {
        return Err(TxError::BadSignature);
    }
    Ok(())
}

fn apply_tx(
    state: &mut StateTree,
    header: &Header,
    tx: &Tx,
    sig_ok: bool,
) -> Result<TxWitness, TxError> {
    let op = header.operator;
    let mut exit_amount = 0;
    let updates = match *tx {
        Tx::Deposit(d) => vec![transition::deposit(state, &d)?],
        Tx::Transfer(Transfer {
            from,
            to,
            amount,
            fee,
            nonce,
            ..
        }) => {
            check_signer(state, tx, sig_ok)?;
            transition::transfer(state, (from, to, amount, fee, nonce), op)?
        }
        Tx::Withdraw(Withdraw {
            from,
            l1_address,
            amount,
            fee,
            nonce,
            ..
        }) => {
            if l1_address == [0; 20] {
                return Err(TxError::ZeroAddress);
            }
            check_signer(state, tx, sig_ok)?;
            transition::withdraw(state, (from, amount, fee, nonce), op)?
        }
        Tx::FullExit(e) => {
            let (update, paid) = transition::full_exit(state, &e);
            exit_amount = paid;
            vec![update]
        }
    };
    let message = tx.signed_message(&header.domain).map(|(m, _)| m);
    Ok(TxWitness {
        tx: *tx,
        updates,
        message,
        message_hash: message.as_ref().map(message_hash),
        signer: tx.signer_key(),
        exit_amount,
        pubdata: slot(tx, op, exit_amount),
    })
}
