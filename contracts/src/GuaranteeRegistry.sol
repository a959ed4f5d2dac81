// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IConsortium} from "./interfaces/IConsortium.sol";
import {IGuaranteeRegistry} from "./interfaces/IGuaranteeRegistry.sol";

/// @title GuaranteeRegistry
/// @notice The e-LG registry: each transition callable only by the actor the lifecycle names, only
/// from the statuses it names. Stores only what the rules need (about three storage slots on issue);
/// the full record is in the events.
contract GuaranteeRegistry is IGuaranteeRegistry {
    /// @notice Contract security is returned within 15 days of the end of obligations (clause 170).
    uint64 public constant RETURN_PERIOD = 15 days;

    /// @notice Who may act.
    IConsortium public immutable consortium;

    mapping(bytes32 id => Guarantee) private _guarantees;

    uint16 private constant PENDING = uint16(1) << uint8(Status.PendingAcceptance);
    uint16 private constant ACTIVE = uint16(1) << uint8(Status.Active);
    uint16 private constant CLAIMED = uint16(1) << uint8(Status.Claimed);
    uint16 private constant EXTEND_OR_PAY = uint16(1) << uint8(Status.ExtendOrPay);
    uint16 private constant SUSPENDED = uint16(1) << uint8(Status.Suspended);
    uint16 private constant OPEN_CLAIM = CLAIMED | EXTEND_OR_PAY;
    uint16 private constant LIVE = PENDING | ACTIVE | OPEN_CLAIM;

    /// @param consortium_ The consortium contract that says who is a bank signer, gateway or admin.
    constructor(IConsortium consortium_) {
        if (address(consortium_) == address(0)) revert IConsortium.RequiredFieldEmpty("consortium");
        consortium = consortium_;
    }

    /// @inheritdoc IGuaranteeRegistry
    function guaranteeId(uint16 bankCode, string calldata bankRef) public pure returns (bytes32) {
        return keccak256(abi.encodePacked(bankCode, bankRef));
    }

    /// @inheritdoc IGuaranteeRegistry
    function getGuarantee(bytes32 id) external view returns (Guarantee memory) {
        return _guarantees[id];
    }

    // ---------------------------------------------------------------- bank

    /// @inheritdoc IGuaranteeRegistry
    function issue(IssueRequest calldata request) external returns (bytes32 id) {
        uint16 bankCode = consortium.requireActiveSigner(msg.sender);
        uint256 refLength = bytes(request.bankRef).length;
        if (refLength == 0 || refLength > 35) revert InvalidBankRef(refLength);
        if (request.amount == 0) revert ZeroAmount();
        if (request.applicantCommitment == bytes32(0)) revert IConsortium.RequiredFieldEmpty("applicantCommitment");
        if (request.documentHash == bytes32(0)) revert IConsortium.RequiredFieldEmpty("documentHash");
        _checkExpiry(request.expiryType, request.effectiveDate, request.expiryDate, request.expiryConditionHash);
        if (!consortium.isAgency(request.agencyCode)) revert IConsortium.AgencyUnknown(request.agencyCode);

        id = guaranteeId(bankCode, request.bankRef);
        Guarantee storage g = _guarantees[id];
        if (g.status != Status.None) revert GuaranteeAlreadyExists(id);
        g.amount = request.amount;
        g.outstanding = request.amount;
        g.agencyCode = request.agencyCode;
        g.expiryDate = request.expiryDate;
        g.bankCode = bankCode;
        g.guaranteeType = request.guaranteeType;
        g.expiryType = request.expiryType;
        g.status = Status.PendingAcceptance;
        emit GuaranteeIssued(id, bankCode, request.agencyCode, request, Status.PendingAcceptance, msg.sender);
    }

    /// @inheritdoc IGuaranteeRegistry
    function cancel(bytes32 id, bytes32 reasonCode) external {
        Guarantee storage g = _asIssuingBank(id, Action.Cancel, PENDING);
        if (reasonCode == bytes32(0)) revert IConsortium.RequiredFieldEmpty("reasonCode");
        g.status = Status.Cancelled;
        emit GuaranteeCancelled(id, reasonCode, Status.Cancelled, msg.sender);
    }

    /// @inheritdoc IGuaranteeRegistry
    function proposeAmendment(bytes32 id, uint128 newAmount, uint64 newExpiryDate, bytes32 termsHash)
        external
        returns (uint16 sequence)
    {
        Guarantee storage g = _asIssuingBank(id, Action.ProposeAmendment, ACTIVE);
        if (g.amendmentPending) revert AmendmentAlreadyPending(id, g.amendmentCount);
        _checkAmendedAmount(g, id, newAmount);
        if (termsHash == bytes32(0)) revert IConsortium.RequiredFieldEmpty("termsHash");
        if (g.expiryType == ExpiryType.FIXD) {
            if (newExpiryDate <= block.timestamp) {
                revert InvalidExpiry(ExpiryType.FIXD, uint64(block.timestamp), newExpiryDate);
            }
        } else if (newExpiryDate != 0) {
            revert InvalidExpiry(g.expiryType, uint64(block.timestamp), newExpiryDate);
        }
        sequence = ++g.amendmentCount;
        g.amendmentPending = true;
        g.pendingAmount = newAmount;
        g.pendingExpiryDate = newExpiryDate;
        g.pendingTermsHash = termsHash;
        emit AmendmentProposed(id, sequence, newAmount, newExpiryDate, termsHash, g.status, msg.sender);
    }

    /// @inheritdoc IGuaranteeRegistry
    function pay(bytes32 id, uint128 amount, bytes32 paymentReference) external {
        Guarantee storage g = _asIssuingBank(id, Action.Pay, OPEN_CLAIM);
        if (amount == 0) revert ZeroAmount();
        if (amount > g.claimAmount) revert PaymentExceedsClaim(id, amount, g.claimAmount);
        if (paymentReference == bytes32(0)) revert IConsortium.RequiredFieldEmpty("paymentReference");
        uint128 outstanding = g.outstanding - amount;
        g.outstanding = outstanding;
        g.totalPaid += amount;
        _closeClaim(g);
        Status status = outstanding == 0 ? Status.PaidOut : Status.Active;
        g.status = status;
        emit ClaimPaid(id, g.claimCount, amount, paymentReference, outstanding, g.totalPaid, status, msg.sender);
    }

    /// @inheritdoc IGuaranteeRegistry
    function rejectClaim(bytes32 id, bytes32[] calldata discrepancies) external {
        Guarantee storage g = _asIssuingBank(id, Action.RejectClaim, OPEN_CLAIM);
        if (discrepancies.length == 0) revert NoDiscrepancies(id);
        _closeClaim(g);
        g.status = Status.Active;
        emit ClaimRejected(id, g.claimCount, discrepancies, Status.Active, msg.sender);
    }

    /// @inheritdoc IGuaranteeRegistry
    function extend(bytes32 id, uint64 newExpiryDate) external {
        Guarantee storage g = _asIssuingBank(id, Action.Extend, EXTEND_OR_PAY);
        if (newExpiryDate < g.claimRequestedExpiry) {
            revert InvalidExtension(id, newExpiryDate, g.claimRequestedExpiry);
        }
        g.expiryDate = newExpiryDate;
        _closeClaim(g);
        g.status = Status.Active;
        emit GuaranteeExtended(id, g.claimCount, newExpiryDate, Status.Active, msg.sender);
    }

    // ---------------------------------------------------------------- agency (through an e-GP gateway)

    /// @inheritdoc IGuaranteeRegistry
    function accept(bytes32 id, bytes32 agencyCode) external {
        Guarantee storage g = _asBeneficiary(id, agencyCode, Action.Accept, PENDING);
        g.status = Status.Active;
        emit GuaranteeAccepted(id, Status.Active, agencyCode, msg.sender);
    }

    /// @inheritdoc IGuaranteeRegistry
    function reject(bytes32 id, bytes32 agencyCode, bytes32 reasonCode) external {
        Guarantee storage g = _asBeneficiary(id, agencyCode, Action.Reject, PENDING);
        if (reasonCode == bytes32(0)) revert IConsortium.RequiredFieldEmpty("reasonCode");
        g.status = Status.Rejected;
        emit GuaranteeRejected(id, reasonCode, Status.Rejected, agencyCode, msg.sender);
    }

    /// @inheritdoc IGuaranteeRegistry
    function acceptAmendment(bytes32 id, bytes32 agencyCode) external {
        Guarantee storage g = _asBeneficiary(id, agencyCode, Action.AcceptAmendment, ACTIVE);
        if (!g.amendmentPending) revert NoPendingAmendment(id);
        uint128 newAmount = g.pendingAmount;
        // Payments or reductions since the proposal may have made the new amount too low.
        _checkAmendedAmount(g, id, newAmount);
        // New amount less what was reduced or paid; this order cannot overflow (newAmount > that).
        uint128 outstanding = newAmount - (g.amount - g.outstanding);
        g.amount = newAmount;
        g.outstanding = outstanding;
        if (g.expiryType == ExpiryType.FIXD) g.expiryDate = g.pendingExpiryDate;
        bytes32 termsHash = g.pendingTermsHash;
        _clearAmendment(g);
        emit AmendmentAccepted(
            id, g.amendmentCount, newAmount, outstanding, g.expiryDate, termsHash, g.status, agencyCode, msg.sender
        );
    }

    /// @inheritdoc IGuaranteeRegistry
    function rejectAmendment(bytes32 id, bytes32 agencyCode, bytes32 reasonCode) external {
        Guarantee storage g = _asBeneficiary(id, agencyCode, Action.RejectAmendment, ACTIVE | OPEN_CLAIM);
        if (!g.amendmentPending) revert NoPendingAmendment(id);
        if (reasonCode == bytes32(0)) revert IConsortium.RequiredFieldEmpty("reasonCode");
        _clearAmendment(g);
        emit AmendmentRejected(id, g.amendmentCount, reasonCode, g.status, agencyCode, msg.sender);
    }

    /// @inheritdoc IGuaranteeRegistry
    function reduce(bytes32 id, bytes32 agencyCode, uint128 reduceBy) external {
        Guarantee storage g = _asBeneficiary(id, agencyCode, Action.Reduce, ACTIVE);
        if (reduceBy == 0) revert ZeroAmount();
        if (reduceBy >= g.outstanding) revert ReductionNotPartial(id, reduceBy, g.outstanding);
        uint128 outstanding = g.outstanding - reduceBy;
        g.outstanding = outstanding;
        uint16 sequence = ++g.releaseCount;
        emit GuaranteeReduced(id, sequence, reduceBy, outstanding, Status.Active, agencyCode, msg.sender);
    }

    /// @inheritdoc IGuaranteeRegistry
    function release(bytes32 id, bytes32 agencyCode, uint64 obligationsEndedAt) external {
        Guarantee storage g = _asBeneficiary(id, agencyCode, Action.Release, ACTIVE);
        if (obligationsEndedAt == 0) revert IConsortium.RequiredFieldEmpty("obligationsEndedAt");
        uint128 released = g.outstanding;
        g.outstanding = 0;
        g.status = Status.Released;
        uint16 sequence = ++g.releaseCount;
        emit GuaranteeReleased(
            id,
            sequence,
            released,
            obligationsEndedAt,
            obligationsEndedAt + RETURN_PERIOD,
            Status.Released,
            agencyCode,
            msg.sender
        );
    }

    /// @inheritdoc IGuaranteeRegistry
    function claim(bytes32 id, bytes32 agencyCode, uint128 amount, bytes32 demandHash)
        external
        returns (uint16 sequence)
    {
        Guarantee storage g = _openClaim(id, agencyCode, amount, demandHash);
        g.status = Status.Claimed;
        sequence = g.claimCount;
        emit ClaimMade(id, sequence, amount, false, 0, demandHash, Status.Claimed, agencyCode, msg.sender);
    }

    /// @inheritdoc IGuaranteeRegistry
    function claimExtendOrPay(
        bytes32 id,
        bytes32 agencyCode,
        uint128 amount,
        uint64 requestedExpiryDate,
        bytes32 demandHash
    ) external returns (uint16 sequence) {
        Guarantee storage g = _openClaim(id, agencyCode, amount, demandHash);
        if (g.expiryType != ExpiryType.FIXD) revert NoFixedExpiry(id, g.expiryType);
        if (requestedExpiryDate <= g.expiryDate) {
            revert InvalidExtension(id, requestedExpiryDate, g.expiryDate + 1);
        }
        g.claimRequestedExpiry = requestedExpiryDate;
        g.status = Status.ExtendOrPay;
        sequence = g.claimCount;
        emit ClaimMade(
            id, sequence, amount, true, requestedExpiryDate, demandHash, Status.ExtendOrPay, agencyCode, msg.sender
        );
    }

    /// @inheritdoc IGuaranteeRegistry
    function withdrawClaim(bytes32 id, bytes32 agencyCode) external {
        Guarantee storage g = _asBeneficiary(id, agencyCode, Action.WithdrawClaim, OPEN_CLAIM);
        _closeClaim(g);
        g.status = Status.Active;
        emit ClaimWithdrawn(id, g.claimCount, Status.Active, agencyCode, msg.sender);
    }

    /// @inheritdoc IGuaranteeRegistry
    function supersede(bytes32 id, bytes32 agencyCode, bytes32 replacementId) external {
        Guarantee storage g = _asBeneficiary(id, agencyCode, Action.Supersede, ACTIVE);
        Guarantee storage replacement = _existing(replacementId);
        if (replacementId == id || replacement.replaces != bytes32(0)) revert InvalidReplacement(id, replacementId);
        if (replacement.agencyCode != agencyCode) {
            revert NotBeneficiary(replacementId, replacement.agencyCode, agencyCode);
        }
        // Only an accepted replacement: a pending one could still be cancelled or rejected,
        // leaving the agency with no security at all.
        _requireState(replacement, replacementId, Action.Supersede, ACTIVE);
        g.status = Status.Superseded;
        g.replacedBy = replacementId;
        replacement.replaces = id;
        emit GuaranteeSuperseded(id, replacementId, Status.Superseded, agencyCode, msg.sender);
    }

    // ---------------------------------------------------------------- admin and anyone

    /// @inheritdoc IGuaranteeRegistry
    function suspend(bytes32 id, bytes32 reasonHash) external {
        Guarantee storage g = _asAdmin(id, Action.Suspend, LIVE);
        if (reasonHash == bytes32(0)) revert IConsortium.RequiredFieldEmpty("reasonHash");
        Status previous = g.status;
        g.statusBeforeSuspension = previous;
        g.status = Status.Suspended;
        emit GuaranteeSuspended(id, reasonHash, previous, Status.Suspended, msg.sender);
    }

    /// @inheritdoc IGuaranteeRegistry
    function resume(bytes32 id, bytes32 reasonHash) external {
        Guarantee storage g = _asAdmin(id, Action.Resume, SUSPENDED);
        if (reasonHash == bytes32(0)) revert IConsortium.RequiredFieldEmpty("reasonHash");
        Status restored = g.statusBeforeSuspension;
        g.status = restored;
        g.statusBeforeSuspension = Status.None;
        emit GuaranteeResumed(id, reasonHash, restored, msg.sender);
    }

    /// @inheritdoc IGuaranteeRegistry
    function expire(bytes32 id) external {
        Guarantee storage g = _existing(id);
        _requireState(g, id, Action.Expire, PENDING | ACTIVE);
        if (g.expiryType != ExpiryType.FIXD) revert NoFixedExpiry(id, g.expiryType);
        if (block.timestamp <= g.expiryDate) revert NotYetExpired(id, g.expiryDate, uint64(block.timestamp));
        g.status = Status.Expired;
        emit GuaranteeExpired(id, g.expiryDate, Status.Expired, msg.sender);
    }

    // ---------------------------------------------------------------- internals

    function _existing(bytes32 id) private view returns (Guarantee storage g) {
        g = _guarantees[id];
        if (g.status == Status.None) revert GuaranteeNotFound(id);
    }

    function _requireState(Guarantee storage g, bytes32 id, Action action, uint16 allowed) private view {
        Status actual = g.status;
        if ((uint16(1) << uint8(actual)) & allowed == 0) revert GuaranteeNotInState(id, action, actual, allowed);
    }

    /// The caller must sign for the active issuer of guarantee `id`, which must be in `allowed`.
    function _asIssuingBank(bytes32 id, Action action, uint16 allowed) private view returns (Guarantee storage g) {
        uint16 callerBank = consortium.requireActiveSigner(msg.sender);
        g = _existing(id);
        if (g.bankCode != callerBank) revert NotIssuingBank(id, g.bankCode, callerBank);
        _requireState(g, id, action, allowed);
    }

    /// The caller must be an e-GP gateway naming the beneficiary of guarantee `id`, in `allowed`.
    function _asBeneficiary(bytes32 id, bytes32 agencyCode, Action action, uint16 allowed)
        private
        view
        returns (Guarantee storage g)
    {
        if (!consortium.isGateway(msg.sender)) revert IConsortium.NotGateway(msg.sender);
        g = _existing(id);
        if (g.agencyCode != agencyCode) revert NotBeneficiary(id, g.agencyCode, agencyCode);
        _requireState(g, id, action, allowed);
    }

    function _asAdmin(bytes32 id, Action action, uint16 allowed) private view returns (Guarantee storage g) {
        if (!consortium.isAdmin(msg.sender)) revert NotAdmin(msg.sender);
        g = _existing(id);
        _requireState(g, id, action, allowed);
    }

    function _openClaim(bytes32 id, bytes32 agencyCode, uint128 amount, bytes32 demandHash)
        private
        returns (Guarantee storage g)
    {
        g = _asBeneficiary(id, agencyCode, Action.Claim, ACTIVE);
        if (g.expiryType == ExpiryType.FIXD && block.timestamp > g.expiryDate) {
            revert ClaimAfterExpiry(id, g.expiryDate, uint64(block.timestamp));
        }
        if (amount == 0) revert ZeroAmount();
        if (amount > g.outstanding) revert AmountExceedsOutstanding(id, amount, g.outstanding);
        if (demandHash == bytes32(0)) revert IConsortium.RequiredFieldEmpty("demandHash");
        g.claimAmount = amount;
        ++g.claimCount;
    }

    function _closeClaim(Guarantee storage g) private {
        g.claimAmount = 0;
        g.claimRequestedExpiry = 0;
    }

    function _clearAmendment(Guarantee storage g) private {
        g.amendmentPending = false;
        g.pendingAmount = 0;
        g.pendingExpiryDate = 0;
        g.pendingTermsHash = bytes32(0);
    }

    /// An amendment may lower the amount only by what is still outstanding.
    function _checkAmendedAmount(Guarantee storage g, bytes32 id, uint128 newAmount) private view {
        // Something must stay outstanding: at least one satang more than paid and reduced so far.
        uint128 minimum = g.amount - g.outstanding + 1;
        if (newAmount < minimum) revert AmendedAmountTooLow(id, newAmount, minimum);
    }

    function _checkExpiry(ExpiryType expiryType, uint64 effectiveDate, uint64 expiryDate, bytes32 conditionHash)
        private
        pure
    {
        if (expiryType == ExpiryType.FIXD) {
            if (expiryDate <= effectiveDate) revert InvalidExpiry(expiryType, effectiveDate, expiryDate);
        } else if (expiryDate != 0) {
            revert InvalidExpiry(expiryType, effectiveDate, expiryDate);
        }
        if (expiryType == ExpiryType.COND) {
            if (conditionHash == bytes32(0)) revert IConsortium.RequiredFieldEmpty("expiryConditionHash");
        } else if (conditionHash != bytes32(0)) {
            revert InvalidExpiry(expiryType, effectiveDate, expiryDate);
        }
    }
}
