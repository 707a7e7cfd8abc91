//! Sparse-Merkle gadgets for the depth-32 Poseidon account tree (`docs/formats.md` §2).
//!
//! Level `k` (0 = just above the leaves) hashes `two_to_one(node, sibling)`, or
//! `two_to_one(sibling, node)` when bit `k` of the index (LSB first) is set. One level is one
//! `PoseidonGate` row, whose swap wire applies the index bit; an update walks the same path
//! twice (old and new leaf, same siblings and bits), so it costs 64 Poseidon rows plus the
//! index decomposition. The index is a u32 decomposed into exactly 32 bits, which makes the
//! path canonical (one index, one position).

use plonky2::field::extension::Extendable;
use plonky2::hash::hash_types::{HashOutTarget, RichField, NUM_HASH_OUT_ELTS};
use plonky2::hash::hashing::PlonkyPermutation;
use plonky2::hash::poseidon::PoseidonHash;
use plonky2::iop::target::{BoolTarget, Target};
use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::config::AlgebraicHasher;

use crate::gadgets::range::{CircuitBuilderRange, U64Target};

/// Depth of the account tree (`docs/formats.md` §2).
pub const TREE_DEPTH: usize = 32;

/// Sparse-Merkle gadgets over plonky2's `PoseidonHash`.
pub trait CircuitBuilderMerkle<F: RichField + Extendable<D>, const D: usize> {
    /// `Poseidon.hash_no_pad([pk0..pk3, balance_lo, balance_hi, nonce, own0..own4])`, the
    /// account leaf (12 limbs). Range checks of the inputs (u64 balance, u32 nonce, u32 owner
    /// words) are the caller's: this gadget only hashes.
    fn account_leaf_hash(
        &mut self,
        pkhash: HashOutTarget,
        balance: U64Target,
        nonce: Target,
        owner: &[Target; 5],
    ) -> HashOutTarget;

    /// The empty leaf `HashOut::ZERO`.
    fn empty_leaf_hash(&mut self) -> HashOutTarget;

    /// The 32 bits of an account index, LSB first; constrains `index < 2^32`.
    fn merkle_index_bits(&mut self, index: Target) -> Vec<BoolTarget>;

    /// The root reached from `leaf` along `siblings` (level 0 first) with the path chosen by
    /// `index_bits` (LSB first, boolean). Panics at build time if the lengths differ.
    fn verify_merkle_path(
        &mut self,
        leaf: HashOutTarget,
        index_bits: &[BoolTarget],
        siblings: &[HashOutTarget],
    ) -> HashOutTarget;

    /// One leaf update: constrains that `old_leaf` sits at `index` under `old_root` with
    /// `siblings`, and returns the root after replacing it by `new_leaf` (same path).
    /// `index` is constrained `< 2^32`; `siblings.len()` must be [`TREE_DEPTH`].
    fn merkle_update(
        &mut self,
        old_leaf: HashOutTarget,
        new_leaf: HashOutTarget,
        index: Target,
        siblings: &[HashOutTarget],
        old_root: HashOutTarget,
    ) -> HashOutTarget;
}

impl<F: RichField + Extendable<D>, const D: usize> CircuitBuilderMerkle<F, D>
    for CircuitBuilder<F, D>
{
    fn account_leaf_hash(
        &mut self,
        pkhash: HashOutTarget,
        balance: U64Target,
        nonce: Target,
        owner: &[Target; 5],
    ) -> HashOutTarget {
        let mut inputs = pkhash.elements.to_vec();
        inputs.extend([balance.lo, balance.hi, nonce]);
        inputs.extend(owner);
        self.hash_n_to_hash_no_pad::<PoseidonHash>(inputs)
    }

    fn empty_leaf_hash(&mut self) -> HashOutTarget {
        let zero = self.zero();
        HashOutTarget::from_partial(&[], zero)
    }

    fn merkle_index_bits(&mut self, index: Target) -> Vec<BoolTarget> {
        self.range_check_u32(index)
    }

    fn verify_merkle_path(
        &mut self,
        leaf: HashOutTarget,
        index_bits: &[BoolTarget],
        siblings: &[HashOutTarget],
    ) -> HashOutTarget {
        assert_eq!(index_bits.len(), siblings.len(), "one index bit per level");
        let mut node = leaf;
        for (&bit, &sibling) in index_bits.iter().zip(siblings) {
            node = hash_level(self, node, sibling, bit);
        }
        node
    }

    fn merkle_update(
        &mut self,
        old_leaf: HashOutTarget,
        new_leaf: HashOutTarget,
        index: Target,
        siblings: &[HashOutTarget],
        old_root: HashOutTarget,
    ) -> HashOutTarget {
        assert_eq!(siblings.len(), TREE_DEPTH, "a depth-32 path");
        let bits = self.merkle_index_bits(index);
        let computed_old = self.verify_merkle_path(old_leaf, &bits, siblings);
        self.connect_hashes(computed_old, old_root);
        self.verify_merkle_path(new_leaf, &bits, siblings)
    }
}

