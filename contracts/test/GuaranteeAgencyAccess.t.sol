// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {GuaranteeBase} from "./GuaranteeBase.sol";
import {IGuaranteeRegistry} from "../src/interfaces/IGuaranteeRegistry.sol";

// Who may take the agency's steps: an authorised e-GP gateway naming the guarantee's beneficiary,
// and nobody else: not a bank (not even the issuer), not the admin, not a stranger, not a gateway
// naming another agency. And who may suspend and resume: the admin only.

/// @notice Access to accept, reject, acceptAmendment, rejectAmendment and reduce.
contract GuaranteeAgencyAccessTest is GuaranteeBase {
    // ---------------------------------------------------------------- accept

    function test_accept_revertsForIssuingBank() public {
        bytes32 id = issued("LG-2569-000001");
        vm.prank(bankA);
        vm.expectRevert(notGateway(bankA));
        registry.accept(id, AGENCY);
    }

    function test_accept_revertsForAdmin() public {
        bytes32 id = issued("LG-2569-000001");
        vm.prank(admin);
        vm.expectRevert(notGateway(admin));
        registry.accept(id, AGENCY);
    }

    function test_accept_revertsForStranger() public {
        bytes32 id = issued("LG-2569-000001");
        vm.prank(stranger);
        vm.expectRevert(notGateway(stranger));
        registry.accept(id, AGENCY);
    }

    function test_accept_revertsForOtherAgency() public {
        bytes32 id = issued("LG-2569-000001");
        vm.prank(gateway);
        vm.expectRevert(notBeneficiary(id));
        registry.accept(id, OTHER_AGENCY);
    }

    function test_accept_revertsForUnregisteredAgency() public {
        bytes32 id = issued("LG-2569-000001");
        vm.prank(gateway);
        vm.expectRevert(abi.encodeWithSelector(IGuaranteeRegistry.NotBeneficiary.selector, id, AGENCY, UNREGISTERED));
        registry.accept(id, UNREGISTERED);
    }

    function test_accept_revertsForRevokedGateway() public {
        bytes32 id = issued("LG-2569-000001");
        vm.prank(admin);
        consortium.revokeGateway(gateway);
        vm.prank(gateway);
        vm.expectRevert(notGateway(gateway));
        registry.accept(id, AGENCY);
    }

    function test_accept_bySecondGateway() public {
        bytes32 id = issued("LG-2569-000001");
        address backup = vm.addr(0xE70);
        vm.prank(admin);
        consortium.authoriseGateway(backup);
        vm.expectEmit(true, true, true, true, address(registry));
        emit IGuaranteeRegistry.GuaranteeAccepted(id, ACTIVE, AGENCY, backup);
        vm.prank(backup);
        registry.accept(id, AGENCY);
    }

    function test_accept_revertsWhenUnknown() public {
        bytes32 id = idOf(BANK_A, "NEVER-ISSUED");
        vm.prank(gateway);
        vm.expectRevert(notFound(id));
        registry.accept(id, AGENCY);
    }

    // ---------------------------------------------------------------- reject

    function test_reject_revertsForIssuingBank() public {
        bytes32 id = issued("LG-2569-000001");
        vm.prank(bankA);
        vm.expectRevert(notGateway(bankA));
        registry.reject(id, AGENCY, REASON);
    }

    function test_reject_revertsForAdmin() public {
        bytes32 id = issued("LG-2569-000001");
        vm.prank(admin);
        vm.expectRevert(notGateway(admin));
        registry.reject(id, AGENCY, REASON);
    }

    function test_reject_revertsForStranger() public {
        bytes32 id = issued("LG-2569-000001");
        vm.prank(stranger);
        vm.expectRevert(notGateway(stranger));
        registry.reject(id, AGENCY, REASON);
    }

    function test_reject_revertsForOtherAgency() public {
        bytes32 id = issued("LG-2569-000001");
        vm.prank(gateway);
        vm.expectRevert(notBeneficiary(id));
        registry.reject(id, OTHER_AGENCY, REASON);
    }

    // ---------------------------------------------------------------- acceptAmendment

    function test_acceptAmendment_revertsForIssuingBank() public {
        bytes32 id = amended("LG-2569-000001", 150_000_000);
        vm.prank(bankA);
        vm.expectRevert(notGateway(bankA));
        registry.acceptAmendment(id, AGENCY, 1);
    }

    function test_acceptAmendment_revertsForAdmin() public {
        bytes32 id = amended("LG-2569-000001", 150_000_000);
        vm.prank(admin);
        vm.expectRevert(notGateway(admin));
        registry.acceptAmendment(id, AGENCY, 1);
    }

    function test_acceptAmendment_revertsForStranger() public {
        bytes32 id = amended("LG-2569-000001", 150_000_000);
        vm.prank(stranger);
        vm.expectRevert(notGateway(stranger));
        registry.acceptAmendment(id, AGENCY, 1);
    }

    function test_acceptAmendment_revertsForOtherAgency() public {
        bytes32 id = amended("LG-2569-000001", 150_000_000);
        vm.prank(gateway);
        vm.expectRevert(notBeneficiary(id));
        registry.acceptAmendment(id, OTHER_AGENCY, 1);
    }

    // ---------------------------------------------------------------- rejectAmendment

    function test_rejectAmendment_revertsForIssuingBank() public {
        bytes32 id = amended("LG-2569-000001", 150_000_000);
        vm.prank(bankA);
        vm.expectRevert(notGateway(bankA));
        registry.rejectAmendment(id, AGENCY, 1, REASON);
    }

    function test_rejectAmendment_revertsForAdmin() public {
        bytes32 id = amended("LG-2569-000001", 150_000_000);
        vm.prank(admin);
        vm.expectRevert(notGateway(admin));
        registry.rejectAmendment(id, AGENCY, 1, REASON);
    }

    function test_rejectAmendment_revertsForStranger() public {
        bytes32 id = amended("LG-2569-000001", 150_000_000);
        vm.prank(stranger);
        vm.expectRevert(notGateway(stranger));
        registry.rejectAmendment(id, AGENCY, 1, REASON);
    }

    function test_rejectAmendment_revertsForOtherAgency() public {
        bytes32 id = amended("LG-2569-000001", 150_000_000);
        vm.prank(gateway);
        vm.expectRevert(notBeneficiary(id));
        registry.rejectAmendment(id, OTHER_AGENCY, 1, REASON);
    }

    // ---------------------------------------------------------------- reduce

    function test_reduce_revertsForIssuingBank() public {
        bytes32 id = active("LG-2569-000001");
        vm.prank(bankA);
        vm.expectRevert(notGateway(bankA));
        registry.reduce(id, AGENCY, 10_000_000);
    }

    function test_reduce_revertsForAdmin() public {
        bytes32 id = active("LG-2569-000001");
        vm.prank(admin);
        vm.expectRevert(notGateway(admin));
        registry.reduce(id, AGENCY, 10_000_000);
    }

    function test_reduce_revertsForStranger() public {
        bytes32 id = active("LG-2569-000001");
        vm.prank(stranger);
        vm.expectRevert(notGateway(stranger));
        registry.reduce(id, AGENCY, 10_000_000);
    }

    function test_reduce_revertsForOtherAgency() public {
        bytes32 id = active("LG-2569-000001");
        vm.prank(gateway);
        vm.expectRevert(notBeneficiary(id));
        registry.reduce(id, OTHER_AGENCY, 10_000_000);
    }
}

