//! Reading the chain for the writer: one `eth_getLogs` range at a time (adapting to the node and
//! to how dense the events are), the headers that check it, then batches of about
//! `--target-batch-events` events cut at block boundaries and decoded one at a time, so that a
//! large range never becomes one huge transaction nor a huge decoded buffer.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use alloy::primitives::{Address, B256};
use alloy::rpc::types::Log;
use futures_util::future::try_join_all;

use crate::chain::Chain;
use crate::decode::{Decoder, IndexedEvent, Provenance, Skip};
use crate::metrics::Metrics;
use crate::write::BlockHeader;
use crate::{Error, Result};

/// `eth_getLogs` calls a range is split into, answered concurrently.
const LOG_REQUESTS: u64 = 4;

/// Reads ranges of blocks; owns the adaptive `eth_getLogs` range.
#[derive(Debug, Clone)]
pub struct Reader {
    chain: Chain,
    decoder: Arc<Decoder>,
    metrics: Arc<Metrics>,
    /// Blocks per `eth_getLogs` call, as last adapted.
    pub range: u64,
    max_range: u64,
    target: u64,
}

impl Reader {
    /// A reader starting at `initial_range` blocks per call, never above `max_range`, aiming at
    /// `target` events per batch.
    pub fn new(
        chain: Chain,
        decoder: Arc<Decoder>,
        metrics: Arc<Metrics>,
        initial_range: u64,
        max_range: u64,
        target: u64,
    ) -> Self {
        let max_range = max_range.max(1);
        Self { chain, decoder, metrics, range: initial_range.clamp(1, max_range), max_range, target: target.max(1) }
    }

