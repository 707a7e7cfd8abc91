//! The top step: verifies the root aggregate proof of a whole batch and exposes only the
//! public-input digest of `docs/formats.md` §5 (8 big-endian u32 words, top 3 bits cleared).
//!
//! In circuit: the root proof is verified against the root circuit's verifier data (constants);
//! its statement must start the pubdata hash (`sha_in = IV`, `blocks_in = 0`); the chain is
//! finalized for a block-aligned message of `blocks_out · 64` bytes, giving `sha256(pubdata)`;
//! then `digest_bytes = sha256(chain_id u64 BE ‖ rollup ‖ old_root ‖ new_root ‖ pubdata_hash)`
//! with the roots encoded canonically (a limb `≥ p` has no encoding), and word 0's top 3 bits
//! are dropped. The native twin is [`expected_digest_words`].

use crate::aggregate::panic_message;
use crate::statement::SHA256_IV;
use crate::{CircuitData, Proof, ProverError, Statement, StatementTarget, C, D, F};
use plonky2::iop::target::Target;
use plonky2::iop::witness::{PartialWitness, WitnessWrite};
use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::circuit_data::{CircuitConfig, CommonCircuitData, VerifierOnlyCircuitData};
use plonky2::plonk::proof::ProofWithPublicInputsTarget;
use zkroll_circuits::gadgets::range::{CircuitBuilderRange, U64Target};
use zkroll_circuits::gadgets::sha256::native;
use zkroll_circuits::gadgets::sha256::CircuitBuilderSha256;

/// Number of public inputs of the top circuit: the digest as 8 big-endian u32 words.
pub const DIGEST_WORDS: usize = 8;

/// Length of the digest preimage: chain id (8) ‖ rollup (20) ‖ two roots (64) ‖ hash (32).
const PREIMAGE_LEN: usize = 8 + 20 + 32 + 32 + 32;

/// The top circuit for one root circuit (one tree height).
///
/// Invariant: a proof of it attests a valid proof of exactly the root circuit given at build
/// time whose statement has `sha_in = IV`, `blocks_in = 0`, and its public inputs are the 8
/// words of that statement's digest (formats.md §5), each `< 2^32`, word 0 `< 2^29`.
pub struct TopCircuit {
    /// The built circuit.
    pub data: CircuitData,
    root: ProofWithPublicInputsTarget<D>,
}

impl TopCircuit {
    /// Builds the top circuit over the root aggregation circuit `root` (e.g.
    /// `&prover.aggregation(height)?.data`).
    pub fn build(root: &CircuitData) -> Result<Self, ProverError> {
        Self::build_from_parts(&root.common, &root.verifier_only)
    }

    /// [`TopCircuit::build`] from the root circuit's common and verifier-only data.
    pub fn build_from_parts(
        root_common: &CommonCircuitData<F, D>,
        root_verifier: &VerifierOnlyCircuitData<C, D>,
    ) -> Result<Self, ProverError> {
        if root_common.num_public_inputs != crate::STATEMENT_LEN {
            return Err(ProverError::BadLeafCircuit(root_common.num_public_inputs));
        }
        let _span = tracing::info_span!("build_top").entered();
        let mut b = CircuitBuilder::<F, D>::new(CircuitConfig::standard_recursion_config());
        let vd = b.constant_verifier_data(root_verifier);
        let root = b.add_virtual_proof_with_pis(root_common);
        b.verify_proof::<C>(&root, &vd, root_common);
        let s = StatementTarget::from_slice(&root.public_inputs)?;
        let words = digest_words_circuit(&mut b, &s);
        b.register_public_inputs(&words);
        let data = b.build::<C>();
        tracing::info!(degree_bits = data.common.degree_bits(), "top circuit built");
        Ok(TopCircuit { data, root })
    }

    /// Number of rows (`2^degree_bits`) of the circuit.
    pub fn rows(&self) -> usize {
        1 << self.data.common.degree_bits()
    }

    /// Proves the top step over a proof of the root circuit. Fails (never panics) if the
    /// proof does not verify or its statement does not start at `sha_in = IV`,
    /// `blocks_in = 0`.
    pub fn prove(&self, root_proof: &Proof) -> Result<Proof, ProverError> {
        let mut pw = PartialWitness::new();
        pw.set_proof_with_pis_target(&self.root, root_proof)
            .map_err(|e| ProverError::Proving(e.to_string()))?;
        let data = &self.data;
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| data.prove(pw)))
            .map_err(|p| ProverError::Proving(panic_message(&p)))?
            .map_err(|e| ProverError::Proving(e.to_string()))
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
    use plonky2::field::types::PrimeField64;
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

