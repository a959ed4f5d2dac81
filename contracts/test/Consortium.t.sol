// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {Fixture} from "./utils/Fixture.sol";
import {Consortium} from "../src/Consortium.sol";
import {IConsortium} from "../src/interfaces/IConsortium.sol";
import {IGuaranteeRegistry} from "../src/interfaces/IGuaranteeRegistry.sol";
import {ICreditConfirmationRegistry} from "../src/interfaces/ICreditConfirmationRegistry.sol";

/// @notice Shared constants and expected-revert helpers of the consortium suites.
abstract contract ConsortiumBase is Fixture {
    uint16 internal constant SCB = 14; // Siam Commercial Bank, not admitted in the fixture
    bytes32 internal constant NEW_AGENCY = "15008";
    bytes32 internal constant REASON = keccak256("fraud investigation");

    address internal newKey = vm.addr(0xA3);
    address internal newGateway = vm.addr(0xE70);

    // ---------------------------------------------------------------- helpers

    function expectNotAdmin(address caller) internal {
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, caller, bytes32(0))
        );
    }

    function expectNotActive(uint16 bankCode) internal {
        vm.expectRevert(
            abi.encodeWithSelector(
                IConsortium.IssuerNotInStatus.selector,
                bankCode,
                IConsortium.IssuerStatus.Suspended,
                IConsortium.IssuerStatus.Active
            )
        );
    }

    function expectNotSigner(address caller) internal {
        vm.expectRevert(abi.encodeWithSelector(IConsortium.NotIssuerSigner.selector, caller));
    }

    function expectEmpty(bytes32 field) internal {
        vm.expectRevert(abi.encodeWithSelector(IConsortium.RequiredFieldEmpty.selector, field));
    }
}

