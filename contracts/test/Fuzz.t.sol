// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Fixture} from "./utils/Fixture.sol";
import {IConsortium} from "../src/interfaces/IConsortium.sol";
import {IGuaranteeRegistry} from "../src/interfaces/IGuaranteeRegistry.sol";
import {ICreditConfirmationRegistry} from "../src/interfaces/ICreditConfirmationRegistry.sol";

/// @notice Shorthands of the fuzz suites.
abstract contract FuzzBase is Fixture {
    uint64 internal constant EXPIRY = START + 365 * DAY; // guaranteeRequest()'s fixed expiry
    /// The registry's LATEST_DATE: dates up to the year 9999, far below where uint64 seconds overflow.
    uint64 internal constant LAST_DATE = 253_402_275_599;
    /// The largest amount the registry stores (96 bits).
    uint128 internal constant MAX_AMOUNT = type(uint96).max;

    /// Issues `bankRef` for `amount` from bank A and has the agency accept it.
    function activeFor(string memory bankRef, uint128 amount) internal returns (bytes32 id) {
        IGuaranteeRegistry.IssueRequest memory request = guaranteeRequest(bankRef);
        request.amount = amount;
        vm.prank(bankA);
        id = registry.issue(request);
        vm.prank(gateway);
        registry.accept(id, AGENCY);
    }

    function claimAndPay(bytes32 id, uint128 claimAmount, uint128 payAmount) internal {
        vm.prank(gateway);
        uint16 sequence = registry.claim(id, AGENCY, claimAmount, "demand");
        vm.prank(bankA);
        registry.pay(id, sequence, payAmount, "GFMIS-REF");
    }

    function reduceBy(bytes32 id, uint128 by) internal {
        vm.prank(gateway);
        registry.reduce(id, AGENCY, by);
    }

    function s(IGuaranteeRegistry.Status status) internal pure returns (uint256) {
        return uint256(status);
    }

    /// A pseudo-random number in [min, max] for step `i` of a sequence drawn from `seed`.
    function draw(uint256 seed, uint256 i, uint256 min, uint256 max) internal pure returns (uint256) {
        return bound(uint256(keccak256(abi.encode(seed, i))), min, max);
    }
}

