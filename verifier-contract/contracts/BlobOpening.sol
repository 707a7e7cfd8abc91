// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.28;

/// @title Opening of an EIP-4844 blob of the current transaction at one point
/// @notice `_openBlob(i, x, y, commitment, proof)` proves that blob `i` of the transaction
/// (`blobhash(i)`) is the polynomial `p` (in evaluation form over the 4 096 roots of unity of
/// BLS12-381's scalar field) with `p(x) = y`, by one call to the point-evaluation precompile
/// (EIP-4844, address 0x0a, 50 000 gas). It returns normally only if the opening holds and
/// reverts with a custom error naming the failure otherwise (docs/l1.md "Blob opening").
/// @dev Checked before the precompile, so that each failure has its own error: the blob exists
/// (`NoBlob`), `x` and `y` are canonical scalars (below `BLS_MODULUS`), commitment and proof are
/// 48 bytes each, and the commitment is the blob's (`0x01 ‖ sha256(commitment)[1..]` equals
/// `blobhash(i)`). Then the precompile must succeed (the KZG proof of `p(x) = y`; a wrong `y`
/// and a wrong proof both fail here) **and** return exactly 64 bytes holding
/// `FIELD_ELEMENTS_PER_BLOB` and `BLS_MODULUS`: on a chain without the precompile the call
/// reaches an empty account and "succeeds" with no output.
abstract contract BlobOpening {
    /// The point-evaluation precompile (EIP-4844).
    address internal constant POINT_EVALUATION = address(0x0a);
    /// Field elements per blob (EIP-4844), the precompile's first output word.
    uint256 internal constant FIELD_ELEMENTS_PER_BLOB = 4096;
    /// The BLS12-381 scalar field modulus, the precompile's second output word.
    uint256 internal constant BLS_MODULUS = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001;
    /// Version byte of a KZG versioned hash (EIP-4844 `VERSIONED_HASH_VERSION_KZG`).
    uint256 private constant VERSIONED_HASH_VERSION_KZG = 0x01;

    /// The transaction has no blob at `index` (`blobhash(index)` is zero).
    error NoBlob(uint256 index);
    /// The evaluation point `x` is not below the BLS12-381 scalar modulus.
    error BlobPointNotCanonical(uint256 x);
    /// The claimed value `y` is not below the BLS12-381 scalar modulus.
    error BlobValueNotCanonical(uint256 y);
    /// A KZG commitment must be 48 bytes (a compressed G1 point).
    error BlobCommitmentLength(uint256 length);
    /// A KZG proof must be 48 bytes (a compressed G1 point).
    error BlobProofLength(uint256 length);
    /// The commitment's versioned hash is not `blobhash(index)`.
    error BlobCommitmentMismatch(uint256 index, bytes32 versionedHash);
    /// The precompile rejected the opening of blob `index`: the proof does not show `p(x) = y`.
    error BlobOpeningInvalid(uint256 index);
    /// The precompile did not return (FIELD_ELEMENTS_PER_BLOB, BLS_MODULUS) in 64 bytes.
    error PointEvaluationOutput(uint256 index);

    /// Reverts unless blob `index` of this transaction evaluates to `y` at `x`, as shown by the
    /// KZG `proof` against `commitment`; returns the blob's versioned hash.
    function _openBlob(uint256 index, uint256 x, uint256 y, bytes calldata commitment, bytes calldata proof)
        internal
        view
        returns (bytes32 versionedHash)
    {
        return _openBlobWith(POINT_EVALUATION, index, x, y, commitment, proof);
    }

    /// `_openBlob` with the precompile at `precompile` (tests point it at an empty account or a
    /// mock to check the output checks; production code calls `_openBlob`).
    function _openBlobWith(
        address precompile,
        uint256 index,
        uint256 x,
        uint256 y,
        bytes calldata commitment,
        bytes calldata proof
    ) internal view returns (bytes32 versionedHash) {
        versionedHash = blobhash(index);
        if (versionedHash == bytes32(0)) revert NoBlob(index);
        if (x >= BLS_MODULUS) revert BlobPointNotCanonical(x);
        if (y >= BLS_MODULUS) revert BlobValueNotCanonical(y);
        if (commitment.length != 48) revert BlobCommitmentLength(commitment.length);
        if (proof.length != 48) revert BlobProofLength(proof.length);
        if (
            bytes32((uint256(sha256(commitment)) & ((1 << 248) - 1)) | (VERSIONED_HASH_VERSION_KZG << 248))
                != versionedHash
        ) revert BlobCommitmentMismatch(index, versionedHash);

        // 0: the opening holds; 1: the precompile failed; 2: its output is not the expected one.
        uint256 status;
        assembly ("memory-safe") {
            // Input (192 bytes): versioned hash ‖ x ‖ y ‖ commitment (48) ‖ proof (48), built at
            // the free memory pointer (not advanced: nothing else is allocated meanwhile).
            let m := mload(0x40)
            mstore(m, versionedHash)
            mstore(add(m, 0x20), x)
            mstore(add(m, 0x40), y)
            calldatacopy(add(m, 0x60), commitment.offset, 48)
            calldatacopy(add(m, 0x90), proof.offset, 48)
            switch staticcall(gas(), precompile, m, 0xc0, m, 0x40)
            case 0 { status := 1 }
            default {
                // The return data must be exactly the two words.
                if iszero(
                    and(
                        eq(returndatasize(), 0x40),
                        and(eq(mload(m), FIELD_ELEMENTS_PER_BLOB), eq(mload(add(m, 0x20)), BLS_MODULUS))
                    )
                ) { status := 2 }
            }
        }
        if (status == 1) revert BlobOpeningInvalid(index);
        if (status == 2) revert PointEvaluationOutput(index);
    }
}
