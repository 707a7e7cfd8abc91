//! Schnorr verification over ECgFp5 in a circuit, twin of [`crate::schnorr`]
//! (scheme in `docs/formats.md` §6).
//!
//! [`CircuitBuilderSchnorr::verify_schnorr`] constrains, for public-key limbs `w(Q)`, message
//! `m` and signature `(e, s)`:
//! 1. `w(Q)` decodes to a non-neutral group element `Q` ([`CircuitBuilderEcGFp5::ec_decode`]);
//! 2. the bits of `e` and `s` are the ladder gate's bit wires (boolean, enforced by the gate),
//!    which also accumulates them into 32-bit chunks (the gate's scalar accumulators, restarted
//!    every 16 rows): two chunks `lo + 2^32·hi` make each limb `eᵢ`, whose value is canonical
//!    (`hi = 2^32 − 1 ⇒ lo = 0`, so `< p`), and ten chunks are the u32 limbs of `s`, with
//!    `s < n` (a borrow chain on `n − 1 − s`);
//! 3. `R' = s·G + e·Q` by a joint bit-by-bit ladder over 256 positions, most significant
//!    first, `acc ← 2·acc + T_Q[eᵢ] + T_G[sᵢ, s_{256+i}]`, two positions per row of the custom
//!    [`EcLadderGate`] (128 rows): `s = s_lo + 2^256·s_hi` (`s_hi < 2^64`, zero bits above),
//!    `T_G[a, b] = a·G + b·G' + 2H` with `G' = 2^256·G` are constants of the gate, and
//!    `T_Q[0] = H` (a gate constant), `T_Q[1] = Q + H` (computed once, routed to every row);
//! 4. `Poseidon(w(R') ‖ w(Q) ‖ m) = e`.
//!
//! Affine additions must never meet `P = ±Q` (the chord formula requires `X_P ≠ X_Q`); the
//! ladder gate and [`ec_add`](CircuitBuilderEcGFp5::ec_add) *enforce* it, so an exceptional
//! case can only make proving fail, never let a slope float: every accepted proof computes
//! exactly `s·G + e·Q`. To keep honest proofs away from those cases, every table entry carries
//! an offset: `T_Q[·] = … + H`, `T_G[·] = … + 2H`, and the ladder starts at `4H` (`8H` after
//! its first doubling), where `H` is a point of unknown discrete logarithm (hash-to-curve,
//! [`offset_point`]). Before each addition the accumulator is `α·H + (…)·G + (…)·Q` with
//! `α ≥ 8` (and `α < 2^259 < n`), which differs from the entries' `1, 2`, so a collision
//! would reveal a discrete-logarithm relation with `H`. The offset `α·H` is removed by one last
//! addition of the constant `−α·H` (which fails only if `R'` is the neutral element, which
//! native verification also rejects).
//!
//! Rows (standard recursion config): see `docs/circuits.md`; reproduce with
//! `cargo run -p zkroll-circuits --example schnorr_rows`.

use std::sync::OnceLock;

use anyhow::Result;
use num_bigint::BigUint;
use plonky2::field::types::{Field, PrimeField64};
use plonky2::hash::hash_types::HashOutTarget;
use plonky2::hash::hashing::hash_n_to_m_no_pad;
use plonky2::hash::poseidon::{PoseidonHash, PoseidonPermutation};
use plonky2::iop::generator::{GeneratedValues, SimpleGenerator};
use plonky2::iop::target::{BoolTarget, Target};
use plonky2::iop::witness::{PartitionWitness, Witness, WitnessWrite};
use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::circuit_data::CommonCircuitData;
use plonky2::util::serialization::{Buffer, IoResult, Read, Write};

use super::ecgfp5::ladder::{
    bit_wire, scalar_in, scalar_out, EcLadderGate, ACC_IN, ACC_OUT, QH, STEPS,
};
use super::ecgfp5::{CircuitBuilderEcGFp5, Fp5Target, PointTarget};
use crate::ecgfp5::field::fp5;
use crate::ecgfp5::scalar::ORDER_LIMBS;
use crate::ecgfp5::{Point, Scalar};
use crate::schnorr::Signature;
use crate::{D, F};

