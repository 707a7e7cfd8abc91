// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.28;

/// @notice The generated Groth16 verifier (see `zkroll_verifier_contract::verifier_solidity`):
/// returns normally for a valid proof of `input`, reverts with a custom error otherwise.
interface IGroth16Verifier {
    function verifyProof(uint256[8] calldata proof, uint256 input) external view;
}

/// @title zkroll rollup contract
/// @notice Keeps the L2 state root, queues deposits as L1 priority operations, accepts a batch
/// only with a Groth16 proof for the digest it recomputes from calldata (docs/formats.md §5),
/// and pays out withdrawals.
/// @dev Invariants: `stateRoot` is always 4 canonical Goldilocks limbs; `depositsProcessed <=
/// depositCount`; `depositChain[n]` is the hash chain of the first `n` deposits
/// (`depositChain[0] = 0`, `depositChain[n+1] = keccak256(depositChain[n] ‖ pubkey(40) ‖
/// amount(u64 BE))`), which is byte for byte bytes 5..53 of a Deposit pubdata slot; the
/// contract's balance covers every `claimable` amount as long as the proven circuit is sound.
contract Rollup {
    /// Goldilocks prime p = 2^64 - 2^32 + 1.
    uint256 private constant GOLDILOCKS_P = 0xffffffff00000001;
    /// L2 amounts are in gwei.
    uint256 private constant GWEI = 1e9;
    /// Size of one pubdata slot (one SHA-256 block).
    uint256 private constant SLOT = 64;
    /// The digest keeps its low 253 bits so that it is below the BN254 scalar field order.
    uint256 private constant DIGEST_MASK = (1 << 253) - 1;

    /// The Groth16 verifier of the wrap circuit.
    IGroth16Verifier public immutable verifier;

    /// Current L2 state root: 4 Goldilocks limbs, each a u64 big-endian (formats.md §1).
    bytes32 public stateRoot;
    /// Number of batches committed so far.
    uint64 public batchNumber;
    /// Number of deposits ever queued.
    uint64 public depositCount;
    /// Number of queued deposits consumed by committed batches.
    uint64 public depositsProcessed;
    /// Head of the deposit hash chain after `n` deposits.
    mapping(uint256 => bytes32) public depositChain;
    /// Wei each L1 address may withdraw.
    mapping(address => uint256) public claimable;

    /// The rollup starts at `genesisRoot`, verified by `verifier`.
    event RollupInitialized(address indexed verifier, bytes32 genesisRoot, uint256 chainId);
    /// Deposit number `index` was queued: `amount` gwei for `pubkey`; `chainHead` = depositChain[index + 1].
    event DepositQueued(uint256 indexed index, address indexed sender, bytes pubkey, uint64 amount, bytes32 chainHead);
    /// A committed batch credited `amountWei` to `to`.
    event WithdrawalCredited(uint256 indexed batchNumber, address indexed to, uint256 amountWei);
    /// Batch `batchNumber` moved the state from `oldRoot` to `newRoot`, consuming `deposits` queued deposits.
    event BatchCommitted(uint256 indexed batchNumber, bytes32 oldRoot, bytes32 newRoot, uint256 deposits, uint256 digest);
    /// `to` withdrew `amountWei`.
    event Withdrawn(address indexed to, uint256 amountWei);

    /// `block.chainid` does not fit the u64 of the digest.
    error ChainIdTooLarge(uint256 chainId);
    /// Limb `limb` (0 = most significant) of a state root is not a canonical Goldilocks element.
    error RootLimbNotCanonical(uint256 limb);
    /// A deposit public key must be exactly 40 bytes.
    error PubkeyLength(uint256 length);
    /// Limb `limb` of a deposit public key is not a canonical Goldilocks element.
    error PubkeyLimbNotCanonical(uint256 limb);
    /// The public key encodes the neutral element.
    error PubkeyNeutral();
    /// A deposit must carry a positive amount.
    error DepositZero();
    /// A deposit must be a whole number of gwei.
    error DepositNotGwei(uint256 value);
    /// A deposit must be at most 2^64 - 1 gwei.
    error DepositTooLarge(uint256 value);
    /// Pubdata must be a whole number of 64-byte slots.
    error PubdataLength(uint256 length);
    /// Slot `slot` has a type code that is not Deposit (1), Transfer (2) or Withdraw (3).
    error UnknownSlotType(uint256 slot, uint256 kind);
    /// The batch consumes more deposits than are queued.
    error DepositQueueOverrun(uint256 processed, uint256 queued);
    /// The batch's Deposit slots are not, in order, the next queued deposits.
    error DepositQueueMismatch();
    /// The caller has nothing to withdraw.
    error NothingToWithdraw();
    /// Sending the withdrawn ether failed.
    error WithdrawalTransferFailed();

    /// @param verifier_ the generated Groth16 verifier.
    /// @param genesisRoot the initial state root (canonical limbs).
    constructor(IGroth16Verifier verifier_, bytes32 genesisRoot) {
        if (block.chainid > type(uint64).max) revert ChainIdTooLarge(block.chainid);
        _checkRoot(genesisRoot);
        verifier = verifier_;
        stateRoot = genesisRoot;
        emit RollupInitialized(address(verifier_), genesisRoot, block.chainid);
    }

    /// @notice Queues a deposit of `msg.value` (a positive whole number of gwei, at most
    /// 2^64 - 1 gwei) to the L2 account holding `pubkey` (40 bytes: 5 canonical Goldilocks
    /// limbs, big-endian, not all zero).
    function deposit(bytes calldata pubkey) external payable {
        if (pubkey.length != 40) revert PubkeyLength(pubkey.length);
        uint256 nonzero;
        for (uint256 i = 0; i < 5; ++i) {
            uint256 limb = uint64(bytes8(pubkey[i * 8:i * 8 + 8]));
            if (limb >= GOLDILOCKS_P) revert PubkeyLimbNotCanonical(i);
            nonzero |= limb;
        }
        if (nonzero == 0) revert PubkeyNeutral();
        if (msg.value == 0) revert DepositZero();
        if (msg.value % GWEI != 0) revert DepositNotGwei(msg.value);
        uint256 amount = msg.value / GWEI;
        if (amount > type(uint64).max) revert DepositTooLarge(msg.value);
        uint64 index = depositCount;
        bytes32 head = keccak256(abi.encodePacked(depositChain[index], pubkey, uint64(amount)));
        depositChain[index + 1] = head;
        depositCount = index + 1;
        emit DepositQueued(index, msg.sender, pubkey, uint64(amount), head);
    }

    /// @notice Commits a batch: checks the pubdata layout and its Deposit slots against the
    /// deposit queue, credits its Withdraw slots, and verifies `proof` for the digest of
    /// (chain id, this contract, current root, `newRoot`, sha256(`pubdata`)).
    /// @param pubdata the batch's 64-byte slots (formats.md §4).
    /// @param newRoot the state root after the batch (canonical limbs).
    /// @param proof Groth16 proof: A.x, A.y, B.x_im, B.x_re, B.y_im, B.y_re, C.x, C.y.
    function commitBatch(bytes calldata pubdata, bytes32 newRoot, uint256[8] calldata proof) external {
        uint256 len = pubdata.length;
        if (len % SLOT != 0) revert PubdataLength(len);
        _checkRoot(newRoot);

        uint256 start = depositsProcessed;
        uint256 nextBatch = uint256(batchNumber) + 1;
        uint256 processed = _applySlots(pubdata, start, nextBatch);

        bytes32 oldRoot = stateRoot;
        uint256 digest = _digest(pubdata, oldRoot, newRoot);
        verifier.verifyProof(proof, digest);

        stateRoot = newRoot;
        batchNumber = uint64(nextBatch);
        depositsProcessed = uint64(processed);
        emit BatchCommitted(nextBatch, oldRoot, newRoot, processed - start, digest);
    }

    /// @notice Pays the caller everything committed batches credited to it.
    /// @dev Checks-effects-interactions: the balance is zeroed before the ether is sent, so a
    /// re-entering caller finds nothing left.
    function withdraw() external {
        uint256 amount = claimable[msg.sender];
        if (amount == 0) revert NothingToWithdraw();
        claimable[msg.sender] = 0;
        emit Withdrawn(msg.sender, amount);
        (bool ok,) = msg.sender.call{value: amount}("");
        if (!ok) revert WithdrawalTransferFailed();
    }

    /// Walks the slots of `pubdata`: folds Deposit slots into the deposit chain starting at
    /// queue position `start` and checks the result against the queue, credits Withdraw slots
    /// (events tagged with `nextBatch`), accepts Transfer slots, rejects any other type code.
    /// Returns the queue position after the batch's deposits.
    function _applySlots(bytes calldata pubdata, uint256 start, uint256 nextBatch)
        private
        returns (uint256 processed)
    {
        processed = start;
        bytes32 chain;
        uint256 badSlot = type(uint256).max;
        bytes32 creditTopic = WithdrawalCredited.selector;
        assembly ("memory-safe") {
            let m := mload(0x40)
            let base := pubdata.offset
            let end := add(base, pubdata.length)
            for { let off := base } lt(off, end) { off := add(off, 64) } {
                let kind := byte(0, calldataload(off))
                if eq(kind, 2) { continue }
                if eq(kind, 1) {
                    // Deposit: fold pubkey ‖ amount (bytes 5..53) into the chain.
                    if eq(processed, start) {
                        mstore(0, start)
                        mstore(0x20, depositChain.slot)
                        chain := sload(keccak256(0, 0x40))
                    }
                    mstore(m, chain)
                    calldatacopy(add(m, 0x20), add(off, 5), 48)
                    chain := keccak256(m, 0x50)
                    processed := add(processed, 1)
                    continue
                }
                if eq(kind, 3) {
                    // Withdraw: L1 address at 5..25, amount (u64 gwei) at 25..33.
                    let to := shr(96, calldataload(add(off, 5)))
                    let amount := mul(shr(192, calldataload(add(off, 25))), 1000000000)
                    mstore(0, to)
                    mstore(0x20, claimable.slot)
                    let s := keccak256(0, 0x40)
                    // Cannot overflow: at most 2^94 wei per slot and fewer than 2^64 slots.
                    sstore(s, add(sload(s), amount))
                    mstore(m, amount)
                    log3(m, 0x20, creditTopic, nextBatch, to)
                    continue
                }
                badSlot := div(sub(off, base), 64)
                break
            }
        }
        if (badSlot != type(uint256).max) revert UnknownSlotType(badSlot, uint8(pubdata[badSlot * SLOT]));
        if (processed != start) {
            uint256 queued = depositCount;
            if (processed > queued) revert DepositQueueOverrun(processed, queued);
            if (depositChain[processed] != chain) revert DepositQueueMismatch();
        }
    }

    /// The public-input digest of formats.md §5, masked to 253 bits.
    function _digest(bytes calldata pubdata, bytes32 oldRoot, bytes32 newRoot) private view returns (uint256) {
        return uint256(
            sha256(abi.encodePacked(uint64(block.chainid), address(this), oldRoot, newRoot, sha256(pubdata)))
        ) & DIGEST_MASK;
    }

    /// Reverts unless each of the 4 big-endian u64 limbs of `root` is below the Goldilocks prime.
    function _checkRoot(bytes32 root) private pure {
        uint256 r = uint256(root);
        for (uint256 i = 0; i < 4; ++i) {
            if (uint64(r >> (192 - 64 * i)) >= GOLDILOCKS_P) revert RootLimbNotCanonical(i);
        }
    }
}
