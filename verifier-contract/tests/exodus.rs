//! Rollup.sol's L1 security (issue 12) on anvil: the unified priority queue (deposits and
//! forced exits), the designated operator and its windows, exodus mode with exits proven by
//! Poseidon-over-Goldilocks Merkle paths (checked against plonky2 through tests/support/tree.rs),
//! refunds, the sync readers and RPC failures. Proofs come from the test-only digest-echo circuit
//! (the verifier does not care what the batch says). Needs scripts/setup-l1.sh.

mod support;

use alloy::primitives::{Address, U256};
use alloy::providers::Provider;
use support::tree::{hash_bytes, hash_no_pad, leaf_hash, Tree};
use support::{deposit_effect, full_exit_effect, pkhash, root, withdraw_effect, Env};
use zkroll_verifier_contract::bindings::IPoseidonGoldilocks::IPoseidonGoldilocksErrors as HE;
use zkroll_verifier_contract::bindings::IRollup;
use zkroll_verifier_contract::bindings::IRollup::IRollupErrors as RE;
use zkroll_verifier_contract::{
    AnvilBlobs, ExitLeaf, L1Error, PriorityOp, RollupClient, RollupParams, TxReport, EMPTY_ROOT,
};

const GWEI: u64 = 1_000_000_000;
// Short windows for the tests that mine past them (anvil mines ~1 000 blocks a second here,
// so the defaults of 21 600 / 10 800 / 7 200 would dominate the test time; the logic is the
// same). The defaults themselves are checked in `empty_root_is_plonky2s_e32`.
const D: u64 = 200;
const W: u64 = 100;
const S: u64 = 150;

fn gwei(n: u64) -> U256 {
    U256::from(n) * U256::from(GWEI)
}

fn rollup_err<T: std::fmt::Debug>(res: Result<T, L1Error>, what: &str) -> RE {
    let err = res.expect_err(what);
    err.decode::<RE>()
        .unwrap_or_else(|| panic!("{what}: expected a Rollup error, got {err}"))
}

/// The block at which priority operation `n` was queued (its deadline minus D).
async fn queued_at(rollup: &RollupClient, n: u64) -> u64 {
    rollup.priority_op(n).await.unwrap().deadline - D
}

async fn paid(env: &Env, who: Address, rep: &TxReport, before: U256) -> U256 {
    // What `who` gained, adding back the gas it paid if it sent `rep`.
    let receipt = env
        .provider
        .get_transaction_receipt(rep.tx_hash)
        .await
        .unwrap()
        .unwrap();
    let after = env.provider.get_balance(who).await.unwrap();
    let fee = if receipt.from == who {
        U256::from(receipt.gas_used) * U256::from(receipt.effective_gas_price)
    } else {
        U256::ZERO
    };
    after + fee - before
}

#[tokio::test]
async fn empty_root_is_plonky2s_e32() {
    let env = Env::new().await;
    let e32 = Tree::default().root();
    assert_eq!(EMPTY_ROOT, e32, "client constant");
    let c = IRollup::new(env.rollup.address(), &env.provider);
    assert_eq!(
        c.EMPTY_ROOT().call().await.unwrap().0,
        e32,
        "contract constant"
    );
    assert_eq!(env.rollup.state_root().await.unwrap(), e32, "genesis");
    // The defaults are what docs/l1.md documents.
    let params = env.rollup.params().await.unwrap();
    assert_eq!(
        (
            params.priority_deadline,
            params.operator_window,
            params.silence_window
        ),
        (21_600, 10_800, 7_200)
    );
    assert_eq!(params.operator, env.anvil.addresses()[0]);
}

