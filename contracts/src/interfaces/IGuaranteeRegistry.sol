// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IEgpTypes} from "./Types.sol";

/// @title IGuaranteeRegistry
/// @notice Electronic letters of guarantee (e-LG) for Thai government procurement, with the
/// lifecycle of ICC URDG 758: issue, acceptance, amendment, reduction and release, claims (pay or
/// extend-or-pay), payment, rejection, extension, expiry, supersession and suspension.
/// @dev Actors: the issuing bank (any active signer of the issuer whose code is in the id), the
/// beneficiary agency (through an authorised e-GP gateway naming the agency), the consortium admin
/// (suspend/resume only) and anyone (expire). Amounts are THB in satang, at most 2^96 - 1; dates
/// are Unix seconds, at most `LATEST_DATE` (9999-12-31). An answer names what it answers: `pay`,
/// `rejectClaim` and `extend` the claim's sequence number, `acceptAmendment` and `rejectAmendment`
/// the amendment's; an answer to anything but the open one is refused as stale.
/// Every event carries everything an indexer needs to rebuild the record without calling the
/// contract: the status after the change, the amounts after the change, sequence numbers and the
/// actor. Personal data never appears: the applicant is an HMAC-SHA256 commitment.
interface IGuaranteeRegistry {
    /// @notice Guarantee types of the Finance Ministry procurement regulation B.E. 2560.
    enum GuaranteeType {
        TEND, // bid security
        PERF, // performance security
        APAY, // advance payment
        RETN, // retention money
        WARR, // warranty
        OTHR
    }

    /// @notice How a guarantee ends: on a fixed date, open-ended, or on a documented condition.
    enum ExpiryType {
        FIXD,
        OPEN,
        COND
    }

    /// @notice Where a guarantee stands. `None` means it does not exist. The last six are terminal.
    enum Status {
        None,
        PendingAcceptance,
        Active,
        Claimed,
        ExtendOrPay,
        Suspended,
        Rejected,
        Cancelled,
        Released,
        Expired,
        PaidOut,
        Superseded
    }

    /// @notice The transition that was attempted, named in errors.
    enum Action {
        Issue,
        Accept,
        Reject,
        Cancel,
        ProposeAmendment,
        AcceptAmendment,
        RejectAmendment,
        Reduce,
        Release,
        Claim,
        Pay,
        RejectClaim,
        Extend,
        WithdrawClaim,
        Expire,
        Supersede,
        Suspend,
        Resume
    }

    /// @notice Everything a bank states when it issues an e-LG. Currency is always THB.
    /// @param bankRef The bank's own reference, 1 to 35 bytes; unique per bank.
    /// @param branchCode Issuing branch, left-aligned ASCII.
    /// @param amount Guaranteed amount in satang, > 0.
    /// @param issueDate Date on the guarantee document.
    /// @param effectiveDate From when the guarantee is in force: no claim before it.
    /// @param expiryDate For FIXD: after `effectiveDate` and after the time of issue. For OPEN and COND: 0.
    /// @param expiryConditionHash For COND: hash of the condition text. Otherwise 0.
    /// @param agencyCode Beneficiary agency (registered in the consortium; at most 11 bytes).
    /// @param projectNumber e-GP project number (11 digits), left-aligned ASCII.
    /// @param contractNumber The procurement contract's number, if any.
    /// @param applicantCommitment HMAC-SHA256 of the applicant's 13-digit id under the consortium pepper.
    /// @param documentHash SHA-256 of the signed guarantee document.
    struct IssueRequest {
        string bankRef;
        bytes32 branchCode;
        GuaranteeType guaranteeType;
        uint128 amount;
        uint64 issueDate;
        uint64 effectiveDate;
        ExpiryType expiryType;
        uint64 expiryDate;
        bytes32 expiryConditionHash;
        bytes32 agencyCode;
        bytes32 projectNumber;
        string contractNumber;
        bytes32 applicantCommitment;
        IEgpTypes.ApplicantType applicantType;
        bytes32 documentHash;
    }

