// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title IEgpTypes
/// @notice Types both registries share. (An interface rather than file-level declarations, so
/// that the ABI names them `IEgpTypes.X` and generated bindings resolve them.)
interface IEgpTypes {
    /// @notice Whether an applicant or supplier is a company (13-digit registration number
    /// starting with 0) or an individual (13-digit national id). Only an HMAC commitment of the id
    /// goes on chain either way.
    enum ApplicantType {
        Juristic,
        Individual
    }
}
