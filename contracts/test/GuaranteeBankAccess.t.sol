// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {GuaranteeBase} from "./GuaranteeBase.sol";
import {IGuaranteeRegistry} from "../src/interfaces/IGuaranteeRegistry.sol";

// Who may take the bank's steps: any active signer of the issuer whose code is in the id, and
// nobody else: not another bank, not a signer of a suspended issuer, not the e-GP gateway, not the
// admin, not a stranger, not a signer who was removed.

/// @notice Access to issue, cancel and proposeAmendment, and signer rotation.
contract GuaranteeIssuerAccessTest is GuaranteeBase {
    // ---------------------------------------------------------------- issue

    function test_issue_revertsForSuspendedBank() public {
        IGuaranteeRegistry.IssueRequest memory request = guaranteeRequest("KTB-1");
        vm.prank(suspendedBank);
        vm.expectRevert(issuerSuspended(BANK_SUSPENDED));
        registry.issue(request);
    }

    function test_issue_revertsWhenIssuerSuspendedSinceIssue() public {
        issued("LG-2569-000001");
        suspendBankA();
        IGuaranteeRegistry.IssueRequest memory request = guaranteeRequest("LG-2569-000002");
        vm.prank(bankA2);
        vm.expectRevert(issuerSuspended(BANK_A));
        registry.issue(request);
    }

    function test_issue_revertsForGateway() public {
        IGuaranteeRegistry.IssueRequest memory request = guaranteeRequest("LG-2569-000001");
        vm.prank(gateway);
        vm.expectRevert(notSigner(gateway));
        registry.issue(request);
    }

    function test_issue_revertsForAdmin() public {
        IGuaranteeRegistry.IssueRequest memory request = guaranteeRequest("LG-2569-000001");
        vm.prank(admin);
        vm.expectRevert(notSigner(admin));
        registry.issue(request);
    }

    function test_issue_revertsForStranger() public {
        IGuaranteeRegistry.IssueRequest memory request = guaranteeRequest("LG-2569-000001");
        vm.prank(stranger);
        vm.expectRevert(notSigner(stranger));
        registry.issue(request);
    }

    function test_issue_revertsForRemovedSigner() public {
        vm.prank(admin);
        consortium.removeSigner(BANK_A, bankA);
        IGuaranteeRegistry.IssueRequest memory request = guaranteeRequest("LG-2569-000001");
        vm.prank(bankA);
        vm.expectRevert(notSigner(bankA));
        registry.issue(request);
    }

    function test_issue_bySecondSignerIssuesForTheSameBank() public {
        IGuaranteeRegistry.IssueRequest memory request = guaranteeRequest("LG-2569-000001");
        vm.expectEmit(true, true, true, true, address(registry));
        emit IGuaranteeRegistry.GuaranteeIssued(MAIN, BANK_A, AGENCY, request, PENDING, bankA2);
        vm.prank(bankA2);
        registry.issue(request);
        assertEq(registry.getGuarantee(MAIN).bankCode, BANK_A, "bank");

        // The bank's references are the bank's, whichever signer used them.
        vm.prank(bankA);
        vm.expectRevert(abi.encodeWithSelector(IGuaranteeRegistry.GuaranteeAlreadyExists.selector, MAIN));
        registry.issue(request);
    }

    // ---------------------------------------------------------------- cancel

    function test_cancel_revertsForOtherBank() public {
        bytes32 id = issued("LG-2569-000001");
        vm.prank(bankB);
        vm.expectRevert(notIssuingBank(id));
        registry.cancel(id, REASON);
    }

    function test_cancel_revertsWhenIssuerSuspended() public {
        bytes32 id = issued("LG-2569-000001");
        suspendBankA();
        vm.prank(bankA);
        vm.expectRevert(issuerSuspended(BANK_A));
        registry.cancel(id, REASON);
    }

    function test_cancel_revertsForSuspendedBank() public {
        bytes32 id = issued("LG-2569-000001");
        vm.prank(suspendedBank);
        vm.expectRevert(issuerSuspended(BANK_SUSPENDED));
        registry.cancel(id, REASON);
    }

    function test_cancel_revertsForGateway() public {
        bytes32 id = issued("LG-2569-000001");
        vm.prank(gateway);
        vm.expectRevert(notSigner(gateway));
        registry.cancel(id, REASON);
    }

    function test_cancel_revertsForAdmin() public {
        bytes32 id = issued("LG-2569-000001");
        vm.prank(admin);
        vm.expectRevert(notSigner(admin));
        registry.cancel(id, REASON);
    }

    function test_cancel_revertsForStranger() public {
        bytes32 id = issued("LG-2569-000001");
        vm.prank(stranger);
        vm.expectRevert(notSigner(stranger));
        registry.cancel(id, REASON);
    }

    function test_cancel_revertsForRemovedSigner() public {
        bytes32 id = issued("LG-2569-000001");
        vm.prank(admin);
        consortium.removeSigner(BANK_A, bankA);
        vm.prank(bankA);
        vm.expectRevert(notSigner(bankA));
        registry.cancel(id, REASON);
    }

    function test_cancel_bySecondSignerOfIssuer() public {
        bytes32 id = issued("LG-2569-000001");
        vm.expectEmit(true, true, true, true, address(registry));
        emit IGuaranteeRegistry.GuaranteeCancelled(id, REASON, CANCELLED, bankA2);
        vm.prank(bankA2);
        registry.cancel(id, REASON);
        assertStatus(id, CANCELLED, "status");
    }

    function test_cancel_bySecondSignerAfterFirstRemoved() public {
        bytes32 id = issued("LG-2569-000001");
        vm.prank(admin);
        consortium.removeSigner(BANK_A, bankA);
        vm.prank(bankA2);
        registry.cancel(id, REASON);
        assertStatus(id, CANCELLED, "status");
    }

    function test_cancel_afterIssuerResumed() public {
        bytes32 id = issued("LG-2569-000001");
        suspendBankA();
        vm.prank(admin);
        consortium.resumeIssuer(BANK_A);
        vm.prank(bankA);
        registry.cancel(id, REASON);
        assertStatus(id, CANCELLED, "status");
    }

    function test_cancel_revertsWhenUnknown() public {
        bytes32 id = idOf(BANK_A, "NEVER-ISSUED");
        vm.prank(bankA);
        vm.expectRevert(notFound(id));
        registry.cancel(id, REASON);
    }

    // ---------------------------------------------------------------- proposeAmendment

    function test_proposeAmendment_revertsForOtherBank() public {
        bytes32 id = active("LG-2569-000001");
        vm.prank(bankB);
        vm.expectRevert(notIssuingBank(id));
        registry.proposeAmendment(id, 150_000_000, EXPIRY, TERMS);
    }

    function test_proposeAmendment_revertsWhenIssuerSuspended() public {
        bytes32 id = active("LG-2569-000001");
        suspendBankA();
        vm.prank(bankA);
        vm.expectRevert(issuerSuspended(BANK_A));
        registry.proposeAmendment(id, 150_000_000, EXPIRY, TERMS);
    }

    function test_proposeAmendment_revertsForSuspendedBank() public {
        bytes32 id = active("LG-2569-000001");
        vm.prank(suspendedBank);
        vm.expectRevert(issuerSuspended(BANK_SUSPENDED));
        registry.proposeAmendment(id, 150_000_000, EXPIRY, TERMS);
    }

    function test_proposeAmendment_revertsForGateway() public {
        bytes32 id = active("LG-2569-000001");
        vm.prank(gateway);
        vm.expectRevert(notSigner(gateway));
        registry.proposeAmendment(id, 150_000_000, EXPIRY, TERMS);
    }

    function test_proposeAmendment_revertsForAdmin() public {
        bytes32 id = active("LG-2569-000001");
        vm.prank(admin);
        vm.expectRevert(notSigner(admin));
        registry.proposeAmendment(id, 150_000_000, EXPIRY, TERMS);
    }

    function test_proposeAmendment_revertsForStranger() public {
        bytes32 id = active("LG-2569-000001");
        vm.prank(stranger);
        vm.expectRevert(notSigner(stranger));
        registry.proposeAmendment(id, 150_000_000, EXPIRY, TERMS);
    }

    function test_proposeAmendment_revertsForRemovedSigner() public {
        bytes32 id = active("LG-2569-000001");
        vm.prank(admin);
        consortium.removeSigner(BANK_A, bankA);
        vm.prank(bankA);
        vm.expectRevert(notSigner(bankA));
        registry.proposeAmendment(id, 150_000_000, EXPIRY, TERMS);
    }

    function test_proposeAmendment_bySecondSignerOfIssuer() public {
        bytes32 id = active("LG-2569-000001");
        vm.expectEmit(true, true, true, true, address(registry));
        emit IGuaranteeRegistry.AmendmentProposed(id, 1, 150_000_000, EXPIRY, TERMS, ACTIVE, bankA2);
        vm.prank(bankA2);
        registry.proposeAmendment(id, 150_000_000, EXPIRY, TERMS);
        assertEq(registry.getGuarantee(id).amendmentPending, true, "pending");
    }
}

