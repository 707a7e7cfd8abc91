//! [`LimbRangeGate`]: several range checks of one width per row, their bits in advice wires.
//!
//! plonky2's `BaseSumGate<2>` puts the bits of one value in routed wires, so each range check
//! takes a row even for a 29-bit limb. Here only the values are routed; their bits live in
//! the non-routed (advice) wires, which nothing copies. In the standard recursion
//! configuration (135 wires) a row holds 4 checks of 29 bits (4 + 4·29 = 120 wires).
//! Constraints per value `v` with bits `b_i`: `b_i·(b_i − 1) = 0` and `v = Σ 2^i·b_i`.

use anyhow::{ensure, Result};
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

/// `num_values` range checks of `bits` bits per row.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LimbRangeGate {
    /// Values checked per row (routed wires `0..num_values`).
    pub num_values: usize,
    /// Bits per value.
    pub bits: usize,
}

impl LimbRangeGate {
    /// The gate with as many `bits`-bit checks as `config`'s wires hold.
    pub fn new_from_config(bits: usize, config: &CircuitConfig) -> Self {
        let num_values = (config.num_wires / (bits + 1)).min(config.num_routed_wires);
        Self { num_values, bits }
    }

    /// Routed wire of value `v`.
    pub const fn wire_value(&self, v: usize) -> usize {
        v
    }

    /// Advice wire of bit `i` of value `v`.
    pub const fn wire_bit(&self, v: usize, i: usize) -> usize {
        self.num_values + v * self.bits + i
    }

    fn constraints<T: Copy>(
        &self,
        wires: &[T],
        mut bool_c: impl FnMut(T) -> T,
        mut sum_c: impl FnMut(T, &[T]) -> T,
        mut push: impl FnMut(T),
    ) {
        for v in 0..self.num_values {
            let bits: Vec<T> = (0..self.bits).map(|i| wires[self.wire_bit(v, i)]).collect();
            for &b in &bits {
                push(bool_c(b));
            }
            push(sum_c(wires[self.wire_value(v)], &bits));
        }
    }
}

impl<F: RichField + Extendable<D>, const D: usize> Gate<F, D> for LimbRangeGate {
    fn id(&self) -> String {
        format!("{self:?}")
    }

    fn serialize(&self, dst: &mut Vec<u8>, _common: &CommonCircuitData<F, D>) -> IoResult<()> {
        dst.write_usize(self.num_values)?;
        dst.write_usize(self.bits)
    }

    fn deserialize(src: &mut Buffer, _common: &CommonCircuitData<F, D>) -> IoResult<Self> {
        Ok(Self {
            num_values: src.read_usize()?,
            bits: src.read_usize()?,
        })
    }

    fn eval_unfiltered(&self, vars: EvaluationVars<F, D>) -> Vec<F::Extension> {
        let mut out = vec![];
        self.constraints(
            vars.local_wires,
            |b| b * (b - F::Extension::ONE),
            |v, bits| {
                let sum = bits
                    .iter()
                    .rev()
                    .fold(F::Extension::ZERO, |acc, &b| acc.double() + b);
                v - sum
            },
            |c| out.push(c),
        );
        out
    }

    fn eval_unfiltered_base_one(
        &self,
        vars: EvaluationVarsBase<F>,
        mut yield_constr: StridedConstraintConsumer<F>,
    ) {
        let n = self.num_values * (self.bits + 1);
        let wires: Vec<F> = (0..n).map(|i| vars.local_wires[i]).collect();
        self.constraints(
            &wires,
            |b| b * (b - F::ONE),
            |v, bits| v - bits.iter().rev().fold(F::ZERO, |acc, &b| acc.double() + b),
            |c| yield_constr.one(c),
        );
    }

    fn eval_unfiltered_circuit(
        &self,
        builder: &mut CircuitBuilder<F, D>,
        vars: EvaluationTargets<D>,
    ) -> Vec<ExtensionTarget<D>> {
        let two = builder.two_extension();
        let mut out = vec![];
        for v in 0..self.num_values {
            let bits: Vec<ExtensionTarget<D>> = (0..self.bits)
                .map(|i| vars.local_wires[self.wire_bit(v, i)])
                .collect();
            for &b in &bits {
                out.push(builder.mul_sub_extension(b, b, b));
            }
            let mut acc = builder.zero_extension();
            for &b in bits.iter().rev() {
                acc = builder.mul_add_extension(acc, two, b);
            }
            out.push(builder.sub_extension(vars.local_wires[self.wire_value(v)], acc));
        }
        out
    }

