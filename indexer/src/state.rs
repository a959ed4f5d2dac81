//! Current state as a pure function of the event history: [`fold`] replays events, in chain
//! order, into the rows of the current-state tables. The writer uses it for every batch and the
//! reorg rollback uses it to restore rows to their state at the fork point, so both always agree
//! with the events that remain.

use std::collections::{BTreeMap, BTreeSet};

use alloy::primitives::{Address, B256};
use egp_contracts::bindings::consortium::Consortium::ConsortiumEvents as C;
use egp_contracts::bindings::credit_confirmation_registry::CreditConfirmationRegistry::CreditConfirmationRegistryEvents as K;
use egp_contracts::bindings::guarantee_registry::GuaranteeRegistry::GuaranteeRegistryEvents as G;
use egp_contracts::{ConfirmationStatus, GuaranteeStatus, IssuerStatus, Satang};
pub use egp_store::compare::code_text;
use egp_store::{AmendmentStatus, ClaimStatus, ReleaseKind};

use crate::decode::{EntityKey, IndexedEvent, Payload};
use crate::rows::{
    AgencyRow, AmendmentRow, ClaimRow, ConfirmationRow, Derived, GatewayRow, GuaranteeRow, IssuerRow, ReleaseRow,
    SignerRow, Stamp,
};

/// A contract enum value. The contracts' enums cannot hold a value outside their Solidity
/// declaration (which a test compares with the Rust enums), so an unknown value means a build
/// that does not match the deployment: it is logged and stored as the enum's first value, and
/// `verify` reports the field as differing from the contract.
fn known<E: TryFrom<u8> + Default>(value: u8) -> E {
    E::try_from(value).unwrap_or_else(|_| {
        tracing::error!(value, kind = std::any::type_name::<E>(), "an enum value this build does not know");
        E::default()
    })
}

fn guarantee_status(value: u8) -> GuaranteeStatus {
    known(value)
}

fn confirmation_status(value: u8) -> ConfirmationStatus {
    known(value)
}

/// An amount of the contracts (`uint96`/`uint128`) in satang.
fn satang(value: impl TryInto<u128>) -> Satang {
    Satang(value.try_into().unwrap_or(u128::MAX))
}

/// A hash that the contracts leave zero when absent.
fn optional_hash(word: B256) -> Option<Vec<u8>> {
    (!word.is_zero()).then(|| word.to_vec())
}

#[derive(Debug, Default)]
struct GuaranteeRecord {
    row: GuaranteeRow,
    amendments: BTreeMap<u16, AmendmentRow>,
    claims: BTreeMap<u16, ClaimRow>,
    releases: BTreeMap<u16, ReleaseRow>,
}

/// Every record the folded events touched.
#[derive(Debug, Default)]
pub struct State {
    chain_id: i64,
    issuers: BTreeMap<u16, (IssuerRow, BTreeMap<Address, SignerRow>)>,
    agencies: BTreeMap<B256, AgencyRow>,
    gateways: BTreeMap<Address, GatewayRow>,
    guarantees: BTreeMap<B256, GuaranteeRecord>,
    confirmations: BTreeMap<B256, ConfirmationRow>,
}

/// Replays `events` (in chain order) into current state.
pub fn fold<'a>(chain_id: u64, events: impl IntoIterator<Item = &'a IndexedEvent>) -> State {
    let mut state = State { chain_id: chain_id as i64, ..State::default() };
    for event in events {
        state.apply(event);
    }
    state
}

