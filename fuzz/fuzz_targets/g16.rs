//! `.g16` Groth16 proof files (`zkroll wrap`'s output, `ZKRW` v2, docs/formats.md §9) and
//! the compressed Groth16 proof inside. Selector bit 0 clear: the input is the whole file;
//! set: the input is the body, behind a correct checksum. An accepted file is canonical.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zkroll::aggregator::groth16::{proof_from_bytes, proof_to_bytes};
use zkroll::aggregator::wrap::{WRAPPED_MAGIC, WRAPPED_VERSION};
use zkroll::WrappedBatch;
use zkroll_fuzz::{checksummed, guarded, seeds, split_selector};

fn seed_files() -> Vec<Vec<u8>> {
    let file = seeds::wrapped_batch().to_bytes();
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
        checksummed(WRAPPED_MAGIC, WRAPPED_VERSION, rest)
    };
    let Ok(w) = guarded(&file, WrappedBatch::from_bytes) else {
        return;
    };
    assert_eq!(w.to_bytes(), file, "canonical");
    assert!(w.digest[0] < 0x20, "digest < 2^253");
    let _ = w.public_input();
    if let Ok(p) = guarded(&w.proof, proof_from_bytes) {
        // Compressed encodings are canonical: what decodes re-encodes to the same bytes.
        assert_eq!(proof_to_bytes(&p).expect("re-encodes"), w.proof);
    }
});
