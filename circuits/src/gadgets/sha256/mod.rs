//! SHA-256 (FIPS 180-4) in circuit, block by block with an explicit chaining value.
//!
//! The chaining value is 8 u32 targets; [`CircuitBuilderSha256::sha256_compress`] maps
//! `(state, 16 message words) → state'`, so a long message (e.g. the L1-effects list, one
//! 64-byte effect per block) can be hashed block by block, even across several proofs.
//! [`CircuitBuilderSha256::sha256_maybe_compress`] with `cond = 0` leaves the chain
//! unchanged (a conditional block). The last proof appends the padding with [`CircuitBuilderSha256::sha256_finalize`]
//! (message length known when the circuit is built) or
//! [`CircuitBuilderSha256::sha256_finalize_blocks`] (block-aligned message whose number of
//! blocks is a witness).
//!
//! Representation: every word that enters a non-linear function is decomposed into 32 bits
//! with a `BaseSumGate<2>` row (which also range-checks it `< 2^32`); Σ0, Σ1, σ0, σ1 of a
//! word and Ch, Maj of 8-bit chunks are single ops of the custom [`gate::ShaBitGate`], which
//! reads the (boolean) bits and writes the packed result; sums mod 2^32 are computed in the
//! field (no wrap: at most 7 terms `< 2^32`) and decomposed into 35 bits, of which the low 32
//! are kept. (A first version computing XOR/Ch/Maj bit by bit with `ArithmeticGate`
//! operations cost 2 600 rows per block; see docs/circuits.md.) Every output word is therefore canonical (`< 2^32`), and so are
//! the input words (range-checked on entry). The native twin is [`native`].

pub mod gate;
pub mod native;

use plonky2::field::extension::Extendable;
use plonky2::hash::hash_types::RichField;
use plonky2::iop::target::{BoolTarget, Target};
use plonky2::plonk::circuit_builder::CircuitBuilder;

use crate::gadgets::range::CircuitBuilderRange;
use gate::{BitFn, BIG_SIGMA0, BIG_SIGMA1, CHUNK_BITS, SMALL_SIGMA0, SMALL_SIGMA1};

/// A SHA-256 chaining value in circuit: 8 words, each `< 2^32` when produced by this module.
pub type Sha256StateTarget = [Target; 8];

/// A 32-bit word: its bits (least significant first, boolean-constrained) and its value.
#[derive(Clone, Copy, Debug)]
struct Word {
    bits: [BoolTarget; 32],
    packed: Target,
}

/// SHA-256 gadgets.
pub trait CircuitBuilderSha256<F: RichField + Extendable<D>, const D: usize> {
    /// The initial chaining value `H(0)` as constants.
    fn sha256_iv(&mut self) -> Sha256StateTarget;

    /// One compression: the chaining value after the block `block` (16 big-endian words).
    /// Constrains every input word `< 2^32`; the output words are `< 2^32`.
    fn sha256_compress(
        &mut self,
        state: &Sha256StateTarget,
        block: &[Target; 16],
    ) -> Sha256StateTarget;

    /// `cond ? compress(state, block) : state`. The block words must still be `< 2^32`
    /// (use zeros in a no-op slot).
    fn sha256_maybe_compress(
        &mut self,
        cond: BoolTarget,
        state: &Sha256StateTarget,
        block: &[Target; 16],
    ) -> Sha256StateTarget;

    /// The 16 words of a 64-byte block. Precondition: each byte is `< 256` (e.g. from
    /// `CircuitBuilderRange::u32_to_be_bytes` or `range_check_byte`).
    fn sha256_block_from_bytes(&mut self, bytes: &[Target]) -> [Target; 16];

    /// Finishes a message of `total_len` bytes whose whole blocks have already been
    /// compressed into `state`: `tail` holds the last `total_len % 64` bytes (each `< 256`).
    /// Appends the padding (one or two blocks) and returns the final chaining value.
    ///
    /// Panics (at circuit-build time) if `tail.len() != total_len % 64`.
    fn sha256_finalize(
        &mut self,
        state: &Sha256StateTarget,
        tail: &[Target],
        total_len: u64,
    ) -> Sha256StateTarget;

