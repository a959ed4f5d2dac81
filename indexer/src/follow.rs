//! The indexing loop: take the writer lock, read the checkpoint, then batch after batch read a
//! range of logs, check that it chains onto what is stored (else roll back the reorg), decode and
//! commit. Faults of the node or the database are retried with back-off; nothing is committed
//! that was not read completely.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use alloy::primitives::B256;
use egp_contracts::Deployment;
use sqlx::{ConnectOptions, Connection, PgConnection};
use tokio::sync::{Notify, mpsc};
use tokio::task::AbortHandle;
use tokio_util::sync::CancellationToken;

use crate::backoff::Backoff;
use crate::chain::Chain;
use crate::config::{Settings, WsUrl};
use crate::decode::Decoder;
use crate::heads::NewHeads;
use crate::metrics::{Metrics, unix_now};
use crate::prepare::PreparedBatch;
use crate::progress::Progress;
use crate::read::Reader;
use crate::store::{self, Checkpoint};
use crate::{Error, MIGRATOR, Result};

/// Logs a fault once when it starts and once when it ends, not at every retry.
#[derive(Debug, Default)]
struct FaultLog {
    failing_since: Option<(Instant, u32)>,
}

impl FaultLog {
    fn failed(&mut self, what: &str, error: &Error) {
        match &mut self.failing_since {
            Some((_, count)) => {
                *count += 1;
                tracing::debug!(%error, "{what} still failing");
            }
            None => {
                self.failing_since = Some((Instant::now(), 1));
                tracing::warn!(%error, "{what} failed; retrying with back-off");
            }
        }
    }

    fn recovered(&mut self, what: &str) {
        if let Some((since, failures)) = self.failing_since.take() {
            tracing::info!(failures, seconds = since.elapsed().as_secs(), "{what} recovered");
        }
    }
}

/// Aborts a task when dropped.
struct AbortOnDrop(AbortHandle);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

enum Step {
    Progress,
    CaughtUp,
    Done,
}

/// Blocks to read: `next..=limit`, with every header (`dense`) or only those with logs.
#[derive(Debug, Clone, Copy)]
struct Range {
    next: u64,
    limit: u64,
    dense: bool,
}

/// One indexer process.
#[derive(Debug)]
pub struct Indexer {
    settings: Settings,
    deployment: Deployment,
    decoder: Arc<Decoder>,
    chain: Chain,
    reader: Reader,
    metrics: Arc<Metrics>,
    progress: Progress,
    /// Notified on every new head when subscribed over WebSocket.
    new_head: Arc<Notify>,
}

impl Indexer {
    /// Reads the manifest and prepares the connection to the node.
    pub fn new(settings: Settings, metrics: Arc<Metrics>) -> Result<Self> {
        let deployment = Deployment::read(&settings.manifest)?;
        let chain = Chain::connect(&settings.rpc_url, settings.rpc_timeout(), metrics.clone())?;
        let decoder = Arc::new(Decoder::new(&deployment));
        let reader = Reader::new(
            chain.clone(),
            decoder.clone(),
            metrics.clone(),
            settings.initial_block_range,
            settings.max_block_range,
            settings.target_batch_events,
        );
        let progress = Progress::new(&settings.progress);
        let new_head = Arc::new(Notify::new());
        Ok(Self { settings, deployment, decoder, chain, reader, metrics, progress, new_head })
    }

    /// The deployment being indexed.
    pub fn deployment(&self) -> &Deployment {
        &self.deployment
    }

    /// Runs until cancelled (or until `--stop-at-block` / `--exit-when-caught-up`). Returns an
    /// error only for faults that retrying cannot fix (wrong chain, another deployment, bad schema).
    pub async fn run(mut self, cancel: CancellationToken) -> Result<()> {
        // Stops the subscription when this returns, cancelled or not.
        let _heads = self.spawn_new_heads(&cancel).map(CancellationToken::drop_guard);
        let outcome = self.run_inner(&cancel).await;
        self.progress.finish();
        self.metrics.is_writer.store(false, Ordering::Relaxed);
        match outcome {
            Err(Error::Cancelled) => {
                tracing::info!("stopped");
                Ok(())
            }
            other => other,
        }
    }

