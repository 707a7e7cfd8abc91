//! Phase 1: snarkjs Powers of Tau (`.ptau`) files.
//!
//! Sections (all points LEM, see [`super::encoding`]): 1 header (`n8`, q, power,
//! ceremonyPower); 2 τ^i·G1 for i < 2^(power+1)-1; 3 τ^i·G2, 4 ατ^i·G1, 5 βτ^i·G1 for
//! i < 2^power; 6 β·G2; 7 contribution records. A file *prepared for phase 2* adds the
//! Lagrange bases L_i(τ) of every domain 2^j: 12 (G1, j = 0..=power+1), 13 (G2), 14 (α·G1),
//! 15 (β·G1) (j = 0..=power), concatenated by increasing j, so level j starts at point
//! 2^j - 1. (snarkjs computes level power+1 of section 12 with the missing last power taken
//! as zero; this module does the same.)
//!
//! [`Ptau::check_for`] validates every point a circuit of a given domain uses (canonical,
//! on the curve, in the subgroup) and the consistency of the powers and of the Lagrange
//! bases by random-linear-combination checks.

use std::path::Path;

use ark_bn254::{Bn254, Fr, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::pairing::Pairing;
use ark_ec::scalar_mul::ScalarMul;
use ark_ec::{AffineRepr, CurveGroup, PrimeGroup, VariableBaseMSM};
use ark_ff::{Field, UniformRand, Zero};
use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};
use ark_std::rand::{CryptoRng, RngCore};
use rayon::prelude::*;

use super::binfile::{BinReader, BinWriter, Cursor};
use super::encoding::{self, G1_SIZE, G2_SIZE};
use super::subgroup;
use super::CeremonyError;

/// Section ids of a `.ptau` file.
pub mod section {
    /// Header.
    pub const HEADER: u32 = 1;
    /// τ^i·G1.
    pub const TAU_G1: u32 = 2;
    /// τ^i·G2.
    pub const TAU_G2: u32 = 3;
    /// ατ^i·G1.
    pub const ALPHA_TAU_G1: u32 = 4;
    /// βτ^i·G1.
    pub const BETA_TAU_G1: u32 = 5;
    /// β·G2.
    pub const BETA_G2: u32 = 6;
    /// Contribution records.
    pub const CONTRIBUTIONS: u32 = 7;
    /// Lagrange basis L_i(τ)·G1 of every domain.
    pub const LAGRANGE_G1: u32 = 12;
    /// L_i(τ)·G2.
    pub const LAGRANGE_G2: u32 = 13;
    /// α·L_i(τ)·G1.
    pub const LAGRANGE_ALPHA_G1: u32 = 14;
    /// β·L_i(τ)·G1.
    pub const LAGRANGE_BETA_G1: u32 = 15;
}

/// Largest power accepted (BN254's scalar field has 2-adicity 28).
pub const MAX_POWER: u32 = 27;

/// snarkjs' domain power for a circuit of `rows = constraints + public inputs + 1` rows:
/// `log2(rows - 1) + 1` (the smallest power of two that holds every row).
pub fn domain_power(rows: usize) -> u32 {
    let v = rows.saturating_sub(1).max(1);
    (usize::BITS - 1 - v.leading_zeros()) + 1
}

/// An open, header-checked Powers of Tau file.
pub struct Ptau {
    reader: BinReader,
    /// log2 of the number of powers (`2^power` G2 powers).
    pub power: u32,
    /// The power of the original ceremony.
    pub ceremony_power: u32,
    /// Whether sections 12-15 are present.
    pub prepared: bool,
}

pub(crate) fn g1s_from(
    buf: &[u8],
    file: &str,
    section: u32,
    start: u64,
) -> Result<Vec<G1Affine>, CeremonyError> {
    buf.par_chunks_exact(G1_SIZE)
        .enumerate()
        .map(|(i, c)| {
            encoding::g1_from_lem(c).map_err(|reason| CeremonyError::InvalidPoint {
                file: file.to_string(),
                what: format!("section {section} point {}", start + i as u64),
                reason,
            })
        })
        .collect()
}

