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
