//! Measures the top circuit on the test-fixture leaf with `k` records per leaf:
//! `cargo run -p zkroll-prover --example top_rows [k] [max height]` (defaults 64, 4).
//! For each height `h = 1..=max`, capacity `k·2^h`: the rows added by each part of the top
//! circuit, its degree, build time and the time to prove one top proof (a batch of one real
//! leaf; the top circuit's cost does not depend on how many slots are filled).

#[path = "../tests/fixture/mod.rs"]
mod fixture;

use plonky2::field::types::{Field, PrimeField64};
use plonky2::hash::hash_types::HashOut;
use std::time::Instant;
use zkroll_circuits::da::BatchData;
use zkroll_circuits::state::{Account, StateTree};
use zkroll_prover::{OperatorCredit, Prover, ProverConfig, TopWitness, F};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let k: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(64);
    let max_h: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(4);
    let account = Account {
        pkhash: HashOut {
            elements: [1, 2, 3, 4].map(F::from_canonical_u64),
        },
        balance: 1000,
        nonce: 0,
        owner: [9; 20],
    };
    let tree =
        StateTree::from_accounts([(fixture::OPERATOR, account)]).map_err(|i| format!("{i}"))?;
    let root = tree.root().elements.map(|x| x.to_canonical_u64());
    let proof = tree.proof(fixture::OPERATOR);
    let credit = OperatorCredit {
        account,
        siblings: proof.siblings,
    };
    let base = Prover::new(fixture::FixtureLeaf::build(k), ProverConfig::default())?;
    println!("| h | capacity | elements | root verif. | chains | effects SHA | blob | credit | digest | gates | rows | build (s) | prove (s) |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for h in 1..=max_h {
        let prover = base.reconfigure(ProverConfig {
            height: Some(h),
            ..Default::default()
        })?;
        let leaves = fixture::chain_to(1, 1, Some(root));
        let step = leaves[0].step.clone().expect("a step");
        let bp = prover.prove(leaves)?;
        let t = Instant::now();
        let top = prover.top(h)?;
        let build = t.elapsed();
        let data = BatchData::new(fixture::OPERATOR, step.records, step.effects)?;
        let w = TopWitness::from_batch_data(&data, Some(credit.clone()))?;
        let t = Instant::now();
        let p = prover.prove_top(&bp, &w)?;
        let prove = t.elapsed();
        prover.verify_top(h, &p)?;
        if std::env::var("TOP_GATES").is_ok() {
            let c = &top.data.common;
            println!(
                "constraints {} quotient_degree_factor {} selectors {:?}",
                c.num_gate_constraints,
                c.quotient_degree_factor,
                c.selectors_info.num_selectors()
            );
            for g in &c.gates {
                println!("  {}", g.0.id());
            }
        }
        let b = top.breakdown;
        let gates = b.root_verification + b.chains + b.effects_sha + b.blob + b.credit + b.digest;
        println!(
            "| {h} | {} | {} | {} | {} | {} | {} | {} | {} | {gates} | 2^{} | {:.1} | {:.1} |",
            top.capacity,
            1 + top.capacity.div_ceil(2),
            b.root_verification,
            b.chains,
            b.effects_sha,
            b.blob,
            b.credit,
            b.digest,
            top.data.common.degree_bits(),
            build.as_secs_f64(),
            prove.as_secs_f64(),
        );
    }
    Ok(())
}
