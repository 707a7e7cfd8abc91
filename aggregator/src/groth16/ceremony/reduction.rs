//! circom's (snarkjs') QAP reduction for ark-groth16.
//!
//! Written by hand after ark-circom's `CircomReduction` (arkworks-rs/circom-compat,
//! `src/circom/qap.rs`), which cannot be used as a dependency here because ark-circom pulls
//! in a WebAssembly runtime (wasmer).
//!
//! ark-groth16's default ([`ark_groth16::r1cs_to_qap::LibsnarkReduction`]) computes the
//! coefficients of `H = (AB - C)/Z` and its key holds `τ^i Z(τ)/δ`. snarkjs keys instead hold
//! the odd Lagrange points of the domain of size 2n, `L^{2n}_{2i+1}(τ)/δ`, so the prover must
//! give the evaluations of `AB - C` on the odd coset `ω_{2n}·<ω_n>`: A, B and C are
//! interpolated on the n-domain, shifted by `ω_{2n}`, evaluated again, and `a·b - c` taken
//! point-wise. Like circom, the A polynomial gets one extra row per public input (and the
//! constant one) with coefficient 1, which is what makes the public inputs independent.

use ark_ff::PrimeField;
use ark_groth16::r1cs_to_qap::{evaluate_constraint, LibsnarkReduction, R1CSToQAP};
use ark_poly::EvaluationDomain;
use ark_relations::r1cs::{ConstraintMatrices, ConstraintSystemRef, SynthesisError};

/// The QAP reduction snarkjs `.zkey` files assume; prove with
/// `Groth16::<Bn254, CircomReduction>` when the key comes from a ceremony.
pub struct CircomReduction;

impl R1CSToQAP for CircomReduction {
    #[allow(clippy::type_complexity)]
    fn instance_map_with_evaluation<F: PrimeField, D: EvaluationDomain<F>>(
        cs: ConstraintSystemRef<F>,
        t: &F,
    ) -> Result<(Vec<F>, Vec<F>, Vec<F>, F, usize, usize), SynthesisError> {
        LibsnarkReduction::instance_map_with_evaluation::<F, D>(cs, t)
    }

    fn witness_map_from_matrices<F: PrimeField, D: EvaluationDomain<F>>(
        matrices: &ConstraintMatrices<F>,
        num_inputs: usize,
        num_constraints: usize,
        full_assignment: &[F],
    ) -> Result<Vec<F>, SynthesisError> {
        let domain =
            D::new(num_constraints + num_inputs).ok_or(SynthesisError::PolynomialDegreeTooLarge)?;
        let n = domain.size();
        let mut a = vec![F::zero(); n];
        let mut b = vec![F::zero(); n];
        let mut c = vec![F::zero(); n];
        for (i, (at, bt)) in matrices.a.iter().zip(&matrices.b).enumerate() {
            a[i] = evaluate_constraint(at, full_assignment);
            b[i] = evaluate_constraint(bt, full_assignment);
            c[i] = a[i] * b[i];
        }
        // circom's input rows: A gets the public inputs (and the one), B and C zero.
        a[num_constraints..num_constraints + num_inputs]
            .copy_from_slice(&full_assignment[..num_inputs]);

        let shift = D::new(2 * n)
            .ok_or(SynthesisError::PolynomialDegreeTooLarge)?
            .element(1);
        for v in [&mut a, &mut b, &mut c] {
            domain.ifft_in_place(v);
            D::distribute_powers_and_mul_by_const(v, shift, F::one());
            domain.fft_in_place(v);
        }
        Ok(a.iter()
            .zip(&b)
            .zip(&c)
            .map(|((a, b), c)| *a * b - c)
            .collect())
    }

    fn h_query_scalars<F: PrimeField, D: EvaluationDomain<F>>(
        max_power: usize,
        t: F,
        _zt: F,
        delta_inverse: F,
    ) -> Result<Vec<F>, SynthesisError> {
        // The odd Lagrange coefficients of the 2n domain at t, over delta.
        let mut scalars: Vec<F> = (0..2 * max_power + 1)
            .map(|i| delta_inverse * t.pow([i as u64]))
            .collect();
        let domain = D::new(scalars.len()).ok_or(SynthesisError::PolynomialDegreeTooLarge)?;
        domain.ifft_in_place(&mut scalars);
        Ok(scalars.into_iter().skip(1).step_by(2).collect())
    }
}
