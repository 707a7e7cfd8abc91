//! Rollup.sol on anvil: deposits, batches (type-3 transactions carrying the batch's blob),
//! withdrawals and every rejection — of the effects list, the blob opening and the proof — with
//! proofs of the test-only digest-echo circuit (tests/support/echo.rs) standing in for the wrap.
//! Forced exits, the operator's window and exodus mode are in tests/exodus.rs. Needs the
//! toolchain: run scripts/setup-l1.sh first.

mod support;

use alloy::consensus::Typed2718 as _;
use alloy::eips::eip4844::{BLS_MODULUS, DATA_GAS_PER_BLOB};
use alloy::primitives::{Address, B256, U256};
use alloy::providers::Provider;
use support::{
    batch_blob, blob_data, deposit_effect, effects, full_exit_effect, pkhash, point, root,
    withdraw_effect, Env,
};
use zkroll_verifier_contract::bindings::IGroth16Verifier::IGroth16VerifierErrors as VE;
use zkroll_verifier_contract::bindings::IRollup;
use zkroll_verifier_contract::bindings::IRollup::IRollupErrors as RE;
use zkroll_verifier_contract::{
    anvil_provider, open_blob, BatchBlob, BlobTxReport, L1Error, PriorityOp, SidecarFormat,
    EMPTY_ROOT,
};

const GWEI: u64 = 1_000_000_000;

fn gwei(n: u64) -> U256 {
    U256::from(n) * U256::from(GWEI)
}

fn rollup_err<T: std::fmt::Debug>(res: Result<T, L1Error>, what: &str) -> RE {
    let err = res.expect_err(what);
    err.decode::<RE>()
        .unwrap_or_else(|| panic!("{what}: expected a Rollup error, got {err}"))
}

fn verifier_err<T: std::fmt::Debug>(res: Result<T, L1Error>, what: &str) -> VE {
    let err = res.expect_err(what);
    err.decode::<VE>()
        .unwrap_or_else(|| panic!("{what}: expected a verifier error, got {err}"))
}

impl Env {
    /// Proves `(list, new_root)` with `blob` and commits it from the operator.
    async fn commit_with(
        &self,
        list: &[u8],
        new_root: [u8; 32],
        blob: &BatchBlob,
    ) -> Result<BlobTxReport, L1Error> {
        let proof = self.prove(list, &new_root, &blob.opening).await;
        self.rollup.commit_batch(new_root, list, blob, proof).await
    }
}

