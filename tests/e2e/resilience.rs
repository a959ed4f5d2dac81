//! The mirror under stress: the indexer killed with SIGKILL and restarted, a reorg, and a scan for
//! plain 13-digit ids everywhere they must never be.

use std::time::Duration;

use alloy::primitives::U256;
use alloy::providers::Provider;
use egp::seed::SeedOptions;
use egp_contracts::{Satang, ThaiId};
use egp_testkit::{Stack, StackOptions, pepper};
use serde_json::{Value, json};

use crate::{COMPANY, PERSON, code, confirmation, terms, today};

const PAGE: &str = "{ guarantees(first: 100, orderBy: { field: ISSUED, direction: ASC }) { totalCount
    nodes { id status amount { satang } outstanding { satang } provenance { blockNumber blockHash logIndex } } } }";

async fn snapshot(stack: &Stack) -> Value {
    let response = stack.graphql(PAGE, Value::Null).await;
    assert!(response["errors"].is_null(), "{response}");
    response["data"]["guarantees"].clone()
}

#[tokio::test]
async fn the_indexer_killed_with_sigkill_and_restarted_leaves_the_answers_unchanged_and_complete() {
    let mut stack = Stack::start(StackOptions::default()).await;
    let options = SeedOptions { guarantees: 30, seed: 6 };
    // Kill the indexer while the seed is being written, a few times, then let it finish.
    let seeding = {
        let (url, manifest, consortium) = (stack.rpc_url.clone(), stack.manifest.clone(), stack.consortium.clone());
        tokio::spawn(async move {
            let deployment = egp_contracts::Deployment::read(&manifest).unwrap();
            egp::seed::seed(&url, &deployment, &consortium, &options, |_, _| {}).await.unwrap()
        })
    };
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(700)).await;
        stack.kill_indexer();
        tokio::time::sleep(Duration::from_millis(100)).await;
        stack.start_indexer();
    }
    seeding.await.unwrap();
    let head = stack.head().await;
    stack.wait_indexed(head).await;
    let after_kills = snapshot(&stack).await;
    assert!(after_kills["totalCount"].as_u64().unwrap() >= 30, "{after_kills}");

    // Exactly once: every event once, and the same answers as a clean index of the same chain.
    let duplicates = stack.sql(
        "SELECT count(*) FROM (SELECT 1 FROM events GROUP BY chain_id, block_number, log_index HAVING count(*) > 1) d",
    );
    assert_eq!(duplicates.trim(), "0");
    let logs = stack
        .admin()
        .await
        .provider()
        .get_logs(&alloy::rpc::types::Filter::new().from_block(0).to_block(head))
        .await
        .unwrap();
    assert_eq!(stack.sql("SELECT count(*) FROM events").trim(), logs.len().to_string());
    // A full seed (every story: lapsed amendments, expiries after the clock moved, …), written
    // through three kills: `egp-indexer verify` finds no drift from the chain.
    let report = egp_e2e::verify(&stack).await;
    assert!(report.is_clean(), "verify after a full seed: {:?}", report.differences);
    assert!(report.records > 30 && report.events > 100, "{} records, {} events", report.records, report.events);
    stack.kill_indexer();
    stack.sql("TRUNCATE events, blocks, checkpoints, issuers, issuer_signers, agencies, gateways, guarantees, guarantee_amendments, guarantee_claims, guarantee_releases, credit_confirmations");
    stack.start_indexer();
    stack.wait_indexed(head).await;
    assert_eq!(snapshot(&stack).await, after_kills, "a clean re-index gives the same answers");
}

#[tokio::test]
async fn a_reorg_on_anvil_is_reflected_in_the_answers() {
    let stack = Stack::start(StackOptions::default()).await;
    let today = today(&stack).await;
    let bank = stack.bank(2).await;
    let kept = bank.issue_guarantee(&terms("LG-E2E-KEPT", COMPANY, today), &pepper()).await.unwrap();
    let provider = stack.admin().await.provider().clone();
    let snapshot_id: U256 = provider.raw_request("evm_snapshot".into(), ()).await.unwrap();
    let orphan = bank.issue_guarantee(&terms("LG-E2E-ORPHAN", COMPANY, today), &pepper()).await.unwrap();
    stack.wait_indexed(orphan.sent.block.unwrap()).await;
    let lookup = |bank_ref: &'static str| {
        let stack = &stack;
        async move {
            let response = stack
                .graphql(
                    "query($r: String!) { guarantee(bankCode: \"002\", bankRef: $r) { id provenance { blockHash } } }",
                    json!({ "r": bank_ref }),
                )
                .await;
            response["data"]["guarantee"].clone()
        }
    };
    assert!(!lookup("LG-E2E-ORPHAN").await.is_null());

    // Roll the chain back and build a longer, different branch in its place.
    let reverted: bool = provider.raw_request("evm_revert".into(), (snapshot_id,)).await.unwrap();
    assert!(reverted);
    let bank = stack.bank(2).await; // a fresh connection: nonces moved back with the chain
    let mut last = 0;
    for n in 0..3 {
        last = bank
            .issue_guarantee(&terms(&format!("LG-E2E-BRANCH-{n}"), COMPANY, today), &pepper())
            .await
            .unwrap()
            .sent
            .block
            .unwrap();
    }
    stack.wait_indexed(last).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !lookup("LG-E2E-ORPHAN").await.is_null() {
        assert!(std::time::Instant::now() < deadline, "the orphaned guarantee is still served");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    for n in 0..3 {
        assert!(!lookup(["LG-E2E-BRANCH-0", "LG-E2E-BRANCH-1", "LG-E2E-BRANCH-2"][n]).await.is_null());
    }
    let status = stack.graphql("{ indexerStatus { lastReorg { fromBlock toBlock } } }", Value::Null).await;
    let reorg = &status["data"]["indexerStatus"]["lastReorg"];
    assert_eq!(reorg["fromBlock"], orphan.sent.block.unwrap(), "the reorg is reported: {status}");
    assert!(reorg["toBlock"].as_u64().unwrap() >= orphan.sent.block.unwrap());
    let kept_block = provider.get_block_by_number(kept.sent.block.unwrap().into()).await.unwrap().unwrap();
    assert_eq!(lookup("LG-E2E-KEPT").await["provenance"]["blockHash"], kept_block.header.hash.to_string());
}

