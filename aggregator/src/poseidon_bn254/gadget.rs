//! R1CS gadget of the Poseidon permutation over `FpVar<Fr>`: 3 constraints per S-box, i.e.
//! `(8 · 3 + 57) · 3 = 243` constraints per permutation (constant additions and the MDS
//! product are linear combinations, free in R1CS).

use ark_bn254::Fr;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::fields::FieldVar;
use ark_relations::r1cs::SynthesisError;

use super::params::{params, FULL_ROUNDS, PARTIAL_ROUNDS, WIDTH};

fn sbox(x: &FpVar<Fr>) -> Result<FpVar<Fr>, SynthesisError> {
    let x2 = x.square()?;
    let x4 = x2.square()?;
    Ok(x4 * x)
}

/// In-circuit twin of [`super::native::permute`]; constrains `out = Poseidon(state)`.
pub fn permute_var(state: &[FpVar<Fr>; WIDTH]) -> Result<[FpVar<Fr>; WIDTH], SynthesisError> {
    let p = params();
    let half = FULL_ROUNDS / 2;
    let mut st = state.clone();
    for (r, rc) in p.round_constants.iter().enumerate() {
        for (s, c) in st.iter_mut().zip(rc) {
            *s += FpVar::constant(*c);
        }
        if r < half || r >= half + PARTIAL_ROUNDS {
            for s in st.iter_mut() {
                *s = sbox(s)?;
            }
        } else {
            st[0] = sbox(&st[0])?;
        }
        let old = st.clone();
        for (i, s) in st.iter_mut().enumerate() {
            let mut acc = FpVar::zero();
            for (m, o) in p.mds[i].iter().zip(old.iter()) {
                acc += o * *m;
            }
            *s = acc;
        }
    }
    Ok(st)
}

/// In-circuit twin of [`super::native::hash2`] (circomlib `poseidon([a, b])`).
pub fn hash2_var(a: &FpVar<Fr>, b: &FpVar<Fr>) -> Result<FpVar<Fr>, SynthesisError> {
    let out = permute_var(&[FpVar::zero(), a.clone(), b.clone()])?;
    Ok(out[0].clone())
}

/// In-circuit twin of `PoseidonBn254Hash::hash_goldilocks` (docs/wrap.md) for inputs already
/// packed 3 Goldilocks limbs per element (`packed.len() == ceil(n_limbs / 3)`; the caller
/// packs range-checked limbs as `x0 + 2^64·x1 + 2^128·x2`): capacity `2^64 + n_limbs`, two
/// elements added per permutation, output `state[0]`.
pub fn hash_packed_var(n_limbs: usize, packed: &[FpVar<Fr>]) -> Result<FpVar<Fr>, SynthesisError> {
    if packed.len() != n_limbs.div_ceil(3) {
        return Err(SynthesisError::Unsatisfiable);
    }
    let cap = Fr::from(1u128 << 64) + Fr::from(n_limbs as u64);
    let mut st = [FpVar::constant(cap), FpVar::zero(), FpVar::zero()];
    if packed.is_empty() {
        st = permute_var(&st)?;
    }
    for pair in packed.chunks(2) {
        st[1] += &pair[0];
        if let Some(b) = pair.get(1) {
            st[2] += b;
        }
        st = permute_var(&st)?;
    }
    Ok(st[0].clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::poseidon_bn254::native;
    use ark_ff::{BigInteger, PrimeField, UniformRand};
    use ark_r1cs_std::alloc::AllocVar;
    use ark_r1cs_std::eq::EqGadget;
    use ark_r1cs_std::R1CSVar;
    use ark_relations::r1cs::ConstraintSystem;
    use rand::SeedableRng;

    fn fr_hex(h: &str) -> Fr {
        Fr::from_be_bytes_mod_order(&hex::decode(h).unwrap())
    }

    #[test]
    fn circomlib_vectors() {
        // circomlib / iden3 test vectors (poseidon with 2 inputs).
        assert_eq!(
            native::hash2(Fr::from(1u64), Fr::from(2u64)),
            fr_hex("115cc0f5e7d690413df64c6b9662e9cf2a3617f2743245519e19607a4417189a")
        );
        // Reference permutation test vector (poseidonperm_x5_254_3): input [0, 1, 2].
        let mut s = [Fr::from(0u64), Fr::from(1u64), Fr::from(2u64)];
        native::permute(&mut s);
        assert_eq!(
            s[1],
            fr_hex("0fca49b798923ab0239de1c9e7a4a9a2210312b6a2f616d18b5a87f9b628ae29")
        );
        assert_eq!(
            s[2],
            fr_hex("0e7ae82e40091e63cbd4f16a6d16310b3729d4b6e138fcf54110e2867045a30c")
        );
    }

    #[test]
    fn gadget_matches_native_and_rejects_wrong_output() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
        for _ in 0..3 {
            let input = [Fr::rand(&mut rng), Fr::rand(&mut rng), Fr::rand(&mut rng)];
            let mut expect = input;
            native::permute(&mut expect);
            let cs = ConstraintSystem::<Fr>::new_ref();
            let vars = input.map(|x| FpVar::new_witness(cs.clone(), || Ok(x)).unwrap());
            let out = permute_var(&vars).unwrap();
            for (o, e) in out.iter().zip(expect) {
                assert_eq!(o.value().unwrap(), e);
                let pubv = FpVar::new_input(cs.clone(), || Ok(e)).unwrap();
                o.enforce_equal(&pubv).unwrap();
            }
            assert!(cs.is_satisfied().unwrap());
            assert_eq!(cs.num_constraints(), 243 + 3);
        }
        // Negative: claiming a wrong output is unsatisfiable.
        let cs = ConstraintSystem::<Fr>::new_ref();
        let a = FpVar::new_witness(cs.clone(), || Ok(Fr::from(1u64))).unwrap();
        let b = FpVar::new_witness(cs.clone(), || Ok(Fr::from(2u64))).unwrap();
        let h = hash2_var(&a, &b).unwrap();
        let wrong = native::hash2(Fr::from(1u64), Fr::from(3u64));
        let claimed = FpVar::new_input(cs.clone(), || Ok(wrong)).unwrap();
        h.enforce_equal(&claimed).unwrap();
        assert!(!cs.is_satisfied().unwrap());
        let _ = Fr::MODULUS.to_bits_le();
    }

    #[test]
    fn hash_packed_var_matches_hasher() {
        use crate::config::{pack_goldilocks, PoseidonBn254Hash, F};
        use plonky2::field::types::Field;
        for n in [0usize, 1, 3, 4, 6, 7, 13] {
            let limbs: Vec<F> = (0..n)
                .map(|i| F::from_canonical_u64(i as u64 * 0x1234_5678_9abc + 7))
                .collect();
            let expect = PoseidonBn254Hash::hash_goldilocks(&limbs);
            let cs = ConstraintSystem::<Fr>::new_ref();
            let packed: Vec<FpVar<Fr>> = limbs
                .chunks(3)
                .map(|c| FpVar::new_witness(cs.clone(), || Ok(pack_goldilocks(c))).unwrap())
                .collect();
            let h = hash_packed_var(n, &packed).unwrap();
            assert_eq!(h.value().unwrap(), expect, "n = {n}");
            assert!(cs.is_satisfied().unwrap());
            // A wrong limb count is refused.
            assert!(hash_packed_var(n + 3, &packed).is_err());
        }
    }
}
