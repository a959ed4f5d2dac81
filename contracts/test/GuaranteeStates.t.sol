// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {GuaranteeBase} from "./GuaranteeBase.sol";
import {IGuaranteeRegistry} from "../src/interfaces/IGuaranteeRegistry.sol";

// Each transition from each status it must not start from, by the right actor: the refusal is
// GuaranteeNotInState naming the action, the actual status and the statuses the action allows.
// Terminal statuses refuse everything, and nothing at all changes while a guarantee is Suspended.

/// @notice Wrong states for the bank's transitions: cancel, proposeAmendment, pay, rejectClaim, extend.
contract GuaranteeBankStateTest is GuaranteeBase {
    // ---------------------------------------------------------------- cancel

    function test_cancel_revertsAfterAcceptance() public {
        bytes32 id = active("LG-2569-000001");
        vm.prank(bankA);
        vm.expectRevert(notInState(id, IGuaranteeRegistry.Action.Cancel, ACTIVE, mask(PENDING)));
        registry.cancel(id, REASON);
    }

    function test_cancel_revertsWhenClaimed() public {
        bytes32 id = claimed("LG-2569-000001", 40_000_000);
        vm.prank(bankA);
        vm.expectRevert(notInState(id, IGuaranteeRegistry.Action.Cancel, CLAIMED, mask(PENDING)));
        registry.cancel(id, REASON);
    }

    function test_cancel_revertsWhenSuspended() public {
        bytes32 id = suspendedBy(issued("LG-2569-000001"));
        vm.prank(bankA);
        vm.expectRevert(notInState(id, IGuaranteeRegistry.Action.Cancel, SUSPENDED, mask(PENDING)));
        registry.cancel(id, REASON);
    }

    function test_cancel_revertsOnTerminalStates() public {
        (bytes32[6] memory ids, IGuaranteeRegistry.Status[6] memory statuses) = terminals();
        for (uint256 i = 0; i < ids.length; i++) {
            vm.prank(bankA);
            vm.expectRevert(notInState(ids[i], IGuaranteeRegistry.Action.Cancel, statuses[i], mask(PENDING)));
            registry.cancel(ids[i], REASON);
        }
    }

    // ---------------------------------------------------------------- proposeAmendment

    function test_proposeAmendment_revertsWhenPendingAcceptance() public {
        bytes32 id = issued("LG-2569-000001");
        vm.prank(bankA);
        vm.expectRevert(notInState(id, IGuaranteeRegistry.Action.ProposeAmendment, PENDING, mask(ACTIVE)));
        registry.proposeAmendment(id, 150_000_000, EXPIRY, TERMS);
    }

    function test_proposeAmendment_revertsWhenClaimed() public {
        bytes32 id = claimed("LG-2569-000001", 40_000_000);
        vm.prank(bankA);
        vm.expectRevert(notInState(id, IGuaranteeRegistry.Action.ProposeAmendment, CLAIMED, mask(ACTIVE)));
        registry.proposeAmendment(id, 150_000_000, EXPIRY, TERMS);
    }

    function test_proposeAmendment_revertsWhenExtendOrPay() public {
        bytes32 id = extendOrPay("LG-2569-000001", 40_000_000);
        vm.prank(bankA);
        vm.expectRevert(notInState(id, IGuaranteeRegistry.Action.ProposeAmendment, EXTEND_OR_PAY, mask(ACTIVE)));
        registry.proposeAmendment(id, 150_000_000, EXPIRY, TERMS);
    }

    function test_proposeAmendment_revertsWhenSuspended() public {
        bytes32 id = suspendedBy(active("LG-2569-000001"));
        vm.prank(bankA);
        vm.expectRevert(notInState(id, IGuaranteeRegistry.Action.ProposeAmendment, SUSPENDED, mask(ACTIVE)));
        registry.proposeAmendment(id, 150_000_000, EXPIRY, TERMS);
    }

    function test_proposeAmendment_revertsOnTerminalStates() public {
        (bytes32[6] memory ids, IGuaranteeRegistry.Status[6] memory statuses) = terminals();
        for (uint256 i = 0; i < ids.length; i++) {
            vm.prank(bankA);
            vm.expectRevert(notInState(ids[i], IGuaranteeRegistry.Action.ProposeAmendment, statuses[i], mask(ACTIVE)));
            registry.proposeAmendment(ids[i], 150_000_000, EXPIRY, TERMS);
        }
    }

    // ---------------------------------------------------------------- pay

    function test_pay_revertsWithoutClaim() public {
        bytes32 id = active("LG-2569-000001");
        vm.prank(bankA);
        vm.expectRevert(notInState(id, IGuaranteeRegistry.Action.Pay, ACTIVE, mask(CLAIMED, EXTEND_OR_PAY)));
        registry.pay(id, 1, 40_000_000, PAYMENT_REF);
    }

    function test_pay_revertsWhenPendingAcceptance() public {
        bytes32 id = issued("LG-2569-000001");
        vm.prank(bankA);
        vm.expectRevert(notInState(id, IGuaranteeRegistry.Action.Pay, PENDING, mask(CLAIMED, EXTEND_OR_PAY)));
        registry.pay(id, 1, 40_000_000, PAYMENT_REF);
    }

    function test_pay_revertsWhenSuspended() public {
        bytes32 id = suspendedBy(claimed("LG-2569-000001", 40_000_000));
        vm.prank(bankA);
        vm.expectRevert(notInState(id, IGuaranteeRegistry.Action.Pay, SUSPENDED, mask(CLAIMED, EXTEND_OR_PAY)));
        registry.pay(id, 1, 40_000_000, PAYMENT_REF);
    }

    function test_pay_revertsOnTerminalStates() public {
        (bytes32[6] memory ids, IGuaranteeRegistry.Status[6] memory statuses) = terminals();
        for (uint256 i = 0; i < ids.length; i++) {
            vm.prank(bankA);
            vm.expectRevert(
                notInState(ids[i], IGuaranteeRegistry.Action.Pay, statuses[i], mask(CLAIMED, EXTEND_OR_PAY))
            );
            registry.pay(ids[i], 1, 1, PAYMENT_REF);
        }
    }

    // ---------------------------------------------------------------- rejectClaim

    function test_rejectClaim_revertsWithoutClaim() public {
        bytes32 id = active("LG-2569-000001");
        bytes32[] memory discrepancies = _discrepancies();
        vm.prank(bankA);
        vm.expectRevert(notInState(id, IGuaranteeRegistry.Action.RejectClaim, ACTIVE, mask(CLAIMED, EXTEND_OR_PAY)));
        registry.rejectClaim(id, 1, discrepancies);
    }

    function test_rejectClaim_revertsWhenSuspended() public {
        bytes32 id = suspendedBy(claimed("LG-2569-000001", 40_000_000));
        bytes32[] memory discrepancies = _discrepancies();
        vm.prank(bankA);
        vm.expectRevert(notInState(id, IGuaranteeRegistry.Action.RejectClaim, SUSPENDED, mask(CLAIMED, EXTEND_OR_PAY)));
        registry.rejectClaim(id, 1, discrepancies);
    }

    function test_rejectClaim_revertsOnTerminalStates() public {
        (bytes32[6] memory ids, IGuaranteeRegistry.Status[6] memory statuses) = terminals();
        bytes32[] memory discrepancies = _discrepancies();
        for (uint256 i = 0; i < ids.length; i++) {
            vm.prank(bankA);
            vm.expectRevert(
                notInState(ids[i], IGuaranteeRegistry.Action.RejectClaim, statuses[i], mask(CLAIMED, EXTEND_OR_PAY))
            );
            registry.rejectClaim(ids[i], 1, discrepancies);
        }
    }

    // ---------------------------------------------------------------- extend

    function test_extend_revertsForPayOnlyClaim() public {
        bytes32 id = claimed("LG-2569-000001", 40_000_000);
        vm.prank(bankA);
        vm.expectRevert(notInState(id, IGuaranteeRegistry.Action.Extend, CLAIMED, mask(EXTEND_OR_PAY)));
        registry.extend(id, 1, EXPIRY + 90 * DAY);
    }

    function test_extend_revertsWithoutClaim() public {
        bytes32 id = active("LG-2569-000001");
        vm.prank(bankA);
        vm.expectRevert(notInState(id, IGuaranteeRegistry.Action.Extend, ACTIVE, mask(EXTEND_OR_PAY)));
        registry.extend(id, 1, EXPIRY + 90 * DAY);
    }

    function test_extend_revertsWhenSuspended() public {
        bytes32 id = suspendedBy(extendOrPay("LG-2569-000001", 40_000_000));
        vm.prank(bankA);
        vm.expectRevert(notInState(id, IGuaranteeRegistry.Action.Extend, SUSPENDED, mask(EXTEND_OR_PAY)));
        registry.extend(id, 1, EXPIRY + 90 * DAY);
    }

    function test_extend_revertsOnTerminalStates() public {
        (bytes32[6] memory ids, IGuaranteeRegistry.Status[6] memory statuses) = terminals();
        for (uint256 i = 0; i < ids.length; i++) {
            vm.prank(bankA);
            vm.expectRevert(notInState(ids[i], IGuaranteeRegistry.Action.Extend, statuses[i], mask(EXTEND_OR_PAY)));
            registry.extend(ids[i], 1, EXPIRY + 90 * DAY);
        }
    }

    function _discrepancies() private pure returns (bytes32[] memory list) {
        list = new bytes32[](1);
        list[0] = "LATE-PRESENTATION";
    }
}

