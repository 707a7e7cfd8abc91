//! The blob binding in circuit (`docs/formats.md`, "Blob binding"; `docs/blobs.md`): the
//! evaluation point `x = H(data commitment ‖ versioned hash)` and the check `y = p(x)` for
//! the polynomial `p` of the blob whose used elements are given, in non-native BLS12-381
//! `Fr` arithmetic ([`crate::gadgets::bls_fr`]). Native twin: [`crate::blob`].
//!
//! Evaluation (barycentric form, used elements only): for each used element `d_i` the prover
//! witnesses `q_i ≡ d_i·ω_i/(x − ω_i)` and the circuit checks
//! `q_i·x + (r − ω_i)·(q_i + d_i) ≡ 0 (mod r)`, i.e. `q_i·(x − ω_i) ≡ d_i·ω_i`, with `ω_i` a
//! constant (one non-native identity per element). Then `S = Σ q_i` (limb-wise, reduced
//! once), `P = x^4096` (12 squarings) and `y ≡ S·(P − 1)/4096`, checked canonical.
//!
//! If `x ≡ ω_i` for a used `i`, no `q_i` exists when `d_i ≠ 0` (proving fails) and any `q_i`
//! passes when `d_i = 0`; `x` is a hash output the prover cannot choose, and
//! `Pr[x ∈ {ω_i}] ≤ 4096 / 2^252 = 2^-240`.

use anyhow::{ensure, Result};
use num_bigint::BigUint;
use plonky2::field::extension::Extendable;
use plonky2::hash::hash_types::{HashOutTarget, RichField};
use plonky2::hash::poseidon::PoseidonHash;
use plonky2::iop::generator::{GeneratedValues, SimpleGenerator};
use plonky2::iop::target::{BoolTarget, Target};
use plonky2::iop::witness::{PartitionWitness, Witness, WitnessWrite};
use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::circuit_data::CommonCircuitData;
use plonky2::util::serialization::{Buffer, IoResult, Read, Write};

use crate::blob::eval::{term, CHALLENGE_LIMB_BITS};
use crate::blob::field::{self, modulus, roots_of_unity_brp, FIELD_ELEMENTS_PER_BLOB};
use crate::gadgets::bls_fr::expr::{BigExpr, Operand, Term, LIMB_BITS, LIMB_MAX};
use crate::gadgets::bls_fr::range_gate::range_check_packed;
use crate::gadgets::bls_fr::{
    bls_fr_limbs, bls_fr_value, BlsFrTarget, CircuitBuilderBlsFr, NUM_LIMBS,
};
use crate::gadgets::range::CircuitBuilderRange;

/// Bits of the top limb of a blob element: `248 − 8·29 = 16`, so an element is `< 2^248`.
pub const ELEMENT_TOP_LIMB_BITS: usize = 248 - (NUM_LIMBS - 1) * LIMB_BITS;

/// Blob gadgets.
pub trait CircuitBuilderBlob<F: RichField + Extendable<D>, const D: usize> {
    /// A new blob element: limbs 0–7 `< 2^29`, limb 8 `< 2^16`, so its value is `< 2^248`
    /// (the value of a 31-byte chunk, canonical).
    fn add_virtual_blob_element(&mut self) -> BlsFrTarget;
    /// Constrains the limbs of `a` as [`Self::add_virtual_blob_element`] does.
    fn range_check_blob_element(&mut self, a: &BlsFrTarget);
    /// The evaluation point from the data commitment and the versioned hash as 8 big-endian
    /// u32 words (range-checked here). The result is `< 2^252` (canonical) with range-checked
    /// limbs.
    fn blob_challenge(
        &mut self,
        data_commitment: HashOutTarget,
        versioned_hash: &[Target; 8],
    ) -> BlsFrTarget;
    /// `p(x)` (canonical) for the blob whose used elements are `elements` (the rest zero).
    /// Preconditions: each element went through [`Self::range_check_blob_element`] (or
    /// [`Self::add_virtual_blob_element`]), `x` has range-checked limbs; at most 4096
    /// elements.
    fn blob_evaluate(&mut self, elements: &[BlsFrTarget], x: &BlsFrTarget) -> BlsFrTarget;
    /// Constrains `y = p(x)` with `y` canonical (`< r`); same preconditions as
    /// [`Self::blob_evaluate`], and `y` must have range-checked limbs.
    fn assert_blob_evaluation(
        &mut self,
        elements: &[BlsFrTarget],
        x: &BlsFrTarget,
        y: &BlsFrTarget,
    );
}