#[tokio::test]
async fn deposit_withdraw_round_trip_with_a_blob() {
    let env = Env::new().await;
    let user = env.anvil.addresses()[1];
    let user_rollup = env
        .rollup
        .with_provider(anvil_provider(&env.anvil, 1).unwrap());
    let (k1, k2) = (pkhash(1), pkhash(2));
    user_rollup
        .deposit(k1, None, gwei(5_000))
        .await
        .expect("deposit 1");
    env.rollup
        .deposit(k2, Some(user), gwei(7))
        .await
        .expect("deposit 2");
    assert_eq!(env.rollup.priority_counters().await.unwrap(), (2, 0));

    let l1 = Address::repeat_byte(0x42);
    let list = effects(&[
        deposit_effect(1, &k1, 5_000, user),
        deposit_effect(2, &k2, 7, user),
        withdraw_effect(1, l1, 1_234),
        withdraw_effect(2, user, 3),
    ]);
    let new_root = root(1);
    let blob = batch_blob(1);
    let rep = env
        .commit_with(&list, new_root, &blob)
        .await
        .expect("commit");
    assert!(rep.tx.execution_gas() > 0);
    // One blob: 131 072 blob gas, outside gasUsed.
    assert_eq!(rep.versioned_hashes, vec![blob.versioned_hash()]);
    assert_eq!(rep.blob_gas_used, DATA_GAS_PER_BLOB);
    let tx = env
        .provider
        .get_transaction_by_hash(rep.tx.tx_hash)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(tx.ty(), 3, "a type-3 transaction");
    // Events: two credits (emitted from assembly) and the commit.
    let receipt = env
        .provider
        .get_transaction_receipt(rep.tx.tx_hash)
        .await
        .unwrap()
        .unwrap();
    let all: Vec<IRollup::WithdrawalCredited> = receipt
        .inner
        .logs()
        .iter()
        .filter_map(|l| l.log_decode::<IRollup::WithdrawalCredited>().ok())
        .map(|l| l.inner.data)
        .collect();
    assert_eq!(all.len(), 2);
    assert_eq!(
        (all[0].batchNumber, all[0].to, all[0].amountWei),
        (U256::from(1), l1, gwei(1_234))
    );
    assert_eq!(
        (all[1].batchNumber, all[1].to, all[1].amountWei),
        (U256::from(1), user, gwei(3))
    );
    let committed = receipt
        .decoded_log::<IRollup::BatchCommitted>()
        .unwrap()
        .data;
    assert_eq!(committed.batchNumber, U256::from(1));
    assert_eq!(
        (committed.oldRoot.0, committed.newRoot.0),
        (EMPTY_ROOT, new_root)
    );
    assert_eq!(committed.priorityOps, U256::from(2));
    assert_eq!(committed.versionedHash, blob.versioned_hash());
    assert_eq!(
        committed.digest,
        zkroll_verifier_contract::public_input_digest(
            env.anvil.chain_id(),
            env.rollup.address(),
            &EMPTY_ROOT,
            &new_root,
            &list,
            &blob.opening.versioned_hash.0,
            &blob.opening.x.0,
            &blob.opening.y.0,
        )
    );
    assert_eq!(env.rollup.state_root().await.unwrap(), new_root);
    assert_eq!(env.rollup.batch_number().await.unwrap(), 1);
    assert_eq!(env.rollup.priority_counters().await.unwrap(), (2, 2));
    assert_eq!(env.rollup.claimable(l1).await.unwrap(), gwei(1_234));
    assert_eq!(env.rollup.claimable(user).await.unwrap(), gwei(3));

    // A second batch (no priority operations) on top of the first one.
    let list2 = effects(&[withdraw_effect(1, user, 10)]);
    env.commit_with(&list2, root(2), &batch_blob(2))
        .await
        .expect("commit 2");
    assert_eq!(env.rollup.batch_number().await.unwrap(), 2);
    assert_eq!(env.rollup.claimable(user).await.unwrap(), gwei(13));

    // Withdraw: the user receives exactly the credited amount (minus the gas it paid).
    let before = env.provider.get_balance(user).await.unwrap();
    let rep = user_rollup.withdraw().await.expect("withdraw");
    let receipt = env
        .provider
        .get_transaction_receipt(rep.tx_hash)
        .await
        .unwrap()
        .unwrap();
    let fee = U256::from(receipt.gas_used) * U256::from(receipt.effective_gas_price);
    let after = env.provider.get_balance(user).await.unwrap();
    assert_eq!(after + fee, before + gwei(13));
    assert_eq!(env.rollup.claimable(user).await.unwrap(), U256::ZERO);
    assert!(matches!(
        rollup_err(user_rollup.withdraw().await, "second withdraw"),
        RE::NothingToWithdraw(_)
    ));
}

