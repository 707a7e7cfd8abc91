//! snarkjs Groth16 proving keys (`.zkey`) and their conversion to ark-groth16.
//!
//! Sections: 1 protocol (`u32` 1 = Groth16); 2 Groth16 header (`n8q`, q, `n8r`, r, nVars,
//! nPublic, domainSize, α1, β1, β2, γ2, δ1, δ2); 3 IC (nPublic+1 G1); 4 coefficients (`u32`
//! count, then `(u32 matrix, u32 constraint, u32 signal, c·R²)`, A = 0, B = 1); 5 A (G1,
//! nVars); 6 B1 (G1); 7 B2 (G2); 8 C, i.e. L (G1, nVars-nPublic-1); 9 H (G1, domainSize);
//! 10 MPC parameters (64-byte circuit hash, `u32` count, contributions).
//!
//! A contribution is `δ_after (G1) ‖ g1_s ‖ g1_sx ‖ g2_spx (G2) ‖ transcript (64) ‖ u32 type
//! ‖ u32 params length ‖ params` with params `1` name, `2` beacon iterations exponent,
//! `3` beacon hash, each tagged and in increasing tag order.

use std::path::Path;

use ark_bn254::{Bn254, Fr, G1Affine, G2Affine};
use ark_groth16::{ProvingKey, VerifyingKey};
use blake2::{Blake2b512, Digest};

use super::binfile::{BinReader, BinWriter, Cursor};
use super::encoding::{self, G1_SIZE, G2_SIZE};
use super::ptau::{g1s_from, g2s_from};
use super::CeremonyError;

/// One non-zero entry of the A or B matrix, as the prover of snarkjs uses it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Coef {
    /// 0 for A, 1 for B.
    pub matrix: u32,
    /// Constraint (row) index; rows past the constraints are the public-input rows.
    pub constraint: u32,
    /// Signal (wire) index.
    pub signal: u32,
    /// The coefficient.
    pub value: Fr,
}

/// What kind of contribution a record is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ContributionKind {
    /// A participant's secret randomness (type 0).
    Random,
    /// A public random beacon (type 1): the key is derived from the beacon hash iterated
    /// `2^iterations_exp` times with SHA-256, so anyone can re-derive it.
    Beacon {
        /// log2 of the SHA-256 iterations.
        iterations_exp: u8,
        /// The beacon value.
        hash: Vec<u8>,
    },
}

/// A phase-2 contribution record with its proof of knowledge of the new δ factor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contribution {
    /// δ·G1 after this contribution.
    pub delta_after: G1Affine,
    /// Random G1 point `s`.
    pub g1_s: G1Affine,
    /// `x·s` for the contribution's secret `x`.
    pub g1_sx: G1Affine,
    /// `x·sp` where `sp = hashToG2(transcript)`.
    pub g2_spx: G2Affine,
    /// Blake2b-512 of the circuit hash, the previous contributions and `s, x·s`.
    pub transcript: [u8; 64],
    /// Random or beacon.
    pub kind: ContributionKind,
    /// Optional participant name (at most 64 characters).
    pub name: Option<String>,
}

impl Contribution {
    /// Feeds the public key of this contribution to `h` (snarkjs `hashPubKey`).
    pub fn hash_pub_key(&self, h: &mut Blake2b512) {
        h.update(encoding::g1_to_u(&self.delta_after));
        h.update(encoding::g1_to_u(&self.g1_s));
        h.update(encoding::g1_to_u(&self.g1_sx));
        h.update(encoding::g2_to_u(&self.g2_spx));
        h.update(self.transcript);
    }

    /// The contribution hash that the participant publishes.
    pub fn hash(&self) -> [u8; 64] {
        let mut h = Blake2b512::new();
        self.hash_pub_key(&mut h);
        h.finalize().into()
    }
}

/// snarkjs' layout of a 64-byte hash: four lines of four 8-hex-digit groups.
pub fn format_hash(h: &[u8; 64]) -> String {
    let hex = hex::encode(h);
    let mut out = String::new();
    for line in 0..4 {
        out.push('\t');
        for g in 0..4 {
            let s = (line * 4 + g) * 8;
            out.push_str(&hex[s..s + 8]);
            out.push(' ');
        }
        out.push('\n');
    }
    out
}

