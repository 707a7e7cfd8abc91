//! Batch and snapshot files: round trips, typed decoding errors, corruption never panics.

use proptest::prelude::*;
use zkroll_circuits::batch::{detect, Batch, Format, Header, PreState, BATCH_MAGIC};
use zkroll_circuits::error::{BatchError, Location};
use zkroll_circuits::execute::execute;
use zkroll_circuits::schnorr::{PublicKey, SecretKey};
use zkroll_circuits::state::{Account, StateTree};
use zkroll_circuits::tx::{Deposit, Domain, FullExit, Transfer, Tx, Withdraw};

const DOMAIN: Domain = Domain {
    chain_id: 5,
    rollup: [0x42; 20],
};

fn sk(i: u8) -> SecretKey {
    SecretKey::from_seed(&[i; 32])
}

fn genesis() -> Vec<(u32, Account)> {
    (0..3u8)
        .map(|i| {
            (
                i as u32,
                Account {
                    pkhash: sk(i).public_key().pkhash(),
                    balance: 1_000_000,
                    nonce: 0,
                    owner: [0x10 + i; 20],
                },
            )
        })
        .collect()
}

fn batch() -> Batch {
    Batch {
        header: Header {
            domain: DOMAIN,
            operator: 0,
        },
        pre_state: PreState::Genesis(genesis()),
        txs: vec![
            Tx::Deposit(Deposit {
                account: 7,
                pkhash: sk(7).public_key().pkhash(),
                amount: 10,
                owner: [0x17; 20],
            }),
            Tx::Transfer(Transfer::signed(&sk(1), &DOMAIN, 1, 2, 100, 1, 0)),
            Tx::Withdraw(Withdraw::signed(&sk(2), &DOMAIN, 2, [9; 20], 50, 2, 0)),
            Tx::FullExit(FullExit {
                account: 1,
                requester: [0x11; 20],
            }),
        ],
    }
}

fn json_value() -> serde_json::Value {
    serde_json::from_str(&batch().to_json()).unwrap()
}

fn from_value(v: &serde_json::Value) -> Result<Batch, BatchError> {
    Batch::from_bytes(serde_json::to_string(v).unwrap().as_bytes())
}

#[test]
fn json_and_bincode_round_trip_and_detect() {
    let b = batch();
    let j = b.to_json();
    let bin = b.to_bincode();
    assert!(bin.starts_with(&BATCH_MAGIC));
    assert!(bin.len() < j.len());
    assert_eq!(detect(j.as_bytes()), Some(Format::Json));
    assert_eq!(detect(&bin), Some(Format::Bincode));
    assert_eq!(Batch::from_bytes(j.as_bytes()).unwrap(), b);
    assert_eq!(Batch::from_bytes(&bin).unwrap(), b);
    assert!(j.contains("\"version\": 2"));
    // The field names of formats.md §7, the signer's key before the signature.
    let v = json_value();
    assert_eq!(
        v["txs"][0]["deposit"]["owner"],
        format!("0x{}", "17".repeat(20))
    );
    assert!(v["txs"][0]["deposit"]["pkhash"].is_string());
    assert_eq!(v["txs"][3]["full_exit"]["account"], 1);
    assert_eq!(
        v["txs"][3]["full_exit"]["requester"],
        format!("0x{}", "11".repeat(20))
    );
    assert!(v["pre_state"]["genesis"][0]["owner"].is_string());
    let t = j.find("\"pubkey\"").unwrap();
    assert!(t < j[t..].find("\"signature\"").unwrap() + t);
    assert!(matches!(
        Batch::from_bytes(b"garbage"),
        Err(BatchError::UnknownFormat { .. })
    ));
    // Trailing bytes after a bincode batch are rejected.
    let mut long = bin.clone();
    long.push(0);
    assert!(matches!(
        Batch::from_bytes(&long),
        Err(BatchError::Bincode(_))
    ));
}

