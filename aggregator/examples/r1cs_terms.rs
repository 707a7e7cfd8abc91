//! What phase-2 init will cost for a circuit: the terms of each matrix of a `.r1cs` file, how
//! many have a full-size coefficient (more than 128 bits, whichever of `c` and `-c` is
//! shorter), and how those concentrate in rows (a row with many shares one doubling table, see
//! `ceremony::sparse`).
//!
//! `cargo run -p zkroll-aggregator --example r1cs_terms -- wrap.r1cs`
//! (write the file with `zkroll setup export-r1cs -o wrap.r1cs`).

use ark_ff::{BigInteger, PrimeField};
use zkroll_aggregator::groth16::ceremony::r1cs_file::R1cs;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: r1cs_terms FILE.r1cs")?;
    let r1cs = R1cs::read(std::path::Path::new(&path))?;
    println!(
        "{path}: {} constraints, {} wires, {} public inputs",
        r1cs.num_constraints(),
        r1cs.num_wires,
        r1cs.num_public
    );
    for (name, m) in [("A", &r1cs.a), ("B", &r1cs.b), ("C", &r1cs.c)] {
        let mut terms = 0usize;
        let mut full = 0usize;
        let mut rows_with_full = 0usize;
        let mut in_rows_of_3_or_more = 0usize;
        for row in m.iter() {
            let f = row
                .iter()
                .filter(|(c, _)| {
                    c.into_bigint()
                        .num_bits()
                        .min((-*c).into_bigint().num_bits())
                        > 128
                })
                .count();
            terms += row.len();
            full += f;
            rows_with_full += usize::from(f > 0);
            if f >= 3 {
                in_rows_of_3_or_more += f;
            }
        }
        println!(
            "{name}: {terms} terms, {full} full-size in {rows_with_full} rows \
             ({in_rows_of_3_or_more} in rows with 3 or more)"
        );
    }
    Ok(())
}
