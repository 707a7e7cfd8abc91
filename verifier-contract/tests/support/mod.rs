//! Shared test harness: toolchain, anvil, deployments, L1 effects (docs/formats.md §4.3) and
//! batch blobs (§10).
#![allow(dead_code)] // each test binary / example uses a different part

pub mod echo;
pub mod tree;

use alloy::eips::eip4844::Blob;
use alloy::node_bindings::AnvilInstance;
use alloy::primitives::{Address, Bytes, B256, U256};
use alloy::providers::DynProvider;
use alloy::providers::Provider;
use ark_bn254::Bn254;
use ark_groth16::ProvingKey;
use std::sync::OnceLock;
use zkroll_verifier_contract::{
    anvil_provider, deploy_rollup, deploy_verifier, proof_words, send_blob_tx,
    spawn_anvil_with_args, Artifact, BatchBlob, BlobOpening, BlobTxReport, L1Error, RollupClient,
    RollupParams, SidecarFormat, Toolchain, TxReport,
};

/// The installed toolchain; panics with the setup hint when it is missing.
pub fn toolchain() -> Toolchain {
    Toolchain::locate().unwrap_or_else(|e| panic!("{e}"))
}

/// The echo circuit's proving key (set up once per process).
pub fn proving_key() -> &'static ProvingKey<Bn254> {
    static PK: OnceLock<ProvingKey<Bn254>> = OnceLock::new();
    PK.get_or_init(|| echo::setup(42))
}

/// A root with 4 canonical limbs derived from `n`.
pub fn root(n: u64) -> [u8; 32] {
    let mut r = [0u8; 32];
    for i in 0..4 {
        r[8 * i..8 * i + 8]
            .copy_from_slice(&(n.wrapping_mul(0x9e37_79b9) + i as u64).to_be_bytes());
    }
    r
}

/// A key hash (4 canonical limbs) derived from `n`.
pub fn pkhash(n: u64) -> [u8; 32] {
    let mut k = [0u8; 32];
    for i in 0..4 {
        k[8 * i..8 * i + 8].copy_from_slice(&(n * 1000 + i as u64 + 1).to_be_bytes());
    }
    k
}

/// Deposit effect: `[0]=1`, account, pkhash, amount (u56), owner (formats.md §4.3).
pub fn deposit_effect(account: u32, pkhash: &[u8; 32], amount: u64, owner: Address) -> [u8; 64] {
    assert!(amount < 1 << 56);
    let mut s = [0u8; 64];
    s[0] = 1;
    s[1..5].copy_from_slice(&account.to_be_bytes());
    s[5..37].copy_from_slice(pkhash);
    s[37..44].copy_from_slice(&amount.to_be_bytes()[1..]);
    s[44..64].copy_from_slice(owner.as_slice());
    s
}

/// FullExit effect: `[0]=4`, account, requester, amount (0 for a no-op); bytes 33..64 zero.
pub fn full_exit_effect(account: u32, requester: Address, amount: u64) -> [u8; 64] {
    let mut s = [0u8; 64];
    s[0] = 4;
    s[1..5].copy_from_slice(&account.to_be_bytes());
    s[5..25].copy_from_slice(requester.as_slice());
    s[25..33].copy_from_slice(&amount.to_be_bytes());
    s
}

/// Withdraw effect: `[0]=3`, from, L1 address, amount; bytes 33..64 zero.
pub fn withdraw_effect(from: u32, l1: Address, amount: u64) -> [u8; 64] {
    let mut s = [0u8; 64];
    s[0] = 3;
    s[1..5].copy_from_slice(&from.to_be_bytes());
    s[5..25].copy_from_slice(l1.as_slice());
    s[25..33].copy_from_slice(&amount.to_be_bytes());
    s
}

/// Concatenated effects: the L1-effects list.
pub fn effects(list: &[[u8; 64]]) -> Vec<u8> {
    list.concat()
}

/// Blob data of a batch tagged `n` (a header-like first element and `n`-dependent records:
/// the contract does not read the blob, only its opening and versioned hash).
pub fn blob_data(n: u64) -> Vec<u8> {
    let mut d = vec![0x01];
    d.extend_from_slice(&(n as u32).to_be_bytes());
    d.extend_from_slice(&[0u8; 26]);
    for i in 0..40u64 {
        d.extend_from_slice(&(n.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ i).to_be_bytes());
    }
    d
}

