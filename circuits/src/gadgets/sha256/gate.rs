//! A custom plonky2 gate for the bitwise functions of SHA-256, with its witness generator.
//!
//! One operation ("op") of a [`ShaBitGate`] reads boolean input wires and writes one packed
//! output wire:
//!
//! - `Sigma { r1, r2, r3, shr }`: 32 input bits `w_0..w_31` (a word, LSB first) and
//!   `out = Σ_i 2^i · (w_{i+r1} ⊕ w_{i+r2} ⊕ w'_{i})` (indices mod 32), where
//!   `w'_i = w_{i+r3 mod 32}` (rotation) or `w_{i+r3}` / 0 past the top (shift when `shr`).
//!   This is Σ0, Σ1, σ0 or σ1 of FIPS 180-4 packed into one value (33 routed wires, 2 ops per
//!   row in the standard recursion configuration).
//! - `Ch` / `Maj`: 8-bit chunks `x, y, z` (24 input bits) and
//!   `out = Σ_{i<8} 2^i · f(x_i, y_i, z_i)` (25 routed wires, 3 ops per row).
//!
//! XOR, Ch and Maj are written as the polynomials `x + y − 2xy`, `x(y − z) + z`,
//! `x(y ⊕ z) + yz`, which agree with the boolean functions on {0, 1}. **Invariant**: the gate
//! does not constrain its inputs to be bits; every input wire must be copy-constrained to a
//! boolean-constrained wire (in the SHA-256 gadget, the limbs of a `BaseSumGate<2>`). With
//! boolean inputs the output is exactly the packed result, so it needs no range check.

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
use plonky2::util::serialization::{Buffer, IoError, IoResult, Read, Write};

/// The bitwise function one op of a [`ShaBitGate`] computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BitFn {
    /// `ROTR^r1 ⊕ ROTR^r2 ⊕ (ROTR or SHR)^r3` of a 32-bit word, packed.
    Sigma {
        /// First rotation.
        r1: u8,
        /// Second rotation.
        r2: u8,
        /// Third rotation or shift.
        r3: u8,
        /// Whether the third term is a right shift (σ0, σ1) rather than a rotation (Σ0, Σ1).
        shr: bool,
    },
    /// `Ch(x, y, z)` of 8-bit chunks, packed.
    Ch,
    /// `Maj(x, y, z)` of 8-bit chunks, packed.
    Maj,
}

/// Σ0 of FIPS 180-4.
pub const BIG_SIGMA0: BitFn = BitFn::Sigma {
    r1: 2,
    r2: 13,
    r3: 22,
    shr: false,
};
/// Σ1 of FIPS 180-4.
pub const BIG_SIGMA1: BitFn = BitFn::Sigma {
    r1: 6,
    r2: 11,
    r3: 25,
    shr: false,
};
/// σ0 of FIPS 180-4.
pub const SMALL_SIGMA0: BitFn = BitFn::Sigma {
    r1: 7,
    r2: 18,
    r3: 3,
    shr: true,
};
/// σ1 of FIPS 180-4.
pub const SMALL_SIGMA1: BitFn = BitFn::Sigma {
    r1: 17,
    r2: 19,
    r3: 10,
    shr: true,
};

/// Bits per chunk of a `Ch` / `Maj` op.
pub const CHUNK_BITS: usize = 8;

impl BitFn {
    /// Number of input bits of one op.
    pub const fn num_inputs(self) -> usize {
        match self {
            BitFn::Sigma { .. } => 32,
            BitFn::Ch | BitFn::Maj => 3 * CHUNK_BITS,
        }
    }

