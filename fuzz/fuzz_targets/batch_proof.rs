//! `BatchProof` bytes (zkroll-prover, `ZKRB` v1): selector bit 0 clear feeds the input as a
//! whole file; set, the input is the bincode payload, wrapped with a correct checksum so
//! that the fuzzer reaches the decoder. An accepted proof re-encodes to bytes that decode to
//! the same value (bincode accepts non-minimal varints, so bytes are not compared).
#![no_main]

use libfuzzer_sys::fuzz_target;
use zkroll::prover::batch::{BATCH_MAGIC, BATCH_VERSION};
use zkroll::prover::BatchProof;
use zkroll_fuzz::{checksummed, guarded, seeds, split_selector};

fn seed_files() -> Vec<Vec<u8>> {
    let file = seeds::batch_proof().to_bytes().expect("encodes");
    vec![
        [&[0u8][..], &file].concat(),
        [&[1u8][..], &file[40..]].concat(),
    ]
}

fuzz_target!(init: seeds::write_if_asked(seed_files), |data: &[u8]| {
    let (sel, rest) = split_selector(data);
    let file = if sel & 1 == 0 {
        rest.to_vec()
    } else {
        checksummed(BATCH_MAGIC, BATCH_VERSION, rest)
    };
    let Ok(bp) = guarded(&file, BatchProof::from_bytes) else {
        return;
    };
    let again = BatchProof::from_bytes(&bp.to_bytes().expect("re-encodes")).expect("re-decodes");
    assert_eq!(again, bp);
});
