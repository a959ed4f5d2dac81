//! Reading the current-state tables back into rows (for `verify`), and comparing rows with the
//! contracts' own views.

use alloy::primitives::B256;
use egp_contracts::bindings::consortium::IConsortium::Issuer;
use egp_contracts::bindings::credit_confirmation_registry::ICreditConfirmationRegistry::Confirmation;
use egp_contracts::bindings::guarantee_registry::IGuaranteeRegistry::Guarantee;
use egp_contracts::{ConfirmationStatus, ExpiryType, GuaranteeStatus, GuaranteeType, IssuerKind};
use sqlx::PgConnection;

use crate::Result;
use crate::rows::{
    AgencyRow, AmendmentRow, ClaimRow, ConfirmationRow, Derived, GatewayRow, GuaranteeRow, IssuerRow, ReleaseRow,
    SignerRow,
};
use crate::state::code_text;

/// Every current-state row of `chain_id`.
pub(crate) async fn load_all(conn: &mut PgConnection, chain_id: u64) -> Result<Derived> {
    let chain_id = chain_id as i64;
    Ok(Derived {
        issuers: sqlx::query_as!(
            IssuerRow,
            "SELECT chain_id, bank_code, kind, name, status, signer_count, suspension_reason_hash, admitted_block_number, contract_address, block_number, block_hash, block_timestamp, transaction_hash, transaction_index, log_index, is_final FROM issuers WHERE chain_id = $1 ORDER BY bank_code",
            chain_id
        )
        .fetch_all(&mut *conn)
        .await?,
        signers: sqlx::query_as!(
            SignerRow,
            "SELECT chain_id, bank_code, signer, active, added_block_number, contract_address, block_number, block_hash, block_timestamp, transaction_hash, transaction_index, log_index, is_final FROM issuer_signers WHERE chain_id = $1 ORDER BY bank_code, signer",
            chain_id
        )
        .fetch_all(&mut *conn)
        .await?,
        agencies: sqlx::query_as!(
            AgencyRow,
            "SELECT chain_id, agency_code, code, name, contract_address, block_number, block_hash, block_timestamp, transaction_hash, transaction_index, log_index, is_final FROM agencies WHERE chain_id = $1 ORDER BY agency_code",
            chain_id
        )
        .fetch_all(&mut *conn)
        .await?,
        gateways: sqlx::query_as!(
            GatewayRow,
            "SELECT chain_id, gateway, authorised, contract_address, block_number, block_hash, block_timestamp, transaction_hash, transaction_index, log_index, is_final FROM gateways WHERE chain_id = $1 ORDER BY gateway",
            chain_id
        )
        .fetch_all(&mut *conn)
        .await?,
        guarantees: sqlx::query_as!(
            GuaranteeRow,
            "SELECT chain_id, id, bank_code, bank_ref, branch_code, guarantee_type, amount::text AS \"amount!\", outstanding::text AS \"outstanding!\", total_paid::text AS \"total_paid!\", issue_date::text AS \"issue_date!\", effective_date::text AS \"effective_date!\", expiry_type, expiry_date::text AS \"expiry_date!\", expiry_condition_hash, agency_code, project_number, contract_number, applicant_commitment, applicant_type, document_hash, terms_hash, status, status_before_suspension, suspension_reason_hash, amendment_count, claim_count, release_count, amendment_pending, pending_amount::text AS \"pending_amount!\", pending_expiry_date::text AS \"pending_expiry_date!\", pending_terms_hash, claim_amount::text AS \"claim_amount!\", claim_requested_expiry::text AS \"claim_requested_expiry!\", obligations_ended_at::text AS \"obligations_ended_at\", return_deadline::text AS \"return_deadline\", replaces, replaced_by, issued_by, issued_block_number, issued_transaction_hash, contract_address, block_number, block_hash, block_timestamp, transaction_hash, transaction_index, log_index, is_final FROM guarantees WHERE chain_id = $1 ORDER BY id",
            chain_id
        )
        .fetch_all(&mut *conn)
        .await?,
        amendments: sqlx::query_as!(
            AmendmentRow,
            "SELECT chain_id, guarantee_id, sequence, new_amount::text AS \"new_amount!\", new_expiry_date::text AS \"new_expiry_date!\", terms_hash, status, reason_code, amount_after::text AS \"amount_after\", outstanding_after::text AS \"outstanding_after\", expiry_date_after::text AS \"expiry_date_after\", proposed_by, answered_by, proposed_block_number, lapse_cause, contract_address, block_number, block_hash, block_timestamp, transaction_hash, transaction_index, log_index, is_final FROM guarantee_amendments WHERE chain_id = $1 ORDER BY guarantee_id, sequence",
            chain_id
        )
        .fetch_all(&mut *conn)
        .await?,
        claims: sqlx::query_as!(
            ClaimRow,
            "SELECT chain_id, guarantee_id, sequence, claim_amount::text AS \"claim_amount!\", extend_or_pay, requested_expiry_date::text AS \"requested_expiry_date!\", demand_hash, status, paid_amount::text AS \"paid_amount\", payment_reference, outstanding_after::text AS \"outstanding_after\", total_paid_after::text AS \"total_paid_after\", discrepancies, extended_to::text AS \"extended_to\", claimed_by, closed_by, claimed_block_number, contract_address, block_number, block_hash, block_timestamp, transaction_hash, transaction_index, log_index, is_final FROM guarantee_claims WHERE chain_id = $1 ORDER BY guarantee_id, sequence",
            chain_id
        )
        .fetch_all(&mut *conn)
        .await?,
        releases: sqlx::query_as!(
            ReleaseRow,
            "SELECT chain_id, guarantee_id, sequence, kind, amount::text AS \"amount!\", outstanding_after::text AS \"outstanding_after!\", obligations_ended_at::text AS \"obligations_ended_at\", return_deadline::text AS \"return_deadline\", released_by, contract_address, block_number, block_hash, block_timestamp, transaction_hash, transaction_index, log_index, is_final FROM guarantee_releases WHERE chain_id = $1 ORDER BY guarantee_id, sequence",
            chain_id
        )
        .fetch_all(&mut *conn)
        .await?,
        confirmations: sqlx::query_as!(
            ConfirmationRow,
            "SELECT chain_id, id, bank_code, bank_ref, certifying_office, supplier_commitment, supplier_type, credit_line::text AS \"credit_line!\", as_of_date::text AS \"as_of_date!\", issued_at::text AS \"issued_at!\", valid_until::text AS \"valid_until!\", purpose, project_number, project_budget::text AS \"project_budget!\", document_hash, status, revocation_reason, replaces, replaced_by, issued_by, issued_block_number, issued_transaction_hash, contract_address, block_number, block_hash, block_timestamp, transaction_hash, transaction_index, log_index, is_final FROM credit_confirmations WHERE chain_id = $1 ORDER BY id",
            chain_id
        )
        .fetch_all(&mut *conn)
        .await?,
    })
}
/// (field, stored, expected) for every field of the contract's view of a guarantee.
pub(crate) fn guarantee_view(row: &GuaranteeRow, view: &Guarantee) -> Vec<(&'static str, String, String)> {
    let status = |v: u8| GuaranteeStatus::try_from(v).map_or_else(|_| format!("#{v}"), |s| s.name().to_owned());
    let hash = |h: &Option<Vec<u8>>| h.as_deref().map_or(B256::ZERO, |h| B256::try_from(h).unwrap_or_default());
    vec![
        ("amount", row.amount.clone(), view.amount.to_string()),
        ("outstanding", row.outstanding.clone(), view.outstanding.to_string()),
        ("agency_code", row.agency_code.clone(), code_text(view.agencyCode).unwrap_or_default()),
        ("expiry_date", row.expiry_date.clone(), view.expiryDate.to_string()),
        ("effective_date", row.effective_date.clone(), view.effectiveDate.to_string()),
        ("bank_code", row.bank_code.to_string(), view.bankCode.to_string()),
        (
            "guarantee_type",
            row.guarantee_type.clone(),
            GuaranteeType::try_from(view.guaranteeType).map(|t| t.name().to_owned()).unwrap_or_default(),
        ),
        (
            "expiry_type",
            row.expiry_type.clone(),
            ExpiryType::try_from(view.expiryType).map(|t| t.name().to_owned()).unwrap_or_default(),
        ),
        ("status", row.status.clone(), status(view.status)),
        ("status_before_suspension", row.status_before_suspension.clone(), status(view.statusBeforeSuspension)),
        ("amendment_count", row.amendment_count.to_string(), view.amendmentCount.to_string()),
        ("claim_count", row.claim_count.to_string(), view.claimCount.to_string()),
        ("release_count", row.release_count.to_string(), view.releaseCount.to_string()),
        ("amendment_pending", row.amendment_pending.to_string(), view.amendmentPending.to_string()),
        ("claim_amount", row.claim_amount.clone(), view.claimAmount.to_string()),
        ("total_paid", row.total_paid.clone(), view.totalPaid.to_string()),
        ("claim_requested_expiry", row.claim_requested_expiry.clone(), view.claimRequestedExpiry.to_string()),
        ("pending_expiry_date", row.pending_expiry_date.clone(), view.pendingExpiryDate.to_string()),
        ("pending_amount", row.pending_amount.clone(), view.pendingAmount.to_string()),
        ("pending_terms_hash", hash(&row.pending_terms_hash).to_string(), view.pendingTermsHash.to_string()),
        ("replaces", hash(&row.replaces).to_string(), view.replaces.to_string()),
        ("replaced_by", hash(&row.replaced_by).to_string(), view.replacedBy.to_string()),
    ]
}

