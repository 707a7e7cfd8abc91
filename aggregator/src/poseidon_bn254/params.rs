//! Poseidon parameters over the BN254 scalar field, derived in code with the reference Grain
//! LFSR procedure of the Poseidon paper (`generate_parameters_grain.sage`, field = 1 (prime),
//! S-box = 0 (x^α), n = 254, t = 3, R_F = 8, R_P = 57).
//!
//! These are exactly the parameters of circomlib's / iden3's `poseidon` with two inputs
//! (`poseidon([1, 2]) = 0x115cc0f5…189a`, checked in the tests), so digests can be compared
//! with any circom / snarkjs / go-iden3 tooling.

use std::sync::OnceLock;

use ark_bn254::Fr;
use ark_ff::{BigInteger, Field, PrimeField};

/// State width `t` (1 capacity element + 2 rate elements).
pub const WIDTH: usize = 3;
/// Number of full rounds (`R_F`), half before and half after the partial rounds.
pub const FULL_ROUNDS: usize = 8;
/// Number of partial rounds (`R_P`).
pub const PARTIAL_ROUNDS: usize = 57;
/// S-box exponent α (x ↦ x^5).
pub const ALPHA: u64 = 5;

/// Round constants and MDS matrix of the permutation.
///
/// Invariant: `round_constants.len() == (FULL_ROUNDS + PARTIAL_ROUNDS)` and the MDS matrix is
/// the Cauchy matrix `M[i][j] = 1 / (x_i + y_j)` produced by the Grain stream after the
/// round constants.
#[derive(Clone, Debug)]
pub struct PoseidonParams {
    /// `round_constants[r][i]` is added to state element `i` at the start of round `r`.
    pub round_constants: Vec<[Fr; WIDTH]>,
    /// MDS matrix, applied as `new[i] = Σ_j mds[i][j] · old[j]`.
    pub mds: [[Fr; WIDTH]; WIDTH],
}

/// The Grain LFSR of the Poseidon reference implementation, in self-shrinking mode.
struct Grain {
    state: [bool; 80],
}

impl Grain {
    fn new(field: u64, sbox: u64, n: u64, t: u64, r_f: u64, r_p: u64) -> Self {
        let mut bits = Vec::with_capacity(80);
        let mut push = |v: u64, len: usize| {
            for i in (0..len).rev() {
                bits.push((v >> i) & 1 == 1);
            }
        };
        push(field, 2);
        push(sbox, 4);
        push(n, 12);
        push(t, 12);
        push(r_f, 10);
        push(r_p, 10);
        push((1 << 30) - 1, 30);
        let mut g = Grain {
            state: bits.try_into().expect("80 bits"),
        };
        for _ in 0..160 {
            g.step();
        }
        g
    }

    fn step(&mut self) -> bool {
        let s = &self.state;
        let b = s[62] ^ s[51] ^ s[38] ^ s[23] ^ s[13] ^ s[0];
        self.state.copy_within(1.., 0);
        self.state[79] = b;
        b
    }

    /// Self-shrinking output: draw pairs `(a, b)`, output `b` when `a = 1`.
    fn next_bit(&mut self) -> bool {
        loop {
            let a = self.step();
            let b = self.step();
            if a {
                return b;
            }
        }
    }

    /// `n` output bits read most-significant first, as big-endian bytes padded on the left.
    fn next_bits_be(&mut self, n: usize) -> Vec<bool> {
        (0..n).map(|_| self.next_bit()).collect()
    }
}

fn bits_to_bigint(bits: &[bool]) -> ark_ff::BigInt<4> {
    let mut le: Vec<bool> = bits.to_vec();
    le.reverse();
    <Fr as PrimeField>::BigInt::from_bits_le(&le)
}

fn generate() -> PoseidonParams {
    let n = Fr::MODULUS_BIT_SIZE as usize;
    let mut grain = Grain::new(
        1,
        0,
        n as u64,
        WIDTH as u64,
        FULL_ROUNDS as u64,
        PARTIAL_ROUNDS as u64,
    );
    // Round constants: rejection sampling of n-bit integers below the modulus.
    let mut round_constants = Vec::with_capacity(FULL_ROUNDS + PARTIAL_ROUNDS);
    for _ in 0..FULL_ROUNDS + PARTIAL_ROUNDS {
        let mut row = [Fr::from(0u64); WIDTH];
        for c in row.iter_mut() {
            *c = loop {
                let v = bits_to_bigint(&grain.next_bits_be(n));
                if let Some(f) = Fr::from_bigint(v) {
                    break f;
                }
            };
        }
        round_constants.push(row);
    }
    // MDS: Cauchy matrix over 2t distinct elements (reduced mod r, as `F(bits)` in sage).
    let mds = loop {
        let xs: Vec<Fr> = (0..2 * WIDTH)
            .map(|_| {
                Fr::from_be_bytes_mod_order(&bits_to_bigint(&grain.next_bits_be(n)).to_bytes_be())
            })
            .collect();
        let distinct = (0..xs.len()).all(|i| (i + 1..xs.len()).all(|j| xs[i] != xs[j]));
        if !distinct {
            continue;
        }
        let mut m = [[Fr::from(0u64); WIDTH]; WIDTH];
        let mut ok = true;
        for (i, row) in m.iter_mut().enumerate() {
            for (j, e) in row.iter_mut().enumerate() {
                match (xs[i] + xs[WIDTH + j]).inverse() {
                    Some(inv) => *e = inv,
                    None => ok = false,
                }
            }
        }
        if ok {
            break m;
        }
    };
    PoseidonParams {
        round_constants,
        mds,
    }
}

/// The parameters, generated once per process.
pub fn params() -> &'static PoseidonParams {
    static PARAMS: OnceLock<PoseidonParams> = OnceLock::new();
    PARAMS.get_or_init(generate)
}
