//! Phase-2 initialisation: the circuit-specific key before any contribution, exactly as
//! `snarkjs zkey new` computes it (same points, same coefficient list, same circuit hash,
//! same bytes on disk).
//!
//! With the Lagrange bases `L_j(τ)` of the domain of `n = 2^k` rows (k from
//! [`super::ptau::domain_power`]), for every wire `s`:
//! `A_s = Σ_j a_js L_j(τ)·G1` (plus `L_{m+s}` for the public wires, circom's input rows),
//! `B_s = Σ_j b_js L_j(τ)` in G1 and G2, and `IC_s` (public) / `C_s` (private)
//! `= Σ_j (β a_js + α b_js + c_js) L_j(τ)·G1`. γ = δ = 1. The H query is the odd Lagrange
//! points of the 2n domain, `L^{2n}_{2i+1}(τ)·G1` for `i < n` (circom's reduction, see
//! [`super::reduction`]).

use ark_bn254::{Fr, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::{AffineRepr, CurveGroup, PrimeGroup};
use ark_ff::One;
use blake2::{Blake2b512, Digest};
use rayon::prelude::*;

use super::encoding;
use super::ptau::{domain_power, PhaseOnePoints, Ptau};
use super::r1cs_file::{R1cs, Row};
use super::sparse::{self, DirectMul};
use super::zkey::{Coef, Zkey};
use super::CeremonyError;

fn hash_g1s(h: &mut Blake2b512, pts: &[G1Affine]) {
    h.update((pts.len() as u32).to_be_bytes());
    for p in pts {
        h.update(encoding::g1_to_u(p));
    }
}

/// The circuit's shape as a key records it.
pub(crate) struct Shape {
    /// log2 of the domain.
    pub k: u32,
    /// Public inputs.
    pub n_pub: usize,
    /// Wires.
    pub n_vars: u32,
}

impl Shape {
    pub(crate) fn of(r1cs: &R1cs) -> Result<Self, CeremonyError> {
        let too_big = || CeremonyError::InvalidArgument("circuit exceeds u32 sizes".into());
        Ok(Shape {
            k: domain_power(r1cs.rows()),
            n_pub: r1cs.num_public,
            n_vars: u32::try_from(r1cs.num_wires).map_err(|_| too_big())?,
        })
    }

    pub(crate) fn n(&self) -> usize {
        1usize << self.k
    }
}

/// circom's input rows: row `m + s` holds wire `s` (`s <= n_pub`) with coefficient 1 in A.
pub(crate) fn public_rows(n_pub: usize) -> Vec<Row> {
    (0..=n_pub).map(|s| vec![(Fr::one(), s)]).collect()
}

/// The coefficient list, in snarkjs' order: A and B by constraint, then the public rows.
pub(crate) fn coefficients(r1cs: &R1cs) -> Vec<Coef> {
    let m = r1cs.num_constraints();
    let mut coefs = Vec::new();
    for j in 0..m {
        for (matrix, row) in [(0u32, &r1cs.a[j]), (1, &r1cs.b[j])] {
            for (c, s) in row {
                coefs.push(Coef {
                    matrix,
                    constraint: j as u32,
                    signal: *s as u32,
                    value: *c,
                });
            }
        }
    }
    for s in 0..=r1cs.num_public {
        coefs.push(Coef {
            matrix: 0,
            constraint: (m + s) as u32,
            signal: s as u32,
            value: Fr::one(),
        });
    }
    coefs
}

const G1_GLV: DirectMul<ark_bn254::g1::Config> = |p, k| p.into_group().mul_bigint(k);
const G2_DOUBLE_ADD: DirectMul<ark_bn254::g2::Config> = |p, k| p.mul_bigint(k);

/// The A, B1 and B2 queries: `Σ_j a_js L_j(τ)` (with the public rows) and `Σ_j b_js L_j(τ)`
/// in G1 and G2.
pub(crate) fn ab_queries(
    r1cs: &R1cs,
    pts: &PhaseOnePoints,
) -> (Vec<G1Affine>, Vec<G1Affine>, Vec<G2Affine>) {
    let nv = r1cs.num_wires;
    let a_rows: Vec<Row> = r1cs
        .a
        .iter()
        .cloned()
        .chain(public_rows(r1cs.num_public))
        .collect();
    let mut tau = sparse::products(&pts.lag_tau, &[&a_rows, &r1cs.b], nv, G1_GLV).into_iter();
    let a = G1Projective::normalize_batch(&tau.next().expect("A"));
    let b1 = G1Projective::normalize_batch(&tau.next().expect("B1"));
    drop((tau, a_rows));
    let b2 = sparse::products(&pts.lag_tau_g2, &[&r1cs.b], nv, G2_DOUBLE_ADD);
    (a, b1, G2Projective::normalize_batch(&b2[0]))
}

/// The initial K points `Σ_j (β a_js + α b_js + c_js) L_j(τ)·G1` of every wire: IC for the
/// public wires (`..=n_pub`), the initial L (C) query for the others.
pub(crate) fn k_query(r1cs: &R1cs, pts: &PhaseOnePoints) -> Vec<G1Affine> {
    let nv = r1cs.num_wires;
    let m = r1cs.num_constraints();
    let mut k = sparse::products(&pts.lag_tau, &[&r1cs.c], nv, G1_GLV)
        .pop()
        .expect("K");
    let pub_rows = public_rows(r1cs.num_public);
    for (basis, rows) in [
        (&pts.lag_beta[..], &r1cs.a[..]),
        (&pts.lag_alpha[..], &r1cs.b[..]),
        (&pts.lag_beta[m..], &pub_rows[..]),
    ] {
        let part = sparse::products(basis, &[rows], nv, G1_GLV);
        k.par_iter_mut().zip(&part[0]).for_each(|(k, p)| *k += p);
    }
    G1Projective::normalize_batch(&k)
}

/// The H query: the odd Lagrange points of the 2n domain (circom's reduction).
pub(crate) fn h_query(pts: &PhaseOnePoints, n: usize) -> Vec<G1Affine> {
    (0..n).map(|i| pts.lag_tau_2n[2 * i + 1]).collect()
}

/// snarkjs' circuit hash of an initial key.
pub(crate) struct HashInput<'a> {
    pub pts: &'a PhaseOnePoints,
    pub n: usize,
    pub ic: &'a [G1Affine],
    pub c: &'a [G1Affine],
    pub a: &'a [G1Affine],
    pub b1: &'a [G1Affine],
    pub b2: &'a [G2Affine],
}

