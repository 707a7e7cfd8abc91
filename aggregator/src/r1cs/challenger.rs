//! The Fiat–Shamir transcript of `PoseidonBn254GoldilocksConfig` in R1CS: plonky2's
//! `Challenger` over `PoseidonBn254Permutation`, exactly as docs/wrap.md ("Transcript")
//! specifies, and the PLONK challenges (β, γ, α, ζ) derived from it.
//!
//! Invariant: every Goldilocks value in the sponge (observed or squeezed) is canonical, so
//! `pack` is injective and every challenge is a canonical `GoldilocksVar`.

use super::{
    ext2::Ext2Var,
    goldilocks::{GoldilocksVar, GF, P},
    vanishing::PlonkChallengesVar,
    VerifierError,
};
use crate::{config::TRANSCRIPT_RATE, poseidon_bn254::gadget::permute_var};
use ark_bn254::Fr;
use ark_r1cs_std::{
    alloc::AllocVar, boolean::Boolean, eq::EqGadget, fields::fp::FpVar, fields::FieldVar,
    prelude::ToBitsGadget, R1CSVar,
};
use ark_relations::r1cs::SynthesisError;
use plonky2::{
    field::types::{Field, PrimeField64},
    fri::FriParams,
};

/// In-circuit twin of plonky2's `Challenger<F, PoseidonBn254Hash>`.
#[derive(Clone, Debug)]
pub struct ChallengerVar {
    /// The six Goldilocks slots, as two halves of three; a half is either unpacked or still the
    /// packed permutation output (unpacked only when one of its slots is read).
    halves: [Half; 2],
    cap: FpVar<Fr>,
    input_buffer: Vec<GoldilocksVar>,
    /// plonky2's output buffer is always a prefix of the slots (`g[0..output_len]`): it is
    /// refilled with all six slots after each duplex, popped from the end, and cleared by an
    /// observation, while the slots only change at a duplex.
    output_len: usize,
}

/// Three sponge slots: unpacked, or the packed `Fr` output of the permutation whose `unpack`
/// has not been needed yet (a half fully overwritten by inputs before any read is never
/// decomposed; everything that is read is unpacked with its canonical checks).
#[derive(Clone, Debug)]
enum Half {
    Unpacked(Vec<GoldilocksVar>),
    Packed(FpVar<Fr>),
}

impl Half {
    fn unpacked(&mut self) -> Result<&mut Vec<GoldilocksVar>, SynthesisError> {
        if let Half::Packed(v) = self {
            *self = Half::Unpacked(unpack(v)?);
        }
        match self {
            Half::Unpacked(g) => Ok(g),
            Half::Packed(_) => Err(SynthesisError::Unsatisfiable),
        }
    }
}

impl Default for ChallengerVar {
    fn default() -> Self {
        Self::new()
    }
}

/// Slots per packed sponge element.
const HALF: usize = TRANSCRIPT_RATE / 2;

/// `v mod p` for a 64-bit limb given by its bits: witness bit `b` and canonical `out` with
/// `l = out + b·p` (sound since `l < 2^64 < 2p` and `out < p`).
fn limb_mod_p(bits: &[Boolean<Fr>]) -> Result<GoldilocksVar, SynthesisError> {
    let l = Boolean::le_bits_to_fp(bits)?;
    if l.is_constant() {
        let v = l.value()?;
        let x = GF::from_noncanonical_u64(fr_low_u64(v));
        return Ok(GoldilocksVar::constant(x));
    }
    let cs = l.cs();
    let lv = l.value().ok().map(fr_low_u64);
    let b = Boolean::new_witness(cs.clone(), || {
        lv.map(|x| x >= P).ok_or(SynthesisError::AssignmentMissing)
    })?;
    let out = GoldilocksVar::new_witness(cs, || {
        lv.map(GF::from_noncanonical_u64)
            .ok_or(SynthesisError::AssignmentMissing)
    })?;
    let rhs = out.fp() + FpVar::from(b) * Fr::from(P);
    l.enforce_equal(&rhs)?;
    Ok(out)
}

fn fr_low_u64(v: Fr) -> u64 {
    use ark_ff::{BigInteger, PrimeField};
    let bytes = v.into_bigint().to_bytes_le();
    u64::from_le_bytes(bytes[..8].try_into().expect("32 bytes"))
}