    /// The input indices `(x, y, z)` combined into output bit `i`; `None` is a zero input.
    fn operands(self, i: usize) -> (usize, usize, Option<usize>) {
        match self {
            BitFn::Sigma { r1, r2, r3, shr } => {
                let (r1, r2, r3) = (r1 as usize, r2 as usize, r3 as usize);
                let third = if shr {
                    (i + r3 < 32).then_some(i + r3)
                } else {
                    Some((i + r3) % 32)
                };
                ((i + r1) % 32, (i + r2) % 32, third)
            }
            BitFn::Ch | BitFn::Maj => (i, CHUNK_BITS + i, Some(2 * CHUNK_BITS + i)),
        }
    }

    /// Number of output bits packed into the output wire.
    const fn num_outputs(self) -> usize {
        match self {
            BitFn::Sigma { .. } => 32,
            BitFn::Ch | BitFn::Maj => CHUNK_BITS,
        }
    }

    /// The packed output for input values `ins` (field elements, bits when honest).
    pub fn eval<T: Field>(self, ins: &[T]) -> T {
        let xor = |a: T, b: T| a + b - (a * b).double();
        let mut acc = T::ZERO;
        for i in (0..self.num_outputs()).rev() {
            let (x, y, z) = self.operands(i);
            let (x, y) = (ins[x], ins[y]);
            let bit = match (self, z) {
                (BitFn::Sigma { .. }, Some(z)) => xor(xor(x, y), ins[z]),
                (BitFn::Sigma { .. }, None) => xor(x, y),
                (BitFn::Ch, Some(z)) => x * (y - ins[z]) + ins[z],
                (BitFn::Maj, Some(z)) => x * xor(y, ins[z]) + y * ins[z],
                _ => unreachable!("Ch and Maj always have three operands"),
            };
            acc = acc.double() + bit;
        }
        acc
    }

    /// [`Self::eval`] in a recursive circuit.
    fn eval_circuit<F: RichField + Extendable<D>, const D: usize>(
        self,
        b: &mut CircuitBuilder<F, D>,
        ins: &[ExtensionTarget<D>],
    ) -> ExtensionTarget<D> {
        let xor = |b: &mut CircuitBuilder<F, D>, x, y| {
            let t = b.arithmetic_extension(-F::TWO, F::ONE, x, y, x);
            b.add_extension(t, y)
        };
        let mut acc = b.zero_extension();
        for i in (0..self.num_outputs()).rev() {
            let (x, y, z) = self.operands(i);
            let (x, y) = (ins[x], ins[y]);
            let bit = match (self, z) {
                (BitFn::Sigma { .. }, Some(z)) => {
                    let t = xor(b, x, y);
                    xor(b, t, ins[z])
                }
                (BitFn::Sigma { .. }, None) => xor(b, x, y),
                (BitFn::Ch, Some(z)) => {
                    let d = b.sub_extension(y, ins[z]);
                    b.arithmetic_extension(F::ONE, F::ONE, x, d, ins[z])
                }
                (BitFn::Maj, Some(z)) => {
                    let v = xor(b, y, ins[z]);
                    let w = b.mul_extension(y, ins[z]);
                    b.mul_add_extension(x, v, w)
                }
                _ => unreachable!("Ch and Maj always have three operands"),
            };
            acc = b.mul_const_add_extension(F::TWO, acc, bit);
        }
        acc
    }

    fn tag(self) -> [u8; 5] {
        match self {
            BitFn::Sigma { r1, r2, r3, shr } => [0, r1, r2, r3, shr as u8],
            BitFn::Ch => [1, 0, 0, 0, 0],
            BitFn::Maj => [2, 0, 0, 0, 0],
        }
    }

    fn from_tag(t: [u8; 5]) -> IoResult<Self> {
        match t {
            [0, r1, r2, r3, s] if r1 < 32 && r2 < 32 && r3 < 32 && s < 2 => Ok(BitFn::Sigma {
                r1,
                r2,
                r3,
                shr: s == 1,
            }),
            [1, 0, 0, 0, 0] => Ok(BitFn::Ch),
            [2, 0, 0, 0, 0] => Ok(BitFn::Maj),
            _ => Err(IoError),
        }
    }
}

