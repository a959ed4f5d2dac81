//! egp-indexer mirrors every event of an egp-chain deployment (the consortium, the e-LG registry
//! and the credit confirmation registry) into PostgreSQL exactly once. It reads the deployment
//! manifest, backfills with adaptive `eth_getLogs` ranges from the deployment block, then
//! follows the head; each batch of events, the current state they imply and the checkpoint
//! commit in one transaction, so a crash at any instant loses and duplicates nothing. Reorgs are
//! detected from parent hashes and rolled back to the fork point, current state included. One
//! writer per database (an advisory lock); [`verify`] proves the mirror against the chain.
//!
//! Modules (their imports form no cycle, which `tests/it/layout.rs` checks): [`decode`] (logs
//! to events, with the contracts crate's bindings), [`state`] (current state as a fold over
//! events, one function per event), [`chain`] (the node), [`read`] (ranges of logs into
//! batches), [`prepare`] (a batch's work that needs no database), [`store`] and [`mod@write`]
//! (the transactions), [`backoff`], [`heads`] (new heads over WebSocket, the loop's wake-up),
//! [`follow`] (the loop), [`verify`], [`metrics`] (`/metrics`, `/health`), [`config`].

pub mod backoff;
pub mod chain;
pub mod config;
mod copy;
pub mod decode;
mod error;
pub mod follow;
pub mod heads;
pub mod metrics;
pub mod prepare;
pub mod progress;
pub mod read;
pub mod rows;
pub mod state;
pub mod store;
pub mod verify;
pub mod write;
mod write_state;

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

pub use config::{Cli, Command, Settings};
pub use error::Error;
pub use follow::Indexer;
pub use metrics::Metrics;

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The schema (owned by `egp-store`), which the indexer applies at every connect.
pub use egp_store::MIGRATOR;

/// Runs the indexer until `cancel` (or its stop condition), serving `/metrics` and `/health`
/// when configured.
pub async fn run(settings: Settings, cancel: CancellationToken) -> Result<()> {
    let metrics = Arc::new(Metrics::default());
    if let Some(addr) = settings.metrics_addr {
        let stale = Duration::from_secs(settings.health_stale_secs);
        metrics::serve(addr, metrics.clone(), stale, cancel.child_token()).await?;
    }
    let indexer = Indexer::new(settings, metrics)?;
    let result = indexer.run(cancel.clone()).await;
    cancel.cancel();
    result
}

/// Applies the migrations.
pub async fn migrate(database_url: &str) -> Result<()> {
    let mut conn = follow::connect(database_url).await?;
    MIGRATOR.run_direct(&mut conn).await?;
    Ok(())
}
