//! A batch's published data (`docs/formats.md` §4): the blob data (header + records) and the
//! L1-effects list.

use super::{DaError, Effect, Record, EFFECT_BYTES};
use crate::blob::encoding::{used_elements, BYTES_PER_CHUNK};

/// Version byte of the blob data header.
pub const BLOB_DATA_VERSION: u8 = 1;
/// Bytes of the header (blob element 0).
pub const HEADER_BYTES: usize = 31;
/// Most records one blob holds: `2·(4096 − 1) = 8 190`.
pub const MAX_BATCH_RECORDS: usize = 8190;
/// Most L1 effects per batch.
pub const MAX_EFFECTS: usize = 16;

/// What a committed batch publishes: its operator and records (blob) and its effects
/// (calldata).
///
/// Invariant (checked by [`BatchData::new`] and the decoders): at most
/// [`MAX_BATCH_RECORDS`] records and [`MAX_EFFECTS`] effects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchData {
    /// The batch's fee recipient.
    pub operator: u32,
    /// One record per real transaction, in order.
    pub records: Vec<Record>,
    /// One effect per Deposit, Withdraw and FullExit, in order.
    pub effects: Vec<Effect>,
}

impl BatchData {
    /// Checks the size limits.
    pub fn new(operator: u32, records: Vec<Record>, effects: Vec<Effect>) -> Result<Self, DaError> {
        if records.len() > MAX_BATCH_RECORDS {
            return Err(DaError::BadBlobData(format!(
                "{} records, at most {MAX_BATCH_RECORDS} fit one blob",
                records.len()
            )));
        }
        if effects.len() > MAX_EFFECTS {
            return Err(DaError::BadEffectsList {
                len: effects.len() * EFFECT_BYTES,
                why: "more than MAX_EFFECTS = 16 effects",
            });
        }
        Ok(BatchData {
            operator,
            records,
            effects,
        })
    }

    /// The header element: `version ‖ operator ‖ record count ‖ 22 zero bytes`.
    pub fn header(&self) -> [u8; HEADER_BYTES] {
        let mut h = [0u8; HEADER_BYTES];
        h[0] = BLOB_DATA_VERSION;
        h[1..5].copy_from_slice(&self.operator.to_be_bytes());
        h[5..9].copy_from_slice(&(self.records.len() as u32).to_be_bytes());
        h
    }

    /// The blob data bytes: the header, then 31 bytes per pair of records (the high 124 bits
    /// the even record, the low 124 bits the odd one or zero).
    pub fn blob_data(&self) -> Vec<u8> {
        let mut out = self.header().to_vec();
        for pair in self.records.chunks(2) {
            let hi = pair[0].to_bits();
            let lo = pair.get(1).map_or(0, Record::to_bits);
            // The element is 0x00 ‖ chunk = hi·2^124 + lo (248 bits) as a 256-bit integer.
            let mut v = [0u8; 32];
            v[..16].copy_from_slice(&(hi >> 4).to_be_bytes());
            v[16..].copy_from_slice(&(((hi & 0xf) << 124) | lo).to_be_bytes());
            out.extend_from_slice(&v[1..]);
        }
        out
    }