/// @notice Access to release, claim, claimExtendOrPay, withdrawClaim and supersede.
contract GuaranteeAgencyClaimAccessTest is GuaranteeBase {
    // ---------------------------------------------------------------- release

    function test_release_revertsForIssuingBank() public {
        bytes32 id = active("LG-2569-000001");
        vm.prank(bankA);
        vm.expectRevert(notGateway(bankA));
        registry.release(id, AGENCY, START);
    }

    function test_release_revertsForAdmin() public {
        bytes32 id = active("LG-2569-000001");
        vm.prank(admin);
        vm.expectRevert(notGateway(admin));
        registry.release(id, AGENCY, START);
    }

    function test_release_revertsForStranger() public {
        bytes32 id = active("LG-2569-000001");
        vm.prank(stranger);
        vm.expectRevert(notGateway(stranger));
        registry.release(id, AGENCY, START);
    }

    function test_release_revertsForOtherAgency() public {
        bytes32 id = active("LG-2569-000001");
        vm.prank(gateway);
        vm.expectRevert(notBeneficiary(id));
        registry.release(id, OTHER_AGENCY, START);
    }

    // ---------------------------------------------------------------- claim

    function test_claim_revertsForIssuingBank() public {
        bytes32 id = active("LG-2569-000001");
        vm.prank(bankA);
        vm.expectRevert(notGateway(bankA));
        registry.claim(id, AGENCY, 10_000_000, DEMAND);
    }

    function test_claim_revertsForOtherBank() public {
        bytes32 id = active("LG-2569-000001");
        vm.prank(bankB);
        vm.expectRevert(notGateway(bankB));
        registry.claim(id, AGENCY, 10_000_000, DEMAND);
    }

    function test_claim_revertsForAdmin() public {
        bytes32 id = active("LG-2569-000001");
        vm.prank(admin);
        vm.expectRevert(notGateway(admin));
        registry.claim(id, AGENCY, 10_000_000, DEMAND);
    }

    function test_claim_revertsForStranger() public {
        bytes32 id = active("LG-2569-000001");
        vm.prank(stranger);
        vm.expectRevert(notGateway(stranger));
        registry.claim(id, AGENCY, 10_000_000, DEMAND);
    }

    function test_claim_revertsForOtherAgency() public {
        bytes32 id = active("LG-2569-000001");
        vm.prank(gateway);
        vm.expectRevert(notBeneficiary(id));
        registry.claim(id, OTHER_AGENCY, 10_000_000, DEMAND);
    }

    // ---------------------------------------------------------------- claimExtendOrPay

    function test_claimExtendOrPay_revertsForIssuingBank() public {
        bytes32 id = active("LG-2569-000001");
        vm.prank(bankA);
        vm.expectRevert(notGateway(bankA));
        registry.claimExtendOrPay(id, AGENCY, 10_000_000, EXPIRY + 90 * DAY, DEMAND);
    }

    function test_claimExtendOrPay_revertsForAdmin() public {
        bytes32 id = active("LG-2569-000001");
        vm.prank(admin);
        vm.expectRevert(notGateway(admin));
        registry.claimExtendOrPay(id, AGENCY, 10_000_000, EXPIRY + 90 * DAY, DEMAND);
    }

    function test_claimExtendOrPay_revertsForStranger() public {
        bytes32 id = active("LG-2569-000001");
        vm.prank(stranger);
        vm.expectRevert(notGateway(stranger));
        registry.claimExtendOrPay(id, AGENCY, 10_000_000, EXPIRY + 90 * DAY, DEMAND);
    }

    function test_claimExtendOrPay_revertsForOtherAgency() public {
        bytes32 id = active("LG-2569-000001");
        vm.prank(gateway);
        vm.expectRevert(notBeneficiary(id));
        registry.claimExtendOrPay(id, OTHER_AGENCY, 10_000_000, EXPIRY + 90 * DAY, DEMAND);
    }

    // ---------------------------------------------------------------- withdrawClaim

    function test_withdrawClaim_revertsForIssuingBank() public {
        bytes32 id = claimed("LG-2569-000001", 40_000_000);
        vm.prank(bankA);
        vm.expectRevert(notGateway(bankA));
        registry.withdrawClaim(id, AGENCY);
    }

    function test_withdrawClaim_revertsForAdmin() public {
        bytes32 id = claimed("LG-2569-000001", 40_000_000);
        vm.prank(admin);
        vm.expectRevert(notGateway(admin));
        registry.withdrawClaim(id, AGENCY);
    }

    function test_withdrawClaim_revertsForStranger() public {
        bytes32 id = claimed("LG-2569-000001", 40_000_000);
        vm.prank(stranger);
        vm.expectRevert(notGateway(stranger));
        registry.withdrawClaim(id, AGENCY);
    }

    function test_withdrawClaim_revertsForOtherAgency() public {
        bytes32 id = claimed("LG-2569-000001", 40_000_000);
        vm.prank(gateway);
        vm.expectRevert(notBeneficiary(id));
        registry.withdrawClaim(id, OTHER_AGENCY);
    }

    // ---------------------------------------------------------------- supersede

    function test_supersede_revertsForIssuingBank() public {
        bytes32 id = active("LG-2569-000001");
        bytes32 replacement = issued("LG-2569-000002");
        vm.prank(bankA);
        vm.expectRevert(notGateway(bankA));
        registry.supersede(id, AGENCY, replacement);
    }

    function test_supersede_revertsForAdmin() public {
        bytes32 id = active("LG-2569-000001");
        bytes32 replacement = issued("LG-2569-000002");
        vm.prank(admin);
        vm.expectRevert(notGateway(admin));
        registry.supersede(id, AGENCY, replacement);
    }

    function test_supersede_revertsForStranger() public {
        bytes32 id = active("LG-2569-000001");
        bytes32 replacement = issued("LG-2569-000002");
        vm.prank(stranger);
        vm.expectRevert(notGateway(stranger));
        registry.supersede(id, AGENCY, replacement);
    }

    function test_supersede_revertsForOtherAgency() public {
        bytes32 id = active("LG-2569-000001");
        bytes32 replacement = issued("LG-2569-000002");
        vm.prank(gateway);
        vm.expectRevert(notBeneficiary(id));
        registry.supersede(id, OTHER_AGENCY, replacement);
    }

    function test_supersede_revertsWhenReplacementForOtherAgency() public {
        bytes32 id = active("LG-2569-000001");
        IGuaranteeRegistry.IssueRequest memory request = guaranteeRequest("LG-2569-000002");
        request.agencyCode = OTHER_AGENCY;
        vm.prank(bankA);
        bytes32 replacement = registry.issue(request);
        vm.prank(gateway);
        vm.expectRevert(
            abi.encodeWithSelector(IGuaranteeRegistry.NotBeneficiary.selector, replacement, OTHER_AGENCY, AGENCY)
        );
        registry.supersede(id, AGENCY, replacement);
    }
}

