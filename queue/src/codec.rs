//! How leaf witnesses travel through the queue.
//!
//! A batch stores one *context* (bytes every leaf job of the batch shares, decoded once per
//! batch by a worker) and each leaf job one encoded witness. A leaf circuit chooses the split:
//! the fixture circuit of the tests puts whole witnesses in the jobs and nothing in the
//! context; the rollup leaf ([`RollupLeaf`]) puts the batch file in the context and only a
//! leaf index in each job, since its witnesses (Merkle paths, signatures) are derived from
//! the batch by native execution.

use zkroll_circuits::batch::{Batch, Format};
use zkroll_circuits::leaf::LeafWitness;
use zkroll_prover::rollup_leaf::{leaf_witnesses, RollupLeaf};
use zkroll_prover::{LeafCircuit, ProverError, Statement};

/// A leaf circuit whose witnesses can be queued.
///
/// Invariant the implementor keeps: for every witness `w` of leaf `index` of a batch with
/// context `c`, `decode_witness(&decode_context(c)?, &encode_witness(index, &w)?)` is a witness
/// with the same statement as `w`, and likewise for `encode_padding(prev)` and
/// `padding(prev)`. Decoding never panics on arbitrary bytes.
pub trait QueueLeaf: LeafCircuit {
    /// What the leaf jobs of one batch share, decoded once per batch by a worker.
    type Context: Send + Sync;

    /// Decodes a batch's context bytes.
    fn decode_context(&self, bytes: &[u8]) -> Result<Self::Context, ProverError>;

    /// Encodes the witness `w` of real leaf `index`.
    fn encode_witness(&self, index: usize, w: &Self::Witness) -> Result<Vec<u8>, ProverError>;

    /// Encodes the padding leaf following `prev` (see [`LeafCircuit::padding`]).
    fn encode_padding(&self, prev: &Statement) -> Result<Vec<u8>, ProverError>;

    /// Decodes a leaf job's input.
    fn decode_witness(
        &self,
        context: &Self::Context,
        bytes: &[u8],
    ) -> Result<Self::Witness, ProverError>;
}

const REAL: u8 = 0;
const PADDING: u8 = 1;

/// The statement after which a padding leaf starts, bincode-encoded behind a tag byte.
pub fn encode_padding_statement(prev: &Statement) -> Result<Vec<u8>, ProverError> {
    let mut out = vec![PADDING];
    out.extend(
        bincode::serde::encode_to_vec(prev, bincode::config::standard())
            .map_err(|e| ProverError::Malformed(e.to_string()))?,
    );
    Ok(out)
}

/// Decodes [`encode_padding_statement`]'s bytes after the tag (exact length, canonical roots).
pub fn decode_padding_statement(bytes: &[u8]) -> Result<Statement, ProverError> {
    let (s, used): (Statement, usize) =
        bincode::serde::decode_from_slice(bytes, bincode::config::standard().with_limit::<1024>())
            .map_err(|e| ProverError::Malformed(format!("padding statement: {e}")))?;
    if used != bytes.len() {
        return Err(ProverError::Malformed(
            "trailing bytes after padding statement".into(),
        ));
    }
    s.check_canonical()?;
    Ok(s)
}

/// The rollup leaf: the context is the batch (bincode batch file); a real leaf job is
/// `0x00 ‖ index u32 BE`, a padding job `0x01 ‖ bincode(previous statement)`. A worker
/// executes the batch once (rejecting an invalid one) and keeps its leaf witnesses.
impl QueueLeaf for RollupLeaf {
    type Context = Vec<LeafWitness>;

    fn decode_context(&self, bytes: &[u8]) -> Result<Vec<LeafWitness>, ProverError> {
        let batch =
            Batch::from_bytes(bytes).map_err(|e| ProverError::Malformed(format!("batch: {e}")))?;
        let (_, exec) = zkroll_circuits::execute::execute(&batch)
            .map_err(|e| ProverError::InvalidStatement(format!("batch does not execute: {e}")))?;
        Ok(leaf_witnesses(&exec, self.k())?)
    }

    fn encode_witness(&self, index: usize, _w: &LeafWitness) -> Result<Vec<u8>, ProverError> {
        let i = u32::try_from(index)
            .map_err(|_| ProverError::Malformed(format!("leaf index {index}")))?;
        let mut out = vec![REAL];
        out.extend(i.to_be_bytes());
        Ok(out)
    }

    fn encode_padding(&self, prev: &Statement) -> Result<Vec<u8>, ProverError> {
        encode_padding_statement(prev)
    }

    fn decode_witness(
        &self,
        context: &Vec<LeafWitness>,
        bytes: &[u8],
    ) -> Result<LeafWitness, ProverError> {
        match bytes.split_first() {
            Some((&REAL, rest)) => {
                let i: [u8; 4] = rest
                    .try_into()
                    .map_err(|_| ProverError::Malformed("leaf job input length".into()))?;
                let i = u32::from_be_bytes(i) as usize;
                context.get(i).cloned().ok_or_else(|| {
                    ProverError::Malformed(format!(
                        "leaf {i} of a batch of {} leaves",
                        context.len()
                    ))
                })
            }
            Some((&PADDING, rest)) => Ok(self.padding(&decode_padding_statement(rest)?)),
            _ => Err(ProverError::Malformed("unknown leaf job tag".into())),
        }
    }
}

/// The context bytes of a rollup batch: its bincode batch file.
pub fn rollup_context(batch: &Batch) -> Vec<u8> {
    batch.to_bytes(Format::Bincode)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padding_statements_round_trip_and_reject_garbage() {
        let s = Statement::genesis(5, [1, 2, 3, 4, 5], 3, [9, 8, 7, 6]);
        let bytes = encode_padding_statement(&s).unwrap();
        assert_eq!(bytes[0], PADDING);
        assert_eq!(decode_padding_statement(&bytes[1..]).unwrap(), s);
        let mut long = bytes[1..].to_vec();
        long.push(0);
        assert!(decode_padding_statement(&long).is_err());
        assert!(decode_padding_statement(&bytes[1..bytes.len() - 1]).is_err());
        let mut bad = s;
        bad.old_root[0] = u64::MAX;
        let enc = encode_padding_statement(&bad).unwrap();
        assert!(decode_padding_statement(&enc[1..]).is_err());
    }
}
