// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.28;

import "./BlobOpening.sol";
import "./PoseidonGoldilocks.sol";

/// @notice The generated Groth16 verifier (see `zkroll_verifier_contract::verifier_solidity`):
/// returns normally for a valid proof of `input`, reverts with a custom error otherwise.
interface IGroth16Verifier {
    function verifyProof(uint256[8] calldata proof, uint256 input) external view;
}

/// @title zkroll rollup contract
/// @notice Keeps the L2 state root, queues L1 priority operations (deposits and forced exits),
/// accepts a batch only with a Groth16 proof for the digest it recomputes from calldata and the
/// batch's blob (docs/formats.md §5: the L1-effects list, the blob's versioned hash and its
/// opening at the proof's point), pays out withdrawals, and, once a priority operation is overdue,
/// switches to exodus mode: no more batches, every account's balance in the last committed
/// root is paid once to its owner against a Merkle proof, and unprocessed deposits are refunded.
/// @dev Invariants: `stateRoot` is always 4 canonical Goldilocks limbs; `priorityProcessed <=
/// priorityCount`; `priorityChain[n]` is the hash chain of the first `n` priority operations
/// (`priorityChain[0] = 0`, `priorityChain[n+1] = keccak256(priorityChain[n] ‖ op)` with a
/// Deposit op `0x01 ‖ pkhash(32) ‖ amount(u56 BE) ‖ owner(20)` = `0x01 ‖ effect[5..64]` and a
/// FullExit op `0x04 ‖ account(u32 BE) ‖ requester(20)` = `effect[0..25]`, formats.md §8); the
/// contract's balance covers every `claimable` amount, every exodus exit and every refund as long
/// as the proven circuit is sound.
/// @dev Inherits `BlobOpening._openBlob` (the EIP-4844 point-evaluation check of a blob carried
/// by the transaction): `commitBatch` opens blob 0 at the proof's `x`.
contract Rollup is BlobOpening {
    /// Goldilocks prime p = 2^64 - 2^32 + 1.
    uint256 private constant GOLDILOCKS_P = 0xffffffff00000001;
    /// L2 amounts are in gwei.
    uint256 private constant GWEI = 1e9;
    /// Deposits are below 2^56 gwei (7 bytes in a Deposit effect).
    uint256 private constant MAX_DEPOSIT_GWEI = (1 << 56) - 1;
    /// Size of one L1 effect (formats.md §4.3).
    uint256 private constant EFFECT = 64;
    /// The digest keeps its low 253 bits so that it is below the BN254 scalar field order.
    uint256 private constant DIGEST_MASK = (1 << 253) - 1;
    /// At most this many L1 effects per batch (formats.md §4.3).
    uint256 public constant MAX_EFFECTS = 16;
    /// Windows and deadlines are at most 2^32 blocks (so that every block number fits 40 bits).
    uint256 private constant MAX_WINDOW = 1 << 32;

    /// Root of the empty state tree of depth 32: `E_32` of docs/formats.md §2 (`E_0 = 0`,
    /// `E_{k+1} = two_to_one(E_k, E_k)`). Every rollup starts here; tests/exodus.rs checks it
    /// against plonky2.
    bytes32 public constant EMPTY_ROOT = 0xe479b9bb36c3fc43b1e4dac93c0cde8e29332a714327ba72d65af5933a094e83;

    /// The Groth16 verifier of the wrap circuit.
    IGroth16Verifier public immutable verifier;
    /// Poseidon over Goldilocks (deployed by the constructor), for exodus exits.
    PoseidonGoldilocks public immutable hasher;
    /// The designated operator: may always commit; anyone else only when the operator is late
    /// (see `commitBatch`).
    address public immutable operator;
    /// Blocks a priority operation may wait before it is overdue (default 21 600 ≈ 3 days).
    uint256 public immutable priorityDeadline;
    /// Blocks after which the oldest waiting priority operation lets anyone commit (default
    /// 10 800, half the deadline).
    uint256 public immutable operatorWindow;
    /// Blocks without a committed batch after which anyone may commit (default 7 200 ≈ 1 day).
    uint256 public immutable silenceWindow;

    /// Current L2 state root: 4 Goldilocks limbs, each a u64 big-endian (formats.md §1).
    bytes32 public stateRoot;
    /// Number of batches committed so far.
    uint64 public batchNumber;
    /// Number of priority operations ever queued.
    uint64 public priorityCount;
    /// Number of priority operations consumed by committed batches.
    uint64 public priorityProcessed;
    /// Block of the last committed batch (of the deployment before the first one).
    uint40 public lastCommitBlock;
    /// Whether exodus mode is active (set once, never cleared).
    bool public exodus;
    /// Head of the priority hash chain after `n` operations.
    mapping(uint256 => bytes32) public priorityChain;
    /// Priority operation `n`: `sender (160 bits) | amountGwei << 160 (56 bits) | deadline << 216
    /// (40 bits)`. A FullExit has amount 0 and its requester as sender; a refunded deposit has
    /// sender and amount cleared.
    mapping(uint256 => uint256) private _ops;
    /// Bit `account % 256` of word `account / 256`: the account's exodus exit is done.
    mapping(uint256 => uint256) private _exited;
    /// Wei each L1 address may withdraw.
    mapping(address => uint256) public claimable;

    /// The rollup starts at `genesisRoot` (the empty tree), verified by `verifier`.
    event RollupInitialized(
        address indexed verifier,
        address indexed operator,
        bytes32 genesisRoot,
        uint256 chainId,
        uint256 priorityDeadline,
        uint256 operatorWindow,
        uint256 silenceWindow
    );
    /// Priority operation `index` is a deposit of `amount` gwei from `sender` to the account
    /// `(pkhash, owner)`, due by block `deadline`.
    event DepositQueued(
        uint256 indexed index,
        address indexed sender,
        address indexed owner,
        bytes32 pkhash,
        uint64 amount,
        uint64 deadline
    );
    /// Priority operation `index` is `requester`'s forced exit of `account`, due by block `deadline`.
    event FullExitRequested(uint256 indexed index, address indexed requester, uint32 indexed account, uint64 deadline);
    /// A committed batch credited `amountWei` to `to` (a Withdraw, or a FullExit paying the owner).
    event WithdrawalCredited(uint256 indexed batchNumber, address indexed to, uint256 amountWei);
    /// Batch `batchNumber` moved the state from `oldRoot` to `newRoot`, consuming `priorityOps`
    /// queued priority operations; its data is the blob with versioned hash `versionedHash`
    /// (blob 0 of the transaction), and its proof was checked against `digest`.
    event BatchCommitted(
        uint256 indexed batchNumber,
        bytes32 oldRoot,
        bytes32 newRoot,
        uint256 priorityOps,
        bytes32 versionedHash,
        uint256 digest
    );
    /// `to` withdrew `amountWei`.
    event Withdrawn(address indexed to, uint256 amountWei);
    /// Exodus mode started: priority operation `overdueIndex` was due by block `deadline`; exits
    /// are proven against `stateRoot`, the root of batch `batchNumber`.
    event ExodusActivated(uint256 indexed overdueIndex, uint256 deadline, bytes32 stateRoot, uint256 batchNumber);
    /// `account`'s balance of `amount` gwei was paid to its owner `owner`.
    event ExodusExit(uint32 indexed account, address indexed owner, uint64 amount);
    /// Unprocessed deposit `index` was refunded to its sender.
    event DepositRefunded(uint256 indexed index, address indexed sender, uint256 amountWei);
    /// A payment to `to` failed (it refused the ether); `amountWei` was credited to `claimable`.
    event PaymentDeferred(address indexed to, uint256 amountWei);

    /// `block.chainid` does not fit the u64 of the digest.
    error ChainIdTooLarge(uint256 chainId);
    /// The operator must not be the zero address.
    error ZeroOperator();
    /// Deadline and windows must be in 1..2^32 blocks (operator window 0..deadline).
    error InvalidWindows(uint256 priorityDeadline, uint256 operatorWindow, uint256 silenceWindow);
    /// Limb `limb` (0 = most significant) of a state root is not a canonical Goldilocks element.
    error RootLimbNotCanonical(uint256 limb);
    /// Limb `limb` of a key hash is not a canonical Goldilocks element.
    error PkhashLimbNotCanonical(uint256 limb);
    /// A deposit must carry a positive amount.
    error DepositZero();
    /// A deposit must be a whole number of gwei.
    error DepositNotGwei(uint256 value);
    /// A deposit must be below 2^56 gwei.
    error DepositTooLarge(uint256 value);
    /// The effects list must be a whole number of 64-byte effects.
    error EffectsLength(uint256 length);
    /// The effects list holds more than `MAX_EFFECTS` effects.
    error TooManyEffects(uint256 length);
    /// Effect `index` has a type code that is not Deposit (1), Withdraw (3) or FullExit (4).
    error UnknownEffectType(uint256 index, uint256 kind);
    /// Effect `index` (a Withdraw or FullExit) has a non-zero byte in 33..64.
    error EffectNotZeroPadded(uint256 index);
    /// The batch consumes more priority operations than are queued.
    error PriorityQueueOverrun(uint256 processed, uint256 queued);
    /// The batch's Deposit and FullExit effects are not, in order, the next queued operations.
    error PriorityQueueMismatch();
    /// The caller is not the operator, and the operator is not late.
    error NotOperator();
    /// Exodus mode is active: no batches, deposits or exit requests any more.
    error ExodusActive();
    /// Exodus mode is not active.
    error NotInExodus();
    /// No priority operation is waiting, so none can be overdue.
    error PriorityQueueEmpty();
    /// The oldest waiting priority operation `index` is due by block `deadline`, not yet past.
    error DeadlineNotReached(uint256 index, uint256 deadline);
    /// `account` already exited.
    error ExitAlreadyDone(uint32 account);
    /// The leaf and path do not lead to the state root.
    error InvalidLeafProof();
    /// Priority operation `index` is not an unprocessed queued operation.
    error NotRefundable(uint256 index);
    /// Priority operation `index` is a forced exit, not a deposit.
    error NotADeposit(uint256 index);
    /// Deposit `index` was already refunded.
    error RefundAlreadyDone(uint256 index);
    /// The caller has nothing to withdraw.
    error NothingToWithdraw();
    /// Sending the withdrawn ether failed.
    error WithdrawalTransferFailed();

    /// @param verifier_ the generated Groth16 verifier.
    /// @param operator_ the designated operator.
    /// @param priorityDeadline_ blocks a priority operation may wait (default 21 600 ≈ 3 days).
    /// @param operatorWindow_ blocks after which anyone may serve a waiting operation (default 10 800).
    /// @param silenceWindow_ blocks without a batch after which anyone may commit (default 7 200).
    constructor(
        IGroth16Verifier verifier_,
        address operator_,
        uint256 priorityDeadline_,
        uint256 operatorWindow_,
        uint256 silenceWindow_
    ) {
        if (block.chainid > type(uint64).max) revert ChainIdTooLarge(block.chainid);
        if (operator_ == address(0)) revert ZeroOperator();
        if (
            priorityDeadline_ == 0 || priorityDeadline_ > MAX_WINDOW || operatorWindow_ > priorityDeadline_
                || silenceWindow_ == 0 || silenceWindow_ > MAX_WINDOW
        ) revert InvalidWindows(priorityDeadline_, operatorWindow_, silenceWindow_);
        verifier = verifier_;
        hasher = new PoseidonGoldilocks();
        operator = operator_;
        priorityDeadline = priorityDeadline_;
        operatorWindow = operatorWindow_;
        silenceWindow = silenceWindow_;
        stateRoot = EMPTY_ROOT;
        lastCommitBlock = uint40(block.number);
        emit RollupInitialized(
            address(verifier_),
            operator_,
            EMPTY_ROOT,
            block.chainid,
            priorityDeadline_,
            operatorWindow_,
            silenceWindow_
        );
    }

    /// @notice Queues a deposit of `msg.value` (a positive whole number of gwei, below 2^56
    /// gwei) to the L2 account `(pkhash, owner)`; `owner = 0` means the sender. `pkhash` is
    /// `Poseidon.hash_no_pad` of the key's 5 limbs (4 canonical limbs, formats.md §1): a hash
    /// with no key behind it makes an account that can never sign, and its funds are lost.
    function deposit(bytes32 pkhash, address owner) external payable {
        if (exodus) revert ExodusActive();
        _checkPkhash(pkhash);
        if (msg.value == 0) revert DepositZero();
        if (msg.value % GWEI != 0) revert DepositNotGwei(msg.value);
        uint256 amount = msg.value / GWEI;
        if (amount > MAX_DEPOSIT_GWEI) revert DepositTooLarge(msg.value);
        if (owner == address(0)) owner = msg.sender;
        uint256 index = priorityCount;
        uint256 deadline = block.number + priorityDeadline;
        priorityChain[index + 1] =
            keccak256(abi.encodePacked(priorityChain[index], uint8(1), pkhash, uint56(amount), owner));
        _ops[index] = uint256(uint160(msg.sender)) | (amount << 160) | (deadline << 216);
        priorityCount = uint64(index + 1);
        emit DepositQueued(index, msg.sender, owner, pkhash, uint64(amount), uint64(deadline));
    }

    /// @notice Queues a forced exit of `account` by the sender: the next batches must process
    /// it; it pays the account's whole balance to the sender if the sender owns the account and
    /// is a recorded no-op otherwise.
    function requestFullExit(uint32 account) external {
        if (exodus) revert ExodusActive();
        uint256 index = priorityCount;
        uint256 deadline = block.number + priorityDeadline;
        priorityChain[index + 1] =
            keccak256(abi.encodePacked(priorityChain[index], uint8(4), account, msg.sender));
        _ops[index] = uint256(uint160(msg.sender)) | (deadline << 216);
        priorityCount = uint64(index + 1);
        emit FullExitRequested(index, msg.sender, account, uint64(deadline));
    }

    /// @notice Commits a batch (docs/formats.md §4.3, §5, §10): checks the L1-effects list
    /// (at most `MAX_EFFECTS` 64-byte effects) and its Deposit and FullExit effects against the
    /// priority queue, credits its Withdraw and FullExit effects, checks that blob 0 of this
    /// transaction opens to `y` at `x`, and verifies `proof` for the digest of (chain id, this
    /// contract, current root, `newRoot`, sha256(`effects`), the blob's versioned hash, `x`,
    /// `y`). The operator may always commit; anyone else only once the oldest waiting priority
    /// operation has waited `operatorWindow` blocks or no batch was committed for
    /// `silenceWindow` blocks.
    /// @dev Must be sent as an EIP-4844 (type-3) transaction whose first blob carries the
    /// batch's data; the proof binds that blob through its versioned hash and the opening.
    /// @param newRoot the state root after the batch (canonical limbs).
    /// @param effects the batch's L1-effects list: 64-byte Deposit, Withdraw and FullExit effects.
    /// @param x the evaluation point (a canonical BLS12-381 scalar; the proof fixes it).
    /// @param y the value of blob 0's polynomial at `x` (canonical).
    /// @param blobCommitment blob 0's KZG commitment (48 bytes).
    /// @param blobProof the KZG proof of the opening (48 bytes).
    /// @param proof Groth16 proof: A.x, A.y, B.x_im, B.x_re, B.y_im, B.y_re, C.x, C.y.
    function commitBatch(
        bytes32 newRoot,
        bytes calldata effects,
        uint256 x,
        uint256 y,
        bytes calldata blobCommitment,
        bytes calldata blobProof,
        uint256[8] calldata proof
    ) external {
        uint256 start = _checkCommit(newRoot, effects.length);
        bytes32 versionedHash = _openBlob(0, x, y, blobCommitment, blobProof);
        _commit(newRoot, effects, start, versionedHash, x, y, proof);
    }

    /// The checks of `commitBatch` before the blob and the effects: the effects list's length,
    /// `newRoot`'s limbs, exodus, and who may commit. Returns the queue position the batch
    /// starts at.
    function _checkCommit(bytes32 newRoot, uint256 len) private view returns (uint256 start) {
        if (len % EFFECT != 0) revert EffectsLength(len);
        if (len > MAX_EFFECTS * EFFECT) revert TooManyEffects(len);
        _checkRoot(newRoot);
        if (exodus) revert ExodusActive();
        start = priorityProcessed;
        if (msg.sender != operator) _checkOperatorLate(start);
    }

    /// Applies the effects, verifies the proof for the recomputed digest and moves the state.
    function _commit(
        bytes32 newRoot,
        bytes calldata effects,
        uint256 start,
        bytes32 versionedHash,
        uint256 x,
        uint256 y,
        uint256[8] calldata proof
    ) private {
        uint256 nextBatch = uint256(batchNumber) + 1;
        uint256 processed = _applyEffects(effects, start, nextBatch);

        bytes32 oldRoot = stateRoot;
        uint256 digest = _digest(oldRoot, newRoot, effects, versionedHash, x, y);
        verifier.verifyProof(proof, digest);

        stateRoot = newRoot;
        batchNumber = uint64(nextBatch);
        priorityProcessed = uint64(processed);
        lastCommitBlock = uint40(block.number);
        emit BatchCommitted(nextBatch, oldRoot, newRoot, processed - start, versionedHash, digest);
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

    /// @notice Starts exodus mode (anyone may call): allowed once the oldest unprocessed priority
    /// operation is past its deadline. Afterwards no batch, deposit or exit request is accepted.
    function activateExodus() external {
        if (exodus) revert ExodusActive();
        uint256 n = priorityProcessed;
        if (n >= priorityCount) revert PriorityQueueEmpty();
        uint256 deadline = _ops[n] >> 216;
        if (block.number <= deadline) revert DeadlineNotReached(n, deadline);
        exodus = true;
        emit ExodusActivated(n, deadline, stateRoot, batchNumber);
    }

    /// @notice In exodus mode, pays `account`'s balance in the last committed root to its
    /// owner, once. Anyone may call; the leaf fields and the 32 siblings of its path (leaf level
    /// first, formats.md §2) are checked against `stateRoot` with Poseidon over Goldilocks.
    function exodusExit(
        uint32 account,
        bytes32 pkhash,
        uint64 balance,
        uint32 nonce,
        address owner,
        bytes32[32] calldata siblings
    ) external {
        if (!exodus) revert NotInExodus();
        uint256 word = _exited[account >> 8];
        uint256 bit = 1 << (account & 0xff);
        if (word & bit != 0) revert ExitAlreadyDone(account);
        _checkPkhash(pkhash);
        uint256[12] memory leaf;
        uint256 pk = uint256(pkhash);
        uint256 own = uint256(uint160(owner));
        for (uint256 i = 0; i < 4; ++i) {
            leaf[i] = uint64(pk >> (192 - 64 * i));
        }
        leaf[4] = uint32(balance);
        leaf[5] = balance >> 32;
        leaf[6] = nonce;
        for (uint256 i = 0; i < 5; ++i) {
            leaf[7 + i] = uint32(own >> (128 - 32 * i));
        }
        if (hasher.leafRoot(leaf, account, siblings) != stateRoot) revert InvalidLeafProof();
        _exited[account >> 8] = word | bit;
        emit ExodusExit(account, owner, balance);
        _pay(owner, uint256(balance) * GWEI);
    }

    /// @notice In exodus mode, refunds unprocessed deposit `n` (`n >= priorityProcessed`) to its
    /// sender, once. Anyone may call.
    function refundDeposit(uint256 n) external {
        if (!exodus) revert NotInExodus();
        if (n < priorityProcessed || n >= priorityCount) revert NotRefundable(n);
        uint256 op = _ops[n];
        address sender = address(uint160(op));
        uint256 amount = (op >> 160) & MAX_DEPOSIT_GWEI;
        if (amount == 0) {
            if (sender == address(0)) revert RefundAlreadyDone(n);
            revert NotADeposit(n);
        }
        _ops[n] = (op >> 216) << 216;
        emit DepositRefunded(n, sender, amount * GWEI);
        _pay(sender, amount * GWEI);
    }

    /// @notice Priority operation `n`: its sender (the requester of a FullExit; zero once a
    /// deposit is refunded), its amount in gwei (0 for a FullExit) and its deadline block.
    function priorityOp(uint256 n) external view returns (address sender, uint64 amountGwei, uint64 deadline) {
        uint256 op = _ops[n];
        return (address(uint160(op)), uint64((op >> 160) & MAX_DEPOSIT_GWEI), uint64(op >> 216));
    }

    /// @notice Whether `account`'s exodus exit is done.
    function exitDone(uint32 account) external view returns (bool) {
        return _exited[account >> 8] & (1 << (account & 0xff)) != 0;
    }

    /// Sends `amountWei` to `to`; if `to` refuses it, credits it to `claimable[to]` instead, so
    /// that an exit or refund never blocks on the recipient.
    function _pay(address to, uint256 amountWei) private {
        if (amountWei == 0) return;
        (bool ok,) = to.call{value: amountWei}("");
        if (!ok) {
            claimable[to] += amountWei;
            emit PaymentDeferred(to, amountWei);
        }
    }

    /// Reverts with `NotOperator` unless the oldest waiting priority operation (queue position
    /// `start`) has waited `operatorWindow` blocks or no batch came for `silenceWindow` blocks.
    function _checkOperatorLate(uint256 start) private view {
        if (block.number >= uint256(lastCommitBlock) + silenceWindow) return;
        if (start < priorityCount) {
            uint256 queuedAt = (_ops[start] >> 216) - priorityDeadline;
            if (block.number >= queuedAt + operatorWindow) return;
        }
        revert NotOperator();
    }

    /// Walks the effects (formats.md §4.3): folds Deposit and FullExit effects into the
    /// priority chain starting at queue position `start` and checks the result against the
    /// queue, credits Withdraw effects and paying FullExit effects (events tagged with
    /// `nextBatch`), and rejects any other type code (`UnknownEffectType`) and a Withdraw or
    /// FullExit whose bytes 33..64 are not zero (`EffectNotZeroPadded`; a Deposit uses all 64
    /// bytes). Returns the queue position after the batch.
    function _applyEffects(bytes calldata effects, uint256 start, uint256 nextBatch)
        private
        returns (uint256 processed)
    {
        processed = start;
        bytes32 chain;
        uint256 bad = type(uint256).max;
        bool badPadding;
        bytes32 creditTopic = WithdrawalCredited.selector;
        assembly ("memory-safe") {
            let m := mload(0x40)
            let base := effects.offset
            let end := add(base, effects.length)
            for { let off := base } lt(off, end) { off := add(off, 64) } {
                let kind := byte(0, calldataload(off))
                if or(eq(kind, 3), eq(kind, 4)) {
                    // Bytes 33..64 are not listed for a Withdraw or a FullExit: all zero.
                    if shl(8, calldataload(add(off, 32))) {
                        bad := div(sub(off, base), 64)
                        badPadding := 1
                        break
                    }
                }
                if eq(kind, 3) {
                    // Withdraw: L1 address at 5..25, amount (u64 gwei) at 25..33.
                    let to := shr(96, calldataload(add(off, 5)))
                    let amount := mul(shr(192, calldataload(add(off, 25))), 1000000000)
                    mstore(0, to)
                    mstore(0x20, claimable.slot)
                    let s := keccak256(0, 0x40)
                    // Cannot overflow: at most 2^94 wei per effect and fewer than 2^64 effects.
                    sstore(s, add(sload(s), amount))
                    mstore(m, amount)
                    log3(m, 0x20, creditTopic, nextBatch, to)
                    continue
                }
                if or(eq(kind, 1), eq(kind, 4)) {
                    if eq(processed, start) {
                        mstore(0, start)
                        mstore(0x20, priorityChain.slot)
                        chain := sload(keccak256(0, 0x40))
                    }
                    mstore(m, chain)
                    switch kind
                    case 1 {
                        // Deposit op: 0x01 ‖ effect[5..64] (pkhash, amount, owner).
                        mstore8(add(m, 0x20), 1)
                        calldatacopy(add(m, 0x21), add(off, 5), 59)
                        chain := keccak256(m, 0x5c)
                    }
                    default {
                        // FullExit op: effect[0..25] = 0x04 ‖ account ‖ requester.
                        calldatacopy(add(m, 0x20), off, 25)
                        chain := keccak256(m, 0x39)
                        // The circuit's result: amount (u64 gwei) at 25..33, 0 for a no-op.
                        let amount := mul(shr(192, calldataload(add(off, 25))), 1000000000)
                        if amount {
                            let to := shr(96, calldataload(add(off, 5)))
                            mstore(0, to)
                            mstore(0x20, claimable.slot)
                            let s := keccak256(0, 0x40)
                            sstore(s, add(sload(s), amount))
                            mstore(m, amount)
                            log3(m, 0x20, creditTopic, nextBatch, to)
                        }
                    }
                    processed := add(processed, 1)
                    continue
                }
                bad := div(sub(off, base), 64)
                break
            }
        }
        if (bad != type(uint256).max) {
            if (badPadding) revert EffectNotZeroPadded(bad);
            revert UnknownEffectType(bad, uint8(effects[bad * EFFECT]));
        }
        if (processed != start) {
            uint256 queued = priorityCount;
            if (processed > queued) revert PriorityQueueOverrun(processed, queued);
            if (priorityChain[processed] != chain) revert PriorityQueueMismatch();
        }
    }

    /// The public-input digest of formats.md §5, masked to 253 bits.
    function _digest(bytes32 oldRoot, bytes32 newRoot, bytes calldata effects, bytes32 versionedHash, uint256 x, uint256 y)
        private
        view
        returns (uint256)
    {
        return uint256(
            sha256(
                abi.encodePacked(
                    uint64(block.chainid), address(this), oldRoot, newRoot, sha256(effects), versionedHash, x, y
                )
            )
        ) & DIGEST_MASK;
    }

    /// Reverts unless each of the 4 big-endian u64 limbs of `root` is below the Goldilocks prime.
    function _checkRoot(bytes32 root) private pure {
        uint256 r = uint256(root);
        for (uint256 i = 0; i < 4; ++i) {
            if (uint64(r >> (192 - 64 * i)) >= GOLDILOCKS_P) revert RootLimbNotCanonical(i);
        }
    }

    /// Reverts unless each of the 4 big-endian u64 limbs of `pkhash` is below the Goldilocks prime.
    function _checkPkhash(bytes32 pkhash) private pure {
        uint256 r = uint256(pkhash);
        for (uint256 i = 0; i < 4; ++i) {
            if (uint64(r >> (192 - 64 * i)) >= GOLDILOCKS_P) revert PkhashLimbNotCanonical(i);
        }
    }
}
