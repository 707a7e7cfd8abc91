//! Public inputs of the verified proof: canonical Goldilocks witnesses hashed in-circuit with
//! plonky2's `PoseidonHash::hash_no_pad` (the config's InnerHasher), so the hash the checks
//! use is tied to the inputs, never supplied separately.

use super::{
    ext2::Ext2Var,
    gates::poseidon_permutation_ext,
    goldilocks::{GoldilocksVar, GF},
    VerifierError,
};
use ark_bn254::Fr;
use ark_relations::r1cs::ConstraintSystemRef;
use plonky2::field::types::Field;

/// Allocates public inputs as canonical witnesses (67 constraints each).
pub fn alloc_public_inputs(
    cs: ConstraintSystemRef<Fr>,
    values: &[GF],
) -> Result<Vec<GoldilocksVar>, VerifierError> {
    values
        .iter()
        .map(|&v| Ok(GoldilocksVar::new_witness(cs.clone(), || Ok(v))?))
        .collect()
}

/// plonky2's Goldilocks `PoseidonHash::hash_no_pad` (rate 8, overwrite mode, 4 outputs).
pub fn hash_no_pad(inputs: &[GoldilocksVar]) -> Result<[GoldilocksVar; 4], VerifierError> {
    let mut state: [Ext2Var; 12] = std::array::from_fn(|_| Ext2Var::zero());
    for chunk in inputs.chunks(8) {
        for (s, x) in state.iter_mut().zip(chunk) {
            *s = Ext2Var::from_base(x);
        }
        state = poseidon_permutation_ext(&state)?;
    }
    let mut out = Vec::with_capacity(4);
    for s in &state[..4] {
        // The high coordinate of a base-field input stays the constant 0.
        if !s.0[1].is_constant() || s.0[1].value()? != GF::ZERO {
            return Err(VerifierError::Shape(
                "base-field Poseidon left the base field".into(),
            ));
        }
        out.push(s.0[0].reduce()?);
    }
    Ok(out.try_into().expect("4 outputs"))
}