/// @notice Access to suspend and resume: the admin only; and expire: anyone.
contract GuaranteeAdminAccessTest is GuaranteeBase {
    function test_suspend_revertsForIssuingBank() public {
        bytes32 id = active("LG-2569-000001");
        vm.prank(bankA);
        vm.expectRevert(notAdmin(bankA));
        registry.suspend(id, COURT_ORDER);
    }

    function test_suspend_revertsForGateway() public {
        bytes32 id = active("LG-2569-000001");
        vm.prank(gateway);
        vm.expectRevert(notAdmin(gateway));
        registry.suspend(id, COURT_ORDER);
    }

    function test_suspend_revertsForStranger() public {
        bytes32 id = active("LG-2569-000001");
        vm.prank(stranger);
        vm.expectRevert(notAdmin(stranger));
        registry.suspend(id, COURT_ORDER);
    }

    function test_suspend_revertsWhenUnknown() public {
        bytes32 id = idOf(BANK_A, "NEVER-ISSUED");
        vm.prank(admin);
        vm.expectRevert(notFound(id));
        registry.suspend(id, COURT_ORDER);
    }

    function test_resume_revertsForIssuingBank() public {
        bytes32 id = suspendedBy(active("LG-2569-000001"));
        vm.prank(bankA);
        vm.expectRevert(notAdmin(bankA));
        registry.resume(id, COURT_ORDER);
    }

    function test_resume_revertsForGateway() public {
        bytes32 id = suspendedBy(active("LG-2569-000001"));
        vm.prank(gateway);
        vm.expectRevert(notAdmin(gateway));
        registry.resume(id, COURT_ORDER);
    }

    function test_resume_revertsForStranger() public {
        bytes32 id = suspendedBy(active("LG-2569-000001"));
        vm.prank(stranger);
        vm.expectRevert(notAdmin(stranger));
        registry.resume(id, COURT_ORDER);
    }

    function test_resume_revertsWhenUnknown() public {
        bytes32 id = idOf(BANK_A, "NEVER-ISSUED");
        vm.prank(admin);
        vm.expectRevert(notFound(id));
        registry.resume(id, COURT_ORDER);
    }

    function test_expire_byAdmin() public {
        bytes32 id = active("LG-2569-000001");
        vm.warp(EXPIRY + 1);
        vm.expectEmit(true, true, true, true, address(registry));
        emit IGuaranteeRegistry.GuaranteeExpired(id, EXPIRY, EXPIRED, admin);
        vm.prank(admin);
        registry.expire(id);
    }

    function test_expire_byGateway() public {
        bytes32 id = active("LG-2569-000001");
        vm.warp(EXPIRY + 1);
        vm.prank(gateway);
        registry.expire(id);
        assertStatus(id, EXPIRED, "status");
    }

    function test_expire_revertsWhenUnknown() public {
        bytes32 id = idOf(BANK_A, "NEVER-ISSUED");
        vm.expectRevert(notFound(id));
        registry.expire(id);
    }
}
