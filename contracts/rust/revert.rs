//! Turns revert data from egp-chain's contracts into plain sentences: "guarantee 0x… is Released;
//! claim needs Active". Bank operators never see raw revert bytes.

use std::fmt;

use alloy::primitives::B256;
use alloy::sol_types::SolInterface;

use crate::bindings::consortium::Consortium::ConsortiumErrors;
use crate::bindings::credit_confirmation_registry::CreditConfirmationRegistry::CreditConfirmationRegistryErrors;
use crate::bindings::guarantee_registry::GuaranteeRegistry::GuaranteeRegistryErrors;
use crate::dates;
use crate::types::{
    Code, ConfirmationStatus, ExpiryType, GuaranteeAction, GuaranteeStatus, IssuerStatus, Purpose, Role, Satang,
};

/// A decoded custom error from one of egp-chain's contracts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContractRevert {
    /// From the consortium (also what the registries bubble up: not a signer, issuer suspended,
    /// not a gateway, unknown agency, missing field, OpenZeppelin access control).
    Consortium(ConsortiumErrors),
    /// From the guarantee registry.
    Guarantee(GuaranteeRegistryErrors),
    /// From the credit confirmation registry.
    Confirmation(CreditConfirmationRegistryErrors),
}

impl ContractRevert {
    /// Decodes revert data; `None` when it is not one of our contracts' custom errors.
    pub fn decode(data: &[u8]) -> Option<Self> {
        // The consortium's errors first: the registries bubble several of them up.
        if let Ok(error) = ConsortiumErrors::abi_decode(data) {
            return Some(Self::Consortium(error));
        }
        if let Ok(error) = GuaranteeRegistryErrors::abi_decode(data) {
            return Some(Self::Guarantee(error));
        }
        CreditConfirmationRegistryErrors::abi_decode(data).ok().map(Self::Confirmation)
    }

    /// The custom error's Solidity name (`GuaranteeNotInState`): stable, for machines to branch on.
    pub fn name(&self) -> &'static str {
        let name = match self {
            Self::Consortium(error) => ConsortiumErrors::name_by_selector(error.selector()),
            Self::Guarantee(error) => GuaranteeRegistryErrors::name_by_selector(error.selector()),
            Self::Confirmation(error) => CreditConfirmationRegistryErrors::name_by_selector(error.selector()),
        };
        name.unwrap_or("UnknownError")
    }

    /// Decodes the revert data a failed call or transaction carries, if it is ours.
    pub fn from_contract_error(error: &alloy::contract::Error) -> Option<Self> {
        error.as_revert_data().and_then(|data| Self::decode(&data))
    }
}

/// A `bytes32` code as text where it is one, else as hex.
fn code(word: B256) -> String {
    match Code::from_b256(word) {
        Ok(Some(code)) => code.to_string(),
        Ok(None) => "(none)".to_owned(),
        Err(_) => word.to_string(),
    }
}

fn guarantee_status(value: u8) -> String {
    GuaranteeStatus::try_from(value).map_or_else(|_| format!("in unknown status {value}"), |s| s.to_string())
}

fn expiry_type(value: u8) -> String {
    ExpiryType::try_from(value).map_or_else(|_| format!("unknown expiry type {value}"), |t| t.to_string())
}

fn bank(code: u16) -> String {
    format!("{code:03}")
}

fn satang(amount: u128) -> String {
    Satang(amount).to_string()
}

/// The last second the guarantee registry takes as a date: 9999-12-31T23:59:59+07:00.
const LATEST_DATE: u64 = 253_402_275_599;

/// A Bangkok date-time (`2027-12-31T23:59:59+07:00`), or the raw seconds for dates past the year 9999.
fn date(timestamp: u64) -> String {
    if timestamp <= LATEST_DATE {
        dates::to_bangkok(timestamp).to_rfc3339()
    } else {
        format!("{timestamp} (Unix time, after the year 9999)")
    }
}

fn action(value: u8) -> String {
    GuaranteeAction::try_from(value).map_or_else(|_| format!("action {value}"), |a| a.describe().to_owned())
}

