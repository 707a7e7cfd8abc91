//! Work-directory proof files (zkroll-prover `proof_file`, `ZKRP` v1) and the plonky2 proof
//! inside, decoded against a tiny circuit's common data. Selector bit 0 clear: the input is
//! the whole file; set: the input is the plonky2 proof body, given a correct header
//! (expected digest and statement hash, length, checksum) so that the fuzzer reaches
//! plonky2's decoder. An accepted proof re-encodes to the same body.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sha2::{Digest, Sha256};
use zkroll::prover::proof_file::{decode, Expected, MAGIC, VERSION};
use zkroll_fuzz::seeds::{self, TINY};
use zkroll_fuzz::{guarded, split_selector};

const EXPECTED: Expected = Expected {
    circuit_digest: [1, 2, 3, 4],
    statement_hash: [7; 32],
};

fn file_of(body: &[u8]) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    out.extend(VERSION.to_be_bytes());
    for x in EXPECTED.circuit_digest {
        out.extend(x.to_be_bytes());
    }
    out.extend(EXPECTED.statement_hash);
    out.extend((body.len() as u64).to_be_bytes());
    out.extend(Sha256::digest(body));
    out.extend(body);
    out
}

fn seed_files() -> Vec<Vec<u8>> {
    let body = &TINY.proof;
    vec![
        [&[0u8][..], &file_of(body)].concat(),
        [&[1u8][..], body].concat(),
    ]
}

fuzz_target!(
    init: {
        LazyLockInit::force();
        seeds::write_if_asked(seed_files)
    },
    |data: &[u8]| {
        let (sel, rest) = split_selector(data);
        let file = if sel & 1 == 0 { rest.to_vec() } else { file_of(rest) };
        let Ok(proof) = guarded(&file, |f| decode(f, &EXPECTED, &TINY.common)) else {
            return;
        };
        assert_eq!(proof.to_bytes(), file[112..], "canonical body");
    }
);

/// Builds the tiny circuit before the first input, so that its allocations are not charged
/// to an input.
struct LazyLockInit;
impl LazyLockInit {
    fn force() {
        let _ = &TINY.common;
    }
}
