//! One transaction slot of the leaf circuit: a Deposit, Transfer, Withdraw, FullExit or
//! no-op, with its signature, balance/nonce/owner rules, up to three Merkle updates and its
//! pubdata block.
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
    pub pkhash: HashOutTarget,
    pub balance: U64Target,
    pub nonce: Target,
    pub owner: [Target; 5],
    pub siblings: [HashOutTarget; TREE_DEPTH],
}

/// The witness targets of one slot.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SlotTargets {
    pub is_deposit: BoolTarget,
    pub is_transfer: BoolTarget,
    pub is_withdraw: BoolTarget,
    pub is_full_exit: BoolTarget,
    /// Deposit or FullExit: the lane-0 leaf was empty (a Deposit creates the account, a
    /// FullExit is a no-op).
    pub empty: BoolTarget,
    /// Deposit/FullExit account, or sender.
    pub account: Target,
    pub to: Target,
    /// Amount moved; for a FullExit the amount paid (balance or 0).
    pub amount: U64Target,
    pub fee: U64Target,
    pub nonce: Target,
    /// An L1 address as five big-endian u32 words: the Withdraw recipient, the Deposit owner
    /// or the FullExit requester.
    pub l1: [Target; 5],
    /// The signer's key limbs (signed slots; hashed and compared with lane 0's `pkhash`).
    pub pubkey: [Target; 5],
    pub signature: SignatureTarget,
    /// Lane 0: deposit/exit account or sender; lane 1: receiver (Transfer) or operator
    /// (Withdraw); lane 2: operator (Transfer).
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

fn virtual_lane(b: &mut CircuitBuilder<F, D>) -> LaneTargets {
    let balance = b.add_virtual_u64_target();
    let nonce = b.add_virtual_u32_target();
    LaneTargets {
        pkhash: b.add_virtual_hash(),
        balance,
        nonce,
        owner: b.add_virtual_target_arr(),
        siblings: std::array::from_fn(|_| b.add_virtual_hash()),
    }
}