#[tokio::test]
async fn replayed_or_stale_batch_is_rejected() {
    let env = Env::new().await;
    let list = effects(&[withdraw_effect(1, Address::repeat_byte(1), 9)]);
    let blob = batch_blob(1);
    let proof = env.prove(&list, &root(1), &blob.opening).await;
    env.rollup
        .commit_batch(root(1), &list, &blob, proof)
        .await
        .expect("commit");
    // The same batch again: its proof is for the old root.
    let replay = env.rollup.commit_batch(root(1), &list, &blob, proof).await;
    let message = replay.as_ref().expect_err("replay").to_string();
    assert!(
        message.contains("Verifier reverted: ProofInvalid"),
        "the error names the revert: {message}"
    );
    let e = verifier_err(replay, "replay");
    assert!(matches!(e, VE::ProofInvalid(_)));
    // A proof built for a stale old root.
    let o = &blob.opening;
    let digest = zkroll_verifier_contract::public_input_digest(
        env.anvil.chain_id(),
        env.rollup.address(),
        &EMPTY_ROOT,
        &root(2),
        &list,
        &o.versioned_hash.0,
        &o.x.0,
        &o.y.0,
    );
    let stale = zkroll_verifier_contract::proof_words(&support::echo::prove(
        support::proving_key(),
        digest,
    ));
    let e = verifier_err(
        env.rollup.commit_batch(root(2), &list, &blob, stale).await,
        "stale",
    );
    assert!(matches!(e, VE::ProofInvalid(_)));
    assert_eq!(env.rollup.batch_number().await.unwrap(), 1);
    assert_eq!(
        env.rollup.claimable(Address::repeat_byte(1)).await.unwrap(),
        gwei(9)
    );
}

#[tokio::test]
async fn altered_effects_root_or_proof_is_rejected() {
    let env = Env::new().await;
    let list = effects(&[
        withdraw_effect(1, Address::repeat_byte(7), 9),
        withdraw_effect(2, Address::repeat_byte(8), 5),
    ]);
    let blob = batch_blob(1);
    let proof = env.prove(&list, &root(1), &blob.opening).await;
    // Any listed byte of the effects changes the digest (byte 0 is the type, 33..64 must be
    // zero: both are checked before the proof, below).
    for i in [1usize, 4, 5, 16, 24, 25, 32, 64 + 5, 64 + 31, 64 + 32] {
        let mut altered = list.clone();
        altered[i] ^= 1;
        let e = verifier_err(
            env.rollup
                .commit_batch(root(1), &altered, &blob, proof)
                .await,
            "effects",
        );
        assert!(matches!(e, VE::ProofInvalid(_)), "byte {i}");
    }
    // Dropping an effect or adding one changes the digest too.
    let e = verifier_err(
        env.rollup
            .commit_batch(root(1), &list[..64], &blob, proof)
            .await,
        "dropped",
    );
    assert!(matches!(e, VE::ProofInvalid(_)));
    let e = verifier_err(
        env.rollup.commit_batch(root(3), &list, &blob, proof).await,
        "new root",
    );
    assert!(matches!(e, VE::ProofInvalid(_)));
    let mut tampered = proof;
    tampered[7] += U256::from(1);
    let e = verifier_err(
        env.rollup
            .commit_batch(root(1), &list, &blob, tampered)
            .await,
        "proof",
    );
    assert!(matches!(e, VE::PairingFailed(_)));
    // Nothing changed, then the genuine batch goes through.
    assert_eq!(env.rollup.batch_number().await.unwrap(), 0);
    env.rollup
        .commit_batch(root(1), &list, &blob, proof)
        .await
        .expect("genuine batch");
}

