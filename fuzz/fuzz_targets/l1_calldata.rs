//! The L1 data `zkroll sync` and the node read (docs/l1.md): `commitBatch` calldata checked
//! against its `BatchCommitted` event (`zkroll_verifier_contract::client::commit_pubdata`),
//! the Rollup's event logs, and the pubdata they carry replayed onto the state
//! (`SyncState::apply`). Selector (first byte) mod 3:
//!
//! - 0: the rest is a transaction input; when it decodes as `commitBatch`, an event with its
//!   root and the matching digest must accept it (and one with another digest must not);
//! - 1: the rest is a log: a topic count, the topics, the data; decoded as each event sync
//!   and the node read;
//! - 2: the rest is pubdata.
//!
//! Pubdata (from 0 or 2) is parsed and applied from the empty genesis; what applies must
//! keep the supply rule (deposits in, withdrawals and exits out) and must then be accepted by
//! `SyncState::apply` with the root it reached; what does not apply must be refused by it
//! with the state unchanged.
#![no_main]

use alloy::primitives::{Address, LogData, B256, U256};
use alloy::sol_types::{SolCall, SolEvent};
use libfuzzer_sys::fuzz_target;
use zkroll::circuits::encoding::hash_to_bytes;
use zkroll::circuits::pubdata::{apply_slots, parse_pubdata, Slot};
use zkroll::l1::bindings::IRollup;
use zkroll::l1::client::commit_pubdata;
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

fn commit_event(new_root: B256, digest: U256) -> IRollup::BatchCommitted {
    IRollup::BatchCommitted {
        batchNumber: U256::from(1),
        oldRoot: B256::from(empty_root()),
        newRoot: new_root,
        priorityOps: U256::ZERO,
        digest,
    }
}

fn seed_files() -> Vec<Vec<u8>> {
    let (state, exec) = seeds::small_execution();
    let new_root = B256::from(hash_to_bytes(&state.root()));
    let call = IRollup::commitBatchCall {
        pubdata: exec.pubdata.clone().into(),
        newRoot: new_root,
        proof: [U256::from(7); 8],
    };
    let digest = public_input_digest(
        DOMAIN.chain_id,
        rollup(),
        &empty_root(),
        &new_root.0,
        &exec.pubdata,
    );
    let log = commit_event(new_root, digest).encode_log_data();
    let mut event = vec![1, log.topics().len() as u8];
    for t in log.topics() {
        event.extend(t.0);
    }
    event.extend(&log.data[..]);
    vec![
        [&[0u8][..], &call.abi_encode()].concat(),
        event,
        [&[2u8][..], &exec.pubdata].concat(),
    ]
}

/// Applies `pubdata` from the empty genesis, checking the rules above.
fn replay(pubdata: &[u8]) {
    let mut state = StateTree::new();
    let applied = parse_pubdata(pubdata).and_then(|slots| {
        apply_slots(&mut state, &slots)?;
        Ok(slots)
    });
    let mut sync = SyncState::genesis(DOMAIN.chain_id, DOMAIN.rollup);
    let root = hash_to_bytes(&state.root());
    let batch = CommittedBatch {
        number: 1,
        block: 9,
        new_root: root,
        pubdata: pubdata.to_vec(),
    };
    match applied {
        Ok(slots) => {
            let mut supply: i128 = 0;
            for s in &slots {
                match s {
                    Slot::Deposit(d) => supply += d.amount as i128,
                    Slot::Withdraw { amount, .. } => supply -= *amount as i128,
                    Slot::FullExit { amount, .. } => supply -= *amount as i128,
                    Slot::Transfer { .. } => {}
                }
            }
            let total: i128 = state.accounts().map(|(_, a)| a.balance as i128).sum();
            assert_eq!(total, supply, "supply after replaying pubdata");
            assert_eq!(state.root(), state.recompute_root());
            sync.apply(&[batch])
                .expect("sync accepts pubdata that applies, with the root it reaches");
            assert_eq!(sync.batch, 1);
            assert_eq!(sync.state.root(), state.root());
        }
        Err(_) => {
            assert!(state.is_empty(), "a refused pubdata changed the state");
            assert!(
                sync.apply(&[batch]).is_err(),
                "sync accepted refused pubdata"
            );
            assert_eq!(sync.batch, 0);
            assert!(sync.state.is_empty());
        }
    }
}

fn calldata(input: &[u8]) {
    let Ok(call) = IRollup::commitBatchCall::abi_decode(input) else {
        assert!(commit_pubdata(&commit_event(B256::ZERO, U256::ZERO), input, 1, rollup()).is_err());
        return;
    };
    let digest = public_input_digest(
        DOMAIN.chain_id,
        rollup(),
        &empty_root(),
        &call.newRoot.0,
        &call.pubdata,
    );
    let pubdata = commit_pubdata(
        &commit_event(call.newRoot, digest),
        input,
        DOMAIN.chain_id,
        rollup(),
    )
    .expect("matching calldata and event");
    assert_eq!(pubdata, call.pubdata.to_vec());
    let other = commit_event(call.newRoot, digest ^ U256::from(1));
    assert!(commit_pubdata(&other, input, DOMAIN.chain_id, rollup()).is_err());
    replay(&pubdata);
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
        _ => replay(rest),
    });
});
