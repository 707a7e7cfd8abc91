//! The generated Groth16 verifier on anvil, with proofs of the test-only digest-echo circuit
//! (tests/support/echo.rs). Needs the toolchain: run scripts/setup-l1.sh first.

mod support;

use alloy::primitives::U256;
use ark_bn254::{Fq, Fq2, Fr, G1Affine, G2Affine};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::UniformRand;
use ark_groth16::Groth16;
use rand::SeedableRng;
use std::str::FromStr;
use support::{echo, proving_key, Env};
use zkroll_verifier_contract::bindings::IGroth16Verifier::IGroth16VerifierErrors as E;
use zkroll_verifier_contract::verifier_gen::{g1_words, g2_words, BN254_Q, BN254_R};
use zkroll_verifier_contract::{proof_words, verify_proof_call, verify_proof_tx, L1Error};

fn q() -> U256 {
    U256::from_str(BN254_Q).unwrap()
}
fn r() -> U256 {
    U256::from_str(BN254_R).unwrap()
}

/// A valid (words, input) pair.
fn valid(input: u64) -> ([U256; 8], U256) {
    let x = U256::from(input);
    (proof_words(&echo::prove(proving_key(), x)), x)
}

async fn check(env: &Env, proof: [U256; 8], input: U256) -> Result<(), L1Error> {
    verify_proof_call(&env.provider, env.verifier, proof, input).await
}

fn expect(res: Result<(), L1Error>, want: fn(&E) -> bool, what: &str) {
    let err = res.expect_err(what);
    let decoded = err.decode::<E>();
    assert!(
        decoded.as_ref().is_some_and(want),
        "{what}: expected a specific verifier error, got {decoded:?} / {err}"
    );
}

#[tokio::test]
async fn valid_proof_is_accepted_and_ark_agrees() {
    let env = Env::new().await;
    let pk = proving_key();
    for input in [0u64, 1, 123_456_789] {
        let proof = echo::prove(pk, U256::from(input));
        let pvk = ark_groth16::prepare_verifying_key(&pk.vk);
        assert!(
            Groth16::<ark_bn254::Bn254>::verify_proof(&pvk, &proof, &[Fr::from(input)]).unwrap()
        );
        check(&env, proof_words(&proof), U256::from(input))
            .await
            .expect("valid proof accepted");
    }
    // The largest digest the rollup can produce: 2^253 - 1.
    let big = (U256::from(1) << 253) - U256::from(1);
    check(&env, proof_words(&echo::prove(pk, big)), big)
        .await
        .expect("2^253 - 1");
    // r - 1 is the largest valid scalar.
    let top = Fr::from(-1i64);
    let words = proof_words(&echo::prove_fr(pk, top));
    check(&env, words, r() - U256::from(1))
        .await
        .expect("r - 1");
}

#[tokio::test]
async fn verify_proof_as_transaction_meets_the_gas_bar() {
    let env = Env::new().await;
    let (proof, x) = valid(99);
    let rep = verify_proof_tx(&env.provider, env.verifier, proof, x)
        .await
        .expect("tx");
    // First bar of DESIGN.md: <= 230 k gas as a transaction (gas is deterministic).
    assert!(
        rep.gas_used <= 230_000,
        "verifyProof used {} gas",
        rep.gas_used
    );
}

#[tokio::test]
async fn wrong_public_input_is_rejected() {
    let env = Env::new().await;
    let (proof, x) = valid(5);
    expect(
        check(&env, proof, x + U256::from(1)).await,
        |e| matches!(e, E::ProofInvalid(_)),
        "x+1",
    );
    expect(
        check(&env, proof, U256::ZERO).await,
        |e| matches!(e, E::ProofInvalid(_)),
        "0",
    );
}

#[tokio::test]
async fn public_input_not_below_r_is_rejected() {
    let env = Env::new().await;
    let (proof, x) = valid(5);
    // x + r would pass ecMul (which reduces mod r) without the range check.
    for bad in [r(), x + r(), U256::MAX] {
        expect(
            check(&env, proof, bad).await,
            |e| matches!(e, E::PublicInputNotInField(_)),
            "input >= r",
        );
    }
}

#[tokio::test]
async fn each_tampered_proof_element_is_rejected() {
    let env = Env::new().await;
    let (proof, x) = valid(77);
    for i in 0..8 {
        // +1: the point leaves its curve; the pairing precompile fails.
        let mut p = proof;
        p[i] += U256::from(1);
        expect(
            check(&env, p, x).await,
            |e| matches!(e, E::PairingFailed(_)),
            &format!("word {i} + 1"),
        );
        // + q: a non-canonical coordinate of the same point.
        let mut p = proof;
        p[i] += q();
        expect(
            check(&env, p, x).await,
            |e| matches!(e, E::ProofCoordinateNotInField(_)),
            &format!("word {i} + q"),
        );
    }
    // Valid curve points that are not the proof's: the pairing check fails.
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(3);
    let other_g1 = g1_words(&(G1Affine::generator() * Fr::rand(&mut rng)).into_affine());
    let other_g2 = g2_words(&(G2Affine::generator() * Fr::rand(&mut rng)).into_affine());
    let mut p = proof;
    p[0..2].copy_from_slice(&other_g1);
    expect(
        check(&env, p, x).await,
        |e| matches!(e, E::ProofInvalid(_)),
        "other A",
    );
    let mut p = proof;
    p[2..6].copy_from_slice(&other_g2);
    expect(
        check(&env, p, x).await,
        |e| matches!(e, E::ProofInvalid(_)),
        "other B",
    );
    let mut p = proof;
    p[6..8].copy_from_slice(&other_g1);
    expect(
        check(&env, p, x).await,
        |e| matches!(e, E::ProofInvalid(_)),
        "other C",
    );
    // -A: a valid point, wrong sign.
    let mut p = proof;
    p[1] = q() - p[1];
    expect(
        check(&env, p, x).await,
        |e| matches!(e, E::ProofInvalid(_)),
        "-A",
    );
    // G2 with real and imaginary parts swapped (ark order instead of EIP-197).
    let mut p = proof;
    p.swap(2, 3);
    p.swap(4, 5);
    expect(
        check(&env, p, x).await,
        |e| matches!(e, E::PairingFailed(_)),
        "B in ark order",
    );
}

