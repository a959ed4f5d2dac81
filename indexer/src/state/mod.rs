//! Current state as a pure function of the event history: [`fold`] replays events, in chain
//! order, into the rows of the current-state tables. The writer uses it for every batch and the
//! reorg rollback uses it to restore rows to their state at the fork point, so both always agree
//! with the events that remain.
//!
//! Each event has one function, named after it, in the file of its contract: `consortium.rs`
//! (issuers and their signers, agencies, gateways), `guarantee.rs` (e-LGs with their amendments,
//! claims and releases) and `confirmation.rs` (credit confirmations). This file holds the state,
//! the dispatch and the conversions they share.

mod confirmation;
mod consortium;
mod guarantee;

use std::collections::{BTreeMap, BTreeSet};

use alloy::primitives::{Address, B256};
use egp_contracts::bindings::consortium::Consortium::ConsortiumEvents as C;
use egp_contracts::bindings::credit_confirmation_registry::CreditConfirmationRegistry::CreditConfirmationRegistryEvents as K;
use egp_contracts::bindings::guarantee_registry::GuaranteeRegistry::GuaranteeRegistryEvents as G;
use egp_contracts::{ConfirmationStatus, GuaranteeStatus, Satang};
pub use egp_store::compare::code_text;

use crate::decode::{EntityKey, IndexedEvent, Payload};
use crate::rows::{
    AgencyRow, AmendmentRow, ClaimRow, ConfirmationRow, Derived, GatewayRow, GuaranteeRow, IssuerRow, ReleaseRow,
    SignerRow,
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

/// A guarantee with its amendments, claims and releases, by sequence number.
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

    /// Applies one event through the function named after it.
    fn apply(&mut self, event: &IndexedEvent) {
        let p = &event.provenance;
        match &event.payload {
            Payload::Consortium(event) => match event {
                C::IssuerAdmitted(e) => self.issuer_admitted(e, p),
                C::IssuerSuspended(e) => self.issuer_suspended(e, p),
                C::IssuerResumed(e) => self.issuer_resumed(e, p),
                C::SignerAdded(e) => self.signer_added(e, p),
                C::SignerRemoved(e) => self.signer_removed(e, p),
                C::AgencyRegistered(e) => self.agency_registered(e, p),
                C::GatewayAuthorised(e) => self.gateway_authorised(e, p),
                C::GatewayRevoked(e) => self.gateway_revoked(e, p),
                // The contracts' access control: no record of the mirror.
                C::RoleAdminChanged(_) | C::RoleGranted(_) | C::RoleRevoked(_) => {}
            },
            Payload::Guarantee(event) => match event {
                G::GuaranteeIssued(e) => self.guarantee_issued(e, p),
                G::GuaranteeAccepted(e) => self.guarantee_accepted(e, p),
                G::GuaranteeRejected(e) => self.guarantee_rejected(e, p),
                G::GuaranteeCancelled(e) => self.guarantee_cancelled(e, p),
                G::AmendmentProposed(e) => self.amendment_proposed(e, p),
                G::AmendmentAccepted(e) => self.amendment_accepted(e, p),
                G::AmendmentRejected(e) => self.amendment_rejected(e, p),
                G::AmendmentLapsed(e) => self.amendment_lapsed(e, p),
                G::GuaranteeReduced(e) => self.guarantee_reduced(e, p),
                G::GuaranteeReleased(e) => self.guarantee_released(e, p),
                G::ClaimMade(e) => self.claim_made(e, p),
                G::ClaimPaid(e) => self.claim_paid(e, p),
                G::ClaimRejected(e) => self.claim_rejected(e, p),
                G::ClaimWithdrawn(e) => self.claim_withdrawn(e, p),
                G::GuaranteeExtended(e) => self.guarantee_extended(e, p),
                G::GuaranteeExpired(e) => self.guarantee_expired(e, p),
                G::GuaranteeSuperseded(e) => self.guarantee_superseded(e, p),
                G::GuaranteeSuspended(e) => self.guarantee_suspended(e, p),
                G::GuaranteeResumed(e) => self.guarantee_resumed(e, p),
            },
            Payload::Confirmation(event) => match event {
                K::CreditConfirmationIssued(e) => self.credit_confirmation_issued(e, p),
                K::CreditConfirmationRevoked(e) => self.credit_confirmation_revoked(e, p),
                K::CreditConfirmationSuperseded(e) => self.credit_confirmation_superseded(e, p),
                K::CreditConfirmationExpired(e) => self.credit_confirmation_expired(e, p),
            },
        }
    }
}
