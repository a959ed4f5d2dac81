//! The fault-injection run: the whole stack as processes (anvil, the indexer behind an
//! [`RpcFront`](egp_testkit::front::RpcFront), the API, a private PostgreSQL server), several banks and
//! the gateway under continuous load, WebSocket subscribers and sampled API answers, while
//! faults chosen and ordered from a seed are injected one at a time. At the end it checks that
//! nothing was lost or duplicated and prints one line per fault kind and a verdict.

pub mod checks;
pub mod faults;
pub mod load;
pub mod subscriber;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use alloy::transports::http::reqwest;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use checks::Sample;
use egp_testkit::postgres::PrivatePostgres;
use egp_testkit::{EGP_KEY, Stack, StackOptions};
use faults::{Injected, Injector, Kind};

/// How a run goes.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Chooses the faults' order, timing, reorg depths and the load's choices.
    pub seed: u64,
    /// A few faults of each kind (under three minutes) instead of the full run.
    pub short: bool,
}

impl Options {
    /// How many faults of each kind.
    pub fn faults(&self) -> Vec<(Kind, u32)> {
        use Kind::*;
        if self.short {
            vec![
                (IndexerKillLive, 2),
                (IndexerKillBackfill, 1),
                (ApiKill, 1),
                (Reorg, 3),
                (ReorgWhileDown, 1),
                (PostgresFast, 1),
                (PostgresImmediate, 1),
                (NodeRefused, 1),
                (MalformedJson, 1),
                (WrongBlockNumber, 1),
                (UnknownTopic, 1),
            ]
        } else {
            // 20 indexer kills (10 live, 5 backfills of two), 5 API kills, 50 reorgs (10 while
            // the indexer is down), 3 PostgreSQL restarts, 3 node outages, 6 bad answers.
            vec![
                (IndexerKillLive, 10),
                (IndexerKillBackfill, 5),
                (ApiKill, 5),
                (Reorg, 40),
                (ReorgWhileDown, 10),
                (PostgresFast, 2),
                (PostgresImmediate, 1),
                (NodeRefused, 2),
                (NodeHung, 1),
                (MalformedJson, 2),
                (WrongBlockNumber, 2),
                (UnknownTopic, 2),
            ]
        }
    }

    /// How long a node outage lasts.
    pub fn outage(&self) -> Duration {
        Duration::from_secs(if self.short { 5 } else { 30 })
    }
}

