//! The current-state rows, in the shape of their tables (`store/migrations/`, where every column
//! is documented): what the indexer's fold produces and writes, what `verify` and the API read
//! back. Statuses and kinds are enums stored by name, amounts are [`Satang`] (`NUMERIC`, read as
//! text), other `uint64`s (dates) decimal text; ids, hashes and addresses are bytes. Every row
//! ends with the provenance of the event that changed it last ([`ProvenanceRow`]).

#![allow(missing_docs, reason = "the columns are documented in store/migrations/0001_schema.sql, field for field")]

use serde::Serialize;

use crate::{
    AmendmentStatus, ApplicantType, ClaimStatus, ConfirmationStatus, ExpiryType, GuaranteeAction, GuaranteeStatus,
    GuaranteeType, IssuerKind, IssuerStatus, Purpose, ReleaseKind, Satang,
};

/// The provenance columns every row carries: the last event that changed it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, sqlx::FromRow)]
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

/// Rows that carry the provenance columns.
macro_rules! provenance {
    ($($row:ty),+) => {$(
        impl $row {
            /// The provenance columns of the row.
            pub fn provenance(&self) -> ProvenanceRow {
                ProvenanceRow {
                    chain_id: self.chain_id,
                    contract_address: self.contract_address.clone(),
                    block_number: self.block_number,
                    block_hash: self.block_hash.clone(),
                    block_timestamp: self.block_timestamp,
                    transaction_hash: self.transaction_hash.clone(),
                    transaction_index: self.transaction_index,
                    log_index: self.log_index,
                    is_final: self.is_final,
                }
            }
        }
    )+};
}

provenance!(
    IssuerRow,
    SignerRow,
    AgencyRow,
    GatewayRow,
    GuaranteeRow,
    AmendmentRow,
    ClaimRow,
    ReleaseRow,
    ConfirmationRow,
    EventRow
);

/// A row of `issuers`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct IssuerRow {
    pub chain_id: i64,
    pub bank_code: i32,
    pub kind: IssuerKind,
    pub name: String,
    pub status: IssuerStatus,
    pub signer_count: i64,
    pub suspension_reason_hash: Option<Vec<u8>>,
    pub admitted_block_number: i64,
    pub contract_address: Vec<u8>,
    pub block_number: i64,
    pub block_hash: Vec<u8>,
    pub block_timestamp: i64,
    pub transaction_hash: Vec<u8>,
    pub transaction_index: i32,
    pub log_index: i32,
    pub is_final: bool,
}

/// A row of `issuer_signers`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct SignerRow {
    pub chain_id: i64,
    pub bank_code: i32,
    pub signer: Vec<u8>,
    pub active: bool,
    pub added_block_number: i64,
    pub contract_address: Vec<u8>,
    pub block_number: i64,
    pub block_hash: Vec<u8>,
    pub block_timestamp: i64,
    pub transaction_hash: Vec<u8>,
    pub transaction_index: i32,
    pub log_index: i32,
    pub is_final: bool,
}

/// A row of `agencies`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct AgencyRow {
    pub chain_id: i64,
    pub agency_code: Vec<u8>,
    pub code: String,
    pub name: String,
    pub contract_address: Vec<u8>,
    pub block_number: i64,
    pub block_hash: Vec<u8>,
    pub block_timestamp: i64,
    pub transaction_hash: Vec<u8>,
    pub transaction_index: i32,
    pub log_index: i32,
    pub is_final: bool,
}

/// A row of `gateways`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct GatewayRow {
    pub chain_id: i64,
    pub gateway: Vec<u8>,
    pub authorised: bool,
    pub contract_address: Vec<u8>,
    pub block_number: i64,
    pub block_hash: Vec<u8>,
    pub block_timestamp: i64,
    pub transaction_hash: Vec<u8>,
    pub transaction_index: i32,
    pub log_index: i32,
    pub is_final: bool,
}

/// A row of `guarantees`: one per e-LG, its current state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct GuaranteeRow {
    pub chain_id: i64,
    pub id: Vec<u8>,
    pub bank_code: i32,
    pub bank_ref: String,
    pub branch_code: Option<String>,
    pub guarantee_type: GuaranteeType,
    pub currency: String,
    pub amount: Satang,
    pub outstanding: Satang,
    pub total_paid: Satang,
    pub issue_date: String,
    pub effective_date: String,
    pub expiry_type: ExpiryType,
    pub expiry_date: String,
    pub expiry_condition_hash: Option<Vec<u8>>,
    pub agency_code: String,
    pub project_number: Option<String>,
    pub contract_number: String,
    pub applicant_commitment: Vec<u8>,
    pub applicant_type: ApplicantType,
    pub document_hash: Vec<u8>,
    pub terms_hash: Option<Vec<u8>>,
    pub status: GuaranteeStatus,
    pub status_before_suspension: GuaranteeStatus,
    pub suspension_reason_hash: Option<Vec<u8>>,
    pub amendment_count: i32,
    pub claim_count: i32,
    pub release_count: i32,
    pub amendment_pending: bool,
    pub pending_amount: Satang,
    pub pending_expiry_date: String,
    pub pending_terms_hash: Option<Vec<u8>>,
    pub claim_amount: Satang,
    pub claim_requested_expiry: String,
    pub obligations_ended_at: Option<String>,
    pub return_deadline: Option<String>,
    pub replaces: Option<Vec<u8>>,
    pub replaced_by: Option<Vec<u8>>,
    pub issued_by: Vec<u8>,
    pub issued_block_number: i64,
    pub issued_transaction_hash: Vec<u8>,
    pub contract_address: Vec<u8>,
    pub block_number: i64,
    pub block_hash: Vec<u8>,
    pub block_timestamp: i64,
    pub transaction_hash: Vec<u8>,
    pub transaction_index: i32,
    pub log_index: i32,
    pub is_final: bool,
}

