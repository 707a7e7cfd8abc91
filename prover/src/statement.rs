//! The statement every leaf and aggregate proof exposes as its public inputs (40 limbs,
//! `docs/recursion.md` "Statement layout").

use crate::{ProverError, F};
use plonky2::field::types::{Field, Field64, PrimeField64};
use plonky2::iop::target::Target;
use plonky2::plonk::circuit_builder::CircuitBuilder;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Number of public-input limbs of every leaf and aggregate proof.
pub const STATEMENT_LEN: usize = 40;

/// What a (leaf or aggregate) proof states, for one chain, rollup and operator: a transition
/// of the state root, of the data commitment `dc` and the effects chain `ec`
/// (`docs/formats.md` §4.2, §4.3), of the record and effect counters and of the fee sum.
///
/// Layout as public inputs (all Goldilocks limbs, in this order, see [`Statement::to_limbs`]):
/// `[chain_id_lo, chain_id_hi, rollup_0..4, operator, old_root_0..3, new_root_0..3,
/// data_in_0..3, data_out_0..3, effects_in_0..3, effects_out_0..3, records_in, records_out,
/// effect_count_in, effect_count_out, fees_in_lo, fees_in_hi, fees_out_lo, fees_out_hi]`.
/// Invariant of a proven statement: every u32 field is `< 2^32` (by type here), every hash
/// limb is canonical (`< p`, see [`Statement::check_canonical`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Statement {
    /// EIP-155 chain id.
    pub chain_id: u64,
    /// Rollup contract address as five big-endian u32 words.
    pub rollup: [u32; 5],
    /// The batch's fee recipient (account index), the same in every leaf.
    pub operator: u32,
    /// State root before.
    pub old_root: [u64; 4],
    /// State root after (before the batch-end operator credit).
    pub new_root: [u64; 4],
    /// Data commitment `dc` before.
    pub data_in: [u64; 4],
    /// Data commitment `dc` after this proof's real slots.
    pub data_out: [u64; 4],
    /// Effects chain `ec` before.
    pub effects_in: [u64; 4],
    /// Effects chain `ec` after.
    pub effects_out: [u64; 4],
    /// Records (real slots) before.
    pub records_in: u32,
    /// Records after.
    pub records_out: u32,
    /// L1 effects before.
    pub effect_count_in: u32,
    /// L1 effects after.
    pub effect_count_out: u32,
    /// Fees summed before.
    pub fees_in: u64,
    /// Fees summed after.
    pub fees_out: u64,
}

fn u32_pair(v: u64) -> [u64; 2] {
    [v & 0xffff_ffff, v >> 32]
}

impl Statement {
    /// The statement of an empty transition at the start of a batch: empty chains, zero
    /// counters and fees, `old_root = new_root = root`.
    pub fn genesis(chain_id: u64, rollup: [u32; 5], operator: u32, root: [u64; 4]) -> Self {
        Statement {
            chain_id,
            rollup,
            operator,
            old_root: root,
            new_root: root,
            ..Statement::default()
        }
    }

    /// The no-op statement following `self`: nothing changes, everything starts where `self`
    /// ends (same chain, rollup and operator).
    pub fn noop_after(&self) -> Self {
        Statement {
            chain_id: self.chain_id,
            rollup: self.rollup,
            operator: self.operator,
            old_root: self.new_root,
            new_root: self.new_root,
            data_in: self.data_out,
            data_out: self.data_out,
            effects_in: self.effects_out,
            effects_out: self.effects_out,
            records_in: self.records_out,
            records_out: self.records_out,
            effect_count_in: self.effect_count_out,
            effect_count_out: self.effect_count_out,
            fees_in: self.fees_out,
            fees_out: self.fees_out,
        }
    }

