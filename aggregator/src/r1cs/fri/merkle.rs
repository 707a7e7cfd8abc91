//! Merkle paths of `PoseidonBn254Hash` trees in R1CS: leaves `hash_no_pad` of canonical
//! Goldilocks limbs packed 3 per `Fr`, inner nodes `two_to_one`, as plonky2's
//! `verify_merkle_proof_to_cap` (docs/wrap.md, "Poseidon-BN254 hasher").

use super::super::{challenger::pack, goldilocks::GoldilocksVar};
use crate::{
    config::LIMBS_PER_FR,
    poseidon_bn254::gadget::{hash2_var, hash_packed_var},
};
use ark_bn254::Fr;
use ark_r1cs_std::{boolean::Boolean, eq::EqGadget, fields::fp::FpVar, select::CondSelectGadget};
use ark_relations::r1cs::SynthesisError;

/// `hash_no_pad` of canonical limbs (the leaf digest). Reduces non-canonical limbs first.
pub fn hash_leaf(leaf: &[GoldilocksVar]) -> Result<FpVar<Fr>, SynthesisError> {
    let limbs = leaf
        .iter()
        .map(GoldilocksVar::reduce)
        .collect::<Result<Vec<_>, _>>()?;
    let packed: Vec<FpVar<Fr>> = limbs.chunks(LIMBS_PER_FR).map(pack).collect();
    hash_packed_var(limbs.len(), &packed)
}

/// `cap[index]` for little-endian `index_bits` (`cap.len() == 2^bits`), one constraint per
/// inner node of the selection tree.
pub fn select_digest(
    cap: &[FpVar<Fr>],
    index_bits: &[Boolean<Fr>],
) -> Result<FpVar<Fr>, SynthesisError> {
    if cap.len() != 1 << index_bits.len() {
        return Err(SynthesisError::Unsatisfiable);
    }
    let mut layer = cap.to_vec();
    for b in index_bits {
        layer = layer
            .chunks(2)
            .map(|pair| FpVar::conditionally_select(b, &pair[1], &pair[0]))
            .collect::<Result<_, _>>()?;
    }
    Ok(layer.swap_remove(0))
}

