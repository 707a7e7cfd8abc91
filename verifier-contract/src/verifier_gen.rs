//! Solidity Groth16 verifier generated from an ark-groth16 verifying key over BN254.
//!
//! The template is ours and tuned for one public input:
//! - the check is `e(A,B)·e(−α,β)·e(vk_x,−γ)·e(C,−δ) = 1`: α, γ and δ are negated here, at
//!   generation time, and every verifying-key constant is inlined as a literal, so the contract
//!   reads no storage and negates nothing;
//! - `vk_x = IC₀ + x·IC₁` costs one `ecMul` (0x07) and one `ecAdd` (0x06), computed in place in
//!   the last pair of the pairing input; the four pairs go to one `staticcall` of 0x08, all in
//!   the first 768 bytes of memory;
//! - a public input `≥ r` and any proof coordinate `≥ q` are rejected before any precompile
//!   (the scalar of `ecMul` would otherwise be reduced mod r, making `x` and `x + r` both valid);
//!   a point not on its curve (or, for G2, not in the subgroup) makes the precompile fail;
//! - every precompile call must succeed AND return its full output (64 bytes for 0x06/0x07,
//!   32 for 0x08): on a chain without the precompile the call goes to an empty account, which
//!   "succeeds" with no output and would otherwise leave the input in memory to be read as the
//!   result (A.x ≠ 0 would pass as "pairing holds");
//! - every failure reverts with a custom error, never returns `false`: a precompile that runs
//!   out of gas reverts the whole call, so `eth_estimateGas` cannot under-fund the pairing.
//!
//! G2 points are laid out as EIP-197 expects: `x_im, x_re, y_im, y_re` (ark's `c1` before `c0`).

use alloy::primitives::{keccak256, U256};
use ark_bn254::{Bn254, Fq, Fq2, G1Affine, G2Affine};
use ark_ec::AffineRepr;
use ark_ff::{BigInteger, PrimeField};
use ark_groth16::{Proof, VerifyingKey};
use std::fmt::Write;

/// The BN254 base field modulus q (coordinates must be below it).
pub const BN254_Q: &str =
    "21888242871839275222246405745257275088696311157297823662689037894645226208583";
/// The BN254 scalar field order r (the public input must be below it).
pub const BN254_R: &str =
    "21888242871839275222246405745257275088548364400416034343698204186575808495617";

/// Why a verifying key cannot be turned into a verifier.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum GenerateError {
    /// The template verifies exactly one public input (`gamma_abc_g1` has 2 points).
    #[error("the verifier template takes exactly 1 public input, the key has {0}")]
    PublicInputCount(usize),
}

/// Converts a base-field element to its canonical integer.
pub fn fq_to_u256(f: Fq) -> U256 {
    U256::from_be_slice(&f.into_bigint().to_bytes_be())
}

/// Converts a scalar-field element to its canonical integer (what `verifyProof` takes).
pub fn fr_to_u256(f: ark_bn254::Fr) -> U256 {
    U256::from_be_slice(&f.into_bigint().to_bytes_be())
}

/// G1 point as `[x, y]`; the point at infinity is `[0, 0]` as the precompiles expect.
pub fn g1_words(p: &G1Affine) -> [U256; 2] {
    match p.xy() {
        Some((x, y)) => [fq_to_u256(x), fq_to_u256(y)],
        None => [U256::ZERO; 2],
    }
}

fn fq2_words(f: Fq2) -> [U256; 2] {
    // EIP-197: imaginary part first.
    [fq_to_u256(f.c1), fq_to_u256(f.c0)]
}

/// G2 point as `[x_im, x_re, y_im, y_re]` (EIP-197 order); infinity is all zero.
pub fn g2_words(p: &G2Affine) -> [U256; 4] {
    match p.xy() {
        Some((x, y)) => {
            let [a, b] = fq2_words(x);
            let [c, d] = fq2_words(y);
            [a, b, c, d]
        }
        None => [U256::ZERO; 4],
    }
}

/// The `uint256[8] proof` argument of `verifyProof` and `commitBatch`:
/// `A.x, A.y, B.x_im, B.x_re, B.y_im, B.y_re, C.x, C.y`.
pub fn proof_words(proof: &Proof<Bn254>) -> [U256; 8] {
    let [ax, ay] = g1_words(&proof.a);
    let [bxi, bxr, byi, byr] = g2_words(&proof.b);
    let [cx, cy] = g1_words(&proof.c);
    [ax, ay, bxi, bxr, byi, byr, cx, cy]
}

