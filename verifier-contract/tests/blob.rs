//! EIP-4844 blobs on anvil: a type-3 transaction sent through alloy is mined and `blobhash(i)`
//! is its sidecar's versioned hash; `BlobOpening._openBlob` (through the test-only
//! tests/contracts/BlobOpeningHarness.sol) accepts a c-kzg opening and rejects every wrong
//! part of one with its custom error; a transaction's blobs read back from anvil are the bytes
//! sent, and altered ones are refused. Needs the toolchain: run scripts/setup-l1.sh first.

mod support;

use alloy::consensus::Typed2718 as _;
use alloy::eips::eip4844::builder::{SidecarBuilder, SimpleCoder};
use alloy::eips::eip4844::{Blob, BLS_MODULUS, DATA_GAS_PER_BLOB};
use alloy::network::TransactionBuilder;
use alloy::primitives::{Address, Bytes, TxHash, B256, U256};
use alloy::providers::{DynProvider, Provider};
use alloy::rpc::types::TransactionRequest;
use alloy::sol_types::{SolCall, SolEvent};
use support::{BlobEnv, IBlobOpeningHarness};
use zkroll_verifier_contract::bindings::IBlobOpening::IBlobOpeningErrors as BE;
use zkroll_verifier_contract::blob::{blob_versioned_hash, BlobTxReport};
use zkroll_verifier_contract::{
    open_blob, read_blobs, send_blob_tx, AnvilBlobs, BeaconBlobs, BeaconBlockId, BlobError,
    BlobOpening, BlobSource, BlobTxRef, L1Error, SidecarFormat,
};

/// A blob holding `data` (alloy's simple coder: canonical field elements).
fn blob(data: &[u8]) -> Blob {
    SidecarBuilder::<SimpleCoder>::from_slice(data)
        .take()
        .remove(0)
}

/// A canonical evaluation point derived from `n`.
fn point(n: u64) -> B256 {
    let mut x = B256::repeat_byte(0x11);
    x.0[0] = 0x2a; // below the modulus 0x73ed…
    x.0[24..].copy_from_slice(&n.to_be_bytes());
    x
}

fn open_call(index: u64, o: &BlobOpening) -> Bytes {
    IBlobOpeningHarness::openCall {
        index: U256::from(index),
        x: o.x_u256(),
        y: o.y_u256(),
        commitment: Bytes::copy_from_slice(o.commitment.as_slice()),
        proof: Bytes::copy_from_slice(o.proof.as_slice()),
    }
    .abi_encode()
    .into()
}

fn blob_err(res: Result<BlobTxReport, L1Error>, what: &str) -> BE {
    let err = res.expect_err(what);
    err.decode::<BE>()
        .unwrap_or_else(|| panic!("{what}: expected a BlobOpening error, got {err}"))
}

/// The logs of `T` in the receipt of `tx`.
async fn events<T: SolEvent>(provider: &DynProvider, tx: TxHash) -> Vec<T> {
    let receipt = provider
        .get_transaction_receipt(tx)
        .await
        .unwrap()
        .expect("receipt");
    receipt
        .inner
        .logs()
        .iter()
        .filter_map(|l| l.log_decode::<T>().ok())
        .map(|l| l.inner.data)
        .collect()
}

#[tokio::test]
async fn blob_tx_is_mined_and_blobhash_is_the_sidecar_versioned_hash() {
    let env = BlobEnv::new().await;
    let blobs = vec![blob(b"first blob"), blob(b"second blob")];
    let expected: Vec<B256> = blobs
        .iter()
        .map(|b| blob_versioned_hash(b).unwrap())
        .collect();
    for index in 0..2u64 {
        let call = IBlobOpeningHarness::recordBlobHashCall {
            index: U256::from(index),
        };
        let rep = send_blob_tx(
            &env.provider,
            env.harness,
            call.abi_encode().into(),
            blobs.clone(),
            env.format,
        )
        .await
        .expect("blob tx");
        assert_eq!(rep.versioned_hashes, expected);
        assert_eq!(rep.blob_gas_used, 2 * DATA_GAS_PER_BLOB);
        assert!(rep.blob_gas_price >= 1);
        let tx = env
            .provider
            .get_transaction_by_hash(rep.tx.tx_hash)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(tx.ty(), 3, "a type-3 transaction");
        let ev = events::<IBlobOpeningHarness::BlobHash>(&env.provider, rep.tx.tx_hash).await;
        assert_eq!(ev.len(), 1);
        assert_eq!(ev[0].index, U256::from(index));
        assert_eq!(ev[0].versionedHash, expected[index as usize]);
    }
}

