//! The e-LG record as GraphQL objects: the guarantee, its amendments, claims, releases and event
//! history, the issuing bank and the beneficiary agency. Children come through DataLoaders.

use async_graphql::{Context, Json, Object, SimpleObject};

use super::loaders::{AgencyKey, AmendmentsOf, ClaimsOf, GuaranteeKey, HistoryOf, IssuerKey, ReleasesOf};
use super::types::{
    AmendmentStatus, Amount, ApplicantType, ClaimStatus, ExpiryType, GuaranteeAction, GuaranteeStatus, GuaranteeType,
    IssuerKind, IssuerStatus, JsonValue, Provenance, ReleaseKind, address, hex0x, iso_text, parse_u64,
};
use super::{loader, principal, shared};
use crate::db::{AgencyRow, AmendmentRow, ClaimRow, EventRow, GuaranteeRow, IssuerRow, ReleaseRow};

const T: &str = "guarantees";

/// An electronic letter of guarantee (e-LG) as the mirror holds it now.
pub struct Guarantee(pub GuaranteeRow);

/// Loads a guarantee the caller may see, by id.
pub(crate) async fn visible_guarantee(ctx: &Context<'_>, id: Vec<u8>) -> async_graphql::Result<Option<Guarantee>> {
    let who = principal(ctx)?;
    let row = loader(ctx).load_one(GuaranteeKey(id)).await.map_err(shared)?;
    Ok(row.filter(|g| who.sees(g.bank_code, Some(g.guarantee_type))).map(Guarantee))
}

