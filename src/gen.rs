//! Deterministic synthetic batches: valid, signed, reproducible from a seed.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use rayon::prelude::*;

use zkroll_circuits::batch::{Batch, Header, PreState};
use zkroll_circuits::schnorr::SecretKey;
use zkroll_circuits::state::{Account, StateTree};
use zkroll_circuits::tx::{Deposit, Domain, Transfer, Tx, Withdraw};

/// Parameters of [`generate`].
#[derive(Clone, Debug)]
pub struct GenParams {
    /// Total number of transactions.
    pub txs: usize,
    /// Genesis accounts (indices `0..accounts`; account 0 is the operator). At least 1.
    pub accounts: u32,
    /// RNG seed: equal parameters give byte-identical batches.
    pub seed: u64,
    /// How many of the txs are deposits.
    pub deposits: usize,
    /// How many of the txs are withdrawals.
    pub withdrawals: usize,
    /// Signing domain.
    pub domain: Domain,
}

/// Why parameters are unusable.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum GenError {
    /// `deposits + withdrawals > txs`.
    #[error("--deposits ({deposits}) + --withdrawals ({withdrawals}) exceed --txs ({txs})")]
    TooManyTypedTxs {
        /// Deposits asked.
        deposits: usize,
        /// Withdrawals asked.
        withdrawals: usize,
        /// Total.
        txs: usize,
    },
    /// Zero accounts, or so many accounts or deposits that new indices would not fit in `u32`.
    #[error("--accounts must be between 1 and 2^31 and --deposits at most 2^31")]
    BadAccountCount,
}

/// Initial balance of every genesis account (large enough that no generated tx overdraws).
pub const GENESIS_BALANCE: u64 = 1 << 50;

fn key(rng: &mut ChaCha20Rng) -> [u8; 32] {
    let mut s = [0u8; 32];
    rng.fill(&mut s);
    s
}

/// Builds a valid batch. `progress(n)` is called as keys are derived and txs signed
/// (`n` = items finished since the last call); the total is `accounts + txs`.
pub fn generate(p: &GenParams, progress: impl Fn(u64) + Sync) -> Result<Batch, GenError> {
    if p.deposits + p.withdrawals > p.txs {
        return Err(GenError::TooManyTypedTxs {
            deposits: p.deposits,
            withdrawals: p.withdrawals,
            txs: p.txs,
        });
    }
    if p.accounts == 0 || p.accounts > 1 << 31 || p.deposits as u64 > 1 << 31 {
        return Err(GenError::BadAccountCount);
    }
    let mut rng = ChaCha20Rng::seed_from_u64(p.seed);
    let seeds: Vec<[u8; 32]> = (0..p.accounts).map(|_| key(&mut rng)).collect();
    let keys: Vec<SecretKey> = seeds
        .par_iter()
        .map(|s| {
            let k = SecretKey::from_seed(s);
            progress(1);
            k
        })
        .collect();
    let genesis: Vec<(u32, Account)> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| {
            (
                i as u32,
                Account {
                    pubkey: k.public_key(),
                    balance: GENESIS_BALANCE,
                    nonce: 0,
                },
            )
        })
        .collect();

    // Tx kinds, shuffled deterministically: 0 = transfer, 1 = deposit, 2 = withdraw.
    let mut kinds = vec![0u8; p.txs];
    kinds[..p.deposits].fill(1);
    kinds[p.deposits..p.deposits + p.withdrawals].fill(2);
    for i in (1..kinds.len()).rev() {
        kinds.swap(i, rng.gen_range(0..=i));
    }

    enum Plan {
        Ready(Tx),
        Transfer(u32, u32, u64, u64, u32),
        Withdraw(u32, [u8; 20], u64, u64, u32),
    }
    let mut nonces = vec![0u32; p.accounts as usize];
    let mut next_new = p.accounts;
    let plans: Vec<Plan> = kinds
        .iter()
        .map(|kind| {
            let from = rng.gen_range(0..p.accounts);
            let amount = rng.gen_range(1..=1_000_000u64);
            let fee = rng.gen_range(0..=1_000u64);
            match kind {
                1 => {
                    let (account, pubkey) = if rng.gen_bool(0.5) {
                        (from, keys[from as usize].public_key())
                    } else {
                        next_new += 1;
                        (
                            next_new - 1,
                            SecretKey::from_seed(&key(&mut rng)).public_key(),
                        )
                    };
                    Plan::Ready(Tx::Deposit(Deposit {
                        account,
                        pubkey,
                        amount,
                    }))
                }
                2 => {
                    let nonce = nonces[from as usize];
                    nonces[from as usize] += 1;
                    Plan::Withdraw(from, rng.gen(), amount, fee, nonce)
                }
                _ => {
                    let nonce = nonces[from as usize];
                    nonces[from as usize] += 1;
                    let to = rng.gen_range(0..p.accounts);
                    Plan::Transfer(from, to, amount, fee, nonce)
                }
            }
        })
        .collect();
    let d = &p.domain;
    let txs: Vec<Tx> =
        plans
            .into_par_iter()
            .map(|plan| {
                let tx =
                    match plan {
                        Plan::Ready(tx) => tx,
                        Plan::Transfer(from, to, amount, fee, nonce) => Tx::Transfer(
                            Transfer::signed(&keys[from as usize], d, from, to, amount, fee, nonce),
                        ),
                        Plan::Withdraw(from, l1, amount, fee, nonce) => Tx::Withdraw(
                            Withdraw::signed(&keys[from as usize], d, from, l1, amount, fee, nonce),
                        ),
                    };
                progress(1);
                tx
            })
            .collect();
    Ok(Batch {
        header: Header {
            domain: *d,
            operator: 0,
        },
        pre_state: PreState::Genesis(genesis),
        txs,
    })
}

