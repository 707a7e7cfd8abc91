//! Transactions and their signed message (`docs/formats.md` §3).

use plonky2::field::types::Field;
use plonky2::hash::hash_types::HashOut;
use plonky2::hash::poseidon::PoseidonHash;
use plonky2::plonk::config::Hasher;

use crate::encoding::{address_limbs, u64_limbs};
use crate::schnorr::{PublicKey, SecretKey, Signature};
use crate::F;

/// `TAG = "zkrl"`, the first limb of every signed message.
pub const MESSAGE_TAG: u32 = 0x7a6b_726c;
/// Number of limbs of the signed message `M`.
pub const MESSAGE_LIMBS: usize = 21;

/// Transaction type codes (`docs/formats.md` §3), as they appear in `M`, blob records and L1 effects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum TxType {
    /// Padding slot of a leaf circuit; no record, no effect.
    Noop = 0,
    /// L1 priority deposit.
    Deposit = 1,
    /// Signed L2 transfer.
    Transfer = 2,
    /// Signed withdrawal to an L1 address.
    Withdraw = 3,
    /// L1 priority forced exit (`requestFullExit`).
    FullExit = 4,
}

/// The chain and rollup a signature is bound to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Domain {
    /// EIP-155 chain id.
    pub chain_id: u64,
    /// Address of the Rollup contract on L1.
    pub rollup: [u8; 20],
}

/// Largest deposit amount (exclusive): deposits travel as 7 bytes (`docs/formats.md` §4).
pub const DEPOSIT_LIMIT: u64 = 1 << 56;

/// Credit `amount` to `account`, creating it with `(pkhash, owner)` if its leaf is empty.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Deposit {
    /// Target account index (chosen by the operator).
    pub account: u32,
    /// Hash of the account's signing key: must equal the existing account's, or creates the
    /// account. It need not be the hash of a valid key (the account then can never sign).
    pub pkhash: HashOut<F>,
    /// Amount credited, `< DEPOSIT_LIMIT`.
    pub amount: u64,
    /// L1 owner: must equal the existing account's, or creates the account.
    pub owner: [u8; 20],
}

/// L1 priority op `requestFullExit(account)` sent by `requester`: if the account exists and
/// `requester` is its owner, its whole balance is withdrawn to `requester`; otherwise a
/// recorded no-op (amount 0). Never fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FullExit {
    /// Account to exit.
    pub account: u32,
    /// L1 address that requested the exit.
    pub requester: [u8; 20],
}

/// Move `amount` from `from` to `to`, paying `fee` to the operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Transfer {
    /// Sender (signer).
    pub from: u32,
    /// Receiver; must exist.
    pub to: u32,
    /// Amount moved.
    pub amount: u64,
    /// Fee paid to the operator account.
    pub fee: u64,
    /// Must equal the sender's current nonce.
    pub nonce: u32,
    /// Sender's key: must hash to the sender's `pkhash`.
    pub pubkey: PublicKey,
    /// Sender's Schnorr signature on [`Transfer::message`].
    pub signature: Signature,
}

/// Burn `amount` from `from` on L2 so that Rollup.sol pays it to `l1_address`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Withdraw {
    /// Sender (signer).
    pub from: u32,
    /// L1 recipient (not the zero address).
    pub l1_address: [u8; 20],
    /// Amount withdrawn.
    pub amount: u64,
    /// Fee paid to the operator account.
    pub fee: u64,
    /// Must equal the sender's current nonce.
    pub nonce: u32,
    /// Sender's key: must hash to the sender's `pkhash`.
    pub pubkey: PublicKey,
    /// Sender's Schnorr signature on [`Withdraw::message`].
    pub signature: Signature,
}

/// A rollup transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tx {
    /// See [`Deposit`].
    Deposit(Deposit),
    /// See [`Transfer`].
    Transfer(Transfer),
    /// See [`Withdraw`].
    Withdraw(Withdraw),
    /// See [`FullExit`].
    FullExit(FullExit),
}

/// The 21-limb message `M` of `docs/formats.md` §3 (every limb `< 2^32`). The circuit builds
/// the same list from its targets.
#[allow(clippy::too_many_arguments)]
pub fn signing_message(
    domain: &Domain,
    tx_type: TxType,
    from: u32,
    to: u32,
    l1_address: &[u8; 20],
    amount: u64,
    fee: u64,
    nonce: u32,
) -> [F; MESSAGE_LIMBS] {
    let c = u64_limbs(domain.chain_id);
    let r = address_limbs(&domain.rollup);
    let l = address_limbs(l1_address);
    let a = u64_limbs(amount);
    let f = u64_limbs(fee);
    [
        F::from_canonical_u32(MESSAGE_TAG),
        c[0],
        c[1],
        r[0],
        r[1],
        r[2],
        r[3],
        r[4],
        F::from_canonical_u8(tx_type as u8),
        F::from_canonical_u32(from),
        F::from_canonical_u32(to),
        l[0],
        l[1],
        l[2],
        l[3],
        l[4],
        a[0],
        a[1],
        f[0],
        f[1],
        F::from_canonical_u32(nonce),
    ]
}

