//! KZG commitment, versioned hash and opening proof of a blob, through `c-kzg` (2.1) with
//! Ethereum's trusted setup (`c_kzg::ethereum_kzg_settings`).

use c_kzg::{Blob, Bytes32, Bytes48, KzgSettings};
use num_bigint::BigUint;
use plonky2::hash::hash_types::HashOut;
use sha2::{Digest, Sha256};

use super::encoding::{data_to_blob, data_to_elements};
use super::eval::{challenge, evaluate};
use super::field::to_be_bytes32;
use super::BlobError;
use crate::F;

/// EIP-4844 `VERSIONED_HASH_VERSION_KZG`.
pub const VERSIONED_HASH_VERSION_KZG: u8 = 0x01;

/// Everything the proof side and the L1 side need about the blob carrying a batch's data.
///
/// Invariant (kept by [`open_blob`]): `versioned_hash` is that of `commitment`, `x` is
/// [`challenge`]`(data_commitment, versioned_hash)`, `y = p(x)` for the blob's polynomial
/// `p`, and `proof` opens `commitment` at `x` to `y`. `x` and `y` are canonical (`< r`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlobOpening {
    /// The used elements (`⌈len/31⌉`, each `< 2^248`), the witness of the blob gadget.
    pub elements: Vec<BigUint>,
    /// KZG commitment (48-byte compressed G1 point).
    pub commitment: [u8; 48],
    /// `0x01 ‖ sha256(commitment)[1..]`.
    pub versioned_hash: [u8; 32],
    /// Evaluation point, big-endian.
    pub x: [u8; 32],
    /// `p(x)`, big-endian.
    pub y: [u8; 32],
    /// KZG opening proof of `commitment` at `x` (48-byte compressed G1 point).
    pub proof: [u8; 48],
}

/// Ethereum's KZG settings (no precomputation).
fn settings() -> &'static KzgSettings {
    c_kzg::ethereum_kzg_settings(0)
}

fn kzg_err(op: &'static str) -> impl Fn(c_kzg::Error) -> BlobError {
    move |e| BlobError::Kzg {
        op,
        message: format!("{e:?}"),
    }
}

/// `0x01 ‖ sha256(commitment)[1..]` (EIP-4844 `kzg_to_versioned_hash`).
pub fn versioned_hash(commitment: &[u8; 48]) -> [u8; 32] {
    let mut h: [u8; 32] = Sha256::digest(commitment).into();
    h[0] = VERSIONED_HASH_VERSION_KZG;
    h
}

/// The c-kzg blob carrying `data` (boxed: a blob is 128 KiB).
pub fn kzg_blob(data: &[u8]) -> Result<Box<Blob>, BlobError> {
    let bytes = data_to_blob(data)?;
    Blob::from_bytes(&bytes[..])
        .map(Box::new)
        .map_err(kzg_err("blob"))
}

/// KZG commitment of the blob carrying `data`.
pub fn commitment(data: &[u8]) -> Result<[u8; 48], BlobError> {
    let blob = kzg_blob(data)?;
    let c = settings()
        .blob_to_kzg_commitment(&blob)
        .map_err(kzg_err("commitment"))?;
    Ok(c.to_bytes().into_inner())
}

/// Commitment, versioned hash, evaluation point, value and proof of the blob carrying
/// `data`, bound to `data_commitment` (the Poseidon commitment the leaves compute). `y` is
/// computed natively ([`evaluate`]) and must equal c-kzg's (checked; a mismatch is a
/// [`BlobError::Kzg`]).
pub fn open_blob(data: &[u8], data_commitment: HashOut<F>) -> Result<BlobOpening, BlobError> {
    let elements = data_to_elements(data)?;
    let blob = kzg_blob(data)?;
    let s = settings();
    let commitment = s
        .blob_to_kzg_commitment(&blob)
        .map_err(kzg_err("commitment"))?
        .to_bytes()
        .into_inner();
    let versioned_hash = versioned_hash(&commitment);
    let x_int = challenge(data_commitment, &versioned_hash);
    let x = to_be_bytes32(&x_int);
    let (proof, y_kzg) = s
        .compute_kzg_proof(&blob, &Bytes32::new(x))
        .map_err(kzg_err("proof"))?;
    let y = to_be_bytes32(&evaluate(&elements, &x_int));
    if y != *y_kzg {
        return Err(BlobError::Kzg {
            op: "evaluation",
            message: "native y differs from c-kzg's".into(),
        });
    }
    Ok(BlobOpening {
        elements,
        commitment,
        versioned_hash,
        x,
        y,
        proof: proof.to_bytes().into_inner(),
    })
}

