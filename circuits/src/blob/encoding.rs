//! Bytes ↔ blob field elements (`docs/formats.md`, "Blob binding").
//!
//! Data is cut into 31-byte chunks; chunk `i` becomes element `i` as the 32-byte big-endian
//! scalar `0x00 ‖ chunk` (the last chunk zero-padded on the right to 31 bytes). Every element
//! is therefore `< 2^248 < r` (canonical). Elements after the data are zero. Decoding accepts
//! only elements of that form.

use num_bigint::BigUint;

use super::field::{modulus, FIELD_ELEMENTS_PER_BLOB};
use super::BlobError;

/// Data bytes carried by one blob element.
pub const BYTES_PER_CHUNK: usize = 31;
/// Bytes of one blob element.
pub const BYTES_PER_ELEMENT: usize = 32;
/// Data bytes one blob can carry (`4096 · 31`).
pub const MAX_DATA_PER_BLOB: usize = FIELD_ELEMENTS_PER_BLOB * BYTES_PER_CHUNK;
/// Bytes of a blob (`4096 · 32`).
pub const BYTES_PER_BLOB: usize = FIELD_ELEMENTS_PER_BLOB * BYTES_PER_ELEMENT;

/// Number of blob elements `data` uses: `⌈len / 31⌉`.
pub fn used_elements(data_len: usize) -> usize {
    data_len.div_ceil(BYTES_PER_CHUNK)
}

/// The used elements of the blob carrying `data`, as integers (each `< 2^248`).
///
/// Errors with [`BlobError::DataTooLong`] if `data` does not fit in one blob.
pub fn data_to_elements(data: &[u8]) -> Result<Vec<BigUint>, BlobError> {
    check_len(data)?;
    Ok(data
        .chunks(BYTES_PER_CHUNK)
        .map(|chunk| {
            let mut padded = [0u8; BYTES_PER_CHUNK];
            padded[..chunk.len()].copy_from_slice(chunk);
            BigUint::from_bytes_be(&padded)
        })
        .collect())
}

/// The blob carrying `data`: `4096 · 32` bytes, the used elements first, then zeros.
///
/// Errors with [`BlobError::DataTooLong`] if `data` does not fit in one blob.
pub fn data_to_blob(data: &[u8]) -> Result<Box<[u8; BYTES_PER_BLOB]>, BlobError> {
    check_len(data)?;
    let mut blob = Box::new([0u8; BYTES_PER_BLOB]);
    for (chunk, element) in data
        .chunks(BYTES_PER_CHUNK)
        .zip(blob.chunks_mut(BYTES_PER_ELEMENT))
    {
        element[1..1 + chunk.len()].copy_from_slice(chunk);
    }
    Ok(blob)
}

/// Splits data of any length over as many blobs as it needs (each full but the last).
pub fn data_to_blobs(data: &[u8]) -> Vec<Box<[u8; BYTES_PER_BLOB]>> {
    data.chunks(MAX_DATA_PER_BLOB)
        .map(|part| data_to_blob(part).expect("a part fits in one blob"))
        .collect()
}

/// The `4096 · 31` data bytes a blob carries (trailing zeros included: the data format
/// itself must say where its content ends).
///
/// Rejects a blob of the wrong length and any element that is not canonical (`≥ r`,
/// [`BlobError::ElementNotCanonical`]) or whose top byte is not zero
/// ([`BlobError::ElementTopByte`]), naming the element's index.
pub fn blob_to_data(blob: &[u8]) -> Result<Vec<u8>, BlobError> {
    if blob.len() != BYTES_PER_BLOB {
        return Err(BlobError::BlobLength(blob.len()));
    }
    let r = modulus();
    let mut data = Vec::with_capacity(MAX_DATA_PER_BLOB);
    for (index, element) in blob.chunks(BYTES_PER_ELEMENT).enumerate() {
        if BigUint::from_bytes_be(element) >= *r {
            return Err(BlobError::ElementNotCanonical { index });
        }
        if element[0] != 0 {
            return Err(BlobError::ElementTopByte {
                index,
                byte: element[0],
            });
        }
        data.extend_from_slice(&element[1..]);
    }
    Ok(data)
}

fn check_len(data: &[u8]) -> Result<(), BlobError> {
    if data.len() > MAX_DATA_PER_BLOB {
        return Err(BlobError::DataTooLong {
            len: data.len(),
            max: MAX_DATA_PER_BLOB,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blob::field::MODULUS_BE;

    #[test]
    fn roundtrip_and_layout() {
        let data: Vec<u8> = (0..100u8).collect();
        let blob = data_to_blob(&data).unwrap();
        assert_eq!(used_elements(data.len()), 4);
        assert_eq!(blob[0], 0);
        assert_eq!(&blob[1..32], &data[..31]);
        assert_eq!(blob[32], 0);
        // Last used element: 7 data bytes then zero padding.
        assert_eq!(&blob[97..104], &data[93..]);
        assert!(blob[104..].iter().all(|&b| b == 0));
        let back = blob_to_data(&blob[..]).unwrap();
        assert_eq!(&back[..data.len()], &data[..]);
        assert!(back[data.len()..].iter().all(|&b| b == 0));
        let elements = data_to_elements(&data).unwrap();
        assert_eq!(elements[0], BigUint::from_bytes_be(&data[..31]));
    }

    #[test]
    fn too_long_and_multi_blob() {
        let data = vec![7u8; MAX_DATA_PER_BLOB + 1];
        assert!(matches!(
            data_to_blob(&data),
            Err(BlobError::DataTooLong { len, .. }) if len == MAX_DATA_PER_BLOB + 1
        ));
        let blobs = data_to_blobs(&data);
        assert_eq!(blobs.len(), 2);
        assert_eq!(blobs[1][1], 7);
        assert_eq!(blobs[1][2], 0);
    }

    #[test]
    fn decoding_rejects_non_canonical_elements() {
        let mut blob = data_to_blob(b"hello").unwrap();
        // Element 5 = r: not canonical.
        blob[5 * 32..6 * 32].copy_from_slice(&MODULUS_BE);
        assert_eq!(
            blob_to_data(&blob[..]).unwrap_err(),
            BlobError::ElementNotCanonical { index: 5 }
        );
        // Element 9 < r but with a non-zero top byte.
        let mut blob = data_to_blob(b"hello").unwrap();
        blob[9 * 32] = 0x01;
        assert_eq!(
            blob_to_data(&blob[..]).unwrap_err(),
            BlobError::ElementTopByte { index: 9, byte: 1 }
        );
        assert_eq!(
            blob_to_data(&blob[..10]).unwrap_err(),
            BlobError::BlobLength(10)
        );
    }
}
