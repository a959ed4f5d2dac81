//! Reading the current-state tables back into rows, for the comparisons (with the contracts' own
//! views, field by field, through `egp_store::compare`).

use egp_store::{
    AmendmentStatus, ApplicantType, ClaimStatus, ConfirmationStatus, ExpiryType, GuaranteeAction, GuaranteeStatus,
    GuaranteeType, IssuerKind, IssuerStatus, Purpose, ReleaseKind, Satang,
};
use sqlx::PgConnection;

use crate::Result;
use crate::rows::{
    AgencyRow, AmendmentRow, ClaimRow, ConfirmationRow, Derived, GatewayRow, GuaranteeRow, IssuerRow, ReleaseRow,
    SignerRow,
};

/// Every current-state row of `chain_id` as stored, ordered by key (what `verify` compares).
pub async fn stored_rows(conn: &mut PgConnection, chain_id: u64) -> Result<Derived> {
    let chain_id = chain_id as i64;
    Ok(Derived {
        issuers: sqlx::query_as!(
            IssuerRow,
            "SELECT chain_id, bank_code, kind AS \"kind: IssuerKind\", name, status AS \"status: IssuerStatus\", signer_count, suspension_reason_hash, admitted_block_number, contract_address, block_number, block_hash, block_timestamp, transaction_hash, transaction_index, log_index, is_final FROM issuers WHERE chain_id = $1 ORDER BY bank_code",
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
            "SELECT chain_id, id, bank_code, bank_ref, branch_code, guarantee_type AS \"guarantee_type: GuaranteeType\", currency, amount::text AS \"amount!: Satang\", outstanding::text AS \"outstanding!: Satang\", total_paid::text AS \"total_paid!: Satang\", issue_date::text AS \"issue_date!\", effective_date::text AS \"effective_date!\", expiry_type AS \"expiry_type: ExpiryType\", expiry_date::text AS \"expiry_date!\", expiry_condition_hash, agency_code, project_number, contract_number, applicant_commitment, applicant_type AS \"applicant_type: ApplicantType\", document_hash, terms_hash, status AS \"status: GuaranteeStatus\", status_before_suspension AS \"status_before_suspension: GuaranteeStatus\", suspension_reason_hash, amendment_count, claim_count, release_count, amendment_pending, pending_amount::text AS \"pending_amount!: Satang\", pending_expiry_date::text AS \"pending_expiry_date!\", pending_terms_hash, claim_amount::text AS \"claim_amount!: Satang\", claim_requested_expiry::text AS \"claim_requested_expiry!\", obligations_ended_at::text AS \"obligations_ended_at\", return_deadline::text AS \"return_deadline\", replaces, replaced_by, issued_by, issued_block_number, issued_transaction_hash, contract_address, block_number, block_hash, block_timestamp, transaction_hash, transaction_index, log_index, is_final FROM guarantees WHERE chain_id = $1 ORDER BY id",
            chain_id
        )
        .fetch_all(&mut *conn)
        .await?,
        amendments: sqlx::query_as!(
            AmendmentRow,
            "SELECT chain_id, guarantee_id, sequence, new_amount::text AS \"new_amount!: Satang\", new_expiry_date::text AS \"new_expiry_date!\", terms_hash, status AS \"status: AmendmentStatus\", reason_code, amount_after::text AS \"amount_after: Satang\", outstanding_after::text AS \"outstanding_after: Satang\", expiry_date_after::text AS \"expiry_date_after\", proposed_by, answered_by, proposed_block_number, lapse_cause AS \"lapse_cause: GuaranteeAction\", contract_address, block_number, block_hash, block_timestamp, transaction_hash, transaction_index, log_index, is_final FROM guarantee_amendments WHERE chain_id = $1 ORDER BY guarantee_id, sequence",
            chain_id
        )
        .fetch_all(&mut *conn)
        .await?,
        claims: sqlx::query_as!(
            ClaimRow,
            "SELECT chain_id, guarantee_id, sequence, claim_amount::text AS \"claim_amount!: Satang\", extend_or_pay, requested_expiry_date::text AS \"requested_expiry_date!\", demand_hash, status AS \"status: ClaimStatus\", paid_amount::text AS \"paid_amount: Satang\", payment_reference, outstanding_after::text AS \"outstanding_after: Satang\", total_paid_after::text AS \"total_paid_after: Satang\", discrepancies, extended_to::text AS \"extended_to\", claimed_by, closed_by, claimed_block_number, contract_address, block_number, block_hash, block_timestamp, transaction_hash, transaction_index, log_index, is_final FROM guarantee_claims WHERE chain_id = $1 ORDER BY guarantee_id, sequence",
            chain_id
        )
        .fetch_all(&mut *conn)
        .await?,
        releases: sqlx::query_as!(
            ReleaseRow,
            "SELECT chain_id, guarantee_id, sequence, kind AS \"kind: ReleaseKind\", amount::text AS \"amount!: Satang\", outstanding_after::text AS \"outstanding_after!: Satang\", obligations_ended_at::text AS \"obligations_ended_at\", return_deadline::text AS \"return_deadline\", released_by, contract_address, block_number, block_hash, block_timestamp, transaction_hash, transaction_index, log_index, is_final FROM guarantee_releases WHERE chain_id = $1 ORDER BY guarantee_id, sequence",
            chain_id
        )
        .fetch_all(&mut *conn)
        .await?,
        confirmations: sqlx::query_as!(
            ConfirmationRow,
            "SELECT chain_id, id, bank_code, bank_ref, certifying_office, supplier_commitment, supplier_type AS \"supplier_type: ApplicantType\", credit_line::text AS \"credit_line!: Satang\", as_of_date::text AS \"as_of_date!\", issued_at::text AS \"issued_at!\", valid_until::text AS \"valid_until!\", purpose AS \"purpose: Purpose\", project_number, project_budget::text AS \"project_budget!: Satang\", document_hash, status AS \"status: ConfirmationStatus\", revocation_reason, replaces, replaced_by, issued_by, issued_block_number, issued_transaction_hash, contract_address, block_number, block_hash, block_timestamp, transaction_hash, transaction_index, log_index, is_final FROM credit_confirmations WHERE chain_id = $1 ORDER BY id",
            chain_id
        )
        .fetch_all(&mut *conn)
        .await?,
    })
}
