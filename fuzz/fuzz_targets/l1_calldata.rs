//! The L1 data `zkroll sync` and the node read (docs/l1.md): `commitBatch` calldata checked
//! against its `BatchCommitted` event (`zkroll_verifier_contract::client::commit_calldata`),
//! the Rollup's event logs, and the published data (blob data + L1-effects list, formats.md
//! §4) replayed onto the state (`SyncState::apply`). Selector (first byte) mod 3:
//!
//! - 0: the rest is a transaction input; when it decodes as `commitBatch`, an event with its
//!   root and the matching digest must accept it (and one with another digest must not);
//! - 1: the rest is a log: a topic count, the topics, the data; decoded as each event sync
//!   and the node read;
//! - 2: the rest is published data: a 2-byte big-endian length `n`, then `n` bytes of blob
//!   data (fewer if the input is shorter), then the effects list.
//!
//! Published data (from 0, with the seed's blob data, or 2) is parsed and replayed from the
//! empty genesis; what replays must keep the supply rule (deposits in, withdrawals and exits
//! out; fees only move to the operator) and must then be accepted by `SyncState::apply` with
//! the root it reached; what does not must be refused by it with the state unchanged.
#![no_main]

use alloy::primitives::{Address, LogData, B256, U256};
use alloy::sol_types::{SolCall, SolEvent};
use libfuzzer_sys::fuzz_target;
use plonky2::hash::hash_types::HashOut;
use zkroll::circuits::da::{apply_batch_data, BatchData, Effect};
use zkroll::circuits::encoding::{hash_from_bytes, hash_to_bytes};
use zkroll::circuits::error::ReplayError;
use zkroll::l1::bindings::IRollup;
use zkroll::l1::commit_calldata;
use zkroll::l1::public_input_digest;
use zkroll::sync::{CommittedBatch, SyncState};
use zkroll::StateTree;
use zkroll_fuzz::seeds::{self, DOMAIN};
use zkroll_fuzz::{guarded, split_selector};

fn rollup() -> Address {
    Address::from(DOMAIN.rollup)
}

fn empty_root() -> [u8; 32] {
    hash_to_bytes(&StateTree::new().root())
}

fn commit_event(new_root: B256, versioned_hash: B256, digest: U256) -> IRollup::BatchCommitted {
    IRollup::BatchCommitted {
        batchNumber: U256::from(1),
        oldRoot: B256::from(empty_root()),
        newRoot: new_root,
        priorityOps: U256::ZERO,
        versionedHash: versioned_hash,
        digest,
    }
}

/// The seed's blob data: calldata carries only the effects, so selector 0 replays them with
/// this blob data.
fn seed_blob_data() -> &'static [u8] {
    static BLOB: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    BLOB.get_or_init(|| seeds::small_execution().1.data.blob_data())
}

fn seed_files() -> Vec<Vec<u8>> {
    let (state, exec) = seeds::small_execution();
    let new_root = B256::from(hash_to_bytes(&state.root()));
    let effects = exec.data.effects_bytes();
    let call = IRollup::commitBatchCall {
        newRoot: new_root,
        effects: effects.clone().into(),
        x: U256::from_be_bytes(exec.blob.x),
        y: U256::from_be_bytes(exec.blob.y),
        blobCommitment: exec.blob.commitment.to_vec().into(),
        blobProof: exec.blob.proof.to_vec().into(),
        proof: [U256::from(7); 8],
    };
    let vh = B256::from(exec.blob.versioned_hash);
    let digest = public_input_digest(
        DOMAIN.chain_id,
        rollup(),
        &empty_root(),
        &new_root.0,
        &effects,
        &vh.0,
        &exec.blob.x,
        &exec.blob.y,
    );
    let log = commit_event(new_root, vh, digest).encode_log_data();
    let mut event = vec![1, log.topics().len() as u8];
    for t in log.topics() {
        event.extend(t.0);
    }
    event.extend(&log.data[..]);
    let blob = exec.data.blob_data();
    let mut published = vec![2u8];
    published.extend((blob.len() as u16).to_be_bytes());
    published.extend(&blob);
    published.extend(&effects);
    vec![[&[0u8][..], &call.abi_encode()].concat(), event, published]
}

/// The change of total supply the effects make: deposits in, withdrawals and paid exits out.
fn supply_change(effects: &[Effect]) -> i128 {
    effects
        .iter()
        .map(|e| match e {
            Effect::Deposit(d) => d.amount as i128,
            Effect::Withdraw { amount, .. } => -(*amount as i128),
            Effect::FullExit { amount, .. } => -(*amount as i128),
        })
        .sum()
}