/// A canonical evaluation point derived from `n` (below the BLS12-381 modulus 0x73ed…).
pub fn point(n: u64) -> B256 {
    let mut x = B256::repeat_byte(0x5c);
    x.0[0] = 0x2a;
    x.0[24..].copy_from_slice(&n.to_be_bytes());
    x
}

/// The blob of [`blob_data`]`(n)` opened at [`point`]`(n)`.
pub fn batch_blob(n: u64) -> BatchBlob {
    BatchBlob::new(&blob_data(n), point(n)).expect("batch blob")
}

/// A fresh anvil with the echo verifier and a rollup (operator: dev account 0, default
/// windows) deployed at the empty root.
pub struct Env {
    /// The node (killed on drop).
    pub anvil: AnvilInstance,
    /// The toolchain.
    pub toolchain: Toolchain,
    /// Dev account 0 (the operator).
    pub provider: DynProvider,
    /// The verifier.
    pub verifier: Address,
    /// Its deployment.
    pub verifier_deploy: TxReport,
    /// The rollup's deployment.
    pub rollup_deploy: TxReport,
    /// The rollup, used by dev account 0.
    pub rollup: RollupClient,
}

impl Env {
    /// Spawns anvil and deploys with the default windows.
    pub async fn new() -> Self {
        Self::with_windows(
            RollupParams::DEFAULT_PRIORITY_DEADLINE,
            RollupParams::DEFAULT_OPERATOR_WINDOW,
            RollupParams::DEFAULT_SILENCE_WINDOW,
        )
        .await
    }

    /// Spawns anvil and deploys with the given deadline and windows (in blocks).
    pub async fn with_windows(deadline: u64, operator_window: u64, silence_window: u64) -> Self {
        Self::spawn(&[], deadline, operator_window, silence_window).await
    }

    /// Spawns anvil with `args` (e.g. `["--hardfork", "cancun"]`) and deploys with the default
    /// windows; the rollup client sends batch blobs in sidecars of `format`.
    pub async fn with_anvil_args(args: &[&str], format: SidecarFormat) -> Self {
        let mut env = Self::spawn(
            args,
            RollupParams::DEFAULT_PRIORITY_DEADLINE,
            RollupParams::DEFAULT_OPERATOR_WINDOW,
            RollupParams::DEFAULT_SILENCE_WINDOW,
        )
        .await;
        env.rollup = env.rollup.with_sidecar_format(format);
        env
    }

    async fn spawn(
        args: &[&str],
        deadline: u64,
        operator_window: u64,
        silence_window: u64,
    ) -> Self {
        let toolchain = toolchain();
        let anvil = spawn_anvil_with_args(&toolchain, args).expect("spawn anvil");
        let provider = anvil_provider(&anvil, 0).expect("provider");
        let (verifier, verifier_deploy) = deploy_verifier(&provider, &toolchain, &proving_key().vk)
            .await
            .expect("deploy verifier");
        let params = RollupParams {
            operator: anvil.addresses()[0],
            priority_deadline: deadline,
            operator_window,
            silence_window,
        };
        let (rollup, rollup_deploy) = deploy_rollup(&provider, &toolchain, verifier, &params)
            .await
            .expect("deploy rollup");
        Self {
            anvil,
            toolchain,
            provider,
            verifier,
            verifier_deploy,
            rollup_deploy,
            rollup,
        }
    }

    /// The rollup used by dev account `i`.
    pub fn user(&self, i: usize) -> RollupClient {
        self.rollup
            .with_provider(anvil_provider(&self.anvil, i).expect("provider"))
    }

    /// A valid proof for committing `(effects, new_root)` with a blob opening as `opening` on
    /// the current state.
    pub async fn prove(
        &self,
        effects: &[u8],
        new_root: &[u8; 32],
        opening: &BlobOpening,
    ) -> [U256; 8] {
        let digest = self
            .rollup
            .digest_for(effects, new_root, opening)
            .await
            .expect("digest");
        proof_words(&echo::prove(proving_key(), digest))
    }

