//! The statements: static SQL with binds, or `QueryBuilder` with binds for the filtered pages.
//! Every statement is scoped to the snapshot's chain.

use sqlx::{Postgres, QueryBuilder};

use super::rows::*;
use super::session::Session;
use crate::Result;

/// Guarantees by id (any order; missing ids are absent).
pub async fn guarantees_by_id(session: &Session, ids: &[Vec<u8>]) -> Result<Vec<GuaranteeRow>> {
    let chain = session.chain_id().await?;
    let mut qb = QueryBuilder::<Postgres>::new("SELECT ");
    qb.push(GUARANTEE_COLUMNS).push(" FROM guarantees g WHERE g.chain_id = ").push_bind(chain);
    qb.push(" AND g.id = ANY(").push_bind(ids).push(")");
    Ok(qb.build_query_as().fetch_all(&mut *session.conn().await?).await?)
}

/// Amendments of guarantees, by guarantee then sequence.
pub async fn amendments_of(session: &Session, ids: &[Vec<u8>]) -> Result<Vec<AmendmentRow>> {
    children(session, AMENDMENT_COLUMNS, "guarantee_amendments", ids).await
}

/// Claims of guarantees, by guarantee then sequence.
pub async fn claims_of(session: &Session, ids: &[Vec<u8>]) -> Result<Vec<ClaimRow>> {
    children(session, CLAIM_COLUMNS, "guarantee_claims", ids).await
}

/// Reductions and releases of guarantees, by guarantee then sequence.
pub async fn releases_of(session: &Session, ids: &[Vec<u8>]) -> Result<Vec<ReleaseRow>> {
    children(session, RELEASE_COLUMNS, "guarantee_releases", ids).await
}

async fn children<T>(session: &Session, columns: &'static str, table: &'static str, ids: &[Vec<u8>]) -> Result<Vec<T>>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> + Send + Unpin,
{
    let chain = session.chain_id().await?;
    let mut qb = QueryBuilder::<Postgres>::new("SELECT ");
    qb.push(columns).push(" FROM ").push(table).push(" WHERE chain_id = ").push_bind(chain);
    qb.push(" AND guarantee_id = ANY(").push_bind(ids).push(") ORDER BY guarantee_id, sequence");
    Ok(qb.build_query_as().fetch_all(&mut *session.conn().await?).await?)
}

/// Every event of records of `kind` (as the record or as its related record), in chain order.
pub async fn history_of(session: &Session, kind: &'static str, ids: &[Vec<u8>]) -> Result<Vec<EventRow>> {
    let chain = session.chain_id().await?;
    let mut qb = QueryBuilder::<Postgres>::new("SELECT ");
    qb.push(EVENT_COLUMNS).push(" FROM events e WHERE e.chain_id = ").push_bind(chain);
    qb.push(" AND e.entity_kind = ").push_bind(kind);
    qb.push(" AND (e.entity_key = ANY(").push_bind(ids).push(") OR e.related_key = ANY(").push_bind(ids);
    qb.push(")) ORDER BY e.block_number, e.log_index");
    Ok(qb.build_query_as().fetch_all(&mut *session.conn().await?).await?)
}

/// The event at (`block`, `log_index`) of the snapshot's chain, if the mirror holds it.
pub async fn event_at(session: &Session, block: i64, log_index: i32) -> Result<Option<EventRow>> {
    let chain = session.chain_id().await?;
    let mut qb = QueryBuilder::<Postgres>::new("SELECT ");
    qb.push(EVENT_COLUMNS).push(" FROM events e WHERE e.chain_id = ").push_bind(chain);
    qb.push(" AND e.block_number = ").push_bind(block).push(" AND e.log_index = ").push_bind(log_index);
    Ok(qb.build_query_as().fetch_optional(&mut *session.conn().await?).await?)
}

/// Issuers by bank code, or all of them.
pub async fn issuers(session: &Session, codes: Option<&[i32]>) -> Result<Vec<IssuerRow>> {
    let chain = session.chain_id().await?;
    let mut qb = QueryBuilder::<Postgres>::new("SELECT ");
    qb.push(ISSUER_COLUMNS).push(" FROM issuers WHERE chain_id = ").push_bind(chain);
    if let Some(codes) = codes {
        qb.push(" AND bank_code = ANY(").push_bind(codes).push(")");
    }
    qb.push(" ORDER BY bank_code");
    Ok(qb.build_query_as().fetch_all(&mut *session.conn().await?).await?)
}