#[Object]
impl Guarantee {
    /// The id: `keccak256(abi.encodePacked(uint16 bankCode, bankRef))`, 0x-hex.
    async fn id(&self) -> String {
        hex0x(&self.0.id)
    }
    /// Issuing bank's 3-digit code (`002`).
    async fn bank_code(&self) -> String {
        format!("{:03}", self.0.bank_code)
    }
    /// The issuing bank.
    async fn bank(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Bank>> {
        Ok(loader(ctx).load_one(IssuerKey(self.0.bank_code)).await.map_err(shared)?.map(Bank))
    }
    /// The bank's own reference.
    async fn bank_ref(&self) -> &str {
        &self.0.bank_ref
    }
    /// Issuing branch.
    async fn branch_code(&self) -> Option<&str> {
        self.0.branch_code.as_deref()
    }
    /// Type.
    #[graphql(name = "type")]
    async fn guarantee_type(&self) -> async_graphql::Result<GuaranteeType> {
        Ok(self.0.guarantee_type)
    }
    /// Currency (always THB).
    async fn currency(&self) -> &str {
        &self.0.currency
    }
    /// Amount guaranteed.
    async fn amount(&self) -> async_graphql::Result<Amount> {
        Ok(Amount::from(self.0.amount))
    }
    /// Amount still claimable.
    async fn outstanding(&self) -> async_graphql::Result<Amount> {
        Ok(Amount::from(self.0.outstanding))
    }
    /// Paid on claims so far.
    async fn total_paid(&self) -> async_graphql::Result<Amount> {
        Ok(Amount::from(self.0.total_paid))
    }
    /// Issue date (ISO-8601, Asia/Bangkok).
    async fn issue_date(&self) -> async_graphql::Result<String> {
        Ok(iso_text(T, &self.0.issue_date)?)
    }
    /// Effective date (ISO-8601, Asia/Bangkok).
    async fn effective_date(&self) -> async_graphql::Result<String> {
        Ok(iso_text(T, &self.0.effective_date)?)
    }
    /// How it ends.
    async fn expiry_type(&self) -> async_graphql::Result<ExpiryType> {
        Ok(self.0.expiry_type)
    }
    /// The fixed expiry (ISO-8601, Asia/Bangkok); null unless the expiry type is FIXD.
    async fn expiry_date(&self) -> async_graphql::Result<Option<String>> {
        if self.0.expiry_type != ExpiryType::FIXD {
            return Ok(None);
        }
        Ok(Some(iso_text(T, &self.0.expiry_date)?))
    }
    /// Hash of the expiry condition (COND).
    async fn expiry_condition_hash(&self) -> Option<String> {
        self.0.expiry_condition_hash.as_deref().map(hex0x)
    }
    /// Beneficiary agency code (GFMIS).
    async fn agency_code(&self) -> &str {
        &self.0.agency_code
    }
    /// The beneficiary agency.
    async fn agency(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Agency>> {
        Ok(loader(ctx).load_one(AgencyKey(self.0.agency_code.clone())).await.map_err(shared)?.map(Agency))
    }
    /// e-GP project number.
    async fn project_number(&self) -> Option<&str> {
        self.0.project_number.as_deref()
    }
    /// Contract number.
    async fn contract_number(&self) -> &str {
        &self.0.contract_number
    }
    /// HMAC-SHA256 commitment of the applicant's tax id (never the id).
    async fn applicant_commitment(&self) -> String {
        hex0x(&self.0.applicant_commitment)
    }
    /// Company or individual.
    async fn applicant_type(&self) -> async_graphql::Result<ApplicantType> {
        Ok(self.0.applicant_type)
    }
    /// SHA-256 of the signed guarantee document.
    async fn document_hash(&self) -> String {
        hex0x(&self.0.document_hash)
    }
    /// Hash of the terms of the last accepted amendment.
    async fn terms_hash(&self) -> Option<String> {
        self.0.terms_hash.as_deref().map(hex0x)
    }
    /// Status.
    async fn status(&self) -> async_graphql::Result<GuaranteeStatus> {
        Ok(self.0.status)
    }
    /// The status a suspension will resume to (when Suspended).
    async fn status_before_suspension(&self) -> async_graphql::Result<Option<GuaranteeStatus>> {
        if self.0.status != GuaranteeStatus::Suspended {
            return Ok(None);
        }
        Ok(Some(self.0.status_before_suspension))
    }
    /// Hash of the suspension's reason (court order, …).
    async fn suspension_reason_hash(&self) -> Option<String> {
        self.0.suspension_reason_hash.as_deref().map(hex0x)
    }
    /// Whether the last amendment awaits the agency (the old terms are in force meanwhile); never
    /// once the guarantee has ended, nor after a payment, extension or reduction made it lapse.
    async fn amendment_pending(&self) -> bool {
        self.0.amendment_pending
    }
    /// The open claim's amount (zero when none is open).
    async fn open_claim_amount(&self) -> async_graphql::Result<Amount> {
        Ok(Amount::from(self.0.claim_amount))
    }
    /// When the obligations ended (a release), ISO-8601 Asia/Bangkok.
    async fn obligations_ended_at(&self) -> async_graphql::Result<Option<String>> {
        Ok(self.0.obligations_ended_at.as_deref().map(|t| iso_text(T, t)).transpose()?)
    }
    /// Latest date to return the security (15 days after the obligations ended; clause 170).
    async fn return_deadline(&self) -> async_graphql::Result<Option<String>> {
        Ok(self.0.return_deadline.as_deref().map(|t| iso_text(T, t)).transpose()?)
    }
    /// Id of the guarantee this one replaced.
    async fn replaces_id(&self) -> Option<String> {
        self.0.replaces.as_deref().map(hex0x)
    }
    /// Id of the guarantee that replaced this one.
    async fn replaced_by_id(&self) -> Option<String> {
        self.0.replaced_by.as_deref().map(hex0x)
    }
    /// The guarantee this one replaced (if the caller may see it).
    async fn replaces(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Guarantee>> {
        match &self.0.replaces {
            Some(id) => visible_guarantee(ctx, id.clone()).await,
            None => Ok(None),
        }
    }
    /// The guarantee that replaced this one (if the caller may see it).
    async fn replaced_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Guarantee>> {
        match &self.0.replaced_by {
            Some(id) => visible_guarantee(ctx, id.clone()).await,
            None => Ok(None),
        }
    }
    /// The bank signer that issued it.
    async fn issued_by(&self) -> String {
        address(&self.0.issued_by)
    }
    /// Block the guarantee was issued in.
    async fn issued_block_number(&self) -> i64 {
        self.0.issued_block_number
    }
    /// Transaction that issued it.
    async fn issued_transaction_hash(&self) -> String {
        hex0x(&self.0.issued_transaction_hash)
    }
    /// Amendments, by sequence number.
    #[graphql(complexity = "10 * child_complexity")]
    async fn amendments(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Amendment>> {
        let rows = loader(ctx).load_one(AmendmentsOf(self.0.id.clone())).await.map_err(shared)?;
        Ok(rows.unwrap_or_default().into_iter().map(Amendment).collect())
    }
    /// Claims, by sequence number.
    #[graphql(complexity = "10 * child_complexity")]
    async fn claims(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Claim>> {
        let rows = loader(ctx).load_one(ClaimsOf(self.0.id.clone())).await.map_err(shared)?;
        Ok(rows.unwrap_or_default().into_iter().map(Claim).collect())
    }
    /// Reductions and the release, by sequence number.
    #[graphql(complexity = "10 * child_complexity")]
    async fn releases(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Release>> {
        let rows = loader(ctx).load_one(ReleasesOf(self.0.id.clone())).await.map_err(shared)?;
        Ok(rows.unwrap_or_default().into_iter().map(Release).collect())
    }
    /// Every event of the guarantee, in chain order.
    #[graphql(complexity = "20 * child_complexity")]
    async fn history(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Event>> {
        let rows = loader(ctx).load_one(HistoryOf("guarantee", self.0.id.clone())).await.map_err(shared)?;
        Ok(rows.unwrap_or_default().into_iter().map(Event).collect())
    }
    /// The event that last changed the record.
    async fn provenance(&self) -> Provenance {
        Provenance::from(&self.0.provenance())
    }
}

/// An amendment (increase, decrease, new expiry, new terms).
pub struct Amendment(pub AmendmentRow);

#[Object]
impl Amendment {
    /// Sequence number (1, 2, …).
    async fn sequence(&self) -> i32 {
        self.0.sequence
    }
    /// Proposed amount.
    async fn new_amount(&self) -> async_graphql::Result<Amount> {
        Ok(Amount::from(self.0.new_amount))
    }
    /// Proposed expiry (ISO-8601, Asia/Bangkok); null when the proposal keeps no fixed expiry.
    async fn new_expiry_date(&self) -> async_graphql::Result<Option<String>> {
        let at = parse_u64("guarantee_amendments", &self.0.new_expiry_date)?;
        Ok((at > 0).then(|| super::types::iso(at)))
    }
    /// Hash of the amendment's terms document.
    async fn terms_hash(&self) -> String {
        hex0x(&self.0.terms_hash)
    }
    /// `PENDING`, `ACCEPTED`, `REJECTED` or `LAPSED` (unanswered when a later change of terms or the
    /// end of the guarantee overtook it: see `lapseCause`).
    async fn status(&self) -> AmendmentStatus {
        self.0.status
    }
    /// The agency's reason code for a rejection.
    async fn reason_code(&self) -> Option<&str> {
        self.0.reason_code.as_deref()
    }
    /// What made a `LAPSED` amendment lapse: `PAY`, `EXTEND` or `REDUCE` (a change of the terms it
    /// was proposed against), `RELEASE`, `EXPIRE` or `SUPERSEDE` (the end of the guarantee).
    async fn lapse_cause(&self) -> Option<GuaranteeAction> {
        self.0.lapse_cause
    }
    /// Amount after acceptance.
    async fn amount_after(&self) -> async_graphql::Result<Option<Amount>> {
        Ok(self.0.amount_after.map(Amount::from))
    }
    /// Outstanding after acceptance.
    async fn outstanding_after(&self) -> async_graphql::Result<Option<Amount>> {
        Ok(self.0.outstanding_after.map(Amount::from))
    }
    /// Bank signer that proposed it.
    async fn proposed_by(&self) -> String {
        address(&self.0.proposed_by)
    }
    /// Block it was proposed in.
    async fn proposed_block_number(&self) -> i64 {
        self.0.proposed_block_number
    }
    /// The event that last changed it.
    async fn provenance(&self) -> Provenance {
        Provenance::from(&self.0.provenance())
    }
}

/// A demand for payment (or to extend or else pay).
pub struct Claim(pub ClaimRow);

#[Object]
impl Claim {
    /// Sequence number.
    async fn sequence(&self) -> i32 {
        self.0.sequence
    }
    /// Amount demanded.
    async fn amount(&self) -> async_graphql::Result<Amount> {
        Ok(Amount::from(self.0.claim_amount))
    }
    /// Whether it is an extend-or-pay demand.
    async fn extend_or_pay(&self) -> bool {
        self.0.extend_or_pay
    }
    /// Where it stands.
    async fn status(&self) -> ClaimStatus {
        self.0.status
    }
    /// SHA-256 of the demand document.
    async fn demand_hash(&self) -> String {
        hex0x(&self.0.demand_hash)
    }
    /// Amount paid on it.
    async fn paid_amount(&self) -> async_graphql::Result<Option<Amount>> {
        Ok(self.0.paid_amount.map(Amount::from))
    }
    /// Hash of the payment reference (bill payment / GFMIS), for reconciliation.
    async fn payment_reference(&self) -> Option<String> {
        self.0.payment_reference.as_deref().map(hex0x)
    }
    /// Discrepancy codes of a rejection.
    async fn discrepancies(&self) -> Vec<String> {
        self.0.discrepancies.clone().unwrap_or_default()
    }
    /// New expiry when answered by an extension (ISO-8601, Asia/Bangkok).
    async fn extended_to(&self) -> async_graphql::Result<Option<String>> {
        Ok(self.0.extended_to.as_deref().map(|t| iso_text("guarantee_claims", t)).transpose()?)
    }
    /// Block the claim was made in.
    async fn claimed_block_number(&self) -> i64 {
        self.0.claimed_block_number
    }
    /// The event that last changed it.
    async fn provenance(&self) -> Provenance {
        Provenance::from(&self.0.provenance())
    }
}

/// A reduction (partial release) or the full release.
pub struct Release(pub ReleaseRow);

#[Object]
impl Release {
    /// Sequence number.
    async fn sequence(&self) -> i32 {
        self.0.sequence
    }
    /// A reduction or the full release.
    async fn kind(&self) -> ReleaseKind {
        self.0.kind
    }
    /// Amount released.
    async fn amount(&self) -> async_graphql::Result<Amount> {
        Ok(Amount::from(self.0.amount))
    }
    /// Outstanding afterwards.
    async fn outstanding_after(&self) -> async_graphql::Result<Amount> {
        Ok(Amount::from(self.0.outstanding_after))
    }
    /// When the obligations ended (full release).
    async fn obligations_ended_at(&self) -> async_graphql::Result<Option<String>> {
        Ok(self.0.obligations_ended_at.as_deref().map(|t| iso_text("guarantee_releases", t)).transpose()?)
    }
    /// Latest date to return the security.
    async fn return_deadline(&self) -> async_graphql::Result<Option<String>> {
        Ok(self.0.return_deadline.as_deref().map(|t| iso_text("guarantee_releases", t)).transpose()?)
    }
    /// The event that recorded it.
    async fn provenance(&self) -> Provenance {
        Provenance::from(&self.0.provenance())
    }
}

/// One contract event, with every field by its ABI name.
pub struct Event(pub EventRow);

#[Object]
impl Event {
    /// The contract (`GuaranteeRegistry`, `CreditConfirmationRegistry`, `Consortium`).
    async fn contract(&self) -> &str {
        &self.0.contract
    }
    /// The event's name (`GuaranteeIssued`, …).
    async fn name(&self) -> &str {
        &self.0.event
    }
    /// The record it changed (0x id), if any.
    async fn record_id(&self) -> Option<String> {
        self.0.entity_key.as_deref().map(hex0x)
    }
    /// Every field by its ABI name; integers as decimal strings, bytes as 0x-hex.
    async fn args(&self) -> Json<JsonValue> {
        Json(JsonValue(self.0.args.clone()))
    }
    /// Where it was emitted.
    async fn provenance(&self) -> Provenance {
        Provenance::from(&self.0.provenance())
    }
}

/// A bank or finance company of the consortium.
pub struct Bank(pub IssuerRow);

#[Object]
impl Bank {
    /// 3-digit bank code.
    async fn code(&self) -> String {
        format!("{:03}", self.0.bank_code)
    }
    /// Name of the institution.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// A bank or a finance company.
    async fn kind(&self) -> IssuerKind {
        self.0.kind
    }
    /// Whether it may sign.
    async fn status(&self) -> IssuerStatus {
        self.0.status
    }
    /// Signer addresses in force.
    async fn signer_count(&self) -> i64 {
        self.0.signer_count
    }
    /// The event that last changed it.
    async fn provenance(&self) -> Provenance {
        Provenance::from(&self.0.provenance())
    }
}

/// A registered government agency (beneficiary).
pub struct Agency(pub AgencyRow);

#[Object]
impl Agency {
    /// GFMIS code.
    async fn code(&self) -> &str {
        &self.0.code
    }
    /// Name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The event that registered it.
    async fn provenance(&self) -> Provenance {
        Provenance::from(&self.0.provenance())
    }
}

/// The totals of a connection.
#[derive(Debug, Clone, Default, SimpleObject)]
pub struct Totals {
    /// Every record the filter covers (not only this page).
    pub total_count: i64,
}