/// @notice Access to the bank's answers to a claim: pay, rejectClaim, extend.
contract GuaranteeClaimAnswerAccessTest is GuaranteeBase {
    // ---------------------------------------------------------------- pay

    function test_pay_revertsForOtherBank() public {
        bytes32 id = claimed("LG-2569-000001", 40_000_000);
        vm.prank(bankB);
        vm.expectRevert(notIssuingBank(id));
        registry.pay(id, 1, 40_000_000, PAYMENT_REF);
    }

    function test_pay_revertsWhenIssuerSuspended() public {
        bytes32 id = claimed("LG-2569-000001", 40_000_000);
        suspendBankA();
        vm.prank(bankA);
        vm.expectRevert(issuerSuspended(BANK_A));
        registry.pay(id, 1, 40_000_000, PAYMENT_REF);
    }

    function test_pay_revertsForSuspendedBank() public {
        bytes32 id = claimed("LG-2569-000001", 40_000_000);
        vm.prank(suspendedBank);
        vm.expectRevert(issuerSuspended(BANK_SUSPENDED));
        registry.pay(id, 1, 40_000_000, PAYMENT_REF);
    }

    function test_pay_revertsForGateway() public {
        bytes32 id = claimed("LG-2569-000001", 40_000_000);
        vm.prank(gateway);
        vm.expectRevert(notSigner(gateway));
        registry.pay(id, 1, 40_000_000, PAYMENT_REF);
    }

    function test_pay_revertsForAdmin() public {
        bytes32 id = claimed("LG-2569-000001", 40_000_000);
        vm.prank(admin);
        vm.expectRevert(notSigner(admin));
        registry.pay(id, 1, 40_000_000, PAYMENT_REF);
    }

    function test_pay_revertsForStranger() public {
        bytes32 id = claimed("LG-2569-000001", 40_000_000);
        vm.prank(stranger);
        vm.expectRevert(notSigner(stranger));
        registry.pay(id, 1, 40_000_000, PAYMENT_REF);
    }

    function test_pay_revertsForRemovedSigner() public {
        bytes32 id = claimed("LG-2569-000001", 40_000_000);
        vm.prank(admin);
        consortium.removeSigner(BANK_A, bankA);
        vm.prank(bankA);
        vm.expectRevert(notSigner(bankA));
        registry.pay(id, 1, 40_000_000, PAYMENT_REF);
    }

    function test_pay_bySecondSignerOfIssuer() public {
        bytes32 id = claimed("LG-2569-000001", 40_000_000);
        vm.expectEmit(true, true, true, true, address(registry));
        emit IGuaranteeRegistry.ClaimPaid(id, 1, 40_000_000, PAYMENT_REF, 60_000_000, 40_000_000, ACTIVE, bankA2);
        vm.prank(bankA2);
        registry.pay(id, 1, 40_000_000, PAYMENT_REF);
        assertEq(registry.getGuarantee(id).outstanding, 60_000_000, "outstanding");
    }

    // ---------------------------------------------------------------- rejectClaim

    function test_rejectClaim_revertsForOtherBank() public {
        bytes32 id = claimed("LG-2569-000001", 40_000_000);
        bytes32[] memory discrepancies = _discrepancies();
        vm.prank(bankB);
        vm.expectRevert(notIssuingBank(id));
        registry.rejectClaim(id, 1, discrepancies);
    }

    function test_rejectClaim_revertsWhenIssuerSuspended() public {
        bytes32 id = claimed("LG-2569-000001", 40_000_000);
        bytes32[] memory discrepancies = _discrepancies();
        suspendBankA();
        vm.prank(bankA);
        vm.expectRevert(issuerSuspended(BANK_A));
        registry.rejectClaim(id, 1, discrepancies);
    }

    function test_rejectClaim_revertsForSuspendedBank() public {
        bytes32 id = claimed("LG-2569-000001", 40_000_000);
        bytes32[] memory discrepancies = _discrepancies();
        vm.prank(suspendedBank);
        vm.expectRevert(issuerSuspended(BANK_SUSPENDED));
        registry.rejectClaim(id, 1, discrepancies);
    }

    function test_rejectClaim_revertsForGateway() public {
        bytes32 id = claimed("LG-2569-000001", 40_000_000);
        bytes32[] memory discrepancies = _discrepancies();
        vm.prank(gateway);
        vm.expectRevert(notSigner(gateway));
        registry.rejectClaim(id, 1, discrepancies);
    }

    function test_rejectClaim_revertsForAdmin() public {
        bytes32 id = claimed("LG-2569-000001", 40_000_000);
        bytes32[] memory discrepancies = _discrepancies();
        vm.prank(admin);
        vm.expectRevert(notSigner(admin));
        registry.rejectClaim(id, 1, discrepancies);
    }

    function test_rejectClaim_revertsForStranger() public {
        bytes32 id = claimed("LG-2569-000001", 40_000_000);
        bytes32[] memory discrepancies = _discrepancies();
        vm.prank(stranger);
        vm.expectRevert(notSigner(stranger));
        registry.rejectClaim(id, 1, discrepancies);
    }

    function test_rejectClaim_bySecondSignerOfIssuer() public {
        bytes32 id = claimed("LG-2569-000001", 40_000_000);
        bytes32[] memory discrepancies = _discrepancies();
        vm.expectEmit(true, true, true, true, address(registry));
        emit IGuaranteeRegistry.ClaimRejected(id, 1, discrepancies, ACTIVE, bankA2);
        vm.prank(bankA2);
        registry.rejectClaim(id, 1, discrepancies);
        assertStatus(id, ACTIVE, "status");
    }

    // ---------------------------------------------------------------- extend

    function test_extend_revertsForOtherBank() public {
        bytes32 id = extendOrPay("LG-2569-000001", 50_000_000);
        vm.prank(bankB);
        vm.expectRevert(notIssuingBank(id));
        registry.extend(id, 1, EXPIRY + 90 * DAY);
    }

    function test_extend_revertsWhenIssuerSuspended() public {
        bytes32 id = extendOrPay("LG-2569-000001", 50_000_000);
        suspendBankA();
        vm.prank(bankA);
        vm.expectRevert(issuerSuspended(BANK_A));
        registry.extend(id, 1, EXPIRY + 90 * DAY);
    }

    function test_extend_revertsForSuspendedBank() public {
        bytes32 id = extendOrPay("LG-2569-000001", 50_000_000);
        vm.prank(suspendedBank);
        vm.expectRevert(issuerSuspended(BANK_SUSPENDED));
        registry.extend(id, 1, EXPIRY + 90 * DAY);
    }

    function test_extend_revertsForGateway() public {
        bytes32 id = extendOrPay("LG-2569-000001", 50_000_000);
        vm.prank(gateway);
        vm.expectRevert(notSigner(gateway));
        registry.extend(id, 1, EXPIRY + 90 * DAY);
    }

    function test_extend_revertsForAdmin() public {
        bytes32 id = extendOrPay("LG-2569-000001", 50_000_000);
        vm.prank(admin);
        vm.expectRevert(notSigner(admin));
        registry.extend(id, 1, EXPIRY + 90 * DAY);
    }

    function test_extend_revertsForStranger() public {
        bytes32 id = extendOrPay("LG-2569-000001", 50_000_000);
        vm.prank(stranger);
        vm.expectRevert(notSigner(stranger));
        registry.extend(id, 1, EXPIRY + 90 * DAY);
    }

    function test_extend_bySecondSignerOfIssuer() public {
        bytes32 id = extendOrPay("LG-2569-000001", 50_000_000);
        vm.expectEmit(true, true, true, true, address(registry));
        emit IGuaranteeRegistry.GuaranteeExtended(id, 1, EXPIRY + 90 * DAY, ACTIVE, bankA2);
        vm.prank(bankA2);
        registry.extend(id, 1, EXPIRY + 90 * DAY);
        assertEq(registry.getGuarantee(id).expiryDate, EXPIRY + 90 * DAY, "expiry");
    }

    function _discrepancies() private pure returns (bytes32[] memory list) {
        list = new bytes32[](1);
        list[0] = "LATE-PRESENTATION";
    }
}