/// The last reorg the indexer rolled back on the snapshot's chain: (from block, to block, when).
pub async fn last_reorg(session: &Session) -> Result<Option<(i64, i64, i64)>> {
    let chain = session.chain_id().await?;
    Ok(sqlx::query_as(
        "SELECT from_block, to_block, extract(epoch FROM rolled_back_at)::BIGINT FROM reorgs
         WHERE chain_id = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(chain)
    .fetch_optional(&mut *session.conn().await?)
    .await?)
}

/// The reorgs rolled back on the snapshot's chain after reorg `after` (its id; `None`: from the
/// first): (the highest id, the first block undone by any of them), or `None` when there are none.
pub async fn reorgs_after(session: &Session, after: Option<i64>) -> Result<Option<(i64, i64)>> {
    let chain = session.chain_id().await?;
    let row: (Option<i64>, Option<i64>) = sqlx::query_as(
        "SELECT max(id), min(from_block) FROM reorgs WHERE chain_id = $1 AND ($2::bigint IS NULL OR id > $2)",
    )
    .bind(chain)
    .bind(after)
    .fetch_one(&mut *session.conn().await?)
    .await?;
    Ok(row.0.zip(row.1))
}

/// Agencies by code, or all of them.
pub async fn agencies(session: &Session, codes: Option<&[String]>) -> Result<Vec<AgencyRow>> {
    let chain = session.chain_id().await?;
    let mut qb = QueryBuilder::<Postgres>::new("SELECT ");
    qb.push(AGENCY_COLUMNS).push(" FROM agencies WHERE chain_id = ").push_bind(chain);
    if let Some(codes) = codes {
        qb.push(" AND code = ANY(").push_bind(codes).push(")");
    }
    qb.push(" ORDER BY code");
    Ok(qb.build_query_as().fetch_all(&mut *session.conn().await?).await?)
}

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
    /// Types (`PERF`, …).
    pub types: Vec<String>,
    /// Statuses (`Active`, …).
    pub statuses: Vec<String>,
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

impl GuaranteeSort {
    fn column(self) -> (&'static str, &'static str) {
        match self {
            Self::Issued => ("g.issued_block_number", "::bigint"),
            Self::Expiry => ("g.expiry_date", "::numeric"),
            Self::Amount => ("g.amount", "::numeric"),
            Self::Updated => ("g.block_number", "::bigint"),
        }
    }

    /// The sort key of `row`, as text (the cursor holds it).
    pub fn key(self, row: &GuaranteeRow) -> String {
        match self {
            Self::Issued => row.issued_block_number.to_string(),
            Self::Expiry => row.expiry_date.clone(),
            Self::Amount => row.amount.clone(),
            Self::Updated => row.provenance.block_number.to_string(),
        }
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
    pub from: Option<(String, Vec<u8>)>,
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
        qb.push(" AND g.guarantee_type <> 'TEND'");
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
        qb.push(" AND g.expiry_type = 'FIXD'");
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
    let (column, cast) = page.sort.column();
    // Reading order is descending when exactly one of "descending" and "backward" holds.
    let reverse = page.descending != page.backward;
    let mut qb = QueryBuilder::<Postgres>::new("SELECT ");
    qb.push(GUARANTEE_COLUMNS).push(" FROM guarantees g");
    push_guarantee_filter(&mut qb, chain, filter);
    if let Some((key, id)) = &page.from {
        qb.push(" AND (").push(column).push(", g.id) ").push(if reverse { "<" } else { ">" });
        qb.push(" (").push_bind(key.clone()).push(cast).push(", ").push_bind(id.clone()).push(")");
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
pub async fn guarantee_totals(session: &Session, filter: &GuaranteeFilter) -> Result<Vec<(String, i64, String)>> {
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
    /// `PROJECT` or `REGISTRATION`.
    pub purpose: Option<String>,
    /// Project number.
    pub project: Option<String>,
    /// Statuses (`Valid`, …).
    pub statuses: Vec<String>,
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
        qb.push(" AND c.purpose = ").push_bind(purpose.clone());
    }
    if let Some(project) = &f.project {
        qb.push(" AND c.project_number = ").push_bind(project.clone());
    }
    if !f.statuses.is_empty() {
        qb.push(" AND c.status = ANY(").push_bind(f.statuses.clone()).push(")");
    }
    if let Some((from, to)) = f.valid_between {
        qb.push(" AND c.status = 'Valid' AND c.issued_at <= ").push_bind(to.to_string()).push("::numeric");
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

/// Confirmations by id.
pub async fn confirmations_by_id(session: &Session, ids: &[Vec<u8>]) -> Result<Vec<ConfirmationRow>> {
    let chain = session.chain_id().await?;
    let mut qb = QueryBuilder::<Postgres>::new("SELECT ");
    qb.push(CONFIRMATION_COLUMNS).push(" FROM credit_confirmations c WHERE c.chain_id = ").push_bind(chain);
    qb.push(" AND c.id = ANY(").push_bind(ids).push(")");
    Ok(qb.build_query_as().fetch_all(&mut *session.conn().await?).await?)
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
