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

/// The longest a recovery may take before the run counts the fault as not recovered.
const RECOVERY_LIMIT: Duration = Duration::from_secs(180);

/// One kind of fault, as the summary names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// SIGKILL of the indexer while it follows the head.
    IndexerKillLive,
    /// SIGKILL of the indexer while it catches up after a while down (a backfill).
    IndexerKillBackfill,
    /// SIGKILL of the API.
    ApiKill,
    /// A reorg (snapshot, blocks, revert, a longer branch) while the indexer runs.
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
    /// Taken exclusively while anvil reverts.
    pub quiet: crate::chaos::load::Quiet,
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
    /// From the end of the fault to the recovery.
    pub recovery: Option<Duration>,
}

impl Injector<'_> {
    /// Injects `kind`, ends it, and waits for the recovery.
    pub async fn inject(&mut self, kind: Kind) -> Injected {
        let mut count = 1;
        let mut api_restart = None;
        let detail = match kind {
            Kind::IndexerKillLive => {
                self.stack.kill_indexer();
                self.pause(200, 2_000).await;
                self.stack.start_indexer();
                String::new()
            }
            Kind::IndexerKillBackfill => {
                // Down for a few seconds while the load goes on, then killed again while it
                // catches up on the blocks it missed.
                self.stack.kill_indexer();
                self.pause(3_000, 6_000).await;
                let behind = self.head().await;
                self.stack.start_indexer();
                self.pause(100, 600).await;
                let at = self.checkpoint().unwrap_or(-1);
                self.stack.kill_indexer();
                count = 2;
                self.pause(100, 500).await;
                self.stack.start_indexer();
                if at < behind as i64 { "mid-catch-up".to_owned() } else { "caught up before the kill".to_owned() }
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
                // A snapshot, blocks of the load on top of it, then back to the snapshot and a
                // longer branch of empty blocks: the load's transactions in those blocks are gone.
                // (`anvil_reorg` deeper than a few blocks, or a revert racing a transaction being
                // mined, leaves anvil without some blocks by number.) The load is held while
                // anvil takes the snapshot and reverts; the steps in flight when the target
                // height is reached add a few blocks: targets of 1 to 12 make depths of 1 to
                // about 20.
                let target = self.rng.gen_range(1..=12u64);
                let quiet = self.quiet.clone();
                let (snapshot, base) = {
                    let _load_waits = quiet.write().await;
                    let snapshot: serde_json::Value =
                        self.node.raw_request("evm_snapshot".into(), json!([])).await.expect("evm_snapshot");
                    (snapshot, self.head().await)
                };
                let deadline = Instant::now() + Duration::from_secs(30);
                while self.head().await < base + target && Instant::now() < deadline {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                if kind == Kind::ReorgWhileDown {
                    self.stack.kill_indexer();
                }
                let load_waits = quiet.write().await;
                let replaced = self.head().await - base;
                let reverted: bool =
                    self.node.raw_request("evm_revert".into(), json!([snapshot])).await.expect("evm_revert");
                assert!(reverted, "anvil reverted to the snapshot");
                let _: serde_json::Value =
                    self.node.raw_request("anvil_mine".into(), json!([replaced + 1])).await.expect("anvil_mine");
                drop(load_waits);
                if kind == Kind::ReorgWhileDown {
                    self.pause(500, 2_000).await;
                    self.stack.start_indexer();
                }
                format!("depth {replaced}")
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
                let deadline = Instant::now() + Duration::from_secs(60);
                while !front.tampering_done() && Instant::now() < deadline {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                String::from(if front.tampering_done() { "3 answers" } else { "not all answers were asked for" })
            }
        };
        let recovery = self.recover().await;
        // The API is back when it answers again; the mirror did not stop.
        let recovery = if api_restart.is_some() { recovery.and(api_restart) } else { recovery };
        Injected { kind, count, detail, recovery }
    }

    async fn pause(&mut self, min_ms: u64, max_ms: u64) {
        tokio::time::sleep(Duration::from_millis(self.rng.gen_range(min_ms..=max_ms))).await;
    }

    /// The chain's head.
    pub async fn head(&self) -> u64 {
        self.node.get_block_number().await.expect("the chain's head")
    }

    fn checkpoint(&self) -> Option<i64> {
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

/// The faults of a run, in a random order.
pub fn schedule(counts: &[(Kind, u32)], rng: &mut StdRng) -> Vec<Kind> {
    use rand::seq::SliceRandom;
    let mut all: Vec<Kind> = counts.iter().flat_map(|&(kind, n)| std::iter::repeat_n(kind, n as usize)).collect();
    all.shuffle(rng);
    all
}
