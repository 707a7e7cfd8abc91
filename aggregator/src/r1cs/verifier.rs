//! The whole-proof R1CS verifier: a `PoseidonBn254GoldilocksConfig` plonky2 proof allocated as
//! witnesses, its transcript, PLONK checks at ζ and FRI; and [`WrapCircuit`], the
//! `ConstraintSynthesizer` of the Groth16 wrap with exactly one public input (the statement
//! digest, recombined from the proof's 8 u32 public inputs).

use super::{
    challenger::plonk_challenges,
    circuit::CheckedVerifierData,
    fri::{self, FriConstraintCounts, FriProofVar},
    goldilocks::{GoldilocksVar, GF},
    public_inputs::{alloc_public_inputs, digest_from_u32_words, hash_no_pad},
    vanishing::{check_vanishing, OpeningSetVar},
    VerifierError,
};
use crate::config::{check_proof_hashes, PoseidonBn254GoldilocksConfig, PoseidonBn254HashOut};
use ark_bn254::Fr;
use ark_r1cs_std::{
    alloc::AllocVar,
    eq::EqGadget,
    fields::{fp::FpVar, FieldVar},
};
use ark_relations::r1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError};
use plonky2::{
    field::types::{Field, PrimeField64},
    fri::proof::{FriInitialTreeProof, FriProof, FriQueryRound, FriQueryStep},
    hash::{merkle_proofs::MerkleProof, merkle_tree::MerkleCap},
    plonk::{
        circuit_data::{CommonCircuitData, VerifierOnlyCircuitData},
        proof::{OpeningSet, Proof, ProofWithPublicInputs},
    },
};

type C = PoseidonBn254GoldilocksConfig;

/// A proof of the wrapped circuit.
pub type WrappedProof = ProofWithPublicInputs<GF, C, 2>;

/// Number of public inputs of a wrapped proof: the statement digest as 8 u32 words.
pub const NUM_DIGEST_WORDS: usize = 8;

/// Version of the R1CS verifier's constraint layout, part of [`WrapCircuit::circuit_id`]: bump
/// it whenever a change to `r1cs/` can change the synthesised system.
pub const WRAP_R1CS_VERSION: &str = "zkroll/wrap-r1cs/2";

/// Constraints spent per part of the whole verifier (for reports).
#[derive(Clone, Copy, Debug, Default)]
pub struct ConstraintCounts {
    /// Public inputs (canonical) and their Poseidon-Goldilocks hash.
    pub public_inputs: usize,
    /// Transcript up to ζ (caps allocated as witnesses included).
    pub plonk_transcript: usize,
    /// PLONK openings as canonical witnesses.
    pub openings: usize,
    /// Gate constraints, permutation argument and quotient check at ζ.
    pub vanishing: usize,
    /// FRI, by part.
    pub fri: FriConstraintCounts,
}

impl ConstraintCounts {
    /// The PLONK part: public inputs, transcript to ζ, openings and the checks at ζ.
    pub fn plonk_total(&self) -> usize {
        self.public_inputs + self.plonk_transcript + self.openings + self.vanishing
    }

    /// The FRI part, allocation included.
    pub fn fri_total(&self) -> usize {
        let f = &self.fri;
        f.allocation
            + f.transcript
            + f.precompute
            + f.merkle
            + f.initial_combination
            + f.folding
            + f.final_poly
    }
}

/// Checks, natively, everything about a proof that fixes the R1CS' structure: every digest
/// canonical (`< r`), the openings' and the FRI proof's shapes against the common data.
pub fn validate_proof(
    vd: &CheckedVerifierData<C>,
    proof: &WrappedProof,
) -> Result<(), VerifierError> {
    check_proof_hashes(&proof.proof).map_err(|e| VerifierError::Shape(e.to_string()))?;
    let common = &vd.common;
    let p = &proof.proof;
    let cap_len = 1usize << common.fri_params.config.cap_height;
    if [
        &p.wires_cap,
        &p.plonk_zs_partial_products_cap,
        &p.quotient_polys_cap,
    ]
    .iter()
    .any(|c| c.0.len() != cap_len)
        || proof.public_inputs.len() != common.num_public_inputs
    {
        return Err(VerifierError::Shape("caps or public inputs".into()));
    }
    fri::validate_shape(&p.opening_proof, common)
}

