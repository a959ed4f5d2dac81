// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ConsortiumBase} from "./Consortium.t.sol";
import {IConsortium} from "../src/interfaces/IConsortium.sol";
import {IGuaranteeRegistry} from "../src/interfaces/IGuaranteeRegistry.sol";

/// @notice Separation of duties: no address holds two of admin, gateway and bank signer, so that
/// nobody can issue a guarantee and accept it for the agency, or grant themselves either power.
/// Also the length of agency codes (the registry stores them in 11 bytes).
contract ConsortiumDutiesTest is ConsortiumBase {
    function expectConflict(address account, IConsortium.Role held) internal {
        vm.expectRevert(abi.encodeWithSelector(IConsortium.RoleConflict.selector, account, held));
    }

    // ---------------------------------------------------------------- signers

    function test_addSigner_revertsWhenGateway() public {
        expectConflict(gateway, IConsortium.Role.Gateway);
        vm.prank(admin);
        consortium.addSigner(BANK_A, gateway);
        assertEq(consortium.issuerOf(gateway), 0, "the gateway signs for no bank");
    }

    function test_addSigner_revertsWhenAdmin() public {
        expectConflict(admin, IConsortium.Role.Admin);
        vm.prank(admin);
        consortium.addSigner(BANK_A, admin);
        assertEq(consortium.issuerOf(admin), 0, "the admin signs for no bank");
    }

    function test_addSigner_afterGatewayRevoked() public {
        vm.startPrank(admin);
        consortium.revokeGateway(gateway);
        consortium.addSigner(BANK_A, gateway);
        vm.stopPrank();
        assertEq(consortium.issuerOf(gateway), BANK_A, "a former gateway may sign");
    }

    // ---------------------------------------------------------------- gateways

    function test_authoriseGateway_revertsWhenSigner() public {
        expectConflict(bankA, IConsortium.Role.Signer);
        vm.prank(admin);
        consortium.authoriseGateway(bankA);
        assertTrue(!consortium.isGateway(bankA), "a signer is no gateway");
    }

    /// A signer of a suspended issuer still holds the signer's duty.
    function test_authoriseGateway_revertsWhenSignerOfSuspendedIssuer() public {
        expectConflict(suspendedBank, IConsortium.Role.Signer);
        vm.prank(admin);
        consortium.authoriseGateway(suspendedBank);
    }

    function test_authoriseGateway_revertsWhenAdmin() public {
        expectConflict(admin, IConsortium.Role.Admin);
        vm.prank(admin);
        consortium.authoriseGateway(admin);
        assertTrue(!consortium.isGateway(admin), "the admin is no gateway");
    }

    function test_authoriseGateway_afterSignerRemoved() public {
        vm.startPrank(admin);
        consortium.removeSigner(BANK_A, bankA2);
        consortium.authoriseGateway(bankA2);
        vm.stopPrank();
        assertTrue(consortium.isGateway(bankA2), "a former signer may be a gateway");
    }

    // ---------------------------------------------------------------- admins

    function test_grantRole_revertsWhenSigner() public {
        expectConflict(bankA, IConsortium.Role.Signer);
        vm.prank(admin);
        consortium.grantRole(bytes32(0), bankA);
        assertTrue(!consortium.isAdmin(bankA), "a signer is no admin");
    }

    function test_grantRole_revertsWhenGateway() public {
        expectConflict(gateway, IConsortium.Role.Gateway);
        vm.prank(admin);
        consortium.grantRole(bytes32(0), gateway);
        assertTrue(!consortium.isAdmin(gateway), "a gateway is no admin");
    }

    /// The roles OpenZeppelin would let an admin invent are no admin role: nothing to separate.
    function test_grantRole_otherRoleToSigner() public {
        vm.prank(admin);
        consortium.grantRole(keccak256("SOME ROLE"), bankA);
        assertTrue(consortium.hasRole(keccak256("SOME ROLE"), bankA), "granted");
        assertTrue(!consortium.isAdmin(bankA), "still no admin");
    }

    /// The scenario the rule exists for: one address issuing a guarantee and accepting it.
    function test_accept_cannotBeByTheIssuingSigner() public {
        IGuaranteeRegistry.IssueRequest memory request = guaranteeRequest("LG-2569-000001");
        vm.prank(bankA);
        bytes32 id = registry.issue(request);
        expectConflict(bankA, IConsortium.Role.Signer);
        vm.prank(admin);
        consortium.authoriseGateway(bankA);
        vm.prank(bankA);
        vm.expectRevert(abi.encodeWithSelector(IConsortium.NotGateway.selector, bankA));
        registry.accept(id, AGENCY);
    }

    // ---------------------------------------------------------------- agency codes

    function test_registerAgency_revertsWhenCodeLongerThan11Bytes() public {
        bytes32 code = "210090000001"; // 12 bytes
        vm.expectRevert(abi.encodeWithSelector(IConsortium.AgencyCodeTooLong.selector, code, 11));
        vm.prank(admin);
        consortium.registerAgency(code, "Too long");
        assertTrue(!consortium.isAgency(code), "not registered");
    }

    function test_registerAgency_codeOf11Bytes() public {
        bytes32 code = "21009000001"; // 11 bytes: a 10-digit disbursement unit and more
        vm.prank(admin);
        consortium.registerAgency(code, "Eleven bytes");
        assertTrue(consortium.isAgency(code), "registered");
        IGuaranteeRegistry.IssueRequest memory request = guaranteeRequest("LG-2569-000001");
        request.agencyCode = code;
        vm.prank(bankA);
        bytes32 id = registry.issue(request);
        assertEq(registry.getGuarantee(id).agencyCode, code, "stored whole");
        vm.prank(gateway);
        registry.accept(id, code);
    }

    // ---------------------------------------------------------------- requireActiveIssuer

    function test_requireActiveIssuer_active() public view {
        consortium.requireActiveIssuer(BANK_A);
    }

    function test_requireActiveIssuer_revertsWhenSuspended() public {
        expectNotActive(BANK_SUSPENDED);
        consortium.requireActiveIssuer(BANK_SUSPENDED);
    }

    function test_requireActiveIssuer_revertsWhenNeverAdmitted() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IConsortium.IssuerNotInStatus.selector,
                SCB,
                IConsortium.IssuerStatus.None,
                IConsortium.IssuerStatus.Active
            )
        );
        consortium.requireActiveIssuer(SCB);
    }
}
