//! plonky2 1.1's FRI verifier (`fri/verifier.rs`, `fri/challenges.rs`) in R1CS, for proofs
//! under `PoseidonBn254GoldilocksConfig`: the transcript after ζ (openings, FRI α, β per
//! commit-phase cap, final polynomial, proof-of-work, query indices), the initial Merkle proofs
//! and combination of all openings at each query point, the folds with the proof's arities,
//! the commit-phase Merkle proofs and the final polynomial. See docs/wrap.md, "FRI in R1CS".
//!
//! Invariants: every proof value is a canonical witness (Goldilocks `< p`, digests are `Fr`
//! values, i.e. `< r`); the proof's shape is checked natively against the common data before
//! anything is allocated, so synthesis depends only on the common data (setup works without a
//! proof).

pub mod fold;
pub mod merkle;
#[cfg(test)]
mod tests;

use super::{
    challenger::ChallengerVar,
    ext2::{Ext2Var, GF2},
    goldilocks::{GoldilocksVar, GF},
    vanishing::OpeningSetVar,
    VerifierError,
};
use crate::config::{PoseidonBn254Hash, PoseidonBn254HashOut};
use ark_bn254::Fr;
use ark_r1cs_std::{alloc::AllocVar, boolean::Boolean, eq::EqGadget, fields::fp::FpVar};
use ark_relations::r1cs::{ConstraintSystemRef, SynthesisError};
use plonky2::{
    field::{extension::FieldExtension, types::Field},
    fri::{oracle::SALT_SIZE, proof::FriProof},
    hash::merkle_tree::MerkleCap,
    plonk::circuit_data::CommonCircuitData,
};

/// The FRI proof type of `PoseidonBn254GoldilocksConfig`.
pub type BnFriProof = FriProof<GF, PoseidonBn254Hash, 2>;

/// Whether each PLONK oracle (constants/sigmas, wires, Z/partial products, quotient) is
/// blinded, i.e. salted when `hiding` (plonky2's `PlonkOracle::*.blinding`).
const ORACLE_BLINDING: [bool; 4] = [false, true, true, true];

/// Number of polynomials in each PLONK oracle (plonky2's `fri_oracles`, no lookups).
fn oracle_sizes(common: &CommonCircuitData<GF, 2>) -> [usize; 4] {
    let nc = common.config.num_challenges;
    [
        common.num_constants + common.config.num_routed_wires,
        common.config.num_wires,
        nc * (1 + common.num_partial_products),
        nc * common.quotient_degree_factor,
    ]
}

/// Leaf length of each initial oracle (salt included when hiding).
pub fn leaf_lens_of(common: &CommonCircuitData<GF, 2>) -> [usize; 4] {
    let hiding = common.fri_params.hiding;
    let sizes = oracle_sizes(common);
    std::array::from_fn(|i| {
        sizes[i]
            + if hiding && ORACLE_BLINDING[i] {
                SALT_SIZE
            } else {
                0
            }
    })
}