/// (field, stored, expected) for every field of the contract's view of a credit confirmation.
pub(crate) fn confirmation_view(row: &ConfirmationRow, view: &Confirmation) -> Vec<(&'static str, String, String)> {
    let hash = |h: &Option<Vec<u8>>| h.as_deref().map_or(B256::ZERO, |h| B256::try_from(h).unwrap_or_default());
    vec![
        (
            "supplier_commitment",
            format!("0x{}", hex::encode(&row.supplier_commitment)),
            view.supplierCommitment.to_string(),
        ),
        ("bank_code", row.bank_code.to_string(), view.bankCode.to_string()),
        (
            "status",
            row.status.clone(),
            ConfirmationStatus::try_from(view.status)
                .map_or_else(|_| format!("#{}", view.status), |s| s.name().to_owned()),
        ),
        ("issued_at", row.issued_at.clone(), view.issuedAt.to_string()),
        ("valid_until", row.valid_until.clone(), view.validUntil.to_string()),
        ("replaces", hash(&row.replaces).to_string(), view.replaces.to_string()),
        ("replaced_by", hash(&row.replaced_by).to_string(), view.replacedBy.to_string()),
    ]
}

/// (field, stored, expected) for the contract's view of an issuer.
pub(crate) fn issuer_view(row: &IssuerRow, view: &Issuer) -> Vec<(&'static str, String, String)> {
    vec![
        (
            "status",
            row.status.clone(),
            egp_contracts::IssuerStatus::try_from(view.status).map(|s| s.name().to_owned()).unwrap_or_default(),
        ),
        ("kind", row.kind.clone(), IssuerKind::try_from(view.kind).map(|k| k.name().to_owned()).unwrap_or_default()),
        ("signer_count", row.signer_count.to_string(), view.signerCount.to_string()),
        ("name", row.name.clone(), view.name.clone()),
    ]
}
