//! Faults: SIGKILL of the real process mid-backfill, two indexers on one database, the node
//! stopping and restarting, the database dropping the connection, a private database server
//! stopping (fast and immediate, mid-backfill and mid-migration) and restarting, and PostgreSQL
//! refusing a batch's data.

use std::io::BufRead;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use alloy::providers::Provider;
use sqlx::migrate::Migrate;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgConnection, PgPool};

use crate::common::{
    ScratchDb, TempDir, World, checkpoint, checksums, database_url, eventually, follow, index_once, settings,
};
use egp_testkit::postgres::{PrivatePostgres, Shutdown};

/// The real `egp-indexer` process for `world` and `database`, polling fast.
fn indexer_command(world: &World, database: &str, extra: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_egp-indexer"));
    command
        .args(["--database-url", database, "--rpc-url", &world.anvil.endpoint()])
        .arg("--manifest")
        .arg(&world.manifest)
        .args(["--poll-interval-ms", "50", "--max-backoff-ms", "300", "--progress", "off"])
        .args(extra)
        .stdout(Stdio::null());
    command
}

fn spawn_indexer(world: &World, database: &str, extra: &[&str]) -> Child {
    indexer_command(world, database, extra)
        .env("RUST_LOG", "warn")
        .stderr(Stdio::null())
        .spawn()
        .expect("the egp-indexer binary")
}

async fn seed(world: &World, guarantees: usize) {
    world.every_event().await;
    let far = world.now().await + 86_400 * 365;
    for i in 0..guarantees {
        world.issue(&format!("LG-SEED-{i}"), far).await;
    }
}

async fn clean_index_equals(world: &World, pool: &PgPool) {
    let clean = ScratchDb::migrated("clean", &egp_indexer::MIGRATOR).await;
    index_once(world, clean.url()).await;
    assert_eq!(checksums(pool).await, checksums(&clean.pool().await).await, "tables differ from a clean index");
    clean.drop_now().await.unwrap();
}

#[sqlx::test(migrator = "egp_indexer::MIGRATOR")]
async fn sigkill_at_several_points_of_a_backfill_loses_and_duplicates_nothing(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let world = World::new().await;
    seed(&world, 40).await;
    let head = world.provider.get_block_number().await.unwrap() as i64;
    let url = database_url(&options);
    let pool = PgPool::connect(&url).await.unwrap();
    // A reorg window of 2 blocks: most of the chain is backfilled, reading ahead of the writer.
    let slow = ["--initial-block-range", "1", "--max-block-range", "2", "--reorg-window", "2", "--exit-when-caught-up"];

    let mut kills = Vec::new();
    for fraction in [4, 2, 4 * 3] {
        let threshold = head * fraction / 16;
        let mut child = spawn_indexer(&world, &url, &slow);
        eventually(60, "progress before the kill", || async { checkpoint(&pool).await >= threshold }).await;
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        kills.push(checkpoint(&pool).await);
    }
    // And once at an arbitrary instant, very early.
    let mut child = spawn_indexer(&world, &url, &slow);
    tokio::time::sleep(Duration::from_millis(30)).await;
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(kills.iter().any(|&k| k < head), "at least one kill landed mid-backfill: {kills:?} of {head}");

    let status = spawn_indexer(&world, &url, &slow).wait().unwrap();
    assert!(status.success());
    assert_eq!(checkpoint(&pool).await, head);
    clean_index_equals(&world, &pool).await;
}

async fn writer_pid(pool: &PgPool) -> Option<u32> {
    let name: Option<String> = sqlx::query_scalar(
        "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a USING (pid)
         WHERE l.locktype = 'advisory' AND l.granted AND a.datname = current_database()",
    )
    .fetch_optional(pool)
    .await
    .unwrap();
    name.and_then(|n| n.strip_prefix("egp-indexer/").and_then(|p| p.parse().ok()))
}

