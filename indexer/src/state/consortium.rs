//! The consortium's events: issuers (banks) with their signers, agencies and e-GP gateways.

use std::collections::BTreeMap;

use alloy::primitives::Address;
use egp_contracts::IssuerStatus;
use egp_contracts::bindings::consortium::Consortium::{
    AgencyRegistered, GatewayAuthorised, GatewayRevoked, IssuerAdmitted, IssuerResumed, IssuerSuspended, SignerAdded,
    SignerRemoved,
};

use super::{State, code_text, known, optional_hash};
use crate::decode::Provenance;
use crate::rows::{AgencyRow, GatewayRow, IssuerRow, SignerRow, Stamp};

impl State {
    pub(super) fn issuer_admitted(&mut self, e: &IssuerAdmitted, p: &Provenance) {
        let mut row = IssuerRow {
            chain_id: self.chain_id,
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

    pub(super) fn issuer_suspended(&mut self, e: &IssuerSuspended, p: &Provenance) {
        if let Some((row, _)) = self.issuers.get_mut(&e.bankCode) {
            row.status = IssuerStatus::Suspended;
            row.suspension_reason_hash = optional_hash(e.reasonHash);
            row.stamp(p);
        }
    }

    pub(super) fn issuer_resumed(&mut self, e: &IssuerResumed, p: &Provenance) {
        if let Some((row, _)) = self.issuers.get_mut(&e.bankCode) {
            row.status = IssuerStatus::Active;
            row.suspension_reason_hash = None;
            row.stamp(p);
        }
    }

    pub(super) fn signer_added(&mut self, e: &SignerAdded, p: &Provenance) {
        let chain_id = self.chain_id;
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

    pub(super) fn signer_removed(&mut self, e: &SignerRemoved, p: &Provenance) {
        if let Some((row, signers)) = self.issuers.get_mut(&e.bankCode) {
            row.signer_count = i64::from(e.signerCount);
            row.stamp(p);
            if let Some(signer) = signers.get_mut(&e.signer) {
                signer.active = false;
                signer.stamp(p);
            }
        }
    }

    pub(super) fn agency_registered(&mut self, e: &AgencyRegistered, p: &Provenance) {
        let mut row = AgencyRow {
            chain_id: self.chain_id,
            agency_code: e.agencyCode.to_vec(),
            code: code_text(e.agencyCode).unwrap_or_default(),
            name: e.name.clone(),
            ..AgencyRow::default()
        };
        row.stamp(p);
        self.agencies.insert(e.agencyCode, row);
    }

    pub(super) fn gateway_authorised(&mut self, e: &GatewayAuthorised, p: &Provenance) {
        self.gateway(e.gateway, true, p);
    }

    pub(super) fn gateway_revoked(&mut self, e: &GatewayRevoked, p: &Provenance) {
        self.gateway(e.gateway, false, p);
    }

    /// A gateway's row, created at its first event.
    fn gateway(&mut self, gateway: Address, authorised: bool, p: &Provenance) {
        let chain_id = self.chain_id;
        let row = self.gateways.entry(gateway).or_insert_with(|| GatewayRow {
            chain_id,
            gateway: gateway.to_vec(),
            ..GatewayRow::default()
        });
        row.authorised = authorised;
        row.stamp(p);
    }
}
