//! Credit confirmations: `creditConfirmation(...)` and `creditConfirmations(filter, ...)`.

use async_graphql::{Context, InputObject, Object};

use super::guarantee::{Bank, Event};
use super::guarantees::record_id;
use super::loaders::{HistoryOf, IssuerKey};
use super::pagination::{Page, PageArgs, PageRequest, wants_total};
use super::types::{
    Amount, ApplicantType, ConfirmationStatus, Provenance, Purpose, address, commit_tax_id, hex0x, iso_text,
    parse_bank, parse_date, parse_u64,
};
use super::{api, loader, principal, session, shared};
use crate::db::{self, ConfirmationFilter, ConfirmationRow};
use crate::{Error, Result};

const T: &str = "credit_confirmations";

/// A bank's statement that a supplier holds approved credit of at least an amount.
pub struct CreditConfirmation(pub ConfirmationRow);

#[Object]
impl CreditConfirmation {
    /// Id (0x-hex).
    async fn id(&self) -> String {
        hex0x(&self.0.id)
    }
    /// Issuing bank's code.
    async fn bank_code(&self) -> String {
        format!("{:03}", self.0.bank_code)
    }
    /// The issuing bank.
    async fn bank(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Bank>> {
        Ok(loader(ctx).load_one(IssuerKey(self.0.bank_code)).await.map_err(shared)?.map(Bank))
    }
    /// The bank's reference.
    async fn bank_ref(&self) -> &str {
        &self.0.bank_ref
    }
    /// The certifying office (head office or an authorised branch).
    async fn certifying_office(&self) -> &str {
        &self.0.certifying_office
    }
    /// HMAC-SHA256 commitment of the supplier's tax id.
    async fn supplier_commitment(&self) -> String {
        hex0x(&self.0.supplier_commitment)
    }
    /// Company or individual.
    async fn supplier_type(&self) -> async_graphql::Result<ApplicantType> {
        Ok(self.0.supplier_type)
    }
    /// Approved credit line.
    async fn credit_line(&self) -> async_graphql::Result<Amount> {
        Ok(Amount::from(self.0.credit_line))
    }
    /// Facilities as of (ISO-8601, Asia/Bangkok).
    async fn as_of_date(&self) -> async_graphql::Result<String> {
        Ok(iso_text(T, &self.0.as_of_date)?)
    }
    /// Issued at.
    async fn issued_at(&self) -> async_graphql::Result<String> {
        Ok(iso_text(T, &self.0.issued_at)?)
    }
    /// Valid until.
    async fn valid_until(&self) -> async_graphql::Result<String> {
        Ok(iso_text(T, &self.0.valid_until)?)
    }
    /// Project or registration.
    async fn purpose(&self) -> async_graphql::Result<Purpose> {
        Ok(self.0.purpose)
    }
    /// e-GP project number (PROJECT).
    async fn project_number(&self) -> Option<&str> {
        self.0.project_number.as_deref()
    }
    /// Project budget (PROJECT).
    async fn project_budget(&self) -> async_graphql::Result<Amount> {
        Ok(Amount::from(self.0.project_budget))
    }
    /// SHA-256 of the signed confirmation document.
    async fn document_hash(&self) -> String {
        hex0x(&self.0.document_hash)
    }
    /// Status as stored.
    async fn status(&self) -> async_graphql::Result<ConfirmationStatus> {
        Ok(self.0.status)
    }
    /// Whether `validUntil` has passed (by the wall clock), whatever the stored status says.
    async fn expired(&self) -> async_graphql::Result<bool> {
        Ok(parse_u64(T, &self.0.valid_until)? < chrono::Utc::now().timestamp().max(0) as u64)
    }
    /// The bank's revocation reason code.
    async fn revocation_reason(&self) -> Option<&str> {
        self.0.revocation_reason.as_deref()
    }
    /// Id of the confirmation this one replaced.
    async fn replaces_id(&self) -> Option<String> {
        self.0.replaces.as_deref().map(hex0x)
    }
    /// Id of the confirmation that replaced this one.
    async fn replaced_by_id(&self) -> Option<String> {
        self.0.replaced_by.as_deref().map(hex0x)
    }
    /// The signer that issued it.
    async fn issued_by(&self) -> String {
        address(&self.0.issued_by)
    }
    /// Block it was issued in.
    async fn issued_block_number(&self) -> i64 {
        self.0.issued_block_number
    }
    /// Every event of the confirmation, in chain order.
    #[graphql(complexity = "20 * child_complexity")]
    async fn history(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Event>> {
        let rows = loader(ctx).load_one(HistoryOf("confirmation", self.0.id.clone())).await.map_err(shared)?;
        Ok(rows.unwrap_or_default().into_iter().map(Event).collect())
    }
    /// The event that last changed it.
    async fn provenance(&self) -> Provenance {
        Provenance::from(&self.0.provenance())
    }
}

/// Which credit confirmations to list.
#[derive(Debug, Clone, Default, InputObject)]
pub struct ConfirmationFilterInput {
    /// The supplier's 13-digit tax id (validated, committed inside the server, never echoed).
    pub supplier_tax_id: Option<String>,
    /// Issuing bank.
    pub bank_code: Option<String>,
    /// Purpose.
    pub purpose: Option<Purpose>,
    /// Project number.
    pub project_number: Option<String>,
    /// Any of these stored statuses.
    pub statuses: Option<Vec<ConfirmationStatus>>,
    /// In force at some moment of this Bangkok date (`YYYY-MM-DD`).
    pub valid_on: Option<String>,
}

impl ConfirmationFilterInput {
    fn to_filter(&self, pepper: &egp_contracts::Pepper) -> Result<ConfirmationFilter> {
        let valid_between = match &self.valid_on {
            Some(d) => {
                let d = parse_date("validOn", d)?;
                Some((egp_contracts::dates::start_of_day(d), egp_contracts::dates::end_of_day(d)))
            }
            None => None,
        };
        Ok(ConfirmationFilter {
            supplier: self.supplier_tax_id.as_deref().map(|id| commit_tax_id(pepper, id)).transpose()?,
            bank: self.bank_code.as_deref().map(parse_bank).transpose()?,
            purpose: self.purpose,
            project: self.project_number.clone(),
            statuses: self.statuses.iter().flatten().copied().collect(),
            valid_between,
            visible_bank: None,
        })
    }
}

/// The credit confirmation queries.
#[derive(Debug, Default)]
pub struct ConfirmationQuery;

#[Object]
impl ConfirmationQuery {
    /// One credit confirmation, by id or by bank code and bank reference.
    async fn credit_confirmation(
        &self,
        ctx: &Context<'_>,
        id: Option<String>,
        bank_code: Option<String>,
        bank_ref: Option<String>,
    ) -> async_graphql::Result<Option<CreditConfirmation>> {
        let who = principal(ctx)?;
        who.require_browse("read credit confirmations; use verifyCreditConfirmation")?;
        let id = record_id(id, bank_code, bank_ref)?;
        let rows = db::confirmations_by_id(session(ctx)?, &[id]).await?;
        match rows.into_iter().find(|c| who.sees(c.bank_code, None)) {
            Some(row) => Ok(Some(CreditConfirmation(row))),
            None => Err(Error::NotFound { what: "credit confirmation" }.into()),
        }
    }

    /// Credit confirmations, filtered, oldest first, as a Relay connection with `totalCount`.
    #[graphql(complexity = "super::pagination::complexity(first, last, child_complexity)")]
    async fn credit_confirmations(
        &self,
        ctx: &Context<'_>,
        filter: Option<ConfirmationFilterInput>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Page<CreditConfirmation>> {
        let who = principal(ctx)?;
        who.require_browse("list credit confirmations")?;
        let api = api(ctx);
        let args = PageArgs { after, before, first, last };
        let request = PageRequest::<i64>::new(args, "creditConfirmations:ISSUED:ASC", api.limits.max_page_size)?;
        let mut filter = filter.unwrap_or_default().to_filter(&api.pepper)?;
        filter.visible_bank = who.bank().map(|b| i32::from(b.get()));
        let from = request.from.as_ref().map(|c| (c.key, c.id.clone()));
        let session = session(ctx)?;
        let rows = db::confirmation_page(session, &filter, request.backward, from, request.limit()).await?;
        let total = if wants_total(ctx) { db::confirmation_count(session, &filter).await? } else { 0 };
        let rows =
            rows.into_iter().map(|r| (request.position(r.issued_block_number, &r.id), CreditConfirmation(r))).collect();
        Ok(request.connection(rows, total))
    }
}