/// Enforces that `leaf` sits at the index given by `index_bits` (little-endian, at least
/// `siblings.len()` bits) under `cap`: the first `siblings.len()` bits choose left/right (bit 1
/// ⇒ the current node is the right child), the remaining bits (exactly `log2(cap.len())` of
/// them) choose the cap entry.
pub fn verify_merkle_proof_to_cap(
    leaf: &[GoldilocksVar],
    index_bits: &[Boolean<Fr>],
    cap: &[FpVar<Fr>],
    siblings: &[FpVar<Fr>],
) -> Result<(), SynthesisError> {
    if index_bits.len() < siblings.len() {
        return Err(SynthesisError::Unsatisfiable);
    }
    let mut node = hash_leaf(leaf)?;
    for (sib, bit) in siblings.iter().zip(index_bits) {
        // left = bit ? sib : node (one constraint); right = node + sib − left.
        let left = FpVar::conditionally_select(bit, sib, &node)?;
        let right = &node + sib - &left;
        node = hash2_var(&left, &right)?;
    }
    let root = select_digest(cap, &index_bits[siblings.len()..])?;
    node.enforce_equal(&root)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{PoseidonBn254Hash, PoseidonBn254HashOut};
    use crate::r1cs::goldilocks::{GF, P};
    use ark_r1cs_std::alloc::AllocVar;
    use ark_relations::r1cs::{ConstraintSystem, ConstraintSystemRef};
    use plonky2::{
        field::types::{Field, PrimeField64},
        hash::merkle_tree::MerkleTree,
    };

    type Tree = MerkleTree<GF, PoseidonBn254Hash>;

    fn fr(h: &PoseidonBn254HashOut) -> Fr {
        h.to_fr().unwrap()
    }

    /// Allocates leaf, index bits, cap and siblings; returns the cs after verification.
    fn run(
        leaf: &[GF],
        index: usize,
        height: usize,
        tree: &Tree,
        tamper: impl FnOnce(&mut Vec<Fr>, &mut Vec<Fr>),
    ) -> ConstraintSystemRef<Fr> {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let leaf_v: Vec<GoldilocksVar> = leaf
            .iter()
            .map(|&x| GoldilocksVar::new_witness(cs.clone(), || Ok(x)).unwrap())
            .collect();
        let proof = tree.prove(index);
        let mut cap: Vec<Fr> = tree.cap.0.iter().map(fr).collect();
        let mut sibs: Vec<Fr> = proof.siblings.iter().map(fr).collect();
        tamper(&mut cap, &mut sibs);
        let bits: Vec<Boolean<Fr>> = (0..height)
            .map(|i| Boolean::new_witness(cs.clone(), || Ok((index >> i) & 1 == 1)).unwrap())
            .collect();
        let cap_v: Vec<FpVar<Fr>> = cap
            .iter()
            .map(|&c| FpVar::new_witness(cs.clone(), || Ok(c)).unwrap())
            .collect();
        let sib_v: Vec<FpVar<Fr>> = sibs
            .iter()
            .map(|&c| FpVar::new_witness(cs.clone(), || Ok(c)).unwrap())
            .collect();
        verify_merkle_proof_to_cap(&leaf_v, &bits, &cap_v, &sib_v).unwrap();
        cs
    }

    fn leaves() -> Vec<Vec<GF>> {
        (0..16u64)
            .map(|i| (0..7).map(|j| GF::from_canonical_u64(3 * i + j)).collect())
            .collect()
    }

    #[test]
    fn merkle_paths_match_plonky2_trees() {
        for cap_height in [0, 1, 2] {
            let l = leaves();
            let tree = Tree::new(l.clone(), cap_height);
            for index in [0, 5, 15] {
                let cs = run(&l[index], index, 4, &tree, |_, _| {});
                assert!(cs.is_satisfied().unwrap(), "cap {cap_height} index {index}");
                // Wrong leaf position.
                let cs = run(&l[index], index ^ 1, 4, &tree, |_, _| {});
                assert!(!cs.is_satisfied().unwrap());
            }
            let cs = run(&l[3], 3, 4, &tree, |_, s| s[0] += Fr::from(1u8));
            assert!(!cs.is_satisfied().unwrap());
            let cs = run(&l[3], 3, 4, &tree, |c, _| c[0] += Fr::from(1u8));
            assert!(!cs.is_satisfied().unwrap());
        }
    }

    /// A leaf limb given as `v + p` (same value mod p, 64-bit representable since `v` is small)
    /// is caught by the canonical range check of the allocation, before any hashing.
    #[test]
    fn non_canonical_leaf_limb_rejected() {
        let l = leaves();
        let tree = Tree::new(l.clone(), 0);
        let cs = run(&l[2], 2, 4, &tree, |_, _| {});
        assert!(cs.is_satisfied().unwrap());
        // Witness 0..64 are the bits of the first limb, 64/65 the hints `inv`, `z` of its
        // `< p` check (see goldilocks.rs); witness index 0 is the constant one, so shift by 1.
        let v = l[2][0].to_canonical_u64() + P;
        {
            let mut b = cs.borrow_mut().unwrap();
            for i in 0..64 {
                b.witness_assignment[i] = Fr::from((v >> i) & 1);
            }
            // High half all ones: d = 0, so the only consistent hints are inv = 0, z = 1.
            b.witness_assignment[64] = Fr::from(0u8);
            b.witness_assignment[65] = Fr::from(1u8);
        }
        assert!(!cs.is_satisfied().unwrap());
        // The first failing constraint is one of the limb's 67 allocation constraints (64
        // booleanity + 3 for `< p`): the trace is the constraint index without a tracing layer.
        let first = cs.which_is_unsatisfied().unwrap().unwrap();
        let first: usize = first.parse().unwrap();
        assert!(first < 67, "first unsatisfied constraint {first}");
    }
}
