//! A custom plonky2 gate for the Schnorr ladder, with its witness generator (the native twin
//! of its constraints).
//!
//! One row of an [`EcLadderGate`] performs [`STEPS`] steps of the bit-by-bit joint ladder
//!
//! `acc ← 2·acc + T_Q[eₖ] + T_G[sₖ, s'ₖ]`
//!
//! on affine short-Weierstrass points `(X, Y)` (`GF(p^5)` coordinates, five Goldilocks wires
//! each), where
//! - `T_Q[0] = q0` is a constant of the gate and `T_Q[1] = qh` is a point read from routed
//!   wires (the Schnorr gadget routes `Q + H` into every row),
//! - `T_G[s, s'] = g[s + 2·s']` are four constants of the gate, selected by the multilinear
//!   interpolation `g₀₀ + s·(g₁₀ − g₀₀) + s'·(g₀₁ − g₀₀) + s·s'·(g₁₁ − g₁₀ − g₀₁ + g₀₀)`,
//! - `eₖ, sₖ, s'ₖ` are routed bit wires, each constrained boolean (`b² = b`), and the row
//!   also accumulates them into three scalars (`out = 2^STEPS·in + bits`, [`scalar_in`]), so
//!   that a chain of rows rebuilds the limbs of `e` and `s` without a separate bit split.
//!
//! Each step is a doubling (`λ·2Y = 3X² + A`, `X' = λ² − 2X`, `Y' = λ(X − X') − Y`) followed by
//! two chord additions (`λ·(X₂ − X₁) = Y₂ − Y₁`, `X₃ = λ² − X₁ − X₂`, `Y₃ = λ(X₁ − X₃) − Y₁`)
//! whose slopes, intermediate points and the inverse of the constant coefficient of
//! `X₂ − X₁` are witnessed in the row. Invariant, given an input point `acc` of the odd-order
//! subgroup and a subgroup point `qh`: every satisfying assignment has
//! `acc_out = 2^STEPS·acc + Σ …` exactly as the group law says, because
//! - a doubling's slope is determined (`Y ≠ 0` for every affine point of an odd-order group),
//! - an addition's slope is determined because `X₁ ≠ X₂` is enforced (the inverse of
//!   `(X₂ − X₁)₀` is witnessed), which also excludes `P = ±Q`, so the chord formula is the
//!   group law. An honest sum whose `(X₂ − X₁)₀` happens to be zero (probability ≈ 2^-64 per
//!   addition) only makes proving fail.
//!
//! The gate has degree 3 and `50·STEPS + 3` constraints (fewer than plonky2's `PoseidonGate`), no
//! per-row constants (the points are parameters of the gate type), and [`NUM_WIRES`] wires of
//! which the first [`NUM_ROUTED`] are routed: `acc_in`, `qh`, `acc_out`, the bits and the
//! scalar accumulators.

use std::marker::PhantomData;

use anyhow::Result;
use plonky2::field::extension::{Extendable, FieldExtension};
use plonky2::field::types::Field;
use plonky2::gates::gate::Gate;
use plonky2::gates::util::StridedConstraintConsumer;
use plonky2::iop::ext_target::ExtensionTarget;
use plonky2::iop::generator::{GeneratedValues, SimpleGenerator, WitnessGeneratorRef};
use plonky2::iop::target::Target;
use plonky2::iop::witness::{PartitionWitness, Witness, WitnessWrite};
use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::circuit_data::CommonCircuitData;
use plonky2::plonk::vars::{EvaluationTargets, EvaluationVars, EvaluationVarsBase};
use plonky2::util::serialization::{Buffer, IoResult, Read, Write};

use crate::ecgfp5::field::{coeffs, fp5, from_base};
use crate::ecgfp5::{Fp5, Point};
use crate::{D, F};

type Ext = <F as Extendable<D>>::Extension;