/// The vk hash of `vk` (docs/formats.md §8): sha256 of `α ‖ β ‖ γ ‖ δ ‖ n (u32 BE) ‖ IC₀ … IC₍ₙ₋₁₎`
/// in the words above ([`g1_words`], [`g2_words`], each 32 bytes big-endian). The same value
/// as `zkroll_aggregator::groth16::vk_hash` (a test of the root crate checks it); the
/// generated verifier publishes it as `VK_HASH`.
pub fn vk_hash(vk: &VerifyingKey<Bn254>) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    let mut words = |ws: &[U256]| {
        for w in ws {
            h.update(w.to_be_bytes::<32>());
        }
    };
    words(&g1_words(&vk.alpha_g1));
    words(&g2_words(&vk.beta_g2));
    words(&g2_words(&vk.gamma_g2));
    words(&g2_words(&vk.delta_g2));
    h.update((vk.gamma_abc_g1.len() as u32).to_be_bytes());
    for p in &vk.gamma_abc_g1 {
        h.update(g1_words(p)[0].to_be_bytes::<32>());
        h.update(g1_words(p)[1].to_be_bytes::<32>());
    }
    h.finalize().into()
}

fn selector(signature: &str) -> String {
    format!("0x{}", hex::encode(&keccak256(signature.as_bytes())[..4]))
}

/// Solidity source of `contract Verifier` for `vk` (one public input), compiled with
/// [`crate::Toolchain::compile_verifier`]. Its only entry point is
/// `verifyProof(uint256[8] proof, uint256 input) view`, which returns nothing for a valid
/// proof and reverts with `PublicInputNotInField`, `ProofCoordinateNotInField`,
/// `EcMulFailed`, `EcAddFailed`, `PairingFailed` or `ProofInvalid` otherwise.
pub fn verifier_solidity(vk: &VerifyingKey<Bn254>) -> Result<String, GenerateError> {
    if vk.gamma_abc_g1.len() != 2 {
        return Err(GenerateError::PublicInputCount(
            vk.gamma_abc_g1.len().saturating_sub(1),
        ));
    }
    let neg_alpha = g1_words(&(-vk.alpha_g1));
    let beta = g2_words(&vk.beta_g2);
    let neg_gamma = g2_words(&(-vk.gamma_g2));
    let neg_delta = g2_words(&(-vk.delta_g2));
    let ic0 = g1_words(&vk.gamma_abc_g1[0]);
    let ic1 = g1_words(&vk.gamma_abc_g1[1]);

    let mut consts = String::new();
    let mut constant = |name: &str, v: U256| {
        writeln!(consts, "    uint256 internal constant {name} = {v};").expect("write to String");
    };
    for (name, words) in [
        ("NEG_ALPHA", &neg_alpha[..]),
        ("IC0", &ic0[..]),
        ("IC1", &ic1[..]),
    ] {
        constant(&format!("{name}_X"), words[0]);
        constant(&format!("{name}_Y"), words[1]);
    }
    for (name, words) in [
        ("BETA", &beta),
        ("NEG_GAMMA", &neg_gamma),
        ("NEG_DELTA", &neg_delta),
    ] {
        constant(&format!("{name}_X_IM"), words[0]);
        constant(&format!("{name}_X_RE"), words[1]);
        constant(&format!("{name}_Y_IM"), words[2]);
        constant(&format!("{name}_Y_RE"), words[3]);
    }

    Ok(TEMPLATE
        .replace("{{CONSTANTS}}", consts.trim_end())
        .replace("{{VK_HASH}}", &format!("0x{}", hex::encode(vk_hash(vk))))
        .replace("{{Q}}", BN254_Q)
        .replace("{{R}}", BN254_R)
        .replace("{{SEL_PUBLIC_INPUT}}", &selector("PublicInputNotInField()"))
        .replace(
            "{{SEL_COORDINATE}}",
            &selector("ProofCoordinateNotInField()"),
        )
        .replace("{{SEL_ECMUL}}", &selector("EcMulFailed()"))
        .replace("{{SEL_ECADD}}", &selector("EcAddFailed()"))
        .replace("{{SEL_PAIRING}}", &selector("PairingFailed()"))
        .replace("{{SEL_INVALID}}", &selector("ProofInvalid()")))
}

const TEMPLATE: &str = r#"// SPDX-License-Identifier: MIT OR Apache-2.0
// Generated by zkroll-verifier-contract from a Groth16 verifying key (BN254). Do not edit.
pragma solidity 0.8.28;