/// The blob binding (formats.md §5, §10): the proof is for one blob, one `x` and one `y`;
/// every other blob, point or value, and a transaction without a blob, is refused.
#[tokio::test]
async fn blob_must_be_the_proven_one() {
    let env = Env::new().await;
    let list = effects(&[withdraw_effect(1, Address::repeat_byte(7), 9)]);
    let blob = batch_blob(1);
    let o = blob.opening;
    let proof = env.prove(&list, &root(1), &o).await;
    let (rollup, list) = (&env.rollup, &list);
    let send = move |opening: zkroll_verifier_contract::BlobOpening, blobs| async move {
        rollup
            .commit_batch_with(root(1), list, &opening, blobs, proof)
            .await
    };

    // No blob attached: an ordinary transaction.
    let e = rollup_err(send(o, vec![]).await, "no blob");
    assert!(
        matches!(e, RE::NoBlob(ref x) if x.index == U256::ZERO),
        "{e:?}"
    );

    // Another blob in the transaction than the one whose commitment the calldata opens.
    let other = batch_blob(2);
    let e = rollup_err(send(o, vec![*other.blob]).await, "other blob");
    assert!(
        matches!(e, RE::BlobCommitmentMismatch(ref x) if x.versionedHash == other.versioned_hash()),
        "{e:?}"
    );
    // Another blob with its own valid opening at the same x: the versioned hash and y are
    // not the proven ones.
    let other_at_x = open_blob(&other.blob, o.x).unwrap();
    let e = verifier_err(
        send(other_at_x, vec![*other.blob]).await,
        "other blob, opened",
    );
    assert!(matches!(e, VE::ProofInvalid(_)), "{e:?}");

    // A wrong y.
    let mut wrong_y = o;
    wrong_y.y.0[31] ^= 1;
    let e = rollup_err(send(wrong_y, vec![*blob.blob]).await, "wrong y");
    assert!(matches!(e, RE::BlobOpeningInvalid(_)), "{e:?}");
    // A wrong x: the KZG proof is bound to the proven x.
    let mut wrong_x = o;
    wrong_x.x = point(99);
    let e = rollup_err(send(wrong_x, vec![*blob.blob]).await, "wrong x");
    assert!(matches!(e, RE::BlobOpeningInvalid(_)), "{e:?}");
    // A valid opening of the right blob at another x: not the proven point.
    let at_other_x = open_blob(&blob.blob, point(99)).unwrap();
    let e = verifier_err(send(at_other_x, vec![*blob.blob]).await, "other x, opened");
    assert!(matches!(e, VE::ProofInvalid(_)), "{e:?}");
    // A wrong KZG proof or commitment length.
    let mut wrong_proof = o;
    wrong_proof.proof = other_at_x.proof;
    let e = rollup_err(send(wrong_proof, vec![*blob.blob]).await, "kzg proof");
    assert!(matches!(e, RE::BlobOpeningInvalid(_)), "{e:?}");

    // Non-canonical x or y (x + r, y + r: the same residues, refused before the precompile).
    let r = BLS_MODULUS;
    for (what, x, y) in [
        ("x = r", r, o.y_u256()),
        ("x + r", o.x_u256() + r, o.y_u256()),
        ("y + r", o.x_u256(), o.y_u256() + r),
        ("y = 2^256 - 1", o.x_u256(), U256::MAX),
    ] {
        let mut bad = o;
        bad.x = B256::from(x);
        bad.y = B256::from(y);
        let e = rollup_err(send(bad, vec![*blob.blob]).await, what);
        if what.starts_with('x') {
            assert!(matches!(e, RE::BlobPointNotCanonical(_)), "{what}: {e:?}");
        } else {
            assert!(matches!(e, RE::BlobValueNotCanonical(_)), "{what}: {e:?}");
        }
    }

    // Nothing was committed; the genuine transaction goes through, with the blob first of two.
    assert_eq!(env.rollup.batch_number().await.unwrap(), 0);
    let rep = send(o, vec![*blob.blob, *other.blob])
        .await
        .expect("genuine batch, blob 0 of 2");
    assert_eq!(rep.blob_gas_used, 2 * DATA_GAS_PER_BLOB);
    assert_eq!(env.rollup.batch_number().await.unwrap(), 1);
}

/// Before Osaka (here `--hardfork cancun`) the commit's sidecar carries one blob proof
/// (EIP-4844): `with_sidecar_format` sends it so, and the blob binding holds the same way.
#[tokio::test]
async fn commit_on_a_cancun_anvil_with_an_eip4844_sidecar() {
    let env = Env::with_anvil_args(&["--hardfork", "cancun"], SidecarFormat::Eip4844).await;
    let list = effects(&[withdraw_effect(1, Address::repeat_byte(7), 9)]);
    let blob = batch_blob(1);
    let proof = env.prove(&list, &root(1), &blob.opening).await;
    let mut wrong_y = blob.opening;
    wrong_y.y.0[31] ^= 1;
    let e = rollup_err(
        env.rollup
            .commit_batch_with(root(1), &list, &wrong_y, vec![*blob.blob], proof)
            .await,
        "wrong y",
    );
    assert!(matches!(e, RE::BlobOpeningInvalid(_)), "{e:?}");
    let rep = env
        .rollup
        .commit_batch(root(1), &list, &blob, proof)
        .await
        .expect("commit on cancun");
    assert_eq!(rep.blob_gas_used, DATA_GAS_PER_BLOB);
    assert_eq!(
        env.rollup.claimable(Address::repeat_byte(7)).await.unwrap(),
        gwei(9)
    );
}