/// Ladder steps (bits of each scalar) per row.
pub const STEPS: usize = 2;
/// Wires `X₀..X₄, Y₀..Y₄` of the input accumulator.
pub const ACC_IN: usize = 0;
/// Wires of the routed table point `T_Q[1]`.
pub const QH: usize = 10;
/// Wires of the output accumulator.
pub const ACC_OUT: usize = 20;
/// First bit wire; step `k` uses `BITS + 3k` (`eₖ`), `+1` (`sₖ`), `+2` (`s'ₖ`).
pub const BITS: usize = 30;
/// Scalar accumulators in: `e`, `s`, `s'` (see [`scalar_in`]).
pub const SC_IN: usize = BITS + 3 * STEPS;
/// Scalar accumulators out.
pub const SC_OUT: usize = SC_IN + 3;
/// Routed wires of the gate.
pub const NUM_ROUTED: usize = SC_OUT + 3;
/// Wires of one step: doubling `λ, X, Y` (15), Q-addition `λ, inverse, X, Y` (16),
/// G-addition `λ, inverse, X, Y` (16; the last step's `X, Y` are `ACC_OUT`).
const STEP_WIRES: usize = 47;
/// Wires of the gate.
pub const NUM_WIRES: usize = NUM_ROUTED + STEPS * STEP_WIRES - 10;

/// Wire of bit `j` (0: `e`, 1: `s`, 2: `s'`) of step `k` (step 0 is the more significant bit).
pub const fn bit_wire(k: usize, j: usize) -> usize {
    BITS + 3 * k + j
}

/// Wire of the input accumulator of scalar `j` (0: `e`, 1: `s`, 2: `s'`): the row enforces
/// `out_j = 2^STEPS·in_j + Σₖ 2^(STEPS−1−k)·bit(k, j)`, so a chain of rows rebuilds the
/// scalar's bits (most significant first) into an integer.
pub const fn scalar_in(j: usize) -> usize {
    SC_IN + j
}

/// Wire of the output accumulator of scalar `j`.
pub const fn scalar_out(j: usize) -> usize {
    SC_OUT + j
}

/// Start wires of the witnessed values of one step (5-wire blocks, except the inverses).
struct StepWires {
    ld: usize,
    xd: usize,
    yd: usize,
    lq: usize,
    iq: usize,
    xq: usize,
    yq: usize,
    lg: usize,
    ig: usize,
    xg: usize,
    yg: usize,
}

fn step_wires(k: usize) -> StepWires {
    let base = NUM_ROUTED + k * STEP_WIRES;
    let last = k + 1 == STEPS;
    StepWires {
        ld: base,
        xd: base + 5,
        yd: base + 10,
        lq: base + 15,
        iq: base + 20,
        xq: base + 21,
        yq: base + 26,
        lg: base + 31,
        ig: base + 36,
        xg: if last { ACC_OUT } else { base + 37 },
        yg: if last { ACC_OUT + 5 } else { base + 42 },
    }
}

/// A ladder gate: [`STEPS`] steps per row with the constant points `q0` (`T_Q[0]`) and `g`
/// (`T_G`), each as `X₀..X₄, Y₀..Y₄`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EcLadderGate {
    /// `T_Q[0]`.
    pub q0: [F; 10],
    /// `T_G[s + 2s']`.
    pub g: [[F; 10]; 4],
}

/// `(X, Y)` coefficients of a non-neutral point. Panics on the neutral element (a programming
/// error: the gate's constant points are never neutral).
pub fn point_coeffs(p: &Point) -> [F; 10] {
    let (x, y) = p.weierstrass_xy().expect("non-neutral constant point");
    let (x, y) = (coeffs(&x), coeffs(&y));
    std::array::from_fn(|i| if i < 5 { x[i] } else { y[i - 5] })
}

/// The minimal arithmetic the constraints need, over native field values or recursive
/// extension targets, so that one description serves all three evaluations.
trait Alg {
    type V: Copy;
    fn konst(&mut self, c: F) -> Self::V;
    /// `k·a·b + c`.
    fn arith(&mut self, k: F, a: Self::V, b: Self::V, c: Self::V) -> Self::V;
    /// `k·a + c`.
    fn lin(&mut self, k: F, a: Self::V, c: Self::V) -> Self::V;
}

/// Native evaluation over `F` or its extension.
struct Native<T>(PhantomData<T>);

