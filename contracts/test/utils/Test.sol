// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @notice The cheatcodes our tests use (forge-std is not reachable offline, see TOOLCHAIN.md).
/// Signatures as forge 1.x implements them at the cheatcode address.
interface Vm {
    struct Log {
        bytes32[] topics;
        bytes data;
        address emitter;
    }

    function prank(address sender) external;
    function startPrank(address sender) external;
    function stopPrank() external;
    function warp(uint256 timestamp) external;
    function roll(uint256 blockNumber) external;
    function expectRevert(bytes4 selector) external;
    function expectRevert(bytes calldata revertData) external;
    function expectEmit(bool checkTopic1, bool checkTopic2, bool checkTopic3, bool checkData, address emitter) external;
    function assume(bool condition) external;
    function addr(uint256 privateKey) external pure returns (address);
    function label(address account, string calldata newLabel) external;
    function recordLogs() external;
    function getRecordedLogs() external returns (Log[] memory logs);
    function snapshotGasLastCall(string calldata group, string calldata name) external returns (uint256 gasUsed);
    function deployCode(string calldata artifactPath, bytes calldata constructorArgs)
        external
        returns (address deployedAddress);
}

/// @notice What `targetContract`/`targetSelector` take in invariant tests.
struct FuzzSelector {
    address addr;
    bytes4[] selectors;
}

/// @notice Base contract for tests: the cheatcodes plus the assertions we use. Assertions revert
/// with a message naming both values, which forge prints on failure.
abstract contract Test {
    Vm internal constant vm = Vm(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D);

    /// forge reads this to know the contract is a test suite.
    bool public IS_TEST = true;

    address[] private _targetContracts;
    FuzzSelector[] private _targetSelectors;

    function targetContracts() public view returns (address[] memory) {
        return _targetContracts;
    }

    function targetSelectors() public view returns (FuzzSelector[] memory) {
        return _targetSelectors;
    }

    function targetContract(address target) internal {
        _targetContracts.push(target);
    }

    function targetSelector(FuzzSelector memory selector) internal {
        _targetSelectors.push(selector);
    }

    function assertTrue(bool condition, string memory what) internal pure {
        if (!condition) revert(string.concat("assertion failed: ", what));
    }

    function assertEq(uint256 actual, uint256 expected, string memory what) internal pure {
        if (actual != expected) {
            revert(string.concat(what, ": expected ", _toString(expected), ", got ", _toString(actual)));
        }
    }

    function assertEq(bytes32 actual, bytes32 expected, string memory what) internal pure {
        if (actual != expected) {
            revert(string.concat(what, ": expected ", _toHex(expected), ", got ", _toHex(actual)));
        }
    }

    function assertEq(address actual, address expected, string memory what) internal pure {
        assertEq(bytes32(uint256(uint160(actual))), bytes32(uint256(uint160(expected))), what);
    }

    function assertEq(bool actual, bool expected, string memory what) internal pure {
        assertEq(actual ? 1 : 0, expected ? 1 : 0, what);
    }

    function assertLe(uint256 actual, uint256 limit, string memory what) internal pure {
        if (actual > limit) revert(string.concat(what, ": ", _toString(actual), " > ", _toString(limit)));
    }

    function bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        require(min <= max, "bound: min > max");
        if (x >= min && x <= max) return x;
        return min + (x % (max - min + 1));
    }

    function _toString(uint256 value) private pure returns (string memory) {
        if (value == 0) return "0";
        bytes memory digits;
        while (value != 0) {
            // forge-lint: disable-next-line(unsafe-typecast)
            digits = abi.encodePacked(bytes1(uint8(48 + value % 10)), digits);
            value /= 10;
        }
        return string(digits);
    }

    function _toHex(bytes32 value) private pure returns (string memory) {
        bytes memory out = new bytes(66);
        out[0] = "0";
        out[1] = "x";
        bytes16 symbols = "0123456789abcdef";
        for (uint256 i = 0; i < 32; i++) {
            out[2 + i * 2] = symbols[uint8(value[i]) >> 4];
            out[3 + i * 2] = symbols[uint8(value[i]) & 0x0f];
        }
        return string(out);
    }
}