/// @title Groth16 verifier over BN254 with one public input.
/// @notice verifyProof returns nothing for a valid proof and reverts with a custom error
/// otherwise; it never returns false.
/// @dev Checks e(A,B)·e(-α,β)·e(vk_x,-γ)·e(C,-δ) = 1 with vk_x = IC0 + input·IC1. The
/// negated key constants were computed at generation time. Proof layout: A.x, A.y,
/// B.x_im, B.x_re, B.y_im, B.y_re, C.x, C.y (EIP-197 order for G2).
contract Verifier {
    /// The public input is not below the scalar field order r.
    error PublicInputNotInField();
    /// A proof coordinate is not below the base field modulus q.
    error ProofCoordinateNotInField();
    /// The ecMul precompile (0x07) failed or returned no result.
    error EcMulFailed();
    /// The ecAdd precompile (0x06) failed or returned no result.
    error EcAddFailed();
    /// The pairing precompile (0x08) failed or returned no result: a point is not on its curve or not in G2, gas ran out, or the chain has no pairing precompile.
    error PairingFailed();
    /// The pairing check does not hold.
    error ProofInvalid();

    uint256 internal constant Q = {{Q}};
    uint256 internal constant R = {{R}};
    /// @notice sha256 of this verifier's verifying key in zkroll's canonical encoding
    /// (docs/formats.md §8): the key that proofs must be made for (`zkroll submit` checks it).
    bytes32 public constant VK_HASH = {{VK_HASH}};
{{CONSTANTS}}

    /// @notice Reverts unless `proof` is a valid Groth16 proof for the public input `input`.
    function verifyProof(uint256[8] calldata proof, uint256 input) external view {
        assembly {
            if iszero(lt(input, R)) {
                mstore(0, {{SEL_PUBLIC_INPUT}})
                revert(0x1c, 4)
            }
            let q := Q
            if iszero(
                and(
                    and(
                        and(lt(calldataload(proof), q), lt(calldataload(add(proof, 0x20)), q)),
                        and(lt(calldataload(add(proof, 0x40)), q), lt(calldataload(add(proof, 0x60)), q))
                    ),
                    and(
                        and(lt(calldataload(add(proof, 0x80)), q), lt(calldataload(add(proof, 0xa0)), q)),
                        and(lt(calldataload(add(proof, 0xc0)), q), lt(calldataload(add(proof, 0xe0)), q))
                    )
                )
            ) {
                mstore(0, {{SEL_COORDINATE}})
                revert(0x1c, 4)
            }
            // Pairing input, 4 pairs of (G1, G2) = 4 x 192 bytes at 0x000..0x300.
            // Pair 0: (A, B), straight from calldata.
            calldatacopy(0x000, proof, 0xc0)
            // Pair 1: (C, -delta).
            calldatacopy(0x0c0, add(proof, 0xc0), 0x40)
            mstore(0x100, NEG_DELTA_X_IM)
            mstore(0x120, NEG_DELTA_X_RE)
            mstore(0x140, NEG_DELTA_Y_IM)
            mstore(0x160, NEG_DELTA_Y_RE)
            // Pair 2: (-alpha, beta).
            mstore(0x180, NEG_ALPHA_X)
            mstore(0x1a0, NEG_ALPHA_Y)
            mstore(0x1c0, BETA_X_IM)
            mstore(0x1e0, BETA_X_RE)
            mstore(0x200, BETA_Y_IM)
            mstore(0x220, BETA_Y_RE)
            // Pair 3: (vk_x, -gamma); vk_x = IC0 + input * IC1 computed in place at 0x240.
            mstore(0x240, IC1_X)
            mstore(0x260, IC1_Y)
            mstore(0x280, input)
            // Each call is its own statement: Yul evaluates arguments right to left, so
            // `and(staticcall(..), eq(returndatasize(), ..))` would read the size first.
            let ok := staticcall(gas(), 0x07, 0x240, 0x60, 0x240, 0x40)
            if iszero(and(ok, eq(returndatasize(), 0x40))) {
                mstore(0, {{SEL_ECMUL}})
                revert(0x1c, 4)
            }
            mstore(0x280, IC0_X)
            mstore(0x2a0, IC0_Y)
            ok := staticcall(gas(), 0x06, 0x240, 0x80, 0x240, 0x40)
            if iszero(and(ok, eq(returndatasize(), 0x40))) {
                mstore(0, {{SEL_ECADD}})
                revert(0x1c, 4)
            }
            mstore(0x280, NEG_GAMMA_X_IM)
            mstore(0x2a0, NEG_GAMMA_X_RE)
            mstore(0x2c0, NEG_GAMMA_Y_IM)
            mstore(0x2e0, NEG_GAMMA_Y_RE)
            ok := staticcall(gas(), 0x08, 0x000, 0x300, 0x000, 0x20)
            if iszero(and(ok, eq(returndatasize(), 0x20))) {
                mstore(0, {{SEL_PAIRING}})
                revert(0x1c, 4)
            }
            if iszero(mload(0x000)) {
                mstore(0, {{SEL_INVALID}})
                revert(0x1c, 4)
            }
            // Memory was used as scratch space: end here, returning nothing.
            return(0, 0)
        }
    }
}
"#;

