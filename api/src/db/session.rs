//! The per-request read transaction and its consistency marker.

use std::ops::{Deref, DerefMut};
use std::sync::OnceLock;

use sqlx::{PgConnection, PgPool, Postgres, Transaction};
use tokio::sync::{Mutex, MutexGuard};

use crate::Result;

/// Where the mirror stood when a request's snapshot was taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marker {
    /// The chain.
    pub chain_id: i64,
    /// Every block up to this one is indexed.
    pub block_number: i64,
    /// Its hash.
    pub block_hash: Option<Vec<u8>>,
    /// Its timestamp, when the indexer stored the header.
    pub block_timestamp: Option<i64>,
    /// Highest final block.
    pub final_block: i64,
    /// The e-LG registry's address.
    pub guarantee_registry: Vec<u8>,
    /// The credit confirmation registry's address.
    pub credit_confirmation_registry: Vec<u8>,
    /// When the checkpoint last moved, Unix seconds.
    pub updated_at: i64,
}

/// One request's snapshot of the database, opened on first use.
#[derive(Debug)]
pub struct Session {
    pool: PgPool,
    chain_id: Option<i64>,
    tx: Mutex<Option<Transaction<'static, Postgres>>>,
    marker: OnceLock<Option<Marker>>,
}

/// The session's connection, locked for one statement or a few.
#[derive(Debug)]
pub struct Conn<'a>(MutexGuard<'a, Option<Transaction<'static, Postgres>>>);

impl Deref for Conn<'_> {
    type Target = PgConnection;

    fn deref(&self) -> &PgConnection {
        self.0.as_ref().expect("opened before a Conn is handed out")
    }
}

impl DerefMut for Conn<'_> {
    fn deref_mut(&mut self) -> &mut PgConnection {
        self.0.as_mut().expect("opened before a Conn is handed out")
    }
}

impl Session {
    /// A session over `pool` for `chain_id` (the manifest's), or the most recently indexed chain.
    pub fn new(pool: PgPool, chain_id: Option<u64>) -> Self {
        Self { pool, chain_id: chain_id.map(|c| c as i64), tx: Mutex::new(None), marker: OnceLock::new() }
    }

    /// The connection, opening the snapshot (and reading the marker) on first use.
    pub async fn conn(&self) -> Result<Conn<'_>> {
        let mut guard = self.tx.lock().await;
        if guard.is_none() {
            let mut tx = self.pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").await?;
            let marker = sqlx::query_as!(
                Marker,
                "SELECT c.chain_id, c.block_number, c.block_hash, b.block_timestamp AS \"block_timestamp?\",
                        c.final_block, c.guarantee_registry, c.credit_confirmation_registry,
                        extract(epoch FROM c.updated_at)::bigint AS \"updated_at!\"
                 FROM checkpoints c
                 LEFT JOIN blocks b ON b.chain_id = c.chain_id AND b.block_number = c.block_number
                 WHERE $1::bigint IS NULL OR c.chain_id = $1
                 ORDER BY c.updated_at DESC LIMIT 1",
                self.chain_id
            )
            .fetch_optional(&mut *tx)
            .await?;
            let _ = self.marker.set(marker);
            *guard = Some(tx);
        }
        Ok(Conn(guard))
    }

    /// The marker (opening the snapshot if needed); `None` before the indexer's first batch.
    pub async fn marker(&self) -> Result<Option<Marker>> {
        drop(self.conn().await?);
        Ok(self.marker.get().cloned().flatten())
    }

    /// The marker if the snapshot was opened.
    pub fn opened_marker(&self) -> Option<Option<&Marker>> {
        self.marker.get().map(Option::as_ref)
    }

    /// The chain the snapshot reads (-1, matching nothing, before the indexer's first batch).
    pub async fn chain_id(&self) -> Result<i64> {
        Ok(self.marker().await?.map_or(-1, |m| m.chain_id))
    }
}
