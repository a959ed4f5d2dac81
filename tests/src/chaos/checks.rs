//! The end checks of a run, once the load has stopped and the mirror has caught up with the
//! final head: `egp-indexer verify`, a clean index of the final chain compared table by table,
//! the events on chain counted against the mirror's, each subscriber against the canonical
//! events, and every sampled API answer against the chain. Each check gives a line; a failed one
//! says what was lost.

use std::collections::BTreeSet;
use std::process::Command;
use std::time::Duration;

use alloy::eips::BlockNumberOrTag;
use alloy::providers::{DynProvider, Provider};
use alloy::rpc::types::Filter;

use crate::chaos::faults::ReorgMade;
use crate::chaos::subscriber::{EventKey, Seen};
use egp_testkit::Stack;
use egp_testkit::postgres::PrivatePostgres;

/// One API answer sampled during the run: the block its data names and the block of its
/// consistency marker (number, hash), which must be the same, and the chain's head it saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sample {
    /// `indexerStatus { indexedBlockNumber indexedBlockHash }`.
    pub data: (u64, String),
    /// `extensions.consistency`.
    pub marker: (u64, String),
    /// `indexerStatus { chainHead }`, when the API could ask the node.
    pub head: Option<u64>,
}

/// The outcome of one check.
#[derive(Debug)]
pub struct Check {
    /// What was checked.
    pub name: &'static str,
    /// Whether it held.
    pub passed: bool,
    /// The figures, or what was lost.
    pub detail: String,
}

fn check(name: &'static str, passed: bool, detail: String) -> Check {
    Check { name, passed, detail }
}

