//! The statements whose filters are dynamic: `QueryBuilder` with binds (never a value in the
//! SQL text) for the filtered pages, counts and statistics and the events after a position, each
//! filter covered by the API's tests (`tests/it/guarantees.rs`, `confirmations.rs`,
//! `open_data.rs`). Every statement is scoped to the snapshot's chain.

use sqlx::{Postgres, QueryBuilder};

use egp_store::{ConfirmationStatus, ExpiryType, GuaranteeStatus, GuaranteeType, Purpose, Satang};

use super::rows::*;
use super::session::Session;
use crate::{Error, Result};

/// Which guarantees a page or a count covers. Every field narrows; `None`/empty means any.
#[derive(Debug, Clone, Default)]
pub struct GuaranteeFilter {
    /// Issuing bank.
    pub bank: Option<i32>,
    /// Beneficiary agency code.
    pub agency: Option<String>,
    /// e-GP project number.
    pub project: Option<String>,
    /// Applicant commitment (HMAC of the tax id).
    pub applicant: Option<Vec<u8>>,
    /// Any of these types.
    pub types: Vec<GuaranteeType>,
    /// Any of these statuses.
    pub statuses: Vec<GuaranteeStatus>,
    /// Fixed expiry at or after (Unix seconds).
    pub expiring_from: Option<u64>,
    /// Fixed expiry at or before.
    pub expiring_to: Option<u64>,
    /// Issue date at or after.
    pub issued_from: Option<u64>,
    /// Issue date at or before.
    pub issued_to: Option<u64>,
    /// Amount at least (satang).
    pub amount_min: Option<u128>,
    /// Amount at most (satang).
    pub amount_max: Option<u128>,
    /// The caller's bank, when the caller sees only its own records.
    pub visible_bank: Option<i32>,
    /// Leave tender guarantees out (callers who may not see them).
    pub hide_tender: bool,
}

/// The order of a guarantee page; ties are broken by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GuaranteeSort {
    /// By the block the guarantee was issued in.
    Issued,
    /// By fixed expiry date.
    Expiry,
    /// By amount.
    Amount,
    /// By the block of the last change.
    Updated,
}

/// A position in a guarantee order: a block number (`BIGINT`) or a `NUMERIC` (date, amount).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SortKey {
    /// A block number.
    Block(i64),
    /// Expiry date (Unix seconds) or amount (satang).
    Numeric(u128),
}

impl GuaranteeSort {
    fn column(self) -> &'static str {
        match self {
            Self::Issued => "g.issued_block_number",
            Self::Expiry => "g.expiry_date",
            Self::Amount => "g.amount",
            Self::Updated => "g.block_number",
        }
    }

    /// The sort key of `row` (the cursor holds it).
    pub fn key(self, row: &GuaranteeRow) -> u128 {
        match self {
            Self::Issued => row.issued_block_number.max(0) as u128,
            Self::Expiry => row.expiry_date.parse().unwrap_or_default(),
            Self::Amount => row.amount.0,
            Self::Updated => row.block_number.max(0) as u128,
        }
    }

    /// The bound of a page from a cursor's key and id: a block number must fit a `BIGINT`.
    pub fn bound(self, key: u128, id: Vec<u8>) -> Result<(SortKey, Vec<u8>)> {
        let key = match self {
            Self::Issued | Self::Updated => {
                SortKey::Block(i64::try_from(key).map_err(|_| Error::invalid("cursor", "not a cursor of this API"))?)
            }
            Self::Expiry | Self::Amount => SortKey::Numeric(key),
        };
        Ok((key, id))
    }
}

/// One page request in keyset form.
#[derive(Debug, Clone)]
pub struct Keyset {
    /// Sort column.
    pub sort: GuaranteeSort,
    /// Whether the visible order is descending.
    pub descending: bool,
    /// Whether rows are read from the end (`last`/`before`).
    pub backward: bool,
    /// Rows strictly beyond this (sort key, id), in reading order.
    pub from: Option<(SortKey, Vec<u8>)>,
    /// Rows to read.
    pub limit: i64,
}

