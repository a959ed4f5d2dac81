//! `verifyGuarantee` and `verifyCreditConfirmation`: is this good for what e-GP needs, and if
//! not, every reason why — with the provenance of the facts and, on request, a fresh read of
//! the contract at the indexed block.

use async_graphql::{Context, Enum, Object, SimpleObject};
use egp_contracts::dates;

use super::confirmations::CreditConfirmation;
use super::guarantee::{Guarantee, visible_guarantee};
use super::guarantees::record_id;
use super::types::{
    ConfirmationStatus, ExpiryType, GuaranteeStatus, GuaranteeType, Provenance, Purpose, commit_tax_id, hex0x, iso,
    iso_text, parse_amount, parse_date, parse_u64, today,
};
use super::{api, principal, session};
use crate::db::{self, ConfirmationFilter};
use crate::{Error, Result};

/// Why a guarantee or a credit confirmation does not satisfy the requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum ReasonCode {
    /// No such record, or not one the caller may see.
    NotFound,
    /// Beneficiary is another agency.
    WrongAgency,
    /// For another project.
    WrongProject,
    /// Another guarantee type.
    WrongType,
    /// Not accepted by the agency yet.
    NotYetAccepted,
    /// Takes effect after the date.
    NotYetEffective,
    /// Expired on the date (or marked expired).
    Expired,
    /// Outstanding amount below the minimum.
    OutstandingBelowMinimum,
    /// A claim is open.
    Claimed,
    /// Suspended by the admin.
    Suspended,
    /// Rejected by the agency.
    Rejected,
    /// Cancelled by the bank.
    Cancelled,
    /// Released.
    Released,
    /// Paid out in full.
    PaidOut,
    /// Replaced by another record.
    Superseded,
    /// Revoked by the bank.
    Revoked,
    /// Credit line below a quarter of the budget.
    BelowQuarterOfBudget,
    /// Issued more than 90 days before the bid date.
    IssuedTooEarly,
    /// Issued after the bid date.
    IssuedAfterBidDate,
    /// No confirmation of the supplier at all.
    NoConfirmation,
    /// The mirror and the contract disagree (see `fresh.differences`).
    ChainDisagrees,
    /// The contract could not be read (`fresh` requested).
    ChainUnavailable,
}

/// One reason, with a sentence for people.
#[derive(Debug, Clone, PartialEq, Eq, SimpleObject)]
pub struct Reason {
    /// Stable code.
    pub code: ReasonCode,
    /// The reason in words.
    pub message: String,
}

fn reason(code: ReasonCode, message: impl Into<String>) -> Reason {
    Reason { code, message: message.into() }
}

/// The contract's state compared with the mirror.
#[derive(Debug, Clone, SimpleObject)]
pub struct FreshCheck {
    /// The block the contract was read at (the indexed block).
    pub block_number: i64,
    /// Whether every compared field agrees.
    pub agrees: bool,
    /// `field: mirror X, chain Y` for each difference.
    pub differences: Vec<String>,
}

/// The answer of `verifyGuarantee`.
pub struct GuaranteeVerification {
    valid: bool,
    reasons: Vec<Reason>,
    on_date: String,
    guarantee: Option<Guarantee>,
    fresh: Option<FreshCheck>,
}

