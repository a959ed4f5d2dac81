// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {GuaranteeBase} from "./GuaranteeBase.sol";
import {IGuaranteeRegistry} from "../src/interfaces/IGuaranteeRegistry.sol";

// Wrong states (continued from GuaranteeStates.t.sol): claims, withdrawal, supersession,
// suspension, resumption and expiry.

/// @notice Wrong states for claim, claimExtendOrPay and withdrawClaim.
contract GuaranteeClaimStateTest is GuaranteeBase {
    // ---------------------------------------------------------------- claim

    function test_claim_revertsWhenPendingAcceptance() public {
        bytes32 id = issued("LG-2569-000001");
        vm.prank(gateway);
        vm.expectRevert(notInState(id, IGuaranteeRegistry.Action.Claim, PENDING, mask(ACTIVE)));
        registry.claim(id, AGENCY, 40_000_000, DEMAND);
    }

    function test_claim_revertsWhenReleased() public {
        bytes32 id = active("LG-2569-000001");
        vm.prank(gateway);
        registry.release(id, AGENCY, START);
        vm.prank(gateway);
        vm.expectRevert(notInState(id, IGuaranteeRegistry.Action.Claim, RELEASED, mask(ACTIVE)));
        registry.claim(id, AGENCY, 40_000_000, DEMAND);
    }

    function test_claim_revertsWhileClaimOpen() public {
        bytes32 id = claimed("LG-2569-000001", 40_000_000);
        vm.prank(gateway);
        vm.expectRevert(notInState(id, IGuaranteeRegistry.Action.Claim, CLAIMED, mask(ACTIVE)));
        registry.claim(id, AGENCY, 10_000_000, DEMAND);
    }

    function test_claim_revertsWhileExtendOrPayOpen() public {
        bytes32 id = extendOrPay("LG-2569-000001", 40_000_000);
        vm.prank(gateway);
        vm.expectRevert(notInState(id, IGuaranteeRegistry.Action.Claim, EXTEND_OR_PAY, mask(ACTIVE)));
        registry.claim(id, AGENCY, 10_000_000, DEMAND);
    }

    function test_claim_revertsWhenSuspended() public {
        bytes32 id = suspendedBy(active("LG-2569-000001"));
        vm.prank(gateway);
        vm.expectRevert(notInState(id, IGuaranteeRegistry.Action.Claim, SUSPENDED, mask(ACTIVE)));
        registry.claim(id, AGENCY, 40_000_000, DEMAND);
    }

    function test_claim_revertsOnTerminalStates() public {
        (bytes32[6] memory ids, IGuaranteeRegistry.Status[6] memory statuses) = terminals();
        for (uint256 i = 0; i < ids.length; i++) {
            vm.prank(gateway);
            vm.expectRevert(notInState(ids[i], IGuaranteeRegistry.Action.Claim, statuses[i], mask(ACTIVE)));
            registry.claim(ids[i], AGENCY, 1, DEMAND);
        }
    }

    // ---------------------------------------------------------------- claimExtendOrPay

    function test_claimExtendOrPay_revertsWhenPendingAcceptance() public {
        bytes32 id = issued("LG-2569-000001");
        vm.prank(gateway);
        vm.expectRevert(notInState(id, IGuaranteeRegistry.Action.Claim, PENDING, mask(ACTIVE)));
        registry.claimExtendOrPay(id, AGENCY, 40_000_000, EXPIRY + 90 * DAY, DEMAND);
    }

    function test_claimExtendOrPay_revertsWhileClaimOpen() public {
        bytes32 id = claimed("LG-2569-000001", 40_000_000);
        vm.prank(gateway);
        vm.expectRevert(notInState(id, IGuaranteeRegistry.Action.Claim, CLAIMED, mask(ACTIVE)));
        registry.claimExtendOrPay(id, AGENCY, 10_000_000, EXPIRY + 90 * DAY, DEMAND);
    }

    function test_claimExtendOrPay_revertsWhenSuspended() public {
        bytes32 id = suspendedBy(active("LG-2569-000001"));
        vm.prank(gateway);
        vm.expectRevert(notInState(id, IGuaranteeRegistry.Action.Claim, SUSPENDED, mask(ACTIVE)));
        registry.claimExtendOrPay(id, AGENCY, 40_000_000, EXPIRY + 90 * DAY, DEMAND);
    }

    function test_claimExtendOrPay_revertsOnTerminalStates() public {
        (bytes32[6] memory ids, IGuaranteeRegistry.Status[6] memory statuses) = terminals();
        for (uint256 i = 0; i < ids.length; i++) {
            vm.prank(gateway);
            vm.expectRevert(notInState(ids[i], IGuaranteeRegistry.Action.Claim, statuses[i], mask(ACTIVE)));
            registry.claimExtendOrPay(ids[i], AGENCY, 1, EXPIRY + 90 * DAY, DEMAND);
        }
    }

    // ---------------------------------------------------------------- withdrawClaim

    function test_withdrawClaim_revertsWithoutClaim() public {
        bytes32 id = active("LG-2569-000001");
        vm.prank(gateway);
        vm.expectRevert(notInState(id, IGuaranteeRegistry.Action.WithdrawClaim, ACTIVE, mask(CLAIMED, EXTEND_OR_PAY)));
        registry.withdrawClaim(id, AGENCY);
    }

    function test_withdrawClaim_revertsWhenSuspended() public {
        bytes32 id = suspendedBy(claimed("LG-2569-000001", 40_000_000));
        vm.prank(gateway);
        vm.expectRevert(
            notInState(id, IGuaranteeRegistry.Action.WithdrawClaim, SUSPENDED, mask(CLAIMED, EXTEND_OR_PAY))
        );
        registry.withdrawClaim(id, AGENCY);
    }

    function test_withdrawClaim_revertsOnTerminalStates() public {
        (bytes32[6] memory ids, IGuaranteeRegistry.Status[6] memory statuses) = terminals();
        uint16 allowed = mask(CLAIMED, EXTEND_OR_PAY);
        for (uint256 i = 0; i < ids.length; i++) {
            vm.prank(gateway);
            vm.expectRevert(notInState(ids[i], IGuaranteeRegistry.Action.WithdrawClaim, statuses[i], allowed));
            registry.withdrawClaim(ids[i], AGENCY);
        }
    }
}

