//! Batched writes, never one statement per row: events and current-state rows go in through
//! binary `COPY` (the `copy` module), block headers through one `INSERT ... SELECT FROM UNNEST(...)`.
//! Current-state rows are replaced record by record (delete, then write what the fold produced),
//! inside the caller's transaction.

use std::collections::{BTreeSet, HashMap};

use sqlx::PgConnection;

use crate::copy::{self, CopyData, CopyRow, Encoder};
use crate::decode::{EntityKey, IndexedEvent};
use crate::rows::Derived;
use crate::write_state::{DerivedCopy, copy_derived};
use crate::{Error, Result};

/// A block header as stored in `blocks`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockHeader {
    /// Number.
    pub number: u64,
    /// Hash.
    pub hash: alloy::primitives::B256,
    /// Parent hash.
    pub parent_hash: alloy::primitives::B256,
    /// Timestamp, Unix seconds.
    pub timestamp: u64,
}

/// Stores block headers (replacing a stored header of the same number).
pub async fn insert_blocks(
    conn: &mut PgConnection,
    chain_id: u64,
    blocks: &[BlockHeader],
    final_block: Option<u64>,
) -> Result<()> {
    if blocks.is_empty() {
        return Ok(());
    }
    let numbers: Vec<i64> = blocks.iter().map(|b| b.number as i64).collect();
    let hashes: Vec<Vec<u8>> = blocks.iter().map(|b| b.hash.to_vec()).collect();
    let parents: Vec<Vec<u8>> = blocks.iter().map(|b| b.parent_hash.to_vec()).collect();
    let timestamps: Vec<i64> = blocks.iter().map(|b| b.timestamp as i64).collect();
    let finals: Vec<bool> = blocks.iter().map(|b| final_block.is_some_and(|f| b.number <= f)).collect();
    sqlx::query!(
        "INSERT INTO blocks (chain_id, block_number, block_hash, parent_hash, block_timestamp, is_final)
         SELECT $1, * FROM UNNEST($2::bigint[], $3::bytea[], $4::bytea[], $5::bigint[], $6::bool[])
         ON CONFLICT (chain_id, block_number) DO UPDATE SET block_hash = EXCLUDED.block_hash,
             parent_hash = EXCLUDED.parent_hash, block_timestamp = EXCLUDED.block_timestamp,
             is_final = EXCLUDED.is_final",
        chain_id as i64,
        &numbers,
        &hashes,
        &parents,
        &timestamps,
        &finals,
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// An event as a row of `events`.
struct EventRow<'a> {
    chain_id: i64,
    event: &'a IndexedEvent,
}

impl CopyRow for EventRow<'_> {
    const STATEMENT: &'static str = "COPY events (chain_id, contract_address, block_number, block_hash, \
         block_timestamp, transaction_hash, transaction_index, log_index, is_final, contract, event, entity_kind, \
         entity_key, related_key, topic0, topic1, topic2, topic3, data, args) FROM STDIN (FORMAT binary)";
    fn encode(&self, out: &mut Encoder) {
        let e = self.event;
        let p = &e.provenance;
        out.int8(self.chain_id);
        out.bytea(p.contract_address.as_slice());
        out.int8(p.block_number as i64);
        out.bytea(p.block_hash.as_slice());
        out.int8(p.block_timestamp as i64);
        out.bytea(p.transaction_hash.as_slice());
        out.int4(p.transaction_index as i32);
        out.int4(p.log_index as i32);
        out.bool(p.is_final);
        out.text(e.contract.name());
        out.text(&e.name);
        let entity = e.entity();
        out.text_or_null(entity.map(|k| k.kind()));
        out.bytea_or_null(entity.map(|k| k.key()).as_deref());
        out.bytea_or_null(e.related().map(|k| k.key()).as_deref());
        for i in 0..4 {
            out.bytea_or_null(e.topics.get(i).map(|t| t.as_slice()));
        }
        out.bytea(&e.data);
        out.json(&e.args_json);
    }
}

/// Encodes `events` as `events` rows, ready for [`insert_encoded_events`].
pub(crate) fn encode_events<'a>(
    chain_id: u64,
    events: impl Iterator<Item = &'a IndexedEvent> + Clone,
) -> Result<CopyData> {
    /// The fixed columns and the field lengths of a row, about.
    const ROW_BYTES: usize = 400;
    let size: usize = events.clone().map(|e| ROW_BYTES + e.data.len() + e.args_json.len()).sum();
    let chain_id = chain_id as i64;
    copy::encode(events.map(|event| EventRow { chain_id, event }), size)
}

/// Appends events to the history; an event already stored (same chain, block, log index and
/// block hash) is left as it is, and one stored at the same position with another block hash
/// fails with [`Error::Inconsistent`]. Returns the number of events newly stored.
///
/// The events not stored yet go in through one `COPY`. Above the checkpoint none is stored, so
/// the lookup of stored positions finds nothing in normal running.
pub async fn insert_events(conn: &mut PgConnection, chain_id: u64, events: &[IndexedEvent]) -> Result<u64> {
    let encoded = encode_events(chain_id, events.iter())?;
    insert_encoded_events(conn, chain_id, events, &encoded).await
}