/// @notice Issuers: admit, suspend, resume.
contract ConsortiumIssuerTest is ConsortiumBase {
    // ---------------------------------------------------------------- constructor

    function test_constructor_grantsAdminRole() public view {
        assertTrue(consortium.isAdmin(admin), "admin is admin");
        assertTrue(consortium.hasRole(consortium.DEFAULT_ADMIN_ROLE(), admin), "admin holds DEFAULT_ADMIN_ROLE");
        assertTrue(!consortium.isAdmin(stranger), "stranger is not admin");
        assertTrue(!consortium.isAdmin(bankA), "bank signer is not admin");
        assertTrue(!consortium.isAdmin(gateway), "gateway is not admin");
    }

    function test_constructor_zeroAdmin() public {
        expectEmpty("admin");
        new Consortium(address(0));
    }

    // ---------------------------------------------------------------- admitIssuer

    function test_admitIssuer_bank() public {
        vm.expectEmit(true, true, true, true, address(consortium));
        emit IConsortium.IssuerAdmitted(SCB, IConsortium.IssuerKind.Bank, "Siam Commercial Bank", admin);
        vm.prank(admin);
        consortium.admitIssuer(SCB, IConsortium.IssuerKind.Bank, "Siam Commercial Bank");

        IConsortium.Issuer memory entry = consortium.issuer(SCB);
        assertEq(uint256(entry.status), uint256(IConsortium.IssuerStatus.Active), "status");
        assertEq(uint256(entry.kind), uint256(IConsortium.IssuerKind.Bank), "kind");
        assertEq(entry.signerCount, 0, "signerCount");
        assertEq(keccak256(bytes(entry.name)), keccak256("Siam Commercial Bank"), "name");
    }

    function test_admitIssuer_financeCompanyWithHighestCode() public {
        vm.expectEmit(true, true, true, true, address(consortium));
        emit IConsortium.IssuerAdmitted(999, IConsortium.IssuerKind.FinanceCompany, "Guarantee Finance", admin);
        vm.prank(admin);
        consortium.admitIssuer(999, IConsortium.IssuerKind.FinanceCompany, "Guarantee Finance");
        assertEq(uint256(consortium.issuer(999).kind), uint256(IConsortium.IssuerKind.FinanceCompany), "kind");
    }

    function test_admitIssuer_nonAdmin() public {
        expectNotAdmin(stranger);
        vm.prank(stranger);
        consortium.admitIssuer(SCB, IConsortium.IssuerKind.Bank, "SCB");
    }

    function test_admitIssuer_bankSignerOrGatewayIsNotAdmin() public {
        expectNotAdmin(bankA);
        vm.prank(bankA);
        consortium.admitIssuer(SCB, IConsortium.IssuerKind.Bank, "SCB");
        expectNotAdmin(gateway);
        vm.prank(gateway);
        consortium.admitIssuer(SCB, IConsortium.IssuerKind.Bank, "SCB");
    }

    function test_admitIssuer_bankCodeZero() public {
        vm.expectRevert(abi.encodeWithSelector(IConsortium.InvalidBankCode.selector, uint16(0)));
        vm.prank(admin);
        consortium.admitIssuer(0, IConsortium.IssuerKind.Bank, "Nobody");
    }

    function test_admitIssuer_bankCode1000() public {
        vm.expectRevert(abi.encodeWithSelector(IConsortium.InvalidBankCode.selector, uint16(1000)));
        vm.prank(admin);
        consortium.admitIssuer(1000, IConsortium.IssuerKind.Bank, "Nobody");
    }

    function test_admitIssuer_emptyName() public {
        expectEmpty("name");
        vm.prank(admin);
        consortium.admitIssuer(SCB, IConsortium.IssuerKind.Bank, "");
    }

    function test_admitIssuer_alreadyAdmitted() public {
        vm.expectRevert(abi.encodeWithSelector(IConsortium.IssuerAlreadyAdmitted.selector, BANK_A));
        vm.prank(admin);
        consortium.admitIssuer(BANK_A, IConsortium.IssuerKind.Bank, "Bangkok Bank again");
    }

    function test_admitIssuer_suspendedIsStillAdmitted() public {
        vm.expectRevert(abi.encodeWithSelector(IConsortium.IssuerAlreadyAdmitted.selector, BANK_SUSPENDED));
        vm.prank(admin);
        consortium.admitIssuer(BANK_SUSPENDED, IConsortium.IssuerKind.Bank, "Krungthai Bank");
    }

    // ---------------------------------------------------------------- suspendIssuer

    function test_suspendIssuer_active() public {
        vm.expectEmit(true, true, true, true, address(consortium));
        emit IConsortium.IssuerSuspended(BANK_B, REASON, admin);
        vm.prank(admin);
        consortium.suspendIssuer(BANK_B, REASON);

        assertEq(uint256(consortium.issuer(BANK_B).status), uint256(IConsortium.IssuerStatus.Suspended), "status");
        assertEq(consortium.issuerOf(bankB), BANK_B, "signer stays assigned");
        expectNotActive(BANK_B);
        consortium.requireActiveSigner(bankB);
    }

    function test_suspendIssuer_nonAdmin() public {
        expectNotAdmin(stranger);
        vm.prank(stranger);
        consortium.suspendIssuer(BANK_B, REASON);
    }

    function test_suspendIssuer_unknown() public {
        vm.expectRevert(abi.encodeWithSelector(IConsortium.IssuerUnknown.selector, SCB));
        vm.prank(admin);
        consortium.suspendIssuer(SCB, REASON);
    }

    function test_suspendIssuer_alreadySuspended() public {
        expectNotActive(BANK_SUSPENDED);
        vm.prank(admin);
        consortium.suspendIssuer(BANK_SUSPENDED, REASON);
    }

    // ---------------------------------------------------------------- resumeIssuer

    function test_resumeIssuer_suspended() public {
        vm.expectEmit(true, true, true, true, address(consortium));
        emit IConsortium.IssuerResumed(BANK_SUSPENDED, admin);
        vm.prank(admin);
        consortium.resumeIssuer(BANK_SUSPENDED);

        assertEq(uint256(consortium.issuer(BANK_SUSPENDED).status), uint256(IConsortium.IssuerStatus.Active), "status");
        assertEq(consortium.requireActiveSigner(suspendedBank), BANK_SUSPENDED, "signer active again");

        IGuaranteeRegistry.IssueRequest memory request = guaranteeRequest("KTB-LG-1");
        vm.prank(suspendedBank);
        bytes32 id = registry.issue(request);
        assertEq(registry.getGuarantee(id).bankCode, BANK_SUSPENDED, "resumed bank issues again");
    }

    function test_resumeIssuer_nonAdmin() public {
        expectNotAdmin(suspendedBank);
        vm.prank(suspendedBank);
        consortium.resumeIssuer(BANK_SUSPENDED);
    }

    function test_resumeIssuer_unknown() public {
        vm.expectRevert(abi.encodeWithSelector(IConsortium.IssuerUnknown.selector, SCB));
        vm.prank(admin);
        consortium.resumeIssuer(SCB);
    }

    function test_resumeIssuer_active() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IConsortium.IssuerNotInStatus.selector,
                BANK_A,
                IConsortium.IssuerStatus.Active,
                IConsortium.IssuerStatus.Suspended
            )
        );
        vm.prank(admin);
        consortium.resumeIssuer(BANK_A);
    }
}