#[test]
fn file_extension_picks_the_encoding() {
    let dir = tempfile::tempdir().unwrap();
    let b = batch();
    let jp = dir.path().join("b.json");
    let bp = dir.path().join("b.bin");
    b.save(&jp).unwrap();
    b.save(&bp).unwrap();
    assert!(std::fs::read(&bp).unwrap().starts_with(&BATCH_MAGIC));
    assert_eq!(std::fs::read(&jp).unwrap()[0], b'{');
    assert_eq!(Batch::load(&jp).unwrap(), b);
    assert_eq!(Batch::load(&bp).unwrap(), b);
    assert!(matches!(
        Batch::load(&dir.path().join("missing.json")),
        Err(BatchError::Io { .. })
    ));
}

#[test]
fn unsupported_version_json_and_bincode() {
    // Version 1 (keys in leaves and deposits) is no longer read, nor is a future version.
    for old in [1, 3] {
        let mut v = json_value();
        v["version"] = old.into();
        assert!(matches!(
            from_value(&v),
            Err(BatchError::UnsupportedVersion {
                found,
                supported: 2
            }) if found == old
        ));
    }
    // A genuine version-1 file (deposit with a 40-byte "pubkey") gets the version error, not
    // a shape error.
    let v1 = r#"{"version": 1, "header": {"chain_id": 5, "rollup": "0x4242424242424242424242424242424242424242", "operator": 0},
        "pre_state": {"genesis": []}, "txs": [{"deposit": {"account": 7, "pubkey": "0x00", "amount": 10}}]}"#;
    assert!(matches!(
        Batch::from_bytes(v1.as_bytes()),
        Err(BatchError::UnsupportedVersion {
            found: 1,
            supported: 2
        })
    ));
    // Even if the rest of the file has another shape.
    let r = Batch::from_bytes(br#"{"version": 7, "whatever": []}"#);
    assert!(matches!(
        r,
        Err(BatchError::UnsupportedVersion { found: 7, .. })
    ));
    let mut bin = batch().to_bincode();
    assert_eq!(bin[4], 2, "version is the first varint after the magic");
    bin[4] = 1;
    assert!(matches!(
        Batch::from_bytes(&bin),
        Err(BatchError::UnsupportedVersion { found: 1, .. })
    ));
}

#[test]
fn malformed_json_reports_line_and_column() {
    let text = "{\n  \"version\": 2,\n  \"header\": oops\n}";
    match Batch::from_bytes(text.as_bytes()) {
        Err(BatchError::Json { line, column, .. }) => assert_eq!((line, column), (3, 13)),
        other => panic!("{other:?}"),
    }
    // Wrong shape (missing field) also carries a position.
    let mut v = json_value();
    v["txs"][1]["transfer"]
        .as_object_mut()
        .unwrap()
        .remove("nonce");
    assert!(matches!(from_value(&v), Err(BatchError::Json { .. })));
    // Bad hex.
    let mut v = json_value();
    v["header"]["rollup"] = "0xzz".into();
    assert!(matches!(from_value(&v), Err(BatchError::Json { .. })));
    // Unknown fields are rejected.
    let mut v = json_value();
    v["header"]["extra"] = 1.into();
    assert!(matches!(from_value(&v), Err(BatchError::Json { .. })));
    // u64 out of range.
    let text = batch()
        .to_json()
        .replacen("\"amount\": 10", "\"amount\": 18446744073709551616", 1);
    assert!(text.contains("18446744073709551616"));
    assert!(matches!(
        Batch::from_bytes(text.as_bytes()),
        Err(BatchError::Json { .. })
    ));
}

fn hex(b: &[u8]) -> serde_json::Value {
    format!("0x{}", hex::encode(b)).into()
}