impl<F: RichField + Extendable<D>, const D: usize> CircuitBuilderBlob<F, D>
    for CircuitBuilder<F, D>
{
    fn add_virtual_blob_element(&mut self) -> BlsFrTarget {
        let a = BlsFrTarget {
            limbs: self.add_virtual_target_arr(),
        };
        self.range_check_blob_element(&a);
        a
    }

    fn range_check_blob_element(&mut self, a: &BlsFrTarget) {
        for (i, &l) in a.limbs.iter().enumerate() {
            let bits = if i + 1 == NUM_LIMBS {
                ELEMENT_TOP_LIMB_BITS
            } else {
                LIMB_BITS
            };
            range_check_packed(self, l, bits);
        }
    }

    fn blob_challenge(
        &mut self,
        data_commitment: HashOutTarget,
        versioned_hash: &[Target; 8],
    ) -> BlsFrTarget {
        for &w in versioned_hash {
            self.range_check_u32(w);
        }
        let mut input = data_commitment.elements.to_vec();
        input.extend_from_slice(versioned_hash);
        let h = self.hash_n_to_hash_no_pad::<PoseidonHash>(input);
        let bits: Vec<BoolTarget> = h
            .elements
            .iter()
            .flat_map(|&e| {
                let mut b = self.split_field_bits(e);
                b.truncate(CHALLENGE_LIMB_BITS);
                b
            })
            .collect();
        let limbs: Vec<Target> = bits
            .chunks(LIMB_BITS)
            .map(|c| self.le_sum(c.iter()))
            .collect();
        BlsFrTarget {
            limbs: limbs.try_into().expect("252 bits make 9 limbs"),
        }
    }

    fn blob_evaluate(&mut self, elements: &[BlsFrTarget], x: &BlsFrTarget) -> BlsFrTarget {
        assert!(
            elements.len() <= FIELD_ELEMENTS_PER_BLOB,
            "more than 4096 elements"
        );
        if elements.is_empty() {
            return self.constant_bls_fr(&BigUint::ZERO);
        }
        let r = modulus();
        let roots = roots_of_unity_brp();
        let mut sum: Vec<Target> = vec![];
        for (i, d) in elements.iter().enumerate() {
            let q = self.add_virtual_bls_fr_target();
            self.add_simple_generator(BlobTermGenerator {
                index: i,
                x: x.limbs.to_vec(),
                d: d.limbs.to_vec(),
                q: q.limbs.to_vec(),
            });
            let s: Vec<Target> = q
                .limbs
                .iter()
                .zip(&d.limbs)
                .map(|(&a, &b)| self.add(a, b))
                .collect();
            self.assert_bls_fr_zero_mod_r(&BigExpr {
                pos: vec![
                    Term::Prod(q.operand(), x.operand()),
                    Term::Scaled(
                        r - &roots[i],
                        Operand {
                            limbs: s,
                            max_limb: 2 * LIMB_MAX,
                        },
                    ),
                ],
                neg: vec![],
            });
            sum = if sum.is_empty() {
                q.limbs.to_vec()
            } else {
                sum.iter()
                    .zip(&q.limbs)
                    .map(|(&a, &b)| self.add(a, b))
                    .collect()
            };
        }
        let sum = self.bls_fr_reduce(&BigExpr {
            pos: vec![Term::Scaled(
                BigUint::from(1u32),
                Operand {
                    limbs: sum,
                    max_limb: elements.len() as u64 * LIMB_MAX,
                },
            )],
            neg: vec![],
        });
        let mut xn = *x;
        for _ in 0..crate::blob::field::LOG_FIELD_ELEMENTS_PER_BLOB {
            xn = self.bls_fr_mul(&xn, &xn);
        }
        // S·(x^4096 − 1) = S·x^4096 − S.
        let scaled = self.bls_fr_reduce(&BigExpr {
            pos: vec![Term::Prod(sum.operand(), xn.operand())],
            neg: vec![Term::Scaled(BigUint::from(1u32), sum.operand())],
        });
        let n_inv = field::inv(&BigUint::from(FIELD_ELEMENTS_PER_BLOB as u64)).expect("4096 ≠ 0");
        let y = self.bls_fr_mul_const(&scaled, &n_inv);
        self.assert_bls_fr_canonical(&y);
        y
    }

    fn assert_blob_evaluation(
        &mut self,
        elements: &[BlsFrTarget],
        x: &BlsFrTarget,
        y: &BlsFrTarget,
    ) {
        let value = self.blob_evaluate(elements, x);
        self.connect_bls_fr(&value, y);
    }
}

/// Witness generator of one element's quotient `q_i = d_i·ω_i/(x − ω_i) mod r`. Fails if
/// `x ≡ ω_i` (so such an `x` cannot be proven with `d_i ≠ 0`).
#[derive(Debug, Default)]
pub struct BlobTermGenerator {
    index: usize,
    x: Vec<Target>,
    d: Vec<Target>,
    q: Vec<Target>,
}

impl<F: RichField + Extendable<D>, const D: usize> SimpleGenerator<F, D> for BlobTermGenerator {
    fn id(&self) -> String {
        "zkroll::blob::BlobTermGenerator".to_string()
    }

    fn dependencies(&self) -> Vec<Target> {
        [self.x.clone(), self.d.clone()].concat()
    }

    fn run_once(&self, w: &PartitionWitness<F>, out: &mut GeneratedValues<F>) -> Result<()> {
        let x = bls_fr_value(&w.get_targets(&self.x)) % modulus();
        let d = bls_fr_value(&w.get_targets(&self.d));
        let omega = &roots_of_unity_brp()[self.index];
        ensure!(
            x != *omega,
            "evaluation point is root of unity {}",
            self.index
        );
        for (&t, v) in self.q.iter().zip(bls_fr_limbs::<F>(&term(&d, omega, &x))) {
            out.set_target(t, v)?;
        }
        Ok(())
    }

    fn serialize(&self, dst: &mut Vec<u8>, _common: &CommonCircuitData<F, D>) -> IoResult<()> {
        dst.write_usize(self.index)?;
        dst.write_target_vec(&self.x)?;
        dst.write_target_vec(&self.d)?;
        dst.write_target_vec(&self.q)
    }

    fn deserialize(src: &mut Buffer, _common: &CommonCircuitData<F, D>) -> IoResult<Self> {
        Ok(Self {
            index: src.read_usize()?,
            x: src.read_target_vec()?,
            d: src.read_target_vec()?,
            q: src.read_target_vec()?,
        })
    }
}

#[cfg(test)]
mod tests;