#[tokio::test]
async fn priority_queue_must_be_followed_in_order() {
    let env = Env::new().await;
    let me = env.anvil.addresses()[0];
    let other = env.anvil.addresses()[1];
    let (k1, k2) = (pkhash(1), pkhash(2));
    env.rollup.deposit(k1, None, gwei(10)).await.unwrap();
    env.rollup.deposit(k2, Some(other), gwei(20)).await.unwrap();
    let cases: [(&str, Vec<[u8; 64]>); 6] = [
        ("skipped", vec![deposit_effect(0, &k2, 20, other)]),
        (
            "reordered",
            vec![
                deposit_effect(0, &k2, 20, other),
                deposit_effect(1, &k1, 10, me),
            ],
        ),
        ("amount", vec![deposit_effect(0, &k1, 11, me)]),
        ("pkhash", vec![deposit_effect(0, &k2, 10, me)]),
        ("owner", vec![deposit_effect(0, &k1, 10, other)]),
        ("a full exit in its place", vec![full_exit_effect(0, me, 0)]),
    ];
    for (what, list) in cases {
        let e = rollup_err(env.commit(&env.rollup, &list, root(1)).await, what);
        assert!(matches!(e, RE::PriorityQueueMismatch(_)), "{what}");
    }
    let three = [
        deposit_effect(0, &k1, 10, me),
        deposit_effect(1, &k2, 20, other),
        deposit_effect(2, &k2, 20, other),
    ];
    let e = rollup_err(env.commit(&env.rollup, &three, root(1)).await, "overrun");
    assert!(
        matches!(e, RE::PriorityQueueOverrun(ref x) if x.processed == U256::from(3) && x.queued == U256::from(2))
    );
    // Part of the queue, in order, is fine; the rest stays queued for the next batch.
    env.commit(
        &env.rollup,
        &[deposit_effect(0, &k1, 10, me), withdraw_effect(0, me, 1)],
        root(1),
    )
    .await
    .expect("first deposit");
    assert_eq!(env.rollup.priority_counters().await.unwrap(), (2, 1));
    let pending = env.rollup.pending_priority_ops().await.unwrap();
    assert_eq!(pending.len(), 1);
    let PriorityOp::Deposit(d) = pending[0] else {
        panic!("a deposit: {:?}", pending[0]);
    };
    assert_eq!(
        (d.index, d.pkhash, d.amount_gwei, d.owner, d.sender),
        (1, k2, 20, other, me)
    );
    // The client's effect of a queued deposit is the one the contract accepts.
    assert_eq!(d.effect(5), deposit_effect(5, &k2, 20, other));
    let all = env.rollup.priority_ops().await.unwrap();
    assert!(matches!(all[0], PriorityOp::Deposit(ref x) if x.pkhash == k1 && x.owner == me));
    let e = rollup_err(
        env.commit(&env.rollup, &[deposit_effect(0, &k1, 10, me)], root(2))
            .await,
        "consumed twice",
    );
    assert!(matches!(e, RE::PriorityQueueMismatch(_)));
    env.commit(&env.rollup, &[d.effect(5)], root(2))
        .await
        .expect("second deposit");
    assert_eq!(env.rollup.priority_counters().await.unwrap(), (2, 2));
}