/// @notice Issue, claim and reduce: accepted exactly when the rules hold.
contract GuaranteeIssueClaimFuzzTest is FuzzBase {
    /// issue is accepted iff 0 < amount < 2^96, the dates are at most LATEST_DATE, the expiry settings
    /// are consistent and a fixed expiry lies in the future; it stores what it got.
    function testFuzz_issue_acceptedIffRulesHold(
        uint128 amount,
        uint64 effectiveDate,
        uint8 expiryKind,
        uint64 expiryDate,
        bool zeroExpiry,
        bool withCondition
    ) public {
        IGuaranteeRegistry.ExpiryType expiryType = IGuaranteeRegistry.ExpiryType(expiryKind % 3);
        if (zeroExpiry) expiryDate = 0;
        IGuaranteeRegistry.IssueRequest memory request = guaranteeRequest("LG-FUZZ-ISSUE");
        request.amount = amount;
        request.effectiveDate = effectiveDate;
        request.expiryType = expiryType;
        request.expiryDate = expiryDate;
        request.expiryConditionHash = withCondition ? keccak256("condition text") : bytes32(0);

        bool fixd = expiryType == IGuaranteeRegistry.ExpiryType.FIXD;
        bool cond = expiryType == IGuaranteeRegistry.ExpiryType.COND;
        bytes memory invalidExpiry =
            abi.encodeWithSelector(IGuaranteeRegistry.InvalidExpiry.selector, expiryType, effectiveDate, expiryDate);
        bytes memory expected;
        if (amount > MAX_AMOUNT) {
            expected = abi.encodeWithSelector(IGuaranteeRegistry.AmountOutOfRange.selector, amount, MAX_AMOUNT);
        } else if (amount == 0) {
            expected = abi.encodeWithSelector(IGuaranteeRegistry.ZeroAmount.selector);
        } else if (effectiveDate > LAST_DATE) {
            expected = abi.encodeWithSelector(IGuaranteeRegistry.DateOutOfRange.selector, effectiveDate, LAST_DATE);
        } else if (fixd ? expiryDate <= effectiveDate : expiryDate != 0) {
            expected = invalidExpiry;
        } else if (fixd && expiryDate > LAST_DATE) {
            expected = abi.encodeWithSelector(IGuaranteeRegistry.DateOutOfRange.selector, expiryDate, LAST_DATE);
        } else if (fixd && expiryDate <= START) {
            bytes32 expectedId = keccak256(abi.encodePacked(BANK_A, "LG-FUZZ-ISSUE"));
            expected =
                abi.encodeWithSelector(IGuaranteeRegistry.ExpiryNotInFuture.selector, expectedId, expiryDate, START);
        } else if (cond && !withCondition) {
            bytes32 field = "expiryConditionHash";
            expected = abi.encodeWithSelector(IConsortium.RequiredFieldEmpty.selector, field);
        } else if (!cond && withCondition) {
            expected = invalidExpiry;
        }

        if (expected.length != 0) vm.expectRevert(expected);
        vm.prank(bankA);
        bytes32 id = registry.issue(request);
        if (expected.length != 0) return;

        IGuaranteeRegistry.Guarantee memory g = registry.getGuarantee(id);
        assertEq(g.amount, amount, "amount");
        assertEq(g.outstanding, amount, "outstanding");
        assertEq(g.expiryDate, expiryDate, "expiryDate");
        assertEq(g.effectiveDate, effectiveDate, "effectiveDate");
        assertEq(uint256(g.expiryType), uint256(expiryType), "expiryType");
        assertEq(s(g.status), s(IGuaranteeRegistry.Status.PendingAcceptance), "status");
    }

    /// The bank reference is 1 to 35 bytes.
    function testFuzz_issue_bankRefLength(uint8 length) public {
        bytes memory ref = new bytes(length);
        for (uint256 i = 0; i < length; i++) {
            ref[i] = "7";
        }
        IGuaranteeRegistry.IssueRequest memory request = guaranteeRequest(string(ref));
        bool ok = length >= 1 && length <= 35;
        if (!ok) vm.expectRevert(abi.encodeWithSelector(IGuaranteeRegistry.InvalidBankRef.selector, length));
        vm.prank(bankA);
        bytes32 id = registry.issue(request);
        if (ok) assertEq(id, keccak256(abi.encodePacked(BANK_A, ref)), "id");
    }

    /// A claim is accepted iff 0 < amount <= outstanding (after any reduction).
    function testFuzz_claim_amountAtMostOutstanding(uint128 amount, uint128 reduction, uint128 claimAmount, uint8 mode)
        public
    {
        amount = uint128(bound(amount, 1, MAX_AMOUNT));
        bytes32 id = activeFor("LG-FUZZ-CLAIM", amount);
        if (amount > 1) {
            reduction = uint128(bound(reduction, 0, amount - 1));
            if (reduction != 0) reduceBy(id, reduction);
        } else {
            reduction = 0;
        }
        uint128 outstanding = amount - reduction;
        // Steer some runs to the boundary.
        mode %= 4;
        if (mode == 1) claimAmount = outstanding;
        else if (mode == 2) claimAmount = outstanding + 1;
        else if (mode == 3) claimAmount = uint128(bound(claimAmount, 1, outstanding));

        if (claimAmount == 0) {
            vm.expectRevert(IGuaranteeRegistry.ZeroAmount.selector);
        } else if (claimAmount > outstanding) {
            vm.expectRevert(
                abi.encodeWithSelector(
                    IGuaranteeRegistry.AmountExceedsOutstanding.selector, id, claimAmount, outstanding
                )
            );
        }
        vm.prank(gateway);
        registry.claim(id, AGENCY, claimAmount, "demand");

        IGuaranteeRegistry.Guarantee memory g = registry.getGuarantee(id);
        assertEq(g.outstanding, outstanding, "outstanding unchanged by a claim");
        if (claimAmount != 0 && claimAmount <= outstanding) {
            assertEq(s(g.status), s(IGuaranteeRegistry.Status.Claimed), "status");
            assertEq(g.claimAmount, claimAmount, "claimAmount");
        } else {
            assertEq(s(g.status), s(IGuaranteeRegistry.Status.Active), "still active");
        }
    }

    /// A claim is accepted up to and including the fixed expiry; expire only after it.
    function testFuzz_claim_untilExpiryThenExpire(uint64 at) public {
        at = uint64(bound(at, START, EXPIRY + 730 * DAY));
        bytes32 id = active("LG-FUZZ-TIME");
        vm.warp(at);
        if (at <= EXPIRY) {
            vm.expectRevert(abi.encodeWithSelector(IGuaranteeRegistry.NotYetExpired.selector, id, EXPIRY, at));
            registry.expire(id);
            vm.prank(gateway);
            registry.claim(id, AGENCY, 1, "demand");
            assertEq(s(statusOf(id)), s(IGuaranteeRegistry.Status.Claimed), "claimed");
        } else {
            vm.expectRevert(
                abi.encodeWithSelector(
                    IGuaranteeRegistry.ExpiryPassed.selector, id, IGuaranteeRegistry.Action.Claim, EXPIRY, at
                )
            );
            vm.prank(gateway);
            registry.claim(id, AGENCY, 1, "demand");
            registry.expire(id);
            assertEq(s(statusOf(id)), s(IGuaranteeRegistry.Status.Expired), "expired");
        }
    }

    /// A reduction is accepted iff 0 < reduceBy < outstanding.
    function testFuzz_reduce_partialOnly(uint128 amount, uint128 by) public {
        amount = uint128(bound(amount, 1, MAX_AMOUNT));
        bytes32 id = activeFor("LG-FUZZ-REDUCE", amount);
        if (by == 0) {
            vm.expectRevert(IGuaranteeRegistry.ZeroAmount.selector);
        } else if (by >= amount) {
            vm.expectRevert(abi.encodeWithSelector(IGuaranteeRegistry.ReductionNotPartial.selector, id, by, amount));
        }
        reduceBy(id, by);
        bool ok = by != 0 && by < amount;
        assertEq(registry.getGuarantee(id).outstanding, ok ? amount - by : amount, "outstanding");
        assertEq(registry.getGuarantee(id).releaseCount, ok ? 1 : 0, "releaseCount");
    }
}

