//! Leaf witnesses: K consecutive slots of an [`Execution`], and the statement a leaf proof
//! of them exposes (the native twin of the leaf circuit's public inputs).

use plonky2::field::types::Field;
use plonky2::hash::hash_types::HashOut;
use plonky2::iop::witness::{PartialWitness, WitnessWrite};

use super::slot::{dummy_signature, LaneTargets, SlotTargets};
use super::{LeafError, LeafTargets, STATEMENT_LIMBS};
use crate::da::{data_step, effects_step};
use crate::encoding::address_limbs;
use crate::execute::{Execution, TxWitness};
use crate::gadgets::range::u64_limbs;
use crate::gadgets::schnorr::set_signature_target;
use crate::state::MerkleUpdate;
use crate::tx::{Domain, Tx};
use crate::F;

/// Where a leaf starts: the state root, the data commitment and effects chain, the record
/// and effect counters and the fee sum before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LeafStart {
    /// State root before the leaf.
    pub root: HashOut<F>,
    /// Data commitment `dc` before the leaf (formats.md §4.2).
    pub dc: HashOut<F>,
    /// Effects chain `ec` before the leaf (formats.md §4.3).
    pub ec: HashOut<F>,
    /// Records (real slots) before the leaf.
    pub records: u32,
    /// L1 effects before the leaf.
    pub effects: u32,
    /// Fees summed before the leaf.
    pub fees: u64,
}

impl LeafStart {
    /// The start of a batch: `old_root`, empty chains, zero counters and fees.
    pub fn batch_start(old_root: HashOut<F>) -> Self {
        LeafStart {
            root: old_root,
            dc: HashOut::ZERO,
            ec: HashOut::ZERO,
            records: 0,
            effects: 0,
            fees: 0,
        }
    }
}

/// The witness of one leaf: `k` slots (`None` = no-op) starting at `start`.
///
/// Invariant (checked by [`LeafWitness::statement`]): each real slot's first Merkle update
/// starts at the previous slot's last root (the first at `start.root`), and each carries its
/// record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeafWitness {
    /// Chain and rollup the signatures are bound to.
    pub domain: Domain,
    /// The operator (fee recipient) account of the batch.
    pub operator: u32,
    /// Where the leaf starts.
    pub start: LeafStart,
    /// The slots, in order.
    pub slots: Vec<Option<TxWitness>>,
}

impl LeafWitness {
    /// An all-no-op leaf of `k` slots starting at `start`.
    pub fn padding(domain: Domain, operator: u32, start: LeafStart, k: usize) -> Self {
        LeafWitness {
            domain,
            operator,
            start,
            slots: vec![None; k],
        }
    }

    /// The state after the leaf; fails if the slots' Merkle updates do not chain, a real slot
    /// has no record, or a counter or the fee sum overflows.
    pub fn end(&self) -> Result<LeafStart, LeafError> {
        let mut cur = self.start;
        for (i, w) in self.slots.iter().enumerate() {
            let Some(w) = w else { continue };
            for u in &w.updates {
                if u.old_root != cur.root {
                    return Err(LeafError::Witness(format!(
                        "slot {i}: Merkle update does not start at the running root"
                    )));
                }
                cur.root = u.new_root;
            }
            let record = w
                .record
                .as_ref()
                .ok_or_else(|| LeafError::Witness(format!("slot {i}: no record")))?;
            cur.dc = data_step(cur.dc, record);
            cur.records = cur
                .records
                .checked_add(1)
                .ok_or_else(|| LeafError::Witness("record counter overflows u32".into()))?;
            if let Some(e) = &w.effect {
                cur.ec = effects_step(cur.ec, e);
                cur.effects = cur
                    .effects
                    .checked_add(1)
                    .ok_or_else(|| LeafError::Witness("effect counter overflows u32".into()))?;
            }
            cur.fees = cur
                .fees
                .checked_add(w.tx.fee())
                .ok_or_else(|| LeafError::Witness(format!("slot {i}: fee sum overflows u64")))?;
        }
        Ok(cur)
    }

