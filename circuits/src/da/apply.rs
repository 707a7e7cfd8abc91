//! Replays a committed batch's published data (blob records + L1 effects, `docs/formats.md`
//! §4) on a state: how `zkroll sync` rebuilds the rollup from L1 data alone.

use plonky2::hash::hash_types::HashOut;

use super::{unpack_amount, unpack_fee, BatchData, Effect};
use crate::encoding::{hash_to_bytes, to_hex};
use crate::error::{ReplayError, TxError};
use crate::execute::transition;
use crate::state::StateTree;
use crate::tx::TxType;
use crate::F;

/// Applies `data` to `state` and checks that the result has root `new_root` (the root the
/// batch committed on L1, after the batch-end operator credit).
///
/// Records are replayed in order with the semantics the leaf circuit proves (formats.md §3)
/// except signatures, which the data does not carry (the batch's proof verified them): a
/// Transfer/Withdraw debits its sender at its current nonce and increments it; a Deposit,
/// Withdraw or FullExit record takes the next effect, which must be of the same type and
/// account and supplies what the record lacks (a Deposit's key hash, amount and owner, a
/// Withdraw's address and amount, a FullExit's requester and the amount it paid, which must
/// be what the state pays). Every effect must be taken. The fees are summed (`< 2^64`) and
/// credited to `data.operator` after the last record (nothing when they sum to 0).
///
/// All-or-nothing: on any error `state` is unchanged. Returns the summed fees.
pub fn apply_batch_data(
    state: &mut StateTree,
    data: &BatchData,
    new_root: &HashOut<F>,
) -> Result<u64, ReplayError> {
    state.atomically(|state| {
        let mut effects = data.effects.iter().enumerate().peekable();
        let mut fees = 0u64;
        for (record, r) in data.records.iter().enumerate() {
            let tx_err = |error: TxError| ReplayError::Tx { record, error };
            let packed = |error| ReplayError::BadRecord { record, error };
            let mut take = |t: TxType| -> Result<&Effect, ReplayError> {
                let (effect, e) = effects
                    .next()
                    .ok_or(ReplayError::MissingEffect { record })?;
                if e.tx_type() != t || effect_account(e) != r.a {
                    return Err(ReplayError::EffectMismatch { record, effect });
                }
                Ok(e)
            };
            let fee = match r.t {
                1 => {
                    let Effect::Deposit(d) = take(TxType::Deposit)? else {
                        unreachable!("type checked by take")
                    };
                    transition::deposit(state, d).map_err(tx_err)?;
                    0
                }
                2 => {
                    let amount = unpack_amount(r.c).map_err(packed)?;
                    let fee = unpack_fee(r.d).map_err(packed)?;
                    let nonce = transition::current_nonce(state, r.a).map_err(tx_err)?;
                    transition::transfer(state, (r.a, r.b, amount, fee, nonce)).map_err(tx_err)?;
                    fee
                }
                3 => {
                    let fee = unpack_fee(r.d).map_err(packed)?;
                    let &Effect::Withdraw {
                        l1_address, amount, ..
                    } = take(TxType::Withdraw)?
                    else {
                        unreachable!("type checked by take")
                    };
                    if l1_address == [0; 20] {
                        return Err(tx_err(TxError::ZeroAddress));
                    }
                    let nonce = transition::current_nonce(state, r.a).map_err(tx_err)?;
                    transition::withdraw(state, (r.a, amount, fee, nonce)).map_err(tx_err)?;
                    fee
                }
                4 => {
                    let &Effect::FullExit { exit, amount } = take(TxType::FullExit)? else {
                        unreachable!("type checked by take")
                    };
                    let (_, paid) = transition::full_exit(state, &exit);
                    if paid != amount {
                        return Err(ReplayError::ExitAmount {
                            record,
                            expected: paid,
                            found: amount,
                        });
                    }
                    0
                }
                t => {
                    return Err(packed(super::DaError::BadRecord {
                        index: record,
                        why: format!("unknown type {t}"),
                    }))
                }
            };
            fees = fees
                .checked_add(fee)
                .ok_or(ReplayError::FeeOverflow { record })?;
        }
        if let Some((first, _)) = effects.next() {
            return Err(ReplayError::LeftoverEffects {
                first,
                count: data.effects.len() - first,
            });
        }
        transition::credit_operator(state, data.operator, fees)
            .map_err(ReplayError::OperatorCredit)?;
        if state.root() != *new_root {
            return Err(ReplayError::RootMismatch {
                expected: to_hex(&hash_to_bytes(new_root)),
                computed: to_hex(&hash_to_bytes(&state.root())),
            });
        }
        Ok(fees)
    })
}

/// The account an effect names (a Deposit's or FullExit's account, a Withdraw's sender).
fn effect_account(e: &Effect) -> u32 {
    match *e {
        Effect::Deposit(d) => d.account,
        Effect::Withdraw { from, .. } => from,
        Effect::FullExit { exit, .. } => exit.account,
    }
}
