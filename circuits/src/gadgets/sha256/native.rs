//! Native twin of the SHA-256 gadget (FIPS 180-4): the compression function with an explicit
//! chaining value and the padding, so that the circuit's block-by-block hashing can be
//! reproduced outside the circuit. Checked against the `sha2` crate in the tests.

/// The initial chaining value `H(0)` (FIPS 180-4 §5.3.3).
pub const IV: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

/// The round constants `K_0..K_63` (FIPS 180-4 §4.2.2).
pub const K: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

/// The 16 big-endian words of a 64-byte block.
pub fn block_words(block: &[u8; 64]) -> [u32; 16] {
    core::array::from_fn(|i| u32::from_be_bytes(block[4 * i..4 * i + 4].try_into().unwrap()))
}

/// One application of the compression function: the chaining value after `block`.
pub fn compress(state: [u32; 8], block: &[u32; 16]) -> [u32; 8] {
    let mut w = [0u32; 64];
    w[..16].copy_from_slice(block);
    for t in 16..64 {
        let s0 = w[t - 15].rotate_right(7) ^ w[t - 15].rotate_right(18) ^ (w[t - 15] >> 3);
        let s1 = w[t - 2].rotate_right(17) ^ w[t - 2].rotate_right(19) ^ (w[t - 2] >> 10);
        w[t] = s1
            .wrapping_add(w[t - 7])
            .wrapping_add(s0)
            .wrapping_add(w[t - 16]);
    }
    let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut h] = state;
    for t in 0..64 {
        let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
        let ch = (e & f) ^ (!e & g);
        let t1 = h
            .wrapping_add(s1)
            .wrapping_add(ch)
            .wrapping_add(K[t])
            .wrapping_add(w[t]);
        let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
        let maj = (a & b) ^ (a & c) ^ (b & c);
        let t2 = s0.wrapping_add(maj);
        h = g;
        g = f;
        f = e;
        e = d.wrapping_add(t1);
        d = c;
        c = b;
        b = a;
        a = t1.wrapping_add(t2);
    }
    let out = [a, b, c, d, e, f, g, h];
    core::array::from_fn(|i| state[i].wrapping_add(out[i]))
}

/// The padding appended to a message of `len` bytes: `0x80`, zeros, the 64-bit big-endian
/// bit length; `len + padding(len).len()` is a multiple of 64.
pub fn padding(len: u64) -> Vec<u8> {
    let zeros = (55u64.wrapping_sub(len % 64)) % 64;
    let mut p = vec![0x80];
    p.extend(std::iter::repeat_n(0u8, zeros as usize));
    p.extend((len.wrapping_mul(8)).to_be_bytes());
    p
}

/// Hashes `msg` block by block from `state` (`msg.len()` a multiple of 64).
pub fn compress_blocks(mut state: [u32; 8], msg: &[u8]) -> [u32; 8] {
    assert_eq!(msg.len() % 64, 0, "whole blocks only");
    for block in msg.chunks_exact(64) {
        state = compress(state, &block_words(block.try_into().unwrap()));
    }
    state
}

/// The digest bytes of a chaining value (words big-endian).
pub fn digest_bytes(state: [u32; 8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (i, w) in state.iter().enumerate() {
        out[4 * i..4 * i + 4].copy_from_slice(&w.to_be_bytes());
    }
    out
}

/// SHA-256 of `msg` through [`compress`] and [`padding`].
pub fn sha256(msg: &[u8]) -> [u8; 32] {
    let mut m = msg.to_vec();
    m.extend(padding(msg.len() as u64));
    digest_bytes(compress_blocks(IV, &m))
}

#[cfg(test)]
mod tests {
    use sha2::Digest;

    use super::*;

    #[test]
    fn native_matches_sha2() {
        for len in [0usize, 1, 3, 55, 56, 63, 64, 65, 119, 120, 1000] {
            let msg: Vec<u8> = (0..len).map(|i| (i * 31 + 7) as u8).collect();
            let expect: [u8; 32] = sha2::Sha256::digest(&msg).into();
            assert_eq!(sha256(&msg), expect, "len {len}");
            assert_eq!((len as u64 + padding(len as u64).len() as u64) % 64, 0);
        }
    }
}