#[tokio::test]
async fn points_not_on_curve_or_subgroup_are_rejected() {
    let env = Env::new().await;
    let (proof, x) = valid(11);
    // (1, 3) is not on y^2 = x^3 + 3.
    let mut p = proof;
    p[0] = U256::from(1);
    p[1] = U256::from(3);
    expect(
        check(&env, p, x).await,
        |e| matches!(e, E::PairingFailed(_)),
        "A off curve",
    );
    let mut p = proof;
    p[6] = U256::from(1);
    p[7] = U256::from(3);
    expect(
        check(&env, p, x).await,
        |e| matches!(e, E::PairingFailed(_)),
        "C off curve",
    );
    // A point on the G2 twist outside the r-order subgroup.
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(5);
    let twist_point = loop {
        let xc = Fq2::new(Fq::rand(&mut rng), Fq::rand(&mut rng));
        if let Some(pt) = G2Affine::get_point_from_x_unchecked(xc, false) {
            if !pt.is_in_correct_subgroup_assuming_on_curve() {
                break pt;
            }
        }
    };
    assert!(twist_point.is_on_curve());
    let mut p = proof;
    p[2..6].copy_from_slice(&g2_words(&twist_point));
    expect(
        check(&env, p, x).await,
        |e| matches!(e, E::PairingFailed(_)),
        "B outside G2",
    );
    // B off the twist.
    let mut p = proof;
    p[2..6].copy_from_slice(&[U256::from(1), U256::from(2), U256::from(3), U256::from(4)]);
    expect(
        check(&env, p, x).await,
        |e| matches!(e, E::PairingFailed(_)),
        "B off curve",
    );
}

#[tokio::test]
async fn underfunded_pairing_reverts_instead_of_returning() {
    let env = Env::new().await;
    let (proof, x) = valid(21);
    let c = zkroll_verifier_contract::bindings::IGroth16Verifier::new(env.verifier, &env.provider);
    // Enough for the checks and ecMul/ecAdd, not for the 4-pair pairing (181 000 + 100).
    for gas in [60_000u64, 150_000] {
        let Err(err) = c.verifyProof(proof, x).gas(gas).call().await else {
            panic!("gas {gas}: underfunded call must revert");
        };
        assert!(
            matches!(
                err.as_decoded_interface_error::<E>(),
                Some(E::PairingFailed(_))
            ),
            "gas {gas}: {err}"
        );
    }
    // Estimation finds enough gas for the whole verification.
    let estimate = c.verifyProof(proof, x).estimate_gas().await.unwrap();
    assert!(estimate > 181_000, "estimate {estimate}");
    c.verifyProof(proof, x)
        .gas(estimate)
        .call()
        .await
        .expect("estimated gas suffices");
}

/// A chain without a precompile: the generated source with the precompile's address replaced
/// by an empty account (a call to it "succeeds" and returns nothing, exactly as on a chain that
/// lacks the precompile). A valid proof must be refused with the error naming the call.
#[tokio::test]
async fn missing_precompile_refuses_valid_proofs() {
    let env = Env::new().await;
    let (proof, x) = valid(31);
    let source = zkroll_verifier_contract::verifier_solidity(&proving_key().vk).unwrap();
    type Case = (&'static str, fn(&E) -> bool, &'static str);
    let cases: [Case; 3] = [
        (
            "staticcall(gas(), 0x07,",
            |e| matches!(e, E::EcMulFailed(_)),
            "no ecMul",
        ),
        (
            "staticcall(gas(), 0x06,",
            |e| matches!(e, E::EcAddFailed(_)),
            "no ecAdd",
        ),
        (
            "staticcall(gas(), 0x08,",
            |e| matches!(e, E::PairingFailed(_)),
            "no pairing",
        ),
    ];
    for (call, want, what) in cases {
        assert_eq!(source.matches(call).count(), 1, "{what}");
        let patched = source.replace(call, &call.replace("0x0", "0xdead0"));
        let artifact = env.toolchain.compile_verifier(&patched).expect("compile");
        let (addr, _) = zkroll_verifier_contract::deploy(&env.provider, &artifact, &[])
            .await
            .expect("deploy patched verifier");
        expect(
            verify_proof_call(&env.provider, addr, proof, x).await,
            want,
            what,
        );
    }
    // The unpatched verifier accepts the same proof.
    check(&env, proof, x).await.expect("valid proof");
}