    /// Starts the new-heads subscription unless the loop never waits for a head
    /// (`--exit-when-caught-up`) or `--ws-url off`. Returns the token that stops it.
    fn spawn_new_heads(&self, cancel: &CancellationToken) -> Option<CancellationToken> {
        let s = &self.settings;
        if s.exit_when_caught_up {
            return None;
        }
        let Some(url) = s.ws_endpoint() else {
            tracing::info!(poll_ms = s.poll_interval_ms, "no WebSocket for new heads (--ws-url); polling");
            return None;
        };
        let heads = NewHeads {
            url,
            explicit: matches!(s.ws_url, WsUrl::Url(_)),
            timeout: s.rpc_timeout(),
            max_backoff: s.max_backoff(),
            poll_interval: s.poll_interval(),
        };
        let stop = cancel.child_token();
        tokio::spawn(heads.run(self.new_head.clone(), self.metrics.clone(), stop.clone()));
        Some(stop)
    }

    async fn run_inner(&mut self, cancel: &CancellationToken) -> Result<()> {
        let mut backoff = Backoff::new(self.settings.max_backoff());
        let mut faults = FaultLog::default();
        loop {
            match self.chain.chain_id().await {
                Ok(id) if id == self.deployment.chain_id => break,
                Ok(id) => return Err(Error::WrongChain { manifest: self.deployment.chain_id, node: id }),
                Err(error) => {
                    faults.failed("reaching the node", &error);
                    backoff.wait(cancel).await?;
                }
            }
        }
        faults.recovered("reaching the node");
        backoff.reset();
        loop {
            if cancel.is_cancelled() {
                return Err(Error::Cancelled);
            }
            let outcome = match self.connect_writer(cancel).await {
                Ok(mut conn) => {
                    faults.recovered("the database");
                    backoff.reset();
                    let outcome = self.follow(&mut conn, cancel).await;
                    self.metrics.is_writer.store(false, Ordering::Relaxed);
                    outcome
                }
                Err(error) => Err(error),
            };
            match outcome {
                Ok(()) => return Ok(()),
                Err(error) if error.is_database() => {
                    self.metrics.db_errors_total.fetch_add(1, Ordering::Relaxed);
                    faults.failed("the database", &error);
                    backoff.wait(cancel).await?;
                }
                Err(error) => return Err(error),
            }
        }
    }

    /// Connects, migrates, and waits for the writer lock.
    async fn connect_writer(&self, cancel: &CancellationToken) -> Result<PgConnection> {
        let options: sqlx::postgres::PgConnectOptions = self.settings.database_url.parse()?;
        let options = options.application_name(&format!("egp-indexer/{}", std::process::id()));
        let mut conn = options.connect().await?;
        MIGRATOR.run_direct(&mut conn).await?;
        let mut announced = false;
        while !store::try_lock_writer(&mut conn).await? {
            if !announced {
                let holder = store::lock_holder(&mut conn).await?;
                tracing::info!(
                    holder_backend_pid = holder,
                    "another indexer writes to this database; waiting to take over"
                );
                announced = true;
            }
            tokio::select! {
                () = cancel.cancelled() => return Err(Error::Cancelled),
                () = tokio::time::sleep(Duration::from_millis(500)) => {}
            }
        }
        self.metrics.is_writer.store(true, Ordering::Relaxed);
        tracing::info!(chain_id = self.deployment.chain_id, "holding the writer lock");
        Ok(conn)
    }

    async fn follow(&mut self, conn: &mut PgConnection, cancel: &CancellationToken) -> Result<()> {
        let mut backoff = Backoff::new(self.settings.max_backoff());
        let mut faults = FaultLog::default();
        let start = self.deployment.start_block();
        let start_parent = loop {
            let parent = match start.checked_sub(1) {
                Some(parent) => self.chain.header(parent).await.map(|h| Some(h.hash)),
                None => Ok(None),
            };
            match parent {
                Ok(hash) => break hash,
                Err(error) => {
                    faults.failed("the node", &error);
                    backoff.wait(cancel).await?;
                }
            }
        };
        let mut checkpoint = store::load_or_init_checkpoint(conn, &self.deployment, start_parent).await?;
        tracing::info!(block = checkpoint.block_number, "resuming after the checkpoint");
        self.metrics.indexed_block.store(checkpoint.block_number, Ordering::Relaxed);
        loop {
            if cancel.is_cancelled() {
                return Err(Error::Cancelled);
            }
            match self.step(conn, &mut checkpoint, cancel).await {
                Ok(step) => {
                    faults.recovered("the node");
                    backoff.reset();
                    self.metrics.last_progress.store(unix_now(), Ordering::Relaxed);
                    match step {
                        Step::Progress => {}
                        Step::Done => return Ok(()),
                        Step::CaughtUp if self.settings.exit_when_caught_up => return Ok(()),
                        Step::CaughtUp => {
                            // A new head wakes the loop early; the poll is the safety net.
                            // (Owned futures: a borrowed `Notified` here makes `run`'s future
                            // fail the `Send` check of callers that spawn it.)
                            let new_head = self.new_head.clone();
                            tokio::select! {
                                () = cancel.clone().cancelled_owned() => return Err(Error::Cancelled),
                                () = async move { new_head.notified().await } => {}
                                () = tokio::time::sleep(self.settings.poll_interval()) => {}
                            }
                        }
                    }
                }
                Err(error) if error.is_database() || !error.is_transient() => return Err(error),
                Err(error) => {
                    faults.failed("the node", &error);
                    backoff.wait(cancel).await?;
                }
            }
        }
    }

