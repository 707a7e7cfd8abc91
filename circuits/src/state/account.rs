//! Accounts and their leaf hash (`docs/formats.md` §2).

use plonky2::field::types::Field;
use plonky2::hash::hash_types::HashOut;
use plonky2::hash::poseidon::PoseidonHash;
use plonky2::plonk::config::Hasher;

use crate::encoding::u64_limbs;
use crate::schnorr::PublicKey;
use crate::F;

/// One rollup account: the owner's public key, its balance and the nonce of its next signed tx.
///
/// Invariant: `pubkey` is a valid, non-neutral ECgFp5 point (guaranteed by [`PublicKey`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Account {
    /// Owner's Schnorr public key.
    pub pubkey: PublicKey,
    /// Balance in L2 units (gwei).
    pub balance: u64,
    /// Nonce the next Transfer/Withdraw of this account must carry.
    pub nonce: u32,
}

impl Account {
    /// A fresh account (balance 0, nonce 0), as a Deposit creates it.
    pub fn new(pubkey: PublicKey) -> Self {
        Self {
            pubkey,
            balance: 0,
            nonce: 0,
        }
    }

    /// The 8 leaf preimage limbs `[w0..w4, balance_lo, balance_hi, nonce]`.
    pub fn leaf_preimage(&self) -> [F; 8] {
        let w = self.pubkey.encode();
        let [lo, hi] = u64_limbs(self.balance);
        [
            w[0],
            w[1],
            w[2],
            w[3],
            w[4],
            lo,
            hi,
            F::from_canonical_u32(self.nonce),
        ]
    }

    /// `Poseidon.hash_no_pad(leaf_preimage)`.
    pub fn leaf_hash(&self) -> HashOut<F> {
        PoseidonHash::hash_no_pad(&self.leaf_preimage())
    }
}

/// Leaf hash of an optional account: [`HashOut::ZERO`] for an empty slot.
pub fn leaf_hash(account: Option<&Account>) -> HashOut<F> {
    account.map_or(HashOut::ZERO, Account::leaf_hash)
}
