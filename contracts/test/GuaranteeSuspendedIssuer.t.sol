// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {GuaranteeBase} from "./GuaranteeBase.sol";
import {IGuaranteeRegistry} from "../src/interfaces/IGuaranteeRegistry.sol";

/// @notice What an agency may do with the guarantees of an issuer the admin suspended: take nothing
/// new from it (no acceptance, no amended terms, no replacement), but keep calling on the security it
/// holds. An open claim waits for the issuer: its signers cannot answer while it is suspended, the
/// guarantee cannot expire under the claim, and the bank answers once resumed.
contract GuaranteeSuspendedIssuerTest is GuaranteeBase {
    function test_accept_revertsWhenIssuerSuspended() public {
        bytes32 id = issued("LG-2569-000001");
        suspendBankA();
        vm.prank(gateway);
        vm.expectRevert(issuerSuspended(BANK_A));
        registry.accept(id, AGENCY);
        assertStatus(id, PENDING, "still pending");
    }

    function test_accept_afterIssuerResumed() public {
        bytes32 id = issued("LG-2569-000001");
        suspendBankA();
        vm.prank(admin);
        consortium.resumeIssuer(BANK_A);
        vm.prank(gateway);
        registry.accept(id, AGENCY);
        assertStatus(id, ACTIVE, "accepted");
    }

    /// The agency may still turn the guarantee down.
    function test_reject_whenIssuerSuspended() public {
        bytes32 id = issued("LG-2569-000001");
        suspendBankA();
        vm.prank(gateway);
        registry.reject(id, AGENCY, REASON);
        assertStatus(id, REJECTED, "rejected");
    }

    function test_acceptAmendment_revertsWhenIssuerSuspended() public {
        bytes32 id = amended("LG-2569-000001", 150_000_000);
        suspendBankA();
        vm.prank(gateway);
        vm.expectRevert(issuerSuspended(BANK_A));
        registry.acceptAmendment(id, AGENCY, 1);
        assertEq(registry.getGuarantee(id).amount, AMOUNT, "old terms");
    }

    function test_rejectAmendment_whenIssuerSuspended() public {
        bytes32 id = amended("LG-2569-000001", 150_000_000);
        suspendBankA();
        vm.prank(gateway);
        registry.rejectAmendment(id, AGENCY, 1, REASON);
        assertTrue(!registry.getGuarantee(id).amendmentPending, "answered");
    }

    function test_supersede_revertsWhenReplacementIssuerSuspended() public {
        bytes32 id = active("LG-2569-000001");
        bytes32 replacement = active("LG-2569-000002");
        suspendBankA();
        vm.prank(gateway);
        vm.expectRevert(issuerSuspended(BANK_A));
        registry.supersede(id, AGENCY, replacement);
        assertStatus(id, ACTIVE, "still active");
    }

    /// The remedy for a suspended issuer: replace its guarantee by one of an active issuer.
    function test_supersede_guaranteeOfSuspendedIssuerByActiveOne() public {
        bytes32 id = active("LG-2569-000001");
        IGuaranteeRegistry.IssueRequest memory request = guaranteeRequest("KB-LG-2569-0001");
        vm.prank(bankB);
        bytes32 replacement = registry.issue(request);
        vm.prank(gateway);
        registry.accept(replacement, AGENCY);
        suspendBankA();
        vm.prank(gateway);
        registry.supersede(id, AGENCY, replacement);
        assertStatus(id, SUPERSEDED, "superseded");
    }

    /// The agency can still call on the security of a suspended issuer.
    function test_claim_againstSuspendedIssuer() public {
        bytes32 id = active("LG-2569-000001");
        suspendBankA();
        vm.prank(gateway);
        registry.claim(id, AGENCY, 40_000_000, DEMAND);
        assertStatus(id, CLAIMED, "claimed");
    }

    /// An open claim against a suspended issuer waits: the bank cannot answer, the guarantee cannot
    /// expire under it even past its expiry date, and the bank pays once resumed.
    function test_pay_openClaimAgainstSuspendedIssuerWaitsForResumption() public {
        bytes32 id = claimed("LG-2569-000001", 40_000_000);
        suspendBankA();
        vm.prank(bankA);
        vm.expectRevert(issuerSuspended(BANK_A));
        registry.pay(id, 1, 40_000_000, PAYMENT_REF);

        vm.warp(EXPIRY + 30 * DAY);
        vm.expectRevert(notInState(id, IGuaranteeRegistry.Action.Expire, CLAIMED, mask(PENDING, ACTIVE)));
        registry.expire(id);

        vm.prank(admin);
        consortium.resumeIssuer(BANK_A);
        vm.prank(bankA);
        registry.pay(id, 1, 40_000_000, PAYMENT_REF);
        IGuaranteeRegistry.Guarantee memory g = registry.getGuarantee(id);
        assertEq(g.totalPaid, 40_000_000, "paid after resumption");
        assertStatus(id, ACTIVE, "back to active");
        registry.expire(id);
        assertStatus(id, EXPIRED, "expires once the claim is answered");
    }

    /// Meanwhile the agency may withdraw the claim (and claim again before the expiry).
    function test_withdrawClaim_againstSuspendedIssuer() public {
        bytes32 id = claimed("LG-2569-000001", 40_000_000);
        suspendBankA();
        vm.prank(gateway);
        registry.withdrawClaim(id, AGENCY);
        assertStatus(id, ACTIVE, "withdrawn");
    }
}
