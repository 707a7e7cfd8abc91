//! One transaction slot of the leaf circuit: a Deposit, Transfer, Withdraw, FullExit or
//! no-op, with its signature, balance/nonce/owner rules, up to two Merkle updates, its blob
//! record absorbed into the data commitment `dc`, its L1 effect absorbed into the effects
//! chain `ec` (`docs/formats.md` §4.2, §4.3) and its fee added to the running fee sum.
//!
//! Native twin: `crate::execute::apply_tx` (semantics), `crate::da::Record` and
//! `crate::da::Effect` (layouts), `crate::da::{data_step, effects_step}` (chains).
//! Every update "lane" is one sparse-Merkle update that only takes effect when the lane is
//! active; an inactive lane leaves the root unchanged whatever its witness.

use plonky2::field::types::Field;
use plonky2::hash::hash_types::{HashOut, HashOutTarget};
use plonky2::hash::poseidon::PoseidonHash;
use plonky2::iop::target::{BoolTarget, Target};
use plonky2::plonk::circuit_builder::CircuitBuilder;

use crate::da::{AMOUNT_MANTISSA_BITS, FEE_MANTISSA_BITS};
use crate::gadgets::merkle::{CircuitBuilderMerkle, TREE_DEPTH};
use crate::gadgets::packed::CircuitBuilderPacked;
use crate::gadgets::range::{CircuitBuilderRange, U64Target};
use crate::gadgets::schnorr::{CircuitBuilderSchnorr, SignatureTarget};
use crate::schnorr::{PublicKey, SecretKey, Signature};
use crate::tx::MESSAGE_TAG;
use crate::{D, F};

/// What a slot reads and writes of the running leaf state.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Running {
    pub root: HashOutTarget,
    /// Data commitment over the records so far.
    pub dc: HashOutTarget,
    /// Effects chain over the effects so far.
    pub ec: HashOutTarget,
    /// Records (real slots) so far.
    pub records: Target,
    /// Effects so far.
    pub effects: Target,
    /// Fees summed so far.
    pub fees: U64Target,
}

