// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {GuaranteeBase} from "./GuaranteeBase.sol";
import {IConsortium} from "../src/interfaces/IConsortium.sol";
import {IGuaranteeRegistry} from "../src/interfaces/IGuaranteeRegistry.sol";

// The value checks: the right actor in the right state, but with a value the rules refuse.

/// @notice Values refused by issue.
contract GuaranteeIssueValuesTest is GuaranteeBase {
    function test_issue_revertsWhenDuplicate() public {
        issued("LG-2569-000001");
        IGuaranteeRegistry.IssueRequest memory request = guaranteeRequest("LG-2569-000001");
        vm.prank(bankA);
        vm.expectRevert(abi.encodeWithSelector(IGuaranteeRegistry.GuaranteeAlreadyExists.selector, MAIN));
        registry.issue(request);
    }

    function test_issue_revertsWhenDuplicateOfCancelled() public {
        bytes32 id = issued("LG-2569-000001");
        vm.prank(bankA);
        registry.cancel(id, REASON);
        IGuaranteeRegistry.IssueRequest memory request = guaranteeRequest("LG-2569-000001");
        vm.prank(bankA);
        vm.expectRevert(abi.encodeWithSelector(IGuaranteeRegistry.GuaranteeAlreadyExists.selector, id));
        registry.issue(request);
    }

    function test_issue_revertsWhenBankRefEmpty() public {
        IGuaranteeRegistry.IssueRequest memory request = guaranteeRequest("");
        vm.prank(bankA);
        vm.expectRevert(abi.encodeWithSelector(IGuaranteeRegistry.InvalidBankRef.selector, 0));
        registry.issue(request);
    }

    function test_issue_revertsWhenBankRef36Bytes() public {
        IGuaranteeRegistry.IssueRequest memory request = guaranteeRequest("BBL-LG-2569-000000000000000000000001");
        assertEq(bytes(request.bankRef).length, 36, "length");
        vm.prank(bankA);
        vm.expectRevert(abi.encodeWithSelector(IGuaranteeRegistry.InvalidBankRef.selector, 36));
        registry.issue(request);
    }

    function test_issue_revertsWhenAmountZero() public {
        IGuaranteeRegistry.IssueRequest memory request = guaranteeRequest("LG-2569-000001");
        request.amount = 0;
        vm.prank(bankA);
        vm.expectRevert(IGuaranteeRegistry.ZeroAmount.selector);
        registry.issue(request);
    }

    function test_issue_revertsWhenAgencyUnknown() public {
        IGuaranteeRegistry.IssueRequest memory request = guaranteeRequest("LG-2569-000001");
        request.agencyCode = UNREGISTERED;
        vm.prank(bankA);
        vm.expectRevert(abi.encodeWithSelector(IConsortium.AgencyUnknown.selector, UNREGISTERED));
        registry.issue(request);
    }

    function test_issue_revertsWhenApplicantCommitmentEmpty() public {
        IGuaranteeRegistry.IssueRequest memory request = guaranteeRequest("LG-2569-000001");
        request.applicantCommitment = bytes32(0);
        vm.prank(bankA);
        vm.expectRevert(requiredField("applicantCommitment"));
        registry.issue(request);
    }

    function test_issue_revertsWhenDocumentHashEmpty() public {
        IGuaranteeRegistry.IssueRequest memory request = guaranteeRequest("LG-2569-000001");
        request.documentHash = bytes32(0);
        vm.prank(bankA);
        vm.expectRevert(requiredField("documentHash"));
        registry.issue(request);
    }

    function test_issue_revertsWhenFixedExpiryOnEffectiveDate() public {
        IGuaranteeRegistry.IssueRequest memory request = guaranteeRequest("LG-2569-000001");
        request.expiryDate = request.effectiveDate;
        _expectInvalidExpiry(IGuaranteeRegistry.ExpiryType.FIXD, START, START);
        vm.prank(bankA);
        registry.issue(request);
    }

    function test_issue_revertsWhenFixedExpiryBeforeEffectiveDate() public {
        IGuaranteeRegistry.IssueRequest memory request = guaranteeRequest("LG-2569-000001");
        request.effectiveDate = START + 10 * DAY;
        request.expiryDate = START + 5 * DAY;
        _expectInvalidExpiry(IGuaranteeRegistry.ExpiryType.FIXD, START + 10 * DAY, START + 5 * DAY);
        vm.prank(bankA);
        registry.issue(request);
    }

    function test_issue_revertsWhenFixedExpiryMissing() public {
        IGuaranteeRegistry.IssueRequest memory request = guaranteeRequest("LG-2569-000001");
        request.expiryDate = 0;
        _expectInvalidExpiry(IGuaranteeRegistry.ExpiryType.FIXD, START, 0);
        vm.prank(bankA);
        registry.issue(request);
    }

    function test_issue_revertsWhenFixedExpiryHasConditionHash() public {
        IGuaranteeRegistry.IssueRequest memory request = guaranteeRequest("LG-2569-000001");
        request.expiryConditionHash = keccak256("handover");
        _expectInvalidExpiry(IGuaranteeRegistry.ExpiryType.FIXD, START, EXPIRY);
        vm.prank(bankA);
        registry.issue(request);
    }

    function test_issue_revertsWhenOpenExpiryHasDate() public {
        IGuaranteeRegistry.IssueRequest memory request = guaranteeRequest("LG-2569-000001");
        request.expiryType = IGuaranteeRegistry.ExpiryType.OPEN;
        _expectInvalidExpiry(IGuaranteeRegistry.ExpiryType.OPEN, START, EXPIRY);
        vm.prank(bankA);
        registry.issue(request);
    }

    function test_issue_revertsWhenOpenExpiryHasConditionHash() public {
        IGuaranteeRegistry.IssueRequest memory request = guaranteeRequest("LG-2569-000001");
        request.expiryType = IGuaranteeRegistry.ExpiryType.OPEN;
        request.expiryDate = 0;
        request.expiryConditionHash = keccak256("handover");
        _expectInvalidExpiry(IGuaranteeRegistry.ExpiryType.OPEN, START, 0);
        vm.prank(bankA);
        registry.issue(request);
    }

    function test_issue_revertsWhenConditionalExpiryHasDate() public {
        IGuaranteeRegistry.IssueRequest memory request = guaranteeRequest("LG-2569-000001");
        request.expiryType = IGuaranteeRegistry.ExpiryType.COND;
        request.expiryConditionHash = keccak256("handover");
        _expectInvalidExpiry(IGuaranteeRegistry.ExpiryType.COND, START, EXPIRY);
        vm.prank(bankA);
        registry.issue(request);
    }

    function test_issue_revertsWhenConditionalExpiryWithoutCondition() public {
        IGuaranteeRegistry.IssueRequest memory request = guaranteeRequest("LG-2569-000001");
        request.expiryType = IGuaranteeRegistry.ExpiryType.COND;
        request.expiryDate = 0;
        vm.prank(bankA);
        vm.expectRevert(requiredField("expiryConditionHash"));
        registry.issue(request);
    }

    function _expectInvalidExpiry(IGuaranteeRegistry.ExpiryType expiryType, uint64 effective, uint64 expiry) private {
        vm.expectRevert(
            abi.encodeWithSelector(IGuaranteeRegistry.InvalidExpiry.selector, expiryType, effective, expiry)
        );
    }
}

