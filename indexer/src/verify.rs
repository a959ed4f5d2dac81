//! `verify`: re-reads the chain for a block range and compares it with the database. Every event
//! must be stored once with the same fields, every stored block hash must be canonical, every
//! current-state row must equal a fresh fold of the chain's events (when the range starts at the
//! deployment) and the contracts' own view (`eth_call` at the checkpoint block).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Arc;

use alloy::eips::BlockId;
use alloy::primitives::{Address, B256};
use egp_contracts::Deployment;
use egp_contracts::bindings::{Consortium, CreditConfirmationRegistry, GuaranteeRegistry};
use futures_util::future::try_join_all;
use serde::Serialize;
use sqlx::{Connection, PgConnection};

use crate::chain::Chain;
use crate::config::{Settings, VerifyArgs};
use crate::decode::{Decoder, EntityKey, IndexedEvent, Provenance};
use crate::metrics::Metrics;
use crate::rows::Derived;
use crate::{Error, Result, state, verify_rows};

/// One way the database and the chain disagree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Difference {
    /// An event on chain is not in the database.
    MissingEvent {
        /// Block number.
        block: u64,
        /// Log index.
        log_index: u64,
        /// Event name.
        event: String,
    },
    /// An event in the database is not on chain.
    ExtraEvent {
        /// Block number.
        block: u64,
        /// Log index.
        log_index: u64,
        /// Event name.
        event: String,
    },
    /// An event is stored with a field that differs from the chain.
    ChangedEvent {
        /// Block number.
        block: u64,
        /// Log index.
        log_index: u64,
        /// The column.
        field: &'static str,
    },
    /// A stored block header is not the chain's.
    BlockHash {
        /// Block number.
        block: u64,
        /// Stored hash.
        stored: B256,
        /// Canonical hash (zero when the node has no such block).
        canonical: B256,
    },
    /// A current-state row differs from what the events imply or the contract says.
    Record {
        /// The table.
        table: &'static str,
        /// The row's key.
        key: String,
        /// The column.
        field: String,
        /// In the database.
        stored: String,
        /// Expected.
        expected: String,
    },
    /// A current-state row is missing.
    MissingRecord {
        /// The table.
        table: &'static str,
        /// The row's key.
        key: String,
    },
    /// A current-state row exists that no event implies.
    ExtraRecord {
        /// The table.
        table: &'static str,
        /// The row's key.
        key: String,
    },
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingEvent { block, log_index, event } => {
                write!(f, "event {event} at block {block} log {log_index} is on chain but not in the database")
            }
            Self::ExtraEvent { block, log_index, event } => {
                write!(f, "event {event} at block {block} log {log_index} is in the database but not on chain")
            }
            Self::ChangedEvent { block, log_index, field } => {
                write!(f, "event at block {block} log {log_index}: {field} differs from the chain")
            }
            Self::BlockHash { block, stored, canonical } => {
                write!(f, "block {block}: stored hash {stored}, canonical {canonical}")
            }
            Self::Record { table, key, field, stored, expected } => {
                write!(f, "{table} {key}: {field} is {stored} in the database, expected {expected}")
            }
            Self::MissingRecord { table, key } => write!(f, "{table} {key}: missing from the database"),
            Self::ExtraRecord { table, key } => write!(f, "{table} {key}: in the database, but no event implies it"),
        }
    }
}

/// What `verify` found.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// First block checked.
    pub from_block: u64,
    /// Last block checked.
    pub to_block: u64,
    /// Events compared.
    pub events: usize,
    /// Stored blocks compared.
    pub blocks: usize,
    /// Current-state rows compared with the contracts.
    pub records: usize,
    /// Every difference.
    pub differences: Vec<Difference>,
}

impl Report {
    /// Whether nothing differs.
    pub fn is_clean(&self) -> bool {
        self.differences.is_empty()
    }

    /// Logs the outcome, one line per difference.
    pub fn log(&self) {
        for difference in &self.differences {
            tracing::error!(%difference, "drift");
        }
        tracing::info!(
            from = self.from_block,
            to = self.to_block,
            events = self.events,
            blocks = self.blocks,
            records = self.records,
            differences = self.differences.len(),
            "verify finished"
        );
    }
}

/// `egp-indexer verify`: reads the settings' manifest, node and database.
pub async fn run(settings: &Settings, args: &VerifyArgs) -> Result<Report> {
    let deployment = Deployment::read(&settings.manifest)?;
    let chain = Chain::connect(&settings.rpc_url, settings.rpc_timeout(), Arc::new(Metrics::default()))?;
    let mut conn = PgConnection::connect(&settings.database_url).await?;
    verify(&mut conn, &chain, &deployment, args.from_block, args.to_block).await
}