/// The leaf hash of a lane's account with another balance and nonce.
fn lane_leaf(
    b: &mut CircuitBuilder<F, D>,
    lane: &LaneTargets,
    balance: U64Target,
    nonce: Target,
) -> HashOutTarget {
    b.account_leaf_hash(lane.pkhash, balance, nonce, &lane.owner)
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
    let is_full_exit = b.add_virtual_bool_target_safe();
    // At most one type: the sum is boolean.
    let signed_t = b.add(is_transfer.target, is_withdraw.target);
    let priority_t = b.add(is_deposit.target, is_full_exit.target);
    let active_t = b.add(signed_t, priority_t);
    b.assert_bool(BoolTarget::new_unsafe(active_t));
    let signed = BoolTarget::new_unsafe(signed_t);
    let active = BoolTarget::new_unsafe(active_t);
    // Lane 0 may be empty only for a priority op (Deposit: creation; FullExit: no-op).
    let empty = b.add_virtual_bool_target_safe();
    zero_unless(b, priority_t, empty.target);

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
    // The address is used by every type but Transfer.
    let uses_l1 = b.sub(active_t, is_transfer.target);
    for &w in &l1 {
        zero_unless(b, uses_l1, w);
    }
    // A deposit amount is below 2^56 (7 bytes of pubdata): its top byte is zero.
    zero_if(b, is_deposit.target, amount_bytes[0]);
    // A withdrawal never goes to the zero address (the words are u32: their sum cannot wrap).
    let l1_sum = l1.iter().fold(zero, |acc, &w| b.add(acc, w));
    let l1_is_zero = b.is_equal(l1_sum, zero);
    zero_if(b, is_withdraw.target, l1_is_zero.target);

    // Lane 0: deposit/exit account or sender.
    let lane0 = virtual_lane(b);
    // The signer's key is a witness: it must hash to the sender's pkhash; the Schnorr gadget
    // checks that it decodes to a non-neutral point.
    let pubkey: [Target; 5] = b.add_virtual_target_arr();
    let pk_hash = b.hash_n_to_hash_no_pad::<PoseidonHash>(pubkey.to_vec());
    for i in 0..4 {
        let d = b.sub(pk_hash.elements[i], lane0.pkhash.elements[i]);
        zero_if(b, signed.target, d);
    }
    // Transfer/Withdraw type code: 2·is_transfer + 3·is_withdraw (+ 1·is_deposit +
    // 4·is_full_exit for the pubdata byte).
    let two = b.two();
    let three = b.constant(F::from_canonical_u64(3));
    let four = b.constant(F::from_canonical_u64(4));
    let signed_type = b.mul(two, is_transfer.target);
    let signed_type = b.mul_add(three, is_withdraw.target, signed_type);
    let slot_type = b.add(signed_type, is_deposit.target);
    let slot_type = b.mul_add(four, is_full_exit.target, slot_type);

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
        b.select(signed, pubkey[i], c)
    });
    let sig_m = HashOutTarget::from(std::array::from_fn(|i| {
        let c = b.constant(dm.elements[i]);
        b.select(signed, m.elements[i], c)
    }));
    let signature = b.add_virtual_signature_target();
    b.verify_schnorr(sig_pk, sig_m, &signature);

    // A Deposit names the account's owner (creating it, or matching the existing one; its
    // pkhash in the pubdata is lane 0's).
    for (&o, &w) in lane0.owner.iter().zip(&l1) {
        let d = b.sub(o, w);
        zero_if(b, is_deposit.target, d);
    }
    // A FullExit pays iff the leaf exists and the requester is its owner; then the amount is
    // the whole balance, otherwise 0.
    let mut same_owner = b._true();
    for (&o, &w) in lane0.owner.iter().zip(&l1) {
        let e = b.is_equal(o, w);
        same_owner = b.and(same_owner, e);
    }
    let exists = b.not(empty);
    let owned = b.and(exists, same_owner);
    let pays = b.and(is_full_exit, owned);
    let paid = u64_if(b, pays.target, lane0.balance);
    for (a, p) in [(amount.lo, paid.lo), (amount.hi, paid.hi)] {
        let d = b.sub(a, p);
        zero_if(b, is_full_exit.target, d);
    }

    // Lane 0 update: deposit credit, signed debit (+ nonce) or exit debit.
    zero_if(b, empty.target, lane0.balance.lo);
    zero_if(b, empty.target, lane0.balance.hi);
    zero_if(b, empty.target, lane0.nonce);
    let existing = lane_leaf(b, &lane0, lane0.balance, lane0.nonce);
    let empty_leaf = b.empty_leaf_hash();
    let old_leaf0 = HashOutTarget::from(std::array::from_fn(|i| {
        b.select(empty, empty_leaf.elements[i], existing.elements[i])
    }));
    let credit0 = u64_if(b, is_deposit.target, amount);
    let needed = b.add_u64_checked(amount, fee);
    let signed_debit = u64_if(b, signed.target, needed);
    let debit0 = U64Target {
        lo: b.mul_add(is_full_exit.target, amount.lo, signed_debit.lo),
        hi: b.mul_add(is_full_exit.target, amount.hi, signed_debit.hi),
    };
    let credited = b.add_u64_checked(lane0.balance, credit0);
    let balance0 = b.sub_u64_checked(credited, debit0);
    let d = b.sub(nonce, lane0.nonce);
    zero_if(b, signed.target, d);
    let nonce0 = b.add_u32_checked(lane0.nonce, signed.target);
    let updated = lane_leaf(b, &lane0, balance0, nonce0);
    // A FullExit of an empty leaf leaves it empty.
    let stays_empty = b.and(empty, is_full_exit);
    let new_leaf0 = HashOutTarget::from(std::array::from_fn(|i| {
        b.select(stays_empty, empty_leaf.elements[i], updated.elements[i])
    }));
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
    let lane1 = virtual_lane(b);
    let index1 = b.select(is_transfer, to, ctx.operator);
    let c_amount = u64_if(b, is_transfer.target, amount);
    let credit1 = U64Target {
        lo: b.mul_add(is_withdraw.target, fee.lo, c_amount.lo),
        hi: b.mul_add(is_withdraw.target, fee.hi, c_amount.hi),
    };
    let old_leaf1 = lane_leaf(b, &lane1, lane1.balance, lane1.nonce);
    let balance1 = b.add_u64_checked(lane1.balance, credit1);
    let new_leaf1 = lane_leaf(b, &lane1, balance1, lane1.nonce);
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
    let lane2 = virtual_lane(b);
    let credit2 = u64_if(b, is_transfer.target, fee);
    let old_leaf2 = lane_leaf(b, &lane2, lane2.balance, lane2.nonce);
    let balance2 = b.add_u64_checked(lane2.balance, credit2);
    let new_leaf2 = lane_leaf(b, &lane2, balance2, lane2.nonce);
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
    let pkhash_bytes: Vec<Target> = lane0
        .pkhash
        .elements
        .iter()
        .flat_map(|&l| b.split_field_be_bytes(l))
        .collect();
    let mut dep = vec![zero; 64];
    let mut tr = vec![zero; 64];
    let mut wd = vec![zero; 64];
    let mut fe = vec![zero; 64];
    dep[1..5].copy_from_slice(&account_bytes);
    dep[5..37].copy_from_slice(&pkhash_bytes);
    dep[37..44].copy_from_slice(&amount_bytes[1..]);
    dep[44..64].copy_from_slice(&l1_bytes);
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
    fe[1..5].copy_from_slice(&account_bytes);
    fe[5..25].copy_from_slice(&l1_bytes);
    fe[25..33].copy_from_slice(&amount_bytes);
    let mut bytes = vec![slot_type];
    for j in 1..64 {
        let mut acc = zero;
        for (flag, layout) in [
            (is_deposit, &dep),
            (is_transfer, &tr),
            (is_withdraw, &wd),
            (is_full_exit, &fe),
        ] {
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
        is_full_exit,
        empty,
        account,
        to,
        amount,
        fee,
        nonce,
        l1,
        pubkey,
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
