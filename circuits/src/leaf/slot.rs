//! One transaction slot of the leaf circuit: a Deposit, Transfer, Withdraw or no-op, with
//! its signature, balance/nonce rules, up to three Merkle updates and its pubdata block.
//!
//! Native twin: `crate::execute::apply_tx` (semantics) and `crate::pubdata::slot` (bytes).
//! Every update "lane" is one sparse-Merkle update that only takes effect when the lane is
//! active; an inactive lane leaves the root unchanged whatever its witness.

use plonky2::field::types::Field;
use plonky2::hash::hash_types::{HashOut, HashOutTarget};
use plonky2::hash::poseidon::PoseidonHash;
use plonky2::iop::target::{BoolTarget, Target};
use plonky2::plonk::circuit_builder::CircuitBuilder;

use crate::gadgets::merkle::{CircuitBuilderMerkle, TREE_DEPTH};
use crate::gadgets::range::{CircuitBuilderRange, U64Target};
use crate::gadgets::schnorr::{CircuitBuilderSchnorr, SignatureTarget};
use crate::gadgets::sha256::{CircuitBuilderSha256, Sha256StateTarget};
use crate::schnorr::{PublicKey, SecretKey, Signature};
use crate::tx::MESSAGE_TAG;
use crate::{D, F};

/// What a slot reads and writes of the running leaf state.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Running {
    pub root: HashOutTarget,
    pub sha: Sha256StateTarget,
    pub blocks: Target,
}

/// The batch-wide values every slot uses.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Context {
    pub chain: [Target; 2],
    pub rollup: [Target; 5],
    pub operator: Target,
    pub operator_bytes: [Target; 4],
}

/// One Merkle-update lane: the account at `index` before the update, and its path.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LaneTargets {
    pub pubkey: [Target; 5],
    pub balance: U64Target,
    pub nonce: Target,
    pub siblings: [HashOutTarget; TREE_DEPTH],
}

/// The witness targets of one slot.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SlotTargets {
    pub is_deposit: BoolTarget,
    pub is_transfer: BoolTarget,
    pub is_withdraw: BoolTarget,
    /// Deposit: the account is created (its leaf was empty).
    pub create: BoolTarget,
    /// Deposit account, or sender.
    pub account: Target,
    pub to: Target,
    pub amount: U64Target,
    pub fee: U64Target,
    pub nonce: Target,
    /// The L1 address as five big-endian u32 words (Withdraw).
    pub l1: [Target; 5],
    pub signature: SignatureTarget,
    /// Lane 0: deposit account / sender (its pubkey is the deposit key / the signer's key);
    /// lane 1: receiver (Transfer) or operator (Withdraw); lane 2: operator (Transfer).
    pub lanes: [LaneTargets; 3],
}

/// The fixed (public) key, message and signature a non-signed slot feeds to the Schnorr
/// gadget, so that the gadget can stay unconditional. Its secret key is public knowledge
/// (seed below): it only ever verifies in slots whose signature is not required.
pub(crate) fn dummy_signature() -> &'static (PublicKey, HashOut<F>, Signature) {
    static DUMMY: std::sync::OnceLock<(PublicKey, HashOut<F>, Signature)> =
        std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        let sk = SecretKey::from_seed(b"zkroll/leaf/unsigned-slot-dummy!");
        let m = HashOut {
            elements: [F::ZERO, F::ONE, F::TWO, F::from_canonical_u64(3)],
        };
        (sk.public_key(), m, sk.sign(&m))
    })
}

fn virtual_lane(b: &mut CircuitBuilder<F, D>, pubkey: Option<[Target; 5]>) -> LaneTargets {
    let balance = b.add_virtual_u64_target();
    let nonce = b.add_virtual_u32_target();
    LaneTargets {
        pubkey: pubkey.unwrap_or_else(|| b.add_virtual_target_arr()),
        balance,
        nonce,
        siblings: std::array::from_fn(|_| b.add_virtual_hash()),
    }
}

/// `x · flag` limb by limb (a u64 that is `x` or 0).
fn u64_if(b: &mut CircuitBuilder<F, D>, flag: Target, x: U64Target) -> U64Target {
    U64Target {
        lo: b.mul(flag, x.lo),
        hi: b.mul(flag, x.hi),
    }
}

/// Constrains `flag · x = 0`: `x` must be zero if `flag` is set.
fn zero_if(b: &mut CircuitBuilder<F, D>, flag: Target, x: Target) {
    let p = b.mul(flag, x);
    b.assert_zero(p);
}

