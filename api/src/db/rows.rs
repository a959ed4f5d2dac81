//! Rows as the API reads them: the tables' rows are `egp-store`'s ([`egp_store::rows`]), read
//! with the column lists below (`NUMERIC` columns as text, parsed into exact integers, never
//! floats); the statistics' cells are the API's own aggregate.

pub use egp_store::rows::{
    AgencyRow, AmendmentRow, ClaimRow, ConfirmationRow, EventRow, GuaranteeRow, IssuerRow, ProvenanceRow, ReleaseRow,
};
use egp_store::{GuaranteeStatus, GuaranteeType, Satang};

/// The columns of [`GuaranteeRow`] (table alias `g`).
pub const GUARANTEE_COLUMNS: &str = "g.id, g.bank_code, g.bank_ref, g.branch_code, g.guarantee_type, g.currency, \
     g.amount::text AS amount, g.outstanding::text AS outstanding, g.total_paid::text AS total_paid, \
     g.issue_date::text AS issue_date, g.effective_date::text AS effective_date, g.expiry_type, \
     g.expiry_date::text AS expiry_date, g.expiry_condition_hash, g.agency_code, g.project_number, \
     g.contract_number, g.applicant_commitment, g.applicant_type, g.document_hash, g.terms_hash, g.status, \
     g.status_before_suspension, g.suspension_reason_hash, g.amendment_count, g.claim_count, g.release_count, \
     g.amendment_pending, g.pending_amount::text AS pending_amount, g.pending_expiry_date::text AS pending_expiry_date, \
     g.pending_terms_hash, g.claim_amount::text AS claim_amount, g.claim_requested_expiry::text AS claim_requested_expiry, \
     g.obligations_ended_at::text AS obligations_ended_at, g.return_deadline::text AS return_deadline, g.replaces, \
     g.replaced_by, g.issued_by, g.issued_block_number, g.issued_transaction_hash, g.chain_id, g.contract_address, \
     g.block_number, g.block_hash, g.block_timestamp, g.transaction_hash, g.transaction_index, g.log_index, g.is_final";

/// The columns of [`EventRow`] (table alias `e`).
pub const EVENT_COLUMNS: &str = "e.contract, e.event, e.entity_kind, e.entity_key, e.related_key, e.args, \
     e.chain_id, e.contract_address, e.block_number, e.block_hash, e.block_timestamp, e.transaction_hash, \
     e.transaction_index, e.log_index, e.is_final";

/// The columns of [`ConfirmationRow`] (table alias `c`).
pub const CONFIRMATION_COLUMNS: &str = "c.id, c.bank_code, c.bank_ref, c.certifying_office, c.supplier_commitment, \
     c.supplier_type, c.credit_line::text AS credit_line, c.as_of_date::text AS as_of_date, \
     c.issued_at::text AS issued_at, c.valid_until::text AS valid_until, c.purpose, c.project_number, \
     c.project_budget::text AS project_budget, c.document_hash, c.status, c.revocation_reason, c.replaces, \
     c.replaced_by, c.issued_by, c.issued_block_number, c.issued_transaction_hash, c.chain_id, c.contract_address, \
     c.block_number, c.block_hash, c.block_timestamp, c.transaction_hash, c.transaction_index, c.log_index, c.is_final";

/// One cell of the guarantee statistics: guarantees issued in a month (Bangkok), of a type, by a
/// bank, in a status.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct GuaranteeCellRow {
    /// `YYYY-MM` of the issue date.
    pub month: String,
    /// The type.
    pub guarantee_type: GuaranteeType,
    /// Issuing bank.
    pub bank_code: i32,
    /// The bank's name (empty when the issuer is not indexed).
    pub bank_name: String,
    /// Status.
    pub status: GuaranteeStatus,
    /// How many.
    pub count: i64,
    /// Sum of the amounts.
    pub amount: Satang,
    /// Sum of the outstanding amounts.
    pub outstanding: Satang,
}