/// Compares blocks `from..=to` (default: the deployment block to the checkpoint).
pub async fn verify(
    conn: &mut PgConnection,
    chain: &Chain,
    deployment: &Deployment,
    from: Option<u64>,
    to: Option<u64>,
) -> Result<Report> {
    let decoder = Decoder::new(deployment);
    let chain_id = deployment.chain_id;
    let mut tx = conn.begin().await?;
    // One snapshot for every read, so a running indexer cannot move the data under us.
    sqlx::query!("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY").execute(&mut *tx).await?;
    let checkpoint = sqlx::query_scalar!(
        "SELECT block_number FROM checkpoints WHERE chain_id = $1 AND deployment = $2",
        chain_id as i64,
        deployment.contracts.consortium.address.as_slice()
    )
    .fetch_optional(&mut *tx)
    .await?
    .unwrap_or(-1);
    let start = deployment.start_block();
    let from = from.unwrap_or(start);
    let mut report = Report { from_block: from, ..Report::default() };
    if checkpoint < 0 {
        return Ok(report);
    }
    let checkpoint = checkpoint as u64;
    let to = to.unwrap_or(checkpoint).min(checkpoint);
    report.to_block = to;

    let on_chain = chain_events(chain, &decoder, from, to).await?;
    report.events = on_chain.len();
    compare_events(&mut tx, chain_id, from, to, &on_chain, &mut report).await?;
    compare_blocks(&mut tx, chain, chain_id, from, to, &mut report).await?;
    let stored = verify_rows::load_all(&mut tx, chain_id).await?;
    if from <= start && to == checkpoint {
        let entities: BTreeSet<EntityKey> =
            on_chain.iter().flat_map(|e| e.entity().into_iter().chain(e.related())).collect();
        let expected = state::fold(chain_id, &on_chain).rows(&entities);
        compare_rows(&expected, &stored, &mut report);
    }
    report.records = compare_contracts(chain, deployment, checkpoint, &stored, &mut report).await?;
    tx.rollback().await?;
    Ok(report)
}