/// The batch-wide values every slot uses.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Context {
    pub chain: [Target; 2],
    pub rollup: [Target; 5],
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
    /// Record field `c`: the Transfer's packed amount (else 0).
    pub packed_amount: Target,
    /// Record field `d`: the Transfer's or Withdraw's packed fee (else 0).
    pub packed_fee: Target,
    /// Lane 0: deposit/exit account or sender; lane 1: receiver (Transfer).
    pub lanes: [LaneTargets; 2],
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
    // `account` and `l1` are range-checked by their bit decompositions (effect words),
    // `to` by its Merkle index bits (lane 1), the amount and fee by their allocation.
    b.range_check_u32(nonce);

    // Fields a type does not use are zero, so a slot's witness is determined by its record and
    // effect.
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
    // 4·is_full_exit for the record/effect type).
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
    // pkhash in the effect is lane 0's).
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

    // Lane 1: receiver (Transfer, + amount). Fees go to the operator once per batch (the
    // top step), so a slot only adds its fee to the running sum.
    let lane1 = virtual_lane(b);
    let old_leaf1 = lane_leaf(b, &lane1, lane1.balance, lane1.nonce);
    let balance1 = b.add_u64_checked(lane1.balance, amount);
    let new_leaf1 = lane_leaf(b, &lane1, balance1, lane1.nonce);
    let root = lane_update(
        b,
        root,
        is_transfer,
        to,
        old_leaf1,
        new_leaf1,
        &lane1.siblings,
    );
    let fees = b.add_u64_checked(run.fees, fee);

    // Record (formats.md §4.2): (t, a, b, c, d) = (type, account, to, packed amount, packed
    // fee); c, d are zero where the type has none and otherwise the canonical packed forms of
    // the slot's amount and fee.
    let packed_amount = b.add_virtual_target();
    let packed_fee = b.add_virtual_target();
    zero_unless(b, is_transfer.target, packed_amount);
    zero_unless(b, signed.target, packed_fee);
    let amount_value = b.packed_value(packed_amount, AMOUNT_MANTISSA_BITS as usize);
    for (v, a) in [(amount_value.lo, amount.lo), (amount_value.hi, amount.hi)] {
        let d = b.sub(v, a);
        zero_if(b, is_transfer.target, d);
    }
    // The fee is zero unless signed, and so is the packed fee (whose value is then 0).
    let fee_value = b.packed_value(packed_fee, FEE_MANTISSA_BITS as usize);
    b.connect_u64(fee_value, fee);
    let two_32 = b.constant(F::from_canonical_u64(1 << 32));
    let ta = b.mul_add(slot_type, two_32, account);
    let mut dc_input = run.dc.elements.to_vec();
    dc_input.extend([ta, to, packed_amount, packed_fee]);
    let dc_next = b.hash_n_to_hash_no_pad::<PoseidonHash>(dc_input);
    let dc = select_hash(b, active, dc_next, run.dc);
    let records = b.add(run.records, active.target);

    // Effect (formats.md §4.3): 16 big-endian u32 words, built from the slot's fields.
    let words = effect_words(
        b,
        &EffectFields {
            is_deposit,
            slot_type,
            account,
            pkhash: lane0.pkhash,
            amount,
            l1,
        },
    );
    let is_effect_t = b.add(priority_t, is_withdraw.target);
    let is_effect = BoolTarget::new_unsafe(is_effect_t);
    let mut ec_input = run.ec.elements.to_vec();
    ec_input.extend(words);
    let ec_next = b.hash_n_to_hash_no_pad::<PoseidonHash>(ec_input);
    let ec = select_hash(b, is_effect, ec_next, run.ec);
    let effects = b.add(run.effects, is_effect_t);

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
        packed_amount,
        packed_fee,
        lanes: [lane0, lane1],
    };
    let run = Running {
        root,
        dc,
        ec,
        records,
        effects,
        fees,
    };
    (targets, run)
}

/// `flag ? a : b` limb by limb.
fn select_hash(
    b: &mut CircuitBuilder<F, D>,
    flag: BoolTarget,
    x: HashOutTarget,
    y: HashOutTarget,
) -> HashOutTarget {
    HashOutTarget::from(std::array::from_fn(|i| {
        b.select(flag, x.elements[i], y.elements[i])
    }))
}

/// The slot fields an effect is built from.
struct EffectFields {
    is_deposit: BoolTarget,
    /// The type code (byte 0): 1, 3 or 4 for an effect slot.
    slot_type: Target,
    account: Target,
    pkhash: HashOutTarget,
    amount: U64Target,
    /// Deposit owner, Withdraw address or FullExit requester (five u32 words).
    l1: [Target; 5],
}

/// `(x >> 8, x & 0xff)` of a u32 `x`; range-checks `x < 2^32` (one row).
fn top24_low8(b: &mut CircuitBuilder<F, D>, x: Target) -> (Target, Target) {
    let bits = b.range_check_u32(x);
    let low8 = b.le_sum(bits[..8].iter());
    let top24 = shift_out_low_byte(b, x, low8);
    (top24, low8)
}

/// `(x − low8) / 256`: exact when `low8` is `x`'s low byte (from `x`'s bits).
fn shift_out_low_byte(b: &mut CircuitBuilder<F, D>, x: Target, low8: Target) -> Target {
    let d = b.sub(x, low8);
    b.mul_const(F::from_canonical_u64(256).inverse(), d)
}

/// `hi·2^24 + lo`.
fn join_24(b: &mut CircuitBuilder<F, D>, hi: Target, lo: Target) -> Target {
    b.mul_const_add(F::from_canonical_u64(1 << 24), hi, lo)
}

