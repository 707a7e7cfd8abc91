//! A fast, non-cryptographic hasher for the tree's `u32` node keys (keys are operator-chosen
//! indices, so HashDoS resistance is not needed; speed and memory are).

use std::hash::{BuildHasherDefault, Hasher};

/// Multiplicative (Fx-style) hasher for integer keys.
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

const K: u64 = 0xf135_7aea_2e62_a9c5;

impl Hasher for FxHasher {
    fn finish(&self) -> u64 {
        // Rotate so that hashbrown's top-7-bit tags and low-bit buckets both see mixed bits.
        self.0.rotate_left(26)
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(b as u64);
        }
    }
    fn write_u32(&mut self, i: u32) {
        self.write_u64(i as u64);
    }
    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0.rotate_left(5) ^ i).wrapping_mul(K);
    }
}

/// `HashMap` keyed by integers with [`FxHasher`].
pub type FxHashMap<K, V> = std::collections::HashMap<K, V, BuildHasherDefault<FxHasher>>;
