//! contracts/PoseidonGoldilocks.sol on anvil against plonky2: the permutation (plonky2's own
//! test vectors and random states), `hash_no_pad` of every length 0..=20, `two_to_one`, the
//! leaf-to-root walk, and the refusal of non-canonical limbs. Needs scripts/setup-l1.sh.

mod support;

use alloy::primitives::{B256, U256};
use plonky2::field::goldilocks_field::GoldilocksField as F;
use plonky2::field::types::{Field, PrimeField64};
use plonky2::hash::hash_types::HashOut;
use plonky2::hash::poseidon::{Poseidon, PoseidonHash};
use plonky2::plonk::config::Hasher;
use rand::{Rng, SeedableRng};
use support::tree::{hash_bytes, hash_no_pad, leaf_hash, leaf_limbs, Tree};
use zkroll_verifier_contract::bindings::IPoseidonGoldilocks;
use zkroll_verifier_contract::bindings::IPoseidonGoldilocks::IPoseidonGoldilocksErrors as HE;
use zkroll_verifier_contract::{deploy, L1Error};

const P: u64 = 0xffff_ffff_0000_0001;

fn canonical(rng: &mut impl Rng) -> u64 {
    // Mostly uniform, sometimes the edges 0 and p - 1.
    match rng.gen_range(0..10) {
        0 => 0,
        1 => P - 1,
        _ => rng.gen_range(0..P),
    }
}

fn words(v: &[u64]) -> Vec<U256> {
    v.iter().map(|&x| U256::from(x)).collect()
}

async fn hasher(
    env: &support::Env,
) -> IPoseidonGoldilocks::IPoseidonGoldilocksInstance<&alloy::providers::DynProvider> {
    let artifact = env
        .toolchain
        .contract_artifact("PoseidonGoldilocks")
        .expect("compile");
    let (addr, _) = deploy(&env.provider, &artifact, &[]).await.expect("deploy");
    IPoseidonGoldilocks::new(addr, &env.provider)
}

fn hash_err(res: Result<impl std::fmt::Debug, alloy::contract::Error>, what: &str) -> HE {
    let err = L1Error::from(res.expect_err(what));
    err.decode::<HE>()
        .unwrap_or_else(|| panic!("{what}: expected a hasher error, got {err}"))
}

#[tokio::test]
async fn permutation_matches_plonky2() {
    let env = support::Env::new().await;
    let h = hasher(&env).await;
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(12);
    let mut inputs: Vec<[u64; 12]> = vec![[0; 12], core::array::from_fn(|i| i as u64), [P - 1; 12]];
    inputs.extend((0..20).map(|_| core::array::from_fn(|_| canonical(&mut rng))));
    for input in inputs {
        let want = F::poseidon(input.map(F::from_canonical_u64)).map(|x| x.to_canonical_u64());
        let got = h
            .permute(words(&input).try_into().unwrap())
            .call()
            .await
            .expect("permute");
        assert_eq!(got.to_vec(), words(&want), "input {input:x?}");
    }
    // plonky2's own test vector for the zero state.
    let zero = h.permute([U256::ZERO; 12]).call().await.unwrap();
    assert_eq!(zero[0], U256::from(0x3c18a9786cb0b359u64));
    for i in [0usize, 5, 11] {
        let mut bad = [U256::ZERO; 12];
        bad[i] = U256::from(P);
        let e = hash_err(h.permute(bad).call().await, "limb p");
        assert!(matches!(e, HE::LimbNotCanonical(ref x) if x.index == U256::from(i)));
    }
}

#[tokio::test]
async fn sponge_and_compression_match_plonky2() {
    let env = support::Env::new().await;
    let h = hasher(&env).await;
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(13);
    for len in 0..=20usize {
        let input: Vec<u64> = (0..len).map(|_| canonical(&mut rng)).collect();
        let got = h.hashNoPad(words(&input)).call().await.expect("hashNoPad");
        assert_eq!(got.0, hash_bytes(hash_no_pad(&input)), "length {len}");
    }
    let mut bad = vec![1u64; 10];
    bad[9] = u64::MAX;
    let e = hash_err(h.hashNoPad(words(&bad)).call().await, "limb 9");
    assert!(matches!(e, HE::LimbNotCanonical(ref x) if x.index == U256::from(9)));
    for _ in 0..10 {
        let l: [u64; 4] = core::array::from_fn(|_| canonical(&mut rng));
        let r: [u64; 4] = core::array::from_fn(|_| canonical(&mut rng));
        let hl = HashOut {
            elements: l.map(F::from_canonical_u64),
        };
        let hr = HashOut {
            elements: r.map(F::from_canonical_u64),
        };
        let got = h
            .twoToOne(B256::from(hash_bytes(hl)), B256::from(hash_bytes(hr)))
            .call()
            .await
            .unwrap();
        assert_eq!(got.0, hash_bytes(PoseidonHash::two_to_one(hl, hr)));
    }
    let mut bad = [0u8; 32];
    bad[8..16].copy_from_slice(&P.to_be_bytes());
    let e = hash_err(
        h.twoToOne(B256::ZERO, B256::from(bad)).call().await,
        "right",
    );
    assert!(matches!(e, HE::LimbNotCanonical(ref x) if x.index == U256::from(1)));
}

#[tokio::test]
async fn leaf_root_matches_the_tree() {
    let env = support::Env::new().await;
    let h = hasher(&env).await;
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(14);
    let mut tree = Tree::default();
    let mut accounts = vec![0u32, 1, u32::MAX, 0x8000_0000];
    accounts.extend((0..4).map(|_| rng.gen::<u32>()));
    let mut leaves = Vec::new();
    for (n, &account) in accounts.iter().enumerate() {
        let pk = support::pkhash(n as u64 + 1);
        let owner = alloy::primitives::Address::from(rng.gen::<[u8; 20]>());
        let (balance, nonce) = (rng.gen::<u64>(), rng.gen::<u32>());
        tree.set(account, leaf_hash(&pk, balance, nonce, owner));
        leaves.push((account, leaf_limbs(&pk, balance, nonce, owner)));
    }
    for (account, limbs) in leaves {
        let sibs = tree.siblings(account).map(B256::from);
        let got = h
            .leafRoot(words(&limbs).try_into().unwrap(), account, sibs)
            .call()
            .await
            .expect("leafRoot");
        assert_eq!(got.0, tree.root(), "account {account}");
        // The path fixes the index: a flipped bit gives another root.
        let other = h
            .leafRoot(words(&limbs).try_into().unwrap(), account ^ 4, sibs)
            .call()
            .await
            .unwrap();
        assert_ne!(other.0, tree.root());
    }
    let mut bad = [U256::ZERO; 12];
    bad[10] = U256::from(P);
    let e = hash_err(
        h.leafRoot(bad, 0, [B256::ZERO; 32]).call().await,
        "leaf limb",
    );
    assert!(matches!(e, HE::LimbNotCanonical(ref x) if x.index == U256::from(10)));
    let mut sibs = [B256::ZERO; 32];
    sibs[7].0[24..32].copy_from_slice(&P.to_be_bytes());
    let e = hash_err(
        h.leafRoot([U256::ZERO; 12], 0, sibs).call().await,
        "sibling limb",
    );
    assert!(matches!(e, HE::SiblingLimbNotCanonical(ref x) if x.level == U256::from(7)));
}
