// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Fixture} from "./utils/Fixture.sol";
import {CreditConfirmationRegistry} from "../src/CreditConfirmationRegistry.sol";
import {IConsortium} from "../src/interfaces/IConsortium.sol";
import {ICreditConfirmationRegistry} from "../src/interfaces/ICreditConfirmationRegistry.sol";
import {IEgpTypes} from "../src/interfaces/Types.sol";

/// @notice Shorthands and expected-revert helpers of the credit confirmation suites.
abstract contract ConfirmationBase is Fixture {
    bytes32 internal constant REASON = "FACILITY CANCELLED";
    bytes32 internal constant SUPPLIER = keccak256("supplier commitment");
    uint64 internal constant DEFAULT_VALID_UNTIL = START + 90 * DAY;

    function get(bytes32 id) internal view returns (ICreditConfirmationRegistry.Confirmation memory) {
        return confirmations.getConfirmation(id);
    }

    function statusOfConfirmation(bytes32 id) internal view returns (uint256) {
        return uint256(confirmations.getConfirmation(id).status);
    }

    function st(ICreditConfirmationRegistry.ConfirmationStatus status) internal pure returns (uint256) {
        return uint256(status);
    }

    /// Issues `bankRef` from bank A and returns its id.
    function confirmed(string memory bankRef) internal returns (bytes32 id) {
        ICreditConfirmationRegistry.ConfirmationRequest memory request = confirmationRequest(bankRef);
        vm.prank(bankA);
        id = confirmations.issue(request);
    }

    /// A REGISTRATION confirmation: no project number, no budget.
    function registrationRequest(string memory bankRef)
        internal
        pure
        returns (ICreditConfirmationRegistry.ConfirmationRequest memory request)
    {
        request = confirmationRequest(bankRef);
        request.purpose = ICreditConfirmationRegistry.Purpose.REGISTRATION;
        request.projectNumber = bytes32(0);
        request.projectBudget = 0;
    }

    function idOf(uint16 bankCode, string memory bankRef) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(bankCode, bankRef));
    }

    function expectNotSigner(address caller) internal {
        vm.expectRevert(abi.encodeWithSelector(IConsortium.NotIssuerSigner.selector, caller));
    }

    function expectSuspended(uint16 bankCode) internal {
        vm.expectRevert(
            abi.encodeWithSelector(
                IConsortium.IssuerNotInStatus.selector,
                bankCode,
                IConsortium.IssuerStatus.Suspended,
                IConsortium.IssuerStatus.Active
            )
        );
    }

    function expectNotValid(bytes32 id, ICreditConfirmationRegistry.ConfirmationStatus actual) internal {
        vm.expectRevert(abi.encodeWithSelector(ICreditConfirmationRegistry.ConfirmationNotValid.selector, id, actual));
    }

    function expectEmpty(bytes32 field) internal {
        vm.expectRevert(abi.encodeWithSelector(IConsortium.RequiredFieldEmpty.selector, field));
    }

    function expectInvalidPurpose(ICreditConfirmationRegistry.ConfirmationRequest memory request) internal {
        vm.expectRevert(
            abi.encodeWithSelector(
                ICreditConfirmationRegistry.InvalidPurpose.selector,
                request.purpose,
                request.projectNumber,
                request.projectBudget
            )
        );
    }

    function revoked(string memory bankRef) internal returns (bytes32 id) {
        id = confirmed(bankRef);
        vm.prank(bankA);
        confirmations.revoke(id, REASON);
    }

    function superseded(string memory bankRef) internal returns (bytes32 id) {
        id = confirmed(bankRef);
        ICreditConfirmationRegistry.ConfirmationRequest memory replacement =
            confirmationRequest(string.concat(bankRef, "-R"));
        vm.prank(bankA);
        confirmations.supersede(id, replacement);
    }

    function expired(string memory bankRef) internal returns (bytes32 id) {
        id = confirmed(bankRef);
        vm.warp(DEFAULT_VALID_UNTIL + 1);
        confirmations.expire(id);
    }
}