#[tokio::test]
async fn constructor_rejects_bad_parameters() {
    let env = Env::new().await;
    let op = env.anvil.addresses()[0];
    let cases = [
        (
            RollupParams {
                operator: Address::ZERO,
                ..RollupParams::new(op)
            },
            "zero operator",
        ),
        (
            RollupParams {
                priority_deadline: 0,
                operator_window: 0,
                ..RollupParams::new(op)
            },
            "zero deadline",
        ),
        (
            RollupParams {
                operator_window: RollupParams::DEFAULT_PRIORITY_DEADLINE + 1,
                ..RollupParams::new(op)
            },
            "window past deadline",
        ),
        (
            RollupParams {
                silence_window: 0,
                ..RollupParams::new(op)
            },
            "zero silence",
        ),
        (
            RollupParams {
                priority_deadline: (1 << 32) + 1,
                ..RollupParams::new(op)
            },
            "deadline > 2^32",
        ),
    ];
    for (params, what) in cases {
        let res = zkroll_verifier_contract::deploy_rollup(
            &env.provider,
            &env.toolchain,
            env.verifier,
            &params,
        )
        .await
        .map(|_| ());
        let e = rollup_err(res, what);
        if params.operator == Address::ZERO {
            assert!(matches!(e, RE::ZeroOperator(_)), "{what}: {e:?}");
        } else {
            assert!(matches!(e, RE::InvalidWindows(_)), "{what}: {e:?}");
        }
    }
}

/// A deposit to a key hash with no decodable key behind it (here the hash of limbs 1..5, which
/// L1 cannot tell from any other) is queued and consumed like any other, then a normal one.
#[tokio::test]
async fn deposit_to_a_non_decodable_key_does_not_freeze_the_queue() {
    let env = Env::new().await;
    let me = env.anvil.addresses()[0];
    let junk = hash_bytes(hash_no_pad(&[1, 2, 3, 4, 5]));
    env.rollup.deposit(junk, None, gwei(3)).await.expect("junk");
    env.rollup
        .deposit(pkhash(1), None, gwei(4))
        .await
        .expect("normal");
    let mut tree = Tree::default();
    tree.set(0, leaf_hash(&junk, 3, 0, me));
    tree.set(1, leaf_hash(&pkhash(1), 4, 0, me));
    let rep = env
        .commit(
            &env.rollup,
            &[
                deposit_effect(0, &junk, 3, me),
                deposit_effect(1, &pkhash(1), 4, me),
            ],
            tree.root(),
        )
        .await
        .expect("both committed");
    assert!(rep.tx.gas_used > 0);
    assert_eq!(env.rollup.priority_counters().await.unwrap(), (2, 2));
    assert_eq!(env.rollup.state_root().await.unwrap(), tree.root());
}