/// @notice Sequences of reductions, claims, payments and amendments keep the books straight.
contract GuaranteeSequenceFuzzTest is FuzzBase {
    /// Any sequence of reductions, claims, partial payments, rejections and withdrawals keeps
    /// outstanding = amount - reductions - payments and totalPaid = payments; PaidOut iff nothing is left.
    function testFuzz_pay_partialSequenceKeepsOutstanding(uint128 amount, uint256 seed) public {
        amount = uint128(bound(amount, 1, MAX_AMOUNT));
        bytes32 id = activeFor("LG-FUZZ-SEQ", amount);
        uint256 reductions;
        uint256 payments;
        bytes32[] memory discrepancies = new bytes32[](1);
        discrepancies[0] = "DOCUMENTS INCOMPLETE";

        for (uint256 i = 0; i < 12; i++) {
            uint128 outstanding = registry.getGuarantee(id).outstanding;
            if (outstanding == 0) break;
            uint256 step = draw(seed, i, 0, 5);
            if (step == 0 && outstanding > 1) {
                uint128 by = uint128(draw(seed, i + 100, 1, outstanding - 1));
                reduceBy(id, by);
                reductions += by;
            } else {
                // Claim all of it sometimes, so that some runs reach PaidOut.
                uint128 claimAmount = step == 1 ? outstanding : uint128(draw(seed, i + 200, 1, outstanding));
                vm.prank(gateway);
                uint16 sequence = registry.claim(id, AGENCY, claimAmount, "demand");
                if (step == 2) {
                    vm.prank(bankA2);
                    registry.rejectClaim(id, sequence, discrepancies);
                } else if (step == 3) {
                    vm.prank(gateway);
                    registry.withdrawClaim(id, AGENCY);
                } else {
                    uint128 paid = step == 1 ? claimAmount : uint128(draw(seed, i + 300, 1, claimAmount));
                    vm.prank(bankA);
                    registry.pay(id, sequence, paid, "GFMIS-REF");
                    payments += paid;
                }
            }

            IGuaranteeRegistry.Guarantee memory g = registry.getGuarantee(id);
            assertEq(g.outstanding, amount - reductions - payments, "outstanding = amount - reductions - payments");
            assertEq(g.totalPaid, payments, "totalPaid");
            assertEq(g.amount, amount, "amount unchanged");
            assertEq(g.claimAmount, 0, "claim closed");
            assertEq(
                s(g.status),
                s(g.outstanding == 0 ? IGuaranteeRegistry.Status.PaidOut : IGuaranteeRegistry.Status.Active),
                "status"
            );
        }
    }

    /// A payment is accepted iff 0 < paid <= claim, and leaves the guarantee Active or PaidOut.
    function testFuzz_pay_atMostClaim(uint128 amount, uint128 claimAmount, uint128 paid) public {
        amount = uint128(bound(amount, 1, MAX_AMOUNT));
        claimAmount = uint128(bound(claimAmount, 1, amount));
        bytes32 id = activeFor("LG-FUZZ-PAY", amount);
        vm.prank(gateway);
        registry.claim(id, AGENCY, claimAmount, "demand");
        if (paid == 0) {
            vm.expectRevert(IGuaranteeRegistry.ZeroAmount.selector);
        } else if (paid > claimAmount) {
            vm.expectRevert(
                abi.encodeWithSelector(IGuaranteeRegistry.PaymentExceedsClaim.selector, id, paid, claimAmount)
            );
        }
        vm.prank(bankA);
        registry.pay(id, 1, paid, "GFMIS-REF");
        if (paid == 0 || paid > claimAmount) {
            assertEq(s(statusOf(id)), s(IGuaranteeRegistry.Status.Claimed), "claim still open");
            return;
        }
        IGuaranteeRegistry.Guarantee memory g = registry.getGuarantee(id);
        assertEq(g.outstanding, amount - paid, "outstanding");
        assertEq(g.totalPaid, paid, "totalPaid");
        assertEq(
            s(g.status),
            s(paid == amount ? IGuaranteeRegistry.Status.PaidOut : IGuaranteeRegistry.Status.Active),
            "status"
        );
    }

    /// Amendments up or down: proposed iff the new amount leaves something outstanding; once accepted,
    /// outstanding = new amount - (reductions + payments); rejected, nothing changes.
    function testFuzz_amendment_keepsOutstandingConsistent(
        uint128 amount,
        uint128 reduction,
        uint128 paid,
        uint128 newAmount,
        uint64 newExpiry,
        bool acceptIt
    ) public {
        amount = uint128(bound(amount, 1, MAX_AMOUNT));
        bytes32 id = activeFor("LG-FUZZ-AMEND", amount);
        reduction = uint128(bound(reduction, 0, amount - 1));
        if (reduction != 0) reduceBy(id, reduction);
        paid = uint128(bound(paid, 0, amount - 1 - reduction));
        if (paid != 0) claimAndPay(id, paid, paid);
        uint128 used = reduction + paid;
        newExpiry = uint64(bound(newExpiry, START + 1, LAST_DATE));

        if (newAmount > MAX_AMOUNT || newAmount < used + 1) {
            vm.expectRevert(
                newAmount > MAX_AMOUNT
                    ? abi.encodeWithSelector(IGuaranteeRegistry.AmountOutOfRange.selector, newAmount, MAX_AMOUNT)
                    : abi.encodeWithSelector(IGuaranteeRegistry.AmendedAmountTooLow.selector, id, newAmount, used + 1)
            );
            vm.prank(bankA);
            registry.proposeAmendment(id, newAmount, newExpiry, "terms v2");
            return;
        }
        vm.prank(bankA);
        registry.proposeAmendment(id, newAmount, newExpiry, "terms v2");
        // Old terms stay in force until the agency answers.
        assertEq(registry.getGuarantee(id).amount, amount, "amount before answer");
        assertEq(registry.getGuarantee(id).outstanding, amount - used, "outstanding before answer");

        vm.prank(gateway);
        if (acceptIt) registry.acceptAmendment(id, AGENCY, 1);
        else registry.rejectAmendment(id, AGENCY, 1, "NOT AGREED");

        IGuaranteeRegistry.Guarantee memory g = registry.getGuarantee(id);
        assertEq(g.amount, acceptIt ? newAmount : amount, "amount");
        assertEq(g.outstanding, (acceptIt ? newAmount : amount) - used, "outstanding");
        assertEq(g.expiryDate, acceptIt ? newExpiry : EXPIRY, "expiry");
        assertEq(g.totalPaid, paid, "totalPaid");
        assertTrue(!g.amendmentPending, "answered");
        assertTrue(g.outstanding <= g.amount, "outstanding <= amount");
    }

    /// A payment between proposal and acceptance makes the proposal lapse, whatever the amounts:
    /// acceptance is refused and the terms stay those after the payment.
    function testFuzz_acceptAmendment_lapsesAfterPayment(uint128 amount, uint128 newAmount, uint128 paid) public {
        amount = uint128(bound(amount, 2, MAX_AMOUNT));
        bytes32 id = activeFor("LG-FUZZ-RECHECK", amount);
        newAmount = uint128(bound(newAmount, 1, MAX_AMOUNT));
        vm.prank(bankA);
        registry.proposeAmendment(id, newAmount, EXPIRY + 30 * DAY, "terms v2");
        paid = uint128(bound(paid, 1, amount - 1));
        claimAndPay(id, paid, paid);

        vm.expectRevert(abi.encodeWithSelector(IGuaranteeRegistry.NoPendingAmendment.selector, id));
        vm.prank(gateway);
        registry.acceptAmendment(id, AGENCY, 1);
        IGuaranteeRegistry.Guarantee memory g = registry.getGuarantee(id);
        assertEq(g.amount, amount, "amount unchanged");
        assertEq(g.outstanding, amount - paid, "outstanding after the payment");
        assertEq(g.expiryDate, EXPIRY, "expiry unchanged");
        assertTrue(!g.amendmentPending, "lapsed");
    }

    /// A FIXD amendment's new expiry must lie after the time of the proposal, by LATEST_DATE.
    function testFuzz_proposeAmendment_expiryInTheFuture(uint64 at, uint64 newExpiry) public {
        at = uint64(bound(at, START, EXPIRY));
        bytes32 id = active("LG-FUZZ-AMEXP");
        vm.warp(at);
        if (newExpiry > LAST_DATE) {
            vm.expectRevert(abi.encodeWithSelector(IGuaranteeRegistry.DateOutOfRange.selector, newExpiry, LAST_DATE));
        } else if (newExpiry <= at) {
            vm.expectRevert(abi.encodeWithSelector(IGuaranteeRegistry.ExpiryNotInFuture.selector, id, newExpiry, at));
        }
        vm.prank(bankA);
        registry.proposeAmendment(id, 100_000_000, newExpiry, "terms v2");
        assertEq(registry.getGuarantee(id).amendmentPending, newExpiry > at && newExpiry <= LAST_DATE, "pending");
    }

    /// Extend-or-pay with any requested expiry: accepted iff after the current expiry; the bank then
    /// extends to at least the requested date, or pays.
    function testFuzz_claimExtendOrPay_anyRequestedExpiry(
        uint64 at,
        uint64 requested,
        uint64 granted,
        uint128 claimAmount,
        bool payInstead
    ) public {
        at = uint64(bound(at, START, EXPIRY));
        claimAmount = uint128(bound(claimAmount, 1, 100_000_000));
        bytes32 id = active("LG-FUZZ-EOP");
        vm.warp(at);
        if (requested > LAST_DATE) {
            vm.expectRevert(abi.encodeWithSelector(IGuaranteeRegistry.DateOutOfRange.selector, requested, LAST_DATE));
            vm.prank(gateway);
            registry.claimExtendOrPay(id, AGENCY, claimAmount, requested, "demand");
            return;
        }
        if (requested <= EXPIRY) {
            vm.expectRevert(
                abi.encodeWithSelector(IGuaranteeRegistry.InvalidExtension.selector, id, requested, EXPIRY + 1)
            );
            vm.prank(gateway);
            registry.claimExtendOrPay(id, AGENCY, claimAmount, requested, "demand");
            assertEq(s(statusOf(id)), s(IGuaranteeRegistry.Status.Active), "still active");
            return;
        }
        vm.prank(gateway);
        registry.claimExtendOrPay(id, AGENCY, claimAmount, requested, "demand");
        IGuaranteeRegistry.Guarantee memory g = registry.getGuarantee(id);
        assertEq(s(g.status), s(IGuaranteeRegistry.Status.ExtendOrPay), "status");
        assertEq(g.claimRequestedExpiry, requested, "requested");
        assertEq(g.claimAmount, claimAmount, "claimAmount");

        if (payInstead) {
            vm.prank(bankA);
            registry.pay(id, 1, claimAmount, "GFMIS-REF");
            g = registry.getGuarantee(id);
            assertEq(g.expiryDate, EXPIRY, "expiry unchanged when paid");
            assertEq(g.outstanding, 100_000_000 - claimAmount, "outstanding");
        } else {
            if (granted < requested || granted > LAST_DATE) {
                vm.expectRevert(
                    granted < requested
                        ? abi.encodeWithSelector(IGuaranteeRegistry.InvalidExtension.selector, id, granted, requested)
                        : abi.encodeWithSelector(IGuaranteeRegistry.DateOutOfRange.selector, granted, LAST_DATE)
                );
                vm.prank(bankA);
                registry.extend(id, 1, granted);
                assertEq(s(statusOf(id)), s(IGuaranteeRegistry.Status.ExtendOrPay), "still open");
                return;
            }
            vm.prank(bankA);
            registry.extend(id, 1, granted);
            g = registry.getGuarantee(id);
            assertEq(g.expiryDate, granted, "extended");
            assertEq(g.outstanding, 100_000_000, "outstanding unchanged");
            assertEq(s(g.status), s(IGuaranteeRegistry.Status.Active), "status");
        }
        assertEq(g.claimAmount, 0, "claim closed");
        assertEq(g.claimRequestedExpiry, 0, "request cleared");
    }
}