    /// One iteration: detect a reorg at the checkpoint, or read, check and commit the next range.
    async fn step(
        &mut self,
        conn: &mut PgConnection,
        checkpoint: &mut Checkpoint,
        cancel: &CancellationToken,
    ) -> Result<Step> {
        let head = self.chain.head().await?;
        self.metrics.chain_head.store(head as i64, Ordering::Relaxed);
        if let Some(stored) = checkpoint.block_hash
            && checkpoint.block_number >= 0
        {
            let number = checkpoint.block_number as u64;
            let canonical = if number > head { None } else { Some(self.chain.header(number).await?) };
            if canonical.map(|h| h.hash) != Some(stored) {
                self.roll_back_reorg(conn, checkpoint, head).await?;
                return Ok(Step::Progress);
            }
            if number == head
                && let Some(h) = canonical
            {
                self.metrics.chain_head_timestamp.store(h.timestamp as i64, Ordering::Relaxed);
            }
        }
        let final_block =
            self.chain.final_block(head, self.settings.confirmations, self.settings.finalized_tag).await?;
        if let Some(final_block) = final_block {
            self.metrics.final_block.store(final_block as i64, Ordering::Relaxed);
        }
        let next = (checkpoint.block_number + 1) as u64;
        let stop = self.settings.stop_at_block.unwrap_or(u64::MAX);
        if next > stop {
            return Ok(Step::Done);
        }
        if next > head {
            if let Some(final_block) = final_block {
                store::advance_finality(conn, checkpoint, final_block).await?;
            }
            return Ok(Step::CaughtUp);
        }
        // Far below the head, headers are read only where there are logs; within the reorg
        // window every header is read and chained by parent hash. Either way a task reads ahead
        // while the batches commit, and every batch must chain onto the checkpoint.
        let dense_from = head.saturating_sub(self.settings.reorg_window) + 1;
        let dense = next >= dense_from;
        let limit = if dense { head } else { dense_from - 1 }.min(stop);
        self.read_and_commit(conn, checkpoint, cancel, Range { next, limit, dense }, head, final_block).await
    }

    /// Reads and prepares `range` in a task of its own while committing the batches it hands over
    /// (at most one waiting, one being prepared), so reading and writing overlap with bounded
    /// memory, and the transaction only does what needs the database.
    async fn read_and_commit(
        &mut self,
        conn: &mut PgConnection,
        checkpoint: &mut Checkpoint,
        cancel: &CancellationToken,
        range: Range,
        head: u64,
        final_block: Option<u64>,
    ) -> Result<Step> {
        let Range { next, limit, dense } = range;
        let (sender, mut batches) = mpsc::channel::<PreparedBatch>(1);
        let mut reader = self.reader.clone();
        let chain_id = self.deployment.chain_id;
        let producer = tokio::spawn(async move {
            let mut next = next;
            while next <= limit {
                let mut fetched = reader.read(next, limit, dense, final_block).await?;
                next = fetched.to + 1;
                while let Some(batch) = fetched.next_batch(reader.decoder(), reader.metrics())? {
                    if sender.send(PreparedBatch::new(chain_id, batch)?).await.is_err() {
                        break;
                    }
                }
            }
            Ok::<_, Error>(reader.range)
        });
        // Dropping this (on an error, a reorg or cancellation) stops the reader.
        let _stop = AbortOnDrop(producer.abort_handle());
        let mut started = Instant::now();
        while let Some(batch) = batches.recv().await {
            if cancel.is_cancelled() {
                return Err(Error::Cancelled);
            }
            if !self.commit(conn, checkpoint, &batch, head, started).await? {
                return Ok(Step::Progress);
            }
            started = Instant::now();
        }
        match producer.await {
            Ok(outcome) => self.reader.range = outcome?,
            Err(error) => std::panic::resume_unwind(error.into_panic()),
        }
        Ok(Step::Progress)
    }

