//! The statements of fixed shape, compile-checked with `query_as!` against the schema (the
//! committed `.sqlx/` cache): records by id, their children and history, issuers and agencies.
//! Every statement is scoped to the snapshot's chain.

use egp_store::{
    AmendmentStatus, ApplicantType, ClaimStatus, ConfirmationStatus, ExpiryType, GuaranteeAction, GuaranteeStatus,
    GuaranteeType, IssuerKind, IssuerStatus, Purpose, ReleaseKind, Satang,
};

use super::rows::*;
use super::session::Session;
use crate::Result;

/// Guarantees by id (any order; missing ids are absent).
pub async fn guarantees_by_id(session: &Session, ids: &[Vec<u8>]) -> Result<Vec<GuaranteeRow>> {
    let chain = session.chain_id().await?;
    Ok(sqlx::query_as!(
        GuaranteeRow,
        "SELECT chain_id, id, bank_code, bank_ref, branch_code, guarantee_type AS \"guarantee_type: "
            + "GuaranteeType\", currency, amount::text AS \"amount!: Satang\", outstanding::text AS "
            + "\"outstanding!: Satang\", total_paid::text AS \"total_paid!: Satang\", issue_date::text AS "
            + "\"issue_date!\", effective_date::text AS \"effective_date!\", expiry_type AS \"expiry_type: "
            + "ExpiryType\", expiry_date::text AS \"expiry_date!\", expiry_condition_hash, agency_code, "
            + "project_number, contract_number, applicant_commitment, applicant_type AS \"applicant_type: "
            + "ApplicantType\", document_hash, terms_hash, status AS \"status: GuaranteeStatus\", "
            + "status_before_suspension AS \"status_before_suspension: GuaranteeStatus\", "
            + "suspension_reason_hash, amendment_count, claim_count, release_count, amendment_pending, "
            + "pending_amount::text AS \"pending_amount!: Satang\", pending_expiry_date::text AS "
            + "\"pending_expiry_date!\", pending_terms_hash, claim_amount::text AS \"claim_amount!: "
            + "Satang\", claim_requested_expiry::text AS \"claim_requested_expiry!\", "
            + "obligations_ended_at::text AS \"obligations_ended_at\", return_deadline::text AS "
            + "\"return_deadline\", replaces, replaced_by, issued_by, issued_block_number, "
            + "issued_transaction_hash, contract_address, block_number, block_hash, block_timestamp, "
            + "transaction_hash, transaction_index, log_index, is_final FROM guarantees WHERE chain_id = $1 "
            + "AND id = ANY($2)",
        chain,
        ids
    )
    .fetch_all(&mut *session.conn().await?)
    .await?)
}

/// Amendments of guarantees, by guarantee then sequence.
pub async fn amendments_of(session: &Session, ids: &[Vec<u8>]) -> Result<Vec<AmendmentRow>> {
    let chain = session.chain_id().await?;
    Ok(sqlx::query_as!(
        AmendmentRow,
        "SELECT chain_id, guarantee_id, sequence, new_amount::text AS \"new_amount!: Satang\", "
            + "new_expiry_date::text AS \"new_expiry_date!\", terms_hash, status AS \"status: "
            + "AmendmentStatus\", reason_code, amount_after::text AS \"amount_after: Satang\", "
            + "outstanding_after::text AS \"outstanding_after: Satang\", expiry_date_after::text AS "
            + "\"expiry_date_after\", proposed_by, answered_by, proposed_block_number, lapse_cause AS "
            + "\"lapse_cause: GuaranteeAction\", contract_address, block_number, block_hash, "
            + "block_timestamp, transaction_hash, transaction_index, log_index, is_final FROM "
            + "guarantee_amendments WHERE chain_id = $1 AND guarantee_id = ANY($2) ORDER BY guarantee_id, "
            + "sequence",
        chain,
        ids
    )
    .fetch_all(&mut *session.conn().await?)
    .await?)
}

