//! Native execution: validates and applies a batch to the state, producing the circuit's
//! witness (one [`TxWitness`] per tx), the batch's published data (blob records and L1
//! effects, `docs/formats.md` §4), the batch-end operator credit, the blob opening and the
//! public-input digest (§5). All-or-nothing: on any error the state is exactly as before.

pub(crate) mod transition;
mod witness;

use rayon::prelude::*;

use crate::batch::{Batch, Header};
use crate::blob::kzg::open_blob;
use crate::da::{data_commitment, effects_hash, pack_amount, pack_fee, BatchData, Effect, Record};
use crate::digest::{digest, DataBinding};
use crate::error::{ExecError, Role, TxError};
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
        let mut records = Vec::with_capacity(txs.len());
        let mut effects = Vec::new();
        let mut counts = TxCounts::default();
        let mut fees = 0u64;
        for (index, tx) in txs.iter().enumerate() {
            let w = apply_tx(state, header, tx, sig_ok[index])
                .map_err(|error| ExecError::Tx { index, error })?;
            fees = fees
                .checked_add(tx.fee())
                .ok_or(ExecError::FeeOverflow { index })?;
            records.extend(w.record);
            effects.extend(w.effect);
            counts.add(tx);
            witnesses.push(w);
        }
        let data = BatchData::new(header.operator, records, effects)?;
        let slots_root = state.root();
        let operator_credit = transition::credit_operator(state, header.operator, fees)
            .map_err(ExecError::OperatorCredit)?;
        let new_root = state.root();
        let blob = open_blob(&data.blob_data(), data_commitment(&data.records))?;
        let binding = DataBinding {
            effects_hash: effects_hash(&data.effects),
            versioned_hash: blob.versioned_hash,
            x: blob.x,
            y: blob.y,
        };
        let digest = digest(&header.domain, &old_root, &new_root, &binding);
        Ok(Execution {
            header: *header,
            old_root,
            slots_root,
            new_root,
            witnesses,
            data,
            fees,
            operator_credit,
            blob,
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
    let mut effect = None;
    let (updates, record) = match *tx {
        Tx::Deposit(d) => {
            let update = transition::deposit(state, &d)?;
            effect = Some(Effect::Deposit(d));
            (vec![update], Record::deposit(d.account))
        }
        Tx::Transfer(Transfer {
            from,
            to,
            amount,
            fee,
            nonce,
            ..
        }) => {
            let packed_amount =
                pack_amount(amount).map_err(|_| TxError::AmountNotPackable { amount })?;
            let packed_fee = pack_fee(fee).map_err(|_| TxError::FeeNotPackable { fee })?;
            check_signer(state, tx, sig_ok)?;
            let updates = transition::transfer(state, (from, to, amount, fee, nonce))?;
            (
                updates,
                Record::transfer(from, to, packed_amount, packed_fee),
            )
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
            let packed_fee = pack_fee(fee).map_err(|_| TxError::FeeNotPackable { fee })?;
            check_signer(state, tx, sig_ok)?;
            let update = transition::withdraw(state, (from, amount, fee, nonce))?;
            effect = Some(Effect::Withdraw {
                from,
                l1_address,
                amount,
            });
            (vec![update], Record::withdraw(from, packed_fee))
        }
        Tx::FullExit(e) => {
            let (update, paid) = transition::full_exit(state, &e);
            effect = Some(Effect::FullExit {
                exit: e,
                amount: paid,
            });
            (vec![update], Record::full_exit(e.account))
        }
    };
    let message = tx.signed_message(&header.domain).map(|(m, _)| m);
    Ok(TxWitness {
        tx: *tx,
        updates,
        message,
        message_hash: message.as_ref().map(message_hash),
        signer: tx.signer_key(),
        record: Some(record),
        effect,
    })
}