    /// Proves and commits `(list, new_root)` from `by` with the blob [`batch_blob`] of a tag
    /// taken from `new_root`; returns the receipt's report.
    pub async fn commit(
        &self,
        by: &RollupClient,
        list: &[[u8; 64]],
        new_root: [u8; 32],
    ) -> Result<BlobTxReport, L1Error> {
        let list = effects(list);
        let blob = batch_blob(u64::from_be_bytes(new_root[24..].try_into().unwrap()));
        let proof = self.prove(&list, &new_root, &blob.opening).await;
        by.commit_batch(new_root, &list, &blob, proof).await
    }

    /// Mines `n` empty blocks.
    pub async fn mine(&self, n: u64) {
        let _: () = self
            .provider
            .raw_request("anvil_mine".into(), (U256::from(n),))
            .await
            .expect("anvil_mine");
    }

    /// The current block number.
    pub async fn block(&self) -> u64 {
        self.provider
            .get_block_number()
            .await
            .expect("block number")
    }
}

alloy::sol! {
    /// tests/contracts/BlobOpeningHarness.sol.
    #[sol(rpc)]
    interface IBlobOpeningHarness {
        event Opened(uint256 indexed index, bytes32 versionedHash, uint256 gasUsed);
        event BlobHash(uint256 indexed index, bytes32 versionedHash);
        function open(uint256 index, uint256 x, uint256 y, bytes calldata commitment, bytes calldata proof) external;
        function openWith(address precompile, uint256 index, uint256 x, uint256 y, bytes calldata commitment, bytes calldata proof) external;
        function recordBlobHash(uint256 index) external;
    }
}

/// A fresh anvil with the test-only `BlobOpeningHarness` (tests/contracts/BlobOpeningHarness.sol,
/// compiled with contracts/BlobOpening.sol) deployed, and the sidecar format its hardfork takes.
pub struct BlobEnv {
    /// The node (killed on drop).
    pub anvil: AnvilInstance,
    /// The toolchain.
    pub toolchain: Toolchain,
    /// Dev account 0.
    pub provider: DynProvider,
    /// The harness.
    pub harness: Address,
    /// The sidecar format of anvil's default hardfork.
    pub format: SidecarFormat,
}

impl BlobEnv {
    /// Spawns anvil (default hardfork) and deploys the harness.
    pub async fn new() -> Self {
        Self::with_anvil_args(&[], SidecarFormat::default()).await
    }

    /// Spawns anvil with `args` (e.g. `["--hardfork", "cancun"]`), deploys the harness, and
    /// sends blobs with sidecars of `format`.
    pub async fn with_anvil_args(args: &[&str], format: SidecarFormat) -> Self {
        let toolchain = toolchain();
        let anvil = spawn_anvil_with_args(&toolchain, args).expect("spawn anvil");
        let provider = anvil_provider(&anvil, 0).expect("provider");
        let mut env = Self {
            anvil,
            toolchain,
            provider,
            harness: Address::ZERO,
            format,
        };
        let harness = env.artifact("BlobOpeningHarness");
        env.harness = zkroll_verifier_contract::deploy(&env.provider, &harness, &[])
            .await
            .expect("deploy harness")
            .0;
        env
    }

    /// `contract` of tests/contracts/BlobOpeningHarness.sol, compiled with BlobOpening.sol.
    pub fn artifact(&self, contract: &str) -> Artifact {
        let root = self.toolchain.root();
        self.toolchain
            .compile_all(
                &[
                    &root.join("contracts/BlobOpening.sol"),
                    &root.join("tests/contracts/BlobOpeningHarness.sol"),
                ],
                &root.join("out/test-blob"),
                contract,
            )
            .unwrap_or_else(|e| panic!("compile {contract}: {e}"))
    }

    /// Sends `input` to the harness in a type-3 transaction carrying `blobs`.
    pub async fn send(&self, input: Bytes, blobs: Vec<Blob>) -> Result<BlobTxReport, L1Error> {
        send_blob_tx(&self.provider, self.harness, input, blobs, self.format).await
    }
}
