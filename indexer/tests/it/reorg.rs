//! Reorgs during live follow: depth 1 (`anvil_reorg`) and depth 6 (`evm_snapshot`/`evm_revert`);
//! the tables end equal to a clean index of the canonical chain.

use alloy::providers::Provider;
use sqlx::PgPool;
use sqlx::postgres::PgConnectOptions;

use crate::common::{ScratchDb, World, checkpoint, checksums, database_url, eventually, follow, index_once, settings};

async fn head(world: &World) -> i64 {
    world.provider.get_block_number().await.unwrap() as i64
}

async fn caught_up(world: &World, pool: &PgPool) {
    let target = head(world).await;
    eventually(30, "the indexer to reach the head", || async { checkpoint(pool).await >= target }).await;
}

async fn hash_at(pool: &PgPool, number: i64) -> Option<Vec<u8>> {
    sqlx::query_scalar("SELECT block_hash FROM checkpoints WHERE block_number = $1")
        .bind(number)
        .fetch_optional(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "egp_indexer::MIGRATOR")]
async fn reorgs_of_depth_1_and_6_during_live_follow(_: sqlx::postgres::PgPoolOptions, options: PgConnectOptions) {
    let mut world = World::new().await;
    let url = database_url(&options);
    let pool = PgPool::connect(&url).await.unwrap();
    let (cancel, task) = follow(settings(&world, &url, &[]));
    let far = world.now().await + 86_400 * 365;
    let agency = crate::common::code("21009");

    // Depth 1: the last block (an issue) is replaced by an empty block of the same height.
    for i in 0..3 {
        world.issue(&format!("LG-A{i}"), far).await;
    }
    caught_up(&world, &pool).await;
    let before = head(&world).await;
    let old_hash = hash_at(&pool, before).await.expect("checkpoint at the head");
    world.rpc("anvil_reorg", serde_json::json!([1, []])).await;
    // The reorg dropped a transaction: nonces cached by the wallet are stale.
    world.provider = egp_testkit::DevChain::provider_for(&world.anvil);
    assert_eq!(head(&world).await, before);
    eventually(30, "the depth-1 reorg to be rolled back", || {
        let pool = pool.clone();
        let old_hash = old_hash.clone();
        async move { hash_at(&pool, before).await.is_some_and(|h| h != old_hash) }
    })
    .await;
    let gone: i64 =
        sqlx::query_scalar("SELECT count(*) FROM guarantees WHERE bank_ref = 'LG-A2'").fetch_one(&pool).await.unwrap();
    assert_eq!(gone, 0, "the reorged-out guarantee is gone");

    // Depth 6: six blocks of lifecycle on one fork, seven different blocks on the other.
    let (kept, _) = world.issue("LG-KEPT", far).await;
    caught_up(&world, &pool).await;
    let snapshot = world.rpc("evm_snapshot", serde_json::json!([])).await;
    let r = world.registry();
    crate::mined!(r.accept(kept, agency).from(world.gateway));
    crate::mined!(r.claim(kept, agency, 1_000, alloy::primitives::keccak256("d")).from(world.gateway));
    crate::mined!(r.pay(kept, 1, 1_000, alloy::primitives::keccak256("p")).from(world.bank));
    for i in 0..3 {
        world.issue(&format!("LG-OLD{i}"), far).await;
    }
    caught_up(&world, &pool).await;
    let status: String =
        sqlx::query_scalar("SELECT status FROM guarantees WHERE bank_ref = 'LG-KEPT'").fetch_one(&pool).await.unwrap();
    assert_eq!(status, "Active");
    let total_paid: String = sqlx::query_scalar("SELECT total_paid::text FROM guarantees WHERE bank_ref = 'LG-KEPT'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(total_paid, "1000");
    assert_eq!(world.rpc("evm_revert", serde_json::json!([snapshot])).await, serde_json::json!(true));
    world.provider = egp_testkit::DevChain::provider_for(&world.anvil);
    let r = world.registry();
    // The other fork: the guarantee is rejected instead, and other guarantees are issued.
    crate::mined!(r.reject(kept, agency, crate::common::code("NO")).from(world.gateway));
    for i in 0..6 {
        world.issue(&format!("LG-NEW{i}"), far).await;
    }
    caught_up(&world, &pool).await;
    eventually(30, "the depth-6 reorg to be rolled back", || {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, String>("SELECT status FROM guarantees WHERE bank_ref = 'LG-KEPT'")
                .fetch_one(&pool)
                .await
                .unwrap()
                == "Rejected"
        }
    })
    .await;
    caught_up(&world, &pool).await;
    cancel.cancel();
    task.await.unwrap().unwrap();

    let reorgs: i64 = sqlx::query_scalar("SELECT count(*) FROM guarantees WHERE bank_ref LIKE 'LG-OLD%'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(reorgs, 0);
    let claims: i64 = sqlx::query_scalar("SELECT count(*) FROM guarantee_claims").fetch_one(&pool).await.unwrap();
    assert_eq!(claims, 0, "the claim on the abandoned fork is gone");

    let clean = ScratchDb::migrated("clean", &egp_indexer::MIGRATOR).await;
    index_once(&world, clean.url()).await;
    assert_eq!(checksums(&pool).await, checksums(&clean.pool().await).await);
    clean.drop_now().await.unwrap();
}
