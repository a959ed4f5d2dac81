// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {GuaranteeBase} from "./GuaranteeBase.sol";
import {IConsortium} from "../src/interfaces/IConsortium.sol";
import {IGuaranteeRegistry} from "../src/interfaces/IGuaranteeRegistry.sol";

/// @notice Dates: a guarantee is issued with a future fixed expiry and takes effect on its effective
/// date; nothing is accepted after the fixed expiry; an amendment lapses rather than overwrite a
/// later change of terms, and when the guarantee ends; no date arithmetic can overflow.
contract GuaranteeTimeRulesTest is GuaranteeBase {
    uint64 internal constant LATEST = 253_402_275_599; // 9999-12-31T23:59:59+07:00
    uint64 internal constant MAX = type(uint64).max;

    function expiryPassed(bytes32 id, IGuaranteeRegistry.Action action, uint64 expiry, uint64 at)
        internal
        pure
        returns (bytes memory)
    {
        return abi.encodeWithSelector(IGuaranteeRegistry.ExpiryPassed.selector, id, action, expiry, at);
    }

    function notYetEffective(bytes32 id, IGuaranteeRegistry.Action action, uint64 effective, uint64 at)
        internal
        pure
        returns (bytes memory)
    {
        return abi.encodeWithSelector(IGuaranteeRegistry.NotYetEffective.selector, id, action, effective, at);
    }

    function outOfRange(uint64 date) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(IGuaranteeRegistry.DateOutOfRange.selector, date, LATEST);
    }

    /// Active `bankRef`, in force from `effective`.
    function activeFrom(string memory bankRef, uint64 effective) internal returns (bytes32 id) {
        IGuaranteeRegistry.IssueRequest memory request = guaranteeRequest(bankRef);
        request.effectiveDate = effective;
        vm.prank(bankA);
        id = registry.issue(request);
        vm.prank(gateway);
        registry.accept(id, AGENCY);
    }

    /// Active `bankRef` with a fixed expiry on `expiry`.
    function activeUntil(string memory bankRef, uint64 expiry) internal returns (bytes32 id) {
        id = issuedExpiring(bankRef, expiry);
        vm.prank(gateway);
        registry.accept(id, AGENCY);
    }

    function expectLapse(
        bytes32 id,
        uint16 sequence,
        IGuaranteeRegistry.Action cause,
        IGuaranteeRegistry.Status statusAfter,
        address actor
    ) internal {
        vm.expectEmit(true, true, true, true, address(registry));
        emit IGuaranteeRegistry.AmendmentLapsed(id, sequence, cause, statusAfter, actor);
    }

    function assertNoPendingAmendment(bytes32 id) internal view {
        IGuaranteeRegistry.Guarantee memory g = registry.getGuarantee(id);
        assertTrue(!g.amendmentPending, "no amendment pending");
        assertEq(g.pendingAmount, 0, "pending amount cleared");
        assertEq(g.pendingExpiryDate, 0, "pending expiry cleared");
        assertEq(g.pendingTermsHash, bytes32(0), "pending terms cleared");
    }

    // ---------------------------------------------------------------- issue

    function test_issue_revertsWhenFixedExpiryPassed() public {
        IGuaranteeRegistry.IssueRequest memory request = guaranteeRequest("LG-2569-000001");
        request.effectiveDate = START - 30 * DAY;
        request.expiryDate = START - DAY;
        vm.prank(bankA);
        vm.expectRevert(abi.encodeWithSelector(IGuaranteeRegistry.ExpiryNotInFuture.selector, MAIN, START - DAY, START));
        registry.issue(request);
    }

    function test_issue_revertsWhenFixedExpiryIsNow() public {
        IGuaranteeRegistry.IssueRequest memory request = guaranteeRequest("LG-2569-000001");
        request.effectiveDate = START - 30 * DAY;
        request.expiryDate = START;
        vm.prank(bankA);
        vm.expectRevert(abi.encodeWithSelector(IGuaranteeRegistry.ExpiryNotInFuture.selector, MAIN, START, START));
        registry.issue(request);
    }

    function test_issue_storesEffectiveDate() public {
        IGuaranteeRegistry.IssueRequest memory request = guaranteeRequest("LG-2569-000001");
        request.effectiveDate = START + 10 * DAY;
        vm.prank(bankA);
        bytes32 id = registry.issue(request);
        assertEq(registry.getGuarantee(id).effectiveDate, START + 10 * DAY, "effective date");
    }

    function test_issue_revertsWhenExpiryNearUint64Max() public {
        IGuaranteeRegistry.IssueRequest memory request = guaranteeRequest("LG-2569-000001");
        request.expiryDate = MAX;
        vm.prank(bankA);
        vm.expectRevert(outOfRange(MAX));
        registry.issue(request);
    }

    function test_issue_revertsWhenEffectiveDateNearUint64Max() public {
        IGuaranteeRegistry.IssueRequest memory request = guaranteeRequest("LG-2569-000001");
        request.effectiveDate = MAX - 1;
        request.expiryDate = MAX;
        vm.prank(bankA);
        vm.expectRevert(outOfRange(MAX - 1));
        registry.issue(request);
    }

    function test_issue_expiryOnLatestDate() public {
        bytes32 id = issuedExpiring("LG-2569-000001", LATEST);
        assertEq(registry.getGuarantee(id).expiryDate, LATEST, "expiry");
    }

    function test_issue_revertsWhenAmountAbove96Bits() public {
        IGuaranteeRegistry.IssueRequest memory request = guaranteeRequest("LG-2569-000001");
        request.amount = uint128(type(uint96).max) + 1;
        vm.prank(bankA);
        vm.expectRevert(
            abi.encodeWithSelector(
                IGuaranteeRegistry.AmountOutOfRange.selector, request.amount, uint128(type(uint96).max)
            )
        );
        registry.issue(request);
    }

    function test_issue_amountOf96Bits() public {
        IGuaranteeRegistry.IssueRequest memory request = guaranteeRequest("LG-2569-000001");
        request.amount = type(uint96).max;
        vm.prank(bankA);
        bytes32 id = registry.issue(request);
        assertEq(registry.getGuarantee(id).outstanding, type(uint96).max, "outstanding");
    }

    /// The consortium refuses such codes; the registry does not rely on it.
    function test_issue_revertsWhenAgencyCodeLongerThan11Bytes() public {
        IGuaranteeRegistry.IssueRequest memory request = guaranteeRequest("LG-2569-000001");
        request.agencyCode = "21009-DISBURSE";
        vm.prank(bankA);
        vm.expectRevert(abi.encodeWithSelector(IConsortium.AgencyCodeTooLong.selector, request.agencyCode, 11));
        registry.issue(request);
    }

    // ---------------------------------------------------------------- effective date

    function test_claim_revertsBeforeEffectiveDate() public {
        bytes32 id = activeFrom("LG-2569-000001", START + 10 * DAY);
        vm.warp(START + 10 * DAY - 1);
        vm.prank(gateway);
        vm.expectRevert(notYetEffective(id, IGuaranteeRegistry.Action.Claim, START + 10 * DAY, START + 10 * DAY - 1));
        registry.claim(id, AGENCY, 1, DEMAND);
    }

    function test_claimExtendOrPay_revertsBeforeEffectiveDate() public {
        bytes32 id = activeFrom("LG-2569-000001", START + 10 * DAY);
        vm.prank(gateway);
        vm.expectRevert(notYetEffective(id, IGuaranteeRegistry.Action.Claim, START + 10 * DAY, START));
        registry.claimExtendOrPay(id, AGENCY, 1, EXPIRY + DAY, DEMAND);
    }

    function test_claim_onEffectiveDate() public {
        bytes32 id = activeFrom("LG-2569-000001", START + 10 * DAY);
        vm.warp(START + 10 * DAY);
        vm.prank(gateway);
        registry.claim(id, AGENCY, 1, DEMAND);
        assertStatus(id, CLAIMED, "claimed");
    }

    // ---------------------------------------------------------------- after the fixed expiry

    function test_accept_revertsAfterFixedExpiry() public {
        bytes32 id = issued("LG-2569-000001");
        vm.warp(EXPIRY + 1);
        vm.prank(gateway);
        vm.expectRevert(expiryPassed(id, IGuaranteeRegistry.Action.Accept, EXPIRY, EXPIRY + 1));
        registry.accept(id, AGENCY);
        assertStatus(id, PENDING, "still pending");
    }

    function test_accept_onExpiryDate() public {
        bytes32 id = issued("LG-2569-000001");
        vm.warp(EXPIRY);
        vm.prank(gateway);
        registry.accept(id, AGENCY);
        assertStatus(id, ACTIVE, "accepted at the last second");
    }

    /// Today an amendment accepted after expiry would revive a dead guarantee.
    function test_acceptAmendment_revertsAfterFixedExpiry() public {
        bytes32 id = amended("LG-2569-000001", 150_000_000);
        vm.warp(EXPIRY + 1);
        vm.prank(gateway);
        vm.expectRevert(expiryPassed(id, IGuaranteeRegistry.Action.AcceptAmendment, EXPIRY, EXPIRY + 1));
        registry.acceptAmendment(id, AGENCY, 1);
        assertEq(registry.getGuarantee(id).expiryDate, EXPIRY, "not revived");
    }

    /// A proposed expiry that has passed by the time of the answer is no expiry to accept.
    function test_acceptAmendment_revertsWhenProposedExpiryPassed() public {
        bytes32 id = active("LG-2569-000001");
        vm.prank(bankA);
        registry.proposeAmendment(id, AMOUNT, START + 30 * DAY, TERMS);
        vm.warp(START + 30 * DAY + 1);
        vm.prank(gateway);
        vm.expectRevert(
            abi.encodeWithSelector(
                IGuaranteeRegistry.ExpiryNotInFuture.selector, id, START + 30 * DAY, START + 30 * DAY + 1
            )
        );
        registry.acceptAmendment(id, AGENCY, 1);
        assertEq(registry.getGuarantee(id).expiryDate, EXPIRY, "expiry unchanged");
    }

    function test_proposeAmendment_revertsAfterFixedExpiry() public {
        bytes32 id = active("LG-2569-000001");
        vm.warp(EXPIRY + 1);
        vm.prank(bankA);
        vm.expectRevert(expiryPassed(id, IGuaranteeRegistry.Action.ProposeAmendment, EXPIRY, EXPIRY + 1));
        registry.proposeAmendment(id, AMOUNT, EXPIRY + 90 * DAY, TERMS);
    }

    function test_proposeAmendment_revertsWhenExpiryNearUint64Max() public {
        bytes32 id = active("LG-2569-000001");
        vm.prank(bankA);
        vm.expectRevert(outOfRange(MAX));
        registry.proposeAmendment(id, AMOUNT, MAX, TERMS);
    }

    function test_proposeAmendment_revertsWhenAmountAbove96Bits() public {
        bytes32 id = active("LG-2569-000001");
        uint128 tooMuch = uint128(type(uint96).max) + 1;
        vm.prank(bankA);
        vm.expectRevert(
            abi.encodeWithSelector(IGuaranteeRegistry.AmountOutOfRange.selector, tooMuch, uint128(type(uint96).max))
        );
        registry.proposeAmendment(id, tooMuch, EXPIRY, TERMS);
    }

    // ---------------------------------------------------------------- lapse on a later change of terms

    /// Today acceptAmendment copies the proposed expiry over an extension granted after the
    /// proposal, cutting the agency's cover.
    function test_acceptAmendment_revertsWhenLapsedByExtension() public {
        bytes32 id = amended("LG-2569-000001", 150_000_000); // proposes EXPIRY + 30 days
        vm.prank(gateway);
        registry.claimExtendOrPay(id, AGENCY, 1_000_000, EXPIRY + 90 * DAY, DEMAND);
        vm.prank(bankA);
        registry.extend(id, 1, EXPIRY + 90 * DAY);
        vm.prank(gateway);
        vm.expectRevert(abi.encodeWithSelector(IGuaranteeRegistry.NoPendingAmendment.selector, id));
        registry.acceptAmendment(id, AGENCY, 1);
        assertEq(registry.getGuarantee(id).expiryDate, EXPIRY + 90 * DAY, "the extension stays");
    }

    function test_extend_lapsesPendingAmendment() public {
        bytes32 id = amended("LG-2569-000001", 150_000_000);
        vm.prank(gateway);
        registry.claimExtendOrPay(id, AGENCY, 1_000_000, EXPIRY + 90 * DAY, DEMAND);
        expectLapse(id, 1, IGuaranteeRegistry.Action.Extend, ACTIVE, bankA);
        vm.prank(bankA);
        registry.extend(id, 1, EXPIRY + 90 * DAY);
        assertNoPendingAmendment(id);
    }

    function test_acceptAmendment_revertsWhenLapsedByReduction() public {
        bytes32 id = amended("LG-2569-000001", 150_000_000);
        expectLapse(id, 1, IGuaranteeRegistry.Action.Reduce, ACTIVE, gateway);
        vm.prank(gateway);
        registry.reduce(id, AGENCY, 30_000_000);
        vm.prank(gateway);
        vm.expectRevert(abi.encodeWithSelector(IGuaranteeRegistry.NoPendingAmendment.selector, id));
        registry.acceptAmendment(id, AGENCY, 1);
        IGuaranteeRegistry.Guarantee memory g = registry.getGuarantee(id);
        assertEq(g.amount, AMOUNT, "amount");
        assertEq(g.outstanding, AMOUNT - 30_000_000, "the reduction stays");
    }

    function test_acceptAmendment_revertsWhenLapsedByPayment() public {
        bytes32 id = amended("LG-2569-000001", 150_000_000);
        vm.prank(gateway);
        registry.claim(id, AGENCY, 10_000_000, DEMAND);
        expectLapse(id, 1, IGuaranteeRegistry.Action.Pay, ACTIVE, bankA);
        vm.prank(bankA);
        registry.pay(id, 1, 10_000_000, PAYMENT_REF);
        vm.prank(gateway);
        vm.expectRevert(abi.encodeWithSelector(IGuaranteeRegistry.NoPendingAmendment.selector, id));
        registry.acceptAmendment(id, AGENCY, 1);
        assertNoPendingAmendment(id);
    }

    /// A claim that is rejected or withdrawn changes no terms: the amendment stays pending.
    function test_acceptAmendment_afterRejectedAndWithdrawnClaims() public {
        bytes32 id = amended("LG-2569-000001", 150_000_000);
        bytes32[] memory discrepancies = new bytes32[](1);
        discrepancies[0] = "LATE PRESENTATION";
        vm.prank(gateway);
        registry.claim(id, AGENCY, 10_000_000, DEMAND);
        vm.prank(bankA);
        registry.rejectClaim(id, 1, discrepancies);
        vm.prank(gateway);
        registry.claim(id, AGENCY, 10_000_000, DEMAND);
        vm.prank(gateway);
        registry.withdrawClaim(id, AGENCY);
        vm.prank(gateway);
        registry.acceptAmendment(id, AGENCY, 1);
        assertEq(registry.getGuarantee(id).amount, 150_000_000, "amended");
    }

    /// After a lapse the bank may propose again, against the terms now in force.
    function test_proposeAmendment_afterLapse() public {
        bytes32 id = amended("LG-2569-000001", 150_000_000);
        vm.prank(gateway);
        registry.reduce(id, AGENCY, 30_000_000);
        vm.prank(bankA);
        uint16 sequence = registry.proposeAmendment(id, 150_000_000, EXPIRY + 30 * DAY, TERMS);
        assertEq(sequence, 2, "next sequence");
        vm.prank(gateway);
        registry.acceptAmendment(id, AGENCY, 2);
        assertEq(registry.getGuarantee(id).outstanding, 120_000_000, "new amount less the reduction");
    }

    // ---------------------------------------------------------------- lapse when the guarantee ends

    function test_release_clearsPendingAmendment() public {
        bytes32 id = amended("LG-2569-000001", 150_000_000);
        expectLapse(id, 1, IGuaranteeRegistry.Action.Release, RELEASED, gateway);
        vm.prank(gateway);
        registry.release(id, AGENCY, START);
        assertNoPendingAmendment(id);
    }

    function test_expire_clearsPendingAmendment() public {
        bytes32 id = amended("LG-2569-000001", 150_000_000);
        vm.warp(EXPIRY + 1);
        expectLapse(id, 1, IGuaranteeRegistry.Action.Expire, EXPIRED, stranger);
        vm.prank(stranger);
        registry.expire(id);
        assertNoPendingAmendment(id);
    }

    function test_supersede_clearsPendingAmendment() public {
        bytes32 id = amended("LG-2569-000001", 150_000_000);
        bytes32 replacement = active("LG-2569-000002");
        expectLapse(id, 1, IGuaranteeRegistry.Action.Supersede, SUPERSEDED, gateway);
        vm.prank(gateway);
        registry.supersede(id, AGENCY, replacement);
        assertNoPendingAmendment(id);
    }

    function test_pay_clearsPendingAmendmentOnPayout() public {
        bytes32 id = amended("LG-2569-000001", 150_000_000);
        vm.prank(gateway);
        registry.claim(id, AGENCY, AMOUNT, DEMAND);
        expectLapse(id, 1, IGuaranteeRegistry.Action.Pay, PAID_OUT, bankA);
        vm.prank(bankA);
        registry.pay(id, 1, AMOUNT, PAYMENT_REF);
        assertNoPendingAmendment(id);
    }

    /// Nothing lapses when nothing is pending: no event.
    function test_release_withoutPendingAmendmentEmitsNoLapse() public {
        bytes32 id = active("LG-2569-000001");
        vm.recordLogs();
        vm.prank(gateway);
        registry.release(id, AGENCY, START);
        assertEq(vm.getRecordedLogs().length, 1, "GuaranteeReleased only");
    }

    // ---------------------------------------------------------------- supersede with a replacement in force

    function test_supersede_revertsWhenReplacementExpired() public {
        bytes32 id = active("LG-2569-000001");
        bytes32 replacement = activeUntil("LG-2569-000002", START + 10 * DAY);
        vm.warp(START + 11 * DAY);
        vm.prank(gateway);
        vm.expectRevert(
            expiryPassed(replacement, IGuaranteeRegistry.Action.Supersede, START + 10 * DAY, START + 11 * DAY)
        );
        registry.supersede(id, AGENCY, replacement);
        assertStatus(id, ACTIVE, "still active");
    }

    function test_supersede_revertsWhenReplacementNotYetEffective() public {
        bytes32 id = active("LG-2569-000001");
        bytes32 replacement = activeFrom("LG-2569-000002", START + 5 * DAY);
        vm.prank(gateway);
        vm.expectRevert(notYetEffective(replacement, IGuaranteeRegistry.Action.Supersede, START + 5 * DAY, START));
        registry.supersede(id, AGENCY, replacement);
    }

    // ---------------------------------------------------------------- release

    function test_release_revertsWhenObligationsEndInFuture() public {
        bytes32 id = active("LG-2569-000001");
        vm.prank(gateway);
        vm.expectRevert(
            abi.encodeWithSelector(IGuaranteeRegistry.ObligationsEndInFuture.selector, id, START + 1, START)
        );
        registry.release(id, AGENCY, START + 1);
    }

    /// Today this panics computing the return deadline.
    function test_release_revertsWhenObligationsEndNearUint64Max() public {
        bytes32 id = active("LG-2569-000001");
        vm.prank(gateway);
        vm.expectRevert(abi.encodeWithSelector(IGuaranteeRegistry.ObligationsEndInFuture.selector, id, MAX, START));
        registry.release(id, AGENCY, MAX);
    }

    // ---------------------------------------------------------------- extensions near the end of time

    /// Today a guarantee expiring at uint64 max panics on any extend-or-pay claim.
    function test_claimExtendOrPay_revertsWhenRequestedNearUint64Max() public {
        bytes32 id = activeUntil("LG-2569-000001", LATEST);
        vm.prank(gateway);
        vm.expectRevert(outOfRange(MAX));
        registry.claimExtendOrPay(id, AGENCY, 1, MAX, DEMAND);
    }

    function test_claimExtendOrPay_revertsWhenExpiryOnLatestDate() public {
        bytes32 id = activeUntil("LG-2569-000001", LATEST);
        vm.prank(gateway);
        vm.expectRevert(abi.encodeWithSelector(IGuaranteeRegistry.InvalidExtension.selector, id, LATEST, LATEST + 1));
        registry.claimExtendOrPay(id, AGENCY, 1, LATEST, DEMAND);
    }

    function test_extend_revertsWhenNearUint64Max() public {
        bytes32 id = extendOrPay("LG-2569-000001", 1_000_000);
        vm.prank(bankA);
        vm.expectRevert(outOfRange(MAX));
        registry.extend(id, 1, MAX);
    }
}