/// Runs the whole verifier, optionally without the checks at ζ (`plonk_checks = false`, for
/// tests of the transcript and FRI only).
pub(crate) fn verify_inner(
    cs: ConstraintSystemRef<Fr>,
    vd: &CheckedVerifierData<C>,
    proof: &WrappedProof,
    plonk_checks: bool,
) -> Result<(Vec<GoldilocksVar>, ConstraintCounts), VerifierError> {
    validate_proof(vd, proof)?;
    let common = &vd.common;
    let p = &proof.proof;
    let mut n = ConstraintCounts::default();
    let count = |acc: &mut usize, n0: usize| *acc += cs.num_constraints() - n0;

    let n0 = cs.num_constraints();
    let pis = alloc_public_inputs(cs.clone(), &proof.public_inputs)?;
    let pi_hash = hash_no_pad(&pis)?;
    count(&mut n.public_inputs, n0);

    let n0 = cs.num_constraints();
    let digest = FpVar::constant(
        vd.verifier_only
            .circuit_digest
            .to_fr()
            .map_err(|e| VerifierError::Shape(e.to_string()))?,
    );
    let constants_cap = vd
        .verifier_only
        .constants_sigmas_cap
        .0
        .iter()
        .map(|h| {
            Ok(FpVar::constant(
                h.to_fr().map_err(|e| VerifierError::Shape(e.to_string()))?,
            ))
        })
        .collect::<Result<Vec<_>, VerifierError>>()?;
    let wires_cap = fri::alloc_cap(&cs, &p.wires_cap)?;
    let zs_cap = fri::alloc_cap(&cs, &p.plonk_zs_partial_products_cap)?;
    let quotient_cap = fri::alloc_cap(&cs, &p.quotient_polys_cap)?;
    let (chv, mut challenger) = plonk_challenges(
        &common.fri_params,
        common.config.num_challenges,
        &digest,
        &pi_hash,
        &wires_cap,
        &zs_cap,
        &quotient_cap,
    )?;
    count(&mut n.plonk_transcript, n0);

    let n0 = cs.num_constraints();
    let openings = OpeningSetVar::new_witness(cs.clone(), &p.openings, common)?;
    count(&mut n.openings, n0);

    if plonk_checks {
        let n0 = cs.num_constraints();
        check_vanishing(common, &openings, &chv, &pi_hash)?;
        count(&mut n.vanishing, n0);
    }

    let n0 = cs.num_constraints();
    let fri_proof = FriProofVar::new_witness(cs.clone(), &p.opening_proof, common)?;
    let alloc = cs.num_constraints() - n0;
    let caps = [constants_cap, wires_cap, zs_cap, quotient_cap];
    n.fri = fri::verify_fri(
        &cs,
        common,
        &openings,
        &chv.zeta,
        &mut challenger,
        &caps,
        &fri_proof,
    )?;
    n.fri.allocation = alloc;
    Ok((pis, n))
}

/// Allocates `proof` as witnesses (digests canonical `< r`, Goldilocks values canonical) and
/// enforces plonky2's whole verifier on it: public-input hash, transcript, PLONK checks at ζ
/// and FRI, against the verifier data fixed as constants. Returns the public inputs (canonical).
pub fn verify_proof_var(
    cs: ConstraintSystemRef<Fr>,
    vd: &CheckedVerifierData<C>,
    proof: &WrappedProof,
) -> Result<Vec<GoldilocksVar>, VerifierError> {
    Ok(verify_inner(cs, vd, proof, true)?.0)
}

/// [`verify_proof_var`], also returning the constraint counts by part.
pub fn verify_proof_var_counted(
    cs: ConstraintSystemRef<Fr>,
    vd: &CheckedVerifierData<C>,
    proof: &WrappedProof,
) -> Result<(Vec<GoldilocksVar>, ConstraintCounts), VerifierError> {
    verify_inner(cs, vd, proof, true)
}

/// The Groth16 public input of a proof: `digest_from_u32_words` of its 8 public inputs,
/// natively (`uint256(words, big-endian) mod 2^253`). Errors if there are not 8 inputs or one is
/// not a u32 (the R1CS would be unsatisfiable).
pub fn public_input_digest(public_inputs: &[GF]) -> Result<Fr, VerifierError> {
    if public_inputs.len() != NUM_DIGEST_WORDS {
        return Err(VerifierError::Shape("digest must be 8 u32 limbs".into()));
    }
    let mut acc = num_bigint::BigUint::from(0u8);
    for w in public_inputs {
        let v = w.to_canonical_u64();
        if v > u32::MAX as u64 {
            return Err(VerifierError::Shape("digest limb is not a u32".into()));
        }
        acc = (acc << 32u32) + v;
    }
    let mask = (num_bigint::BigUint::from(1u8) << 253u32) - 1u8;
    let le = (acc & mask).to_bytes_le();
    use ark_ff::PrimeField;
    Ok(Fr::from_le_bytes_mod_order(&le))
}