/// Per-table row counts and checksums of `url` (without `blocks`, whose stored headers depend
/// on how close to the head each range was read).
fn checksums(url: &str) -> Option<String> {
    let query =
        "SELECT table_name, row_count, checksum FROM egp_table_checksums() WHERE table_name <> 'blocks' ORDER BY 1";
    let output = Command::new("psql").args(["-X", "-q", "-t", "-A", url, "-c", query]).output().ok()?;
    output.status.success().then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

/// `egp-indexer verify` over everything.
pub async fn verify(stack: &Stack) -> Check {
    let deployment = egp_contracts::Deployment::read(&stack.manifest).expect("the manifest");
    let chain = egp_indexer::chain::Chain::connect(&stack.rpc_url, Duration::from_secs(30), Default::default())
        .expect("the node's URL");
    let report = match egp_indexer::follow::connect(&stack.database_url).await {
        Ok(mut conn) => egp_indexer::verify::verify(&mut conn, &chain, &deployment, None, None).await,
        Err(error) => Err(error),
    };
    let report = match report {
        Ok(report) => report,
        Err(error) => return check("egp-indexer verify", false, format!("verify failed: {error}")),
    };
    let detail = format!(
        "{} events, {} blocks, {} records compared; {} differences{}",
        report.events,
        report.blocks,
        report.records,
        report.differences.len(),
        report.differences.first().map(|d| format!(", first: {d}")).unwrap_or_default()
    );
    check("egp-indexer verify", report.is_clean(), detail)
}

/// A second database indexed from scratch by `egp-indexer` against the final chain, compared
/// with the mirror table by table.
pub async fn clean_index(stack: &Stack, postgres: &PrivatePostgres) -> Check {
    let url = postgres.create_database("egp_chaos_clean").await;
    if let Err(error) = egp_indexer::migrate(&url).await {
        return check("clean index", false, format!("cannot migrate the clean database: {error}"));
    }
    let mut args = stack.clean_indexer_args(&url);
    args.push("--exit-when-caught-up".into());
    let log = stack.dir.join("clean-index.log");
    let status = Command::new(egp_testkit::process::binary("egp-indexer"))
        .args(&args)
        .env("RUST_LOG", "warn")
        .stdout(std::fs::File::create(&log).expect("a log file"))
        .stderr(std::fs::File::create(log.with_extension("err.log")).expect("a log file"))
        .status();
    if !status.is_ok_and(|s| s.success()) {
        return check("clean index", false, format!("the clean indexer failed; see {}", log.display()));
    }
    match (checksums(&stack.database_url), checksums(&url)) {
        (Some(mirror), Some(clean)) if mirror == clean => {
            check("clean index", true, format!("{} tables equal", mirror.lines().count()))
        }
        (Some(mirror), Some(clean)) => {
            let differ: Vec<&str> = mirror
                .lines()
                .zip(clean.lines())
                .filter(|(a, b)| a != b)
                .map(|(a, _)| a.split('|').next().unwrap_or(a))
                .collect();
            check("clean index", false, format!("tables differ: {}", differ.join(", ")))
        }
        _ => check("clean index", false, "cannot read the checksums".into()),
    }
}

/// The deployment's logs on chain counted against the mirror's events.
pub async fn events_on_chain(stack: &Stack, node: &DynProvider) -> Check {
    let deployment = egp_contracts::Deployment::read(&stack.manifest).expect("the manifest");
    let head = node.get_block_number().await.expect("the head");
    let addresses = vec![
        deployment.contracts.consortium.address,
        deployment.contracts.guarantee_registry.address,
        deployment.contracts.credit_confirmation_registry.address,
    ];
    let mut on_chain = 0usize;
    let mut from = deployment.start_block();
    while from <= head {
        let to = (from + 999).min(head);
        let filter = Filter::new().address(addresses.clone()).from_block(from).to_block(to);
        on_chain += node.get_logs(&filter).await.expect("the logs").len();
        from = to + 1;
    }
    let mirrored: usize = stack.try_sql("SELECT count(*) FROM events").and_then(|n| n.trim().parse().ok()).unwrap_or(0);
    check("events on chain = mirrored", on_chain == mirrored, format!("{on_chain} on chain, {mirrored} mirrored"))
}

/// The guarantee events of the canonical chain, from the mirror (which the checks above hold
/// equal to the chain).
pub fn canonical_guarantee_events(stack: &Stack) -> BTreeSet<EventKey> {
    let rows = stack.sql(
        "SELECT block_number, log_index, '0x' || encode(transaction_hash, 'hex') FROM events WHERE entity_kind = 'guarantee'",
    );
    rows.lines()
        .filter_map(|line| {
            let mut fields = line.split('|');
            Some((fields.next()?.parse().ok()?, fields.next()?.parse().ok()?, fields.next()?.to_owned()))
        })
        .collect()
}

/// The blocks undone (first, last) of every reorg the mirror rolled back, in order.
fn reorgs_rolled_back(stack: &Stack) -> Vec<(u64, u64)> {
    stack
        .sql("SELECT from_block, to_block FROM reorgs ORDER BY id")
        .lines()
        .filter_map(|line| {
            let (from, to) = line.split_once('|')?;
            Some((from.parse().ok()?, to.parse().ok()?))
        })
        .collect()
}

/// Each subscriber got every canonical event, none twice outside its resumes and rewinds, went
/// back only into blocks a reorg rolled back, and every event it got that a reorg removed was
/// followed by a step back past it.
pub fn subscribers(stack: &Stack, seen: &[Seen]) -> Check {
    let canonical = canonical_guarantee_events(stack);
    let reorgs = reorgs_rolled_back(stack);
    let mut problems = Vec::new();
    let (mut resumes, mut rewinds, mut orphans) = (0, 0, 0);
    for (n, seen) in seen.iter().enumerate() {
        let keys = seen.keys();
        let missing: Vec<&EventKey> = canonical.difference(&keys).collect();
        if let Some(first) = missing.first() {
            problems.push(format!(
                "subscriber {n} missed {} of {} events (first: block {} log {} tx {}; {} resumes)",
                missing.len(),
                canonical.len(),
                first.0,
                first.1,
                first.2,
                seen.resumes
            ));
        }
        if seen.duplicates > 0 {
            problems.push(format!("subscriber {n} got {} events twice", seen.duplicates));
        }
        let unexplained: Vec<u64> = seen
            .rewinds
            .iter()
            .map(|rewind| rewind.place.0)
            .filter(|block| !reorgs.iter().any(|(from, to)| (from..=to).contains(&block)))
            .collect();
        if let Some(first) = unexplained.first() {
            problems.push(format!(
                "subscriber {n} went back {} times outside the blocks a reorg rolled back (first: to block {first})",
                unexplained.len()
            ));
        }
        let standing = seen.orphans_standing(&canonical);
        if let Some(first) = standing.first() {
            problems.push(format!(
                "subscriber {n} holds {} events a reorg removed, never told (first: block {} log {} tx {})",
                standing.len(),
                first.0,
                first.1,
                first.2
            ));
        }
        resumes += seen.resumes;
        rewinds += seen.rewinds.len();
        orphans += keys.difference(&canonical).count();
    }
    let detail = if problems.is_empty() {
        format!(
            "{} subscribers, {} canonical events each, {resumes} resumes, {rewinds} rewinds after reorgs \
             past all {orphans} removed events",
            seen.len(),
            canonical.len()
        )
    } else {
        problems.join("; ")
    };
    check("subscribers", problems.is_empty(), detail)
}

/// The mirror rolled back each reorg made, in order, as many blocks as it had indexed of those
/// replaced (all of them unless it lagged), and nothing else.
pub fn reorgs(stack: &Stack, made: &[ReorgMade]) -> Check {
    let rolled_back: Vec<u64> = reorgs_rolled_back(stack).iter().map(|(from, to)| to + 1 - from).collect();
    let expected: Vec<u64> = made.iter().map(|reorg| reorg.indexed).filter(|&indexed| indexed > 0).collect();
    let exact = made.iter().filter(|reorg| reorg.indexed == reorg.depth).count();
    let detail = if rolled_back == expected {
        format!("{} reorgs, {exact} rolled back by the mirror at their full depth", made.len())
    } else {
        let first = rolled_back
            .iter()
            .zip(&expected)
            .position(|(a, b)| a != b)
            .unwrap_or(expected.len().min(rolled_back.len()));
        format!(
            "the mirror rolled back {} reorgs, {} expected; first difference at reorg {}: {:?} blocks, {:?} expected",
            rolled_back.len(),
            expected.len(),
            first + 1,
            rolled_back.get(first),
            expected.get(first)
        )
    };
    check("reorgs rolled back", rolled_back == expected, detail)
}

/// Every sampled answer names one block in its data and its marker, and that block was the
/// chain's: canonical now, or in a range a reorg rolled back. (The head the API saw is kept for
/// the message only: while anvil reverts, the head is briefly below the mirror.)
pub async fn samples(stack: &Stack, node: &DynProvider, samples: &[Sample]) -> Check {
    let reorgs = reorgs_rolled_back(stack);
    let (mut bad, mut first) = (0, String::new());
    for sample in samples {
        let (number, hash) = &sample.marker;
        let canonical = match node.get_block_by_number(BlockNumberOrTag::Number(*number)).await {
            Ok(Some(block)) => format!("{:#x}", block.header.hash) == *hash,
            _ => false,
        };
        let rolled_back = reorgs.iter().any(|&(from, to)| (from..=to).contains(number));
        if sample.data != sample.marker || !(canonical || rolled_back) {
            if bad == 0 {
                first = format!(", first: block {number} {hash} (data {:?}, head {:?})", sample.data, sample.head);
            }
            bad += 1;
        }
    }
    check(
        "API answers",
        bad == 0 && !samples.is_empty(),
        format!("{} sampled, {bad} naming an inconsistent block{first}", samples.len()),
    )
}

/// Waits until the mirror stands on the chain's head (the load has stopped).
pub async fn wait_final(injector: &crate::chaos::faults::Injector<'_>, limit: Duration) -> bool {
    let deadline = std::time::Instant::now() + limit;
    while std::time::Instant::now() < deadline {
        let head = injector.head().await;
        if injector.caught_up(head).await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}
