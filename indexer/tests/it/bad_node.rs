//! A node that answers wrongly, through a JSON-RPC front in front of real anvil: malformed JSON,
//! a block whose number is not the one asked, logs with a topic no contract has. Each is an error
//! with a message (or a skipped, counted log) and a retry, never a panic, and the mirror ends
//! equal to a clean index.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use egp_indexer::chain::Chain;
use egp_indexer::{Indexer, Metrics};
use egp_testkit::front::{RpcFront, Tamper};
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::common::{ScratchDb, World, checksums, database_url, index_once, settings_for};

/// Indexes `world` through `front` until caught up (within a minute), then checks the mirror
/// against a clean index read from anvil directly. Returns the metrics of the run.
async fn index_through(world: &World, front: &str, options: &PgConnectOptions) -> Arc<Metrics> {
    let url = database_url(options);
    let metrics = Arc::new(Metrics::default());
    let extra = ["--exit-when-caught-up", "--reorg-window", "1"];
    let run = Indexer::new(settings_for(front, &world.manifest, &url, &extra), metrics.clone())
        .unwrap()
        .run(Default::default());
    tokio::time::timeout(Duration::from_secs(60), run).await.expect("the backfill ends").expect("no fatal error");

    let clean = ScratchDb::migrated("clean", &egp_indexer::MIGRATOR).await;
    index_once(world, clean.url()).await;
    let pool = PgPool::connect(&url).await.unwrap();
    assert_eq!(checksums(&pool).await, checksums(&clean.pool().await).await, "the mirror differs from a clean index");
    clean.drop_now().await.unwrap();
    metrics
}

#[sqlx::test(migrator = "egp_indexer::MIGRATOR")]
async fn malformed_json_from_the_node_is_an_error_and_is_retried(
    _pool_options: PgPoolOptions,
    options: PgConnectOptions,
) {
    let world = World::new().await;
    world.every_event().await;
    let front = RpcFront::open_to(&world.anvil.endpoint()).await;
    front.tamper(Tamper::MalformedJson, 3);

    let chain = Chain::connect(&front.url(), Duration::from_secs(5), Default::default()).unwrap();
    let error = chain.logs(&[world.deployment.contracts.guarantee_registry.address], 0, 1).await.unwrap_err();
    assert!(error.is_transient(), "retried: {error}");
    assert!(error.to_string().starts_with("rpc eth_getLogs failed: "), "names the call: {error}");

    let metrics = index_through(&world, &front.url(), &options).await;
    assert!(front.tampering_done(), "every malformed answer was given, and the indexer asked again");
    assert!(metrics.rpc_errors_total.load(Ordering::Relaxed) >= 2, "each bad answer counts as an RPC error");
}

#[sqlx::test(migrator = "egp_indexer::MIGRATOR")]
async fn a_block_other_than_the_one_asked_is_an_error_with_both_numbers_and_is_retried(
    _pool_options: PgPoolOptions,
    options: PgConnectOptions,
) {
    let world = World::new().await;
    world.every_event().await;
    let front = RpcFront::open_to(&world.anvil.endpoint()).await;
    front.tamper(Tamper::WrongBlockNumber, 4);

    let chain = Chain::connect(&front.url(), Duration::from_secs(5), Default::default()).unwrap();
    let error = chain.header(2).await.unwrap_err();
    assert_eq!(error.to_string(), "asked the node for block 2, it answered block 3");
    assert!(error.is_transient());

    let metrics = index_through(&world, &front.url(), &options).await;
    assert!(front.tampering_done(), "every wrong block was given");
    assert!(metrics.rpc_errors_total.load(Ordering::Relaxed) >= 1, "the wrong blocks count as RPC errors");
}

#[sqlx::test(migrator = "egp_indexer::MIGRATOR")]
async fn logs_with_a_topic_no_contract_has_are_skipped_and_counted(
    _pool_options: PgPoolOptions,
    options: PgConnectOptions,
) {
    let world = World::new().await;
    world.every_event().await;
    let registry = world.deployment.contracts.guarantee_registry.address;
    // Answers with logs get one more, at the registry's address, in the block of their first.
    let front = RpcFront::open_to(&world.anvil.endpoint()).await;
    front.tamper(Tamper::UnknownTopic(registry), 3);

    let metrics = index_through(&world, &front.url(), &options).await;
    assert!(front.tampered() >= 1, "the front added logs");
    assert!(metrics.unknown_logs_total.load(Ordering::Relaxed) >= 1, "the unknown logs were counted");
}
