//! The indexer's transactions: a batch of events with its blocks, current-state rows and the
//! checkpoint in one transaction; the reorg rollback in one transaction; the writer's advisory
//! lock. Reading events back for the fold is here too.

use std::collections::BTreeSet;

use alloy::primitives::{Address, B256, Bytes, LogData};
use egp_store::notify::{Commit, CommitKind, MAX_CHANGED};
use sqlx::{Connection, PgConnection};

use crate::decode::{Decoder, EntityKey, IndexedEvent, Provenance};
use crate::prepare::PreparedBatch;
use crate::write;
use crate::write_state::{DerivedCopy, copy_derived};
use crate::{Error, Result, state};

/// The channel `NOTIFY` speaks on after every commit.
pub use egp_store::notify::CHANNEL as NOTIFY_CHANNEL;

/// The advisory lock only one writer holds (per database): "egpindex" in ASCII.
pub const WRITER_LOCK: i64 = 0x6567_7069_6e64_6578;

/// Where indexing stands for one chain and deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checkpoint {
    /// The chain.
    pub chain_id: u64,
    /// The deployment (consortium address).
    pub deployment: Address,
    /// Every block up to this one is indexed; `start_block - 1` before the first batch.
    pub block_number: i64,
    /// The hash of `block_number`, for reorg detection.
    pub block_hash: Option<B256>,
    /// The highest final block when the checkpoint last moved.
    pub final_block: i64,
}

/// Reads the checkpoint, creating it at `start_block - 1` (with that block's hash) if absent.
/// Fails when the database mirrors another deployment of the same chain.
pub async fn load_or_init_checkpoint(
    conn: &mut PgConnection,
    deployment: &egp_contracts::Deployment,
    start_parent_hash: Option<B256>,
) -> Result<Checkpoint> {
    let chain_id = deployment.chain_id as i64;
    let consortium = deployment.contracts.consortium.address;
    let others = sqlx::query_scalar!(
        "SELECT deployment FROM checkpoints WHERE chain_id = $1 AND deployment <> $2",
        chain_id,
        consortium.as_slice()
    )
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(other) = others {
        return Err(Error::OtherDeployment {
            chain_id: deployment.chain_id,
            stored: format!("0x{}", hex::encode(other)),
            manifest: consortium.to_string(),
        });
    }
    let start = deployment.start_block() as i64;
    sqlx::query!(
        "INSERT INTO checkpoints (chain_id, deployment, guarantee_registry, credit_confirmation_registry,
             start_block, block_number, block_hash)
         VALUES ($1, $2, $3, $4, $5, $5::bigint - 1, $6) ON CONFLICT DO NOTHING",
        chain_id,
        consortium.as_slice(),
        deployment.contracts.guarantee_registry.address.as_slice(),
        deployment.contracts.credit_confirmation_registry.address.as_slice(),
        start,
        start_parent_hash.map(|h| h.to_vec()),
    )
    .execute(&mut *conn)
    .await?;
    let row = sqlx::query!(
        "SELECT block_number, block_hash, final_block FROM checkpoints WHERE chain_id = $1 AND deployment = $2",
        chain_id,
        consortium.as_slice()
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(Checkpoint {
        chain_id: deployment.chain_id,
        deployment: consortium,
        block_number: row.block_number,
        block_hash: row.block_hash.as_deref().and_then(|h| B256::try_from(h).ok()),
        final_block: row.final_block,
    })
}

/// What one commit changed, for the metrics (the records it rewrote are the prepared batch's
/// `entities`).
#[derive(Debug, Clone, Default)]
pub struct Committed {
    /// Events newly stored.
    pub events: u64,
}

