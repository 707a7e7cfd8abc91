//! The randomness of snarkjs, bit for bit: ffjavascript's ChaCha20 stream and its
//! `fromRng` samplers for scalars and curve points.
//!
//! snarkjs derives the G2 point of a contribution's proof of knowledge from the transcript
//! hash with this generator (`hashToG2`), and a beacon's key from the iterated beacon hash;
//! verifying a chain that includes snarkjs contributions needs exactly the same sampling.

use ark_bn254::{g2, Fq, Fq2, Fr, G1Affine, G2Affine};
use ark_ec::short_weierstrass::SWCurveConfig;
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{BigInt, BigInteger, Field, LegendreSymbol, PrimeField};
use sha2::{Digest, Sha256};

/// ffjavascript's `ChaCha`: the ChaCha20 block function keyed with eight `u32` seed words,
/// a 128-bit block counter in words 12..16, and output consumed one `u32` at a time.
pub struct JsChaCha {
    state: [u32; 16],
    buf: [u32; 16],
    idx: usize,
}

fn quarter(st: &mut [u32; 16], a: usize, b: usize, c: usize, d: usize) {
    st[a] = st[a].wrapping_add(st[b]);
    st[d] = (st[d] ^ st[a]).rotate_left(16);
    st[c] = st[c].wrapping_add(st[d]);
    st[b] = (st[b] ^ st[c]).rotate_left(12);
    st[a] = st[a].wrapping_add(st[b]);
    st[d] = (st[d] ^ st[a]).rotate_left(8);
    st[c] = st[c].wrapping_add(st[d]);
    st[b] = (st[b] ^ st[c]).rotate_left(7);
}

impl JsChaCha {
    /// A generator from eight seed words.
    pub fn new(seed: [u32; 8]) -> Self {
        let mut state = [0u32; 16];
        state[..4].copy_from_slice(&[0x61707865, 0x3320646E, 0x79622D32, 0x6B206574]);
        state[4..12].copy_from_slice(&seed);
        JsChaCha {
            state,
            buf: [0; 16],
            idx: 16,
        }
    }

    /// A generator seeded with the first 32 bytes of `hash`, read as big-endian words
    /// (snarkjs `hashToG2`, `getRandomRng`, `rngFromBeaconParams`).
    pub fn from_hash(hash: &[u8]) -> Self {
        let mut seed = [0u32; 8];
        for (i, s) in seed.iter_mut().enumerate() {
            *s = u32::from_be_bytes(hash[i * 4..i * 4 + 4].try_into().expect("4 bytes"));
        }
        Self::new(seed)
    }

    fn update(&mut self) {
        let mut b = self.state;
        for _ in 0..10 {
            quarter(&mut b, 0, 4, 8, 12);
            quarter(&mut b, 1, 5, 9, 13);
            quarter(&mut b, 2, 6, 10, 14);
            quarter(&mut b, 3, 7, 11, 15);
            quarter(&mut b, 0, 5, 10, 15);
            quarter(&mut b, 1, 6, 11, 12);
            quarter(&mut b, 2, 7, 8, 13);
            quarter(&mut b, 3, 4, 9, 14);
        }
        for (o, s) in b.iter_mut().zip(self.state.iter()) {
            *o = o.wrapping_add(*s);
        }
        self.buf = b;
        self.idx = 0;
        for w in 12..16 {
            self.state[w] = self.state[w].wrapping_add(1);
            if self.state[w] != 0 {
                break;
            }
        }
    }

    /// The next 32-bit word.
    pub fn next_u32(&mut self) -> u32 {
        if self.idx == 16 {
            self.update();
        }
        let v = self.buf[self.idx];
        self.idx += 1;
        v
    }

    /// `nextU64`: the first word is the high half.
    pub fn next_u64(&mut self) -> u64 {
        let hi = self.next_u32() as u64;
        let lo = self.next_u32() as u64;
        (hi << 32) | lo
    }

