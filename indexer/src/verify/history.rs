//! The event history and the blocks against the chain: every event on chain stored once with the
//! same fields, every stored block header canonical.

use std::collections::{BTreeMap, BTreeSet};

use alloy::primitives::B256;
use sqlx::PgConnection;

use super::{Difference, Report};
use crate::chain::Chain;
use crate::decode::{Decoder, IndexedEvent, Provenance};
use crate::{Error, Result};

/// The deployment's events in `from..=to`, read and decoded afresh.
pub(super) async fn chain_events(chain: &Chain, decoder: &Decoder, from: u64, to: u64) -> Result<Vec<IndexedEvent>> {
    let addresses = decoder.addresses();
    let mut events = Vec::new();
    let mut start = from;
    let mut range = 10_000u64;
    while start <= to {
        let end = (start + range - 1).min(to);
        let logs = match chain.logs(&addresses, start, end).await {
            Ok(logs) => logs,
            Err(_) if end > start => {
                range = (range / 2).max(1);
                continue;
            }
            Err(error) => return Err(error),
        };
        let numbers: Vec<u64> =
            logs.iter().filter_map(|l| l.block_number).collect::<BTreeSet<_>>().into_iter().collect();
        let headers: BTreeMap<u64, _> = chain.headers(&numbers).await?.into_iter().map(|h| (h.number, h)).collect();
        for log in logs.iter().filter(|l| !l.removed) {
            let number = log.block_number.unwrap_or_default();
            let provenance = Provenance {
                contract_address: log.address(),
                block_number: number,
                block_hash: log.block_hash.unwrap_or_default(),
                block_timestamp: headers.get(&number).map_or(0, |h| h.timestamp),
                transaction_hash: log.transaction_hash.unwrap_or_default(),
                transaction_index: log.transaction_index.unwrap_or_default(),
                log_index: log.log_index.unwrap_or_default(),
                is_final: false,
            };
            if let Ok(event) = decoder.decode(provenance, &log.inner.data) {
                events.push(event);
            }
        }
        start = end + 1;
    }
    events.sort_by_key(|e| (e.provenance.block_number, e.provenance.log_index));
    Ok(events)
}

pub(super) async fn compare_events(
    conn: &mut PgConnection,
    chain_id: u64,
    from: u64,
    to: u64,
    on_chain: &[IndexedEvent],
    report: &mut Report,
) -> Result<()> {
    let stored = sqlx::query!(
        "SELECT contract_address, block_number, block_hash, block_timestamp, transaction_hash, transaction_index,
             log_index, event, topic0, topic1, topic2, topic3, data, args::text AS \"args!\"
         FROM events WHERE chain_id = $1 AND block_number BETWEEN $2 AND $3 ORDER BY block_number, log_index",
        chain_id as i64,
        from as i64,
        to as i64
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut expected: BTreeMap<(u64, u64), &IndexedEvent> =
        on_chain.iter().map(|e| ((e.provenance.block_number, e.provenance.log_index), e)).collect();
    for row in stored {
        let key = (row.block_number as u64, row.log_index as u64);
        let Some(event) = expected.remove(&key) else {
            report.differences.push(Difference::ExtraEvent { block: key.0, log_index: key.1, event: row.event });
            continue;
        };
        let p = &event.provenance;
        let topics: Vec<Vec<u8>> =
            [Some(row.topic0), row.topic1, row.topic2, row.topic3].into_iter().flatten().collect();
        // Compared as JSON values: an older indexer wrote the same fields in another key order.
        let args: serde_json::Value = serde_json::from_str(&row.args).unwrap_or_default();
        let expected_args: serde_json::Value = serde_json::from_str(&event.args_json).unwrap_or_default();
        let checks: [(&'static str, bool); 9] = [
            ("block_hash", row.block_hash == p.block_hash.as_slice()),
            ("contract_address", row.contract_address == p.contract_address.as_slice()),
            ("transaction_hash", row.transaction_hash == p.transaction_hash.as_slice()),
            ("transaction_index", row.transaction_index as u64 == p.transaction_index),
            ("block_timestamp", row.block_timestamp as u64 == p.block_timestamp),
            ("event", row.event == event.name),
            ("topics", topics == event.topics.iter().map(|t| t.to_vec()).collect::<Vec<_>>()),
            ("data", row.data == event.data.as_ref()),
            ("args", args == expected_args),
        ];
        for (field, same) in checks {
            if !same {
                report.differences.push(Difference::ChangedEvent { block: key.0, log_index: key.1, field });
            }
        }
    }
    for ((block, log_index), event) in expected {
        report.differences.push(Difference::MissingEvent { block, log_index, event: event.name.clone() });
    }
    Ok(())
}

pub(super) async fn compare_blocks(
    conn: &mut PgConnection,
    chain: &Chain,
    chain_id: u64,
    from: u64,
    to: u64,
    report: &mut Report,
) -> Result<()> {
    let stored = sqlx::query!(
        "SELECT block_number, block_hash, parent_hash, block_timestamp FROM blocks
         WHERE chain_id = $1 AND block_number BETWEEN $2 AND $3 ORDER BY block_number",
        chain_id as i64,
        from as i64,
        to as i64
    )
    .fetch_all(&mut *conn)
    .await?;
    report.blocks = stored.len();
    let numbers: Vec<u64> = stored.iter().map(|r| r.block_number as u64).collect();
    let canonical = chain.headers(&numbers).await;
    let canonical = match canonical {
        Ok(headers) => headers.into_iter().map(|h| (h.number, h)).collect::<BTreeMap<_, _>>(),
        Err(Error::MissingBlock(_)) => BTreeMap::new(),
        Err(error) => return Err(error),
    };
    for row in stored {
        let number = row.block_number as u64;
        let stored_hash = B256::try_from(row.block_hash.as_slice()).unwrap_or_default();
        let header = canonical.get(&number);
        let same = header.is_some_and(|h| {
            h.hash == stored_hash
                && h.parent_hash.as_slice() == row.parent_hash
                && h.timestamp as i64 == row.block_timestamp
        });
        if !same {
            report.differences.push(Difference::BlockHash {
                block: number,
                stored: stored_hash,
                canonical: header.map_or(B256::ZERO, |h| h.hash),
            });
        }
    }
    Ok(())
}