pub(crate) fn g2s_from(
    buf: &[u8],
    file: &str,
    section: u32,
    start: u64,
) -> Result<Vec<G2Affine>, CeremonyError> {
    let bad = |i: usize, reason| CeremonyError::InvalidPoint {
        file: file.to_string(),
        what: format!("section {section} point {}", start + i as u64),
        reason,
    };
    let points: Vec<G2Affine> = buf
        .par_chunks_exact(G2_SIZE)
        .enumerate()
        .map(|(i, c)| encoding::g2_from_lem_on_curve(c).map_err(|reason| bad(i, reason)))
        .collect::<Result<_, _>>()?;
    if !subgroup::all_in_g2_subgroup(&points, &mut rand::rngs::OsRng) {
        let i = subgroup::first_outside_g2_subgroup(&points).unwrap_or(0);
        return Err(bad(i, "not in the prime-order subgroup"));
    }
    Ok(points)
}

impl Ptau {
    /// Opens `path`: checks the container, the header (BN254, power) and the size of every
    /// section against the power.
    pub fn open(path: &Path) -> Result<Self, CeremonyError> {
        let mut reader = BinReader::open(path, "ptau")?;
        let file = reader.name().to_string();
        let malformed = |what: String| CeremonyError::Malformed {
            file: file.clone(),
            what,
        };
        if reader.version != 1 {
            return Err(malformed(format!("unsupported version {}", reader.version)));
        }
        reader.require(section::HEADER, "header")?;
        let head = reader.read_all(section::HEADER)?;
        let mut c = Cursor::new(&head, &file, "header section");
        let n8 = c.u32()?;
        if n8 != 32 {
            return Err(CeremonyError::WrongCurve {
                file,
                what: format!("field elements of {n8} bytes"),
            });
        }
        let q = c.take(32)?;
        if q != encoding::q_le() {
            return Err(CeremonyError::WrongCurve {
                file,
                what: "base field modulus q".into(),
            });
        }
        let power = c.u32()?;
        let ceremony_power = c.u32()?;
        if c.remaining() != 0 {
            return Err(malformed("header section has trailing bytes".into()));
        }
        if power == 0 || power > MAX_POWER {
            return Err(malformed(format!(
                "power {power} out of range 1..={MAX_POWER}"
            )));
        }
        let n = 1u64 << power;
        let expect = |id: u32, what: &str, size: u64| -> Result<(), CeremonyError> {
            let got = reader.require(id, what)?;
            if got != size {
                return Err(CeremonyError::Malformed {
                    file: reader.name().to_string(),
                    what: format!(
                        "section {id} ({what}) has {got} bytes, power {power} needs {size}"
                    ),
                });
            }
            Ok(())
        };
        let g1 = G1_SIZE as u64;
        let g2 = G2_SIZE as u64;
        expect(section::TAU_G1, "tauG1", (2 * n - 1) * g1)?;
        expect(section::TAU_G2, "tauG2", n * g2)?;
        expect(section::ALPHA_TAU_G1, "alphaTauG1", n * g1)?;
        expect(section::BETA_TAU_G1, "betaTauG1", n * g1)?;
        expect(section::BETA_G2, "betaG2", g2)?;
        reader.require(section::CONTRIBUTIONS, "contributions")?;
        let prepared = reader.section_size(section::LAGRANGE_G1).is_some();
        if prepared {
            expect(section::LAGRANGE_G1, "lagrange tauG1", (4 * n - 1) * g1)?;
            expect(section::LAGRANGE_G2, "lagrange tauG2", (2 * n - 1) * g2)?;
            expect(
                section::LAGRANGE_ALPHA_G1,
                "lagrange alphaTauG1",
                (2 * n - 1) * g1,
            )?;
            expect(
                section::LAGRANGE_BETA_G1,
                "lagrange betaTauG1",
                (2 * n - 1) * g1,
            )?;
        }
        Ok(Ptau {
            reader,
            power,
            ceremony_power,
            prepared,
        })
    }