#[sqlx::test(migrator = "egp_indexer::MIGRATOR")]
async fn two_indexers_one_writer_and_takeover_after_kill(_: PgPoolOptions, options: PgConnectOptions) {
    let world = World::new().await;
    let url = database_url(&options);
    let pool = PgPool::connect(&url).await.unwrap();
    let mut first = spawn_indexer(&world, &url, &[]);
    let mut second = spawn_indexer(&world, &url, &[]);
    let head = world.provider.get_block_number().await.unwrap() as i64;
    eventually(30, "one writer to catch up", || async { checkpoint(&pool).await >= head }).await;
    let writer = writer_pid(&pool).await.expect("a writer");
    assert!(writer == first.id() || writer == second.id(), "the writer is one of ours");
    let waiting: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'egp-indexer/%' AND datname = current_database()",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(waiting, 2, "both indexers are connected; only one holds the lock");

    let (killed, survivor) = if writer == first.id() { (&mut first, &mut second) } else { (&mut second, &mut first) };
    killed.kill().unwrap();
    killed.wait().unwrap();
    let far = world.now().await + 86_400;
    let (_, receipt) = world.issue("LG-AFTER-KILL", far).await;
    let block = receipt.block_number.unwrap() as i64;
    eventually(30, "the survivor to take over", || async { checkpoint(&pool).await >= block }).await;
    assert_eq!(writer_pid(&pool).await, Some(survivor.id()));
    let events: i64 = sqlx::query_scalar("SELECT count(*) FROM events WHERE event = 'GuaranteeIssued'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(events, 1);

    // SIGTERM: a clean exit.
    unsafe { libc::kill(survivor.id() as i32, libc::SIGTERM) };
    let status = survivor.wait().unwrap();
    assert!(status.success(), "graceful shutdown exits 0, got {status:?}");
}

#[sqlx::test(migrator = "egp_indexer::MIGRATOR")]
async fn the_node_stops_and_restarts_and_the_indexer_recovers(_: PgPoolOptions, options: PgConnectOptions) {
    let dir = TempDir::new("state");
    let state = dir.path().join("anvil-state.json");
    let port = egp_testkit::free_port();
    let anvil = || egp_testkit::chain::anvil().port(port).arg("--state").arg(&state);
    let mut world = World::with_anvil(anvil()).await;
    let url = database_url(&options);
    let pool = PgPool::connect(&url).await.unwrap();
    let (cancel, task) = follow(settings(&world, &url, &[]));
    let far = world.now().await + 86_400 * 365;
    let (_, receipt) = world.issue("LG-BEFORE", far).await;
    let block = receipt.block_number.unwrap() as i64;
    eventually(30, "indexing before the outage", || async { checkpoint(&pool).await >= block }).await;

    // Stop the node (SIGTERM: it writes its state), leave the indexer without it for a while.
    let stopped = std::mem::replace(&mut world.anvil, egp_testkit::chain::anvil().try_spawn().unwrap());
    drop(stopped);
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(!task.is_finished(), "the indexer does not exit on an RPC outage");

    let restarted = anvil().try_spawn().expect("anvil restarts from its state");
    world.anvil = restarted;
    world.provider = egp_testkit::DevChain::provider_for(&world.anvil);
    let (_, receipt) = world.issue("LG-AFTER", far).await;
    let block = receipt.block_number.unwrap() as i64;
    eventually(30, "indexing after the outage", || async { checkpoint(&pool).await >= block }).await;
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM guarantees").fetch_one(&pool).await.unwrap();
    assert_eq!(count, 2);
    cancel.cancel();
    task.await.unwrap().unwrap();
    clean_index_equals(&world, &pool).await;
}

#[sqlx::test(migrator = "egp_indexer::MIGRATOR")]
async fn a_dropped_database_connection_is_survived(_: PgPoolOptions, options: PgConnectOptions) {
    let world = World::new().await;
    let url = database_url(&options);
    let pool = PgPool::connect(&url).await.unwrap();
    let (cancel, task) = follow(settings(&world, &url, &[]));
    let far = world.now().await + 86_400 * 365;
    for round in 0..3 {
        let (_, receipt) = world.issue(&format!("LG-DB-{round}"), far).await;
        let block = receipt.block_number.unwrap() as i64;
        eventually(30, "indexing", || async { checkpoint(&pool).await >= block }).await;
        let killed: Vec<bool> = sqlx::query_scalar(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE application_name LIKE 'egp-indexer/%' AND datname = current_database()",
        )
        .fetch_all(&pool)
        .await
        .unwrap();
        assert_eq!(killed, vec![true]);
    }
    let (_, receipt) = world.issue("LG-DB-LAST", far).await;
    let block = receipt.block_number.unwrap() as i64;
    eventually(30, "indexing after reconnecting", || async { checkpoint(&pool).await >= block }).await;
    cancel.cancel();
    task.await.unwrap().unwrap();
    clean_index_equals(&world, &pool).await;
}

#[sqlx::test(migrator = "egp_indexer::MIGRATOR")]
async fn a_batch_postgres_refuses_stops_the_indexer_naming_its_blocks_and_writes_nothing_of_it(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let world = World::new().await;
    let far = world.now().await + 86_400 * 365;
    world.issue("LG-BEFORE", far).await;
    let block = world.issue("LG-REFUSED", far).await.1.block_number.unwrap();
    world.issue("LG-AFTER", far).await;
    let url = database_url(&options);
    let pool = PgPool::connect(&url).await.unwrap();
    // A rule of the operator's that the chain breaks: PostgreSQL refuses that guarantee's row.
    sqlx::query("ALTER TABLE guarantees ADD CONSTRAINT operator_rule CHECK (bank_ref <> 'LG-REFUSED')")
        .execute(&pool)
        .await
        .unwrap();
    let one_block_batches = ["--exit-when-caught-up", "--max-block-range", "1"];
    // Retrying cannot help, so the indexer stops (rather than retry forever) and says where.
    let error = egp_indexer::run(settings(&world, &url, &one_block_batches), Default::default()).await.unwrap_err();
    let egp_indexer::Error::Refused { from, to, code, .. } = &error else { panic!("not a refusal: {error}") };
    assert_eq!((*from, *to, code.as_str()), (block, block, "23514"), "{error}");
    let message = error.to_string();
    assert!(message.contains(&format!("blocks {block} to {block}")) && message.contains("operator_rule"), "{message}");
    // Everything before the batch is stored, nothing of it or after it.
    assert_eq!(checkpoint(&pool).await, block as i64 - 1);
    let after: i64 = sqlx::query_scalar("SELECT count(*) FROM events WHERE block_number >= $1")
        .bind(block as i64)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(after, 0);

    // Once the rule goes, the same database catches up to a clean index.
    sqlx::query("ALTER TABLE guarantees DROP CONSTRAINT operator_rule").execute(&pool).await.unwrap();
    egp_indexer::run(settings(&world, &url, &one_block_batches), Default::default()).await.unwrap();
    clean_index_equals(&world, &pool).await;
}

/// The lines a child process writes to stderr, collected as they come.
#[derive(Clone, Default)]
struct Stderr(Arc<Mutex<Vec<String>>>);

impl Stderr {
    fn collect(child: &mut Child) -> Self {
        let lines = Self::default();
        let pipe = std::io::BufReader::new(child.stderr.take().expect("stderr piped"));
        let sink = lines.clone();
        std::thread::spawn(move || {
            for line in pipe.lines().map_while(Result::ok) {
                sink.0.lock().unwrap().push(line);
            }
        });
        lines
    }

    fn count(&self, pattern: &str) -> usize {
        self.0.lock().unwrap().iter().filter(|line| line.contains(pattern)).count()
    }

    fn text(&self) -> String {
        self.0.lock().unwrap().join("\n")
    }
}

const FAILED: &str = "the database failed; retrying with back-off";
const STILL_FAILING: &str = "the database still failing";
const RECOVERED: &str = "the database recovered";

/// The indexer process with its log collected: info, and debug for the loop to count retries.
fn spawn_logged(world: &World, database: &str, extra: &[&str]) -> (Child, Stderr) {
    let mut indexer = indexer_command(world, database, extra)
        .env("RUST_LOG", "info,egp_indexer::follow=debug")
        .env("NO_COLOR", "1")
        .stderr(Stdio::piped())
        .spawn()
        .expect("the egp-indexer binary");
    let stderr = Stderr::collect(&mut indexer);
    (indexer, stderr)
}

/// With `server` stopped and `indexer` retrying: waits for several retries, checks the process
/// is still there, restarts the server, and checks that the indexer catches up unattended to
/// exactly the tables of a clean index, exits 0 on SIGTERM, and logged the outage once when it
/// started and once when it ended.
async fn recovers_after_the_outage(
    world: &World,
    server: &mut PrivatePostgres,
    url: &str,
    mut indexer: Child,
    stderr: Stderr,
) {
    let log = &stderr;
    eventually(120, "retries while the server is down", || {
        let exited = indexer.try_wait().unwrap().is_some();
        async move { exited || log.count(STILL_FAILING) >= 5 }
    })
    .await;
    assert!(indexer.try_wait().unwrap().is_none(), "the indexer exited during the outage:\n{}", stderr.text());

    server.start();
    let head = world.provider.get_block_number().await.unwrap() as i64;
    let pool = PgPool::connect(url).await.unwrap();
    eventually(120, "catching up after the restart", || async { checkpoint(&pool).await >= head }).await;
    assert_eq!(checkpoint(&pool).await, head, "the checkpoint is the chain head");
    assert!(indexer.try_wait().unwrap().is_none(), "the indexer is still running:\n{}", stderr.text());
    unsafe { libc::kill(indexer.id() as i32, libc::SIGTERM) };
    let status = indexer.wait().unwrap();
    assert!(status.success(), "graceful shutdown exits 0, got {status:?}:\n{}", stderr.text());

    // Once when the outage started, once when it ended; the retries only at debug level.
    let log = stderr.text();
    assert_eq!(stderr.count(FAILED), 1, "the outage is logged once:\n{log}");
    assert_eq!(stderr.count(RECOVERED), 1, "the recovery is logged once:\n{log}");
    let loud = stderr.count(" WARN egp_indexer::follow") + stderr.count(" ERROR ");
    assert_eq!(loud, 1, "one warning for one outage:\n{log}");
    let lines = log.lines().filter(|line| !line.contains(" DEBUG ")).count();
    assert!(lines < 30, "{lines} lines at info or above for one outage:\n{log}");

    // Nothing lost, nothing duplicated, the checkpoint not past what was written.
    let clean = server.create_database("clean").await;
    index_once(world, &clean).await;
    let clean = PgPool::connect(&clean).await.unwrap();
    assert_eq!(checksums(&pool).await, checksums(&clean).await, "tables differ from a clean index");
}

/// The private server stops (`shutdown`) while the indexer process is backfilling and stays down
/// while the chain moves on.
async fn a_database_server_outage_is_survived(shutdown: Shutdown) {
    let world = World::new().await;
    seed(&world, 40).await;
    let mut server = PrivatePostgres::start_new();
    let url = server.create_database("egp").await;
    egp_indexer::migrate(&url).await.unwrap();
    // Small ranges and a 2-block reorg window: the outage lands in the middle of a backfill.
    let slow = ["--initial-block-range", "1", "--max-block-range", "2", "--reorg-window", "2"];
    let (indexer, stderr) = spawn_logged(&world, &url, &slow);
    let head = world.provider.get_block_number().await.unwrap() as i64;
    let pool = PgPool::connect(&url).await.unwrap();
    eventually(60, "progress before the outage", || async { checkpoint(&pool).await >= head / 4 }).await;
    pool.close().await;

    server.stop(shutdown);
    let far = world.now().await + 86_400 * 365;
    for i in 0..5 {
        world.issue(&format!("LG-OUTAGE-{i}"), far).await;
    }
    recovers_after_the_outage(&world, &mut server, &url, indexer, stderr).await;
}

#[tokio::test]
async fn the_postgres_server_stops_fast_and_restarts_and_the_indexer_recovers() {
    a_database_server_outage_is_survived(Shutdown::Fast).await;
}

#[tokio::test]
async fn the_postgres_server_crashes_and_restarts_and_the_indexer_recovers() {
    a_database_server_outage_is_survived(Shutdown::Immediate).await;
}

/// The server stops while the indexer is inside its migrations (held there by the migration
/// lock, which the test takes first): a migration cut off by the server going away is a lost
/// connection like any other, retried, not a reason to exit.
#[tokio::test]
async fn the_postgres_server_stops_during_the_migrations_and_the_indexer_recovers() {
    let world = World::new().await;
    seed(&world, 3).await;
    let mut server = PrivatePostgres::start_new();
    let url = server.create_database("egp").await;
    egp_indexer::migrate(&url).await.unwrap();
    let mut holder = PgConnection::connect(&url).await.unwrap();
    holder.lock().await.unwrap();
    let (indexer, stderr) = spawn_logged(&world, &url, &[]);
    let pool = PgPool::connect(&url).await.unwrap();
    eventually(60, "the indexer waiting for the migration lock", || async {
        let waiting: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity
             WHERE application_name LIKE 'egp-indexer/%' AND wait_event_type = 'Lock'",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        waiting == 1
    })
    .await;
    pool.close().await;

    server.stop(Shutdown::Fast);
    drop(holder);
    recovers_after_the_outage(&world, &mut server, &url, indexer, stderr).await;
}