impl<T: FieldExtension<DD, BaseField = F>, const DD: usize> Alg for (Native<T>, [(); DD]) {
    type V = T;
    fn konst(&mut self, c: F) -> T {
        T::from_basefield(c)
    }
    fn arith(&mut self, k: F, a: T, b: T, c: T) -> T {
        a.scalar_mul(k) * b + c
    }
    fn lin(&mut self, k: F, a: T, c: T) -> T {
        a.scalar_mul(k) + c
    }
}

/// Recursive evaluation.
struct Rec<'a>(&'a mut CircuitBuilder<F, D>);

impl Alg for Rec<'_> {
    type V = ExtensionTarget<D>;
    fn konst(&mut self, c: F) -> Self::V {
        self.0
            .constant_extension(<Ext as FieldExtension<D>>::from_basefield(c))
    }
    fn arith(&mut self, k: F, a: Self::V, b: Self::V, c: Self::V) -> Self::V {
        self.0.arithmetic_extension(k, F::ONE, a, b, c)
    }
    fn lin(&mut self, k: F, a: Self::V, c: Self::V) -> Self::V {
        let one = self.0.one_extension();
        self.0.arithmetic_extension(k, F::ONE, a, one, c)
    }
}

type E5<V> = [V; 5];

fn f_lin<A: Alg>(al: &mut A, k: F, a: E5<A::V>, c: E5<A::V>) -> E5<A::V> {
    std::array::from_fn(|i| al.lin(k, a[i], c[i]))
}

/// `k·a·b + c` in `GF(p)[z]/(z⁵ − 3)`.
fn f_mul_add<A: Alg>(al: &mut A, k: F, a: E5<A::V>, b: E5<A::V>, c: E5<A::V>) -> E5<A::V> {
    let k3 = k * F::from_canonical_u64(3);
    std::array::from_fn(|o| {
        let mut acc = c[o];
        for (i, &ai) in a.iter().enumerate() {
            let j = (o + 5 - i) % 5;
            acc = al.arith(if i + j >= 5 { k3 } else { k }, ai, b[j], acc);
        }
        acc
    })
}

impl EcLadderGate {
    /// The gate with constant points `q0 = T_Q[0]` and `g = T_G`.
    pub fn new(q0: &Point, g: &[Point; 4]) -> Self {
        Self {
            q0: point_coeffs(q0),
            g: g.each_ref().map(point_coeffs),
        }
    }