    /// Reads the logs of blocks `next..` (at most up to `limit`) and the headers to check them:
    /// every header when `dense`, else those of `next`, of the last block and of blocks with logs.
    /// Blocks read densely must chain by parent hash.
    pub async fn read(&mut self, next: u64, limit: u64, dense: bool, final_block: Option<u64>) -> Result<Fetched> {
        let mut to = (next + self.range - 1).min(limit);
        let started = Instant::now();
        let addresses = self.decoder.addresses();
        let mut logs = loop {
            match self.logs(&addresses, next, to).await {
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
        // Batches are cut at block boundaries: the logs must be in chain order.
        logs.sort_by_key(|l| (l.block_number, l.log_index));
        let span = to - next + 1;
        let found = logs.len() as u64;
        if span == self.range && fetch_time < Duration::from_secs(2) && found < self.target / 2 {
            self.range = (self.range * 2).min(self.max_range);
        } else if found > self.target * 2 {
            // Straight to the span that holds about one batch, not halving step by step.
            self.range = (span * self.target / found).clamp(1, self.max_range);
        }
        self.metrics.block_range.store(self.range, Ordering::Relaxed);
        tracing::debug!(from = next, to, logs = found, fetch_ms = fetch_time.as_millis() as u64, "fetched");

        let mut wanted: BTreeSet<u64> = if dense { (next..=to).collect() } else { BTreeSet::from([next, to]) };
        wanted.extend(logs.iter().filter_map(|log| log.block_number));
        let numbers: Vec<u64> = wanted.into_iter().collect();
        let headers: BTreeMap<u64, BlockHeader> =
            self.chain.headers(&numbers).await?.into_iter().map(|h| (h.number, h)).collect();
        if dense {
            for n in next + 1..=to {
                if headers[&n].parent_hash != headers[&(n - 1)].hash {
                    return Err(Error::Inconsistent { block: n, reason: "parent hash differs from the block before" });
                }
            }
        }
        let parent_hash = headers[&next].parent_hash;
        Ok(Fetched { next, to, dense, final_block, parent_hash, headers, logs, target: self.target })
    }

    /// The logs of `from..=to`, asked for in up to [`LOG_REQUESTS`] sub-ranges at once (a node
    /// answers them on several cores; while the first range of a backfill is read, nothing else
    /// is running). Fails if any part fails.
    async fn logs(&self, addresses: &[Address], from: u64, to: u64) -> Result<Vec<Log>> {
        let span = to - from + 1;
        let part = span.div_ceil(LOG_REQUESTS);
        let parts = (0..LOG_REQUESTS)
            .map(|k| (from + k * part, (from + (k + 1) * part - 1).min(to)))
            .filter(|(first, last)| first <= last)
            .map(|(first, last)| self.chain.logs(addresses, first, last));
        Ok(try_join_all(parts).await?.into_iter().flatten().collect())
    }

    /// The decoder.
    pub fn decoder(&self) -> &Decoder {
        &self.decoder
    }

    /// The metrics (unknown logs are counted while decoding).
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }
}

/// One range of blocks, read and decoded, ready to commit.
#[derive(Debug, Clone, Default)]
pub struct Batch {
    /// First block of the range.
    pub from: u64,
    /// Last block of the range (the new checkpoint).
    pub to: u64,
    /// The hash block `from - 1` must have (the checkpoint's, unless the chain reorganised).
    pub parent_hash: B256,
    /// The hash of `to`.
    pub to_hash: B256,
    /// The timestamp of `to`.
    pub to_timestamp: u64,
    /// Headers to store: blocks with events, and every block near the head.
    pub blocks: Vec<BlockHeader>,
    /// The decoded events, in chain order.
    pub events: Vec<IndexedEvent>,
    /// The highest final block, if known.
    pub final_block: Option<u64>,
}

/// One `eth_getLogs` range as read, not yet decoded.
#[derive(Debug)]
pub struct Fetched {
    /// First block not yet handed out as a batch.
    next: u64,
    /// Last block of the range.
    pub to: u64,
    dense: bool,
    final_block: Option<u64>,
    /// The hash block `next - 1` must have.
    parent_hash: B256,
    headers: BTreeMap<u64, BlockHeader>,
    /// Logs not yet handed out, in chain order.
    logs: Vec<Log>,
    target: u64,
}

impl Fetched {
    /// The next batch of the range: about `target` events, whole blocks only, or `None` when the
    /// range is used up.
    pub fn next_batch(&mut self, decoder: &Decoder, metrics: &Metrics) -> Result<Option<Batch>> {
        if self.next > self.to {
            return Ok(None);
        }
        let from = self.next;
        // Cut after the block of the target-th log, unless what remains is not much more.
        let cut = if self.logs.len() as u64 > self.target + self.target / 2 {
            let last = self.logs[self.target as usize - 1].block_number;
            self.logs.iter().position(|l| l.block_number > last).unwrap_or(self.logs.len())
        } else {
            self.logs.len()
        };
        let to = if cut == self.logs.len() {
            self.to
        } else {
            self.logs[cut - 1]
                .block_number
                .ok_or(Error::Inconsistent { block: from, reason: "a log without its block" })?
        };
        let logs: Vec<Log> = self.logs.drain(..cut).collect();
        let mut events = Vec::with_capacity(logs.len());
        for log in &logs {
            if log.removed {
                continue;
            }
            let (Some(number), Some(hash), Some(tx), Some(tx_index), Some(log_index)) =
                (log.block_number, log.block_hash, log.transaction_hash, log.transaction_index, log.log_index)
            else {
                return Err(Error::Inconsistent { block: from, reason: "a log without its block position" });
            };
            let header = self
                .headers
                .get(&number)
                .filter(|_| (from..=to).contains(&number))
                .ok_or(Error::Inconsistent { block: number, reason: "log outside range" })?;
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
                is_final: self.final_block.is_some_and(|f| number <= f),
            };
            match decoder.decode(provenance, &log.inner.data) {
                Ok(event) => events.push(event),
                Err(skip) => {
                    metrics.unknown_logs_total.fetch_add(1, Ordering::Relaxed);
                    // Retrying cannot change a log: it is skipped, counted and reported. A topic
                    // unknown to one of the deployment's own contracts means the indexer is older
                    // than the contracts, which an operator must hear about.
                    let address = log.address();
                    match skip {
                        Skip::UnknownContract => {
                            tracing::debug!(block = number, log_index, %address, "skipped a log of an unknown contract");
                        }
                        Skip::UnknownTopic => tracing::warn!(
                            block = number,
                            log_index,
                            %address,
                            topic = ?log.topics().first(),
                            "skipped a log whose topic or data the contract's ABI does not have"
                        ),
                    }
                }
            }
        }
        drop(logs);
        events.sort_by_key(|e| (e.provenance.block_number, e.provenance.log_index));
        let event_blocks: BTreeSet<u64> = events.iter().map(|e| e.provenance.block_number).collect();
        let blocks = self
            .headers
            .range(from..=to)
            .map(|(_, h)| *h)
            .filter(|h| self.dense || event_blocks.contains(&h.number))
            .collect();
        let to_header = self.headers[&to];
        let batch = Batch {
            from,
            to,
            parent_hash: self.parent_hash,
            to_hash: to_header.hash,
            to_timestamp: to_header.timestamp,
            blocks,
            events,
            final_block: self.final_block,
        };
        self.next = to + 1;
        self.parent_hash = to_header.hash;
        Ok(Some(batch))
    }
}
