// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Fixture} from "./utils/Fixture.sol";
import {IGuaranteeRegistry} from "../src/interfaces/IGuaranteeRegistry.sol";

/// @notice Gas of every external state-changing function, written to `snapshots/` by
/// `vm.snapshotGasLastCall` and compared with the committed files under the `ci` profile.
contract GasTest is Fixture {
    /// The business case: issuing an e-LG must stay at or below 150,000 gas, transaction included.
    function test_issue_gasWithinBudget() public {
        IGuaranteeRegistry.IssueRequest memory request = guaranteeRequest("LG-2569-000001");
        vm.prank(bankA);
        registry.issue(request);
        uint256 gasUsed = vm.snapshotGasLastCall("GuaranteeRegistry", "issue");
        assertLe(gasUsed + 21_000 + 16 * 900, 150_000, "issue gas including intrinsic and calldata");
    }
}
