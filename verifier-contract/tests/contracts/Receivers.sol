// SPDX-License-Identifier: MIT OR Apache-2.0
// Test-only withdrawal recipients for tests/rollup.rs.
pragma solidity 0.8.28;

interface IRollupWithdraw {
    function withdraw() external;
}

/// Re-enters `withdraw()` from its `receive()` and records what the inner call did.
contract Reentrant {
    IRollupWithdraw public immutable rollup;
    bool public reentered;
    bytes public innerRevert;
    uint256 public received;

    constructor(IRollupWithdraw rollup_) {
        rollup = rollup_;
    }

    function attack() external {
        rollup.withdraw();
    }

    receive() external payable {
        received += msg.value;
        if (!reentered) {
            reentered = true;
            try rollup.withdraw() {} catch (bytes memory e) {
                innerRevert = e;
            }
        }
    }
}

/// Refuses ether.
contract Refuser {
    IRollupWithdraw public immutable rollup;

    constructor(IRollupWithdraw rollup_) {
        rollup = rollup_;
    }

    function attack() external {
        rollup.withdraw();
    }

    receive() external payable {
        revert("no");
    }
}