    /// Finishes a block-aligned message of `num_blocks` 64-byte blocks (a witness,
    /// constrained `< 2^32`) already compressed into `state`: compresses the padding block
    /// `0x80 ‖ 0… ‖ (512·num_blocks as u64 BE)`.
    fn sha256_finalize_blocks(
        &mut self,
        state: &Sha256StateTarget,
        num_blocks: Target,
    ) -> Sha256StateTarget;

    /// SHA-256 of a message of known length (bytes, each `< 256`): the final chaining value.
    fn sha256(&mut self, msg: &[Target]) -> Sha256StateTarget;

    /// The 32 digest bytes of a chaining value (words big-endian).
    fn sha256_digest_bytes(&mut self, state: &Sha256StateTarget) -> [Target; 32];
}

impl<F: RichField + Extendable<D>, const D: usize> CircuitBuilderSha256<F, D>
    for CircuitBuilder<F, D>
{
    fn sha256_iv(&mut self) -> Sha256StateTarget {
        native::IV.map(|w| self.constant(F::from_canonical_u32(w)))
    }

    fn sha256_compress(
        &mut self,
        state: &Sha256StateTarget,
        block: &[Target; 16],
    ) -> Sha256StateTarget {
        compress(self, state, block)
    }

    fn sha256_maybe_compress(
        &mut self,
        cond: BoolTarget,
        state: &Sha256StateTarget,
        block: &[Target; 16],
    ) -> Sha256StateTarget {
        let next = compress(self, state, block);
        core::array::from_fn(|i| self.select(cond, next[i], state[i]))
    }

    fn sha256_block_from_bytes(&mut self, bytes: &[Target]) -> [Target; 16] {
        assert_eq!(bytes.len(), 64, "a SHA-256 block is 64 bytes");
        core::array::from_fn(|i| {
            let w: [Target; 4] = bytes[4 * i..4 * i + 4].try_into().unwrap();
            self.be_bytes_to_u32(&w)
        })
    }

    fn sha256_finalize(
        &mut self,
        state: &Sha256StateTarget,
        tail: &[Target],
        total_len: u64,
    ) -> Sha256StateTarget {
        assert_eq!(
            tail.len() as u64,
            total_len % 64,
            "tail must hold the last total_len % 64 bytes"
        );
        let mut bytes = tail.to_vec();
        for b in native::padding(total_len) {
            bytes.push(self.constant(F::from_canonical_u8(b)));
        }
        let mut st = *state;
        for block in bytes.chunks_exact(64) {
            let words = self.sha256_block_from_bytes(block);
            st = compress(self, &st, &words);
        }
        st
    }

    fn sha256_finalize_blocks(
        &mut self,
        state: &Sha256StateTarget,
        num_blocks: Target,
    ) -> Sha256StateTarget {
        // bit length = num_blocks · 2^9: hi = num_blocks >> 23, lo = (num_blocks · 2^9) mod 2^32.
        let bits = self.range_check_u32(num_blocks);
        let len_hi = self.le_sum(bits[23..].iter());
        let scaled = self.mul_const(F::from_canonical_u32(1 << 9), num_blocks);
        let len_lo = self.mul_const_add(-F::from_canonical_u64(1 << 32), len_hi, scaled);
        let zero = self.zero();
        let mut words = [zero; 16];
        words[0] = self.constant(F::from_canonical_u32(0x8000_0000));
        words[14] = len_hi;
        words[15] = len_lo;
        compress(self, state, &words)
    }

    fn sha256(&mut self, msg: &[Target]) -> Sha256StateTarget {
        let whole = msg.len() - msg.len() % 64;
        let mut st = self.sha256_iv();
        for block in msg[..whole].chunks_exact(64) {
            let words = self.sha256_block_from_bytes(block);
            st = compress(self, &st, &words);
        }
        self.sha256_finalize(&st, &msg[whole..], msg.len() as u64)
    }

    fn sha256_digest_bytes(&mut self, state: &Sha256StateTarget) -> [Target; 32] {
        let mut out = Vec::with_capacity(32);
        for &w in state {
            out.extend(self.u32_to_be_bytes(w));
        }
        out.try_into().unwrap()
    }
}

/// Decomposes `x` into 32 bits (constraining `x < 2^32`).
fn word<F: RichField + Extendable<D>, const D: usize>(
    b: &mut CircuitBuilder<F, D>,
    x: Target,
) -> Word {
    let bits = b.split_le(x, 32).try_into().unwrap();
    Word { bits, packed: x }
}

