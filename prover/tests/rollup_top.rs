//! The top step over the rollup leaf (not the fixture): a small executed batch is proven
//! leaf → aggregate → top, and the top proof's digest is the executor's (formats.md §5),
//! its final root the executor's root after the operator credit.

use plonky2::field::types::Field;
use zkroll_circuits::batch::Header;
use zkroll_circuits::execute::apply;
use zkroll_circuits::schnorr::SecretKey;
use zkroll_circuits::state::{Account, StateTree};
use zkroll_circuits::tx::{Deposit, Domain, FullExit, Transfer, Tx, Withdraw};
use zkroll_prover::rollup_leaf::leaf_witnesses;
use zkroll_prover::top::{digest_value_bytes, top_values};
use zkroll_prover::{Prover, ProverConfig, RollupLeaf, TopWitness, F};

const DOMAIN: Domain = Domain {
    chain_id: 31337,
    rollup: [0xaa; 20],
};

fn sk(i: u8) -> SecretKey {
    SecretKey::from_seed(&[i; 32])
}

#[test]
fn top_digest_of_a_rollup_batch_is_the_executors() {
    let header = Header {
        domain: DOMAIN,
        operator: 0,
    };
    let mut state = StateTree::from_accounts((0..3u8).map(|i| {
        (
            u32::from(i),
            Account {
                pkhash: sk(i).public_key().pkhash(),
                balance: 1000,
                nonce: 0,
                owner: [0x10 + i; 20],
            },
        )
    }))
    .unwrap();
    let txs = vec![
        Tx::Deposit(Deposit {
            account: 5,
            pkhash: sk(5).public_key().pkhash(),
            amount: 300,
            owner: [0x15; 20],
        }),
        Tx::Transfer(Transfer::signed(&sk(1), &DOMAIN, 1, 2, 400, 3, 0)),
        Tx::Withdraw(Withdraw::signed(&sk(2), &DOMAIN, 2, [7; 20], 100, 2, 0)),
        Tx::FullExit(FullExit {
            account: 1,
            requester: [0x11; 20],
        }),
        Tx::Transfer(Transfer::signed(&sk(5), &DOMAIN, 5, 2, 250, 1, 0)),
    ];
    let exec = apply(&mut state, &header, &txs).expect("valid batch");
    assert_eq!(exec.fees, 6);

    let prover = Prover::new(RollupLeaf::build(4).unwrap(), ProverConfig::default()).unwrap();
    let bp = prover.prove(leaf_witnesses(&exec, 4).unwrap()).unwrap();
    assert_eq!(bp.height, 1);
    let w = TopWitness::from_execution(&exec).unwrap();
    let values = top_values(&bp.statement, &w).unwrap();
    assert_eq!(
        values.final_root,
        exec.new_root
            .elements
            .map(|x| plonky2::field::types::PrimeField64::to_canonical_u64(&x))
    );
    assert_eq!((values.x, values.y), (exec.blob.x, exec.blob.y));
    assert_eq!(digest_value_bytes(&values.digest_words), exec.digest.value);

    let top = prover.prove_top(&bp, &w).unwrap();
    let words = prover.verify_top(1, &top).unwrap();
    assert_eq!(digest_value_bytes(&words), exec.digest.value);
    let mut bad = top.clone();
    bad.public_inputs[0] += F::ONE;
    assert!(prover.verify_top(1, &bad).is_err());
}
