// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @notice Whether an applicant or supplier is a company (13-digit registration number starting
/// with 0) or an individual (13-digit national id). Either way only an HMAC commitment goes on chain.
enum ApplicantType {
    Juristic,
    Individual
}
