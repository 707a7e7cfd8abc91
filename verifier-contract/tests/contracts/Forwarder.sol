// SPDX-License-Identifier: MIT OR Apache-2.0
// Test-only: commits a batch through a contract, so that the transaction's input is not
// `commitBatch` calldata (tests/exodus.rs checks that the sync reader refuses it).
pragma solidity 0.8.28;

interface IRollupCommit {
    function commitBatch(bytes calldata pubdata, bytes32 newRoot, uint256[8] calldata proof) external;
}

contract Forwarder {
    function forward(IRollupCommit rollup, bytes calldata pubdata, bytes32 newRoot, uint256[8] calldata proof)
        external
    {
        rollup.commitBatch(pubdata, newRoot, proof);
    }
}