/// Blake2b-512 over the initial key's points, in snarkjs' order.
pub(crate) fn circuit_hash(x: &HashInput<'_>) -> [u8; 64] {
    let g1 = G1Affine::generator();
    let g2 = G2Affine::generator();
    let mut hs = Blake2b512::new();
    hs.update(encoding::g1_to_u(&x.pts.alpha1));
    hs.update(encoding::g1_to_u(&x.pts.beta1));
    hs.update(encoding::g2_to_u(&x.pts.beta2));
    hs.update(encoding::g2_to_u(&g2));
    hs.update(encoding::g1_to_u(&g1));
    hs.update(encoding::g2_to_u(&g2));
    hash_g1s(&mut hs, x.ic);
    // H as snarkjs hashes it: (τ^{n+i} - τ^i)·G1 for i < n-1, from the plain powers.
    let n = x.n;
    let tau = &x.pts.tau;
    let hz: Vec<G1Projective> = (0..n - 1)
        .into_par_iter()
        .map(|i| tau[i + n].into_group() - tau[i])
        .collect();
    hash_g1s(&mut hs, &G1Projective::normalize_batch(&hz));
    hash_g1s(&mut hs, x.c);
    hash_g1s(&mut hs, x.a);
    hash_g1s(&mut hs, x.b1);
    hs.update((x.b2.len() as u32).to_be_bytes());
    for p in x.b2 {
        hs.update(encoding::g2_to_u(p));
    }
    hs.finalize().into()
}

/// `snarkjs zkey new`: the initial key of `r1cs` from a prepared Powers of Tau, which is
/// validated first ([`Ptau::check_for`]).
pub fn init(r1cs: &R1cs, ptau: &mut Ptau) -> Result<Zkey, CeremonyError> {
    let shape = Shape::of(r1cs)?;
    let pts = tracing::info_span!("ptau_check", k = shape.k)
        .in_scope(|| ptau.check_for(shape.k, r1cs.rows()))?;
    let n = shape.n();
    let coefs = coefficients(r1cs);
    let (a, b1, b2) = tracing::info_span!("ab_queries").in_scope(|| ab_queries(r1cs, &pts));
    let kk = tracing::info_span!("k_query").in_scope(|| k_query(r1cs, &pts));
    let ic = kk[..=shape.n_pub].to_vec();
    let c = kk[shape.n_pub + 1..].to_vec();
    drop(kk);
    let h = h_query(&pts, n);
    let cs_hash = circuit_hash(&HashInput {
        pts: &pts,
        n,
        ic: &ic,
        c: &c,
        a: &a,
        b1: &b1,
        b2: &b2,
    });
    let g1 = G1Affine::generator();
    let g2 = G2Affine::generator();
    Ok(Zkey {
        n_vars: shape.n_vars,
        n_public: shape.n_pub as u32,
        domain_size: n as u32,
        alpha1: pts.alpha1,
        beta1: pts.beta1,
        beta2: pts.beta2,
        gamma2: g2,
        delta1: g1,
        delta2: g2,
        ic,
        coefs,
        a,
        b1,
        b2,
        c,
        h,
        cs_hash,
        contributions: Vec::new(),
    })
}
