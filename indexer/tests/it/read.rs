//! The reader's `eth_getLogs` ranges: one block first, doubling over sparse blocks (so a dense
//! start commits its first batch at once and a sparse chain is crossed in few calls), cut to
//! about one batch as soon as the blocks are dense, and halved when the node refuses them.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use alloy::providers::{DynProvider, Provider};
use egp_indexer::chain::Chain;
use egp_indexer::decode::Decoder;
use egp_indexer::read::Reader;
use egp_indexer::{Indexer, Metrics};
use serde_json::{Value, json};
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::common::{ScratchDb, World, checksums, database_url, index_once, settings_for};

/// The span of each `eth_getLogs` call `reader` makes to read `from..=to`.
async fn spans(reader: &mut Reader, from: u64, to: u64) -> Vec<u64> {
    let mut spans = Vec::new();
    let mut next = from;
    while next <= to {
        let fetched = reader.read(next, to, false, Some(to)).await.unwrap();
        spans.push(fetched.to - next + 1);
        next = fetched.to + 1;
    }
    spans
}

#[tokio::test]
async fn the_range_starts_at_one_block_doubles_while_sparse_and_shrinks_to_a_batch_when_dense() {
    let world = World::new().await;
    let chain = Chain::connect(&world.anvil.endpoint(), Duration::from_secs(10), Default::default()).unwrap();
    let decoder = Arc::new(Decoder::new(&world.deployment));

    // Forty empty blocks: 1, 2, 4, 8 and 16 blocks a call, then the nine left.
    let first = chain.head().await.unwrap() + 1;
    world.rpc("anvil_mine", json!(["0x28"])).await;
    let head = chain.head().await.unwrap();
    assert_eq!(head, first + 39);
    let mut sparse = Reader::new(chain.clone(), decoder.clone(), Default::default(), 1, 64, 1_000);
    assert_eq!(spans(&mut sparse, first, head).await, [1, 2, 4, 8, 16, 9]);
    assert_eq!(sparse.range, 32, "the range keeps growing over sparse blocks");

    // Twelve blocks of one event each, read 64 blocks at a time with two events a batch: the
    // first call finds six times the target and the range drops to the two blocks that hold it.
    let far = world.now().await + 86_400 * 365;
    for n in 0..12 {
        world.issue(&format!("LG-DENSE-{n}"), far).await;
    }
    let last = chain.head().await.unwrap();
    let mut dense = Reader::new(chain.clone(), decoder, Default::default(), 64, 64, 2);
    assert_eq!(spans(&mut dense, head + 1, last).await, [12]);
    assert_eq!(dense.range, 2);
}

/// A JSON-RPC front for `upstream` (a real node) that refuses `eth_getLogs` over more than
/// `max_span` blocks, as hosted providers do, and passes every other call through. Returns its
/// URL and the count of calls it refused.
async fn refusing_front(upstream: DynProvider, max_span: u64) -> (String, Arc<AtomicU64>) {
    let refused = Arc::new(AtomicU64::new(0));
    let counter = refused.clone();
    let answer = move |body: String| {
        let (upstream, refused) = (upstream.clone(), counter.clone());
        async move {
            let request: Value = serde_json::from_str(&body).expect("single JSON-RPC requests");
            let method = request["method"].as_str().expect("a method").to_owned();
            let params = request["params"].clone();
            let span =
                |filter: &Value, key: &str| u64::from_str_radix(&filter[key].as_str().unwrap()[2..], 16).unwrap();
            let outcome =
                if method == "eth_getLogs" && span(&params[0], "toBlock") - span(&params[0], "fromBlock") >= max_span {
                    refused.fetch_add(1, Ordering::Relaxed);
                    Err(format!("query exceeds max block range {max_span}"))
                } else {
                    upstream.raw_request::<Value, Value>(method.into(), params).await.map_err(|e| e.to_string())
                };
            let response = match outcome {
                Ok(result) => json!({ "jsonrpc": "2.0", "id": request["id"], "result": result }),
                Err(message) => {
                    json!({ "jsonrpc": "2.0", "id": request["id"], "error": { "code": -32005, "message": message } })
                }
            };
            ([(axum::http::header::CONTENT_TYPE, "application/json")], response.to_string())
        }
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(
        async move { axum::serve(listener, axum::Router::new().route("/", axum::routing::post(answer))).await },
    );
    (url, refused)
}

#[sqlx::test(migrator = "egp_indexer::MIGRATOR")]
async fn a_node_refusing_large_ranges_gets_halved_ranges_and_everything_is_indexed(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let world = World::new().await;
    world.every_event().await;
    world.rpc("anvil_mine", json!(["0x40"])).await;
    let (front, refused) = refusing_front(world.provider.clone(), 3).await;
    let url = database_url(&options);
    let metrics = Arc::new(Metrics::default());
    // Ranges of 64 blocks, split into four calls of 16: refused until the range is down to 12.
    let extra = ["--exit-when-caught-up", "--initial-block-range", "64", "--reorg-window", "1"];
    let settings = settings_for(&front, &world.manifest, &url, &extra);
    let run = Indexer::new(settings, metrics.clone()).unwrap().run(Default::default());
    // Without halving, the same refused range would be retried for ever.
    tokio::time::timeout(Duration::from_secs(60), run).await.expect("the backfill ends").unwrap();
    assert!(refused.load(Ordering::Relaxed) >= 2, "the front refused the large ranges");
    assert!(metrics.rpc_errors_total.load(Ordering::Relaxed) >= 2, "refusals count as RPC errors");
    assert!(metrics.block_range.load(Ordering::Relaxed) <= 16, "the range came down");

    let clean = ScratchDb::migrated("clean", &egp_indexer::MIGRATOR).await;
    index_once(&world, clean.url()).await;
    let pool = PgPool::connect(&url).await.unwrap();
    assert_eq!(checksums(&pool).await, checksums(&clean.pool().await).await);
    clean.drop_now().await.unwrap();
}
