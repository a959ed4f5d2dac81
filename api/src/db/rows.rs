//! Rows as the API reads them: `NUMERIC` columns (satang, dates) come back as text and are parsed
//! into exact integers, never floats. Column lists are static SQL.

/// The provenance columns every derived row carries: the last event that changed it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ProvenanceRow {
    /// Chain id.
    pub chain_id: i64,
    /// The emitting contract.
    pub contract_address: Vec<u8>,
    /// Block number.
    pub block_number: i64,
    /// Block hash.
    pub block_hash: Vec<u8>,
    /// Block timestamp, Unix seconds.
    pub block_timestamp: i64,
    /// Transaction hash.
    pub transaction_hash: Vec<u8>,
    /// Index of the transaction in its block.
    pub transaction_index: i32,
    /// Index of the log in its block.
    pub log_index: i32,
    /// Whether the block is final.
    pub is_final: bool,
}

/// The provenance columns, in the order of [`ProvenanceRow`].
pub const PROVENANCE_COLUMNS: &str = "chain_id, contract_address, block_number, block_hash, block_timestamp, \
     transaction_hash, transaction_index, log_index, is_final";

/// A row of `guarantees`.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
#[allow(missing_docs, reason = "the columns are documented in indexer/migrations, field for field")]
pub struct GuaranteeRow {
    pub id: Vec<u8>,
    pub bank_code: i32,
    pub bank_ref: String,
    pub branch_code: Option<String>,
    pub guarantee_type: String,
    pub currency: String,
    pub amount: String,
    pub outstanding: String,
    pub total_paid: String,
    pub issue_date: String,
    pub effective_date: String,
    pub expiry_type: String,
    pub expiry_date: String,
    pub expiry_condition_hash: Option<Vec<u8>>,
    pub agency_code: String,
    pub project_number: Option<String>,
    pub contract_number: String,
    pub applicant_commitment: Vec<u8>,
    pub applicant_type: String,
    pub document_hash: Vec<u8>,
    pub terms_hash: Option<Vec<u8>>,
    pub status: String,
    pub status_before_suspension: String,
    pub suspension_reason_hash: Option<Vec<u8>>,
    pub amendment_count: i32,
    pub claim_count: i32,
    pub release_count: i32,
    pub amendment_pending: bool,
    pub pending_amount: String,
    pub pending_expiry_date: String,
    pub pending_terms_hash: Option<Vec<u8>>,
    pub claim_amount: String,
    pub claim_requested_expiry: String,
    pub obligations_ended_at: Option<String>,
    pub return_deadline: Option<String>,
    pub replaces: Option<Vec<u8>>,
    pub replaced_by: Option<Vec<u8>>,
    pub issued_by: Vec<u8>,
    pub issued_block_number: i64,
    pub issued_transaction_hash: Vec<u8>,
    #[sqlx(flatten)]
    pub provenance: ProvenanceRow,
}

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

/// A row of `guarantee_amendments`.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
#[allow(missing_docs, reason = "the columns are documented in indexer/migrations, field for field")]
pub struct AmendmentRow {
    pub guarantee_id: Vec<u8>,
    pub sequence: i32,
    pub new_amount: String,
    pub new_expiry_date: String,
    pub terms_hash: Vec<u8>,
    pub status: String,
    pub reason_code: Option<String>,
    pub amount_after: Option<String>,
    pub outstanding_after: Option<String>,
    pub expiry_date_after: Option<String>,
    pub proposed_by: Vec<u8>,
    pub answered_by: Option<Vec<u8>>,
    pub proposed_block_number: i64,
    pub lapse_cause: Option<String>,
    #[sqlx(flatten)]
    pub provenance: ProvenanceRow,
}

/// The columns of [`AmendmentRow`].
pub const AMENDMENT_COLUMNS: &str = "guarantee_id, sequence, new_amount::text AS new_amount, \
     new_expiry_date::text AS new_expiry_date, terms_hash, status, reason_code, amount_after::text AS amount_after, \
     outstanding_after::text AS outstanding_after, expiry_date_after::text AS expiry_date_after, proposed_by, \
     answered_by, proposed_block_number, lapse_cause, chain_id, contract_address, block_number, block_hash, \
     block_timestamp, transaction_hash, transaction_index, log_index, is_final";

/// A row of `guarantee_claims`.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
#[allow(missing_docs, reason = "the columns are documented in indexer/migrations, field for field")]
pub struct ClaimRow {
    pub guarantee_id: Vec<u8>,
    pub sequence: i32,
    pub claim_amount: String,
    pub extend_or_pay: bool,
    pub requested_expiry_date: String,
    pub demand_hash: Vec<u8>,
    pub status: String,
    pub paid_amount: Option<String>,
    pub payment_reference: Option<Vec<u8>>,
    pub outstanding_after: Option<String>,
    pub total_paid_after: Option<String>,
    pub discrepancies: Option<Vec<String>>,
    pub extended_to: Option<String>,
    pub claimed_by: Vec<u8>,
    pub closed_by: Option<Vec<u8>>,
    pub claimed_block_number: i64,
    #[sqlx(flatten)]
    pub provenance: ProvenanceRow,
}

/// The columns of [`ClaimRow`].
pub const CLAIM_COLUMNS: &str = "guarantee_id, sequence, claim_amount::text AS claim_amount, extend_or_pay, \
     requested_expiry_date::text AS requested_expiry_date, demand_hash, status, paid_amount::text AS paid_amount, \
     payment_reference, outstanding_after::text AS outstanding_after, total_paid_after::text AS total_paid_after, \
     discrepancies, extended_to::text AS extended_to, claimed_by, closed_by, claimed_block_number, chain_id, \
     contract_address, block_number, block_hash, block_timestamp, transaction_hash, transaction_index, log_index, \
     is_final";

