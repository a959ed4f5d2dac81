//! `guarantee(...)` and `guarantees(filter, orderBy, first/after/last/before)`.

use async_graphql::{Context, Enum, InputObject, Object};

use super::guarantee::{Guarantee, visible_guarantee};
use super::pagination::{Page, PageArgs, PageRequest, wants_total};
use super::types::{GuaranteeStatus, GuaranteeType, commit_tax_id, parse_amount, parse_bank, parse_date, parse_id};
use super::{api, principal, session};
use crate::db::{self, GuaranteeFilter, GuaranteeSort, Keyset};
use crate::{Error, Result};

/// The guarantee queries.
#[derive(Debug, Default)]
pub struct GuaranteeQuery;

/// Which guarantees to list; every field narrows the list.
#[derive(Debug, Clone, Default, InputObject)]
pub struct GuaranteeFilterInput {
    /// Issuing bank (`002`).
    pub bank_code: Option<String>,
    /// Beneficiary agency code (`21009`).
    pub agency_code: Option<String>,
    /// e-GP project number.
    pub project_number: Option<String>,
    /// The applicant's 13-digit tax id: validated and turned into its commitment inside the
    /// server; never stored, logged or echoed.
    pub supplier_tax_id: Option<String>,
    /// Any of these types.
    pub types: Option<Vec<GuaranteeType>>,
    /// Any of these statuses.
    pub statuses: Option<Vec<GuaranteeStatus>>,
    /// Fixed expiry on or after this date (`YYYY-MM-DD`, Bangkok).
    pub expiring_from: Option<String>,
    /// Fixed expiry on or before this date.
    pub expiring_to: Option<String>,
    /// Issued on or after this date.
    pub issued_from: Option<String>,
    /// Issued on or before this date.
    pub issued_to: Option<String>,
    /// Amount at least this many satang.
    pub amount_min: Option<String>,
    /// Amount at most this many satang.
    pub amount_max: Option<String>,
}

/// What a guarantee list is sorted by (ties broken by id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, Default)]
pub enum GuaranteeOrderField {
    /// The block it was issued in.
    #[default]
    Issued,
    /// Fixed expiry date.
    ExpiryDate,
    /// Amount.
    Amount,
    /// The block of its last change.
    Updated,
}

/// Sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, Default)]
pub enum Direction {
    /// Smallest first.
    #[default]
    Asc,
    /// Largest first.
    Desc,
}

/// The order of a guarantee list.
#[derive(Debug, Clone, Copy, Default, InputObject)]
pub struct GuaranteeOrder {
    /// Sort key.
    #[graphql(default)]
    pub field: GuaranteeOrderField,
    /// Direction.
    #[graphql(default)]
    pub direction: Direction,
}

/// The id named by `id` or by `bankCode` + `bankRef` (exactly one of the two).
pub(crate) fn record_id(id: Option<String>, bank_code: Option<String>, bank_ref: Option<String>) -> Result<Vec<u8>> {
    match (id, bank_code, bank_ref) {
        (Some(id), None, None) => parse_id("id", &id),
        (None, Some(bank), Some(bank_ref)) => {
            let bank: egp_contracts::BankCode =
                bank.parse().map_err(|_| Error::invalid("bankCode", "expected 3 digits, e.g. 002"))?;
            egp_contracts::types::check_bank_ref(&bank_ref)
                .map_err(|_| Error::invalid("bankRef", "expected 1 to 35 bytes"))?;
            Ok(egp_contracts::types::record_id(bank, &bank_ref).to_vec())
        }
        _ => Err(Error::invalid("id", "give either id, or bankCode and bankRef")),
    }
}