/// Claims of guarantees, by guarantee then sequence.
pub async fn claims_of(session: &Session, ids: &[Vec<u8>]) -> Result<Vec<ClaimRow>> {
    let chain = session.chain_id().await?;
    Ok(sqlx::query_as!(
        ClaimRow,
        "SELECT chain_id, guarantee_id, sequence, claim_amount::text AS \"claim_amount!: Satang\", "
            + "extend_or_pay, requested_expiry_date::text AS \"requested_expiry_date!\", demand_hash, "
            + "status AS \"status: ClaimStatus\", paid_amount::text AS \"paid_amount: Satang\", "
            + "payment_reference, outstanding_after::text AS \"outstanding_after: Satang\", "
            + "total_paid_after::text AS \"total_paid_after: Satang\", discrepancies, extended_to::text AS "
            + "\"extended_to\", claimed_by, closed_by, claimed_block_number, contract_address, "
            + "block_number, block_hash, block_timestamp, transaction_hash, transaction_index, log_index, "
            + "is_final FROM guarantee_claims WHERE chain_id = $1 AND guarantee_id = ANY($2) ORDER BY "
            + "guarantee_id, sequence",
        chain,
        ids
    )
    .fetch_all(&mut *session.conn().await?)
    .await?)
}

/// Reductions and releases of guarantees, by guarantee then sequence.
pub async fn releases_of(session: &Session, ids: &[Vec<u8>]) -> Result<Vec<ReleaseRow>> {
    let chain = session.chain_id().await?;
    Ok(sqlx::query_as!(
        ReleaseRow,
        "SELECT chain_id, guarantee_id, sequence, kind AS \"kind: ReleaseKind\", amount::text AS "
            + "\"amount!: Satang\", outstanding_after::text AS \"outstanding_after!: Satang\", "
            + "obligations_ended_at::text AS \"obligations_ended_at\", return_deadline::text AS "
            + "\"return_deadline\", released_by, contract_address, block_number, block_hash, "
            + "block_timestamp, transaction_hash, transaction_index, log_index, is_final FROM "
            + "guarantee_releases WHERE chain_id = $1 AND guarantee_id = ANY($2) ORDER BY guarantee_id, "
            + "sequence",
        chain,
        ids
    )
    .fetch_all(&mut *session.conn().await?)
    .await?)
}

/// Every event of records of `kind` (as the record or as its related record), in chain order.
pub async fn history_of(session: &Session, kind: &'static str, ids: &[Vec<u8>]) -> Result<Vec<EventRow>> {
    let chain = session.chain_id().await?;
    Ok(sqlx::query_as!(
        EventRow,
        "SELECT contract, event, entity_kind, entity_key, related_key, args AS \"args: serde_json::Value\", chain_id, "
            + "contract_address, block_number, block_hash, block_timestamp, transaction_hash, "
            + "transaction_index, log_index, is_final FROM events WHERE chain_id = $1 AND entity_kind = $2 "
            + "AND (entity_key = ANY($3) OR related_key = ANY($3)) ORDER BY block_number, log_index",
        chain,
        kind,
        ids
    )
    .fetch_all(&mut *session.conn().await?)
    .await?)
}

/// The event at (`block`, `log_index`) of the snapshot's chain, if the mirror holds it.
pub async fn event_at(session: &Session, block: i64, log_index: i32) -> Result<Option<EventRow>> {
    let chain = session.chain_id().await?;
    Ok(sqlx::query_as!(
        EventRow,
        "SELECT contract, event, entity_kind, entity_key, related_key, args AS \"args: serde_json::Value\", chain_id, "
            + "contract_address, block_number, block_hash, block_timestamp, transaction_hash, "
            + "transaction_index, log_index, is_final FROM events WHERE chain_id = $1 AND block_number = $2 "
            + "AND log_index = $3",
        chain,
        block,
        log_index
    )
    .fetch_optional(&mut *session.conn().await?)
    .await?)
}

/// Issuers by bank code, or all of them.
pub async fn issuers(session: &Session, codes: Option<&[i32]>) -> Result<Vec<IssuerRow>> {
    let chain = session.chain_id().await?;
    Ok(sqlx::query_as!(
        IssuerRow,
        "SELECT chain_id, bank_code, kind AS \"kind: IssuerKind\", name, status AS \"status: "
            + "IssuerStatus\", signer_count, suspension_reason_hash, admitted_block_number, "
            + "contract_address, block_number, block_hash, block_timestamp, transaction_hash, "
            + "transaction_index, log_index, is_final FROM issuers WHERE chain_id = $1 AND ($2::int[] IS "
            + "NULL OR bank_code = ANY($2)) ORDER BY bank_code",
        chain,
        codes
    )
    .fetch_all(&mut *session.conn().await?)
    .await?)
}

