//! Shared pieces of zkroll's fuzz targets (docs/fuzzing.md): an allocation guard, seed
//! corpora generated from the project's own encoders, checksum fix-ups that let the fuzzer
//! reach the decoders behind a file's SHA-256, and small fixtures (keys, a tiny plonky2
//! circuit).

pub mod seeds;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use sha2::{Digest, Sha256};

/// Records the largest single allocation since the last [`reset_largest_allocation`].
pub struct MaxAlloc;

static LARGEST: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every method forwards to `System` with the caller's arguments unchanged; the only
// addition is an atomic store, which never allocates.
unsafe impl GlobalAlloc for MaxAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LARGEST.fetch_max(layout.size(), Ordering::Relaxed);
        // SAFETY: the caller's contract for `alloc` is passed on unchanged.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        LARGEST.fetch_max(layout.size(), Ordering::Relaxed);
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `System` (through this allocator) with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LARGEST.fetch_max(new_size, Ordering::Relaxed);
        // SAFETY: as for `dealloc`; `new_size` is the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOC: MaxAlloc = MaxAlloc;

/// Forgets the allocations made so far.
pub fn reset_largest_allocation() {
    LARGEST.store(0, Ordering::Relaxed);
}

/// The largest single allocation since the last reset.
pub fn largest_allocation() -> usize {
    LARGEST.load(Ordering::Relaxed)
}

/// No decoder may allocate more at once than this for an input of `len` bytes: a fixed
/// 64 MiB for the decoders' own tables, plus 64 bytes per input byte (decoded structures are
/// larger than their encoding). A length prefix honoured before it is checked against the
/// input (the bug class this guards) allocates up to a format's whole cap, 64 MiB – 4 GiB.
pub fn allocation_budget(len: usize) -> usize {
    (64 << 20) + 64 * len
}

/// Runs `f` on `data` and panics (a libFuzzer crash) if any single allocation exceeded
/// [`allocation_budget`].
pub fn guarded<T>(data: &[u8], f: impl FnOnce(&[u8]) -> T) -> T {
    reset_largest_allocation();
    let out = f(data);
    let largest = largest_allocation();
    assert!(
        largest <= allocation_budget(data.len()),
        "a {}-byte input made a {largest}-byte allocation",
        data.len()
    );
    out
}

/// `magic ‖ version u32 BE ‖ sha256(payload) ‖ payload`: the envelope of `ZKRB` batch proofs,
/// `ZKRT` rollup proofs and (with a `.g16` body) `ZKRW` files, with a correct checksum so
/// that fuzzed payloads reach the decoder behind it.
pub fn checksummed(magic: [u8; 4], version: u32, payload: &[u8]) -> Vec<u8> {
    let mut out = magic.to_vec();
    out.extend(version.to_be_bytes());
    out.extend(Sha256::digest(payload));
    out.extend(payload);
    out
}

/// Splits a fuzz input into a selector byte and the rest (`(0, [])` for an empty input).
pub fn split_selector(data: &[u8]) -> (u8, &[u8]) {
    match data.split_first() {
        Some((s, rest)) => (*s, rest),
        None => (0, data),
    }
}