/// @notice Any caller the lifecycle does not name is refused, with the error that says why.
contract GuaranteeActorFuzzTest is FuzzBase {
    /// Only bank 002's signers may act on bank 002's guarantee.
    function testFuzz_cancel_anyOtherCallerRefused(address caller) public {
        vm.assume(caller != bankA && caller != bankA2);
        bytes32 id = issued("LG-FUZZ-CALLER");
        if (caller == bankB) {
            vm.expectRevert(abi.encodeWithSelector(IGuaranteeRegistry.NotIssuingBank.selector, id, BANK_A, BANK_B));
        } else if (caller == suspendedBank) {
            vm.expectRevert(
                abi.encodeWithSelector(
                    IConsortium.IssuerNotInStatus.selector,
                    BANK_SUSPENDED,
                    IConsortium.IssuerStatus.Suspended,
                    IConsortium.IssuerStatus.Active
                )
            );
        } else {
            vm.expectRevert(abi.encodeWithSelector(IConsortium.NotIssuerSigner.selector, caller));
        }
        vm.prank(caller);
        registry.cancel(id, "CANCELLED");
    }

    /// Only an authorised gateway may act for the agency, and only naming the beneficiary.
    function testFuzz_accept_anyOtherCallerOrAgencyRefused(address caller, bytes32 agencyCode) public {
        bytes32 id = issued("LG-FUZZ-GATEWAY");
        if (caller == gateway) {
            vm.assume(agencyCode != AGENCY);
            vm.expectRevert(abi.encodeWithSelector(IGuaranteeRegistry.NotBeneficiary.selector, id, AGENCY, agencyCode));
        } else {
            vm.expectRevert(abi.encodeWithSelector(IConsortium.NotGateway.selector, caller));
        }
        vm.prank(caller);
        registry.accept(id, agencyCode);
        assertEq(s(statusOf(id)), s(IGuaranteeRegistry.Status.PendingAcceptance), "still pending");
    }
}