/// The in-circuit digest of a statement: enforces `sha_in = IV`, `blocks_in = 0` and returns
/// the 8 digest words (range-checked; word 0 `< 2^29`).
fn digest_words_circuit(b: &mut CircuitBuilder<F, D>, s: &StatementTarget) -> [Target; 8] {
    let iv = b.sha256_iv();
    for (a, c) in s.sha_in().iter().zip(iv) {
        b.connect(*a, c);
    }
    b.assert_zero(s.blocks_in());
    let sha_out: [Target; 8] = s.sha_out().try_into().expect("8 sha words");
    let fin = b.sha256_finalize_blocks(&sha_out, s.blocks_out());
    let pubdata_hash = b.sha256_digest_bytes(&fin);

    let mut msg: Vec<Target> = Vec::with_capacity(PREIMAGE_LEN);
    let chain = s.chain();
    msg.extend(b.u64_to_be_bytes(U64Target {
        lo: chain[0],
        hi: chain[1],
    }));
    for &w in &chain[2..7] {
        msg.extend(b.u32_to_be_bytes(w));
    }
    for &limb in s.old_root().iter().chain(s.new_root()) {
        msg.extend(b.split_field_be_bytes(limb));
    }
    msg.extend(pubdata_hash);
    debug_assert_eq!(msg.len(), PREIMAGE_LEN);
    let d = b.sha256(&msg);

    // Word 0 < 2^32 (SHA output); keep its low 29 bits.
    let bits = b.range_check_u32(d[0]);
    let mut out = d;
    out[0] = b.le_sum(bits[..29].iter());
    for &w in &out[1..] {
        b.range_check_u32(w);
    }
    out
}

/// The native digest words of a batch statement: `digest_bytes` of formats.md §5 as 8
/// big-endian u32 words, word 0's top 3 bits cleared. `sha_out` is the chaining value after
/// the `blocks_out` 64-byte pubdata blocks. Fails unless `sha_in = IV`, `blocks_in = 0` and
/// every limb is canonical — exactly the statements the top circuit accepts.
pub fn expected_digest_words(s: &Statement) -> Result<[u32; DIGEST_WORDS], ProverError> {
    s.check_canonical()?;
    if s.sha_in != SHA256_IV || s.blocks_in != 0 {
        return Err(ProverError::InvalidStatement(
            "the top step needs sha_in = IV and blocks_in = 0".into(),
        ));
    }
    let len = u64::from(s.blocks_out) * 64;
    let fin = native::compress_blocks(s.sha_out, &native::padding(len));
    let mut pre = Vec::with_capacity(PREIMAGE_LEN);
    pre.extend(s.chain_id.to_be_bytes());
    for w in s.rollup {
        pre.extend(w.to_be_bytes());
    }
    for l in s.old_root.iter().chain(&s.new_root) {
        pre.extend(l.to_be_bytes());
    }
    pre.extend(native::digest_bytes(fin));
    let d = native::sha256(&pre);
    let mut out: [u32; 8] =
        std::array::from_fn(|i| u32::from_be_bytes(d[4 * i..4 * i + 4].try_into().unwrap()));
    out[0] &= 0x1fff_ffff;
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
    use plonky2::field::types::{Field, PrimeField64};
    use plonky2::hash::hash_types::HashOut;
    use zkroll_circuits::tx::Domain;

    fn statement_for(pubdata: &[u8]) -> (Statement, Domain, HashOut<F>, HashOut<F>) {
        let domain = Domain {
            chain_id: 0x0102_0304_0506_0708,
            rollup: std::array::from_fn(|i| 0xa0 + i as u8),
        };
        let old = HashOut {
            elements: [F::from_canonical_u64(1), F::NEG_ONE, F::ZERO, F::TWO],
        };
        let new = HashOut {
            elements: [
                F::from_canonical_u64(0xdead_beef_0000_0001),
                F::ONE,
                F::ZERO,
                F::ONE,
            ],
        };
        let rollup: [u32; 5] = std::array::from_fn(|i| {
            u32::from_be_bytes(domain.rollup[4 * i..4 * i + 4].try_into().unwrap())
        });
        let limbs = |h: &HashOut<F>| h.elements.map(|e| e.to_canonical_u64());
        let s = Statement {
            chain_id: domain.chain_id,
            rollup,
            old_root: limbs(&old),
            new_root: limbs(&new),
            sha_in: SHA256_IV,
            sha_out: native::compress_blocks(SHA256_IV, pubdata),
            blocks_in: 0,
            blocks_out: (pubdata.len() / 64) as u32,
        };
        (s, domain, old, new)
    }

    #[test]
    fn native_digest_words_match_the_executor_digest() {
        for blocks in [0usize, 1, 3] {
            let pubdata: Vec<u8> = (0..64 * blocks).map(|i| (i * 7 + blocks) as u8).collect();
            let (s, domain, old, new) = statement_for(&pubdata);
            let words = expected_digest_words(&s).unwrap();
            let d = zkroll_circuits::digest::digest(&domain, &old, &new, &pubdata);
            assert_eq!(digest_value_bytes(&words), d.value, "{blocks} blocks");
        }
    }

    #[test]
    fn native_digest_words_refuse_a_statement_not_starting_the_hash() {
        let (mut s, ..) = statement_for(&[0u8; 64]);
        s.blocks_in = 1;
        assert!(expected_digest_words(&s).is_err());
        let (mut s, ..) = statement_for(&[0u8; 64]);
        s.sha_in[3] ^= 1;
        assert!(expected_digest_words(&s).is_err());
    }

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