    /// @notice The part of a guarantee that on-chain rules need; the rest lives in its events.
    /// @param amount Guaranteed amount (after accepted amendments), satang.
    /// @param outstanding What can still be claimed: amount less reductions and payments.
    /// @param agencyCode Beneficiary agency.
    /// @param expiryDate Current expiry (FIXD), else 0.
    /// @param effectiveDate From when it is in force (no claim before).
    /// @param bankCode Issuing bank.
    /// @param status Current status.
    /// @param statusBeforeSuspension The status `resume` returns to.
    /// @param amendmentCount Amendments proposed so far (the last one's sequence number).
    /// @param claimCount Claims made so far (the last one's sequence number).
    /// @param releaseCount Reductions and releases so far (the last one's sequence number).
    /// @param amendmentPending Whether amendment `amendmentCount` awaits the agency (never in a
    /// terminal status: a pending amendment lapses when the guarantee ends).
    /// @param claimAmount Amount of the open claim, if any.
    /// @param claimRequestedExpiry Expiry requested by an open extend-or-pay claim.
    /// @param totalPaid Sum of all payments, satang.
    /// @param pendingAmount Proposed new amount of the pending amendment.
    /// @param pendingExpiryDate Proposed new expiry of the pending amendment.
    /// @param pendingTermsHash Hash of the pending amendment's terms document.
    /// @param replaces The guarantee this one replaced, if any.
    /// @param replacedBy The guarantee that replaced this one, if any.
    struct Guarantee {
        uint128 amount;
        uint128 outstanding;
        bytes32 agencyCode;
        uint64 expiryDate;
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
        uint128 claimAmount;
        uint128 totalPaid;
        uint64 claimRequestedExpiry;
        uint64 pendingExpiryDate;
        uint128 pendingAmount;
        bytes32 pendingTermsHash;
        bytes32 replaces;
        bytes32 replacedBy;
    }

    /// @notice A bank issued a guarantee; it awaits the agency's acceptance.
    event GuaranteeIssued(
        bytes32 indexed id,
        uint16 indexed bankCode,
        bytes32 indexed agencyCode,
        IssueRequest request,
        Status status,
        address actor
    );
    /// @notice The agency accepted the guarantee.
    event GuaranteeAccepted(bytes32 indexed id, Status status, bytes32 agencyCode, address actor);
    /// @notice The agency rejected the guarantee.
    event GuaranteeRejected(bytes32 indexed id, bytes32 reasonCode, Status status, bytes32 agencyCode, address actor);
    /// @notice The bank cancelled the guarantee before acceptance.
    event GuaranteeCancelled(bytes32 indexed id, bytes32 reasonCode, Status status, address actor);
    /// @notice The bank proposed amendment `sequence`; the old terms stay in force until accepted.
    event AmendmentProposed(
        bytes32 indexed id,
        uint16 sequence,
        uint128 newAmount,
        uint64 newExpiryDate,
        bytes32 termsHash,
        Status status,
        address actor
    );
    /// @notice The agency accepted amendment `sequence`; amounts and expiry are those after it.
    event AmendmentAccepted(
        bytes32 indexed id,
        uint16 sequence,
        uint128 amount,
        uint128 outstanding,
        uint64 expiryDate,
        bytes32 termsHash,
        Status status,
        bytes32 agencyCode,
        address actor
    );
    /// @notice The agency rejected amendment `sequence`.
    event AmendmentRejected(
        bytes32 indexed id, uint16 sequence, bytes32 reasonCode, Status status, bytes32 agencyCode, address actor
    );
    /// @notice Pending amendment `sequence` lapsed unanswered: `cause` changed the terms it was
    /// proposed against (a payment, an extension, a reduction) or ended the guarantee (a release, an
    /// expiry, a supersession, a payout). Emitted in the same transaction, after `cause`'s own event;
    /// `status` is the status after it.
    event AmendmentLapsed(bytes32 indexed id, uint16 sequence, Action cause, Status status, address actor);
    /// @notice The agency released part of the guarantee (release `sequence`).
    event GuaranteeReduced(
        bytes32 indexed id,
        uint16 sequence,
        uint128 reducedBy,
        uint128 outstanding,
        Status status,
        bytes32 agencyCode,
        address actor
    );
    /// @notice The agency released the guarantee in full (release `sequence`). The security must be
    /// returned by `returnDeadline`, 15 days after the obligations ended (regulation clause 170).
    event GuaranteeReleased(
        bytes32 indexed id,
        uint16 sequence,
        uint128 releasedAmount,
        uint64 obligationsEndedAt,
        uint64 returnDeadline,
        Status status,
        bytes32 agencyCode,
        address actor
    );
    /// @notice The agency demanded payment (claim `sequence`); with `extendOrPay`, it asks for an
    /// extension to `requestedExpiryDate` or payment.
    event ClaimMade(
        bytes32 indexed id,
        uint16 sequence,
        uint128 claimAmount,
        bool extendOrPay,
        uint64 requestedExpiryDate,
        bytes32 demandHash,
        Status status,
        bytes32 agencyCode,
        address actor
    );
    /// @notice The bank paid claim `sequence`; `outstanding` and `totalPaid` are after the payment.
    event ClaimPaid(
        bytes32 indexed id,
        uint16 sequence,
        uint128 paidAmount,
        bytes32 paymentReference,
        uint128 outstanding,
        uint128 totalPaid,
        Status status,
        address actor
    );
    /// @notice The bank rejected claim `sequence`, listing every discrepancy (URDG art. 24).
    event ClaimRejected(bytes32 indexed id, uint16 sequence, bytes32[] discrepancies, Status status, address actor);
    /// @notice The agency withdrew claim `sequence`.
    event ClaimWithdrawn(bytes32 indexed id, uint16 sequence, Status status, bytes32 agencyCode, address actor);
    /// @notice The bank answered extend-or-pay claim `sequence` by extending to `expiryDate`.
    event GuaranteeExtended(bytes32 indexed id, uint16 sequence, uint64 expiryDate, Status status, address actor);
    /// @notice The guarantee's fixed expiry passed with no open claim.
    event GuaranteeExpired(bytes32 indexed id, uint64 expiryDate, Status status, address actor);
    /// @notice The agency replaced the guarantee with `replacementId` (a replacement or top-up).
    event GuaranteeSuperseded(
        bytes32 indexed id, bytes32 indexed replacementId, Status status, bytes32 agencyCode, address actor
    );
    /// @notice The admin suspended the guarantee (court order or fraud).
    event GuaranteeSuspended(
        bytes32 indexed id, bytes32 reasonHash, Status previousStatus, Status status, address actor
    );
    /// @notice The admin lifted the suspension; `status` is the status before it.
    event GuaranteeResumed(bytes32 indexed id, bytes32 reasonHash, Status status, address actor);