/// A Groth16 `.zkey` in memory.
#[derive(Clone, Debug, PartialEq)]
pub struct Zkey {
    /// Wires, including the constant one.
    pub n_vars: u32,
    /// Public inputs (not counting the constant one).
    pub n_public: u32,
    /// QAP domain size.
    pub domain_size: u32,
    /// α·G1.
    pub alpha1: G1Affine,
    /// β·G1.
    pub beta1: G1Affine,
    /// β·G2.
    pub beta2: G2Affine,
    /// γ·G2 (the generator: snarkjs never randomises γ).
    pub gamma2: G2Affine,
    /// δ·G1.
    pub delta1: G1Affine,
    /// δ·G2.
    pub delta2: G2Affine,
    /// IC: (βA_i + αB_i + C_i)(τ)·G1 for the public wires (γ = 1).
    pub ic: Vec<G1Affine>,
    /// A and B coefficients.
    pub coefs: Vec<Coef>,
    /// A_i(τ)·G1.
    pub a: Vec<G1Affine>,
    /// B_i(τ)·G1.
    pub b1: Vec<G1Affine>,
    /// B_i(τ)·G2.
    pub b2: Vec<G2Affine>,
    /// (βA_i + αB_i + C_i)(τ)/δ·G1 for the private wires.
    pub c: Vec<G1Affine>,
    /// H query: odd Lagrange points of the 2n domain, over δ.
    pub h: Vec<G1Affine>,
    /// Blake2b-512 circuit hash (`csHash`).
    pub cs_hash: [u8; 64],
    /// Phase-2 contributions in order.
    pub contributions: Vec<Contribution>,
}

/// Section write order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// The order of `snarkjs zkey new`: 1, 2, 4, 3, 9, 8, 5, 6, 7, 10.
    Init,
    /// The order of `snarkjs zkey contribute`/`beacon`: 1..=10.
    Contribution,
}

fn g1s_lem(pts: &[G1Affine]) -> Vec<u8> {
    pts.iter().flat_map(encoding::g1_to_lem).collect()
}

fn g2s_lem(pts: &[G2Affine]) -> Vec<u8> {
    pts.iter().flat_map(encoding::g2_to_lem).collect()
}