/// Commits a batch: blocks, events, the current state of every record they touch, finality flags
/// and the checkpoint, in one transaction, then `NOTIFY`. The checkpoint must still be at
/// `previous` (it only moves forward, and only from where this writer left it).
///
/// What needs no database was done by [`PreparedBatch::new`]; here the records that existed
/// before the batch are read back and replayed with the batch's events.
pub async fn commit_batch(
    conn: &mut PgConnection,
    decoder: &Decoder,
    previous: &Checkpoint,
    prepared: &PreparedBatch,
) -> Result<(Checkpoint, Committed)> {
    let chain_id = previous.chain_id;
    let batch = prepared.batch();
    if prepared.chain_id() != chain_id {
        return Err(Error::Inconsistent { block: batch.from, reason: "a batch prepared for another chain" });
    }
    let mut tx = conn.begin().await?;
    write::insert_blocks(&mut tx, chain_id, &batch.blocks, batch.final_block).await?;
    let history = load_events(&mut tx, decoder, chain_id, &prepared.existing).await?;
    let inserted = write::insert_encoded_events(&mut tx, chain_id, &batch.events, &prepared.events).await?;
    // Stored events are at or below the checkpoint, the batch's above it: chaining the two is
    // chain order, without copying the batch.
    let position = |e: &IndexedEvent| (e.provenance.block_number, e.provenance.log_index);
    if let (Some(last), Some(first)) = (history.last(), batch.events.first())
        && position(last) >= position(first)
    {
        return Err(Error::Inconsistent { block: batch.from, reason: "stored events above the checkpoint" });
    }
    let existing_rows =
        state::fold(chain_id, history.iter().chain(prepared.events_of_existing())).rows(&prepared.existing);
    let existing_rows = DerivedCopy::encode(&existing_rows)?;
    write::delete_derived(&mut tx, chain_id, &prepared.existing).await?;
    copy_derived(&mut tx, &[&prepared.created_rows, &existing_rows]).await?;
    let final_block = batch.final_block.map_or(previous.final_block, |f| (f as i64).max(previous.final_block));
    if final_block > previous.final_block {
        mark_final(&mut tx, chain_id, final_block).await?;
    }
    let moved = sqlx::query!(
        "UPDATE checkpoints SET block_number = $3, block_hash = $4, final_block = $5, updated_at = now()
         WHERE chain_id = $1 AND deployment = $2 AND block_number = $6 AND $3 >= block_number",
        chain_id as i64,
        previous.deployment.as_slice(),
        batch.to as i64,
        batch.to_hash.as_slice(),
        final_block,
        previous.block_number,
    )
    .execute(&mut *tx)
    .await?;
    if moved.rows_affected() != 1 {
        return Err(Error::CheckpointMoved { chain_id, expected: previous.block_number });
    }
    let payload = notify_payload(CommitKind::Batch, chain_id, batch.from, batch.to, inserted, &prepared.entities);
    sqlx::query!("SELECT pg_notify($1, $2)", NOTIFY_CHANNEL, payload).execute(&mut *tx).await?;
    tx.commit().await?;
    let checkpoint =
        Checkpoint { block_number: batch.to as i64, block_hash: Some(batch.to_hash), final_block, ..*previous };
    Ok((checkpoint, Committed { events: inserted }))
}

