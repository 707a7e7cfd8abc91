//! The public-input digest of docs/formats.md §5, computed natively (Rollup.sol recomputes it
//! on-chain from calldata).

use alloy::primitives::{Address, U256};
use sha2::{Digest, Sha256};

/// `sha256(chain_id u64 BE ‖ rollup ‖ old_root ‖ new_root ‖ sha256(pubdata))` with its top
/// 3 bits cleared, so the result is below 2^253 < r (the Groth16 public input).
pub fn public_input_digest(
    chain_id: u64,
    rollup: Address,
    old_root: &[u8; 32],
    new_root: &[u8; 32],
    pubdata: &[u8],
) -> U256 {
    let pubdata_hash = Sha256::digest(pubdata);
    let mut h = Sha256::new();
    h.update(chain_id.to_be_bytes());
    h.update(rollup.as_slice());
    h.update(old_root);
    h.update(new_root);
    h.update(pubdata_hash);
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
        // Computed with Python's hashlib from the formula of docs/formats.md §5.
        let old: [u8; 32] = core::array::from_fn(|i| i as u8);
        let new: [u8; 32] = core::array::from_fn(|i| 32 + i as u8);
        let d = public_input_digest(31337, Address::repeat_byte(0x11), &old, &new, &[2u8; 64]);
        let want: U256 = "0x1acb3e51755c0778a94b69a27a5ec7cfc8111a16f72730af57b10adaf1d04a42"
            .parse()
            .unwrap();
        assert_eq!(d, want);
    }

    #[test]
    fn digest_is_masked_and_converts_without_reduction() {
        for n in 0..64u8 {
            let d = public_input_digest(n.into(), Address::ZERO, &[n; 32], &[0; 32], &[n]);
            assert!(d.bit_len() <= 253);
            let f = digest_to_fr(d).unwrap();
            assert_eq!(crate::verifier_gen::fr_to_u256(f), d);
        }
        assert!(digest_to_fr(U256::from(1) << 253).is_none());
        assert!(digest_to_fr(U256::MAX).is_none());
    }
}