fn push_guarantee_filter(qb: &mut QueryBuilder<'_, Postgres>, chain: i64, f: &GuaranteeFilter) {
    qb.push(" WHERE g.chain_id = ").push_bind(chain);
    if let Some(bank) = f.bank {
        qb.push(" AND g.bank_code = ").push_bind(bank);
    }
    if let Some(bank) = f.visible_bank {
        qb.push(" AND g.bank_code = ").push_bind(bank);
    }
    if f.hide_tender {
        qb.push(" AND g.guarantee_type <> ").push_bind(GuaranteeType::TEND);
    }
    if let Some(agency) = &f.agency {
        qb.push(" AND g.agency_code = ").push_bind(agency.clone());
    }
    if let Some(project) = &f.project {
        qb.push(" AND g.project_number = ").push_bind(project.clone());
    }
    if let Some(applicant) = &f.applicant {
        qb.push(" AND g.applicant_commitment = ").push_bind(applicant.clone());
    }
    if !f.types.is_empty() {
        qb.push(" AND g.guarantee_type = ANY(").push_bind(f.types.clone()).push(")");
    }
    if !f.statuses.is_empty() {
        qb.push(" AND g.status = ANY(").push_bind(f.statuses.clone()).push(")");
    }
    if f.expiring_from.is_some() || f.expiring_to.is_some() {
        qb.push(" AND g.expiry_type = ").push_bind(ExpiryType::FIXD);
    }
    if let Some(from) = f.expiring_from {
        qb.push(" AND g.expiry_date >= ").push_bind(from.to_string()).push("::numeric");
    }
    if let Some(to) = f.expiring_to {
        qb.push(" AND g.expiry_date <= ").push_bind(to.to_string()).push("::numeric");
    }
    if let Some(from) = f.issued_from {
        qb.push(" AND g.issue_date >= ").push_bind(from.to_string()).push("::numeric");
    }
    if let Some(to) = f.issued_to {
        qb.push(" AND g.issue_date <= ").push_bind(to.to_string()).push("::numeric");
    }
    if let Some(min) = f.amount_min {
        qb.push(" AND g.amount >= ").push_bind(min.to_string()).push("::numeric");
    }
    if let Some(max) = f.amount_max {
        qb.push(" AND g.amount <= ").push_bind(max.to_string()).push("::numeric");
    }
}

/// One page of guarantees in reading order (reverse it for `backward`), `limit` rows at most.
pub async fn guarantee_page(session: &Session, filter: &GuaranteeFilter, page: &Keyset) -> Result<Vec<GuaranteeRow>> {
    let chain = session.chain_id().await?;
    let column = page.sort.column();
    // Reading order is descending when exactly one of "descending" and "backward" holds.
    let reverse = page.descending != page.backward;
    let mut qb = QueryBuilder::<Postgres>::new("SELECT ");
    qb.push(GUARANTEE_COLUMNS).push(" FROM guarantees g");
    push_guarantee_filter(&mut qb, chain, filter);
    if let Some((key, id)) = &page.from {
        qb.push(" AND (").push(column).push(", g.id) ").push(if reverse { "<" } else { ">" });
        qb.push(" (");
        match key {
            SortKey::Block(block) => qb.push_bind(*block),
            SortKey::Numeric(value) => qb.push_bind(value.to_string()).push("::numeric"),
        };
        qb.push(", ").push_bind(id.clone()).push(")");
    }
    let direction = if reverse { " DESC" } else { " ASC" };
    qb.push(" ORDER BY ").push(column).push(direction).push(", g.id").push(direction);
    qb.push(" LIMIT ").push_bind(page.limit);
    Ok(qb.build_query_as().fetch_all(&mut *session.conn().await?).await?)
}

