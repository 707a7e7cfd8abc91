//! The ECgFp5 group: elements, group law, scalar multiplication and canonical encoding.
//!
//! The group is `G = { P + N : n·P = 0 }` on the double-odd curve `E: y² = x(x² + a·x + b)`,
//! `a = 2`, `b = 263·z`, with `N = (0, 0)` its unique point of order 2 and group law
//! `(P₁+N) ⊕ (P₂+N) = P₁+P₂+N`; its order `n` is prime. An element `(x, y) ≠ N` is encoded as
//! `w = y/x`, `N` (the neutral element) as `w = 0`; the encoding is injective and every `w`
//! decodes to at most one element.
//!
//! Internally an element is the point `ψ(P+N) = P` of the isomorphic short Weierstrass curve
//! `Y² = X³ + A·X + B` (`A = (3b − a²)/3`, `B = a(2a² − 9b)/27`), in affine coordinates with an
//! explicit point at infinity (`ψ(N)`). With this representation, `encode` is
//! `w = Y / (a/3 − X)`. The group has odd order, so no finite point has `Y = 0` and the
//! doubling formula never divides by zero.

use std::sync::OnceLock;

use plonky2::field::ops::Square;
use plonky2::field::types::Field;

use super::field::{fp5, from_base, is_nonzero_square, sqrt, Fp5};
use super::scalar::{self, Scalar};
use crate::F;

/// Curve constant `a` of `E`.
pub fn curve_a() -> Fp5 {
    Fp5::from_canonical_u64(2)
}

/// Curve constant `b = 263·z` of `E`.
pub fn curve_b() -> Fp5 {
    fp5([
        F::ZERO,
        F::from_canonical_u64(263),
        F::ZERO,
        F::ZERO,
        F::ZERO,
    ])
}

struct Constants {
    a_div_3: Fp5,
    weierstrass_a: Fp5,
    weierstrass_b: Fp5,
    generator: Point,
    /// `generator_table[i][j] = j · 16^i · G`, for `i < 80`, `j < 16`.
    generator_table: Vec<[Point; 16]>,
}

fn constants() -> &'static Constants {
    static C: OnceLock<Constants> = OnceLock::new();
    C.get_or_init(|| {
        let a = curve_a();
        let b = curve_b();
        let three = Fp5::from_canonical_u64(3);
        let a_div_3 = a / three;
        let weierstrass_a = (three * b - a.square()) / three;
        let weierstrass_b = a * (Fp5::TWO * a.square() - Fp5::from_canonical_u64(9) * b)
            / Fp5::from_canonical_u64(27);
        let partial = Constants {
            a_div_3,
            weierstrass_a,
            weierstrass_b,
            generator: Point::NEUTRAL,
            generator_table: Vec::new(),
        };
        let generator = decode_with(&partial, Fp5::from_canonical_u64(4))
            .expect("w = 4 is the conventional generator");
        let mut table = Vec::with_capacity(80);
        let mut base = generator;
        for _ in 0..80 {
            let mut row = [Point::NEUTRAL; 16];
            for j in 1..16 {
                row[j] = add_with(&partial, &row[j - 1], &base);
            }
            table.push(row);
            for _ in 0..4 {
                base = double_with(&partial, &base);
            }
        }
        Constants {
            generator,
            generator_table: table,
            ..partial
        }
    })
}

/// An element of the ECgFp5 group (see the module documentation for the representation).
#[derive(Clone, Copy, Debug)]
pub struct Point {
    x: Fp5,
    y: Fp5,
    infinity: bool,
}

impl PartialEq for Point {
    fn eq(&self, other: &Self) -> bool {
        match (self.infinity, other.infinity) {
            (true, true) => true,
            (false, false) => self.x == other.x && self.y == other.y,
            _ => false,
        }
    }
}
impl Eq for Point {}

