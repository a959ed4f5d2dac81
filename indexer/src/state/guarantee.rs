//! The e-LG registry's events: a guarantee's issue creates its record; every later event changes
//! the record (and its amendments, claims or releases) and is stamped on it.

use alloy::primitives::B256;
use egp_contracts::bindings::guarantee_registry::GuaranteeRegistry::{
    AmendmentAccepted, AmendmentLapsed, AmendmentProposed, AmendmentRejected, ClaimMade, ClaimPaid, ClaimRejected,
    ClaimWithdrawn, GuaranteeAccepted, GuaranteeCancelled, GuaranteeExpired, GuaranteeExtended, GuaranteeIssued,
    GuaranteeReduced, GuaranteeRejected, GuaranteeReleased, GuaranteeResumed, GuaranteeSuperseded, GuaranteeSuspended,
};
use egp_contracts::{GuaranteeStatus, Satang};
use egp_store::{AmendmentStatus, ClaimStatus, ReleaseKind};

use super::{GuaranteeRecord, State, code_text, guarantee_status, known, optional_hash, satang};
use crate::decode::Provenance;
use crate::rows::{AmendmentRow, ClaimRow, GuaranteeRow, ReleaseRow, Stamp};

impl State {
    pub(super) fn guarantee_issued(&mut self, e: &GuaranteeIssued, p: &Provenance) {
        let r = &e.request;
        let mut row = GuaranteeRow {
            chain_id: self.chain_id,
            id: e.id.to_vec(),
            bank_code: i32::from(e.bankCode),
            bank_ref: r.bankRef.clone(),
            branch_code: code_text(r.branchCode),
            guarantee_type: known(r.guaranteeType),
            // The registry keeps baht only (the column's default).
            currency: "THB".into(),
            amount: satang(r.amount),
            outstanding: satang(r.amount),
            total_paid: Satang(0),
            issue_date: r.issueDate.to_string(),
            effective_date: r.effectiveDate.to_string(),
            expiry_type: known(r.expiryType),
            expiry_date: r.expiryDate.to_string(),
            expiry_condition_hash: optional_hash(r.expiryConditionHash),
            agency_code: code_text(r.agencyCode).unwrap_or_default(),
            project_number: code_text(r.projectNumber),
            contract_number: r.contractNumber.clone(),
            applicant_commitment: r.applicantCommitment.to_vec(),
            applicant_type: known(r.applicantType),
            document_hash: r.documentHash.to_vec(),
            status: guarantee_status(e.status),
            status_before_suspension: GuaranteeStatus::None,
            pending_amount: Satang(0),
            pending_expiry_date: "0".into(),
            claim_amount: Satang(0),
            claim_requested_expiry: "0".into(),
            issued_by: e.actor.to_vec(),
            issued_block_number: p.block_number as i64,
            issued_transaction_hash: p.transaction_hash.to_vec(),
            ..GuaranteeRow::default()
        };
        row.stamp(p);
        self.guarantees.insert(e.id, GuaranteeRecord { row, ..GuaranteeRecord::default() });
    }

    pub(super) fn guarantee_accepted(&mut self, e: &GuaranteeAccepted, p: &Provenance) {
        self.change_guarantee(e.id, p, |GuaranteeRecord { row: g, .. }| g.status = guarantee_status(e.status));
    }

    pub(super) fn guarantee_rejected(&mut self, e: &GuaranteeRejected, p: &Provenance) {
        self.change_guarantee(e.id, p, |GuaranteeRecord { row: g, .. }| g.status = guarantee_status(e.status));
    }

    pub(super) fn guarantee_cancelled(&mut self, e: &GuaranteeCancelled, p: &Provenance) {
        self.change_guarantee(e.id, p, |GuaranteeRecord { row: g, .. }| g.status = guarantee_status(e.status));
    }

    pub(super) fn amendment_proposed(&mut self, e: &AmendmentProposed, p: &Provenance) {
        self.change_guarantee(e.id, p, |GuaranteeRecord { row: g, amendments, .. }| {
            g.status = guarantee_status(e.status);
            g.amendment_count = i32::from(e.sequence);
            g.amendment_pending = true;
            g.pending_amount = satang(e.newAmount);
            g.pending_expiry_date = e.newExpiryDate.to_string();
            g.pending_terms_hash = optional_hash(e.termsHash);
            let (chain_id, guarantee_id, sequence) = sub(g, e.sequence);
            let mut row = AmendmentRow {
                chain_id,
                guarantee_id,
                sequence,
                new_amount: satang(e.newAmount),
                new_expiry_date: e.newExpiryDate.to_string(),
                terms_hash: e.termsHash.to_vec(),
                status: AmendmentStatus::Pending,
                proposed_by: e.actor.to_vec(),
                proposed_block_number: p.block_number as i64,
                ..AmendmentRow::default()
            };
            row.stamp(p);
            amendments.insert(e.sequence, row);
        });
    }

