//! plonky2 gate constraints evaluated at the challenge point ζ in R1CS. Each gate mirrors its
//! plonky2 `eval_unfiltered`; the dispatcher rejects gate types it does not implement.

mod basic;
mod more;
mod poseidon;

pub use poseidon::poseidon_permutation_ext;

use super::{ext2::Ext2Var, goldilocks::GoldilocksVar, VerifierError};
use plonky2::{
    field::goldilocks_field::GoldilocksField,
    gates::{
        arithmetic_base::ArithmeticGate, arithmetic_extension::ArithmeticExtensionGate,
        base_sum::BaseSumGate, constant::ConstantGate, coset_interpolation::CosetInterpolationGate,
        exponentiation::ExponentiationGate, gate::GateRef,
        multiplication_extension::MulExtensionGate, noop::NoopGate, poseidon::PoseidonGate,
        poseidon_mds::PoseidonMdsGate, public_input::PublicInputGate,
        random_access::RandomAccessGate, reducing::ReducingGate,
        reducing_extension::ReducingExtensionGate,
    },
};

/// The openings a gate sees at ζ (after its selector prefix is removed), like plonky2's
/// `EvaluationVars`.
#[derive(Clone, Copy, Debug)]
pub struct EvalVars<'a> {
    /// Constant polynomials at ζ, selectors removed.
    pub local_constants: &'a [Ext2Var],
    /// Wire polynomials at ζ.
    pub local_wires: &'a [Ext2Var],
    /// Hash of the public inputs (4 canonical limbs).
    pub public_inputs_hash: &'a [GoldilocksVar; 4],
}

impl EvalVars<'_> {
    /// Wires `start..start+2` as an element of the degree-2 algebra over GF(p^2).
    pub(crate) fn ext_algebra(&self, start: usize) -> [Ext2Var; 2] {
        [
            self.local_wires[start].clone(),
            self.local_wires[start + 1].clone(),
        ]
    }
}

