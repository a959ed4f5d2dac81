//! What the indexer exposes over HTTP: `/metrics` in the Prometheus text format (the `metrics`
//! crate's Prometheus exporter, one recorder per [`Metrics`]) and `/health`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use metrics::{Counter, Gauge};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tokio_util::sync::CancellationToken;

use crate::{Error, Result};

/// Counters and gauges, shared between the indexing loop and the HTTP server. The loop and
/// `/health` read these values; `/metrics` hands them to this instance's Prometheus recorder when
/// scraped (several indexers in one process never share figures).
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
    exposition: Exposition,
}

/// This instance's recorder (never the process-global one) and a handle per metric.
struct Exposition {
    handle: PrometheusHandle,
    chain_head: Gauge,
    indexed_block: Gauge,
    final_block: Gauge,
    lag_blocks: Gauge,
    lag_seconds: Gauge,
    events_per_second: Gauge,
    batch_events: Gauge,
    batch_blocks: Gauge,
    block_range: Gauge,
    is_writer: Gauge,
    new_heads_subscribed: Gauge,
    events_total: Counter,
    batches_total: Counter,
    reorgs_total: Counter,
    reorged_blocks_total: Counter,
    rpc_errors_total: Counter,
    db_errors_total: Counter,
    unknown_logs_total: Counter,
}

impl Default for Exposition {
    fn default() -> Self {
        let recorder = PrometheusBuilder::new().build_recorder();
        let handle = recorder.handle();
        metrics::with_local_recorder(&recorder, || {
            let gauge = |name: &'static str, help: &'static str| {
                metrics::describe_gauge!(name, help);
                metrics::gauge!(name)
            };
            let counter = |name: &'static str, help: &'static str| {
                metrics::describe_counter!(name, help);
                metrics::counter!(name)
            };
            Self {
                handle,
                chain_head: gauge("egp_indexer_chain_head", "Latest block number the node reported."),
                indexed_block: gauge("egp_indexer_indexed_block", "Highest block indexed (the checkpoint)."),
                final_block: gauge("egp_indexer_final_block", "Highest block known to be final."),
                lag_blocks: gauge("egp_indexer_lag_blocks", "Blocks between the head and the checkpoint."),
                lag_seconds: gauge(
                    "egp_indexer_lag_seconds",
                    "Block-time seconds between the head and the checkpoint.",
                ),
                events_per_second: gauge("egp_indexer_events_per_second", "Events stored per second, recent batches."),
                batch_events: gauge("egp_indexer_batch_events", "Events in the last batch."),
                batch_blocks: gauge("egp_indexer_batch_blocks", "Blocks in the last batch."),
                block_range: gauge("egp_indexer_block_range", "Current eth_getLogs range in blocks."),
                is_writer: gauge("egp_indexer_is_writer", "1 when this process holds the writer lock."),
                new_heads_subscribed: gauge(
                    "egp_indexer_new_heads_subscribed",
                    "1 while subscribed to new heads over WebSocket, 0 while only polling.",
                ),
                events_total: counter("egp_indexer_events_total", "Events stored since start."),
                batches_total: counter("egp_indexer_batches_total", "Batches committed since start."),
                reorgs_total: counter("egp_indexer_reorgs_total", "Reorgs rolled back."),
                reorged_blocks_total: counter("egp_indexer_reorged_blocks_total", "Blocks rolled back by reorgs."),
                rpc_errors_total: counter("egp_indexer_rpc_errors_total", "Failed or timed-out RPC calls."),
                db_errors_total: counter("egp_indexer_db_errors_total", "Failed database operations."),
                unknown_logs_total: counter(
                    "egp_indexer_unknown_logs_total",
                    "Logs skipped: unknown contract or topic.",
                ),
            }
        })
    }
}

impl std::fmt::Debug for Exposition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Exposition").finish_non_exhaustive()
    }
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

    /// The Prometheus text exposition, rendered by the `metrics` crate's Prometheus exporter
    /// from this instance's own recorder.
    pub fn render(&self) -> String {
        let e = &self.exposition;
        let gauge = |a: &AtomicI64| a.load(Ordering::Relaxed) as f64;
        let count = |a: &AtomicU64| a.load(Ordering::Relaxed);
        let flag = |a: &AtomicBool| f64::from(u8::from(a.load(Ordering::Relaxed)));
        e.chain_head.set(gauge(&self.chain_head));
        e.indexed_block.set(gauge(&self.indexed_block));
        e.final_block.set(gauge(&self.final_block));
        e.lag_blocks.set(self.lag_blocks() as f64);
        e.lag_seconds.set(self.lag_seconds() as f64);
        e.events_per_second.set(count(&self.events_per_second_milli) as f64 / 1000.0);
        e.batch_events.set(count(&self.last_batch_events) as f64);
        e.batch_blocks.set(count(&self.last_batch_blocks) as f64);
        e.block_range.set(count(&self.block_range) as f64);
        e.is_writer.set(flag(&self.is_writer));
        e.new_heads_subscribed.set(flag(&self.new_heads_subscribed));
        // The atomics only grow; `absolute` carries them over as counters.
        e.events_total.absolute(count(&self.events_total));
        e.batches_total.absolute(count(&self.batches_total));
        e.reorgs_total.absolute(count(&self.reorgs_total));
        e.reorged_blocks_total.absolute(count(&self.reorged_blocks_total));
        e.rpc_errors_total.absolute(count(&self.rpc_errors_total));
        e.db_errors_total.absolute(count(&self.db_errors_total));
        e.unknown_logs_total.absolute(count(&self.unknown_logs_total));
        e.handle.render()
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

async fn metrics_text(State(shared): State<Shared>) -> impl axum::response::IntoResponse {
    ([(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4")], shared.metrics.render())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_instance_renders_its_own_figures_with_their_types() {
        let (one, two) = (Metrics::default(), Metrics::default());
        one.chain_head.store(120, Ordering::Relaxed);
        one.indexed_block.store(100, Ordering::Relaxed);
        one.events_total.fetch_add(7, Ordering::Relaxed);
        one.events_per_second_milli.store(1_234_567, Ordering::Relaxed);
        one.is_writer.store(true, Ordering::Relaxed);
        two.rpc_errors_total.fetch_add(3, Ordering::Relaxed);

        let first = one.render();
        for line in [
            "# TYPE egp_indexer_chain_head gauge\negp_indexer_chain_head 120\n",
            "# TYPE egp_indexer_lag_blocks gauge\negp_indexer_lag_blocks 20\n",
            "# HELP egp_indexer_events_total Events stored since start.\n",
            "# TYPE egp_indexer_events_total counter\negp_indexer_events_total 7\n",
            "egp_indexer_events_per_second 1234.567\n",
            "egp_indexer_is_writer 1\n",
            "egp_indexer_rpc_errors_total 0\n",
        ] {
            assert!(first.contains(line), "{line:?} in {first}");
        }
        let second = two.render();
        assert!(second.contains("egp_indexer_rpc_errors_total 3\n"), "{second}");
        assert!(second.contains("egp_indexer_chain_head 0\n") && second.contains("egp_indexer_events_total 0\n"));
        // A counter only grows between scrapes, as Prometheus expects.
        one.events_total.fetch_add(1, Ordering::Relaxed);
        assert!(one.render().contains("egp_indexer_events_total 8\n"));
    }
}
