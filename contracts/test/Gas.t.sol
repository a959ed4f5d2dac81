// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Fixture} from "./utils/Fixture.sol";
import {IConsortium} from "../src/interfaces/IConsortium.sol";
import {IGuaranteeRegistry} from "../src/interfaces/IGuaranteeRegistry.sol";
import {ICreditConfirmationRegistry} from "../src/interfaces/ICreditConfirmationRegistry.sol";

/// @notice Gas of every external state-changing function, written to `snapshots/` by
/// `vm.snapshotGasLastCall` and compared with the committed files when `FORGE_SNAPSHOT_CHECK=true`
/// (scripts/test sets it) or `gas_snapshot_check = true`. `setUp` brings records into every status a function starts from, and each
/// test makes exactly one call: forge runs a test as its own transaction after `setUp`, so storage
/// is cold and stores are priced against the state before the call, as in a real transaction. The
/// figures exclude the transaction's intrinsic gas (21,000 plus calldata); the issue budget adds it.
contract GasTest is Fixture {
    string internal constant LG = "GuaranteeRegistry";
    string internal constant CC = "CreditConfirmationRegistry";
    string internal constant CONSORTIUM = "Consortium";

    bytes32 internal pending;
    bytes32 internal replacement;
    bytes32 internal activeId;
    bytes32 internal amending;
    bytes32 internal lapsing;
    bytes32 internal claimed;
    bytes32 internal extendOrPay;
    bytes32 internal suspended;
    bytes32 internal confirmation;

    function setUp() public override {
        super.setUp();
        pending = issued("LG-GAS-PENDING");
        replacement = active("LG-GAS-REPLACEMENT");
        activeId = active("LG-GAS-ACTIVE");
        amending = active("LG-GAS-AMENDING");
        lapsing = active("LG-GAS-LAPSING");
        claimed = active("LG-GAS-CLAIMED");
        extendOrPay = active("LG-GAS-EOP");
        suspended = active("LG-GAS-SUSPENDED");
        ICreditConfirmationRegistry.ConfirmationRequest memory request = confirmationRequest("CC-GAS-VALID");
        vm.prank(bankA);
        confirmation = confirmations.issue(request);

        vm.prank(bankA);
        registry.proposeAmendment(amending, 120_000_000, START + 400 * DAY, "terms v2");
        vm.prank(bankA);
        registry.proposeAmendment(lapsing, 120_000_000, START + 400 * DAY, "terms v2");
        vm.startPrank(gateway);
        registry.claim(lapsing, AGENCY, 10_000_000, "demand");
        registry.claim(claimed, AGENCY, 10_000_000, "demand");
        registry.claimExtendOrPay(extendOrPay, AGENCY, 10_000_000, START + 500 * DAY, "demand");
        vm.stopPrank();
        vm.prank(admin);
        registry.suspend(suspended, "court order 1/2569");
    }

    // ---------------------------------------------------------------- GuaranteeRegistry, bank

    /// The business case: issuing an e-LG must stay at or below 95,000 gas, transaction included
    /// (contracts/rust/tests/anvil.rs checks the same on a mined transaction).
    function test_issue_gasWithinBudget() public {
        IGuaranteeRegistry.IssueRequest memory request = guaranteeRequest("LG-2569-000001");
        uint256 intrinsic = 21_000 + calldataGas(abi.encodeCall(registry.issue, (request)));
        vm.prank(bankA);
        registry.issue(request);
        uint256 gasUsed = vm.snapshotGasLastCall(LG, "issue");
        assertLe(gasUsed + intrinsic, 95_000, "issue gas including intrinsic and calldata");
    }

    /// What a transaction's calldata costs (EIP-2028: 4 gas a zero byte, 16 any other).
    function calldataGas(bytes memory data) internal pure returns (uint256 gas) {
        for (uint256 i = 0; i < data.length; i++) {
            gas += data[i] == 0 ? 4 : 16;
        }
    }

    function test_cancel_gas() public {
        vm.prank(bankA);
        registry.cancel(pending, "ISSUED IN ERROR");
        vm.snapshotGasLastCall(LG, "cancel");
    }

    function test_proposeAmendment_gas() public {
        vm.prank(bankA);
        registry.proposeAmendment(activeId, 120_000_000, START + 400 * DAY, "terms v2");
        vm.snapshotGasLastCall(LG, "proposeAmendment");
    }

    /// A payment that makes a pending amendment lapse (without one, it costs `pay`).
    function test_pay_gasLapsingAmendment() public {
        vm.prank(bankA);
        registry.pay(lapsing, 1, 10_000_000, "GFMIS-0001");
        vm.snapshotGasLastCall(LG, "payLapsingAmendment");
    }

    function test_pay_gas() public {
        vm.prank(bankA);
        registry.pay(claimed, 1, 10_000_000, "GFMIS-0001");
        vm.snapshotGasLastCall(LG, "pay");
    }

    function test_rejectClaim_gas() public {
        bytes32[] memory discrepancies = new bytes32[](2);
        discrepancies[0] = "LATE PRESENTATION";
        discrepancies[1] = "NO STATEMENT OF BREACH";
        vm.prank(bankA);
        registry.rejectClaim(claimed, 1, discrepancies);
        vm.snapshotGasLastCall(LG, "rejectClaim");
    }

    function test_extend_gas() public {
        vm.prank(bankA);
        registry.extend(extendOrPay, 1, START + 500 * DAY);
        vm.snapshotGasLastCall(LG, "extend");
    }

    // ---------------------------------------------------------------- GuaranteeRegistry, agency

    function test_accept_gas() public {
        vm.prank(gateway);
        registry.accept(pending, AGENCY);
        vm.snapshotGasLastCall(LG, "accept");
    }

    function test_reject_gas() public {
        vm.prank(gateway);
        registry.reject(pending, AGENCY, "WRONG PROJECT");
        vm.snapshotGasLastCall(LG, "reject");
    }

    function test_acceptAmendment_gas() public {
        vm.prank(gateway);
        registry.acceptAmendment(amending, AGENCY, 1);
        vm.snapshotGasLastCall(LG, "acceptAmendment");
    }

    function test_rejectAmendment_gas() public {
        vm.prank(gateway);
        registry.rejectAmendment(amending, AGENCY, 1, "NOT AGREED");
        vm.snapshotGasLastCall(LG, "rejectAmendment");
    }

    function test_reduce_gas() public {
        vm.prank(gateway);
        registry.reduce(activeId, AGENCY, 20_000_000);
        vm.snapshotGasLastCall(LG, "reduce");
    }

    function test_release_gas() public {
        vm.prank(gateway);
        registry.release(activeId, AGENCY, START);
        vm.snapshotGasLastCall(LG, "release");
    }

    function test_claim_gas() public {
        vm.prank(gateway);
        registry.claim(activeId, AGENCY, 10_000_000, "demand");
        vm.snapshotGasLastCall(LG, "claim");
    }

    function test_claimExtendOrPay_gas() public {
        vm.prank(gateway);
        registry.claimExtendOrPay(activeId, AGENCY, 10_000_000, START + 500 * DAY, "demand");
        vm.snapshotGasLastCall(LG, "claimExtendOrPay");
    }

    function test_withdrawClaim_gas() public {
        vm.prank(gateway);
        registry.withdrawClaim(claimed, AGENCY);
        vm.snapshotGasLastCall(LG, "withdrawClaim");
    }

    function test_supersede_gas() public {
        vm.prank(gateway);
        registry.supersede(activeId, AGENCY, replacement);
        vm.snapshotGasLastCall(LG, "supersede");
    }

    // ---------------------------------------------------------------- GuaranteeRegistry, admin and anyone

    function test_suspend_gas() public {
        vm.prank(admin);
        registry.suspend(activeId, "court order 2/2569");
        vm.snapshotGasLastCall(LG, "suspend");
    }

    function test_resume_gas() public {
        vm.prank(admin);
        registry.resume(suspended, "court order lifted");
        vm.snapshotGasLastCall(LG, "resume");
    }

    function test_expire_gas() public {
        vm.warp(START + 366 * DAY);
        vm.prank(stranger);
        registry.expire(activeId);
        vm.snapshotGasLastCall(LG, "expire");
    }

    // ---------------------------------------------------------------- Consortium

    function test_admitIssuer_gas() public {
        vm.prank(admin);
        consortium.admitIssuer(14, IConsortium.IssuerKind.Bank, "Siam Commercial Bank");
        vm.snapshotGasLastCall(CONSORTIUM, "admitIssuer");
    }

    function test_suspendIssuer_gas() public {
        vm.prank(admin);
        consortium.suspendIssuer(BANK_B, "fraud investigation");
        vm.snapshotGasLastCall(CONSORTIUM, "suspendIssuer");
    }

    function test_resumeIssuer_gas() public {
        vm.prank(admin);
        consortium.resumeIssuer(BANK_SUSPENDED);
        vm.snapshotGasLastCall(CONSORTIUM, "resumeIssuer");
    }

    function test_addSigner_gas() public {
        address signer = vm.addr(0xA3);
        vm.prank(admin);
        consortium.addSigner(BANK_A, signer);
        vm.snapshotGasLastCall(CONSORTIUM, "addSigner");
    }

    function test_removeSigner_gas() public {
        vm.prank(admin);
        consortium.removeSigner(BANK_A, bankA2);
        vm.snapshotGasLastCall(CONSORTIUM, "removeSigner");
    }

    function test_registerAgency_gas() public {
        vm.prank(admin);
        consortium.registerAgency("15008", "Department of Rural Roads");
        vm.snapshotGasLastCall(CONSORTIUM, "registerAgency");
    }

    function test_authoriseGateway_gas() public {
        address gateway2 = vm.addr(0xE70);
        vm.prank(admin);
        consortium.authoriseGateway(gateway2);
        vm.snapshotGasLastCall(CONSORTIUM, "authoriseGateway");
    }

    function test_revokeGateway_gas() public {
        vm.prank(admin);
        consortium.revokeGateway(gateway);
        vm.snapshotGasLastCall(CONSORTIUM, "revokeGateway");
    }

    // ---------------------------------------------------------------- CreditConfirmationRegistry

    function test_issue_confirmationGas() public {
        ICreditConfirmationRegistry.ConfirmationRequest memory request = confirmationRequest("CC-GAS-NEW");
        vm.prank(bankA);
        confirmations.issue(request);
        vm.snapshotGasLastCall(CC, "issue");
    }

    function test_revoke_confirmationGas() public {
        vm.prank(bankA);
        confirmations.revoke(confirmation, "FACILITY CANCELLED");
        vm.snapshotGasLastCall(CC, "revoke");
    }

    function test_supersede_confirmationGas() public {
        ICreditConfirmationRegistry.ConfirmationRequest memory request = confirmationRequest("CC-GAS-REPLACEMENT");
        vm.prank(bankA);
        confirmations.supersede(confirmation, request);
        vm.snapshotGasLastCall(CC, "supersede");
    }

    function test_expire_confirmationGas() public {
        vm.warp(START + 91 * DAY);
        vm.prank(stranger);
        confirmations.expire(confirmation);
        vm.snapshotGasLastCall(CC, "expire");
    }
}