/// Whether `proof` opens `commitment` at `x` to `y` (what the point-evaluation precompile
/// checks). Errors if an input is not a valid encoding (point not on the curve, scalar ≥ r).
pub fn verify_opening(
    commitment: &[u8; 48],
    x: &[u8; 32],
    y: &[u8; 32],
    proof: &[u8; 48],
) -> Result<bool, BlobError> {
    settings()
        .verify_kzg_proof(
            &Bytes48::new(*commitment),
            &Bytes32::new(*x),
            &Bytes32::new(*y),
            &Bytes48::new(*proof),
        )
        .map_err(kzg_err("verification"))
}

#[cfg(test)]
mod tests {
    use num_bigint::BigUint;
    use plonky2::field::types::Sample;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::*;
    use crate::blob::field;

    fn random_data(rng: &mut ChaCha8Rng, len: usize) -> Vec<u8> {
        (0..len).map(|_| rng.gen()).collect()
    }

    #[test]
    fn native_evaluation_agrees_with_c_kzg() {
        let mut rng = ChaCha8Rng::seed_from_u64(13);
        for len in [0usize, 1, 31, 32, 500, 4096 * 31] {
            let data = random_data(&mut rng, len);
            let blob = kzg_blob(&data).unwrap();
            let elements = data_to_elements(&data).unwrap();
            // A random point (not the challenge) as well as the challenge of open_blob.
            let x = BigUint::from_bytes_be(&random_data(&mut rng, 31));
            let (_, y) = settings()
                .compute_kzg_proof(&blob, &Bytes32::new(to_be_bytes32(&x)))
                .unwrap();
            assert_eq!(to_be_bytes32(&evaluate(&elements, &x)), *y, "len {len}");
            let opening = open_blob(&data, HashOut::<F>::rand()).unwrap();
            assert!(
                verify_opening(&opening.commitment, &opening.x, &opening.y, &opening.proof)
                    .unwrap()
            );
        }
    }

    #[test]
    fn opening_is_bound_to_data_y_and_commitment() {
        let mut rng = ChaCha8Rng::seed_from_u64(14);
        let data = random_data(&mut rng, 1000);
        let dc = HashOut::<F>::rand();
        let o = open_blob(&data, dc).unwrap();
        assert_eq!(o.commitment, commitment(&data).unwrap());
        assert_eq!(o.versioned_hash[0], 0x01);
        assert_eq!(
            BigUint::from_bytes_be(&o.x),
            challenge(dc, &o.versioned_hash)
        );
        assert!(BigUint::from_bytes_be(&o.x).bits() <= 252);
        // y off by one is rejected by c-kzg.
        let y1 = to_be_bytes32(&field::add(&BigUint::from_bytes_be(&o.y), &1u32.into()));
        assert!(!verify_opening(&o.commitment, &o.x, &y1, &o.proof).unwrap());
        // Data differing in one byte: another commitment, which the proof does not open.
        let mut other = data.clone();
        other[500] ^= 1;
        let c2 = commitment(&other).unwrap();
        assert_ne!(c2, o.commitment);
        assert!(!verify_opening(&c2, &o.x, &o.y, &o.proof).unwrap());
        // A non-canonical y (≥ r) is an encoding error, not a silent reduction.
        assert!(verify_opening(&o.commitment, &o.x, &field::MODULUS_BE, &o.proof).is_err());
        // Another data commitment gives another point.
        assert_ne!(
            challenge(HashOut::<F>::rand(), &o.versioned_hash),
            BigUint::from_bytes_be(&o.x)
        );
    }

    #[test]
    fn evaluation_at_a_root_is_the_element() {
        let elements: Vec<BigUint> = (1..=5u32).map(BigUint::from).collect();
        let roots = field::roots_of_unity_brp();
        assert_eq!(evaluate(&elements, &roots[3]), BigUint::from(4u32));
        assert_eq!(evaluate(&elements, &roots[100]), BigUint::ZERO);
    }
}
