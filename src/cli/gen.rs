//! `zkroll gen`.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use zkroll::circuits::batch::wire::parse_address;
use zkroll::gen::{generate, GenParams};
use zkroll::Domain;

/// Arguments of `zkroll gen`.
#[derive(Args, Debug)]
pub struct GenArgs {
    /// Number of transactions, the funding deposits included.
    #[arg(long)]
    pub txs: usize,
    /// Number of accounts created (and funded) by the batch's first deposits, from the empty
    /// state (account 0 is the operator, the fee recipient).
    #[arg(long)]
    pub accounts: u32,
    /// Seed of the ChaCha RNG: the same arguments give the same file.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// How many further deposits, after the funding ones (the rest, after withdrawals and
    /// full exits, are transfers).
    #[arg(long, default_value_t = 0)]
    pub deposits: usize,
    /// How many of the transactions are withdrawals.
    #[arg(long, default_value_t = 0)]
    pub withdrawals: usize,
    /// How many forced exits (FullExit) end the batch: alternately by the account's owner
    /// (pays its balance) and by a stranger (a no-op).
    #[arg(long, default_value_t = 0)]
    pub full_exits: usize,
    /// EIP-155 chain id the signatures are bound to (anvil's default: 31337).
    #[arg(long, default_value_t = 31337)]
    pub chain_id: u64,
    /// Rollup contract address the signatures are bound to (20 bytes, 0x hex).
    #[arg(long, value_parser = parse_address, default_value = "0x0000000000000000000000000000000000000000")]
    pub rollup: [u8; 20],
    /// Output file: `.bin` → bincode, anything else → JSON.
    #[arg(short, long)]
    pub output: PathBuf,
}

/// Runs `zkroll gen`.
pub fn run(a: GenArgs) -> anyhow::Result<()> {
    let params = GenParams {
        txs: a.txs,
        accounts: a.accounts,
        seed: a.seed,
        deposits: a.deposits,
        withdrawals: a.withdrawals,
        full_exits: a.full_exits,
        domain: Domain {
            chain_id: a.chain_id,
            rollup: a.rollup,
        },
    };
    let pb = super::progress_bar(Some(a.accounts as u64 + a.txs as u64), "keys + signatures");
    let batch = generate(&params, |n| pb.inc(n))?;
    pb.finish_and_clear();
    batch
        .save(&a.output)
        .with_context(|| format!("writing {}", a.output.display()))?;
    eprintln!(
        "wrote {} ({} txs, {} accounts created by deposits)",
        a.output.display(),
        batch.txs.len(),
        a.accounts
    );
    Ok(())
}
