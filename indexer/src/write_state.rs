//! How each current-state row goes into its table through binary `COPY` ([`crate::copy`]): the
//! column list of every table and the type each field is written as. The column lists follow
//! `store/migrations/0001_schema.sql` and the row structs in [`crate::rows`] field for field; a field
//! of the wrong type or a missing column fails the `COPY`, and `tests/it/copy.rs` writes and
//! reads back a row of every table with every nullable field set and unset.

use sqlx::PgConnection;

use crate::Result;
use crate::copy::{CopyData, CopyRow, Encoder, copy_in, encode};
use crate::rows::{
    AgencyRow, AmendmentRow, ClaimRow, ConfirmationRow, Derived, GatewayRow, GuaranteeRow, IssuerRow, ReleaseRow,
    SignerRow,
};

/// The provenance columns every current-state table ends with.
macro_rules! provenance_columns {
    () => {
        "contract_address, block_number, block_hash, block_timestamp, transaction_hash, transaction_index, log_index, is_final"
    };
}

/// The `COPY` statement of `table` with `columns` followed by the provenance columns.
macro_rules! copy_statement {
    ($table:literal, $columns:literal) => {
        concat!("COPY ", $table, " (", $columns, ", ", provenance_columns!(), ") FROM STDIN (FORMAT binary)")
    };
}

/// Writes the provenance columns of `row` (in [`provenance_columns`] order).
macro_rules! encode_provenance {
    ($out:expr, $row:expr) => {{
        $out.bytea(&$row.contract_address);
        $out.int8($row.block_number);
        $out.bytea(&$row.block_hash);
        $out.int8($row.block_timestamp);
        $out.bytea(&$row.transaction_hash);
        $out.int4($row.transaction_index);
        $out.int4($row.log_index);
        $out.bool($row.is_final);
    }};
}

impl CopyRow for IssuerRow {
    const STATEMENT: &'static str = copy_statement!(
        "issuers",
        "chain_id, bank_code, kind, name, status, signer_count, suspension_reason_hash, admitted_block_number"
    );
    fn encode(&self, out: &mut Encoder) {
        out.int8(self.chain_id);
        out.int4(self.bank_code);
        out.text(self.kind.name());
        out.text(&self.name);
        out.text(self.status.name());
        out.int8(self.signer_count);
        out.bytea_or_null(self.suspension_reason_hash.as_deref());
        out.int8(self.admitted_block_number);
        encode_provenance!(out, self);
    }
}

impl CopyRow for SignerRow {
    const STATEMENT: &'static str =
        copy_statement!("issuer_signers", "chain_id, bank_code, signer, active, added_block_number");
    fn encode(&self, out: &mut Encoder) {
        out.int8(self.chain_id);
        out.int4(self.bank_code);
        out.bytea(&self.signer);
        out.bool(self.active);
        out.int8(self.added_block_number);
        encode_provenance!(out, self);
    }
}

impl CopyRow for AgencyRow {
    const STATEMENT: &'static str = copy_statement!("agencies", "chain_id, agency_code, code, name");
    fn encode(&self, out: &mut Encoder) {
        out.int8(self.chain_id);
        out.bytea(&self.agency_code);
        out.text(&self.code);
        out.text(&self.name);
        encode_provenance!(out, self);
    }
}

impl CopyRow for GatewayRow {
    const STATEMENT: &'static str = copy_statement!("gateways", "chain_id, gateway, authorised");
    fn encode(&self, out: &mut Encoder) {
        out.int8(self.chain_id);
        out.bytea(&self.gateway);
        out.bool(self.authorised);
        encode_provenance!(out, self);
    }
}