    /// The file name.
    pub fn name(&self) -> &str {
        self.reader.name()
    }

    /// Checks that the file can serve a domain of `2^k` rows: prepared, and `k <= power`.
    pub fn require_power(&self, k: u32, rows: usize) -> Result<(), CeremonyError> {
        if !self.prepared {
            return Err(CeremonyError::NotPrepared {
                file: self.name().to_string(),
            });
        }
        if k > self.power {
            return Err(CeremonyError::TooFewPowers {
                needed: k,
                rows,
                available: self.power,
            });
        }
        Ok(())
    }

    /// `count` validated G1 points of `section` from index `start`.
    pub fn g1s(
        &mut self,
        sec: u32,
        start: u64,
        count: u64,
    ) -> Result<Vec<G1Affine>, CeremonyError> {
        let buf = self
            .reader
            .read(sec, start * G1_SIZE as u64, count * G1_SIZE as u64)?;
        g1s_from(&buf, self.reader.name(), sec, start)
    }

    /// `count` validated G2 points of `section` from index `start`.
    pub fn g2s(
        &mut self,
        sec: u32,
        start: u64,
        count: u64,
    ) -> Result<Vec<G2Affine>, CeremonyError> {
        let buf = self
            .reader
            .read(sec, start * G2_SIZE as u64, count * G2_SIZE as u64)?;
        g2s_from(&buf, self.reader.name(), sec, start)
    }

    /// Raw LEM bytes of `count` G1 points of `section` from `start` (unvalidated).
    pub fn raw_g1(&mut self, sec: u32, start: u64, count: u64) -> Result<Vec<u8>, CeremonyError> {
        self.reader
            .read(sec, start * G1_SIZE as u64, count * G1_SIZE as u64)
    }

    /// The Lagrange basis of domain `2^level` from a G1 Lagrange section (12, 14, 15).
    pub fn lagrange_g1(&mut self, sec: u32, level: u32) -> Result<Vec<G1Affine>, CeremonyError> {
        let n = 1u64 << level;
        self.g1s(sec, n - 1, n)
    }

    /// The G2 Lagrange basis of domain `2^level` (section 13).
    pub fn lagrange_g2(&mut self, level: u32) -> Result<Vec<G2Affine>, CeremonyError> {
        let n = 1u64 << level;
        self.g2s(section::LAGRANGE_G2, n - 1, n)
    }

