//! Sparse matrix × point-vector products, the bulk of phase-2 init: for matrices `M` (rows =
//! constraints, terms `(c, wire)`) sharing one base point per row, `out[wire] = Σ_row c·P_row`.
//!
//! The wrap circuit's R1CS has ≈ 16 M terms with full-size coefficients, most of them in rows
//! of 5 to 60 such terms (Poseidon-BN254 partial rounds, whose linear combinations grow by a
//! term per round). A row therefore shares its doublings: the table `2^i·P` (255 doublings,
//! normalised to affine at once) turns each term into ≈ bits/3 mixed additions over the
//! non-adjacent form of the coefficient (or of its negation, whichever is shorter). Rows with
//! few long coefficients multiply directly (`direct`: GLV for G1, double-and-add for G2,
//! whichever measured faster here). Measured per full-size term on this 2-core machine:
//! G1 80 µs (GLV) → ≈ 31 µs, G2 333 µs → ≈ 94 µs.
//!
//! Rows are processed in parallel by chunks; each chunk's products are then added into the
//! per-wire sums in order, so the result does not depend on the thread count.

use ark_bn254::Fr;
use ark_ec::short_weierstrass::{Affine, Projective, SWCurveConfig};
use ark_ec::{AdditiveGroup, AffineRepr, CurveGroup};
use ark_ff::{BigInt, BigInteger, PrimeField, Zero};
use rayon::prelude::*;

use super::r1cs_file::Row;

/// How a point is multiplied by a full-size scalar when a row has no table.
pub type DirectMul<C> = fn(&Affine<C>, &BigInt<4>) -> Projective<C>;

/// Rows per parallel chunk.
const CHUNK: usize = 1 << 13;

/// A row builds a doubling table when it has at least this many coefficients longer than
/// [`LONG_BITS`] (the table costs about three direct multiplications).
const TABLE_MIN_LONG: usize = 3;

/// Coefficients up to this many bits are multiplied by double-and-add over their length.
const LONG_BITS: u32 = 64;

/// `c` as a sign and a magnitude: `c` or `-c`, whichever has fewer bits.
fn signed(c: &Fr) -> (bool, BigInt<4>) {
    let pos = c.into_bigint();
    let neg = (-*c).into_bigint();
    if neg.num_bits() < pos.num_bits() {
        (true, neg)
    } else {
        (false, pos)
    }
}

/// `k·P` from the table `t[i] = 2^i·P`, over the non-adjacent form of `k`.
fn from_table<C: SWCurveConfig>(t: &[Affine<C>], k: &BigInt<4>) -> Projective<C> {
    let mut acc = Projective::<C>::zero();
    let naf = k.find_wnaf(2).expect("window 2 is valid");
    for (i, d) in naf.iter().enumerate() {
        match d {
            1 => acc += t[i],
            -1 => acc -= t[i],
            _ => {}
        }
    }
    acc
}

/// The products of one row: `(matrix, wire, c·P)` for every term of `rows[matrix]`.
fn row_products<C: SWCurveConfig>(
    p: &Affine<C>,
    rows: &[&[(Fr, usize)]],
    direct: DirectMul<C>,
) -> Vec<(u8, u32, Projective<C>)> {
    let terms: Vec<(u8, u32, bool, BigInt<4>)> = rows
        .iter()
        .enumerate()
        .flat_map(|(mi, row)| {
            row.iter().map(move |(c, w)| {
                let (neg, k) = signed(c);
                (mi as u8, *w as u32, neg, k)
            })
        })
        .collect();
    let long = terms.iter().filter(|t| t.3.num_bits() > LONG_BITS).count();
    let table = (long >= TABLE_MIN_LONG).then(|| {
        let mut d = Vec::with_capacity(256);
        let mut cur = p.into_group();
        for _ in 0..256 {
            d.push(cur);
            cur.double_in_place();
        }
        Projective::normalize_batch(&d)
    });
    terms
        .into_iter()
        .map(|(mi, w, neg, k)| {
            let bits = k.num_bits();
            let v = if bits <= 1 {
                if k.is_zero() {
                    Projective::zero()
                } else {
                    p.into_group()
                }
            } else if let Some(t) = &table {
                from_table(t, &k)
            } else if bits <= LONG_BITS {
                p.mul_bigint(k)
            } else {
                direct(p, &k)
            };
            (mi, w, if neg { -v } else { v })
        })
        .collect()
}

