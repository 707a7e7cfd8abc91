//! `zkroll execute`.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use zkroll::circuits::encoding::{hash_to_bytes, to_hex};
use zkroll::Batch;

/// Arguments of `zkroll execute`.
#[derive(Args, Debug)]
pub struct ExecuteArgs {
    /// Batch file (JSON or bincode, detected from its content).
    pub batch: PathBuf,
    /// Print the result as one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// Runs `zkroll execute`.
pub fn run(a: ExecuteArgs) -> anyhow::Result<()> {
    let batch = Batch::load(&a.batch).with_context(|| format!("loading {}", a.batch.display()))?;
    let pb = super::progress_bar(None, "executing");
    let result = zkroll::execute(&batch);
    pb.finish_and_clear();
    let exec = result.with_context(|| format!("executing {}", a.batch.display()))?;
    let old_root = to_hex(&hash_to_bytes(&exec.old_root));
    let new_root = to_hex(&hash_to_bytes(&exec.new_root));
    let digest = to_hex(&exec.digest.value);
    let c = exec.counts;
    if a.json {
        let v = serde_json::json!({
            "old_root": old_root,
            "new_root": new_root,
            "digest": digest,
            "digest_sha256": to_hex(&exec.digest.sha256),
            "blob_data_bytes": exec.data.blob_data().len(),
            "blob_elements": exec.data.used_elements(),
            "effects_bytes": exec.data.effects_bytes().len(),
            "versioned_hash": to_hex(&exec.blob.versioned_hash),
            "txs": {
                "total": c.total(),
                "deposits": c.deposits,
                "transfers": c.transfers,
                "withdrawals": c.withdrawals,
                "full_exits": c.full_exits,
            },
        });
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        println!("old root:  {old_root}");
        println!("new root:  {new_root}");
        println!("digest:    {digest}");
        println!(
            "blob data: {} bytes in {} blob elements (versioned hash {})",
            exec.data.blob_data().len(),
            exec.data.used_elements(),
            to_hex(&exec.blob.versioned_hash)
        );
        println!("effects:   {} bytes", exec.data.effects_bytes().len());
        println!(
            "txs:       {} ({} deposits, {} transfers, {} withdrawals, {} full exits)",
            c.total(),
            c.deposits,
            c.transfers,
            c.withdrawals,
            c.full_exits
        );
    }
    Ok(())
}
