use log::{Level, LevelFilter, Metadata, Record};
use plonky2::util::timing::TimingTree;
use zkroll_circuits::leaf::*;
struct L;
impl log::Log for L {
    fn enabled(&self, _: &Metadata) -> bool {
        true
    }
    fn log(&self, r: &Record) {
        if r.target().starts_with("plonky2") {
            println!("{}", r.args());
        }
    }
    fn flush(&self) {}
}
fn main() {
    log::set_logger(&L).unwrap();
    log::set_max_level(LevelFilter::Debug);
    let k: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse().unwrap())
        .unwrap_or(4);
    let c = LeafCircuit::build(k).unwrap();
    let w = LeafWitness::padding(
        zkroll_circuits::tx::Domain {
            chain_id: 1,
            rollup: [0; 20],
        },
        0,
        LeafStart {
            root: Default::default(),
            sha: SHA256_IV,
            blocks: 0,
        },
        k,
    );
    let pw = c.witness(&w).unwrap();
    let mut t = TimingTree::new("prove", Level::Info);
    let _ = plonky2::plonk::prover::prove::<_, zkroll_circuits::C, 2>(
        &c.data.prover_only,
        &c.data.common,
        pw,
        &mut t,
    )
    .unwrap();
    t.print();
    println!(
        "{:?}",
        c.data
            .common
            .gates
            .iter()
            .map(|g| g.0.id())
            .collect::<Vec<_>>()
    );
    println!(
        "quotient_degree_factor {}",
        c.data.common.quotient_degree_factor
    );
}