/// Domain tag of the offset point `H`.
const TAG_OFFSET: u64 = 0x7a6b_726c_6f66; // "zkrlof"

/// Bit positions of the ladder (`e` and `s_lo = s mod 2^256` have 256 bits).
const BITS: usize = 256;
/// Bits of `s_hi = s >> 256` (`s < n < 2^320`).
const HI_BITS: usize = 64;
/// The ladder starts at `START_MULTIPLE·H` (doubled before the first additions).
const START_MULTIPLE: u64 = 4;

/// A signature in a circuit: `e` as its 4 Goldilocks limbs, `s` as ten u32 limbs (least
/// significant first). [`verify_schnorr`](CircuitBuilderSchnorr::verify_schnorr) range-checks
/// all of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignatureTarget {
    /// Challenge limbs.
    pub e: [Target; 4],
    /// Response `s`, u32 limbs, little-endian.
    pub s: [Target; 10],
}

/// Sets a [`SignatureTarget`] to `sig`.
pub fn set_signature_target(
    witness: &mut impl WitnessWrite<F>,
    target: &SignatureTarget,
    sig: &Signature,
) -> Result<()> {
    witness.set_target_arr(&target.e, &sig.e())?;
    set_s_limbs(witness, target, &sig.s().to_biguint())
}

/// Sets the `s` limbs of a [`SignatureTarget`] to an arbitrary integer `< 2^320` (tests use it
/// to present a non-canonical `s ≥ n`).
pub fn set_s_limbs(
    witness: &mut impl WitnessWrite<F>,
    target: &SignatureTarget,
    s: &BigUint,
) -> Result<()> {
    let mut digits = s.to_u32_digits();
    anyhow::ensure!(digits.len() <= 10, "s does not fit in ten u32 limbs");
    digits.resize(10, 0);
    for (t, d) in target.s.iter().zip(digits) {
        witness.set_target(*t, F::from_canonical_u32(d))?;
    }
    Ok(())
}

/// The offset point `H`: the first `w = Poseidon₅(TAG_OFFSET, i)` (five output limbs,
/// `i = 0, 1, …`) that decodes to a non-neutral element. Nobody knows its discrete logarithm.
pub fn offset_point() -> Point {
    (0u64..)
        .find_map(|i| {
            let w = hash_n_to_m_no_pad::<F, PoseidonPermutation<F>>(
                &[F::from_canonical_u64(TAG_OFFSET), F::from_canonical_u64(i)],
                5,
            );
            Point::decode(fp5(w.try_into().expect("5 limbs"))).filter(|p| !p.is_neutral())
        })
        .expect("half of all field elements decode")
}

struct LadderConstants {
    offset: Point,
    start: Point,
    correction: Point,
    gate: EcLadderGate,
}

fn ladder_constants() -> &'static LadderConstants {
    static C: OnceLock<LadderConstants> = OnceLock::new();
    C.get_or_init(|| {
        let h = offset_point();
        let g = Point::generator();
        let g_hi = Point::mul_generator(&Scalar::from_biguint(&(BigUint::from(1u8) << 256)));
        let h2 = h.double();
        let mul = |p: &Point, k: u64| p.mul(&Scalar::from_biguint(&k.into()));
        // α: the multiple of H the accumulator carries at the end of the ladder.
        let mut alpha = BigUint::from(START_MULTIPLE);
        for _ in 0..BITS {
            alpha = (alpha << 1) + 3u8;
        }
        LadderConstants {
            offset: h,
            start: mul(&h, START_MULTIPLE),
            correction: h.mul(&Scalar::from_biguint(&alpha)).neg(),
            gate: EcLadderGate::new(&h, &[h2, g.add(&h2), g_hi.add(&h2), g.add(&g_hi).add(&h2)]),
        }
    })
}

