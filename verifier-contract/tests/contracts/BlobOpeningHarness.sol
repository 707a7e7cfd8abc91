// SPDX-License-Identifier: MIT OR Apache-2.0
// Test-only: exposes BlobOpening's internal check to tests/blob.rs (compiled together with
// contracts/BlobOpening.sol) and measures its gas.
pragma solidity 0.8.28;

import "./BlobOpening.sol";

contract BlobOpeningHarness is BlobOpening {
    /// Blob `index` opened; `gasUsed` is the gas of `_openBlob` alone (measured with `gasleft`).
    event Opened(uint256 indexed index, bytes32 versionedHash, uint256 gasUsed);
    /// `blobhash(index)` of the transaction.
    event BlobHash(uint256 indexed index, bytes32 versionedHash);

    /// Runs the opening check on blob `index` of this transaction and reports its gas.
    function open(uint256 index, uint256 x, uint256 y, bytes calldata commitment, bytes calldata proof) external {
        uint256 before = gasleft();
        bytes32 versionedHash = _openBlob(index, x, y, commitment, proof);
        uint256 used = before - gasleft();
        emit Opened(index, versionedHash, used);
    }

    /// The opening check with the precompile at `precompile` (an empty account or a mock).
    function openWith(
        address precompile,
        uint256 index,
        uint256 x,
        uint256 y,
        bytes calldata commitment,
        bytes calldata proof
    ) external {
        bytes32 versionedHash = _openBlobWith(precompile, index, x, y, commitment, proof);
        emit Opened(index, versionedHash, 0);
    }

    /// Records `blobhash(index)` of this transaction.
    function recordBlobHash(uint256 index) external {
        emit BlobHash(index, blobhash(index));
    }
}

/// A stand-in for the precompile that succeeds with the wrong output: 32 bytes when `short`,
/// else 64 bytes with a wrong modulus.
contract WrongPointEvaluation {
    bool public immutable short;

    constructor(bool short_) {
        short = short_;
    }

    fallback(bytes calldata) external returns (bytes memory) {
        if (short) return abi.encodePacked(uint256(4096));
        return abi.encodePacked(uint256(4096), uint256(7));
    }
}