/// A gate holding as many ops of one [`BitFn`] as the routed wires allow.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ShaBitGate {
    /// The function every op of this gate computes.
    pub f: BitFn,
    /// Ops per row.
    pub num_ops: usize,
}

impl ShaBitGate {
    /// The gate for `f` filling the routed wires of `config`.
    pub fn new_from_config(f: BitFn, config: &CircuitConfig) -> Self {
        Self {
            f,
            num_ops: config.num_routed_wires / (f.num_inputs() + 1),
        }
    }

    /// Wires per op: the inputs, then the output.
    const fn wires_per_op(&self) -> usize {
        self.f.num_inputs() + 1
    }

    /// The wire of input `j` of op `op`.
    pub const fn wire_input(&self, op: usize, j: usize) -> usize {
        op * self.wires_per_op() + j
    }

    /// The output wire of op `op`.
    pub const fn wire_output(&self, op: usize) -> usize {
        op * self.wires_per_op() + self.f.num_inputs()
    }
}

impl<F: RichField + Extendable<D>, const D: usize> Gate<F, D> for ShaBitGate {
    fn id(&self) -> String {
        format!("{self:?}")
    }

    fn serialize(&self, dst: &mut Vec<u8>, _common: &CommonCircuitData<F, D>) -> IoResult<()> {
        dst.write_all(&self.f.tag())?;
        dst.write_usize(self.num_ops)
    }

    fn deserialize(src: &mut Buffer, _common: &CommonCircuitData<F, D>) -> IoResult<Self> {
        let mut tag = [0u8; 5];
        src.read_exact(&mut tag)?;
        let f = BitFn::from_tag(tag)?;
        let num_ops = src.read_usize()?;
        Ok(Self { f, num_ops })
    }

    fn eval_unfiltered(&self, vars: EvaluationVars<F, D>) -> Vec<F::Extension> {
        (0..self.num_ops)
            .map(|op| {
                let ins: Vec<F::Extension> = (0..self.f.num_inputs())
                    .map(|j| vars.local_wires[self.wire_input(op, j)])
                    .collect();
                vars.local_wires[self.wire_output(op)] - self.f.eval(&ins)
            })
            .collect()
    }

    fn eval_unfiltered_base_one(
        &self,
        vars: EvaluationVarsBase<F>,
        mut yield_constr: StridedConstraintConsumer<F>,
    ) {
        for op in 0..self.num_ops {
            let ins: Vec<F> = (0..self.f.num_inputs())
                .map(|j| vars.local_wires[self.wire_input(op, j)])
                .collect();
            yield_constr.one(vars.local_wires[self.wire_output(op)] - self.f.eval(&ins));
        }
    }

    fn eval_unfiltered_circuit(
        &self,
        builder: &mut CircuitBuilder<F, D>,
        vars: EvaluationTargets<D>,
    ) -> Vec<ExtensionTarget<D>> {
        (0..self.num_ops)
            .map(|op| {
                let ins: Vec<ExtensionTarget<D>> = (0..self.f.num_inputs())
                    .map(|j| vars.local_wires[self.wire_input(op, j)])
                    .collect();
                let computed = self.f.eval_circuit(builder, &ins);
                builder.sub_extension(vars.local_wires[self.wire_output(op)], computed)
            })
            .collect()
    }

    fn generators(&self, row: usize, _local_constants: &[F]) -> Vec<WitnessGeneratorRef<F, D>> {
        (0..self.num_ops)
            .map(|op| {
                WitnessGeneratorRef::new(
                    ShaBitGenerator {
                        gate: self.clone(),
                        row,
                        op,
                    }
                    .adapter(),
                )
            })
            .collect()
    }

    fn num_wires(&self) -> usize {
        self.num_ops * self.wires_per_op()
    }

    fn num_constants(&self) -> usize {
        0
    }

    fn degree(&self) -> usize {
        3
    }