/// How many guarantees `filter` covers.
pub async fn guarantee_count(session: &Session, filter: &GuaranteeFilter) -> Result<i64> {
    let chain = session.chain_id().await?;
    let mut qb = QueryBuilder::<Postgres>::new("SELECT count(*) FROM guarantees g");
    push_guarantee_filter(&mut qb, chain, filter);
    Ok(qb.build_query_scalar().fetch_one(&mut *session.conn().await?).await?)
}

/// Per-status counts and the outstanding sum of `filter`'s guarantees.
pub async fn guarantee_totals(
    session: &Session,
    filter: &GuaranteeFilter,
) -> Result<Vec<(GuaranteeStatus, i64, Satang)>> {
    let chain = session.chain_id().await?;
    let mut qb = QueryBuilder::<Postgres>::new(
        "SELECT g.status, count(*), coalesce(sum(g.outstanding), 0)::text FROM guarantees g",
    );
    push_guarantee_filter(&mut qb, chain, filter);
    qb.push(" GROUP BY g.status ORDER BY g.status");
    Ok(qb.build_query_as().fetch_all(&mut *session.conn().await?).await?)
}

/// Counts and sums of `filter`'s guarantees by month of issue (Bangkok), type, bank and
/// status, with the bank's name; in that order.
pub async fn guarantee_cells(session: &Session, filter: &GuaranteeFilter) -> Result<Vec<GuaranteeCellRow>> {
    let chain = session.chain_id().await?;
    // Issue dates are Unix seconds; Bangkok is UTC+7 all year.
    let mut qb = QueryBuilder::<Postgres>::new(
        "SELECT to_char(to_timestamp((g.issue_date + 25200)::double precision) AT TIME ZONE 'UTC', 'YYYY-MM') AS month, \
         g.guarantee_type, g.bank_code, coalesce(min(i.name), '') AS bank_name, g.status, count(*) AS count, \
         sum(g.amount)::text AS amount, sum(g.outstanding)::text AS outstanding \
         FROM guarantees g LEFT JOIN issuers i ON i.chain_id = g.chain_id AND i.bank_code = g.bank_code",
    );
    push_guarantee_filter(&mut qb, chain, filter);
    qb.push(" GROUP BY 1, g.guarantee_type, g.bank_code, g.status ORDER BY 1, g.guarantee_type, g.bank_code, g.status");
    Ok(qb.build_query_as().fetch_all(&mut *session.conn().await?).await?)
}

/// Which credit confirmations a query covers.
#[derive(Debug, Clone, Default)]
pub struct ConfirmationFilter {
    /// Supplier commitment.
    pub supplier: Option<Vec<u8>>,
    /// Issuing bank.
    pub bank: Option<i32>,
    /// Purpose.
    pub purpose: Option<Purpose>,
    /// Project number.
    pub project: Option<String>,
    /// Any of these stored statuses.
    pub statuses: Vec<ConfirmationStatus>,
    /// Valid at some moment of [from, to] (Unix seconds): status `Valid`, issued by `to`, valid until `from` or later.
    pub valid_between: Option<(u64, u64)>,
    /// The caller's bank, when the caller sees only its own records.
    pub visible_bank: Option<i32>,
}

fn push_confirmation_filter(qb: &mut QueryBuilder<'_, Postgres>, chain: i64, f: &ConfirmationFilter) {
    qb.push(" WHERE c.chain_id = ").push_bind(chain);
    if let Some(supplier) = &f.supplier {
        qb.push(" AND c.supplier_commitment = ").push_bind(supplier.clone());
    }
    if let Some(bank) = f.bank {
        qb.push(" AND c.bank_code = ").push_bind(bank);
    }
    if let Some(bank) = f.visible_bank {
        qb.push(" AND c.bank_code = ").push_bind(bank);
    }
    if let Some(purpose) = &f.purpose {
        qb.push(" AND c.purpose = ").push_bind(*purpose);
    }
    if let Some(project) = &f.project {
        qb.push(" AND c.project_number = ").push_bind(project.clone());
    }
    if !f.statuses.is_empty() {
        qb.push(" AND c.status = ANY(").push_bind(f.statuses.clone()).push(")");
    }
    if let Some((from, to)) = f.valid_between {
        qb.push(" AND c.status = ").push_bind(ConfirmationStatus::Valid);
        qb.push(" AND c.issued_at <= ").push_bind(to.to_string()).push("::numeric");
        qb.push(" AND c.valid_until >= ").push_bind(from.to_string()).push("::numeric");
    }
}

