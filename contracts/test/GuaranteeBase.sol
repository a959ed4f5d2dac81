// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Fixture} from "./utils/Fixture.sol";
import {IConsortium} from "../src/interfaces/IConsortium.sol";
import {IGuaranteeRegistry} from "../src/interfaces/IGuaranteeRegistry.sol";

/// @notice What the e-LG suites share: the fixture's consortium plus helpers that bring a guarantee
/// into each status, and the expected revert data of the errors they check.
/// Every helper builds its arguments before `vm.prank`, so that the prank reaches the registry.
abstract contract GuaranteeBase is Fixture {
    uint128 internal constant AMOUNT = 100_000_000; // guaranteeRequest's amount
    uint64 internal constant EXPIRY = START + 365 * DAY; // guaranteeRequest's expiry
    bytes32 internal constant REASON = "DOC-MISMATCH";
    bytes32 internal constant DEMAND = keccak256("demand for payment");
    bytes32 internal constant PAYMENT_REF = "GFMIS-2569-0000123";
    bytes32 internal constant TERMS = keccak256("amended terms");
    bytes32 internal constant COURT_ORDER = keccak256("court order 1234/2569");
    /// An agency code nobody registered.
    bytes32 internal constant UNREGISTERED = "99999";
    /// Id of "LG-2569-000001" of bank A, the guarantee most tests use.
    bytes32 internal constant MAIN = keccak256(abi.encodePacked(BANK_A, "LG-2569-000001"));

    IGuaranteeRegistry.Status internal constant NONE = IGuaranteeRegistry.Status.None;
    IGuaranteeRegistry.Status internal constant PENDING = IGuaranteeRegistry.Status.PendingAcceptance;
    IGuaranteeRegistry.Status internal constant ACTIVE = IGuaranteeRegistry.Status.Active;
    IGuaranteeRegistry.Status internal constant CLAIMED = IGuaranteeRegistry.Status.Claimed;
    IGuaranteeRegistry.Status internal constant EXTEND_OR_PAY = IGuaranteeRegistry.Status.ExtendOrPay;
    IGuaranteeRegistry.Status internal constant SUSPENDED = IGuaranteeRegistry.Status.Suspended;
    IGuaranteeRegistry.Status internal constant REJECTED = IGuaranteeRegistry.Status.Rejected;
    IGuaranteeRegistry.Status internal constant CANCELLED = IGuaranteeRegistry.Status.Cancelled;
    IGuaranteeRegistry.Status internal constant RELEASED = IGuaranteeRegistry.Status.Released;
    IGuaranteeRegistry.Status internal constant EXPIRED = IGuaranteeRegistry.Status.Expired;
    IGuaranteeRegistry.Status internal constant PAID_OUT = IGuaranteeRegistry.Status.PaidOut;
    IGuaranteeRegistry.Status internal constant SUPERSEDED = IGuaranteeRegistry.Status.Superseded;

    /// The id the registry derives: keccak256(abi.encodePacked(bankCode, bankRef)).
    function idOf(uint16 bankCode, string memory bankRef) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(bankCode, bankRef));
    }

    // ---------------------------------------------------------------- statuses

    /// Active `bankRef` with an open claim of `amount` (status Claimed).
    function claimed(string memory bankRef, uint128 amount) internal returns (bytes32 id) {
        id = active(bankRef);
        vm.prank(gateway);
        registry.claim(id, AGENCY, amount, DEMAND);
    }

    /// Active `bankRef` with an open extend-or-pay claim of `amount`, asking for expiry + 90 days.
    function extendOrPay(string memory bankRef, uint128 amount) internal returns (bytes32 id) {
        id = active(bankRef);
        vm.prank(gateway);
        registry.claimExtendOrPay(id, AGENCY, amount, EXPIRY + 90 * DAY, DEMAND);
    }

    /// Active `bankRef` with an amendment to `newAmount` (expiry + 30 days, TERMS) awaiting the agency.
    function amended(string memory bankRef, uint128 newAmount) internal returns (bytes32 id) {
        id = active(bankRef);
        vm.prank(bankA);
        registry.proposeAmendment(id, newAmount, EXPIRY + 30 * DAY, TERMS);
    }

    /// Suspends `id` by the admin.
    function suspendedBy(bytes32 id) internal returns (bytes32) {
        vm.prank(admin);
        registry.suspend(id, COURT_ORDER);
        return id;
    }

    /// Suspends bank A in the consortium: its signers can do nothing until it is resumed.
    function suspendBankA() internal {
        vm.prank(admin);
        consortium.suspendIssuer(BANK_A, COURT_ORDER);
    }

    /// Issues `bankRef` from bank A with a fixed expiry on `expiryDate`.
    function issuedExpiring(string memory bankRef, uint64 expiryDate) internal returns (bytes32 id) {
        IGuaranteeRegistry.IssueRequest memory request = guaranteeRequest(bankRef);
        request.expiryDate = expiryDate;
        vm.prank(bankA);
        id = registry.issue(request);
    }

    /// Issues `bankRef` from bank A with an open-ended (OPEN) or conditional (COND) expiry.
    function issuedWithExpiryType(string memory bankRef, IGuaranteeRegistry.ExpiryType expiryType)
        internal
        returns (bytes32 id)
    {
        IGuaranteeRegistry.IssueRequest memory request = guaranteeRequest(bankRef);
        request.expiryType = expiryType;
        request.expiryDate = 0;
        if (expiryType == IGuaranteeRegistry.ExpiryType.COND) request.expiryConditionHash = keccak256("handover");
        vm.prank(bankA);
        id = registry.issue(request);
    }

    /// One guarantee in each terminal status, all of bank A for AGENCY. Warps to START + 2 days
    /// (the expired one expired after one day; the others still run until EXPIRY).
    function terminals() internal returns (bytes32[6] memory ids, IGuaranteeRegistry.Status[6] memory statuses) {
        statuses = [REJECTED, CANCELLED, RELEASED, EXPIRED, PAID_OUT, SUPERSEDED];

        ids[0] = issued("T-REJECTED");
        vm.prank(gateway);
        registry.reject(ids[0], AGENCY, REASON);

        ids[1] = issued("T-CANCELLED");
        vm.prank(bankA);
        registry.cancel(ids[1], REASON);

        ids[2] = active("T-RELEASED");
        vm.prank(gateway);
        registry.release(ids[2], AGENCY, START);

        ids[3] = issuedExpiring("T-EXPIRED", START + DAY);

        ids[4] = claimed("T-PAID-OUT", AMOUNT);
        vm.prank(bankA);
        registry.pay(ids[4], 1, AMOUNT, PAYMENT_REF);

        ids[5] = active("T-SUPERSEDED");
        bytes32 replacement = active("T-REPLACEMENT");
        vm.prank(gateway);
        registry.supersede(ids[5], AGENCY, replacement);

        vm.warp(START + 2 * DAY);
        registry.expire(ids[3]);

        for (uint256 i = 0; i < 6; i++) {
            assertEq(uint8(statusOf(ids[i])), uint8(statuses[i]), "terminal status");
        }
    }

    // ---------------------------------------------------------------- expected reverts

    function notInState(bytes32 id, IGuaranteeRegistry.Action action, IGuaranteeRegistry.Status actual, uint16 allowed)
        internal
        pure
        returns (bytes memory)
    {
        return abi.encodeWithSelector(IGuaranteeRegistry.GuaranteeNotInState.selector, id, action, actual, allowed);
    }

    function notFound(bytes32 id) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(IGuaranteeRegistry.GuaranteeNotFound.selector, id);
    }

    /// Bank B's signer acting on bank A's guarantee.
    function notIssuingBank(bytes32 id) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(IGuaranteeRegistry.NotIssuingBank.selector, id, BANK_A, BANK_B);
    }

    function notSigner(address caller) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(IConsortium.NotIssuerSigner.selector, caller);
    }

    /// A signer of suspended issuer `bankCode` acting.
    function issuerSuspended(uint16 bankCode) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(
            IConsortium.IssuerNotInStatus.selector,
            bankCode,
            IConsortium.IssuerStatus.Suspended,
            IConsortium.IssuerStatus.Active
        );
    }

    function notGateway(address caller) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(IConsortium.NotGateway.selector, caller);
    }

    /// The gateway naming OTHER_AGENCY for a guarantee to AGENCY.
    function notBeneficiary(bytes32 id) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(IGuaranteeRegistry.NotBeneficiary.selector, id, AGENCY, OTHER_AGENCY);
    }

    function notAdmin(address caller) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(IGuaranteeRegistry.NotAdmin.selector, caller);
    }

    function requiredField(bytes32 field) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(IConsortium.RequiredFieldEmpty.selector, field);
    }

    function mask(IGuaranteeRegistry.Status a, IGuaranteeRegistry.Status b, IGuaranteeRegistry.Status c)
        internal
        pure
        returns (uint16)
    {
        return mask(a, b) | mask(c);
    }

    function assertStatus(bytes32 id, IGuaranteeRegistry.Status expected, string memory what) internal view {
        assertEq(uint8(statusOf(id)), uint8(expected), what);
    }
}