#[tokio::test]
async fn no_plain_13_digit_id_appears_on_chain_in_the_database_or_in_the_logs() {
    let stack = Stack::start(StackOptions::default()).await;
    let today = today(&stack).await;
    let ids = [COMPANY, PERSON, "0994000165510", "3101700123452"];
    for id in ids {
        assert!(id.parse::<ThaiId>().is_ok(), "{id} must be valid for this test to mean anything");
    }
    let (bank, gateway) = (stack.bank(2).await, stack.gateway().await);
    for (n, id) in ids.iter().enumerate() {
        let outcome = bank.issue_guarantee(&terms(&format!("LG-PII-{n}"), id, today), &pepper()).await.unwrap();
        gateway.accept(outcome.subject_id(), &code("21009")).await.unwrap();
        bank.issue_confirmation(&confirmation(&format!("CC-PII-{n}"), id, Satang(600_000_000), today), &pepper())
            .await
            .unwrap();
    }
    // e-GP asks about every supplier by tax id, validly and invalidly.
    for id in ids {
        let response = stack
            .graphql("query($t: String!) { supplier(taxId: $t) { activeExposure { satang } } }", json!({ "t": id }))
            .await;
        assert!(response["errors"].is_null(), "{response}");
        let broken = format!("{}0", &id[..12]);
        let refused =
            stack.graphql("query($t: String!) { supplier(taxId: $t) { commitment } }", json!({ "t": broken })).await;
        assert!(!refused.to_string().contains(&broken), "an invalid id is never echoed: {refused}");
    }
    // And the seed's synthetic suppliers: their ids are not known here, so every text below is
    // searched for any standalone 13-digit number that is a valid Thai id.
    let deployment = egp_contracts::Deployment::read(&stack.manifest).unwrap();
    egp::seed::seed(
        &stack.rpc_url,
        &deployment,
        &stack.consortium,
        &SeedOptions { guarantees: 25, seed: 7 },
        |_, _| {},
    )
    .await
    .unwrap();
    let head = stack.head().await;
    stack.wait_indexed(head).await;

    let digits_hex: Vec<String> = ids.iter().map(|id| hex_of(id.as_bytes())).collect();
    let numbers_hex: Vec<String> = ids.iter().map(|id| format!("{:016x}", id.parse::<u64>().unwrap())).collect();
    let provider = stack.admin().await.provider().clone();
    let logs = provider.get_logs(&alloy::rpc::types::Filter::new().from_block(0).to_block(head)).await.unwrap();
    assert!(logs.len() > 20);
    for log in &logs {
        let raw = format!(
            "{}{}",
            log.topics().iter().map(|t| hex_of(t.as_slice())).collect::<String>(),
            hex_of(&log.data().data)
        );
        for needle in digits_hex.iter().chain(&numbers_hex) {
            assert!(!raw.contains(needle.as_str()), "a plain id is in a log of block {:?}", log.block_number);
        }
    }
    let dump =
        std::process::Command::new("pg_dump").args(["--data-only", "--inserts", &stack.database_url]).output().unwrap();
    assert!(dump.status.success() && dump.stdout.len() > 10_000);
    let dump = String::from_utf8_lossy(&dump.stdout);
    let logs = stack.logs();
    assert!(!logs.is_empty(), "the services logged something");
    for id in ids {
        assert!(!dump.contains(id), "a plain id is in the database");
        assert!(!logs.contains(id), "a plain id is in the logs");
    }
    for needle in digits_hex.iter().chain(&numbers_hex) {
        assert!(!dump.contains(needle.as_str()), "a plain id (as hex) is in the database");
    }
    assert_eq!(thai_ids_in(&dump), Vec::<String>::new(), "valid 13-digit ids in the database");
    assert_eq!(thai_ids_in(&logs), Vec::<String>::new(), "valid 13-digit ids in the logs");
    // The scan does find an id where there is one.
    assert_eq!(thai_ids_in(&format!("x {COMPANY}, 1234567890123")), vec![COMPANY.to_owned()]);
}

/// Every standalone run of exactly 13 digits (not inside a longer word, number or hex string)
/// that passes the Thai check digit.
fn thai_ids_in(text: &str) -> Vec<String> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        let standalone = |at: Option<&u8>| !at.is_some_and(|b| b.is_ascii_alphanumeric());
        if i - start == 13
            && standalone(start.checked_sub(1).and_then(|before| bytes.get(before)))
            && standalone(bytes.get(i))
            && text[start..i].parse::<ThaiId>().is_ok()
        {
            found.push(text[start..i].to_owned());
        }
    }
    found
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