/// `pack(x0, x1, x2) = x0 + 2^64·x1 + 2^128·x2` of canonical limbs.
pub(crate) fn pack(limbs: &[GoldilocksVar]) -> FpVar<Fr> {
    let mut acc = FpVar::zero();
    let mut shift = Fr::from(1u8);
    let two64 = Fr::from(1u128 << 64);
    for l in limbs {
        acc += l.fp() * shift;
        shift *= two64;
    }
    acc
}

/// `unpack(v)`: the three low 64-bit limbs of canonical `v`, each reduced mod p.
fn unpack(v: &FpVar<Fr>) -> Result<Vec<GoldilocksVar>, SynthesisError> {
    let bits = v.to_bits_le()?; // canonical (< r) decomposition
    (0..3)
        .map(|i| limb_mod_p(&bits[64 * i..64 * (i + 1)]))
        .collect()
}

/// A BN254 digest as it enters the transcript: 8 canonical 32-bit limbs, least significant
/// first (the digest is decomposed canonically, `< r`).
pub fn digest_limbs(d: &FpVar<Fr>) -> Result<Vec<GoldilocksVar>, SynthesisError> {
    let bits = d.to_bits_le()?;
    let mut bits = bits;
    bits.resize(256, Boolean::FALSE);
    bits.chunks(32).map(GoldilocksVar::from_bits_le).collect()
}

impl ChallengerVar {
    /// Fresh transcript: slots 0, capacity 0.
    pub fn new() -> Self {
        let zero = || Half::Unpacked(vec![GoldilocksVar::zero(); HALF]);
        Self {
            halves: [zero(), zero()],
            cap: FpVar::zero(),
            input_buffer: Vec::new(),
            output_len: 0,
        }
    }

    fn duplex(&mut self) -> Result<(), SynthesisError> {
        let inputs: Vec<GoldilocksVar> = self.input_buffer.drain(..).collect();
        let mut packed = Vec::with_capacity(2);
        for (h, half) in self.halves.iter_mut().enumerate() {
            let ins = inputs.get(HALF * h..).unwrap_or(&[]);
            let ins = &ins[..ins.len().min(HALF)];
            if ins.len() < HALF {
                // Slots not overwritten keep their previous (output) values: unpack them.
                let g = half.unpacked()?;
                g[..ins.len()].clone_from_slice(ins);
                packed.push(pack(g));
            } else {
                *half = Half::Unpacked(ins.to_vec());
                packed.push(pack(ins));
            }
        }
        let s = permute_var(&[self.cap.clone(), packed[0].clone(), packed[1].clone()])?;
        self.cap = s[0].clone();
        self.halves = [Half::Packed(s[1].clone()), Half::Packed(s[2].clone())];
        self.output_len = TRANSCRIPT_RATE;
        Ok(())
    }

    /// Observes one element; it must be canonical (reduced here if it is not).
    pub fn observe_element(&mut self, x: &GoldilocksVar) -> Result<(), SynthesisError> {
        self.output_len = 0;
        self.input_buffer.push(x.reduce()?);
        if self.input_buffer.len() == TRANSCRIPT_RATE {
            self.duplex()?;
        }
        Ok(())
    }

    /// Observes several elements in order.
    pub fn observe_elements(&mut self, xs: &[GoldilocksVar]) -> Result<(), SynthesisError> {
        xs.iter().try_for_each(|x| self.observe_element(x))
    }

    /// Observes an extension element (both coordinates).
    pub fn observe_extension(&mut self, x: &Ext2Var) -> Result<(), SynthesisError> {
        self.observe_elements(&x.0)
    }

    /// Observes a BN254 digest (`to_vec()`: 8 limbs of 32 bits).
    pub fn observe_digest(&mut self, d: &FpVar<Fr>) -> Result<(), SynthesisError> {
        let limbs = digest_limbs(d)?;
        self.observe_elements(&limbs)
    }

    /// Observes every digest of a Merkle cap.
    pub fn observe_cap(&mut self, cap: &[FpVar<Fr>]) -> Result<(), SynthesisError> {
        cap.iter().try_for_each(|d| self.observe_digest(d))
    }