/// "Active", "Active or Claimed", "Active, Claimed or ExtendOrPay".
fn status_list(mask: u16) -> String {
    let names: Vec<String> = GuaranteeStatus::from_mask(mask).iter().map(ToString::to_string).collect();
    match names.as_slice() {
        [] => "no status".to_owned(),
        [only] => only.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

fn consortium_message(error: &ConsortiumErrors) -> String {
    use ConsortiumErrors as E;
    match error {
        E::InvalidBankCode(e) => {
            format!("bank code {} is invalid: it must be 001 to 999", e.bankCode)
        }
        E::IssuerAlreadyAdmitted(e) => format!("bank {} is already admitted", bank(e.bankCode)),
        E::IssuerUnknown(e) => {
            format!("no issuer is admitted under bank code {}", bank(e.bankCode))
        }
        E::IssuerNotInStatus(e) => {
            let actual = IssuerStatus::try_from(e.actual).map_or_else(|_| e.actual.to_string(), |s| s.to_string());
            let required =
                IssuerStatus::try_from(e.required).map_or_else(|_| e.required.to_string(), |s| s.to_string());
            format!("bank {} is {actual}; this needs it {required}", bank(e.bankCode))
        }
        E::SignerAlreadyAssigned(e) => {
            format!("address {} already signs for bank {}", e.signer, bank(e.bankCode))
        }
        E::SignerNotOfIssuer(e) => format!("address {} does not sign for bank {}", e.signer, bank(e.bankCode)),
        E::NotIssuerSigner(e) => format!("address {} does not sign for any bank in the consortium", e.caller),
        E::AgencyAlreadyRegistered(e) => {
            format!("agency {} is already registered", code(e.agencyCode))
        }
        E::AgencyUnknown(e) => format!("agency {} is not registered in the consortium", code(e.agencyCode)),
        E::GatewayAlreadyAuthorised(e) => {
            format!("address {} is already an e-GP gateway", e.gateway)
        }
        E::NotGateway(e) => format!("address {} is not an authorised e-GP gateway", e.caller),
        E::RequiredFieldEmpty(e) => format!("{} must not be empty", code(e.field)),
        E::RoleConflict(e) => {
            let held = Role::try_from(e.held).map_or_else(|_| format!("role {}", e.held), |r| r.describe().to_owned());
            format!(
                "address {} is {held} already: one address holds only one of consortium admin, e-GP gateway and \
                 bank signer",
                e.account
            )
        }
        E::AgencyCodeTooLong(e) => {
            format!("agency code {} is longer than {} bytes", code(e.agencyCode), e.maxLength)
        }
        E::AccessControlUnauthorizedAccount(e) => {
            format!("address {} is not the consortium admin (role {})", e.account, e.neededRole)
        }
        E::AccessControlBadConfirmation(_) => "a role can only be renounced by its holder".to_owned(),
    }
}

fn guarantee_message(error: &GuaranteeRegistryErrors) -> String {
    use GuaranteeRegistryErrors as E;
    match error {
        E::GuaranteeAlreadyExists(e) => {
            format!("guarantee {} already exists: this bank has used that bank reference before", e.id)
        }
        E::GuaranteeNotFound(e) => format!("guarantee {} does not exist", e.id),
        E::GuaranteeNotInState(e) => {
            format!(
                "guarantee {} is {}; {} needs {}",
                e.id,
                guarantee_status(e.actual),
                action(e.action),
                status_list(e.allowed)
            )
        }
        E::NotIssuingBank(e) => format!(
            "guarantee {} belongs to bank {}; the signer acts for bank {}",
            e.id,
            bank(e.issuingBank),
            bank(e.callerBank)
        ),
        E::NotBeneficiary(e) => {
            format!("guarantee {} is in favour of agency {}, not agency {}", e.id, code(e.beneficiary), code(e.named))
        }
        E::InvalidBankRef(e) => format!("a bank reference must be 1 to 35 bytes, this one has {}", e.length),
        E::ZeroAmount(_) => "the amount must be greater than zero".to_owned(),
        E::AmountOutOfRange(e) => {
            format!("the amount {} is more than the registry holds (at most {})", satang(e.amount), satang(e.max))
        }
        E::ReductionNotPartial(e) => format!(
            "guarantee {}: a reduction of {} must be less than the outstanding {}; release it instead",
            e.id,
            satang(e.reduceBy),
            satang(e.outstanding)
        ),
        E::AmountExceedsOutstanding(e) => {
            format!("guarantee {}: {} exceeds the outstanding {}", e.id, satang(e.amount), satang(e.outstanding))
        }
        E::PaymentExceedsClaim(e) => format!(
            "guarantee {}: a payment of {} exceeds the claim of {}",
            e.id,
            satang(e.amount),
            satang(e.claimAmount)
        ),
        E::AmendedAmountTooLow(e) => format!(
            "guarantee {}: the amended amount {} is below the minimum {} (already paid or reduced, plus 0.01 THB)",
            e.id,
            satang(e.newAmount),
            satang(e.minimum)
        ),
        E::InvalidExpiry(e) => format!(
            "invalid expiry for type {}: effective {}, expiry {} (FIXD needs an expiry after the effective date; \
             OPEN and COND take no expiry date; only COND takes a condition)",
            expiry_type(e.expiryType),
            date(e.effectiveDate),
            if e.expiryDate == 0 { "none".to_owned() } else { date(e.expiryDate) }
        ),
        E::ExpiryNotInFuture(e) => format!(
            "guarantee {}: the fixed expiry {} has passed or is now (it is {}); it must lie in the future",
            e.id,
            date(e.expiryDate),
            date(e.timestamp)
        ),
        E::ExpiryPassed(e) => format!(
            "guarantee {} expired at {}; it is {}, too late to {}",
            e.id,
            date(e.expiryDate),
            date(e.timestamp),
            action(e.action)
        ),
        E::NotYetEffective(e) => format!(
            "guarantee {} takes effect at {}; it is {}, too early to {}",
            e.id,
            date(e.effectiveDate),
            date(e.timestamp),
            action(e.action)
        ),
        E::DateOutOfRange(e) => {
            format!("the date {} is past the latest date the registry takes, {}", date(e.date), date(e.latest))
        }
        E::ObligationsEndInFuture(e) => format!(
            "guarantee {}: the obligations cannot have ended at {}, after the release ({})",
            e.id,
            date(e.obligationsEndedAt),
            date(e.timestamp)
        ),
        E::InvalidExtension(e) => {
            format!("guarantee {}: the new expiry {} must be at least {}", e.id, date(e.expiryDate), date(e.minimum))
        }
        E::NoFixedExpiry(e) => {
            format!("guarantee {} has expiry type {}, not a fixed date", e.id, expiry_type(e.expiryType))
        }
        E::NotYetExpired(e) => {
            format!("guarantee {} expires at {}; it is only {}", e.id, date(e.expiryDate), date(e.timestamp))
        }
        E::AmendmentAlreadyPending(e) => {
            format!("guarantee {} has amendment {} pending; the agency must answer it first", e.id, e.sequence)
        }
        E::NoPendingAmendment(e) => {
            format!("guarantee {} has no pending amendment (it was answered or it lapsed)", e.id)
        }
        E::StaleAmendment(e) => format!(
            "guarantee {}: the answer is to amendment {}, but amendment {} is the one pending; read the guarantee \
             again",
            e.id, e.named, e.pending
        ),
        E::StaleClaim(e) => format!(
            "guarantee {}: the answer is to claim {}, but claim {} is the one open; read the guarantee again",
            e.id, e.named, e.open
        ),
        E::InvalidReplacement(e) => format!(
            "guarantee {} cannot be replaced by {}: a guarantee cannot replace itself, and a replacement replaces \
             only one guarantee",
            e.id, e.replacementId
        ),
        E::NotAdmin(e) => format!("address {} is not the consortium admin", e.caller),
        E::NoDiscrepancies(e) => format!("guarantee {}: a claim rejection must list at least one discrepancy", e.id),
        E::RequiredFieldEmpty(e) => format!("{} must not be empty", code(e.field)),
        E::AgencyUnknown(e) => format!("agency {} is not registered in the consortium", code(e.agencyCode)),
        E::AgencyCodeTooLong(e) => {
            format!("agency code {} is longer than {} bytes", code(e.agencyCode), e.maxLength)
        }
        E::NotGateway(e) => format!("address {} is not an authorised e-GP gateway", e.caller),
    }
}

fn confirmation_message(error: &CreditConfirmationRegistryErrors) -> String {
    use CreditConfirmationRegistryErrors as E;
    let status = |value: u8| {
        ConfirmationStatus::try_from(value).map_or_else(|_| format!("in unknown status {value}"), |s| s.to_string())
    };
    match error {
        E::ConfirmationAlreadyExists(e) => {
            format!("credit confirmation {} already exists: this bank has used that bank reference before", e.id)
        }
        E::ConfirmationNotFound(e) => format!("credit confirmation {} does not exist", e.id),
        E::ConfirmationNotValid(e) => {
            format!("credit confirmation {} is {}; this needs it Valid", e.id, status(e.actual))
        }
        E::NotConfirmingBank(e) => format!(
            "credit confirmation {} belongs to bank {}; the signer acts for bank {}",
            e.id,
            bank(e.issuingBank),
            bank(e.callerBank)
        ),
        E::InvalidConfirmationRef(e) => {
            format!("a bank reference must be 1 to 35 bytes, this one has {}", e.length)
        }
        E::ZeroCreditLine(_) => "the credit line must be greater than zero".to_owned(),
        E::InvalidValidity(e) => {
            format!("valid-until {} must be after the issue time {}", date(e.validUntil), date(e.issuedAt))
        }
        E::InvalidPurpose(e) => {
            let purpose = Purpose::try_from(e.purpose).map_or_else(|_| e.purpose.to_string(), |p| p.to_string());
            format!(
                "purpose {purpose} with project {} and budget {}: PROJECT needs both, REGISTRATION neither",
                code(e.projectNumber),
                satang(e.projectBudget)
            )
        }
        E::ConfirmationNotYetExpired(e) => format!(
            "credit confirmation {} is valid until {}; it is only {}",
            e.id,
            date(e.validUntil),
            date(e.timestamp)
        ),
        E::SupplierMismatch(e) => {
            format!("credit confirmation {}: a replacement must be for the same supplier", e.id)
        }
        E::ConfirmationExpired(e) => format!(
            "credit confirmation {} expired at {} (it is {}); it can no longer be revoked or superseded",
            e.id,
            date(e.validUntil),
            date(e.timestamp)
        ),
        E::RequiredFieldEmpty(e) => format!("{} must not be empty", code(e.field)),
    }
}

impl fmt::Display for ContractRevert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let message = match self {
            Self::Consortium(error) => consortium_message(error),
            Self::Guarantee(error) => guarantee_message(error),
            Self::Confirmation(error) => confirmation_message(error),
        };
        f.write_str(&message)
    }
}