impl CopyRow for GuaranteeRow {
    const STATEMENT: &'static str = copy_statement!(
        "guarantees",
        "chain_id, id, bank_code, bank_ref, branch_code, guarantee_type, currency, amount, outstanding, total_paid, \
         issue_date, effective_date, expiry_type, expiry_date, expiry_condition_hash, agency_code, project_number, \
         contract_number, applicant_commitment, applicant_type, document_hash, terms_hash, status, \
         status_before_suspension, suspension_reason_hash, amendment_count, claim_count, release_count, \
         amendment_pending, pending_amount, pending_expiry_date, pending_terms_hash, claim_amount, \
         claim_requested_expiry, obligations_ended_at, return_deadline, replaces, replaced_by, issued_by, \
         issued_block_number, issued_transaction_hash"
    );
    fn encode(&self, out: &mut Encoder) {
        out.int8(self.chain_id);
        out.bytea(&self.id);
        out.int4(self.bank_code);
        out.text(&self.bank_ref);
        out.text_or_null(self.branch_code.as_deref());
        out.text(self.guarantee_type.name());
        out.text(&self.currency);
        out.satang(self.amount);
        out.satang(self.outstanding);
        out.satang(self.total_paid);
        out.numeric(&self.issue_date);
        out.numeric(&self.effective_date);
        out.text(self.expiry_type.name());
        out.numeric(&self.expiry_date);
        out.bytea_or_null(self.expiry_condition_hash.as_deref());
        out.text(&self.agency_code);
        out.text_or_null(self.project_number.as_deref());
        out.text(&self.contract_number);
        out.bytea(&self.applicant_commitment);
        out.text(self.applicant_type.name());
        out.bytea(&self.document_hash);
        out.bytea_or_null(self.terms_hash.as_deref());
        out.text(self.status.name());
        out.text(self.status_before_suspension.name());
        out.bytea_or_null(self.suspension_reason_hash.as_deref());
        out.int4(self.amendment_count);
        out.int4(self.claim_count);
        out.int4(self.release_count);
        out.bool(self.amendment_pending);
        out.satang(self.pending_amount);
        out.numeric(&self.pending_expiry_date);
        out.bytea_or_null(self.pending_terms_hash.as_deref());
        out.satang(self.claim_amount);
        out.numeric(&self.claim_requested_expiry);
        out.numeric_or_null(self.obligations_ended_at.as_deref());
        out.numeric_or_null(self.return_deadline.as_deref());
        out.bytea_or_null(self.replaces.as_deref());
        out.bytea_or_null(self.replaced_by.as_deref());
        out.bytea(&self.issued_by);
        out.int8(self.issued_block_number);
        out.bytea(&self.issued_transaction_hash);
        encode_provenance!(out, self);
    }
}

impl CopyRow for AmendmentRow {
    const STATEMENT: &'static str = copy_statement!(
        "guarantee_amendments",
        "chain_id, guarantee_id, sequence, new_amount, new_expiry_date, terms_hash, status, reason_code, \
         amount_after, outstanding_after, expiry_date_after, proposed_by, answered_by, proposed_block_number, \
         lapse_cause"
    );
    fn encode(&self, out: &mut Encoder) {
        out.int8(self.chain_id);
        out.bytea(&self.guarantee_id);
        out.int4(self.sequence);
        out.satang(self.new_amount);
        out.numeric(&self.new_expiry_date);
        out.bytea(&self.terms_hash);
        out.text(self.status.name());
        out.text_or_null(self.reason_code.as_deref());
        out.satang_or_null(self.amount_after);
        out.satang_or_null(self.outstanding_after);
        out.numeric_or_null(self.expiry_date_after.as_deref());
        out.bytea(&self.proposed_by);
        out.bytea_or_null(self.answered_by.as_deref());
        out.int8(self.proposed_block_number);
        out.text_or_null(self.lapse_cause.map(|cause| cause.name()));
        encode_provenance!(out, self);
    }
}

impl CopyRow for ClaimRow {
    const STATEMENT: &'static str = copy_statement!(
        "guarantee_claims",
        "chain_id, guarantee_id, sequence, claim_amount, extend_or_pay, requested_expiry_date, demand_hash, \
         status, paid_amount, payment_reference, outstanding_after, total_paid_after, discrepancies, \
         extended_to, claimed_by, closed_by, claimed_block_number"
    );
    fn encode(&self, out: &mut Encoder) {
        out.int8(self.chain_id);
        out.bytea(&self.guarantee_id);
        out.int4(self.sequence);
        out.satang(self.claim_amount);
        out.bool(self.extend_or_pay);
        out.numeric(&self.requested_expiry_date);
        out.bytea(&self.demand_hash);
        out.text(self.status.name());
        out.satang_or_null(self.paid_amount);
        out.bytea_or_null(self.payment_reference.as_deref());
        out.satang_or_null(self.outstanding_after);
        out.satang_or_null(self.total_paid_after);
        out.text_array_or_null(self.discrepancies.as_deref());
        out.numeric_or_null(self.extended_to.as_deref());
        out.bytea(&self.claimed_by);
        out.bytea_or_null(self.closed_by.as_deref());
        out.int8(self.claimed_block_number);
        encode_provenance!(out, self);
    }
}

