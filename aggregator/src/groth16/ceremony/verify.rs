//! Verification of a phase-2 key against its circuit and Powers of Tau (`snarkjs zkey
//! verify`): the key must be the initial key of this circuit and this Powers of Tau,
//! transformed only by the recorded contributions, each with a valid proof of knowledge.

use ark_bn254::{Fr, G1Affine, G1Projective, G2Affine};
use ark_ec::{AffineRepr, CurveGroup, VariableBaseMSM};
use blake2::Digest;

use super::contribute::{draw_key, transcript_prefix};
use super::encoding;
use super::jsrng::{beacon_rng, hash_to_g2};
use super::phase2;
use super::ptau::{random_scalars, same_ratio, Ptau};
use super::r1cs_file::R1cs;
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
pub fn verify(zkey: &Zkey, r1cs: &R1cs, ptau: &mut Ptau) -> Result<VerifyReport, CeremonyError> {
    let init = phase2::init(r1cs, ptau)?;
    verify_against_init(zkey, &init)
}

/// Verifies `zkey` against the initial key `init` of its circuit.
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
    for (name, new, old) in [("L", &zkey.c, &init.c), ("H", &zkey.h, &init.h)] {
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