    /// `nextBool`: the low bit of the next word.
    pub fn next_bool(&mut self) -> bool {
        self.next_u32() & 1 == 1
    }

    /// `F.fromRng` of a 254-bit prime field: four 64-bit limbs masked to 254 bits, rejected
    /// until below the modulus, taken as the *Montgomery* representation (ffjavascript's
    /// in-memory form).
    fn mont_limbs(&mut self, modulus: &BigInt<4>) -> BigInt<4> {
        loop {
            let mut l = [0u64; 4];
            for x in l.iter_mut() {
                *x = self.next_u64();
            }
            l[3] &= (1u64 << 62) - 1;
            let v = BigInt(l);
            if v < *modulus {
                return v;
            }
        }
    }

    /// `Fr.fromRng`.
    pub fn fr(&mut self) -> Fr {
        Fr::new_unchecked(self.mont_limbs(&Fr::MODULUS))
    }

    /// `F1.fromRng` on the base field.
    pub fn fq(&mut self) -> Fq {
        Fq::new_unchecked(self.mont_limbs(&Fq::MODULUS))
    }

    /// `G1.fromRng`.
    pub fn g1(&mut self) -> G1Affine {
        loop {
            let x = self.fq();
            let greatest = self.next_bool();
            let x3b = x.square() * x + ark_bn254::g1::Config::COEFF_B;
            if x3b.legendre() == LegendreSymbol::QuadraticNonResidue {
                continue;
            }
            let mut y = x3b.sqrt().expect("square");
            if greatest ^ fq_is_negative(&y) {
                y = -y;
            }
            // BN254 G1 has cofactor 1.
            return G1Affine::new_unchecked(x, y);
        }
    }

    /// `G2.fromRng`: a point on the twist, multiplied by ffjavascript's G2 cofactor.
    pub fn g2(&mut self) -> G2Affine {
        loop {
            let x = Fq2::new(self.fq(), self.fq());
            let greatest = self.next_bool();
            let x3b = x.square() * x + g2::Config::COEFF_B;
            if x3b.legendre() == LegendreSymbol::QuadraticNonResidue {
                continue;
            }
            let mut y = x3b.sqrt().expect("square");
            if greatest ^ fq2_is_negative(&y) {
                y = -y;
            }
            let p = G2Affine::new_unchecked(x, y);
            return p.mul_bigint(G2_COFACTOR).into_affine();
        }
    }
}

/// ffjavascript's `cofactorG2` for bn128 (0x30644e72…f9fa8d), little-endian limbs.
const G2_COFACTOR: [u64; 4] = [
    0x345f2299c0f9fa8d,
    0x06ceecda572a2489,
    0xb85045b68181585e,
    0x30644e72e131a029,
];

/// ffjavascript `isNegative` on the base field: the standard value exceeds (q-1)/2.
fn fq_is_negative(x: &Fq) -> bool {
    let mut half = Fq::MODULUS;
    half.div2();
    x.into_bigint() > half
}

/// `isNegative` on Fq2: the sign of c1, or of c0 when c1 is zero.
fn fq2_is_negative(x: &Fq2) -> bool {
    if x.c1 == Fq::from(0u64) {
        fq_is_negative(&x.c0)
    } else {
        fq_is_negative(&x.c1)
    }
}

/// snarkjs `hashToG2`: the G2 point of a proof of knowledge, from a transcript hash.
pub fn hash_to_g2(hash: &[u8]) -> G2Affine {
    JsChaCha::from_hash(hash).g2()
}

/// snarkjs `rngFromBeaconParams`: SHA-256 iterated `2^num_iterations_exp` times on the
/// beacon hash, then the seed words of the result.
pub fn beacon_rng(beacon_hash: &[u8], num_iterations_exp: u32) -> JsChaCha {
    let mut cur: Vec<u8> = beacon_hash.to_vec();
    let total: u64 = 1u64 << num_iterations_exp;
    for _ in 0..total {
        cur = Sha256::digest(&cur).to_vec();
    }
    JsChaCha::from_hash(&cur)
}