/// Schnorr verification on a [`CircuitBuilder`].
pub trait CircuitBuilderSchnorr {
    /// Fresh signature targets (range-checked only once passed to
    /// [`verify_schnorr`](Self::verify_schnorr)).
    fn add_virtual_signature_target(&mut self) -> SignatureTarget;
    /// Constrains `sig` to be a valid signature of `msg` under the public key encoded by
    /// `pk` (which must decode to a non-neutral point); see the module documentation.
    fn verify_schnorr(&mut self, pk: [Target; 5], msg: HashOutTarget, sig: &SignatureTarget);
}

impl CircuitBuilderSchnorr for CircuitBuilder<F, D> {
    fn add_virtual_signature_target(&mut self) -> SignatureTarget {
        SignatureTarget {
            e: self.add_virtual_target_arr(),
            s: self.add_virtual_target_arr(),
        }
    }

    fn verify_schnorr(&mut self, pk: [Target; 5], msg: HashOutTarget, sig: &SignatureTarget) {
        let consts = ladder_constants();
        let q = self.ec_decode(Fp5Target(pk));

        // T_Q[1] = Q + H (Q ≠ ±H unless someone knows a discrete-log relation with H).
        let h = self.ec_constant(&consts.offset);
        let qh = self.ec_add(q, h);

        // Joint ladder, most significant bit first, STEPS bits per row. The rows' scalar
        // accumulators restart (from zero) every 32 bit positions and end on a u32 chunk:
        // the halves of the e limbs, the s limbs.
        let zero = self.zero();
        let mut e_bits = vec![zero; BITS];
        let mut s_bits = vec![zero; BITS + HI_BITS];
        let mut e_halves = [zero; 8];
        let mut s_limbs = [zero; 10];
        let mut chain = [zero; 3];
        let mut acc = self.ec_constant(&consts.start);
        for r in 0..BITS / STEPS {
            let row = self.add_gate(consts.gate.clone(), vec![]);
            let wire = |w: usize| Target::wire(row, w);
            for i in 0..5 {
                self.connect(acc.x.0[i], wire(ACC_IN + i));
                self.connect(acc.y.0[i], wire(ACC_IN + 5 + i));
                self.connect(qh.x.0[i], wire(QH + i));
                self.connect(qh.y.0[i], wire(QH + 5 + i));
            }
            let top = BITS - 1 - STEPS * r;
            for k in 0..STEPS {
                let i = top - k;
                e_bits[i] = wire(bit_wire(k, 0));
                s_bits[i] = wire(bit_wire(k, 1));
                if i < HI_BITS {
                    s_bits[BITS + i] = wire(bit_wire(k, 2));
                } else {
                    self.connect(zero, wire(bit_wire(k, 2)));
                }
            }
            // A chunk starts at bit 32c + 31 and ends at bit 32c.
            for (j, link) in chain.iter_mut().enumerate() {
                let from = if top % 32 == 31 { zero } else { *link };
                self.connect(from, wire(scalar_in(j)));
                *link = wire(scalar_out(j));
            }
            let bottom = top + 1 - STEPS;
            if bottom.is_multiple_of(32) {
                let c = bottom / 32;
                e_halves[c] = chain[0];
                s_limbs[c] = chain[1];
                if c < HI_BITS / 32 {
                    s_limbs[BITS / 32 + c] = chain[2];
                }
            }
            acc = PointTarget {
                x: Fp5Target(std::array::from_fn(|i| wire(ACC_OUT + i))),
                y: Fp5Target(std::array::from_fn(|i| wire(ACC_OUT + 5 + i))),
            };
        }

        // The bits are witnessed from the limbs; the limbs are constrained to be the chunks
        // (u32 each, since the bits are boolean): e limbs canonical, s < n.
        for (j, &limb) in sig.e.iter().enumerate() {
            constrain_canonical_halves(self, limb, e_halves[2 * j], e_halves[2 * j + 1]);
            self.add_simple_generator(BitsGenerator {
                src: limb,
                bits: e_bits[64 * j..64 * (j + 1)].to_vec(),
            });
        }
        for (c, (&limb, &chunk)) in sig.s.iter().zip(&s_limbs).enumerate() {
            self.connect(limb, chunk);
            self.add_simple_generator(BitsGenerator {
                src: limb,
                bits: s_bits[32 * c..32 * (c + 1)].to_vec(),
            });
        }
        assert_less_than_order(self, &sig.s);

        let correction = self.ec_constant(&consts.correction);
        let r = self.ec_add(acc, correction);

        // Challenge.
        let w_r = self.ec_encode(r);
        let mut inputs = w_r.0.to_vec();
        inputs.extend_from_slice(&pk);
        inputs.extend_from_slice(&msg.elements);
        let e = self.hash_n_to_hash_no_pad::<PoseidonHash>(inputs);
        for (a, b) in e.elements.into_iter().zip(sig.e) {
            self.connect(a, b);
        }
    }
}