/// @notice Issuing a credit confirmation: defaults, purposes, and every refusal.
contract CreditConfirmationIssueTest is ConfirmationBase {
    function test_constructor_zeroConsortium() public {
        expectEmpty("consortium");
        new CreditConfirmationRegistry(IConsortium(address(0)));
    }

    function test_constants_defaultValidityAndConsortium() public view {
        assertEq(confirmations.DEFAULT_VALIDITY(), 90 days, "DEFAULT_VALIDITY");
        assertEq(address(confirmations.consortium()), address(consortium), "consortium");
    }

    function test_confirmationId_packedBankCodeAndRef() public view {
        assertEq(confirmations.confirmationId(BANK_A, "CC-1"), idOf(BANK_A, "CC-1"), "id");
        assertTrue(
            confirmations.confirmationId(BANK_A, "CC-1") != confirmations.confirmationId(BANK_B, "CC-1"), "per bank"
        );
    }

    function test_getConfirmation_unknownIsNone() public view {
        ICreditConfirmationRegistry.Confirmation memory c = get(idOf(BANK_A, "nothing"));
        assertEq(st(c.status), st(ICreditConfirmationRegistry.ConfirmationStatus.None), "status");
        assertEq(c.bankCode, 0, "bankCode");
    }

    function test_issue_projectWithDefaultValidity() public {
        ICreditConfirmationRegistry.ConfirmationRequest memory request = confirmationRequest("CC-2569-0001");
        bytes32 expectedId = idOf(BANK_A, "CC-2569-0001");

        vm.expectEmit(true, true, true, true, address(confirmations));
        emit ICreditConfirmationRegistry.CreditConfirmationIssued(
            expectedId,
            BANK_A,
            SUPPLIER,
            request,
            START,
            START + 90 * DAY,
            bytes32(0),
            ICreditConfirmationRegistry.ConfirmationStatus.Valid,
            bankA
        );
        vm.prank(bankA);
        bytes32 id = confirmations.issue(request);

        assertEq(id, expectedId, "returned id");
        ICreditConfirmationRegistry.Confirmation memory c = get(id);
        assertEq(c.supplierCommitment, SUPPLIER, "supplier");
        assertEq(c.bankCode, BANK_A, "bankCode");
        assertEq(st(c.status), st(ICreditConfirmationRegistry.ConfirmationStatus.Valid), "status");
        assertEq(c.issuedAt, START, "issuedAt");
        assertEq(c.validUntil, START + 90 * DAY, "validUntil = issue + 90 days");
        assertEq(c.replaces, bytes32(0), "replaces");
        assertEq(c.replacedBy, bytes32(0), "replacedBy");
    }

    function test_issue_defaultValidityCountsFromIssueTime() public {
        // The default runs from the moment of issue, not from asOfDate.
        vm.warp(START + 10 * DAY);
        bytes32 id = confirmed("CC-LATER");
        assertEq(get(id).issuedAt, START + 10 * DAY, "issuedAt");
        assertEq(get(id).validUntil, START + 100 * DAY, "validUntil");
    }

    function test_issue_explicitValidUntil() public {
        ICreditConfirmationRegistry.ConfirmationRequest memory request = confirmationRequest("CC-30D");
        request.validUntil = START + 30 * DAY;
        bytes32 expectedId = idOf(BANK_A, "CC-30D");

        vm.expectEmit(true, true, true, true, address(confirmations));
        emit ICreditConfirmationRegistry.CreditConfirmationIssued(
            expectedId,
            BANK_A,
            SUPPLIER,
            request,
            START,
            START + 30 * DAY,
            bytes32(0),
            ICreditConfirmationRegistry.ConfirmationStatus.Valid,
            bankA
        );
        vm.prank(bankA);
        confirmations.issue(request);
        assertEq(get(expectedId).validUntil, START + 30 * DAY, "validUntil");
    }

    function test_issue_validUntilOneSecondAfterIssue() public {
        ICreditConfirmationRegistry.ConfirmationRequest memory request = confirmationRequest("CC-1S");
        request.validUntil = START + 1;
        vm.prank(bankA);
        bytes32 id = confirmations.issue(request);
        assertEq(get(id).validUntil, START + 1, "validUntil");
    }

    function test_issue_registration() public {
        ICreditConfirmationRegistry.ConfirmationRequest memory request = registrationRequest("CC-REG-1");
        request.supplierType = IEgpTypes.ApplicantType.Individual;
        bytes32 expectedId = idOf(BANK_A, "CC-REG-1");

        vm.expectEmit(true, true, true, true, address(confirmations));
        emit ICreditConfirmationRegistry.CreditConfirmationIssued(
            expectedId,
            BANK_A,
            SUPPLIER,
            request,
            START,
            START + 90 * DAY,
            bytes32(0),
            ICreditConfirmationRegistry.ConfirmationStatus.Valid,
            bankA
        );
        vm.prank(bankA);
        confirmations.issue(request);
        assertEq(statusOfConfirmation(expectedId), st(ICreditConfirmationRegistry.ConfirmationStatus.Valid), "status");
    }

    function test_issue_bySecondSignerOfSameBank() public {
        ICreditConfirmationRegistry.ConfirmationRequest memory request = confirmationRequest("CC-A2");
        vm.prank(bankA2);
        bytes32 id = confirmations.issue(request);
        assertEq(get(id).bankCode, BANK_A, "bankCode");
    }

    function test_issue_sameRefAtAnotherBank() public {
        bytes32 a = confirmed("CC-SHARED-REF");
        ICreditConfirmationRegistry.ConfirmationRequest memory request = confirmationRequest("CC-SHARED-REF");
        vm.prank(bankB);
        bytes32 b = confirmations.issue(request);
        assertTrue(a != b, "ids differ per bank");
        assertEq(get(b).bankCode, BANK_B, "bank B's own");
    }

    function test_issue_bankRefOf35Bytes() public {
        ICreditConfirmationRegistry.ConfirmationRequest memory request =
            confirmationRequest("12345678901234567890123456789012345");
        vm.prank(bankA);
        bytes32 id = confirmations.issue(request);
        assertEq(st(get(id).status), st(ICreditConfirmationRegistry.ConfirmationStatus.Valid), "status");
    }

    function test_issue_suspendedBank() public {
        ICreditConfirmationRegistry.ConfirmationRequest memory request = confirmationRequest("CC-KTB");
        expectSuspended(BANK_SUSPENDED);
        vm.prank(suspendedBank);
        confirmations.issue(request);
    }

    function test_issue_gateway() public {
        ICreditConfirmationRegistry.ConfirmationRequest memory request = confirmationRequest("CC-GW");
        expectNotSigner(gateway);
        vm.prank(gateway);
        confirmations.issue(request);
    }

    function test_issue_stranger() public {
        ICreditConfirmationRegistry.ConfirmationRequest memory request = confirmationRequest("CC-X");
        expectNotSigner(stranger);
        vm.prank(stranger);
        confirmations.issue(request);
    }

    function test_issue_admin() public {
        ICreditConfirmationRegistry.ConfirmationRequest memory request = confirmationRequest("CC-ADMIN");
        expectNotSigner(admin);
        vm.prank(admin);
        confirmations.issue(request);
    }

    function test_issue_alreadyExists() public {
        bytes32 id = confirmed("CC-DUP");
        ICreditConfirmationRegistry.ConfirmationRequest memory request = confirmationRequest("CC-DUP");
        vm.expectRevert(abi.encodeWithSelector(ICreditConfirmationRegistry.ConfirmationAlreadyExists.selector, id));
        vm.prank(bankA2);
        confirmations.issue(request);
    }

    function test_issue_refOfRevokedCannotBeReused() public {
        bytes32 id = revoked("CC-REUSE");
        ICreditConfirmationRegistry.ConfirmationRequest memory request = confirmationRequest("CC-REUSE");
        vm.expectRevert(abi.encodeWithSelector(ICreditConfirmationRegistry.ConfirmationAlreadyExists.selector, id));
        vm.prank(bankA);
        confirmations.issue(request);
    }

    function test_issue_emptyBankRef() public {
        ICreditConfirmationRegistry.ConfirmationRequest memory request = confirmationRequest("");
        vm.expectRevert(abi.encodeWithSelector(ICreditConfirmationRegistry.InvalidConfirmationRef.selector, 0));
        vm.prank(bankA);
        confirmations.issue(request);
    }

    function test_issue_bankRefOf36Bytes() public {
        ICreditConfirmationRegistry.ConfirmationRequest memory request =
            confirmationRequest("123456789012345678901234567890123456");
        vm.expectRevert(abi.encodeWithSelector(ICreditConfirmationRegistry.InvalidConfirmationRef.selector, 36));
        vm.prank(bankA);
        confirmations.issue(request);
    }

    function test_issue_zeroCreditLine() public {
        ICreditConfirmationRegistry.ConfirmationRequest memory request = confirmationRequest("CC-ZERO");
        request.creditLine = 0;
        vm.expectRevert(ICreditConfirmationRegistry.ZeroCreditLine.selector);
        vm.prank(bankA);
        confirmations.issue(request);
    }

    function test_issue_zeroSupplierCommitment() public {
        ICreditConfirmationRegistry.ConfirmationRequest memory request = confirmationRequest("CC-NOSUP");
        request.supplierCommitment = bytes32(0);
        expectEmpty("supplierCommitment");
        vm.prank(bankA);
        confirmations.issue(request);
    }

    function test_issue_zeroDocumentHash() public {
        ICreditConfirmationRegistry.ConfirmationRequest memory request = confirmationRequest("CC-NODOC");
        request.documentHash = bytes32(0);
        expectEmpty("documentHash");
        vm.prank(bankA);
        confirmations.issue(request);
    }

    function test_issue_zeroCertifyingOffice() public {
        ICreditConfirmationRegistry.ConfirmationRequest memory request = confirmationRequest("CC-NOOFFICE");
        request.certifyingOffice = bytes32(0);
        expectEmpty("certifyingOffice");
        vm.prank(bankA);
        confirmations.issue(request);
    }

    function test_issue_projectWithoutNumber() public {
        ICreditConfirmationRegistry.ConfirmationRequest memory request = confirmationRequest("CC-P-NONUM");
        request.projectNumber = bytes32(0);
        expectInvalidPurpose(request);
        vm.prank(bankA);
        confirmations.issue(request);
    }

    function test_issue_projectWithoutBudget() public {
        ICreditConfirmationRegistry.ConfirmationRequest memory request = confirmationRequest("CC-P-NOBUDGET");
        request.projectBudget = 0;
        expectInvalidPurpose(request);
        vm.prank(bankA);
        confirmations.issue(request);
    }

    function test_issue_projectWithNeither() public {
        ICreditConfirmationRegistry.ConfirmationRequest memory request = confirmationRequest("CC-P-NOTHING");
        request.projectNumber = bytes32(0);
        request.projectBudget = 0;
        expectInvalidPurpose(request);
        vm.prank(bankA);
        confirmations.issue(request);
    }

    function test_issue_registrationWithProjectNumber() public {
        ICreditConfirmationRegistry.ConfirmationRequest memory request = registrationRequest("CC-R-NUM");
        request.projectNumber = PROJECT;
        expectInvalidPurpose(request);
        vm.prank(bankA);
        confirmations.issue(request);
    }

    function test_issue_registrationWithBudget() public {
        ICreditConfirmationRegistry.ConfirmationRequest memory request = registrationRequest("CC-R-BUDGET");
        request.projectBudget = 1;
        expectInvalidPurpose(request);
        vm.prank(bankA);
        confirmations.issue(request);
    }

    function test_issue_validUntilAtIssueTime() public {
        ICreditConfirmationRegistry.ConfirmationRequest memory request = confirmationRequest("CC-NOW");
        request.validUntil = START;
        vm.expectRevert(abi.encodeWithSelector(ICreditConfirmationRegistry.InvalidValidity.selector, START, START));
        vm.prank(bankA);
        confirmations.issue(request);
    }

    function test_issue_validUntilInThePast() public {
        ICreditConfirmationRegistry.ConfirmationRequest memory request = confirmationRequest("CC-PAST");
        request.validUntil = START - DAY;
        vm.expectRevert(
            abi.encodeWithSelector(ICreditConfirmationRegistry.InvalidValidity.selector, START - DAY, START)
        );
        vm.prank(bankA);
        confirmations.issue(request);
    }
}