#[test]
fn non_canonical_field_element_in_file() {
    let mut h = [0u8; 32];
    h[16..24].copy_from_slice(&u64::MAX.to_be_bytes());
    let mut v = json_value();
    v["txs"][0]["deposit"]["pkhash"] = hex(&h);
    assert!(matches!(
        from_value(&v),
        Err(BatchError::NonCanonical {
            location: Location::Tx(0),
            field: "pkhash",
            limb: 2
        })
    ));
    // p itself is non-canonical too, in a genesis entry.
    let mut h = [0u8; 32];
    h[0..8].copy_from_slice(&0xffff_ffff_0000_0001u64.to_be_bytes());
    let mut v = json_value();
    v["pre_state"]["genesis"][1]["pkhash"] = hex(&h);
    assert!(matches!(
        from_value(&v),
        Err(BatchError::NonCanonical {
            location: Location::Genesis(1),
            field: "pkhash",
            limb: 0
        })
    ));
    // And in a signer's key.
    let mut pk = sk(1).public_key().to_bytes();
    pk[32..40].copy_from_slice(&u64::MAX.to_be_bytes());
    let mut v = json_value();
    v["txs"][1]["transfer"]["pubkey"] = hex(&pk);
    assert!(matches!(
        from_value(&v),
        Err(BatchError::NonCanonical {
            location: Location::Tx(1),
            field: "pubkey",
            limb: 4
        })
    ));
}

#[test]
fn pkhash_of_no_key_is_accepted_in_a_deposit() {
    // Any canonical limbs are a valid pkhash: the file decodes and the deposit executes.
    let mut v = json_value();
    v["txs"][0]["deposit"]["pkhash"] = hex(&[0x01; 32]);
    let b = from_value(&v).unwrap();
    let (state, _) = execute(&b).unwrap();
    assert_eq!(state.get(7).unwrap().balance, 10);
}

#[test]
fn invalid_point_encoding() {
    // The neutral element (w = 0) is rejected as a signer's key.
    let mut v = json_value();
    v["txs"][1]["transfer"]["pubkey"] = hex(&[0; 40]);
    assert!(matches!(
        from_value(&v),
        Err(BatchError::InvalidPoint {
            location: Location::Tx(1),
            field: "pubkey"
        })
    ));
    // Canonical limbs that are not a curve point's encoding.
    let bad = (1u64..64)
        .map(|w0| {
            let mut b = [0u8; 40];
            b[..8].copy_from_slice(&w0.to_be_bytes());
            b
        })
        .find(|b| PublicKey::from_bytes(b).is_err())
        .expect("some small w is not an encoding");
    let mut v = json_value();
    v["txs"][2]["withdraw"]["pubkey"] = hex(&bad);
    assert!(matches!(
        from_value(&v),
        Err(BatchError::InvalidPoint {
            location: Location::Tx(2),
            field: "pubkey"
        })
    ));
    // A truncated signature.
    let mut v = json_value();
    v["txs"][2]["withdraw"]["signature"] = "0x0102".into();
    assert!(matches!(
        from_value(&v),
        Err(BatchError::InvalidSignatureEncoding {
            location: Location::Tx(2)
        })
    ));
}

#[test]
fn missing_or_misspelt_new_fields_are_rejected() {
    // A signed tx without its key, a deposit without its owner, a full exit with an amount
    // (it has none: execution computes it): each a JSON shape error with its position.
    let mut v = json_value();
    v["txs"][1]["transfer"]
        .as_object_mut()
        .unwrap()
        .remove("pubkey");
    assert!(matches!(from_value(&v), Err(BatchError::Json { .. })));
    let mut v = json_value();
    v["txs"][0]["deposit"]
        .as_object_mut()
        .unwrap()
        .remove("owner");
    assert!(matches!(from_value(&v), Err(BatchError::Json { .. })));
    let mut v = json_value();
    v["txs"][3]["full_exit"]["amount"] = 5.into();
    assert!(matches!(from_value(&v), Err(BatchError::Json { .. })));
    let mut v = json_value();
    v["txs"][3]["full_exit"]["requester"] = hex(&[1; 19]);
    assert!(matches!(from_value(&v), Err(BatchError::Json { .. })));
}