    /// The constraints on a row's wires `w`, pushed in order.
    fn constraints<A: Alg>(&self, al: &mut A, w: &[A::V], out: &mut Vec<A::V>) {
        let e5 = |start: usize| -> E5<A::V> { std::array::from_fn(|i| w[start + i]) };
        let curve_a = coeffs(&Point::weierstrass_ab().0);
        let neg_a: E5<A::V> = std::array::from_fn(|i| al.konst(-curve_a[i]));
        let zero = al.konst(F::ZERO);
        let neg_one = al.konst(F::NEG_ONE);
        let bool_check = |al: &mut A, b: A::V, out: &mut Vec<A::V>| {
            let nb = al.lin(F::NEG_ONE, b, zero);
            out.push(al.arith(F::ONE, b, b, nb));
        };
        // G-table interpolation coefficients.
        let g = &self.g;
        let gc: [[F; 10]; 4] = [
            g[0],
            std::array::from_fn(|i| g[1][i] - g[0][i]),
            std::array::from_fn(|i| g[2][i] - g[0][i]),
            std::array::from_fn(|i| g[3][i] - g[2][i] - g[1][i] + g[0][i]),
        ];
        let (mut x, mut y) = (e5(ACC_IN), e5(ACC_IN + 5));
        for k in 0..STEPS {
            let sw = step_wires(k);
            // Doubling.
            let (ld, xd, yd) = (e5(sw.ld), e5(sw.xd), e5(sw.yd));
            let rhs = f_mul_add(al, F::NEG_ONE * F::from_canonical_u64(3), x, x, neg_a);
            out.extend(f_mul_add(al, F::TWO, ld, y, rhs));
            let c = f_lin(al, F::TWO, x, xd);
            out.extend(f_mul_add(al, F::NEG_ONE, ld, ld, c));
            let dx = f_lin(al, F::NEG_ONE, xd, x);
            let c = f_lin(al, F::ONE, y, yd);
            out.extend(f_mul_add(al, F::NEG_ONE, ld, dx, c));
            // Q-addition: addend q0 + e·(qh − q0).
            let e = w[bit_wire(k, 0)];
            bool_check(al, e, out);
            let qh = e5(QH);
            let qh_y = e5(QH + 5);
            let q: [A::V; 10] = std::array::from_fn(|i| {
                let t = if i < 5 { qh[i] } else { qh_y[i - 5] };
                let c0 = al.konst(self.q0[i]);
                let base = al.lin(-self.q0[i], e, c0);
                al.arith(F::ONE, e, t, base)
            });
            let (xq, yq) = (e5(sw.xq), e5(sw.yq));
            self.add_constraints(
                al,
                (xd, yd),
                &q,
                e5(sw.lq),
                w[sw.iq],
                (xq, yq),
                neg_one,
                out,
            );
            // G-addition: addend interpolated from the constant table.
            let (s, s2) = (w[bit_wire(k, 1)], w[bit_wire(k, 2)]);
            bool_check(al, s, out);
            bool_check(al, s2, out);
            let gp: [A::V; 10] = std::array::from_fn(|i| {
                let c0 = al.konst(gc[0][i]);
                let t = al.lin(gc[1][i], s, c0);
                let t = al.lin(gc[2][i], s2, t);
                al.arith(gc[3][i], s, s2, t)
            });
            let (xg, yg) = (e5(sw.xg), e5(sw.yg));
            self.add_constraints(
                al,
                (xq, yq),
                &gp,
                e5(sw.lg),
                w[sw.ig],
                (xg, yg),
                neg_one,
                out,
            );
            (x, y) = (xg, yg);
        }
        // Scalar accumulators.
        for j in 0..3 {
            let mut acc = al.lin(F::NEG_ONE, w[scalar_out(j)], zero);
            acc = al.lin(F::from_canonical_u64(1 << STEPS), w[scalar_in(j)], acc);
            for k in 0..STEPS {
                let weight = F::from_canonical_u64(1 << (STEPS - 1 - k));
                acc = al.lin(weight, w[bit_wire(k, j)], acc);
            }
            out.push(acc);
        }
    }

    /// Constraints of `(x1, y1) + p2 = (x3, y3)` with slope `l` and `inv·(X₂ − X₁)₀ = 1`.
    #[allow(clippy::too_many_arguments)]
    fn add_constraints<A: Alg>(
        &self,
        al: &mut A,
        (x1, y1): (E5<A::V>, E5<A::V>),
        p2: &[A::V; 10],
        l: E5<A::V>,
        inv: A::V,
        (x3, y3): (E5<A::V>, E5<A::V>),
        neg_one: A::V,
        out: &mut Vec<A::V>,
    ) {
        let x2: E5<A::V> = std::array::from_fn(|i| p2[i]);
        let y2: E5<A::V> = std::array::from_fn(|i| p2[5 + i]);
        let dx = f_lin(al, F::NEG_ONE, x1, x2);
        let dy = f_lin(al, F::NEG_ONE, y2, y1);
        out.extend(f_mul_add(al, F::ONE, l, dx, dy));
        let s = f_lin(al, F::ONE, x1, x2);
        let c = f_lin(al, F::ONE, x3, s);
        out.extend(f_mul_add(al, F::NEG_ONE, l, l, c));
        let d = f_lin(al, F::NEG_ONE, x3, x1);
        let c = f_lin(al, F::ONE, y3, y1);
        out.extend(f_mul_add(al, F::NEG_ONE, l, d, c));
        out.push(al.arith(F::ONE, inv, dx[0], neg_one));
    }
}

fn write_points(dst: &mut Vec<u8>, g: &EcLadderGate) -> IoResult<()> {
    dst.write_field_vec(&g.q0)?;
    for p in &g.g {
        dst.write_field_vec(p)?;
    }
    Ok(())
}

fn read_points(src: &mut Buffer) -> IoResult<EcLadderGate> {
    let mut read10 = || -> IoResult<[F; 10]> {
        src.read_field_vec(10)?
            .try_into()
            .map_err(|_| plonky2::util::serialization::IoError)
    };
    let q0 = read10()?;
    let g = [read10()?, read10()?, read10()?, read10()?];
    Ok(EcLadderGate { q0, g })
}