/// Constrains `x = lo + 2^32·hi` as integers with that value `< p`, for `lo, hi < 2^32`
/// (checked elsewhere): `hi = 2^32 − 1 ⇒ lo = 0`.
fn constrain_canonical_halves(b: &mut CircuitBuilder<F, D>, x: Target, lo: Target, hi: Target) {
    let sum = b.mul_const_add(F::from_canonical_u64(1 << 32), hi, lo);
    b.connect(sum, x);
    let max = b.constant(F::from_canonical_u64(u32::MAX as u64));
    let is_max = b.is_equal(hi, max);
    let bad = b.mul(is_max.target, lo);
    b.assert_zero(bad);
}

/// `n − 1` as ten u32 limbs, least significant first.
fn order_minus_one_u32() -> [u64; 10] {
    let mut limbs = ORDER_LIMBS;
    limbs[0] -= 1; // n is odd
    std::array::from_fn(|i| (limbs[i / 2] >> (32 * (i % 2))) & 0xFFFF_FFFF)
}

/// Constrains `s ≤ n − 1` for u32 limbs `s` (each `< 2^32`): the limbs `dᵢ` of `n − 1 − s`,
/// computed with witnessed borrow bits, are each range-checked to 32 bits and the final
/// borrow is zero.
fn assert_less_than_order(b: &mut CircuitBuilder<F, D>, s: &[Target; 10]) {
    let borrows: [Target; 9] = b.add_virtual_target_arr();
    b.add_simple_generator(BorrowGenerator {
        s: *s,
        borrows: borrows.to_vec(),
    });
    let m = order_minus_one_u32();
    let two32 = F::from_canonical_u64(1 << 32);
    let mut borrow_in: Option<Target> = None;
    for i in 0..10 {
        // d = m_i − s_i − borrow_in + 2^32·borrow_out
        let m_i = b.constant(F::from_canonical_u64(m[i]));
        let mut d = b.sub(m_i, s[i]);
        if let Some(bin) = borrow_in {
            d = b.sub(d, bin);
        }
        if i < 9 {
            let bout = borrows[i];
            b.assert_bool(BoolTarget::new_unsafe(bout));
            let one = b.one();
            d = b.arithmetic(two32, F::ONE, bout, one, d);
            borrow_in = Some(bout);
        }
        b.range_check(d, 32);
    }
}

/// Witnesses the bits (least significant first) of the canonical value of a limb.
#[derive(Debug)]
pub struct BitsGenerator {
    src: Target,
    bits: Vec<Target>,
}

impl SimpleGenerator<F, D> for BitsGenerator {
    fn id(&self) -> String {
        "zkroll::EcGFp5BitsGenerator".to_string()
    }

    fn dependencies(&self) -> Vec<Target> {
        vec![self.src]
    }

    fn run_once(
        &self,
        witness: &PartitionWitness<F>,
        out_buffer: &mut GeneratedValues<F>,
    ) -> Result<()> {
        let v = witness.get_target(self.src).to_canonical_u64();
        for (i, &t) in self.bits.iter().enumerate() {
            out_buffer.set_target(t, F::from_canonical_u64((v >> i) & 1))?;
        }
        Ok(())
    }

