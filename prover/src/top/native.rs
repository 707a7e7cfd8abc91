//! The top step natively: the witness, the checks the circuit makes, and the digest it
//! exposes (`docs/recursion.md` "Top step", `docs/formats.md` §4, §5, §10).

use plonky2::field::types::PrimeField64;
use plonky2::hash::hash_types::HashOut;
use zkroll_circuits::blob::eval::{challenge, evaluate};
use zkroll_circuits::blob::field::to_be_bytes32;
use zkroll_circuits::blob::kzg;
use zkroll_circuits::da::{
    data_commitment, effects_commitment, effects_hash, BatchData, Effect, Record,
    MAX_BATCH_RECORDS, MAX_EFFECTS,
};
use zkroll_circuits::execute::Execution;
use zkroll_circuits::gadgets::sha256::native;
use zkroll_circuits::state::{Account, MerkleProof, DEPTH};

use super::blob_data::blob_elements;
use super::DIGEST_WORDS;
use crate::{ProverError, Statement, F};

/// Length of the digest preimage (formats.md §5): chain id (8) ‖ rollup (20) ‖ two roots
/// (64) ‖ effects hash, versioned hash, x, y (4 × 32).
pub const PREIMAGE_LEN: usize = 8 + 20 + 64 + 4 * 32;

/// Why a batch's data cannot be proven by the top step (checked natively before proving; the
/// circuit enforces the same).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TopError {
    /// More records than the top circuit's capacity (`k·2^height`) or than one blob holds.
    #[error("{count} records, the top circuit holds {capacity}")]
    TooManyRecords {
        /// Records of the batch.
        count: usize,
        /// Records the circuit (or one blob) holds.
        capacity: usize,
    },
    /// More L1 effects than `MAX_EFFECTS`.
    #[error("{count} L1 effects, at most {max} per batch")]
    TooManyEffects {
        /// Effects of the batch.
        count: usize,
        /// The maximum.
        max: usize,
    },
    /// The statement does not start a batch (`what` is not zero).
    #[error("the top step needs a statement starting at zero, {what} is not")]
    NotAtStart {
        /// The field concerned.
        what: &'static str,
    },
    /// The witness does not match what the leaves committed to.
    #[error("the top witness differs from the statement: {0}")]
    Mismatch(&'static str),
    /// Fees are due but no operator leaf and path were given.
    #[error("fees of {fees} are due to operator {operator} but no credit witness was given")]
    MissingCredit {
        /// The fee sum.
        fees: u64,
        /// The operator account.
        operator: u32,
    },
    /// The operator's leaf and path do not open `new_root` at the operator's index.
    #[error("the operator's leaf and path do not match the statement's new root")]
    BadCreditPath,
    /// The operator's balance plus the fees is `≥ 2^64`.
    #[error("crediting {fees} to a balance of {balance} overflows u64")]
    CreditOverflow {
        /// The operator's balance before.
        balance: u64,
        /// The fee sum.
        fees: u64,
    },
}

impl From<TopError> for ProverError {
    fn from(e: TopError) -> Self {
        ProverError::Top(e)
    }
}

/// The operator's account and its Merkle path (level 0 first) under the statement's
/// `new_root`: the witness of the batch-end fee credit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OperatorCredit {
    /// The operator's account before the credit.
    pub account: Account,
    /// Siblings from level 0 to level 31.
    pub siblings: [HashOut<F>; DEPTH],
}

/// The private witness of the top step: the batch's published data and the operator's leaf.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopWitness {
    /// The records (formats.md §4.2), in order, one per real transaction.
    pub records: Vec<Record>,
    /// The L1 effects (formats.md §4.3), in order.
    pub effects: Vec<Effect>,
    /// The versioned hash of the blob carrying the records (formats.md §10).
    pub versioned_hash: [u8; 32],
    /// The operator's leaf and path under `new_root`; needed iff the fee sum is not zero.
    pub operator_credit: Option<OperatorCredit>,
}

impl TopWitness {
    /// The witness of `data` (its records and effects), computing the blob's versioned hash
    /// with c-kzg (Ethereum's trusted setup).
    pub fn from_batch_data(
        data: &BatchData,
        operator_credit: Option<OperatorCredit>,
    ) -> Result<Self, ProverError> {
        let commitment = kzg::commitment(&data.blob_data())
            .map_err(|e| ProverError::Proving(format!("blob commitment: {e}")))?;
        Ok(TopWitness {
            records: data.records.clone(),
            effects: data.effects.clone(),
            versioned_hash: kzg::versioned_hash(&commitment),
            operator_credit,
        })
    }
}

