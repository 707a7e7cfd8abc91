//! Deterministic synthetic batches: valid, signed, reproducible from a seed.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use zkroll_circuits::batch::{Batch, Header, PreState};
use zkroll_circuits::schnorr::SecretKey;
use zkroll_circuits::state::{Account, StateTree};
use zkroll_circuits::tx::{Deposit, Domain, FullExit, Transfer, Tx, Withdraw};

/// Parameters of [`generate`].
#[derive(Clone, Debug)]
pub struct GenParams {
    /// Total number of transactions in the batch, funding deposits included.
    pub txs: usize,
    /// Accounts funded by the batch's first `accounts` txs: one deposit of
    /// [`GENESIS_BALANCE`] each, to indices `0..accounts` (account 0 is the operator), owned by
    /// [`owner_address`] of the account's key seed. At least 1.
    pub accounts: u32,
    /// RNG seed: equal parameters give byte-identical batches.
    pub seed: u64,
    /// How many further deposits (after the funding ones): half to existing accounts, half
    /// creating new ones.
    pub deposits: usize,
    /// How many of the txs are withdrawals (each to its sender's owner address).
    pub withdrawals: usize,
    /// How many forced exits end the batch: even-numbered ones requested by the account's
    /// owner (paid), odd-numbered ones by a stranger (recorded no-ops).
    pub full_exits: usize,
    /// Signing domain.
    pub domain: Domain,
}

/// Why parameters are unusable.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum GenError {
    /// `accounts + deposits + withdrawals + full_exits > txs`.
    #[error(
        "--accounts ({accounts}) funding deposits + --deposits ({deposits}) + --withdrawals \
         ({withdrawals}) + --full-exits ({full_exits}) exceed --txs ({txs})"
    )]
    TooManyTypedTxs {
        /// Funding deposits.
        accounts: u32,
        /// Further deposits asked.
        deposits: usize,
        /// Withdrawals asked.
        withdrawals: usize,
        /// Forced exits asked.
        full_exits: usize,
        /// Total.
        txs: usize,
    },
    /// Zero accounts, or so many accounts or deposits that new indices would not fit in `u32`.
    #[error("--accounts must be between 1 and 2^31 and --deposits at most 2^31")]
    BadAccountCount,
    /// More L1 effects (funding deposits, deposits, withdrawals, forced exits) than one batch
    /// carries (`MAX_EFFECTS`, formats.md §4.3).
    #[error(
        "{effects} L1 effects (--accounts funding deposits + --deposits + --withdrawals + \
         --full-exits): a batch carries at most {max} (formats.md §4.3)"
    )]
    TooManyEffects {
        /// Effects asked.
        effects: usize,
        /// The limit.
        max: usize,
    },
}

/// Amount of each funding deposit (large enough that no generated tx overdraws; below the
/// deposit limit `2^56`).
pub const GENESIS_BALANCE: u64 = 1 << 50;

/// Largest amount of a generated Transfer/Withdraw/Deposit. Below `2^35`, so every amount
/// has a packed form (`docs/formats.md` §4.1: mantissa `< 2^35`).
pub const MAX_GEN_AMOUNT: u64 = 1_000_000;
/// Largest fee of a generated Transfer/Withdraw. Below `2^11`, so every fee has a packed
/// form (§4.1: mantissa `< 2^11`).
pub const MAX_GEN_FEE: u64 = 1_000;
const _: () = assert!(MAX_GEN_AMOUNT < 1 << 35 && MAX_GEN_FEE < 1 << 11);

fn key(rng: &mut ChaCha20Rng) -> [u8; 32] {
    let mut s = [0u8; 32];
    rng.fill(&mut s);
    s
}

/// The L1 owner address generated batches give the account of key seed `seed`:
/// `sha256("zkroll/gen/owner" ‖ seed)[..20]` (deterministic, never zero in practice).
pub fn owner_address(seed: &[u8; 32]) -> [u8; 20] {
    let mut h = Sha256::new();
    h.update(b"zkroll/gen/owner");
    h.update(seed);
    let d = h.finalize();
    let mut a = [0u8; 20];
    a.copy_from_slice(&d[..20]);
    a
}

/// An address that owns no generated account (requests the no-op forced exits).
pub const STRANGER: [u8; 20] = [0xee; 20];