/// `bit ? two_to_one(sibling, node) : two_to_one(node, sibling)` in one `PoseidonGate` row.
fn hash_level<F: RichField + Extendable<D>, const D: usize>(
    builder: &mut CircuitBuilder<F, D>,
    node: HashOutTarget,
    sibling: HashOutTarget,
    bit: BoolTarget,
) -> HashOutTarget {
    type Perm<F> = <PoseidonHash as AlgebraicHasher<F>>::AlgebraicPermutation;
    let zero = builder.zero();
    let mut inputs = Perm::<F>::new(core::iter::repeat(zero));
    inputs.set_from_slice(&node.elements, 0);
    inputs.set_from_slice(&sibling.elements, NUM_HASH_OUT_ELTS);
    let out = <PoseidonHash as AlgebraicHasher<F>>::permute_swapped(inputs, bit, builder);
    HashOutTarget::from_vec(out.squeeze()[..NUM_HASH_OUT_ELTS].to_vec())
}

#[cfg(test)]
mod tests {
    use plonky2::field::types::{Field, Sample};
    use plonky2::hash::hash_types::HashOut;
    use plonky2::iop::witness::{PartialWitness, WitnessWrite};
    use plonky2::plonk::config::Hasher;
    use rand::{rngs::StdRng, Rng, SeedableRng};

    use super::*;
    use crate::gadgets::range::u64_limbs;
    use crate::gadgets::test_util::{builder, proves, tamper_rejected};
    use crate::{C, F};

    /// Native twin of [`CircuitBuilderMerkle::verify_merkle_path`].
    fn native_root(leaf: HashOut<F>, index: u32, siblings: &[HashOut<F>]) -> HashOut<F> {
        siblings.iter().enumerate().fold(leaf, |node, (k, &sib)| {
            if (index >> k) & 1 == 1 {
                PoseidonHash::two_to_one(sib, node)
            } else {
                PoseidonHash::two_to_one(node, sib)
            }
        })
    }

    /// Native twin of [`CircuitBuilderMerkle::account_leaf_hash`]: the account leaf hash.
    fn native_leaf(pkhash: [F; 4], balance: u64, nonce: u32) -> HashOut<F> {
        crate::state::Account {
            pkhash: HashOut { elements: pkhash },
            balance,
            nonce,
            owner: OWNER,
        }
        .leaf_hash()
    }

    /// The owner every test leaf has.
    const OWNER: [u8; 20] = [0x5c; 20];

    /// Empty-subtree roots `E_0..E_31`, the siblings of a lone leaf.
    fn empty_siblings() -> Vec<HashOut<F>> {
        let mut e = vec![HashOut::ZERO];
        for k in 0..TREE_DEPTH - 1 {
            e.push(PoseidonHash::two_to_one(e[k], e[k]));
        }
        e
    }

    fn random_siblings(rng: &mut StdRng) -> Vec<HashOut<F>> {
        (0..TREE_DEPTH)
            .map(|_| HashOut::from_vec((0..4).map(|_| F::sample(rng)).collect()))
            .collect()
    }

    struct PathCircuit {
        data: plonky2::plonk::circuit_data::CircuitData<F, C, 2>,
        leaf: HashOutTarget,
        index: Target,
        bits: Vec<BoolTarget>,
        siblings: Vec<HashOutTarget>,
        root: HashOutTarget,
    }