#[tokio::test]
async fn malformed_batches_are_rejected() {
    let env = Env::new().await;
    let ok = withdraw_effect(1, Address::repeat_byte(2), 3);
    let blob = batch_blob(1);
    // Lengths that are not whole effects.
    for len in [1usize, 63, 65, 127] {
        let mut list = ok.to_vec();
        list.resize(len, 0);
        let e = rollup_err(env.commit_with(&list, root(1), &blob).await, "length");
        assert!(
            matches!(e, RE::EffectsLength(ref x) if x.length == U256::from(len)),
            "len {len}"
        );
    }
    // More than MAX_EFFECTS = 16 effects.
    let c = IRollup::new(env.rollup.address(), &env.provider);
    assert_eq!(c.MAX_EFFECTS().call().await.unwrap(), U256::from(16));
    for n in [17usize, 32] {
        let list = effects(&vec![ok; n]);
        let e = rollup_err(env.commit_with(&list, root(1), &blob).await, "too many");
        assert!(
            matches!(e, RE::TooManyEffects(ref x) if x.length == U256::from(64 * n)),
            "{n} effects"
        );
    }
    // Type codes other than Deposit, Withdraw, FullExit: a Transfer (2) is not an effect.
    for kind in [0u8, 2, 5, 255] {
        let mut bad = ok;
        bad[0] = kind;
        let list = effects(&[ok, bad]);
        let e = rollup_err(env.commit_with(&list, root(1), &blob).await, "kind");
        assert!(
            matches!(e, RE::UnknownEffectType(ref x) if x.index == U256::from(1) && x.kind == U256::from(kind)),
            "kind {kind}: {e:?}"
        );
    }
    // The unlisted bytes 33..64 of a Withdraw or a FullExit must be zero.
    for base in [ok, full_exit_effect(1, Address::repeat_byte(2), 0)] {
        for i in [33usize, 40, 63] {
            let mut bad = base;
            bad[i] = 1;
            let list = effects(&[ok, ok, bad]);
            let e = rollup_err(env.commit_with(&list, root(1), &blob).await, "padding");
            assert!(
                matches!(e, RE::EffectNotZeroPadded(ref x) if x.index == U256::from(2)),
                "type {} byte {i}: {e:?}",
                base[0]
            );
        }
    }
    const P: u64 = 0xffff_ffff_0000_0001;
    let list = ok.to_vec();
    for limb in 0..4 {
        for bad in [P, u64::MAX] {
            let mut new_root = root(1);
            new_root[8 * limb..8 * limb + 8].copy_from_slice(&bad.to_be_bytes());
            let e = rollup_err(env.commit_with(&list, new_root, &blob).await, "root limb");
            assert!(matches!(e, RE::RootLimbNotCanonical(ref x) if x.limb == U256::from(limb)));
        }
    }
    // p - 1 in every limb is canonical.
    let max_root: [u8; 32] = [(P - 1).to_be_bytes(); 4].concat().try_into().unwrap();
    env.commit_with(&list, max_root, &blob)
        .await
        .expect("p - 1 limbs");
    // Exactly 16 effects is fine.
    env.commit_with(&effects(&[ok; 16]), root(2), &batch_blob(2))
        .await
        .expect("16 effects");
    // An empty batch is well formed (and still needs a proof and a blob).
    env.commit_with(&[], root(4), &batch_blob(4))
        .await
        .expect("empty batch");
    assert_eq!(env.rollup.batch_number().await.unwrap(), 3);
}