impl State {
    /// The rows of the records in `wanted` (records without an event have none).
    pub fn rows(self, wanted: &BTreeSet<EntityKey>) -> Derived {
        let mut derived = Derived::default();
        for (code, (issuer, signers)) in self.issuers {
            if wanted.contains(&EntityKey::Issuer(code)) {
                derived.issuers.push(issuer);
                derived.signers.extend(signers.into_values());
            }
        }
        derived.agencies = self
            .agencies
            .into_iter()
            .filter(|(k, _)| wanted.contains(&EntityKey::Agency(*k)))
            .map(|(_, v)| v)
            .collect();
        derived.gateways = self
            .gateways
            .into_iter()
            .filter(|(k, _)| wanted.contains(&EntityKey::Gateway(*k)))
            .map(|(_, v)| v)
            .collect();
        for (id, record) in self.guarantees {
            if wanted.contains(&EntityKey::Guarantee(id)) {
                derived.guarantees.push(record.row);
                derived.amendments.extend(record.amendments.into_values());
                derived.claims.extend(record.claims.into_values());
                derived.releases.extend(record.releases.into_values());
            }
        }
        derived.confirmations = self
            .confirmations
            .into_iter()
            .filter(|(k, _)| wanted.contains(&EntityKey::Confirmation(*k)))
            .map(|(_, v)| v)
            .collect();
        derived
    }

    fn apply(&mut self, event: &IndexedEvent) {
        match &event.payload {
            Payload::Consortium(payload) => self.apply_consortium(event, payload),
            Payload::Guarantee(payload) => self.apply_guarantee(event, payload),
            Payload::Confirmation(payload) => self.apply_confirmation(event, payload),
        }
    }

    fn apply_consortium(&mut self, event: &IndexedEvent, payload: &C) {
        let p = &event.provenance;
        let chain_id = self.chain_id;
        match payload {
            C::IssuerAdmitted(e) => {
                let mut row = IssuerRow {
                    chain_id,
                    bank_code: i32::from(e.bankCode),
                    kind: known(e.kind),
                    name: e.name.clone(),
                    status: IssuerStatus::Active,
                    admitted_block_number: p.block_number as i64,
                    ..IssuerRow::default()
                };
                row.stamp(p);
                self.issuers.insert(e.bankCode, (row, BTreeMap::new()));
            }
            C::IssuerSuspended(e) => {
                if let Some((row, _)) = self.issuers.get_mut(&e.bankCode) {
                    row.status = IssuerStatus::Suspended;
                    row.suspension_reason_hash = optional_hash(e.reasonHash);
                    row.stamp(p);
                }
            }
            C::IssuerResumed(e) => {
                if let Some((row, _)) = self.issuers.get_mut(&e.bankCode) {
                    row.status = IssuerStatus::Active;
                    row.suspension_reason_hash = None;
                    row.stamp(p);
                }
            }
            C::SignerAdded(e) => {
                if let Some((row, signers)) = self.issuers.get_mut(&e.bankCode) {
                    row.signer_count = i64::from(e.signerCount);
                    row.stamp(p);
                    let signer = signers.entry(e.signer).or_insert_with(|| SignerRow {
                        chain_id,
                        bank_code: i32::from(e.bankCode),
                        signer: e.signer.to_vec(),
                        ..SignerRow::default()
                    });
                    signer.active = true;
                    signer.added_block_number = p.block_number as i64;
                    signer.stamp(p);
                }
            }
            C::SignerRemoved(e) => {
                if let Some((row, signers)) = self.issuers.get_mut(&e.bankCode) {
                    row.signer_count = i64::from(e.signerCount);
                    row.stamp(p);
                    if let Some(signer) = signers.get_mut(&e.signer) {
                        signer.active = false;
                        signer.stamp(p);
                    }
                }
            }
            C::AgencyRegistered(e) => {
                let mut row = AgencyRow {
                    chain_id,
                    agency_code: e.agencyCode.to_vec(),
                    code: code_text(e.agencyCode).unwrap_or_default(),
                    name: e.name.clone(),
                    ..AgencyRow::default()
                };
                row.stamp(p);
                self.agencies.insert(e.agencyCode, row);
            }
            C::GatewayAuthorised(e) => self.gateway(e.gateway, true, event),
            C::GatewayRevoked(e) => self.gateway(e.gateway, false, event),
            C::RoleAdminChanged(_) | C::RoleGranted(_) | C::RoleRevoked(_) => {}
        }
    }

    fn gateway(&mut self, gateway: Address, authorised: bool, event: &IndexedEvent) {
        let chain_id = self.chain_id;
        let row = self.gateways.entry(gateway).or_insert_with(|| GatewayRow {
            chain_id,
            gateway: gateway.to_vec(),
            ..GatewayRow::default()
        });
        row.authorised = authorised;
        row.stamp(&event.provenance);
    }