    pub(super) fn amendment_accepted(&mut self, e: &AmendmentAccepted, p: &Provenance) {
        self.change_guarantee(e.id, p, |GuaranteeRecord { row: g, amendments, .. }| {
            g.status = guarantee_status(e.status);
            g.amount = satang(e.amount);
            g.outstanding = satang(e.outstanding);
            g.expiry_date = e.expiryDate.to_string();
            g.terms_hash = optional_hash(e.termsHash);
            clear_amendment(g);
            if let Some(row) = amendments.get_mut(&e.sequence) {
                row.status = AmendmentStatus::Accepted;
                row.amount_after = Some(satang(e.amount));
                row.outstanding_after = Some(satang(e.outstanding));
                row.expiry_date_after = Some(e.expiryDate.to_string());
                row.answered_by = Some(e.actor.to_vec());
                row.stamp(p);
            }
        });
    }

    pub(super) fn amendment_rejected(&mut self, e: &AmendmentRejected, p: &Provenance) {
        self.change_guarantee(e.id, p, |GuaranteeRecord { row: g, amendments, .. }| {
            g.status = guarantee_status(e.status);
            clear_amendment(g);
            if let Some(row) = amendments.get_mut(&e.sequence) {
                row.status = AmendmentStatus::Rejected;
                row.reason_code = code_text(e.reasonCode);
                row.answered_by = Some(e.actor.to_vec());
                row.stamp(p);
            }
        });
    }

    pub(super) fn amendment_lapsed(&mut self, e: &AmendmentLapsed, p: &Provenance) {
        self.change_guarantee(e.id, p, |GuaranteeRecord { row: g, amendments, .. }| {
            g.status = guarantee_status(e.status);
            clear_amendment(g);
            if let Some(row) = amendments.get_mut(&e.sequence) {
                row.status = AmendmentStatus::Lapsed;
                row.lapse_cause = Some(known(e.cause));
                row.stamp(p);
            }
        });
    }

    pub(super) fn guarantee_reduced(&mut self, e: &GuaranteeReduced, p: &Provenance) {
        self.change_guarantee(e.id, p, |GuaranteeRecord { row: g, releases, .. }| {
            g.status = guarantee_status(e.status);
            g.outstanding = satang(e.outstanding);
            g.release_count = i32::from(e.sequence);
            let (chain_id, guarantee_id, sequence) = sub(g, e.sequence);
            let mut row = ReleaseRow {
                chain_id,
                guarantee_id,
                sequence,
                kind: ReleaseKind::Reduce,
                amount: satang(e.reducedBy),
                outstanding_after: satang(e.outstanding),
                released_by: e.actor.to_vec(),
                ..ReleaseRow::default()
            };
            row.stamp(p);
            releases.insert(e.sequence, row);
        });
    }

    pub(super) fn guarantee_released(&mut self, e: &GuaranteeReleased, p: &Provenance) {
        self.change_guarantee(e.id, p, |GuaranteeRecord { row: g, releases, .. }| {
            g.status = guarantee_status(e.status);
            g.outstanding = Satang(0);
            g.release_count = i32::from(e.sequence);
            g.obligations_ended_at = Some(e.obligationsEndedAt.to_string());
            g.return_deadline = Some(e.returnDeadline.to_string());
            let (chain_id, guarantee_id, sequence) = sub(g, e.sequence);
            let mut row = ReleaseRow {
                chain_id,
                guarantee_id,
                sequence,
                kind: ReleaseKind::Release,
                amount: satang(e.releasedAmount),
                outstanding_after: Satang(0),
                obligations_ended_at: Some(e.obligationsEndedAt.to_string()),
                return_deadline: Some(e.returnDeadline.to_string()),
                released_by: e.actor.to_vec(),
                ..ReleaseRow::default()
            };
            row.stamp(p);
            releases.insert(e.sequence, row);
        });
    }

    pub(super) fn claim_made(&mut self, e: &ClaimMade, p: &Provenance) {
        self.change_guarantee(e.id, p, |GuaranteeRecord { row: g, claims, .. }| {
            g.status = guarantee_status(e.status);
            g.claim_count = i32::from(e.sequence);
            g.claim_amount = satang(e.claimAmount);
            g.claim_requested_expiry = e.requestedExpiryDate.to_string();
            let (chain_id, guarantee_id, sequence) = sub(g, e.sequence);
            let mut row = ClaimRow {
                chain_id,
                guarantee_id,
                sequence,
                claim_amount: satang(e.claimAmount),
                extend_or_pay: e.extendOrPay,
                requested_expiry_date: e.requestedExpiryDate.to_string(),
                demand_hash: e.demandHash.to_vec(),
                status: ClaimStatus::Open,
                claimed_by: e.actor.to_vec(),
                claimed_block_number: p.block_number as i64,
                ..ClaimRow::default()
            };
            row.stamp(p);
            claims.insert(e.sequence, row);
        });
    }

