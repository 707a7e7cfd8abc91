//! A custom plonky2 gate for `GF(p^5)` multiply-adds, with its witness generator.
//!
//! One operation ("op") of an [`Fp5MulAddGate`] has 20 routed wires — `a`, `b`, `c` and
//! `out`, five coefficients each — and enforces, coefficient by coefficient,
//!
//! `out = k₀·a·b + k₁·c` in `GF(p)[z]/(z⁵ − 3)`,
//!
//! i.e. `out_k = k₀·(Σ_{i+j=k} aᵢbⱼ + 3·Σ_{i+j=k+5} aᵢbⱼ) + k₁·c_k`, with `k₀, k₁` the gate's
//! two constants (shared by the ops of one row, like plonky2's `ArithmeticGate`). 5
//! constraints of degree 3 per op; 4 ops per row in the standard recursion configuration
//! (80 routed wires), where the same product costs 25 `ArithmeticGate` operations (1¼ rows).
//! Every wire is a Goldilocks element, so the output is canonical by construction.

use anyhow::Result;
use plonky2::field::extension::Extendable;
use plonky2::field::types::Field;
use plonky2::gates::gate::Gate;
use plonky2::gates::util::StridedConstraintConsumer;
use plonky2::hash::hash_types::RichField;
use plonky2::iop::ext_target::ExtensionTarget;
use plonky2::iop::generator::{GeneratedValues, SimpleGenerator, WitnessGeneratorRef};
use plonky2::iop::target::Target;
use plonky2::iop::witness::{PartitionWitness, Witness, WitnessWrite};
use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::circuit_data::{CircuitConfig, CommonCircuitData};
use plonky2::plonk::vars::{EvaluationTargets, EvaluationVars, EvaluationVarsBase};
use plonky2::util::serialization::{Buffer, IoResult, Read, Write};

/// `W` in `z⁵ = W`.
const W: u64 = 3;
/// Routed wires of one op: `a`, `b`, `c`, `out`.
const WIRES_PER_OP: usize = 20;

/// `k₀·a·b + k₁·c` on coefficient arrays, in any field containing `GF(p)` (the native twin
/// of the gate's constraint, used by the constraint, the recursive evaluation's tests and the
/// generator).
pub fn mul_add<T: Field>(k0: T, a: &[T; 5], b: &[T; 5], k1: T, c: &[T; 5]) -> [T; 5] {
    let w = T::from_canonical_u64(W);
    std::array::from_fn(|k| {
        let mut acc = T::ZERO;
        for (i, &ai) in a.iter().enumerate() {
            let j = (k + 5 - i) % 5;
            let p = ai * b[j];
            acc += if i + j >= 5 { p * w } else { p };
        }
        k0 * acc + k1 * c[k]
    })
}

/// A gate holding `num_ops` `GF(p^5)` multiply-adds sharing the constants `k₀, k₁`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Fp5MulAddGate {
    /// Ops per row.
    pub num_ops: usize,
}

impl Fp5MulAddGate {
    /// The gate filling the routed wires of `config`.
    pub fn new_from_config(config: &CircuitConfig) -> Self {
        Self {
            num_ops: config.num_routed_wires / WIRES_PER_OP,
        }
    }

    /// Wire of coefficient `i` of `a` in op `op`.
    pub const fn wire_a(op: usize, i: usize) -> usize {
        op * WIRES_PER_OP + i
    }

    /// Wire of coefficient `i` of `b` in op `op`.
    pub const fn wire_b(op: usize, i: usize) -> usize {
        op * WIRES_PER_OP + 5 + i
    }

    /// Wire of coefficient `i` of the addend `c` in op `op`.
    pub const fn wire_c(op: usize, i: usize) -> usize {
        op * WIRES_PER_OP + 10 + i
    }

    /// Wire of coefficient `i` of the output in op `op`.
    pub const fn wire_out(op: usize, i: usize) -> usize {
        op * WIRES_PER_OP + 15 + i
    }
}

/// The four operands of op `op` read from a row's wires.
fn operands<T: Copy>(wires: &[T], op: usize) -> [[T; 5]; 4] {
    [
        std::array::from_fn(|i| wires[Fp5MulAddGate::wire_a(op, i)]),
        std::array::from_fn(|i| wires[Fp5MulAddGate::wire_b(op, i)]),
        std::array::from_fn(|i| wires[Fp5MulAddGate::wire_c(op, i)]),
        std::array::from_fn(|i| wires[Fp5MulAddGate::wire_out(op, i)]),
    ]
}

impl<F: RichField + Extendable<D>, const D: usize> Gate<F, D> for Fp5MulAddGate {
    fn id(&self) -> String {
        format!("{self:?}")
    }

    fn serialize(&self, dst: &mut Vec<u8>, _common: &CommonCircuitData<F, D>) -> IoResult<()> {
        dst.write_usize(self.num_ops)
    }

    fn deserialize(src: &mut Buffer, _common: &CommonCircuitData<F, D>) -> IoResult<Self> {
        Ok(Self {
            num_ops: src.read_usize()?,
        })
    }

