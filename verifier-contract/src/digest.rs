//! The public-input digest of docs/formats.md §5, computed natively (Rollup.sol recomputes it
//! on-chain from the calldata effects list and the batch's blob).

use alloy::primitives::{Address, U256};
use sha2::{Digest, Sha256};

/// `effects_hash = sha256(effects)` (formats.md §4.3; `sha256("")` for a batch with none).
pub fn effects_hash(effects: &[u8]) -> [u8; 32] {
    Sha256::digest(effects).into()
}

/// `sha256(chain_id u64 BE ‖ rollup ‖ old_root ‖ new_root ‖ sha256(effects) ‖ versioned_hash ‖
/// x ‖ y)` with its top 3 bits cleared, so the result is below 2^253 < r (the Groth16 public
/// input). `versioned_hash` is the batch blob's, `x` the evaluation point and `y` the blob
/// polynomial's value there (both 32 bytes big-endian), exactly what `commitBatch` passes to
/// the point-evaluation precompile.
#[allow(clippy::too_many_arguments)] // the eight fields of the digest, in the spec's order
pub fn public_input_digest(
    chain_id: u64,
    rollup: Address,
    old_root: &[u8; 32],
    new_root: &[u8; 32],
    effects: &[u8],
    versioned_hash: &[u8; 32],
    x: &[u8; 32],
    y: &[u8; 32],
) -> U256 {
    let mut h = Sha256::new();
    h.update(chain_id.to_be_bytes());
    h.update(rollup.as_slice());
    h.update(old_root);
    h.update(new_root);
    h.update(effects_hash(effects));
    h.update(versioned_hash);
    h.update(x);
    h.update(y);
    let mut bytes: [u8; 32] = h.finalize().into();
    bytes[0] &= 0x1f;
    U256::from_be_bytes(bytes)
}

/// The digest as a BN254 scalar; `None` if it is not below 2^253 (never reduced mod r).
pub fn digest_to_fr(digest: U256) -> Option<ark_bn254::Fr> {
    use ark_ff::PrimeField;
    if digest.bit_len() > 253 {
        return None;
    }
    Some(ark_bn254::Fr::from_be_bytes_mod_order(
        &digest.to_be_bytes::<32>(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_matches_an_independent_sha256() {
        // Computed with Python's hashlib from the formula of docs/formats.md §5:
        //   pre = (31337).to_bytes(8, 'big') + b'\x11'*20 + old + new
        //         + sha256(effects).digest() + vh + x + y
        //   hex(int.from_bytes(sha256(pre).digest(), 'big') & ((1 << 253) - 1))
        // with old = bytes(range(32)), new = bytes(32 + i for i in range(32)),
        // vh = b'\x01' + b'\x22'*31, x = b'\x2a' + b'\x33'*31, y = b'\x07' + b'\x44'*31,
        // effects = b'\x03' + b'\x55'*32 + bytes(31) + b'\x04' + b'\x66'*32 + bytes(31)
        // (and effects = b'' for the second value).
        let old: [u8; 32] = core::array::from_fn(|i| i as u8);
        let new: [u8; 32] = core::array::from_fn(|i| 32 + i as u8);
        let field = |first: u8, rest: u8| -> [u8; 32] {
            let mut b = [rest; 32];
            b[0] = first;
            b
        };
        let (vh, x, y) = (field(1, 0x22), field(0x2a, 0x33), field(7, 0x44));
        let mut effects = vec![0u8; 128];
        effects[0] = 3;
        effects[1..33].fill(0x55);
        effects[64] = 4;
        effects[65..97].fill(0x66);
        let rollup = Address::repeat_byte(0x11);
        let d = public_input_digest(31337, rollup, &old, &new, &effects, &vh, &x, &y);
        let want: U256 = "0xea538dd10204ba82138b33cc05566b2e73d0085268b0ae51314bcf59475ceaf"
            .parse()
            .unwrap();
        assert_eq!(d, want);
        let none = public_input_digest(31337, rollup, &old, &new, &[], &vh, &x, &y);
        let want: U256 = "0x1e304854ffbb6310942952cda0cac01e5ab3b2922cf62de5498344d02ed4cd44"
            .parse()
            .unwrap();
        assert_eq!(none, want);
    }

    /// old root, new root, effects, versioned hash, x, y.
    type Fields = ([u8; 32], [u8; 32], Vec<u8>, [u8; 32], [u8; 32], [u8; 32]);

    #[test]
    fn every_field_changes_the_digest() {
        let base = || -> Fields {
            (
                [1u8; 32],
                [2u8; 32],
                vec![3u8; 64],
                [4u8; 32],
                [5u8; 32],
                [6u8; 32],
            )
        };
        let digest =
            |f: &Fields| public_input_digest(1, Address::ZERO, &f.0, &f.1, &f.2, &f.3, &f.4, &f.5);
        let d0 = digest(&base());
        let mut variants = Vec::new();
        for i in 0..6 {
            let mut f = base();
            match i {
                0 => f.0[31] ^= 1,
                1 => f.1[0] ^= 1,
                2 => f.2[63] ^= 1,
                3 => f.3[5] ^= 1,
                4 => f.4[31] ^= 1,
                _ => f.5[0] ^= 1,
            }
            variants.push(digest(&f));
        }
        assert!(variants.iter().all(|&d| d != d0));
        assert_ne!(
            public_input_digest(
                2,
                Address::ZERO,
                &[1; 32],
                &[2; 32],
                &[3; 64],
                &[4; 32],
                &[5; 32],
                &[6; 32]
            ),
            d0
        );
    }

    #[test]
    fn digest_is_masked_and_converts_without_reduction() {
        for n in 0..64u8 {
            let d = public_input_digest(
                n.into(),
                Address::ZERO,
                &[n; 32],
                &[0; 32],
                &[n],
                &[n; 32],
                &[0; 32],
                &[n; 32],
            );
            assert!(d.bit_len() <= 253);
            let f = digest_to_fr(d).unwrap();
            assert_eq!(crate::verifier_gen::fr_to_u256(f), d);
        }
        assert!(digest_to_fr(U256::from(1) << 253).is_none());
        assert!(digest_to_fr(U256::MAX).is_none());
    }
}