/// @notice Wrong states for supersede, suspend, resume and expire.
contract GuaranteeEndStateTest is GuaranteeBase {
    // ---------------------------------------------------------------- supersede

    function test_supersede_revertsWhenPendingAcceptance() public {
        bytes32 id = issued("LG-2569-000001");
        bytes32 replacement = issued("LG-2569-000002");
        vm.prank(gateway);
        vm.expectRevert(notInState(id, IGuaranteeRegistry.Action.Supersede, PENDING, mask(ACTIVE)));
        registry.supersede(id, AGENCY, replacement);
    }

    function test_supersede_revertsWhenClaimed() public {
        bytes32 id = claimed("LG-2569-000001", 40_000_000);
        bytes32 replacement = issued("LG-2569-000002");
        vm.prank(gateway);
        vm.expectRevert(notInState(id, IGuaranteeRegistry.Action.Supersede, CLAIMED, mask(ACTIVE)));
        registry.supersede(id, AGENCY, replacement);
    }

    function test_supersede_revertsWhenSuspended() public {
        bytes32 id = suspendedBy(active("LG-2569-000001"));
        bytes32 replacement = issued("LG-2569-000002");
        vm.prank(gateway);
        vm.expectRevert(notInState(id, IGuaranteeRegistry.Action.Supersede, SUSPENDED, mask(ACTIVE)));
        registry.supersede(id, AGENCY, replacement);
    }

    function test_supersede_revertsOnTerminalStates() public {
        bytes32 replacement = issued("LG-2569-000002");
        (bytes32[6] memory ids, IGuaranteeRegistry.Status[6] memory statuses) = terminals();
        for (uint256 i = 0; i < ids.length; i++) {
            vm.prank(gateway);
            vm.expectRevert(notInState(ids[i], IGuaranteeRegistry.Action.Supersede, statuses[i], mask(ACTIVE)));
            registry.supersede(ids[i], AGENCY, replacement);
        }
    }

    /// A pending replacement could still be cancelled or rejected, leaving the agency unsecured.
    function test_supersede_revertsWhenReplacementPending() public {
        bytes32 id = active("LG-2569-000001");
        bytes32 replacement = issued("LG-2569-000002");
        vm.prank(gateway);
        vm.expectRevert(notInState(replacement, IGuaranteeRegistry.Action.Supersede, PENDING, mask(ACTIVE)));
        registry.supersede(id, AGENCY, replacement);
        assertStatus(id, ACTIVE, "old one untouched");
    }

    function test_supersede_revertsWhenReplacementSuspended() public {
        bytes32 id = active("LG-2569-000001");
        bytes32 replacement = suspendedBy(issued("LG-2569-000002"));
        vm.prank(gateway);
        vm.expectRevert(notInState(replacement, IGuaranteeRegistry.Action.Supersede, SUSPENDED, mask(ACTIVE)));
        registry.supersede(id, AGENCY, replacement);
    }

    function test_supersede_revertsWhenReplacementClaimed() public {
        bytes32 id = active("LG-2569-000001");
        bytes32 replacement = claimed("LG-2569-000002", 40_000_000);
        vm.prank(gateway);
        vm.expectRevert(notInState(replacement, IGuaranteeRegistry.Action.Supersede, CLAIMED, mask(ACTIVE)));
        registry.supersede(id, AGENCY, replacement);
    }

    function test_supersede_revertsWhenReplacementTerminal() public {
        bytes32 id = active("LG-2569-000001");
        (bytes32[6] memory ids, IGuaranteeRegistry.Status[6] memory statuses) = terminals();
        for (uint256 i = 0; i < ids.length; i++) {
            vm.prank(gateway);
            vm.expectRevert(notInState(ids[i], IGuaranteeRegistry.Action.Supersede, statuses[i], mask(ACTIVE)));
            registry.supersede(id, AGENCY, ids[i]);
        }
        assertStatus(id, ACTIVE, "still active");
    }

    function test_supersede_revertsWhenReplacementUnknown() public {
        bytes32 id = active("LG-2569-000001");
        bytes32 replacement = idOf(BANK_A, "NEVER-ISSUED");
        vm.prank(gateway);
        vm.expectRevert(notFound(replacement));
        registry.supersede(id, AGENCY, replacement);
    }

    // ---------------------------------------------------------------- suspend and resume

    function test_suspend_revertsWhenSuspendedTwice() public {
        bytes32 id = suspendedBy(active("LG-2569-000001"));
        vm.prank(admin);
        vm.expectRevert(notInState(id, IGuaranteeRegistry.Action.Suspend, SUSPENDED, _live()));
        registry.suspend(id, COURT_ORDER);
        assertEq(uint8(registry.getGuarantee(id).statusBeforeSuspension), uint8(ACTIVE), "status before suspension");
    }

    function test_suspend_revertsOnTerminalStates() public {
        (bytes32[6] memory ids, IGuaranteeRegistry.Status[6] memory statuses) = terminals();
        for (uint256 i = 0; i < ids.length; i++) {
            vm.prank(admin);
            vm.expectRevert(notInState(ids[i], IGuaranteeRegistry.Action.Suspend, statuses[i], _live()));
            registry.suspend(ids[i], COURT_ORDER);
        }
    }

    function test_resume_revertsWhenNotSuspended() public {
        bytes32 id = active("LG-2569-000001");
        vm.prank(admin);
        vm.expectRevert(notInState(id, IGuaranteeRegistry.Action.Resume, ACTIVE, mask(SUSPENDED)));
        registry.resume(id, COURT_ORDER);
    }

    function test_resume_revertsWhenResumedTwice() public {
        bytes32 id = suspendedBy(claimed("LG-2569-000001", 40_000_000));
        vm.prank(admin);
        registry.resume(id, COURT_ORDER);
        vm.prank(admin);
        vm.expectRevert(notInState(id, IGuaranteeRegistry.Action.Resume, CLAIMED, mask(SUSPENDED)));
        registry.resume(id, COURT_ORDER);
    }

    function test_resume_revertsOnTerminalStates() public {
        (bytes32[6] memory ids, IGuaranteeRegistry.Status[6] memory statuses) = terminals();
        for (uint256 i = 0; i < ids.length; i++) {
            vm.prank(admin);
            vm.expectRevert(notInState(ids[i], IGuaranteeRegistry.Action.Resume, statuses[i], mask(SUSPENDED)));
            registry.resume(ids[i], COURT_ORDER);
        }
    }

    // ---------------------------------------------------------------- expire

    function test_expire_revertsWithClaimOpen() public {
        bytes32 id = claimed("LG-2569-000001", 40_000_000);
        vm.warp(EXPIRY + 1);
        vm.expectRevert(notInState(id, IGuaranteeRegistry.Action.Expire, CLAIMED, mask(PENDING, ACTIVE)));
        registry.expire(id);
    }

    function test_expire_revertsWithExtendOrPayOpen() public {
        bytes32 id = extendOrPay("LG-2569-000001", 40_000_000);
        vm.warp(EXPIRY + 1);
        vm.expectRevert(notInState(id, IGuaranteeRegistry.Action.Expire, EXTEND_OR_PAY, mask(PENDING, ACTIVE)));
        registry.expire(id);
    }

    function test_expire_revertsWhenSuspended() public {
        bytes32 id = suspendedBy(active("LG-2569-000001"));
        vm.warp(EXPIRY + 1);
        vm.expectRevert(notInState(id, IGuaranteeRegistry.Action.Expire, SUSPENDED, mask(PENDING, ACTIVE)));
        registry.expire(id);
    }

    function test_expire_revertsOnTerminalStates() public {
        (bytes32[6] memory ids, IGuaranteeRegistry.Status[6] memory statuses) = terminals();
        vm.warp(EXPIRY + 1);
        for (uint256 i = 0; i < ids.length; i++) {
            vm.expectRevert(notInState(ids[i], IGuaranteeRegistry.Action.Expire, statuses[i], mask(PENDING, ACTIVE)));
            registry.expire(ids[i]);
        }
    }

    /// The statuses suspend accepts: every non-terminal one except Suspended itself.
    function _live() private pure returns (uint16) {
        return mask(PENDING, ACTIVE) | mask(CLAIMED, EXTEND_OR_PAY);
    }
}
