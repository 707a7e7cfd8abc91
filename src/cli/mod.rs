//! The `zkroll` command line.

mod bench;
mod demo;
mod execute;
mod gen;
mod l1user;
mod prove;
mod setup;
mod worker;
mod wrap;

use std::io::IsTerminal;
use std::time::Duration;

use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// zkroll: prove zk-rollup batches and verify them on Ethereum.
#[derive(Parser, Debug)]
#[command(name = "zkroll", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the whole pipeline on a demo batch: prove, wrap, and commit it on a local anvil L1.
    Demo(demo::DemoArgs),
    /// Generate a valid, signed synthetic batch (deterministic for a seed).
    Gen(gen::GenArgs),
    /// Validate and execute a batch file; print old/new root, digest and pubdata size.
    Execute(execute::ExecuteArgs),
    /// Prove a batch file: leaf proofs in parallel, aggregation, the top (digest) proof.
    Prove(prove::ProveArgs),
    /// Prove jobs from a PostgreSQL job queue (published by `zkroll prove --queue`) until stopped.
    Worker(worker::WorkerArgs),
    /// Verify a proof written by `zkroll prove` (plonky2) or `zkroll wrap` (Groth16).
    Verify(prove::VerifyArgs),
    /// Wrap a batch proof into a Groth16 proof on BN254 (one public input: the digest).
    Wrap(wrap::WrapArgs),
    /// Write the Solidity Groth16 verifier of a deployment (k, height).
    ExportVerifier(wrap::ExportArgs),
    /// Deploy a deployment's Groth16 verifier and a Rollup contract (from the empty tree) on L1.
    Deploy(wrap::DeployArgs),
    /// Commit a wrapped batch to the Rollup contract on L1.
    Submit(wrap::SubmitArgs),
    /// Queue an L1 deposit to an L2 account (created if new, owned by --owner or the sender).
    Deposit(l1user::DepositArgs),
    /// Queue a forced exit of an account on L1 (paid to its owner if the sender owns it).
    RequestExit(l1user::RequestExitArgs),
    /// Switch the Rollup to exodus mode (allowed once a priority operation is overdue).
    ActivateExodus(l1user::ActivateExodusArgs),
    /// In exodus mode: pay an account's balance to its owner against a proof of its leaf.
    Exit(l1user::ExitArgs),
    /// In exodus mode: refund an unprocessed deposit to its sender.
    Refund(l1user::RefundArgs),
    /// Rebuild the L2 state from L1 alone (events and commitBatch calldata); resumable.
    Sync(l1user::SyncArgs),
    /// Measure proving throughput, wrap time, peak RSS and L1 gas for several batch sizes.
    Bench(bench::BenchArgs),
    /// Groth16 trusted setup: Powers of Tau import, phase-2 ceremony, verification, install.
    #[command(subcommand)]
    Setup(setup::SetupCommand),
}

impl Cli {
    /// Runs the chosen subcommand.
    pub fn run(self) -> anyhow::Result<()> {
        match self.command {
            Command::Demo(a) => demo::run(a),
            Command::Gen(a) => gen::run(a),
            Command::Execute(a) => execute::run(a),
            Command::Prove(a) => prove::run_prove(a),
            Command::Worker(a) => worker::run(a),
            Command::Verify(a) => prove::run_verify(a),
            Command::Wrap(a) => wrap::run_wrap(a),
            Command::ExportVerifier(a) => wrap::run_export(a),
            Command::Deploy(a) => wrap::run_deploy(a),
            Command::Submit(a) => wrap::run_submit(a),
            Command::Deposit(a) => l1user::run_deposit(a),
            Command::RequestExit(a) => l1user::run_request_exit(a),
            Command::ActivateExodus(a) => l1user::run_activate_exodus(a),
            Command::Exit(a) => l1user::run_exit(a),
            Command::Refund(a) => l1user::run_refund(a),
            Command::Sync(a) => l1user::run_sync(a),
            Command::Bench(a) => bench::run(a),
            Command::Setup(c) => setup::run(c),
        }
    }
}

/// A progress bar on stderr, hidden when stderr is not a terminal.
pub(crate) fn progress_bar(len: Option<u64>, msg: &'static str) -> ProgressBar {
    let pb = match len {
        Some(n) => ProgressBar::new(n).with_style(
            ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({eta})")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        ),
        None => ProgressBar::new_spinner(),
    };
    pb.set_draw_target(if std::io::stderr().is_terminal() {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    });
    pb.set_message(msg);
    if len.is_none() {
        pb.enable_steady_tick(Duration::from_millis(100));
    }
    pb
}