    fn generators(&self, row: usize, _local_constants: &[F]) -> Vec<WitnessGeneratorRef<F, D>> {
        (0..self.num_values)
            .map(|v| {
                WitnessGeneratorRef::new(
                    LimbRangeGenerator {
                        gate: self.clone(),
                        row,
                        v,
                    }
                    .adapter(),
                )
            })
            .collect()
    }

    fn num_wires(&self) -> usize {
        self.num_values * (self.bits + 1)
    }

    fn num_constants(&self) -> usize {
        0
    }

    fn degree(&self) -> usize {
        2
    }

    fn num_constraints(&self) -> usize {
        self.num_values * (self.bits + 1)
    }
}

/// Witness generator of one value of a [`LimbRangeGate`]: writes its bits (fails if the
/// value does not fit, so an out-of-range value cannot be proven).
#[derive(Clone, Debug)]
pub struct LimbRangeGenerator {
    gate: LimbRangeGate,
    row: usize,
    v: usize,
}

impl<F: RichField + Extendable<D>, const D: usize> SimpleGenerator<F, D> for LimbRangeGenerator {
    fn id(&self) -> String {
        "zkroll::LimbRangeGenerator".to_string()
    }

    fn dependencies(&self) -> Vec<Target> {
        vec![Target::wire(self.row, self.gate.wire_value(self.v))]
    }

    fn run_once(&self, w: &PartitionWitness<F>, out: &mut GeneratedValues<F>) -> Result<()> {
        let x = w
            .get_target(Target::wire(self.row, self.gate.wire_value(self.v)))
            .to_canonical_u64();
        ensure!(
            x >> self.gate.bits == 0,
            "{x} does not fit in {} bits",
            self.gate.bits
        );
        for i in 0..self.gate.bits {
            let t = Target::wire(self.row, self.gate.wire_bit(self.v, i));
            out.set_target(t, F::from_bool((x >> i) & 1 == 1))?;
        }
        Ok(())
    }

    fn serialize(&self, dst: &mut Vec<u8>, _common: &CommonCircuitData<F, D>) -> IoResult<()> {
        dst.write_usize(self.gate.num_values)?;
        dst.write_usize(self.gate.bits)?;
        dst.write_usize(self.row)?;
        dst.write_usize(self.v)
    }

    fn deserialize(src: &mut Buffer, _common: &CommonCircuitData<F, D>) -> IoResult<Self> {
        Ok(Self {
            gate: LimbRangeGate {
                num_values: src.read_usize()?,
                bits: src.read_usize()?,
            },
            row: src.read_usize()?,
            v: src.read_usize()?,
        })
    }
}

/// Bits of the packed range checks of limbs (the limb width of `BlsFrTarget`).
pub const PACKED_BITS: usize = 29;
/// Bits of the wide packed range checks (carries of the big-integer identities).
pub const WIDE_PACKED_BITS: usize = 35;

/// Constrains `x < 2^bits` for `bits ≤ 35` with [`LimbRangeGate`] slots of 29 bits (4 per
/// row) when `bits ≤ 29`, else of 35 bits (3 per row): one slot when `bits` is the slot
/// width; otherwise a second slot checks `x·2^{w−bits} < 2^w` (sound because the first slot
/// bounds `x < 2^w`, so the product does not wrap).
pub fn range_check_packed<F: RichField + Extendable<D>, const D: usize>(
    builder: &mut CircuitBuilder<F, D>,
    x: Target,
    bits: usize,
) {
    assert!(
        bits <= WIDE_PACKED_BITS,
        "packed range checks hold at most 35 bits"
    );
    let width = if bits <= PACKED_BITS {
        PACKED_BITS
    } else {
        WIDE_PACKED_BITS
    };
    let gate = LimbRangeGate::new_from_config(width, &builder.config);
    let slot = |builder: &mut CircuitBuilder<F, D>, t: Target| {
        let (row, v) = builder.find_slot(gate.clone(), &[], &[]);
        builder.connect(t, Target::wire(row, gate.wire_value(v)));
    };
    slot(builder, x);
    if bits < width {
        let scaled = builder.mul_const(F::from_canonical_u64(1 << (width - bits)), x);
        slot(builder, scaled);
    }
}

#[cfg(test)]
mod tests {
    use plonky2::field::goldilocks_field::GoldilocksField;
    use plonky2::field::types::PrimeField64;
    use plonky2::iop::witness::PartialWitness;

    use super::*;
    use crate::gadgets::test_util::{builder, proves};
    use crate::{C, F};

