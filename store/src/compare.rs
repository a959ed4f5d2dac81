//! The one comparison of a mirrored row with the contracts' own view of the record (`getGuarantee`,
//! `getConfirmation`, `issuer`): `egp-indexer verify` runs it over every record, the API over
//! one guarantee when asked for a fresh check. Fields are named by their column.

use alloy::primitives::B256;
use egp_contracts::bindings::consortium::IConsortium::Issuer;
use egp_contracts::bindings::credit_confirmation_registry::ICreditConfirmationRegistry::Confirmation;
use egp_contracts::bindings::guarantee_registry::IGuaranteeRegistry::Guarantee;
use egp_contracts::{Code, ConfirmationStatus, ExpiryType, GuaranteeStatus, GuaranteeType, IssuerKind, IssuerStatus};

use crate::rows::{ConfirmationRow, GuaranteeRow, IssuerRow};

/// One field as the mirror stores it and as the contract holds it, both as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The column.
    pub name: &'static str,
    /// The mirror's value.
    pub stored: String,
    /// The contract's value.
    pub expected: String,
}

impl Field {
    fn new(name: &'static str, stored: impl ToString, expected: impl ToString) -> Self {
        Self { name, stored: stored.to_string(), expected: expected.to_string() }
    }

    /// Whether the mirror and the contract agree.
    pub fn agrees(&self) -> bool {
        self.stored == self.expected
    }
}

/// The fields that differ, as `field: mirror X, chain Y`.
pub fn differences(fields: &[Field]) -> Vec<String> {
    fields
        .iter()
        .filter(|f| !f.agrees())
        .map(|f| format!("{}: mirror {}, chain {}", f.name, f.stored, f.expected))
        .collect()
}

/// A bytes32 code as the mirror stores it: NULL for zero, the ASCII code, or 0x-hex when it is
/// not a valid code.
pub fn code_text(word: B256) -> Option<String> {
    match Code::from_b256(word) {
        Ok(code) => code.map(|code| code.as_str().to_owned()),
        Err(_) => Some(word.to_string()),
    }
}

/// A contract enum value by name, or `#<n>` for a value this build does not know.
fn enum_name<E: TryFrom<u8> + std::fmt::Display>(value: u8) -> String {
    E::try_from(value).map_or_else(|_| format!("#{value}"), |e| e.to_string())
}

/// A hash column that the contracts hold as a zero word when absent.
fn word(hash: &Option<Vec<u8>>) -> B256 {
    hash.as_deref().map_or(B256::ZERO, |h| B256::try_from(h).unwrap_or_default())
}

/// Every field of the contract's view of a guarantee.
pub fn guarantee(row: &GuaranteeRow, view: &Guarantee) -> Vec<Field> {
    vec![
        Field::new("amount", row.amount.0, view.amount),
        Field::new("outstanding", row.outstanding.0, view.outstanding),
        Field::new("agency_code", &row.agency_code, code_text(view.agencyCode).unwrap_or_default()),
        Field::new("expiry_date", &row.expiry_date, view.expiryDate),
        Field::new("effective_date", &row.effective_date, view.effectiveDate),
        Field::new("bank_code", row.bank_code, view.bankCode),
        Field::new("guarantee_type", row.guarantee_type, enum_name::<GuaranteeType>(view.guaranteeType)),
        Field::new("expiry_type", row.expiry_type, enum_name::<ExpiryType>(view.expiryType)),
        Field::new("status", row.status, enum_name::<GuaranteeStatus>(view.status)),
        Field::new(
            "status_before_suspension",
            row.status_before_suspension,
            enum_name::<GuaranteeStatus>(view.statusBeforeSuspension),
        ),
        Field::new("amendment_count", row.amendment_count, view.amendmentCount),
        Field::new("claim_count", row.claim_count, view.claimCount),
        Field::new("release_count", row.release_count, view.releaseCount),
        Field::new("amendment_pending", row.amendment_pending, view.amendmentPending),
        Field::new("claim_amount", row.claim_amount.0, view.claimAmount),
        Field::new("total_paid", row.total_paid.0, view.totalPaid),
        Field::new("claim_requested_expiry", &row.claim_requested_expiry, view.claimRequestedExpiry),
        Field::new("pending_expiry_date", &row.pending_expiry_date, view.pendingExpiryDate),
        Field::new("pending_amount", row.pending_amount.0, view.pendingAmount),
        Field::new("pending_terms_hash", word(&row.pending_terms_hash), view.pendingTermsHash),
        Field::new("replaces", word(&row.replaces), view.replaces),
        Field::new("replaced_by", word(&row.replaced_by), view.replacedBy),
    ]
}

/// Every field of the contract's view of a credit confirmation.
pub fn confirmation(row: &ConfirmationRow, view: &Confirmation) -> Vec<Field> {
    vec![
        Field::new(
            "supplier_commitment",
            format!("0x{}", hex::encode(&row.supplier_commitment)),
            view.supplierCommitment,
        ),
        Field::new("bank_code", row.bank_code, view.bankCode),
        Field::new("status", row.status, enum_name::<ConfirmationStatus>(view.status)),
        Field::new("issued_at", &row.issued_at, view.issuedAt),
        Field::new("valid_until", &row.valid_until, view.validUntil),
        Field::new("replaces", word(&row.replaces), view.replaces),
        Field::new("replaced_by", word(&row.replaced_by), view.replacedBy),
    ]
}

/// Every field of the contract's view of an issuer.
pub fn issuer(row: &IssuerRow, view: &Issuer) -> Vec<Field> {
    vec![
        Field::new("status", row.status, enum_name::<IssuerStatus>(view.status)),
        Field::new("kind", row.kind, enum_name::<IssuerKind>(view.kind)),
        Field::new("signer_count", row.signer_count, view.signerCount),
        Field::new("name", &row.name, &view.name),
    ]
}
