//! L1 effects (`docs/formats.md` §4.3): one 64-byte block per Deposit, Withdraw and FullExit,
//! the only batch data Rollup.sol reads.

use super::DaError;
use crate::encoding::{hash_from_bytes, hash_to_bytes};
use crate::tx::{Deposit, FullExit, TxType};

/// Bytes of one effect (one SHA-256 block).
pub const EFFECT_BYTES: usize = 64;

/// One L1 effect, typed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    /// `[0]=1 ‖ account(4) ‖ pkhash(32) ‖ amount(7) ‖ owner(20)`.
    Deposit(Deposit),
    /// `[0]=3 ‖ from(4) ‖ l1_address(20) ‖ amount(8)`, zeros after.
    Withdraw {
        /// Sender.
        from: u32,
        /// L1 recipient (non-zero).
        l1_address: [u8; 20],
        /// Amount paid on L1 (gwei).
        amount: u64,
    },
    /// `[0]=4 ‖ account(4) ‖ requester(20) ‖ amount(8)`, zeros after.
    FullExit {
        /// The exit request.
        exit: FullExit,
        /// What it paid (0 for a no-op).
        amount: u64,
    },
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes(b[at..at + 4].try_into().expect("4 bytes"))
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_be_bytes(b[at..at + 8].try_into().expect("8 bytes"))
}

fn addr_at(b: &[u8], at: usize) -> [u8; 20] {
    b[at..at + 20].try_into().expect("20 bytes")
}

impl Effect {
    /// The type code (byte 0).
    pub fn tx_type(&self) -> TxType {
        match self {
            Effect::Deposit(_) => TxType::Deposit,
            Effect::Withdraw { .. } => TxType::Withdraw,
            Effect::FullExit { .. } => TxType::FullExit,
        }
    }

    /// The 64 bytes of formats.md §4.3. A Deposit amount is written as its low 7 bytes:
    /// execution rejects amounts `≥ 2^56` before any effect is built.
    pub fn encode(&self) -> [u8; EFFECT_BYTES] {
        let mut s = [0u8; EFFECT_BYTES];
        s[0] = self.tx_type() as u8;
        match *self {
            Effect::Deposit(d) => {
                s[1..5].copy_from_slice(&d.account.to_be_bytes());
                s[5..37].copy_from_slice(&hash_to_bytes(&d.pkhash));
                s[37..44].copy_from_slice(&d.amount.to_be_bytes()[1..]);
                s[44..64].copy_from_slice(&d.owner);
            }
            Effect::Withdraw {
                from,
                l1_address,
                amount,
            } => {
                s[1..5].copy_from_slice(&from.to_be_bytes());
                s[5..25].copy_from_slice(&l1_address);
                s[25..33].copy_from_slice(&amount.to_be_bytes());
            }
            Effect::FullExit { exit, amount } => {
                s[1..5].copy_from_slice(&exit.account.to_be_bytes());
                s[5..25].copy_from_slice(&exit.requester);
                s[25..33].copy_from_slice(&amount.to_be_bytes());
            }
        }
        s
    }

    /// The effect as 16 big-endian u32 words (what the effects chain absorbs).
    pub fn words(&self) -> [u32; 16] {
        let b = self.encode();
        std::array::from_fn(|i| u32_at(&b, 4 * i))
    }

    /// The L1 priority-queue op this effect consumes (formats.md §8): a Deposit's
    /// `0x01 ‖ effect[5..64]`, a FullExit's `0x04 ‖ effect[1..25]`; `None` for a Withdraw.
    pub fn priority_op(&self) -> Option<Vec<u8>> {
        let s = self.encode();
        match self {
            Effect::Deposit(_) => Some([&[1u8][..], &s[5..64]].concat()),
            Effect::FullExit { .. } => Some([&[4u8][..], &s[1..25]].concat()),
            Effect::Withdraw { .. } => None,
        }
    }

    /// Parses effect `index` of a list: a known type, canonical `pkhash` limbs, a non-zero
    /// Withdraw address, zero bytes where the layout has none.
    pub fn decode(b: &[u8; EFFECT_BYTES], index: usize) -> Result<Self, DaError> {
        let bad = |why: String| DaError::BadEffect { index, why };
        let (parsed, used) = match b[0] {
            1 => {
                let pkhash = hash_from_bytes(&b[5..37].try_into().expect("32 bytes"))
                    .map_err(|limb| bad(format!("pkhash limb {limb} is not canonical")))?;
                let mut amount = [0u8; 8];
                amount[1..].copy_from_slice(&b[37..44]);
                let d = Deposit {
                    account: u32_at(b, 1),
                    pkhash,
                    amount: u64::from_be_bytes(amount),
                    owner: addr_at(b, 44),
                };
                (Effect::Deposit(d), 64)
            }
            3 => {
                let l1_address = addr_at(b, 5);
                if l1_address == [0; 20] {
                    return Err(bad("withdrawal to the zero address".into()));
                }
                (
                    Effect::Withdraw {
                        from: u32_at(b, 1),
                        l1_address,
                        amount: u64_at(b, 25),
                    },
                    33,
                )
            }
            4 => (
                Effect::FullExit {
                    exit: FullExit {
                        account: u32_at(b, 1),
                        requester: addr_at(b, 5),
                    },
                    amount: u64_at(b, 25),
                },
                33,
            ),
            code => return Err(bad(format!("unknown type {code}"))),
        };
        if let Some(byte) = (used..EFFECT_BYTES).find(|&i| b[i] != 0) {
            return Err(bad(format!("byte {byte} must be zero")));
        }
        Ok(parsed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plonky2::field::types::Field;
    use plonky2::hash::hash_types::HashOut;

    fn deposit() -> Effect {
        Effect::Deposit(Deposit {
            account: 9,
            pkhash: HashOut {
                elements: [1, 2, 3, 4].map(crate::F::from_canonical_u64),
            },
            amount: (1 << 56) - 1,
            owner: [0xab; 20],
        })
    }

    #[test]
    fn round_trips_and_layout() {
        let w = Effect::Withdraw {
            from: 3,
            l1_address: [7; 20],
            amount: u64::MAX,
        };
        let x = Effect::FullExit {
            exit: FullExit {
                account: 5,
                requester: [9; 20],
            },
            amount: 0,
        };
        for e in [deposit(), w, x] {
            assert_eq!(Effect::decode(&e.encode(), 0), Ok(e));
        }
        let b = w.encode();
        assert_eq!(b[0], 3);
        assert_eq!(&b[25..33], &[0xff; 8]);
        assert_eq!(w.words()[0], 0x0300_0000);
        assert_eq!(deposit().priority_op().unwrap().len(), 60);
    }

    #[test]
    fn bad_effects_are_rejected() {
        let mut b = Effect::Withdraw {
            from: 3,
            l1_address: [7; 20],
            amount: 1,
        }
        .encode();
        b[40] = 1;
        assert!(matches!(
            Effect::decode(&b, 2),
            Err(DaError::BadEffect { index: 2, .. })
        ));
        let mut z = [0u8; 64];
        z[0] = 3;
        assert!(Effect::decode(&z, 0).is_err()); // zero address
        z[0] = 2;
        assert!(Effect::decode(&z, 0).is_err()); // a Transfer is not an effect
        let mut d = deposit().encode();
        d[5..13].copy_from_slice(&u64::MAX.to_be_bytes()); // pkhash limb ≥ p
        assert!(Effect::decode(&d, 0).is_err());
    }
}
