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
use ark_r1cs_std::{alloc::AllocVar, boolean::Boolean, eq::EqGadget, fields::fp::FpVar, R1CSVar};
use ark_relations::r1cs::{ConstraintSystemRef, SynthesisError};
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

/// Recombines the public-input digest (docs/formats.md §5) from 8 u32 limbs — big-endian
/// 32-bit words of `digest_bytes`, first word first, as formats.md lays out byte strings in
/// field-element lists — into `uint256(digest_bytes) & (2^253 − 1)`.
///
/// Each limb is range-checked `< 2^32` (32 boolean bits tied to it, 33 constraints); the top 3
/// bits of the first word are dropped, so the result is `< 2^253 < r` and canonical.
pub fn digest_from_u32_words(words: &[GoldilocksVar]) -> Result<FpVar<Fr>, VerifierError> {
    if words.len() != 8 {
        return Err(VerifierError::Shape("digest must be 8 u32 limbs".into()));
    }
    let mut bits_le: Vec<Boolean<Fr>> = Vec::with_capacity(256);
    for w in words.iter().rev() {
        let w = w.reduce()?;
        let v = w.fp().value().ok().map(|x| {
            use ark_ff::{BigInteger, PrimeField};
            let b = x.into_bigint().to_bytes_le();
            u64::from_le_bytes(b[..8].try_into().expect("32 bytes"))
        });
        let cs = w.cs();
        let mut wb = Vec::with_capacity(32);
        for i in 0..32 {
            let b = if w.is_constant() {
                Boolean::constant(v.map(|v| (v >> i) & 1 == 1).unwrap_or(false))
            } else {
                Boolean::new_witness(cs.clone(), || {
                    v.map(|v| (v >> i) & 1 == 1)
                        .ok_or(SynthesisError::AssignmentMissing)
                })?
            };
            wb.push(b);
        }
        Boolean::le_bits_to_fp(&wb)?.enforce_equal(w.fp())?;
        bits_le.extend(wb);
    }
    bits_le.truncate(253);
    Ok(Boolean::le_bits_to_fp(&bits_le)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ff::PrimeField;
    use ark_relations::r1cs::ConstraintSystem;
    use plonky2::field::types::Sample;

    fn digest_native(bytes: &[u8; 32]) -> Fr {
        let mut b = *bytes;
        b[0] &= 0x1F;
        Fr::from_be_bytes_mod_order(&b)
    }

    #[test]
    fn digest_recombination_matches_formats() {
        let bytes: [u8; 32] = std::array::from_fn(|i| (i as u8).wrapping_mul(37) ^ 0xE5);
        let cs = ConstraintSystem::<Fr>::new_ref();
        let words: Vec<GF> = bytes
            .chunks(4)
            .map(|c| GF::from_canonical_u32(u32::from_be_bytes(c.try_into().unwrap())))
            .collect();
        let wv = alloc_public_inputs(cs.clone(), &words).unwrap();
        let d = digest_from_u32_words(&wv).unwrap();
        assert_eq!(d.value().unwrap(), digest_native(&bytes));
        assert!(cs.is_satisfied().unwrap());
    }

    #[test]
    fn digest_limb_over_32_bits_rejected() {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let mut words: Vec<GF> = (0..8).map(GF::from_canonical_u64).collect();
        words[3] = GF::from_canonical_u64(1u64 << 32);
        let wv = alloc_public_inputs(cs.clone(), &words).unwrap();
        let _ = digest_from_u32_words(&wv).unwrap();
        assert!(!cs.is_satisfied().unwrap());
    }

    #[test]
    fn public_input_hash_matches_plonky2() {
        use plonky2::{hash::poseidon::PoseidonHash, plonk::config::Hasher};
        let cs = ConstraintSystem::<Fr>::new_ref();
        let xs: Vec<GF> = (0..11).map(|_| GF::rand()).collect();
        let v = alloc_public_inputs(cs.clone(), &xs).unwrap();
        let h = hash_no_pad(&v).unwrap();
        let native = PoseidonHash::hash_no_pad(&xs);
        for (a, b) in h.iter().zip(native.elements) {
            assert_eq!(a.value().unwrap(), b);
        }
        assert!(cs.is_satisfied().unwrap());
    }
}