#[tokio::test]
async fn invalid_deposits_are_rejected() {
    let env = Env::new().await;
    let k = pkhash(3);
    let e = |res, what| rollup_err(res, what);
    assert!(matches!(
        e(env.rollup.deposit(k, None, U256::ZERO).await, "zero"),
        RE::DepositZero(_)
    ));
    assert!(matches!(
        e(
            env.rollup.deposit(k, None, gwei(1) + U256::from(1)).await,
            "not gwei"
        ),
        RE::DepositNotGwei(_)
    ));
    assert!(matches!(
        e(
            env.rollup
                .deposit(k, None, U256::from(999_999_999u64))
                .await,
            "below 1 gwei"
        ),
        RE::DepositNotGwei(_)
    ));
    const P: u64 = 0xffff_ffff_0000_0001;
    for limb in 0..4 {
        for bad_limb in [P, u64::MAX] {
            let mut bad = k;
            bad[8 * limb..8 * limb + 8].copy_from_slice(&bad_limb.to_be_bytes());
            let err = e(env.rollup.deposit(bad, None, gwei(1)).await, "limb");
            assert!(matches!(err, RE::PkhashLimbNotCanonical(ref x) if x.limb == U256::from(limb)));
        }
    }
    // 2^56 gwei and more: give the sender enough ether first.
    let rich = env.anvil.addresses()[0];
    let _: () = env
        .provider
        .raw_request("anvil_setBalance".into(), (rich, U256::from(1u8) << 100))
        .await
        .unwrap();
    for too_much in [U256::from(1u64 << 56), U256::from(u64::MAX)] {
        assert!(matches!(
            e(
                env.rollup.deposit(k, None, gwei(1) * too_much).await,
                "too large"
            ),
            RE::DepositTooLarge(_)
        ));
    }
    assert_eq!(env.rollup.priority_counters().await.unwrap(), (0, 0));
    // The edges that are fine: p - 1 limbs, the zero hash, 2^56 - 1 gwei, an explicit owner.
    let max: [u8; 32] = [(P - 1).to_be_bytes(); 4].concat().try_into().unwrap();
    env.rollup
        .deposit(max, None, gwei(1))
        .await
        .expect("p - 1 limbs");
    env.rollup
        .deposit([0u8; 32], Some(Address::repeat_byte(9)), gwei(1))
        .await
        .expect("zero hash");
    env.rollup
        .deposit(k, None, gwei((1 << 56) - 1))
        .await
        .expect("2^56 - 1 gwei");
    assert_eq!(env.rollup.priority_counters().await.unwrap(), (3, 0));
    let ops = env.rollup.priority_ops().await.unwrap();
    assert!(
        matches!(ops[1], PriorityOp::Deposit(ref d) if d.owner == Address::repeat_byte(9) && d.sender == rich)
    );
    assert!(
        matches!(ops[2], PriorityOp::Deposit(ref d) if d.owner == rich && d.amount_gwei == (1 << 56) - 1)
    );
}

fn signatures(abi: &alloy::json_abi::JsonAbi) -> Vec<String> {
    let mut v: Vec<String> = abi
        .functions()
        .map(|f| {
            format!(
                "function {} -> {:?} {:?}",
                f.signature(),
                f.outputs.iter().map(|o| &o.ty).collect::<Vec<_>>(),
                f.state_mutability
            )
        })
        .chain(abi.events().map(|e| {
            format!(
                "event {} {:?}",
                e.signature(),
                e.inputs.iter().map(|i| i.indexed).collect::<Vec<_>>()
            )
        }))
        .chain(abi.errors().map(|e| format!("error {}", e.signature())))
        .collect();
    v.sort();
    v
}

#[test]
fn bindings_match_the_compiled_abis() {
    use zkroll_verifier_contract::bindings::{IGroth16Verifier, IPoseidonGoldilocks, IRollup};
    let tc = support::toolchain();
    let rollup = tc.rollup_artifact().expect("compile Rollup.sol");
    assert_eq!(
        signatures(&rollup.abi),
        signatures(&IRollup::abi::contract())
    );
    let hasher = tc
        .contract_artifact("PoseidonGoldilocks")
        .expect("compile PoseidonGoldilocks.sol");
    assert_eq!(
        signatures(&hasher.abi),
        signatures(&IPoseidonGoldilocks::abi::contract())
    );
    // Both fit the EIP-170 code size limit.
    assert!(
        rollup.deployed_bytecode.len() <= 24_576,
        "Rollup {}",
        rollup.deployed_bytecode.len()
    );
    assert!(
        hasher.deployed_bytecode.len() <= 24_576,
        "hasher {}",
        hasher.deployed_bytecode.len()
    );
    let source = zkroll_verifier_contract::verifier_solidity(&support::proving_key().vk).unwrap();
    let verifier = tc.compile_verifier(&source).expect("compile verifier");
    assert_eq!(
        signatures(&verifier.abi),
        signatures(&IGroth16Verifier::abi::contract())
    );
    assert!(rollup.solc_version.starts_with("0.8.28"));
}

