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
