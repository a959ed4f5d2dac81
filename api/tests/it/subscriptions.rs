//! Subscriptions fed by the indexer's `NOTIFY`: an event issued on chain after subscribing
//! arrives with its provenance; a client resuming from a block gets every event since, in order.

use std::time::Duration;

use async_graphql::Request;
use egp_api::{Limits, schema};
use futures_util::StreamExt;
use serde_json::Value;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use tokio_util::sync::CancellationToken;

use crate::common::*;

fn subscribe(schema: &schema::ApiSchema, query: String) -> impl futures_util::Stream<Item = Value> + use<> {
    schema.execute_stream(Request::new(query).data(egp())).map(|response| serde_json::to_value(&response).unwrap())
}

async fn next(stream: &mut (impl futures_util::Stream<Item = Value> + Unpin)) -> Value {
    let response =
        tokio::time::timeout(Duration::from_secs(20), stream.next()).await.expect("an event in time").unwrap();
    assert!(response.get("errors").is_none(), "{response:#}");
    response["data"]["guaranteeEvents"].clone()
}

#[sqlx::test(migrator = "egp_store::MIGRATOR")]
async fn events_arrive_after_commit_and_resume_from_a_block(pool_options: PgPoolOptions, options: PgConnectOptions) {
    let world = World::start().await;
    let today = world.today().await;
    let before = world.issue(BBL, &terms("SUB-0", today)).await;
    let url = database_url(&options);
    let cancel = CancellationToken::new();
    let indexer = tokio::spawn(egp_indexer::run(world.indexer_settings(&url, &[]), cancel.clone()));
    let pool = pool_options.connect_with(options).await.unwrap();
    let api = api(pool.clone(), &world.url, Limits::default());
    let listener = {
        let (api, cancel) = (api.clone(), cancel.clone());
        tokio::spawn(async move { api.notifier.listen(api.pool.clone(), cancel).await })
    };
    let schema = schema::build(api);
    // Wait until the first guarantee is mirrored, so the subscription starts after it.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while sqlx::query_scalar::<_, i64>("SELECT count(*) FROM guarantees").fetch_one(&pool).await.unwrap() == 0 {
        assert!(tokio::time::Instant::now() < deadline, "indexer did not catch up");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let query =
        "subscription { guaranteeEvents { name recordId provenance { blockNumber logIndex transactionHash } } }";
    let mut live = Box::pin(subscribe(&schema, query.to_owned()));
    let first = tokio::spawn(async move {
        let event = next(&mut live).await;
        (event, live)
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    let outcome = world.bank(BBL).await.issue_guarantee(&terms("SUB-1", today), &pepper()).await.unwrap();
    let id = outcome.subject_id();
    let (event, mut live) = first.await.unwrap();
    assert_eq!(event["name"], "GuaranteeIssued");
    assert_eq!(event["recordId"], hex(id), "the earlier guarantee {before} is not replayed");
    assert_eq!(event["provenance"]["blockNumber"], outcome.sent.block.unwrap());
    assert_eq!(event["provenance"]["transactionHash"], outcome.sent.transaction.unwrap().to_string());
    world.gateway().await.accept(id, &code(HIGHWAYS)).await.unwrap();
    let accepted = next(&mut live).await;
    assert_eq!(accepted["name"], "GuaranteeAccepted");

    // A client that reconnects resumes from the block of the last event it saw: no gaps.
    let from = outcome.sent.block.unwrap();
    let resumed = format!(
        "subscription {{ guaranteeEvents(fromBlock: {from}, filter: {{ recordId: \"{}\" }}) {{ name recordId }} }}",
        hex(id)
    );
    let mut again = Box::pin(subscribe(&schema, resumed));
    assert_eq!(next(&mut again).await["name"], "GuaranteeIssued");
    assert_eq!(next(&mut again).await["name"], "GuaranteeAccepted");
    let mut replay = Box::pin(subscribe(&schema, "subscription { guaranteeEvents(fromBlock: 0) { recordId } }".into()));
    assert_eq!(next(&mut replay).await["recordId"], hex(before));

    cancel.cancel();
    indexer.await.unwrap().unwrap();
    listener.await.unwrap();
}

/// Runs the API's listener until the returned token is cancelled.
fn listen(api: &std::sync::Arc<egp_api::schema::Api>) -> (CancellationToken, tokio::task::JoinHandle<()>) {
    let (api, cancel) = (api.clone(), CancellationToken::new());
    let token = cancel.clone();
    (cancel, tokio::spawn(async move { api.notifier.listen(api.pool.clone(), token).await }))
}

/// The backends of the API's listener on the test's database.
async fn listener_backends(pool: &sqlx::PgPool) -> Vec<i32> {
    sqlx::query_scalar("SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()")
        .bind(egp_api::notify::LISTENER_APPLICATION_NAME)
        .fetch_all(pool)
        .await
        .unwrap()
}

async fn eventually_true<F: std::future::Future<Output = bool>>(what: &str, mut check: impl FnMut() -> F) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while !check().await {
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until the indexer has rolled back a reorg and indexed the new branch up to `head`.
async fn reorged_and_indexed(pool: &sqlx::PgPool, head: i64) {
    eventually_true("the reorg rolled back and the new branch indexed", || async {
        let reorgs = sqlx::query_scalar::<_, i64>("SELECT count(*) FROM reorgs").fetch_one(pool).await.unwrap();
        let at = sqlx::query_scalar::<_, i64>("SELECT block_number FROM checkpoints").fetch_one(pool).await.unwrap();
        reorgs > 0 && at >= head
    })
    .await;
}

#[sqlx::test(migrator = "egp_indexer::MIGRATOR")]
async fn a_reorg_while_the_listener_is_away_rewinds_from_the_reorgs_table(
    pool_options: PgPoolOptions,
    options: PgConnectOptions,
) {
    use alloy::providers::Provider;
    let world = World::start().await;
    let today = world.today().await;
    world.issue(BBL, &terms("REORG-0", today)).await;
    let url = database_url(&options);
    let cancel = CancellationToken::new();
    let indexer = tokio::spawn(egp_indexer::run(world.indexer_settings(&url, &[]), cancel.clone()));
    let pool = pool_options.connect_with(options).await.unwrap();
    let api = api(pool.clone(), &world.url, Limits::default());
    let (listener_cancel, listener) = listen(&api);
    let schema = schema::build(api.clone());
    eventually_true("the first guarantee mirrored", || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM guarantees").fetch_one(&pool).await.unwrap() > 0
    })
    .await;
    let query = "subscription { guaranteeEvents { name recordId provenance { blockNumber } } }";
    let mut live = Box::pin(subscribe(&schema, query.to_owned()));
    let node = world.admin().await;
    let snapshot: Value = node.provider().raw_request("evm_snapshot".into(), Value::Array(Vec::new())).await.unwrap();
    let first = tokio::spawn(async move { (next(&mut live).await, live) });
    tokio::time::sleep(Duration::from_millis(500)).await;

    // Two guarantees on a branch that will be replaced; the subscriber sees both.
    let old =
        [world.issue(BBL, &terms("REORG-OLD-1", today)).await, world.issue(BBL, &terms("REORG-OLD-2", today)).await];
    let (event, mut live) = first.await.unwrap();
    assert_eq!(event["recordId"], hex(old[0]));
    assert_eq!(next(&mut live).await["recordId"], hex(old[1]));

    // The listener's connection killed under it: it comes back on a new backend.
    let before = listener_backends(&pool).await;
    assert_eq!(before.len(), 1, "one listener connection, named {}", egp_api::notify::LISTENER_APPLICATION_NAME);
    sqlx::query("SELECT pg_terminate_backend($1)").bind(before[0]).execute(&pool).await.unwrap();
    eventually_true("the listener back on a new connection", || async {
        listener_backends(&pool).await.iter().any(|pid| !before.contains(pid))
    })
    .await;

    // Then away across a reorg: the indexer's NOTIFY of the rollback reaches nobody.
    listener_cancel.cancel();
    listener.await.unwrap();
    eventually_true("the listener's connection closed", || async { listener_backends(&pool).await.is_empty() }).await;
    let reverted: bool = node.provider().raw_request("evm_revert".into(), (snapshot,)).await.unwrap();
    assert!(reverted);
    let mut new = Vec::new();
    for n in 1..=3 {
        new.push(world.issue(KBANK, &terms(&format!("REORG-NEW-{n}"), today)).await);
    }
    reorged_and_indexed(&pool, node.provider().get_block_number().await.unwrap() as i64).await;
    let (listener_cancel, listener) = listen(&api);

    // The subscriber rewinds to the first block undone: the new branch's events, in order, even
    // where their blocks were delivered before (the old branch's).
    let mut issued = Vec::new();
    while issued.len() < new.len() {
        let event = next(&mut live).await;
        if event["name"] == "GuaranteeIssued" {
            issued.push(event["recordId"].as_str().unwrap().to_owned());
        }
    }
    assert_eq!(issued, new.iter().map(|id| hex(*id)).collect::<Vec<_>>());

    listener_cancel.cancel();
    listener.await.unwrap();
    cancel.cancel();
    indexer.await.unwrap().unwrap();
}

/// The `GuaranteeIssued` record ids a resumed subscription delivers, until `last` is among them.
async fn issued_until(schema: &schema::ApiSchema, query: String, last: &str) -> Vec<String> {
    let mut stream = Box::pin(subscribe(schema, query));
    let mut issued = Vec::new();
    while issued.last().map(String::as_str) != Some(last) {
        let event = next(&mut stream).await;
        if event["name"] == "GuaranteeIssued" {
            issued.push(event["recordId"].as_str().unwrap().to_owned());
        }
    }
    issued
}

#[sqlx::test(migrator = "egp_store::MIGRATOR")]
async fn a_client_away_across_a_reorg_resumes_from_the_hash_it_saw(
    pool_options: PgPoolOptions,
    options: PgConnectOptions,
) {
    use alloy::providers::Provider;
    let world = World::start().await;
    let today = world.today().await;
    let node = world.admin().await;
    let snapshot: Value = node.provider().raw_request("evm_snapshot".into(), Value::Array(Vec::new())).await.unwrap();
    let old =
        [world.issue(BBL, &terms("AWAY-OLD-1", today)).await, world.issue(BBL, &terms("AWAY-OLD-2", today)).await];
    let url = database_url(&options);
    let cancel = CancellationToken::new();
    let indexer = tokio::spawn(egp_indexer::run(world.indexer_settings(&url, &[]), cancel.clone()));
    let pool = pool_options.connect_with(options).await.unwrap();
    let schema = schema::build(api(pool.clone(), &world.url, Limits::default()));

    // The client sees both guarantees, then goes away.
    let query = "subscription { guaranteeEvents(fromBlock: 0) { name recordId provenance { blockNumber blockHash } } }";
    let mut first = Box::pin(subscribe(&schema, query.to_owned()));
    let seen = loop {
        let event = next(&mut first).await;
        if event["recordId"] == hex(old[1]) {
            break event;
        }
    };
    drop(first);
    let block = seen["provenance"]["blockNumber"].as_i64().unwrap();
    let seen_hash = seen["provenance"]["blockHash"].as_str().unwrap().to_owned();

    // Meanwhile the chain drops both for a longer branch with other guarantees.
    let reverted: bool = node.provider().raw_request("evm_revert".into(), (snapshot,)).await.unwrap();
    assert!(reverted);
    let mut new = Vec::new();
    for n in 1..=3 {
        new.push(hex(world.issue(KBANK, &terms(&format!("AWAY-NEW-{n}"), today)).await));
    }
    reorged_and_indexed(&pool, node.provider().get_block_number().await.unwrap() as i64).await;
    let now_hash: Vec<u8> = sqlx::query_scalar("SELECT block_hash FROM blocks WHERE block_number = $1")
        .bind(block)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_ne!(format!("0x{}", hex::encode(&now_hash)), seen_hash, "block {block} was replaced");

    let resume = |hash: &str| {
        format!(
            "subscription {{ guaranteeEvents(fromBlock: {block}{hash}) {{ name recordId provenance {{ blockNumber }} }} }}"
        )
    };
    // With the hash it saw, the replay starts where the reorg did: every new guarantee, in order.
    let with_hash = issued_until(&schema, resume(&format!(", fromBlockHash: \"{seen_hash}\"")), &new[2]).await;
    assert_eq!(with_hash, new);
    // From the block alone, the new branch's guarantees below it are not replayed.
    let without = issued_until(&schema, resume(""), &new[2]).await;
    assert!(!without.contains(&new[0]), "{without:?} starts at block {block}");
    // With the block's current hash, nothing was replaced: the replay starts at the block.
    let current = issued_until(&schema, resume(&format!(", fromBlockHash: \"0x{}\"", hex::encode(&now_hash))), &new[2]);
    assert_eq!(current.await, without);

    // A hash block 1 never had, and a hash without its block: refused, naming the argument.
    let wrong = format!("0x{}", "ab".repeat(32));
    for query in [
        format!("subscription {{ guaranteeEvents(fromBlock: 1, fromBlockHash: \"{wrong}\") {{ name }} }}"),
        format!("subscription {{ guaranteeEvents(fromBlockHash: \"{wrong}\") {{ name }} }}"),
    ] {
        let mut stream = Box::pin(subscribe(&schema, query.clone()));
        let response = tokio::time::timeout(Duration::from_secs(20), stream.next()).await.unwrap().unwrap();
        let error = &response["errors"][0];
        assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT", "{query}: {response:#}");
        assert!(error["message"].as_str().unwrap().contains("fromBlockHash"), "{response:#}");
        let after = tokio::time::timeout(Duration::from_secs(5), stream.next()).await;
        assert!(matches!(after, Ok(None)), "the subscription ends after refusing its start: {after:?}");
    }

    cancel.cancel();
    indexer.await.unwrap().unwrap();
}