/// Builds a valid batch from the empty state: `accounts` funding deposits, then the shuffled
/// deposits, withdrawals and transfers, then the forced exits. `progress(n)` is called as
/// keys are derived and txs signed (`n` = items finished since the last call); the total is
/// `accounts + txs`.
pub fn generate(p: &GenParams, progress: impl Fn(u64) + Sync) -> Result<Batch, GenError> {
    let typed = p.accounts as usize + p.deposits + p.withdrawals + p.full_exits;
    if typed > p.txs {
        return Err(GenError::TooManyTypedTxs {
            accounts: p.accounts,
            deposits: p.deposits,
            withdrawals: p.withdrawals,
            full_exits: p.full_exits,
            txs: p.txs,
        });
    }
    if p.accounts == 0 || p.accounts > 1 << 31 || p.deposits as u64 > 1 << 31 {
        return Err(GenError::BadAccountCount);
    }
    let max = zkroll_circuits::da::MAX_EFFECTS;
    if typed > max {
        return Err(GenError::TooManyEffects {
            effects: typed,
            max,
        });
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
    let owners: Vec<[u8; 20]> = seeds.iter().map(owner_address).collect();
    let deposit_to = |account: u32, amount: u64| {
        let i = account as usize;
        Tx::Deposit(Deposit {
            account,
            pkhash: keys[i].public_key().pkhash(),
            amount,
            owner: owners[i],
        })
    };
    let funding: Vec<Tx> = (0..p.accounts)
        .map(|i| deposit_to(i, GENESIS_BALANCE))
        .collect();

    // Tx kinds, shuffled deterministically: 0 = transfer, 1 = deposit, 2 = withdraw.
    let mixed = p.txs - p.accounts as usize - p.full_exits;
    let mut kinds = vec![0u8; mixed];
    kinds[..p.deposits].fill(1);
    kinds[p.deposits..p.deposits + p.withdrawals].fill(2);
    for i in (1..kinds.len()).rev() {
        kinds.swap(i, rng.gen_range(0..=i));
    }

    enum Plan {
        Ready(Box<Tx>),
        Transfer(u32, u32, u64, u64, u32),
        Withdraw(u32, [u8; 20], u64, u64, u32),
    }
    let mut nonces = vec![0u32; p.accounts as usize];
    let mut next_new = p.accounts;
    let mut plans: Vec<Plan> = funding
        .into_iter()
        .map(|tx| Plan::Ready(Box::new(tx)))
        .collect();
    for kind in &kinds {
        let from = rng.gen_range(0..p.accounts);
        let amount = rng.gen_range(1..=MAX_GEN_AMOUNT);
        let fee = rng.gen_range(0..=MAX_GEN_FEE);
        plans.push(match kind {
            1 => {
                if rng.gen_bool(0.5) {
                    Plan::Ready(Box::new(deposit_to(from, amount)))
                } else {
                    next_new += 1;
                    let seed = key(&mut rng);
                    Plan::Ready(Box::new(Tx::Deposit(Deposit {
                        account: next_new - 1,
                        pkhash: SecretKey::from_seed(&seed).public_key().pkhash(),
                        amount,
                        owner: owner_address(&seed),
                    })))
                }
            }
            2 => {
                let nonce = nonces[from as usize];
                nonces[from as usize] += 1;
                Plan::Withdraw(from, owners[from as usize], amount, fee, nonce)
            }
            _ => {
                let nonce = nonces[from as usize];
                nonces[from as usize] += 1;
                let to = rng.gen_range(0..p.accounts);
                Plan::Transfer(from, to, amount, fee, nonce)
            }
        });
    }
    for n in 0..p.full_exits {
        let account = rng.gen_range(0..p.accounts);
        let requester = if n % 2 == 0 {
            owners[account as usize]
        } else {
            STRANGER
        };
        plans.push(Plan::Ready(Box::new(Tx::FullExit(FullExit {
            account,
            requester,
        }))));
    }
    let d = &p.domain;
    let txs: Vec<Tx> =
        plans
            .into_par_iter()
            .map(|plan| {
                let tx =
                    match plan {
                        Plan::Ready(tx) => *tx,
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
        pre_state: PreState::Genesis(Vec::new()),
        txs,
    })
}

/// A large transfer workload for benchmarks of execution: a pre-built state (not a batch
/// file) of `accounts` accounts (balance [`GENESIS_BALANCE`], keys drawn from a pool of
/// `key_pool` seeds so that building a million accounts does not need a million key
/// derivations, owners derived from the seeds) and `txs` signed transfers between
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
    let pkhashes: Vec<_> = keys.iter().map(|k| k.public_key().pkhash()).collect();
    let state = StateTree::from_accounts((0..accounts).map(|i| {
        (
            i,
            Account {
                pkhash: pkhashes[(i % key_pool) as usize],
                balance: GENESIS_BALANCE,
                nonce: 0,
                owner: owner_address(&seeds[(i % key_pool) as usize]),
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
            txs: 50,
            accounts: 6,
            seed,
            deposits: 2,
            withdrawals: 4,
            full_exits: 4,
            domain: Domain {
                chain_id: 1,
                rollup: [3; 20],
            },
        }
    }

    #[test]
    fn deterministic_and_valid_from_the_empty_state() {
        let a = generate(&params(9), |_| {}).unwrap();
        let b = generate(&params(9), |_| {}).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, generate(&params(10), |_| {}).unwrap());
        assert_eq!(a.pre_state, PreState::Genesis(Vec::new()));
        let mut state = StateTree::new();
        let e = crate::apply(&mut state, &a.header, &a.txs).unwrap();
        assert_eq!(e, crate::execute(&a).unwrap());
        assert_eq!(e.old_root, StateTree::new().root());
        assert_eq!(e.counts.deposits, 6 + 2);
        assert_eq!(e.counts.withdrawals, 4);
        assert_eq!(e.counts.full_exits, 4);
        assert_eq!(e.counts.transfers, 34);
        assert_eq!(e.data.effects.len(), 16);
        assert_eq!(e.counts.total(), 50);
        // Funding deposits first, each owned by its seed's address; exits last.
        for (i, tx) in a.txs[..6].iter().enumerate() {
            let Tx::Deposit(d) = tx else {
                panic!("tx {i} is not a funding deposit")
            };
            assert_eq!((d.account, d.amount), (i as u32, GENESIS_BALANCE));
            assert_eq!(state.get(i as u32).unwrap().owner, d.owner);
        }
        // Owners' exits pay (a positive amount unless an earlier exit emptied the account),
        // strangers' exits are no-ops.
        let exits = &e.witnesses[46..];
        for (n, w) in exits.iter().enumerate() {
            let Tx::FullExit(x) = w.tx else {
                panic!("not a full exit")
            };
            if n % 2 == 1 {
                assert_eq!((x.requester, w.exit_amount()), (STRANGER, 0));
            } else {
                assert_ne!(x.requester, STRANGER);
            }
        }
        assert!(exits[0].exit_amount() > 0);
        // Withdrawals go to the sender's owner, never to the zero address.
        for tx in &a.txs {
            if let Tx::Withdraw(w) = tx {
                assert_eq!(w.l1_address, state.get(w.from).unwrap().owner);
                assert_ne!(w.l1_address, [0; 20]);
            }
        }
    }

    #[test]
    fn rejects_bad_parameters() {
        let mut p = params(1);
        p.deposits = 40;
        assert!(matches!(
            generate(&p, |_| {}),
            Err(GenError::TooManyTypedTxs { .. })
        ));
        let mut p = params(1);
        p.full_exits = 39;
        assert!(matches!(
            generate(&p, |_| {}),
            Err(GenError::TooManyTypedTxs { .. })
        ));
        // 17 L1 effects do not fit one batch (formats.md §4.3).
        let mut p = params(1);
        p.full_exits = 5;
        assert_eq!(
            generate(&p, |_| {}),
            Err(GenError::TooManyEffects {
                effects: 17,
                max: 16
            })
        );
        let mut p = params(1);
        p.accounts = 0;
        assert_eq!(generate(&p, |_| {}), Err(GenError::BadAccountCount));
    }

    #[test]
    fn generated_amounts_and_fees_have_packed_forms() {
        use zkroll_circuits::da::{pack_amount, pack_fee};
        let b = generate(&params(7), |_| {}).unwrap();
        let (_, _, workload) = transfer_workload(100, 16, 200, 5);
        for tx in b.txs.iter().chain(&workload) {
            match tx {
                Tx::Transfer(t) => {
                    assert!(pack_amount(t.amount).is_ok() && pack_fee(t.fee).is_ok());
                }
                Tx::Withdraw(w) => assert!(pack_fee(w.fee).is_ok()),
                _ => {}
            }
        }
        assert!(pack_amount(MAX_GEN_AMOUNT).is_ok() && pack_fee(MAX_GEN_FEE).is_ok());
    }

    #[test]
    fn transfer_workload_is_valid() {
        let (mut state, header, txs) = transfer_workload(1000, 16, 50, 3);
        assert_eq!(state.len(), 1000);
        let e = crate::apply(&mut state, &header, &txs).unwrap();
        assert_eq!(e.counts.transfers, 50);
    }
}