/// A row of `guarantee_amendments`: one per amendment sequence number.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct AmendmentRow {
    pub chain_id: i64,
    pub guarantee_id: Vec<u8>,
    pub sequence: i32,
    pub new_amount: Satang,
    pub new_expiry_date: String,
    pub terms_hash: Vec<u8>,
    pub status: AmendmentStatus,
    pub reason_code: Option<String>,
    pub amount_after: Option<Satang>,
    pub outstanding_after: Option<Satang>,
    pub expiry_date_after: Option<String>,
    pub proposed_by: Vec<u8>,
    pub answered_by: Option<Vec<u8>>,
    pub proposed_block_number: i64,
    pub lapse_cause: Option<GuaranteeAction>,
    pub contract_address: Vec<u8>,
    pub block_number: i64,
    pub block_hash: Vec<u8>,
    pub block_timestamp: i64,
    pub transaction_hash: Vec<u8>,
    pub transaction_index: i32,
    pub log_index: i32,
    pub is_final: bool,
}

/// A row of `guarantee_claims`: one per claim sequence number.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ClaimRow {
    pub chain_id: i64,
    pub guarantee_id: Vec<u8>,
    pub sequence: i32,
    pub claim_amount: Satang,
    pub extend_or_pay: bool,
    pub requested_expiry_date: String,
    pub demand_hash: Vec<u8>,
    pub status: ClaimStatus,
    pub paid_amount: Option<Satang>,
    pub payment_reference: Option<Vec<u8>>,
    pub outstanding_after: Option<Satang>,
    pub total_paid_after: Option<Satang>,
    pub discrepancies: Option<Vec<String>>,
    pub extended_to: Option<String>,
    pub claimed_by: Vec<u8>,
    pub closed_by: Option<Vec<u8>>,
    pub claimed_block_number: i64,
    pub contract_address: Vec<u8>,
    pub block_number: i64,
    pub block_hash: Vec<u8>,
    pub block_timestamp: i64,
    pub transaction_hash: Vec<u8>,
    pub transaction_index: i32,
    pub log_index: i32,
    pub is_final: bool,
}

/// A row of `guarantee_releases`: one per release sequence number (reductions and the release).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ReleaseRow {
    pub chain_id: i64,
    pub guarantee_id: Vec<u8>,
    pub sequence: i32,
    pub kind: ReleaseKind,
    pub amount: Satang,
    pub outstanding_after: Satang,
    pub obligations_ended_at: Option<String>,
    pub return_deadline: Option<String>,
    pub released_by: Vec<u8>,
    pub contract_address: Vec<u8>,
    pub block_number: i64,
    pub block_hash: Vec<u8>,
    pub block_timestamp: i64,
    pub transaction_hash: Vec<u8>,
    pub transaction_index: i32,
    pub log_index: i32,
    pub is_final: bool,
}

/// A row of `credit_confirmations`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ConfirmationRow {
    pub chain_id: i64,
    pub id: Vec<u8>,
    pub bank_code: i32,
    pub bank_ref: String,
    pub certifying_office: String,
    pub supplier_commitment: Vec<u8>,
    pub supplier_type: ApplicantType,
    pub credit_line: Satang,
    pub as_of_date: String,
    pub issued_at: String,
    pub valid_until: String,
    pub purpose: Purpose,
    pub project_number: Option<String>,
    pub project_budget: Satang,
    pub document_hash: Vec<u8>,
    pub status: ConfirmationStatus,
    pub revocation_reason: Option<String>,
    pub replaces: Option<Vec<u8>>,
    pub replaced_by: Option<Vec<u8>>,
    pub issued_by: Vec<u8>,
    pub issued_block_number: i64,
    pub issued_transaction_hash: Vec<u8>,
    pub contract_address: Vec<u8>,
    pub block_number: i64,
    pub block_hash: Vec<u8>,
    pub block_timestamp: i64,
    pub transaction_hash: Vec<u8>,
    pub transaction_index: i32,
    pub log_index: i32,
    pub is_final: bool,
}

/// Every current-state row of a set of records.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Derived {
    /// `issuers`.
    pub issuers: Vec<IssuerRow>,
    /// `issuer_signers`.
    pub signers: Vec<SignerRow>,
    /// `agencies`.
    pub agencies: Vec<AgencyRow>,
    /// `gateways`.
    pub gateways: Vec<GatewayRow>,
    /// `guarantees`.
    pub guarantees: Vec<GuaranteeRow>,
    /// `guarantee_amendments`.
    pub amendments: Vec<AmendmentRow>,
    /// `guarantee_claims`.
    pub claims: Vec<ClaimRow>,
    /// `guarantee_releases`.
    pub releases: Vec<ReleaseRow>,
    /// `credit_confirmations`.
    pub confirmations: Vec<ConfirmationRow>,
}

/// A row of `events`: one contract event of the history, as the API reads it.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct EventRow {
    pub contract: String,
    pub event: String,
    pub entity_kind: Option<String>,
    pub entity_key: Option<Vec<u8>>,
    pub related_key: Option<Vec<u8>>,
    pub args: serde_json::Value,
    pub chain_id: i64,
    pub contract_address: Vec<u8>,
    pub block_number: i64,
    pub block_hash: Vec<u8>,
    pub block_timestamp: i64,
    pub transaction_hash: Vec<u8>,
    pub transaction_index: i32,
    pub log_index: i32,
    pub is_final: bool,
}