/// @notice Signer addresses: add, remove, key rotation.
contract ConsortiumSignerTest is ConsortiumBase {
    // ---------------------------------------------------------------- addSigner

    function test_addSigner_newKey() public {
        vm.expectEmit(true, true, true, true, address(consortium));
        emit IConsortium.SignerAdded(BANK_A, newKey, 3, admin);
        vm.prank(admin);
        consortium.addSigner(BANK_A, newKey);

        assertEq(consortium.issuerOf(newKey), BANK_A, "issuerOf");
        assertEq(consortium.issuer(BANK_A).signerCount, 3, "signerCount");
        assertEq(consortium.requireActiveSigner(newKey), BANK_A, "active signer");
    }

    function test_addSigner_toSuspendedIssuer() public {
        // Keys can be rotated while an issuer is suspended; they still cannot act until it resumes.
        vm.prank(admin);
        consortium.addSigner(BANK_SUSPENDED, newKey);
        assertEq(consortium.issuerOf(newKey), BANK_SUSPENDED, "issuerOf");
        expectNotActive(BANK_SUSPENDED);
        consortium.requireActiveSigner(newKey);
    }

    function test_addSigner_nonAdmin() public {
        expectNotAdmin(bankA);
        vm.prank(bankA);
        consortium.addSigner(BANK_A, newKey);
    }

    function test_addSigner_zeroAddress() public {
        expectEmpty("signer");
        vm.prank(admin);
        consortium.addSigner(BANK_A, address(0));
    }

    function test_addSigner_unknownIssuer() public {
        vm.expectRevert(abi.encodeWithSelector(IConsortium.IssuerUnknown.selector, SCB));
        vm.prank(admin);
        consortium.addSigner(SCB, newKey);
    }

    function test_addSigner_alreadySignerOfSameBank() public {
        vm.expectRevert(abi.encodeWithSelector(IConsortium.SignerAlreadyAssigned.selector, bankA2, BANK_A));
        vm.prank(admin);
        consortium.addSigner(BANK_A, bankA2);
    }

    function test_addSigner_alreadySignerOfAnotherBank() public {
        vm.expectRevert(abi.encodeWithSelector(IConsortium.SignerAlreadyAssigned.selector, bankB, BANK_B));
        vm.prank(admin);
        consortium.addSigner(BANK_A, bankB);
    }

    // ---------------------------------------------------------------- removeSigner

    function test_removeSigner_signer() public {
        vm.expectEmit(true, true, true, true, address(consortium));
        emit IConsortium.SignerRemoved(BANK_A, bankA2, 1, admin);
        vm.prank(admin);
        consortium.removeSigner(BANK_A, bankA2);

        assertEq(consortium.issuerOf(bankA2), 0, "issuerOf");
        assertEq(consortium.issuer(BANK_A).signerCount, 1, "signerCount");
        expectNotSigner(bankA2);
        consortium.requireActiveSigner(bankA2);
    }

    function test_removeSigner_ofSuspendedIssuer() public {
        // A compromised key must be removable while its issuer is suspended.
        vm.prank(admin);
        consortium.removeSigner(BANK_SUSPENDED, suspendedBank);
        assertEq(consortium.issuer(BANK_SUSPENDED).signerCount, 0, "signerCount");
    }

    function test_removeSigner_nonAdmin() public {
        expectNotAdmin(bankA);
        vm.prank(bankA);
        consortium.removeSigner(BANK_A, bankA2);
    }

    function test_removeSigner_unknownIssuer() public {
        vm.expectRevert(abi.encodeWithSelector(IConsortium.IssuerUnknown.selector, SCB));
        vm.prank(admin);
        consortium.removeSigner(SCB, bankA);
    }

    function test_removeSigner_signerOfAnotherBank() public {
        vm.expectRevert(abi.encodeWithSelector(IConsortium.SignerNotOfIssuer.selector, bankB, BANK_A));
        vm.prank(admin);
        consortium.removeSigner(BANK_A, bankB);
    }

    function test_removeSigner_notASigner() public {
        vm.expectRevert(abi.encodeWithSelector(IConsortium.SignerNotOfIssuer.selector, stranger, BANK_A));
        vm.prank(admin);
        consortium.removeSigner(BANK_A, stranger);
    }

    function test_removeSigner_twice() public {
        vm.prank(admin);
        consortium.removeSigner(BANK_A, bankA2);
        vm.expectRevert(abi.encodeWithSelector(IConsortium.SignerNotOfIssuer.selector, bankA2, BANK_A));
        vm.prank(admin);
        consortium.removeSigner(BANK_A, bankA2);
    }

    function test_removeSigner_canBeAddedToAnotherBankAfterwards() public {
        vm.startPrank(admin);
        consortium.removeSigner(BANK_A, bankA2);
        consortium.addSigner(BANK_B, bankA2);
        vm.stopPrank();
        assertEq(consortium.issuerOf(bankA2), BANK_B, "reassigned");
        assertEq(consortium.issuer(BANK_A).signerCount, 1, "old bank count");
        assertEq(consortium.issuer(BANK_B).signerCount, 2, "new bank count");
    }

    // ---------------------------------------------------------------- key rotation

    /// Add the new key, both keys work, remove the old one, the old one can no longer act anywhere.
    function test_addSigner_keyRotation() public {
        vm.prank(admin);
        consortium.addSigner(BANK_A, newKey);

        // Old and new keys both act for bank 002, on each other's guarantees too.
        IGuaranteeRegistry.IssueRequest memory oldRequest = guaranteeRequest("ROT-OLD");
        IGuaranteeRegistry.IssueRequest memory newRequest = guaranteeRequest("ROT-NEW");
        vm.prank(bankA);
        bytes32 byOld = registry.issue(oldRequest);
        vm.prank(newKey);
        bytes32 byNew = registry.issue(newRequest);
        assertEq(registry.getGuarantee(byNew).bankCode, BANK_A, "new key issues for bank 002");
        vm.prank(newKey);
        registry.cancel(byOld, "ROTATION");
        assertEq(uint256(statusOf(byOld)), uint256(IGuaranteeRegistry.Status.Cancelled), "new key cancels old's");

        ICreditConfirmationRegistry.ConfirmationRequest memory confirmation = confirmationRequest("ROT-CC");
        vm.prank(bankA);
        bytes32 cc = confirmations.issue(confirmation);

        vm.expectEmit(true, true, true, true, address(consortium));
        emit IConsortium.SignerRemoved(BANK_A, bankA, 2, admin);
        vm.prank(admin);
        consortium.removeSigner(BANK_A, bankA);

        // The old key is now nobody, in both registries.
        IGuaranteeRegistry.IssueRequest memory lateRequest = guaranteeRequest("ROT-LATE");
        expectNotSigner(bankA);
        vm.prank(bankA);
        registry.issue(lateRequest);
        expectNotSigner(bankA);
        vm.prank(bankA);
        registry.cancel(byNew, "ROTATION");
        expectNotSigner(bankA);
        vm.prank(bankA);
        confirmations.revoke(cc, "ROTATION");
        ICreditConfirmationRegistry.ConfirmationRequest memory lateConfirmation = confirmationRequest("ROT-CC-2");
        expectNotSigner(bankA);
        vm.prank(bankA);
        confirmations.issue(lateConfirmation);

        // The new key carries on.
        vm.prank(newKey);
        registry.cancel(byNew, "ROTATION");
        vm.prank(newKey);
        confirmations.revoke(cc, "ROTATION");
        assertEq(
            uint256(confirmations.getConfirmation(cc).status),
            uint256(ICreditConfirmationRegistry.ConfirmationStatus.Revoked),
            "new key revokes"
        );
    }
}

