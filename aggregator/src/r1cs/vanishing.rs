//! plonky2's check at ζ: for each challenge round `i`,
//! `Σ_j α_i^j · term_j(ζ) = Z_H(ζ) · Σ_k t_{i,k}(ζ)·ζ^{n·k}`, where the terms are
//! `L_0(ζ)·(Z(ζ) − 1)`, the partial-product checks of the permutation argument and the
//! filtered gate constraints. Mirrors plonky2's `eval_vanishing_poly` and `verify_with_challenges`.

use super::{
    ext2::{Ext2Var, GF2},
    gates::{eval_unfiltered, EvalVars},
    goldilocks::{GoldilocksVar, GF},
    VerifierError,
};
use ark_bn254::Fr;
use ark_relations::r1cs::ConstraintSystemRef;
use plonky2::field::extension::FieldExtension;
use plonky2::{
    field::types::Field,
    plonk::{circuit_data::CommonCircuitData, proof::OpeningSet},
};

/// plonky2's `UNUSED_SELECTOR` (`u32::MAX`).
const UNUSED_SELECTOR: u64 = u32::MAX as u64;

/// The openings at ζ (and gζ) of a plonky2 proof, as canonical witnesses.
#[derive(Clone, Debug)]
pub struct OpeningSetVar {
    /// Constant (and selector) polynomials at ζ.
    pub constants: Vec<Ext2Var>,
    /// Permutation σ polynomials at ζ.
    pub plonk_sigmas: Vec<Ext2Var>,
    /// Wire polynomials at ζ.
    pub wires: Vec<Ext2Var>,
    /// Permutation `Z` polynomials at ζ.
    pub plonk_zs: Vec<Ext2Var>,
    /// Permutation `Z` polynomials at gζ.
    pub plonk_zs_next: Vec<Ext2Var>,
    /// Partial products at ζ.
    pub partial_products: Vec<Ext2Var>,
    /// Quotient chunks at ζ.
    pub quotient_polys: Vec<Ext2Var>,
}

fn alloc_vec(cs: &ConstraintSystemRef<Fr>, v: &[GF2]) -> Result<Vec<Ext2Var>, VerifierError> {
    v.iter()
        .map(|&x| Ok(Ext2Var::new_witness(cs.clone(), || Ok(x))?))
        .collect()
}

impl OpeningSetVar {
    /// Allocates the openings as canonical witnesses, checking their shape against `common`
    /// (lookup openings must be empty).
    pub fn new_witness(
        cs: ConstraintSystemRef<Fr>,
        o: &OpeningSet<GF, 2>,
        common: &CommonCircuitData<GF, 2>,
    ) -> Result<Self, VerifierError> {
        let nc = common.config.num_challenges;
        let shape_ok = o.constants.len() == common.num_constants
            && o.plonk_sigmas.len() == common.config.num_routed_wires
            && o.wires.len() == common.config.num_wires
            && o.plonk_zs.len() == nc
            && o.plonk_zs_next.len() == nc
            && o.partial_products.len() == nc * common.num_partial_products
            && o.quotient_polys.len() == nc * common.quotient_degree_factor
            && o.lookup_zs.is_empty()
            && o.lookup_zs_next.is_empty();
        if !shape_ok {
            return Err(VerifierError::Shape("opening set".into()));
        }
        Ok(Self {
            constants: alloc_vec(&cs, &o.constants)?,
            plonk_sigmas: alloc_vec(&cs, &o.plonk_sigmas)?,
            wires: alloc_vec(&cs, &o.wires)?,
            plonk_zs: alloc_vec(&cs, &o.plonk_zs)?,
            plonk_zs_next: alloc_vec(&cs, &o.plonk_zs_next)?,
            partial_products: alloc_vec(&cs, &o.partial_products)?,
            quotient_polys: alloc_vec(&cs, &o.quotient_polys)?,
        })
    }
}

/// The PLONK challenges (β, γ, α per round, and ζ).
#[derive(Clone, Debug)]
pub struct PlonkChallengesVar {
    /// Permutation β per challenge round.
    pub betas: Vec<GoldilocksVar>,
    /// Permutation γ per challenge round.
    pub gammas: Vec<GoldilocksVar>,
    /// Constraint-combination α per challenge round.
    pub alphas: Vec<GoldilocksVar>,
    /// The evaluation point ζ.
    pub zeta: Ext2Var,
}

/// Row range of a selector group (plonky2 keeps `SelectorsInfo`'s fields crate-private; it
/// derives `Serialize`, which is how they are read here).
#[derive(serde::Deserialize)]
struct GroupRange {
    start: usize,
    end: usize,
}