/// @notice Credit confirmation validity over any dates.
contract CreditConfirmationFuzzTest is FuzzBase {
    /// validUntil 0 means issue + 90 days; otherwise it must lie after the issue time; expire works
    /// exactly after validUntil.
    function testFuzz_confirmation_validityAndExpiry(uint64 issueAt, uint64 validUntil, uint64 at) public {
        issueAt = uint64(bound(issueAt, START, LAST_DATE - 90 * DAY));
        vm.warp(issueAt);
        ICreditConfirmationRegistry.ConfirmationRequest memory request = confirmationRequest("CC-FUZZ");
        request.validUntil = validUntil;
        uint64 effective = validUntil == 0 ? issueAt + 90 * DAY : validUntil;
        if (effective <= issueAt) {
            vm.expectRevert(
                abi.encodeWithSelector(ICreditConfirmationRegistry.InvalidValidity.selector, effective, issueAt)
            );
        }
        vm.prank(bankA);
        bytes32 id = confirmations.issue(request);
        if (effective <= issueAt) return;
        assertEq(confirmations.getConfirmation(id).validUntil, effective, "validUntil");

        at = uint64(bound(at, issueAt, type(uint64).max));
        vm.warp(at);
        if (at <= effective) {
            vm.expectRevert(
                abi.encodeWithSelector(
                    ICreditConfirmationRegistry.ConfirmationNotYetExpired.selector, id, effective, at
                )
            );
        }
        confirmations.expire(id);
        assertEq(
            uint256(confirmations.getConfirmation(id).status),
            uint256(
                at > effective
                    ? ICreditConfirmationRegistry.ConfirmationStatus.Expired
                    : ICreditConfirmationRegistry.ConfirmationStatus.Valid
            ),
            "status"
        );
    }
}