impl Zkey {
    /// Reads and fully validates a `.zkey` file: structure, BN254, section sizes, every
    /// point canonical, on the curve and in the subgroup, coefficients canonical.
    pub fn read(path: &Path) -> Result<Self, CeremonyError> {
        let mut r = BinReader::open(path, "zkey")?;
        let file = r.name().to_string();
        let malformed = |what: String| CeremonyError::Malformed {
            file: file.clone(),
            what,
        };
        if r.version != 1 {
            return Err(malformed(format!("unsupported version {}", r.version)));
        }
        let proto = r.read_all(1)?;
        if proto.len() != 4 || u32::from_le_bytes(proto[..4].try_into().expect("4")) != 1 {
            return Err(malformed("not a Groth16 key (protocol section)".into()));
        }
        let head = r.read_all(2)?;
        let mut c = Cursor::new(&head, &file, "Groth16 header section");
        let n8q = c.u32()?;
        if n8q != 32 || c.take(32)? != encoding::q_le() {
            return Err(CeremonyError::WrongCurve {
                file,
                what: "base field modulus q".into(),
            });
        }
        let n8r = c.u32()?;
        if n8r != 32 || c.take(32)? != encoding::r_le() {
            return Err(CeremonyError::WrongCurve {
                file,
                what: "scalar field modulus r".into(),
            });
        }
        let n_vars = c.u32()?;
        let n_public = c.u32()?;
        let domain_size = c.u32()?;
        if n_public >= n_vars || !domain_size.is_power_of_two() {
            return Err(malformed(format!(
                "nVars {n_vars}, nPublic {n_public}, domainSize {domain_size}"
            )));
        }
        let pt = |what: &str, reason| CeremonyError::InvalidPoint {
            file: file.clone(),
            what: format!("header {what}"),
            reason,
        };
        let alpha1 = encoding::g1_from_lem(c.take(G1_SIZE)?).map_err(|e| pt("alpha1", e))?;
        let beta1 = encoding::g1_from_lem(c.take(G1_SIZE)?).map_err(|e| pt("beta1", e))?;
        let beta2 = encoding::g2_from_lem(c.take(G2_SIZE)?).map_err(|e| pt("beta2", e))?;
        let gamma2 = encoding::g2_from_lem(c.take(G2_SIZE)?).map_err(|e| pt("gamma2", e))?;
        let delta1 = encoding::g1_from_lem(c.take(G1_SIZE)?).map_err(|e| pt("delta1", e))?;
        let delta2 = encoding::g2_from_lem(c.take(G2_SIZE)?).map_err(|e| pt("delta2", e))?;
        if c.remaining() != 0 {
            return Err(malformed("trailing bytes in the Groth16 header".into()));
        }
        let n_vars_u = n_vars as u64;
        let n_pub_u = n_public as u64;
        let mut g1_section = |id: u32, what: &str, count: u64| {
            let size = r.require(id, what)?;
            if size != count * G1_SIZE as u64 {
                return Err(CeremonyError::Malformed {
                    file: file.clone(),
                    what: format!(
                        "section {id} ({what}) has {size} bytes, expected {count} points"
                    ),
                });
            }
            let buf = r.read_all(id)?;
            g1s_from(&buf, &file, id, 0)
        };
        let ic = g1_section(3, "IC", n_pub_u + 1)?;
        let a = g1_section(5, "A", n_vars_u)?;
        let b1 = g1_section(6, "B1", n_vars_u)?;
        let cq = g1_section(8, "C", n_vars_u - n_pub_u - 1)?;
        let h = g1_section(9, "H", domain_size as u64)?;
        let size = r.require(7, "B2")?;
        if size != n_vars_u * G2_SIZE as u64 {
            return Err(malformed(format!(
                "section 7 (B2) has {size} bytes, expected {n_vars} points"
            )));
        }
        let b2 = g2s_from(&r.read_all(7)?, &file, 7, 0)?;
        let coefs = read_coefs(&r.read_all(4)?, &file, n_vars, domain_size)?;
        let mpc = r.read_all(10)?;
        let (cs_hash, contributions) = read_mpc(&mpc, &file)?;
        Ok(Zkey {
            n_vars,
            n_public,
            domain_size,
            alpha1,
            beta1,
            beta2,
            gamma2,
            delta1,
            delta2,
            ic,
            coefs,
            a,
            b1,
            b2,
            c: cq,
            h,
            cs_hash,
            contributions,
        })
    }

    fn header_bytes(&self) -> Vec<u8> {
        let mut v = Vec::new();
        v.extend_from_slice(&32u32.to_le_bytes());
        v.extend_from_slice(&encoding::q_le());
        v.extend_from_slice(&32u32.to_le_bytes());
        v.extend_from_slice(&encoding::r_le());
        v.extend_from_slice(&self.n_vars.to_le_bytes());
        v.extend_from_slice(&self.n_public.to_le_bytes());
        v.extend_from_slice(&self.domain_size.to_le_bytes());
        v.extend_from_slice(&encoding::g1_to_lem(&self.alpha1));
        v.extend_from_slice(&encoding::g1_to_lem(&self.beta1));
        v.extend_from_slice(&encoding::g2_to_lem(&self.beta2));
        v.extend_from_slice(&encoding::g2_to_lem(&self.gamma2));
        v.extend_from_slice(&encoding::g1_to_lem(&self.delta1));
        v.extend_from_slice(&encoding::g2_to_lem(&self.delta2));
        v
    }

