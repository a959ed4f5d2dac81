// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {GuaranteeBase} from "./GuaranteeBase.sol";
import {IGuaranteeRegistry} from "../src/interfaces/IGuaranteeRegistry.sol";

/// @notice An answer names what it answers: the bank's answers name the claim, the agency's the
/// amendment. An answer prepared for one that is no longer open is refused, naming both sequences,
/// and changes nothing.
contract GuaranteeAnswersTest is GuaranteeBase {
    function staleClaim(bytes32 id, uint16 named, uint16 open) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(IGuaranteeRegistry.StaleClaim.selector, id, named, open);
    }

    function staleAmendment(bytes32 id, uint16 named, uint16 pending) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(IGuaranteeRegistry.StaleAmendment.selector, id, named, pending);
    }

    /// Claim 1 (10 M) withdrawn, claim 2 (50 M) open.
    function secondClaimOpen(bool extendOrPay) internal returns (bytes32 id) {
        id = active("LG-2569-000001");
        vm.startPrank(gateway);
        registry.claim(id, AGENCY, 10_000_000, DEMAND);
        registry.withdrawClaim(id, AGENCY);
        if (extendOrPay) registry.claimExtendOrPay(id, AGENCY, 50_000_000, EXPIRY + 90 * DAY, DEMAND);
        else registry.claim(id, AGENCY, 50_000_000, DEMAND);
        vm.stopPrank();
    }

    /// Amendment 1 rejected, amendment 2 pending.
    function secondAmendmentPending() internal returns (bytes32 id) {
        id = amended("LG-2569-000001", 150_000_000);
        vm.prank(gateway);
        registry.rejectAmendment(id, AGENCY, 1, REASON);
        vm.prank(bankA);
        registry.proposeAmendment(id, 200_000_000, EXPIRY + 60 * DAY, TERMS);
    }

    // ---------------------------------------------------------------- the bank's answers

    /// A payment of 10 M prepared for claim 1 must not close claim 2 of 50 M.
    function test_pay_revertsWhenClaimStale() public {
        bytes32 id = secondClaimOpen(false);
        vm.prank(bankA);
        vm.expectRevert(staleClaim(id, 1, 2));
        registry.pay(id, 1, 10_000_000, PAYMENT_REF);
        IGuaranteeRegistry.Guarantee memory g = registry.getGuarantee(id);
        assertEq(g.claimAmount, 50_000_000, "claim 2 still open");
        assertEq(g.outstanding, AMOUNT, "nothing paid");
        assertStatus(id, CLAIMED, "status");
    }

    function test_pay_revertsWhenClaimNotYetMade() public {
        bytes32 id = claimed("LG-2569-000001", 10_000_000);
        vm.prank(bankA);
        vm.expectRevert(staleClaim(id, 2, 1));
        registry.pay(id, 2, 10_000_000, PAYMENT_REF);
    }

    function test_pay_namesTheOpenClaim() public {
        bytes32 id = secondClaimOpen(false);
        vm.expectEmit(true, true, true, true, address(registry));
        emit IGuaranteeRegistry.ClaimPaid(id, 2, 50_000_000, PAYMENT_REF, 50_000_000, 50_000_000, ACTIVE, bankA);
        vm.prank(bankA);
        registry.pay(id, 2, 50_000_000, PAYMENT_REF);
    }

    function test_rejectClaim_revertsWhenClaimStale() public {
        bytes32 id = secondClaimOpen(false);
        bytes32[] memory discrepancies = new bytes32[](1);
        discrepancies[0] = "LATE PRESENTATION";
        vm.prank(bankA);
        vm.expectRevert(staleClaim(id, 1, 2));
        registry.rejectClaim(id, 1, discrepancies);
        assertStatus(id, CLAIMED, "claim 2 still open");
    }

    function test_extend_revertsWhenClaimStale() public {
        bytes32 id = secondClaimOpen(true);
        vm.prank(bankA);
        vm.expectRevert(staleClaim(id, 1, 2));
        registry.extend(id, 1, EXPIRY + 90 * DAY);
        assertStatus(id, EXTEND_OR_PAY, "claim 2 still open");
        assertEq(registry.getGuarantee(id).expiryDate, EXPIRY, "not extended");
    }

    // ---------------------------------------------------------------- the agency's answers

    /// An acceptance prepared for amendment 1 must not apply amendment 2.
    function test_acceptAmendment_revertsWhenAmendmentStale() public {
        bytes32 id = secondAmendmentPending();
        vm.prank(gateway);
        vm.expectRevert(staleAmendment(id, 1, 2));
        registry.acceptAmendment(id, AGENCY, 1);
        IGuaranteeRegistry.Guarantee memory g = registry.getGuarantee(id);
        assertEq(g.amount, AMOUNT, "old terms in force");
        assertEq(g.expiryDate, EXPIRY, "old expiry in force");
        assertTrue(g.amendmentPending, "amendment 2 still pending");
    }

    function test_acceptAmendment_revertsWhenAmendmentNotYetProposed() public {
        bytes32 id = amended("LG-2569-000001", 150_000_000);
        vm.prank(gateway);
        vm.expectRevert(staleAmendment(id, 2, 1));
        registry.acceptAmendment(id, AGENCY, 2);
    }

    function test_acceptAmendment_namesThePendingAmendment() public {
        bytes32 id = secondAmendmentPending();
        vm.prank(gateway);
        registry.acceptAmendment(id, AGENCY, 2);
        assertEq(registry.getGuarantee(id).amount, 200_000_000, "amendment 2 applied");
    }

    function test_rejectAmendment_revertsWhenAmendmentStale() public {
        bytes32 id = secondAmendmentPending();
        vm.prank(gateway);
        vm.expectRevert(staleAmendment(id, 1, 2));
        registry.rejectAmendment(id, AGENCY, 1, REASON);
        assertTrue(registry.getGuarantee(id).amendmentPending, "amendment 2 still pending");
    }
}
