//! The top step (`docs/recursion.md` "Top step"): verifies the root aggregate proof and
//! exposes the batch's public-input digest (`docs/formats.md` §5) as 8 big-endian u32 words,
//! word 0's top 3 bits cleared, so the 256-bit value is `< 2^253 < r_BN254`.
//!
//! Over the root statement `s` and the batch's records, effects, blob versioned hash and the
//! operator's leaf (the [`TopWitness`]) the circuit
//!
//! 1. requires `s` to start at zero (`dc`, `ec`, counters, fees), recomputes `dc` over the
//!    first `records_out` records and `ec` over the first `effect_count_out` effects and
//!    connects them to `s.data_out`, `s.effects_out`; slots after the counts must be zero,
//!    and the counts are at most the slots (`records_out ≤ capacity`,
//!    `effect_count_out ≤ max_effects`);
//! 2. hashes the first `effect_count_out` effects with SHA-256 (`effects_hash`);
//! 3. packs the header and the records into blob elements ([`blob_data`]), computes
//!    `x = H(dc ‖ versioned_hash)` and `y = p(x)` over `1 + ⌈capacity/2⌉` elements;
//! 4. credits `s.fees_out` to the operator's leaf under `s.new_root` (skipped iff the sum is
//!    0), the balance staying `< 2^64`: the final root;
//! 5. exposes `sha256(chain_id ‖ rollup ‖ old_root ‖ final_root ‖ effects_hash ‖
//!    versioned_hash ‖ x ‖ y)`, masked.
//!
//! The native twin is [`expected_digest_words`] / [`top_values`].

pub mod blob_data;
pub mod native;

use crate::aggregate::panic_message;
use crate::{CircuitData, Proof, ProverError, Statement, StatementTarget, C, D, F};
use blob_data::{
    header_constant, set_placed, set_record, CircuitBuilderBlobData, PlacedTarget, RecordTarget,
    HEADER_COUNT, HEADER_OPERATOR, HIGH_RECORD_OFFSET,
};
use num_bigint::BigUint;
use plonky2::field::types::{Field, PrimeField64};
use plonky2::hash::hash_types::HashOutTarget;
use plonky2::hash::poseidon::PoseidonHash;
use plonky2::iop::target::{BoolTarget, Target};
use plonky2::iop::witness::{PartialWitness, WitnessWrite};
use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::circuit_data::{CircuitConfig, CommonCircuitData, VerifierOnlyCircuitData};
use plonky2::plonk::proof::ProofWithPublicInputsTarget;
use zkroll_circuits::da::{MAX_BATCH_RECORDS, MAX_EFFECTS};
use zkroll_circuits::encoding::address_limbs;
use zkroll_circuits::gadgets::blob::CircuitBuilderBlob;
use zkroll_circuits::gadgets::bls_fr::CircuitBuilderBlsFr;
use zkroll_circuits::gadgets::merkle::{CircuitBuilderMerkle, TREE_DEPTH};
use zkroll_circuits::gadgets::range::{u64_limbs, CircuitBuilderRange, U64Target};
use zkroll_circuits::gadgets::sha256::CircuitBuilderSha256;

pub use native::{
    check_sizes, expected_digest_words, top_values, OperatorCredit, TopError, TopValues,
    TopWitness, PREIMAGE_LEN,
};

/// Number of public inputs of the top circuit: the digest as 8 big-endian u32 words.
pub const DIGEST_WORDS: usize = 8;

/// Rows each part of the top circuit adds while it is built (gates before padding to a
/// power of two): what the figures in `docs/recursion.md` break down.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TopBreakdown {
    /// Verifying the root aggregate proof.
    pub root_verification: usize,
    /// Counters, record slots (with their placed pieces) and the `dc`, `ec` chains.
    pub chains: usize,
    /// SHA-256 of the effects list.
    pub effects_sha: usize,
    /// Blob elements, evaluation point and `y = p(x)`.
    pub blob: usize,
    /// The operator credit (two Merkle paths, checked addition).
    pub credit: usize,
    /// The digest preimage and its SHA-256.
    pub digest: usize,
}