    /// The 40 public-input limbs of a proof of this leaf (docs/recursion.md, "Statement
    /// layout").
    pub fn statement(&self) -> Result<[F; STATEMENT_LIMBS], LeafError> {
        let end = self.end()?;
        let mut v = Vec::with_capacity(STATEMENT_LIMBS);
        v.extend(u64_limbs::<F>(self.domain.chain_id));
        v.extend(rollup_words(&self.domain).map(F::from_canonical_u32));
        v.push(F::from_canonical_u32(self.operator));
        v.extend(self.start.root.elements);
        v.extend(end.root.elements);
        v.extend(self.start.dc.elements);
        v.extend(end.dc.elements);
        v.extend(self.start.ec.elements);
        v.extend(end.ec.elements);
        for c in [
            self.start.records,
            end.records,
            self.start.effects,
            end.effects,
        ] {
            v.push(F::from_canonical_u32(c));
        }
        v.extend(u64_limbs::<F>(self.start.fees));
        v.extend(u64_limbs::<F>(end.fees));
        Ok(v.try_into().expect("40 limbs"))
    }
}

/// The rollup address as five big-endian u32 words.
pub fn rollup_words(domain: &Domain) -> [u32; 5] {
    std::array::from_fn(|i| u32::from_be_bytes(domain.rollup[4 * i..4 * i + 4].try_into().unwrap()))
}

/// Splits an execution into leaves of `k` slots (the last one padded with no-ops), chained
/// from [`LeafStart::batch_start`] of the execution's old root. The last leaf ends at the
/// execution's `slots_root`, `data` commitment, effects chain and `fees`.
pub fn leaf_witnesses(exec: &Execution, k: usize) -> Result<Vec<LeafWitness>, LeafError> {
    if k == 0 {
        return Err(LeafError::Witness("k must be positive".into()));
    }
    let mut start = LeafStart::batch_start(exec.old_root);
    let mut out = Vec::new();
    for chunk in exec.witnesses.chunks(k) {
        let mut slots: Vec<Option<TxWitness>> = chunk.iter().cloned().map(Some).collect();
        slots.resize(k, None);
        let w = LeafWitness {
            domain: exec.header.domain,
            operator: exec.header.operator,
            start,
            slots,
        };
        start = w.end()?;
        out.push(w);
    }
    if out.is_empty() {
        out.push(LeafWitness::padding(
            exec.header.domain,
            exec.header.operator,
            start,
            k,
        ));
    }
    Ok(out)
}

fn set<T: WitnessWrite<F>>(
    pw: &mut T,
    t: plonky2::iop::target::Target,
    v: F,
) -> Result<(), LeafError> {
    pw.set_target(t, v)
        .map_err(|e| LeafError::Witness(e.to_string()))
}

fn set_lane(
    pw: &mut PartialWitness<F>,
    lane: &LaneTargets,
    update: Option<&MerkleUpdate>,
) -> Result<(), LeafError> {
    // The account before the update; a creation shows the created account's key hash and
    // owner with balance and nonce 0 (the circuit selects the empty leaf as the old leaf).
    let (pkhash, balance, nonce, owner, siblings) = match update {
        Some(u) => match (&u.old, &u.new) {
            (Some(a), _) => (a.pkhash, a.balance, a.nonce, a.owner, u.siblings),
            (None, Some(a)) => (a.pkhash, 0, 0, a.owner, u.siblings),
            (None, None) => (HashOut::ZERO, 0, 0, [0; 20], u.siblings),
        },
        None => (
            HashOut::ZERO,
            0,
            0,
            [0; 20],
            [HashOut::ZERO; crate::state::DEPTH],
        ),
    };
    pw.set_hash_target(lane.pkhash, pkhash)
        .map_err(|e| LeafError::Witness(e.to_string()))?;
    let [lo, hi] = u64_limbs::<F>(balance);
    set(pw, lane.balance.lo, lo)?;
    set(pw, lane.balance.hi, hi)?;
    set(pw, lane.nonce, F::from_canonical_u32(nonce))?;
    for (t, v) in lane.owner.iter().zip(address_limbs(&owner)) {
        set(pw, *t, v)?;
    }
    for (t, h) in lane.siblings.iter().zip(siblings) {
        pw.set_hash_target(*t, h)
            .map_err(|e| LeafError::Witness(e.to_string()))?;
    }
    Ok(())
}