    fn eval_unfiltered(&self, vars: EvaluationVars<F, D>) -> Vec<F::Extension> {
        let (k0, k1) = (vars.local_constants[0], vars.local_constants[1]);
        (0..self.num_ops)
            .flat_map(|op| {
                let [a, b, c, out] = operands(vars.local_wires, op);
                let v = mul_add(k0, &a, &b, k1, &c);
                (0..5).map(move |i| out[i] - v[i])
            })
            .collect()
    }

    fn eval_unfiltered_base_one(
        &self,
        vars: EvaluationVarsBase<F>,
        mut yield_constr: StridedConstraintConsumer<F>,
    ) {
        let (k0, k1) = (vars.local_constants[0], vars.local_constants[1]);
        for op in 0..self.num_ops {
            let wire = |w: usize| vars.local_wires[w];
            let a: [F; 5] = std::array::from_fn(|i| wire(Self::wire_a(op, i)));
            let b: [F; 5] = std::array::from_fn(|i| wire(Self::wire_b(op, i)));
            let c: [F; 5] = std::array::from_fn(|i| wire(Self::wire_c(op, i)));
            let v = mul_add(k0, &a, &b, k1, &c);
            for (i, v) in v.into_iter().enumerate() {
                yield_constr.one(wire(Self::wire_out(op, i)) - v);
            }
        }
    }

    fn eval_unfiltered_circuit(
        &self,
        builder: &mut CircuitBuilder<F, D>,
        vars: EvaluationTargets<D>,
    ) -> Vec<ExtensionTarget<D>> {
        let (k0, k1) = (vars.local_constants[0], vars.local_constants[1]);
        let w = F::from_canonical_u64(W);
        let mut constraints = Vec::with_capacity(5 * self.num_ops);
        for op in 0..self.num_ops {
            let [a, b, c, out] = operands(vars.local_wires, op);
            for k in 0..5 {
                let mut acc = builder.zero_extension();
                for (i, &ai) in a.iter().enumerate() {
                    let j = (k + 5 - i) % 5;
                    let m = if i + j >= 5 { w } else { F::ONE };
                    acc = builder.arithmetic_extension(m, F::ONE, ai, b[j], acc);
                }
                let scaled = builder.mul_extension(k0, acc);
                let v = builder.mul_add_extension(k1, c[k], scaled);
                constraints.push(builder.sub_extension(out[k], v));
            }
        }
        constraints
    }

    fn generators(&self, row: usize, local_constants: &[F]) -> Vec<WitnessGeneratorRef<F, D>> {
        (0..self.num_ops)
            .map(|op| {
                WitnessGeneratorRef::new(
                    Fp5MulAddGenerator {
                        row,
                        op,
                        k0: local_constants[0],
                        k1: local_constants[1],
                    }
                    .adapter(),
                )
            })
            .collect()
    }

    fn num_wires(&self) -> usize {
        self.num_ops * WIRES_PER_OP
    }

    fn num_constants(&self) -> usize {
        2
    }

    fn degree(&self) -> usize {
        3
    }

    fn num_constraints(&self) -> usize {
        5 * self.num_ops
    }
}

/// Witness generator of one op of an [`Fp5MulAddGate`]: sets `out` from `a`, `b`, `c`.
#[derive(Clone, Debug)]
pub struct Fp5MulAddGenerator<F> {
    row: usize,
    op: usize,
    k0: F,
    k1: F,
}

impl<F: RichField + Extendable<D>, const D: usize> SimpleGenerator<F, D> for Fp5MulAddGenerator<F> {
    fn id(&self) -> String {
        "zkroll::Fp5MulAddGenerator".to_string()
    }

    fn dependencies(&self) -> Vec<Target> {
        (0..5)
            .flat_map(|i| {
                [
                    Fp5MulAddGate::wire_a(self.op, i),
                    Fp5MulAddGate::wire_b(self.op, i),
                    Fp5MulAddGate::wire_c(self.op, i),
                ]
            })
            .map(|w| Target::wire(self.row, w))
            .collect()
    }

    fn run_once(
        &self,
        witness: &PartitionWitness<F>,
        out_buffer: &mut GeneratedValues<F>,
    ) -> Result<()> {
        let get = |w: usize| witness.get_target(Target::wire(self.row, w));
        let a: [F; 5] = std::array::from_fn(|i| get(Fp5MulAddGate::wire_a(self.op, i)));
        let b: [F; 5] = std::array::from_fn(|i| get(Fp5MulAddGate::wire_b(self.op, i)));
        let c: [F; 5] = std::array::from_fn(|i| get(Fp5MulAddGate::wire_c(self.op, i)));
        let v = mul_add(self.k0, &a, &b, self.k1, &c);
        for (i, v) in v.into_iter().enumerate() {
            out_buffer.set_target(
                Target::wire(self.row, Fp5MulAddGate::wire_out(self.op, i)),
                v,
            )?;
        }
        Ok(())
    }

