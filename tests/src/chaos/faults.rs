//! The faults, one at a time: each is injected, then ended (the process started again, the
//! server or the node back), then the run waits until the mirror has recovered: its checkpoint
//! at or past the chain's head as it stood when the fault ended, on the chain's own block there.
//! The time from the end of the fault to that moment is the fault's time to recover.

use std::time::{Duration, Instant};

use alloy::eips::BlockNumberOrTag;
use alloy::providers::{DynProvider, Provider};
use rand::Rng;
use rand::rngs::StdRng;
use serde_json::json;

use egp_testkit::Stack;
use egp_testkit::front::Tamper;
use egp_testkit::postgres::{PrivatePostgres, Shutdown};

use crate::chaos::load;

/// The longest a recovery may take before the run counts the fault as not recovered.
const RECOVERY_LIMIT: Duration = Duration::from_secs(180);

/// Reorgs replace 1 to this many blocks.
pub const MAX_REORG_DEPTH: u64 = 20;
const _: () = assert!(MAX_REORG_DEPTH < egp::local::IN_MEMORY_STATES, "anvil keeps the state to roll back onto");

/// How many blocks behind the head the indexer is kept down before a backfill kill.
const BACKFILL_LAG: u64 = 40;

/// One kind of fault, as the summary names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// SIGKILL of the indexer while it follows the head.
    IndexerKillLive,
    /// SIGKILL of the indexer while it catches up after a while down (a backfill).
    IndexerKillBackfill,
    /// SIGKILL of the API.
    ApiKill,
    /// A reorg (the top blocks rolled back, a longer branch with other guarantees) while the
    /// indexer runs.
    Reorg,
    /// A reorg while the indexer is down.
    ReorgWhileDown,
    /// `pg_ctl stop -m fast`, then start.
    PostgresFast,
    /// `pg_ctl stop -m immediate` (a crash), then start.
    PostgresImmediate,
    /// The node unreachable: connections refused.
    NodeRefused,
    /// The node unreachable: connections hang without an answer.
    NodeHung,
    /// Malformed JSON from the node.
    MalformedJson,
    /// A block whose number is not the one asked.
    WrongBlockNumber,
    /// Logs with a topic no contract has.
    UnknownTopic,
}

impl Kind {
    /// The name printed in the summary.
    pub fn name(self) -> &'static str {
        match self {
            Self::IndexerKillLive => "indexer SIGKILL (live)",
            Self::IndexerKillBackfill => "indexer SIGKILL (backfill)",
            Self::ApiKill => "API SIGKILL",
            Self::Reorg => "reorg",
            Self::ReorgWhileDown => "reorg, indexer down",
            Self::PostgresFast => "PostgreSQL stop -m fast",
            Self::PostgresImmediate => "PostgreSQL stop -m immediate",
            Self::NodeRefused => "node outage (refused)",
            Self::NodeHung => "node outage (hung)",
            Self::MalformedJson => "malformed JSON",
            Self::WrongBlockNumber => "wrong block number",
            Self::UnknownTopic => "unknown topic",
        }
    }
}

/// What the injector needs.
pub struct Injector<'a> {
    /// The stack.
    pub stack: &'a mut Stack,
    /// Its private PostgreSQL server.
    pub postgres: &'a mut PrivatePostgres,
    /// The chain, read directly.
    pub node: DynProvider,
    /// The run's random numbers.
    pub rng: StdRng,
    /// How long a node outage lasts.
    pub outage: Duration,
    /// Taken exclusively while anvil rolls back and builds the new branch.
    pub quiet: load::Quiet,
    /// Reorgs so far (names the new branch's guarantees).
    pub reorgs: u32,
}

/// One injected fault: what, and its time to recover (`None`: it did not recover in time).
#[derive(Debug, Clone)]
pub struct Injected {
    /// The kind.
    pub kind: Kind,
    /// Faults in it (a backfill kill is two: one live, one during the catch-up).
    pub count: u32,
    /// Extra facts (a reorg's depth, where a backfill kill hit).
    pub detail: String,
    /// The reorg made, for a reorg.
    pub reorg: Option<ReorgMade>,
    /// From the end of the fault to the recovery.
    pub recovery: Option<Duration>,
}

/// A reorg as it was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReorgMade {
    /// Blocks replaced.
    pub depth: u64,
    /// How many of them the mirror had indexed (all, unless it lagged behind the head).
    pub indexed: u64,
    /// New guarantees on the new branch.
    pub guarantees: u64,
}