#[test]
fn duplicate_genesis_account() {
    let mut b = batch();
    if let PreState::Genesis(g) = &mut b.pre_state {
        let first = g[0];
        g.push(first);
    }
    let b = Batch::from_bytes(b.to_json().as_bytes()).unwrap();
    assert!(matches!(
        b.load_state(),
        Err(BatchError::DuplicateAccount {
            location: Location::Genesis(3),
            index: 0
        })
    ));
}

#[test]
fn snapshot_pre_state_matches_genesis() {
    let dir = tempfile::tempdir().unwrap();
    let state = StateTree::from_accounts(genesis()).unwrap();
    state.save_snapshot(&dir.path().join("state.snap")).unwrap();
    let mut b = batch();
    let (_, inline) = execute(&b).unwrap();
    b.pre_state = PreState::Snapshot("state.snap".into());
    let path = dir.path().join("batch.bin");
    b.save(&path).unwrap();
    let loaded = Batch::load(&path).unwrap();
    let (post, from_snap) = execute(&loaded).unwrap();
    assert_eq!(inline, from_snap);
    // Round trip of the post-state.
    let again = StateTree::from_snapshot_bytes(&post.to_snapshot_bytes()).unwrap();
    assert_eq!(again.root(), post.root());
    assert_eq!(again.len(), post.len());
}

#[test]
fn tampered_snapshot_is_rejected() {
    let state = StateTree::from_accounts(genesis()).unwrap();
    let bytes = state.to_snapshot_bytes();
    // Layout: magic(4) version(1) root-length(1) root(32) ...
    let mut bad_root = bytes.clone();
    bad_root[6 + 31] ^= 1;
    assert!(matches!(
        StateTree::from_snapshot_bytes(&bad_root),
        Err(BatchError::SnapshotRootMismatch { .. })
    ));
    let mut nc = bytes.clone();
    nc[6..14].copy_from_slice(&u64::MAX.to_be_bytes());
    assert!(matches!(
        StateTree::from_snapshot_bytes(&nc),
        Err(BatchError::NonCanonical { field: "root", .. })
    ));
    assert_eq!(bytes[4], 2, "snapshot version 2");
    for old in [1, 9] {
        let mut v = bytes.clone();
        v[4] = old;
        assert!(matches!(
            StateTree::from_snapshot_bytes(&v),
            Err(BatchError::UnsupportedVersion { found, supported: 2 }) if found == old as u32
        ));
    }
    // A non-canonical pkhash in an account entry.
    let mut nc = StateTree::new();
    nc.set(3, genesis()[0].1);
    let mut b = nc.to_snapshot_bytes();
    let pkhash = zkroll_circuits::encoding::hash_to_bytes(&genesis()[0].1.pkhash);
    let at = b.windows(32).position(|w| w == pkhash).unwrap();
    b[at..at + 8].copy_from_slice(&u64::MAX.to_be_bytes());
    assert!(matches!(
        StateTree::from_snapshot_bytes(&b),
        Err(BatchError::NonCanonical {
            location: Location::Snapshot(0),
            field: "pkhash",
            ..
        })
    ));
    assert!(matches!(
        StateTree::from_snapshot_bytes(&bytes[..bytes.len() - 3]),
        Err(BatchError::Bincode(_))
    ));
}

/// Decoding (and, when decoding succeeds, executing) must never panic.
fn never_panics(bytes: &[u8]) {
    if let Ok(b) = Batch::from_bytes(bytes) {
        let _ = execute(&b);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn corrupted_json_never_panics(pos in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let mut bytes = batch().to_json().into_bytes();
        let i = pos.index(bytes.len());
        bytes[i] = byte;
        never_panics(&bytes);
    }

    #[test]
    fn corrupted_bincode_never_panics(pos in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let mut bytes = batch().to_bincode();
        let i = pos.index(bytes.len());
        bytes[i] = byte;
        never_panics(&bytes);
    }

    #[test]
    fn truncated_files_never_panic(len in 0usize..4000) {
        let j = batch().to_json().into_bytes();
        never_panics(&j[..len.min(j.len())]);
        let b = batch().to_bincode();
        never_panics(&b[..len.min(b.len())]);
    }
}