/// The deployment's events in `from..=to`, read and decoded afresh.
async fn chain_events(chain: &Chain, decoder: &Decoder, from: u64, to: u64) -> Result<Vec<IndexedEvent>> {
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

async fn compare_events(
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

async fn compare_blocks(
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

/// Compares two sets of rows table by table, by key and column (`is_final` aside: it depends on
/// when the rows were written, not on the chain).
fn compare_rows(expected: &Derived, stored: &Derived, report: &mut Report) {
    fn rows_by_key<T: Serialize>(
        rows: &[T],
        key: &[&str],
    ) -> BTreeMap<String, serde_json::Map<String, serde_json::Value>> {
        rows.iter()
            .filter_map(|row| match serde_json::to_value(row) {
                Ok(serde_json::Value::Object(mut map)) => {
                    map.remove("is_final");
                    let k = key.iter().map(|k| render(&map[*k])).collect::<Vec<_>>().join("/");
                    Some((k, map))
                }
                _ => None,
            })
            .collect()
    }
    fn table<T: Serialize>(name: &'static str, key: &[&str], expected: &[T], stored: &[T], report: &mut Report) {
        let mut expected = rows_by_key(expected, key);
        for (k, row) in rows_by_key(stored, key) {
            match expected.remove(&k) {
                None => report.differences.push(Difference::ExtraRecord { table: name, key: k }),
                Some(want) => {
                    for (field, value) in &row {
                        if want.get(field) != Some(value) {
                            report.differences.push(Difference::Record {
                                table: name,
                                key: k.clone(),
                                field: field.clone(),
                                stored: render(value),
                                expected: want.get(field).map(render).unwrap_or_default(),
                            });
                        }
                    }
                }
            }
        }
        for k in expected.into_keys() {
            report.differences.push(Difference::MissingRecord { table: name, key: k });
        }
    }
    table("issuers", &["bank_code"], &expected.issuers, &stored.issuers, report);
    table("issuer_signers", &["bank_code", "signer"], &expected.signers, &stored.signers, report);
    table("agencies", &["agency_code"], &expected.agencies, &stored.agencies, report);
    table("gateways", &["gateway"], &expected.gateways, &stored.gateways, report);
    table("guarantees", &["id"], &expected.guarantees, &stored.guarantees, report);
    table("guarantee_amendments", &["guarantee_id", "sequence"], &expected.amendments, &stored.amendments, report);
    table("guarantee_claims", &["guarantee_id", "sequence"], &expected.claims, &stored.claims, report);
    table("guarantee_releases", &["guarantee_id", "sequence"], &expected.releases, &stored.releases, report);
    table("credit_confirmations", &["id"], &expected.confirmations, &stored.confirmations, report);
}

/// A JSON value as a short readable string (byte arrays as 0x-hex).
fn render(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Array(items) if items.iter().all(|i| i.is_u64()) && !items.is_empty() => {
            let bytes: Vec<u8> = items.iter().filter_map(|i| i.as_u64()).map(|b| b as u8).collect();
            format!("0x{}", hex::encode(bytes))
        }
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Compares the current-state rows with the contracts' views at block `at`. Returns how many
/// records were compared.
async fn compare_contracts(
    chain: &Chain,
    deployment: &Deployment,
    at: u64,
    stored: &Derived,
    report: &mut Report,
) -> Result<usize> {
    let provider = chain.provider();
    let block = BlockId::number(at);
    let rpc = |e: alloy::contract::Error| Error::Rpc { method: "eth_call", message: e.to_string() };
    let registry = GuaranteeRegistry::new(deployment.contracts.guarantee_registry.address, provider);
    let confirmations =
        CreditConfirmationRegistry::new(deployment.contracts.credit_confirmation_registry.address, provider);
    let consortium = Consortium::new(deployment.contracts.consortium.address, provider);
    let mut push = |table: &'static str, key: String, field: &str, stored: String, expected: String| {
        if stored != expected {
            report.differences.push(Difference::Record { table, key, field: field.to_owned(), stored, expected });
        }
    };
    for chunk in stored.guarantees.chunks(32) {
        let views = try_join_all(chunk.iter().map(|row| {
            let id = B256::try_from(row.id.as_slice()).unwrap_or_default();
            let call = registry.getGuarantee(id).block(block);
            async move { call.call().await }
        }))
        .await
        .map_err(rpc)?;
        for (row, view) in chunk.iter().zip(views) {
            let key = format!("0x{}", hex::encode(&row.id));
            for egp_store::compare::Field { name: field, stored, expected } in egp_store::compare::guarantee(row, &view)
            {
                push("guarantees", key.clone(), field, stored, expected);
            }
        }
    }
    for chunk in stored.confirmations.chunks(32) {
        let views = try_join_all(chunk.iter().map(|row| {
            let id = B256::try_from(row.id.as_slice()).unwrap_or_default();
            let call = confirmations.getConfirmation(id).block(block);
            async move { call.call().await }
        }))
        .await
        .map_err(rpc)?;
        for (row, view) in chunk.iter().zip(views) {
            let key = format!("0x{}", hex::encode(&row.id));
            for egp_store::compare::Field { name: field, stored, expected } in
                egp_store::compare::confirmation(row, &view)
            {
                push("credit_confirmations", key.clone(), field, stored, expected);
            }
        }
    }
    for row in &stored.issuers {
        let view = consortium.issuer(row.bank_code as u16).block(block).call().await.map_err(rpc)?;
        for egp_store::compare::Field { name: field, stored, expected } in egp_store::compare::issuer(row, &view) {
            push("issuers", format!("{:03}", row.bank_code), field, stored, expected);
        }
    }
    for row in &stored.signers {
        let signer = Address::try_from(row.signer.as_slice()).unwrap_or_default();
        let bank = consortium.issuerOf(signer).block(block).call().await.map_err(rpc)?;
        let expected = bank == row.bank_code as u16;
        push(
            "issuer_signers",
            format!("{:03}/{signer}", row.bank_code),
            "active",
            row.active.to_string(),
            expected.to_string(),
        );
    }
    for row in &stored.agencies {
        let code = B256::try_from(row.agency_code.as_slice()).unwrap_or_default();
        let registered = consortium.isAgency(code).block(block).call().await.map_err(rpc)?;
        push("agencies", row.code.clone(), "registered", "true".into(), registered.to_string());
    }
    for row in &stored.gateways {
        let gateway = Address::try_from(row.gateway.as_slice()).unwrap_or_default();
        let authorised = consortium.isGateway(gateway).block(block).call().await.map_err(rpc)?;
        push("gateways", gateway.to_string(), "authorised", row.authorised.to_string(), authorised.to_string());
    }
    Ok(stored.guarantees.len()
        + stored.confirmations.len()
        + stored.issuers.len()
        + stored.signers.len()
        + stored.agencies.len()
        + stored.gateways.len())
}

/// Every current-state row of `chain_id` as stored, ordered by key (what `verify` compares).
pub async fn stored_rows(conn: &mut PgConnection, chain_id: u64) -> Result<Derived> {
    crate::verify_rows::load_all(conn, chain_id).await
}