    /// @notice A guarantee with this bank code and bank reference exists already.
    error GuaranteeAlreadyExists(bytes32 id);
    /// @notice No guarantee has this id.
    error GuaranteeNotFound(bytes32 id);
    /// @notice `action` needs the guarantee in one of the statuses whose bit is set in `allowed`
    /// (bit `i` stands for `Status(i)`).
    error GuaranteeNotInState(bytes32 id, Action action, Status actual, uint16 allowed);
    /// @notice The caller signs for `callerBank`, but the guarantee belongs to `issuingBank`.
    error NotIssuingBank(bytes32 id, uint16 issuingBank, uint16 callerBank);
    /// @notice The gateway named `named`, but the guarantee's beneficiary is `beneficiary`.
    error NotBeneficiary(bytes32 id, bytes32 beneficiary, bytes32 named);
    /// @notice The bank reference must be 1 to 35 bytes long.
    error InvalidBankRef(uint256 length);
    /// @notice An amount must be greater than zero.
    error ZeroAmount();
    /// @notice A reduction must leave something outstanding (use `release` to release all).
    error ReductionNotPartial(bytes32 id, uint128 reduceBy, uint128 outstanding);
    /// @notice An amount must fit in 96 bits (`max`); no guarantee comes near it.
    error AmountOutOfRange(uint128 amount, uint128 max);
    /// @notice The amount exceeds what is outstanding.
    error AmountExceedsOutstanding(bytes32 id, uint128 amount, uint128 outstanding);
    /// @notice The payment exceeds the open claim.
    error PaymentExceedsClaim(bytes32 id, uint128 amount, uint128 claimAmount);
    /// @notice An amended amount must leave something outstanding: it must be at least `minimum`.
    error AmendedAmountTooLow(bytes32 id, uint128 newAmount, uint128 minimum);
    /// @notice The expiry settings are inconsistent: FIXD needs `expiryDate` after `effectiveDate`,
    /// OPEN and COND need `expiryDate` 0, COND needs a condition hash.
    error InvalidExpiry(ExpiryType expiryType, uint64 effectiveDate, uint64 expiryDate);
    /// @notice A fixed expiry, or a proposed one, must lie after the time of the transaction.
    error ExpiryNotInFuture(bytes32 id, uint64 expiryDate, uint64 timestamp);
    /// @notice `action` needs guarantee `id` before its fixed expiry, which passed at `expiryDate`.
    error ExpiryPassed(bytes32 id, Action action, uint64 expiryDate, uint64 timestamp);
    /// @notice `action` needs guarantee `id` in force, which it is only from `effectiveDate`.
    error NotYetEffective(bytes32 id, Action action, uint64 effectiveDate, uint64 timestamp);
    /// @notice A date must be at most `latest` (9999-12-31T23:59:59+07:00).
    error DateOutOfRange(uint64 date, uint64 latest);
    /// @notice The obligations cannot have ended after the time of the release.
    error ObligationsEndInFuture(bytes32 id, uint64 obligationsEndedAt, uint64 timestamp);
    /// @notice An extension (requested or granted) must set the fixed expiry to `minimum` or later.
    error InvalidExtension(bytes32 id, uint64 expiryDate, uint64 minimum);
    /// @notice Only a guarantee with a fixed expiry can expire or be extended.
    error NoFixedExpiry(bytes32 id, ExpiryType expiryType);
    /// @notice The fixed expiry has not passed yet.
    error NotYetExpired(bytes32 id, uint64 expiryDate, uint64 timestamp);
    /// @notice An amendment is pending already; the agency must answer it first.
    error AmendmentAlreadyPending(bytes32 id, uint16 sequence);
    /// @notice No amendment awaits the agency.
    error NoPendingAmendment(bytes32 id);
    /// @notice The answer names amendment `named`, but the pending one is `pending`.
    error StaleAmendment(bytes32 id, uint16 named, uint16 pending);
    /// @notice The answer names claim `named`, but the open one is `open`.
    error StaleClaim(bytes32 id, uint16 named, uint16 open);
    /// @notice A guarantee cannot replace itself, and a replacement can replace only one guarantee.
    error InvalidReplacement(bytes32 id, bytes32 replacementId);
    /// @notice The caller is not the consortium admin.
    error NotAdmin(address caller);
    /// @notice A claim rejection must list at least one discrepancy.
    error NoDiscrepancies(bytes32 id);