/// One conditional update: if `active`, `old_leaf` must sit at `index` under `root` and the
/// result is the root with `new_leaf` there; otherwise `root` is returned unchanged.
fn lane_update(
    b: &mut CircuitBuilder<F, D>,
    root: HashOutTarget,
    active: BoolTarget,
    index: Target,
    old_leaf: HashOutTarget,
    new_leaf: HashOutTarget,
    siblings: &[HashOutTarget; TREE_DEPTH],
) -> HashOutTarget {
    let bits = b.merkle_index_bits(index);
    let old = b.verify_merkle_path(old_leaf, &bits, siblings);
    let new = b.verify_merkle_path(new_leaf, &bits, siblings);
    let mut out = root;
    for i in 0..4 {
        let d = b.sub(old.elements[i], root.elements[i]);
        zero_if(b, active.target, d);
        out.elements[i] = b.select(active, new.elements[i], root.elements[i]);
    }
    out
}

/// Builds one slot on top of `run`; returns its targets and the running state after it.
pub(crate) fn build_slot(
    b: &mut CircuitBuilder<F, D>,
    ctx: &Context,
    run: Running,
) -> (SlotTargets, Running) {
    let zero = b.zero();
    let is_deposit = b.add_virtual_bool_target_safe();
    let is_transfer = b.add_virtual_bool_target_safe();
    let is_withdraw = b.add_virtual_bool_target_safe();
    // At most one type: the sum is boolean.
    let signed_t = b.add(is_transfer.target, is_withdraw.target);
    let active_t = b.add(signed_t, is_deposit.target);
    b.assert_bool(BoolTarget::new_unsafe(active_t));
    let signed = BoolTarget::new_unsafe(signed_t);
    let active = BoolTarget::new_unsafe(active_t);
    let create = b.add_virtual_bool_target_safe();
    zero_unless(b, is_deposit.target, create.target);

    let account = b.add_virtual_target();
    let to = b.add_virtual_target();
    let nonce = b.add_virtual_target();
    let amount = b.add_virtual_u64_target();
    let fee = b.add_virtual_u64_target();
    let l1: [Target; 5] = b.add_virtual_target_arr();
    let account_bytes = b.u32_to_be_bytes(account);
    let to_bytes = b.u32_to_be_bytes(to);
    b.range_check_u32(nonce);
    let l1_bytes: Vec<Target> = l1.iter().flat_map(|&w| b.u32_to_be_bytes(w)).collect();
    let amount_bytes = b.u64_to_be_bytes(amount);
    let fee_bytes = b.u64_to_be_bytes(fee);

    // Fields a type does not use are zero, so a slot's witness is determined by its pubdata.
    zero_unless(b, active.target, account);
    zero_unless(b, active.target, amount.lo);
    zero_unless(b, active.target, amount.hi);
    zero_unless(b, is_transfer.target, to);
    zero_unless(b, signed.target, fee.lo);
    zero_unless(b, signed.target, fee.hi);
    zero_unless(b, signed.target, nonce);
    for &w in &l1 {
        zero_unless(b, is_withdraw.target, w);
    }

    // Lane 0: deposit account or sender; its key is the deposit key or the signer's key.
    let lane0 = virtual_lane(b, None);
    let pk = lane0.pubkey;
    // Transfer/Withdraw type code: 2·is_transfer + 3·is_withdraw (+ 1·is_deposit for bytes).
    let two = b.two();
    let three = b.constant(F::from_canonical_u64(3));
    let signed_type = b.mul(two, is_transfer.target);
    let signed_type = b.mul_add(three, is_withdraw.target, signed_type);
    let slot_type = b.add(signed_type, is_deposit.target);

    // Signature over the formats.md §3 message, built from this slot's fields.
    let tag = b.constant(F::from_canonical_u32(MESSAGE_TAG));
    let mut msg = vec![tag, ctx.chain[0], ctx.chain[1]];
    msg.extend(ctx.rollup);
    msg.extend([signed_type, account, to]);
    msg.extend(l1);
    msg.extend([amount.lo, amount.hi, fee.lo, fee.hi, nonce]);
    let m = b.hash_n_to_hash_no_pad::<PoseidonHash>(msg);
    let (dpk, dm, _) = dummy_signature();
    let dpk = dpk.encode();
    let sig_pk: [Target; 5] = std::array::from_fn(|i| {
        let c = b.constant(dpk[i]);
        b.select(signed, pk[i], c)
    });
    let sig_m = HashOutTarget::from(std::array::from_fn(|i| {
        let c = b.constant(dm.elements[i]);
        b.select(signed, m.elements[i], c)
    }));
    let signature = b.add_virtual_signature_target();
    b.verify_schnorr(sig_pk, sig_m, &signature);

    // Lane 0 update: deposit credit or signed debit, nonce.
    zero_if(b, create.target, lane0.balance.lo);
    zero_if(b, create.target, lane0.balance.hi);
    zero_if(b, create.target, lane0.nonce);
    let existing = b.account_leaf_hash(&pk, lane0.balance, lane0.nonce);
    let empty = b.empty_leaf_hash();
    let old_leaf0 = HashOutTarget::from(std::array::from_fn(|i| {
        b.select(create, empty.elements[i], existing.elements[i])
    }));
    let credit0 = u64_if(b, is_deposit.target, amount);
    let needed = b.add_u64_checked(amount, fee);
    let debit0 = u64_if(b, signed.target, needed);
    let credited = b.add_u64_checked(lane0.balance, credit0);
    let balance0 = b.sub_u64_checked(credited, debit0);
    let d = b.sub(nonce, lane0.nonce);
    zero_if(b, signed.target, d);
    let nonce0 = b.add_u32_checked(lane0.nonce, signed.target);
    let new_leaf0 = b.account_leaf_hash(&pk, balance0, nonce0);
    let root = lane_update(
        b,
        run.root,
        active,
        account,
        old_leaf0,
        new_leaf0,
        &lane0.siblings,
    );

    // Lane 1: receiver (Transfer, + amount) or operator (Withdraw, + fee).
    let lane1 = virtual_lane(b, None);
    let index1 = b.select(is_transfer, to, ctx.operator);
    let c_amount = u64_if(b, is_transfer.target, amount);
    let credit1 = U64Target {
        lo: b.mul_add(is_withdraw.target, fee.lo, c_amount.lo),
        hi: b.mul_add(is_withdraw.target, fee.hi, c_amount.hi),
    };
    let old_leaf1 = b.account_leaf_hash(&lane1.pubkey, lane1.balance, lane1.nonce);
    let balance1 = b.add_u64_checked(lane1.balance, credit1);
    let new_leaf1 = b.account_leaf_hash(&lane1.pubkey, balance1, lane1.nonce);
    let root = lane_update(
        b,
        root,
        signed,
        index1,
        old_leaf1,
        new_leaf1,
        &lane1.siblings,
    );

    // Lane 2: operator (Transfer, + fee).
    let lane2 = virtual_lane(b, None);
    let credit2 = u64_if(b, is_transfer.target, fee);
    let old_leaf2 = b.account_leaf_hash(&lane2.pubkey, lane2.balance, lane2.nonce);
    let balance2 = b.add_u64_checked(lane2.balance, credit2);
    let new_leaf2 = b.account_leaf_hash(&lane2.pubkey, balance2, lane2.nonce);
    let root = lane_update(
        b,
        root,
        is_transfer,
        ctx.operator,
        old_leaf2,
        new_leaf2,
        &lane2.siblings,
    );

    // Pubdata (formats.md §4): one 64-byte block per non-no-op slot.
    let pk_bytes: Vec<Target> = pk.iter().flat_map(|&l| b.split_field_be_bytes(l)).collect();
    let mut dep = vec![zero; 64];
    let mut tr = vec![zero; 64];
    let mut wd = vec![zero; 64];
    dep[1..5].copy_from_slice(&account_bytes);
    dep[5..45].copy_from_slice(&pk_bytes);
    dep[45..53].copy_from_slice(&amount_bytes);
    tr[1..5].copy_from_slice(&account_bytes);
    tr[5..9].copy_from_slice(&to_bytes);
    tr[9..17].copy_from_slice(&amount_bytes);
    tr[17..25].copy_from_slice(&fee_bytes);
    tr[25..29].copy_from_slice(&ctx.operator_bytes);
    wd[1..5].copy_from_slice(&account_bytes);
    wd[5..25].copy_from_slice(&l1_bytes);
    wd[25..33].copy_from_slice(&amount_bytes);
    wd[33..41].copy_from_slice(&fee_bytes);
    wd[41..45].copy_from_slice(&ctx.operator_bytes);
    let mut bytes = vec![slot_type];
    for j in 1..64 {
        let mut acc = zero;
        for (flag, layout) in [(is_deposit, &dep), (is_transfer, &tr), (is_withdraw, &wd)] {
            if layout[j] != zero {
                acc = b.mul_add(flag.target, layout[j], acc);
            }
        }
        bytes.push(acc);
    }
    let block = b.sha256_block_from_bytes(&bytes);
    let sha = b.sha256_maybe_compress(active, &run.sha, &block);
    let blocks = b.add(run.blocks, active.target);

    let targets = SlotTargets {
        is_deposit,
        is_transfer,
        is_withdraw,
        create,
        account,
        to,
        amount,
        fee,
        nonce,
        l1,
        signature,
        lanes: [lane0, lane1, lane2],
    };
    (targets, Running { root, sha, blocks })
}

/// Constrains `(1 − flag) · x = 0`: `x` must be zero unless `flag` is set.
fn zero_unless(b: &mut CircuitBuilder<F, D>, flag: Target, x: Target) {
    // x − flag·x = 0
    let fx = b.mul(flag, x);
    b.connect(fx, x);
}
