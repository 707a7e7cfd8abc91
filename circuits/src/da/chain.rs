//! The data commitment `dc` over records and the effects chain `ec` over effects
//! (`docs/formats.md` §4.2, §4.3), and `effects_hash`.

use plonky2::field::types::Field;
use plonky2::hash::hash_types::HashOut;
use plonky2::hash::poseidon::PoseidonHash;
use plonky2::plonk::config::Hasher;
use sha2::{Digest as _, Sha256};

use super::{Effect, Record};
use crate::F;

/// `dc' = Poseidon.hash_no_pad([dc ‖ t·2^32 + a, b, c, d])` (one permutation).
pub fn data_step(dc: HashOut<F>, r: &Record) -> HashOut<F> {
    let mut input = dc.elements.to_vec();
    input.extend(r.chain_input());
    PoseidonHash::hash_no_pad(&input)
}

/// `dc` over `records` in order, from `[0, 0, 0, 0]`.
pub fn data_commitment(records: &[Record]) -> HashOut<F> {
    records.iter().fold(HashOut::ZERO, data_step)
}

/// `ec' = Poseidon.hash_no_pad([ec ‖ w_0..w_15])` with `w` the effect's 16 BE u32 words.
pub fn effects_step(ec: HashOut<F>, e: &Effect) -> HashOut<F> {
    let mut input = ec.elements.to_vec();
    input.extend(e.words().map(F::from_canonical_u32));
    PoseidonHash::hash_no_pad(&input)
}

/// `ec` over `effects` in order, from `[0, 0, 0, 0]`.
pub fn effects_commitment(effects: &[Effect]) -> HashOut<F> {
    effects.iter().fold(HashOut::ZERO, effects_step)
}

/// `sha256` of the concatenated effects (what Rollup.sol hashes from calldata).
pub fn effects_hash(effects: &[Effect]) -> [u8; 32] {
    let mut h = Sha256::new();
    for e in effects {
        h.update(e.encode());
    }
    h.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::da::{pack_amount, pack_fee};
    use crate::tx::FullExit;

    #[test]
    fn chains_depend_on_every_field_and_the_order() {
        let a = Record::transfer(1, 2, pack_amount(30).unwrap(), pack_fee(1).unwrap());
        let b = Record::deposit(1);
        let base = data_commitment(&[a, b]);
        assert_ne!(base, data_commitment(&[b, a]));
        assert_ne!(base, data_commitment(&[a]));
        for r in [
            Record { b: 3, ..a },
            Record { c: a.c + 1, ..a },
            Record { d: 0, ..a },
        ] {
            assert_ne!(data_commitment(&[r, b]), base);
        }
        // The first step is one Poseidon hash of the 8 limbs of formats.md §4.2.
        let mut limbs = vec![F::ZERO; 4];
        limbs.extend([
            F::from_canonical_u64((2 << 32) | 1),
            F::from_canonical_u64(2),
            F::from_canonical_u64(30u64.div_euclid(10) << 5 | 1),
            F::from_canonical_u64(1 << 5),
        ]);
        assert_eq!(data_commitment(&[a]), PoseidonHash::hash_no_pad(&limbs));
        let x = Effect::FullExit {
            exit: FullExit {
                account: 1,
                requester: [1; 20],
            },
            amount: 0,
        };
        let y = Effect::FullExit {
            exit: FullExit {
                account: 1,
                requester: [1; 20],
            },
            amount: 1,
        };
        assert_ne!(effects_commitment(&[x]), effects_commitment(&[y]));
        assert_eq!(effects_commitment(&[]), HashOut::ZERO);
        assert_eq!(effects_hash(&[]), <[u8; 32]>::from(Sha256::digest(b"")));
    }
}