    /// The 40 public-input limbs.
    pub fn to_limbs(&self) -> [F; STATEMENT_LEN] {
        let mut v: Vec<u64> = Vec::with_capacity(STATEMENT_LEN);
        v.extend(u32_pair(self.chain_id));
        v.extend(self.rollup.iter().map(|&x| u64::from(x)));
        v.push(u64::from(self.operator));
        for h in [
            self.old_root,
            self.new_root,
            self.data_in,
            self.data_out,
            self.effects_in,
            self.effects_out,
        ] {
            v.extend(h);
        }
        v.extend(
            [
                self.records_in,
                self.records_out,
                self.effect_count_in,
                self.effect_count_out,
            ]
            .map(u64::from),
        );
        v.extend(u32_pair(self.fees_in));
        v.extend(u32_pair(self.fees_out));
        debug_assert_eq!(v.len(), STATEMENT_LEN);
        let mut out = [F::ZERO; STATEMENT_LEN];
        for (o, x) in out.iter_mut().zip(v) {
            // Hash limbs may be non-canonical in a hand-made statement: reduce (as the field
            // does); `check_canonical` is what rejects them.
            *o = F::from_noncanonical_u64(x);
        }
        out
    }

    /// Parses 40 limbs, rejecting a wrong length or any u32 limb `≥ 2^32`.
    pub fn from_limbs(limbs: &[F]) -> Result<Self, ProverError> {
        if limbs.len() != STATEMENT_LEN {
            return Err(ProverError::InvalidStatement(format!(
                "{} limbs, expected {STATEMENT_LEN}",
                limbs.len()
            )));
        }
        let raw: Vec<u64> = limbs.iter().map(|x| x.to_canonical_u64()).collect();
        let u32_at = |i: usize| -> Result<u32, ProverError> {
            u32::try_from(raw[i])
                .map_err(|_| ProverError::InvalidStatement(format!("limb {i} is not a u32")))
        };
        let u64_at = |i: usize| -> Result<u64, ProverError> {
            Ok(u64::from(u32_at(i)?) | u64::from(u32_at(i + 1)?) << 32)
        };
        let hash_at = |i: usize| -> [u64; 4] { [raw[i], raw[i + 1], raw[i + 2], raw[i + 3]] };
        let mut rollup = [0u32; 5];
        for (k, r) in rollup.iter_mut().enumerate() {
            *r = u32_at(2 + k)?;
        }
        Ok(Statement {
            chain_id: u64_at(0)?,
            rollup,
            operator: u32_at(7)?,
            old_root: hash_at(8),
            new_root: hash_at(12),
            data_in: hash_at(16),
            data_out: hash_at(20),
            effects_in: hash_at(24),
            effects_out: hash_at(28),
            records_in: u32_at(32)?,
            records_out: u32_at(33)?,
            effect_count_in: u32_at(34)?,
            effect_count_out: u32_at(35)?,
            fees_in: u64_at(36)?,
            fees_out: u64_at(38)?,
        })
    }

    /// Checks that every hash limb (roots, `dc`, `ec`) is canonical (the other fields are
    /// canonical by type).
    pub fn check_canonical(&self) -> Result<(), ProverError> {
        let p = F::ORDER;
        let hashes = [
            ("old_root", self.old_root),
            ("new_root", self.new_root),
            ("data_in", self.data_in),
            ("data_out", self.data_out),
            ("effects_in", self.effects_in),
            ("effects_out", self.effects_out),
        ];
        for (name, h) in hashes {
            if h.iter().any(|&x| x >= p) {
                return Err(ProverError::InvalidStatement(format!(
                    "{name} limb is not canonical"
                )));
            }
        }
        Ok(())
    }

    /// The statement of the aggregation of `left` then `right`, or why they do not link
    /// (the native twin of [`StatementTarget::compose`]).
    pub fn compose(left: &Statement, right: &Statement) -> Result<Statement, ProverError> {
        let fail = |what: &str| Err(ProverError::NotLinked(what.to_string()));
        if left.chain_id != right.chain_id || left.rollup != right.rollup {
            return fail("chain id or rollup differ");
        }
        if left.operator != right.operator {
            return fail("operators differ");
        }
        if left.new_root != right.old_root {
            return fail("left.new_root != right.old_root");
        }
        if left.data_out != right.data_in {
            return fail("left.data_out != right.data_in");
        }
        if left.effects_out != right.effects_in {
            return fail("left.effects_out != right.effects_in");
        }
        if left.records_out != right.records_in {
            return fail("left.records_out != right.records_in");
        }
        if left.effect_count_out != right.effect_count_in {
            return fail("left.effect_count_out != right.effect_count_in");
        }
        if left.fees_out != right.fees_in {
            return fail("left.fees_out != right.fees_in");
        }
        Ok(Statement {
            new_root: right.new_root,
            data_out: right.data_out,
            effects_out: right.effects_out,
            records_out: right.records_out,
            effect_count_out: right.effect_count_out,
            fees_out: right.fees_out,
            ..*left
        })
    }