/// A row of `guarantee_releases`.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
#[allow(missing_docs, reason = "the columns are documented in indexer/migrations, field for field")]
pub struct ReleaseRow {
    pub guarantee_id: Vec<u8>,
    pub sequence: i32,
    pub kind: String,
    pub amount: String,
    pub outstanding_after: String,
    pub obligations_ended_at: Option<String>,
    pub return_deadline: Option<String>,
    pub released_by: Vec<u8>,
    #[sqlx(flatten)]
    pub provenance: ProvenanceRow,
}

/// The columns of [`ReleaseRow`].
pub const RELEASE_COLUMNS: &str = "guarantee_id, sequence, kind, amount::text AS amount, \
     outstanding_after::text AS outstanding_after, obligations_ended_at::text AS obligations_ended_at, \
     return_deadline::text AS return_deadline, released_by, chain_id, contract_address, block_number, block_hash, \
     block_timestamp, transaction_hash, transaction_index, log_index, is_final";

/// A row of `events`: one contract event of the history.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
#[allow(missing_docs, reason = "the columns are documented in indexer/migrations, field for field")]
pub struct EventRow {
    pub contract: String,
    pub event: String,
    pub entity_kind: Option<String>,
    pub entity_key: Option<Vec<u8>>,
    pub related_key: Option<Vec<u8>>,
    pub args: serde_json::Value,
    #[sqlx(flatten)]
    pub provenance: ProvenanceRow,
}

/// The columns of [`EventRow`] (table alias `e`).
pub const EVENT_COLUMNS: &str = "e.contract, e.event, e.entity_kind, e.entity_key, e.related_key, e.args, \
     e.chain_id, e.contract_address, e.block_number, e.block_hash, e.block_timestamp, e.transaction_hash, \
     e.transaction_index, e.log_index, e.is_final";

/// A row of `credit_confirmations`.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
#[allow(missing_docs, reason = "the columns are documented in indexer/migrations, field for field")]
pub struct ConfirmationRow {
    pub id: Vec<u8>,
    pub bank_code: i32,
    pub bank_ref: String,
    pub certifying_office: String,
    pub supplier_commitment: Vec<u8>,
    pub supplier_type: String,
    pub credit_line: String,
    pub as_of_date: String,
    pub issued_at: String,
    pub valid_until: String,
    pub purpose: String,
    pub project_number: Option<String>,
    pub project_budget: String,
    pub document_hash: Vec<u8>,
    pub status: String,
    pub revocation_reason: Option<String>,
    pub replaces: Option<Vec<u8>>,
    pub replaced_by: Option<Vec<u8>>,
    pub issued_by: Vec<u8>,
    pub issued_block_number: i64,
    pub issued_transaction_hash: Vec<u8>,
    #[sqlx(flatten)]
    pub provenance: ProvenanceRow,
}

/// The columns of [`ConfirmationRow`] (table alias `c`).
pub const CONFIRMATION_COLUMNS: &str = "c.id, c.bank_code, c.bank_ref, c.certifying_office, c.supplier_commitment, \
     c.supplier_type, c.credit_line::text AS credit_line, c.as_of_date::text AS as_of_date, \
     c.issued_at::text AS issued_at, c.valid_until::text AS valid_until, c.purpose, c.project_number, \
     c.project_budget::text AS project_budget, c.document_hash, c.status, c.revocation_reason, c.replaces, \
     c.replaced_by, c.issued_by, c.issued_block_number, c.issued_transaction_hash, c.chain_id, c.contract_address, \
     c.block_number, c.block_hash, c.block_timestamp, c.transaction_hash, c.transaction_index, c.log_index, c.is_final";

/// A row of `issuers`.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
#[allow(missing_docs, reason = "the columns are documented in indexer/migrations, field for field")]
pub struct IssuerRow {
    pub bank_code: i32,
    pub kind: String,
    pub name: String,
    pub status: String,
    pub signer_count: i64,
    pub admitted_block_number: i64,
    #[sqlx(flatten)]
    pub provenance: ProvenanceRow,
}

/// The columns of [`IssuerRow`].
pub const ISSUER_COLUMNS: &str = "bank_code, kind, name, status, signer_count, admitted_block_number, chain_id, \
     contract_address, block_number, block_hash, block_timestamp, transaction_hash, transaction_index, log_index, \
     is_final";

/// A row of `agencies`.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
#[allow(missing_docs, reason = "the columns are documented in indexer/migrations, field for field")]
pub struct AgencyRow {
    pub code: String,
    pub name: String,
    #[sqlx(flatten)]
    pub provenance: ProvenanceRow,
}

/// The columns of [`AgencyRow`].
pub const AGENCY_COLUMNS: &str = "code, name, chain_id, contract_address, block_number, block_hash, block_timestamp, \
     transaction_hash, transaction_index, log_index, is_final";

/// One cell of the guarantee statistics: guarantees issued in a month (Bangkok), of a type, by a
/// bank, in a status.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct GuaranteeCellRow {
    /// `YYYY-MM` of the issue date.
    pub month: String,
    /// `PERF`, ….
    pub guarantee_type: String,
    /// Issuing bank.
    pub bank_code: i32,
    /// The bank's name (empty when the issuer is not indexed).
    pub bank_name: String,
    /// Status.
    pub status: String,
    /// How many.
    pub count: i64,
    /// Sum of the amounts, satang.
    pub amount: String,
    /// Sum of the outstanding amounts, satang.
    pub outstanding: String,
}