/// Assigns one slot's targets.
pub(crate) fn set_slot(
    pw: &mut PartialWitness<F>,
    t: &SlotTargets,
    w: Option<&TxWitness>,
) -> Result<(), LeafError> {
    let flags = match w.map(|w| &w.tx) {
        None => [false; 4],
        Some(Tx::Deposit(_)) => [true, false, false, false],
        Some(Tx::Transfer(_)) => [false, true, false, false],
        Some(Tx::Withdraw(_)) => [false, false, true, false],
        Some(Tx::FullExit(_)) => [false, false, false, true],
    };
    for (flag, v) in [t.is_deposit, t.is_transfer, t.is_withdraw, t.is_full_exit]
        .into_iter()
        .zip(flags)
    {
        pw.set_bool_target(flag, v)
            .map_err(|e| LeafError::Witness(e.to_string()))?;
    }
    let (account, to, amount, fee, nonce, l1) = match w.map(|w| (w.tx, w.exit_amount())) {
        None => (0, 0, 0, 0, 0, [0; 20]),
        Some((Tx::Deposit(d), _)) => (d.account, 0, d.amount, 0, 0, d.owner),
        Some((Tx::Transfer(x), _)) => (x.from, x.to, x.amount, x.fee, x.nonce, [0; 20]),
        Some((Tx::Withdraw(x), _)) => (x.from, 0, x.amount, x.fee, x.nonce, x.l1_address),
        Some((Tx::FullExit(x), paid)) => (x.account, 0, paid, 0, 0, x.requester),
    };
    set(pw, t.account, F::from_canonical_u32(account))?;
    set(pw, t.to, F::from_canonical_u32(to))?;
    set(pw, t.nonce, F::from_canonical_u32(nonce))?;
    for (tt, v) in [(t.amount, amount), (t.fee, fee)] {
        let [lo, hi] = u64_limbs::<F>(v);
        set(pw, tt.lo, lo)?;
        set(pw, tt.hi, hi)?;
    }
    for (tt, v) in t.l1.iter().zip(address_limbs(&l1)) {
        set(pw, *tt, v)?;
    }
    let ups = w.map(|w| w.updates.as_slice()).unwrap_or(&[]);
    let empty = matches!(w, Some(w) if matches!(w.tx, Tx::Deposit(_) | Tx::FullExit(_)))
        && ups.first().is_some_and(|u| u.old.is_none());
    pw.set_bool_target(t.empty, empty)
        .map_err(|e| LeafError::Witness(e.to_string()))?;
    set_lane(pw, &t.lanes[0], ups.first())?;
    set_lane(pw, &t.lanes[1], ups.get(1))?;
    let (packed_amount, packed_fee) = w.and_then(|w| w.record).map_or((0, 0), |r| (r.c, r.d));
    set(pw, t.packed_amount, F::from_canonical_u64(packed_amount))?;
    set(pw, t.packed_fee, F::from_canonical_u64(packed_fee))?;
    let key = w
        .and_then(|w| w.tx.signer_key())
        .map_or([F::ZERO; 5], |k| k.encode());
    for (tt, v) in t.pubkey.iter().zip(key) {
        set(pw, *tt, v)?;
    }
    let sig = match w.map(|w| &w.tx) {
        Some(Tx::Transfer(x)) => x.signature,
        Some(Tx::Withdraw(x)) => x.signature,
        _ => dummy_signature().2,
    };
    set_signature_target(pw, &t.signature, &sig).map_err(|e| LeafError::Witness(e.to_string()))
}

/// Assigns the whole leaf.
pub(crate) fn set_leaf(
    pw: &mut PartialWitness<F>,
    t: &LeafTargets,
    w: &LeafWitness,
) -> Result<(), LeafError> {
    if w.slots.len() != t.slots.len() {
        return Err(LeafError::Witness(format!(
            "{} slots for a leaf of {}",
            w.slots.len(),
            t.slots.len()
        )));
    }
    let [lo, hi] = u64_limbs::<F>(w.domain.chain_id);
    set(pw, t.chain[0], lo)?;
    set(pw, t.chain[1], hi)?;
    for (tt, v) in t.rollup.iter().zip(rollup_words(&w.domain)) {
        set(pw, *tt, F::from_canonical_u32(v))?;
    }
    set(pw, t.operator, F::from_canonical_u32(w.operator))?;
    for (tt, h) in [
        (t.old_root, w.start.root),
        (t.data_in, w.start.dc),
        (t.effects_in, w.start.ec),
    ] {
        pw.set_hash_target(tt, h)
            .map_err(|e| LeafError::Witness(e.to_string()))?;
    }
    set(pw, t.records_in, F::from_canonical_u32(w.start.records))?;
    set(
        pw,
        t.effect_count_in,
        F::from_canonical_u32(w.start.effects),
    )?;
    let [lo, hi] = u64_limbs::<F>(w.start.fees);
    set(pw, t.fees_in.lo, lo)?;
    set(pw, t.fees_in.hi, hi)?;
    for (st, sw) in t.slots.iter().zip(&w.slots) {
        set_slot(pw, st, sw.as_ref())?;
    }
    Ok(())
}