/// The operator's leaf and path in circuit.
struct CreditTargets {
    pkhash: HashOutTarget,
    balance: U64Target,
    nonce: Target,
    owner: [Target; 5],
    siblings: Vec<HashOutTarget>,
}

/// The top circuit for one root circuit (one tree height) and capacity.
///
/// Invariant: a proof of it attests a valid proof of exactly the root circuit given at build
/// time whose statement starts at zero, and records, effects and an operator leaf that
/// satisfy steps 1–5 of the module doc; its public inputs are the 8 digest words, each
/// `< 2^32`, word 0 `< 2^29`.
pub struct TopCircuit {
    /// The built circuit.
    pub data: CircuitData,
    /// Record slots (`k·2^height`).
    pub capacity: usize,
    /// Effect slots.
    pub max_effects: usize,
    /// Rows per part, measured while building.
    pub breakdown: TopBreakdown,
    root: ProofWithPublicInputsTarget<D>,
    record_active: Vec<BoolTarget>,
    records: Vec<RecordTarget>,
    effect_active: Vec<BoolTarget>,
    effects: Vec<[Target; 16]>,
    header_operator: PlacedTarget,
    header_count: PlacedTarget,
    versioned_hash: [Target; 8],
    credit: CreditTargets,
}

/// `n` boolean flags with `flag_i = (i < count)`: non-increasing, summing to `count`, so
/// `count ≤ n` is enforced. The prover sets them ([`set_prefix_flags`]).
fn prefix_flags(b: &mut CircuitBuilder<F, D>, n: usize, count: Target) -> Vec<BoolTarget> {
    let flags: Vec<BoolTarget> = (0..n).map(|_| b.add_virtual_bool_target_safe()).collect();
    for w in flags.windows(2) {
        // flag_{i+1} ⇒ flag_i
        let both = b.mul(w[0].target, w[1].target);
        b.connect(both, w[1].target);
    }
    let sum = b.add_many(flags.iter().map(|f| f.target));
    b.connect(sum, count);
    flags
}

fn set_prefix_flags(
    pw: &mut PartialWitness<F>,
    flags: &[BoolTarget],
    count: usize,
) -> Result<(), ProverError> {
    for (i, f) in flags.iter().enumerate() {
        pw.set_bool_target(*f, i < count).map_err(proving)?;
    }
    Ok(())
}

fn proving(e: impl std::fmt::Display) -> ProverError {
    ProverError::Proving(e.to_string())
}

/// `value · (1 − flag) = 0`: the value must be zero where the flag is off.
fn zero_unless(b: &mut CircuitBuilder<F, D>, flag: BoolTarget, value: Target) {
    let kept = b.mul(flag.target, value);
    b.connect(kept, value);
}

fn select_hash(
    b: &mut CircuitBuilder<F, D>,
    cond: BoolTarget,
    x: HashOutTarget,
    y: HashOutTarget,
) -> HashOutTarget {
    HashOutTarget {
        elements: std::array::from_fn(|i| b.select(cond, x.elements[i], y.elements[i])),
    }
}

fn hash_of(limbs: &[Target]) -> HashOutTarget {
    HashOutTarget {
        elements: limbs.try_into().expect("4 limbs"),
    }
}