impl GuaranteeFilterInput {
    /// The database filter; the tax id becomes its commitment here.
    pub(crate) fn to_filter(&self, pepper: &egp_contracts::Pepper) -> Result<GuaranteeFilter> {
        let day_start = |f: &'static str, d: &Option<String>| -> Result<Option<u64>> {
            d.as_deref().map(|d| parse_date(f, d).map(egp_contracts::dates::start_of_day)).transpose()
        };
        let day_end = |f: &'static str, d: &Option<String>| -> Result<Option<u64>> {
            d.as_deref().map(|d| parse_date(f, d).map(egp_contracts::dates::end_of_day)).transpose()
        };
        Ok(GuaranteeFilter {
            bank: self.bank_code.as_deref().map(parse_bank).transpose()?,
            agency: self.agency_code.clone(),
            project: self.project_number.clone(),
            applicant: self.supplier_tax_id.as_deref().map(|id| commit_tax_id(pepper, id)).transpose()?,
            types: self.types.iter().flatten().copied().collect(),
            statuses: self.statuses.iter().flatten().copied().collect(),
            expiring_from: day_start("expiringFrom", &self.expiring_from)?,
            expiring_to: day_end("expiringTo", &self.expiring_to)?,
            issued_from: day_start("issuedFrom", &self.issued_from)?,
            issued_to: day_end("issuedTo", &self.issued_to)?,
            amount_min: self.amount_min.as_deref().map(|a| parse_amount("amountMin", a)).transpose()?,
            amount_max: self.amount_max.as_deref().map(|a| parse_amount("amountMax", a)).transpose()?,
            visible_bank: None,
            hide_tender: false,
        })
    }
}

#[Object]
impl GuaranteeQuery {
    /// One guarantee, by id or by bank code and bank reference. `NOT_FOUND` when it does not
    /// exist or the caller may not see it.
    async fn guarantee(
        &self,
        ctx: &Context<'_>,
        id: Option<String>,
        bank_code: Option<String>,
        bank_ref: Option<String>,
    ) -> async_graphql::Result<Option<Guarantee>> {
        principal(ctx)?.require_browse("read guarantees; use verifyGuarantee")?;
        let id = record_id(id, bank_code, bank_ref)?;
        match visible_guarantee(ctx, id).await? {
            Some(g) => Ok(Some(g)),
            None => Err(Error::NotFound { what: "guarantee" }.into()),
        }
    }

    /// Guarantees, filtered and sorted, as a Relay connection with `totalCount`. Pages hold at
    /// most the configured maximum (100); a larger `first`/`last` is `PAGE_TOO_LARGE`.
    #[graphql(complexity = "super::pagination::complexity(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments, reason = "the Relay arguments plus filter and order")]
    async fn guarantees(
        &self,
        ctx: &Context<'_>,
        filter: Option<GuaranteeFilterInput>,
        order_by: Option<GuaranteeOrder>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Page<Guarantee>> {
        let who = principal(ctx)?;
        who.require_browse("list guarantees")?;
        let api = api(ctx);
        let order = order_by.unwrap_or_default();
        let (sort, field) = match order.field {
            GuaranteeOrderField::Issued => (GuaranteeSort::Issued, "ISSUED"),
            GuaranteeOrderField::ExpiryDate => (GuaranteeSort::Expiry, "EXPIRY_DATE"),
            GuaranteeOrderField::Amount => (GuaranteeSort::Amount, "AMOUNT"),
            GuaranteeOrderField::Updated => (GuaranteeSort::Updated, "UPDATED"),
        };
        let descending = order.direction == Direction::Desc;
        let tag = format!("guarantees:{field}:{}", if descending { "DESC" } else { "ASC" });
        let args = PageArgs { after, before, first, last };
        let request = PageRequest::<u128>::new(args, tag, api.limits.max_page_size)?;
        let mut filter = filter.unwrap_or_default().to_filter(&api.pepper)?;
        filter.visible_bank = who.bank().map(|b| i32::from(b.get()));
        let from = request.from.as_ref().map(|c| sort.bound(c.key, c.id.clone())).transpose()?;
        let keyset = Keyset { sort, descending, backward: request.backward, from, limit: request.limit() };
        let session = session(ctx)?;
        let rows = db::guarantee_page(session, &filter, &keyset).await?;
        let total = if wants_total(ctx) { db::guarantee_count(session, &filter).await? } else { 0 };
        let rows = rows.into_iter().map(|row| (request.position(sort.key(&row), &row.id), Guarantee(row))).collect();
        Ok(request.connection(rows, total))
    }
}
