//! Verification of a phase-2 key against its circuit and Powers of Tau (`snarkjs zkey
//! verify`): the key must be the initial key of this circuit and this Powers of Tau,
//! transformed only by the recorded contributions, each with a valid proof of knowledge.

use ark_bn254::{Fr, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::{AffineRepr, CurveGroup, VariableBaseMSM};
use blake2::Digest;
use rayon::prelude::*;

use super::contribute::{draw_key, transcript_prefix};
use super::encoding;
use super::jsrng::{beacon_rng, hash_to_g2};
use super::phase2;
use super::phase2::Shape;
use super::ptau::{random_scalars, same_ratio, PhaseOnePoints, Ptau};
use super::r1cs_file::{R1cs, Row};
use super::zkey::{ContributionKind, Zkey};
use super::CeremonyError;

/// One verified contribution.
#[derive(Clone, Debug)]
pub struct VerifiedContribution {
    /// 1-based position in the chain.
    pub index: usize,
    /// The contribution hash its participant published.
    pub hash: [u8; 64],
    /// The participant's name, if recorded.
    pub name: Option<String>,
    /// Random or beacon.
    pub kind: ContributionKind,
}

/// What a successful verification established.
#[derive(Clone, Debug)]
pub struct VerifyReport {
    /// The circuit hash.
    pub cs_hash: [u8; 64],
    /// The contributions, in order.
    pub contributions: Vec<VerifiedContribution>,
}

fn mismatch(what: &str) -> CeremonyError {
    CeremonyError::Mismatch {
        what: what.to_string(),
    }
}

/// Verifies `zkey` for `r1cs` and `ptau` (which is validated on the way).
///
/// It establishes what `snarkjs zkey verify` does, without recomputing the whole initial key:
/// the A, B1 and B2 sections are checked against the R1CS and the Lagrange bases by random
/// linear combinations (`Σ_s r_s A_s = Σ_j (Σ_s a_js r_s) L_j`, independent uniform 64-bit
/// `r_s`: a key that differs anywhere passes with probability at most 2^-64), which costs two
/// MSMs instead of ≈ 15.9 M scalar multiplications for the wrap circuit. The K points (IC and
/// the initial L query) are computed, as the circuit hash covers the initial L query, which the
/// key no longer holds after contributions.
pub fn verify(zkey: &Zkey, r1cs: &R1cs, ptau: &mut Ptau) -> Result<VerifyReport, CeremonyError> {
    let (shape, pts) = check_shape(zkey, r1cs, ptau)?;
    let n = shape.n();
    tracing::info_span!("ab_check").in_scope(|| check_ab(zkey, r1cs, &pts))?;
    let kk = tracing::info_span!("k_query").in_scope(|| phase2::k_query(r1cs, &pts));
    if zkey.ic[..] != kk[..=shape.n_pub] {
        return Err(mismatch("IC section differs from this circuit's"));
    }
    let c_init = &kk[shape.n_pub + 1..];
    let h_init = phase2::h_query(&pts, n);
    let cs_hash = phase2::circuit_hash(&phase2::HashInput {
        pts: &pts,
        n,
        ic: &zkey.ic,
        c: c_init,
        a: &zkey.a,
        b1: &zkey.b1,
        b2: &zkey.b2,
    });
    if zkey.cs_hash != cs_hash {
        return Err(mismatch(
            "circuit hash differs: another circuit or another powers of tau",
        ));
    }
    check_chain(zkey, c_init, &h_init)
}

/// The checks every key of this circuit must pass, cheap ones first: sizes, the ptau
/// (validated; its points returned), α, β, γ, section sizes and the coefficient list.
fn check_shape(
    zkey: &Zkey,
    r1cs: &R1cs,
    ptau: &mut Ptau,
) -> Result<(Shape, PhaseOnePoints), CeremonyError> {
    let shape = Shape::of(r1cs)?;
    let n = shape.n();
    if (
        zkey.n_vars,
        zkey.n_public as usize,
        zkey.domain_size as usize,
    ) != (shape.n_vars, shape.n_pub, n)
    {
        return Err(mismatch(&format!(
            "circuit sizes (wires, public, domain) are ({}, {}, {}), this circuit has ({}, {}, {}): another circuit",
            zkey.n_vars, zkey.n_public, zkey.domain_size, shape.n_vars, shape.n_pub, n
        )));
    }
    let pts = tracing::info_span!("ptau_check", k = shape.k)
        .in_scope(|| ptau.check_for(shape.k, r1cs.rows()))?;
    if zkey.alpha1 != pts.alpha1 || zkey.beta1 != pts.beta1 || zkey.beta2 != pts.beta2 {
        return Err(mismatch(
            "alpha/beta differ: made from another powers of tau",
        ));
    }
    if zkey.gamma2 != G2Affine::generator() {
        return Err(mismatch("gamma2 is not the G2 generator"));
    }
    let nv = r1cs.num_wires;
    for (ok, what) in [
        (zkey.ic.len() == shape.n_pub + 1, "IC section size"),
        (zkey.a.len() == nv, "A section size"),
        (zkey.b1.len() == nv, "B1 section size"),
        (zkey.b2.len() == nv, "B2 section size"),
        (zkey.c.len() == nv - shape.n_pub - 1, "L section size"),
        (zkey.h.len() == n, "H section size"),
    ] {
        if !ok {
            return Err(mismatch(&format!("{what} differs from this circuit's")));
        }
    }
    if zkey.coefs != phase2::coefficients(r1cs) {
        return Err(mismatch("coefficients section differs from this circuit's"));
    }
    Ok((shape, pts))
}

/// Verifies `zkey` for `r1cs` and `ptau` given the ceremony's published initial key
/// `initial` (`0000.zkey`), which is checked to be the initial key of this circuit and ptau
/// without recomputing it: its A, B1, B2 and L queries by random linear combinations
/// (2^-64 each), IC and H exactly, its circuit hash over its own points. `zkey` is then
/// compared with it section by section and its contributions checked. For the wrap circuit
/// this replaces the 15.9 M scalar multiplications of the L query by MSMs.
pub fn verify_with_initial(
    zkey: &Zkey,
    initial: &Zkey,
    r1cs: &R1cs,
    ptau: &mut Ptau,
) -> Result<VerifyReport, CeremonyError> {
    let (shape, pts) = check_shape(initial, r1cs, ptau)?;
    let not_initial = |what: &str| mismatch(&format!("the initial key: {what}"));
    if !initial.contributions.is_empty()
        || initial.delta1 != G1Affine::generator()
        || initial.delta2 != G2Affine::generator()
    {
        return Err(not_initial(
            "has contributions or delta is not the generator",
        ));
    }
    tracing::info_span!("ab_check").in_scope(|| check_ab(initial, r1cs, &pts))?;
    // IC exactly: K restricted to the public wires.
    let keep = |rows: &[Row]| -> Vec<Row> {
        rows.par_iter()
            .map(|row| {
                row.iter()
                    .filter(|(_, s)| *s <= shape.n_pub)
                    .copied()
                    .collect()
            })
            .collect()
    };
    let public = R1cs {
        num_public: shape.n_pub,
        num_wires: shape.n_pub + 1,
        a: keep(&r1cs.a),
        b: keep(&r1cs.b),
        c: keep(&r1cs.c),
    };
    if initial.ic != phase2::k_query(&public, &pts) {
        return Err(not_initial("IC section differs from this circuit's"));
    }
    drop(public);
    // The L query by a random linear combination over the private wires.
    let mut rng = rand::rngs::OsRng;
    let mut r = vec![Fr::from(0u64); r1cs.num_wires];
    for (x, y) in r[shape.n_pub + 1..]
        .iter_mut()
        .zip(random_scalars(r1cs.num_wires - shape.n_pub - 1, &mut rng))
    {
        *x = y;
    }
    let fold = |rows: &[Row]| -> Vec<Fr> {
        rows.par_iter()
            .map(|row| row.iter().map(|(c, s)| *c * r[*s]).sum())
            .collect()
    };
    let m = r1cs.num_constraints();
    let rhs = G1Projective::msm_unchecked(&pts.lag_beta[..m], &fold(&r1cs.a))
        + G1Projective::msm_unchecked(&pts.lag_alpha[..m], &fold(&r1cs.b))
        + G1Projective::msm_unchecked(&pts.lag_tau[..m], &fold(&r1cs.c));
    if G1Projective::msm_unchecked(&initial.c, &r[shape.n_pub + 1..]) != rhs {
        return Err(not_initial("L section differs from this circuit's"));
    }
    if initial.h != phase2::h_query(&pts, shape.n()) {
        return Err(not_initial("H section differs from this circuit's"));
    }
    let cs_hash = phase2::circuit_hash(&phase2::HashInput {
        pts: &pts,
        n: shape.n(),
        ic: &initial.ic,
        c: &initial.c,
        a: &initial.a,
        b1: &initial.b1,
        b2: &initial.b2,
    });
    if initial.cs_hash != cs_hash {
        return Err(not_initial("circuit hash differs from its points'"));
    }
    verify_against_init(zkey, initial)
}

/// The A, B1 and B2 sections against the R1CS, by random linear combinations.
fn check_ab(zkey: &Zkey, r1cs: &R1cs, pts: &PhaseOnePoints) -> Result<(), CeremonyError> {
    let mut rng = rand::rngs::OsRng;
    let nv = r1cs.num_wires;
    // u_j = Σ_s M_js r_s for each row j of M.
    let fold = |rows: &[Row], r: &[Fr]| -> Vec<Fr> {
        rows.par_iter()
            .map(|row| row.iter().map(|(c, s)| *c * r[*s]).sum())
            .collect()
    };
    let a_rows: Vec<Row> = r1cs
        .a
        .iter()
        .cloned()
        .chain(phase2::public_rows(r1cs.num_public))
        .collect();
    let r = random_scalars(nv, &mut rng);
    let u = fold(&a_rows, &r);
    drop(a_rows);
    if G1Projective::msm_unchecked(&zkey.a, &r)
        != G1Projective::msm_unchecked(&pts.lag_tau[..u.len()], &u)
    {
        return Err(mismatch("A section differs from this circuit's"));
    }
    let r = random_scalars(nv, &mut rng);
    let u = fold(&r1cs.b, &r);
    if G1Projective::msm_unchecked(&zkey.b1, &r)
        != G1Projective::msm_unchecked(&pts.lag_tau[..u.len()], &u)
    {
        return Err(mismatch("B1 section differs from this circuit's"));
    }
    let r = random_scalars(nv, &mut rng);
    let u = fold(&r1cs.b, &r);
    if G2Projective::msm_unchecked(&zkey.b2, &r)
        != G2Projective::msm_unchecked(&pts.lag_tau_g2[..u.len()], &u)
    {
        return Err(mismatch("B2 section differs from this circuit's"));
    }
    Ok(())
}

/// Verifies `zkey` against the initial key `init` of its circuit (every section compared).
pub fn verify_against_init(zkey: &Zkey, init: &Zkey) -> Result<VerifyReport, CeremonyError> {
    if (zkey.n_vars, zkey.n_public, zkey.domain_size)
        != (init.n_vars, init.n_public, init.domain_size)
    {
        return Err(mismatch(&format!(
            "circuit sizes (wires, public, domain) are ({}, {}, {}), this circuit has ({}, {}, {}): another circuit",
            zkey.n_vars, zkey.n_public, zkey.domain_size, init.n_vars, init.n_public, init.domain_size
        )));
    }
    if zkey.alpha1 != init.alpha1 || zkey.beta1 != init.beta1 || zkey.beta2 != init.beta2 {
        return Err(mismatch(
            "alpha/beta differ: made from another powers of tau",
        ));
    }
    if zkey.gamma2 != init.gamma2 {
        return Err(mismatch("gamma2 is not the G2 generator"));
    }
    if zkey.cs_hash != init.cs_hash {
        return Err(mismatch(
            "circuit hash differs: another circuit or another powers of tau",
        ));
    }
    for (ok, what) in [
        (zkey.ic == init.ic, "IC section"),
        (zkey.coefs == init.coefs, "coefficients section"),
        (zkey.a == init.a, "A section"),
        (zkey.b1 == init.b1, "B1 section"),
        (zkey.b2 == init.b2, "B2 section"),
        (zkey.c.len() == init.c.len(), "L section size"),
        (zkey.h.len() == init.h.len(), "H section size"),
    ] {
        if !ok {
            return Err(mismatch(&format!("{what} differs from this circuit's")));
        }
    }
    check_chain(zkey, &init.c, &init.h)
}

/// The contributions from the initial L and H queries to `zkey`'s.
fn check_chain(
    zkey: &Zkey,
    c_init: &[G1Affine],
    h_init: &[G1Affine],
) -> Result<VerifyReport, CeremonyError> {
    // The chain of contributions.
    let mut cur = G1Affine::generator();
    let mut out = Vec::new();
    for (i, c) in zkey.contributions.iter().enumerate() {
        let bad = |reason: &str| CeremonyError::BadContribution {
            index: i + 1,
            reason: reason.to_string(),
        };
        let mut h = transcript_prefix(zkey, i);
        h.update(encoding::g1_to_u(&c.g1_s));
        h.update(encoding::g1_to_u(&c.g1_sx));
        let t: [u8; 64] = h.finalize().into();
        if t != c.transcript {
            return Err(bad(
                "transcript does not match the circuit and the earlier contributions (dropped, reordered or altered)",
            ));
        }
        let sp = hash_to_g2(&c.transcript);
        if !same_ratio(&c.g1_s, &c.g1_sx, &sp, &c.g2_spx) {
            return Err(bad("proof of knowledge does not verify (g1_sx, g2_spx)"));
        }
        if !same_ratio(&cur, &c.delta_after, &sp, &c.g2_spx) {
            return Err(bad(
                "deltaAfter is not the previous delta times the contribution's secret",
            ));
        }
        if let ContributionKind::Beacon {
            iterations_exp,
            hash,
        } = &c.kind
        {
            super::contribute::check_beacon_params(hash, *iterations_exp as u32)
                .map_err(|e| bad(&e.to_string()))?;
            let (x, s) = draw_key(&mut beacon_rng(hash, *iterations_exp as u32));
            if s != c.g1_s || (s * x).into_affine() != c.g1_sx {
                return Err(bad("beacon key is not the one the beacon value gives"));
            }
        }
        out.push(VerifiedContribution {
            index: i + 1,
            hash: c.hash(),
            name: c.name.clone(),
            kind: c.kind.clone(),
        });
        cur = c.delta_after;
    }
    if zkey.delta1 != cur {
        return Err(mismatch("delta1 is not the last contribution's deltaAfter"));
    }
    if !same_ratio(
        &G1Affine::generator(),
        &zkey.delta1,
        &G2Affine::generator(),
        &zkey.delta2,
    ) {
        return Err(mismatch("delta2 does not match delta1"));
    }
    // L and H: the initial points divided by delta (random linear combination).
    let mut rng = rand::rngs::OsRng;
    for (name, new, old) in [("L", &zkey.c[..], c_init), ("H", &zkey.h[..], h_init)] {
        let r: Vec<Fr> = random_scalars(new.len(), &mut rng);
        let r_new = G1Projective::msm_unchecked(new, &r).into_affine();
        let r_old = G1Projective::msm_unchecked(old, &r).into_affine();
        let ok = if r_old.is_zero() || r_new.is_zero() {
            r_old.is_zero() && r_new.is_zero()
        } else {
            same_ratio(&r_new, &r_old, &G2Affine::generator(), &zkey.delta2)
        };
        if !ok {
            return Err(mismatch(&format!(
                "{name} section is not the initial one divided by delta"
            )));
        }
    }
    Ok(VerifyReport {
        cs_hash: zkey.cs_hash,
        contributions: out,
    })
}