/// `out[i][wire] = Σ_j Σ_{(c, wire) ∈ mats[i][j]} c·bases[j]` for every matrix `i`; every
/// matrix has `bases.len()` rows or fewer (missing rows contribute nothing).
pub fn products<C: SWCurveConfig>(
    bases: &[Affine<C>],
    mats: &[&[Row]],
    n_wires: usize,
    direct: DirectMul<C>,
) -> Vec<Vec<Projective<C>>> {
    let rows = mats.iter().map(|m| m.len()).max().unwrap_or(0);
    assert!(rows <= bases.len(), "more rows than base points");
    let mut out = vec![vec![Projective::<C>::zero(); n_wires]; mats.len()];
    let mut start = 0;
    while start < rows {
        let end = (start + CHUNK).min(rows);
        let chunk: Vec<Vec<(u8, u32, Projective<C>)>> = (start..end)
            .into_par_iter()
            .map(|j| {
                let row_j: Vec<&[(Fr, usize)]> = mats
                    .iter()
                    .map(|m| m.get(j).map_or(&[][..], |r| &r[..]))
                    .collect();
                if row_j.iter().all(|r| r.is_empty()) {
                    return Vec::new();
                }
                row_products(&bases[j], &row_j, direct)
            })
            .collect();
        for row in chunk {
            for (mi, w, v) in row {
                out[mi as usize][w as usize] += v;
            }
        }
        start = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_bn254::{G1Affine, G1Projective, G2Affine, G2Projective};
    use ark_ec::PrimeGroup;
    use ark_ff::UniformRand;
    use rand::{Rng, SeedableRng};

    fn naive<C: SWCurveConfig>(bases: &[Affine<C>], m: &[Row], n: usize) -> Vec<Projective<C>> {
        let mut out = vec![Projective::<C>::zero(); n];
        for (j, row) in m.iter().enumerate() {
            for (c, w) in row {
                out[*w] += bases[j].mul_bigint(c.into_bigint());
            }
        }
        out
    }

    #[test]
    fn products_match_the_naive_sum_for_every_coefficient_kind() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(5);
        let n_rows = 40;
        let n_wires = 25;
        let g1: Vec<G1Affine> = (0..n_rows)
            .map(|_| (G1Projective::generator() * Fr::rand(&mut rng)).into_affine())
            .collect();
        let g2: Vec<G2Affine> = (0..n_rows)
            .map(|_| (G2Projective::generator() * Fr::rand(&mut rng)).into_affine())
            .collect();
        // Rows with: nothing, ±1, small, negated small, full-size; few and many long terms.
        let mut mat = |long_terms: usize| -> Vec<Row> {
            (0..n_rows)
                .map(|j| {
                    let mut row: Row = Vec::new();
                    if j % 7 == 0 {
                        return row;
                    }
                    row.push((Fr::from(1u64), rng.gen_range(0..n_wires)));
                    row.push((-Fr::from(1u64), rng.gen_range(0..n_wires)));
                    row.push((Fr::from(rng.gen::<u32>()), rng.gen_range(0..n_wires)));
                    row.push((-Fr::from(rng.gen::<u64>()), rng.gen_range(0..n_wires)));
                    row.push((Fr::from(0u64), rng.gen_range(0..n_wires)));
                    for _ in 0..(j % (long_terms + 1)) {
                        row.push((Fr::rand(&mut rng), rng.gen_range(0..n_wires)));
                    }
                    row
                })
                .collect()
        };
        let a = mat(8);
        let mut b = mat(2);
        b.truncate(30);
        let got = products(&g1, &[&a, &b], n_wires, |p, k| p.into_group().mul_bigint(k));
        assert_eq!(got[0], naive(&g1, &a, n_wires));
        assert_eq!(got[1], naive(&g1, &b, n_wires));
        let got2 = products(&g2, &[&a], n_wires, |p, k| p.mul_bigint(k));
        assert_eq!(got2[0], naive(&g2, &a, n_wires));
    }
}