/// `m = Poseidon.hash_no_pad(M)`, the hash that is signed.
pub fn message_hash(message: &[F; MESSAGE_LIMBS]) -> HashOut<F> {
    PoseidonHash::hash_no_pad(message)
}

impl Transfer {
    /// The signed message of this transfer in `domain`.
    pub fn message(&self, domain: &Domain) -> [F; MESSAGE_LIMBS] {
        signing_message(
            domain,
            TxType::Transfer,
            self.from,
            self.to,
            &[0; 20],
            self.amount,
            self.fee,
            self.nonce,
        )
    }

    /// Builds and signs a transfer with `sk`.
    pub fn signed(
        sk: &SecretKey,
        domain: &Domain,
        from: u32,
        to: u32,
        amount: u64,
        fee: u64,
        nonce: u32,
    ) -> Self {
        let m = signing_message(
            domain,
            TxType::Transfer,
            from,
            to,
            &[0; 20],
            amount,
            fee,
            nonce,
        );
        Self {
            from,
            to,
            amount,
            fee,
            nonce,
            pubkey: sk.public_key(),
            signature: sk.sign(&message_hash(&m)),
        }
    }
}

impl Withdraw {
    /// The signed message of this withdrawal in `domain`.
    pub fn message(&self, domain: &Domain) -> [F; MESSAGE_LIMBS] {
        signing_message(
            domain,
            TxType::Withdraw,
            self.from,
            0,
            &self.l1_address,
            self.amount,
            self.fee,
            self.nonce,
        )
    }

    /// Builds and signs a withdrawal with `sk`.
    pub fn signed(
        sk: &SecretKey,
        domain: &Domain,
        from: u32,
        l1_address: [u8; 20],
        amount: u64,
        fee: u64,
        nonce: u32,
    ) -> Self {
        let m = signing_message(
            domain,
            TxType::Withdraw,
            from,
            0,
            &l1_address,
            amount,
            fee,
            nonce,
        );
        Self {
            from,
            l1_address,
            amount,
            fee,
            nonce,
            pubkey: sk.public_key(),
            signature: sk.sign(&message_hash(&m)),
        }
    }
}

impl Tx {
    /// Type code of this transaction.
    pub fn tx_type(&self) -> TxType {
        match self {
            Tx::Deposit(_) => TxType::Deposit,
            Tx::Transfer(_) => TxType::Transfer,
            Tx::Withdraw(_) => TxType::Withdraw,
            Tx::FullExit(_) => TxType::FullExit,
        }
    }

    /// The signed message and signature, for signed types (`None` for priority ops).
    pub fn signed_message(&self, domain: &Domain) -> Option<([F; MESSAGE_LIMBS], Signature)> {
        match self {
            Tx::Deposit(_) | Tx::FullExit(_) => None,
            Tx::Transfer(t) => Some((t.message(domain), t.signature)),
            Tx::Withdraw(w) => Some((w.message(domain), w.signature)),
        }
    }

    /// The fee the tx pays the operator (0 for priority ops).
    pub fn fee(&self) -> u64 {
        match self {
            Tx::Deposit(_) | Tx::FullExit(_) => 0,
            Tx::Transfer(t) => t.fee,
            Tx::Withdraw(w) => w.fee,
        }
    }

    /// The signer's account index, for signed types.
    pub fn signer(&self) -> Option<u32> {
        match self {
            Tx::Deposit(_) | Tx::FullExit(_) => None,
            Tx::Transfer(t) => Some(t.from),
            Tx::Withdraw(w) => Some(w.from),
        }
    }

    /// The key the batch file gives for the signer, for signed types.
    pub fn signer_key(&self) -> Option<PublicKey> {
        match self {
            Tx::Deposit(_) | Tx::FullExit(_) => None,
            Tx::Transfer(t) => Some(t.pubkey),
            Tx::Withdraw(w) => Some(w.pubkey),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plonky2::field::types::PrimeField64;

    #[test]
    fn signing_message_layout() {
        let mut rollup = [0u8; 20];
        rollup[0] = 0x01;
        rollup[19] = 0x02;
        let mut l1 = [0u8; 20];
        l1[4] = 0xff;
        let d = Domain {
            chain_id: 0x0000_0003_0000_0004,
            rollup,
        };
        let m = signing_message(&d, TxType::Withdraw, 7, 0, &l1, 1 << 32 | 5, 6, 9);
        let v: Vec<u64> = m.iter().map(|x| x.to_canonical_u64()).collect();
        assert_eq!(
            v,
            vec![
                0x7a6b726c,
                4,
                3,
                0x0100_0000,
                0,
                0,
                0,
                2,
                3,
                7,
                0,
                0,
                0xff00_0000,
                0,
                0,
                0,
                5,
                1,
                6,
                0,
                9
            ]
        );
        assert!(v.iter().all(|x| *x < 1 << 32));
        assert_eq!(message_hash(&m), PoseidonHash::hash_no_pad(&m));
    }
}
