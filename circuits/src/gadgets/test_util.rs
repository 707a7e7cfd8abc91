//! Test helpers shared by the gadget tests: prove honestly, or tamper one wire of an honest
//! witness (bypassing every witness generator) and check that the proof is rejected.

use std::panic::{catch_unwind, AssertUnwindSafe};

use plonky2::iop::generator::generate_partial_witness;
use plonky2::iop::target::Target;
use plonky2::iop::witness::PartialWitness;
use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::circuit_data::{CircuitConfig, CircuitData};
use plonky2::plonk::prover::prove_with_partition_witness;
use plonky2::util::timing::TimingTree;

use crate::{C, D, F};

/// A fresh builder with zkroll's standard configuration.
pub(crate) fn builder() -> CircuitBuilder<F, D> {
    CircuitBuilder::new(CircuitConfig::standard_recursion_config())
}

/// Proves with `pw` and verifies; `true` iff both succeed.
pub(crate) fn proves(data: &CircuitData<F, C, D>, pw: PartialWitness<F>) -> bool {
    match catch_unwind(AssertUnwindSafe(|| data.prove(pw))) {
        Ok(Ok(proof)) => data.verify(proof).is_ok(),
        _ => false,
    }
}

/// Generates the honest witness from `pw`, overwrites the value of `target` (and of every wire
/// copy-constrained to it) with `value`, then proves and verifies. Returns `true` iff the
/// tampered witness is rejected (prover error or panic, or a proof that does not verify).
/// Panics if the honest witness itself cannot be generated.
pub(crate) fn tamper_rejected(
    data: &CircuitData<F, C, D>,
    pw: PartialWitness<F>,
    target: Target,
    value: F,
) -> bool {
    tamper_many_rejected(data, pw, &[(target, value)])
}

/// [`tamper_rejected`] for several targets at once (at least one value must change).
pub(crate) fn tamper_many_rejected(
    data: &CircuitData<F, C, D>,
    pw: PartialWitness<F>,
    changes: &[(Target, F)],
) -> bool {
    let mut w = generate_partial_witness(pw, &data.prover_only, &data.common)
        .expect("honest witness must generate");
    let mut changed = false;
    for &(target, value) in changes {
        let rep = w.representative_map[target.index(w.num_wires, w.degree)];
        changed |= w.values[rep] != Some(value);
        w.values[rep] = Some(value);
    }
    assert!(changed, "tampering must change a value");
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
}