    /// Squeezes one challenge (canonical).
    pub fn get_challenge(&mut self) -> Result<GoldilocksVar, SynthesisError> {
        if !self.input_buffer.is_empty() || self.output_len == 0 {
            self.duplex()?;
        }
        self.output_len -= 1;
        let i = self.output_len;
        Ok(self.halves[i / HALF].unpacked()?[i % HALF].clone())
    }

    /// Squeezes `n` challenges.
    pub fn get_n_challenges(&mut self, n: usize) -> Result<Vec<GoldilocksVar>, SynthesisError> {
        (0..n).map(|_| self.get_challenge()).collect()
    }

    /// Squeezes an extension challenge (first squeezed value is the low coordinate).
    pub fn get_extension_challenge(&mut self) -> Result<Ext2Var, SynthesisError> {
        let a = self.get_challenge()?;
        let b = self.get_challenge()?;
        Ok(Ext2Var([a, b]))
    }

    /// Observes the FRI parameters as plonky2's `FriParams::observe` does (constants).
    pub fn observe_fri_params(&mut self, p: &FriParams) -> Result<(), SynthesisError> {
        let c = |x: u64| GoldilocksVar::constant(GF::from_canonical_u64(x));
        let mut xs = vec![
            c(p.config.rate_bits as u64),
            c(p.config.cap_height as u64),
            c(p.config.proof_of_work_bits as u64),
        ];
        xs.extend(
            p.config
                .reduction_strategy
                .serialize::<GF>()
                .into_iter()
                .map(|x| c(x.to_canonical_u64())),
        );
        xs.push(c(p.config.num_query_rounds as u64));
        xs.push(c(p.hiding as u64));
        xs.push(c(p.degree_bits as u64));
        xs.extend(p.reduction_arity_bits.iter().map(|&a| c(a as u64)));
        self.observe_elements(&xs)
    }
}

