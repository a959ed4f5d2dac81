// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IEgpTypes} from "./Types.sol";

/// @title ICreditConfirmationRegistry
/// @notice Electronic credit confirmations: a bank's statement that a supplier has approved credit
/// facilities of at least `creditLine` as of `asOfDate`, for one project or for supplier registration.
/// @dev Only the issuing bank's active signers issue, revoke and supersede (not after `validUntil`:
/// an overdue confirmation is expired whether or not anyone marked it); anyone marks an
/// overdue confirmation expired (readers must treat it as expired after `validUntil` anyway).
/// Amounts are THB in satang; dates are Unix seconds. The supplier appears only as an HMAC commitment.
interface ICreditConfirmationRegistry {
    /// @notice What the confirmation is for.
    enum Purpose {
        PROJECT,
        REGISTRATION
    }

    /// @notice Where a confirmation stands. `None` means it does not exist.
    enum ConfirmationStatus {
        None,
        Valid,
        Revoked,
        Superseded,
        Expired
    }

    /// @notice Everything a bank states when it issues a credit confirmation.
    /// @param bankRef The bank's own reference, 1 to 35 bytes; unique per bank.
    /// @param certifyingOffice Head office or authorised branch that certifies it, left-aligned ASCII.
    /// @param supplierCommitment HMAC-SHA256 of the supplier's 13-digit id under the consortium pepper.
    /// @param creditLine Approved credit facilities, satang, > 0.
    /// @param asOfDate The date the statement speaks of.
    /// @param validUntil End of validity; 0 means 90 days after issue.
    /// @param projectNumber e-GP project number (PROJECT only), left-aligned ASCII.
    /// @param projectBudget The project's budget in satang (PROJECT only).
    /// @param documentHash SHA-256 of the signed confirmation document.
    struct ConfirmationRequest {
        string bankRef;
        bytes32 certifyingOffice;
        bytes32 supplierCommitment;
        IEgpTypes.ApplicantType supplierType;
        uint128 creditLine;
        uint64 asOfDate;
        uint64 validUntil;
        Purpose purpose;
        bytes32 projectNumber;
        uint128 projectBudget;
        bytes32 documentHash;
    }

    /// @notice A confirmation's current state.
    struct Confirmation {
        bytes32 supplierCommitment;
        uint16 bankCode;
        ConfirmationStatus status;
        uint64 issuedAt;
        uint64 validUntil;
        bytes32 replacedBy;
        bytes32 replaces;
    }

    /// @notice A bank issued a confirmation (valid from `issuedAt` to `validUntil`).
    event CreditConfirmationIssued(
        bytes32 indexed id,
        uint16 indexed bankCode,
        bytes32 indexed supplierCommitment,
        ConfirmationRequest request,
        uint64 issuedAt,
        uint64 validUntil,
        bytes32 replaces,
        ConfirmationStatus status,
        address actor
    );
    /// @notice The bank revoked the confirmation.
    event CreditConfirmationRevoked(bytes32 indexed id, bytes32 reasonCode, ConfirmationStatus status, address actor);
    /// @notice The bank replaced the confirmation with `replacementId`.
    event CreditConfirmationSuperseded(
        bytes32 indexed id, bytes32 indexed replacementId, ConfirmationStatus status, address actor
    );
    /// @notice The confirmation's validity ended at `validUntil`.
    event CreditConfirmationExpired(bytes32 indexed id, uint64 validUntil, ConfirmationStatus status, address actor);

    /// @notice A confirmation with this bank code and bank reference exists already.
    error ConfirmationAlreadyExists(bytes32 id);
    /// @notice No confirmation has this id.
    error ConfirmationNotFound(bytes32 id);
    /// @notice The action needs a `Valid` confirmation.
    error ConfirmationNotValid(bytes32 id, ConfirmationStatus actual);
    /// @notice The caller signs for `callerBank`, but the confirmation belongs to `issuingBank`.
    error NotConfirmingBank(bytes32 id, uint16 issuingBank, uint16 callerBank);
    /// @notice The bank reference must be 1 to 35 bytes long.
    error InvalidConfirmationRef(uint256 length);
    /// @notice The credit line must be greater than zero.
    error ZeroCreditLine();
    /// @notice `validUntil` must lie after the issue time.
    error InvalidValidity(uint64 validUntil, uint64 issuedAt);
    /// @notice PROJECT needs a project number and budget; REGISTRATION must have neither.
    error InvalidPurpose(Purpose purpose, bytes32 projectNumber, uint128 projectBudget);
    /// @notice The confirmation is still within its validity.
    error ConfirmationNotYetExpired(bytes32 id, uint64 validUntil, uint64 timestamp);
    /// @notice A replacement must be for the same supplier.
    error SupplierMismatch(bytes32 id);
    /// @notice The confirmation's validity ended at `validUntil` (whether or not anyone marked it
    /// expired): it can no longer be revoked or superseded.
    error ConfirmationExpired(bytes32 id, uint64 validUntil, uint64 timestamp);

    /// @notice How long a confirmation is valid when the bank does not say: 90 days.
    function DEFAULT_VALIDITY() external view returns (uint64);
    /// @notice The id of confirmation `bankRef` of bank `bankCode`: keccak256(abi.encodePacked(bankCode, bankRef)).
    function confirmationId(uint16 bankCode, string calldata bankRef) external pure returns (bytes32);
    /// @notice The confirmation's current state (status `None` if unknown).
    function getConfirmation(bytes32 id) external view returns (Confirmation memory);

    /// @notice Bank: issues a confirmation. Returns its id.
    function issue(ConfirmationRequest calldata request) external returns (bytes32 id);
    /// @notice Bank: revokes a valid confirmation, before its `validUntil`.
    function revoke(bytes32 id, bytes32 reasonCode) external;
    /// @notice Bank: issues `replacement` for the same supplier and marks `id` superseded, in one step,
    /// before `id`'s `validUntil`.
    function supersede(bytes32 id, ConfirmationRequest calldata replacement) external returns (bytes32 replacementId);
    /// @notice Anyone: marks a confirmation past its `validUntil` as expired.
    function expire(bytes32 id) external;
}