    fn serialize(&self, dst: &mut Vec<u8>, _common: &CommonCircuitData<F, D>) -> IoResult<()> {
        dst.write_usize(self.row)?;
        dst.write_usize(self.op)?;
        dst.write_field(self.k0)?;
        dst.write_field(self.k1)
    }

    fn deserialize(src: &mut Buffer, _common: &CommonCircuitData<F, D>) -> IoResult<Self> {
        Ok(Self {
            row: src.read_usize()?,
            op: src.read_usize()?,
            k0: src.read_field()?,
            k1: src.read_field()?,
        })
    }
}

/// Adds one op `out = k₀·a·b + k₁·c` (operands copy-constrained into the gate) and returns
/// `out`'s wires.
pub(crate) fn add_mul_add_op<F: RichField + Extendable<D>, const D: usize>(
    builder: &mut CircuitBuilder<F, D>,
    k0: F,
    a: [Target; 5],
    b: [Target; 5],
    k1: F,
    c: [Target; 5],
) -> [Target; 5] {
    let gate = Fp5MulAddGate::new_from_config(&builder.config);
    let (row, op) = builder.find_slot(gate, &[k0, k1], &[k0, k1]);
    for i in 0..5 {
        builder.connect(a[i], Target::wire(row, Fp5MulAddGate::wire_a(op, i)));
        builder.connect(b[i], Target::wire(row, Fp5MulAddGate::wire_b(op, i)));
        builder.connect(c[i], Target::wire(row, Fp5MulAddGate::wire_c(op, i)));
    }
    std::array::from_fn(|i| Target::wire(row, Fp5MulAddGate::wire_out(op, i)))
}

#[cfg(test)]
mod tests {
    use plonky2::field::goldilocks_field::GoldilocksField;
    use plonky2::field::types::Sample;
    use plonky2::iop::witness::PartialWitness;

    use super::*;
    use crate::ecgfp5::field::{coeffs, from_base};
    use crate::ecgfp5::Fp5;
    use crate::gadgets::test_util::{builder, proves, tamper_rejected};
    use crate::{C, F};

    #[test]
    fn native_mul_add_is_gf_p5_arithmetic() {
        for _ in 0..20 {
            let (a, b, c) = (Fp5::rand(), Fp5::rand(), Fp5::rand());
            let (k0, k1) = (F::rand(), F::rand());
            let expected = from_base(k0) * a * b + from_base(k1) * c;
            assert_eq!(
                mul_add(k0, &coeffs(&a), &coeffs(&b), k1, &coeffs(&c)),
                coeffs(&expected)
            );
        }
    }

    #[test]
    fn gate_low_degree_and_recursive_eval() {
        use plonky2::gates::gate_testing::{test_eval_fns, test_low_degree};
        let gate = Fp5MulAddGate::new_from_config(&CircuitConfig::standard_recursion_config());
        assert_eq!(gate.num_ops, 4);
        test_low_degree::<GoldilocksField, _, 2>(gate.clone());
        test_eval_fns::<GoldilocksField, C, _, 2>(gate).unwrap();
    }

    /// Five ops over two constant pairs (two rows, one partly filled): accepted with the
    /// native values; a wrong claimed output or a tampered output wire is rejected.
    #[test]
    fn ops_prove_and_reject_tampering() {
        let mut b = builder();
        let ins: Vec<[Target; 5]> = (0..3).map(|_| b.add_virtual_target_arr()).collect();
        let (two, minus_one) = (F::TWO, F::NEG_ONE);
        let consts = [(F::ONE, F::ZERO), (two, minus_one)];
        let mut outs = Vec::new();
        for n in 0..5 {
            let (k0, k1) = consts[n % 2];
            outs.push((
                k0,
                k1,
                add_mul_add_op(&mut b, k0, ins[0], ins[1], k1, ins[2]),
            ));
        }
        let claimed: Vec<[Target; 5]> = outs
            .iter()
            .map(|&(_, _, o)| {
                let t = b.add_virtual_target_arr();
                for i in 0..5 {
                    b.connect(o[i], t[i]);
                }
                t
            })
            .collect();
        let data = b.build::<C>();
        let vals = [Fp5::rand(), Fp5::rand(), Fp5::rand()];
        let witness = |delta: F| {
            let mut pw = PartialWitness::new();
            for (t, v) in ins.iter().zip(&vals) {
                pw.set_target_arr(t, &coeffs(v)).unwrap();
            }
            for (n, (&(k0, k1, _), t)) in outs.iter().zip(&claimed).enumerate() {
                let mut v = coeffs(&(from_base(k0) * vals[0] * vals[1] + from_base(k1) * vals[2]));
                if n == 3 {
                    v[2] += delta;
                }
                pw.set_target_arr(t, &v).unwrap();
            }
            pw
        };
        assert!(proves(&data, witness(F::ZERO)));
        assert!(!proves(&data, witness(F::ONE)));
        assert!(tamper_rejected(
            &data,
            witness(F::ZERO),
            outs[1].2[4],
            F::from_canonical_u64(7)
        ));
    }
}
