// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {GuaranteeBase} from "./GuaranteeBase.sol";
import {IGuaranteeRegistry} from "../src/interfaces/IGuaranteeRegistry.sol";

// Every e-LG transition's success path: the event it emits and the state it leaves. One contract
// per concept keeps each test contract's initcode under the 49,152 bytes solc warns about.

/// @notice Success paths of issue, accept, reject and cancel.
contract GuaranteeIssueLifecycleTest is GuaranteeBase {
    function test_guaranteeId_isPackedBankCodeAndRef() public view {
        assertEq(registry.guaranteeId(BANK_A, "LG-2569-000001"), MAIN, "id");
        assertEq(
            registry.guaranteeId(BANK_B, "LG-2569-000001"),
            keccak256(abi.encodePacked(uint16(4), "LG-2569-000001")),
            "id of bank B"
        );
    }

    function test_issue_storesPendingGuarantee() public {
        IGuaranteeRegistry.IssueRequest memory request = guaranteeRequest("LG-2569-000001");
        vm.expectEmit(true, true, true, true, address(registry));
        emit IGuaranteeRegistry.GuaranteeIssued(MAIN, BANK_A, AGENCY, request, PENDING, bankA);
        vm.prank(bankA);
        bytes32 id = registry.issue(request);

        assertEq(id, MAIN, "returned id");
        IGuaranteeRegistry.Guarantee memory g = registry.getGuarantee(id);
        assertEq(g.amount, AMOUNT, "amount");
        assertEq(g.outstanding, AMOUNT, "outstanding");
        assertEq(g.agencyCode, AGENCY, "agency");
        assertEq(g.expiryDate, EXPIRY, "expiry");
        assertEq(g.bankCode, BANK_A, "bank");
        assertEq(uint8(g.guaranteeType), uint8(IGuaranteeRegistry.GuaranteeType.PERF), "type");
        assertEq(uint8(g.expiryType), uint8(IGuaranteeRegistry.ExpiryType.FIXD), "expiry type");
        assertEq(uint8(g.status), uint8(PENDING), "status");
        assertEq(uint8(g.statusBeforeSuspension), uint8(NONE), "status before suspension");
        assertEq(g.amendmentCount + g.claimCount + g.releaseCount, 0, "counters");
        assertEq(g.amendmentPending, false, "amendment pending");
        assertEq(g.claimAmount + g.totalPaid, 0, "claim and payments");
        assertEq(g.replaces, bytes32(0), "replaces");
        assertEq(g.replacedBy, bytes32(0), "replaced by");
    }

    function test_issue_openExpiryWithoutDate() public {
        IGuaranteeRegistry.IssueRequest memory request = guaranteeRequest("LG-OPEN");
        request.expiryType = IGuaranteeRegistry.ExpiryType.OPEN;
        request.expiryDate = 0;
        bytes32 id = idOf(BANK_A, "LG-OPEN");
        vm.expectEmit(true, true, true, true, address(registry));
        emit IGuaranteeRegistry.GuaranteeIssued(id, BANK_A, AGENCY, request, PENDING, bankA);
        vm.prank(bankA);
        registry.issue(request);
        assertEq(uint8(registry.getGuarantee(id).expiryType), uint8(IGuaranteeRegistry.ExpiryType.OPEN), "type");
        assertEq(registry.getGuarantee(id).expiryDate, 0, "expiry");
    }

    function test_issue_conditionalExpiryWithConditionHash() public {
        IGuaranteeRegistry.IssueRequest memory request = guaranteeRequest("LG-COND");
        request.expiryType = IGuaranteeRegistry.ExpiryType.COND;
        request.expiryDate = 0;
        request.expiryConditionHash = keccak256("handover certificate");
        bytes32 id = idOf(BANK_A, "LG-COND");
        vm.expectEmit(true, true, true, true, address(registry));
        emit IGuaranteeRegistry.GuaranteeIssued(id, BANK_A, AGENCY, request, PENDING, bankA);
        vm.prank(bankA);
        registry.issue(request);
        assertStatus(id, PENDING, "status");
    }

    function test_issue_bankRefOf35Bytes() public {
        string memory ref = "BBL-LG-2569-00000000000000000000001";
        assertEq(bytes(ref).length, 35, "length");
        IGuaranteeRegistry.IssueRequest memory request = guaranteeRequest(ref);
        vm.prank(bankA);
        bytes32 id = registry.issue(request);
        assertEq(id, idOf(BANK_A, ref), "id");
        assertStatus(id, PENDING, "status");
    }

    function test_issue_sameRefByAnotherBankIsAnotherGuarantee() public {
        bytes32 first = issued("LG-2569-000001");
        IGuaranteeRegistry.IssueRequest memory request = guaranteeRequest("LG-2569-000001");
        vm.prank(bankB);
        bytes32 second = registry.issue(request);
        assertEq(second, idOf(BANK_B, "LG-2569-000001"), "id of bank B");
        assertTrue(first != second, "distinct ids");
        assertEq(registry.getGuarantee(second).bankCode, BANK_B, "bank");
    }

    function test_accept_activates() public {
        bytes32 id = issued("LG-2569-000001");
        vm.expectEmit(true, true, true, true, address(registry));
        emit IGuaranteeRegistry.GuaranteeAccepted(id, ACTIVE, AGENCY, gateway);
        vm.prank(gateway);
        registry.accept(id, AGENCY);
        assertStatus(id, ACTIVE, "status");
        assertEq(registry.getGuarantee(id).outstanding, AMOUNT, "outstanding");
    }

    function test_reject_withReasonCode() public {
        bytes32 id = issued("LG-2569-000001");
        vm.expectEmit(true, true, true, true, address(registry));
        emit IGuaranteeRegistry.GuaranteeRejected(id, REASON, REJECTED, AGENCY, gateway);
        vm.prank(gateway);
        registry.reject(id, AGENCY, REASON);
        assertStatus(id, REJECTED, "status");
    }

    function test_cancel_whilePending() public {
        bytes32 id = issued("LG-2569-000001");
        vm.expectEmit(true, true, true, true, address(registry));
        emit IGuaranteeRegistry.GuaranteeCancelled(id, REASON, CANCELLED, bankA);
        vm.prank(bankA);
        registry.cancel(id, REASON);
        assertStatus(id, CANCELLED, "status");
    }
}