    /// Validates everything a circuit with a domain of `2^k` rows uses: every point read is
    /// canonical, on the curve and in the subgroup; τ^0 is the generator in G1 and G2; the
    /// τ, ατ, βτ powers are geometric with the same τ (pairing checks on random linear
    /// combinations); β·G1 and β·G2 agree; the Lagrange bases of domains 2^k and 2^(k+1) are
    /// the Lagrange transforms of the powers. Returns the validated points, for
    /// [`super::phase2::init`].
    pub fn check_for(&mut self, k: u32, rows: usize) -> Result<PhaseOnePoints, CeremonyError> {
        self.require_power(k, rows)?;
        if k == 0 {
            return Err(CeremonyError::InvalidArgument("domain power 0".into()));
        }
        let file = self.name().to_string();
        let bad = |what: &str| CeremonyError::InconsistentPtau {
            file: file.clone(),
            what: what.to_string(),
        };
        let n = 1u64 << k;
        let total_g1 = (1u64 << (self.power + 1)) - 1;
        let n_tau = (2 * n).min(total_g1);
        let tau = self.g1s(section::TAU_G1, 0, n_tau)?;
        let tau_g2 = self.g2s(section::TAU_G2, 0, n)?;
        let alpha = self.g1s(section::ALPHA_TAU_G1, 0, n)?;
        let beta = self.g1s(section::BETA_TAU_G1, 0, n)?;
        let beta_g2 = self.g2s(section::BETA_G2, 0, 1)?[0];
        let g1 = G1Affine::generator();
        let g2 = G2Affine::generator();
        if tau[0] != g1 {
            return Err(bad("tauG1[0] is not the G1 generator"));
        }
        if tau_g2[0] != g2 {
            return Err(bad("tauG2[0] is not the G2 generator"));
        }
        if tau[1].is_zero() || alpha[0].is_zero() || beta[0].is_zero() || beta_g2.is_zero() {
            return Err(bad("tau, alpha or beta is zero"));
        }
        let tau_2 = tau_g2[1];
        // e(tau[1], G2) == e(G1, tauG2[1]).
        if !same_ratio(&g1, &tau[1], &g2, &tau_2) {
            return Err(bad("tauG1[1] and tauG2[1] differ"));
        }
        if !same_ratio(&g1, &beta[0], &g2, &beta_g2) {
            return Err(bad("betaTauG1[0] and betaG2 differ"));
        }
        let mut rng = rand::rngs::OsRng;
        for (name, pts) in [
            ("tauG1", &tau),
            ("alphaTauG1", &alpha),
            ("betaTauG1", &beta),
        ] {
            let (lo, hi) = shifted_rlc_g1(pts, &mut rng);
            // hi = tau * lo.
            if !same_ratio(&lo, &hi, &g2, &tau_2) {
                return Err(bad(&format!("{name} is not a geometric sequence in tau")));
            }
        }
        let (lo, hi) = shifted_rlc_g2(&tau_g2, &mut rng);
        if !same_ratio(&g1, &tau[1], &lo, &hi) {
            return Err(bad("tauG2 is not a geometric sequence in tau"));
        }
        // Lagrange bases against the powers.
        let lag_tau = self.lagrange_g1(section::LAGRANGE_G1, k)?;
        check_lagrange_g1(&lag_tau, &tau[..n as usize], &mut rng)
            .then_some(())
            .ok_or_else(|| bad(&format!("section 12 level {k} is not the Lagrange basis")))?;
        let lag_tau_2n = self.lagrange_g1(section::LAGRANGE_G1, k + 1)?;
        check_lagrange_g1(&lag_tau_2n, &tau, &mut rng)
            .then_some(())
            .ok_or_else(|| {
                bad(&format!(
                    "section 12 level {} is not the Lagrange basis",
                    k + 1
                ))
            })?;
        let lag_alpha = self.lagrange_g1(section::LAGRANGE_ALPHA_G1, k)?;
        check_lagrange_g1(&lag_alpha, &alpha, &mut rng)
            .then_some(())
            .ok_or_else(|| bad(&format!("section 14 level {k} is not the Lagrange basis")))?;
        let lag_beta = self.lagrange_g1(section::LAGRANGE_BETA_G1, k)?;
        check_lagrange_g1(&lag_beta, &beta, &mut rng)
            .then_some(())
            .ok_or_else(|| bad(&format!("section 15 level {k} is not the Lagrange basis")))?;
        let lag_tau_g2 = self.lagrange_g2(k)?;
        let r = random_scalars(lag_tau_g2.len(), &mut rng);
        let c = ifft(&r);
        if G2Projective::msm_unchecked(&lag_tau_g2, &r) != G2Projective::msm_unchecked(&tau_g2, &c)
        {
            return Err(bad(&format!(
                "section 13 level {k} is not the Lagrange basis"
            )));
        }
        Ok(PhaseOnePoints {
            alpha1: alpha[0],
            beta1: beta[0],
            beta2: beta_g2,
            tau,
            lag_tau,
            lag_tau_2n,
            lag_alpha,
            lag_beta,
            lag_tau_g2,
        })
    }
}

