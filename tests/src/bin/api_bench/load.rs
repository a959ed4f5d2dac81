//! Loading the synthetic chain through the indexer's own writer (`store::commit_batch`): the
//! rows are exactly those the indexer writes.

use std::time::{Duration, Instant};

use alloy::primitives::B256;
use egp_contracts::Pepper;
use egp_indexer::decode::Decoder;
use egp_indexer::prepare::PreparedBatch;
use egp_indexer::store;
use sqlx::{Connection, PgConnection};

use crate::Failure;
use crate::data::{CHAIN_ID, Synthetic, block_hash, deployment};

/// What loading took.
pub(crate) struct Loaded {
    /// Guarantees written.
    pub(crate) guarantees: usize,
    /// Events written (setup included).
    pub(crate) events: usize,
    /// Wall time of the load (generation runs alongside the writes).
    pub(crate) elapsed: Duration,
    /// Ids of a sample of the guarantees.
    pub(crate) sample: Vec<B256>,
}

/// Migrates `url` and loads `total` guarantees through the indexer's writer: one transaction
/// per batch of about 10,000 events, checkpoint included. Generation (encode and decode) runs on
/// a blocking thread while the previous batch is written.
pub(crate) async fn load(url: &str, total: usize, pepper: &Pepper, progress: bool) -> Result<Loaded, Failure> {
    let mut conn = PgConnection::connect(url).await?;
    egp_store::MIGRATOR.run_direct(&mut conn).await?;
    let deployment = deployment();
    let decoder = Decoder::new(&deployment);
    let mut checkpoint = store::load_or_init_checkpoint(&mut conn, &deployment, Some(block_hash(0))).await?;
    let started = Instant::now();
    let (sender, mut batches) = tokio::sync::mpsc::channel::<PreparedBatch>(2);
    let pepper = pepper.clone();
    let generator = tokio::task::spawn_blocking(move || {
        let mut chain = Synthetic::new(total, &pepper, 0x6567_7061_7069);
        let prepare = |batch| PreparedBatch::new(CHAIN_ID, batch).expect("the synthetic chain's values encode");
        if sender.blocking_send(prepare(chain.setup())).is_err() {
            return chain.sample;
        }
        while let Some(batch) = chain.next_batch() {
            if sender.blocking_send(prepare(batch)).is_err() {
                break;
            }
        }
        debug_assert_eq!(chain.generated(), total);
        chain.sample
    });
    let mut events = 0;
    let mut last_report = Instant::now();
    while let Some(batch) = batches.recv().await {
        checkpoint = store::commit_batch(&mut conn, &decoder, &checkpoint, &batch).await?.0;
        events += batch.batch().events.len();
        if progress && last_report.elapsed() > Duration::from_secs(30) {
            last_report = Instant::now();
            tracing::info!(events, seconds = started.elapsed().as_secs(), "loading");
        }
    }
    let sample = generator.await?;
    let elapsed = started.elapsed();
    conn.close().await?;
    Ok(Loaded { guarantees: total, events, elapsed, sample })
}