impl Gate<F, D> for EcLadderGate {
    fn id(&self) -> String {
        format!("{self:?}")
    }

    fn serialize(&self, dst: &mut Vec<u8>, _common: &CommonCircuitData<F, D>) -> IoResult<()> {
        write_points(dst, self)
    }

    fn deserialize(src: &mut Buffer, _common: &CommonCircuitData<F, D>) -> IoResult<Self> {
        read_points(src)
    }

    fn eval_unfiltered(&self, vars: EvaluationVars<F, D>) -> Vec<Ext> {
        let mut out = Vec::with_capacity(self.num_constraints());
        let mut al = (Native::<Ext>(PhantomData), [(); D]);
        self.constraints(&mut al, vars.local_wires, &mut out);
        out
    }

    fn eval_unfiltered_base_one(
        &self,
        vars: EvaluationVarsBase<F>,
        mut yield_constr: StridedConstraintConsumer<F>,
    ) {
        let wires: Vec<F> = (0..NUM_WIRES).map(|i| vars.local_wires[i]).collect();
        let mut out = Vec::with_capacity(self.num_constraints());
        let mut al = (Native::<F>(PhantomData), [(); 1]);
        self.constraints(&mut al, &wires, &mut out);
        yield_constr.many(out);
    }

    fn eval_unfiltered_circuit(
        &self,
        builder: &mut CircuitBuilder<F, D>,
        vars: EvaluationTargets<D>,
    ) -> Vec<ExtensionTarget<D>> {
        let mut out = Vec::with_capacity(self.num_constraints());
        self.constraints(&mut Rec(builder), vars.local_wires, &mut out);
        out
    }

    fn generators(&self, row: usize, _local_constants: &[F]) -> Vec<WitnessGeneratorRef<F, D>> {
        vec![WitnessGeneratorRef::new(
            EcLadderGenerator {
                row,
                gate: self.clone(),
            }
            .adapter(),
        )]
    }

    fn num_wires(&self) -> usize {
        NUM_WIRES
    }

    fn num_constants(&self) -> usize {
        0
    }

    fn degree(&self) -> usize {
        3
    }

    fn num_constraints(&self) -> usize {
        50 * STEPS + 3
    }
}

/// One native ladder step's witnessed values.
struct NativeAdd {
    l: Fp5,
    inv: F,
    x: Fp5,
    y: Fp5,
}

/// `q = a / b`, or zero when `b = 0` (the constraints then fail).
fn div_or_zero(a: Fp5, b: Fp5) -> Fp5 {
    b.try_inverse().map_or(Fp5::ZERO, |i| a * i)
}

fn native_add((x1, y1): (Fp5, Fp5), (x2, y2): (Fp5, Fp5)) -> NativeAdd {
    let l = div_or_zero(y2 - y1, x2 - x1);
    let x = l * l - x1 - x2;
    let y = l * (x1 - x) - y1;
    let inv = (coeffs(&x2)[0] - coeffs(&x1)[0])
        .try_inverse()
        .unwrap_or(F::ZERO);
    NativeAdd { l, inv, x, y }
}

fn split(p: &[F; 10]) -> (Fp5, Fp5) {
    (
        fp5(std::array::from_fn(|i| p[i])),
        fp5(std::array::from_fn(|i| p[5 + i])),
    )
}

/// The input wires of a row: `acc_in`, `qh`, the bits and the scalar accumulators in.
fn input_wires() -> impl Iterator<Item = usize> {
    (ACC_IN..ACC_IN + 20).chain(BITS..SC_OUT)
}

