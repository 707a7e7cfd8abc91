//! Pubdata slots (`docs/formats.md` §4): one 64-byte SHA-256 block per non-no-op tx, their
//! typed form ([`Slot`]), and [`apply_pubdata`], which rebuilds a state from a batch's
//! pubdata alone (as `zkroll sync` does from L1 calldata).

use plonky2::hash::hash_types::HashOut;

use crate::encoding::{hash_from_bytes, hash_to_bytes, to_hex};
use crate::error::{PubdataError, TxError};
use crate::execute::transition;
use crate::state::StateTree;
use crate::tx::{Deposit, FullExit, Tx, TxType};
use crate::F;

/// Size of one pubdata slot (one SHA-256 block).
pub const SLOT_BYTES: usize = 64;

/// One pubdata slot, typed. Field meanings are those of [`crate::tx`]; `operator` is the fee
/// recipient the slot credits, `amount` of a FullExit what it paid (0 for a no-op).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot {
    /// `[0]=1 ‖ account(4) ‖ pkhash(32) ‖ amount(7) ‖ owner(20)`.
    Deposit(Deposit),
    /// `[0]=2 ‖ from(4) ‖ to(4) ‖ amount(8) ‖ fee(8) ‖ operator(4)`, zeros after.
    Transfer {
        /// Sender.
        from: u32,
        /// Receiver.
        to: u32,
        /// Amount moved.
        amount: u64,
        /// Fee.
        fee: u64,
        /// Fee recipient.
        operator: u32,
    },
    /// `[0]=3 ‖ from(4) ‖ l1_address(20) ‖ amount(8) ‖ fee(8) ‖ operator(4)`, zeros after.
    Withdraw {
        /// Sender.
        from: u32,
        /// L1 recipient.
        l1_address: [u8; 20],
        /// Amount withdrawn.
        amount: u64,
        /// Fee.
        fee: u64,
        /// Fee recipient.
        operator: u32,
    },
    /// `[0]=4 ‖ account(4) ‖ requester(20) ‖ amount(8)`, zeros after.
    FullExit {
        /// The exit request.
        exit: FullExit,
        /// Amount paid to the requester (0 for a no-op).
        amount: u64,
    },
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    let mut x = [0u8; 8];
    x.copy_from_slice(&b[at..at + 8]);
    u64::from_be_bytes(x)
}

fn addr_at(b: &[u8], at: usize) -> [u8; 20] {
    let mut a = [0u8; 20];
    a.copy_from_slice(&b[at..at + 20]);
    a
}

impl Slot {
    /// The slot of `tx` in a batch whose fee recipient is `operator`; `exit_amount` is what
    /// a FullExit paid (ignored for other types).
    pub fn of(tx: &Tx, operator: u32, exit_amount: u64) -> Self {
        match *tx {
            Tx::Deposit(d) => Slot::Deposit(d),
            Tx::Transfer(t) => Slot::Transfer {
                from: t.from,
                to: t.to,
                amount: t.amount,
                fee: t.fee,
                operator,
            },
            Tx::Withdraw(w) => Slot::Withdraw {
                from: w.from,
                l1_address: w.l1_address,
                amount: w.amount,
                fee: w.fee,
                operator,
            },
            Tx::FullExit(exit) => Slot::FullExit {
                exit,
                amount: exit_amount,
            },
        }
    }

    /// The type code of the slot (byte 0).
    pub fn tx_type(&self) -> TxType {
        match self {
            Slot::Deposit(_) => TxType::Deposit,
            Slot::Transfer { .. } => TxType::Transfer,
            Slot::Withdraw { .. } => TxType::Withdraw,
            Slot::FullExit { .. } => TxType::FullExit,
        }
    }

