// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Test} from "./Test.sol";
import {Consortium} from "../../src/Consortium.sol";
import {GuaranteeRegistry} from "../../src/GuaranteeRegistry.sol";
import {CreditConfirmationRegistry} from "../../src/CreditConfirmationRegistry.sol";
import {IConsortium} from "../../src/interfaces/IConsortium.sol";
import {IGuaranteeRegistry} from "../../src/interfaces/IGuaranteeRegistry.sol";
import {ICreditConfirmationRegistry} from "../../src/interfaces/ICreditConfirmationRegistry.sol";
import {IEgpTypes} from "../../src/interfaces/Types.sol";

/// @notice A small consortium every suite starts from: CGD admin, one e-GP gateway, two active banks
/// (Bangkok Bank 002 with two signers, Kasikornbank 004), one suspended bank (Krungthai 006), two
/// agencies, and helpers that build valid requests.
abstract contract Fixture is Test {
    Consortium internal consortium;
    GuaranteeRegistry internal registry;
    CreditConfirmationRegistry internal confirmations;

    address internal admin = vm.addr(0xC6D);
    address internal gateway = vm.addr(0xE6F);
    address internal bankA = vm.addr(0xA1);
    address internal bankA2 = vm.addr(0xA2);
    address internal bankB = vm.addr(0xB1);
    address internal suspendedBank = vm.addr(0x5B);
    address internal stranger = vm.addr(0x57);

    uint16 internal constant BANK_A = 2; // Bangkok Bank
    uint16 internal constant BANK_B = 4; // Kasikornbank
    uint16 internal constant BANK_SUSPENDED = 6; // Krungthai
    bytes32 internal constant AGENCY = "21009";
    bytes32 internal constant OTHER_AGENCY = "03005";
    bytes32 internal constant PROJECT = "69029460012";
    uint64 internal constant DAY = 1 days;
    uint64 internal constant START = 1_767_225_600; // 2026-01-01T00:00:00Z

    function setUp() public virtual {
        vm.warp(START);
        consortium = new Consortium(admin);
        registry = new GuaranteeRegistry(consortium);
        confirmations = new CreditConfirmationRegistry(consortium);
        vm.startPrank(admin);
        consortium.admitIssuer(BANK_A, IConsortium.IssuerKind.Bank, "Bangkok Bank");
        consortium.admitIssuer(BANK_B, IConsortium.IssuerKind.Bank, "Kasikornbank");
        consortium.admitIssuer(BANK_SUSPENDED, IConsortium.IssuerKind.Bank, "Krungthai Bank");
        consortium.addSigner(BANK_A, bankA);
        consortium.addSigner(BANK_A, bankA2);
        consortium.addSigner(BANK_B, bankB);
        consortium.addSigner(BANK_SUSPENDED, suspendedBank);
        consortium.registerAgency(AGENCY, "Department of Highways");
        consortium.registerAgency(OTHER_AGENCY, "Royal Irrigation Department");
        consortium.authoriseGateway(gateway);
        consortium.suspendIssuer(BANK_SUSPENDED, keccak256("court order"));
        vm.stopPrank();
    }

    // Build requests before `vm.prank`: they call the sha256 precompile, which would use up the prank.

    /// A valid performance guarantee of 1,000,000.00 THB, fixed expiry one year out.
    function guaranteeRequest(string memory bankRef) internal pure returns (IGuaranteeRegistry.IssueRequest memory) {
        return IGuaranteeRegistry.IssueRequest({
            bankRef: bankRef,
            branchCode: "0001",
            guaranteeType: IGuaranteeRegistry.GuaranteeType.PERF,
            amount: 100_000_000,
            issueDate: START,
            effectiveDate: START,
            expiryType: IGuaranteeRegistry.ExpiryType.FIXD,
            expiryDate: START + 365 * DAY,
            expiryConditionHash: bytes32(0),
            agencyCode: AGENCY,
            projectNumber: PROJECT,
            contractNumber: "CGD-2569/0042",
            applicantCommitment: keccak256("applicant commitment"),
            applicantType: IEgpTypes.ApplicantType.Juristic,
            documentHash: sha256("signed guarantee document")
        });
    }

    /// A valid PROJECT credit confirmation of 5,000,000.00 THB for a 20,000,000.00 THB budget.
    function confirmationRequest(string memory bankRef)
        internal
        pure
        returns (ICreditConfirmationRegistry.ConfirmationRequest memory)
    {
        return ICreditConfirmationRegistry.ConfirmationRequest({
            bankRef: bankRef,
            certifyingOffice: "HEAD OFFICE",
            supplierCommitment: keccak256("supplier commitment"),
            supplierType: IEgpTypes.ApplicantType.Juristic,
            creditLine: 500_000_000,
            asOfDate: START,
            validUntil: 0,
            purpose: ICreditConfirmationRegistry.Purpose.PROJECT,
            projectNumber: PROJECT,
            projectBudget: 2_000_000_000,
            documentHash: sha256("signed confirmation document")
        });
    }

    /// Issues `bankRef` from bank A and returns its id.
    function issued(string memory bankRef) internal returns (bytes32 id) {
        IGuaranteeRegistry.IssueRequest memory request = guaranteeRequest(bankRef);
        vm.prank(bankA);
        id = registry.issue(request);
    }

    /// Issues and accepts `bankRef` from bank A and returns its id.
    function active(string memory bankRef) internal returns (bytes32 id) {
        id = issued(bankRef);
        vm.prank(gateway);
        registry.accept(id, AGENCY);
    }

    function statusOf(bytes32 id) internal view returns (IGuaranteeRegistry.Status) {
        return registry.getGuarantee(id).status;
    }

    /// The `allowed` mask of GuaranteeNotInState for the given statuses.
    function mask(IGuaranteeRegistry.Status a) internal pure returns (uint16) {
        return uint16(1) << uint8(a);
    }

    function mask(IGuaranteeRegistry.Status a, IGuaranteeRegistry.Status b) internal pure returns (uint16) {
        return mask(a) | mask(b);
    }
}