    /// SHA-256 of the 40 limbs, each as a big-endian u64: the key binding a proof file to
    /// the statement it must prove.
    pub fn hash(&self) -> [u8; 32] {
        let mut h = Sha256::new();
        for l in self.to_limbs() {
            h.update(l.to_canonical_u64().to_be_bytes());
        }
        h.finalize().into()
    }
}

/// The in-circuit twin of [`Statement`]: 40 targets in the public-input order.
#[derive(Clone, Copy, Debug)]
pub struct StatementTarget {
    /// The limbs, in the layout of [`Statement::to_limbs`].
    pub limbs: [Target; STATEMENT_LEN],
}

impl StatementTarget {
    /// Wraps a slice of exactly 40 targets (e.g. a child proof's public inputs).
    pub fn from_slice(t: &[Target]) -> Result<Self, ProverError> {
        let limbs: [Target; STATEMENT_LEN] = t
            .try_into()
            .map_err(|_| ProverError::BadLeafCircuit(t.len()))?;
        Ok(StatementTarget { limbs })
    }

    /// chain id (2), rollup (5) and operator (1) limbs.
    pub fn chain(&self) -> &[Target] {
        &self.limbs[0..8]
    }
    /// The operator limb.
    pub fn operator(&self) -> Target {
        self.limbs[7]
    }
    /// old root limbs.
    pub fn old_root(&self) -> &[Target] {
        &self.limbs[8..12]
    }
    /// new root limbs.
    pub fn new_root(&self) -> &[Target] {
        &self.limbs[12..16]
    }
    /// `dc` before.
    pub fn data_in(&self) -> &[Target] {
        &self.limbs[16..20]
    }
    /// `dc` after.
    pub fn data_out(&self) -> &[Target] {
        &self.limbs[20..24]
    }
    /// `ec` before.
    pub fn effects_in(&self) -> &[Target] {
        &self.limbs[24..28]
    }
    /// `ec` after.
    pub fn effects_out(&self) -> &[Target] {
        &self.limbs[28..32]
    }
    /// Records before.
    pub fn records_in(&self) -> Target {
        self.limbs[32]
    }
    /// Records after.
    pub fn records_out(&self) -> Target {
        self.limbs[33]
    }
    /// Effects before.
    pub fn effect_count_in(&self) -> Target {
        self.limbs[34]
    }
    /// Effects after.
    pub fn effect_count_out(&self) -> Target {
        self.limbs[35]
    }
    /// Fee sum before (lo, hi u32 limbs).
    pub fn fees_in(&self) -> &[Target] {
        &self.limbs[36..38]
    }
    /// Fee sum after (lo, hi u32 limbs).
    pub fn fees_out(&self) -> &[Target] {
        &self.limbs[38..40]
    }

