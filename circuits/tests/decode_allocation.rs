//! Decoders reject a length prefix larger than their input before allocating it
//! (docs/formats.md §7, found by the `batch_decode` / `snapshot` fuzz targets, docs/fuzzing.md).
//!
//! A counting global allocator records the largest single allocation made on the current
//! thread; a few-byte file that announces a 512 MiB byte string must fail without any
//! allocation near that size.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use zkroll_circuits::batch::Batch;
use zkroll_circuits::error::BatchError;
use zkroll_circuits::state::StateTree;

struct MaxAlloc;

thread_local! {
    static LARGEST: Cell<usize> = const { Cell::new(0) };
}

fn record(size: usize) {
    // `try_with`: the slot may already be gone while a thread is being torn down.
    let _ = LARGEST.try_with(|m| m.set(m.get().max(size)));
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged; the only
// addition is a store into a const-initialised thread-local `Cell`, which never allocates.
unsafe impl GlobalAlloc for MaxAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        record(layout.size());
        // SAFETY: the caller's contract for `alloc` is passed on unchanged.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        record(layout.size());
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `System` (through this allocator) with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        record(new_size);
        // SAFETY: as for `dealloc`; `new_size` is the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOC: MaxAlloc = MaxAlloc;

/// Runs `f` and returns its result with the largest single allocation it made.
fn largest_allocation<T>(f: impl FnOnce() -> T) -> (T, usize) {
    LARGEST.with(|m| m.set(0));
    let out = f();
    (out, LARGEST.with(|m| m.get()))
}

/// bincode 2 varint of a u32 above `u16::MAX`: `0xfc` then 4 bytes little-endian.
fn varint_u32(v: u32) -> Vec<u8> {
    let mut out = vec![0xfc];
    out.extend(v.to_le_bytes());
    out
}

const ANNOUNCED: u32 = 512 << 20;
/// Far below the announced length, far above anything a 50-byte input needs.
const BOUND: usize = 1 << 20;

fn assert_rejected_small(what: &str, r: Result<impl std::fmt::Debug, BatchError>, largest: usize) {
    let e = r.expect_err(what);
    assert!(matches!(e, BatchError::Bincode(_)), "{what}: {e}");
    assert!(
        largest < BOUND,
        "{what}: allocated {largest} bytes for a {ANNOUNCED}-byte length prefix"
    );
}

#[test]
fn oversized_length_prefixes_fail_before_allocating() {
    // Batch: version 2, chain id 0, then the 20-byte rollup address announced as 512 MiB.
    let mut rollup = b"ZKRB".to_vec();
    rollup.extend([2, 0]);
    rollup.extend(varint_u32(ANNOUNCED));
    rollup.extend([0; 8]);
    let (r, largest) = largest_allocation(|| Batch::from_bytes(&rollup));
    assert_rejected_small("batch rollup address", r, largest);

    // Batch with a snapshot pre-state whose path is announced as 512 MiB.
    let mut path = b"ZKRB".to_vec();
    path.extend([2, 0, 20]);
    path.extend([0; 20]);
    path.extend([0, 1]); // operator 0, pre_state variant 1 (snapshot)
    path.extend(varint_u32(ANNOUNCED));
    path.extend(b"x.snap");
    let (r, largest) = largest_allocation(|| Batch::from_bytes(&path));
    assert_rejected_small("batch snapshot path", r, largest);

    // Batch whose one transfer's signature is announced as 512 MiB.
    let mut sig = b"ZKRB".to_vec();
    sig.extend([2, 0, 20]);
    sig.extend([0; 20]);
    sig.extend([0, 0, 0]); // operator, genesis, no accounts
    sig.extend([1, 1]); // one tx: transfer
    sig.extend([0, 1, 0, 0, 0]); // from, to, amount, fee, nonce
    sig.push(40);
    sig.extend([0; 40]);
    sig.extend(varint_u32(ANNOUNCED));
    let (r, largest) = largest_allocation(|| Batch::from_bytes(&sig));
    assert_rejected_small("transfer signature", r, largest);

    // Snapshot whose root is announced as 512 MiB.
    let mut snap = b"ZKRS".to_vec();
    snap.push(2);
    snap.extend(varint_u32(ANNOUNCED));
    snap.extend([0; 32]);
    let (r, largest) = largest_allocation(|| StateTree::from_snapshot_bytes(&snap));
    assert_rejected_small("snapshot root", r, largest);
}

#[test]
fn snapshots_with_trailing_bytes_are_rejected() {
    let mut bytes = StateTree::new().to_snapshot_bytes();
    assert!(StateTree::from_snapshot_bytes(&bytes).is_ok());
    bytes.push(0);
    let e = StateTree::from_snapshot_bytes(&bytes).unwrap_err();
    assert!(e.to_string().contains("trailing"), "{e}");
}

#[test]
fn snapshots_listing_accounts_out_of_order_are_rejected() {
    use zkroll_circuits::state::Account;
    let pk = zkroll_circuits::schnorr::SecretKey::from_seed(&[1; 32])
        .public_key()
        .pkhash();
    let tree = StateTree::from_accounts([
        (3, Account::new(pk, [1; 20])),
        (7, Account::new(pk, [2; 20])),
    ])
    .unwrap();
    let bytes = tree.to_snapshot_bytes();
    assert!(StateTree::from_snapshot_bytes(&bytes).is_ok());
    // Each account is index (1 byte varint) ‖ pkhash (1 + 32) ‖ balance ‖ nonce ‖ owner
    // (1 + 20), 57 bytes here; the list starts after magic, version, root and its length.
    let start = 4 + 1 + 33 + 1;
    let (a, b) = bytes[start..].split_at(57);
    assert_eq!((a[0], b[0]), (3, 7));
    let swapped = [&bytes[..start], b, a].concat();
    let e = StateTree::from_snapshot_bytes(&swapped).unwrap_err();
    assert!(
        matches!(
            e,
            BatchError::UnsortedSnapshot {
                index: 3,
                previous: 7,
                ..
            }
        ),
        "{e}"
    );
}