    /// Commits `batch` if it chains onto the checkpoint; otherwise rolls the reorg back and
    /// returns `false`.
    async fn commit(
        &mut self,
        conn: &mut PgConnection,
        checkpoint: &mut Checkpoint,
        prepared: &PreparedBatch,
        head: u64,
        started: Instant,
    ) -> Result<bool> {
        let batch = prepared.batch();
        let commit_started = Instant::now();
        if batch.from as i64 != checkpoint.block_number + 1 {
            return Err(Error::Inconsistent {
                block: batch.from,
                reason: "a batch that does not follow the checkpoint",
            });
        }
        // The range must chain onto the checkpoint.
        if checkpoint.block_hash.is_some_and(|stored| batch.parent_hash != stored) {
            self.roll_back_reorg(conn, checkpoint, head).await?;
            return Ok(false);
        }
        let (moved, committed) = store::commit_batch(conn, &self.decoder, checkpoint, prepared)
            .await
            .map_err(|error| error.refused(batch.from, batch.to))?;
        *checkpoint = moved;

        let to = batch.to;
        let elapsed = started.elapsed().as_millis().max(1) as u64;
        let m = &self.metrics;
        m.indexed_block.store(to as i64, Ordering::Relaxed);
        m.indexed_block_timestamp.store(batch.to_timestamp as i64, Ordering::Relaxed);
        if to == head {
            m.chain_head_timestamp.store(batch.to_timestamp as i64, Ordering::Relaxed);
        }
        m.events_total.fetch_add(committed.events, Ordering::Relaxed);
        m.batches_total.fetch_add(1, Ordering::Relaxed);
        m.last_batch_events.store(batch.events.len() as u64, Ordering::Relaxed);
        m.last_batch_blocks.store(to - batch.from + 1, Ordering::Relaxed);
        m.events_per_second_milli.store(committed.events * 1_000_000 / elapsed, Ordering::Relaxed);
        tracing::debug!(
            from = batch.from,
            to,
            events = committed.events,
            records = prepared.entities.len(),
            waited_ms = commit_started.duration_since(started).as_millis() as u64,
            commit_ms = commit_started.elapsed().as_millis() as u64,
            "committed"
        );
        self.progress.update(to, head, committed.events);
        Ok(true)
    }

    /// The checkpoint block is no longer canonical: find the highest stored block that still is
    /// (the fork point) and roll everything above it back.
    async fn roll_back_reorg(&mut self, conn: &mut PgConnection, checkpoint: &mut Checkpoint, head: u64) -> Result<()> {
        let start = self.deployment.start_block();
        let mut below = checkpoint.block_number;
        let fork: (i64, Option<B256>) = 'search: loop {
            let stored = store::stored_blocks(conn, checkpoint.chain_id, below, 64).await?;
            let Some(&(lowest, _)) = stored.last() else {
                // Nothing stored matches: back to just before the deployment.
                let parent = match start.checked_sub(1) {
                    Some(parent) => Some(self.chain.header(parent).await?.hash),
                    None => None,
                };
                break 'search (start as i64 - 1, parent);
            };
            for (number, hash) in stored {
                if number <= head && self.chain.header(number).await?.hash == hash {
                    break 'search (number as i64, Some(hash));
                }
            }
            below = lowest as i64 - 1;
        };
        let depth = checkpoint.block_number - fork.0;
        if depth == 0 {
            // The checkpoint is canonical after all: the chain moved while we read it.
            return Err(Error::Inconsistent { block: fork.0 as u64, reason: "the head changed while reading" });
        }
        let (moved, removed) = store::roll_back(conn, &self.decoder, checkpoint, fork.0, fork.1).await?;
        tracing::warn!(fork_block = fork.0, depth, removed_events = removed, "reorg: rolled back to the fork point");
        *checkpoint = moved;
        self.metrics.reorgs_total.fetch_add(1, Ordering::Relaxed);
        self.metrics.reorged_blocks_total.fetch_add(depth.max(0) as u64, Ordering::Relaxed);
        self.metrics.indexed_block.store(fork.0, Ordering::Relaxed);
        Ok(())
    }
}

/// Opens a plain connection (for tools and `verify`).
pub async fn connect(database_url: &str) -> Result<PgConnection> {
    Ok(PgConnection::connect(database_url).await?)
}
