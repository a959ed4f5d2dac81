//! `verify` finds rows changed by hand; `/metrics` and `/health` answer.

use std::time::Duration;

use egp_indexer::verify::Difference;
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::common::{World, checkpoint, database_url, eventually, follow, guarantee_id, index_once, settings};

#[sqlx::test(migrator = "egp_indexer::MIGRATOR")]
async fn verify_finds_rows_changed_by_hand(_: PgPoolOptions, options: PgConnectOptions) {
    let world = World::new().await;
    world.every_event().await;
    let url = database_url(&options);
    index_once(&world, &url).await;
    let pool = PgPool::connect(&url).await.unwrap();
    let verify = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_egp-indexer"))
            .args(["--database-url", &url, "--rpc-url", &world.anvil.endpoint()])
            .arg("--manifest")
            .arg(&world.manifest)
            .arg("verify")
            .args(args)
            .env("RUST_LOG", "error")
            .output()
            .unwrap()
    };
    assert!(verify(&[]).status.success(), "a clean mirror verifies");

    let g7 = guarantee_id(2, "LG-7");
    sqlx::query("UPDATE guarantees SET outstanding = outstanding + 1 WHERE id = $1")
        .bind(g7.as_slice())
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("UPDATE guarantee_claims SET status = $2 WHERE guarantee_id = $1")
        .bind(g7.as_slice())
        .bind(egp_store::ClaimStatus::Open)
        .execute(&pool)
        .await
        .unwrap();
    let (block, log): (i64, i32) = sqlx::query_as(
        "DELETE FROM events WHERE event = 'AgencyRegistered' AND args->>'name' LIKE 'Comptroller%' RETURNING block_number, log_index",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    sqlx::query("UPDATE blocks SET block_hash = '\\x00' WHERE block_number = (SELECT min(block_number) FROM blocks)")
        .execute(&pool)
        .await
        .unwrap();

    let output = verify(&[]);
    assert_eq!(output.status.code(), Some(1), "drift exits 1");
    let mut conn = egp_indexer::follow::connect(&url).await.unwrap();
    let chain = egp_indexer::chain::Chain::connect(&world.anvil.endpoint(), Duration::from_secs(5), Default::default())
        .unwrap();
    let report = egp_indexer::verify::verify(&mut conn, &chain, &world.deployment, None, None).await.unwrap();
    let found = |want: &dyn Fn(&Difference) -> bool| report.differences.iter().any(want);
    let key = format!("0x{}", hex::encode(g7));
    assert!(
        found(&|d| matches!(d, Difference::Record { table: "guarantees", key: k, field, stored, expected }
        if *k == key && field == "outstanding" && stored == "1" && expected == "0")),
        "{:#?}",
        report.differences
    );
    assert!(found(&|d| matches!(d, Difference::Record { table: "guarantee_claims", field, .. } if field == "status")));
    assert!(found(
        &|d| matches!(d, Difference::MissingEvent { block: b, log_index: l, event } if *b == block as u64 && *l == log as u64 && event == "AgencyRegistered")
    ));
    assert!(found(&|d| matches!(d, Difference::BlockHash { .. })));
    for difference in &report.differences {
        assert!(!difference.to_string().is_empty());
    }
}

async fn http_get(addr: std::net::SocketAddr, path: &str) -> String {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(format!("GET {path} HTTP/1.0\r\nHost: x\r\n\r\n").as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    response
}

#[sqlx::test(migrator = "egp_indexer::MIGRATOR")]
async fn metrics_and_health_answer(_: PgPoolOptions, options: PgConnectOptions) {
    let world = World::new().await;
    let url = database_url(&options);
    let pool = PgPool::connect(&url).await.unwrap();
    let port = egp_testkit::free_port();
    let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let (cancel, task) = follow(settings(&world, &url, &["--metrics-addr", &addr.to_string()]));
    let (_, receipt) = world.issue("LG-METRICS", world.now().await + 86_400).await;
    let block = receipt.block_number.unwrap() as i64;
    eventually(30, "indexing", || async { checkpoint(&pool).await >= block }).await;
    let metrics = http_get(addr, "/metrics").await;
    assert!(metrics.starts_with("HTTP/1.0 200") || metrics.starts_with("HTTP/1.1 200"), "{metrics}");
    for name in [
        "chain_head",
        "indexed_block",
        "lag_blocks",
        "lag_seconds",
        "events_per_second",
        "reorgs_total",
        "rpc_errors_total",
        "batch_events",
    ] {
        assert!(metrics.contains(&format!("\negp_indexer_{name} ")), "no {name} in {metrics}");
    }
    assert!(
        metrics.contains(&format!("egp_indexer_indexed_block {block}"))
            || metrics.contains("egp_indexer_indexed_block ")
    );
    assert!(metrics.contains("egp_indexer_is_writer 1"));
    let health = http_get(addr, "/health").await;
    assert!(health.contains(" 200 ") && health.contains("\"ok\""), "{health}");
    cancel.cancel();
    task.await.unwrap().unwrap();
}