impl EcLadderGate {
    /// The native twin of a row: fills every wire of `w` (length [`NUM_WIRES`]) that is not an
    /// input (`acc_in`, `qh`, bits) with the native group law's values (slopes, inverses,
    /// points, `acc_out`). Exceptional inputs (`Y = 0`, `X₁ = X₂`) get zero slopes and
    /// inverses, which the constraints then reject.
    pub fn witness_row(&self, w: &mut [F]) {
        let get5 = |w: &[F], at: usize| fp5(std::array::from_fn(|i| w[at + i]));
        let set5 = |w: &mut [F], at: usize, v: Fp5| w[at..at + 5].copy_from_slice(&coeffs(&v));
        let curve_a = Point::weierstrass_ab().0;
        let three = Fp5::from_canonical_u64(3);
        let (q0x, q0y) = split(&self.q0);
        let (qhx, qhy) = (get5(w, QH), get5(w, QH + 5));
        let gp = self.g.each_ref().map(split);
        let (mut x, mut y) = (get5(w, ACC_IN), get5(w, ACC_IN + 5));
        for k in 0..STEPS {
            let sw = step_wires(k);
            let ld = div_or_zero(three * x * x + curve_a, y + y);
            let xd = ld * ld - x - x;
            let yd = ld * (x - xd) - y;
            set5(w, sw.ld, ld);
            set5(w, sw.xd, xd);
            set5(w, sw.yd, yd);
            let e = from_base(w[bit_wire(k, 0)]);
            let q = native_add((xd, yd), (q0x + e * (qhx - q0x), q0y + e * (qhy - q0y)));
            set5(w, sw.lq, q.l);
            w[sw.iq] = q.inv;
            set5(w, sw.xq, q.x);
            set5(w, sw.yq, q.y);
            // Multilinear interpolation (the table entry for boolean s, s').
            let (s, s2) = (from_base(w[bit_wire(k, 1)]), from_base(w[bit_wire(k, 2)]));
            let interp = |c: [Fp5; 4]| {
                c[0] + s * (c[1] - c[0]) + s2 * (c[2] - c[0]) + s * s2 * (c[3] - c[2] - c[1] + c[0])
            };
            let ga = (interp(gp.map(|p| p.0)), interp(gp.map(|p| p.1)));
            let g = native_add((q.x, q.y), ga);
            set5(w, sw.lg, g.l);
            w[sw.ig] = g.inv;
            set5(w, sw.xg, g.x);
            set5(w, sw.yg, g.y);
            (x, y) = (g.x, g.y);
        }
        for j in 0..3 {
            w[scalar_out(j)] =
                (0..STEPS).fold(w[scalar_in(j)], |acc, k| acc + acc + w[bit_wire(k, j)]);
        }
    }
}

/// Witness generator of one [`EcLadderGate`] row: from `acc_in`, `qh` and the bits, the
/// slopes, inverses and points of every step and `acc_out` (native group law).
#[derive(Clone, Debug)]
pub struct EcLadderGenerator {
    row: usize,
    gate: EcLadderGate,
}

impl SimpleGenerator<F, D> for EcLadderGenerator {
    fn id(&self) -> String {
        "zkroll::EcLadderGenerator".to_string()
    }

    fn dependencies(&self) -> Vec<Target> {
        input_wires().map(|w| Target::wire(self.row, w)).collect()
    }

    fn run_once(
        &self,
        witness: &PartitionWitness<F>,
        out_buffer: &mut GeneratedValues<F>,
    ) -> Result<()> {
        let mut w = vec![F::ZERO; NUM_WIRES];
        for i in input_wires() {
            w[i] = witness.get_target(Target::wire(self.row, i));
        }
        self.gate.witness_row(&mut w);
        for i in (0..NUM_WIRES).filter(|i| !input_wires().any(|j| j == *i)) {
            out_buffer.set_target(Target::wire(self.row, i), w[i])?;
        }
        Ok(())
    }

    fn serialize(&self, dst: &mut Vec<u8>, _common: &CommonCircuitData<F, D>) -> IoResult<()> {
        dst.write_usize(self.row)?;
        write_points(dst, &self.gate)
    }

