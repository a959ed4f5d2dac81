//! The indexing loop: take the writer lock, read the checkpoint, then batch after batch read a
//! range of logs, check that it chains onto what is stored (else roll back the reorg), decode and
//! commit. Faults of the node or the database are retried with back-off; nothing is committed
//! that was not read completely.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use alloy::primitives::B256;
use egp_contracts::Deployment;
use rand::Rng;
use sqlx::{ConnectOptions, Connection, PgConnection};
use tokio_util::sync::CancellationToken;

use crate::chain::Chain;
use crate::config::Settings;
use crate::decode::{Decoder, Provenance, Skip};
use crate::metrics::{Metrics, unix_now};
use crate::progress::Progress;
use crate::store::{self, Batch, Checkpoint};
use crate::write::BlockHeader;
use crate::{Error, MIGRATOR, Result};

/// Exponential back-off with jitter: 250 ms, 500 ms, 1 s, ... up to a maximum, each pause
/// between half and all of that.
#[derive(Debug)]
pub struct Backoff {
    attempt: u32,
    max: Duration,
}

impl Backoff {
    /// A back-off that never waits longer than `max`.
    pub fn new(max: Duration) -> Self {
        Self { attempt: 0, max }
    }

    /// The next pause.
    pub fn next_delay(&mut self) -> Duration {
        let base = Duration::from_millis(250).saturating_mul(1 << self.attempt.min(16)).min(self.max);
        self.attempt += 1;
        base * rand::thread_rng().gen_range(50..=100) / 100
    }

    /// Back to the shortest pause.
    pub fn reset(&mut self) {
        self.attempt = 0;
    }

    /// Sleeps for the next pause unless cancelled first.
    pub async fn wait(&mut self, cancel: &CancellationToken) -> Result<()> {
        let delay = self.next_delay();
        tokio::select! {
            () = cancel.cancelled() => Err(Error::Cancelled),
            () = tokio::time::sleep(delay) => Ok(()),
        }
    }
}

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

enum Step {
    Progress,
    CaughtUp,
    Done,
}

/// One indexer process.
#[derive(Debug)]
pub struct Indexer {
    settings: Settings,
    deployment: Deployment,
    decoder: Decoder,
    chain: Chain,
    metrics: Arc<Metrics>,
    range: u64,
    progress: Progress,
}

impl Indexer {
    /// Reads the manifest and prepares the connection to the node.
    pub fn new(settings: Settings, metrics: Arc<Metrics>) -> Result<Self> {
        let deployment = Deployment::read(&settings.manifest)?;
        let chain = Chain::connect(&settings.rpc_url, settings.rpc_timeout(), metrics.clone())?;
        let decoder = Decoder::new(&deployment);
        let range = settings.initial_block_range.clamp(1, settings.max_block_range.max(1));
        let progress = Progress::new(&settings.progress);
        Ok(Self { settings, deployment, decoder, chain, metrics, range, progress })
    }

    /// The deployment being indexed.
    pub fn deployment(&self) -> &Deployment {
        &self.deployment
    }