#[tokio::test]
async fn forced_exit_pays_the_owner_and_is_a_noop_for_a_stranger() {
    let env = Env::with_windows(D, W, S).await;
    let (owner, stranger) = (env.anvil.addresses()[1], env.anvil.addresses()[2]);
    let (owner_rollup, stranger_rollup) = (env.user(1), env.user(2));
    owner_rollup
        .deposit(pkhash(1), None, gwei(100))
        .await
        .unwrap();
    env.commit(
        &env.rollup,
        &[deposit_effect(7, &pkhash(1), 100, owner)],
        root(1),
    )
    .await
    .expect("deposit batch");

    let rep = owner_rollup.request_full_exit(7).await.expect("owner asks");
    let receipt = env
        .provider
        .get_transaction_receipt(rep.tx_hash)
        .await
        .unwrap()
        .unwrap();
    let ev = receipt
        .decoded_log::<IRollup::FullExitRequested>()
        .unwrap()
        .data;
    assert_eq!(
        (ev.index, ev.requester, ev.account),
        (U256::from(1), owner, 7)
    );
    assert_eq!(ev.deadline, receipt.block_number.unwrap() + D);
    stranger_rollup
        .request_full_exit(7)
        .await
        .expect("stranger asks");
    let pending = env.rollup.pending_priority_ops().await.unwrap();
    let [PriorityOp::FullExit(a), PriorityOp::FullExit(b)] = pending[..] else {
        panic!("two full exits: {pending:?}");
    };
    assert_eq!((a.index, a.requester, a.account), (1, owner, 7));
    assert_eq!((b.index, b.requester, b.account), (2, stranger, 7));
    assert_eq!(a.effect(100), full_exit_effect(7, owner, 100));

    // The effects must name the queued requesters, in order.
    for (what, slots) in [
        (
            "wrong requester",
            vec![
                full_exit_effect(7, stranger, 100),
                full_exit_effect(7, stranger, 0),
            ],
        ),
        (
            "wrong account",
            vec![
                full_exit_effect(8, owner, 100),
                full_exit_effect(7, stranger, 0),
            ],
        ),
        (
            "swapped",
            vec![
                full_exit_effect(7, stranger, 0),
                full_exit_effect(7, owner, 100),
            ],
        ),
    ] {
        let e = rollup_err(env.commit(&env.rollup, &slots, root(2)).await, what);
        assert!(matches!(e, RE::PriorityQueueMismatch(_)), "{what}");
    }
    let e = rollup_err(
        env.commit(
            &env.rollup,
            &[a.effect(100), b.effect(0), full_exit_effect(7, owner, 0)],
            root(2),
        )
        .await,
        "one more than queued",
    );
    assert!(matches!(e, RE::PriorityQueueOverrun(_)));

    let exits_rep = env
        .commit(&env.rollup, &[a.effect(100), b.effect(0)], root(2))
        .await
        .expect("exits processed");
    let receipt = env
        .provider
        .get_transaction_receipt(exits_rep.tx.tx_hash)
        .await
        .unwrap()
        .unwrap();
    let credits: Vec<_> = receipt
        .inner
        .logs()
        .iter()
        .filter_map(|l| l.log_decode::<IRollup::WithdrawalCredited>().ok())
        .map(|l| (l.inner.data.to, l.inner.data.amountWei))
        .collect();
    assert_eq!(credits, vec![(owner, gwei(100))], "only the owner is paid");
    assert_eq!(env.rollup.claimable(owner).await.unwrap(), gwei(100));
    assert_eq!(env.rollup.claimable(stranger).await.unwrap(), U256::ZERO);
    assert_eq!(env.rollup.priority_counters().await.unwrap(), (3, 3));
    let before = env.provider.get_balance(owner).await.unwrap();
    let rep = owner_rollup.withdraw().await.expect("withdraw");
    assert_eq!(paid(&env, owner, &rep, before).await, gwei(100));
    assert!(matches!(
        rollup_err(stranger_rollup.withdraw().await, "stranger"),
        RE::NothingToWithdraw(_)
    ));

    // What a sync reads back: every batch with its calldata and blob, every priority op.
    let batches = env.rollup.committed_batches(0).await.unwrap();
    assert_eq!(batches.len(), 2);
    assert_eq!(
        batches[0].effects,
        deposit_effect(7, &pkhash(1), 100, owner).to_vec()
    );
    for (b, n) in batches.iter().zip([1u64, 2]) {
        // Env::commit tags a batch's blob with the last 8 bytes of its new root.
        let tag = u64::from_be_bytes(root(n)[24..].try_into().unwrap());
        let blob = support::batch_blob(tag);
        assert_eq!(b.versioned_hash, blob.versioned_hash());
        assert_eq!((b.x, b.y), (blob.opening.x, blob.opening.y));
        let data = env
            .rollup
            .batch_blob_data(b, &AnvilBlobs::new(env.provider.clone()))
            .await
            .expect("blob data read back");
        let sent = support::blob_data(tag);
        assert_eq!(&data[..sent.len()], &sent[..]);
        assert!(data[sent.len()..].iter().all(|&b| b == 0));
    }
    assert_eq!(
        (batches[0].old_root, batches[0].new_root),
        (EMPTY_ROOT, root(1))
    );
    assert_eq!(
        batches[1].effects,
        [
            full_exit_effect(7, owner, 100),
            full_exit_effect(7, stranger, 0)
        ]
        .concat()
    );
    assert_eq!((batches[1].batch_number, batches[1].priority_ops), (2, 2));
    assert_eq!(batches[1].tx_hash, exits_rep.tx.tx_hash);
    assert_eq!(env.rollup.priority_ops().await.unwrap().len(), 3);
    assert!(env
        .rollup
        .committed_batches(batches[1].block_number + 1)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn strangers_commit_only_after_the_operator_window_or_silence() {
    let env = Env::with_windows(D, W, S).await;
    let stranger = env.user(1);
    let me = env.anvil.addresses()[0];
    // Nothing waiting, operator not silent: refused.
    let e = rollup_err(env.commit(&stranger, &[], root(1)).await, "idle");
    assert!(matches!(e, RE::NotOperator(_)));
    env.rollup.deposit(pkhash(1), None, gwei(1)).await.unwrap();
    let q = queued_at(&env.rollup, 0).await;
    // The next transaction lands in block `block + 1`: allowed from block q + W on.
    let now = env.block().await;
    env.mine(q + W - 2 - now).await;
    let e = rollup_err(
        env.commit(&stranger, &[deposit_effect(0, &pkhash(1), 1, me)], root(1))
            .await,
        "inside the window",
    );
    assert!(matches!(e, RE::NotOperator(_)));
    env.mine(1).await;
    env.commit(&stranger, &[deposit_effect(0, &pkhash(1), 1, me)], root(1))
        .await
        .expect("window passed");
    // Operator silence: S blocks after the last batch, anyone may commit (even with no op waiting).
    let last = env.rollup.last_commit_block().await.unwrap();
    assert_eq!(last, env.block().await);
    env.mine(S - 2).await;
    let e = rollup_err(
        env.commit(
            &stranger,
            &[withdraw_effect(1, Address::repeat_byte(3), 0)],
            root(2),
        )
        .await,
        "operator not silent yet",
    );
    assert!(matches!(e, RE::NotOperator(_)));
    env.mine(1).await;
    env.commit(
        &stranger,
        &[withdraw_effect(1, Address::repeat_byte(3), 0)],
        root(2),
    )
    .await
    .expect("operator silent");
    // The operator itself is never refused.
    env.commit(&env.rollup, &[], root(3))
        .await
        .expect("operator");
}

#[tokio::test]
async fn exodus_pays_owners_once_and_refunds_unprocessed_deposits() {
    let env = Env::with_windows(D, W, S).await;
    let [_, alice, bob, carol] = [0, 1, 2, 3].map(|i| env.anvil.addresses()[i]);
    let (alice_r, bob_r, carol_r) = (env.user(1), env.user(2), env.user(3));

    // Nothing queued: no exodus; nothing to exit or refund outside exodus.
    assert!(matches!(
        rollup_err(carol_r.activate_exodus().await, "empty queue"),
        RE::PriorityQueueEmpty(_)
    ));

    // Alice owns account 3 (1000 gwei), Bob account 5 (500 gwei): one batch with a real root.
    alice_r.deposit(pkhash(1), None, gwei(1_000)).await.unwrap();
    bob_r.deposit(pkhash(2), None, gwei(500)).await.unwrap();
    let mut tree = Tree::default();
    tree.set(3, leaf_hash(&pkhash(1), 1_000, 0, alice));
    tree.set(5, leaf_hash(&pkhash(2), 500, 0, bob));
    env.commit(
        &env.rollup,
        &[
            deposit_effect(3, &pkhash(1), 1_000, alice),
            deposit_effect(5, &pkhash(2), 500, bob),
        ],
        tree.root(),
    )
    .await
    .expect("batch 1");
    // Then the operator stops: Bob's second deposit (op 2) and Alice's exit request (op 3) wait.
    bob_r.deposit(pkhash(2), None, gwei(70)).await.unwrap();
    alice_r.request_full_exit(3).await.unwrap();
    let deadline = env.rollup.priority_op(2).await.unwrap().deadline;

    let alice_leaf = ExitLeaf {
        account: 3,
        pkhash: pkhash(1),
        balance: 1_000,
        nonce: 0,
        owner: alice,
    };
    let bob_leaf = ExitLeaf {
        account: 5,
        pkhash: pkhash(2),
        balance: 500,
        nonce: 0,
        owner: bob,
    };
    assert!(matches!(
        rollup_err(
            carol_r.exodus_exit(&alice_leaf, &tree.siblings(3)).await,
            "exit early"
        ),
        RE::NotInExodus(_)
    ));
    assert!(matches!(
        rollup_err(carol_r.refund_deposit(2).await, "refund early"),
        RE::NotInExodus(_)
    ));
    let e = rollup_err(carol_r.activate_exodus().await, "before the deadline");
    assert!(
        matches!(e, RE::DeadlineNotReached(ref x) if x.index == U256::from(2) && x.deadline == U256::from(deadline)),
        "{e:?}"
    );
    // Mine to the deadline: still refused in block `deadline`, allowed after it.
    let now = env.block().await;
    env.mine(deadline - 1 - now).await;
    assert!(matches!(
        rollup_err(carol_r.activate_exodus().await, "at the deadline"),
        RE::DeadlineNotReached(_)
    ));
    env.mine(1).await;
    let rep = carol_r.activate_exodus().await.expect("exodus");
    let receipt = env
        .provider
        .get_transaction_receipt(rep.tx_hash)
        .await
        .unwrap()
        .unwrap();
    let ev = receipt
        .decoded_log::<IRollup::ExodusActivated>()
        .unwrap()
        .data;
    assert_eq!(
        (ev.overdueIndex, ev.stateRoot.0),
        (U256::from(2), tree.root())
    );
    assert!(env.rollup.exodus_active().await.unwrap());

    // Exodus freezes the rollup.
    assert!(matches!(
        rollup_err(carol_r.activate_exodus().await, "twice"),
        RE::ExodusActive(_)
    ));
    assert!(matches!(
        rollup_err(env.commit(&env.rollup, &[], root(9)).await, "batch"),
        RE::ExodusActive(_)
    ));
    assert!(matches!(
        rollup_err(alice_r.deposit(pkhash(1), None, gwei(1)).await, "deposit"),
        RE::ExodusActive(_)
    ));
    assert!(matches!(
        rollup_err(alice_r.request_full_exit(3).await, "exit request"),
        RE::ExodusActive(_)
    ));

    // Wrong leaves and paths.
    let wrong = [
        (
            "balance",
            ExitLeaf {
                balance: 1_001,
                ..alice_leaf
            },
            tree.siblings(3),
        ),
        (
            "nonce",
            ExitLeaf {
                nonce: 1,
                ..alice_leaf
            },
            tree.siblings(3),
        ),
        (
            "owner",
            ExitLeaf {
                owner: carol,
                ..alice_leaf
            },
            tree.siblings(3),
        ),
        (
            "pkhash",
            ExitLeaf {
                pkhash: pkhash(2),
                ..alice_leaf
            },
            tree.siblings(3),
        ),
        (
            "account",
            ExitLeaf {
                account: 4,
                ..alice_leaf
            },
            tree.siblings(3),
        ),
        ("another account's path", alice_leaf, tree.siblings(5)),
        (
            "empty leaf's account",
            ExitLeaf {
                account: 9,
                ..alice_leaf
            },
            tree.siblings(9),
        ),
    ];
    for (what, leaf, sibs) in wrong {
        assert!(
            matches!(
                rollup_err(carol_r.exodus_exit(&leaf, &sibs).await, what),
                RE::InvalidLeafProof(_)
            ),
            "{what}"
        );
    }
    let mut bad = tree.siblings(3);
    bad[31][0..8].copy_from_slice(&0xffff_ffff_0000_0001u64.to_be_bytes());
    let err = carol_r
        .exodus_exit(&alice_leaf, &bad)
        .await
        .expect_err("limb");
    assert!(
        matches!(err.decode::<HE>(), Some(HE::SiblingLimbNotCanonical(ref x)) if x.level == U256::from(31)),
        "{err}"
    );
    let mut bad_leaf = alice_leaf;
    bad_leaf.pkhash[24..32].copy_from_slice(&u64::MAX.to_be_bytes());
    assert!(matches!(
        rollup_err(
            carol_r.exodus_exit(&bad_leaf, &tree.siblings(3)).await,
            "pkhash limb"
        ),
        RE::PkhashLimbNotCanonical(_)
    ));

    // Carol sends Alice's exit: Alice is paid exactly her balance.
    let before = env.provider.get_balance(alice).await.unwrap();
    let rep = carol_r
        .exodus_exit(&alice_leaf, &tree.siblings(3))
        .await
        .expect("alice exits");
    assert_eq!(paid(&env, alice, &rep, before).await, gwei(1_000));
    assert!(env.rollup.exit_done(3).await.unwrap());
    assert!(!env.rollup.exit_done(5).await.unwrap());
    let e = rollup_err(
        alice_r.exodus_exit(&alice_leaf, &tree.siblings(3)).await,
        "second exit",
    );
    assert!(matches!(e, RE::ExitAlreadyDone(ref x) if x.account == 3));
    let before = env.provider.get_balance(bob).await.unwrap();
    let rep = bob_r
        .exodus_exit(&bob_leaf, &tree.siblings(5))
        .await
        .expect("bob exits");
    assert_eq!(paid(&env, bob, &rep, before).await, gwei(500));
    assert!(rep.gas_used <= 2_000_000, "exit gas {}", rep.gas_used);

    // Refunds: only unprocessed deposits, once.
    let before = env.provider.get_balance(bob).await.unwrap();
    let rep = carol_r.refund_deposit(2).await.expect("refund");
    assert_eq!(paid(&env, bob, &rep, before).await, gwei(70));
    assert!(matches!(
        rollup_err(carol_r.refund_deposit(2).await, "twice"),
        RE::RefundAlreadyDone(ref x) if x.index == U256::from(2)
    ));
    assert!(matches!(
        rollup_err(carol_r.refund_deposit(3).await, "a full exit"),
        RE::NotADeposit(ref x) if x.index == U256::from(3)
    ));
    for n in [0u64, 1, 4] {
        assert!(matches!(
            rollup_err(carol_r.refund_deposit(n).await, "processed or unknown"),
            RE::NotRefundable(ref x) if x.index == U256::from(n)
        ));
    }
    // Every wei is accounted for: deposits 1570 gwei in, 1570 out.
    assert_eq!(
        env.provider
            .get_balance(env.rollup.address())
            .await
            .unwrap(),
        U256::ZERO
    );
}

/// A node that is down, or that accepts connections and never answers, is an error naming it.
#[tokio::test]
async fn dead_rpc_is_an_error_not_a_hang() {
    use alloy::signers::local::PrivateKeySigner;
    use std::time::Duration;
    // A port nobody listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let err = zkroll_verifier_contract::connect_checked(
        &url,
        PrivateKeySigner::random(),
        Duration::from_secs(5),
    )
    .await
    .expect_err("closed port");
    assert!(matches!(err, L1Error::Unreachable { .. }), "{err}");
    assert!(err.to_string().contains(&url), "{err}");
    // A listener that never answers: the request times out.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", silent.local_addr().unwrap());
    let err = zkroll_verifier_contract::connect_checked(
        &url,
        PrivateKeySigner::random(),
        Duration::from_secs(1),
    )
    .await
    .expect_err("silent node");
    assert!(matches!(err, L1Error::Unreachable { .. }), "{err}");
    drop(silent);
    // A malformed URL.
    assert!(matches!(
        zkroll_verifier_contract::connect("not a url", PrivateKeySigner::random()),
        Err(L1Error::Url(_))
    ));
}

/// An owner that refuses ether cannot block its exit: the amount is credited to `claimable`
/// instead (`PaymentDeferred`).
#[tokio::test]
async fn refused_exit_payment_is_credited_instead() {
    use alloy::sol_types::SolValue;
    let env = Env::with_windows(D, W, S).await;
    let src =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/contracts/Receivers.sol");
    let artifact = env
        .toolchain
        .compile(
            &src,
            &env.toolchain.root().join("out/test-receivers"),
            "Refuser",
        )
        .expect("compile Refuser");
    let (refuser, _) = zkroll_verifier_contract::deploy(
        &env.provider,
        &artifact,
        &env.rollup.address().abi_encode(),
    )
    .await
    .expect("deploy Refuser");
    env.rollup
        .deposit(pkhash(1), Some(refuser), gwei(40))
        .await
        .unwrap();
    let mut tree = Tree::default();
    tree.set(1, leaf_hash(&pkhash(1), 40, 0, refuser));
    env.commit(
        &env.rollup,
        &[deposit_effect(1, &pkhash(1), 40, refuser)],
        tree.root(),
    )
    .await
    .unwrap();
    env.rollup.deposit(pkhash(2), None, gwei(1)).await.unwrap();
    env.mine(D + 1).await;
    env.rollup.activate_exodus().await.unwrap();
    let leaf = ExitLeaf {
        account: 1,
        pkhash: pkhash(1),
        balance: 40,
        nonce: 0,
        owner: refuser,
    };
    let rep = env
        .rollup
        .exodus_exit(&leaf, &tree.siblings(1))
        .await
        .expect("exit does not block");
    let receipt = env
        .provider
        .get_transaction_receipt(rep.tx_hash)
        .await
        .unwrap()
        .unwrap();
    let ev = receipt
        .decoded_log::<IRollup::PaymentDeferred>()
        .expect("PaymentDeferred")
        .data;
    assert_eq!((ev.to, ev.amountWei), (refuser, gwei(40)));
    assert_eq!(env.rollup.claimable(refuser).await.unwrap(), gwei(40));
    assert_eq!(env.provider.get_balance(refuser).await.unwrap(), U256::ZERO);
    assert!(matches!(
        rollup_err(
            env.rollup.exodus_exit(&leaf, &tree.siblings(1)).await,
            "again"
        ),
        RE::ExitAlreadyDone(_)
    ));
}

alloy::sol! {
    #[sol(rpc)]
    interface IForwarder {
        function forward(address rollup, bytes calldata commitCalldata) external;
    }
}

/// The sync reader takes the effects list from transaction input: a batch committed through another
/// contract (here after the operator's silence, so that the forwarder may commit) is refused
/// with an error naming the batch and its transaction, not misread.
#[tokio::test]
async fn sync_reader_refuses_a_batch_it_cannot_read() {
    let env = Env::with_windows(D, W, S).await;
    let src =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/contracts/Forwarder.sol");
    let artifact = env
        .toolchain
        .compile(
            &src,
            &env.toolchain.root().join("out/test-forwarder"),
            "Forwarder",
        )
        .expect("compile Forwarder");
    let (fwd, _) = zkroll_verifier_contract::deploy(&env.provider, &artifact, &[])
        .await
        .expect("deploy Forwarder");
    env.commit(
        &env.rollup,
        &[withdraw_effect(1, Address::repeat_byte(3), 0)],
        root(1),
    )
    .await
    .expect("direct batch");
    env.mine(S).await;
    let list = support::effects(&[withdraw_effect(2, Address::repeat_byte(1), 0)]);
    let blob = support::batch_blob(2);
    let proof = env.prove(&list, &root(2), &blob.opening).await;
    let input =
        zkroll_verifier_contract::commit_batch_calldata(root(2), &list, &blob.opening, proof);
    let forward = IForwarder::forwardCall {
        rollup: env.rollup.address(),
        commitCalldata: input,
    };
    use alloy::sol_types::SolCall;
    let rep = zkroll_verifier_contract::send_blob_tx(
        &env.provider,
        fwd,
        forward.abi_encode().into(),
        vec![*blob.blob],
        zkroll_verifier_contract::SidecarFormat::default(),
    )
    .await
    .expect("forwarded commit");
    let receipt = env
        .provider
        .get_transaction_receipt(rep.tx.tx_hash)
        .await
        .unwrap()
        .unwrap();
    assert!(receipt.status());
    assert_eq!(env.rollup.batch_number().await.unwrap(), 2);
    let err = env
        .rollup
        .committed_batches(0)
        .await
        .expect_err("unreadable");
    assert!(
        matches!(err, L1Error::BadCalldata { batch: 2, tx, .. } if tx == receipt.transaction_hash),
        "{err}"
    );
    // From the block after it, nothing is left to read.
    let after = receipt.block_number.unwrap() + 1;
    assert!(env
        .rollup
        .committed_batches(after)
        .await
        .unwrap()
        .is_empty());
}
