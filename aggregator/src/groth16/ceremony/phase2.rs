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
use super::r1cs_file::{Row, R1cs};
use super::sparse::{self, DirectMul};
use super::zkey::{Coef, Zkey};
use super::CeremonyError;

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

    // The coefficient list, in snarkjs' order: A and B by constraint, then the public rows.
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
    // circom's input rows: row m + s holds wire s (s <= n_pub) with coefficient 1 in A.
    let pub_rows: Vec<Row> = (0..=n_pub).map(|s| vec![(Fr::one(), s)]).collect();
    for s in 0..=n_pub {
        coefs.push(Coef {
            matrix: 0,
            constraint: (m + s) as u32,
            signal: s as u32,
            value: Fr::one(),
        });
    }
    let a_rows: Vec<Row> = r1cs.a.iter().cloned().chain(pub_rows.iter().cloned()).collect();
    let g1_glv: DirectMul<ark_bn254::g1::Config> = |p, k| p.into_group().mul_bigint(k);
    let g2_dbl_add: DirectMul<ark_bn254::g2::Config> = |p, k| p.mul_bigint(k);
    // A, B1 and K's C-part share the τ basis; K's A-part uses β·L, its B-part α·L.
    let mut tau_products = sparse::products(
        &lag_tau,
        &[&a_rows, &r1cs.b, &r1cs.c],
        nv,
        g1_glv,
    )
    .into_iter();
    let a_proj = tau_products.next().expect("A");
    let b1_proj = tau_products.next().expect("B1");
    let mut k_proj = tau_products.next().expect("K");
    drop(a_rows);
    for (basis, rows) in [(&lag_beta, &r1cs.a), (&lag_alpha, &r1cs.b)] {
        let part = sparse::products(basis, &[rows], nv, g1_glv);
        k_proj
            .par_iter_mut()
            .zip(&part[0])
            .for_each(|(k, p)| *k += p);
    }
    let beta_pub = sparse::products(&lag_beta[m..], &[&pub_rows], nv, g1_glv);
    k_proj
        .par_iter_mut()
        .zip(&beta_pub[0])
        .for_each(|(k, p)| *k += p);
    let a = G1Projective::normalize_batch(&a_proj);
    let b1 = G1Projective::normalize_batch(&b1_proj);
    let kk = G1Projective::normalize_batch(&k_proj);
    drop((a_proj, b1_proj, k_proj));
    let b2_proj = sparse::products(&lag_tau2, &[&r1cs.b], nv, g2_dbl_add);
    let b2 = G2Projective::normalize_batch(&b2_proj[0]);
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