/// Runs the stack under faults and returns whether nothing was lost; `out` receives the lines
/// to print.
pub async fn run(options: Options, out: &dyn Fn(&str)) -> bool {
    let started = Instant::now();
    let mut rng = StdRng::seed_from_u64(options.seed);
    let mut postgres = PrivatePostgres::start_new();
    let stack_options = StackOptions {
        // Reorgs are `anvil_rollback`s, which must land on a state anvil kept in memory.
        anvil_states_in_memory: true,
        poll_interval_ms: 100,
        database_server: Some(postgres.url("postgres")),
        indexer_front: true,
        indexer_args: ["--rpc-timeout-ms", "2000", "--max-backoff-ms", "1000", "--ws-url", "off"]
            .map(String::from)
            .to_vec(),
        ..StackOptions::default()
    };
    let mut stack = Stack::start(stack_options).await;
    out(&format!("chaos: stack up in {:.1} s; logs in {}", started.elapsed().as_secs_f64(), stack.dir.display()));
    let node = load::reader(&stack).await.provider().clone();

    // The load stops before the end checks; the subscribers and the sampler after.
    let (stop, stop_watching) = (CancellationToken::new(), CancellationToken::new());
    let quiet = load::Quiet::default();
    let (counts, load_tasks) = load::start(&stack, options.seed, quiet.clone(), stop.clone()).await;
    let subscribers: Vec<_> = (0..3).map(|_| subscriber::start(stack.ws_url(), stop_watching.clone())).collect();
    let samples = Arc::new(Mutex::new(Vec::new()));
    let sampler = tokio::spawn(sample(stack.api_url.clone(), samples.clone(), stop_watching.clone()));
    tokio::time::sleep(Duration::from_secs(if options.short { 3 } else { 10 })).await;

    let plan = faults::schedule(&options.faults(), &mut rng);
    out(&format!("chaos: {} faults to inject", plan.len()));
    let injector_rng = StdRng::seed_from_u64(rng.r#gen());
    let mut injector = Injector {
        stack: &mut stack,
        postgres: &mut postgres,
        node: node.clone(),
        rng: injector_rng,
        outage: options.outage(),
        quiet,
        reorgs: 0,
    };
    let mut injected: Vec<Injected> = Vec::new();
    for (n, kind) in plan.iter().enumerate() {
        tokio::time::sleep(Duration::from_millis(rng.gen_range(300..=2_500))).await;
        let fault = injector.inject(*kind).await;
        let recovery =
            fault.recovery.map_or("NOT RECOVERED".to_owned(), |d| format!("recovered in {:.2} s", d.as_secs_f64()));
        out(&format!("chaos: [{}/{}] {} {} {recovery}", n + 1, plan.len(), kind.name(), fault.detail));
        let failed = fault.recovery.is_none();
        injected.push(fault);
        if failed {
            break;
        }
    }

    stop.cancel();
    for task in load_tasks {
        let _ = task.await;
    }
    let final_ok = checks::wait_final(&injector, Duration::from_secs(120)).await;
    // Subscribers get the last events (a minute at most) before they stop.
    let canonical = checks::canonical_guarantee_events(injector.stack);
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline
        && !subscribers
            .iter()
            .all(|(state, _)| canonical.is_subset(&state.lock().expect("a subscriber's state").keys()))
    {
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    stop_watching.cancel();
    let mut seen = Vec::new();
    for (state, task) in subscribers {
        task.abort();
        let _ = task.await;
        seen.push(std::mem::take(&mut *state.lock().expect("a subscriber's state")));
    }
    let _ = sampler.await;
    let samples = std::mem::take(&mut *samples.lock().expect("the samples"));

    let mut results = vec![
        checks::Check {
            name: "final catch-up",
            passed: final_ok,
            detail: format!("mirror on the chain's head {}", injector.head().await),
        },
        checks::verify(injector.stack).await,
        checks::clean_index(injector.stack, injector.postgres).await,
        checks::events_on_chain(injector.stack, &node).await,
        checks::subscribers(injector.stack, &seen),
        checks::reorgs(injector.stack, &injected.iter().filter_map(|fault| fault.reorg).collect::<Vec<_>>()),
        checks::samples(injector.stack, &node, &samples).await,
    ];
    let planned = plan.len();
    let all_injected = injected.len() == planned;
    results.push(checks::Check {
        name: "faults",
        passed: all_injected && injected.iter().all(|f| f.recovery.is_some()),
        detail: format!(
            "{} of {planned} injected and recovered",
            injected.iter().filter(|f| f.recovery.is_some()).count()
        ),
    });

    out("");
    out(&format!(
        "chaos: seed {} ({}), {:.0} s",
        options.seed,
        if options.short { "short" } else { "full" },
        started.elapsed().as_secs_f64()
    ));
    for line in summary(&injected) {
        out(&line);
    }
    out(&format!(
        "load: {} steps mined, {} failed or given up (dropped by reorgs, refused while the node was away)",
        counts.done.load(std::sync::atomic::Ordering::Relaxed),
        counts.failed.load(std::sync::atomic::Ordering::Relaxed)
    ));
    for result in &results {
        out(&format!("check {:<28} {:<4} {}", result.name, if result.passed { "ok" } else { "FAIL" }, result.detail));
    }
    let passed = results.iter().all(|r| r.passed);
    out(&format!("verdict: {}", if passed { "PASS (nothing lost, nothing duplicated)" } else { "FAIL" }));
    if !passed {
        let kept = std::env::temp_dir().join(format!("egp-chaos-{}-logs", options.seed));
        let _ = std::fs::create_dir_all(&kept);
        for entry in std::fs::read_dir(&stack.dir).into_iter().flatten().flatten() {
            if entry.path().extension().is_some_and(|ext| ext == "log") {
                let _ = std::fs::copy(entry.path(), kept.join(entry.file_name()));
            }
        }
        out(&format!("chaos: logs kept in {}", kept.display()));
    }
    stack.shutdown().await;
    passed
}

/// One line per fault kind: injected, recovered, time to recover p50 and max.
fn summary(injected: &[Injected]) -> Vec<String> {
    let mut by_kind: BTreeMap<Kind, (u32, u32, Vec<Duration>)> = BTreeMap::new();
    for fault in injected {
        let entry = by_kind.entry(fault.kind).or_default();
        entry.0 += fault.count;
        if let Some(recovery) = fault.recovery {
            entry.1 += fault.count;
            entry.2.push(recovery);
        }
    }
    let mut lines =
        vec![format!("{:<30} {:>8} {:>9} {:>9} {:>9}", "fault", "injected", "recovered", "p50 (s)", "max (s)")];
    for (kind, (count, recovered, mut times)) in by_kind {
        times.sort();
        let p50 = times.get(times.len().saturating_sub(1) / 2).map_or(0.0, Duration::as_secs_f64);
        let max = times.last().map_or(0.0, Duration::as_secs_f64);
        lines.push(format!("{:<30} {count:>8} {recovered:>9} {p50:>9.2} {max:>9.2}", kind.name()));
    }
    let depths: BTreeSet<u64> = injected.iter().filter_map(|fault| Some(fault.reorg?.depth)).collect();
    if let (Some(min), Some(max)) = (depths.first(), depths.last()) {
        let reorgs = injected.iter().filter(|fault| fault.reorg.is_some()).count();
        lines.push(format!("reorg depths {min} to {max}: {reorgs} reorgs, {} different depths", depths.len()));
    }
    lines
}

/// Samples the API twice a second until `stop`: the block its data names and its marker.
async fn sample(api_url: String, samples: Arc<Mutex<Vec<Sample>>>, stop: CancellationToken) {
    let client = reqwest::Client::builder().timeout(Duration::from_secs(5)).build().expect("an HTTP client");
    let body = json!({ "query": "{ indexerStatus { indexedBlockNumber indexedBlockHash chainHead } }" }).to_string();
    while !stop.is_cancelled() {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let request = client
            .post(&api_url)
            .header("authorization", format!("Bearer {EGP_KEY}"))
            .header("content-type", "application/json")
            .body(body.clone());
        let Ok(response) = request.send().await else { continue };
        let Ok(text) = response.text().await else { continue };
        let Ok(answer) = serde_json::from_str::<Value>(&text) else { continue };
        let status = &answer["data"]["indexerStatus"];
        let marker = &answer["extensions"]["consistency"];
        let pair = |v: &Value| Some((v["indexedBlockNumber"].as_u64()?, v["indexedBlockHash"].as_str()?.to_owned()));
        if let (Some(data), Some(marker)) = (pair(status), pair(marker)) {
            let head = status["chainHead"].as_u64();
            samples.lock().expect("the samples").push(Sample { data, marker, head });
        }
    }
}