    fn num_constraints(&self) -> usize {
        self.num_ops
    }
}

/// Witness generator of one op of a [`ShaBitGate`]: sets the output from the inputs.
#[derive(Clone, Debug)]
pub struct ShaBitGenerator {
    gate: ShaBitGate,
    row: usize,
    op: usize,
}

impl<F: RichField + Extendable<D>, const D: usize> SimpleGenerator<F, D> for ShaBitGenerator {
    fn id(&self) -> String {
        "zkroll::ShaBitGenerator".to_string()
    }

    fn dependencies(&self) -> Vec<Target> {
        (0..self.gate.f.num_inputs())
            .map(|j| Target::wire(self.row, self.gate.wire_input(self.op, j)))
            .collect()
    }

    fn run_once(
        &self,
        witness: &PartitionWitness<F>,
        out_buffer: &mut GeneratedValues<F>,
    ) -> Result<()> {
        let ins: Vec<F> = (0..self.gate.f.num_inputs())
            .map(|j| witness.get_target(Target::wire(self.row, self.gate.wire_input(self.op, j))))
            .collect();
        let out = Target::wire(self.row, self.gate.wire_output(self.op));
        out_buffer.set_target(out, self.gate.f.eval(&ins))
    }

    fn serialize(&self, dst: &mut Vec<u8>, _common: &CommonCircuitData<F, D>) -> IoResult<()> {
        dst.write_all(&self.gate.f.tag())?;
        dst.write_usize(self.gate.num_ops)?;
        dst.write_usize(self.row)?;
        dst.write_usize(self.op)
    }

    fn deserialize(src: &mut Buffer, _common: &CommonCircuitData<F, D>) -> IoResult<Self> {
        let mut tag = [0u8; 5];
        src.read_exact(&mut tag)?;
        let f = BitFn::from_tag(tag)?;
        Ok(Self {
            gate: ShaBitGate {
                f,
                num_ops: src.read_usize()?,
            },
            row: src.read_usize()?,
            op: src.read_usize()?,
        })
    }
}

/// Adds one op of `f` on the boolean targets `ins` (copy-constrained into the gate) and
/// returns its packed output.
pub(crate) fn add_bit_op<F: RichField + Extendable<D>, const D: usize>(
    builder: &mut CircuitBuilder<F, D>,
    f: BitFn,
    ins: &[Target],
) -> Target {
    assert_eq!(ins.len(), f.num_inputs());
    let gate = ShaBitGate::new_from_config(f, &builder.config);
    let (row, op) = builder.find_slot(gate.clone(), &[], &[]);
    for (j, &t) in ins.iter().enumerate() {
        builder.connect(t, Target::wire(row, gate.wire_input(op, j)));
    }
    Target::wire(row, gate.wire_output(op))
}

#[cfg(test)]
mod tests {
    use plonky2::field::goldilocks_field::GoldilocksField;
    use plonky2::field::types::{Field, PrimeField64};
    use plonky2::plonk::circuit_data::CircuitConfig;

    use super::*;

