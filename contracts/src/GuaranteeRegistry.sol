// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IConsortium} from "./interfaces/IConsortium.sol";
import {IGuaranteeRegistry} from "./interfaces/IGuaranteeRegistry.sol";

/// @title GuaranteeRegistry
/// @notice The e-LG registry: each transition callable only by the actor the lifecycle names, only
/// from the statuses it names. Stores only what the rules need (two storage slots on issue); the
/// full record is in the events.
contract GuaranteeRegistry is IGuaranteeRegistry {
    /// @notice Contract security is returned within 15 days of the end of obligations (clause 170).
    uint64 public constant RETURN_PERIOD = 15 days;
    /// @notice The latest date the registry takes: 9999-12-31T23:59:59+07:00. Every stored date is at
    /// most this, so no date arithmetic can overflow.
    uint64 public constant LATEST_DATE = 253_402_275_599;

    /// @notice Who may act.
    IConsortium public immutable consortium;

    /// A guarantee as stored, packed so that issuing writes two slots: amounts fit in 96 bits
    /// (checked on the way in), agency codes in 11 bytes (the consortium refuses longer ones), and
    /// each field sits beside the fields written in the same transitions. `getGuarantee` returns it
    /// as the interface's `Guarantee`.
    struct Record {
        // Slot 0: issue, amendments, reductions, payments, extensions.
        uint96 amount;
        uint96 outstanding;
        uint64 expiryDate;
        // Slot 1: issue and every change of status or count.
        bytes11 agencyCode;
        uint64 effectiveDate;
        uint16 bankCode;
        GuaranteeType guaranteeType;
        ExpiryType expiryType;
        Status status;
        Status statusBeforeSuspension;
        uint16 amendmentCount;
        uint16 claimCount;
        uint16 releaseCount;
        bool amendmentPending;
        // Slot 2: a claim and its answer.
        uint96 claimAmount;
        uint64 claimRequestedExpiry;
        uint96 totalPaid;
        // Slots 3 and 4: the pending amendment.
        uint96 pendingAmount;
        uint64 pendingExpiryDate;
        bytes32 pendingTermsHash;
        // Slots 5 and 6: supersession.
        bytes32 replaces;
        bytes32 replacedBy;
    }

    mapping(bytes32 id => Record) private _records;

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
    function getGuarantee(bytes32 id) external view returns (Guarantee memory g) {
        Record storage r = _records[id];
        g.amount = r.amount;
        g.outstanding = r.outstanding;
        g.agencyCode = bytes32(r.agencyCode);
        g.expiryDate = r.expiryDate;
        g.effectiveDate = r.effectiveDate;
        g.bankCode = r.bankCode;
        g.guaranteeType = r.guaranteeType;
        g.expiryType = r.expiryType;
        g.status = r.status;
        g.statusBeforeSuspension = r.statusBeforeSuspension;
        g.amendmentCount = r.amendmentCount;
        g.claimCount = r.claimCount;
        g.releaseCount = r.releaseCount;
        g.amendmentPending = r.amendmentPending;
        g.claimAmount = r.claimAmount;
        g.totalPaid = r.totalPaid;
        g.claimRequestedExpiry = r.claimRequestedExpiry;
        g.pendingExpiryDate = r.pendingExpiryDate;
        g.pendingAmount = r.pendingAmount;
        g.pendingTermsHash = r.pendingTermsHash;
        g.replaces = r.replaces;
        g.replacedBy = r.replacedBy;
    }

    // ---------------------------------------------------------------- bank

    /// @inheritdoc IGuaranteeRegistry
    function issue(IssueRequest calldata request) external returns (bytes32 id) {
        uint16 bankCode = consortium.requireActiveSigner(msg.sender);
        uint256 refLength = bytes(request.bankRef).length;
        if (refLength == 0 || refLength > 35) revert InvalidBankRef(refLength);
        uint96 amount = _amount(request.amount);
        if (amount == 0) revert ZeroAmount();
        if (request.applicantCommitment == bytes32(0)) revert IConsortium.RequiredFieldEmpty("applicantCommitment");
        if (request.documentHash == bytes32(0)) revert IConsortium.RequiredFieldEmpty("documentHash");
        id = guaranteeId(bankCode, request.bankRef);
        _checkExpiry(id, request.expiryType, request.effectiveDate, request.expiryDate, request.expiryConditionHash);
        bytes32 agencyCode = request.agencyCode;
        // Truncates on purpose: a code whose bytes do not all fit is refused on the next line.
        // forge-lint: disable-next-line(unsafe-typecast)
        bytes11 storedCode = bytes11(agencyCode);
        if (bytes32(storedCode) != agencyCode) revert IConsortium.AgencyCodeTooLong(agencyCode, 11);
        if (!consortium.isAgency(agencyCode)) revert IConsortium.AgencyUnknown(agencyCode);

        Record storage g = _records[id];
        if (g.status != Status.None) revert GuaranteeAlreadyExists(id);
        g.amount = amount;
        g.outstanding = amount;
        g.expiryDate = request.expiryDate;
        g.agencyCode = storedCode;
        g.effectiveDate = request.effectiveDate;
        g.bankCode = bankCode;
        g.guaranteeType = request.guaranteeType;
        g.expiryType = request.expiryType;
        g.status = Status.PendingAcceptance;
        emit GuaranteeIssued(id, bankCode, agencyCode, request, Status.PendingAcceptance, msg.sender);
    }

    /// @inheritdoc IGuaranteeRegistry
    function cancel(bytes32 id, bytes32 reasonCode) external {
        Record storage g = _asIssuingBank(id, Action.Cancel, PENDING);
        if (reasonCode == bytes32(0)) revert IConsortium.RequiredFieldEmpty("reasonCode");
        g.status = Status.Cancelled;
        emit GuaranteeCancelled(id, reasonCode, Status.Cancelled, msg.sender);
    }

    /// @inheritdoc IGuaranteeRegistry
    function proposeAmendment(bytes32 id, uint128 newAmount, uint64 newExpiryDate, bytes32 termsHash)
        external
        returns (uint16 sequence)
    {
        Record storage g = _asIssuingBank(id, Action.ProposeAmendment, ACTIVE);
        if (g.amendmentPending) revert AmendmentAlreadyPending(id, g.amendmentCount);
        uint96 amount = _amount(newAmount);
        // Something must stay outstanding: at least one satang more than paid and reduced so far.
        uint96 minimum = g.amount - g.outstanding + 1;
        if (amount < minimum) revert AmendedAmountTooLow(id, amount, minimum);
        if (termsHash == bytes32(0)) revert IConsortium.RequiredFieldEmpty("termsHash");
        if (g.expiryType == ExpiryType.FIXD) {
            _requireBeforeExpiry(g, id, Action.ProposeAmendment);
            _requireFutureExpiry(id, newExpiryDate);
        } else if (newExpiryDate != 0) {
            revert InvalidExpiry(g.expiryType, g.effectiveDate, newExpiryDate);
        }
        sequence = ++g.amendmentCount;
        g.amendmentPending = true;
        g.pendingAmount = amount;
        g.pendingExpiryDate = newExpiryDate;
        g.pendingTermsHash = termsHash;
        emit AmendmentProposed(id, sequence, amount, newExpiryDate, termsHash, g.status, msg.sender);
    }

    /// @inheritdoc IGuaranteeRegistry
    function pay(bytes32 id, uint16 claimSequence, uint128 amount, bytes32 paymentReference) external {
        Record storage g = _asIssuingBank(id, Action.Pay, OPEN_CLAIM);
        _requireOpenClaim(g, id, claimSequence);
        if (amount == 0) revert ZeroAmount();
        uint96 claimAmount = g.claimAmount;
        if (amount > claimAmount) revert PaymentExceedsClaim(id, amount, claimAmount);
        if (paymentReference == bytes32(0)) revert IConsortium.RequiredFieldEmpty("paymentReference");
        // amount <= claimAmount <= outstanding: nothing below can truncate, overflow or underflow.
        // forge-lint: disable-next-line(unsafe-typecast)
        uint96 paid = uint96(amount);
        uint96 outstanding = g.outstanding - paid;
        uint96 totalPaid = g.totalPaid + paid;
        g.outstanding = outstanding;
        g.totalPaid = totalPaid;
        _closeClaim(g);
        Status status = outstanding == 0 ? Status.PaidOut : Status.Active;
        g.status = status;
        emit ClaimPaid(id, claimSequence, amount, paymentReference, outstanding, totalPaid, status, msg.sender);
        _lapseAmendment(g, id, Action.Pay);
    }

    /// @inheritdoc IGuaranteeRegistry
    function rejectClaim(bytes32 id, uint16 claimSequence, bytes32[] calldata discrepancies) external {
        Record storage g = _asIssuingBank(id, Action.RejectClaim, OPEN_CLAIM);
        _requireOpenClaim(g, id, claimSequence);
        if (discrepancies.length == 0) revert NoDiscrepancies(id);
        _closeClaim(g);
        g.status = Status.Active;
        emit ClaimRejected(id, claimSequence, discrepancies, Status.Active, msg.sender);
    }

    /// @inheritdoc IGuaranteeRegistry
    function extend(bytes32 id, uint16 claimSequence, uint64 newExpiryDate) external {
        Record storage g = _asIssuingBank(id, Action.Extend, EXTEND_OR_PAY);
        _requireOpenClaim(g, id, claimSequence);
        uint64 requested = g.claimRequestedExpiry;
        if (newExpiryDate < requested) revert InvalidExtension(id, newExpiryDate, requested);
        if (newExpiryDate > LATEST_DATE) revert DateOutOfRange(newExpiryDate, LATEST_DATE);
        g.expiryDate = newExpiryDate;
        _closeClaim(g);
        g.status = Status.Active;
        emit GuaranteeExtended(id, claimSequence, newExpiryDate, Status.Active, msg.sender);
        _lapseAmendment(g, id, Action.Extend);
    }

    // ---------------------------------------------------------------- agency (through an e-GP gateway)

    /// @inheritdoc IGuaranteeRegistry
    function accept(bytes32 id, bytes32 agencyCode) external {
        Record storage g = _asBeneficiary(id, agencyCode, Action.Accept, PENDING);
        consortium.requireActiveIssuer(g.bankCode);
        _requireBeforeExpiry(g, id, Action.Accept);
        g.status = Status.Active;
        emit GuaranteeAccepted(id, Status.Active, agencyCode, msg.sender);
    }

    /// @inheritdoc IGuaranteeRegistry
    function reject(bytes32 id, bytes32 agencyCode, bytes32 reasonCode) external {
        Record storage g = _asBeneficiary(id, agencyCode, Action.Reject, PENDING);
        if (reasonCode == bytes32(0)) revert IConsortium.RequiredFieldEmpty("reasonCode");
        g.status = Status.Rejected;
        emit GuaranteeRejected(id, reasonCode, Status.Rejected, agencyCode, msg.sender);
    }

    /// @inheritdoc IGuaranteeRegistry
    function acceptAmendment(bytes32 id, bytes32 agencyCode, uint16 sequence) external {
        Record storage g = _asBeneficiary(id, agencyCode, Action.AcceptAmendment, ACTIVE);
        _requirePendingAmendment(g, id, sequence);
        // New terms are a new undertaking of the issuer: not from a suspended one.
        consortium.requireActiveIssuer(g.bankCode);
        if (g.expiryType == ExpiryType.FIXD) {
            _requireBeforeExpiry(g, id, Action.AcceptAmendment);
            uint64 newExpiryDate = g.pendingExpiryDate;
            _requireFutureExpiry(id, newExpiryDate);
            g.expiryDate = newExpiryDate;
        }
        uint96 newAmount = g.pendingAmount;
        // A payment or reduction since the proposal would have made it lapse, so what was paid and
        // reduced is what proposeAmendment checked newAmount against: this cannot underflow.
        uint96 outstanding = newAmount - (g.amount - g.outstanding);
        g.amount = newAmount;
        g.outstanding = outstanding;
        bytes32 termsHash = g.pendingTermsHash;
        _clearAmendment(g);
        emit AmendmentAccepted(
            id, sequence, newAmount, outstanding, g.expiryDate, termsHash, g.status, agencyCode, msg.sender
        );
    }

    /// @inheritdoc IGuaranteeRegistry
    function rejectAmendment(bytes32 id, bytes32 agencyCode, uint16 sequence, bytes32 reasonCode) external {
        Record storage g = _asBeneficiary(id, agencyCode, Action.RejectAmendment, ACTIVE | OPEN_CLAIM);
        _requirePendingAmendment(g, id, sequence);
        if (reasonCode == bytes32(0)) revert IConsortium.RequiredFieldEmpty("reasonCode");
        _clearAmendment(g);
        emit AmendmentRejected(id, sequence, reasonCode, g.status, agencyCode, msg.sender);
    }

    /// @inheritdoc IGuaranteeRegistry
    function reduce(bytes32 id, bytes32 agencyCode, uint128 reduceBy) external {
        Record storage g = _asBeneficiary(id, agencyCode, Action.Reduce, ACTIVE);
        if (reduceBy == 0) revert ZeroAmount();
        uint96 current = g.outstanding;
        if (reduceBy >= current) revert ReductionNotPartial(id, reduceBy, current);
        // reduceBy < current, a uint96: the cast cannot truncate.
        // forge-lint: disable-next-line(unsafe-typecast)
        uint96 outstanding = current - uint96(reduceBy);
        g.outstanding = outstanding;
        uint16 sequence = ++g.releaseCount;
        emit GuaranteeReduced(id, sequence, reduceBy, outstanding, Status.Active, agencyCode, msg.sender);
        _lapseAmendment(g, id, Action.Reduce);
    }

    /// @inheritdoc IGuaranteeRegistry
    function release(bytes32 id, bytes32 agencyCode, uint64 obligationsEndedAt) external {
        Record storage g = _asBeneficiary(id, agencyCode, Action.Release, ACTIVE);
        if (obligationsEndedAt == 0) revert IConsortium.RequiredFieldEmpty("obligationsEndedAt");
        if (obligationsEndedAt > block.timestamp) {
            revert ObligationsEndInFuture(id, obligationsEndedAt, uint64(block.timestamp));
        }
        uint96 released = g.outstanding;
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
        _lapseAmendment(g, id, Action.Release);
    }

    /// @inheritdoc IGuaranteeRegistry
    function claim(bytes32 id, bytes32 agencyCode, uint128 amount, bytes32 demandHash)
        external
        returns (uint16 sequence)
    {
        Record storage g = _openClaim(id, agencyCode, amount, demandHash);
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
        Record storage g = _openClaim(id, agencyCode, amount, demandHash);
        if (g.expiryType != ExpiryType.FIXD) revert NoFixedExpiry(id, g.expiryType);
        if (requestedExpiryDate > LATEST_DATE) revert DateOutOfRange(requestedExpiryDate, LATEST_DATE);
        // expiryDate <= LATEST_DATE: the + 1 cannot overflow.
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
        Record storage g = _asBeneficiary(id, agencyCode, Action.WithdrawClaim, OPEN_CLAIM);
        _closeClaim(g);
        g.status = Status.Active;
        emit ClaimWithdrawn(id, g.claimCount, Status.Active, agencyCode, msg.sender);
    }

    /// @inheritdoc IGuaranteeRegistry
    function supersede(bytes32 id, bytes32 agencyCode, bytes32 replacementId) external {
        Record storage g = _asBeneficiary(id, agencyCode, Action.Supersede, ACTIVE);
        Record storage replacement = _existing(replacementId);
        if (replacementId == id || replacement.replaces != bytes32(0)) revert InvalidReplacement(id, replacementId);
        bytes32 replacementAgency = bytes32(replacement.agencyCode);
        if (replacementAgency != agencyCode) revert NotBeneficiary(replacementId, replacementAgency, agencyCode);
        // Only an accepted replacement in force, of an active issuer: anything less could leave the
        // agency with no security at all.
        _requireState(replacement, replacementId, Action.Supersede, ACTIVE);
        consortium.requireActiveIssuer(replacement.bankCode);
        if (block.timestamp < replacement.effectiveDate) {
            revert NotYetEffective(replacementId, Action.Supersede, replacement.effectiveDate, uint64(block.timestamp));
        }
        _requireBeforeExpiry(replacement, replacementId, Action.Supersede);
        g.status = Status.Superseded;
        g.replacedBy = replacementId;
        replacement.replaces = id;
        emit GuaranteeSuperseded(id, replacementId, Status.Superseded, agencyCode, msg.sender);
        _lapseAmendment(g, id, Action.Supersede);
    }

    // ---------------------------------------------------------------- admin and anyone

    /// @inheritdoc IGuaranteeRegistry
    function suspend(bytes32 id, bytes32 reasonHash) external {
        Record storage g = _asAdmin(id, Action.Suspend, LIVE);
        if (reasonHash == bytes32(0)) revert IConsortium.RequiredFieldEmpty("reasonHash");
        Status previous = g.status;
        g.statusBeforeSuspension = previous;
        g.status = Status.Suspended;
        emit GuaranteeSuspended(id, reasonHash, previous, Status.Suspended, msg.sender);
    }

    /// @inheritdoc IGuaranteeRegistry
    function resume(bytes32 id, bytes32 reasonHash) external {
        Record storage g = _asAdmin(id, Action.Resume, SUSPENDED);
        if (reasonHash == bytes32(0)) revert IConsortium.RequiredFieldEmpty("reasonHash");
        Status restored = g.statusBeforeSuspension;
        g.status = restored;
        g.statusBeforeSuspension = Status.None;
        emit GuaranteeResumed(id, reasonHash, restored, msg.sender);
    }

    /// @inheritdoc IGuaranteeRegistry
    function expire(bytes32 id) external {
        Record storage g = _existing(id);
        _requireState(g, id, Action.Expire, PENDING | ACTIVE);
        if (g.expiryType != ExpiryType.FIXD) revert NoFixedExpiry(id, g.expiryType);
        if (block.timestamp <= g.expiryDate) revert NotYetExpired(id, g.expiryDate, uint64(block.timestamp));
        g.status = Status.Expired;
        emit GuaranteeExpired(id, g.expiryDate, Status.Expired, msg.sender);
        _lapseAmendment(g, id, Action.Expire);
    }

    // ---------------------------------------------------------------- internals

    function _existing(bytes32 id) private view returns (Record storage g) {
        g = _records[id];
        if (g.status == Status.None) revert GuaranteeNotFound(id);
    }

    function _requireState(Record storage g, bytes32 id, Action action, uint16 allowed) private view {
        Status actual = g.status;
        if ((uint16(1) << uint8(actual)) & allowed == 0) revert GuaranteeNotInState(id, action, actual, allowed);
    }

    /// The caller must sign for the active issuer of guarantee `id`, which must be in `allowed`.
    function _asIssuingBank(bytes32 id, Action action, uint16 allowed) private view returns (Record storage g) {
        uint16 callerBank = consortium.requireActiveSigner(msg.sender);
        g = _existing(id);
        if (g.bankCode != callerBank) revert NotIssuingBank(id, g.bankCode, callerBank);
        _requireState(g, id, action, allowed);
    }

    /// The caller must be an e-GP gateway naming the beneficiary of guarantee `id`, in `allowed`.
    function _asBeneficiary(bytes32 id, bytes32 agencyCode, Action action, uint16 allowed)
        private
        view
        returns (Record storage g)
    {
        if (!consortium.isGateway(msg.sender)) revert IConsortium.NotGateway(msg.sender);
        g = _existing(id);
        bytes32 beneficiary = bytes32(g.agencyCode);
        if (beneficiary != agencyCode) revert NotBeneficiary(id, beneficiary, agencyCode);
        _requireState(g, id, action, allowed);
    }

    function _asAdmin(bytes32 id, Action action, uint16 allowed) private view returns (Record storage g) {
        if (!consortium.isAdmin(msg.sender)) revert NotAdmin(msg.sender);
        g = _existing(id);
        _requireState(g, id, action, allowed);
    }

    /// The answer names claim `sequence`; it must be the open one (the caller checked that one is).
    function _requireOpenClaim(Record storage g, bytes32 id, uint16 sequence) private view {
        uint16 open = g.claimCount;
        if (sequence != open) revert StaleClaim(id, sequence, open);
    }

    /// The answer names amendment `sequence`; it must be the pending one.
    function _requirePendingAmendment(Record storage g, bytes32 id, uint16 sequence) private view {
        if (!g.amendmentPending) revert NoPendingAmendment(id);
        uint16 pending = g.amendmentCount;
        if (sequence != pending) revert StaleAmendment(id, sequence, pending);
    }

    /// `action` needs the guarantee before its fixed expiry (OPEN and COND have none).
    function _requireBeforeExpiry(Record storage g, bytes32 id, Action action) private view {
        if (g.expiryType == ExpiryType.FIXD && block.timestamp > g.expiryDate) {
            revert ExpiryPassed(id, action, g.expiryDate, uint64(block.timestamp));
        }
    }

    /// A fixed expiry to be set on `id`: after now, and no later than LATEST_DATE.
    function _requireFutureExpiry(bytes32 id, uint64 expiryDate) private view {
        if (expiryDate > LATEST_DATE) revert DateOutOfRange(expiryDate, LATEST_DATE);
        if (expiryDate <= block.timestamp) revert ExpiryNotInFuture(id, expiryDate, uint64(block.timestamp));
    }

    /// An amount as stored: at most 96 bits.
    function _amount(uint128 amount) private pure returns (uint96) {
        if (amount > type(uint96).max) revert AmountOutOfRange(amount, type(uint96).max);
        // forge-lint: disable-next-line(unsafe-typecast)
        return uint96(amount);
    }

    function _openClaim(bytes32 id, bytes32 agencyCode, uint128 amount, bytes32 demandHash)
        private
        returns (Record storage g)
    {
        g = _asBeneficiary(id, agencyCode, Action.Claim, ACTIVE);
        if (block.timestamp < g.effectiveDate) {
            revert NotYetEffective(id, Action.Claim, g.effectiveDate, uint64(block.timestamp));
        }
        _requireBeforeExpiry(g, id, Action.Claim);
        if (amount == 0) revert ZeroAmount();
        uint96 outstanding = g.outstanding;
        if (amount > outstanding) revert AmountExceedsOutstanding(id, amount, outstanding);
        if (demandHash == bytes32(0)) revert IConsortium.RequiredFieldEmpty("demandHash");
        // amount <= outstanding, a uint96: the cast cannot truncate.
        // forge-lint: disable-next-line(unsafe-typecast)
        g.claimAmount = uint96(amount);
        ++g.claimCount;
    }

    function _closeClaim(Record storage g) private {
        g.claimAmount = 0;
        g.claimRequestedExpiry = 0;
    }

    function _clearAmendment(Record storage g) private {
        g.amendmentPending = false;
        g.pendingAmount = 0;
        g.pendingExpiryDate = 0;
        g.pendingTermsHash = bytes32(0);
    }

    /// `cause` changed the terms a pending amendment was proposed against, or ended the guarantee:
    /// the amendment lapses rather than overwrite the change when accepted later.
    function _lapseAmendment(Record storage g, bytes32 id, Action cause) private {
        if (!g.amendmentPending) return;
        _clearAmendment(g);
        emit AmendmentLapsed(id, g.amendmentCount, cause, g.status, msg.sender);
    }

    function _checkExpiry(
        bytes32 id,
        ExpiryType expiryType,
        uint64 effectiveDate,
        uint64 expiryDate,
        bytes32 conditionHash
    ) private view {
        if (effectiveDate > LATEST_DATE) revert DateOutOfRange(effectiveDate, LATEST_DATE);
        if (expiryType == ExpiryType.FIXD) {
            if (expiryDate <= effectiveDate) revert InvalidExpiry(expiryType, effectiveDate, expiryDate);
            _requireFutureExpiry(id, expiryDate);
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
