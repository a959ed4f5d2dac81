//! What the indexer exposes over HTTP: `/metrics` in the Prometheus text format and `/health`.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use tokio_util::sync::CancellationToken;

use crate::{Error, Result};

/// Counters and gauges, shared between the indexing loop and the HTTP server.
#[derive(Debug, Default)]
pub struct Metrics {
    /// Latest block number the node reported.
    pub chain_head: AtomicI64,
    /// Timestamp of the latest block seen at the head.
    pub chain_head_timestamp: AtomicI64,
    /// The checkpoint.
    pub indexed_block: AtomicI64,
    /// Timestamp of the checkpoint block.
    pub indexed_block_timestamp: AtomicI64,
    /// Highest final block.
    pub final_block: AtomicI64,
    /// Events stored since start.
    pub events_total: AtomicU64,
    /// Events per second over the last batch window, times 1000.
    pub events_per_second_milli: AtomicU64,
    /// Batches committed since start.
    pub batches_total: AtomicU64,
    /// Events in the last batch.
    pub last_batch_events: AtomicU64,
    /// Blocks in the last batch.
    pub last_batch_blocks: AtomicU64,
    /// Reorgs rolled back.
    pub reorgs_total: AtomicU64,
    /// Blocks rolled back by reorgs.
    pub reorged_blocks_total: AtomicU64,
    /// Failed RPC calls.
    pub rpc_errors_total: AtomicU64,
    /// Failed database operations.
    pub db_errors_total: AtomicU64,
    /// Logs skipped because their contract or topic is unknown.
    pub unknown_logs_total: AtomicU64,
    /// Current `eth_getLogs` range in blocks.
    pub block_range: AtomicU64,
    /// Whether this process holds the writer lock.
    pub is_writer: AtomicBool,
    /// Whether new heads arrive over a WebSocket subscription (else the loop only polls).
    pub new_heads_subscribed: AtomicBool,
    /// Unix seconds of the last successful loop iteration.
    pub last_progress: AtomicI64,
}

/// Now, in Unix seconds.
pub fn unix_now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

impl Metrics {
    /// Lag behind the head, in blocks.
    pub fn lag_blocks(&self) -> i64 {
        (self.chain_head.load(Ordering::Relaxed) - self.indexed_block.load(Ordering::Relaxed)).max(0)
    }

    /// Lag behind the head, in seconds of block time.
    pub fn lag_seconds(&self) -> i64 {
        (self.chain_head_timestamp.load(Ordering::Relaxed) - self.indexed_block_timestamp.load(Ordering::Relaxed))
            .max(0)
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let mut gauge = |name: &str, help: &str, kind: &str, value: String| {
            let _ = writeln!(
                out,
                "# HELP egp_indexer_{name} {help}\n# TYPE egp_indexer_{name} {kind}\negp_indexer_{name} {value}"
            );
        };
        let load = |a: &AtomicI64| a.load(Ordering::Relaxed).to_string();
        let count = |a: &AtomicU64| a.load(Ordering::Relaxed).to_string();
        gauge("chain_head", "Latest block number the node reported.", "gauge", load(&self.chain_head));
        gauge("indexed_block", "Highest block indexed (the checkpoint).", "gauge", load(&self.indexed_block));
        gauge("final_block", "Highest block known to be final.", "gauge", load(&self.final_block));
        gauge("lag_blocks", "Blocks between the head and the checkpoint.", "gauge", self.lag_blocks().to_string());
        gauge(
            "lag_seconds",
            "Block-time seconds between the head and the checkpoint.",
            "gauge",
            self.lag_seconds().to_string(),
        );
        gauge("events_total", "Events stored since start.", "counter", count(&self.events_total));
        let eps = self.events_per_second_milli.load(Ordering::Relaxed);
        gauge(
            "events_per_second",
            "Events stored per second, recent batches.",
            "gauge",
            format!("{}.{:03}", eps / 1000, eps % 1000),
        );
        gauge("batches_total", "Batches committed since start.", "counter", count(&self.batches_total));
        gauge("batch_events", "Events in the last batch.", "gauge", count(&self.last_batch_events));
        gauge("batch_blocks", "Blocks in the last batch.", "gauge", count(&self.last_batch_blocks));
        gauge("block_range", "Current eth_getLogs range in blocks.", "gauge", count(&self.block_range));
        gauge("reorgs_total", "Reorgs rolled back.", "counter", count(&self.reorgs_total));
        gauge("reorged_blocks_total", "Blocks rolled back by reorgs.", "counter", count(&self.reorged_blocks_total));
        gauge("rpc_errors_total", "Failed or timed-out RPC calls.", "counter", count(&self.rpc_errors_total));
        gauge("db_errors_total", "Failed database operations.", "counter", count(&self.db_errors_total));
        gauge(
            "unknown_logs_total",
            "Logs skipped: unknown contract or topic.",
            "counter",
            count(&self.unknown_logs_total),
        );
        gauge(
            "is_writer",
            "1 when this process holds the writer lock.",
            "gauge",
            u8::from(self.is_writer.load(Ordering::Relaxed)).to_string(),
        );
        gauge(
            "new_heads_subscribed",
            "1 while subscribed to new heads over WebSocket, 0 while only polling.",
            "gauge",
            u8::from(self.new_heads_subscribed.load(Ordering::Relaxed)).to_string(),
        );
        out
    }

    /// Whether the indexer is healthy: it holds the writer lock and made progress recently.
    pub fn health(&self, stale_after: Duration) -> Result<(), String> {
        if !self.is_writer.load(Ordering::Relaxed) {
            return Err("not the writer (waiting for the lock or for the database)".into());
        }
        let idle = unix_now() - self.last_progress.load(Ordering::Relaxed);
        if idle > stale_after.as_secs() as i64 {
            return Err(format!("no successful iteration for {idle} s"));
        }
        Ok(())
    }
}

#[derive(Clone)]
struct Shared {
    metrics: Arc<Metrics>,
    stale_after: Duration,
}

async fn metrics_text(State(shared): State<Shared>) -> String {
    shared.metrics.render()
}

async fn health(State(shared): State<Shared>) -> (StatusCode, String) {
    let lag = shared.metrics.lag_blocks();
    match shared.metrics.health(shared.stale_after) {
        Ok(()) => (StatusCode::OK, format!("{{\"status\":\"ok\",\"lagBlocks\":{lag}}}\n")),
        Err(reason) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("{}\n", serde_json::json!({"status": "unhealthy", "reason": reason, "lagBlocks": lag})),
        ),
    }
}

/// Serves `/metrics` and `/health` on `addr` until `cancel`. Returns the bound address (port 0
/// picks a free one).
pub async fn serve(
    addr: SocketAddr,
    metrics: Arc<Metrics>,
    stale_after: Duration,
    cancel: CancellationToken,
) -> Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|source| Error::Listen { addr, source })?;
    let bound = listener.local_addr().map_err(|source| Error::Listen { addr, source })?;
    let app = Router::new()
        .route("/metrics", get(metrics_text))
        .route("/health", get(health))
        .with_state(Shared { metrics, stale_after });
    tokio::spawn(async move {
        let served = axum::serve(listener, app).with_graceful_shutdown(cancel.cancelled_owned()).await;
        if let Err(error) = served {
            tracing::error!(%error, "metrics server stopped");
        }
    });
    tracing::info!(%bound, "serving /metrics and /health");
    Ok(bound)
}