    /// The 64 bytes of `docs/formats.md` §4. A Deposit amount is written as its low 7 bytes:
    /// execution rejects amounts `≥ 2^56` before any slot is built.
    pub fn encode(&self) -> [u8; SLOT_BYTES] {
        let mut s = [0u8; SLOT_BYTES];
        s[0] = self.tx_type() as u8;
        match *self {
            Slot::Deposit(d) => {
                s[1..5].copy_from_slice(&d.account.to_be_bytes());
                s[5..37].copy_from_slice(&hash_to_bytes(&d.pkhash));
                s[37..44].copy_from_slice(&d.amount.to_be_bytes()[1..]);
                s[44..64].copy_from_slice(&d.owner);
            }
            Slot::Transfer {
                from,
                to,
                amount,
                fee,
                operator,
            } => {
                s[1..5].copy_from_slice(&from.to_be_bytes());
                s[5..9].copy_from_slice(&to.to_be_bytes());
                s[9..17].copy_from_slice(&amount.to_be_bytes());
                s[17..25].copy_from_slice(&fee.to_be_bytes());
                s[25..29].copy_from_slice(&operator.to_be_bytes());
            }
            Slot::Withdraw {
                from,
                l1_address,
                amount,
                fee,
                operator,
            } => {
                s[1..5].copy_from_slice(&from.to_be_bytes());
                s[5..25].copy_from_slice(&l1_address);
                s[25..33].copy_from_slice(&amount.to_be_bytes());
                s[33..41].copy_from_slice(&fee.to_be_bytes());
                s[41..45].copy_from_slice(&operator.to_be_bytes());
            }
            Slot::FullExit { exit, amount } => {
                s[1..5].copy_from_slice(&exit.account.to_be_bytes());
                s[5..25].copy_from_slice(&exit.requester);
                s[25..33].copy_from_slice(&amount.to_be_bytes());
            }
        }
        s
    }

    /// The L1 priority-queue op this slot consumes (`docs/formats.md` §8): a Deposit's
    /// `0x01 ‖ slot[5..64]` (`pkhash ‖ amount(7) ‖ owner`, 60 bytes), a FullExit's
    /// `0x04 ‖ slot[1..25]` (`account ‖ requester`, 25 bytes); `None` for signed types.
    pub fn priority_op(&self) -> Option<Vec<u8>> {
        let s = self.encode();
        match self {
            Slot::Deposit(_) => Some([&[1u8][..], &s[5..64]].concat()),
            Slot::FullExit { .. } => Some([&[4u8][..], &s[1..25]].concat()),
            Slot::Transfer { .. } | Slot::Withdraw { .. } => None,
        }
    }

    /// Parses slot number `slot` of a pubdata: known type byte, canonical `pkhash` limbs,
    /// zero bytes where the layout has none.
    pub fn decode(b: &[u8; SLOT_BYTES], slot: usize) -> Result<Self, PubdataError> {
        let (parsed, used) = match b[0] {
            1 => {
                let mut h = [0u8; 32];
                h.copy_from_slice(&b[5..37]);
                let pkhash = hash_from_bytes(&h)
                    .map_err(|limb| PubdataError::NonCanonical { slot, limb })?;
                let mut amount = [0u8; 8];
                amount[1..].copy_from_slice(&b[37..44]);
                let d = Deposit {
                    account: u32_at(b, 1),
                    pkhash,
                    amount: u64::from_be_bytes(amount),
                    owner: addr_at(b, 44),
                };
                (Slot::Deposit(d), 64)
            }
            2 => (
                Slot::Transfer {
                    from: u32_at(b, 1),
                    to: u32_at(b, 5),
                    amount: u64_at(b, 9),
                    fee: u64_at(b, 17),
                    operator: u32_at(b, 25),
                },
                29,
            ),
            3 => (
                Slot::Withdraw {
                    from: u32_at(b, 1),
                    l1_address: addr_at(b, 5),
                    amount: u64_at(b, 25),
                    fee: u64_at(b, 33),
                    operator: u32_at(b, 41),
                },
                45,
            ),
            4 => (
                Slot::FullExit {
                    exit: FullExit {
                        account: u32_at(b, 1),
                        requester: addr_at(b, 5),
                    },
                    amount: u64_at(b, 25),
                },
                33,
            ),
            code => return Err(PubdataError::UnknownType { slot, code }),
        };
        if let Some(byte) = (used..SLOT_BYTES).find(|&i| b[i] != 0) {
            return Err(PubdataError::NonZeroPadding { slot, byte });
        }
        Ok(parsed)
    }
}