    fn deserialize(src: &mut Buffer, _common: &CommonCircuitData<F, D>) -> IoResult<Self> {
        Ok(Self {
            row: src.read_usize()?,
            gate: read_points(src)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use plonky2::gates::gate_testing::{test_eval_fns, test_low_degree};
    use plonky2::iop::witness::PartialWitness;

    use super::*;
    use crate::ecgfp5::Scalar;
    use crate::gadgets::test_util::{builder, proves, tamper_rejected};
    use crate::C;

    fn pt(k: u64) -> Point {
        Point::generator().mul(&Scalar::from_biguint(&k.into()))
    }

    fn gate() -> EcLadderGate {
        EcLadderGate::new(&pt(5), &[pt(7), pt(11), pt(13), pt(17)])
    }

    /// A row's wires from `acc_in = a·G`, `qh = q·G` and bits `[e, s, s']` per step.
    fn row(gate: &EcLadderGate, a: u64, q: u64, bits: [[u64; 3]; STEPS]) -> Vec<F> {
        let mut w = vec![F::ZERO; NUM_WIRES];
        w[ACC_IN..ACC_IN + 10].copy_from_slice(&point_coeffs(&pt(a)));
        w[QH..QH + 10].copy_from_slice(&point_coeffs(&pt(q)));
        for (k, b) in bits.iter().enumerate() {
            for (j, &v) in b.iter().enumerate() {
                w[bit_wire(k, j)] = F::from_canonical_u64(v);
            }
        }
        for j in 0..3 {
            w[scalar_in(j)] = F::from_canonical_u64(5 + j as u64);
        }
        gate.witness_row(&mut w);
        w
    }

    fn residues(gate: &EcLadderGate, w: &[F]) -> Vec<F> {
        let mut out = Vec::new();
        let mut al = (Native::<F>(PhantomData), [(); 1]);
        gate.constraints(&mut al, w, &mut out);
        assert_eq!(out.len(), Gate::<F, D>::num_constraints(gate));
        out
    }

    #[test]
    fn gate_low_degree_and_recursive_eval() {
        let config = plonky2::plonk::circuit_data::CircuitConfig::standard_recursion_config();
        assert!(NUM_WIRES <= config.num_wires && NUM_ROUTED <= config.num_routed_wires);
        test_low_degree::<F, _, D>(gate());
        test_eval_fns::<F, C, _, D>(gate()).unwrap();
    }

    /// Every bit combination: `acc_out` is the group law's `2(2a + T_Q + T_G) + T_Q + T_G`
    /// (in multiples of G: `T_Q[0] = 5`, `T_Q[1] = q`, `T_G = 7, 11, 13, 17`) and every
    /// constraint vanishes.
    #[test]
    fn row_matches_native_group_law() {
        let g = gate();
        let (a, q) = (1000u64, 31u64);
        for combo in 0..64u64 {
            let bits: [[u64; 3]; STEPS] =
                std::array::from_fn(|k| std::array::from_fn(|j| (combo >> (3 * k + j)) & 1));
            let w = row(&g, a, q, bits);
            assert!(
                residues(&g, &w).iter().all(|r| *r == F::ZERO),
                "combo {combo}"
            );
            let expected = bits.iter().fold(a, |acc, [e, s, s2]| {
                2 * acc + [5, q][*e as usize] + [7, 11, 13, 17][(s + 2 * s2) as usize]
            });
            assert_eq!(w[ACC_OUT..ACC_OUT + 10], point_coeffs(&pt(expected)));
            for j in 0..3 {
                let sc = bits.iter().fold(5 + j as u64, |acc, b| 2 * acc + b[j]);
                assert_eq!(w[scalar_out(j)], F::from_canonical_u64(sc));
            }
        }
        // A wrong scalar accumulator violates exactly its constraint.
        let mut w = row(&g, a, q, [[1, 0, 1], [0, 1, 1]]);
        w[scalar_out(1)] += F::ONE;
        assert_eq!(
            residues(&g, &w).iter().filter(|r| **r != F::ZERO).count(),
            1
        );
    }

    /// A bit `2` (consistent otherwise) violates exactly the booleanity constraints.
    #[test]
    fn non_boolean_bit_rejected() {
        let g = gate();
        for j in 0..3 {
            let mut bits = [[0, 1, 0], [1, 1, 1]];
            bits[1][j] = 2;
            let w = row(&g, 1000, 31, bits);
            assert_eq!(
                residues(&g, &w).iter().filter(|r| **r != F::ZERO).count(),
                1
            );
        }
    }

    /// `X₁ = X₂` (here `2·acc = qh`, so `P + P` by the chord formula) cannot be satisfied,
    /// whatever the prover puts into the inverse wire.
    #[test]
    fn equal_x_rejected() {
        let g = gate();
        let mut w = row(&g, 1000, 2000, [[1, 0, 0], [0, 0, 0]]);
        for inv in [F::ZERO, F::ONE, F::from_canonical_u64(12345)] {
            w[step_wires(0).iq] = inv;
            assert!(residues(&g, &w).iter().any(|r| *r != F::ZERO));
        }
        // Same with P + (−P): qh = −2·acc.
        let mut w = row(&g, 1000, 1, [[1, 0, 0], [0, 0, 0]]);
        w[QH..QH + 10].copy_from_slice(&point_coeffs(&pt(2000).neg()));
        g.witness_row(&mut w);
        assert!(residues(&g, &w).iter().any(|r| *r != F::ZERO));
    }

    /// Two chained rows in a circuit prove with honest witnesses; a tampered output or
    /// intermediate wire is rejected.
    #[test]
    fn rows_prove_and_reject_tampering() {
        let mut b = builder();
        let g = gate();
        let acc: [Target; 10] = b.add_virtual_target_arr();
        let qh: [Target; 10] = b.add_virtual_target_arr();
        let bits: Vec<Target> = (0..2 * 3 * STEPS).map(|_| b.add_virtual_target()).collect();
        let mut sc: [Target; 3] = b.add_virtual_target_arr();
        let mut cur = acc;
        let mut rows = Vec::new();
        for r in 0..2 {
            let row = b.add_gate(g.clone(), vec![]);
            for i in 0..10 {
                b.connect(cur[i], Target::wire(row, ACC_IN + i));
                b.connect(qh[i], Target::wire(row, QH + i));
            }
            for k in 0..STEPS {
                for j in 0..3 {
                    b.connect(
                        bits[(r * STEPS + k) * 3 + j],
                        Target::wire(row, bit_wire(k, j)),
                    );
                }
            }
            for (j, t) in sc.iter_mut().enumerate() {
                b.connect(*t, Target::wire(row, scalar_in(j)));
                *t = Target::wire(row, scalar_out(j));
            }
            cur = std::array::from_fn(|i| Target::wire(row, ACC_OUT + i));
            rows.push(row);
        }
        let out: [Target; 10] = b.add_virtual_target_arr();
        for i in 0..10 {
            b.connect(cur[i], out[i]);
        }
        let data = b.build::<C>();
        let bit_values = [1u64, 0, 1, 0, 1, 1, 1, 1, 0, 0, 0, 1];
        let expected = bit_values.chunks(3).fold(3u64, |acc, c| {
            2 * acc + [5, 21][c[0] as usize] + [7, 11, 13, 17][(c[1] + 2 * c[2]) as usize]
        });
        let sc_in: [Target; 3] = std::array::from_fn(|j| Target::wire(rows[0], scalar_in(j)));
        let witness = |claimed: u64| {
            let mut pw = PartialWitness::new();
            pw.set_target_arr(&sc_in, &[F::ZERO; 3]).unwrap();
            pw.set_target_arr(&acc, &point_coeffs(&pt(3))).unwrap();
            pw.set_target_arr(&qh, &point_coeffs(&pt(21))).unwrap();
            for (t, v) in bits.iter().zip(bit_values) {
                pw.set_target(*t, F::from_canonical_u64(v)).unwrap();
            }
            pw.set_target_arr(&out, &point_coeffs(&pt(claimed)))
                .unwrap();
            pw
        };
        assert!(proves(&data, witness(expected)));
        assert!(!proves(&data, witness(expected + 1)));
        let lq = Target::wire(rows[1], step_wires(1).lq + 2);
        assert!(tamper_rejected(
            &data,
            witness(expected),
            lq,
            F::from_canonical_u64(9)
        ));
        // The scalar accumulators rebuild the bits (most significant first): e = 1010; a
        // wrong value is rejected.
        let e_bits = bit_values.iter().step_by(3).fold(0, |acc, b| 2 * acc + b);
        assert_eq!(e_bits, 0b1010);
        assert!(tamper_rejected(
            &data,
            witness(expected),
            sc[0],
            F::from_canonical_u64(0b1011)
        ));
    }
}