#[cfg(test)]
mod tests {
    use super::*;
    use ark_bn254::{G1Projective, G2Projective};
    use ark_ec::{CurveGroup, PrimeGroup};
    use std::str::FromStr;

    fn vk(inputs: usize) -> VerifyingKey<Bn254> {
        let g1 = |k: u64| (G1Projective::generator() * ark_bn254::Fr::from(k)).into_affine();
        let g2 = |k: u64| (G2Projective::generator() * ark_bn254::Fr::from(k)).into_affine();
        VerifyingKey {
            alpha_g1: g1(2),
            beta_g2: g2(3),
            gamma_g2: g2(5),
            delta_g2: g2(7),
            gamma_abc_g1: (0..=inputs as u64).map(|i| g1(11 + i)).collect(),
        }
    }

    #[test]
    fn only_one_public_input_is_supported() {
        assert!(verifier_solidity(&vk(1)).is_ok());
        for n in [0usize, 2, 3] {
            assert_eq!(
                verifier_solidity(&vk(n)),
                Err(GenerateError::PublicInputCount(n))
            );
        }
    }

    #[test]
    fn constants_are_negated_and_inlined() {
        let key = vk(1);
        let src = verifier_solidity(&key).unwrap();
        assert!(!src.contains("{{"), "unreplaced placeholder");
        let neg_alpha = g1_words(&(-key.alpha_g1));
        assert!(src.contains(&format!("NEG_ALPHA_Y = {};", neg_alpha[1])));
        // -y = q - y.
        let q = U256::from_str(BN254_Q).unwrap();
        assert_eq!(neg_alpha[1], q - g1_words(&key.alpha_g1)[1]);
        let neg_gamma = g2_words(&(-key.gamma_g2));
        assert!(src.contains(&format!("NEG_GAMMA_Y_IM = {};", neg_gamma[2])));
        let beta = g2_words(&key.beta_g2);
        assert!(src.contains(&format!("BETA_X_RE = {};", beta[1])));
        let h = vk_hash(&key);
        assert!(src.contains(&format!("VK_HASH = 0x{};", hex::encode(h))));
        assert_ne!(h, vk_hash(&vk(2)));
        let mut other = key.clone();
        other.delta_g2 = key.gamma_g2;
        assert_ne!(h, vk_hash(&other));
        // Selectors are those of the declared errors.
        use crate::bindings::IGroth16Verifier as V;
        use alloy::sol_types::SolError;
        for (sig, sel) in [
            (
                "PublicInputNotInField()",
                V::PublicInputNotInField::SELECTOR,
            ),
            (
                "ProofCoordinateNotInField()",
                V::ProofCoordinateNotInField::SELECTOR,
            ),
            ("EcMulFailed()", V::EcMulFailed::SELECTOR),
            ("EcAddFailed()", V::EcAddFailed::SELECTOR),
            ("PairingFailed()", V::PairingFailed::SELECTOR),
            ("ProofInvalid()", V::ProofInvalid::SELECTOR),
        ] {
            assert_eq!(selector(sig), format!("0x{}", hex::encode(sel)));
            assert!(
                src.contains(&format!("mstore(0, {})", selector(sig))),
                "{sig}"
            );
        }
    }

    #[test]
    fn proof_words_follow_eip197_order() {
        let g2 = G2Affine::generator();
        let (x, y) = g2.xy().unwrap();
        let w = g2_words(&g2);
        assert_eq!(
            w,
            [
                fq_to_u256(x.c1),
                fq_to_u256(x.c0),
                fq_to_u256(y.c1),
                fq_to_u256(y.c0)
            ]
        );
        // The EIP-197 generator of G2 (x_im first).
        assert_eq!(
            w[0],
            U256::from_str(
                "11559732032986387107991004021392285783925812861821192530917403151452391805634"
            )
            .unwrap()
        );
        let proof = Proof::<Bn254> {
            a: G1Affine::generator(),
            b: g2,
            c: (-G1Affine::generator().into_group()).into_affine(),
        };
        let words = proof_words(&proof);
        assert_eq!(words[0..2], g1_words(&proof.a));
        assert_eq!(words[2..6], w);
        assert_eq!(words[6..8], g1_words(&proof.c));
        assert_eq!(g1_words(&G1Affine::identity()), [U256::ZERO; 2]);
    }
}
