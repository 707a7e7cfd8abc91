//! Accounts and their leaf hash (`docs/formats.md` §2).

use plonky2::field::types::Field;
use plonky2::hash::hash_types::HashOut;
use plonky2::hash::poseidon::PoseidonHash;
use plonky2::plonk::config::Hasher;

use crate::encoding::{address_limbs, u64_limbs};
use crate::F;

/// Number of limbs of a leaf preimage.
pub const LEAF_LIMBS: usize = 12;

/// One rollup account: the hash of its signing key, its balance, the nonce of its next
/// signed tx and its L1 owner (who may force its exit).
///
/// An account is identified by the pair `(pkhash, owner)`: a deposit to an existing account
/// must name both. `pkhash` need not be the hash of a valid key: such an account can never
/// sign (its funds can only leave by a forced exit to its owner).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Account {
    /// `Poseidon.hash_no_pad(w0..w4)` of the owner's Schnorr key ([`crate::schnorr::PublicKey::pkhash`]).
    pub pkhash: HashOut<F>,
    /// Balance in L2 units (gwei).
    pub balance: u64,
    /// Nonce the next Transfer/Withdraw of this account must carry.
    pub nonce: u32,
    /// L1 address that owns the account (receives its forced exit).
    pub owner: [u8; 20],
}

impl Account {
    /// A fresh account (balance 0, nonce 0), as a Deposit creates it.
    pub fn new(pkhash: HashOut<F>, owner: [u8; 20]) -> Self {
        Self {
            pkhash,
            balance: 0,
            nonce: 0,
            owner,
        }
    }

    /// The 12 leaf preimage limbs
    /// `[pk0..pk3, balance_lo, balance_hi, nonce, own0..own4]`.
    pub fn leaf_preimage(&self) -> [F; LEAF_LIMBS] {
        let p = self.pkhash.elements;
        let [lo, hi] = u64_limbs(self.balance);
        let o = address_limbs(&self.owner);
        [
            p[0],
            p[1],
            p[2],
            p[3],
            lo,
            hi,
            F::from_canonical_u32(self.nonce),
            o[0],
            o[1],
            o[2],
            o[3],
            o[4],
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

#[cfg(test)]
mod tests {
    use super::*;
    use plonky2::field::types::PrimeField64;

    #[test]
    fn leaf_preimage_layout() {
        let mut owner = [0u8; 20];
        owner[0] = 0xde;
        owner[19] = 0x01;
        let pkhash = HashOut {
            elements: [1u64, 2, 3, 4].map(F::from_canonical_u64),
        };
        let a = Account {
            pkhash,
            balance: 5 << 32 | 6,
            nonce: 7,
            owner,
        };
        let v: Vec<u64> = a
            .leaf_preimage()
            .iter()
            .map(|x| x.to_canonical_u64())
            .collect();
        assert_eq!(v, vec![1, 2, 3, 4, 6, 5, 7, 0xde00_0000, 0, 0, 0, 1]);
        assert_eq!(a.leaf_hash(), PoseidonHash::hash_no_pad(&a.leaf_preimage()));
        // Every field is bound: another owner is another leaf.
        let b = Account {
            owner: [0; 20],
            ..a
        };
        assert_ne!(a.leaf_hash(), b.leaf_hash());
        assert_eq!(leaf_hash(None), HashOut::ZERO);
    }
}