/// @notice Values refused by reject, the amendment steps, reduce and release.
contract GuaranteeAmendmentValuesTest is GuaranteeBase {
    function test_cancel_revertsWithoutReasonCode() public {
        bytes32 id = issued("LG-2569-000001");
        vm.prank(bankA);
        vm.expectRevert(requiredField("reasonCode"));
        registry.cancel(id, bytes32(0));
        assertStatus(id, PENDING, "still pending");
    }

    function test_reject_revertsWithoutReasonCode() public {
        bytes32 id = issued("LG-2569-000001");
        vm.prank(gateway);
        vm.expectRevert(requiredField("reasonCode"));
        registry.reject(id, AGENCY, bytes32(0));
    }

    function test_proposeAmendment_revertsWhenAmendmentPending() public {
        bytes32 id = amended("LG-2569-000001", 150_000_000);
        vm.prank(bankA);
        vm.expectRevert(abi.encodeWithSelector(IGuaranteeRegistry.AmendmentAlreadyPending.selector, id, 1));
        registry.proposeAmendment(id, 160_000_000, EXPIRY, TERMS);
    }

    function test_proposeAmendment_revertsWhenAmountZero() public {
        bytes32 id = active("LG-2569-000001");
        vm.prank(bankA);
        vm.expectRevert(abi.encodeWithSelector(IGuaranteeRegistry.AmendedAmountTooLow.selector, id, 0, 1));
        registry.proposeAmendment(id, 0, EXPIRY, TERMS);
    }

    function test_proposeAmendment_revertsWhenBelowReleasedAmount() public {
        bytes32 id = active("LG-2569-000001");
        vm.prank(gateway);
        registry.reduce(id, AGENCY, 30_000_000);
        vm.prank(bankA);
        vm.expectRevert(
            abi.encodeWithSelector(IGuaranteeRegistry.AmendedAmountTooLow.selector, id, 30_000_000, 30_000_001)
        );
        registry.proposeAmendment(id, 30_000_000, EXPIRY, TERMS);
    }

    function test_proposeAmendment_revertsWhenBelowPaidAmount() public {
        bytes32 id = claimed("LG-2569-000001", 60_000_000);
        vm.prank(bankA);
        registry.pay(id, 1, 60_000_000, PAYMENT_REF);
        vm.prank(bankA);
        vm.expectRevert(
            abi.encodeWithSelector(IGuaranteeRegistry.AmendedAmountTooLow.selector, id, 50_000_000, 60_000_001)
        );
        registry.proposeAmendment(id, 50_000_000, EXPIRY, TERMS);
    }

    function test_proposeAmendment_revertsWithoutTermsHash() public {
        bytes32 id = active("LG-2569-000001");
        vm.prank(bankA);
        vm.expectRevert(requiredField("termsHash"));
        registry.proposeAmendment(id, 150_000_000, EXPIRY, bytes32(0));
    }

    function test_proposeAmendment_revertsWhenFixedExpiryInThePast() public {
        bytes32 id = active("LG-2569-000001");
        vm.warp(START + 100 * DAY);
        uint64 past = START + 50 * DAY;
        vm.prank(bankA);
        vm.expectRevert(
            abi.encodeWithSelector(IGuaranteeRegistry.ExpiryNotInFuture.selector, id, past, START + 100 * DAY)
        );
        registry.proposeAmendment(id, AMOUNT, past, TERMS);
    }

    function test_proposeAmendment_revertsWhenFixedExpiryMissing() public {
        bytes32 id = active("LG-2569-000001");
        vm.prank(bankA);
        vm.expectRevert(abi.encodeWithSelector(IGuaranteeRegistry.ExpiryNotInFuture.selector, id, 0, START));
        registry.proposeAmendment(id, AMOUNT, 0, TERMS);
    }

    function test_proposeAmendment_revertsWhenOpenExpiryGetsDate() public {
        bytes32 id = issuedWithExpiryType("LG-OPEN", IGuaranteeRegistry.ExpiryType.OPEN);
        vm.prank(gateway);
        registry.accept(id, AGENCY);
        vm.prank(bankA);
        vm.expectRevert(
            abi.encodeWithSelector(
                IGuaranteeRegistry.InvalidExpiry.selector, IGuaranteeRegistry.ExpiryType.OPEN, START, EXPIRY
            )
        );
        registry.proposeAmendment(id, AMOUNT, EXPIRY, TERMS);
    }

    function test_acceptAmendment_revertsWithoutPendingAmendment() public {
        bytes32 id = active("LG-2569-000001");
        vm.prank(gateway);
        vm.expectRevert(abi.encodeWithSelector(IGuaranteeRegistry.NoPendingAmendment.selector, id));
        registry.acceptAmendment(id, AGENCY, 1);
    }

    function test_acceptAmendment_revertsWhenAlreadyAnswered() public {
        bytes32 id = amended("LG-2569-000001", 150_000_000);
        vm.prank(gateway);
        registry.acceptAmendment(id, AGENCY, 1);
        vm.prank(gateway);
        vm.expectRevert(abi.encodeWithSelector(IGuaranteeRegistry.NoPendingAmendment.selector, id));
        registry.acceptAmendment(id, AGENCY, 1);
    }

    /// A payment after the proposal makes it lapse, even one that would leave the proposed amount
    /// below what has been paid.
    function test_acceptAmendment_revertsWhenPaymentsSinceProposalMadeItTooLow() public {
        bytes32 id = amended("LG-2569-000001", 40_000_000);
        vm.prank(gateway);
        registry.claim(id, AGENCY, 70_000_000, DEMAND);
        vm.prank(bankA);
        registry.pay(id, 1, 70_000_000, PAYMENT_REF);
        vm.prank(gateway);
        vm.expectRevert(abi.encodeWithSelector(IGuaranteeRegistry.NoPendingAmendment.selector, id));
        registry.acceptAmendment(id, AGENCY, 1);
    }

    function test_rejectAmendment_revertsWithoutPendingAmendment() public {
        bytes32 id = active("LG-2569-000001");
        vm.prank(gateway);
        vm.expectRevert(abi.encodeWithSelector(IGuaranteeRegistry.NoPendingAmendment.selector, id));
        registry.rejectAmendment(id, AGENCY, 1, REASON);
    }

    function test_rejectAmendment_revertsWithoutReasonCode() public {
        bytes32 id = amended("LG-2569-000001", 150_000_000);
        vm.prank(gateway);
        vm.expectRevert(requiredField("reasonCode"));
        registry.rejectAmendment(id, AGENCY, 1, bytes32(0));
    }

    function test_reduce_revertsWhenZero() public {
        bytes32 id = active("LG-2569-000001");
        vm.prank(gateway);
        vm.expectRevert(IGuaranteeRegistry.ZeroAmount.selector);
        registry.reduce(id, AGENCY, 0);
    }

    function test_reduce_revertsWhenWholeOutstanding() public {
        bytes32 id = active("LG-2569-000001");
        vm.prank(gateway);
        vm.expectRevert(abi.encodeWithSelector(IGuaranteeRegistry.ReductionNotPartial.selector, id, AMOUNT, AMOUNT));
        registry.reduce(id, AGENCY, AMOUNT);
    }

    function test_reduce_revertsWhenMoreThanOutstanding() public {
        bytes32 id = active("LG-2569-000001");
        vm.prank(gateway);
        registry.reduce(id, AGENCY, 60_000_000);
        vm.prank(gateway);
        vm.expectRevert(
            abi.encodeWithSelector(IGuaranteeRegistry.ReductionNotPartial.selector, id, 50_000_000, 40_000_000)
        );
        registry.reduce(id, AGENCY, 50_000_000);
    }

    function test_release_revertsWithoutObligationsEndDate() public {
        bytes32 id = active("LG-2569-000001");
        vm.prank(gateway);
        vm.expectRevert(requiredField("obligationsEndedAt"));
        registry.release(id, AGENCY, 0);
    }
}