    fn coefs_bytes(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(4 + self.coefs.len() * 44);
        v.extend_from_slice(&(self.coefs.len() as u32).to_le_bytes());
        for c in &self.coefs {
            v.extend_from_slice(&c.matrix.to_le_bytes());
            v.extend_from_slice(&c.constraint.to_le_bytes());
            v.extend_from_slice(&c.signal.to_le_bytes());
            v.extend_from_slice(&encoding::coef_to_zkey(&c.value));
        }
        v
    }

    /// The MPC-parameters section (10).
    pub fn mpc_bytes(&self) -> Vec<u8> {
        let mut v = Vec::new();
        v.extend_from_slice(&self.cs_hash);
        v.extend_from_slice(&(self.contributions.len() as u32).to_le_bytes());
        for c in &self.contributions {
            v.extend_from_slice(&encoding::g1_to_lem(&c.delta_after));
            v.extend_from_slice(&encoding::g1_to_lem(&c.g1_s));
            v.extend_from_slice(&encoding::g1_to_lem(&c.g1_sx));
            v.extend_from_slice(&encoding::g2_to_lem(&c.g2_spx));
            v.extend_from_slice(&c.transcript);
            let (ty, mut params) = match &c.kind {
                ContributionKind::Random => (0u32, Vec::new()),
                ContributionKind::Beacon { .. } => (1u32, Vec::new()),
            };
            if let Some(name) = &c.name {
                let name: String = name.chars().take(64).collect();
                let b = name.as_bytes();
                let b = &b[..b.len().min(255)];
                params.push(1u8);
                params.push(b.len() as u8);
                params.extend_from_slice(b);
            }
            if let ContributionKind::Beacon {
                iterations_exp,
                hash,
            } = &c.kind
            {
                params.push(2);
                params.push(*iterations_exp);
                params.push(3);
                params.push(hash.len() as u8);
                params.extend_from_slice(hash);
            }
            v.extend_from_slice(&ty.to_le_bytes());
            v.extend_from_slice(&(params.len() as u32).to_le_bytes());
            v.extend_from_slice(&params);
        }
        v
    }

    /// Writes the key atomically with the section order of `layout`.
    pub fn write(&self, path: &Path, layout: Layout) -> Result<(), CeremonyError> {
        let order: [u32; 10] = match layout {
            Layout::Init => [1, 2, 4, 3, 9, 8, 5, 6, 7, 10],
            Layout::Contribution => [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
        };
        let mut w = BinWriter::create(path, "zkey", 1, 10)?;
        for id in order {
            let data = match id {
                1 => 1u32.to_le_bytes().to_vec(),
                2 => self.header_bytes(),
                3 => g1s_lem(&self.ic),
                4 => self.coefs_bytes(),
                5 => g1s_lem(&self.a),
                6 => g1s_lem(&self.b1),
                7 => g2s_lem(&self.b2),
                8 => g1s_lem(&self.c),
                9 => g1s_lem(&self.h),
                _ => self.mpc_bytes(),
            };
            w.section(id, &data)?;
        }
        w.finish()
    }

    /// The ark-groth16 proving key (prove with [`super::reduction::CircomReduction`]).
    pub fn proving_key(&self) -> ProvingKey<Bn254> {
        ProvingKey {
            vk: self.verifying_key(),
            beta_g1: self.beta1,
            delta_g1: self.delta1,
            a_query: self.a.clone(),
            b_g1_query: self.b1.clone(),
            b_g2_query: self.b2.clone(),
            h_query: self.h.clone(),
            l_query: self.c.clone(),
        }
    }

    /// The ark-groth16 verifying key.
    pub fn verifying_key(&self) -> VerifyingKey<Bn254> {
        VerifyingKey {
            alpha_g1: self.alpha1,
            beta_g2: self.beta2,
            gamma_g2: self.gamma2,
            delta_g2: self.delta2,
            gamma_abc_g1: self.ic.clone(),
        }
    }
}

fn read_coefs(
    buf: &[u8],
    file: &str,
    n_vars: u32,
    domain_size: u32,
) -> Result<Vec<Coef>, CeremonyError> {
    let mut c = Cursor::new(buf, file, "coefficients section");
    let n = c.u32()? as usize;
    if n > c.remaining() / 44 {
        return Err(CeremonyError::Truncated {
            file: file.to_string(),
            what: format!("coefficients section announces {n} entries"),
        });
    }
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let matrix = c.u32()?;
        let constraint = c.u32()?;
        let signal = c.u32()?;
        let value =
            encoding::coef_from_zkey(c.take(32)?).ok_or_else(|| CeremonyError::InvalidScalar {
                file: file.to_string(),
                what: format!("coefficient {i}"),
            })?;
        if matrix > 1 || signal >= n_vars || constraint >= domain_size {
            return Err(CeremonyError::Malformed {
                file: file.to_string(),
                what: format!(
                    "coefficient {i}: matrix {matrix}, row {constraint}, signal {signal}"
                ),
            });
        }
        out.push(Coef {
            matrix,
            constraint,
            signal,
            value,
        });
    }
    if c.remaining() != 0 {
        return Err(CeremonyError::Malformed {
            file: file.to_string(),
            what: "trailing bytes in the coefficients section".into(),
        });
    }
    Ok(out)
}