/// @notice Success paths of amendments: proposal, acceptance, rejection.
contract GuaranteeAmendmentLifecycleTest is GuaranteeBase {
    function test_proposeAmendment_increaseKeepsOldTermsUntilAccepted() public {
        bytes32 id = active("LG-2569-000001");
        vm.expectEmit(true, true, true, true, address(registry));
        emit IGuaranteeRegistry.AmendmentProposed(id, 1, 150_000_000, EXPIRY, TERMS, ACTIVE, bankA);
        vm.prank(bankA);
        uint16 sequence = registry.proposeAmendment(id, 150_000_000, EXPIRY, TERMS);

        assertEq(sequence, 1, "sequence");
        IGuaranteeRegistry.Guarantee memory g = registry.getGuarantee(id);
        assertEq(g.amount, AMOUNT, "amount in force");
        assertEq(g.outstanding, AMOUNT, "outstanding in force");
        assertEq(g.expiryDate, EXPIRY, "expiry in force");
        assertEq(uint8(g.status), uint8(ACTIVE), "status");
        assertEq(g.amendmentCount, 1, "amendment count");
        assertEq(g.amendmentPending, true, "pending");
        assertEq(g.pendingAmount, 150_000_000, "pending amount");
        assertEq(g.pendingExpiryDate, EXPIRY, "pending expiry");
        assertEq(g.pendingTermsHash, TERMS, "pending terms");
    }

    function test_proposeAmendment_decrease() public {
        bytes32 id = active("LG-2569-000001");
        vm.expectEmit(true, true, true, true, address(registry));
        emit IGuaranteeRegistry.AmendmentProposed(id, 1, 60_000_000, EXPIRY, TERMS, ACTIVE, bankA);
        vm.prank(bankA);
        registry.proposeAmendment(id, 60_000_000, EXPIRY, TERMS);
        IGuaranteeRegistry.Guarantee memory g = registry.getGuarantee(id);
        assertEq(g.amount, AMOUNT, "amount in force");
        assertEq(g.pendingAmount, 60_000_000, "pending amount");
    }

    function test_proposeAmendment_newExpiry() public {
        bytes32 id = active("LG-2569-000001");
        uint64 newExpiry = EXPIRY + 180 * DAY;
        vm.expectEmit(true, true, true, true, address(registry));
        emit IGuaranteeRegistry.AmendmentProposed(id, 1, AMOUNT, newExpiry, TERMS, ACTIVE, bankA);
        vm.prank(bankA);
        registry.proposeAmendment(id, AMOUNT, newExpiry, TERMS);
        IGuaranteeRegistry.Guarantee memory g = registry.getGuarantee(id);
        assertEq(g.expiryDate, EXPIRY, "expiry in force");
        assertEq(g.pendingExpiryDate, newExpiry, "pending expiry");
    }

    function test_proposeAmendment_newTermsOnly() public {
        bytes32 id = active("LG-2569-000001");
        bytes32 terms = keccak256("clause 5 reworded");
        vm.expectEmit(true, true, true, true, address(registry));
        emit IGuaranteeRegistry.AmendmentProposed(id, 1, AMOUNT, EXPIRY, terms, ACTIVE, bankA);
        vm.prank(bankA);
        registry.proposeAmendment(id, AMOUNT, EXPIRY, terms);
        assertEq(registry.getGuarantee(id).pendingTermsHash, terms, "pending terms");
    }

    function test_proposeAmendment_openExpiryTakesNoDate() public {
        bytes32 id = issuedWithExpiryType("LG-OPEN", IGuaranteeRegistry.ExpiryType.OPEN);
        vm.prank(gateway);
        registry.accept(id, AGENCY);
        vm.expectEmit(true, true, true, true, address(registry));
        emit IGuaranteeRegistry.AmendmentProposed(id, 1, 120_000_000, 0, TERMS, ACTIVE, bankA);
        vm.prank(bankA);
        registry.proposeAmendment(id, 120_000_000, 0, TERMS);
        assertEq(registry.getGuarantee(id).pendingAmount, 120_000_000, "pending amount");
    }

    function test_proposeAmendment_nextSequenceAfterAnswer() public {
        bytes32 id = amended("LG-2569-000001", 150_000_000);
        vm.prank(gateway);
        registry.rejectAmendment(id, AGENCY, 1, REASON);
        vm.prank(bankA);
        uint16 sequence = registry.proposeAmendment(id, 140_000_000, EXPIRY, TERMS);
        assertEq(sequence, 2, "sequence");
        assertEq(registry.getGuarantee(id).amendmentCount, 2, "amendment count");
    }

    function test_acceptAmendment_increaseRaisesAmountAndOutstanding() public {
        bytes32 id = active("LG-2569-000001");
        vm.prank(gateway);
        registry.reduce(id, AGENCY, 10_000_000);
        uint64 newExpiry = EXPIRY + 30 * DAY;
        vm.prank(bankA);
        registry.proposeAmendment(id, 150_000_000, newExpiry, TERMS);

        vm.expectEmit(true, true, true, true, address(registry));
        emit IGuaranteeRegistry.AmendmentAccepted(
            id, 1, 150_000_000, 140_000_000, newExpiry, TERMS, ACTIVE, AGENCY, gateway
        );
        vm.prank(gateway);
        registry.acceptAmendment(id, AGENCY, 1);

        IGuaranteeRegistry.Guarantee memory g = registry.getGuarantee(id);
        assertEq(g.amount, 150_000_000, "amount");
        assertEq(g.outstanding, 140_000_000, "outstanding keeps the reduction");
        assertEq(g.expiryDate, newExpiry, "expiry");
        assertEq(uint8(g.status), uint8(ACTIVE), "status");
        assertEq(g.amendmentCount, 1, "amendment count");
        assertEq(g.amendmentPending, false, "pending");
        assertEq(g.pendingAmount, 0, "pending amount cleared");
        assertEq(g.pendingExpiryDate, 0, "pending expiry cleared");
        assertEq(g.pendingTermsHash, bytes32(0), "pending terms cleared");
    }

    function test_acceptAmendment_decreaseLowersAmountAndOutstanding() public {
        bytes32 id = active("LG-2569-000001");
        vm.prank(gateway);
        registry.reduce(id, AGENCY, 30_000_000);
        vm.prank(bankA);
        registry.proposeAmendment(id, 40_000_000, EXPIRY, TERMS);

        vm.expectEmit(true, true, true, true, address(registry));
        emit IGuaranteeRegistry.AmendmentAccepted(id, 1, 40_000_000, 10_000_000, EXPIRY, TERMS, ACTIVE, AGENCY, gateway);
        vm.prank(gateway);
        registry.acceptAmendment(id, AGENCY, 1);

        IGuaranteeRegistry.Guarantee memory g = registry.getGuarantee(id);
        assertEq(g.amount, 40_000_000, "amount");
        assertEq(g.outstanding, 10_000_000, "outstanding");
    }

    function test_acceptAmendment_newExpiryTakesEffect() public {
        bytes32 id = active("LG-2569-000001");
        uint64 newExpiry = EXPIRY - 100 * DAY;
        vm.prank(bankA);
        registry.proposeAmendment(id, AMOUNT, newExpiry, TERMS);
        vm.expectEmit(true, true, true, true, address(registry));
        emit IGuaranteeRegistry.AmendmentAccepted(id, 1, AMOUNT, AMOUNT, newExpiry, TERMS, ACTIVE, AGENCY, gateway);
        vm.prank(gateway);
        registry.acceptAmendment(id, AGENCY, 1);
        assertEq(registry.getGuarantee(id).expiryDate, newExpiry, "expiry");
        assertEq(registry.getGuarantee(id).amount, AMOUNT, "amount");
    }

    function test_acceptAmendment_openExpiryStaysOpen() public {
        bytes32 id = issuedWithExpiryType("LG-OPEN", IGuaranteeRegistry.ExpiryType.OPEN);
        vm.prank(gateway);
        registry.accept(id, AGENCY);
        vm.prank(bankA);
        registry.proposeAmendment(id, 120_000_000, 0, TERMS);
        vm.expectEmit(true, true, true, true, address(registry));
        emit IGuaranteeRegistry.AmendmentAccepted(id, 1, 120_000_000, 120_000_000, 0, TERMS, ACTIVE, AGENCY, gateway);
        vm.prank(gateway);
        registry.acceptAmendment(id, AGENCY, 1);
        assertEq(registry.getGuarantee(id).expiryDate, 0, "expiry");
    }

    function test_rejectAmendment_keepsOldTerms() public {
        bytes32 id = amended("LG-2569-000001", 150_000_000);
        vm.expectEmit(true, true, true, true, address(registry));
        emit IGuaranteeRegistry.AmendmentRejected(id, 1, REASON, ACTIVE, AGENCY, gateway);
        vm.prank(gateway);
        registry.rejectAmendment(id, AGENCY, 1, REASON);

        IGuaranteeRegistry.Guarantee memory g = registry.getGuarantee(id);
        assertEq(g.amount, AMOUNT, "amount");
        assertEq(g.outstanding, AMOUNT, "outstanding");
        assertEq(g.expiryDate, EXPIRY, "expiry");
        assertEq(g.amendmentCount, 1, "amendment count");
        assertEq(g.amendmentPending, false, "pending");
        assertEq(g.pendingAmount, 0, "pending amount cleared");
        assertEq(g.pendingTermsHash, bytes32(0), "pending terms cleared");
    }

    function test_rejectAmendment_whileClaimOpen() public {
        bytes32 id = amended("LG-2569-000001", 150_000_000);
        vm.prank(gateway);
        registry.claim(id, AGENCY, 10_000_000, DEMAND);
        vm.expectEmit(true, true, true, true, address(registry));
        emit IGuaranteeRegistry.AmendmentRejected(id, 1, REASON, CLAIMED, AGENCY, gateway);
        vm.prank(gateway);
        registry.rejectAmendment(id, AGENCY, 1, REASON);
        assertStatus(id, CLAIMED, "status");
        assertEq(registry.getGuarantee(id).amendmentPending, false, "pending");
    }
}

