//! The statement every leaf and aggregate proof exposes as its public inputs (33 limbs).

use crate::{ProverError, F};
use plonky2::field::types::{Field, Field64, PrimeField64};
use plonky2::iop::target::Target;
use plonky2::plonk::circuit_builder::CircuitBuilder;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Number of public-input limbs of every leaf and aggregate proof.
pub const STATEMENT_LEN: usize = 33;

/// SHA-256 initial chaining value (FIPS 180-4 §5.3.3).
pub const SHA256_IV: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

/// What a (leaf or aggregate) proof states: a transition of the state root and of the
/// SHA-256 chaining value over the pubdata, for one chain and rollup.
///
/// Layout as public inputs (all Goldilocks limbs, in this order):
/// `[chain_id_lo, chain_id_hi, rollup_0..4, old_root_0..3, new_root_0..3, sha_in_0..7,
/// sha_out_0..7, blocks_in, blocks_out]`. Invariant: every u32 field is `< 2^32`, every root
/// limb is canonical (`< p`), block counters are `< 2^32`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Statement {
    /// EIP-155 chain id.
    pub chain_id: u64,
    /// Rollup contract address as five big-endian u32 words.
    pub rollup: [u32; 5],
    /// State root before.
    pub old_root: [u64; 4],
    /// State root after.
    pub new_root: [u64; 4],
    /// SHA-256 chaining value before (u32 words).
    pub sha_in: [u32; 8],
    /// SHA-256 chaining value after (u32 words).
    pub sha_out: [u32; 8],
    /// Number of 64-byte pubdata blocks hashed before.
    pub blocks_in: u32,
    /// Number of 64-byte pubdata blocks hashed after.
    pub blocks_out: u32,
}

impl Statement {
    /// A statement of an empty transition at the start of a batch: `sha_in = sha_out = IV`,
    /// zero blocks, `old_root = new_root = root`.
    pub fn genesis(chain_id: u64, rollup: [u32; 5], root: [u64; 4]) -> Self {
        Statement {
            chain_id,
            rollup,
            old_root: root,
            new_root: root,
            sha_in: SHA256_IV,
            sha_out: SHA256_IV,
            blocks_in: 0,
            blocks_out: 0,
        }
    }

    /// The no-op statement following `self`: nothing changes, everything starts where `self` ends.
    pub fn noop_after(&self) -> Self {
        Statement {
            chain_id: self.chain_id,
            rollup: self.rollup,
            old_root: self.new_root,
            new_root: self.new_root,
            sha_in: self.sha_out,
            sha_out: self.sha_out,
            blocks_in: self.blocks_out,
            blocks_out: self.blocks_out,
        }
    }

    /// The 33 public-input limbs.
    pub fn to_limbs(&self) -> [F; STATEMENT_LEN] {
        let mut v = Vec::with_capacity(STATEMENT_LEN);
        v.push(self.chain_id & 0xffff_ffff);
        v.push(self.chain_id >> 32);
        v.extend(self.rollup.iter().map(|&x| x as u64));
        v.extend(self.old_root);
        v.extend(self.new_root);
        v.extend(self.sha_in.iter().map(|&x| x as u64));
        v.extend(self.sha_out.iter().map(|&x| x as u64));
        v.push(self.blocks_in as u64);
        v.push(self.blocks_out as u64);
        let mut out = [F::ZERO; STATEMENT_LEN];
        for (o, x) in out.iter_mut().zip(v) {
            *o = F::from_canonical_u64(x);
        }
        out
    }

    /// Parses 33 limbs, rejecting a wrong length or any out-of-range limb.
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
        let mut rollup = [0u32; 5];
        for (k, r) in rollup.iter_mut().enumerate() {
            *r = u32_at(2 + k)?;
        }
        let mut sha_in = [0u32; 8];
        let mut sha_out = [0u32; 8];
        for k in 0..8 {
            sha_in[k] = u32_at(15 + k)?;
            sha_out[k] = u32_at(23 + k)?;
        }
        Ok(Statement {
            chain_id: u32_at(0)? as u64 | (u32_at(1)? as u64) << 32,
            rollup,
            old_root: [raw[7], raw[8], raw[9], raw[10]],
            new_root: [raw[11], raw[12], raw[13], raw[14]],
            sha_in,
            sha_out,
            blocks_in: u32_at(31)?,
            blocks_out: u32_at(32)?,
        })
    }

    /// Checks that every root limb is canonical (the other fields are canonical by type).
    pub fn check_canonical(&self) -> Result<(), ProverError> {
        let p = F::ORDER;
        if self.old_root.iter().chain(&self.new_root).any(|&x| x >= p) {
            return Err(ProverError::InvalidStatement(
                "root limb is not canonical".into(),
            ));
        }
        Ok(())
    }

    /// The statement of the aggregation of `left` then `right`, or why they do not link.
    pub fn link(left: &Statement, right: &Statement) -> Result<Statement, ProverError> {
        let fail = |what: &str| Err(ProverError::NotLinked(what.to_string()));
        if left.chain_id != right.chain_id || left.rollup != right.rollup {
            return fail("chain id or rollup differ");
        }
        if left.new_root != right.old_root {
            return fail("left.new_root != right.old_root");
        }
        if left.sha_out != right.sha_in {
            return fail("left.sha_out != right.sha_in");
        }
        if left.blocks_out != right.blocks_in {
            return fail("left.blocks_out != right.blocks_in");
        }
        Ok(Statement {
            chain_id: left.chain_id,
            rollup: left.rollup,
            old_root: left.old_root,
            new_root: right.new_root,
            sha_in: left.sha_in,
            sha_out: right.sha_out,
            blocks_in: left.blocks_in,
            blocks_out: right.blocks_out,
        })
    }

    /// SHA-256 of the 33 limbs, each as a big-endian u64: the key binding a proof file to
    /// the statement it must prove.
    pub fn hash(&self) -> [u8; 32] {
        let mut h = Sha256::new();
        for l in self.to_limbs() {
            h.update(l.to_canonical_u64().to_be_bytes());
        }
        h.finalize().into()
    }
}