/// A large transfer workload for benchmarks: `accounts` genesis accounts (balance
/// [`GENESIS_BALANCE`], keys drawn from a pool of `key_pool` seeds so that building a million
/// accounts does not need a million key derivations) and `txs` signed transfers between
/// random accounts, with operator 0. Deterministic for `seed`.
pub fn transfer_workload(
    accounts: u32,
    key_pool: u32,
    txs: usize,
    seed: u64,
) -> (StateTree, Header, Vec<Tx>) {
    let accounts = accounts.max(1);
    let key_pool = key_pool.clamp(1, accounts);
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let seeds: Vec<[u8; 32]> = (0..key_pool).map(|_| key(&mut rng)).collect();
    let keys: Vec<SecretKey> = seeds.par_iter().map(SecretKey::from_seed).collect();
    let state = StateTree::from_accounts((0..accounts).map(|i| {
        (
            i,
            Account {
                pubkey: keys[(i % key_pool) as usize].public_key(),
                balance: GENESIS_BALANCE,
                nonce: 0,
            },
        )
    }))
    .unwrap_or_default();
    let header = Header {
        domain: Domain {
            chain_id: 31337,
            rollup: [0x5a; 20],
        },
        operator: 0,
    };
    let mut nonces: std::collections::HashMap<u32, u32> = Default::default();
    let plans: Vec<(u32, u32, u64, u64, u32)> = (0..txs)
        .map(|_| {
            let from = rng.gen_range(0..accounts);
            let to = rng.gen_range(0..accounts);
            let n = nonces.entry(from).or_default();
            *n += 1;
            (
                from,
                to,
                rng.gen_range(1..=1000),
                rng.gen_range(0..=10),
                *n - 1,
            )
        })
        .collect();
    let d = header.domain;
    let txs = plans
        .into_par_iter()
        .map(|(from, to, amount, fee, nonce)| {
            Tx::Transfer(Transfer::signed(
                &keys[(from % key_pool) as usize],
                &d,
                from,
                to,
                amount,
                fee,
                nonce,
            ))
        })
        .collect();
    (state, header, txs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(seed: u64) -> GenParams {
        GenParams {
            txs: 40,
            accounts: 10,
            seed,
            deposits: 5,
            withdrawals: 5,
            domain: Domain {
                chain_id: 1,
                rollup: [3; 20],
            },
        }
    }

    #[test]
    fn deterministic_and_valid() {
        let a = generate(&params(9), |_| {}).unwrap();
        let b = generate(&params(9), |_| {}).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, generate(&params(10), |_| {}).unwrap());
        let e = crate::execute(&a).unwrap();
        assert_eq!(e.counts.deposits, 5);
        assert_eq!(e.counts.withdrawals, 5);
        assert_eq!(e.counts.transfers, 30);
    }

    #[test]
    fn rejects_bad_parameters() {
        let mut p = params(1);
        p.deposits = 41;
        assert!(matches!(
            generate(&p, |_| {}),
            Err(GenError::TooManyTypedTxs { .. })
        ));
        let mut p = params(1);
        p.accounts = 0;
        assert_eq!(generate(&p, |_| {}), Err(GenError::BadAccountCount));
    }

    #[test]
    fn transfer_workload_is_valid() {
        let (mut state, header, txs) = transfer_workload(1000, 16, 50, 3);
        assert_eq!(state.len(), 1000);
        let e = crate::apply(&mut state, &header, &txs).unwrap();
        assert_eq!(e.counts.transfers, 50);
    }
}