    /// @notice The id of the guarantee `bankRef` of bank `bankCode`: keccak256(abi.encodePacked(bankCode, bankRef)).
    function guaranteeId(uint16 bankCode, string calldata bankRef) external pure returns (bytes32);
    /// @notice The guarantee's current state (status `None` if unknown).
    function getGuarantee(bytes32 id) external view returns (Guarantee memory);

    /// @notice Bank: issues a guarantee. Returns its id.
    function issue(IssueRequest calldata request) external returns (bytes32 id);
    /// @notice Agency: accepts a pending guarantee, before its fixed expiry, of an active issuer.
    function accept(bytes32 id, bytes32 agencyCode) external;
    /// @notice Agency: rejects a pending guarantee.
    function reject(bytes32 id, bytes32 agencyCode, bytes32 reasonCode) external;
    /// @notice Bank: cancels a guarantee the agency has not accepted yet, with a reason code.
    function cancel(bytes32 id, bytes32 reasonCode) external;
    /// @notice Bank: proposes new amount, expiry (FIXD: a future date; 0 otherwise) and terms, before
    /// a fixed expiry. The proposal lapses if a payment, extension or reduction comes first.
    function proposeAmendment(bytes32 id, uint128 newAmount, uint64 newExpiryDate, bytes32 termsHash)
        external
        returns (uint16 sequence);
    /// @notice Agency: accepts pending amendment `sequence`, before the fixed expiry and the proposed one.
    function acceptAmendment(bytes32 id, bytes32 agencyCode, uint16 sequence) external;
    /// @notice Agency: rejects pending amendment `sequence`.
    function rejectAmendment(bytes32 id, bytes32 agencyCode, uint16 sequence, bytes32 reasonCode) external;
    /// @notice Agency: releases part of the outstanding amount.
    function reduce(bytes32 id, bytes32 agencyCode, uint128 reduceBy) external;
    /// @notice Agency: releases the guarantee in full; obligations ended at `obligationsEndedAt`
    /// (not in the future).
    function release(bytes32 id, bytes32 agencyCode, uint64 obligationsEndedAt) external;
    /// @notice Agency: demands payment of `amount`, from the effective date until a fixed expiry.
    function claim(bytes32 id, bytes32 agencyCode, uint128 amount, bytes32 demandHash)
        external
        returns (uint16 sequence);
    /// @notice Agency: demands an extension to `requestedExpiryDate`, or else payment of `amount`.
    function claimExtendOrPay(
        bytes32 id,
        bytes32 agencyCode,
        uint128 amount,
        uint64 requestedExpiryDate,
        bytes32 demandHash
    ) external returns (uint16 sequence);
    /// @notice Bank: pays open claim `claimSequence`, all or part of it, closing it.
    function pay(bytes32 id, uint16 claimSequence, uint128 amount, bytes32 paymentReference) external;
    /// @notice Bank: rejects open claim `claimSequence`, listing every discrepancy.
    function rejectClaim(bytes32 id, uint16 claimSequence, bytes32[] calldata discrepancies) external;
    /// @notice Bank: answers extend-or-pay claim `claimSequence` by extending to `newExpiryDate`.
    function extend(bytes32 id, uint16 claimSequence, uint64 newExpiryDate) external;
    /// @notice Agency: withdraws its open claim.
    function withdrawClaim(bytes32 id, bytes32 agencyCode) external;
    /// @notice Anyone: marks a guarantee whose fixed expiry has passed, with no open claim, as expired.
    function expire(bytes32 id) external;
    /// @notice Agency: replaces an active guarantee with `replacementId` (same agency, already
    /// accepted, in force: effective and before its fixed expiry, of an active issuer).
    function supersede(bytes32 id, bytes32 agencyCode, bytes32 replacementId) external;
    /// @notice Admin: freezes the guarantee (court order or fraud).
    function suspend(bytes32 id, bytes32 reasonHash) external;
    /// @notice Admin: lifts the freeze.
    function resume(bytes32 id, bytes32 reasonHash) external;
}