impl TopWitness {
    /// The witness of an executed batch: its records, effects, blob versioned hash and, when
    /// fees are due, the operator's account and path before the credit.
    pub fn from_execution(exec: &Execution) -> Result<Self, ProverError> {
        let operator_credit = match &exec.operator_credit {
            None => None,
            Some(u) => Some(OperatorCredit {
                account: u.old.ok_or(TopError::MissingCredit {
                    fees: exec.fees,
                    operator: u.index,
                })?,
                siblings: u.siblings,
            }),
        };
        Ok(TopWitness {
            records: exec.data.records.clone(),
            effects: exec.data.effects.clone(),
            versioned_hash: exec.blob.versioned_hash,
            operator_credit,
        })
    }
}

/// Everything the top step computes besides the digest (what Rollup.sol recomputes or
/// receives).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopValues {
    /// The state root after the operator credit.
    pub final_root: [u64; 4],
    /// `sha256` of the effects list.
    pub effects_hash: [u8; 32],
    /// The evaluation point (32 bytes BE).
    pub x: [u8; 32],
    /// The blob polynomial's value at `x` (32 bytes BE).
    pub y: [u8; 32],
    /// The digest as 8 big-endian words, word 0's top 3 bits cleared.
    pub digest_words: [u32; DIGEST_WORDS],
}

fn limbs(h: HashOut<F>) -> [u64; 4] {
    h.elements.map(|x| x.to_canonical_u64())
}

/// The root after crediting `s.fees_out` to the operator (or `new_root` when the sum is 0).
fn final_root(s: &Statement, credit: Option<&OperatorCredit>) -> Result<[u64; 4], TopError> {
    if s.fees_out == 0 {
        return Ok(s.new_root);
    }
    let c = credit.ok_or(TopError::MissingCredit {
        fees: s.fees_out,
        operator: s.operator,
    })?;
    let before = MerkleProof {
        index: s.operator,
        account: Some(c.account),
        siblings: c.siblings,
    };
    if limbs(before.root()) != s.new_root {
        return Err(TopError::BadCreditPath);
    }
    let balance = c
        .account
        .balance
        .checked_add(s.fees_out)
        .ok_or(TopError::CreditOverflow {
            balance: c.account.balance,
            fees: s.fees_out,
        })?;
    let after = MerkleProof {
        account: Some(Account {
            balance,
            ..c.account
        }),
        ..before
    };
    Ok(limbs(after.root()))
}

/// Checks the size limits: at most `capacity` records and `max_effects` effects.
pub fn check_sizes(w: &TopWitness, capacity: usize, max_effects: usize) -> Result<(), TopError> {
    let capacity = capacity.min(MAX_BATCH_RECORDS);
    if w.records.len() > capacity {
        return Err(TopError::TooManyRecords {
            count: w.records.len(),
            capacity,
        });
    }
    if w.effects.len() > max_effects {
        return Err(TopError::TooManyEffects {
            count: w.effects.len(),
            max: max_effects,
        });
    }
    Ok(())
}