    fn path_circuit() -> PathCircuit {
        let mut b = builder();
        let leaf = b.add_virtual_hash();
        let index = b.add_virtual_target();
        let bits = b.merkle_index_bits(index);
        let siblings = b.add_virtual_hashes(TREE_DEPTH);
        let computed = b.verify_merkle_path(leaf, &bits, &siblings);
        let root = b.add_virtual_hash();
        b.connect_hashes(computed, root);
        PathCircuit {
            data: b.build::<C>(),
            leaf,
            index,
            bits,
            siblings,
            root,
        }
    }

    fn path_witness(
        c: &PathCircuit,
        leaf: HashOut<F>,
        index: u64,
        sibs: &[HashOut<F>],
        root: HashOut<F>,
    ) -> PartialWitness<F> {
        let mut pw = PartialWitness::new();
        pw.set_hash_target(c.leaf, leaf).unwrap();
        pw.set_target(c.index, F::from_canonical_u64(index))
            .unwrap();
        for (t, s) in c.siblings.iter().zip(sibs) {
            pw.set_hash_target(*t, *s).unwrap();
        }
        pw.set_hash_target(c.root, root).unwrap();
        pw
    }

    #[test]
    fn path_matches_native_and_rejects_tampering() {
        let c = path_circuit();
        let mut rng = StdRng::seed_from_u64(1);
        for index in [0u32, 1, 0x8000_0001, u32::MAX, rng.gen()] {
            let leaf = native_leaf([F::sample(&mut rng); 4], rng.gen(), rng.gen());
            let sibs = random_siblings(&mut rng);
            let root = native_root(leaf, index, &sibs);
            assert!(proves(
                &c.data,
                path_witness(&c, leaf, index as u64, &sibs, root)
            ));
            // Wrong sibling.
            let mut bad = sibs.clone();
            bad[7].elements[2] += F::ONE;
            assert!(!proves(
                &c.data,
                path_witness(&c, leaf, index as u64, &bad, root)
            ));
            // Wrong index (another leaf position under the same root).
            let other = (index ^ (1 << 13)) as u64;
            assert!(!proves(&c.data, path_witness(&c, leaf, other, &sibs, root)));
            // Wrong leaf.
            let mut bad_leaf = leaf;
            bad_leaf.elements[0] += F::ONE;
            assert!(!proves(
                &c.data,
                path_witness(&c, bad_leaf, index as u64, &sibs, root)
            ));
            // A flipped index bit in the witness (bypassing the generators).
            let pw = path_witness(&c, leaf, index as u64, &sibs, root);
            let flipped = F::from_bool((index >> 5) & 1 == 0);
            assert!(tamper_rejected(&c.data, pw, c.bits[5].target, flipped));
        }
        // An index ≥ 2^32 is rejected, even with the root of its low 32 bits.
        let leaf = native_leaf([F::ONE; 4], 1, 0);
        let sibs = random_siblings(&mut rng);
        let root = native_root(leaf, 3, &sibs);
        assert!(!proves(
            &c.data,
            path_witness(&c, leaf, 3 + (1 << 32), &sibs, root)
        ));
    }

    struct UpdateCircuit {
        data: plonky2::plonk::circuit_data::CircuitData<F, C, 2>,
        pk: HashOutTarget,
        owner: [Target; 5],
        old_bal: U64Target,
        new_bal: U64Target,
        nonce: Target,
        index: Target,
        siblings: Vec<HashOutTarget>,
        old_root: HashOutTarget,
        new_root: HashOutTarget,
    }

