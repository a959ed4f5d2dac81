//! The current-state rows, in the shape of their tables: what the fold produces, what the writer
//! stores and what `verify` reads back. Numbers the contracts hold as `uint64`/`uint128` are
//! decimal strings here and `NUMERIC` in PostgreSQL; ids, hashes and addresses are bytes.

#![allow(missing_docs, reason = "the columns are documented in migrations/0001_schema.sql, field for field")]

use serde::Serialize;

use crate::decode::Provenance;

/// Sets the provenance columns of a row to those of the event that changed it last.
macro_rules! stamp {
    ($($row:ty),+) => {$(
        impl $row {
            /// Records `provenance` as the last change.
            pub fn stamp(&mut self, provenance: &Provenance) {
                self.contract_address = provenance.contract_address.to_vec();
                self.block_number = provenance.block_number as i64;
                self.block_hash = provenance.block_hash.to_vec();
                self.block_timestamp = provenance.block_timestamp as i64;
                self.transaction_hash = provenance.transaction_hash.to_vec();
                self.transaction_index = provenance.transaction_index as i32;
                self.log_index = provenance.log_index as i32;
                self.is_final = provenance.is_final;
            }
        }
    )+};
}

stamp!(IssuerRow, SignerRow, AgencyRow, GatewayRow, GuaranteeRow, AmendmentRow, ClaimRow, ReleaseRow, ConfirmationRow);

/// A row of `issuers`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct IssuerRow {
    pub chain_id: i64,
    pub bank_code: i32,
    pub kind: String,
    pub name: String,
    pub status: String,
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
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
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
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
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
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
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
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct GuaranteeRow {
    pub chain_id: i64,
    pub id: Vec<u8>,
    pub bank_code: i32,
    pub bank_ref: String,
    pub branch_code: Option<String>,
    pub guarantee_type: String,
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
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AmendmentRow {
    pub chain_id: i64,
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
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ClaimRow {
    pub chain_id: i64,
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
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReleaseRow {
    pub chain_id: i64,
    pub guarantee_id: Vec<u8>,
    pub sequence: i32,
    pub kind: String,
    pub amount: String,
    pub outstanding_after: String,
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
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ConfirmationRow {
    pub chain_id: i64,
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
