// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IConsortium} from "./interfaces/IConsortium.sol";

/// @title Consortium
/// @notice Who may act in egp-chain: issuers and their signer addresses, agencies, e-GP gateways.
/// The CGD admin (`DEFAULT_ADMIN_ROLE`) manages all of it and nothing else. No address holds two
/// of admin, gateway and signer.
contract Consortium is AccessControl, IConsortium {
    /// @notice The longest agency code, in bytes: the guarantee registry stores codes in a `bytes11`.
    uint256 public constant MAX_AGENCY_CODE_LENGTH = 11;

    mapping(uint16 bankCode => Issuer) private _issuers;
    mapping(address signer => uint16 bankCode) private _issuerOf;
    mapping(bytes32 agencyCode => bool) private _agencies;
    mapping(address gateway => bool) private _gateways;

    /// @param admin The CGD address that administers the consortium.
    constructor(address admin) {
        if (admin == address(0)) revert RequiredFieldEmpty("admin");
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @inheritdoc IConsortium
    function admitIssuer(uint16 bankCode, IssuerKind kind, string calldata name) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (bankCode == 0 || bankCode > 999) revert InvalidBankCode(bankCode);
        if (bytes(name).length == 0) revert RequiredFieldEmpty("name");
        Issuer storage entry = _issuers[bankCode];
        if (entry.status != IssuerStatus.None) revert IssuerAlreadyAdmitted(bankCode);
        entry.status = IssuerStatus.Active;
        entry.kind = kind;
        entry.name = name;
        emit IssuerAdmitted(bankCode, kind, name, msg.sender);
    }

    /// @inheritdoc IConsortium
    function suspendIssuer(uint16 bankCode, bytes32 reasonHash) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _issuerIn(bankCode, IssuerStatus.Active).status = IssuerStatus.Suspended;
        emit IssuerSuspended(bankCode, reasonHash, msg.sender);
    }

    /// @inheritdoc IConsortium
    function resumeIssuer(uint16 bankCode) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _issuerIn(bankCode, IssuerStatus.Suspended).status = IssuerStatus.Active;
        emit IssuerResumed(bankCode, msg.sender);
    }

    /// @inheritdoc IConsortium
    function addSigner(uint16 bankCode, address signer) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (signer == address(0)) revert RequiredFieldEmpty("signer");
        Issuer storage entry = _existingIssuer(bankCode);
        uint16 current = _issuerOf[signer];
        if (current != 0) revert SignerAlreadyAssigned(signer, current);
        _requireNoOtherDuty(signer, Role.Signer);
        _issuerOf[signer] = bankCode;
        entry.signerCount += 1;
        emit SignerAdded(bankCode, signer, entry.signerCount, msg.sender);
    }

    /// @inheritdoc IConsortium
    function removeSigner(uint16 bankCode, address signer) external onlyRole(DEFAULT_ADMIN_ROLE) {
        Issuer storage entry = _existingIssuer(bankCode);
        if (_issuerOf[signer] != bankCode) revert SignerNotOfIssuer(signer, bankCode);
        delete _issuerOf[signer];
        entry.signerCount -= 1;
        emit SignerRemoved(bankCode, signer, entry.signerCount, msg.sender);
    }

    /// @inheritdoc IConsortium
    function registerAgency(bytes32 agencyCode, string calldata name) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (agencyCode == bytes32(0)) revert RequiredFieldEmpty("agencyCode");
        // The code fits in 11 bytes iff cutting it to 11 loses nothing.
        // forge-lint: disable-next-line(unsafe-typecast)
        if (bytes32(bytes11(agencyCode)) != agencyCode) revert AgencyCodeTooLong(agencyCode, MAX_AGENCY_CODE_LENGTH);
        if (bytes(name).length == 0) revert RequiredFieldEmpty("name");
        if (_agencies[agencyCode]) revert AgencyAlreadyRegistered(agencyCode);
        _agencies[agencyCode] = true;
        emit AgencyRegistered(agencyCode, name, msg.sender);
    }

    /// @inheritdoc IConsortium
    function authoriseGateway(address gateway) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (gateway == address(0)) revert RequiredFieldEmpty("gateway");
        if (_gateways[gateway]) revert GatewayAlreadyAuthorised(gateway);
        _requireNoOtherDuty(gateway, Role.Gateway);
        _gateways[gateway] = true;
        emit GatewayAuthorised(gateway, msg.sender);
    }

    /// @inheritdoc IConsortium
    function revokeGateway(address gateway) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (!_gateways[gateway]) revert NotGateway(gateway);
        delete _gateways[gateway];
        emit GatewayRevoked(gateway, msg.sender);
    }

    /// @inheritdoc IConsortium
    function issuer(uint16 bankCode) external view returns (Issuer memory) {
        return _issuers[bankCode];
    }

    /// @inheritdoc IConsortium
    function issuerOf(address signer) external view returns (uint16) {
        return _issuerOf[signer];
    }

    /// @inheritdoc IConsortium
    function requireActiveSigner(address signer) external view returns (uint16 bankCode) {
        bankCode = _issuerOf[signer];
        if (bankCode == 0) revert NotIssuerSigner(signer);
        _requireActiveIssuer(bankCode);
    }

    /// @inheritdoc IConsortium
    function requireActiveIssuer(uint16 bankCode) external view {
        _requireActiveIssuer(bankCode);
    }

    /// @inheritdoc IConsortium
    function isAgency(bytes32 agencyCode) external view returns (bool) {
        return _agencies[agencyCode];
    }

    /// @inheritdoc IConsortium
    function isGateway(address account) external view returns (bool) {
        return _gateways[account];
    }

    /// @inheritdoc IConsortium
    function isAdmin(address account) external view returns (bool) {
        return hasRole(DEFAULT_ADMIN_ROLE, account);
    }

    /// Granting the admin role to a gateway or a signer is refused like the other way round.
    function _grantRole(bytes32 role, address account) internal override returns (bool) {
        if (role == DEFAULT_ADMIN_ROLE) _requireNoOtherDuty(account, Role.Admin);
        return super._grantRole(role, account);
    }

    /// `account` is to take on `wanted`; it must hold neither of the other two duties.
    function _requireNoOtherDuty(address account, Role wanted) private view {
        if (wanted != Role.Admin && hasRole(DEFAULT_ADMIN_ROLE, account)) revert RoleConflict(account, Role.Admin);
        if (wanted != Role.Gateway && _gateways[account]) revert RoleConflict(account, Role.Gateway);
        if (wanted != Role.Signer && _issuerOf[account] != 0) revert RoleConflict(account, Role.Signer);
    }

    function _requireActiveIssuer(uint16 bankCode) private view {
        IssuerStatus status = _issuers[bankCode].status;
        if (status != IssuerStatus.Active) revert IssuerNotInStatus(bankCode, status, IssuerStatus.Active);
    }

    function _existingIssuer(uint16 bankCode) private view returns (Issuer storage entry) {
        entry = _issuers[bankCode];
        if (entry.status == IssuerStatus.None) revert IssuerUnknown(bankCode);
    }

    function _issuerIn(uint16 bankCode, IssuerStatus required) private view returns (Issuer storage entry) {
        entry = _existingIssuer(bankCode);
        if (entry.status != required) revert IssuerNotInStatus(bankCode, entry.status, required);
    }
}
