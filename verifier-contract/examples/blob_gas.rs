//! Gas of the L1 side of EIP-4844 blobs on anvil (docs/l1.md "Blobs"): `BlobOpening._openBlob`
//! alone (measured with `gasleft()` in the test-only harness), a type-3 transaction running it,
//! a type-3 transaction that only reads `blobhash(0)`, the same call without a blob (type 2),
//! and the blob gas, reported separately (it is paid at the blob base fee, not in `gasUsed`).
//!
//! Run: `scripts/setup-l1.sh && cargo run -p zkroll-verifier-contract --example blob_gas`

#[path = "../tests/support/mod.rs"]
mod support;

use alloy::eips::eip4844::builder::{SidecarBuilder, SimpleCoder};
use alloy::network::TransactionBuilder;
use alloy::primitives::{Bytes, B256, U256};
use alloy::providers::Provider;
use alloy::rpc::types::TransactionRequest;
use alloy::sol_types::SolCall;
use support::{BlobEnv, IBlobOpeningHarness};
use zkroll_verifier_contract::{calldata_gas, open_blob, BlobTxReport, TxReport};

fn row(what: &str, r: &TxReport) {
    println!(
        "| {what} | {} | {} | **{}** |",
        r.gas_used,
        r.calldata_gas,
        r.execution_gas()
    );
}

fn blob_row(what: &str, r: &BlobTxReport) {
    row(what, &r.tx);
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let env = BlobEnv::new().await;
    let info: serde_json::Value = env
        .provider
        .raw_request("anvil_nodeInfo".into(), ())
        .await
        .unwrap_or_default();
    let hardfork = info["hardFork"].as_str().unwrap_or("unknown").to_owned();

    let blob = SidecarBuilder::<SimpleCoder>::from_slice(&[0x5a; 4000])
        .take()
        .remove(0);
    let mut x = B256::repeat_byte(0x11);
    x.0[0] = 0x2a;
    let o = open_blob(&blob, x)?;
    let open = IBlobOpeningHarness::openCall {
        index: U256::ZERO,
        x: o.x_u256(),
        y: o.y_u256(),
        commitment: Bytes::copy_from_slice(o.commitment.as_slice()),
        proof: Bytes::copy_from_slice(o.proof.as_slice()),
    }
    .abi_encode();
    let opened = env.send(open.into(), vec![blob]).await?;
    let receipt = env
        .provider
        .get_transaction_receipt(opened.tx.tx_hash)
        .await?
        .ok_or("no receipt")?;
    let check_gas = receipt
        .inner
        .logs()
        .iter()
        .find_map(|l| l.log_decode::<IBlobOpeningHarness::Opened>().ok())
        .ok_or("no Opened event")?
        .inner
        .data
        .gasUsed;

    let record = IBlobOpeningHarness::recordBlobHashCall { index: U256::ZERO }.abi_encode();
    let record_blob = env.send(record.clone().into(), vec![blob]).await?;
    let record_two = env.send(record.clone().into(), vec![blob, blob]).await?;
    let plain = env
        .provider
        .send_transaction(
            TransactionRequest::default()
                .with_to(env.harness)
                .with_input(record.clone()),
        )
        .await?
        .get_receipt()
        .await?;
    let plain = TxReport {
        tx_hash: plain.transaction_hash,
        gas_used: plain.gas_used,
        calldata_gas: calldata_gas(&record),
    };

    println!("anvil hardfork {hardfork}, sidecar {:?}\n", env.format);
    println!(
        "`BlobOpening._openBlob` alone (gasleft() around it): **{check_gas}** gas \
         (the point-evaluation precompile: 50 000)\n"
    );
    println!("| transaction | gasUsed | calldata gas | excl. calldata |");
    println!("|---|---|---|---|");
    blob_row(
        "type 3, 1 blob: harness `open` (the opening check + event)",
        &opened,
    );
    blob_row("type 3, 1 blob: harness `recordBlobHash(0)`", &record_blob);
    blob_row("type 3, 2 blobs: harness `recordBlobHash(0)`", &record_two);
    row("type 2, no blob: harness `recordBlobHash(0)`", &plain);
    println!();
    for (what, r) in [("1 blob", &record_blob), ("2 blobs", &record_two)] {
        println!(
            "blob gas, {what}: {} (blob base fee on anvil {} wei; paid as blob gas × blob base \
             fee, outside gasUsed)",
            r.blob_gas_used, r.blob_gas_price
        );
    }
    Ok(())
}