#[tokio::test]
async fn opening_accepts_a_ckzg_opening() {
    let env = BlobEnv::new().await;
    let b = blob(b"zkroll: the batch data of one blob");
    let o = open_blob(&b, point(1)).unwrap();
    let rep = env
        .send(open_call(0, &o), vec![b])
        .await
        .expect("opening accepted");
    let ev = events::<IBlobOpeningHarness::Opened>(&env.provider, rep.tx.tx_hash).await;
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0].versionedHash, o.versioned_hash);
    // The precompile alone costs 50 000.
    let gas = u64::try_from(ev[0].gasUsed).unwrap();
    assert!((50_000..60_000).contains(&gas), "opening gas {gas}");
    // The second of two blobs opens too.
    let b2 = blob(b"another blob");
    let o2 = open_blob(&b2, point(2)).unwrap();
    env.send(open_call(1, &o2), vec![blob(b"unrelated"), b2])
        .await
        .expect("blob 1 opened");
}

/// Before Osaka (here `--hardfork cancun`) a sidecar carries one blob proof per blob
/// (EIP-4844): the same opening passes and a wrong `y` fails.
#[tokio::test]
async fn eip4844_sidecar_on_a_cancun_anvil() {
    let env = BlobEnv::with_anvil_args(&["--hardfork", "cancun"], SidecarFormat::Eip4844).await;
    let b = blob(b"zkroll on cancun");
    let o = open_blob(&b, point(7)).unwrap();
    let rep = env
        .send(open_call(0, &o), vec![b])
        .await
        .expect("opening accepted");
    assert_eq!(rep.versioned_hashes, vec![o.versioned_hash]);
    assert_eq!(rep.blob_gas_used, DATA_GAS_PER_BLOB);
    let mut wrong_y = o;
    wrong_y.y.0[31] ^= 1;
    assert!(matches!(
        blob_err(env.send(open_call(0, &wrong_y), vec![b]).await, "wrong y"),
        BE::BlobOpeningInvalid(e) if e.index == U256::ZERO
    ));
}

#[tokio::test]
async fn opening_rejects_each_wrong_part_with_its_error() {
    let env = BlobEnv::new().await;
    let b = blob(b"zkroll: the batch data of one blob");
    let o = open_blob(&b, point(3)).unwrap();
    let send = |o: BlobOpening, index: u64| env.send(open_call(index, &o), vec![b]);

    // Wrong y (the KZG proof does not show it).
    let mut wrong_y = o;
    wrong_y.y.0[31] ^= 1;
    assert!(matches!(
        blob_err(send(wrong_y, 0).await, "wrong y"),
        BE::BlobOpeningInvalid(e) if e.index == U256::ZERO
    ));

    // Wrong proof: a valid proof, but for another point.
    let other_point = open_blob(&b, point(4)).unwrap();
    let mut wrong_proof = o;
    wrong_proof.proof = other_point.proof;
    assert!(matches!(
        blob_err(send(wrong_proof, 0).await, "wrong proof"),
        BE::BlobOpeningInvalid(e) if e.index == U256::ZERO
    ));

    // Wrong commitment: another blob's (with an opening valid for that blob), so its versioned
    // hash is not blobhash(0).
    let other_blob = open_blob(&blob(b"another blob"), point(3)).unwrap();
    assert!(matches!(
        blob_err(send(other_blob, 0).await, "other blob's commitment"),
        BE::BlobCommitmentMismatch(e) if e.index == U256::ZERO && e.versionedHash == o.versioned_hash
    ));

    // Non-canonical x and y: the same values plus the modulus (still < 2^256).
    let plus_p = |v: U256| B256::from((v + BLS_MODULUS).to_be_bytes::<32>());
    let mut big_x = o;
    big_x.x = plus_p(o.x_u256());
    assert!(matches!(
        blob_err(send(big_x, 0).await, "x + p"),
        BE::BlobPointNotCanonical(e) if e.x == big_x.x_u256()
    ));
    let mut big_y = o;
    big_y.y = plus_p(o.y_u256());
    assert!(matches!(
        blob_err(send(big_y, 0).await, "y + p"),
        BE::BlobValueNotCanonical(e) if e.y == big_y.y_u256()
    ));

    // No blob at index 1 of a one-blob transaction.
    assert!(matches!(
        blob_err(send(o, 1).await, "index 1"),
        BE::NoBlob(e) if e.index == U256::from(1)
    ));

    // A commitment or proof that is not 48 bytes.
    let short = IBlobOpeningHarness::openCall {
        index: U256::ZERO,
        x: o.x_u256(),
        y: o.y_u256(),
        commitment: Bytes::copy_from_slice(&o.commitment[..47]),
        proof: Bytes::copy_from_slice(o.proof.as_slice()),
    };
    assert!(matches!(
        blob_err(env.send(short.abi_encode().into(), vec![b]).await, "47-byte commitment"),
        BE::BlobCommitmentLength(e) if e.length == U256::from(47)
    ));
    let long = IBlobOpeningHarness::openCall {
        index: U256::ZERO,
        x: o.x_u256(),
        y: o.y_u256(),
        commitment: Bytes::copy_from_slice(o.commitment.as_slice()),
        proof: [o.proof.as_slice(), &[0]].concat().into(),
    };
    assert!(matches!(
        blob_err(env.send(long.abi_encode().into(), vec![b]).await, "49-byte proof"),
        BE::BlobProofLength(e) if e.length == U256::from(49)
    ));

    // The correct opening still passes (nothing above was accepted by accident).
    send(o, 0).await.expect("correct opening");
}