/// Checks the FRI proof's shape against the common data (as plonky2's
/// `validate_fri_proof_shape`, plus the number of query rounds and the final polynomial length).
pub fn validate_shape(
    proof: &BnFriProof,
    common: &CommonCircuitData<GF, 2>,
) -> Result<(), VerifierError> {
    let params = &common.fri_params;
    let cap_len = 1usize << params.config.cap_height;
    let bad = |what: &str| Err(VerifierError::Shape(format!("FRI proof: {what}")));
    if common.num_lookup_polys != 0 {
        return Err(VerifierError::Lookups);
    }
    let lde_bits = params.lde_bits();
    let total_arity: usize = params.reduction_arity_bits.iter().sum();
    if params.config.cap_height + total_arity > lde_bits
        || params.config.proof_of_work_bits > 64
        || lde_bits > 63
    {
        return bad("parameters");
    }
    if proof.commit_phase_merkle_caps.len() != params.reduction_arity_bits.len()
        || proof
            .commit_phase_merkle_caps
            .iter()
            .any(|c| c.0.len() != cap_len)
    {
        return bad("commit-phase caps");
    }
    if proof.query_round_proofs.len() != params.config.num_query_rounds {
        return bad("number of query rounds");
    }
    if proof.final_poly.coeffs.len() != params.final_poly_len() {
        return bad("final polynomial length");
    }
    let lens = leaf_lens_of(common);
    for q in &proof.query_round_proofs {
        let ep = &q.initial_trees_proof.evals_proofs;
        if ep.len() != 4 {
            return bad("number of initial trees");
        }
        for ((leaf, mp), &len) in ep.iter().zip(&lens) {
            if leaf.len() != len || mp.siblings.len() + params.config.cap_height != lde_bits {
                return bad("initial tree leaf or path");
            }
        }
        if q.steps.len() != params.reduction_arity_bits.len() {
            return bad("number of steps");
        }
        let mut bits = lde_bits;
        for (step, &a) in q.steps.iter().zip(&params.reduction_arity_bits) {
            bits -= a;
            if step.evals.len() != 1 << a
                || step.merkle_proof.siblings.len() + params.config.cap_height != bits
            {
                return bad("step evaluations or path");
            }
        }
    }
    Ok(())
}

fn alloc_digest(
    cs: &ConstraintSystemRef<Fr>,
    h: &PoseidonBn254HashOut,
) -> Result<FpVar<Fr>, VerifierError> {
    // Canonicity was checked natively (`check_proof_hashes`); a non-canonical digest here is
    // a missing assignment, never a wrapped value.
    Ok(FpVar::new_witness(cs.clone(), || {
        h.to_fr().map_err(|_| SynthesisError::AssignmentMissing)
    })?)
}

/// Allocates a Merkle cap's digests as witnesses.
pub fn alloc_cap(
    cs: &ConstraintSystemRef<Fr>,
    cap: &MerkleCap<GF, PoseidonBn254Hash>,
) -> Result<Vec<FpVar<Fr>>, VerifierError> {
    cap.0.iter().map(|h| alloc_digest(cs, h)).collect()
}

/// One commit-phase step of a query: the coset's evaluations and its Merkle path.
#[derive(Clone, Debug)]
pub struct FriQueryStepVar {
    /// The `2^arity_bits` evaluations on the coset (canonical).
    pub evals: Vec<Ext2Var>,
    /// Merkle siblings, bottom first.
    pub siblings: Vec<FpVar<Fr>>,
}

/// One query round: the initial trees' leaves and paths, and the commit-phase steps.
#[derive(Clone, Debug)]
pub struct FriQueryRoundVar {
    /// Per oracle: leaf values (canonical) and Merkle siblings.
    pub initial: Vec<(Vec<GoldilocksVar>, Vec<FpVar<Fr>>)>,
    /// Per reduction: the step.
    pub steps: Vec<FriQueryStepVar>,
}

/// A FRI proof as R1CS witnesses.
#[derive(Clone, Debug)]
pub struct FriProofVar {
    /// Commit-phase Merkle caps.
    pub commit_phase_caps: Vec<Vec<FpVar<Fr>>>,
    /// Query rounds.
    pub query_rounds: Vec<FriQueryRoundVar>,
    /// Final polynomial coefficients (canonical).
    pub final_poly: Vec<Ext2Var>,
    /// Proof-of-work witness (canonical).
    pub pow_witness: GoldilocksVar,
}

fn alloc_ext(cs: &ConstraintSystemRef<Fr>, xs: &[GF2]) -> Result<Vec<Ext2Var>, VerifierError> {
    xs.iter()
        .map(|&x| Ok(Ext2Var::new_witness(cs.clone(), || Ok(x))?))
        .collect()
}

