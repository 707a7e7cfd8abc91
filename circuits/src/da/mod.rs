//! Batch data for data availability (`docs/formats.md` §4): packed amounts, the blob
//! records and the data commitment `dc`, the 64-byte L1 effects and their chain `ec`, and
//! the blob data layout (header + two records per blob element).
//!
//! Everything here is native; the leaf circuit computes the same chains in circuit and the
//! top step recomputes them from the data it evaluates and hashes.

mod apply;
mod chain;
mod data;
mod effect;
mod error;
mod packed;
mod record;

pub use apply::apply_batch_data;
pub use chain::{data_commitment, data_step, effects_commitment, effects_hash, effects_step};
pub use data::{BatchData, BLOB_DATA_VERSION, HEADER_BYTES, MAX_BATCH_RECORDS, MAX_EFFECTS};
pub use effect::{Effect, EFFECT_BYTES};
pub use error::DaError;
pub use packed::{
    pack, pack_amount, pack_fee, unpack, unpack_amount, unpack_fee, AMOUNT_MANTISSA_BITS,
    FEE_MANTISSA_BITS, MAX_EXPONENT,
};
pub use record::{Record, RECORD_BITS};