    fn serialize(&self, dst: &mut Vec<u8>, _common: &CommonCircuitData<F, D>) -> IoResult<()> {
        dst.write_target(self.src)?;
        dst.write_target_vec(&self.bits)
    }

    fn deserialize(src: &mut Buffer, _common: &CommonCircuitData<F, D>) -> IoResult<Self> {
        Ok(Self {
            src: src.read_target()?,
            bits: src.read_target_vec()?,
        })
    }
}

/// Witnesses the borrow bits of `n − 1 − s` on u32 limbs.
#[derive(Debug)]
pub struct BorrowGenerator {
    s: [Target; 10],
    borrows: Vec<Target>,
}

impl SimpleGenerator<F, D> for BorrowGenerator {
    fn id(&self) -> String {
        "EcGFp5BorrowGenerator".to_string()
    }

    fn dependencies(&self) -> Vec<Target> {
        self.s.to_vec()
    }

    fn run_once(
        &self,
        witness: &PartitionWitness<F>,
        out_buffer: &mut GeneratedValues<F>,
    ) -> Result<()> {
        let m = order_minus_one_u32();
        let mut borrow = 0i128;
        for (i, &t) in self.borrows.iter().enumerate() {
            let s_i = witness.get_target(self.s[i]).to_canonical_u64() as i128;
            let d = m[i] as i128 - s_i - borrow;
            borrow = (d < 0) as i128;
            out_buffer.set_target(t, F::from_canonical_u64(borrow as u64))?;
        }
        Ok(())
    }

    fn serialize(&self, dst: &mut Vec<u8>, _common: &CommonCircuitData<F, D>) -> IoResult<()> {
        dst.write_target_array(&self.s)?;
        dst.write_target_vec(&self.borrows)
    }