impl TopCircuit {
    /// Builds the top circuit over the root aggregation circuit (its verifier data become
    /// constants) for `capacity` record slots (`k·2^height`, at most 8 190) and
    /// `max_effects` effect slots (at most `MAX_EFFECTS`).
    pub fn build(
        root_common: &CommonCircuitData<F, D>,
        root_verifier: &VerifierOnlyCircuitData<C, D>,
        capacity: usize,
        max_effects: usize,
    ) -> Result<Self, ProverError> {
        if root_common.num_public_inputs != crate::STATEMENT_LEN {
            return Err(ProverError::BadLeafCircuit(root_common.num_public_inputs));
        }
        if capacity == 0 {
            return Err(ProverError::InvalidStatement(
                "a top circuit needs at least one record slot".into(),
            ));
        }
        if capacity > MAX_BATCH_RECORDS {
            return Err(TopError::TooManyRecords {
                count: capacity,
                capacity: MAX_BATCH_RECORDS,
            }
            .into());
        }
        if max_effects > MAX_EFFECTS {
            return Err(TopError::TooManyEffects {
                count: max_effects,
                max: MAX_EFFECTS,
            }
            .into());
        }
        let _span = tracing::info_span!("build_top", capacity, max_effects).entered();
        let mut b = CircuitBuilder::<F, D>::new(CircuitConfig::standard_recursion_config());
        let mut mark = 0;
        let mut part = |b: &CircuitBuilder<F, D>| {
            let n = b.num_gates();
            let d = n - mark;
            mark = n;
            d
        };
        let mut breakdown = TopBreakdown::default();

        // The root proof.
        let vd = b.constant_verifier_data(root_verifier);
        let root = b.add_virtual_proof_with_pis(root_common);
        b.verify_proof::<C>(&root, &vd, root_common);
        let s = StatementTarget::from_slice(&root.public_inputs)?;
        breakdown.root_verification = part(&b);

        // 1. Start at zero; counters; record slots and dc; effect slots and ec.
        for &t in s
            .data_in()
            .iter()
            .chain(s.effects_in())
            .chain(s.fees_in())
            .chain([s.limbs[32], s.limbs[34]].iter())
        {
            b.assert_zero(t);
        }
        let record_active = prefix_flags(&mut b, capacity, s.records_out());
        let mut records = Vec::with_capacity(capacity);
        let mut dc = HashOutTarget::from_partial(&[], b.zero());
        for (i, &active) in record_active.iter().enumerate() {
            let base = if i % 2 == 0 { HIGH_RECORD_OFFSET } else { 0 };
            let r = b.add_virtual_record(base);
            for v in r.values() {
                zero_unless(&mut b, active, v);
            }
            let mut input = dc.elements.to_vec();
            input.extend(r.chain_input(&mut b));
            let next = b.hash_n_to_hash_no_pad::<PoseidonHash>(input);
            dc = select_hash(&mut b, active, next, dc);
            records.push(r);
        }
        for (&a, &c) in dc.elements.iter().zip(s.data_out()) {
            b.connect(a, c);
        }
        let effect_active = prefix_flags(&mut b, max_effects, s.effect_count_out());
        let mut effects = Vec::with_capacity(max_effects);
        let mut ec = HashOutTarget::from_partial(&[], b.zero());
        for &active in &effect_active {
            let words: [Target; 16] = b.add_virtual_target_arr();
            for &w in &words {
                zero_unless(&mut b, active, w);
            }
            let mut input = ec.elements.to_vec();
            input.extend(words);
            let next = b.hash_n_to_hash_no_pad::<PoseidonHash>(input);
            ec = select_hash(&mut b, active, next, ec);
            effects.push(words);
        }
        for (&a, &c) in ec.elements.iter().zip(s.effects_out()) {
            b.connect(a, c);
        }
        breakdown.chains = part(&b);

        // 2. effects_hash (the compression range-checks every word < 2^32).
        let mut st = b.sha256_iv();
        for (words, &active) in effects.iter().zip(&effect_active) {
            st = b.sha256_maybe_compress(active, &st, words);
        }
        let st = b.sha256_finalize_blocks(&st, s.effect_count_out());
        let effects_hash = b.sha256_digest_bytes(&st);
        breakdown.effects_sha = part(&b);

        // 3. Blob elements, x, y.
        let header_operator = b.place(s.operator(), HEADER_OPERATOR);
        let header_count = b.place(s.records_out(), HEADER_COUNT);
        let mut elements =
            vec![b.blob_element(&[&header_operator, &header_count], &header_constant())];
        for pair in records.chunks(2) {
            let fields: Vec<&PlacedTarget> = pair.iter().flat_map(|r| r.fields.iter()).collect();
            elements.push(b.blob_element(&fields, &BigUint::ZERO));
        }
        let versioned_hash: [Target; 8] = b.add_virtual_target_arr();
        let x = b.blob_challenge(hash_of(s.data_out()), &versioned_hash);
        let y = b.blob_evaluate(&elements, &x);
        breakdown.blob = part(&b);

        // 4. The operator credit.
        let fees = U64Target {
            lo: s.fees_out()[0],
            hi: s.fees_out()[1],
        };
        let zero = b.zero();
        let lo_zero = b.is_equal(fees.lo, zero);
        let hi_zero = b.is_equal(fees.hi, zero);
        let no_fees = b.and(lo_zero, hi_zero);
        let credit_on = b.not(no_fees);
        let credit = CreditTargets {
            pkhash: b.add_virtual_hash(),
            balance: b.add_virtual_u64_target(),
            nonce: b.add_virtual_target(),
            owner: b.add_virtual_target_arr(),
            siblings: b.add_virtual_hashes(TREE_DEPTH),
        };
        let old_leaf =
            b.account_leaf_hash(credit.pkhash, credit.balance, credit.nonce, &credit.owner);
        let bits = b.merkle_index_bits(s.operator());
        let opened = b.verify_merkle_path(old_leaf, &bits, &credit.siblings);
        for (&o, &n) in opened.elements.iter().zip(s.new_root()) {
            let diff = b.sub(o, n);
            let gated = b.mul(credit_on.target, diff);
            b.assert_zero(gated);
        }
        let balance = b.add_u64_checked(credit.balance, fees);
        let new_leaf = b.account_leaf_hash(credit.pkhash, balance, credit.nonce, &credit.owner);
        let credited = b.verify_merkle_path(new_leaf, &bits, &credit.siblings);
        let final_root = select_hash(&mut b, credit_on, credited, hash_of(s.new_root()));
        breakdown.credit = part(&b);

        // 5. The digest.
        let mut msg: Vec<Target> = Vec::with_capacity(PREIMAGE_LEN);
        let chain = s.chain();
        msg.extend(b.u64_to_be_bytes(U64Target {
            lo: chain[0],
            hi: chain[1],
        }));
        for &w in &chain[2..7] {
            msg.extend(b.u32_to_be_bytes(w));
        }
        for &limb in s.old_root().iter().chain(&final_root.elements) {
            msg.extend(b.split_field_be_bytes(limb));
        }
        msg.extend(effects_hash);
        for &w in &versioned_hash {
            msg.extend(b.u32_to_be_bytes(w));
        }
        for v in [x, y] {
            for w in b.bls_fr_to_be_u32_words(&v) {
                msg.extend(b.u32_to_be_bytes(w));
            }
        }
        debug_assert_eq!(msg.len(), PREIMAGE_LEN);
        let d = b.sha256(&msg);
        // Word 0 < 2^32 (SHA output); keep its low 29 bits.
        let word0_bits = b.range_check_u32(d[0]);
        let mut words = d;
        words[0] = b.le_sum(word0_bits[..29].iter());
        for &w in &words[1..] {
            b.range_check_u32(w);
        }
        b.register_public_inputs(&words);
        breakdown.digest = part(&b);

        let data = b.build::<C>();
        tracing::info!(
            degree_bits = data.common.degree_bits(),
            capacity,
            "top circuit built"
        );
        Ok(TopCircuit {
            data,
            capacity,
            max_effects,
            breakdown,
            root,
            record_active,
            records,
            effect_active,
            effects,
            header_operator,
            header_count,
            versioned_hash,
            credit,
        })
    }