/// @notice Agencies, gateways, views, admin handover, and what a suspended issuer can no longer do in
/// either registry.
contract ConsortiumAgencyGatewayTest is ConsortiumBase {
    // ---------------------------------------------------------------- registerAgency

    function test_registerAgency_new() public {
        vm.expectEmit(true, true, true, true, address(consortium));
        emit IConsortium.AgencyRegistered(NEW_AGENCY, "Department of Rural Roads", admin);
        vm.prank(admin);
        consortium.registerAgency(NEW_AGENCY, "Department of Rural Roads");
        assertTrue(consortium.isAgency(NEW_AGENCY), "registered");

        // It can now be a beneficiary.
        IGuaranteeRegistry.IssueRequest memory request = guaranteeRequest("LG-NEW-AGENCY");
        request.agencyCode = NEW_AGENCY;
        vm.prank(bankA);
        bytes32 id = registry.issue(request);
        assertEq(registry.getGuarantee(id).agencyCode, NEW_AGENCY, "beneficiary");
    }

    function test_registerAgency_unregisteredCannotBeBeneficiary() public {
        IGuaranteeRegistry.IssueRequest memory request = guaranteeRequest("LG-NO-AGENCY");
        request.agencyCode = NEW_AGENCY;
        vm.expectRevert(abi.encodeWithSelector(IConsortium.AgencyUnknown.selector, NEW_AGENCY));
        vm.prank(bankA);
        registry.issue(request);
    }

    function test_registerAgency_nonAdmin() public {
        expectNotAdmin(gateway);
        vm.prank(gateway);
        consortium.registerAgency(NEW_AGENCY, "Department of Rural Roads");
    }

    function test_registerAgency_zeroCode() public {
        expectEmpty("agencyCode");
        vm.prank(admin);
        consortium.registerAgency(bytes32(0), "Department of Rural Roads");
    }

    function test_registerAgency_emptyName() public {
        expectEmpty("name");
        vm.prank(admin);
        consortium.registerAgency(NEW_AGENCY, "");
    }

    function test_registerAgency_alreadyRegistered() public {
        vm.expectRevert(abi.encodeWithSelector(IConsortium.AgencyAlreadyRegistered.selector, AGENCY));
        vm.prank(admin);
        consortium.registerAgency(AGENCY, "Department of Highways");
    }

    // ---------------------------------------------------------------- authoriseGateway

    function test_authoriseGateway_new() public {
        vm.expectEmit(true, true, true, true, address(consortium));
        emit IConsortium.GatewayAuthorised(newGateway, admin);
        vm.prank(admin);
        consortium.authoriseGateway(newGateway);
        assertTrue(consortium.isGateway(newGateway), "authorised");

        bytes32 id = issued("LG-GW2");
        vm.prank(newGateway);
        registry.accept(id, AGENCY);
        assertEq(uint256(statusOf(id)), uint256(IGuaranteeRegistry.Status.Active), "second gateway accepts");
    }

    function test_authoriseGateway_nonAdmin() public {
        expectNotAdmin(gateway);
        vm.prank(gateway);
        consortium.authoriseGateway(newGateway);
    }

    function test_authoriseGateway_zeroAddress() public {
        expectEmpty("gateway");
        vm.prank(admin);
        consortium.authoriseGateway(address(0));
    }

    function test_authoriseGateway_alreadyAuthorised() public {
        vm.expectRevert(abi.encodeWithSelector(IConsortium.GatewayAlreadyAuthorised.selector, gateway));
        vm.prank(admin);
        consortium.authoriseGateway(gateway);
    }

    // ---------------------------------------------------------------- revokeGateway

    function test_revokeGateway_authorised() public {
        bytes32 id = issued("LG-REVOKED-GW");

        vm.expectEmit(true, true, true, true, address(consortium));
        emit IConsortium.GatewayRevoked(gateway, admin);
        vm.prank(admin);
        consortium.revokeGateway(gateway);
        assertTrue(!consortium.isGateway(gateway), "revoked");

        vm.expectRevert(abi.encodeWithSelector(IConsortium.NotGateway.selector, gateway));
        vm.prank(gateway);
        registry.accept(id, AGENCY);
        assertEq(uint256(statusOf(id)), uint256(IGuaranteeRegistry.Status.PendingAcceptance), "still pending");
    }

    function test_revokeGateway_canBeAuthorisedAgain() public {
        vm.startPrank(admin);
        consortium.revokeGateway(gateway);
        consortium.authoriseGateway(gateway);
        vm.stopPrank();
        assertTrue(consortium.isGateway(gateway), "authorised again");
    }

    function test_revokeGateway_nonAdmin() public {
        expectNotAdmin(gateway);
        vm.prank(gateway);
        consortium.revokeGateway(gateway);
    }

    function test_revokeGateway_notAGateway() public {
        vm.expectRevert(abi.encodeWithSelector(IConsortium.NotGateway.selector, stranger));
        vm.prank(admin);
        consortium.revokeGateway(stranger);
    }

    function test_revokeGateway_twice() public {
        vm.prank(admin);
        consortium.revokeGateway(gateway);
        vm.expectRevert(abi.encodeWithSelector(IConsortium.NotGateway.selector, gateway));
        vm.prank(admin);
        consortium.revokeGateway(gateway);
    }

    // ---------------------------------------------------------------- views

    function test_issuer_unknownIsNone() public view {
        IConsortium.Issuer memory entry = consortium.issuer(SCB);
        assertEq(uint256(entry.status), uint256(IConsortium.IssuerStatus.None), "status");
        assertEq(entry.signerCount, 0, "signerCount");
        assertEq(bytes(entry.name).length, 0, "name");
    }

    function test_issuer_fixture() public view {
        IConsortium.Issuer memory a = consortium.issuer(BANK_A);
        assertEq(uint256(a.status), uint256(IConsortium.IssuerStatus.Active), "bank A status");
        assertEq(a.signerCount, 2, "bank A signers");
        assertEq(keccak256(bytes(a.name)), keccak256("Bangkok Bank"), "bank A name");
        assertEq(consortium.issuer(BANK_B).signerCount, 1, "bank B signers");
        assertEq(
            uint256(consortium.issuer(BANK_SUSPENDED).status), uint256(IConsortium.IssuerStatus.Suspended), "suspended"
        );
    }

    function test_issuerOf_signersAndOthers() public view {
        assertEq(consortium.issuerOf(bankA), BANK_A, "bankA");
        assertEq(consortium.issuerOf(bankA2), BANK_A, "bankA2");
        assertEq(consortium.issuerOf(bankB), BANK_B, "bankB");
        assertEq(consortium.issuerOf(suspendedBank), BANK_SUSPENDED, "suspended bank");
        assertEq(consortium.issuerOf(stranger), 0, "stranger");
        assertEq(consortium.issuerOf(gateway), 0, "gateway");
        assertEq(consortium.issuerOf(admin), 0, "admin");
    }

    function test_requireActiveSigner_activeSigner() public view {
        assertEq(consortium.requireActiveSigner(bankA2), BANK_A, "bankA2");
        assertEq(consortium.requireActiveSigner(bankB), BANK_B, "bankB");
    }

    function test_requireActiveSigner_notASigner() public {
        expectNotSigner(stranger);
        consortium.requireActiveSigner(stranger);
    }

    function test_requireActiveSigner_suspendedIssuer() public {
        expectNotActive(BANK_SUSPENDED);
        consortium.requireActiveSigner(suspendedBank);
    }

    function test_isAgency_registeredAndNot() public view {
        assertTrue(consortium.isAgency(AGENCY), "AGENCY");
        assertTrue(consortium.isAgency(OTHER_AGENCY), "OTHER_AGENCY");
        assertTrue(!consortium.isAgency(NEW_AGENCY), "unregistered");
        assertTrue(!consortium.isAgency(bytes32(0)), "zero");
    }

    function test_isGateway_onlyAuthorised() public view {
        assertTrue(consortium.isGateway(gateway), "gateway");
        assertTrue(!consortium.isGateway(admin), "admin");
        assertTrue(!consortium.isGateway(bankA), "bank");
        assertTrue(!consortium.isGateway(stranger), "stranger");
    }

    function test_supportsInterface_accessControl() public view {
        assertTrue(consortium.supportsInterface(type(IAccessControl).interfaceId), "IAccessControl");
    }

    // ---------------------------------------------------------------- admin handover (OpenZeppelin roles)

    function test_grantRole_newAdminTakesOver() public {
        address newAdmin = vm.addr(0xC6E);
        vm.startPrank(admin);
        consortium.grantRole(bytes32(0), newAdmin);
        consortium.renounceRole(bytes32(0), admin);
        vm.stopPrank();

        assertTrue(consortium.isAdmin(newAdmin), "new admin");
        expectNotAdmin(admin);
        vm.prank(admin);
        consortium.admitIssuer(SCB, IConsortium.IssuerKind.Bank, "SCB");
        vm.prank(newAdmin);
        consortium.admitIssuer(SCB, IConsortium.IssuerKind.Bank, "SCB");
    }

    function test_grantRole_nonAdmin() public {
        expectNotAdmin(bankA);
        vm.prank(bankA);
        consortium.grantRole(bytes32(0), bankA);
    }

    // ---------------------------------------------------------------- a suspended issuer can do nothing

    function test_suspendIssuer_cannotIssueInEitherRegistry() public {
        IGuaranteeRegistry.IssueRequest memory request = guaranteeRequest("KTB-LG-1");
        ICreditConfirmationRegistry.ConfirmationRequest memory confirmation = confirmationRequest("KTB-CC-1");
        expectNotActive(BANK_SUSPENDED);
        vm.prank(suspendedBank);
        registry.issue(request);
        expectNotActive(BANK_SUSPENDED);
        vm.prank(suspendedBank);
        confirmations.issue(confirmation);
    }

    /// Bank B issues, is suspended, and then can touch none of its guarantees or confirmations,
    /// in any status; after resumption it can again.
    function test_suspendIssuer_cannotActOnItsRecords() public {
        IGuaranteeRegistry.IssueRequest memory pendingRequest = guaranteeRequest("KB-PENDING");
        IGuaranteeRegistry.IssueRequest memory claimedRequest = guaranteeRequest("KB-CLAIMED");
        IGuaranteeRegistry.IssueRequest memory eopRequest = guaranteeRequest("KB-EOP");
        IGuaranteeRegistry.IssueRequest memory activeRequest = guaranteeRequest("KB-ACTIVE");
        IGuaranteeRegistry.IssueRequest memory lateRequest = guaranteeRequest("KB-LATE");
        ICreditConfirmationRegistry.ConfirmationRequest memory ccRequest = confirmationRequest("KB-CC");
        ICreditConfirmationRegistry.ConfirmationRequest memory ccReplacement = confirmationRequest("KB-CC-2");

        vm.startPrank(bankB);
        bytes32 pending = registry.issue(pendingRequest);
        bytes32 claimed = registry.issue(claimedRequest);
        bytes32 eop = registry.issue(eopRequest);
        bytes32 activeId = registry.issue(activeRequest);
        bytes32 cc = confirmations.issue(ccRequest);
        vm.stopPrank();
        vm.startPrank(gateway);
        registry.accept(claimed, AGENCY);
        registry.accept(eop, AGENCY);
        registry.accept(activeId, AGENCY);
        registry.claim(claimed, AGENCY, 1_000_000, "demand");
        registry.claimExtendOrPay(eop, AGENCY, 1_000_000, START + 400 * DAY, "demand");
        vm.stopPrank();

        vm.prank(admin);
        consortium.suspendIssuer(BANK_B, REASON);

        bytes32[] memory discrepancies = new bytes32[](1);
        discrepancies[0] = "LATE PRESENTATION";
        vm.startPrank(bankB);
        expectNotActive(BANK_B);
        registry.issue(lateRequest);
        expectNotActive(BANK_B);
        registry.cancel(pending, "CANCEL");
        expectNotActive(BANK_B);
        registry.proposeAmendment(activeId, 200_000_000, START + 500 * DAY, "terms");
        expectNotActive(BANK_B);
        registry.pay(claimed, 1, 1_000_000, "GFMIS-1");
        expectNotActive(BANK_B);
        registry.rejectClaim(claimed, 1, discrepancies);
        expectNotActive(BANK_B);
        registry.pay(eop, 1, 1_000_000, "GFMIS-1");
        expectNotActive(BANK_B);
        registry.extend(eop, 1, START + 400 * DAY);
        expectNotActive(BANK_B);
        confirmations.revoke(cc, "REVOKE");
        expectNotActive(BANK_B);
        confirmations.supersede(cc, ccReplacement);
        vm.stopPrank();

        assertEq(uint256(statusOf(pending)), uint256(IGuaranteeRegistry.Status.PendingAcceptance), "pending");
        assertEq(uint256(statusOf(claimed)), uint256(IGuaranteeRegistry.Status.Claimed), "claimed");
        assertEq(uint256(statusOf(eop)), uint256(IGuaranteeRegistry.Status.ExtendOrPay), "extend or pay");
        assertEq(registry.getGuarantee(activeId).amendmentCount, 0, "no amendment");
        assertEq(
            uint256(confirmations.getConfirmation(cc).status),
            uint256(ICreditConfirmationRegistry.ConfirmationStatus.Valid),
            "confirmation"
        );

        vm.prank(admin);
        consortium.resumeIssuer(BANK_B);
        vm.prank(bankB);
        registry.pay(claimed, 1, 1_000_000, "GFMIS-1");
        assertEq(registry.getGuarantee(claimed).totalPaid, 1_000_000, "pays after resumption");
    }
}