fn decode_with(c: &Constants, w: Fp5) -> Option<Point> {
    if w == Fp5::ZERO {
        return Some(Point::NEUTRAL);
    }
    let a = curve_a();
    let b = curve_b();
    // (x, w·x) on E  ⇔  x² + (a − w²)·x + b = 0.
    let e = w.square() - a;
    let delta = e.square() - Fp5::from_canonical_u64(4) * b;
    let r = sqrt(&delta)?;
    let half = from_base(F::from_canonical_u64(2).inverse());
    let x1 = (e + r) * half;
    let x2 = (e - r) * half;
    // x1·x2 = b is not a square: exactly one root is a square; P+N has the other.
    let x = if is_nonzero_square(&x1) { x2 } else { x1 };
    let y = w * x;
    // ψ: add N, (x, y) ↦ (b/x, −b·y/x²), then shift to the Weierstrass curve.
    let x_inv = x.inverse();
    let px = b * x_inv + c.a_div_3;
    let py = -(b * y * x_inv.square());
    let p = Point {
        x: px,
        y: py,
        infinity: false,
    };
    debug_assert!(p.is_on_curve_with(c));
    Some(p)
}

fn add_with(c: &Constants, p: &Point, q: &Point) -> Point {
    if p.infinity {
        return *q;
    }
    if q.infinity {
        return *p;
    }
    if p.x == q.x {
        return if p.y == q.y {
            double_with(c, p)
        } else {
            Point::NEUTRAL
        };
    }
    let lambda = (q.y - p.y) / (q.x - p.x);
    let x3 = lambda.square() - p.x - q.x;
    let y3 = lambda * (p.x - x3) - p.y;
    Point {
        x: x3,
        y: y3,
        infinity: false,
    }
}

fn double_with(c: &Constants, p: &Point) -> Point {
    if p.infinity {
        return *p;
    }
    let three = Fp5::from_canonical_u64(3);
    let lambda = (three * p.x.square() + c.weierstrass_a) / (p.y + p.y);
    let x3 = lambda.square() - p.x - p.x;
    let y3 = lambda * (p.x - x3) - p.y;
    Point {
        x: x3,
        y: y3,
        infinity: false,
    }
}

impl Point {
    /// The neutral element (`N` on `E`, the point at infinity on the Weierstrass curve).
    pub const NEUTRAL: Self = Self {
        x: Fp5::ZERO,
        y: Fp5::ZERO,
        infinity: true,
    };

    /// The conventional generator, the element encoded as `w = 4`.
    pub fn generator() -> Self {
        constants().generator
    }

    /// Whether this is the neutral element.
    pub fn is_neutral(&self) -> bool {
        self.infinity
    }

    fn is_on_curve_with(&self, c: &Constants) -> bool {
        self.infinity
            || self.y.square()
                == self.x.square() * self.x + c.weierstrass_a * self.x + c.weierstrass_b
    }

    /// Short Weierstrass affine coordinates `(X, Y)`, `None` for the neutral element.
    pub fn weierstrass_xy(&self) -> Option<(Fp5, Fp5)> {
        (!self.infinity).then_some((self.x, self.y))
    }

    /// Constants `(A, B)` of the short Weierstrass model `Y² = X³ + A·X + B`.
    pub fn weierstrass_ab() -> (Fp5, Fp5) {
        let c = constants();
        (c.weierstrass_a, c.weierstrass_b)
    }

    /// The constant `a/3`, so that `encode(X, Y) = Y / (a/3 − X)`.
    pub fn a_div_3() -> Fp5 {
        constants().a_div_3
    }

    /// Canonical encoding: `0` for the neutral element, `w = Y/(a/3 − X)` otherwise.
    pub fn encode(&self) -> Fp5 {
        if self.infinity {
            Fp5::ZERO
        } else {
            self.y / (constants().a_div_3 - self.x)
        }
    }

    /// Decodes `w`; `None` if `w` encodes no group element. Every element has exactly one
    /// encoding, and decoding re-encodes to check it.
    pub fn decode(w: Fp5) -> Option<Self> {
        let p = decode_with(constants(), w)?;
        (p.encode() == w).then_some(p)
    }