/// The in-circuit twin of [`Statement`]: 33 targets in the public-input order.
#[derive(Clone, Copy, Debug)]
pub struct StatementTarget {
    /// The limbs, in the layout of [`Statement::to_limbs`].
    pub limbs: [Target; STATEMENT_LEN],
}

impl StatementTarget {
    /// Wraps a slice of exactly 33 targets (e.g. a child proof's public inputs).
    pub fn from_slice(t: &[Target]) -> Result<Self, ProverError> {
        let limbs: [Target; STATEMENT_LEN] = t
            .try_into()
            .map_err(|_| ProverError::BadLeafCircuit(t.len()))?;
        Ok(StatementTarget { limbs })
    }

    /// chain id (2) and rollup (5) limbs.
    pub fn chain(&self) -> &[Target] {
        &self.limbs[0..7]
    }
    /// old root limbs.
    pub fn old_root(&self) -> &[Target] {
        &self.limbs[7..11]
    }
    /// new root limbs.
    pub fn new_root(&self) -> &[Target] {
        &self.limbs[11..15]
    }
    /// SHA-256 chaining value in.
    pub fn sha_in(&self) -> &[Target] {
        &self.limbs[15..23]
    }
    /// SHA-256 chaining value out.
    pub fn sha_out(&self) -> &[Target] {
        &self.limbs[23..31]
    }
    /// blocks counter in.
    pub fn blocks_in(&self) -> Target {
        self.limbs[31]
    }
    /// blocks counter out.
    pub fn blocks_out(&self) -> Target {
        self.limbs[32]
    }

    /// Constrains `left` and `right` to link (see [`Statement::link`]) and returns the
    /// targets of the combined statement. No new range checks are needed: every limb is a
    /// copy of a child's public input, range-checked by the child circuit.
    pub fn link(builder: &mut CircuitBuilder<F, { crate::D }>, left: &Self, right: &Self) -> Self {
        for (a, b) in left.chain().iter().zip(right.chain()) {
            builder.connect(*a, *b);
        }
        for (a, b) in left.new_root().iter().zip(right.old_root()) {
            builder.connect(*a, *b);
        }
        for (a, b) in left.sha_out().iter().zip(right.sha_in()) {
            builder.connect(*a, *b);
        }
        builder.connect(left.blocks_out(), right.blocks_in());
        let mut limbs = left.limbs;
        limbs[11..15].copy_from_slice(right.new_root());
        limbs[23..31].copy_from_slice(right.sha_out());
        limbs[32] = right.blocks_out();
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
            old_root: [5, 6, 7, F::ORDER - 1],
            new_root: [8, 9, 10, 11],
            sha_in: SHA256_IV,
            sha_out: [12; 8],
            blocks_in: 3,
            blocks_out: 4,
        }
    }

    #[test]
    fn limbs_round_trip_and_reject_out_of_range() {
        let st = s();
        let limbs = st.to_limbs();
        assert_eq!(Statement::from_limbs(&limbs).unwrap(), st);
        assert!(Statement::from_limbs(&limbs[..32]).is_err());
        for i in (0..7).chain(15..33) {
            let mut l = limbs;
            l[i] = F::from_canonical_u64(1 << 32);
            assert!(Statement::from_limbs(&l).is_err(), "limb {i}");
        }
        let mut bad = st;
        bad.new_root[2] = F::ORDER;
        assert!(bad.check_canonical().is_err());
        assert!(st.check_canonical().is_ok());
    }

    #[test]
    fn link_checks_every_field() {
        let a = s();
        let b = Statement {
            old_root: a.new_root,
            new_root: [1, 1, 1, 1],
            sha_in: a.sha_out,
            sha_out: [13; 8],
            blocks_in: a.blocks_out,
            blocks_out: 9,
            ..a
        };
        let ab = Statement::link(&a, &b).unwrap();
        assert_eq!(
            (
                ab.old_root,
                ab.new_root,
                ab.sha_in,
                ab.sha_out,
                ab.blocks_in,
                ab.blocks_out
            ),
            (a.old_root, b.new_root, a.sha_in, b.sha_out, 3, 9)
        );
        let breaks: [fn(&mut Statement); 5] = [
            |x| x.chain_id += 1,
            |x| x.rollup[4] = 0,
            |x| x.old_root[0] += 1,
            |x| x.sha_in[7] ^= 1,
            |x| x.blocks_in += 1,
        ];
        for f in breaks {
            let mut bb = b;
            f(&mut bb);
            assert!(Statement::link(&a, &bb).is_err());
        }
        assert_ne!(a.hash(), b.hash());
    }
}
