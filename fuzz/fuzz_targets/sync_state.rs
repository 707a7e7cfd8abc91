//! Sync state files (`zkroll sync`, docs/formats.md §7): any input gives a state or a typed
//! error; an accepted file re-encodes to a file that decodes to the same state.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zkroll::sync::SyncState;
use zkroll_fuzz::{guarded, seeds};

fuzz_target!(init: seeds::write_if_asked(seeds::sync_states), |data: &[u8]| {
    let Ok(st) = guarded(data, |d| SyncState::from_bytes(d, "fuzz.sync")) else {
        return;
    };
    let again = SyncState::from_bytes(&st.to_bytes(), "again").expect("re-decodes");
    assert_eq!(
        (again.chain_id, again.rollup, again.batch, again.block),
        (st.chain_id, st.rollup, st.batch, st.block)
    );
    assert_eq!(again.state.root(), st.state.root());
});
