//! Turns revert data from egp-chain's contracts into plain sentences: "guarantee 0x… is Released;
//! claim needs Active". Bank operators never see raw revert bytes.

use std::fmt;

use alloy::primitives::B256;
use alloy::sol_types::SolInterface;

use crate::bindings::consortium::Consortium::ConsortiumErrors;
use crate::bindings::credit_confirmation_registry::CreditConfirmationRegistry::CreditConfirmationRegistryErrors;
use crate::bindings::guarantee_registry::GuaranteeRegistry::GuaranteeRegistryErrors;
use crate::types::{
    Code, ConfirmationStatus, ExpiryType, GuaranteeAction, GuaranteeStatus, IssuerStatus, Purpose, Satang,
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

fn date(timestamp: u64) -> String {
    format!("{timestamp} (Unix time)")
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
            let action = GuaranteeAction::try_from(e.action)
                .map_or_else(|_| format!("action {}", e.action), |a| a.describe().to_owned());
            format!("guarantee {} is {}; {action} needs {}", e.id, guarantee_status(e.actual), status_list(e.allowed))
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
            "invalid expiry for type {}: effective {}, expiry {} (FIXD needs expiry after the effective date and \
             after now for amendments; OPEN and COND need expiry 0; only COND takes a condition)",
            expiry_type(e.expiryType),
            date(e.effectiveDate),
            date(e.expiryDate)
        ),
        E::ClaimAfterExpiry(e) => format!(
            "guarantee {} expired at {}; a claim at {} is too late",
            e.id,
            date(e.expiryDate),
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
        E::NoPendingAmendment(e) => format!("guarantee {} has no pending amendment", e.id),
        E::InvalidReplacement(e) => format!(
            "guarantee {} cannot be replaced by {}: a guarantee cannot replace itself, and a replacement replaces \
             only one guarantee",
            e.id, e.replacementId
        ),
        E::NotAdmin(e) => format!("address {} is not the consortium admin", e.caller),
        E::NoDiscrepancies(e) => format!("guarantee {}: a claim rejection must list at least one discrepancy", e.id),
        E::RequiredFieldEmpty(e) => format!("{} must not be empty", code(e.field)),
        E::AgencyUnknown(e) => format!("agency {} is not registered in the consortium", code(e.agencyCode)),
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
    use alloy::sol_types::SolInterface;

    use super::*;
    use crate::bindings::guarantee_registry::GuaranteeRegistry;

    #[test]
    fn a_decoded_revert_names_its_custom_error() {
        let error = GuaranteeRegistryErrors::GuaranteeNotFound(GuaranteeRegistry::GuaranteeNotFound { id: B256::ZERO });
        let revert = ContractRevert::decode(&error.abi_encode()).expect("ours");
        assert_eq!(revert.name(), "GuaranteeNotFound");
        assert_eq!(revert.to_string(), format!("guarantee {} does not exist", B256::ZERO));
    }
}