/// Derives β, γ, α, ζ as plonky2's `get_challenges` does, from the FRI parameters and
/// circuit digest (constants of the R1CS), the public-inputs hash and the three caps.
/// Returns the challenger so FRI challenges can follow (after the openings are observed).
pub fn plonk_challenges(
    fri_params: &FriParams,
    num_challenges: usize,
    circuit_digest: &FpVar<Fr>,
    public_inputs_hash: &[GoldilocksVar; 4],
    wires_cap: &[FpVar<Fr>],
    zs_partial_products_cap: &[FpVar<Fr>],
    quotient_polys_cap: &[FpVar<Fr>],
) -> Result<(PlonkChallengesVar, ChallengerVar), VerifierError> {
    let mut ch = ChallengerVar::new();
    ch.observe_fri_params(fri_params)?;
    ch.observe_digest(circuit_digest)?;
    ch.observe_elements(public_inputs_hash)?;
    ch.observe_cap(wires_cap)?;
    let betas = ch.get_n_challenges(num_challenges)?;
    let gammas = ch.get_n_challenges(num_challenges)?;
    ch.observe_cap(zs_partial_products_cap)?;
    let alphas = ch.get_n_challenges(num_challenges)?;
    ch.observe_cap(quotient_polys_cap)?;
    let zeta = ch.get_extension_challenge()?;
    Ok((
        PlonkChallengesVar {
            betas,
            gammas,
            alphas,
            zeta,
        },
        ch,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        config::PoseidonBn254GoldilocksConfig,
        r1cs::{
            circuit::CheckedVerifierData,
            public_inputs::{alloc_public_inputs, hash_no_pad},
            vanishing::{check_vanishing, OpeningSetVar},
        },
    };
    use ark_relations::r1cs::{ConstraintSystem, ConstraintSystemRef};
    use plonky2::{
        iop::witness::{PartialWitness, WitnessWrite},
        plonk::{
            circuit_builder::CircuitBuilder,
            circuit_data::{CircuitConfig, CircuitData},
            proof::ProofWithPublicInputs,
        },
    };
    use std::sync::OnceLock;

    type C = PoseidonBn254GoldilocksConfig;

    struct Fixture {
        data: CircuitData<GF, C, 2>,
        proof: ProofWithPublicInputs<GF, C, 2>,
    }

    fn fixture() -> &'static Fixture {
        static F: OnceLock<Fixture> = OnceLock::new();
        F.get_or_init(|| {
            let mut b = CircuitBuilder::<GF, 2>::new(CircuitConfig::standard_recursion_config());
            let x = b.add_virtual_target();
            let y = b.add_virtual_target();
            let z = b.mul(x, y);
            let w = b.add(z, y);
            b.register_public_input(x);
            b.register_public_input(w);
            for i in 0..9u64 {
                let t = b.add_const(w, GF::from_canonical_u64(i));
                b.register_public_input(t);
            }
            let data = b.build::<C>();
            let mut pw = PartialWitness::new();
            pw.set_target(x, GF::from_canonical_u64(3)).unwrap();
            pw.set_target(y, GF::NEG_ONE).unwrap();
            let proof = data.prove(pw).unwrap();
            data.verify(proof.clone()).unwrap();
            Fixture { data, proof }
        })
    }

    fn caps(
        cs: &ConstraintSystemRef<Fr>,
        cap: &plonky2::hash::merkle_tree::MerkleCap<GF, crate::config::PoseidonBn254Hash>,
    ) -> Vec<FpVar<Fr>> {
        cap.0
            .iter()
            .map(|h| FpVar::new_witness(cs.clone(), || Ok(h.to_fr().unwrap())).unwrap())
            .collect()
    }

    /// Runs the PLONK part with in-circuit transcript and public-input hash; returns
    /// (satisfied, in-circuit ζ value).
    fn run(proof: &ProofWithPublicInputs<GF, C, 2>) -> (bool, Ext2Var) {
        let f = fixture();
        let vd =
            CheckedVerifierData::<C>::new(f.data.common.clone(), f.data.verifier_only.clone(), &[])
                .unwrap();
        let common = &vd.common;
        let cs = ConstraintSystem::<Fr>::new_ref();
        let pis = alloc_public_inputs(cs.clone(), &proof.public_inputs).unwrap();
        let pi_hash = hash_no_pad(&pis).unwrap();
        let digest = FpVar::constant(vd.verifier_only.circuit_digest.to_fr().unwrap());
        let p = &proof.proof;
        let (chv, _) = plonk_challenges(
            &common.fri_params,
            common.config.num_challenges,
            &digest,
            &pi_hash,
            &caps(&cs, &p.wires_cap),
            &caps(&cs, &p.plonk_zs_partial_products_cap),
            &caps(&cs, &p.quotient_polys_cap),
        )
        .unwrap();
        let ov = OpeningSetVar::new_witness(cs.clone(), &p.openings, common).unwrap();
        check_vanishing(common, &ov, &chv, &pi_hash).unwrap();
        (cs.is_satisfied().unwrap(), chv.zeta)
    }

    #[test]
    fn transcript_matches_plonky2_and_plonk_checks_pass() {
        let f = fixture();
        let native = f
            .proof
            .get_challenges(
                f.proof.get_public_inputs_hash(),
                &f.data.verifier_only.circuit_digest,
                &f.data.common,
            )
            .unwrap();
        let cs = ConstraintSystem::<Fr>::new_ref();
        let pis = alloc_public_inputs(cs.clone(), &f.proof.public_inputs).unwrap();
        let h = hash_no_pad(&pis).unwrap();
        for (a, b) in h.iter().zip(f.proof.get_public_inputs_hash().elements) {
            assert_eq!(a.value().unwrap(), b);
        }
        let (ok, zeta) = run(&f.proof);
        assert!(ok);
        assert_eq!(zeta.value().unwrap(), native.plonk_zeta);
    }

    #[test]
    fn tampered_public_input_rejected() {
        let f = fixture();
        let mut p = f.proof.clone();
        p.public_inputs[1] += GF::ONE;
        assert!(!run(&p).0);
    }

    #[test]
    fn tampered_cap_rejected() {
        let f = fixture();
        let mut p = f.proof.clone();
        let h = p.proof.wires_cap.0[0].to_fr().unwrap() + Fr::from(1u8);
        p.proof.wires_cap.0[0] = crate::config::PoseidonBn254HashOut::from_fr(h);
        assert!(!run(&p).0);
    }
}
