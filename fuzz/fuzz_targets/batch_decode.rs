//! Batch files (docs/formats.md §7), both encodings: any input gives a batch or a typed
//! error, never a panic or an allocation beyond the input's size; an accepted batch
//! re-encodes to a file that decodes to the same batch, in both encodings.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zkroll::{Batch, Format};
use zkroll_fuzz::{guarded, seeds};

fuzz_target!(init: seeds::write_if_asked(seeds::batch_files), |data: &[u8]| {
    let Ok(batch) = guarded(data, Batch::from_bytes) else {
        return;
    };
    for format in [Format::Json, Format::Bincode] {
        let again = Batch::from_bytes(&batch.to_bytes(format))
            .unwrap_or_else(|e| panic!("{format:?} re-encoding of an accepted batch: {e}"));
        assert_eq!(again, batch, "{format:?} round trip");
    }
});
