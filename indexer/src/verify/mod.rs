//! `verify`: re-reads the chain for a block range and compares it with the database. Every event
//! must be stored once with the same fields, every stored block hash must be canonical
//! (`history.rs`), every current-state row must equal a fresh fold of the chain's events (when
//! the range starts at the deployment) and the contracts' own view (`eth_call` at the checkpoint
//! block; `records.rs`). The rows are read back by `stored.rs`.

mod history;
mod records;
mod stored;

use std::collections::BTreeSet;
use std::fmt;
use std::sync::Arc;

use alloy::primitives::B256;
use egp_contracts::Deployment;
use sqlx::{Connection, PgConnection};

pub use self::stored::stored_rows;
use crate::chain::Chain;
use crate::config::{Settings, VerifyArgs};
use crate::decode::{Decoder, EntityKey};
use crate::metrics::Metrics;
use crate::{Result, state};

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

    let on_chain = history::chain_events(chain, &decoder, from, to).await?;
    report.events = on_chain.len();
    history::compare_events(&mut tx, chain_id, from, to, &on_chain, &mut report).await?;
    history::compare_blocks(&mut tx, chain, chain_id, from, to, &mut report).await?;
    let stored = stored_rows(&mut tx, chain_id).await?;
    if from <= start && to == checkpoint {
        let entities: BTreeSet<EntityKey> =
            on_chain.iter().flat_map(|e| e.entity().into_iter().chain(e.related())).collect();
        let expected = state::fold(chain_id, &on_chain).rows(&entities);
        records::compare_rows(&expected, &stored, &mut report);
    }
    report.records = records::compare_contracts(chain, deployment, checkpoint, &stored, &mut report).await?;
    tx.rollback().await?;
    Ok(report)
}