    /// The group law.
    pub fn add(&self, rhs: &Self) -> Self {
        add_with(constants(), self, rhs)
    }

    /// `2 · self`.
    pub fn double(&self) -> Self {
        double_with(constants(), self)
    }

    /// The inverse element.
    pub fn neg(&self) -> Self {
        Self {
            y: -self.y,
            ..*self
        }
    }

    /// `k · self` (4-bit fixed window, most significant window first).
    pub fn mul(&self, k: &Scalar) -> Self {
        let mut table = [Point::NEUTRAL; 16];
        for j in 1..16 {
            table[j] = table[j - 1].add(self);
        }
        let top = (0..80).rev().find(|&i| nibble(k, i) != 0);
        let mut acc = Point::NEUTRAL;
        for window in (0..=top.unwrap_or(0)).rev() {
            for _ in 0..4 {
                acc = acc.double();
            }
            acc = acc.add(&table[nibble(k, window)]);
        }
        acc
    }

    /// `k · G` for the generator `G`, from a precomputed table (80 additions).
    pub fn mul_generator(k: &Scalar) -> Self {
        let table = &constants().generator_table;
        (0..80).fold(Point::NEUTRAL, |acc, i| acc.add(&table[i][nibble(k, i)]))
    }
}

/// Window `i` (bits `4i .. 4i+4`) of a scalar.
fn nibble(k: &Scalar, i: usize) -> usize {
    let limbs = k.limbs();
    ((limbs[i / 16] >> (4 * (i % 16))) & 0xF) as usize
}

// The scalar bit length fits the 80 windows used above.
const _: () = assert!(scalar::BITS <= 320);

#[cfg(test)]
mod tests {
    use super::*;
    use plonky2::field::types::Sample;

    fn w(c: [u64; 5]) -> Fp5 {
        fp5(c.map(F::from_canonical_u64))
    }

    // Test vectors of the reference implementation (github.com/pornin/ecgfp5, rust/src/curve.rs,
    // generated with Sage): P1 random, P2 = e·P1, P3 = P1+P2, P4 = 2·P1, P5 = 2·P2,
    // P6 = 2·P1+P2, P7 = P1+2·P2.
    const W1: [u64; 5] = [
        12539254003028696409,
        15524144070600887654,
        15092036948424041984,
        11398871370327264211,
        10958391180505708567,
    ];
    const W2: [u64; 5] = [
        11001943240060308920,
        17075173755187928434,
        3940989555384655766,
        15017795574860011099,
        5548543797011402287,
    ];
    const W3: [u64; 5] = [
        246872606398642312,
        4900963247917836450,
        7327006728177203977,
        13945036888436667069,
        3062018119121328861,
    ];
    const W4: [u64; 5] = [
        8058035104653144162,
        16041715455419993830,
        7448530016070824199,
        11253639182222911208,
        6228757819849640866,
    ];
    const W5: [u64; 5] = [
        10523134687509281194,
        11148711503117769087,
        9056499921957594891,
        13016664454465495026,
        16494247923890248266,
    ];
    const W6: [u64; 5] = [
        12173306542237620,
        6587231965341539782,
        17027985748515888117,
        17194831817613584995,
        10056734072351459010,
    ];
    const W7: [u64; 5] = [
        9420857400785992333,
        4695934009314206363,
        14471922162341187302,
        13395190104221781928,
        16359223219913018041,
    ];
    // Values that must not decode.
    const BAD: [[u64; 5]; 6] = [
        [
            13557832913345268708,
            15669280705791538619,
            8534654657267986396,
            12533218303838131749,
            5058070698878426028,
        ],
        [
            135036726621282077,
            17283229938160287622,
            13113167081889323961,
            1653240450380825271,
            520025869628727862,
        ],
        [
            6727960962624180771,
            17240764188796091916,
            3954717247028503753,
            1002781561619501488,
            4295357288570643789,
        ],
        [
            4578929270179684956,
            3866930513245945042,
            7662265318638150701,
            9503686272550423634,
            12241691520798116285,
        ],
        [
            16890297404904119082,
            6169724643582733633,
            9725973298012340311,
            5977049210035183790,
            11379332130141664883,
        ],
        [
            13777379982711219130,
            14715168412651470168,
            17942199593791635585,
            6188824164976547520,
            15461469634034461986,
        ],
    ];