    fn deserialize(src: &mut Buffer, _common: &CommonCircuitData<F, D>) -> IoResult<Self> {
        Ok(Self {
            s: src.read_target_array()?,
            borrows: src.read_target_vec()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gadgets::ecgfp5::ladder::point_coeffs;
    use crate::schnorr::SecretKey;
    use crate::C;
    use plonky2::field::types::Field64;
    use plonky2::hash::hash_types::HashOut;
    use plonky2::iop::witness::PartialWitness;
    use plonky2::plonk::circuit_data::{CircuitConfig, CircuitData};
    use std::panic::{catch_unwind, AssertUnwindSafe};

    struct Verifier {
        data: CircuitData<F, C, D>,
        pk: [Target; 5],
        msg: HashOutTarget,
        sig: SignatureTarget,
    }

    fn verifier() -> &'static Verifier {
        static V: OnceLock<Verifier> = OnceLock::new();
        V.get_or_init(|| {
            let mut b = CircuitBuilder::<F, D>::new(CircuitConfig::standard_recursion_config());
            let pk = b.add_virtual_target_arr();
            let msg = b.add_virtual_hash();
            let sig = b.add_virtual_signature_target();
            b.verify_schnorr(pk, msg, &sig);
            Verifier {
                data: b.build::<C>(),
                pk,
                msg,
                sig,
            }
        })
    }

    /// Proves and verifies; `false` if witness generation, proving or verification fails
    /// (or panics).
    fn accepts(
        pk: [F; 5],
        msg: HashOut<F>,
        fill: impl FnOnce(&mut PartialWitness<F>, &SignatureTarget),
    ) -> bool {
        let v = verifier();
        let mut pw = PartialWitness::new();
        pw.set_target_arr(&v.pk, &pk).unwrap();
        pw.set_hash_target(v.msg, msg).unwrap();
        fill(&mut pw, &v.sig);
        catch_unwind(AssertUnwindSafe(|| {
            v.data
                .prove(pw)
                .and_then(|proof| v.data.verify(proof))
                .is_ok()
        }))
        .unwrap_or(false)
    }

    fn msg(i: u64) -> HashOut<F> {
        HashOut {
            elements: [1, 2, 3, i].map(F::from_canonical_u64),
        }
    }

    #[test]
    fn accepts_native_signature_and_rejects_tampering() {
        let sk = SecretKey::from_seed(&[7; 32]);
        let pk = sk.public_key();
        let m = msg(42);
        let sig = sk.sign(&m);
        assert!(pk.verify(&m, &sig));
        let w = pk.encode();
        assert!(accepts(w, m, |pw, t| set_signature_target(pw, t, &sig).unwrap()));

        // Wrong message.
        assert!(!accepts(w, msg(43), |pw, t| set_signature_target(
            pw, t, &sig
        )
        .unwrap()));
        // Another key.
        let other = SecretKey::from_seed(&[8; 32]).public_key().encode();
        assert!(!accepts(other, m, |pw, t| set_signature_target(
            pw, t, &sig
        )
        .unwrap()));
        // Tampered e.
        let mut e = sig.e();
        e[2] += F::ONE;
        let bad_e = Signature::from_parts(e, sig.s());
        assert!(!accepts(w, m, |pw, t| set_signature_target(pw, t, &bad_e).unwrap()));
        // Tampered s.
        let bad_s = Signature::from_parts(sig.e(), sig.s().add(&Scalar::ONE));
        assert!(!accepts(w, m, |pw, t| set_signature_target(pw, t, &bad_s).unwrap()));
    }

    #[test]
    fn rejects_s_plus_n_and_bad_public_keys() {
        let sk = SecretKey::from_seed(&[9; 32]);
        let pk = sk.public_key();
        let m = msg(1);
        let sig = sk.sign(&m);
        // s + n gives the same point: only the range check rejects it.
        let s_plus_n = sig.s().to_biguint() + Scalar::ONE.neg().to_biguint() + 1u8;
        assert!(!accepts(pk.encode(), m, |pw, t| {
            pw.set_target_arr(&t.e, &sig.e()).unwrap();
            set_s_limbs(pw, t, &s_plus_n).unwrap();
        }));
        // Not on the curve / the neutral element.
        let mut off = pk.encode();
        while crate::schnorr::PublicKey::decode(off).is_ok() {
            off[0] += F::ONE;
        }
        assert!(!accepts(off, m, |pw, t| set_signature_target(pw, t, &sig).unwrap()));
        assert!(!accepts([F::ZERO; 5], m, |pw, t| set_signature_target(
            pw, t, &sig
        )
        .unwrap()));
    }

    #[test]
    fn non_canonical_halves_rejected() {
        // x = 5 presented as 5 + p (< 2^64): the halves sum to x mod p but must be rejected.
        let run = |value: u64| {
            let mut b = CircuitBuilder::<F, D>::new(CircuitConfig::standard_recursion_config());
            let [x, lo, hi] = b.add_virtual_target_arr();
            constrain_canonical_halves(&mut b, x, lo, hi);
            let data = b.build::<C>();
            let mut pw = PartialWitness::new();
            pw.set_target(x, F::from_canonical_u64(5)).unwrap();
            pw.set_target(lo, F::from_canonical_u64(value & 0xFFFF_FFFF))
                .unwrap();
            pw.set_target(hi, F::from_canonical_u64(value >> 32))
                .unwrap();
            catch_unwind(AssertUnwindSafe(|| {
                data.prove(pw).and_then(|p| data.verify(p)).is_ok()
            }))
            .unwrap_or(false)
        };
        assert!(run(5));
        assert!(!run(5 + F::ORDER));
    }

    #[test]
    fn offset_constants_are_consistent() {
        let c = ladder_constants();
        assert!(!c.offset.is_neutral());
        // The correction −α·H itself is exercised end to end by the acceptance test.
        assert_eq!(c.gate.q0, point_coeffs(&c.offset), "T_Q[0] = H");
        assert_eq!(c.gate.g[0], point_coeffs(&c.offset.double()), "T_G[0] = 2H");
        let g_hi = Point::mul_generator(&Scalar::from_biguint(&(BigUint::from(1u8) << 256)));
        let expected = Point::generator().add(&g_hi).add(&c.offset.double());
        assert_eq!(
            c.gate.g[3],
            point_coeffs(&expected),
            "T_G[3] = G + 2^256·G + 2H"
        );
    }
}