/// A transaction without blobs (type 2) has no `blobhash(0)`.
#[tokio::test]
async fn opening_without_a_blob_reverts_no_blob() {
    let env = BlobEnv::new().await;
    let o = open_blob(&blob(b"never sent"), point(5)).unwrap();
    let tx = TransactionRequest::default()
        .with_to(env.harness)
        .with_input(open_call(0, &o));
    let err = L1Error::from(
        env.provider
            .send_transaction(tx)
            .await
            .expect_err("no blob"),
    );
    assert!(
        matches!(err.decode::<BE>(), Some(BE::NoBlob(e)) if e.index == U256::ZERO),
        "{err}"
    );
}

/// The precompile's output is checked: an empty account (a chain without 0x0a) "succeeds" with
/// no output, a mock returns 32 bytes or a wrong modulus; each is `PointEvaluationOutput`.
#[tokio::test]
async fn missing_or_wrong_precompile_output_is_refused() {
    use alloy::sol_types::SolValue;
    let env = BlobEnv::new().await;
    let b = blob(b"zkroll");
    let o = open_blob(&b, point(6)).unwrap();
    let with = |precompile: Address| -> Bytes {
        IBlobOpeningHarness::openWithCall {
            precompile,
            index: U256::ZERO,
            x: o.x_u256(),
            y: o.y_u256(),
            commitment: Bytes::copy_from_slice(o.commitment.as_slice()),
            proof: Bytes::copy_from_slice(o.proof.as_slice()),
        }
        .abi_encode()
        .into()
    };
    // The real precompile through openWith accepts.
    env.send(with(Address::with_last_byte(0x0a)), vec![b])
        .await
        .expect("0x0a");
    let mock = env.artifact("WrongPointEvaluation");
    let mut targets = vec![Address::repeat_byte(0xee)];
    for short in [true, false] {
        let (addr, _) = zkroll_verifier_contract::deploy(&env.provider, &mock, &short.abi_encode())
            .await
            .expect("deploy mock");
        targets.push(addr);
    }
    for target in targets {
        assert!(
            matches!(
                blob_err(env.send(with(target), vec![b]).await, "bad precompile"),
                BE::PointEvaluationOutput(e) if e.index == U256::ZERO
            ),
            "{target}"
        );
    }
}

/// A source that alters what anvil returns.
struct Tampered {
    inner: AnvilBlobs,
    how: Tamper,
}

#[derive(Clone, Copy)]
enum Tamper {
    FlipByte { blob: usize, byte: usize },
    DropLast,
    Nothing,
}

impl BlobSource for Tampered {
    async fn blobs(&self, tx: &BlobTxRef) -> Result<Option<Vec<Blob>>, L1Error> {
        let mut blobs = self.inner.blobs(tx).await?;
        match self.how {
            Tamper::FlipByte { blob, byte } => {
                if let Some(b) = blobs.as_mut() {
                    b[blob].0[byte] ^= 1;
                }
            }
            Tamper::DropLast => {
                if let Some(b) = blobs.as_mut() {
                    b.pop();
                }
            }
            Tamper::Nothing => blobs = None,
        }
        Ok(blobs)
    }