/// The 16 words of a slot's effect: the Deposit layout if `is_deposit`, else the
/// Withdraw/FullExit layout (`type ‖ account ‖ address ‖ amount`, zeros after), both with
/// every unlisted byte zero. Both layouts put the 4-byte account at byte 1, so every later
/// field sits one byte off the word grid: each word is `(low byte of one field) ‖ (top 24
/// bits of the next)` or a middle piece. Range-checks `account` and `l1` (their bit
/// decompositions) and splits the pkhash limbs canonically; a Deposit amount must be
/// `< 2^56` (its top byte is constrained zero).
fn effect_words(b: &mut CircuitBuilder<F, D>, f: &EffectFields) -> [Target; 16] {
    let zero = b.zero();
    let (a_top, a_low) = top24_low8(b, f.account);
    let l1: Vec<(Target, Target)> = f.l1.iter().map(|&w| top24_low8(b, w)).collect();
    // The amount limbs are range-checked where they are allocated; these re-splits give bits.
    let hi_bits = b.range_check_u32(f.amount.hi);
    let hi_low = b.le_sum(hi_bits[..8].iter());
    let hi_top = shift_out_low_byte(b, f.amount.hi, hi_low);
    let (lo_top, lo_low) = top24_low8(b, f.amount.lo);
    // A deposit amount is below 2^56 (7 bytes): the top byte of its high limb is zero.
    let hi_top_byte = b.le_sum(hi_bits[24..].iter());
    zero_if(b, f.is_deposit.target, hi_top_byte);
    // pkhash limb L = top24 ‖ mid32 ‖ low8 (canonical, from its 64 bits).
    let limbs: Vec<(Target, Target, Target)> = f
        .pkhash
        .elements
        .iter()
        .map(|&l| {
            let (v, bits) = b.split_field_u64_and_bits(l);
            let low8 = b.le_sum(bits[..8].iter());
            let lo_top24 = shift_out_low_byte(b, v.lo, low8);
            let hi_low8 = b.le_sum(bits[32..40].iter());
            let top24 = shift_out_low_byte(b, v.hi, hi_low8);
            let mid32 = join_24(b, hi_low8, lo_top24);
            (top24, mid32, low8)
        })
        .collect();
    let w0 = join_24(b, f.slot_type, a_top);
    let mut dep = [zero; 16];
    let mut ex = [zero; 16];
    dep[0] = w0;
    ex[0] = w0;
    // Deposit: [0]=1 ‖ account ‖ pkhash (32) ‖ amount (7) ‖ owner (20).
    let mut prev_low = a_low;
    for (i, &(top24, mid32, low8)) in limbs.iter().enumerate() {
        dep[1 + 2 * i] = join_24(b, prev_low, top24);
        dep[2 + 2 * i] = mid32;
        prev_low = low8;
    }
    // Bytes 36..40: the last key byte and the amount's bytes 1..4 (its high limb < 2^24).
    dep[9] = join_24(b, prev_low, f.amount.hi);
    dep[10] = f.amount.lo;
    dep[11..16].copy_from_slice(&f.l1);
    // Withdraw/FullExit: [0]=type ‖ account ‖ address (20) ‖ amount (8), zeros after.
    let mut prev_low = a_low;
    for (i, &(top24, low8)) in l1.iter().enumerate() {
        ex[1 + i] = join_24(b, prev_low, top24);
        prev_low = low8;
    }
    ex[6] = join_24(b, prev_low, hi_top);
    ex[7] = join_24(b, hi_low, lo_top);
    ex[8] = b.mul_const(F::from_canonical_u64(1 << 24), lo_low);
    std::array::from_fn(|j| {
        let (d, e) = (dep[j], ex[j]);
        if d == e {
            d
        } else {
            // is_deposit ? d : e
            let diff = b.sub(d, e);
            b.mul_add(f.is_deposit.target, diff, e)
        }
    })
}

/// Constrains `(1 − flag) · x = 0`: `x` must be zero unless `flag` is set.
fn zero_unless(b: &mut CircuitBuilder<F, D>, flag: Target, x: Target) {
    // x − flag·x = 0
    let fx = b.mul(flag, x);
    b.connect(fx, x);
}
