//! Typed alloy bindings of the contracts' ABIs. The declarations mirror
//! `contracts/Rollup.sol` and the generated verifier; a test compares them with the ABI solc
//! produces, so they cannot drift apart silently.

alloy::sol! {
    /// The generated Groth16 verifier (see [`crate::verifier_solidity`]).
    #[sol(rpc, abi, all_derives)]
    interface IGroth16Verifier {
        error PublicInputNotInField();
        error ProofCoordinateNotInField();
        error EcMulFailed();
        error EcAddFailed();
        error PairingFailed();
        error ProofInvalid();

        function verifyProof(uint256[8] calldata proof, uint256 input) external view;
        function VK_HASH() external view returns (bytes32);
    }

    /// The rollup contract (`contracts/Rollup.sol`).
    #[sol(rpc, abi, all_derives)]
    interface IRollup {
        event RollupInitialized(address indexed verifier, bytes32 genesisRoot, uint256 chainId);
        event DepositQueued(uint256 indexed index, address indexed sender, bytes pubkey, uint64 amount, bytes32 chainHead);
        event WithdrawalCredited(uint256 indexed batchNumber, address indexed to, uint256 amountWei);
        event BatchCommitted(uint256 indexed batchNumber, bytes32 oldRoot, bytes32 newRoot, uint256 deposits, uint256 digest);
        event Withdrawn(address indexed to, uint256 amountWei);

        error ChainIdTooLarge(uint256 chainId);
        error RootLimbNotCanonical(uint256 limb);
        error PubkeyLength(uint256 length);
        error PubkeyLimbNotCanonical(uint256 limb);
        error PubkeyNeutral();
        error DepositZero();
        error DepositNotGwei(uint256 value);
        error DepositTooLarge(uint256 value);
        error PubdataLength(uint256 length);
        error UnknownSlotType(uint256 slot, uint256 kind);
        error DepositQueueOverrun(uint256 processed, uint256 queued);
        error DepositQueueMismatch();
        error NothingToWithdraw();
        error WithdrawalTransferFailed();

        function verifier() external view returns (address);
        function stateRoot() external view returns (bytes32);
        function batchNumber() external view returns (uint64);
        function depositCount() external view returns (uint64);
        function depositsProcessed() external view returns (uint64);
        function depositChain(uint256) external view returns (bytes32);
        function claimable(address) external view returns (uint256);

        function deposit(bytes calldata pubkey) external payable;
        function commitBatch(bytes calldata pubdata, bytes32 newRoot, uint256[8] calldata proof) external;
        function withdraw() external;
    }
}