    fn name(&self) -> String {
        "tampered test source".into()
    }
}

#[tokio::test]
async fn blobs_read_back_are_the_bytes_sent_and_tampered_ones_are_refused() {
    let env = BlobEnv::new().await;
    let blobs = vec![blob(b"batch 1, part 1"), blob(&[0x5a; 4000])];
    let call = IBlobOpeningHarness::recordBlobHashCall { index: U256::ZERO };
    let rep = send_blob_tx(
        &env.provider,
        env.harness,
        call.abi_encode().into(),
        blobs.clone(),
        env.format,
    )
    .await
    .expect("blob tx");
    let tx = rep.tx.tx_hash;
    let anvil = AnvilBlobs::new(env.provider.clone());
    let back = read_blobs(&env.provider, &anvil, tx).await.expect("read");
    assert_eq!(back, blobs);
    // anvil's beacon endpoint (`/eth/v1/beacon/blobs/{block}`) serves the same blobs.
    let beacon = BeaconBlobs::new(
        &env.anvil.endpoint(),
        BeaconBlockId::ExecutionBlockNumber,
        zkroll_verifier_contract::RPC_TIMEOUT,
    )
    .unwrap();
    assert!(beacon.genesis_time().await.expect("genesis") > 0);
    let back = read_blobs(&env.provider, &beacon, tx)
        .await
        .expect("read from the beacon endpoint");
    assert_eq!(back, blobs);
    // Asked for another block, it has none of them.
    let wrong_slot = BeaconBlobs::new(
        &env.anvil.endpoint(),
        BeaconBlockId::SlotOfTimestamp {
            genesis_time: 0,
            seconds_per_slot: 1,
        },
        zkroll_verifier_contract::RPC_TIMEOUT,
    )
    .unwrap();
    let err = read_blobs(&env.provider, &wrong_slot, tx)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            L1Error::Blob(BlobError::Unavailable { .. } | BlobError::Beacon { .. })
        ),
        "{err}"
    );

    let tampered = |how| Tampered {
        inner: anvil.clone(),
        how,
    };
    // One byte of blob 1 (inside a field element's 31 data bytes, so still a valid blob).
    let err = read_blobs(
        &env.provider,
        &tampered(Tamper::FlipByte { blob: 1, byte: 33 }),
        tx,
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, L1Error::Blob(BlobError::VersionedHashMismatch { tx: t, index: 1, expected, .. })
            if t == tx && expected == rep.versioned_hashes[1]),
        "{err}"
    );
    assert!(err.to_string().contains(&tx.to_string()), "{err}");
    // A byte that makes a field element non-canonical: not a blob at all.
    let err = read_blobs(
        &env.provider,
        &tampered(Tamper::FlipByte { blob: 0, byte: 0 }),
        tx,
    )
    .await
    .unwrap_err();
    assert!(
        matches!(
            err,
            L1Error::Blob(BlobError::Kzg(_) | BlobError::VersionedHashMismatch { index: 0, .. })
        ),
        "{err}"
    );
    let err = read_blobs(&env.provider, &tampered(Tamper::DropLast), tx)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            L1Error::Blob(BlobError::WrongBlobCount {
                expected: 2,
                got: 1,
                ..
            })
        ),
        "{err}"
    );
    let err = read_blobs(&env.provider, &tampered(Tamper::Nothing), tx)
        .await
        .unwrap_err();
    assert!(
        matches!(err, L1Error::Blob(BlobError::Unavailable { tx: t, .. }) if t == tx),
        "{err}"
    );

    // A transaction without blobs, and one that does not exist.
    let plain = zkroll_verifier_contract::deploy(
        &env.provider,
        &env.artifact("WrongPointEvaluation"),
        &[0u8; 32],
    )
    .await
    .expect("plain tx")
    .1
    .tx_hash;
    let err = read_blobs(&env.provider, &anvil, plain).await.unwrap_err();
    assert!(
        matches!(err, L1Error::Blob(BlobError::NotABlobTx { tx: t }) if t == plain),
        "{err}"
    );
    let missing = TxHash::repeat_byte(0x77);
    let err = read_blobs(&env.provider, &anvil, missing)
        .await
        .unwrap_err();
    assert!(
        matches!(err, L1Error::Blob(BlobError::TxNotFound { tx: t }) if t == missing),
        "{err}"
    );
}