/// The validated phase-1 points a circuit of domain `2^k` uses.
pub struct PhaseOnePoints {
    /// α·G1.
    pub alpha1: G1Affine,
    /// β·G1.
    pub beta1: G1Affine,
    /// β·G2.
    pub beta2: G2Affine,
    /// τ^i·G1 for i < min(2n, 2^(power+1) - 1).
    pub tau: Vec<G1Affine>,
    /// L_i(τ)·G1 of the n-domain.
    pub lag_tau: Vec<G1Affine>,
    /// L_i(τ)·G1 of the 2n-domain (section 12, level k+1).
    pub lag_tau_2n: Vec<G1Affine>,
    /// α·L_i(τ)·G1 of the n-domain.
    pub lag_alpha: Vec<G1Affine>,
    /// β·L_i(τ)·G1 of the n-domain.
    pub lag_beta: Vec<G1Affine>,
    /// L_i(τ)·G2 of the n-domain.
    pub lag_tau_g2: Vec<G2Affine>,
}

/// `e(a1, b2) == e(b1, a2)`: `b1/a1 == b2/a2` in the exponent.
pub fn same_ratio(a1: &G1Affine, b1: &G1Affine, a2: &G2Affine, b2: &G2Affine) -> bool {
    if a1.is_zero() || b1.is_zero() || a2.is_zero() || b2.is_zero() {
        return false;
    }
    Bn254::multi_pairing([*a1, -*b1], [*b2, *a2]).is_zero()
}

/// Random 64-bit scalars for random linear combinations.
pub fn random_scalars<R: RngCore>(n: usize, rng: &mut R) -> Vec<Fr> {
    (0..n).map(|_| Fr::from(rng.next_u64())).collect()
}

/// `(Σ r_i P_i, Σ r_i P_{i+1})` for random `r`.
fn shifted_rlc_g1<R: RngCore>(p: &[G1Affine], rng: &mut R) -> (G1Affine, G1Affine) {
    let r = random_scalars(p.len() - 1, rng);
    let lo = G1Projective::msm_unchecked(&p[..p.len() - 1], &r);
    let hi = G1Projective::msm_unchecked(&p[1..], &r);
    (lo.into_affine(), hi.into_affine())
}

fn shifted_rlc_g2<R: RngCore>(p: &[G2Affine], rng: &mut R) -> (G2Affine, G2Affine) {
    let r = random_scalars(p.len() - 1, rng);
    let lo = G2Projective::msm_unchecked(&p[..p.len() - 1], &r);
    let hi = G2Projective::msm_unchecked(&p[1..], &r);
    (lo.into_affine(), hi.into_affine())
}

/// Inverse FFT over the domain of `v.len()` (a power of two): `c_j = (1/N) Σ_i v_i ω^{-ij}`.
pub fn ifft(v: &[Fr]) -> Vec<Fr> {
    let d = Radix2EvaluationDomain::<Fr>::new(v.len()).expect("power-of-two domain");
    d.ifft(v)
}

/// `Σ r_i L_i == Σ_j c_j P_j` with `c = IFFT(r)`; `powers` may be one shorter than `lag`
/// (the top power taken as zero, as snarkjs does for the last level of section 12).
fn check_lagrange_g1<R: RngCore>(lag: &[G1Affine], powers: &[G1Affine], rng: &mut R) -> bool {
    let r = random_scalars(lag.len(), rng);
    let c = ifft(&r);
    let m = powers.len().min(c.len());
    G1Projective::msm_unchecked(lag, &r) == G1Projective::msm_unchecked(&powers[..m], &c[..m])
}

/// Lagrange-basis scalars `L_i(τ)` of the domain of size `2^level`, from the powers of τ
/// (the last power zeroed when `truncate`, matching snarkjs).
fn lagrange_scalars(powers: &[Fr], level: u32, truncate: bool) -> Vec<Fr> {
    let n = 1usize << level;
    let mut v = powers[..n].to_vec();
    if truncate {
        v[n - 1] = Fr::zero();
    }
    ifft(&v)
}

fn write_g1s(w: &mut BinWriter, id: u32, pts: &[G1Affine]) -> Result<(), CeremonyError> {
    w.start_section(id)?;
    write_g1_points(w, pts)?;
    w.end_section()
}