/// Evaluates the unfiltered constraints of `gate` at ζ.
///
/// Errors with [`VerifierError::UnsupportedGate`] for a gate type not implemented here.
pub fn eval_unfiltered(
    gate: &GateRef<GoldilocksField, 2>,
    vars: EvalVars<'_>,
) -> Result<Vec<Ext2Var>, VerifierError> {
    let any = gate.0.as_any();
    if any.downcast_ref::<NoopGate>().is_some() {
        return Ok(vec![]);
    }
    if any.downcast_ref::<ConstantGate>().is_some() {
        return basic::constant(gate.0.num_constraints(), vars);
    }
    if any.downcast_ref::<PublicInputGate>().is_some() {
        return basic::public_input(vars);
    }
    if let Some(g) = any.downcast_ref::<ArithmeticGate>() {
        return basic::arithmetic(g.num_ops, vars);
    }
    if let Some(g) = any.downcast_ref::<ArithmeticExtensionGate<2>>() {
        return basic::arithmetic_extension(g.num_ops, vars);
    }
    if let Some(g) = any.downcast_ref::<MulExtensionGate<2>>() {
        return basic::mul_extension(g.num_ops, vars);
    }
    if let Some(g) = any.downcast_ref::<BaseSumGate<2>>() {
        return basic::base_sum(2, g.num_limbs, vars);
    }
    if let Some(g) = any.downcast_ref::<BaseSumGate<4>>() {
        return basic::base_sum(4, g.num_limbs, vars);
    }
    if any
        .downcast_ref::<PoseidonGate<GoldilocksField, 2>>()
        .is_some()
    {
        return poseidon::poseidon_gate(vars);
    }
    if any
        .downcast_ref::<PoseidonMdsGate<GoldilocksField, 2>>()
        .is_some()
    {
        return more::poseidon_mds(vars);
    }
    if let Some(g) = any.downcast_ref::<RandomAccessGate<GoldilocksField, 2>>() {
        return more::random_access(g.bits, g.num_copies, g.num_extra_constants, vars);
    }
    if let Some(g) = any.downcast_ref::<ExponentiationGate<GoldilocksField, 2>>() {
        return more::exponentiation(g.num_power_bits, vars);
    }
    if let Some(g) = any.downcast_ref::<ReducingGate<2>>() {
        return more::reducing(g.num_coeffs, false, vars);
    }
    if let Some(g) = any.downcast_ref::<ReducingExtensionGate<2>>() {
        return more::reducing(g.num_coeffs, true, vars);
    }
    if let Some(g) = any.downcast_ref::<CosetInterpolationGate<GoldilocksField, 2>>() {
        return more::coset_interpolation(g.subgroup_bits, g.degree, &g.barycentric_weights, vars);
    }
    Err(VerifierError::UnsupportedGate(gate.0.id()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::r1cs::ext2::GF2;
    use ark_bn254::Fr;
    use ark_relations::r1cs::ConstraintSystem;
    use plonky2::{
        field::types::Sample,
        gates::lookup_table::LookupTableGate,
        hash::hash_types::HashOut,
        plonk::{circuit_data::CircuitConfig, vars::EvaluationVars},
    };

    /// Every implemented gate evaluates, on random openings, to exactly plonky2's native
    /// `eval_unfiltered`; the R1CS stays satisfied.
    #[test]
    fn gates_match_plonky2_on_random_openings() {
        type F = GoldilocksField;
        let config = CircuitConfig::standard_recursion_config();
        let gates: Vec<GateRef<F, 2>> = vec![
            GateRef::new(NoopGate),
            GateRef::new(ConstantGate::new(2)),
            GateRef::new(PublicInputGate),
            GateRef::new(ArithmeticGate::new_from_config(&config)),
            GateRef::new(ArithmeticExtensionGate::<2>::new_from_config(&config)),
            GateRef::new(MulExtensionGate::<2>::new_from_config(&config)),
            GateRef::new(BaseSumGate::<2>::new_from_config::<F>(&config)),
            GateRef::new(BaseSumGate::<4>::new(16)),
            GateRef::new(PoseidonGate::<F, 2>::new()),
            GateRef::new(PoseidonMdsGate::<F, 2>::new()),
            GateRef::new(RandomAccessGate::<F, 2>::new_from_config(&config, 4)),
            GateRef::new(ExponentiationGate::<F, 2>::new_from_config(&config)),
            GateRef::new(ReducingGate::<2>::new(20)),
            GateRef::new(ReducingExtensionGate::<2>::new(10)),
            GateRef::new(CosetInterpolationGate::<F, 2>::new(4)),
            GateRef::new({
                // As `with_max_degree(4, 6)` (crate-private): 2 intermediate values.
                let mut g = CosetInterpolationGate::<F, 2>::new(4);
                g.degree = 6;
                g
            }),
        ];
        for gate in gates {
            let cs = ConstraintSystem::<Fr>::new_ref();
            let wires: Vec<GF2> = (0..config.num_wires).map(|_| GF2::rand()).collect();
            let consts: Vec<GF2> = (0..4).map(|_| GF2::rand()).collect();
            let pi = HashOut::<F>::rand();
            let native = gate.0.eval_unfiltered(EvaluationVars {
                local_constants: &consts,
                local_wires: &wires,
                public_inputs_hash: &pi,
            });
            let alloc = |v: &[GF2]| -> Vec<Ext2Var> {
                v.iter()
                    .map(|&x| Ext2Var::new_witness(cs.clone(), || Ok(x)).unwrap())
                    .collect()
            };
            let (wv, cv) = (alloc(&wires), alloc(&consts));
            let piv: [GoldilocksVar; 4] = pi
                .elements
                .map(|x| GoldilocksVar::new_witness(cs.clone(), || Ok(x)).unwrap());
            let vars = EvalVars {
                local_constants: &cv,
                local_wires: &wv,
                public_inputs_hash: &piv,
            };
            let ours = eval_unfiltered(&gate, vars).unwrap();
            assert_eq!(ours.len(), native.len(), "{}", gate.0.id());
            for (o, n) in ours.iter().zip(&native) {
                assert_eq!(o.value().unwrap(), *n, "{}", gate.0.id());
            }
            assert!(cs.is_satisfied().unwrap(), "{}", gate.0.id());
        }
    }

    #[test]
    fn unsupported_gate_is_rejected() {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let config = CircuitConfig::standard_recursion_config();
        let table = std::sync::Arc::new(vec![(0u16, 0u16), (1, 1)]);
        let gate =
            GateRef::<GoldilocksField, 2>::new(LookupTableGate::new_from_table(&config, table, 0));
        let w = vec![Ext2Var::new_witness(cs.clone(), || Ok(GF2::rand())).unwrap(); 135];
        let pi = [
            GoldilocksVar::zero(),
            GoldilocksVar::zero(),
            GoldilocksVar::zero(),
            GoldilocksVar::zero(),
        ];
        let vars = EvalVars {
            local_constants: &w[..4],
            local_wires: &w,
            public_inputs_hash: &pi,
        };
        assert!(matches!(
            eval_unfiltered(&gate, vars),
            Err(VerifierError::UnsupportedGate(_))
        ));
    }
}