/// @notice Revoking, superseding and expiring a credit confirmation, and every refusal.
contract CreditConfirmationLifecycleTest is ConfirmationBase {
    // ---------------------------------------------------------------- revoke

    function test_revoke_valid() public {
        bytes32 id = confirmed("CC-REV");
        vm.expectEmit(true, true, true, true, address(confirmations));
        emit ICreditConfirmationRegistry.CreditConfirmationRevoked(
            id, REASON, ICreditConfirmationRegistry.ConfirmationStatus.Revoked, bankA2
        );
        vm.prank(bankA2);
        confirmations.revoke(id, REASON);
        assertEq(statusOfConfirmation(id), st(ICreditConfirmationRegistry.ConfirmationStatus.Revoked), "status");
    }

    /// Past validUntil but not marked expired: expired all the same, so no longer the bank's to revoke.
    function test_revoke_revertsAfterValidUntil() public {
        bytes32 id = confirmed("CC-REV-LATE");
        vm.warp(DEFAULT_VALID_UNTIL + 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                ICreditConfirmationRegistry.ConfirmationExpired.selector,
                id,
                DEFAULT_VALID_UNTIL,
                DEFAULT_VALID_UNTIL + 1
            )
        );
        vm.prank(bankA);
        confirmations.revoke(id, REASON);
        assertEq(statusOfConfirmation(id), st(ICreditConfirmationRegistry.ConfirmationStatus.Valid), "status");
    }

    function test_revoke_onValidUntil() public {
        bytes32 id = confirmed("CC-REV-LAST-SECOND");
        vm.warp(DEFAULT_VALID_UNTIL);
        vm.prank(bankA);
        confirmations.revoke(id, REASON);
        assertEq(statusOfConfirmation(id), st(ICreditConfirmationRegistry.ConfirmationStatus.Revoked), "status");
    }

    function test_revoke_otherBank() public {
        bytes32 id = confirmed("CC-REV-B");
        vm.expectRevert(
            abi.encodeWithSelector(ICreditConfirmationRegistry.NotConfirmingBank.selector, id, BANK_A, BANK_B)
        );
        vm.prank(bankB);
        confirmations.revoke(id, REASON);
    }

    function test_revoke_suspendedBank() public {
        bytes32 id = confirmed("CC-REV-S");
        expectSuspended(BANK_SUSPENDED);
        vm.prank(suspendedBank);
        confirmations.revoke(id, REASON);
    }

    function test_revoke_issuingBankSuspended() public {
        bytes32 id = confirmed("CC-REV-SA");
        vm.prank(admin);
        consortium.suspendIssuer(BANK_A, "court order");
        expectSuspended(BANK_A);
        vm.prank(bankA);
        confirmations.revoke(id, REASON);
        assertEq(statusOfConfirmation(id), st(ICreditConfirmationRegistry.ConfirmationStatus.Valid), "unchanged");
    }

    function test_revoke_gateway() public {
        bytes32 id = confirmed("CC-REV-GW");
        expectNotSigner(gateway);
        vm.prank(gateway);
        confirmations.revoke(id, REASON);
    }

    function test_revoke_stranger() public {
        bytes32 id = confirmed("CC-REV-X");
        expectNotSigner(stranger);
        vm.prank(stranger);
        confirmations.revoke(id, REASON);
    }

    function test_revoke_admin() public {
        bytes32 id = confirmed("CC-REV-ADM");
        expectNotSigner(admin);
        vm.prank(admin);
        confirmations.revoke(id, REASON);
    }

    function test_revoke_notFound() public {
        bytes32 id = idOf(BANK_A, "CC-NONE");
        vm.expectRevert(abi.encodeWithSelector(ICreditConfirmationRegistry.ConfirmationNotFound.selector, id));
        vm.prank(bankA);
        confirmations.revoke(id, REASON);
    }

    function test_revoke_revoked() public {
        bytes32 id = revoked("CC-REV-2X");
        expectNotValid(id, ICreditConfirmationRegistry.ConfirmationStatus.Revoked);
        vm.prank(bankA);
        confirmations.revoke(id, REASON);
    }

    function test_revoke_superseded() public {
        bytes32 id = superseded("CC-REV-SUP");
        expectNotValid(id, ICreditConfirmationRegistry.ConfirmationStatus.Superseded);
        vm.prank(bankA);
        confirmations.revoke(id, REASON);
    }

    function test_revoke_expired() public {
        bytes32 id = expired("CC-REV-EXP");
        expectNotValid(id, ICreditConfirmationRegistry.ConfirmationStatus.Expired);
        vm.prank(bankA);
        confirmations.revoke(id, REASON);
    }

    function test_revoke_zeroReason() public {
        bytes32 id = confirmed("CC-REV-0");
        expectEmpty("reasonCode");
        vm.prank(bankA);
        confirmations.revoke(id, bytes32(0));
    }

    // ---------------------------------------------------------------- supersede

    function test_supersede_valid() public {
        bytes32 oldId = confirmed("CC-OLD");
        vm.warp(START + 20 * DAY);
        ICreditConfirmationRegistry.ConfirmationRequest memory replacement = confirmationRequest("CC-NEW");
        replacement.creditLine = 800_000_000;
        replacement.asOfDate = START + 20 * DAY;
        bytes32 newId = idOf(BANK_A, "CC-NEW");

        // The replacement's issue first, then the old one's supersession.
        vm.expectEmit(true, true, true, true, address(confirmations));
        emit ICreditConfirmationRegistry.CreditConfirmationIssued(
            newId,
            BANK_A,
            SUPPLIER,
            replacement,
            START + 20 * DAY,
            START + 110 * DAY,
            oldId,
            ICreditConfirmationRegistry.ConfirmationStatus.Valid,
            bankA2
        );
        vm.expectEmit(true, true, true, true, address(confirmations));
        emit ICreditConfirmationRegistry.CreditConfirmationSuperseded(
            oldId, newId, ICreditConfirmationRegistry.ConfirmationStatus.Superseded, bankA2
        );
        vm.prank(bankA2);
        bytes32 returned = confirmations.supersede(oldId, replacement);

        assertEq(returned, newId, "returned id");
        ICreditConfirmationRegistry.Confirmation memory old = get(oldId);
        ICreditConfirmationRegistry.Confirmation memory fresh = get(newId);
        assertEq(st(old.status), st(ICreditConfirmationRegistry.ConfirmationStatus.Superseded), "old status");
        assertEq(old.replacedBy, newId, "old -> new");
        assertEq(old.replaces, bytes32(0), "old replaces nothing");
        assertEq(st(fresh.status), st(ICreditConfirmationRegistry.ConfirmationStatus.Valid), "new status");
        assertEq(fresh.replaces, oldId, "new -> old");
        assertEq(fresh.replacedBy, bytes32(0), "new not replaced");
        assertEq(fresh.supplierCommitment, SUPPLIER, "same supplier");
        assertEq(fresh.bankCode, BANK_A, "same bank");
        assertEq(fresh.issuedAt, START + 20 * DAY, "new issuedAt");
        assertEq(fresh.validUntil, START + 110 * DAY, "new validity");
    }

    function test_supersede_chain() public {
        bytes32 first = confirmed("CC-GEN-1");
        ICreditConfirmationRegistry.ConfirmationRequest memory second = registrationRequest("CC-GEN-2");
        ICreditConfirmationRegistry.ConfirmationRequest memory third = confirmationRequest("CC-GEN-3");
        vm.prank(bankA);
        bytes32 secondId = confirmations.supersede(first, second);
        vm.prank(bankA);
        bytes32 thirdId = confirmations.supersede(secondId, third);
        assertEq(get(first).replacedBy, secondId, "1 -> 2");
        assertEq(get(secondId).replaces, first, "2 <- 1");
        assertEq(get(secondId).replacedBy, thirdId, "2 -> 3");
        assertEq(get(thirdId).replaces, secondId, "3 <- 2");
        assertEq(st(get(secondId).status), st(ICreditConfirmationRegistry.ConfirmationStatus.Superseded), "2");
    }

    function test_supersede_supplierMismatch() public {
        bytes32 id = confirmed("CC-SUP-MM");
        ICreditConfirmationRegistry.ConfirmationRequest memory replacement = confirmationRequest("CC-SUP-MM-R");
        replacement.supplierCommitment = keccak256("another supplier");
        vm.expectRevert(abi.encodeWithSelector(ICreditConfirmationRegistry.SupplierMismatch.selector, id));
        vm.prank(bankA);
        confirmations.supersede(id, replacement);
    }

    function test_supersede_otherBank() public {
        bytes32 id = confirmed("CC-SUP-B");
        ICreditConfirmationRegistry.ConfirmationRequest memory replacement = confirmationRequest("CC-SUP-B-R");
        vm.expectRevert(
            abi.encodeWithSelector(ICreditConfirmationRegistry.NotConfirmingBank.selector, id, BANK_A, BANK_B)
        );
        vm.prank(bankB);
        confirmations.supersede(id, replacement);
    }

    function test_supersede_suspendedBank() public {
        bytes32 id = confirmed("CC-SUP-S");
        ICreditConfirmationRegistry.ConfirmationRequest memory replacement = confirmationRequest("CC-SUP-S-R");
        expectSuspended(BANK_SUSPENDED);
        vm.prank(suspendedBank);
        confirmations.supersede(id, replacement);
    }

    function test_supersede_gateway() public {
        bytes32 id = confirmed("CC-SUP-GW");
        ICreditConfirmationRegistry.ConfirmationRequest memory replacement = confirmationRequest("CC-SUP-GW-R");
        expectNotSigner(gateway);
        vm.prank(gateway);
        confirmations.supersede(id, replacement);
    }

    function test_supersede_stranger() public {
        bytes32 id = confirmed("CC-SUP-X");
        ICreditConfirmationRegistry.ConfirmationRequest memory replacement = confirmationRequest("CC-SUP-X-R");
        expectNotSigner(stranger);
        vm.prank(stranger);
        confirmations.supersede(id, replacement);
    }

    function test_supersede_admin() public {
        bytes32 id = confirmed("CC-SUP-ADM");
        ICreditConfirmationRegistry.ConfirmationRequest memory replacement = confirmationRequest("CC-SUP-ADM-R");
        expectNotSigner(admin);
        vm.prank(admin);
        confirmations.supersede(id, replacement);
    }

    function test_supersede_notFound() public {
        bytes32 id = idOf(BANK_A, "CC-NONE");
        ICreditConfirmationRegistry.ConfirmationRequest memory replacement = confirmationRequest("CC-NONE-R");
        vm.expectRevert(abi.encodeWithSelector(ICreditConfirmationRegistry.ConfirmationNotFound.selector, id));
        vm.prank(bankA);
        confirmations.supersede(id, replacement);
    }

    function test_supersede_revoked() public {
        bytes32 id = revoked("CC-SUP-REV");
        ICreditConfirmationRegistry.ConfirmationRequest memory replacement = confirmationRequest("CC-SUP-REV-R");
        expectNotValid(id, ICreditConfirmationRegistry.ConfirmationStatus.Revoked);
        vm.prank(bankA);
        confirmations.supersede(id, replacement);
    }

    function test_supersede_superseded() public {
        bytes32 id = superseded("CC-SUP-2X");
        ICreditConfirmationRegistry.ConfirmationRequest memory replacement = confirmationRequest("CC-SUP-2X-R2");
        expectNotValid(id, ICreditConfirmationRegistry.ConfirmationStatus.Superseded);
        vm.prank(bankA);
        confirmations.supersede(id, replacement);
    }

    function test_supersede_expired() public {
        bytes32 id = expired("CC-SUP-EXP");
        ICreditConfirmationRegistry.ConfirmationRequest memory replacement = confirmationRequest("CC-SUP-EXP-R");
        expectNotValid(id, ICreditConfirmationRegistry.ConfirmationStatus.Expired);
        vm.prank(bankA);
        confirmations.supersede(id, replacement);
    }

    /// Past validUntil but not marked expired: a replacement is a new confirmation, not a supersession.
    function test_supersede_revertsAfterValidUntil() public {
        bytes32 id = confirmed("CC-SUP-LATE");
        ICreditConfirmationRegistry.ConfirmationRequest memory replacement = confirmationRequest("CC-SUP-LATE-R");
        vm.warp(DEFAULT_VALID_UNTIL + 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                ICreditConfirmationRegistry.ConfirmationExpired.selector,
                id,
                DEFAULT_VALID_UNTIL,
                DEFAULT_VALID_UNTIL + 1
            )
        );
        vm.prank(bankA);
        confirmations.supersede(id, replacement);
        assertEq(statusOfConfirmation(id), st(ICreditConfirmationRegistry.ConfirmationStatus.Valid), "status");
    }

    function test_supersede_replacementRefExists() public {
        bytes32 id = confirmed("CC-SUP-SELF");
        ICreditConfirmationRegistry.ConfirmationRequest memory replacement = confirmationRequest("CC-SUP-SELF");
        vm.expectRevert(abi.encodeWithSelector(ICreditConfirmationRegistry.ConfirmationAlreadyExists.selector, id));
        vm.prank(bankA);
        confirmations.supersede(id, replacement);
        assertEq(statusOfConfirmation(id), st(ICreditConfirmationRegistry.ConfirmationStatus.Valid), "unchanged");
    }

    function test_supersede_replacementInvalidRef() public {
        bytes32 id = confirmed("CC-SUP-REF");
        ICreditConfirmationRegistry.ConfirmationRequest memory replacement = confirmationRequest("");
        vm.expectRevert(abi.encodeWithSelector(ICreditConfirmationRegistry.InvalidConfirmationRef.selector, 0));
        vm.prank(bankA);
        confirmations.supersede(id, replacement);
    }

    function test_supersede_replacementZeroCreditLine() public {
        bytes32 id = confirmed("CC-SUP-ZERO");
        ICreditConfirmationRegistry.ConfirmationRequest memory replacement = confirmationRequest("CC-SUP-ZERO-R");
        replacement.creditLine = 0;
        vm.expectRevert(ICreditConfirmationRegistry.ZeroCreditLine.selector);
        vm.prank(bankA);
        confirmations.supersede(id, replacement);
    }

    function test_supersede_replacementInvalidPurpose() public {
        bytes32 id = confirmed("CC-SUP-PURP");
        ICreditConfirmationRegistry.ConfirmationRequest memory replacement = registrationRequest("CC-SUP-PURP-R");
        replacement.projectBudget = 1_000;
        expectInvalidPurpose(replacement);
        vm.prank(bankA);
        confirmations.supersede(id, replacement);
    }

    function test_supersede_replacementInvalidValidity() public {
        bytes32 id = confirmed("CC-SUP-VAL");
        ICreditConfirmationRegistry.ConfirmationRequest memory replacement = confirmationRequest("CC-SUP-VAL-R");
        replacement.validUntil = START;
        vm.expectRevert(abi.encodeWithSelector(ICreditConfirmationRegistry.InvalidValidity.selector, START, START));
        vm.prank(bankA);
        confirmations.supersede(id, replacement);
    }

    function test_supersede_replacementMissingDocument() public {
        bytes32 id = confirmed("CC-SUP-DOC");
        ICreditConfirmationRegistry.ConfirmationRequest memory replacement = confirmationRequest("CC-SUP-DOC-R");
        replacement.documentHash = bytes32(0);
        expectEmpty("documentHash");
        vm.prank(bankA);
        confirmations.supersede(id, replacement);
    }

    // ---------------------------------------------------------------- expire

    function test_expire_afterDefaultValidity() public {
        bytes32 id = confirmed("CC-EXP");
        vm.warp(DEFAULT_VALID_UNTIL + 1);
        vm.expectEmit(true, true, true, true, address(confirmations));
        emit ICreditConfirmationRegistry.CreditConfirmationExpired(
            id, DEFAULT_VALID_UNTIL, ICreditConfirmationRegistry.ConfirmationStatus.Expired, stranger
        );
        vm.prank(stranger);
        confirmations.expire(id);
        assertEq(statusOfConfirmation(id), st(ICreditConfirmationRegistry.ConfirmationStatus.Expired), "status");
    }

    function test_expire_afterExplicitValidUntil() public {
        ICreditConfirmationRegistry.ConfirmationRequest memory request = confirmationRequest("CC-EXP-7D");
        request.validUntil = START + 7 * DAY;
        vm.prank(bankA);
        bytes32 id = confirmations.issue(request);
        vm.warp(START + 7 * DAY + 1);
        vm.prank(gateway);
        confirmations.expire(id);
        assertEq(statusOfConfirmation(id), st(ICreditConfirmationRegistry.ConfirmationStatus.Expired), "status");
    }

    function test_expire_byAnyone() public {
        address[5] memory anyone = [bankA, bankB, suspendedBank, admin, gateway];
        for (uint256 i = 0; i < anyone.length; i++) {
            bytes memory digits = "01234";
            bytes32 id = confirmed(string(abi.encodePacked("CC-ANY-", digits[i])));
            vm.warp(block.timestamp + 90 * DAY + 1);
            vm.prank(anyone[i]);
            confirmations.expire(id);
            assertEq(statusOfConfirmation(id), st(ICreditConfirmationRegistry.ConfirmationStatus.Expired), "status");
        }
    }

    function test_expire_ofSuspendedIssuer() public {
        bytes32 id = confirmed("CC-EXP-SUSP");
        vm.prank(admin);
        consortium.suspendIssuer(BANK_A, "court order");
        vm.warp(DEFAULT_VALID_UNTIL + 1);
        confirmations.expire(id);
        assertEq(statusOfConfirmation(id), st(ICreditConfirmationRegistry.ConfirmationStatus.Expired), "status");
    }

    function test_expire_atValidUntil() public {
        bytes32 id = confirmed("CC-EXP-AT");
        vm.warp(DEFAULT_VALID_UNTIL);
        vm.expectRevert(
            abi.encodeWithSelector(
                ICreditConfirmationRegistry.ConfirmationNotYetExpired.selector,
                id,
                DEFAULT_VALID_UNTIL,
                DEFAULT_VALID_UNTIL
            )
        );
        confirmations.expire(id);
    }

    function test_expire_rightAfterIssue() public {
        bytes32 id = confirmed("CC-EXP-NOW");
        vm.expectRevert(
            abi.encodeWithSelector(
                ICreditConfirmationRegistry.ConfirmationNotYetExpired.selector, id, DEFAULT_VALID_UNTIL, START
            )
        );
        confirmations.expire(id);
    }

    function test_expire_notFound() public {
        bytes32 id = idOf(BANK_A, "CC-NONE");
        vm.expectRevert(abi.encodeWithSelector(ICreditConfirmationRegistry.ConfirmationNotFound.selector, id));
        confirmations.expire(id);
    }

    function test_expire_expired() public {
        bytes32 id = expired("CC-EXP-2X");
        expectNotValid(id, ICreditConfirmationRegistry.ConfirmationStatus.Expired);
        confirmations.expire(id);
    }

    function test_expire_revoked() public {
        bytes32 id = revoked("CC-EXP-REV");
        vm.warp(DEFAULT_VALID_UNTIL + 1);
        expectNotValid(id, ICreditConfirmationRegistry.ConfirmationStatus.Revoked);
        confirmations.expire(id);
    }

    function test_expire_superseded() public {
        bytes32 id = superseded("CC-EXP-SUP");
        vm.warp(DEFAULT_VALID_UNTIL + 1);
        expectNotValid(id, ICreditConfirmationRegistry.ConfirmationStatus.Superseded);
        confirmations.expire(id);
    }
}