alloy::sol! {
    #[sol(rpc)]
    interface IReceiver {
        function attack() external;
        function reentered() external view returns (bool);
        function innerRevert() external view returns (bytes);
        function received() external view returns (uint256);
    }
}

#[tokio::test]
async fn withdraw_is_reentrancy_safe_and_keeps_funds_on_failed_transfer() {
    use alloy::sol_types::{SolInterface, SolValue};
    let env = Env::new().await;
    let src =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/contracts/Receivers.sol");
    let out = env.toolchain.root().join("out/test-receivers");
    let args = env.rollup.address().abi_encode();
    let mut receivers = Vec::new();
    for name in ["Reentrant", "Refuser"] {
        let artifact = env
            .toolchain
            .compile(&src, &out, name)
            .expect("compile receivers");
        let (addr, _) = zkroll_verifier_contract::deploy(&env.provider, &artifact, &args)
            .await
            .expect("deploy receiver");
        receivers.push(addr);
    }
    let (reentrant, refuser) = (receivers[0], receivers[1]);
    // Fund the rollup through a deposit, then credit both contracts.
    env.rollup
        .deposit(pkhash(1), None, gwei(100))
        .await
        .unwrap();
    env.commit(
        &env.rollup,
        &[
            deposit_effect(1, &pkhash(1), 100, env.anvil.addresses()[0]),
            withdraw_effect(1, reentrant, 30),
            withdraw_effect(1, refuser, 40),
        ],
        root(1),
    )
    .await
    .expect("commit");

    let r = IReceiver::new(reentrant, &env.provider);
    r.attack()
        .send()
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    assert!(r.reentered().call().await.unwrap());
    assert_eq!(r.received().call().await.unwrap(), gwei(30));
    let inner = r.innerRevert().call().await.unwrap();
    assert_eq!(
        RE::abi_decode(&inner).ok(),
        Some(RE::NothingToWithdraw(Default::default()))
    );
    assert_eq!(env.provider.get_balance(reentrant).await.unwrap(), gwei(30));
    assert_eq!(env.rollup.claimable(reentrant).await.unwrap(), U256::ZERO);

    let f = IReceiver::new(refuser, &env.provider);
    let err = f.attack().send().await.expect_err("refused transfer");
    assert!(matches!(
        err.as_decoded_interface_error::<RE>(),
        Some(RE::WithdrawalTransferFailed(_))
    ));
    assert_eq!(env.rollup.claimable(refuser).await.unwrap(), gwei(40));
    assert_eq!(
        env.provider
            .get_balance(env.rollup.address())
            .await
            .unwrap(),
        gwei(70)
    );
}

#[tokio::test]
async fn commit_with_a_blob_meets_the_gas_bar() {
    let env = Env::new().await;
    // The blob holds a 64-transfer batch's worth of data (1 + 32 elements); the contract does
    // not read it, so only the effects and the opening cost execution gas.
    let data: Vec<u8> = (0..33 * 31).map(|i| (i * 7 % 251) as u8).collect();
    for n in 1..=2 {
        let blob = BatchBlob::new(&data, point(n)).unwrap();
        let rep = env.commit_with(&[], root(n), &blob).await.expect("commit");
        // DESIGN.md's first bar: <= 300 k excluding calldata (now with the 50 k
        // point-evaluation precompile), including the first batch (which also pays for the
        // counters slot going from zero to non-zero).
        assert!(rep.tx.execution_gas() <= 300_000, "batch {n}: {rep:?}");
        assert_eq!(rep.blob_gas_used, DATA_GAS_PER_BLOB);
    }
    assert_eq!(blob_data(1)[0], 0x01);
}