#[cfg(test)]
mod tests {
    use alloy::primitives::{Address, B256};
    use alloy::sol_types::{SolError, SolInterface};

    use super::*;
    use crate::bindings::consortium::Consortium as C;
    use crate::bindings::credit_confirmation_registry::CreditConfirmationRegistry as K;
    use crate::bindings::guarantee_registry::GuaranteeRegistry as G;

    /// The sentence for a revert carrying `error`, decoded from its ABI bytes as a node returns them.
    fn sentence(error: impl SolError) -> String {
        ContractRevert::decode(&error.abi_encode()).expect("one of our errors").to_string()
    }

    #[test]
    fn the_answer_and_time_rules_read_as_sentences() {
        let id = B256::repeat_byte(0xab);
        // 2027-01-01T00:00:00+07:00 and a day later.
        let (day, next) = (1_798_736_400u64, 1_798_822_800u64);
        let cases: [(String, String); 10] = [
            (
                sentence(G::StaleClaim { id, named: 1, open: 2 }),
                format!(
                    "guarantee {id}: the answer is to claim 1, but claim 2 is the one open; read the guarantee again"
                ),
            ),
            (
                sentence(G::StaleAmendment { id, named: 1, pending: 2 }),
                format!(
                    "guarantee {id}: the answer is to amendment 1, but amendment 2 is the one pending; read the \
                     guarantee again"
                ),
            ),
            (
                sentence(G::ExpiryNotInFuture { id, expiryDate: day, timestamp: next }),
                format!(
                    "guarantee {id}: the fixed expiry 2027-01-01T00:00:00+07:00 has passed or is now (it is \
                     2027-01-02T00:00:00+07:00); it must lie in the future"
                ),
            ),
            (
                sentence(G::ExpiryPassed { id, action: 5, expiryDate: day, timestamp: next }),
                format!(
                    "guarantee {id} expired at 2027-01-01T00:00:00+07:00; it is 2027-01-02T00:00:00+07:00, too late \
                     to accept an amendment"
                ),
            ),
            (
                sentence(G::NotYetEffective { id, action: 9, effectiveDate: next, timestamp: day }),
                format!(
                    "guarantee {id} takes effect at 2027-01-02T00:00:00+07:00; it is 2027-01-01T00:00:00+07:00, too \
                     early to claim"
                ),
            ),
            (
                sentence(G::DateOutOfRange { date: u64::MAX, latest: 253_402_275_599 }),
                "the date 18446744073709551615 (Unix time, after the year 9999) is past the latest date the \
                 registry takes, 9999-12-31T23:59:59+07:00"
                    .to_owned(),
            ),
            (
                sentence(G::ObligationsEndInFuture { id, obligationsEndedAt: next, timestamp: day }),
                format!(
                    "guarantee {id}: the obligations cannot have ended at 2027-01-02T00:00:00+07:00, after the release \
                     (2027-01-01T00:00:00+07:00)"
                ),
            ),
            (
                sentence(G::AmountOutOfRange { amount: 1 << 96, max: (1 << 96) - 1 }),
                "the amount 792,281,625,142,643,375,935,439,503.36 THB is more than the registry holds (at most \
                 792,281,625,142,643,375,935,439,503.35 THB)"
                    .to_owned(),
            ),
            (
                sentence(K::ConfirmationExpired { id, validUntil: day, timestamp: next }),
                format!(
                    "credit confirmation {id} expired at 2027-01-01T00:00:00+07:00 (it is 2027-01-02T00:00:00+07:00); \
                     it can no longer be revoked or superseded"
                ),
            ),
            (
                sentence(G::NoPendingAmendment { id }),
                format!("guarantee {id} has no pending amendment (it was answered or it lapsed)"),
            ),
        ];
        for (actual, expected) in cases {
            assert_eq!(actual, expected);
        }
    }

    #[test]
    fn the_consortium_s_duty_and_code_rules_read_as_sentences() {
        let account = Address::repeat_byte(0x11);
        assert_eq!(
            sentence(C::RoleConflict { account, held: Role::Gateway.into() }),
            format!(
                "address {account} is an e-GP gateway already: one address holds only one of consortium admin, e-GP \
                 gateway and bank signer"
            )
        );
        let code = Code::new("21009-DISBURSE").unwrap().to_b256();
        assert_eq!(
            sentence(C::AgencyCodeTooLong { agencyCode: code, maxLength: alloy::primitives::U256::from(11) }),
            "agency code 21009-DISBURSE is longer than 11 bytes"
        );
    }

    #[test]
    fn a_decoded_revert_names_its_custom_error() {
        let error = GuaranteeRegistryErrors::GuaranteeNotFound(G::GuaranteeNotFound { id: B256::ZERO });
        let revert = ContractRevert::decode(&error.abi_encode()).expect("ours");
        assert_eq!(revert.name(), "GuaranteeNotFound");
        assert_eq!(revert.to_string(), format!("guarantee {} does not exist", B256::ZERO));
    }
}