/// A proof of the right shape for `common` with every value zero: the stand-in synthesised
/// during Groth16 setup, where no witness value is read.
pub fn dummy_proof(common: &CommonCircuitData<GF, 2>) -> WrappedProof {
    use plonky2::field::extension::quadratic::QuadraticExtension;
    let params = &common.fri_params;
    let zero_h = PoseidonBn254HashOut::from_fr(Fr::from(0u8));
    let cap = || MerkleCap(vec![zero_h; 1 << params.config.cap_height]);
    let e0 = QuadraticExtension::<GF>::ZERO;
    let ext = |n: usize| vec![e0; n];
    let nc = common.config.num_challenges;
    let openings = OpeningSet {
        constants: ext(common.num_constants),
        plonk_sigmas: ext(common.config.num_routed_wires),
        wires: ext(common.config.num_wires),
        plonk_zs: ext(nc),
        plonk_zs_next: ext(nc),
        partial_products: ext(nc * common.num_partial_products),
        quotient_polys: ext(nc * common.quotient_degree_factor),
        lookup_zs: vec![],
        lookup_zs_next: vec![],
    };
    let lde_bits = params.lde_bits();
    let h = params.config.cap_height;
    let path = |bits: usize| MerkleProof {
        siblings: vec![zero_h; bits - h],
    };
    let lens = fri::leaf_lens_of(common);
    let round = || {
        let mut bits = lde_bits;
        FriQueryRound {
            initial_trees_proof: FriInitialTreeProof {
                evals_proofs: lens
                    .iter()
                    .map(|&l| (vec![GF::ZERO; l], path(lde_bits)))
                    .collect(),
            },
            steps: params
                .reduction_arity_bits
                .iter()
                .map(|&a| {
                    bits -= a;
                    FriQueryStep {
                        evals: ext(1 << a),
                        merkle_proof: path(bits),
                    }
                })
                .collect(),
        }
    };
    let opening_proof = FriProof {
        commit_phase_merkle_caps: params.reduction_arity_bits.iter().map(|_| cap()).collect(),
        query_round_proofs: (0..params.config.num_query_rounds)
            .map(|_| round())
            .collect(),
        final_poly: plonky2::field::polynomial::PolynomialCoeffs::new(ext(params.final_poly_len())),
        pow_witness: GF::ZERO,
    };
    ProofWithPublicInputs {
        proof: Proof {
            wires_cap: cap(),
            plonk_zs_partial_products_cap: cap(),
            quotient_polys_cap: cap(),
            openings,
            opening_proof,
        },
        public_inputs: vec![GF::ZERO; common.num_public_inputs],
    }
}

/// The Groth16 wrap circuit: one public input, the statement digest (`< 2^253`), enforced
/// equal to `digest_from_u32_words` of the verified proof's 8 public inputs; the proof is
/// verified by [`verify_proof_var`] against verifier data fixed as constants.
///
/// Invariant: the verifier data passed the digest check of [`CheckedVerifierData`], the circuit
/// has exactly 8 public inputs, and a given proof has the shape the common data requires; so
/// `generate_constraints` builds the same system with or without a proof.
pub struct WrapCircuit {
    vd: CheckedVerifierData<C>,
    proof: Option<WrappedProof>,
    public_input: Option<Fr>,
}

impl WrapCircuit {
    /// `proof = None` for the Groth16 setup (a zero proof of the right shape is synthesised;
    /// no value is read). With a proof, its shape and digests are checked here and the public
    /// input is computed from its public inputs.
    pub fn new(
        common: CommonCircuitData<GF, 2>,
        verifier_only: VerifierOnlyCircuitData<C, 2>,
        domain_separator: &[GF],
        proof: Option<WrappedProof>,
    ) -> Result<Self, VerifierError> {
        if common.num_public_inputs != NUM_DIGEST_WORDS {
            return Err(VerifierError::Shape(
                "the circuit must have 8 public inputs".into(),
            ));
        }
        let vd = CheckedVerifierData::new(common, verifier_only, domain_separator)?;
        let public_input = match &proof {
            Some(p) => {
                validate_proof(&vd, p)?;
                Some(public_input_digest(&p.public_inputs)?)
            }
            None => None,
        };
        Ok(Self {
            vd,
            proof,
            public_input,
        })
    }

    /// Identifier of this circuit for the Groth16 key cache (`groth16::cache`, `setup_seeded`):
    /// `zkroll/wrap/v1/` and the hex SHA-256 of [`WRAP_R1CS_VERSION`], the verifier data's
    /// circuit digest and the common data (its `Debug` form: gates, selectors, FRI parameters,
    /// …). It changes whenever the synthesised system can change; bump the version with the
    /// R1CS code.
    pub fn circuit_id(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(WRAP_R1CS_VERSION.as_bytes());
        h.update(self.vd.verifier_only.circuit_digest.as_bytes());
        h.update(format!("{:?}", self.vd.common).as_bytes());
        format!("zkroll/wrap/v1/{}", hex::encode(h.finalize()))
    }

    /// The Groth16 public input this circuit is satisfied with (None without a proof).
    pub fn public_input(&self) -> Option<Fr> {
        self.public_input
    }

    /// Replaces the public input assigned at proving time (to prove a different statement
    /// must fail: used by tests of the digest binding).
    pub fn with_public_input(mut self, x: Fr) -> Self {
        self.public_input = Some(x);
        self
    }
}

fn to_synthesis(e: VerifierError) -> SynthesisError {
    match e {
        VerifierError::Synthesis(s) => s,
        _ => SynthesisError::Unsatisfiable,
    }
}

impl ConstraintSynthesizer<Fr> for WrapCircuit {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        let input = FpVar::new_input(cs.clone(), || {
            self.public_input.ok_or(SynthesisError::AssignmentMissing)
        })?;
        let proof = match self.proof {
            Some(p) => p,
            None => dummy_proof(&self.vd.common),
        };
        let pis = verify_proof_var(cs, &self.vd, &proof).map_err(to_synthesis)?;
        let digest = digest_from_u32_words(&pis).map_err(to_synthesis)?;
        digest.enforce_equal(&input)
    }
}
