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
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{One, PrimeField};
use blake2::{Blake2b512, Digest};
use rayon::prelude::*;

use super::encoding;
use super::ptau::{domain_power, PhaseOnePoints, Ptau};
use super::r1cs_file::R1cs;
use super::zkey::{Coef, Zkey};
use super::CeremonyError;

fn term_g1(p: &G1Affine, c: &Fr) -> G1Projective {
    if c.is_one() {
        p.into_group()
    } else if (-*c).is_one() {
        -p.into_group()
    } else {
        p.mul_bigint(c.into_bigint())
    }
}

fn term_g2(p: &G2Affine, c: &Fr) -> G2Projective {
    if c.is_one() {
        p.into_group()
    } else if (-*c).is_one() {
        -p.into_group()
    } else {
        p.mul_bigint(c.into_bigint())
    }
}

/// Which Lagrange basis a term uses.
#[derive(Clone, Copy)]
enum Base {
    Tau,
    Alpha,
    Beta,
}

/// Per-wire term lists: `(basis, row, coefficient)`.
type Terms = Vec<Vec<(Base, usize, Fr)>>;

fn hash_g1s(h: &mut Blake2b512, pts: &[G1Affine]) {
    h.update((pts.len() as u32).to_be_bytes());
    for p in pts {
        h.update(encoding::g1_to_u(p));
    }
}

/// `snarkjs zkey new`: the initial key of `r1cs` from a prepared Powers of Tau, which is
/// validated first ([`Ptau::check_for`]).
pub fn init(r1cs: &R1cs, ptau: &mut Ptau) -> Result<Zkey, CeremonyError> {
    let rows = r1cs.rows();
    let k = domain_power(rows);
    let PhaseOnePoints {
        alpha1,
        beta1,
        beta2,
        tau,
        lag_tau,
        lag_tau_2n,
        lag_alpha,
        lag_beta,
        lag_tau_g2: lag_tau2,
    } = ptau.check_for(k, rows)?;
    let n = 1usize << k;
    let m = r1cs.num_constraints();
    let n_pub = r1cs.num_public;
    let nv = r1cs.num_wires;
    let too_big = || CeremonyError::InvalidArgument("circuit exceeds u32 sizes".into());
    let n_vars = u32::try_from(nv).map_err(|_| too_big())?;

    // Transpose the matrices into per-wire term lists, in snarkjs' order.
    let mut a_terms: Terms = vec![Vec::new(); nv];
    let mut b_terms: Terms = vec![Vec::new(); nv];
    let mut k_terms: Terms = vec![Vec::new(); nv];
    let mut coefs = Vec::new();
    for j in 0..m {
        for (c, s) in &r1cs.a[j] {
            a_terms[*s].push((Base::Tau, j, *c));
            k_terms[*s].push((Base::Beta, j, *c));
            coefs.push(Coef {
                matrix: 0,
                constraint: j as u32,
                signal: *s as u32,
                value: *c,
            });
        }
        for (c, s) in &r1cs.b[j] {
            b_terms[*s].push((Base::Tau, j, *c));
            k_terms[*s].push((Base::Alpha, j, *c));
            coefs.push(Coef {
                matrix: 1,
                constraint: j as u32,
                signal: *s as u32,
                value: *c,
            });
        }
        for (c, s) in &r1cs.c[j] {
            k_terms[*s].push((Base::Tau, j, *c));
        }
    }
    for s in 0..=n_pub {
        a_terms[s].push((Base::Tau, m + s, Fr::one()));
        k_terms[s].push((Base::Beta, m + s, Fr::one()));
        coefs.push(Coef {
            matrix: 0,
            constraint: (m + s) as u32,
            signal: s as u32,
            value: Fr::one(),
        });
    }
    let base = |b: Base| match b {
        Base::Tau => &lag_tau,
        Base::Alpha => &lag_alpha,
        Base::Beta => &lag_beta,
    };
    let sum_g1 = |terms: &Terms| -> Vec<G1Affine> {
        let proj: Vec<G1Projective> = terms
            .par_iter()
            .map(|ts| ts.iter().map(|(b, j, c)| term_g1(&base(*b)[*j], c)).sum())
            .collect();
        G1Projective::normalize_batch(&proj)
    };
    let a = sum_g1(&a_terms);
    let b1 = sum_g1(&b_terms);
    let kk = sum_g1(&k_terms);
    let b2_proj: Vec<G2Projective> = b_terms
        .par_iter()
        .map(|ts| ts.iter().map(|(_, j, c)| term_g2(&lag_tau2[*j], c)).sum())
        .collect();
    let b2 = G2Projective::normalize_batch(&b2_proj);
    let ic = kk[..=n_pub].to_vec();
    let c = kk[n_pub + 1..].to_vec();

    let h: Vec<G1Affine> = (0..n).map(|i| lag_tau_2n[2 * i + 1]).collect();

    // Circuit hash, in snarkjs' order.
    let g1 = G1Affine::generator();
    let g2 = G2Affine::generator();
    let mut hs = Blake2b512::new();
    hs.update(encoding::g1_to_u(&alpha1));
    hs.update(encoding::g1_to_u(&beta1));
    hs.update(encoding::g2_to_u(&beta2));
    hs.update(encoding::g2_to_u(&g2));
    hs.update(encoding::g1_to_u(&g1));
    hs.update(encoding::g2_to_u(&g2));
    hash_g1s(&mut hs, &ic);
    // H as snarkjs hashes it: (τ^{n+i} - τ^i)·G1 for i < n-1, from the plain powers.
    let hz: Vec<G1Projective> = (0..n - 1)
        .into_par_iter()
        .map(|i| tau[i + n].into_group() - tau[i])
        .collect();
    hash_g1s(&mut hs, &G1Projective::normalize_batch(&hz));
    hash_g1s(&mut hs, &c);
    hash_g1s(&mut hs, &a);
    hash_g1s(&mut hs, &b1);
    hs.update((b2.len() as u32).to_be_bytes());
    for p in &b2 {
        hs.update(encoding::g2_to_u(p));
    }
    let cs_hash: [u8; 64] = hs.finalize().into();

    Ok(Zkey {
        n_vars,
        n_public: n_pub as u32,
        domain_size: n as u32,
        alpha1,
        beta1,
        beta2,
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