/// [`insert_events`] with the rows of all `events` encoded ahead (`encoded`, from
/// [`encode_events`]); only when some are stored already are the others encoded again.
pub(crate) async fn insert_encoded_events(
    conn: &mut PgConnection,
    chain_id: u64,
    events: &[IndexedEvent],
    encoded: &CopyData,
) -> Result<u64> {
    let blocks = events.iter().map(|e| e.provenance.block_number as i64);
    let (Some(from), Some(to)) = (blocks.clone().min(), blocks.max()) else { return Ok(0) };
    let stored: HashMap<(i64, i32), Vec<u8>> = sqlx::query!(
        "SELECT block_number, log_index, block_hash FROM events
         WHERE chain_id = $1 AND block_number BETWEEN $2 AND $3",
        chain_id as i64,
        from,
        to
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|row| ((row.block_number, row.log_index), row.block_hash))
    .collect();
    if stored.is_empty() {
        return copy::copy_in(conn, &[encoded]).await;
    }
    let mut absent = Vec::with_capacity(events.len());
    for event in events {
        let p = &event.provenance;
        match stored.get(&(p.block_number as i64, p.log_index as i32)) {
            None => absent.push(event),
            Some(hash) if hash.as_slice() == p.block_hash.as_slice() => {}
            // The key is the position: an event stored there must be this event, not one of a
            // block that was reorganised away.
            Some(_) => {
                return Err(Error::Inconsistent {
                    block: p.block_number,
                    reason: "an event is stored there with another block hash",
                });
            }
        }
    }
    let absent = encode_events(chain_id, absent.into_iter())?;
    copy::copy_in(conn, &[&absent]).await
}

/// The keys of `entities` of one kind, as stored.
fn keys_of(entities: &BTreeSet<EntityKey>, kind: &str) -> Vec<Vec<u8>> {
    entities.iter().filter(|e| e.kind() == kind).map(EntityKey::key).collect()
}

/// Deletes every current-state row of `entities`.
pub async fn delete_derived(conn: &mut PgConnection, chain_id: u64, entities: &BTreeSet<EntityKey>) -> Result<()> {
    let chain_id = chain_id as i64;
    let guarantees = keys_of(entities, "guarantee");
    if !guarantees.is_empty() {
        sqlx::query!("DELETE FROM guarantees WHERE chain_id = $1 AND id = ANY($2)", chain_id, &guarantees)
            .execute(&mut *conn)
            .await?;
        sqlx::query!(
            "DELETE FROM guarantee_amendments WHERE chain_id = $1 AND guarantee_id = ANY($2)",
            chain_id,
            &guarantees
        )
        .execute(&mut *conn)
        .await?;
        sqlx::query!(
            "DELETE FROM guarantee_claims WHERE chain_id = $1 AND guarantee_id = ANY($2)",
            chain_id,
            &guarantees
        )
        .execute(&mut *conn)
        .await?;
        sqlx::query!(
            "DELETE FROM guarantee_releases WHERE chain_id = $1 AND guarantee_id = ANY($2)",
            chain_id,
            &guarantees
        )
        .execute(&mut *conn)
        .await?;
    }
    let confirmations = keys_of(entities, "confirmation");
    if !confirmations.is_empty() {
        sqlx::query!("DELETE FROM credit_confirmations WHERE chain_id = $1 AND id = ANY($2)", chain_id, &confirmations)
            .execute(&mut *conn)
            .await?;
    }
    let issuers: Vec<i32> = entities
        .iter()
        .filter_map(|e| match e {
            EntityKey::Issuer(code) => Some(i32::from(*code)),
            _ => None,
        })
        .collect();
    if !issuers.is_empty() {
        sqlx::query!("DELETE FROM issuers WHERE chain_id = $1 AND bank_code = ANY($2)", chain_id, &issuers)
            .execute(&mut *conn)
            .await?;
        sqlx::query!("DELETE FROM issuer_signers WHERE chain_id = $1 AND bank_code = ANY($2)", chain_id, &issuers)
            .execute(&mut *conn)
            .await?;
    }
    let agencies = keys_of(entities, "agency");
    if !agencies.is_empty() {
        sqlx::query!("DELETE FROM agencies WHERE chain_id = $1 AND agency_code = ANY($2)", chain_id, &agencies)
            .execute(&mut *conn)
            .await?;
    }
    let gateways = keys_of(entities, "gateway");
    if !gateways.is_empty() {
        sqlx::query!("DELETE FROM gateways WHERE chain_id = $1 AND gateway = ANY($2)", chain_id, &gateways)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Writes current-state rows (after [`delete_derived`] removed the old ones).
pub async fn insert_derived(conn: &mut PgConnection, rows: &Derived) -> Result<()> {
    let encoded = DerivedCopy::encode(rows)?;
    copy_derived(conn, &[&encoded]).await
}
