//! Ceremony files (aggregator `groth16::ceremony`, docs/ceremony.md): circom `.r1cs`,
//! snarkjs `.zkey` and `.ptau` readers, which seek in a file, so each input is written to a
//! temporary file first. Selector (first byte) mod 3: 0 `.r1cs`, 1 `.zkey`, 2 `.ptau` (opened,
//! then checked for the smallest domain when it holds one). Any input gives a value or a
//! typed error, never a panic or an allocation beyond the input's size.
#![no_main]

use std::path::PathBuf;
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use zkroll::aggregator::groth16::ceremony::ptau::Ptau;
use zkroll::aggregator::groth16::ceremony::r1cs_file::R1cs;
use zkroll::aggregator::groth16::ceremony::zkey::Zkey;
use zkroll_fuzz::{guarded, seeds, split_selector};

static DIR: LazyLock<tempfile::TempDir> =
    LazyLock::new(|| tempfile::tempdir().expect("a temporary directory"));

fn path() -> PathBuf {
    DIR.path().join("input")
}

fuzz_target!(init: seeds::write_if_asked(seeds::ceremony_files), |data: &[u8]| {
    let (sel, rest) = split_selector(data);
    std::fs::write(path(), rest).expect("write the input file");
    guarded(rest, |_| match sel % 3 {
        0 => {
            if let Ok(r) = R1cs::read(&path()) {
                assert_eq!(r.a.len(), r.b.len());
                assert_eq!(r.a.len(), r.c.len());
                let _ = r.rows();
            }
        }
        1 => {
            if let Ok(z) = Zkey::read(&path()) {
                let _ = z.verifying_key();
            }
        }
        _ => {
            if let Ok(mut p) = Ptau::open(&path()) {
                let _ = p.check_for(1, 2);
            }
        }
    });
});
