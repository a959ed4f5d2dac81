//! The credit confirmation registry's events.

use egp_contracts::bindings::credit_confirmation_registry::CreditConfirmationRegistry::{
    CreditConfirmationExpired, CreditConfirmationIssued, CreditConfirmationRevoked, CreditConfirmationSuperseded,
};

use super::{State, code_text, confirmation_status, known, optional_hash, satang};
use crate::decode::Provenance;
use crate::rows::{ConfirmationRow, Stamp};

impl State {
    pub(super) fn credit_confirmation_issued(&mut self, e: &CreditConfirmationIssued, p: &Provenance) {
        let r = &e.request;
        let mut row = ConfirmationRow {
            chain_id: self.chain_id,
            id: e.id.to_vec(),
            bank_code: i32::from(e.bankCode),
            bank_ref: r.bankRef.clone(),
            certifying_office: code_text(r.certifyingOffice).unwrap_or_default(),
            supplier_commitment: r.supplierCommitment.to_vec(),
            supplier_type: known(r.supplierType),
            credit_line: satang(r.creditLine),
            as_of_date: r.asOfDate.to_string(),
            issued_at: e.issuedAt.to_string(),
            valid_until: e.validUntil.to_string(),
            purpose: known(r.purpose),
            project_number: code_text(r.projectNumber),
            project_budget: satang(r.projectBudget),
            document_hash: r.documentHash.to_vec(),
            status: confirmation_status(e.status),
            replaces: optional_hash(e.replaces),
            issued_by: e.actor.to_vec(),
            issued_block_number: p.block_number as i64,
            issued_transaction_hash: p.transaction_hash.to_vec(),
            ..ConfirmationRow::default()
        };
        row.stamp(p);
        self.confirmations.insert(e.id, row);
    }

    pub(super) fn credit_confirmation_revoked(&mut self, e: &CreditConfirmationRevoked, p: &Provenance) {
        if let Some(row) = self.confirmations.get_mut(&e.id) {
            row.status = confirmation_status(e.status);
            row.revocation_reason = code_text(e.reasonCode);
            row.stamp(p);
        }
    }

    pub(super) fn credit_confirmation_superseded(&mut self, e: &CreditConfirmationSuperseded, p: &Provenance) {
        if let Some(row) = self.confirmations.get_mut(&e.id) {
            row.status = confirmation_status(e.status);
            row.replaced_by = Some(e.replacementId.to_vec());
            row.stamp(p);
        }
    }

    pub(super) fn credit_confirmation_expired(&mut self, e: &CreditConfirmationExpired, p: &Provenance) {
        if let Some(row) = self.confirmations.get_mut(&e.id) {
            row.status = confirmation_status(e.status);
            row.valid_until = e.validUntil.to_string();
            row.stamp(p);
        }
    }
}