#[Object]
impl GuaranteeVerification {
    /// Whether the guarantee satisfies every requirement on the date.
    async fn valid(&self) -> bool {
        self.valid
    }
    /// Every reason it does not (empty when valid).
    async fn reasons(&self) -> &[Reason] {
        &self.reasons
    }
    /// The date checked (`YYYY-MM-DD`, Bangkok).
    async fn on_date(&self) -> &str {
        &self.on_date
    }
    /// The guarantee's id, when found.
    async fn guarantee_id(&self) -> Option<String> {
        self.guarantee.as_ref().map(|g| hex0x(&g.0.id))
    }
    /// Its status.
    async fn status(&self) -> Option<GuaranteeStatus> {
        self.guarantee.as_ref().map(|g| g.0.status)
    }
    /// Its type.
    #[graphql(name = "type")]
    async fn guarantee_type(&self) -> Option<GuaranteeType> {
        self.guarantee.as_ref().map(|g| g.0.guarantee_type)
    }
    /// Its beneficiary agency.
    async fn agency_code(&self) -> Option<&str> {
        self.guarantee.as_ref().map(|g| g.0.agency_code.as_str())
    }
    /// Its fixed expiry (ISO-8601, Bangkok), if any.
    async fn expiry_date(&self) -> Option<String> {
        let g = self.guarantee.as_ref()?;
        (g.0.expiry_type == ExpiryType::FIXD).then(|| iso_text("guarantees", &g.0.expiry_date).ok()).flatten()
    }
    /// Where the guarantee's current state comes from.
    async fn provenance(&self) -> Option<Provenance> {
        self.guarantee.as_ref().map(|g| Provenance::from(&g.0.provenance()))
    }
    /// The contract read at the indexed block (when `fresh: true`).
    async fn fresh(&self) -> Option<&FreshCheck> {
        self.fresh.as_ref()
    }
    /// The whole record (not for the `verify` role: `FORBIDDEN`).
    async fn guarantee(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<&Guarantee>> {
        principal(ctx)?.require_browse("read the whole guarantee")?;
        Ok(self.guarantee.as_ref())
    }
}

/// How one credit confirmation fares against the requirement.
pub struct ConfirmationCheck {
    confirmation: CreditConfirmation,
    reasons: Vec<Reason>,
}

#[Object]
impl ConfirmationCheck {
    /// The confirmation's id.
    async fn confirmation_id(&self) -> String {
        hex0x(&self.confirmation.0.id)
    }
    /// Its bank.
    async fn bank_code(&self) -> String {
        format!("{:03}", self.confirmation.0.bank_code)
    }
    /// Issued at (ISO-8601, Bangkok).
    async fn issued_at(&self) -> async_graphql::Result<String> {
        Ok(iso_text("credit_confirmations", &self.confirmation.0.issued_at)?)
    }
    /// Valid until.
    async fn valid_until(&self) -> async_graphql::Result<String> {
        Ok(iso_text("credit_confirmations", &self.confirmation.0.valid_until)?)
    }
    /// Whether this confirmation satisfies the requirement.
    async fn valid(&self) -> bool {
        self.reasons.is_empty()
    }
    /// Why not.
    async fn reasons(&self) -> &[Reason] {
        &self.reasons
    }
    /// Where its current state comes from.
    async fn provenance(&self) -> Provenance {
        Provenance::from(&self.confirmation.0.provenance())
    }
}

/// The answer of `verifyCreditConfirmation`.
#[derive(SimpleObject)]
pub struct ConfirmationVerification {
    /// Whether the supplier holds a confirmation satisfying every rule.
    pub valid: bool,
    /// Why not (the reasons of every confirmation considered, or NO_CONFIRMATION).
    pub reasons: Vec<Reason>,
    /// The bid date checked.
    pub bid_date: String,
    /// Each confirmation of the supplier considered, valid ones first.
    pub confirmations: Vec<ConfirmationCheck>,
}

/// The verify queries (the only ones the `verify` role may call).
#[derive(Debug, Default)]
pub struct VerifyQuery;

fn status_reason(status: GuaranteeStatus) -> Option<Reason> {
    use GuaranteeStatus as S;
    Some(match status {
        S::PendingAcceptance => reason(ReasonCode::NotYetAccepted, "the agency has not accepted the guarantee"),
        S::Claimed | S::ExtendOrPay => reason(ReasonCode::Claimed, "a claim on the guarantee is open"),
        S::Suspended => reason(ReasonCode::Suspended, "the guarantee is suspended"),
        S::Rejected => reason(ReasonCode::Rejected, "the agency rejected the guarantee"),
        S::Cancelled => reason(ReasonCode::Cancelled, "the bank cancelled the guarantee"),
        S::Released => reason(ReasonCode::Released, "the guarantee was released"),
        S::Expired => reason(ReasonCode::Expired, "the guarantee is expired"),
        S::PaidOut => reason(ReasonCode::PaidOut, "the guarantee was paid out in full"),
        S::Superseded => reason(ReasonCode::Superseded, "another guarantee replaced this one"),
        S::None | S::Active => return None,
    })
}

/// Every reason `g` does not satisfy the requirement on `date` (empty: it does). The public
/// verification page asks with no requirement beyond being in force.
pub(crate) fn check_guarantee(
    g: &Guarantee,
    agency: Option<&str>,
    project: Option<&str>,
    kind: Option<GuaranteeType>,
    minimum: Option<u128>,
    date: chrono::NaiveDate,
) -> Result<Vec<Reason>> {
    let row = &g.0;
    let mut reasons = Vec::new();
    if let Some(agency) = agency
        && agency != row.agency_code
    {
        reasons.push(reason(ReasonCode::WrongAgency, format!("the beneficiary is agency {}", row.agency_code)));
    }
    if let Some(project) = project
        && Some(project) != row.project_number.as_deref()
    {
        reasons.push(reason(ReasonCode::WrongProject, "the guarantee is for another project"));
    }
    if let Some(kind) = kind
        && kind != row.guarantee_type
    {
        reasons.push(reason(ReasonCode::WrongType, format!("the guarantee is of type {}", row.guarantee_type)));
    }
    reasons.extend(status_reason(row.status));
    let (start, end) = (dates::start_of_day(date), dates::end_of_day(date));
    if row.status != GuaranteeStatus::Expired
        && row.expiry_type == ExpiryType::FIXD
        && parse_u64("guarantees", &row.expiry_date)? < start
    {
        let expiry = iso_text("guarantees", &row.expiry_date)?;
        reasons.push(reason(ReasonCode::Expired, format!("the guarantee expired at {expiry}")));
    }
    if parse_u64("guarantees", &row.effective_date)? > end {
        reasons.push(reason(ReasonCode::NotYetEffective, "the guarantee takes effect after the date"));
    }
    if let Some(minimum) = minimum
        && row.outstanding.0 < minimum
    {
        reasons.push(reason(ReasonCode::OutstandingBelowMinimum, "the outstanding amount is below the minimum"));
    }
    Ok(reasons)
}

fn check_confirmation(
    c: &CreditConfirmation,
    project: &str,
    budget: u128,
    bid_date: chrono::NaiveDate,
) -> Result<Vec<Reason>> {
    const T: &str = "credit_confirmations";
    let row = &c.0;
    let mut reasons = Vec::new();
    match row.status {
        ConfirmationStatus::Revoked => reasons.push(reason(ReasonCode::Revoked, "the bank revoked the confirmation")),
        ConfirmationStatus::Superseded => {
            reasons.push(reason(ReasonCode::Superseded, "the bank replaced the confirmation"))
        }
        ConfirmationStatus::Expired => reasons.push(reason(ReasonCode::Expired, "the confirmation is expired")),
        ConfirmationStatus::None | ConfirmationStatus::Valid => {}
    }
    if row.purpose == Purpose::PROJECT && row.project_number.as_deref() != Some(project) {
        reasons.push(reason(ReasonCode::WrongProject, "the confirmation is for another project"));
    }
    let line = row.credit_line.0;
    if line.saturating_mul(4) < budget {
        reasons.push(reason(ReasonCode::BelowQuarterOfBudget, "the credit line is below a quarter of the budget"));
    }
    let issued = parse_u64(T, &row.issued_at)?;
    let earliest = dates::start_of_day(bid_date - chrono::Days::new(90));
    if issued < earliest {
        reasons.push(reason(ReasonCode::IssuedTooEarly, "issued more than 90 days before the bid date"));
    }
    if issued > dates::end_of_day(bid_date) {
        reasons.push(reason(ReasonCode::IssuedAfterBidDate, "issued after the bid date"));
    }
    if row.status == ConfirmationStatus::Valid && parse_u64(T, &row.valid_until)? < dates::start_of_day(bid_date) {
        let until = iso(parse_u64(T, &row.valid_until)?);
        reasons.push(reason(ReasonCode::Expired, format!("the confirmation was valid until {until}")));
    }
    Ok(reasons)
}

#[Object]
impl VerifyQuery {
    /// Whether a guarantee is good for what e-GP needs it for on a date (default: today in
    /// Bangkok, by the later of the wall clock and the newest indexed block): the right agency, project and type, in force on the date, not claimed,
    /// suspended or ended, with at least `minimumOutstanding` satang outstanding. With
    /// `fresh: true` the contract is also read at the indexed block and compared.
    #[allow(clippy::too_many_arguments, reason = "a flat list of what e-GP checks")]
    async fn verify_guarantee(
        &self,
        ctx: &Context<'_>,
        id: Option<String>,
        bank_code: Option<String>,
        bank_ref: Option<String>,
        agency_code: Option<String>,
        project_number: Option<String>,
        #[graphql(name = "type")] guarantee_type: Option<GuaranteeType>,
        minimum_outstanding: Option<String>,
        on_date: Option<String>,
        fresh: Option<bool>,
    ) -> async_graphql::Result<GuaranteeVerification> {
        principal(ctx)?;
        let id = record_id(id, bank_code, bank_ref)?;
        let minimum = minimum_outstanding.as_deref().map(|m| parse_amount("minimumOutstanding", m)).transpose()?;
        let date = match on_date.as_deref() {
            Some(d) => parse_date("onDate", d)?,
            None => today(session(ctx)?.marker().await?.as_ref()),
        };
        let on_date = date.format("%Y-%m-%d").to_string();
        let Some(guarantee) = visible_guarantee(ctx, id).await? else {
            let reasons = vec![reason(ReasonCode::NotFound, "no such guarantee")];
            return Ok(GuaranteeVerification { valid: false, reasons, on_date, guarantee: None, fresh: None });
        };
        let mut reasons = check_guarantee(
            &guarantee,
            agency_code.as_deref(),
            project_number.as_deref(),
            guarantee_type,
            minimum,
            date,
        )?;
        let mut fresh_check = None;
        if fresh.unwrap_or(false) {
            let marker = session(ctx)?.marker().await?;
            let Some(marker) = marker else {
                return Err(Error::NotFound { what: "indexed block" }.into());
            };
            let registry = alloy::primitives::Address::try_from(marker.guarantee_registry.as_slice())
                .map_err(|_| Error::Corrupt { table: "checkpoints", reason: "registry address".into() })?;
            match api(ctx).chain.compare_guarantee(registry, &guarantee.0, marker.block_number.max(0) as u64).await {
                Ok(differences) => {
                    if !differences.is_empty() {
                        reasons.push(reason(ReasonCode::ChainDisagrees, "the mirror and the contract disagree"));
                    }
                    let agrees = differences.is_empty();
                    fresh_check = Some(FreshCheck { block_number: marker.block_number, agrees, differences });
                }
                Err(error) => {
                    tracing::warn!(%error, "fresh read failed");
                    reasons.push(reason(ReasonCode::ChainUnavailable, "the contract could not be read"));
                }
            }
        }
        Ok(GuaranteeVerification {
            valid: reasons.is_empty(),
            reasons,
            on_date,
            guarantee: Some(guarantee),
            fresh: fresh_check,
        })
    }

