//! Verifier data of the plonky2 circuit being verified, fixed as constants of the R1CS. The
//! circuit digest is never trusted: it is recomputed from the constants/sigmas cap and the
//! degree, exactly as plonky2's `CircuitBuilder::build` derives it.

use super::{goldilocks::GF, VerifierError};
use plonky2::{
    hash::hash_types::HashOut,
    plonk::{
        circuit_data::{CommonCircuitData, VerifierOnlyCircuitData},
        config::{GenericConfig, Hasher},
    },
};

/// Recomputes plonky2's circuit digest: `H(cap ‖ H_pad(domain_separator) ‖ degree_bits)`.
pub fn recompute_circuit_digest<C: GenericConfig<2, F = GF>>(
    verifier_only: &VerifierOnlyCircuitData<C, 2>,
    common: &CommonCircuitData<GF, 2>,
    domain_separator: &[GF],
) -> <C::Hasher as Hasher<GF>>::Hash {
    use plonky2::field::types::Field;
    use plonky2::plonk::config::GenericHashOut;
    let sep = C::Hasher::hash_pad(domain_separator);
    let mut parts = verifier_only.constants_sigmas_cap.flatten();
    parts.extend(sep.to_vec());
    parts.push(GF::from_canonical_usize(common.degree_bits()));
    C::Hasher::hash_no_pad(&parts)
}

/// Verifier data accepted as R1CS constants. Invariant: `verifier_only.circuit_digest` equals
/// the digest recomputed from its cap and `common`'s degree, and `common` has no lookups.
#[derive(Debug)]
pub struct CheckedVerifierData<C: GenericConfig<2, F = GF>> {
    /// Common circuit data (gates, selectors, FRI parameters, …).
    pub common: CommonCircuitData<GF, 2>,
    /// Constants/sigmas cap and circuit digest.
    pub verifier_only: VerifierOnlyCircuitData<C, 2>,
}

impl<C: GenericConfig<2, F = GF>> CheckedVerifierData<C> {
    /// Checks the digest against the cap (domain separator as given to the builder, empty by
    /// default) and rejects circuits with lookups.
    pub fn new(
        common: CommonCircuitData<GF, 2>,
        verifier_only: VerifierOnlyCircuitData<C, 2>,
        domain_separator: &[GF],
    ) -> Result<Self, VerifierError> {
        if common.num_lookup_polys != 0 || !common.luts.is_empty() {
            return Err(VerifierError::Lookups);
        }
        let digest = recompute_circuit_digest(&verifier_only, &common, domain_separator);
        if digest != verifier_only.circuit_digest {
            return Err(VerifierError::DigestMismatch);
        }
        Ok(Self {
            common,
            verifier_only,
        })
    }
}

/// The public-inputs hash type of the Goldilocks Poseidon inner hasher.
pub type PiHash = HashOut<GF>;