    /// Parses blob data (as [`crate::blob::blob_to_data`] returns it, trailing zeros
    /// included) with the batch's effects list.
    pub fn from_published(blob_data: &[u8], effects: &[u8]) -> Result<Self, DaError> {
        if blob_data.len() < HEADER_BYTES || blob_data[0] != BLOB_DATA_VERSION {
            return Err(DaError::BadBlobData(
                "missing header or unknown version".into(),
            ));
        }
        if blob_data[9..HEADER_BYTES].iter().any(|&b| b != 0) {
            return Err(DaError::BadBlobData("non-zero header padding".into()));
        }
        let operator = u32::from_be_bytes(blob_data[1..5].try_into().expect("4 bytes"));
        let count = u32::from_be_bytes(blob_data[5..9].try_into().expect("4 bytes")) as usize;
        if count > MAX_BATCH_RECORDS {
            return Err(DaError::BadBlobData(format!(
                "record count {count} over {MAX_BATCH_RECORDS}"
            )));
        }
        let body = &blob_data[HEADER_BYTES..];
        let need = count.div_ceil(2) * BYTES_PER_CHUNK;
        if body.len() < need {
            return Err(DaError::BadBlobData(format!(
                "{count} records need {need} bytes after the header, found {}",
                body.len()
            )));
        }
        if body[need..].iter().any(|&b| b != 0) {
            return Err(DaError::BadBlobData(
                "non-zero bytes after the last record".into(),
            ));
        }
        let mut records = Vec::with_capacity(count);
        for (j, chunk) in body[..need].chunks_exact(BYTES_PER_CHUNK).enumerate() {
            let mut v = [0u8; 32];
            v[1..].copy_from_slice(chunk);
            let hi = u128::from_be_bytes(v[..16].try_into().expect("16"));
            let lo = u128::from_be_bytes(v[16..].try_into().expect("16"));
            // v = 0x00 ‖ chunk as a 256-bit integer; its low 248 bits are hi_rec ‖ lo_rec.
            let rec_hi = (hi << 4) | (lo >> 124);
            let rec_lo = lo & ((1u128 << 124) - 1);
            records.push(Record::from_bits(rec_hi, 2 * j)?);
            if 2 * j + 1 < count {
                records.push(Record::from_bits(rec_lo, 2 * j + 1)?);
            } else if rec_lo != 0 {
                return Err(DaError::BadRecord {
                    index: 2 * j + 1,
                    why: "after the record count but not zero".into(),
                });
            }
        }
        if !effects.len().is_multiple_of(EFFECT_BYTES) || effects.len() > MAX_EFFECTS * EFFECT_BYTES
        {
            return Err(DaError::BadEffectsList {
                len: effects.len(),
                why: "not a multiple of 64 bytes, or more than 16 effects",
            });
        }
        let effects = effects
            .chunks_exact(EFFECT_BYTES)
            .enumerate()
            .map(|(i, c)| Effect::decode(c.try_into().expect("64 bytes"), i))
            .collect::<Result<Vec<_>, _>>()?;
        BatchData::new(operator, records, effects)
    }

    /// The effects list (calldata of `commitBatch`).
    pub fn effects_bytes(&self) -> Vec<u8> {
        self.effects.iter().flat_map(|e| e.encode()).collect()
    }

    /// Blob elements the data uses: `1 + ⌈records/2⌉`.
    pub fn used_elements(&self) -> usize {
        used_elements(self.blob_data().len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blob::encoding::data_to_elements;
    use crate::da::{pack_amount, pack_fee};
    use crate::tx::FullExit;
    use num_bigint::BigUint;

    fn sample(n: usize) -> BatchData {
        let records = (0..n as u32)
            .map(|i| match i % 3 {
                0 => Record::transfer(
                    i,
                    i + 1,
                    pack_amount(u64::from(i) * 1000 + 7).unwrap(),
                    pack_fee(3).unwrap(),
                ),
                1 => Record::withdraw(i, pack_fee(10).unwrap()),
                _ => Record::full_exit(i),
            })
            .collect();
        let effects = vec![Effect::FullExit {
            exit: FullExit {
                account: 2,
                requester: [5; 20],
            },
            amount: 9,
        }];
        BatchData::new(77, records, effects).unwrap()
    }

    #[test]
    fn elements_hold_two_records_each() {
        let d = sample(5);
        let bytes = d.blob_data();
        assert_eq!(bytes.len(), 31 * (1 + 3));
        assert_eq!(d.used_elements(), 4);
        let el = data_to_elements(&bytes).unwrap();
        assert_eq!(el[0], BigUint::from_bytes_be(&d.header()));
        let want = (BigUint::from(d.records[2].to_bits()) << 124u32)
            + BigUint::from(d.records[3].to_bits());
        assert_eq!(el[2], want);
        assert_eq!(el[3], BigUint::from(d.records[4].to_bits()) << 124u32);
    }

    #[test]
    fn published_data_round_trips() {
        for n in [0, 1, 2, 7] {
            let d = sample(n);
            let mut blob = d.blob_data();
            blob.resize(blob.len() + 62, 0); // trailing zero elements as a blob has
            assert_eq!(BatchData::from_published(&blob, &d.effects_bytes()), Ok(d));
        }
    }

    #[test]
    fn bad_published_data_is_rejected() {
        let d = sample(3);
        let blob = d.blob_data();
        let fx = d.effects_bytes();
        let mut v2 = blob.clone();
        v2[0] = 2;
        assert!(BatchData::from_published(&v2, &fx).is_err());
        let mut more = blob.clone();
        more[8] = 4; // count 4: record 3 is zero
        assert!(BatchData::from_published(&more, &fx).is_err());
        let mut tail = blob.clone();
        tail.extend([0, 1]);
        assert!(BatchData::from_published(&tail, &fx).is_err());
        assert!(BatchData::from_published(&blob, &fx[..63]).is_err());
        assert!(BatchData::from_published(&blob[..40], &fx).is_err());
        assert!(BatchData::new(0, vec![], vec![d.effects[0]; 17]).is_err());
    }
}