    /// Number of rows (`2^degree_bits`) of the circuit.
    pub fn rows(&self) -> usize {
        1 << self.data.common.degree_bits()
    }

    /// Proves the top step over a proof of the root circuit with witness `w`, without the
    /// native checks of [`top_values`] (the circuit refuses what they refuse: proving fails).
    /// Errors (typed, never a panic) if `w` does not fit the circuit's slots, the root
    /// proof's public inputs are not a statement, or proving fails.
    pub fn prove(&self, root_proof: &Proof, w: &TopWitness) -> Result<Proof, ProverError> {
        check_sizes(w, self.capacity, self.max_effects)?;
        let s = Statement::from_limbs(&root_proof.public_inputs)?;
        let mut pw = PartialWitness::new();
        pw.set_proof_with_pis_target(&self.root, root_proof)
            .map_err(proving)?;
        set_prefix_flags(&mut pw, &self.record_active, s.records_out as usize)?;
        for (i, slot) in self.records.iter().enumerate() {
            set_record(&mut pw, slot, w.records.get(i))?;
        }
        set_prefix_flags(&mut pw, &self.effect_active, s.effect_count_out as usize)?;
        for (i, slot) in self.effects.iter().enumerate() {
            let words = w.effects.get(i).map(|e| e.words()).unwrap_or_default();
            for (&t, v) in slot.iter().zip(words) {
                pw.set_target(t, F::from_canonical_u32(v))
                    .map_err(proving)?;
            }
        }
        set_placed(&mut pw, &self.header_operator, u64::from(s.operator))?;
        set_placed(&mut pw, &self.header_count, u64::from(s.records_out))?;
        for (&t, c) in self.versioned_hash.iter().zip(w.versioned_hash.chunks(4)) {
            let v = u32::from_be_bytes(c.try_into().expect("4 bytes"));
            pw.set_target(t, F::from_canonical_u32(v))
                .map_err(proving)?;
        }
        self.set_credit(&mut pw, w.operator_credit.as_ref())?;
        let data = &self.data;
        // plonky2 may panic inside witness generation on an inconsistent witness (a failed
        // `connect`); turn that into a typed error.
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| data.prove(pw)))
            .map_err(|p| ProverError::Proving(panic_message(&p)))?
            .map_err(proving)
    }

    fn set_credit(
        &self,
        pw: &mut PartialWitness<F>,
        credit: Option<&OperatorCredit>,
    ) -> Result<(), ProverError> {
        let c = &self.credit;
        let (account, siblings) = match credit {
            Some(oc) => (oc.account, oc.siblings.to_vec()),
            None => (
                zkroll_circuits::state::Account::new(Default::default(), [0; 20]),
                vec![Default::default(); TREE_DEPTH],
            ),
        };
        pw.set_hash_target(c.pkhash, account.pkhash)
            .map_err(proving)?;
        let [lo, hi] = u64_limbs::<F>(account.balance);
        pw.set_target(c.balance.lo, lo).map_err(proving)?;
        pw.set_target(c.balance.hi, hi).map_err(proving)?;
        pw.set_target(c.nonce, F::from_canonical_u32(account.nonce))
            .map_err(proving)?;
        pw.set_target_arr(&c.owner, &address_limbs(&account.owner))
            .map_err(proving)?;
        for (&t, h) in c.siblings.iter().zip(siblings) {
            pw.set_hash_target(t, h).map_err(proving)?;
        }
        Ok(())
    }

    /// Verifies a top proof and returns its digest words.
    pub fn verify(&self, proof: &Proof) -> Result<[u32; DIGEST_WORDS], ProverError> {
        self.data
            .verify(proof.clone())
            .map_err(|e| ProverError::Verification(e.to_string()))?;
        words_of(&proof.public_inputs)
    }
}

