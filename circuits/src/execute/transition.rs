//! The state transitions of `docs/formats.md` §3 without signatures: shared by execution
//! (which checks keys and signatures first) and by [`crate::da::apply_batch_data`] (which
//! replays committed blob data and effects). Each returns its leaf updates in the circuit's lane order.
//! A function that fails may have written part of its updates: callers run inside
//! [`StateTree::atomically`], which undoes them.

use crate::error::{Role, TxError};
use crate::state::{Account, MerkleUpdate, StateTree};
use crate::tx::{Deposit, FullExit, DEPOSIT_LIMIT};

/// `(from, to, amount, fee, nonce)` of a Transfer.
pub(crate) type TransferArgs = (u32, u32, u64, u64, u32);
/// `(from, amount, fee, nonce)` of a Withdraw.
pub(crate) type WithdrawArgs = (u32, u64, u64, u32);

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

fn require(state: &StateTree, role: Role, index: u32) -> Result<(), TxError> {
    state
        .get(index)
        .map(|_| ())
        .ok_or(TxError::UnknownAccount { role, index })
}

/// The sender's current nonce (the sender must exist).
pub(crate) fn current_nonce(state: &StateTree, from: u32) -> Result<u32, TxError> {
    state
        .get(from)
        .map(|a| a.nonce)
        .ok_or(TxError::UnknownAccount {
            role: Role::From,
            index: from,
        })
}

/// The sender after paying `amount + fee` at `nonce` (checked, not written).
fn debited(
    state: &StateTree,
    from: u32,
    amount: u64,
    fee: u64,
    nonce: u32,
) -> Result<Account, TxError> {
    let sender = *state.get(from).ok_or(TxError::UnknownAccount {
        role: Role::From,
        index: from,
    })?;
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
    Ok(Account {
        balance,
        nonce: new_nonce,
        ..sender
    })
}

/// Deposit: create `{pkhash, 0, 0, owner}` if the leaf is empty, else require the same
/// `pkhash` and `owner`; then credit. One update.
pub(crate) fn deposit(state: &mut StateTree, d: &Deposit) -> Result<MerkleUpdate, TxError> {
    if d.amount >= DEPOSIT_LIMIT {
        return Err(TxError::DepositTooLarge { amount: d.amount });
    }
    let account = d.account;
    let acc = match state.get(account) {
        Some(a) if a.pkhash != d.pkhash => {
            return Err(TxError::DepositMismatch {
                account,
                field: "pkhash",
            })
        }
        Some(a) if a.owner != d.owner => {
            return Err(TxError::DepositMismatch {
                account,
                field: "owner",
            })
        }
        Some(a) => *a,
        None => Account::new(d.pkhash, d.owner),
    };
    let balance = acc
        .balance
        .checked_add(d.amount)
        .ok_or(TxError::BalanceOverflow {
            role: Role::Account,
            account,
        })?;
    Ok(state.set(account, Account { balance, ..acc }))
}

/// Transfer: debit sender (nonce + 1), credit receiver. Two updates. (The fee is summed by
/// the caller and credited to the operator once per batch, [`credit_operator`].)
pub(crate) fn transfer(
    state: &mut StateTree,
    (from, to, amount, fee, nonce): TransferArgs,
) -> Result<Vec<MerkleUpdate>, TxError> {
    let sender = debited(state, from, amount, fee, nonce)?;
    require(state, Role::To, to)?;
    let mut updates = Vec::with_capacity(2);
    updates.push(state.set(from, sender));
    let receiver = credit(state, Role::To, to, amount)?;
    updates.push(state.set(to, receiver));
    Ok(updates)
}

/// Withdraw: debit sender (nonce + 1). One update. (The zero-address check is the
/// caller's: it needs no state; the fee is the caller's as for a Transfer.)
pub(crate) fn withdraw(
    state: &mut StateTree,
    (from, amount, fee, nonce): WithdrawArgs,
) -> Result<MerkleUpdate, TxError> {
    let sender = debited(state, from, amount, fee, nonce)?;
    Ok(state.set(from, sender))
}

/// The batch-end credit of the summed `fees` to `operator` (`docs/formats.md` §4.3): one
/// update, or `None` when `fees = 0` (then the operator need not exist). The operator must
/// exist and its balance stay `< 2^64`.
pub(crate) fn credit_operator(
    state: &mut StateTree,
    operator: u32,
    fees: u64,
) -> Result<Option<MerkleUpdate>, TxError> {
    if fees == 0 {
        return Ok(None);
    }
    let op = credit(state, Role::Operator, operator, fees)?;
    Ok(Some(state.set(operator, op)))
}

/// FullExit: if the account exists and `requester` is its owner, its balance is paid out
/// (balance := 0, nonce unchanged); otherwise nothing changes and 0 is paid. Never fails.
/// One update (a touch when nothing changes); returns it and the amount paid.
pub(crate) fn full_exit(state: &mut StateTree, e: &FullExit) -> (MerkleUpdate, u64) {
    match state.get(e.account).copied() {
        Some(a) if a.owner == e.requester => {
            let update = state.set(e.account, Account { balance: 0, ..a });
            (update, a.balance)
        }
        _ => (state.touch(e.account), 0),
    }
}