/// Native twin of the top circuit: checks `w` against the root statement `s` exactly as the
/// circuit does (start at zero, chains and counters equal, sizes, credit) and returns the
/// values the circuit computes. The blob holds at most [`MAX_BATCH_RECORDS`] records; the
/// circuit's own capacity is checked by the caller ([`check_sizes`]).
pub fn top_values(s: &Statement, w: &TopWitness) -> Result<TopValues, ProverError> {
    s.check_canonical()?;
    let starts: [(&'static str, bool); 5] = [
        ("data_in", s.data_in == [0; 4]),
        ("effects_in", s.effects_in == [0; 4]),
        ("records_in", s.records_in == 0),
        ("effect_count_in", s.effect_count_in == 0),
        ("fees_in", s.fees_in == 0),
    ];
    if let Some((what, _)) = starts.iter().find(|(_, ok)| !ok) {
        return Err(TopError::NotAtStart { what }.into());
    }
    check_sizes(w, MAX_BATCH_RECORDS, MAX_EFFECTS)?;
    if w.records.len() != s.records_out as usize {
        return Err(TopError::Mismatch("record count").into());
    }
    if w.effects.len() != s.effect_count_out as usize {
        return Err(TopError::Mismatch("effect count").into());
    }
    let dc = data_commitment(&w.records);
    if limbs(dc) != s.data_out {
        return Err(TopError::Mismatch("data commitment").into());
    }
    if limbs(effects_commitment(&w.effects)) != s.effects_out {
        return Err(TopError::Mismatch("effects chain").into());
    }
    let final_root = final_root(s, w.operator_credit.as_ref())?;
    let effects_hash = effects_hash(&w.effects);
    let x_int = challenge(dc, &w.versioned_hash);
    let y_int = evaluate(&blob_elements(s.operator, &w.records), &x_int);
    let (x, y) = (to_be_bytes32(&x_int), to_be_bytes32(&y_int));

    let mut pre = Vec::with_capacity(PREIMAGE_LEN);
    pre.extend(s.chain_id.to_be_bytes());
    for r in s.rollup {
        pre.extend(r.to_be_bytes());
    }
    for l in s.old_root.iter().chain(&final_root) {
        pre.extend(l.to_be_bytes());
    }
    for part in [&effects_hash, &w.versioned_hash, &x, &y] {
        pre.extend(part);
    }
    debug_assert_eq!(pre.len(), PREIMAGE_LEN);
    let d = native::sha256(&pre);
    let mut digest_words: [u32; 8] =
        std::array::from_fn(|i| u32::from_be_bytes(d[4 * i..4 * i + 4].try_into().expect("4")));
    digest_words[0] &= 0x1fff_ffff;
    Ok(TopValues {
        final_root,
        effects_hash,
        x,
        y,
        digest_words,
    })
}

/// The digest words a top proof over the root statement `s` with witness `w` exposes
/// (formats.md §5), or why the top step refuses them. See [`top_values`].
pub fn expected_digest_words(
    s: &Statement,
    w: &TopWitness,
) -> Result<[u32; DIGEST_WORDS], ProverError> {
    Ok(top_values(s, w)?.digest_words)
}

#[cfg(test)]
mod tests {
    use super::*;
    use plonky2::field::types::Field;
    use zkroll_circuits::da::{data_commitment, pack_amount, pack_fee};
    use zkroll_circuits::state::StateTree;

    const OPERATOR: u32 = 5;

    fn setup(balance: u64) -> (Statement, TopWitness) {
        let account = Account {
            pkhash: HashOut {
                elements: [1, 2, 3, 4].map(F::from_canonical_u64),
            },
            balance,
            nonce: 1,
            owner: [2; 20],
        };
        let tree = StateTree::from_accounts([(OPERATOR, account)]).unwrap();
        let records = vec![
            Record::transfer(1, 2, pack_amount(70).unwrap(), pack_fee(3).unwrap()),
            Record::withdraw(1, pack_fee(4).unwrap()),
        ];
        let effects = vec![Effect::Withdraw {
            from: 1,
            l1_address: [3; 20],
            amount: 9,
        }];
        let s = Statement {
            operator: OPERATOR,
            old_root: [1, 2, 3, 4],
            new_root: limbs(tree.root()),
            data_out: limbs(data_commitment(&records)),
            effects_out: limbs(effects_commitment(&effects)),
            records_out: 2,
            effect_count_out: 1,
            fees_out: 7,
            ..Statement::default()
        };
        let p = tree.proof(OPERATOR);
        let w = TopWitness {
            records,
            effects,
            versioned_hash: [1; 32],
            operator_credit: Some(OperatorCredit {
                account,
                siblings: p.siblings,
            }),
        };
        (s, w)
    }

    #[test]
    fn native_checks_refuse_with_typed_errors() {
        let (s, w) = setup(10);
        let v = top_values(&s, &w).unwrap();
        assert_ne!(v.final_root, s.new_root);
        let top = |s: &Statement, w: &TopWitness| match top_values(s, w) {
            Err(ProverError::Top(e)) => e,
            other => panic!("expected a TopError, got {other:?}"),
        };
        let mut bad = s;
        bad.records_in = 1;
        assert_eq!(top(&bad, &w), TopError::NotAtStart { what: "records_in" });
        let mut ww = w.clone();
        ww.records[1].d += 1;
        assert_eq!(top(&s, &ww), TopError::Mismatch("data commitment"));
        let mut ww = w.clone();
        ww.records.pop();
        assert_eq!(top(&s, &ww), TopError::Mismatch("record count"));
        let mut ww = w.clone();
        ww.effects = vec![ww.effects[0]; MAX_EFFECTS + 1];
        assert!(matches!(top(&s, &ww), TopError::TooManyEffects { .. }));
        let mut ww = w.clone();
        ww.operator_credit = None;
        assert!(matches!(
            top(&s, &ww),
            TopError::MissingCredit { fees: 7, .. }
        ));
        let mut ww = w.clone();
        ww.operator_credit.as_mut().unwrap().account.owner[0] ^= 1;
        assert_eq!(top(&s, &ww), TopError::BadCreditPath);
        let (s2, w2) = setup(u64::MAX - 6);
        assert_eq!(
            top(&s2, &w2),
            TopError::CreditOverflow {
                balance: u64::MAX - 6,
                fees: 7
            }
        );
        // No fees: no credit needed, the root is unchanged, the witness's credit ignored.
        let mut s0 = s;
        s0.fees_out = 0;
        let mut w0 = w.clone();
        w0.operator_credit = None;
        assert_eq!(top_values(&s0, &w0).unwrap().final_root, s.new_root);
        assert_eq!(top_values(&s0, &w).unwrap(), top_values(&s0, &w0).unwrap());
        assert!(matches!(
            check_sizes(&w, 1, MAX_EFFECTS),
            Err(TopError::TooManyRecords {
                count: 2,
                capacity: 1
            })
        ));
        // The versioned hash changes x and the digest.
        let mut ww = w.clone();
        ww.versioned_hash[0] ^= 1;
        let v2 = top_values(&s, &ww).unwrap();
        assert_ne!((v2.x, v2.digest_words), (v.x, v.digest_words));
    }
}
