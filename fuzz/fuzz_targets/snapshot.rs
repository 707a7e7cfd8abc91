//! State snapshot files (docs/formats.md §7): any input gives a state or a typed error; an
//! accepted snapshot's root is the recomputed root of its accounts, and its re-encoding
//! decodes to the same state. (Bytes are not compared: bincode accepts non-minimal varints.)
#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use zkroll::StateTree;
use zkroll_fuzz::{guarded, seeds};

fuzz_target!(init: seeds::write_if_asked(seeds::snapshots), |data: &[u8]| {
    let Ok(tree) = guarded(data, StateTree::from_snapshot_bytes) else {
        return;
    };
    assert_eq!(tree.root(), tree.recompute_root(), "cached root");
    let again = StateTree::from_snapshot_bytes(&tree.to_snapshot_bytes()).expect("re-decodes");
    assert_eq!(again.root(), tree.root());
    let sorted = |t: &StateTree| t.accounts().map(|(i, a)| (i, *a)).collect::<BTreeMap<_, _>>();
    assert_eq!(sorted(&again), sorted(&tree), "same accounts");
});