    pub(super) fn claim_paid(&mut self, e: &ClaimPaid, p: &Provenance) {
        self.change_guarantee(e.id, p, |GuaranteeRecord { row: g, claims, .. }| {
            g.status = guarantee_status(e.status);
            g.outstanding = satang(e.outstanding);
            g.total_paid = satang(e.totalPaid);
            close_claim(g);
            if let Some(row) = claims.get_mut(&e.sequence) {
                row.status = ClaimStatus::Paid;
                row.paid_amount = Some(satang(e.paidAmount));
                row.payment_reference = Some(e.paymentReference.to_vec());
                row.outstanding_after = Some(satang(e.outstanding));
                row.total_paid_after = Some(satang(e.totalPaid));
                row.closed_by = Some(e.actor.to_vec());
                row.stamp(p);
            }
        });
    }

    pub(super) fn claim_rejected(&mut self, e: &ClaimRejected, p: &Provenance) {
        self.change_guarantee(e.id, p, |GuaranteeRecord { row: g, claims, .. }| {
            g.status = guarantee_status(e.status);
            close_claim(g);
            if let Some(row) = claims.get_mut(&e.sequence) {
                row.status = ClaimStatus::Rejected;
                row.discrepancies = Some(e.discrepancies.iter().map(|d| code_text(*d).unwrap_or_default()).collect());
                row.closed_by = Some(e.actor.to_vec());
                row.stamp(p);
            }
        });
    }

    pub(super) fn claim_withdrawn(&mut self, e: &ClaimWithdrawn, p: &Provenance) {
        self.change_guarantee(e.id, p, |GuaranteeRecord { row: g, claims, .. }| {
            g.status = guarantee_status(e.status);
            close_claim(g);
            if let Some(row) = claims.get_mut(&e.sequence) {
                row.status = ClaimStatus::Withdrawn;
                row.closed_by = Some(e.actor.to_vec());
                row.stamp(p);
            }
        });
    }

    pub(super) fn guarantee_extended(&mut self, e: &GuaranteeExtended, p: &Provenance) {
        self.change_guarantee(e.id, p, |GuaranteeRecord { row: g, claims, .. }| {
            g.status = guarantee_status(e.status);
            g.expiry_date = e.expiryDate.to_string();
            close_claim(g);
            if let Some(row) = claims.get_mut(&e.sequence) {
                row.status = ClaimStatus::Extended;
                row.extended_to = Some(e.expiryDate.to_string());
                row.closed_by = Some(e.actor.to_vec());
                row.stamp(p);
            }
        });
    }

    pub(super) fn guarantee_expired(&mut self, e: &GuaranteeExpired, p: &Provenance) {
        self.change_guarantee(e.id, p, |GuaranteeRecord { row: g, .. }| g.status = guarantee_status(e.status));
    }

    /// Changes both records: the replacement learns what it replaces, then the superseded one
    /// its status and replacement.
    pub(super) fn guarantee_superseded(&mut self, e: &GuaranteeSuperseded, p: &Provenance) {
        if let Some(replacement) = self.guarantees.get_mut(&e.replacementId) {
            replacement.row.replaces = Some(e.id.to_vec());
            replacement.row.stamp(p);
        }
        self.change_guarantee(e.id, p, |GuaranteeRecord { row: g, .. }| {
            g.status = guarantee_status(e.status);
            g.replaced_by = Some(e.replacementId.to_vec());
        });
    }

    pub(super) fn guarantee_suspended(&mut self, e: &GuaranteeSuspended, p: &Provenance) {
        self.change_guarantee(e.id, p, |GuaranteeRecord { row: g, .. }| {
            g.status = guarantee_status(e.status);
            g.status_before_suspension = guarantee_status(e.previousStatus);
            g.suspension_reason_hash = optional_hash(e.reasonHash);
        });
    }

    pub(super) fn guarantee_resumed(&mut self, e: &GuaranteeResumed, p: &Provenance) {
        self.change_guarantee(e.id, p, |GuaranteeRecord { row: g, .. }| {
            g.status = guarantee_status(e.status);
            g.status_before_suspension = GuaranteeStatus::None;
            g.suspension_reason_hash = None;
        });
    }

    /// Applies `change` to guarantee `id` and stamps the event on its row. An event of a
    /// guarantee that was never issued changes nothing.
    fn change_guarantee(&mut self, id: B256, p: &Provenance, change: impl FnOnce(&mut GuaranteeRecord)) {
        if let Some(record) = self.guarantees.get_mut(&id) {
            change(record);
            record.row.stamp(p);
        }
    }
}

/// The key of a guarantee's amendment, claim or release: chain, guarantee id, sequence.
fn sub(g: &GuaranteeRow, sequence: u16) -> (i64, Vec<u8>, i32) {
    (g.chain_id, g.id.clone(), i32::from(sequence))
}

fn clear_amendment(g: &mut GuaranteeRow) {
    g.amendment_pending = false;
    g.pending_amount = Satang(0);
    g.pending_expiry_date = "0".into();
    g.pending_terms_hash = None;
}

fn close_claim(g: &mut GuaranteeRow) {
    g.claim_amount = Satang(0);
    g.claim_requested_expiry = "0".into();
}