impl FriProofVar {
    /// Checks the shape ([`validate_shape`]) and allocates every value as a canonical witness.
    pub fn new_witness(
        cs: ConstraintSystemRef<Fr>,
        proof: &BnFriProof,
        common: &CommonCircuitData<GF, 2>,
    ) -> Result<Self, VerifierError> {
        validate_shape(proof, common)?;
        let commit_phase_caps = proof
            .commit_phase_merkle_caps
            .iter()
            .map(|c| alloc_cap(&cs, c))
            .collect::<Result<_, _>>()?;
        let mut query_rounds = Vec::with_capacity(proof.query_round_proofs.len());
        for q in &proof.query_round_proofs {
            let mut initial = Vec::with_capacity(4);
            for (leaf, mp) in &q.initial_trees_proof.evals_proofs {
                let lv = leaf
                    .iter()
                    .map(|&x| Ok(GoldilocksVar::new_witness(cs.clone(), || Ok(x))?))
                    .collect::<Result<Vec<_>, VerifierError>>()?;
                let sv = mp
                    .siblings
                    .iter()
                    .map(|h| alloc_digest(&cs, h))
                    .collect::<Result<Vec<_>, _>>()?;
                initial.push((lv, sv));
            }
            let mut steps = Vec::with_capacity(q.steps.len());
            for s in &q.steps {
                steps.push(FriQueryStepVar {
                    evals: alloc_ext(&cs, &s.evals)?,
                    siblings: s
                        .merkle_proof
                        .siblings
                        .iter()
                        .map(|h| alloc_digest(&cs, h))
                        .collect::<Result<_, _>>()?,
                });
            }
            query_rounds.push(FriQueryRoundVar { initial, steps });
        }
        Ok(Self {
            commit_phase_caps,
            query_rounds,
            final_poly: alloc_ext(&cs, &proof.final_poly.coeffs)?,
            pow_witness: GoldilocksVar::new_witness(cs, || Ok(proof.pow_witness))?,
        })
    }
}

/// The FRI challenges, derived in-circuit.
#[derive(Clone, Debug)]
pub struct FriChallengesVar {
    /// Combination challenge α.
    pub alpha: Ext2Var,
    /// Folding challenge β per commit-phase cap.
    pub betas: Vec<Ext2Var>,
    /// The proof-of-work response (its leading `proof_of_work_bits` bits are zero).
    pub pow_response: GoldilocksVar,
    /// Per query: the `lde_bits` little-endian bits of the query index.
    pub query_index_bits: Vec<Vec<Boolean<Fr>>>,
}

/// The openings in plonky2's FRI order: batch at ζ (constants, σ, wires, Z, partial products,
/// quotient), batch at gζ (Z).
fn opening_batches(o: &OpeningSetVar) -> [Vec<Ext2Var>; 2] {
    [
        [
            o.constants.as_slice(),
            &o.plonk_sigmas,
            &o.wires,
            &o.plonk_zs,
            &o.partial_products,
            &o.quotient_polys,
        ]
        .concat(),
        o.plonk_zs_next.clone(),
    ]
}

/// Continues the transcript after ζ exactly as plonky2's `get_challenges` /
/// `fri_challenges`, and enforces the proof-of-work condition (plonky2 1.1: the canonical
/// `u64` of the response has at least `proof_of_work_bits` leading zeros).
pub fn fri_challenges(
    common: &CommonCircuitData<GF, 2>,
    ch: &mut ChallengerVar,
    openings: &OpeningSetVar,
    proof: &FriProofVar,
) -> Result<FriChallengesVar, VerifierError> {
    let params = &common.fri_params;
    for batch in opening_batches(openings) {
        for v in &batch {
            ch.observe_extension(v)?;
        }
    }
    let alpha = ch.get_extension_challenge()?;
    let mut betas = Vec::with_capacity(proof.commit_phase_caps.len());
    for cap in &proof.commit_phase_caps {
        ch.observe_cap(cap)?;
        betas.push(ch.get_extension_challenge()?);
    }
    for c in &proof.final_poly {
        ch.observe_extension(c)?;
    }
    ch.observe_element(&proof.pow_witness)?;
    let pow_response = ch.get_challenge()?;
    let pow_bits = params.config.proof_of_work_bits as usize;
    if pow_bits > 0 {
        let bits = pow_response.to_bits_le()?;
        for b in &bits[64 - pow_bits..] {
            b.enforce_equal(&Boolean::FALSE)?;
        }
    }
    let lde_bits = params.lde_bits();
    let mut query_index_bits = Vec::with_capacity(params.config.num_query_rounds);
    for _ in 0..params.config.num_query_rounds {
        // `challenge mod 2^lde_bits`: the low bits of the canonical decomposition.
        let c = ch.get_challenge()?;
        let mut bits = c.to_bits_le()?;
        bits.truncate(lde_bits);
        query_index_bits.push(bits);
    }
    Ok(FriChallengesVar {
        alpha,
        betas,
        pow_response,
        query_index_bits,
    })
}

