//! Shrinks a test proof and prints, per layer, the rows, proving time and peak RSS, then the
//! final circuit's configuration and proof size.
//!
//! `cargo run -p zkroll-aggregator --release --example shrink [filler_muls [rate_bits queries
//! pow_bits]]`: the input circuit has about `filler_muls / 20` rows (20 multiplications per
//! arithmetic row; 300000 gives 2^14 rows); without FRI arguments the final layer uses
//! `ShrinkParams::PRODUCTION`.

use std::time::Instant;

use zkroll_aggregator::shrink::test_circuit::TestCircuit;
use zkroll_aggregator::shrink::{peak_rss_kib, ShrinkCircuits, ShrinkParams};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|s| s.parse())
        .collect::<Result<_, _>>()?;
    let filler = args.first().copied().unwrap_or(4000);
    let mut params = ShrinkParams::PRODUCTION;
    if let [_, rate_bits, queries, pow_bits] = args[..] {
        params.rate_bits = rate_bits;
        params.num_query_rounds = queries;
        params.proof_of_work_bits = u32::try_from(pow_bits)?;
    }
    let tc = TestCircuit::build(filler);
    let t = Instant::now();
    let input = tc.prove(3, [1, 2, 3, 4, 5, 6, 7, 8])?;
    println!(
        "input: degree_bits {} prove {:.2}s",
        tc.data.common.degree_bits(),
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let sc = ShrinkCircuits::build(&tc.data.common, &tc.data.verifier_only, params);
    println!("build all layers: {:.2}s", t.elapsed().as_secs_f64());
    let (proof, stats) = sc.prove(&input)?;
    for s in &stats {
        println!(
            "layer {:<9} gates {:>6} rows 2^{} prove {:>7.2}s peak RSS {:>7} MiB",
            s.name,
            s.gates,
            s.degree_bits,
            s.prove_secs,
            s.peak_rss_kib / 1024
        );
    }
    sc.verify(&proof)?;
    let c = &sc.final_data().common;
    println!(
        "final: num_wires {} routed {} constants {} degree_bits {} quotient_degree_factor {}",
        c.config.num_wires,
        c.config.num_routed_wires,
        c.config.num_constants,
        c.degree_bits(),
        c.quotient_degree_factor
    );
    println!(
        "final FRI: rate_bits {} cap_height {} queries {} pow_bits {} reduction arities {:?} zk {} conjectured security {} bits",
        c.config.fri_config.rate_bits,
        c.config.fri_config.cap_height,
        c.config.fri_config.num_query_rounds,
        c.config.fri_config.proof_of_work_bits,
        c.fri_params.reduction_arity_bits,
        c.config.zero_knowledge,
        params.conjectured_security_bits()
    );
    let gates: Vec<String> = c.gates.iter().map(|g| g.0.id()).collect();
    println!("final gates ({}): {}", gates.len(), gates.join(", "));
    println!(
        "final proof: {} bytes, public inputs {}",
        proof.to_bytes().len(),
        proof.public_inputs.len()
    );
    println!("peak RSS {} MiB", peak_rss_kib() / 1024);
    Ok(())
}