/// plonky2's `SelectorsInfo`: the selector polynomial of each gate and each selector's group.
#[derive(serde::Deserialize)]
struct SelectorLayout {
    selector_indices: Vec<usize>,
    groups: Vec<GroupRange>,
}

impl SelectorLayout {
    fn of(common: &CommonCircuitData<GF, 2>) -> Result<Self, VerifierError> {
        let v = serde_json::to_value(&common.selectors_info)
            .map_err(|e| VerifierError::Shape(format!("selectors: {e}")))?;
        let s: Self = serde_json::from_value(v)
            .map_err(|e| VerifierError::Shape(format!("selectors: {e}")))?;
        if s.selector_indices.len() != common.gates.len()
            || s.groups.len() != common.selectors_info.num_selectors()
        {
            return Err(VerifierError::Shape("selectors".into()));
        }
        Ok(s)
    }
}

/// Horner evaluation `Σ_j terms[j]·x^j`.
fn reduce_with_powers(terms: &[Ext2Var], x: &Ext2Var) -> Result<Ext2Var, VerifierError> {
    let mut acc = Ext2Var::zero();
    for t in terms.iter().rev() {
        acc = acc.mul(x)?.add(t)?;
    }
    Ok(acc)
}

/// Each gate's filter at ζ (canonical) and its unfiltered constraints.
fn filtered_gates(
    common: &CommonCircuitData<GF, 2>,
    openings: &OpeningSetVar,
    public_inputs_hash: &[GoldilocksVar; 4],
) -> Result<Vec<(Ext2Var, Vec<Ext2Var>)>, VerifierError> {
    let sel = SelectorLayout::of(common)?;
    let num_selectors = common.selectors_info.num_selectors();
    let vars = EvalVars {
        local_constants: &openings.constants[num_selectors + common.num_lookup_selectors..],
        local_wires: &openings.wires,
        public_inputs_hash,
    };
    let mut out = Vec::with_capacity(common.gates.len());
    for (row, gate) in common.gates.iter().enumerate() {
        let selector_index = *sel
            .selector_indices
            .get(row)
            .ok_or_else(|| VerifierError::Shape("selector indices".into()))?;
        let group = sel
            .groups
            .get(selector_index)
            .ok_or_else(|| VerifierError::Shape("selector groups".into()))?;
        let group = group.start..group.end;
        let s = &openings.constants[selector_index];
        let mut filter = Ext2Var::one();
        let others = group
            .filter(|&j| j != row)
            .map(|j| j as u64)
            .chain((num_selectors > 1).then_some(UNUSED_SELECTOR));
        for j in others {
            let f = Ext2Var::constant(GF2::from_canonical_u64(j)).sub(s)?;
            filter = filter.reduce()?.mul(&f)?;
        }
        let filter = filter.reduce()?;
        let cons = eval_unfiltered(gate, vars)?;
        if cons.len() > common.num_gate_constraints {
            return Err(VerifierError::Shape("gate constraint count".into()));
        }
        out.push((filter, cons));
    }
    Ok(out)
}

/// Sum of the filtered gate constraints at ζ (`num_gate_constraints` terms).
pub fn evaluate_gate_constraints(
    common: &CommonCircuitData<GF, 2>,
    openings: &OpeningSetVar,
    public_inputs_hash: &[GoldilocksVar; 4],
) -> Result<Vec<Ext2Var>, VerifierError> {
    let mut terms = vec![Ext2Var::zero(); common.num_gate_constraints];
    for (filter, cons) in filtered_gates(common, openings, public_inputs_hash)? {
        for (k, c) in cons.into_iter().enumerate() {
            terms[k] = terms[k].add(&filter.mul(&c)?)?;
        }
    }
    Ok(terms)
}

/// Powers of a base-field challenge `α`, baby-step giant-step: `α^a` for `a < B` and
/// `α^{B·k}`, all canonical (`B + n/B` reductions for `n` powers).
struct BasePowers {
    baby: Vec<GoldilocksVar>,
    giant: Vec<GoldilocksVar>,
}