fn write_g1_points(w: &mut BinWriter, pts: &[G1Affine]) -> Result<(), CeremonyError> {
    let bytes: Vec<u8> = pts.par_iter().flat_map_iter(encoding::g1_to_lem).collect();
    w.write(&bytes)
}

fn write_g2_points(w: &mut BinWriter, pts: &[G2Affine]) -> Result<(), CeremonyError> {
    let bytes: Vec<u8> = pts.par_iter().flat_map_iter(encoding::g2_to_lem).collect();
    w.write(&bytes)
}

/// Writes an **insecure** development Powers of Tau of `2^power` powers, prepared for
/// phase 2: one party (this process) picks τ, α, β from `rng` and forgets them when this
/// function returns. Whoever controls or observes `rng` knows the trapdoor; never use such
/// a file for a deployment that holds value. Section 7 records no contribution (snarkjs'
/// `powersoftau verify` rejects the file; `zkey new` and `zkey verify` accept it).
pub fn write_dev_ptau<R: RngCore + CryptoRng>(
    path: &Path,
    power: u32,
    rng: &mut R,
) -> Result<(), CeremonyError> {
    if power == 0 || power > MAX_POWER {
        return Err(CeremonyError::InvalidArgument(format!(
            "power {power} out of range 1..={MAX_POWER}"
        )));
    }
    let nonzero = |rng: &mut R| loop {
        let x = Fr::rand(rng);
        if !x.is_zero() {
            return x;
        }
    };
    let tau = nonzero(rng);
    let alpha = nonzero(rng);
    let beta = nonzero(rng);
    let n = 1usize << power;
    let mut powers = Vec::with_capacity(2 * n);
    let mut acc = Fr::ONE;
    for _ in 0..2 * n {
        powers.push(acc);
        acc *= tau;
    }
    let g1 = G1Projective::generator();
    let g2 = G2Projective::generator();
    let scale = |s: Fr, v: &[Fr]| -> Vec<Fr> { v.par_iter().map(|x| s * x).collect() };

    let mut w = BinWriter::create(path, "ptau", 1, 11)?;
    w.start_section(section::HEADER)?;
    w.u32(32)?;
    w.write(&encoding::q_le())?;
    w.u32(power)?;
    w.u32(power)?;
    w.end_section()?;
    write_g1s(&mut w, section::TAU_G1, &g1.batch_mul(&powers[..2 * n - 1]))?;
    w.start_section(section::TAU_G2)?;
    write_g2_points(&mut w, &g2.batch_mul(&powers[..n]))?;
    w.end_section()?;
    write_g1s(
        &mut w,
        section::ALPHA_TAU_G1,
        &g1.batch_mul(&scale(alpha, &powers[..n])),
    )?;
    write_g1s(
        &mut w,
        section::BETA_TAU_G1,
        &g1.batch_mul(&scale(beta, &powers[..n])),
    )?;
    w.start_section(section::BETA_G2)?;
    write_g2_points(&mut w, &[(g2 * beta).into_affine()])?;
    w.end_section()?;
    w.start_section(section::CONTRIBUTIONS)?;
    w.u32(0)?;
    w.end_section()?;
    w.start_section(section::LAGRANGE_G1)?;
    for level in 0..=power + 1 {
        let l = lagrange_scalars(&powers, level, level == power + 1);
        write_g1_points(&mut w, &g1.batch_mul(&l))?;
    }
    w.end_section()?;
    w.start_section(section::LAGRANGE_G2)?;
    for level in 0..=power {
        let l = lagrange_scalars(&powers, level, false);
        write_g2_points(&mut w, &g2.batch_mul(&l))?;
    }
    w.end_section()?;
    for (id, s) in [
        (section::LAGRANGE_ALPHA_G1, alpha),
        (section::LAGRANGE_BETA_G1, beta),
    ] {
        w.start_section(id)?;
        for level in 0..=power {
            let l = lagrange_scalars(&powers, level, false);
            write_g1_points(&mut w, &g1.batch_mul(&scale(s, &l)))?;
        }
        w.end_section()?;
    }
    w.finish()
}