/// One page of confirmations in reading order, keyed by (issued block, id).
pub async fn confirmation_page(
    session: &Session,
    filter: &ConfirmationFilter,
    backward: bool,
    from: Option<(i64, Vec<u8>)>,
    limit: i64,
) -> Result<Vec<ConfirmationRow>> {
    let chain = session.chain_id().await?;
    let mut qb = QueryBuilder::<Postgres>::new("SELECT ");
    qb.push(CONFIRMATION_COLUMNS).push(" FROM credit_confirmations c");
    push_confirmation_filter(&mut qb, chain, filter);
    if let Some((block, id)) = from {
        qb.push(" AND (c.issued_block_number, c.id) ").push(if backward { "<" } else { ">" });
        qb.push(" (").push_bind(block).push(", ").push_bind(id).push(")");
    }
    let direction = if backward { " DESC" } else { " ASC" };
    qb.push(" ORDER BY c.issued_block_number").push(direction).push(", c.id").push(direction);
    qb.push(" LIMIT ").push_bind(limit);
    Ok(qb.build_query_as().fetch_all(&mut *session.conn().await?).await?)
}

/// How many confirmations `filter` covers.
pub async fn confirmation_count(session: &Session, filter: &ConfirmationFilter) -> Result<i64> {
    let chain = session.chain_id().await?;
    let mut qb = QueryBuilder::<Postgres>::new("SELECT count(*) FROM credit_confirmations c");
    push_confirmation_filter(&mut qb, chain, filter);
    Ok(qb.build_query_scalar().fetch_one(&mut *session.conn().await?).await?)
}

/// Every confirmation `filter` covers (for verification: one supplier's, a handful).
pub async fn confirmations(session: &Session, filter: &ConfirmationFilter) -> Result<Vec<ConfirmationRow>> {
    confirmation_page(session, filter, false, None, 1000).await
}

/// Events of records of `kind` after (block, log index), up to `to_block`, at most `limit`, in
/// chain order; `bank` keeps only events of that bank's records.
pub async fn events_after(
    session: &Session,
    kind: &'static str,
    after: (i64, i32),
    to_block: i64,
    record: Option<Vec<u8>>,
    bank: Option<i32>,
    limit: i64,
) -> Result<Vec<EventRow>> {
    let chain = session.chain_id().await?;
    let mut qb = QueryBuilder::<Postgres>::new("SELECT ");
    qb.push(EVENT_COLUMNS).push(" FROM events e WHERE e.chain_id = ").push_bind(chain);
    qb.push(" AND e.entity_kind = ").push_bind(kind);
    qb.push(" AND (e.block_number, e.log_index) > (").push_bind(after.0).push(", ").push_bind(after.1).push(")");
    qb.push(" AND e.block_number <= ").push_bind(to_block);
    if let Some(record) = record {
        qb.push(" AND e.entity_key = ").push_bind(record);
    }
    if let Some(bank) = bank {
        let table = if kind == "guarantee" { "guarantees" } else { "credit_confirmations" };
        qb.push(" AND e.entity_key IN (SELECT id FROM ").push(table).push(" WHERE chain_id = ").push_bind(chain);
        qb.push(" AND bank_code = ").push_bind(bank).push(")");
    }
    qb.push(" ORDER BY e.block_number, e.log_index LIMIT ").push_bind(limit);
    Ok(qb.build_query_as().fetch_all(&mut *session.conn().await?).await?)
}
