//! Point and scalar encodings of snarkjs / ffjavascript on BN254.
//!
//! * **LEM** (files): affine coordinates in Montgomery form, little-endian, 32 bytes each;
//!   G1 `x ‖ y`, G2 `x.c0 ‖ x.c1 ‖ y.c0 ‖ y.c1`; the point at infinity is all zeros.
//! * **U** (hashes): affine coordinates in standard form, big-endian; G2
//!   `x.c1 ‖ x.c0 ‖ y.c1 ‖ y.c0`; the point at infinity is all zeros.
//! * Scalars in `.r1cs` files are standard form, little-endian; coefficients in a `.zkey`
//!   are `c·R² mod r` standard form little-endian (R = 2^256), as `snarkjs zkey new` writes.
//!
//! Decoding validates: coordinates canonical (`< q`), point on the curve and in the
//! prime-order subgroup.

use ark_bn254::{Fq, Fq2, Fr, G1Affine, G2Affine};
use ark_ec::AffineRepr;
use ark_ff::{BigInt, BigInteger, Field, PrimeField};

/// Bytes of a G1 point in LEM/U form.
pub const G1_SIZE: usize = 64;
/// Bytes of a G2 point in LEM/U form.
pub const G2_SIZE: usize = 128;
/// Bytes of a field element.
pub const N8: usize = 32;

/// Why a point failed to decode.
pub type PointError = &'static str;

fn limbs(b: &[u8]) -> BigInt<4> {
    let mut l = [0u64; 4];
    for (i, c) in b.chunks_exact(8).enumerate() {
        l[i] = u64::from_le_bytes(c.try_into().expect("8 bytes"));
    }
    BigInt(l)
}

fn le_bytes(x: &BigInt<4>, out: &mut [u8]) {
    for (i, l) in x.0.iter().enumerate() {
        out[i * 8..i * 8 + 8].copy_from_slice(&l.to_le_bytes());
    }
}

/// A base-field element from its Montgomery little-endian bytes (canonical only).
pub fn fq_from_lem(b: &[u8]) -> Option<Fq> {
    let v = limbs(b);
    (v < Fq::MODULUS).then(|| Fq::new_unchecked(v))
}

/// Montgomery little-endian bytes of a base-field element.
pub fn fq_to_lem(x: &Fq, out: &mut [u8]) {
    le_bytes(&x.0, out)
}

/// G1 from LEM bytes, validated.
pub fn g1_from_lem(b: &[u8]) -> Result<G1Affine, PointError> {
    if b.iter().all(|x| *x == 0) {
        return Ok(G1Affine::zero());
    }
    let x = fq_from_lem(&b[0..32]).ok_or("x coordinate not below q")?;
    let y = fq_from_lem(&b[32..64]).ok_or("y coordinate not below q")?;
    let p = G1Affine::new_unchecked(x, y);
    if !p.is_on_curve() {
        return Err("not on the curve");
    }
    if !p.is_in_correct_subgroup_assuming_on_curve() {
        return Err("not in the prime-order subgroup");
    }
    Ok(p)
}

/// G2 from LEM bytes: canonical and on the curve, **not** checked to be in the subgroup
/// (for whole sections, checked at once by [`super::subgroup::all_in_g2_subgroup`]).
pub fn g2_from_lem_on_curve(b: &[u8]) -> Result<G2Affine, PointError> {
    if b.iter().all(|x| *x == 0) {
        return Ok(G2Affine::zero());
    }
    let c = |i: usize| fq_from_lem(&b[i * 32..i * 32 + 32]).ok_or("coordinate not below q");
    let p = G2Affine::new_unchecked(Fq2::new(c(0)?, c(1)?), Fq2::new(c(2)?, c(3)?));
    if !p.is_on_curve() {
        return Err("not on the curve");
    }
    Ok(p)
}

/// G2 from LEM bytes, validated.
pub fn g2_from_lem(b: &[u8]) -> Result<G2Affine, PointError> {
    let p = g2_from_lem_on_curve(b)?;
    if !p.is_in_correct_subgroup_assuming_on_curve() {
        return Err("not in the prime-order subgroup");
    }
    Ok(p)
}

/// LEM bytes of a G1 point.
pub fn g1_to_lem(p: &G1Affine) -> [u8; G1_SIZE] {
    let mut out = [0u8; G1_SIZE];
    if !p.infinity {
        fq_to_lem(&p.x, &mut out[0..32]);
        fq_to_lem(&p.y, &mut out[32..64]);
    }
    out
}

/// LEM bytes of a G2 point.
pub fn g2_to_lem(p: &G2Affine) -> [u8; G2_SIZE] {
    let mut out = [0u8; G2_SIZE];
    if !p.infinity {
        fq_to_lem(&p.x.c0, &mut out[0..32]);
        fq_to_lem(&p.x.c1, &mut out[32..64]);
        fq_to_lem(&p.y.c0, &mut out[64..96]);
        fq_to_lem(&p.y.c1, &mut out[96..128]);
    }
    out
}

fn fq_be(x: &Fq, out: &mut [u8]) {
    out.copy_from_slice(&x.into_bigint().to_bytes_be());
}

/// U bytes of a G1 point (what snarkjs hashes).
pub fn g1_to_u(p: &G1Affine) -> [u8; G1_SIZE] {
    let mut out = [0u8; G1_SIZE];
    if !p.infinity {
        fq_be(&p.x, &mut out[0..32]);
        fq_be(&p.y, &mut out[32..64]);
    }
    out
}

/// U bytes of a G2 point (what snarkjs hashes).
pub fn g2_to_u(p: &G2Affine) -> [u8; G2_SIZE] {
    let mut out = [0u8; G2_SIZE];
    if !p.infinity {
        fq_be(&p.x.c1, &mut out[0..32]);
        fq_be(&p.x.c0, &mut out[32..64]);
        fq_be(&p.y.c1, &mut out[64..96]);
        fq_be(&p.y.c0, &mut out[96..128]);
    }
    out
}

/// A scalar from standard-form little-endian bytes (canonical only).
pub fn fr_from_le(b: &[u8]) -> Option<Fr> {
    Fr::from_bigint(limbs(b))
}

/// Standard-form little-endian bytes of a scalar.
pub fn fr_to_le(x: &Fr) -> [u8; N8] {
    let mut out = [0u8; N8];
    le_bytes(&x.into_bigint(), &mut out);
    out
}

/// `R = 2^256 mod r` as a field element.
fn r_mont() -> Fr {
    Fr::from(2u64).pow([256u64])
}

/// The `.zkey` encoding of a coefficient: `c·R² mod r`, standard form, little-endian.
pub fn coef_to_zkey(c: &Fr) -> [u8; N8] {
    let r = r_mont();
    fr_to_le(&(*c * r * r))
}

/// A coefficient from its `.zkey` encoding (canonical only).
pub fn coef_from_zkey(b: &[u8]) -> Option<Fr> {
    let r = r_mont();
    let inv = (r * r).inverse()?;
    fr_from_le(b).map(|v| v * inv)
}

/// The BN254 base-field modulus q, little-endian.
pub fn q_le() -> [u8; N8] {
    let mut out = [0u8; N8];
    le_bytes(&Fq::MODULUS, &mut out);
    out
}

/// The BN254 scalar-field modulus r, little-endian.
pub fn r_le() -> [u8; N8] {
    let mut out = [0u8; N8];
    le_bytes(&Fr::MODULUS, &mut out);
    out
}