impl CopyRow for ReleaseRow {
    const STATEMENT: &'static str = copy_statement!(
        "guarantee_releases",
        "chain_id, guarantee_id, sequence, kind, amount, outstanding_after, obligations_ended_at, \
         return_deadline, released_by"
    );
    fn encode(&self, out: &mut Encoder) {
        out.int8(self.chain_id);
        out.bytea(&self.guarantee_id);
        out.int4(self.sequence);
        out.text(self.kind.name());
        out.satang(self.amount);
        out.satang(self.outstanding_after);
        out.numeric_or_null(self.obligations_ended_at.as_deref());
        out.numeric_or_null(self.return_deadline.as_deref());
        out.bytea(&self.released_by);
        encode_provenance!(out, self);
    }
}

impl CopyRow for ConfirmationRow {
    const STATEMENT: &'static str = copy_statement!(
        "credit_confirmations",
        "chain_id, id, bank_code, bank_ref, certifying_office, supplier_commitment, supplier_type, credit_line, \
         as_of_date, issued_at, valid_until, purpose, project_number, project_budget, document_hash, status, \
         revocation_reason, replaces, replaced_by, issued_by, issued_block_number, issued_transaction_hash"
    );
    fn encode(&self, out: &mut Encoder) {
        out.int8(self.chain_id);
        out.bytea(&self.id);
        out.int4(self.bank_code);
        out.text(&self.bank_ref);
        out.text(&self.certifying_office);
        out.bytea(&self.supplier_commitment);
        out.text(self.supplier_type.name());
        out.satang(self.credit_line);
        out.numeric(&self.as_of_date);
        out.numeric(&self.issued_at);
        out.numeric(&self.valid_until);
        out.text(self.purpose.name());
        out.text_or_null(self.project_number.as_deref());
        out.satang(self.project_budget);
        out.bytea(&self.document_hash);
        out.text(self.status.name());
        out.text_or_null(self.revocation_reason.as_deref());
        out.bytea_or_null(self.replaces.as_deref());
        out.bytea_or_null(self.replaced_by.as_deref());
        out.bytea(&self.issued_by);
        out.int8(self.issued_block_number);
        out.bytea(&self.issued_transaction_hash);
        encode_provenance!(out, self);
    }
}

/// Current-state rows encoded for `COPY`, one part per table (in [`Derived`]'s order).
#[derive(Debug)]
pub(crate) struct DerivedCopy([CopyData; 9]);

impl DerivedCopy {
    /// Encodes every row of `rows`.
    pub(crate) fn encode(rows: &Derived) -> Result<Self> {
        /// Bytes a row takes, about (a guarantee's is about 600): one allocation per table.
        const ROW_BYTES: usize = 640;
        let hint = |n: usize| n * ROW_BYTES;
        Ok(Self([
            encode(&rows.issuers, hint(rows.issuers.len()))?,
            encode(&rows.signers, hint(rows.signers.len()))?,
            encode(&rows.agencies, hint(rows.agencies.len()))?,
            encode(&rows.gateways, hint(rows.gateways.len()))?,
            encode(&rows.guarantees, hint(rows.guarantees.len()))?,
            encode(&rows.amendments, hint(rows.amendments.len()))?,
            encode(&rows.claims, hint(rows.claims.len()))?,
            encode(&rows.releases, hint(rows.releases.len()))?,
            encode(&rows.confirmations, hint(rows.confirmations.len()))?,
        ]))
    }
}

/// Writes every row of `parts`, one `COPY` per table (after [`crate::write::delete_derived`]
/// removed the old rows of the same records).
pub(crate) async fn copy_derived(conn: &mut PgConnection, parts: &[&DerivedCopy]) -> Result<()> {
    for table in 0..9 {
        let tables: Vec<&CopyData> = parts.iter().map(|part| &part.0[table]).collect();
        copy_in(&mut *conn, &tables).await?;
    }
    Ok(())
}
