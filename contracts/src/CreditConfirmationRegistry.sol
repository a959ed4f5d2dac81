// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IConsortium} from "./interfaces/IConsortium.sol";
import {ICreditConfirmationRegistry} from "./interfaces/ICreditConfirmationRegistry.sol";

/// @title CreditConfirmationRegistry
/// @notice Electronic credit confirmations: issued, revoked and superseded by the confirming bank,
/// expired by anyone once `validUntil` has passed.
contract CreditConfirmationRegistry is ICreditConfirmationRegistry {
    /// @inheritdoc ICreditConfirmationRegistry
    uint64 public constant DEFAULT_VALIDITY = 90 days;

    /// @notice Who may act.
    IConsortium public immutable consortium;

    mapping(bytes32 id => Confirmation) private _confirmations;

    /// @param consortium_ The consortium contract that says who is a bank signer.
    constructor(IConsortium consortium_) {
        if (address(consortium_) == address(0)) revert IConsortium.RequiredFieldEmpty("consortium");
        consortium = consortium_;
    }

    /// @inheritdoc ICreditConfirmationRegistry
    function confirmationId(uint16 bankCode, string calldata bankRef) public pure returns (bytes32) {
        return keccak256(abi.encodePacked(bankCode, bankRef));
    }

    /// @inheritdoc ICreditConfirmationRegistry
    function getConfirmation(bytes32 id) external view returns (Confirmation memory) {
        return _confirmations[id];
    }

    /// @inheritdoc ICreditConfirmationRegistry
    function issue(ConfirmationRequest calldata request) external returns (bytes32 id) {
        uint16 bankCode = consortium.requireActiveSigner(msg.sender);
        id = _issue(bankCode, request, bytes32(0));
    }

    /// @inheritdoc ICreditConfirmationRegistry
    function revoke(bytes32 id, bytes32 reasonCode) external {
        Confirmation storage c = _asConfirmingBank(id);
        if (reasonCode == bytes32(0)) revert IConsortium.RequiredFieldEmpty("reasonCode");
        c.status = ConfirmationStatus.Revoked;
        emit CreditConfirmationRevoked(id, reasonCode, ConfirmationStatus.Revoked, msg.sender);
    }

    /// @inheritdoc ICreditConfirmationRegistry
    function supersede(bytes32 id, ConfirmationRequest calldata replacement) external returns (bytes32 replacementId) {
        Confirmation storage c = _asConfirmingBank(id);
        if (replacement.supplierCommitment != c.supplierCommitment) revert SupplierMismatch(id);
        replacementId = _issue(c.bankCode, replacement, id);
        c.status = ConfirmationStatus.Superseded;
        c.replacedBy = replacementId;
        emit CreditConfirmationSuperseded(id, replacementId, ConfirmationStatus.Superseded, msg.sender);
    }

    /// @inheritdoc ICreditConfirmationRegistry
    function expire(bytes32 id) external {
        Confirmation storage c = _valid(id);
        if (block.timestamp <= c.validUntil) {
            revert ConfirmationNotYetExpired(id, c.validUntil, uint64(block.timestamp));
        }
        c.status = ConfirmationStatus.Expired;
        emit CreditConfirmationExpired(id, c.validUntil, ConfirmationStatus.Expired, msg.sender);
    }

    function _issue(uint16 bankCode, ConfirmationRequest calldata request, bytes32 replaces)
        private
        returns (bytes32 id)
    {
        uint256 refLength = bytes(request.bankRef).length;
        if (refLength == 0 || refLength > 35) revert InvalidConfirmationRef(refLength);
        if (request.creditLine == 0) revert ZeroCreditLine();
        if (request.supplierCommitment == bytes32(0)) revert IConsortium.RequiredFieldEmpty("supplierCommitment");
        if (request.documentHash == bytes32(0)) revert IConsortium.RequiredFieldEmpty("documentHash");
        if (request.certifyingOffice == bytes32(0)) revert IConsortium.RequiredFieldEmpty("certifyingOffice");
        bool isProject = request.purpose == Purpose.PROJECT;
        if (isProject != (request.projectNumber != bytes32(0)) || isProject != (request.projectBudget != 0)) {
            revert InvalidPurpose(request.purpose, request.projectNumber, request.projectBudget);
        }
        uint64 issuedAt = uint64(block.timestamp);
        uint64 validUntil = request.validUntil == 0 ? issuedAt + DEFAULT_VALIDITY : request.validUntil;
        if (validUntil <= issuedAt) revert InvalidValidity(validUntil, issuedAt);

        id = confirmationId(bankCode, request.bankRef);
        Confirmation storage c = _confirmations[id];
        if (c.status != ConfirmationStatus.None) revert ConfirmationAlreadyExists(id);
        c.supplierCommitment = request.supplierCommitment;
        c.bankCode = bankCode;
        c.status = ConfirmationStatus.Valid;
        c.issuedAt = issuedAt;
        c.validUntil = validUntil;
        c.replaces = replaces;
        emit CreditConfirmationIssued(
            id,
            bankCode,
            request.supplierCommitment,
            request,
            issuedAt,
            validUntil,
            replaces,
            ConfirmationStatus.Valid,
            msg.sender
        );
    }

    function _valid(bytes32 id) private view returns (Confirmation storage c) {
        c = _confirmations[id];
        if (c.status == ConfirmationStatus.None) revert ConfirmationNotFound(id);
        if (c.status != ConfirmationStatus.Valid) revert ConfirmationNotValid(id, c.status);
    }

    /// The caller must sign for the active bank that issued confirmation `id`, which must be valid
    /// and within its validity.
    function _asConfirmingBank(bytes32 id) private view returns (Confirmation storage c) {
        uint16 callerBank = consortium.requireActiveSigner(msg.sender);
        c = _confirmations[id];
        if (c.status == ConfirmationStatus.None) revert ConfirmationNotFound(id);
        if (c.bankCode != callerBank) revert NotConfirmingBank(id, c.bankCode, callerBank);
        if (c.status != ConfirmationStatus.Valid) revert ConfirmationNotValid(id, c.status);
        if (block.timestamp > c.validUntil) revert ConfirmationExpired(id, c.validUntil, uint64(block.timestamp));
    }
}
