//! circom's `.r1cs` binary format, written from (and read into) an arkworks constraint
//! system.
//!
//! Sections: 1 header (`n8`, prime r, nWires, nPubOut, nPubIn, nPrvIn, nLabels `u64`,
//! mConstraints), 2 constraints (for each of A, B, C: `u32` term count, then `(u32 wire,
//! coefficient)` with the coefficient standard form little-endian), 3 wire→label map.
//! Wire 0 is the constant one, then the public inputs, then the witnesses: arkworks' own
//! variable order after `finalize()` (linear combinations inlined), so the matrices and the
//! prover's assignment line up. zkroll writes every public input as `nPubIn` (no outputs).

use std::path::Path;

use ark_bn254::Fr;
use ark_relations::r1cs::{
    ConstraintSynthesizer, ConstraintSystem, OptimizationGoal, SynthesisMode,
};

use super::binfile::{BinReader, BinWriter, Cursor};
use super::encoding;
use super::CeremonyError;

/// One row of a matrix: `(coefficient, wire)` terms.
pub type Row = Vec<(Fr, usize)>;

/// A rank-1 constraint system `A·w ∘ B·w = C·w` over BN254's scalar field.
#[derive(Clone, Debug, PartialEq)]
pub struct R1cs {
    /// Public inputs, not counting the constant one (wires `1..=num_public`).
    pub num_public: usize,
    /// Wires, including the constant one.
    pub num_wires: usize,
    /// A rows.
    pub a: Vec<Row>,
    /// B rows.
    pub b: Vec<Row>,
    /// C rows.
    pub c: Vec<Row>,
}

impl R1cs {
    /// Synthesises `circuit` in setup mode (optimised for constraints and finalised, as
    /// ark-groth16 does) and takes its matrices.
    pub fn from_circuit<C: ConstraintSynthesizer<Fr>>(circuit: C) -> Result<Self, CeremonyError> {
        let cs = ConstraintSystem::<Fr>::new_ref();
        cs.set_optimization_goal(OptimizationGoal::Constraints);
        cs.set_mode(SynthesisMode::Setup);
        crate::groth16::quiet::quiet(|| circuit.generate_constraints(cs.clone()))
            .map_err(|e| CeremonyError::Synthesis(e.to_string()))?;
        cs.finalize();
        let m = cs
            .to_matrices()
            .ok_or_else(|| CeremonyError::Synthesis("no constraint matrices".into()))?;
        Ok(R1cs {
            num_public: m.num_instance_variables - 1,
            num_wires: m.num_instance_variables + m.num_witness_variables,
            a: m.a,
            b: m.b,
            c: m.c,
        })
    }

    /// Number of constraints.
    pub fn num_constraints(&self) -> usize {
        self.a.len()
    }

    /// Rows of the QAP: constraints, plus one per public input and the constant one.
    pub fn rows(&self) -> usize {
        self.num_constraints() + self.num_public + 1
    }

    /// Writes the `.r1cs` file (atomically).
    pub fn write(&self, path: &Path) -> Result<(), CeremonyError> {
        let too_big = || CeremonyError::InvalidArgument("circuit exceeds u32 sizes".into());
        let mut w = BinWriter::create(path, "r1cs", 1, 3)?;
        w.start_section(1)?;
        w.u32(32)?;
        w.write(&encoding::r_le())?;
        w.u32(u32::try_from(self.num_wires).map_err(|_| too_big())?)?;
        w.u32(0)?;
        w.u32(u32::try_from(self.num_public).map_err(|_| too_big())?)?;
        w.u32(0)?;
        w.u64(self.num_wires as u64)?;
        w.u32(u32::try_from(self.num_constraints()).map_err(|_| too_big())?)?;
        w.end_section()?;
        w.start_section(2)?;
        let mut buf = Vec::with_capacity(1 << 20);
        for i in 0..self.num_constraints() {
            for m in [&self.a[i], &self.b[i], &self.c[i]] {
                buf.extend_from_slice(&(m.len() as u32).to_le_bytes());
                for (coef, wire) in m {
                    buf.extend_from_slice(&(*wire as u32).to_le_bytes());
                    buf.extend_from_slice(&encoding::fr_to_le(coef));
                }
            }
            if buf.len() > 1 << 20 {
                w.write(&buf)?;
                buf.clear();
            }
        }
        w.write(&buf)?;
        w.end_section()?;
        w.start_section(3)?;
        let labels: Vec<u8> = (0..self.num_wires as u64)
            .flat_map(|i| i.to_le_bytes())
            .collect();
        w.write(&labels)?;
        w.end_section()?;
        w.finish()
    }

    /// Reads and validates a `.r1cs` file (BN254 prime, wires in range, canonical
    /// coefficients). Outputs and public inputs both count as public.
    pub fn read(path: &Path) -> Result<Self, CeremonyError> {
        let mut r = BinReader::open(path, "r1cs")?;
        let file = r.name().to_string();
        if r.version != 1 {
            return Err(CeremonyError::Malformed {
                file,
                what: format!("unsupported version {}", r.version),
            });
        }
        let head = r.read_all(1)?;
        let mut c = Cursor::new(&head, &file, "header section");
        let n8 = c.u32()?;
        if n8 != 32 || c.take(32)? != encoding::r_le() {
            return Err(CeremonyError::WrongCurve {
                file,
                what: "scalar field prime".into(),
            });
        }
        let num_wires = c.u32()? as usize;
        let outs = c.u32()? as usize;
        let ins = c.u32()? as usize;
        let _prv = c.u32()?;
        let _labels = c.u64()?;
        let m = c.u32()? as usize;
        let num_public = outs + ins;
        if num_public >= num_wires {
            return Err(CeremonyError::Malformed {
                file,
                what: format!("{num_public} public wires of {num_wires}"),
            });
        }
        let body = r.read_all(2)?;
        let mut c = Cursor::new(&body, &file, "constraints section");
        let mut mats: [Vec<Row>; 3] = [Vec::new(), Vec::new(), Vec::new()];
        for i in 0..m {
            for mat in mats.iter_mut() {
                let n = c.u32()? as usize;
                if n > c.remaining() / 36 {
                    return Err(CeremonyError::Truncated {
                        file,
                        what: format!("constraint {i} announces {n} terms"),
                    });
                }
                let mut row = Vec::with_capacity(n);
                for _ in 0..n {
                    let wire = c.u32()? as usize;
                    let coef = encoding::fr_from_le(c.take(32)?).ok_or_else(|| {
                        CeremonyError::InvalidScalar {
                            file: file.clone(),
                            what: format!("coefficient in constraint {i}"),
                        }
                    })?;
                    if wire >= num_wires {
                        return Err(CeremonyError::Malformed {
                            file,
                            what: format!("constraint {i} uses wire {wire} of {num_wires}"),
                        });
                    }
                    row.push((coef, wire));
                }
                mat.push(row);
            }
        }
        if c.remaining() != 0 {
            return Err(CeremonyError::Malformed {
                file,
                what: "trailing bytes in the constraints section".into(),
            });
        }
        let [a, b, cc] = mats;
        Ok(R1cs {
            num_public,
            num_wires,
            a,
            b,
            c: cc,
        })
    }
}