impl BasePowers {
    fn new(alpha: &GoldilocksVar, n: usize) -> Result<Self, VerifierError> {
        let b = ((n.max(1) as f64).sqrt().ceil() as usize).max(1);
        let alpha = alpha.reduce()?;
        let mut baby = vec![GoldilocksVar::one()];
        for _ in 1..b {
            let last = baby.last().expect("nonempty");
            baby.push(last.mul(&alpha)?.reduce()?);
        }
        let step = baby[b - 1].mul(&alpha)?.reduce()?;
        let mut giant = vec![GoldilocksVar::one()];
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

    /// `Σ_i α^{start+i}·terms[i]`, lazy: the terms of one giant step are summed with their
    /// canonical baby powers (products of ≤ 64 + bits(term) bits), then that inner sum is
    /// multiplied by the canonical giant power; `GoldilocksVar::mul` reduces an operand only
    /// when a product would pass `MAX_BITS`.
    fn combine(&self, start: usize, terms: &[Ext2Var]) -> Result<Ext2Var, VerifierError> {
        let b = self.baby.len();
        if start + terms.len() > b * self.giant.len() {
            return Err(VerifierError::Shape("too many constraint terms".into()));
        }
        let mut acc = Ext2Var::zero();
        let mut i = 0;
        while i < terms.len() {
            let k = (start + i) / b;
            let end = ((k + 1) * b - start).min(terms.len());
            let mut inner = Ext2Var::zero();
            for (j, t) in terms[i..end].iter().enumerate() {
                inner = inner.add(&t.scalar_mul(&self.baby[(start + i + j) % b])?)?;
            }
            acc = acc.add(&if k == 0 {
                inner
            } else {
                inner.scalar_mul(&self.giant[k])?
            })?;
            i = end;
        }
        Ok(acc)
    }
}

/// Enforces `vanishing(ζ) = Z_H(ζ)·quotient(ζ)` for every challenge round.
pub fn check_vanishing(
    common: &CommonCircuitData<GF, 2>,
    openings: &OpeningSetVar,
    ch: &PlonkChallengesVar,
    public_inputs_hash: &[GoldilocksVar; 4],
) -> Result<(), VerifierError> {
    if common.num_lookup_polys != 0 {
        return Err(VerifierError::Lookups);
    }
    let nc = common.config.num_challenges;
    if ch.betas.len() != nc || ch.gammas.len() != nc || ch.alphas.len() != nc {
        return Err(VerifierError::Shape("challenges".into()));
    }
    let degree_bits = common.degree_bits();
    let zeta = ch.zeta.reduce()?;
    let zeta_pow_n = zeta.exp_power_of_2(degree_bits)?.reduce()?;
    let z_h = zeta_pow_n.sub(&Ext2Var::one())?.reduce()?;
    // L_0(ζ) = Z_H(ζ) / (n·(ζ − 1)); the inverse is unsatisfiable if ζ = 1.
    let inv = zeta.sub(&Ext2Var::one())?.inverse()?;
    let n_inv = GF::from_canonical_usize(common.degree()).inverse();
    let l0 = z_h
        .mul(&inv)?
        .mul_const(<GF2 as FieldExtension<2>>::from_basefield(n_inv))?
        .reduce()?;

    let max_degree = common.quotient_degree_factor;
    let num_prods = common.num_partial_products;
    let mut z1_terms = Vec::with_capacity(nc);
    let mut pp_terms = Vec::new();
    for i in 0..nc {
        let z_x = &openings.plonk_zs[i];
        let z_gx = &openings.plonk_zs_next[i];
        z1_terms.push(l0.mul(&z_x.sub(&Ext2Var::one())?)?);
        let beta = &ch.betas[i];
        let gamma = Ext2Var::from_base(&ch.gammas[i]);
        let beta_zeta = zeta.scalar_mul(beta)?.reduce()?;
        let mut nums = Vec::with_capacity(common.config.num_routed_wires);
        let mut dens = Vec::with_capacity(common.config.num_routed_wires);
        for j in 0..common.config.num_routed_wires {
            let w = &openings.wires[j];
            let s_id =
                beta_zeta.mul_const(<GF2 as FieldExtension<2>>::from_basefield(common.k_is[j]))?;
            nums.push(w.add(&s_id)?.add(&gamma)?);
            let s_sigma = openings.plonk_sigmas[j].scalar_mul(beta)?;
            dens.push(w.add(&s_sigma)?.add(&gamma)?);
        }
        let partials = &openings.partial_products[i * num_prods..(i + 1) * num_prods];
        let accs: Vec<&Ext2Var> = std::iter::once(z_x)
            .chain(partials.iter())
            .chain(std::iter::once(z_gx))
            .collect();
        let chunks = nums.chunks(max_degree).zip(dens.chunks(max_degree));
        if chunks.len() + 1 != accs.len() {
            return Err(VerifierError::Shape("partial products".into()));
        }
        for (k, (nc_, dc)) in chunks.enumerate() {
            let mut np = Ext2Var::one();
            for x in nc_ {
                np = np.reduce()?.mul(x)?;
            }
            let mut dp = Ext2Var::one();
            for x in dc {
                dp = dp.reduce()?.mul(x)?;
            }
            let t = accs[k].mul(&np)?.sub(&accs[k + 1].mul(&dp)?)?;
            pp_terms.push(t);
        }
    }
    let gates = filtered_gates(common, openings, public_inputs_hash)?;
    let fixed_terms: Vec<Ext2Var> = [z1_terms, pp_terms].concat();
    let num_terms = fixed_terms.len() + common.num_gate_constraints;

    for i in 0..nc {
        // Σ_j α^j·term_j with term_j = Σ_gates filter·c_j, regrouped per gate as
        // Σ_gates filter·(α^offset·Σ_j α^j·c_j): one lazy combination per gate, one product by
        // its filter, instead of a reduction per term.
        let pows = BasePowers::new(&ch.alphas[i], num_terms)?;
        let mut vanishing = pows.combine(0, &fixed_terms)?;
        for (filter, cons) in &gates {
            let g = pows.combine(fixed_terms.len(), cons)?;
            vanishing = vanishing.add(&filter.mul(&g)?)?;
        }
        let chunk = &openings.quotient_polys[i * max_degree..(i + 1) * max_degree];
        let quotient = reduce_with_powers(chunk, &zeta_pow_n)?;
        z_h.mul(&quotient)?.enforce_equal(&vanishing)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::r1cs::circuit::CheckedVerifierData;
    use ark_relations::r1cs::ConstraintSystem;
    use plonky2::{
        field::extension::quadratic::QuadraticExtension,
        hash::{hash_types::HashOut, poseidon::PoseidonHash},
        iop::witness::{PartialWitness, WitnessWrite},
        plonk::{
            circuit_builder::CircuitBuilder,
            circuit_data::{CircuitConfig, CircuitData},
            config::PoseidonGoldilocksConfig,
            proof::{ProofChallenges, ProofWithPublicInputs},
        },
    };
    use std::sync::OnceLock;

    type C = PoseidonGoldilocksConfig;

    struct Fixture {
        data: CircuitData<GF, C, 2>,
        proof: ProofWithPublicInputs<GF, C, 2>,
        pi_hash: HashOut<GF>,
    }

    /// A small circuit with base/extension arithmetic, a bit split, a Poseidon hash,
    /// constants and public inputs, proved once with the standard recursion config.
    fn fixture() -> &'static Fixture {
        static F: OnceLock<Fixture> = OnceLock::new();
        F.get_or_init(|| {
            let mut b = CircuitBuilder::<GF, 2>::new(CircuitConfig::standard_recursion_config());
            let x = b.add_virtual_target();
            let y = b.add_virtual_target();
            let xy = b.mul(x, y);
            let s = b.add(xy, x);
            let k = b.constant(GF::from_canonical_u64(0xDEAD_BEEF));
            let t = b.mul_add(s, k, y);
            b.register_public_input(t);
            let _bits = b.split_le(x, 64);
            let h = b.hash_n_to_hash_no_pad::<PoseidonHash>(vec![x, y, t]);
            b.register_public_inputs(&h.elements);
            let ex = b.add_virtual_extension_target();
            let ey = b.mul_extension(ex, ex);
            let ez = b.mul_add_extension(ey, ex, ex);
            b.register_public_inputs(&ez.0);
            let data = b.build::<C>();
            let mut pw = PartialWitness::new();
            pw.set_target(x, GF::from_canonical_u64(123_456_789))
                .unwrap();
            pw.set_target(y, GF::from_canonical_u64(987_654_321))
                .unwrap();
            pw.set_extension_target(
                ex,
                QuadraticExtension([GF::from_canonical_u64(5), GF::from_canonical_u64(9)]),
            )
            .unwrap();
            let proof = data.prove(pw).unwrap();
            data.verify(proof.clone()).unwrap();
            let pi_hash = proof.get_public_inputs_hash();
            Fixture {
                data,
                proof,
                pi_hash,
            }
        })
    }

    /// The challenges plonky2 derives natively for the fixture proof.
    fn challenges() -> ProofChallenges<GF, 2> {
        let f = fixture();
        f.proof
            .get_challenges(
                f.pi_hash,
                &f.data.verifier_only.circuit_digest,
                &f.data.common,
            )
            .unwrap()
    }

    /// Synthesizes the vanishing check with (possibly tampered) openings, challenges and
    /// public-input hash; returns whether the constraint system is satisfied.
    fn run(o: &OpeningSet<GF, 2>, ch: &ProofChallenges<GF, 2>, pi: HashOut<GF>) -> bool {
        let f = fixture();
        let cs = ConstraintSystem::<Fr>::new_ref();
        let common = &f.data.common;
        let ov = OpeningSetVar::new_witness(cs.clone(), o, common).unwrap();
        let alloc = |v: &[GF]| -> Vec<GoldilocksVar> {
            v.iter()
                .map(|&x| GoldilocksVar::new_witness(cs.clone(), || Ok(x)).unwrap())
                .collect()
        };
        let chv = PlonkChallengesVar {
            betas: alloc(&ch.plonk_betas),
            gammas: alloc(&ch.plonk_gammas),
            alphas: alloc(&ch.plonk_alphas),
            zeta: Ext2Var::new_witness(cs.clone(), || Ok(ch.plonk_zeta)).unwrap(),
        };
        let piv: [GoldilocksVar; 4] = alloc(&pi.elements).try_into().unwrap();
        check_vanishing(common, &ov, &chv, &piv).unwrap();
        cs.is_satisfied().unwrap()
    }

    #[test]
    fn real_proof_satisfies_vanishing_check() {
        let f = fixture();
        assert!(run(&f.proof.proof.openings, &challenges(), f.pi_hash));
    }

    type Tamper = fn(&mut OpeningSet<GF, 2>);

    /// Each opening kind tampered by +1; a wire used only by the Poseidon gate included.
    const TAMPERS: [(&str, Tamper); 8] = [
        ("wires", |o| o.wires[0] += GF2::ONE),
        ("zs_next", |o| o.plonk_zs_next[1] += GF2::ONE),
        ("quotient", |o| o.quotient_polys[2] += GF2::ONE),
        ("constants", |o| o.constants[1] += GF2::ONE),
        ("sigmas", |o| o.plonk_sigmas[3] += GF2::ONE),
        ("zs", |o| o.plonk_zs[0] += GF2::ONE),
        ("partial_products", |o| o.partial_products[0] += GF2::ONE),
        // A partial-round S-box input wire of the Poseidon gate.
        ("poseidon_wire", |o| {
            o.wires[2 * 12 + 1 + 4 + 12 * 3 + 5] += GF2::ONE
        }),
    ];

    fn assert_tampers_rejected(tampers: &[(&str, Tamper)]) {
        let f = fixture();
        for (name, t) in tampers {
            let mut o = f.proof.proof.openings.clone();
            t(&mut o);
            assert!(
                !run(&o, &challenges(), f.pi_hash),
                "tampered {name} accepted"
            );
        }
    }

    #[test]
    fn tampered_openings_rejected() {
        assert_tampers_rejected(&TAMPERS[..3]);
    }

    /// The remaining opening kinds (~3 s each, ~20 s in all). Run with
    /// `cargo test -p zkroll-aggregator tampered_openings_rejected_all -- --ignored`.
    #[test]
    #[ignore]
    fn tampered_openings_rejected_all() {
        assert_tampers_rejected(&TAMPERS[3..]);
    }

    #[test]
    fn tampered_public_inputs_or_challenges_rejected() {
        let f = fixture();
        let mut pi = f.pi_hash;
        pi.elements[2] += GF::ONE;
        assert!(!run(&f.proof.proof.openings, &challenges(), pi));
        let mut ch = challenges();
        ch.plonk_zeta += GF2::ONE;
        assert!(!run(&f.proof.proof.openings, &ch, f.pi_hash));
        let mut ch = challenges();
        ch.plonk_alphas[1] += GF::ONE;
        assert!(!run(&f.proof.proof.openings, &ch, f.pi_hash));
    }

    #[test]
    fn digest_must_match_cap() {
        let f = fixture();
        let common = f.data.common.clone();
        let vo = f.data.verifier_only.clone();
        assert!(CheckedVerifierData::<C>::new(common.clone(), vo.clone(), &[]).is_ok());
        let mut bad = vo.clone();
        bad.circuit_digest.elements[0] += GF::ONE;
        assert!(matches!(
            CheckedVerifierData::<C>::new(common.clone(), bad, &[]),
            Err(VerifierError::DigestMismatch)
        ));
        let mut bad = vo;
        bad.constants_sigmas_cap.0[0].elements[0] += GF::ONE;
        assert!(matches!(
            CheckedVerifierData::<C>::new(common, bad, &[]),
            Err(VerifierError::DigestMismatch)
        ));
    }
}
