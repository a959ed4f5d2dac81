//! A node that answers wrongly, through a JSON-RPC front in front of real anvil: malformed JSON,
//! a block whose number is not the one asked, logs with a topic no contract has. Each is an error
//! with a message (or a skipped, counted log) and a retry, never a panic, and the mirror ends
//! equal to a clean index.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use alloy::primitives::keccak256;
use alloy::providers::{DynProvider, Provider};
use egp_indexer::chain::Chain;
use egp_indexer::{Indexer, Metrics};
use serde_json::{Value, json};
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::common::{ScratchDb, World, checksums, database_url, index_once, settings_for};

/// What the front sends back for one call.
enum Answer {
    /// This result, in a well-formed response.
    Result(Value),
    /// This body, as is.
    Raw(&'static str),
}

/// A JSON-RPC front for `upstream` that passes every call on and lets `tamper` change the answer
/// (method, params, the node's result). Returns its URL.
async fn tampering_front<F>(upstream: DynProvider, tamper: F) -> String
where
    F: Fn(&str, &Value, Value) -> Answer + Clone + Send + Sync + 'static,
{
    let answer = move |body: String| {
        let (upstream, tamper) = (upstream.clone(), tamper.clone());
        async move {
            let request: Value = serde_json::from_str(&body).expect("single JSON-RPC requests");
            let method = request["method"].as_str().expect("a method").to_owned();
            let params = request["params"].clone();
            let result = upstream.raw_request::<Value, Value>(method.clone().into(), params.clone()).await;
            let body = match result.map(|result| tamper(&method, &params, result)) {
                Ok(Answer::Result(result)) => json!({ "jsonrpc": "2.0", "id": request["id"], "result": result }).to_string(),
                Ok(Answer::Raw(raw)) => raw.to_owned(),
                Err(error) => json!({ "jsonrpc": "2.0", "id": request["id"], "error": { "code": -32000, "message": error.to_string() } })
                    .to_string(),
            };
            ([(axum::http::header::CONTENT_TYPE, "application/json")], body)
        }
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(
        async move { axum::serve(listener, axum::Router::new().route("/", axum::routing::post(answer))).await },
    );
    url
}

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

/// Whether this call is the first `count` of `method` (counted in `seen`).
fn first(seen: &AtomicU64, count: u64) -> bool {
    seen.fetch_add(1, Ordering::Relaxed) < count
}

#[sqlx::test(migrator = "egp_indexer::MIGRATOR")]
async fn malformed_json_from_the_node_is_an_error_and_is_retried(
    _pool_options: PgPoolOptions,
    options: PgConnectOptions,
) {
    let world = World::new().await;
    world.every_event().await;
    let seen = Arc::new(AtomicU64::new(0));
    let counter = seen.clone();
    let front = tampering_front(world.provider.clone(), move |method, _, result| {
        if method == "eth_getLogs" && first(&counter, 3) {
            Answer::Raw(r#"{"jsonrpc":"2.0","id":1,"result":[{"address":"0x"#)
        } else {
            Answer::Result(result)
        }
    })
    .await;

    let chain = Chain::connect(&front, Duration::from_secs(5), Default::default()).unwrap();
    let error = chain.logs(&[world.deployment.contracts.guarantee_registry.address], 0, 1).await.unwrap_err();
    assert!(error.is_transient(), "retried: {error}");
    assert!(error.to_string().starts_with("rpc eth_getLogs failed: "), "names the call: {error}");

    let metrics = index_through(&world, &front, &options).await;
    assert!(seen.load(Ordering::Relaxed) > 3, "the front was asked again after its bad answers");
    assert!(metrics.rpc_errors_total.load(Ordering::Relaxed) >= 2, "each bad answer counts as an RPC error");
}

#[sqlx::test(migrator = "egp_indexer::MIGRATOR")]
async fn a_block_other_than_the_one_asked_is_an_error_with_both_numbers_and_is_retried(
    _pool_options: PgPoolOptions,
    options: PgConnectOptions,
) {
    let world = World::new().await;
    world.every_event().await;
    let seen = Arc::new(AtomicU64::new(0));
    let counter = seen.clone();
    let front = tampering_front(world.provider.clone(), move |method, params, mut result| {
        let numbered = params[0].as_str().is_some_and(|tag| tag.starts_with("0x"));
        if method == "eth_getBlockByNumber" && numbered && result.is_object() && first(&counter, 4) {
            let asked = u64::from_str_radix(&params[0].as_str().unwrap()[2..], 16).unwrap();
            result["number"] = json!(format!("{:#x}", asked + 1));
        }
        Answer::Result(result)
    })
    .await;

    let chain = Chain::connect(&front, Duration::from_secs(5), Default::default()).unwrap();
    let error = chain.header(2).await.unwrap_err();
    assert_eq!(error.to_string(), "asked the node for block 2, it answered block 3");
    assert!(error.is_transient());

    let metrics = index_through(&world, &front, &options).await;
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
    let unknown = keccak256("SomethingNew(uint256)");
    // Every answer with logs gets one more, at the registry's address, in the block of its first.
    let front = tampering_front(world.provider.clone(), move |method, _, mut result| {
        if method == "eth_getLogs"
            && let Some(logs) = result.as_array_mut()
            && let Some(model) = logs.first().cloned()
        {
            let mut extra = model;
            extra["address"] = json!(registry);
            extra["topics"] = json!([unknown]);
            extra["data"] = json!("0x");
            extra["logIndex"] = json!("0x3e7");
            logs.push(extra);
        }
        Answer::Result(result)
    })
    .await;

    let metrics = index_through(&world, &front, &options).await;
    assert!(metrics.unknown_logs_total.load(Ordering::Relaxed) >= 1, "the unknown logs were counted");
}