/// Replays published data from the empty genesis, checking the rules above.
fn replay(blob_data: &[u8], effects: &[u8]) {
    let mut sync = SyncState::genesis(DOMAIN.chain_id, DOMAIN.rollup);
    let batch = |new_root: [u8; 32]| CommittedBatch {
        number: 1,
        block: 9,
        new_root,
        blob_data: blob_data.to_vec(),
        effects: effects.to_vec(),
    };
    let Ok(data) = BatchData::from_published(blob_data, effects) else {
        assert!(sync.apply(&[batch(empty_root())]).is_err(), "sync accepted unparsable data");
        return;
    };
    // A first replay against the all-zero root (no state has it) finds the root the data
    // reaches, or the reason it does not replay.
    let mut probe = StateTree::new();
    match apply_batch_data(&mut probe, &data, &HashOut::ZERO) {
        Err(ReplayError::RootMismatch { computed, .. }) => {
            assert!(probe.is_empty(), "a refused replay changed the state");
            let bytes: [u8; 32] = hex::decode(computed.trim_start_matches("0x"))
                .expect("hex root")
                .try_into()
                .expect("32 bytes");
            let root = hash_from_bytes(&bytes).expect("a computed root is canonical");
            let mut state = StateTree::new();
            apply_batch_data(&mut state, &data, &root).expect("replays with the root it reached");
            let total: i128 = state.accounts().map(|(_, a)| a.balance as i128).sum();
            assert_eq!(total, supply_change(&data.effects), "supply after replay");
            assert_eq!(state.root(), state.recompute_root());
            sync.apply(&[batch(bytes)])
                .expect("sync accepts data that replays, with the root it reaches");
            assert_eq!(sync.batch, 1);
            assert_eq!(sync.state.root(), root);
        }
        Err(_) => {
            assert!(probe.is_empty(), "a refused replay changed the state");
            assert!(sync.apply(&[batch(empty_root())]).is_err(), "sync accepted refused data");
            assert_eq!(sync.batch, 0);
            assert!(sync.state.is_empty());
        }
        Ok(_) => panic!("a replay reached the all-zero root"),
    }
}

fn published(rest: &[u8]) {
    let Some((len, rest)) = rest.split_first_chunk::<2>() else {
        return;
    };
    let n = (u16::from_be_bytes(*len) as usize).min(rest.len());
    replay(&rest[..n], &rest[n..]);
}

fn calldata(input: &[u8]) {
    let vh = B256::repeat_byte(0x01);
    let Ok(call) = IRollup::commitBatchCall::abi_decode(input) else {
        assert!(commit_calldata(&commit_event(B256::ZERO, vh, U256::ZERO), input, 1, rollup()).is_err());
        return;
    };
    let (x, y) = (B256::from(call.x), B256::from(call.y));
    let digest = public_input_digest(
        DOMAIN.chain_id,
        rollup(),
        &empty_root(),
        &call.newRoot.0,
        &call.effects,
        &vh.0,
        &x.0,
        &y.0,
    );
    let got = commit_calldata(
        &commit_event(call.newRoot, vh, digest),
        input,
        DOMAIN.chain_id,
        rollup(),
    )
    .expect("matching calldata and event");
    assert_eq!(got.effects, call.effects.to_vec());
    assert_eq!((got.x, got.y), (x, y));
    let other = commit_event(call.newRoot, vh, digest ^ U256::from(1));
    assert!(commit_calldata(&other, input, DOMAIN.chain_id, rollup()).is_err());
    let another_blob = commit_event(call.newRoot, B256::repeat_byte(0x02), digest);
    assert!(commit_calldata(&another_blob, input, DOMAIN.chain_id, rollup()).is_err());
    replay(seed_blob_data(), &got.effects);
}

fn log(rest: &[u8]) {
    let Some((&n, rest)) = rest.split_first() else {
        return;
    };
    let n = (n % 5) as usize;
    if rest.len() < 32 * n {
        return;
    }
    let topics: Vec<B256> = rest[..32 * n]
        .chunks_exact(32)
        .map(B256::from_slice)
        .collect();
    let data = &rest[32 * n..];
    let log = LogData::new_unchecked(topics.clone(), data.to_vec().into());
    if let Ok(ev) = IRollup::BatchCommitted::decode_raw_log(topics.iter().copied(), data) {
        let again = IRollup::BatchCommitted::decode_log_data(&ev.encode_log_data())
            .expect("a decoded event re-decodes");
        assert_eq!(again.digest, ev.digest);
        assert_eq!(again.newRoot, ev.newRoot);
        let _ = u64::try_from(ev.batchNumber);
    }
    if let Ok(ev) = IRollup::DepositQueued::decode_log_data(&log) {
        let _ = u64::try_from(ev.index);
        let _ = (ev.amount, ev.deadline, ev.owner, ev.sender, ev.pkhash);
    }
    if let Ok(ev) = IRollup::FullExitRequested::decode_log_data(&log) {
        let _ = u64::try_from(ev.index);
        let _ = (ev.account, ev.requester, ev.deadline);
    }
}

fuzz_target!(init: seeds::write_if_asked(seed_files), |data: &[u8]| {
    let (sel, rest) = split_selector(data);
    guarded(rest, |rest| match sel % 3 {
        0 => calldata(rest),
        1 => log(rest),
        _ => published(rest),
    });
});