    #[test]
    fn reference_vectors_group_law_and_encoding() {
        let p: Vec<Point> = [W1, W2, W3, W4, W5, W6, W7]
            .iter()
            .map(|c| Point::decode(w(*c)).expect("valid vector decodes"))
            .collect();
        for (pt, c) in p.iter().zip([W1, W2, W3, W4, W5, W6, W7]) {
            assert!(!pt.is_neutral());
            assert_eq!(pt.encode(), w(c));
        }
        let (p1, p2) = (p[0], p[1]);
        assert_eq!(p1.add(&p2).encode(), w(W3));
        assert_eq!(p1.add(&p1).encode(), w(W4));
        assert_eq!(p2.double().encode(), w(W5));
        assert_eq!(p1.double().add(&p2).encode(), w(W6));
        assert_eq!(p1.add(&p2).add(&p2).encode(), w(W7));
        let n = Point::decode(Fp5::ZERO).unwrap();
        assert!(n.is_neutral());
        assert_eq!(n.add(&p1), p1);
        assert_eq!(p1.add(&n), p1);
        assert_eq!(n.double().encode(), Fp5::ZERO);
        assert!(p1.add(&p1.neg()).is_neutral());
    }

    #[test]
    fn reference_invalid_encodings_rejected() {
        for c in BAD {
            assert!(Point::decode(w(c)).is_none());
        }
    }

    #[test]
    fn reference_scalar_multiplication() {
        let p1 = Point::decode(w([
            7534507442095725921,
            16658460051907528927,
            12417574136563175256,
            2750788641759288856,
            620002843272906439,
        ]))
        .unwrap();
        let e_le: [u8; 40] = [
            0x1B, 0x18, 0x51, 0xC8, 0x1D, 0x22, 0xD4, 0x0D, 0x6D, 0x36, 0xEC, 0xCE, 0x54, 0x27,
            0x41, 0x66, 0x08, 0x14, 0x2F, 0x8F, 0xFF, 0x64, 0xB4, 0x76, 0x28, 0xCD, 0x3F, 0xF8,
            0xAA, 0x25, 0x16, 0xD4, 0xBA, 0xD0, 0xCC, 0x02, 0x1A, 0x44, 0x7C, 0x03,
        ];
        let e = Scalar::from_bytes_le(&e_le).unwrap();
        let expected = w([
            9486104512504676657,
            14312981644741144668,
            5159846406177847664,
            15978863787033795628,
            3249948839313771192,
        ]);
        assert_eq!(p1.mul(&e).encode(), expected);
    }

    #[test]
    fn generator_has_order_n_and_table_matches() {
        let g = Point::generator();
        assert_eq!(g.encode(), Fp5::from_canonical_u64(4));
        let n_minus_1 = Scalar::ONE.neg();
        assert!(g.mul(&n_minus_1).add(&g).is_neutral());
        let k = Scalar::from_biguint(&num_bigint::BigUint::from(0xDEAD_BEEF_1234_5678u64).pow(5));
        assert_eq!(Point::mul_generator(&k), g.mul(&k));
        assert!(Point::mul_generator(&Scalar::ZERO).is_neutral());
    }

    #[test]
    fn random_elements_do_not_decode_half_the_time() {
        let valid = (0..64)
            .filter(|_| Point::decode(Fp5::rand()).is_some())
            .count();
        assert!(valid < 48, "{valid} of 64 random elements decoded");
    }
}