/// The pubdata slot of `tx` (see [`Slot::of`]).
pub fn slot(tx: &Tx, operator: u32, exit_amount: u64) -> [u8; SLOT_BYTES] {
    Slot::of(tx, operator, exit_amount).encode()
}

/// Splits a batch's pubdata into typed slots.
pub fn parse_pubdata(pubdata: &[u8]) -> Result<Vec<Slot>, PubdataError> {
    if !pubdata.len().is_multiple_of(SLOT_BYTES) {
        return Err(PubdataError::Length { len: pubdata.len() });
    }
    pubdata
        .chunks_exact(SLOT_BYTES)
        .enumerate()
        .map(|(i, c)| {
            let mut b = [0u8; SLOT_BYTES];
            b.copy_from_slice(c);
            Slot::decode(&b, i)
        })
        .collect()
}

/// Applies typed slots to `state`, all-or-nothing, with the semantics the leaf circuit
/// proves (`docs/formats.md` §3) except signatures, which pubdata does not carry (a
/// committed batch's proof verified them): a Transfer/Withdraw debits its sender at its
/// current nonce and increments it; a FullExit's amount must be what the state pays.
pub fn apply_slots(state: &mut StateTree, slots: &[Slot]) -> Result<(), PubdataError> {
    state.atomically(|state| {
        for (slot, s) in slots.iter().enumerate() {
            let tx_err = |error: TxError| PubdataError::Tx { slot, error };
            match *s {
                Slot::Deposit(d) => {
                    transition::deposit(state, &d).map_err(tx_err)?;
                }
                Slot::Transfer {
                    from,
                    to,
                    amount,
                    fee,
                    operator,
                } => {
                    let nonce = transition::current_nonce(state, from).map_err(tx_err)?;
                    transition::transfer(state, (from, to, amount, fee, nonce), operator)
                        .map_err(tx_err)?;
                }
                Slot::Withdraw {
                    from,
                    l1_address,
                    amount,
                    fee,
                    operator,
                } => {
                    if l1_address == [0; 20] {
                        return Err(tx_err(TxError::ZeroAddress));
                    }
                    let nonce = transition::current_nonce(state, from).map_err(tx_err)?;
                    transition::withdraw(state, (from, amount, fee, nonce), operator)
                        .map_err(tx_err)?;
                }
                Slot::FullExit { exit, amount } => {
                    let (_, paid) = transition::full_exit(state, &exit);
                    if paid != amount {
                        return Err(PubdataError::ExitAmount {
                            slot,
                            expected: paid,
                            found: amount,
                        });
                    }
                }
            }
        }
        Ok(())
    })
}

/// Rebuilds the state after a committed batch: parses `pubdata` ([`parse_pubdata`]),
/// applies it ([`apply_slots`]) and checks that the result has root `new_root` (the root the
/// batch committed on L1). All-or-nothing: on any error `state` is unchanged. Returns the
/// slots (e.g. to report deposits and exits).
pub fn apply_pubdata(
    state: &mut StateTree,
    pubdata: &[u8],
    new_root: &HashOut<F>,
) -> Result<Vec<Slot>, PubdataError> {
    let slots = parse_pubdata(pubdata)?;
    state.atomically(|state| {
        apply_slots(state, &slots)?;
        if state.root() != *new_root {
            return Err(PubdataError::RootMismatch {
                expected: to_hex(&hash_to_bytes(new_root)),
                computed: to_hex(&hash_to_bytes(&state.root())),
            });
        }
        Ok(slots)
    })
}