    /// Whether a supplier holds a credit confirmation good for a bid: in force on the bid date,
    /// issued no more than 90 days before it, for this project (or a registration confirmation),
    /// with a credit line of at least a quarter of the budget (`budget` in satang).
    async fn verify_credit_confirmation(
        &self,
        ctx: &Context<'_>,
        tax_id: String,
        project_number: String,
        budget: String,
        bid_date: String,
    ) -> async_graphql::Result<ConfirmationVerification> {
        let who = principal(ctx)?;
        let api = api(ctx);
        let supplier = commit_tax_id(&api.pepper, &tax_id)?;
        let budget = parse_amount("budget", &budget)?;
        let date = parse_date("bidDate", &bid_date)?;
        let filter = ConfirmationFilter {
            supplier: Some(supplier),
            visible_bank: who.bank().map(|b| i32::from(b.get())),
            ..ConfirmationFilter::default()
        };
        let rows = db::confirmations(session(ctx)?, &filter).await?;
        let mut checks = Vec::with_capacity(rows.len());
        for row in rows {
            let confirmation = CreditConfirmation(row);
            let reasons = check_confirmation(&confirmation, &project_number, budget, date)?;
            checks.push(ConfirmationCheck { confirmation, reasons });
        }
        checks.sort_by_key(|c| !c.reasons.is_empty());
        let valid = checks.first().is_some_and(|c| c.reasons.is_empty());
        let reasons = if checks.is_empty() {
            vec![reason(ReasonCode::NoConfirmation, "the supplier holds no credit confirmation")]
        } else if valid {
            Vec::new()
        } else {
            let mut all: Vec<Reason> = Vec::new();
            for r in checks.iter().flat_map(|c| c.reasons.iter()) {
                if !all.iter().any(|seen| seen.code == r.code) {
                    all.push(r.clone());
                }
            }
            all
        };
        Ok(ConfirmationVerification {
            valid,
            reasons,
            bid_date: date.format("%Y-%m-%d").to_string(),
            confirmations: checks,
        })
    }
}
