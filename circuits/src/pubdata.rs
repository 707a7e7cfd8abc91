//! Pubdata slots (`docs/formats.md` §4): one 64-byte SHA-256 block per non-no-op tx.

use crate::tx::{Tx, TxType};

/// Size of one pubdata slot (one SHA-256 block).
pub const SLOT_BYTES: usize = 64;

/// The pubdata slot of `tx` in a batch whose fee recipient is `operator`. Bytes not listed
/// in the format are zero.
pub fn slot(tx: &Tx, operator: u32) -> [u8; SLOT_BYTES] {
    let mut s = [0u8; SLOT_BYTES];
    match tx {
        Tx::Deposit(d) => {
            s[0] = TxType::Deposit as u8;
            s[1..5].copy_from_slice(&d.account.to_be_bytes());
            s[5..45].copy_from_slice(&d.pubkey.to_bytes());
            s[45..53].copy_from_slice(&d.amount.to_be_bytes());
        }
        Tx::Transfer(t) => {
            s[0] = TxType::Transfer as u8;
            s[1..5].copy_from_slice(&t.from.to_be_bytes());
            s[5..9].copy_from_slice(&t.to.to_be_bytes());
            s[9..17].copy_from_slice(&t.amount.to_be_bytes());
            s[17..25].copy_from_slice(&t.fee.to_be_bytes());
            s[25..29].copy_from_slice(&operator.to_be_bytes());
        }
        Tx::Withdraw(w) => {
            s[0] = TxType::Withdraw as u8;
            s[1..5].copy_from_slice(&w.from.to_be_bytes());
            s[5..25].copy_from_slice(&w.l1_address);
            s[25..33].copy_from_slice(&w.amount.to_be_bytes());
            s[33..41].copy_from_slice(&w.fee.to_be_bytes());
            s[41..45].copy_from_slice(&operator.to_be_bytes());
        }
    }
    s
}