/// @notice Success paths of reductions (partial releases) and full releases.
contract GuaranteeReleaseLifecycleTest is GuaranteeBase {
    function test_reduce_lowersOutstanding() public {
        bytes32 id = active("LG-2569-000001");
        vm.expectEmit(true, true, true, true, address(registry));
        emit IGuaranteeRegistry.GuaranteeReduced(id, 1, 30_000_000, 70_000_000, ACTIVE, AGENCY, gateway);
        vm.prank(gateway);
        registry.reduce(id, AGENCY, 30_000_000);

        IGuaranteeRegistry.Guarantee memory g = registry.getGuarantee(id);
        assertEq(g.amount, AMOUNT, "amount");
        assertEq(g.outstanding, 70_000_000, "outstanding");
        assertEq(g.releaseCount, 1, "release count");
        assertEq(uint8(g.status), uint8(ACTIVE), "status");
    }

    function test_reduce_downToOneSatang() public {
        bytes32 id = active("LG-2569-000001");
        vm.prank(gateway);
        registry.reduce(id, AGENCY, AMOUNT - 1);
        assertEq(registry.getGuarantee(id).outstanding, 1, "outstanding");
    }

    function test_release_recordsReturnDeadline15DaysAfterObligationsEnded() public {
        bytes32 id = active("LG-2569-000001");
        uint64 endedAt = START + 10 * DAY;
        vm.warp(START + 12 * DAY);
        vm.expectEmit(true, true, true, true, address(registry));
        emit IGuaranteeRegistry.GuaranteeReleased(id, 1, AMOUNT, endedAt, endedAt + 15 days, RELEASED, AGENCY, gateway);
        vm.prank(gateway);
        registry.release(id, AGENCY, endedAt);

        IGuaranteeRegistry.Guarantee memory g = registry.getGuarantee(id);
        assertEq(uint8(g.status), uint8(RELEASED), "status");
        assertEq(g.outstanding, 0, "outstanding");
        assertEq(g.amount, AMOUNT, "amount");
        assertEq(g.releaseCount, 1, "release count");
        assertEq(registry.RETURN_PERIOD(), 15 days, "return period");
    }

    function test_release_afterReductionReleasesRemainder() public {
        bytes32 id = active("LG-2569-000001");
        vm.prank(gateway);
        registry.reduce(id, AGENCY, 30_000_000);
        vm.expectEmit(true, true, true, true, address(registry));
        emit IGuaranteeRegistry.GuaranteeReleased(id, 2, 70_000_000, START, START + 15 * DAY, RELEASED, AGENCY, gateway);
        vm.prank(gateway);
        registry.release(id, AGENCY, START);
        assertEq(registry.getGuarantee(id).releaseCount, 2, "release count");
    }
}