/// Constraints spent per part of the FRI verification (for reports).
#[derive(Clone, Copy, Debug, Default)]
pub struct FriConstraintCounts {
    /// Allocating the FRI proof as canonical witnesses.
    pub allocation: usize,
    /// Transcript after ζ (openings, α, β, final polynomial, PoW, query indices).
    pub transcript: usize,
    /// α powers and the openings reduced at ζ and gζ (once).
    pub precompute: usize,
    /// All Merkle paths (initial trees and commit phase), leaf hashing included.
    pub merkle: usize,
    /// Query points and the initial combination of the openings.
    pub initial_combination: usize,
    /// Folding (coset interpolation and the consistency selections).
    pub folding: usize,
    /// Final-polynomial evaluations.
    pub final_poly: usize,
}

/// Counts constraints added by `f` to `cs`.
fn counted<T>(
    cs: &ConstraintSystemRef<Fr>,
    acc: &mut usize,
    f: impl FnOnce() -> Result<T, VerifierError>,
) -> Result<T, VerifierError> {
    let n0 = cs.num_constraints();
    let t = f()?;
    *acc += cs.num_constraints() - n0;
    Ok(t)
}

/// Powers of the FRI α, baby-step giant-step: `α^a` for `a < B` and `α^{B·k}`, each
/// canonical (`B + n/B` reductions instead of `n`). Sums `Σ α^i·v_i` are evaluated as
/// `Σ_k α^{B·k}·(Σ_{a<B} α^a·v_{B·k+a})` with the inner sums unreduced.
#[derive(Clone, Debug)]
pub struct AlphaPowers {
    baby: Vec<Ext2Var>,
    giant: Vec<Ext2Var>,
}

impl AlphaPowers {
    /// Powers for sums of up to `n` terms (`B = ⌈√n⌉`).
    pub fn new(alpha: &Ext2Var, n: usize) -> Result<Self, SynthesisError> {
        let b = ((n.max(1) as f64).sqrt().ceil() as usize).max(1);
        let alpha = alpha.reduce()?;
        let mut baby = vec![Ext2Var::one()];
        for _ in 1..b {
            let last = baby.last().expect("nonempty");
            baby.push(last.mul(&alpha)?.reduce()?);
        }
        let step = baby[b - 1].mul(&alpha)?.reduce()?;
        let mut giant = vec![Ext2Var::one()];
        while giant.len() * b < n {
            let last = giant.last().expect("nonempty");
            giant.push(if giant.len() == 1 {
                step.clone()
            } else {
                last.mul(&step)?.reduce()?
            });
        }
        Ok(Self { baby, giant })
    }

    /// `α^i`, lazy (a product of two canonical powers), for `i < B·(number of giant steps)`.
    pub fn pow(&self, i: usize) -> Result<Ext2Var, SynthesisError> {
        let b = self.baby.len();
        let g = self.giant.get(i / b).ok_or(SynthesisError::Unsatisfiable)?;
        if i / b == 0 {
            return Ok(self.baby[i % b].clone());
        }
        g.mul(&self.baby[i % b])
    }

