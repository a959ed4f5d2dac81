// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

/// @title IConsortium
/// @notice Membership of the e-LG consortium: which issuers (banks and finance companies) may sign,
/// with which addresses, which government agencies exist, and which addresses are e-GP gateways.
/// @dev The Comptroller General's Department (CGD) holds `DEFAULT_ADMIN_ROLE`. Bank codes are the
/// 3-digit Bank of Thailand codes held as integers (`002` is `2`); agency codes are the GFMIS
/// department codes held as left-aligned ASCII in a `bytes32` (`"21009"`), at most 11 bytes long.
/// The admin role (granted with `grantRole`), the gateways and the signers are disjoint sets of
/// addresses.
interface IConsortium is IAccessControl {
    /// @notice Whether an issuer is a commercial bank or a finance company licensed for guarantees.
    enum IssuerKind {
        Bank,
        FinanceCompany
    }

    /// @notice Where an issuer stands in the consortium. `None` means never admitted.
    enum IssuerStatus {
        None,
        Active,
        Suspended
    }

    /// @notice The duties no address may combine (separation of duties): the CGD admin, an e-GP
    /// gateway and an issuer's signer are always three different addresses, so that nobody can, for
    /// example, issue a guarantee and accept it for the agency.
    enum Role {
        Admin,
        Gateway,
        Signer
    }

    /// @notice An issuer as stored on chain.
    /// @param status Active issuers may sign; suspended ones can do nothing.
    /// @param kind Bank or finance company.
    /// @param signerCount How many addresses currently sign for this issuer.
    /// @param name The institution's name (an organisation, never a person).
    struct Issuer {
        IssuerStatus status;
        IssuerKind kind;
        uint32 signerCount;
        string name;
    }

    /// @notice The admin admitted an issuer.
    event IssuerAdmitted(uint16 indexed bankCode, IssuerKind kind, string name, address actor);
    /// @notice The admin suspended an issuer; its signers can do nothing until it is resumed.
    event IssuerSuspended(uint16 indexed bankCode, bytes32 reasonHash, address actor);
    /// @notice The admin lifted an issuer's suspension.
    event IssuerResumed(uint16 indexed bankCode, address actor);
    /// @notice An address now signs for an issuer.
    event SignerAdded(uint16 indexed bankCode, address indexed signer, uint32 signerCount, address actor);
    /// @notice An address no longer signs for an issuer.
    event SignerRemoved(uint16 indexed bankCode, address indexed signer, uint32 signerCount, address actor);
    /// @notice The admin registered a government agency as a possible beneficiary.
    event AgencyRegistered(bytes32 indexed agencyCode, string name, address actor);
    /// @notice The admin authorised an e-GP gateway address to act for agencies.
    event GatewayAuthorised(address indexed gateway, address actor);
    /// @notice The admin revoked an e-GP gateway address.
    event GatewayRevoked(address indexed gateway, address actor);

    /// @notice A bank code must be between 1 and 999.
    error InvalidBankCode(uint16 bankCode);
    /// @notice This bank code was admitted before.
    error IssuerAlreadyAdmitted(uint16 bankCode);
    /// @notice No issuer was ever admitted under this bank code.
    error IssuerUnknown(uint16 bankCode);
    /// @notice The issuer is not in the status the action needs.
    error IssuerNotInStatus(uint16 bankCode, IssuerStatus actual, IssuerStatus required);
    /// @notice The address already signs for an issuer (an address signs for one issuer only).
    error SignerAlreadyAssigned(address signer, uint16 bankCode);
    /// @notice The address does not sign for this issuer.
    error SignerNotOfIssuer(address signer, uint16 bankCode);
    /// @notice The caller does not sign for any issuer.
    error NotIssuerSigner(address caller);
    /// @notice The agency code was registered before.
    error AgencyAlreadyRegistered(bytes32 agencyCode);
    /// @notice No agency is registered under this code.
    error AgencyUnknown(bytes32 agencyCode);
    /// @notice The address is an authorised gateway already.
    error GatewayAlreadyAuthorised(address gateway);
    /// @notice The caller is not an authorised e-GP gateway.
    error NotGateway(address caller);
    /// @notice A required value was zero or empty; `field` names it in ASCII.
    error RequiredFieldEmpty(bytes32 field);
    /// @notice `account` holds `held` already, and one address holds only one of admin, gateway and
    /// signer.
    error RoleConflict(address account, Role held);
    /// @notice An agency code has at most `maxLength` bytes (the guarantee registry stores it in 11).
    error AgencyCodeTooLong(bytes32 agencyCode, uint256 maxLength);

    /// @notice Admits an issuer. Admin only.
    function admitIssuer(uint16 bankCode, IssuerKind kind, string calldata name) external;
    /// @notice Suspends an active issuer. Admin only.
    function suspendIssuer(uint16 bankCode, bytes32 reasonHash) external;
    /// @notice Resumes a suspended issuer. Admin only.
    function resumeIssuer(uint16 bankCode) external;
    /// @notice Lets `signer` sign for the issuer. Admin only. Add the new key before removing the
    /// old one to rotate keys without downtime. `signer` must be neither the admin nor a gateway.
    function addSigner(uint16 bankCode, address signer) external;
    /// @notice Stops `signer` signing for the issuer. Admin only.
    function removeSigner(uint16 bankCode, address signer) external;
    /// @notice Registers a government agency (a code of 1 to 11 bytes). Admin only.
    function registerAgency(bytes32 agencyCode, string calldata name) external;
    /// @notice Authorises an e-GP gateway address, which must be neither the admin nor a signer.
    /// Admin only.
    function authoriseGateway(address gateway) external;
    /// @notice Revokes an e-GP gateway address. Admin only.
    function revokeGateway(address gateway) external;

    /// @notice The issuer admitted under `bankCode` (status `None` if never admitted).
    function issuer(uint16 bankCode) external view returns (Issuer memory);
    /// @notice The bank code `signer` signs for, or 0.
    function issuerOf(address signer) external view returns (uint16);
    /// @notice The bank code the caller signs for; reverts unless that issuer is active.
    function requireActiveSigner(address signer) external view returns (uint16 bankCode);
    /// @notice Reverts unless the issuer admitted under `bankCode` is active.
    function requireActiveIssuer(uint16 bankCode) external view;
    /// @notice Whether `agencyCode` is registered.
    function isAgency(bytes32 agencyCode) external view returns (bool);
    /// @notice Whether `account` is an authorised e-GP gateway.
    function isGateway(address account) external view returns (bool);
    /// @notice Whether `account` is the consortium admin.
    function isAdmin(address account) external view returns (bool);
}