/// Moves the finality flags forward to `final_block` (only after a commit that saw it).
pub async fn advance_finality(conn: &mut PgConnection, checkpoint: &mut Checkpoint, final_block: u64) -> Result<()> {
    let final_block = (final_block as i64).min(checkpoint.block_number);
    if final_block <= checkpoint.final_block {
        return Ok(());
    }
    let mut tx = conn.begin().await?;
    mark_final(&mut tx, checkpoint.chain_id, final_block).await?;
    sqlx::query!(
        "UPDATE checkpoints SET final_block = $3 WHERE chain_id = $1 AND deployment = $2 AND final_block < $3",
        checkpoint.chain_id as i64,
        checkpoint.deployment.as_slice(),
        final_block
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    checkpoint.final_block = final_block;
    Ok(())
}

/// Undoes everything above `fork` (the highest block still canonical) in one transaction: events
/// and blocks are deleted, the current state of every record they touched is recomputed from
/// the events that remain, the checkpoint moves back to `fork`, and the reorg is recorded in
/// `reorgs`. Returns the new checkpoint.
pub async fn roll_back(
    conn: &mut PgConnection,
    decoder: &Decoder,
    previous: &Checkpoint,
    fork: i64,
    fork_hash: Option<B256>,
) -> Result<(Checkpoint, u64)> {
    let chain_id = previous.chain_id as i64;
    let mut tx = conn.begin().await?;
    let touched = sqlx::query!(
        "SELECT DISTINCT entity_kind AS \"kind!\", entity_key AS \"key!\", related_key
         FROM events WHERE chain_id = $1 AND block_number > $2 AND entity_kind IS NOT NULL",
        chain_id,
        fork
    )
    .fetch_all(&mut *tx)
    .await?;
    let mut entities = BTreeSet::new();
    for row in touched {
        entities.extend(EntityKey::from_stored(&row.kind, &row.key));
        if let Some(related) = row.related_key {
            entities.extend(EntityKey::from_stored(&row.kind, &related));
        }
    }
    let removed = sqlx::query!("DELETE FROM events WHERE chain_id = $1 AND block_number > $2", chain_id, fork)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    sqlx::query!("DELETE FROM blocks WHERE chain_id = $1 AND block_number > $2", chain_id, fork)
        .execute(&mut *tx)
        .await?;
    let history = load_events(&mut tx, decoder, previous.chain_id, &entities).await?;
    replace_state(&mut tx, previous.chain_id, &entities, &history).await?;
    let final_block = previous.final_block.min(fork);
    let moved = sqlx::query!(
        "UPDATE checkpoints SET block_number = $3, block_hash = $4, final_block = $5, updated_at = now()
         WHERE chain_id = $1 AND deployment = $2 AND block_number = $6",
        chain_id,
        previous.deployment.as_slice(),
        fork,
        fork_hash.map(|h| h.to_vec()),
        final_block,
        previous.block_number,
    )
    .execute(&mut *tx)
    .await?;
    if moved.rows_affected() != 1 {
        return Err(Error::CheckpointMoved { chain_id: previous.chain_id, expected: previous.block_number });
    }
    sqlx::query!(
        "INSERT INTO reorgs (chain_id, fork_block, from_block, to_block, events_removed) VALUES ($1, $2, $3, $4, $5)",
        chain_id,
        fork,
        fork + 1,
        previous.block_number,
        removed as i64,
    )
    .execute(&mut *tx)
    .await?;
    let payload = notify_payload(
        CommitKind::Reorg,
        previous.chain_id,
        (fork + 1) as u64,
        previous.block_number as u64,
        removed,
        &entities,
    );
    sqlx::query!("SELECT pg_notify($1, $2)", NOTIFY_CHANNEL, payload).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok((Checkpoint { block_number: fork, block_hash: fork_hash, final_block, ..*previous }, removed))
}

/// Rewrites the current-state rows of `entities` from `history` (their events, in chain order).
async fn replace_state(
    conn: &mut PgConnection,
    chain_id: u64,
    entities: &BTreeSet<EntityKey>,
    history: &[IndexedEvent],
) -> Result<()> {
    if entities.is_empty() {
        return Ok(());
    }
    let rows = state::fold(chain_id, history).rows(entities);
    write::delete_derived(conn, chain_id, entities).await?;
    write::insert_derived(conn, &rows).await
}

/// Sets `is_final` on every row whose (last) block is at or below `final_block`.
async fn mark_final(conn: &mut PgConnection, chain_id: u64, final_block: i64) -> Result<()> {
    let c = chain_id as i64;
    let f = final_block;
    sqlx::query!("UPDATE blocks SET is_final = true WHERE chain_id = $1 AND NOT is_final AND block_number <= $2", c, f)
        .execute(&mut *conn)
        .await?;
    sqlx::query!("UPDATE events SET is_final = true WHERE chain_id = $1 AND NOT is_final AND block_number <= $2", c, f)
        .execute(&mut *conn)
        .await?;
    sqlx::query!(
        "UPDATE issuers SET is_final = true WHERE chain_id = $1 AND NOT is_final AND block_number <= $2",
        c,
        f
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "UPDATE issuer_signers SET is_final = true WHERE chain_id = $1 AND NOT is_final AND block_number <= $2",
        c,
        f
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "UPDATE agencies SET is_final = true WHERE chain_id = $1 AND NOT is_final AND block_number <= $2",
        c,
        f
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "UPDATE gateways SET is_final = true WHERE chain_id = $1 AND NOT is_final AND block_number <= $2",
        c,
        f
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "UPDATE guarantees SET is_final = true WHERE chain_id = $1 AND NOT is_final AND block_number <= $2",
        c,
        f
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "UPDATE guarantee_amendments SET is_final = true WHERE chain_id = $1 AND NOT is_final AND block_number <= $2",
        c,
        f
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "UPDATE guarantee_claims SET is_final = true WHERE chain_id = $1 AND NOT is_final AND block_number <= $2",
        c,
        f
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "UPDATE guarantee_releases SET is_final = true WHERE chain_id = $1 AND NOT is_final AND block_number <= $2",
        c,
        f
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "UPDATE credit_confirmations SET is_final = true WHERE chain_id = $1 AND NOT is_final AND block_number <= $2",
        c,
        f
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Every stored event of `entities` (as the record or as its related record), decoded, in chain order.
pub async fn load_events(
    conn: &mut PgConnection,
    decoder: &Decoder,
    chain_id: u64,
    entities: &BTreeSet<EntityKey>,
) -> Result<Vec<IndexedEvent>> {
    let mut events = Vec::new();
    for kind in ["guarantee", "confirmation", "issuer", "agency", "gateway"] {
        let keys: Vec<Vec<u8>> = entities.iter().filter(|e| e.kind() == kind).map(EntityKey::key).collect();
        if keys.is_empty() {
            continue;
        }
        let rows = sqlx::query!(
            "SELECT contract_address, block_number, block_hash, block_timestamp, transaction_hash,
                 transaction_index, log_index, is_final, topic0, topic1, topic2, topic3, data
             FROM events
             WHERE chain_id = $1 AND entity_kind = $2 AND (entity_key = ANY($3) OR related_key = ANY($3))",
            chain_id as i64,
            kind,
            &keys
        )
        .fetch_all(&mut *conn)
        .await?;
        for row in rows {
            let block_hash = B256::try_from(row.block_hash.as_slice()).unwrap_or_default();
            let corrupt = |reason: &str| Error::CorruptEvent {
                block_hash,
                log_index: i64::from(row.log_index),
                reason: reason.to_owned(),
            };
            let provenance = Provenance {
                contract_address: Address::try_from(row.contract_address.as_slice())
                    .map_err(|_| corrupt("contract address"))?,
                block_number: row.block_number as u64,
                block_hash,
                block_timestamp: row.block_timestamp as u64,
                transaction_hash: B256::try_from(row.transaction_hash.as_slice()).map_err(|_| corrupt("tx hash"))?,
                transaction_index: row.transaction_index as u64,
                log_index: row.log_index as u64,
                is_final: row.is_final,
            };
            let topics = [Some(row.topic0), row.topic1, row.topic2, row.topic3]
                .into_iter()
                .flatten()
                .map(|t| B256::try_from(t.as_slice()).map_err(|_| corrupt("topic")))
                .collect::<Result<Vec<_>>>()?;
            let log = LogData::new_unchecked(topics, Bytes::from(row.data));
            events.push(decoder.decode(provenance, &log).map_err(|_| corrupt("not an event of the deployment"))?);
        }
    }
    // An event can be loaded twice (its record and its related record are both wanted).
    events.sort_by_key(|e| (e.provenance.block_number, e.provenance.log_index));
    events.dedup_by_key(|e| (e.provenance.block_number, e.provenance.log_index));
    Ok(events)
}

/// The `NOTIFY` payload: what changed, small enough for PostgreSQL's 8000-byte limit.
fn notify_payload(
    kind: CommitKind,
    chain_id: u64,
    from: u64,
    to: u64,
    events: u64,
    entities: &BTreeSet<EntityKey>,
) -> String {
    Commit {
        kind,
        chain_id,
        from_block: from as i64,
        to_block: to as i64,
        events,
        records: entities.len(),
        changed: entities
            .iter()
            .take(MAX_CHANGED)
            .map(|e| format!("{}:0x{}", e.kind(), hex::encode(e.key())))
            .collect(),
        truncated: entities.len() > MAX_CHANGED,
    }
    .payload()
}

/// Takes the writer lock if free. The lock lives as long as `conn`.
pub async fn try_lock_writer(conn: &mut PgConnection) -> Result<bool> {
    Ok(sqlx::query_scalar!("SELECT pg_try_advisory_lock($1) AS \"locked!\"", WRITER_LOCK).fetch_one(&mut *conn).await?)
}

/// The database process id of the session holding the writer lock, if any.
pub async fn lock_holder(conn: &mut PgConnection) -> Result<Option<i32>> {
    Ok(sqlx::query_scalar!(
        "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted
             AND ((classid::bigint << 32) | objid::bigint) = $1",
        WRITER_LOCK
    )
    .fetch_optional(&mut *conn)
    .await?
    .flatten())
}

/// Stored block headers at or below `at_or_below`, highest first, at most `limit`.
pub async fn stored_blocks(
    conn: &mut PgConnection,
    chain_id: u64,
    at_or_below: i64,
    limit: i64,
) -> Result<Vec<(u64, B256)>> {
    let rows = sqlx::query!(
        "SELECT block_number, block_hash FROM blocks WHERE chain_id = $1 AND block_number <= $2
         ORDER BY block_number DESC LIMIT $3",
        chain_id as i64,
        at_or_below,
        limit
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.block_number as u64, B256::try_from(r.block_hash.as_slice()).unwrap_or_default()))
        .collect())
}
