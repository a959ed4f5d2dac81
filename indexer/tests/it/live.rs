//! Live follow, finality, NOTIFY, new heads over WebSocket, adaptive ranges.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use alloy::providers::Provider;
use egp_indexer::{Indexer, Metrics, Settings};
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgListener, PgPoolOptions};
use tokio_util::sync::CancellationToken;

use crate::common::{ScratchDb, World, checkpoint, checksums, database_url, eventually, follow, settings};

#[sqlx::test(migrator = "egp_indexer::MIGRATOR")]
async fn live_follow_marks_finality_and_notifies(pool_options: PgPoolOptions, options: PgConnectOptions) {
    let world = World::new().await;
    let url = database_url(&options);
    let pool = pool_options.connect_with(options.clone()).await.unwrap();
    let mut listener = PgListener::connect_with(&pool).await.unwrap();
    listener.listen(egp_indexer::store::NOTIFY_CHANNEL).await.unwrap();
    let (cancel, task) = follow(settings(&world, &url, &["--confirmations", "3"]));

    let far = world.now().await + 86_400 * 365;
    let (id, receipt) = world.issue("LG-LIVE-1", far).await;
    let block = receipt.block_number.unwrap() as i64;
    eventually(20, "the new guarantee", || {
        let pool = pool.clone();
        async move { checkpoint(&pool).await >= block }
    })
    .await;
    // A NOTIFY names the new guarantee.
    let notification = loop {
        let n = tokio::time::timeout(std::time::Duration::from_secs(10), listener.recv()).await.unwrap().unwrap();
        if n.payload().contains(&hex::encode(id)) {
            break n;
        }
    };
    let payload: serde_json::Value = serde_json::from_str(notification.payload()).unwrap();
    assert_eq!(payload["kind"], "batch");

    let is_final = |pool: PgPool| async move {
        sqlx::query_scalar::<_, bool>("SELECT is_final FROM guarantees WHERE id = $1")
            .bind(id.as_slice())
            .fetch_one(&pool)
            .await
            .unwrap()
    };
    assert!(!is_final(pool.clone()).await, "3 confirmations needed");
    let _ = world.rpc("anvil_mine", serde_json::json!([3])).await;
    eventually(20, "finality after 3 confirmations", || is_final(pool.clone())).await;
    let unfinal_events: i64 =
        sqlx::query_scalar("SELECT count(*) FROM events WHERE NOT is_final AND block_number <= $1")
            .bind(block)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(unfinal_events, 0);

    cancel.cancel();
    task.await.unwrap().unwrap();
}

#[sqlx::test(migrator = "egp_indexer::MIGRATOR")]
async fn tiny_ranges_and_one_big_range_index_the_same(_: sqlx::postgres::PgPoolOptions, options: PgConnectOptions) {
    let world = World::new().await;
    world.every_event().await;
    let url = database_url(&options);
    egp_indexer::run(
        settings(
            &world,
            &url,
            // One event per batch: every range is cut into batches at block boundaries.
            &[
                "--exit-when-caught-up",
                "--initial-block-range",
                "1",
                "--max-block-range",
                "3",
                "--reorg-window",
                "5",
                "--target-batch-events",
                "1",
            ],
        ),
        Default::default(),
    )
    .await
    .unwrap();
    // The same chain read in one `eth_getLogs` call.
    let clean = ScratchDb::migrated("clean", &egp_indexer::MIGRATOR).await;
    let one_range = ["--exit-when-caught-up", "--initial-block-range", "50000", "--max-block-range", "50000"];
    egp_indexer::run(settings(&world, clean.url(), &one_range), Default::default()).await.unwrap();
    let pool = PgPool::connect(&url).await.unwrap();
    assert_eq!(checksums(&pool).await, checksums(&clean.pool().await).await);
    clean.drop_now().await.unwrap();
}

/// Runs the indexer in a task with metrics the test can read.
fn follow_with_metrics(
    settings: Settings,
) -> (Arc<Metrics>, CancellationToken, tokio::task::JoinHandle<egp_indexer::Result<()>>) {
    let metrics = Arc::new(Metrics::default());
    let indexer = Indexer::new(settings, metrics.clone()).unwrap();
    let cancel = CancellationToken::new();
    let handle = tokio::spawn(indexer.run(cancel.clone()));
    (metrics, cancel, handle)
}

#[sqlx::test(migrator = "egp_indexer::MIGRATOR")]
async fn live_follow_wakes_on_new_heads_over_websocket(pool_options: PgPoolOptions, options: PgConnectOptions) {
    let world = World::new().await;
    let url = database_url(&options);
    let pool = pool_options.connect_with(options.clone()).await.unwrap();
    // Polling every ten minutes: only the subscription (derived from the RPC URL) can bring the
    // next guarantee in within the test's bound.
    let mut settings = settings(&world, &url, &[]);
    settings.poll_interval_ms = 600_000;
    let (metrics, cancel, task) = follow_with_metrics(settings);
    let subscribed = || metrics.new_heads_subscribed.load(Ordering::Relaxed);
    eventually(30, "the new-heads subscription", || async { subscribed() }).await;
    let head = world.provider.get_block_number().await.unwrap() as i64;
    eventually(30, "catching up", || {
        let pool = pool.clone();
        async move { checkpoint(&pool).await >= head }
    })
    .await;
    assert!(metrics.render().contains("egp_indexer_new_heads_subscribed 1\n"));

    for n in 0..2 {
        let far = world.now().await + 86_400 * 365;
        let (_, receipt) = world.issue(&format!("LG-HEADS-{n}"), far).await;
        let block = receipt.block_number.unwrap() as i64;
        eventually(30, "the guarantee issued after catching up", || {
            let pool = pool.clone();
            async move { checkpoint(&pool).await >= block }
        })
        .await;
    }
    let guarantees: i64 = sqlx::query_scalar("SELECT count(*) FROM guarantees").fetch_one(&pool).await.unwrap();
    assert_eq!(guarantees, 2);

    cancel.cancel();
    task.await.unwrap().unwrap();
    eventually(30, "the subscription to stop with the indexer", || async { !subscribed() }).await;
}

#[sqlx::test(migrator = "egp_indexer::MIGRATOR")]
async fn live_follow_polls_when_new_heads_are_unavailable(pool_options: PgPoolOptions, options: PgConnectOptions) {
    let world = World::new().await;
    let url = database_url(&options);
    let pool = pool_options.connect_with(options.clone()).await.unwrap();
    // A port nobody listens on.
    let ws_url = format!("ws://127.0.0.1:{}", egp_testkit::free_port());
    let (metrics, cancel, task) = follow_with_metrics(settings(&world, &url, &["--ws-url", &ws_url]));

    let far = world.now().await + 86_400 * 365;
    let (_, receipt) = world.issue("LG-POLLED", far).await;
    let block = receipt.block_number.unwrap() as i64;
    eventually(30, "the guarantee, by polling", || {
        let pool = pool.clone();
        async move { checkpoint(&pool).await >= block }
    })
    .await;
    assert!(!metrics.new_heads_subscribed.load(Ordering::Relaxed));
    assert!(metrics.render().contains("egp_indexer_new_heads_subscribed 0\n"));

    cancel.cancel();
    task.await.unwrap().unwrap();
}