    /// Constrains `left` and `right` to link (see [`Statement::compose`]) and returns the
    /// targets of the combined statement. No new range checks are needed: every limb is a
    /// copy of a child's public input, range-checked by the child circuit.
    pub fn compose(
        builder: &mut CircuitBuilder<F, { crate::D }>,
        left: &Self,
        right: &Self,
    ) -> Self {
        let pairs: [(&[Target], &[Target]); 6] = [
            (left.chain(), right.chain()),
            (left.new_root(), right.old_root()),
            (left.data_out(), right.data_in()),
            (left.effects_out(), right.effects_in()),
            (&left.limbs[33..34], &right.limbs[32..33]),
            (&left.limbs[35..36], &right.limbs[34..35]),
        ];
        for (a, b) in pairs {
            for (x, y) in a.iter().zip(b) {
                builder.connect(*x, *y);
            }
        }
        for (x, y) in left.fees_out().iter().zip(right.fees_in()) {
            builder.connect(*x, *y);
        }
        let mut limbs = left.limbs;
        for range in [12..16, 20..24, 28..32, 33..34, 35..36, 38..40] {
            limbs[range.clone()].copy_from_slice(&right.limbs[range]);
        }
        StatementTarget { limbs }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s() -> Statement {
        Statement {
            chain_id: 0x1234_5678_9abc_def0,
            rollup: [1, 2, 3, 4, u32::MAX],
            operator: 6,
            old_root: [5, 6, 7, F::ORDER - 1],
            new_root: [8, 9, 10, 11],
            data_in: [12, 13, 14, 15],
            data_out: [16, 17, 18, 19],
            effects_in: [20, 21, 22, 23],
            effects_out: [24, 25, 26, 27],
            records_in: 3,
            records_out: 4,
            effect_count_in: 1,
            effect_count_out: 2,
            fees_in: 0xffff_ffff_0000_0001,
            fees_out: u64::MAX,
        }
    }

    #[test]
    fn limbs_round_trip_and_reject_out_of_range() {
        let st = s();
        let limbs = st.to_limbs();
        assert_eq!(limbs[7], F::from_canonical_u64(6));
        assert_eq!(limbs[36], F::ONE);
        assert_eq!(limbs[37], F::from_canonical_u64(0xffff_ffff));
        assert_eq!(Statement::from_limbs(&limbs).unwrap(), st);
        assert!(Statement::from_limbs(&limbs[..39]).is_err());
        for i in (0..8).chain(32..40) {
            let mut l = limbs;
            l[i] = F::from_canonical_u64(1 << 32);
            assert!(Statement::from_limbs(&l).is_err(), "limb {i}");
        }
        assert!(st.check_canonical().is_ok());
        let fields: [fn(&mut Statement) -> &mut [u64; 4]; 6] = [
            |x| &mut x.old_root,
            |x| &mut x.new_root,
            |x| &mut x.data_in,
            |x| &mut x.data_out,
            |x| &mut x.effects_in,
            |x| &mut x.effects_out,
        ];
        for f in fields {
            let mut bad = st;
            f(&mut bad)[2] = F::ORDER;
            assert!(bad.check_canonical().is_err());
        }
    }

    #[test]
    fn noop_after_continues_every_chain() {
        let a = s();
        let n = a.noop_after();
        assert_eq!(Statement::compose(&a, &n).unwrap(), a);
        assert_eq!(Statement::compose(&n, &n).unwrap(), n);
        assert_eq!(
            (n.old_root, n.data_in, n.effects_in, n.records_in),
            (a.new_root, a.data_out, a.effects_out, a.records_out)
        );
        assert_eq!((n.effect_count_in, n.fees_in), (2, u64::MAX));
    }

    #[test]
    fn compose_checks_every_field() {
        let a = s();
        let b = Statement {
            old_root: a.new_root,
            new_root: [1, 1, 1, 1],
            data_in: a.data_out,
            data_out: [2; 4],
            effects_in: a.effects_out,
            effects_out: [3; 4],
            records_in: a.records_out,
            records_out: 9,
            effect_count_in: a.effect_count_out,
            effect_count_out: 5,
            fees_in: a.fees_out,
            fees_out: a.fees_out,
            ..a
        };
        let ab = Statement::compose(&a, &b).unwrap();
        assert_eq!(
            ab,
            Statement {
                new_root: b.new_root,
                data_out: b.data_out,
                effects_out: b.effects_out,
                records_out: 9,
                effect_count_out: 5,
                fees_out: b.fees_out,
                ..a
            }
        );
        let breaks: [fn(&mut Statement); 10] = [
            |x| x.chain_id += 1,
            |x| x.rollup[4] = 0,
            |x| x.operator += 1,
            |x| x.old_root[0] += 1,
            |x| x.data_in[3] ^= 1,
            |x| x.effects_in[1] ^= 1,
            |x| x.records_in += 1,
            |x| x.effect_count_in += 1,
            |x| x.fees_in ^= 1 << 40,
            |x| x.fees_in ^= 1,
        ];
        for f in breaks {
            let mut bb = b;
            f(&mut bb);
            assert!(Statement::compose(&a, &bb).is_err());
        }
        assert_ne!(a.hash(), b.hash());
    }
}
