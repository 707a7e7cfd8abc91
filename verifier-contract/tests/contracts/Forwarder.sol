// SPDX-License-Identifier: MIT OR Apache-2.0
// Test-only: commits a batch through a contract (in a blob transaction: `blobhash` is the
// transaction's, so the rollup still sees the blob), so that the transaction's input is not
// `commitBatch` calldata (tests/exodus.rs checks that the sync reader refuses it).
pragma solidity 0.8.28;

contract Forwarder {
    /// Calls `rollup` with `commitCalldata` (an ABI-encoded `commitBatch` call), bubbling up a revert.
    function forward(address rollup, bytes calldata commitCalldata) external {
        (bool ok, bytes memory ret) = rollup.call(commitCalldata);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(ret, 0x20), mload(ret))
            }
        }
    }
}