fn read_mpc(buf: &[u8], file: &str) -> Result<([u8; 64], Vec<Contribution>), CeremonyError> {
    let mut c = Cursor::new(buf, file, "contributions section");
    let cs_hash: [u8; 64] = c.take(64)?.try_into().expect("64 bytes");
    let n = c.u32()?;
    let mut out = Vec::new();
    for i in 0..n as usize {
        let pt = |what: &str, reason| CeremonyError::InvalidPoint {
            file: file.to_string(),
            what: format!("contribution #{} {what}", i + 1),
            reason,
        };
        let delta_after =
            encoding::g1_from_lem(c.take(G1_SIZE)?).map_err(|e| pt("deltaAfter", e))?;
        let g1_s = encoding::g1_from_lem(c.take(G1_SIZE)?).map_err(|e| pt("g1_s", e))?;
        let g1_sx = encoding::g1_from_lem(c.take(G1_SIZE)?).map_err(|e| pt("g1_sx", e))?;
        let g2_spx = encoding::g2_from_lem(c.take(G2_SIZE)?).map_err(|e| pt("g2_spx", e))?;
        let transcript: [u8; 64] = c.take(64)?.try_into().expect("64 bytes");
        let ty = c.u32()?;
        let plen = c.u32()? as usize;
        let params = c.take(plen)?;
        let bad = |what: &str| CeremonyError::Malformed {
            file: file.to_string(),
            what: format!("contribution #{}: {what}", i + 1),
        };
        let (mut name, mut exp, mut hash) = (None, None, None);
        let mut p = Cursor::new(params, file, "contribution parameters");
        let mut last = 0u8;
        while p.remaining() > 0 {
            let tag = p.take(1)?[0];
            if tag <= last {
                return Err(bad("parameters not sorted"));
            }
            last = tag;
            match tag {
                1 => {
                    let l = p.take(1)?[0] as usize;
                    name = Some(String::from_utf8_lossy(p.take(l)?).to_string());
                }
                2 => exp = Some(p.take(1)?[0]),
                3 => {
                    let l = p.take(1)?[0] as usize;
                    hash = Some(p.take(l)?.to_vec());
                }
                _ => return Err(bad(&format!("unknown parameter {tag}"))),
            }
        }
        let kind = match (ty, exp, hash) {
            (0, None, None) => ContributionKind::Random,
            (1, Some(iterations_exp), Some(hash)) => ContributionKind::Beacon {
                iterations_exp,
                hash,
            },
            _ => {
                return Err(bad(&format!(
                    "type {ty} with inconsistent beacon parameters"
                )))
            }
        };
        out.push(Contribution {
            delta_after,
            g1_s,
            g1_sx,
            g2_spx,
            transcript,
            kind,
            name,
        });
    }
    if c.remaining() != 0 {
        return Err(CeremonyError::Malformed {
            file: file.to_string(),
            what: "trailing bytes in the contributions section".into(),
        });
    }
    Ok((cs_hash, out))
}