/// The last reorg the indexer rolled back on the snapshot's chain: (from block, to block, when).
pub async fn last_reorg(session: &Session) -> Result<Option<(i64, i64, i64)>> {
    let chain = session.chain_id().await?;
    let row = sqlx::query!(
        "SELECT from_block, to_block, extract(epoch FROM rolled_back_at)::BIGINT AS \"at!\" FROM reorgs
         WHERE chain_id = $1 ORDER BY id DESC LIMIT 1",
        chain
    )
    .fetch_optional(&mut *session.conn().await?)
    .await?;
    Ok(row.map(|r| (r.from_block, r.to_block, r.at)))
}

/// The reorgs rolled back on the snapshot's chain after reorg `after` (its id; `None`: from the
/// first): (the highest id, the first block undone by any of them), or `None` when there are none.
pub async fn reorgs_after(session: &Session, after: Option<i64>) -> Result<Option<(i64, i64)>> {
    let chain = session.chain_id().await?;
    let row = sqlx::query!(
        "SELECT max(id) AS last, min(from_block) AS first_undone FROM reorgs
         WHERE chain_id = $1 AND ($2::bigint IS NULL OR id > $2)",
        chain,
        after
    )
    .fetch_one(&mut *session.conn().await?)
    .await?;
    Ok(row.last.zip(row.first_undone))
}

/// The first block undone by the reorgs that undid block `number` on the snapshot's chain (the
/// earliest of them), or `None` when no reorg undid it.
pub async fn first_undone_with(session: &Session, number: i64) -> Result<Option<i64>> {
    let chain = session.chain_id().await?;
    Ok(sqlx::query_scalar!(
        "SELECT min(from_block) FROM reorgs WHERE chain_id = $1 AND from_block <= $2 AND to_block >= $2",
        chain,
        number
    )
    .fetch_one(&mut *session.conn().await?)
    .await?)
}

/// The hash of block `number` as the mirror holds it on the snapshot's chain, if it holds it.
pub async fn block_hash(session: &Session, number: i64) -> Result<Option<Vec<u8>>> {
    let chain = session.chain_id().await?;
    Ok(sqlx::query_scalar!("SELECT block_hash FROM blocks WHERE chain_id = $1 AND block_number = $2", chain, number)
        .fetch_optional(&mut *session.conn().await?)
        .await?)
}

/// Agencies by code, or all of them.
pub async fn agencies(session: &Session, codes: Option<&[String]>) -> Result<Vec<AgencyRow>> {
    let chain = session.chain_id().await?;
    Ok(sqlx::query_as!(
        AgencyRow,
        "SELECT chain_id, agency_code, code, name, contract_address, block_number, block_hash, "
            + "block_timestamp, transaction_hash, transaction_index, log_index, is_final FROM agencies "
            + "WHERE chain_id = $1 AND ($2::text[] IS NULL OR code = ANY($2)) ORDER BY code",
        chain,
        codes
    )
    .fetch_all(&mut *session.conn().await?)
    .await?)
}

/// Confirmations by id.
pub async fn confirmations_by_id(session: &Session, ids: &[Vec<u8>]) -> Result<Vec<ConfirmationRow>> {
    let chain = session.chain_id().await?;
    Ok(sqlx::query_as!(
        ConfirmationRow,
        "SELECT chain_id, id, bank_code, bank_ref, certifying_office, supplier_commitment, "
            + "supplier_type AS \"supplier_type: ApplicantType\", credit_line::text AS \"credit_line!: "
            + "Satang\", as_of_date::text AS \"as_of_date!\", issued_at::text AS \"issued_at!\", "
            + "valid_until::text AS \"valid_until!\", purpose AS \"purpose: Purpose\", project_number, "
            + "project_budget::text AS \"project_budget!: Satang\", document_hash, status AS \"status: "
            + "ConfirmationStatus\", revocation_reason, replaces, replaced_by, issued_by, "
            + "issued_block_number, issued_transaction_hash, contract_address, block_number, block_hash, "
            + "block_timestamp, transaction_hash, transaction_index, log_index, is_final FROM "
            + "credit_confirmations WHERE chain_id = $1 AND id = ANY($2)",
        chain,
        ids
    )
    .fetch_all(&mut *session.conn().await?)
    .await?)
}