    #[test]
    fn gate_low_degree_and_recursive_eval() {
        use plonky2::gates::gate_testing::{test_eval_fns, test_low_degree};
        let gate = LimbRangeGate::new_from_config(29, &CircuitConfig::standard_recursion_config());
        assert_eq!(gate.num_values, 4);
        test_low_degree::<GoldilocksField, _, 2>(gate.clone());
        test_eval_fns::<GoldilocksField, C, _, 2>(gate).unwrap();
    }

    #[test]
    fn packed_checks_accept_and_reject() {
        let mut b = builder();
        let xs: Vec<Target> = (0..5).map(|_| b.add_virtual_target()).collect();
        for &x in &xs[..4] {
            range_check_packed(&mut b, x, 29);
        }
        range_check_packed(&mut b, xs[4], 16);
        let wide: Vec<Target> = (0..2).map(|_| b.add_virtual_target()).collect();
        range_check_packed(&mut b, wide[0], 35);
        range_check_packed(&mut b, wide[1], 33);
        let data = b.build::<C>();
        let run_wide = |vals: [u64; 5], w: [u64; 2]| {
            let mut pw = PartialWitness::new();
            for (t, v) in xs.iter().zip(vals) {
                pw.set_target(*t, F::from_canonical_u64(v)).unwrap();
            }
            for (t, v) in wide.iter().zip(w) {
                pw.set_target(*t, F::from_canonical_u64(v)).unwrap();
            }
            proves(&data, pw)
        };
        let run = |vals: [u64; 5]| run_wide(vals, [0, 0]);
        let max = (1 << 29) - 1;
        assert!(run([0, 1, max, 12345, (1 << 16) - 1]));
        assert!(run_wide([0; 5], [(1 << 35) - 1, (1 << 33) - 1]));
        assert!(!run_wide([0; 5], [1 << 35, 0]));
        assert!(!run_wide([0; 5], [0, 1 << 33]));
        assert!(!run([1 << 29, 0, 0, 0, 0]));
        assert!(!run([0, 0, 0, u64::MAX >> 1, 0]));
        assert!(!run([0, 0, 0, 0, 1 << 16]));
        // The inverse of 2^13 times a small value passes the scaled slot alone: the first
        // slot must reject it.
        let inv = F::from_canonical_u64(1 << 13).inverse().to_canonical_u64();
        assert!(!run([0, 0, 0, 0, inv]));
    }

    /// The constraints alone (no generator) reject wrong bits: an honest witness of 6 with
    /// one bit flipped, or with bits (2, 0, 1) (same weighted sum, not boolean).
    #[test]
    fn tampered_bits_rejected() {
        use plonky2::iop::generator::generate_partial_witness;
        use plonky2::plonk::prover::prove_with_partition_witness;
        use plonky2::util::timing::TimingTree;
        use std::panic::{catch_unwind, AssertUnwindSafe};

        let mut b = builder();
        let x = b.add_virtual_target();
        range_check_packed(&mut b, x, 29);
        let data = b.build::<C>();
        let gate = LimbRangeGate::new_from_config(29, &CircuitConfig::standard_recursion_config());
        let rejected = |changes: &[(usize, u64)]| {
            let mut pw = PartialWitness::new();
            pw.set_target(x, F::from_canonical_u64(6)).unwrap();
            let mut w = generate_partial_witness(pw, &data.prover_only, &data.common).unwrap();
            let rep = w.representative_map[x.index(w.num_wires, w.degree)];
            // The value wire of slot 0 is copy-constrained to x: find the row whose slot-0
            // value wire shares x's representative.
            let mut gate_row = None;
            for r in 0..w.degree {
                let t = Target::wire(r, gate.wire_value(0));
                if w.representative_map[t.index(w.num_wires, w.degree)] == rep {
                    gate_row = Some(r);
                }
            }
            let gate_row = gate_row.expect("gate row");
            for &(i, v) in changes {
                let t = Target::wire(gate_row, gate.wire_bit(0, i));
                let idx = w.representative_map[t.index(w.num_wires, w.degree)];
                w.values[idx] = Some(F::from_canonical_u64(v));
            }
            let res = catch_unwind(AssertUnwindSafe(|| {
                prove_with_partition_witness(
                    &data.prover_only,
                    &data.common,
                    w,
                    &mut TimingTree::default(),
                )
            }));
            match res {
                Ok(Ok(proof)) => data.verify(proof).is_err(),
                _ => true,
            }
        };
        assert!(!rejected(&[]), "honest witness proves");
        assert!(rejected(&[(1, 0)]));
        assert!(rejected(&[(0, 2), (1, 0), (2, 1)]));
    }
}