/// @notice Values refused by claims and the answers to them, expiry, supersession and suspension.
contract GuaranteeClaimValuesTest is GuaranteeBase {
    function test_claim_revertsAfterExpiry() public {
        bytes32 id = active("LG-2569-000001");
        vm.warp(EXPIRY + 1);
        vm.prank(gateway);
        vm.expectRevert(
            abi.encodeWithSelector(
                IGuaranteeRegistry.ExpiryPassed.selector, id, IGuaranteeRegistry.Action.Claim, EXPIRY, EXPIRY + 1
            )
        );
        registry.claim(id, AGENCY, 40_000_000, DEMAND);
    }

    function test_claim_revertsWhenZero() public {
        bytes32 id = active("LG-2569-000001");
        vm.prank(gateway);
        vm.expectRevert(IGuaranteeRegistry.ZeroAmount.selector);
        registry.claim(id, AGENCY, 0, DEMAND);
    }

    function test_claim_revertsWhenMoreThanOutstanding() public {
        bytes32 id = active("LG-2569-000001");
        vm.prank(gateway);
        vm.expectRevert(
            abi.encodeWithSelector(IGuaranteeRegistry.AmountExceedsOutstanding.selector, id, AMOUNT + 1, AMOUNT)
        );
        registry.claim(id, AGENCY, AMOUNT + 1, DEMAND);
    }

    function test_claim_revertsWhenMoreThanOutstandingAfterReduction() public {
        bytes32 id = active("LG-2569-000001");
        vm.prank(gateway);
        registry.reduce(id, AGENCY, 70_000_000);
        vm.prank(gateway);
        vm.expectRevert(
            abi.encodeWithSelector(IGuaranteeRegistry.AmountExceedsOutstanding.selector, id, 40_000_000, 30_000_000)
        );
        registry.claim(id, AGENCY, 40_000_000, DEMAND);
    }

    function test_claim_revertsWithoutDemandHash() public {
        bytes32 id = active("LG-2569-000001");
        vm.prank(gateway);
        vm.expectRevert(requiredField("demandHash"));
        registry.claim(id, AGENCY, 40_000_000, bytes32(0));
    }

    function test_claimExtendOrPay_revertsAfterExpiry() public {
        bytes32 id = active("LG-2569-000001");
        vm.warp(EXPIRY + 1);
        vm.prank(gateway);
        vm.expectRevert(
            abi.encodeWithSelector(
                IGuaranteeRegistry.ExpiryPassed.selector, id, IGuaranteeRegistry.Action.Claim, EXPIRY, EXPIRY + 1
            )
        );
        registry.claimExtendOrPay(id, AGENCY, 40_000_000, EXPIRY + 90 * DAY, DEMAND);
    }

    function test_claimExtendOrPay_revertsWhenMoreThanOutstanding() public {
        bytes32 id = active("LG-2569-000001");
        vm.prank(gateway);
        vm.expectRevert(
            abi.encodeWithSelector(IGuaranteeRegistry.AmountExceedsOutstanding.selector, id, AMOUNT + 1, AMOUNT)
        );
        registry.claimExtendOrPay(id, AGENCY, AMOUNT + 1, EXPIRY + 90 * DAY, DEMAND);
    }

    function test_claimExtendOrPay_revertsWhenRequestedExpiryNotLater() public {
        bytes32 id = active("LG-2569-000001");
        vm.prank(gateway);
        vm.expectRevert(abi.encodeWithSelector(IGuaranteeRegistry.InvalidExtension.selector, id, EXPIRY, EXPIRY + 1));
        registry.claimExtendOrPay(id, AGENCY, 40_000_000, EXPIRY, DEMAND);
    }

    function test_claimExtendOrPay_revertsWhenOpenExpiry() public {
        bytes32 id = issuedWithExpiryType("LG-OPEN", IGuaranteeRegistry.ExpiryType.OPEN);
        vm.prank(gateway);
        registry.accept(id, AGENCY);
        vm.prank(gateway);
        vm.expectRevert(
            abi.encodeWithSelector(IGuaranteeRegistry.NoFixedExpiry.selector, id, IGuaranteeRegistry.ExpiryType.OPEN)
        );
        registry.claimExtendOrPay(id, AGENCY, 40_000_000, EXPIRY, DEMAND);
    }

    function test_claimExtendOrPay_revertsWhenConditionalExpiry() public {
        bytes32 id = issuedWithExpiryType("LG-COND", IGuaranteeRegistry.ExpiryType.COND);
        vm.prank(gateway);
        registry.accept(id, AGENCY);
        vm.prank(gateway);
        vm.expectRevert(
            abi.encodeWithSelector(IGuaranteeRegistry.NoFixedExpiry.selector, id, IGuaranteeRegistry.ExpiryType.COND)
        );
        registry.claimExtendOrPay(id, AGENCY, 40_000_000, EXPIRY, DEMAND);
    }

    function test_pay_revertsWhenMoreThanClaim() public {
        bytes32 id = claimed("LG-2569-000001", 40_000_000);
        vm.prank(bankA);
        vm.expectRevert(
            abi.encodeWithSelector(IGuaranteeRegistry.PaymentExceedsClaim.selector, id, 40_000_001, 40_000_000)
        );
        registry.pay(id, 1, 40_000_001, PAYMENT_REF);
    }

    function test_pay_revertsWhenZero() public {
        bytes32 id = claimed("LG-2569-000001", 40_000_000);
        vm.prank(bankA);
        vm.expectRevert(IGuaranteeRegistry.ZeroAmount.selector);
        registry.pay(id, 1, 0, PAYMENT_REF);
    }

    function test_pay_revertsWithoutPaymentReference() public {
        bytes32 id = claimed("LG-2569-000001", 40_000_000);
        vm.prank(bankA);
        vm.expectRevert(requiredField("paymentReference"));
        registry.pay(id, 1, 40_000_000, bytes32(0));
    }

    function test_rejectClaim_revertsWithoutDiscrepancies() public {
        bytes32 id = claimed("LG-2569-000001", 40_000_000);
        bytes32[] memory none = new bytes32[](0);
        vm.prank(bankA);
        vm.expectRevert(abi.encodeWithSelector(IGuaranteeRegistry.NoDiscrepancies.selector, id));
        registry.rejectClaim(id, 1, none);
    }

    function test_extend_revertsBeforeRequestedExpiry() public {
        bytes32 id = extendOrPay("LG-2569-000001", 40_000_000);
        uint64 requested = EXPIRY + 90 * DAY;
        vm.prank(bankA);
        vm.expectRevert(
            abi.encodeWithSelector(IGuaranteeRegistry.InvalidExtension.selector, id, requested - 1, requested)
        );
        registry.extend(id, 1, requested - 1);
    }

    function test_expire_revertsBeforeExpiry() public {
        bytes32 id = active("LG-2569-000001");
        vm.expectRevert(abi.encodeWithSelector(IGuaranteeRegistry.NotYetExpired.selector, id, EXPIRY, START));
        registry.expire(id);
    }

    function test_expire_revertsOnExpiryDate() public {
        bytes32 id = active("LG-2569-000001");
        vm.warp(EXPIRY);
        vm.expectRevert(abi.encodeWithSelector(IGuaranteeRegistry.NotYetExpired.selector, id, EXPIRY, EXPIRY));
        registry.expire(id);
    }

    function test_expire_revertsWhenOpenExpiry() public {
        bytes32 id = issuedWithExpiryType("LG-OPEN", IGuaranteeRegistry.ExpiryType.OPEN);
        vm.warp(EXPIRY + 3650 * DAY);
        vm.expectRevert(
            abi.encodeWithSelector(IGuaranteeRegistry.NoFixedExpiry.selector, id, IGuaranteeRegistry.ExpiryType.OPEN)
        );
        registry.expire(id);
    }

    function test_expire_revertsWhenConditionalExpiry() public {
        bytes32 id = issuedWithExpiryType("LG-COND", IGuaranteeRegistry.ExpiryType.COND);
        vm.prank(gateway);
        registry.accept(id, AGENCY);
        vm.warp(EXPIRY + 3650 * DAY);
        vm.expectRevert(
            abi.encodeWithSelector(IGuaranteeRegistry.NoFixedExpiry.selector, id, IGuaranteeRegistry.ExpiryType.COND)
        );
        registry.expire(id);
    }

    function test_supersede_revertsWithItself() public {
        bytes32 id = active("LG-2569-000001");
        vm.prank(gateway);
        vm.expectRevert(abi.encodeWithSelector(IGuaranteeRegistry.InvalidReplacement.selector, id, id));
        registry.supersede(id, AGENCY, id);
    }

    function test_supersede_revertsWhenReplacementAlreadyUsed() public {
        bytes32 first = active("LG-1");
        bytes32 second = active("LG-2");
        bytes32 replacement = active("LG-3");
        vm.prank(gateway);
        registry.supersede(first, AGENCY, replacement);
        vm.prank(gateway);
        vm.expectRevert(abi.encodeWithSelector(IGuaranteeRegistry.InvalidReplacement.selector, second, replacement));
        registry.supersede(second, AGENCY, replacement);
        assertStatus(second, ACTIVE, "second still active");
    }

    function test_suspend_revertsWithoutReasonHash() public {
        bytes32 id = active("LG-2569-000001");
        vm.prank(admin);
        vm.expectRevert(requiredField("reasonHash"));
        registry.suspend(id, bytes32(0));
    }

    function test_resume_revertsWithoutReasonHash() public {
        bytes32 id = suspendedBy(active("LG-2569-000001"));
        vm.prank(admin);
        vm.expectRevert(requiredField("reasonHash"));
        registry.resume(id, bytes32(0));
    }
}