/// @notice Success paths of claims and the bank's answers to them.
contract GuaranteeClaimLifecycleTest is GuaranteeBase {
    function test_claim_opensClaim() public {
        bytes32 id = active("LG-2569-000001");
        vm.expectEmit(true, true, true, true, address(registry));
        emit IGuaranteeRegistry.ClaimMade(id, 1, 40_000_000, false, 0, DEMAND, CLAIMED, AGENCY, gateway);
        vm.prank(gateway);
        uint16 sequence = registry.claim(id, AGENCY, 40_000_000, DEMAND);

        assertEq(sequence, 1, "sequence");
        IGuaranteeRegistry.Guarantee memory g = registry.getGuarantee(id);
        assertEq(uint8(g.status), uint8(CLAIMED), "status");
        assertEq(g.claimCount, 1, "claim count");
        assertEq(g.claimAmount, 40_000_000, "claim amount");
        assertEq(g.claimRequestedExpiry, 0, "requested expiry");
        assertEq(g.outstanding, AMOUNT, "outstanding until paid");
    }

    function test_claim_wholeOutstandingOnExpiryDay() public {
        bytes32 id = active("LG-2569-000001");
        vm.warp(EXPIRY);
        vm.prank(gateway);
        registry.claim(id, AGENCY, AMOUNT, DEMAND);
        assertEq(registry.getGuarantee(id).claimAmount, AMOUNT, "claim amount");
    }

    function test_claim_openExpiryLongAfterIssue() public {
        bytes32 id = issuedWithExpiryType("LG-OPEN", IGuaranteeRegistry.ExpiryType.OPEN);
        vm.prank(gateway);
        registry.accept(id, AGENCY);
        vm.warp(EXPIRY + 3650 * DAY);
        vm.prank(gateway);
        registry.claim(id, AGENCY, AMOUNT, DEMAND);
        assertStatus(id, CLAIMED, "status");
    }

    function test_claimExtendOrPay_opensExtendOrPay() public {
        bytes32 id = active("LG-2569-000001");
        uint64 requested = EXPIRY + 90 * DAY;
        vm.expectEmit(true, true, true, true, address(registry));
        emit IGuaranteeRegistry.ClaimMade(id, 1, AMOUNT, true, requested, DEMAND, EXTEND_OR_PAY, AGENCY, gateway);
        vm.prank(gateway);
        uint16 sequence = registry.claimExtendOrPay(id, AGENCY, AMOUNT, requested, DEMAND);

        assertEq(sequence, 1, "sequence");
        IGuaranteeRegistry.Guarantee memory g = registry.getGuarantee(id);
        assertEq(uint8(g.status), uint8(EXTEND_OR_PAY), "status");
        assertEq(g.claimAmount, AMOUNT, "claim amount");
        assertEq(g.claimRequestedExpiry, requested, "requested expiry");
        assertEq(g.expiryDate, EXPIRY, "expiry until extended");
    }

    function test_pay_partialReturnsToActive() public {
        bytes32 id = claimed("LG-2569-000001", 40_000_000);
        vm.expectEmit(true, true, true, true, address(registry));
        emit IGuaranteeRegistry.ClaimPaid(id, 1, 25_000_000, PAYMENT_REF, 75_000_000, 25_000_000, ACTIVE, bankA);
        vm.prank(bankA);
        registry.pay(id, 1, 25_000_000, PAYMENT_REF);

        IGuaranteeRegistry.Guarantee memory g = registry.getGuarantee(id);
        assertEq(uint8(g.status), uint8(ACTIVE), "status");
        assertEq(g.outstanding, 75_000_000, "outstanding");
        assertEq(g.totalPaid, 25_000_000, "total paid");
        assertEq(g.amount, AMOUNT, "amount");
        assertEq(g.claimAmount, 0, "claim closed");
    }

    function test_pay_wholeClaimBelowOutstandingReturnsToActive() public {
        bytes32 id = claimed("LG-2569-000001", 40_000_000);
        vm.expectEmit(true, true, true, true, address(registry));
        emit IGuaranteeRegistry.ClaimPaid(id, 1, 40_000_000, PAYMENT_REF, 60_000_000, 40_000_000, ACTIVE, bankA);
        vm.prank(bankA);
        registry.pay(id, 1, 40_000_000, PAYMENT_REF);
        assertStatus(id, ACTIVE, "status");
    }

    function test_pay_fullPaysOut() public {
        bytes32 id = claimed("LG-2569-000001", AMOUNT);
        vm.expectEmit(true, true, true, true, address(registry));
        emit IGuaranteeRegistry.ClaimPaid(id, 1, AMOUNT, PAYMENT_REF, 0, AMOUNT, PAID_OUT, bankA);
        vm.prank(bankA);
        registry.pay(id, 1, AMOUNT, PAYMENT_REF);

        IGuaranteeRegistry.Guarantee memory g = registry.getGuarantee(id);
        assertEq(uint8(g.status), uint8(PAID_OUT), "status");
        assertEq(g.outstanding, 0, "outstanding");
        assertEq(g.totalPaid, AMOUNT, "total paid");
        assertEq(g.claimAmount, 0, "claim closed");
    }

    function test_pay_secondClaimPaysOutTheRest() public {
        bytes32 id = claimed("LG-2569-000001", 40_000_000);
        vm.prank(bankA);
        registry.pay(id, 1, 40_000_000, PAYMENT_REF);
        vm.prank(gateway);
        uint16 sequence = registry.claim(id, AGENCY, 60_000_000, DEMAND);
        assertEq(sequence, 2, "second claim");

        vm.expectEmit(true, true, true, true, address(registry));
        emit IGuaranteeRegistry.ClaimPaid(id, 2, 60_000_000, "GFMIS-2", 0, AMOUNT, PAID_OUT, bankA);
        vm.prank(bankA);
        registry.pay(id, 2, 60_000_000, "GFMIS-2");
        assertEq(registry.getGuarantee(id).totalPaid, AMOUNT, "total paid");
        assertStatus(id, PAID_OUT, "status");
    }

    function test_pay_answersExtendOrPay() public {
        bytes32 id = extendOrPay("LG-2569-000001", 50_000_000);
        vm.expectEmit(true, true, true, true, address(registry));
        emit IGuaranteeRegistry.ClaimPaid(id, 1, 50_000_000, PAYMENT_REF, 50_000_000, 50_000_000, ACTIVE, bankA);
        vm.prank(bankA);
        registry.pay(id, 1, 50_000_000, PAYMENT_REF);

        IGuaranteeRegistry.Guarantee memory g = registry.getGuarantee(id);
        assertEq(uint8(g.status), uint8(ACTIVE), "status");
        assertEq(g.expiryDate, EXPIRY, "expiry not extended");
        assertEq(g.claimRequestedExpiry, 0, "requested expiry cleared");
    }

    function test_rejectClaim_listsDiscrepanciesAndReturnsToActive() public {
        bytes32 id = claimed("LG-2569-000001", 40_000_000);
        bytes32[] memory discrepancies = new bytes32[](2);
        discrepancies[0] = "NO-STATEMENT-OF-BREACH";
        discrepancies[1] = "LATE-PRESENTATION";
        vm.expectEmit(true, true, true, true, address(registry));
        emit IGuaranteeRegistry.ClaimRejected(id, 1, discrepancies, ACTIVE, bankA);
        vm.prank(bankA);
        registry.rejectClaim(id, 1, discrepancies);

        IGuaranteeRegistry.Guarantee memory g = registry.getGuarantee(id);
        assertEq(uint8(g.status), uint8(ACTIVE), "status");
        assertEq(g.claimAmount, 0, "claim closed");
        assertEq(g.outstanding, AMOUNT, "outstanding");
        assertEq(g.totalPaid, 0, "total paid");
        assertEq(g.claimCount, 1, "claim count");
    }

    function test_rejectClaim_extendOrPay() public {
        bytes32 id = extendOrPay("LG-2569-000001", 50_000_000);
        bytes32[] memory discrepancies = new bytes32[](1);
        discrepancies[0] = "NOT-SIGNED";
        vm.expectEmit(true, true, true, true, address(registry));
        emit IGuaranteeRegistry.ClaimRejected(id, 1, discrepancies, ACTIVE, bankA);
        vm.prank(bankA);
        registry.rejectClaim(id, 1, discrepancies);
        assertEq(registry.getGuarantee(id).claimRequestedExpiry, 0, "requested expiry cleared");
        assertEq(registry.getGuarantee(id).expiryDate, EXPIRY, "expiry");
    }

    function test_extend_setsRequestedExpiryAndReturnsToActive() public {
        bytes32 id = extendOrPay("LG-2569-000001", 50_000_000);
        uint64 requested = EXPIRY + 90 * DAY;
        vm.expectEmit(true, true, true, true, address(registry));
        emit IGuaranteeRegistry.GuaranteeExtended(id, 1, requested, ACTIVE, bankA);
        vm.prank(bankA);
        registry.extend(id, 1, requested);

        IGuaranteeRegistry.Guarantee memory g = registry.getGuarantee(id);
        assertEq(uint8(g.status), uint8(ACTIVE), "status");
        assertEq(g.expiryDate, requested, "expiry");
        assertEq(g.claimAmount, 0, "claim closed");
        assertEq(g.claimRequestedExpiry, 0, "requested expiry cleared");
        assertEq(g.outstanding, AMOUNT, "outstanding");
    }

    function test_extend_beyondRequestedExpiry() public {
        bytes32 id = extendOrPay("LG-2569-000001", 50_000_000);
        uint64 later = EXPIRY + 180 * DAY;
        vm.prank(bankA);
        registry.extend(id, 1, later);
        assertEq(registry.getGuarantee(id).expiryDate, later, "expiry");
    }

    function test_withdrawClaim_returnsToActive() public {
        bytes32 id = claimed("LG-2569-000001", 40_000_000);
        vm.expectEmit(true, true, true, true, address(registry));
        emit IGuaranteeRegistry.ClaimWithdrawn(id, 1, ACTIVE, AGENCY, gateway);
        vm.prank(gateway);
        registry.withdrawClaim(id, AGENCY);

        IGuaranteeRegistry.Guarantee memory g = registry.getGuarantee(id);
        assertEq(uint8(g.status), uint8(ACTIVE), "status");
        assertEq(g.claimAmount, 0, "claim closed");
        assertEq(g.outstanding, AMOUNT, "outstanding");
    }

    function test_withdrawClaim_extendOrPay() public {
        bytes32 id = extendOrPay("LG-2569-000001", 50_000_000);
        vm.expectEmit(true, true, true, true, address(registry));
        emit IGuaranteeRegistry.ClaimWithdrawn(id, 1, ACTIVE, AGENCY, gateway);
        vm.prank(gateway);
        registry.withdrawClaim(id, AGENCY);
        assertEq(registry.getGuarantee(id).claimRequestedExpiry, 0, "requested expiry cleared");
        assertEq(registry.getGuarantee(id).expiryDate, EXPIRY, "expiry");
    }
}