    #[test]
    fn eval_matches_native_bit_functions() {
        type G = GoldilocksField;
        let bits = |v: u64, n: usize| (0..n).map(move |i| G::from_canonical_u64((v >> i) & 1));
        for w in [0u32, 1, 0xdead_beef, u32::MAX, 0x8000_0001] {
            let ins: Vec<G> = bits(w as u64, 32).collect();
            let sig = |f: BitFn| f.eval(&ins).to_canonical_u64() as u32;
            assert_eq!(
                sig(BIG_SIGMA0),
                w.rotate_right(2) ^ w.rotate_right(13) ^ w.rotate_right(22)
            );
            assert_eq!(
                sig(BIG_SIGMA1),
                w.rotate_right(6) ^ w.rotate_right(11) ^ w.rotate_right(25)
            );
            assert_eq!(
                sig(SMALL_SIGMA0),
                w.rotate_right(7) ^ w.rotate_right(18) ^ (w >> 3)
            );
            assert_eq!(
                sig(SMALL_SIGMA1),
                w.rotate_right(17) ^ w.rotate_right(19) ^ (w >> 10)
            );
        }
        for (x, y, z) in [(0u8, 0u8, 0u8), (0xff, 0x0f, 0xf0), (0xa5, 0x3c, 0x66)] {
            let ins: Vec<G> = bits(x as u64, 8)
                .chain(bits(y as u64, 8))
                .chain(bits(z as u64, 8))
                .collect();
            assert_eq!(
                BitFn::Ch.eval(&ins).to_canonical_u64() as u8,
                (x & y) ^ (!x & z)
            );
            assert_eq!(
                BitFn::Maj.eval(&ins).to_canonical_u64() as u8,
                (x & y) ^ (x & z) ^ (y & z)
            );
        }
    }

    #[test]
    fn gate_low_degree_and_recursive_eval() {
        use plonky2::gates::gate_testing::{test_eval_fns, test_low_degree};
        let config = CircuitConfig::standard_recursion_config();
        for f in [BIG_SIGMA0, SMALL_SIGMA1, BitFn::Ch, BitFn::Maj] {
            let gate = ShaBitGate::new_from_config(f, &config);
            test_low_degree::<GoldilocksField, _, 2>(gate.clone());
            test_eval_fns::<GoldilocksField, crate::C, _, 2>(gate).unwrap();
        }
    }
}

#[cfg(test)]
mod circuit_tests {
    use plonky2::field::types::Field;
    use plonky2::iop::witness::{PartialWitness, WitnessWrite};

    use super::*;
    use crate::gadgets::test_util::{builder, proves, tamper_rejected};
    use crate::{C, F};

    /// Σ1 and Ch ops in a proof: accepted with the native values, rejected with a wrong
    /// claimed output or a tampered op output.
    #[test]
    fn ops_prove_and_reject_tampering() {
        let mut b = builder();
        let (x, y, z) = (
            b.add_virtual_target(),
            b.add_virtual_target(),
            b.add_virtual_target(),
        );
        let bx = b.split_le(x, 32);
        let by = b.split_le(y, 8);
        let bz = b.split_le(z, 8);
        let sig_in: Vec<Target> = bx.iter().map(|t| t.target).collect();
        let sig = add_bit_op(&mut b, BIG_SIGMA1, &sig_in);
        let ch_in: Vec<Target> = bx[..8]
            .iter()
            .chain(&by)
            .chain(&bz)
            .map(|t| t.target)
            .collect();
        let ch = add_bit_op(&mut b, BitFn::Ch, &ch_in);
        let (es, ec) = (b.add_virtual_target(), b.add_virtual_target());
        b.connect(sig, es);
        b.connect(ch, ec);
        let data = b.build::<C>();
        let (xv, yv, zv) = (0x1234_5678u32, 0x9au32, 0xbcu32);
        let sig_v = xv.rotate_right(6) ^ xv.rotate_right(11) ^ xv.rotate_right(25);
        let ch_v = ((xv & yv) ^ (!xv & zv)) & 0xff;
        let w = |s: u32, c: u32| {
            let mut pw = PartialWitness::new();
            for (t, v) in [(x, xv), (y, yv), (z, zv), (es, s), (ec, c)] {
                pw.set_target(t, F::from_canonical_u32(v)).unwrap();
            }
            pw
        };
        assert!(proves(&data, w(sig_v, ch_v)));
        assert!(!proves(&data, w(sig_v ^ 4, ch_v)));
        assert!(!proves(&data, w(sig_v, ch_v ^ 1)));
        assert!(tamper_rejected(
            &data,
            w(sig_v, ch_v),
            sig,
            F::from_canonical_u32(sig_v ^ 1)
        ));
    }
}