    /// Replaces the account at `index` (balance old → new) or creates it from the empty leaf
    /// when `create`.
    fn update_circuit(create: bool) -> UpdateCircuit {
        let mut b = builder();
        let pk = b.add_virtual_hash();
        let owner: [Target; 5] = b.add_virtual_targets(5).try_into().unwrap();
        let old_bal = b.add_virtual_u64_target();
        let new_bal = b.add_virtual_u64_target();
        let nonce = b.add_virtual_u32_target();
        let index = b.add_virtual_target();
        let siblings = b.add_virtual_hashes(TREE_DEPTH);
        let old_root = b.add_virtual_hash();
        let old_leaf = if create {
            b.empty_leaf_hash()
        } else {
            b.account_leaf_hash(pk, old_bal, nonce, &owner)
        };
        let new_leaf = b.account_leaf_hash(pk, new_bal, nonce, &owner);
        let computed = b.merkle_update(old_leaf, new_leaf, index, &siblings, old_root);
        let new_root = b.add_virtual_hash();
        b.connect_hashes(computed, new_root);
        UpdateCircuit {
            data: b.build::<C>(),
            pk,
            owner,
            old_bal,
            new_bal,
            nonce,
            index,
            siblings,
            old_root,
            new_root,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn update_witness(
        c: &UpdateCircuit,
        pk: [F; 4],
        (old_bal, new_bal, nonce): (u64, u64, u32),
        index: u32,
        sibs: &[HashOut<F>],
        old_root: HashOut<F>,
        new_root: HashOut<F>,
    ) -> PartialWitness<F> {
        let mut pw = PartialWitness::new();
        pw.set_hash_target(c.pk, HashOut { elements: pk }).unwrap();
        pw.set_target_arr(&c.owner, &crate::encoding::address_limbs(&OWNER))
            .unwrap();
        for (t, v) in [(c.old_bal, old_bal), (c.new_bal, new_bal)] {
            let [lo, hi] = u64_limbs::<F>(v);
            pw.set_target(t.lo, lo).unwrap();
            pw.set_target(t.hi, hi).unwrap();
        }
        pw.set_target(c.nonce, F::from_canonical_u32(nonce))
            .unwrap();
        pw.set_target(c.index, F::from_canonical_u32(index))
            .unwrap();
        for (t, s) in c.siblings.iter().zip(sibs) {
            pw.set_hash_target(*t, *s).unwrap();
        }
        pw.set_hash_target(c.old_root, old_root).unwrap();
        pw.set_hash_target(c.new_root, new_root).unwrap();
        pw
    }

    #[test]
    fn update_matches_native_and_rejects_tampering() {
        let c = update_circuit(false);
        let mut rng = StdRng::seed_from_u64(2);
        let pk = [0; 4].map(|_| F::sample(&mut rng));
        let (index, nonce) = (0x1234_5678u32, 9u32);
        let (old_bal, new_bal) = (1_000_000u64, 999_000u64);
        let sibs = random_siblings(&mut rng);
        let old_root = native_root(native_leaf(pk, old_bal, nonce), index, &sibs);
        let new_root = native_root(native_leaf(pk, new_bal, nonce), index, &sibs);
        let w = |bals: (u64, u64, u32), idx: u32, s: &[HashOut<F>], r0, r1| {
            update_witness(&c, pk, bals, idx, s, r0, r1)
        };
        let vals = (old_bal, new_bal, nonce);
        assert!(proves(&c.data, w(vals, index, &sibs, old_root, new_root)));
        // Wrong claimed new root, wrong old balance, wrong sibling, wrong index.
        let mut bad_root = new_root;
        bad_root.elements[3] += F::ONE;
        assert!(!proves(&c.data, w(vals, index, &sibs, old_root, bad_root)));
        let bad_vals = (old_bal + 1, new_bal, nonce);
        assert!(!proves(
            &c.data,
            w(bad_vals, index, &sibs, old_root, new_root)
        ));
        let mut bad_sibs = sibs.clone();
        bad_sibs[31].elements[0] += F::ONE;
        assert!(!proves(
            &c.data,
            w(vals, index, &bad_sibs, old_root, new_root)
        ));
        assert!(!proves(
            &c.data,
            w(vals, index ^ 1, &sibs, old_root, new_root)
        ));
    }

    #[test]
    fn create_from_empty_tree() {
        let c = update_circuit(true);
        let pk = [1, 2, 3, 4].map(F::from_canonical_u64);
        let sibs = empty_siblings();
        let empty_root = native_root(HashOut::ZERO, 77, &sibs);
        // The root of the empty tree is E_32 whatever the index.
        let e32 = PoseidonHash::two_to_one(sibs[31], sibs[31]);
        assert_eq!(empty_root, e32);
        let new_root = native_root(native_leaf(pk, 5, 0), 77, &sibs);
        assert!(proves(
            &c.data,
            update_witness(&c, pk, (0, 5, 0), 77, &sibs, empty_root, new_root)
        ));
        // Claiming that a non-empty tree's root is empty fails.
        let mut bad = empty_root;
        bad.elements[1] += F::ONE;
        assert!(!proves(
            &c.data,
            update_witness(&c, pk, (0, 5, 0), 77, &sibs, bad, new_root)
        ));
    }
}