    fn apply_guarantee(&mut self, event: &IndexedEvent, payload: &G) {
        let p = &event.provenance;
        let chain_id = self.chain_id;
        if let G::GuaranteeIssued(e) = payload {
            let r = &e.request;
            let mut row = GuaranteeRow {
                chain_id,
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
            return;
        }
        if let G::GuaranteeSuperseded(e) = payload
            && let Some(replacement) = self.guarantees.get_mut(&e.replacementId)
        {
            replacement.row.replaces = Some(e.id.to_vec());
            replacement.row.stamp(p);
        }
        let Some(entity) = event.entity() else { return };
        let EntityKey::Guarantee(id) = entity else { return };
        let Some(record) = self.guarantees.get_mut(&id) else { return };
        let g = &mut record.row;
        let sub = |sequence: u16| (chain_id, id.to_vec(), i32::from(sequence));
        match payload {
            G::GuaranteeIssued(_) => unreachable!("handled above"),
            G::GuaranteeAccepted(e) => g.status = guarantee_status(e.status),
            G::GuaranteeRejected(e) => g.status = guarantee_status(e.status),
            G::GuaranteeCancelled(e) => g.status = guarantee_status(e.status),
            G::AmendmentProposed(e) => {
                g.status = guarantee_status(e.status);
                g.amendment_count = i32::from(e.sequence);
                g.amendment_pending = true;
                g.pending_amount = satang(e.newAmount);
                g.pending_expiry_date = e.newExpiryDate.to_string();
                g.pending_terms_hash = optional_hash(e.termsHash);
                let (chain_id, guarantee_id, sequence) = sub(e.sequence);
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
                record.amendments.insert(e.sequence, row);
            }
            G::AmendmentAccepted(e) => {
                g.status = guarantee_status(e.status);
                g.amount = satang(e.amount);
                g.outstanding = satang(e.outstanding);
                g.expiry_date = e.expiryDate.to_string();
                g.terms_hash = optional_hash(e.termsHash);
                clear_amendment(g);
                if let Some(row) = record.amendments.get_mut(&e.sequence) {
                    row.status = AmendmentStatus::Accepted;
                    row.amount_after = Some(satang(e.amount));
                    row.outstanding_after = Some(satang(e.outstanding));
                    row.expiry_date_after = Some(e.expiryDate.to_string());
                    row.answered_by = Some(e.actor.to_vec());
                    row.stamp(p);
                }
            }
            G::AmendmentRejected(e) => {
                g.status = guarantee_status(e.status);
                clear_amendment(g);
                if let Some(row) = record.amendments.get_mut(&e.sequence) {
                    row.status = AmendmentStatus::Rejected;
                    row.reason_code = code_text(e.reasonCode);
                    row.answered_by = Some(e.actor.to_vec());
                    row.stamp(p);
                }
            }
            G::AmendmentLapsed(e) => {
                g.status = guarantee_status(e.status);
                clear_amendment(g);
                if let Some(row) = record.amendments.get_mut(&e.sequence) {
                    row.status = AmendmentStatus::Lapsed;
                    row.lapse_cause = Some(known(e.cause));
                    row.stamp(p);
                }
            }
            G::GuaranteeReduced(e) => {
                g.status = guarantee_status(e.status);
                g.outstanding = satang(e.outstanding);
                g.release_count = i32::from(e.sequence);
                let (chain_id, guarantee_id, sequence) = sub(e.sequence);
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
                record.releases.insert(e.sequence, row);
            }
            G::GuaranteeReleased(e) => {
                g.status = guarantee_status(e.status);
                g.outstanding = Satang(0);
                g.release_count = i32::from(e.sequence);
                g.obligations_ended_at = Some(e.obligationsEndedAt.to_string());
                g.return_deadline = Some(e.returnDeadline.to_string());
                let (chain_id, guarantee_id, sequence) = sub(e.sequence);
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
                record.releases.insert(e.sequence, row);
            }
            G::ClaimMade(e) => {
                g.status = guarantee_status(e.status);
                g.claim_count = i32::from(e.sequence);
                g.claim_amount = satang(e.claimAmount);
                g.claim_requested_expiry = e.requestedExpiryDate.to_string();
                let (chain_id, guarantee_id, sequence) = sub(e.sequence);
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
                record.claims.insert(e.sequence, row);
            }
            G::ClaimPaid(e) => {
                g.status = guarantee_status(e.status);
                g.outstanding = satang(e.outstanding);
                g.total_paid = satang(e.totalPaid);
                close_claim(g);
                if let Some(row) = record.claims.get_mut(&e.sequence) {
                    row.status = ClaimStatus::Paid;
                    row.paid_amount = Some(satang(e.paidAmount));
                    row.payment_reference = Some(e.paymentReference.to_vec());
                    row.outstanding_after = Some(satang(e.outstanding));
                    row.total_paid_after = Some(satang(e.totalPaid));
                    row.closed_by = Some(e.actor.to_vec());
                    row.stamp(p);
                }
            }
            G::ClaimRejected(e) => {
                g.status = guarantee_status(e.status);
                close_claim(g);
                if let Some(row) = record.claims.get_mut(&e.sequence) {
                    row.status = ClaimStatus::Rejected;
                    row.discrepancies =
                        Some(e.discrepancies.iter().map(|d| code_text(*d).unwrap_or_default()).collect());
                    row.closed_by = Some(e.actor.to_vec());
                    row.stamp(p);
                }
            }
            G::ClaimWithdrawn(e) => {
                g.status = guarantee_status(e.status);
                close_claim(g);
                if let Some(row) = record.claims.get_mut(&e.sequence) {
                    row.status = ClaimStatus::Withdrawn;
                    row.closed_by = Some(e.actor.to_vec());
                    row.stamp(p);
                }
            }
            G::GuaranteeExtended(e) => {
                g.status = guarantee_status(e.status);
                g.expiry_date = e.expiryDate.to_string();
                close_claim(g);
                if let Some(row) = record.claims.get_mut(&e.sequence) {
                    row.status = ClaimStatus::Extended;
                    row.extended_to = Some(e.expiryDate.to_string());
                    row.closed_by = Some(e.actor.to_vec());
                    row.stamp(p);
                }
            }
            G::GuaranteeExpired(e) => g.status = guarantee_status(e.status),
            G::GuaranteeSuperseded(e) => {
                g.status = guarantee_status(e.status);
                g.replaced_by = Some(e.replacementId.to_vec());
            }
            G::GuaranteeSuspended(e) => {
                g.status = guarantee_status(e.status);
                g.status_before_suspension = guarantee_status(e.previousStatus);
                g.suspension_reason_hash = optional_hash(e.reasonHash);
            }
            G::GuaranteeResumed(e) => {
                g.status = guarantee_status(e.status);
                g.status_before_suspension = GuaranteeStatus::None;
                g.suspension_reason_hash = None;
            }
        }
        g.stamp(p);
    }

    fn apply_confirmation(&mut self, event: &IndexedEvent, payload: &K) {
        let p = &event.provenance;
        match payload {
            K::CreditConfirmationIssued(e) => {
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
            K::CreditConfirmationRevoked(e) => {
                if let Some(row) = self.confirmations.get_mut(&e.id) {
                    row.status = confirmation_status(e.status);
                    row.revocation_reason = code_text(e.reasonCode);
                    row.stamp(p);
                }
            }
            K::CreditConfirmationSuperseded(e) => {
                if let Some(row) = self.confirmations.get_mut(&e.id) {
                    row.status = confirmation_status(e.status);
                    row.replaced_by = Some(e.replacementId.to_vec());
                    row.stamp(p);
                }
            }
            K::CreditConfirmationExpired(e) => {
                if let Some(row) = self.confirmations.get_mut(&e.id) {
                    row.status = confirmation_status(e.status);
                    row.valid_until = e.validUntil.to_string();
                    row.stamp(p);
                }
            }
        }
    }
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