/// @notice Success paths of the ways a guarantee ends or is frozen without a claim: expiry,
/// supersession, suspension and resumption.
contract GuaranteeEndLifecycleTest is GuaranteeBase {
    // ---------------------------------------------------------------- expiry and supersession

    function test_expire_byAnyoneAfterFixedExpiry() public {
        bytes32 id = active("LG-2569-000001");
        vm.warp(EXPIRY + 1);
        vm.expectEmit(true, true, true, true, address(registry));
        emit IGuaranteeRegistry.GuaranteeExpired(id, EXPIRY, EXPIRED, stranger);
        vm.prank(stranger);
        registry.expire(id);
        assertStatus(id, EXPIRED, "status");
    }

    function test_expire_neverAcceptedGuarantee() public {
        bytes32 id = issued("LG-2569-000001");
        vm.warp(EXPIRY + 1);
        vm.expectEmit(true, true, true, true, address(registry));
        emit IGuaranteeRegistry.GuaranteeExpired(id, EXPIRY, EXPIRED, bankB);
        vm.prank(bankB);
        registry.expire(id);
        assertStatus(id, EXPIRED, "status");
    }

    function test_expire_atExtendedExpiry() public {
        bytes32 id = extendOrPay("LG-2569-000001", 50_000_000);
        uint64 extended = EXPIRY + 90 * DAY;
        vm.prank(bankA);
        registry.extend(id, 1, extended);
        vm.warp(extended + 1);
        vm.expectEmit(true, true, true, true, address(registry));
        emit IGuaranteeRegistry.GuaranteeExpired(id, extended, EXPIRED, stranger);
        vm.prank(stranger);
        registry.expire(id);
    }

    function test_supersede_linksBothWays() public {
        bytes32 id = active("LG-2569-000001");
        bytes32 replacement = active("LG-2569-000002");
        vm.expectEmit(true, true, true, true, address(registry));
        emit IGuaranteeRegistry.GuaranteeSuperseded(id, replacement, SUPERSEDED, AGENCY, gateway);
        vm.prank(gateway);
        registry.supersede(id, AGENCY, replacement);

        IGuaranteeRegistry.Guarantee memory old = registry.getGuarantee(id);
        IGuaranteeRegistry.Guarantee memory replacing = registry.getGuarantee(replacement);
        assertEq(uint8(old.status), uint8(SUPERSEDED), "old status");
        assertEq(old.replacedBy, replacement, "replacedBy");
        assertEq(old.replaces, bytes32(0), "old replaces nothing");
        assertEq(replacing.replaces, id, "replaces");
        assertEq(replacing.replacedBy, bytes32(0), "replacement not replaced");
        assertEq(uint8(replacing.status), uint8(ACTIVE), "replacement status unchanged");
    }

    function test_supersede_byActiveTopUpOfAnotherBank() public {
        bytes32 id = active("LG-2569-000001");
        IGuaranteeRegistry.IssueRequest memory request = guaranteeRequest("KB-TOPUP-1");
        vm.prank(bankB);
        bytes32 topUp = registry.issue(request);
        vm.prank(gateway);
        registry.accept(topUp, AGENCY);

        vm.expectEmit(true, true, true, true, address(registry));
        emit IGuaranteeRegistry.GuaranteeSuperseded(id, topUp, SUPERSEDED, AGENCY, gateway);
        vm.prank(gateway);
        registry.supersede(id, AGENCY, topUp);
        assertEq(registry.getGuarantee(topUp).replaces, id, "replaces");
        assertStatus(topUp, ACTIVE, "replacement status");
    }

    function test_supersede_replacementCanLaterBeReplaced() public {
        bytes32 first = active("LG-1");
        bytes32 second = active("LG-2");
        bytes32 third = active("LG-3");
        vm.startPrank(gateway);
        registry.supersede(first, AGENCY, second);
        registry.supersede(second, AGENCY, third);
        vm.stopPrank();
        IGuaranteeRegistry.Guarantee memory middle = registry.getGuarantee(second);
        assertEq(middle.replaces, first, "second replaces first");
        assertEq(middle.replacedBy, third, "third replaces second");
        assertEq(registry.getGuarantee(third).replaces, second, "third replaces");
    }

    // ---------------------------------------------------------------- suspension

    function test_suspend_freezesWithReason() public {
        bytes32 id = active("LG-2569-000001");
        vm.expectEmit(true, true, true, true, address(registry));
        emit IGuaranteeRegistry.GuaranteeSuspended(id, COURT_ORDER, ACTIVE, SUSPENDED, admin);
        vm.prank(admin);
        registry.suspend(id, COURT_ORDER);

        IGuaranteeRegistry.Guarantee memory g = registry.getGuarantee(id);
        assertEq(uint8(g.status), uint8(SUSPENDED), "status");
        assertEq(uint8(g.statusBeforeSuspension), uint8(ACTIVE), "status before suspension");
        assertEq(g.amount, AMOUNT, "amount untouched");
        assertEq(g.outstanding, AMOUNT, "outstanding untouched");
    }

    function test_suspend_openClaimKeepsClaim() public {
        bytes32 id = claimed("LG-2569-000001", 40_000_000);
        vm.expectEmit(true, true, true, true, address(registry));
        emit IGuaranteeRegistry.GuaranteeSuspended(id, COURT_ORDER, CLAIMED, SUSPENDED, admin);
        vm.prank(admin);
        registry.suspend(id, COURT_ORDER);
        assertEq(registry.getGuarantee(id).claimAmount, 40_000_000, "claim amount");
    }

    function test_resume_restoresPendingAcceptance() public {
        _suspendAndResume(issued("LG-2569-000001"), PENDING);
    }

    function test_resume_restoresActive() public {
        _suspendAndResume(active("LG-2569-000001"), ACTIVE);
    }

    function test_resume_restoresClaimed() public {
        bytes32 id = claimed("LG-2569-000001", 40_000_000);
        _suspendAndResume(id, CLAIMED);
        assertEq(registry.getGuarantee(id).claimAmount, 40_000_000, "claim still open");
        vm.prank(bankA);
        registry.pay(id, 1, 40_000_000, PAYMENT_REF);
        assertEq(registry.getGuarantee(id).outstanding, 60_000_000, "paid after resumption");
    }

    function test_resume_restoresExtendOrPay() public {
        bytes32 id = extendOrPay("LG-2569-000001", 50_000_000);
        _suspendAndResume(id, EXTEND_OR_PAY);
        assertEq(registry.getGuarantee(id).claimRequestedExpiry, EXPIRY + 90 * DAY, "requested expiry kept");
    }

    function _suspendAndResume(bytes32 id, IGuaranteeRegistry.Status previous) private {
        bytes32 liftedBy = keccak256("court order lifted");
        suspendedBy(id);
        vm.expectEmit(true, true, true, true, address(registry));
        emit IGuaranteeRegistry.GuaranteeResumed(id, liftedBy, previous, admin);
        vm.prank(admin);
        registry.resume(id, liftedBy);

        IGuaranteeRegistry.Guarantee memory g = registry.getGuarantee(id);
        assertEq(uint8(g.status), uint8(previous), "restored status");
        assertEq(uint8(g.statusBeforeSuspension), uint8(NONE), "status before suspension cleared");
    }
}