    /// Runs until cancelled (or until `--stop-at-block` / `--exit-when-caught-up`). Returns an
    /// error only for faults that retrying cannot fix (wrong chain, another deployment, bad schema).
    pub async fn run(mut self, cancel: CancellationToken) -> Result<()> {
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
            match self.step(conn, &mut checkpoint).await {
                Ok(step) => {
                    faults.recovered("the node");
                    backoff.reset();
                    self.metrics.last_progress.store(unix_now(), Ordering::Relaxed);
                    match step {
                        Step::Progress => {}
                        Step::Done => return Ok(()),
                        Step::CaughtUp if self.settings.exit_when_caught_up => return Ok(()),
                        Step::CaughtUp => {
                            tokio::select! {
                                () = cancel.cancelled() => return Err(Error::Cancelled),
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
    async fn step(&mut self, conn: &mut PgConnection, checkpoint: &mut Checkpoint) -> Result<Step> {
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
        let dense_from = head.saturating_sub(self.settings.reorg_window) + 1;
        let mut to = (next + self.range - 1).min(head).min(stop);
        if next < dense_from && to >= dense_from {
            to = dense_from - 1;
        }
        let dense = next >= dense_from;

        let started = Instant::now();
        let addresses = self.decoder.addresses();
        let logs = loop {
            match self.chain.logs(&addresses, next, to).await {
                Ok(logs) => break logs,
                Err(error) if to > next => {
                    self.range = (to - next).div_ceil(2).max(1);
                    to = next + self.range - 1;
                    tracing::debug!(%error, range = self.range, "eth_getLogs refused; halving the range");
                }
                Err(error) => return Err(error),
            }
        };
        let fetch_time = started.elapsed();
        let span = to - next + 1;
        if span == self.range
            && fetch_time < Duration::from_secs(2)
            && (logs.len() as u64) < self.settings.target_batch_events / 2
        {
            self.range = (self.range * 2).min(self.settings.max_block_range.max(1));
        } else if logs.len() as u64 > self.settings.target_batch_events * 2 && self.range > 1 {
            self.range = (self.range / 2).max(1);
        }
        self.metrics.block_range.store(self.range, Ordering::Relaxed);

        let mut wanted: BTreeSet<u64> = if dense { (next..=to).collect() } else { BTreeSet::from([next, to]) };
        wanted.extend(logs.iter().filter_map(|log| log.block_number));
        let numbers: Vec<u64> = wanted.into_iter().collect();
        let headers: BTreeMap<u64, BlockHeader> =
            self.chain.headers(&numbers).await?.into_iter().map(|h| (h.number, h)).collect();

        // The range must chain onto the checkpoint, block to block where every header is read.
        if let Some(stored) = checkpoint.block_hash
            && headers[&next].parent_hash != stored
        {
            self.roll_back_reorg(conn, checkpoint, head).await?;
            return Ok(Step::Progress);
        }
        if dense {
            for n in next + 1..=to {
                if headers[&n].parent_hash != headers[&(n - 1)].hash {
                    return Err(Error::Inconsistent { block: n, reason: "parent hash differs from the block before" });
                }
            }
        }
        let mut events = Vec::with_capacity(logs.len());
        for log in &logs {
            if log.removed {
                continue;
            }
            let (Some(number), Some(hash), Some(tx), Some(tx_index), Some(log_index)) =
                (log.block_number, log.block_hash, log.transaction_hash, log.transaction_index, log.log_index)
            else {
                return Err(Error::Inconsistent { block: next, reason: "a log without its block position" });
            };
            let header =
                headers.get(&number).ok_or(Error::Inconsistent { block: number, reason: "log outside range" })?;
            if header.hash != hash {
                return Err(Error::Inconsistent { block: number, reason: "log block hash differs from the header" });
            }
            let provenance = Provenance {
                contract_address: log.address(),
                block_number: number,
                block_hash: hash,
                block_timestamp: header.timestamp,
                transaction_hash: tx,
                transaction_index: tx_index,
                log_index,
                is_final: final_block.is_some_and(|f| number <= f),
            };
            match self.decoder.decode(provenance, &log.inner.data) {
                Ok(event) => events.push(event),
                Err(skip) => {
                    self.metrics.unknown_logs_total.fetch_add(1, Ordering::Relaxed);
                    let reason = match skip {
                        Skip::UnknownContract => "unknown contract",
                        Skip::UnknownTopic => "unknown topic",
                    };
                    tracing::debug!(block = number, log_index, address = %log.address(), reason, "skipped a log");
                }
            }
        }
        events.sort_by_key(|e| (e.provenance.block_number, e.provenance.log_index));
        let event_blocks: BTreeSet<u64> = events.iter().map(|e| e.provenance.block_number).collect();
        let blocks = headers.values().filter(|h| dense || event_blocks.contains(&h.number)).copied().collect();
        let batch = Batch { from: next, to, to_hash: headers[&to].hash, blocks, events, final_block };
        let (moved, committed) = store::commit_batch(conn, &self.decoder, checkpoint, &batch).await?;
        *checkpoint = moved;

        let elapsed = started.elapsed().as_millis().max(1) as u64;
        let m = &self.metrics;
        m.indexed_block.store(to as i64, Ordering::Relaxed);
        m.indexed_block_timestamp.store(headers[&to].timestamp as i64, Ordering::Relaxed);
        if to == head {
            m.chain_head_timestamp.store(headers[&to].timestamp as i64, Ordering::Relaxed);
        }
        m.events_total.fetch_add(committed.events, Ordering::Relaxed);
        m.batches_total.fetch_add(1, Ordering::Relaxed);
        m.last_batch_events.store(batch.events.len() as u64, Ordering::Relaxed);
        m.last_batch_blocks.store(span, Ordering::Relaxed);
        m.events_per_second_milli.store(committed.events * 1_000_000 / elapsed, Ordering::Relaxed);
        tracing::debug!(from = next, to, events = committed.events, records = committed.entities.len(), "committed");
        self.progress.update(to, head, committed.events);
        Ok(Step::Progress)
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