/// The digest words exposed by a top proof's public inputs (checked: 8 limbs, u32 each).
pub fn words_of(public_inputs: &[F]) -> Result<[u32; DIGEST_WORDS], ProverError> {
    if public_inputs.len() != DIGEST_WORDS {
        return Err(ProverError::Verification(format!(
            "top proof has {} public inputs, expected {DIGEST_WORDS}",
            public_inputs.len()
        )));
    }
    let mut out = [0u32; DIGEST_WORDS];
    for (o, x) in out.iter_mut().zip(public_inputs) {
        *o = u32::try_from(x.to_canonical_u64())
            .map_err(|_| ProverError::Verification("digest word out of range".into()))?;
    }
    Ok(out)
}

/// The 32 big-endian bytes of digest words (the Groth16 public input of formats.md §5).
pub fn digest_value_bytes(words: &[u32; DIGEST_WORDS]) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (c, w) in out.chunks_exact_mut(4).zip(words) {
        c.copy_from_slice(&w.to_be_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_of_rejects_wrong_length_and_out_of_range_limbs() {
        let ok: Vec<F> = (0..8).map(F::from_canonical_u64).collect();
        assert_eq!(words_of(&ok).unwrap(), [0, 1, 2, 3, 4, 5, 6, 7]);
        assert!(words_of(&ok[..7]).is_err());
        let mut big = ok.clone();
        big[5] = F::from_canonical_u64(1 << 32);
        assert!(words_of(&big).is_err());
    }
}