/// @notice Wrong states for accept, reject, acceptAmendment, rejectAmendment, reduce and release.
contract GuaranteeAgencyStateTest is GuaranteeBase {
    // ---------------------------------------------------------------- accept and reject

    function test_accept_revertsWhenAcceptedTwice() public {
        bytes32 id = active("LG-2569-000001");
        vm.prank(gateway);
        vm.expectRevert(notInState(id, IGuaranteeRegistry.Action.Accept, ACTIVE, mask(PENDING)));
        registry.accept(id, AGENCY);
    }

    function test_accept_revertsWhenSuspended() public {
        bytes32 id = suspendedBy(issued("LG-2569-000001"));
        vm.prank(gateway);
        vm.expectRevert(notInState(id, IGuaranteeRegistry.Action.Accept, SUSPENDED, mask(PENDING)));
        registry.accept(id, AGENCY);
    }

    function test_accept_revertsOnTerminalStates() public {
        (bytes32[6] memory ids, IGuaranteeRegistry.Status[6] memory statuses) = terminals();
        for (uint256 i = 0; i < ids.length; i++) {
            vm.prank(gateway);
            vm.expectRevert(notInState(ids[i], IGuaranteeRegistry.Action.Accept, statuses[i], mask(PENDING)));
            registry.accept(ids[i], AGENCY);
        }
    }

    function test_reject_revertsAfterAcceptance() public {
        bytes32 id = active("LG-2569-000001");
        vm.prank(gateway);
        vm.expectRevert(notInState(id, IGuaranteeRegistry.Action.Reject, ACTIVE, mask(PENDING)));
        registry.reject(id, AGENCY, REASON);
    }

    function test_reject_revertsWhenSuspended() public {
        bytes32 id = suspendedBy(issued("LG-2569-000001"));
        vm.prank(gateway);
        vm.expectRevert(notInState(id, IGuaranteeRegistry.Action.Reject, SUSPENDED, mask(PENDING)));
        registry.reject(id, AGENCY, REASON);
    }

    function test_reject_revertsOnTerminalStates() public {
        (bytes32[6] memory ids, IGuaranteeRegistry.Status[6] memory statuses) = terminals();
        for (uint256 i = 0; i < ids.length; i++) {
            vm.prank(gateway);
            vm.expectRevert(notInState(ids[i], IGuaranteeRegistry.Action.Reject, statuses[i], mask(PENDING)));
            registry.reject(ids[i], AGENCY, REASON);
        }
    }

    // ---------------------------------------------------------------- acceptAmendment and rejectAmendment

    function test_acceptAmendment_revertsWhenClaimOpen() public {
        bytes32 id = amended("LG-2569-000001", 150_000_000);
        vm.prank(gateway);
        registry.claim(id, AGENCY, 40_000_000, DEMAND);
        vm.prank(gateway);
        vm.expectRevert(notInState(id, IGuaranteeRegistry.Action.AcceptAmendment, CLAIMED, mask(ACTIVE)));
        registry.acceptAmendment(id, AGENCY, 1);
    }

    function test_acceptAmendment_revertsWhenSuspended() public {
        bytes32 id = suspendedBy(amended("LG-2569-000001", 150_000_000));
        vm.prank(gateway);
        vm.expectRevert(notInState(id, IGuaranteeRegistry.Action.AcceptAmendment, SUSPENDED, mask(ACTIVE)));
        registry.acceptAmendment(id, AGENCY, 1);
    }

    function test_acceptAmendment_revertsOnTerminalStates() public {
        (bytes32[6] memory ids, IGuaranteeRegistry.Status[6] memory statuses) = terminals();
        for (uint256 i = 0; i < ids.length; i++) {
            vm.prank(gateway);
            vm.expectRevert(notInState(ids[i], IGuaranteeRegistry.Action.AcceptAmendment, statuses[i], mask(ACTIVE)));
            registry.acceptAmendment(ids[i], AGENCY, 1);
        }
    }

    function test_acceptAmendment_revertsWhenReleasedWithAmendmentPending() public {
        bytes32 id = amended("LG-2569-000001", 150_000_000);
        vm.prank(gateway);
        registry.release(id, AGENCY, START);
        vm.prank(gateway);
        vm.expectRevert(notInState(id, IGuaranteeRegistry.Action.AcceptAmendment, RELEASED, mask(ACTIVE)));
        registry.acceptAmendment(id, AGENCY, 1);
    }

    function test_rejectAmendment_revertsWhenPendingAcceptance() public {
        bytes32 id = issued("LG-2569-000001");
        uint16 allowed = mask(ACTIVE, CLAIMED, EXTEND_OR_PAY);
        vm.prank(gateway);
        vm.expectRevert(notInState(id, IGuaranteeRegistry.Action.RejectAmendment, PENDING, allowed));
        registry.rejectAmendment(id, AGENCY, 1, REASON);
    }

    function test_rejectAmendment_revertsWhenSuspended() public {
        bytes32 id = suspendedBy(amended("LG-2569-000001", 150_000_000));
        uint16 allowed = mask(ACTIVE, CLAIMED, EXTEND_OR_PAY);
        vm.prank(gateway);
        vm.expectRevert(notInState(id, IGuaranteeRegistry.Action.RejectAmendment, SUSPENDED, allowed));
        registry.rejectAmendment(id, AGENCY, 1, REASON);
    }

    function test_rejectAmendment_revertsOnTerminalStates() public {
        (bytes32[6] memory ids, IGuaranteeRegistry.Status[6] memory statuses) = terminals();
        uint16 allowed = mask(ACTIVE, CLAIMED, EXTEND_OR_PAY);
        for (uint256 i = 0; i < ids.length; i++) {
            vm.prank(gateway);
            vm.expectRevert(notInState(ids[i], IGuaranteeRegistry.Action.RejectAmendment, statuses[i], allowed));
            registry.rejectAmendment(ids[i], AGENCY, 1, REASON);
        }
    }

    // ---------------------------------------------------------------- reduce and release

    function test_reduce_revertsWhenPendingAcceptance() public {
        bytes32 id = issued("LG-2569-000001");
        vm.prank(gateway);
        vm.expectRevert(notInState(id, IGuaranteeRegistry.Action.Reduce, PENDING, mask(ACTIVE)));
        registry.reduce(id, AGENCY, 10_000_000);
    }

    function test_reduce_revertsWhenClaimed() public {
        bytes32 id = claimed("LG-2569-000001", 40_000_000);
        vm.prank(gateway);
        vm.expectRevert(notInState(id, IGuaranteeRegistry.Action.Reduce, CLAIMED, mask(ACTIVE)));
        registry.reduce(id, AGENCY, 10_000_000);
    }

    function test_reduce_revertsWhenSuspended() public {
        bytes32 id = suspendedBy(active("LG-2569-000001"));
        vm.prank(gateway);
        vm.expectRevert(notInState(id, IGuaranteeRegistry.Action.Reduce, SUSPENDED, mask(ACTIVE)));
        registry.reduce(id, AGENCY, 10_000_000);
    }

    function test_reduce_revertsOnTerminalStates() public {
        (bytes32[6] memory ids, IGuaranteeRegistry.Status[6] memory statuses) = terminals();
        for (uint256 i = 0; i < ids.length; i++) {
            vm.prank(gateway);
            vm.expectRevert(notInState(ids[i], IGuaranteeRegistry.Action.Reduce, statuses[i], mask(ACTIVE)));
            registry.reduce(ids[i], AGENCY, 1);
        }
    }

    function test_release_revertsWhenPendingAcceptance() public {
        bytes32 id = issued("LG-2569-000001");
        vm.prank(gateway);
        vm.expectRevert(notInState(id, IGuaranteeRegistry.Action.Release, PENDING, mask(ACTIVE)));
        registry.release(id, AGENCY, START);
    }

    function test_release_revertsWhenClaimed() public {
        bytes32 id = claimed("LG-2569-000001", 40_000_000);
        vm.prank(gateway);
        vm.expectRevert(notInState(id, IGuaranteeRegistry.Action.Release, CLAIMED, mask(ACTIVE)));
        registry.release(id, AGENCY, START);
    }

    function test_release_revertsWhenSuspended() public {
        bytes32 id = suspendedBy(active("LG-2569-000001"));
        vm.prank(gateway);
        vm.expectRevert(notInState(id, IGuaranteeRegistry.Action.Release, SUSPENDED, mask(ACTIVE)));
        registry.release(id, AGENCY, START);
    }

    function test_release_revertsOnTerminalStates() public {
        (bytes32[6] memory ids, IGuaranteeRegistry.Status[6] memory statuses) = terminals();
        for (uint256 i = 0; i < ids.length; i++) {
            vm.prank(gateway);
            vm.expectRevert(notInState(ids[i], IGuaranteeRegistry.Action.Release, statuses[i], mask(ACTIVE)));
            registry.release(ids[i], AGENCY, START);
        }
    }
}