    /// `Σ α^i·vals[i]` for base-field `vals` (≤ 64-bit bounds): inner sums of ≤ 2^B terms of
    /// 128 bits, times a canonical giant step: ≤ ~205 bits, lazy.
    pub fn combine_base(&self, vals: &[GoldilocksVar]) -> Result<Ext2Var, SynthesisError> {
        self.combine(vals.len(), |a, i| a.scalar_mul(&vals[i]))
    }

    /// `Σ α^i·vals[i]` for extension `vals` (inner sums reduced only where a bound requires).
    pub fn combine_ext(&self, vals: &[Ext2Var]) -> Result<Ext2Var, SynthesisError> {
        self.combine(vals.len(), |a, i| a.mul(&vals[i]))
    }

    fn combine(
        &self,
        n: usize,
        term: impl Fn(&Ext2Var, usize) -> Result<Ext2Var, SynthesisError>,
    ) -> Result<Ext2Var, SynthesisError> {
        let b = self.baby.len();
        if n > b * self.giant.len() {
            return Err(SynthesisError::Unsatisfiable);
        }
        let mut acc = Ext2Var::zero();
        for (k, g) in self.giant.iter().enumerate() {
            let range = k * b..((k + 1) * b).min(n);
            if range.is_empty() {
                break;
            }
            let mut inner = Ext2Var::zero();
            for i in range {
                inner = inner.add(&term(&self.baby[i % b], i)?)?;
            }
            acc = acc.add(&if k == 0 { inner } else { g.mul(&inner)? })?;
        }
        Ok(acc)
    }
}