/// `(Σ terms) mod 2^32` as a word, where the terms add up to at most `summands` values
/// `< 2^32` (`summands ≤ 8`), so the sum has at most 35 bits and cannot wrap mod p; its
/// decomposition is unique.
fn add_mod_2_32<F: RichField + Extendable<D>, const D: usize>(
    b: &mut CircuitBuilder<F, D>,
    terms: &[Target],
    summands: usize,
) -> Word {
    debug_assert!((terms.len()..=8).contains(&summands));
    let sum = b.add_many(terms.iter().copied());
    let carry_bits = (usize::BITS - (summands - 1).leading_zeros()) as usize;
    let all = b.split_le(sum, 32 + carry_bits);
    let carry = b.le_sum(all[32..].iter());
    let packed = b.mul_const_add(-F::from_canonical_u64(1 << 32), carry, sum);
    Word {
        bits: all[..32].try_into().unwrap(),
        packed,
    }
}

/// A Σ/σ function of `w`, packed (one op of a [`gate::ShaBitGate`], half a row).
fn sigma<F: RichField + Extendable<D>, const D: usize>(
    b: &mut CircuitBuilder<F, D>,
    f: BitFn,
    w: &Word,
) -> Target {
    let ins: Vec<Target> = w.bits.iter().map(|t| t.target).collect();
    gate::add_bit_op(b, f, &ins)
}

/// `Ch` or `Maj` of three words, packed: four 8-bit ops recombined with weights `2^{8j}`.
fn chunked<F: RichField + Extendable<D>, const D: usize>(
    b: &mut CircuitBuilder<F, D>,
    f: BitFn,
    x: &Word,
    y: &Word,
    z: &Word,
) -> Target {
    let mut acc = b.zero();
    for j in (0..32 / CHUNK_BITS).rev() {
        let range = j * CHUNK_BITS..(j + 1) * CHUNK_BITS;
        let ins: Vec<Target> = [x, y, z]
            .iter()
            .flat_map(|w| w.bits[range.clone()].iter().map(|t| t.target))
            .collect();
        let part = gate::add_bit_op(b, f, &ins);
        acc = b.mul_const_add(F::from_canonical_u64(1 << CHUNK_BITS), acc, part);
    }
    acc
}

/// The compression function (FIPS 180-4 §6.2.2).
fn compress<F: RichField + Extendable<D>, const D: usize>(
    b: &mut CircuitBuilder<F, D>,
    state: &Sha256StateTarget,
    block: &[Target; 16],
) -> Sha256StateTarget {
    // Message schedule.
    let mut w: Vec<Word> = block.iter().map(|&x| word(b, x)).collect();
    for t in 16..64 {
        let s0 = sigma(b, SMALL_SIGMA0, &w[t - 15]);
        let s1 = sigma(b, SMALL_SIGMA1, &w[t - 2]);
        let next = add_mod_2_32(b, &[s1, w[t - 7].packed, s0, w[t - 16].packed], 4);
        w.push(next);
    }
    let init: Vec<Word> = state.iter().map(|&x| word(b, x)).collect();
    let [mut va, mut vb, mut vc, mut vd, mut ve, mut vf, mut vg, mut vh]: [Word; 8] =
        init.clone().try_into().unwrap();
    for (t, wt) in w.iter().enumerate() {
        let s1 = sigma(b, BIG_SIGMA1, &ve);
        let ch = chunked(b, BitFn::Ch, &ve, &vf, &vg);
        let k = b.constant(F::from_canonical_u32(native::K[t]));
        let s0 = sigma(b, BIG_SIGMA0, &va);
        let mj = chunked(b, BitFn::Maj, &va, &vb, &vc);
        // t1 is a sum of 5 words, so e' sums 6 and a' sums 7 words.
        let t1 = b.add_many([vh.packed, s1, ch, k, wt.packed]);
        let new_e = add_mod_2_32(b, &[vd.packed, t1], 6);
        let new_a = add_mod_2_32(b, &[t1, s0, mj], 7);
        vh = vg;
        vg = vf;
        vf = ve;
        ve = new_e;
        vd = vc;
        vc = vb;
        vb = va;
        va = new_a;
    }
    let fin = [va, vb, vc, vd, ve, vf, vg, vh];
    core::array::from_fn(|i| add_mod_2_32(b, &[init[i].packed, fin[i].packed], 2).packed)
}

#[cfg(test)]
mod tests;