impl Injector<'_> {
    /// Injects `kind`, ends it, and waits for the recovery.
    pub async fn inject(&mut self, kind: Kind) -> Injected {
        let mut count = 1;
        let mut api_restart = None;
        let mut reorg = None;
        let detail = match kind {
            Kind::IndexerKillLive => {
                self.stack.kill_indexer();
                self.pause(200, 2_000).await;
                self.stack.start_indexer();
                String::new()
            }
            Kind::IndexerKillBackfill => {
                // Down while the load goes on until the mirror is well behind, started, and killed
                // again at the first move of its checkpoint: in the middle of the catch-up.
                self.stack.kill_indexer();
                let left = self.checkpoint().unwrap_or(0);
                poll_until(Duration::from_secs(60), Duration::from_millis(50), async || {
                    self.head().await >= left + BACKFILL_LAG
                })
                .await;
                let behind = self.head().await;
                self.stack.start_indexer();
                poll_until(Duration::from_secs(30), Duration::from_millis(5), async || {
                    self.checkpoint().is_some_and(|at| at > left)
                })
                .await;
                self.stack.kill_indexer();
                let at = self.checkpoint().unwrap_or(left);
                count = 2;
                self.pause(100, 500).await;
                self.stack.start_indexer();
                let lag = behind.saturating_sub(left);
                if at <= left {
                    format!("checkpoint did not move within 30 s ({lag} blocks behind)")
                } else if at < behind {
                    format!("mid-catch-up ({} of {lag} blocks)", at - left)
                } else {
                    format!("caught up before the kill ({lag} blocks)")
                }
            }
            Kind::ApiKill => {
                self.stack.kill_api();
                self.pause(200, 2_000).await;
                let started = Instant::now();
                self.stack.start_api().await;
                api_restart = Some(started.elapsed());
                String::new()
            }
            Kind::Reorg | Kind::ReorgWhileDown => {
                let depth = self.rng.gen_range(1..=MAX_REORG_DEPTH);
                let made = self.reorg(depth, kind == Kind::ReorgWhileDown).await;
                if kind == Kind::ReorgWhileDown {
                    self.pause(500, 2_000).await;
                    self.stack.start_indexer();
                }
                reorg = Some(made);
                let lag = if made.indexed < depth { format!(", {} indexed", made.indexed) } else { String::new() };
                let plural = if made.guarantees == 1 { "" } else { "s" };
                format!("depth {depth} ({} new guarantee{plural}{lag})", made.guarantees)
            }
            Kind::PostgresFast | Kind::PostgresImmediate => {
                let mode = if kind == Kind::PostgresFast { Shutdown::Fast } else { Shutdown::Immediate };
                tokio::task::block_in_place(|| self.postgres.stop(mode));
                self.pause(1_000, 4_000).await;
                tokio::task::block_in_place(|| self.postgres.start());
                String::new()
            }
            Kind::NodeRefused | Kind::NodeHung => {
                let front = self.stack.front.as_mut().expect("the indexer's RPC front");
                if kind == Kind::NodeRefused {
                    front.refuse().await;
                } else {
                    front.hang();
                }
                tokio::time::sleep(self.outage).await;
                self.stack.front.as_mut().expect("the front").resume().await;
                format!("{} s", self.outage.as_secs())
            }
            Kind::MalformedJson | Kind::WrongBlockNumber | Kind::UnknownTopic => {
                let registry = egp_contracts::Deployment::read(&self.stack.manifest)
                    .expect("the manifest")
                    .contracts
                    .guarantee_registry
                    .address;
                let tamper = match kind {
                    Kind::MalformedJson => Tamper::MalformedJson,
                    Kind::WrongBlockNumber => Tamper::WrongBlockNumber,
                    _ => Tamper::UnknownTopic(registry),
                };
                let front = self.stack.front.as_ref().expect("the indexer's RPC front");
                front.tamper(tamper, 3);
                let asked =
                    poll_until(Duration::from_secs(60), Duration::from_millis(50), async || front.tampering_done())
                        .await;
                String::from(if asked { "3 answers" } else { "not all answers were asked for" })
            }
        };
        let recovery = self.recover().await;
        // The API is back when it answers again; the mirror did not stop.
        let recovery = if api_restart.is_some() { recovery.and(api_restart) } else { recovery };
        Injected { kind, count, detail, reorg, recovery }
    }

    /// Replaces the top `depth` blocks by a longer branch, the load held: `depth + 1` blocks, the
    /// first ones each with a new guarantee of a bank of the load (1 to 3 of them, so that the
    /// branch differs in content and a subscriber past the first replaced block sees it go back),
    /// the rest empty. With `indexer_down`, the indexer is killed once it stands on the old head.
    /// Panics when the chain did not reorganise.
    async fn reorg(&mut self, depth: u64, indexer_down: bool) -> ReorgMade {
        let quiet = self.quiet.clone();
        let _load_waits = quiet.write().await;
        let head = self.head().await;
        if head < depth + 1 {
            self.mine(depth + 1 - head).await;
        }
        // The mirror first stands on the blocks to be replaced, so that it rolls back all of them.
        let old_head = self.head().await;
        poll_until(Duration::from_secs(10), Duration::from_millis(20), async || self.caught_up(old_head).await).await;
        if indexer_down {
            self.stack.kill_indexer();
        }
        let first = old_head - depth + 1;
        let indexed = if self.caught_up(old_head).await {
            depth
        } else {
            (self.checkpoint().unwrap_or(0) + 1).saturating_sub(first).min(depth)
        };
        let mut replaced = Vec::new();
        for number in first..=old_head {
            replaced.push(self.block_hash(number).await.expect("a block below the head"));
        }
        let _: serde_json::Value =
            self.node.raw_request("anvil_rollback".into(), json!([depth])).await.expect("anvil_rollback");
        assert_eq!(self.head().await, first - 1, "anvil_rollback of {depth} blocks from {old_head}");

        self.reorgs += 1;
        let guarantees = self.rng.gen_range(1..=3.min(depth + 1));
        let issuers: Vec<u16> = self.stack.consortium.issuers.iter().map(|issuer| issuer.bank_code.get()).collect();
        let time = load::reader(self.stack).await.chain_time().await.expect("the chain's time");
        let today = egp_contracts::dates::bangkok_date(time);
        for k in 1..=guarantees {
            let bank = self.stack.bank(issuers[self.rng.gen_range(0..issuers.len())]).await;
            let bank_ref = format!("REORG-{}-{k}", self.reorgs);
            let terms = load::terms(&bank_ref, today);
            bank.issue_guarantee(&terms, &egp_testkit::pepper()).await.expect("a guarantee on the new branch");
        }
        let issued = self.head().await - (first - 1);
        self.mine((depth + 1).saturating_sub(issued)).await;

        let new_head = self.head().await;
        assert_eq!(
            new_head,
            old_head + 1,
            "the new branch of a reorg of depth {depth} from head {old_head} is one block longer \
             ({issued} blocks carry its {guarantees} guarantees)"
        );
        for (number, old) in (first..=old_head).zip(&replaced) {
            let now = self.block_hash(number).await.expect("a block of the new branch");
            assert_ne!(now, *old, "block {number} was replaced by the reorg of depth {depth} from head {old_head}");
        }
        ReorgMade { depth, indexed, guarantees }
    }

    /// Mines `blocks` empty blocks.
    async fn mine(&self, blocks: u64) {
        if blocks > 0 {
            let _: serde_json::Value =
                self.node.raw_request("anvil_mine".into(), json!([blocks])).await.expect("anvil_mine");
        }
    }

    async fn block_hash(&self, number: u64) -> Option<alloy::primitives::B256> {
        let block = self.node.get_block_by_number(BlockNumberOrTag::Number(number)).await.ok()??;
        Some(block.header.hash)
    }

    async fn pause(&mut self, min_ms: u64, max_ms: u64) {
        tokio::time::sleep(Duration::from_millis(self.rng.gen_range(min_ms..=max_ms))).await;
    }

    /// The chain's head.
    pub async fn head(&self) -> u64 {
        self.node.get_block_number().await.expect("the chain's head")
    }

    fn checkpoint(&self) -> Option<u64> {
        self.stack.try_sql("SELECT block_number FROM checkpoints")?.trim().parse().ok()
    }

    /// Whether the mirror stands at or past `target` on the chain's own block.
    pub async fn caught_up(&self, target: u64) -> bool {
        let Some(row) = self.stack.try_sql("SELECT block_number, encode(block_hash, 'hex') FROM checkpoints") else {
            return false;
        };
        let Some((number, hash)) = row.trim().split_once('|') else { return false };
        let Ok(number) = number.parse::<u64>() else { return false };
        if number < target {
            return false;
        }
        match self.node.get_block_by_number(BlockNumberOrTag::Number(number)).await {
            Ok(Some(block)) => format!("{:x}", block.header.hash) == hash,
            _ => false,
        }
    }

    /// Waits until the mirror has caught up with the head as it stands now (and, with the
    /// API's process, until the API answers); the time it took.
    pub async fn recover(&mut self) -> Option<Duration> {
        let ended = Instant::now();
        let target = self.head().await;
        while Instant::now() - ended < RECOVERY_LIMIT {
            if !self.stack.indexer_alive() {
                // It exited on its own: a panic or a fatal error, which the summary reports.
                return None;
            }
            if self.caught_up(target).await && self.stack.api_answers().await {
                return Some(ended.elapsed());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        None
    }
}

/// Checks `done` every `every` until it holds or `limit` has passed; whether it held.
async fn poll_until(limit: Duration, every: Duration, mut done: impl AsyncFnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        if done().await {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(every).await;
    }
}

/// The faults of a run, in a random order.
pub fn schedule(counts: &[(Kind, u32)], rng: &mut StdRng) -> Vec<Kind> {
    use rand::seq::SliceRandom;
    let mut all: Vec<Kind> = counts.iter().flat_map(|&(kind, n)| std::iter::repeat_n(kind, n as usize)).collect();
    all.shuffle(rng);
    all
}