/// Verifies the FRI proof of the PLONK openings: `initial_caps` are the constants/sigmas,
/// wires, Z/partial-products and quotient caps; `zeta` the PLONK ζ; `ch` the transcript right
/// after ζ. Returns the constraint counts per part (allocation is counted by the caller).
pub fn verify_fri(
    cs: &ConstraintSystemRef<Fr>,
    common: &CommonCircuitData<GF, 2>,
    openings: &OpeningSetVar,
    zeta: &Ext2Var,
    ch: &mut ChallengerVar,
    initial_caps: &[Vec<FpVar<Fr>>; 4],
    proof: &FriProofVar,
) -> Result<FriConstraintCounts, VerifierError> {
    let params = &common.fri_params;
    let mut n = FriConstraintCounts::default();
    // The fields are public: re-check the shape `FriProofVar::new_witness` guarantees.
    let lens = leaf_lens_of(common);
    let shape_ok = proof.query_rounds.len() == params.config.num_query_rounds
        && proof.commit_phase_caps.len() == params.reduction_arity_bits.len()
        && proof.final_poly.len() == params.final_poly_len()
        && proof.query_rounds.iter().all(|q| {
            q.initial.len() == 4
                && q.initial.iter().zip(&lens).all(|((l, _), &n)| l.len() == n)
                && q.steps.len() == params.reduction_arity_bits.len()
                && q.steps
                    .iter()
                    .zip(&params.reduction_arity_bits)
                    .all(|(s, &a)| s.evals.len() == 1 << a)
        });
    if !shape_ok || openings.plonk_zs.len() != common.config.num_challenges {
        return Err(VerifierError::Shape("FRI proof".into()));
    }
    let chs = counted(cs, &mut n.transcript, || {
        fri_challenges(common, ch, openings, proof)
    })?;

    // Precomputation: α powers, reduced openings per batch, the two points.
    let batches = opening_batches(openings);
    let nc = common.config.num_challenges;
    let (alpha_pows, reduced, points, alpha_shift, beta_pows) =
        counted(cs, &mut n.precompute, || {
            let max = batches[0].len().max(batches[1].len());
            // `max + 1`: the shift below may be α^max.
            let pows = AlphaPowers::new(&chs.alpha, max + 1)?;
            let reduced = [
                pows.combine_ext(&batches[0])?.reduce()?,
                pows.combine_ext(&batches[1])?.reduce()?,
            ];
            let g = GF::primitive_root_of_unity(common.degree_bits());
            let z = zeta.reduce()?;
            let points = [
                z.clone(),
                z.mul_const(<GF2 as FieldExtension<2>>::from_basefield(g))?
                    .reduce()?,
            ];
            // ReducingFactor::shift after the last batch: α^(size of batch 1).
            let shift = pows.pow(batches[1].len())?.reduce()?;
            // β^(2^l) of every commit-phase step, once for all queries.
            let beta_pows = chs
                .betas
                .iter()
                .zip(&params.reduction_arity_bits)
                .map(|(b, &k)| fold::beta_powers(b, k))
                .collect::<Result<Vec<_>, _>>()?;
            Ok((pows, reduced, points, shift, beta_pows))
        })?;

    let sizes = oracle_sizes(common);
    let total_arity: usize = params.reduction_arity_bits.iter().sum();
    for (q, idx_bits) in proof.query_rounds.iter().zip(&chs.query_index_bits) {
        // Initial trees.
        counted(cs, &mut n.merkle, || {
            for ((leaf, sibs), cap) in q.initial.iter().zip(initial_caps) {
                merkle::verify_merkle_proof_to_cap(leaf, idx_bits, cap, sibs)?;
            }
            Ok(())
        })?;
        // Query point and initial combination (plonky2's `fri_combine_initial`).
        let (x_inv, mut old_eval) = counted(cs, &mut n.initial_combination, || {
            let (x, x_inv) = fold::lde_point(idx_bits)?;
            let evals0: Vec<GoldilocksVar> = q
                .initial
                .iter()
                .zip(sizes)
                .flat_map(|((leaf, _), s)| leaf[..s].iter().cloned())
                .collect();
            let evals1: Vec<GoldilocksVar> = q.initial[2].0[..nc].to_vec();
            let mut terms = Vec::with_capacity(2);
            for (k, evals) in [evals0, evals1].iter().enumerate() {
                let acc = alpha_pows.combine_base(evals)?;
                let num = acc.sub(&reduced[k])?;
                let den = Ext2Var::from_base(&x).sub(&points[k])?;
                terms.push(num.div(&den)?);
            }
            let sum = terms[0].mul(&alpha_shift)?.add(&terms[1])?;
            Ok((x_inv, sum))
        })?;
        // Folding and commit-phase Merkle paths.
        let mut x_inv = x_inv;
        let mut scale = GF::ONE;
        let mut off = 0usize;
        for (i, (&arity_bits, step)) in params.reduction_arity_bits.iter().zip(&q.steps).enumerate()
        {
            let within = &idx_bits[off..off + arity_bits];
            old_eval = counted(cs, &mut n.folding, || {
                // `old_eval` is `scale` times the previous value (see `compute_evaluation_scaled`).
                fold::select_by_bits(&step.evals, within)?
                    .mul_const(scale.into())?
                    .enforce_equal(&old_eval)?;
                let e =
                    fold::compute_evaluation_scaled(&x_inv, within, &step.evals, &beta_pows[i])?;
                scale = GF::from_canonical_u64(1 << arity_bits);
                x_inv = fold::exp_power_of_2(&x_inv, arity_bits)?;
                Ok(e)
            })?;
            counted(cs, &mut n.merkle, || {
                let leaf: Vec<GoldilocksVar> = step
                    .evals
                    .iter()
                    .flat_map(|e| e.0.iter().cloned())
                    .collect();
                merkle::verify_merkle_proof_to_cap(
                    &leaf,
                    &idx_bits[off + arity_bits..],
                    &proof.commit_phase_caps[i],
                    &step.siblings,
                )?;
                Ok(())
            })?;
            off += arity_bits;
        }
        counted(cs, &mut n.final_poly, || {
            let x_final = fold::lde_point_power(idx_bits, total_arity)?;
            fold::eval_poly_at_base(&proof.final_poly, &x_final)?
                .mul_const(scale.into())?
                .enforce_equal(&old_eval)?;
            Ok(())
        })?;
    }
    Ok(n)
}
