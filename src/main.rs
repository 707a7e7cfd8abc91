//! The `zkroll` command-line tool.

use clap::Parser;

/// zkroll: prove zk-rollup batches and verify them on Ethereum.
#[derive(Parser, Debug)]
#[command(name = "zkroll", version, about)]
struct Cli {}

fn main() -> anyhow::Result<()> {
    let _cli = Cli::parse();
    Ok(())
}
