//! Exactly once under pressure: fifty mutations at once from several clients, one key sent ten
//! times at once, and the API killed with SIGKILL three times while actions are queued, while
//! transactions are in flight and while requests are being answered.

use std::collections::{BTreeSet, HashSet};
use std::time::{Duration, Instant};

use alloy::consensus::Transaction as _;
use alloy::primitives::B256;
use alloy::providers::Provider;
use alloy::transports::http::reqwest;
use egp_testkit::{EGP_KEY, Stack, StackOptions, pepper};
use futures_util::future::join_all;
use serde_json::{Value, json};
use tokio::task::JoinHandle;

use super::{accepted_on_chain, act, all_settled, codes, gateway_nonce, mutation_text, send, settled, statuses};
use crate::{COMPANY, terms, today};

/// Issues `count` guarantees `{prefix}-{n}` from banks 002, 004 and 006 at once (one sender per bank).
async fn issue_many(stack: &Stack, prefix: &str, count: usize) -> Vec<(u16, String)> {
    let today = today(stack).await;
    let banks = [2u16, 4, 6];
    let mut all = Vec::new();
    let runs = banks.iter().map(|&code| {
        let refs: Vec<String> =
            (0..count).filter(|n| banks[n % banks.len()] == code).map(|n| format!("{prefix}-{n}")).collect();
        async move {
            let bank = stack.bank(code).await;
            for bank_ref in &refs {
                bank.issue_guarantee(&terms(bank_ref, COMPANY, today), &pepper()).await.unwrap();
            }
            refs.into_iter().map(|r| (code, r)).collect::<Vec<_>>()
        }
    });
    for issued in join_all(runs).await {
        all.extend(issued);
    }
    all
}

fn accept_input(key: &str, bank: u16, bank_ref: &str) -> Value {
    json!({
        "idempotencyKey": key,
        "guarantee": { "bankCode": format!("{bank:03}"), "bankRef": bank_ref },
        "agencyCode": "21009",
    })
}

/// Sends an accept to the API at `url` through `client` until the API answers (it may be down
/// or killed meanwhile), always with the same key; returns the action.
async fn accept_until_answered(url: &str, client: &reqwest::Client, key: &str, bank: u16, bank_ref: &str) -> Value {
    let body = json!({ "query": mutation_text("acceptGuarantee"), "variables": { "input": accept_input(key, bank, bank_ref) } });
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let sent = client
            .post(url)
            .header("authorization", format!("Bearer {EGP_KEY}"))
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await;
        if let Ok(response) = sent
            && let Ok(text) = response.text().await
        {
            let response: Value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"));
            assert!(response["errors"].is_null(), "{key}: {response:#}");
            return response["data"]["acceptGuarantee"].clone();
        }
        assert!(Instant::now() < deadline, "the API never answered {key}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Accepts of `batch`, each in its own task (so the API can be killed and restarted meanwhile).
fn spawn_accepts(stack: &Stack, client: &reqwest::Client, batch: &[(u16, String)]) -> Vec<JoinHandle<Value>> {
    batch
        .iter()
        .map(|(bank, bank_ref)| {
            let (url, client, bank, bank_ref) = (stack.api_url.clone(), client.clone(), *bank, bank_ref.clone());
            let key = format!("kill-{bank:03}-{bank_ref}");
            tokio::spawn(async move { accept_until_answered(&url, &client, &key, bank, &bank_ref).await })
        })
        .collect()
}

async fn ids_of(handles: Vec<JoinHandle<Value>>) -> Vec<String> {
    join_all(handles).await.into_iter().map(|a| a.expect("a request task")["id"].as_str().unwrap().to_owned()).collect()
}

/// Every guarantee accepted exactly once on chain, by exactly `expected` gateway transactions.
async fn accepted_exactly_once(stack: &Stack, issued: &[(u16, String)], expected: u64) {
    let accepted = accepted_on_chain(stack).await;
    for (bank, bank_ref) in issued {
        let id = egp_testkit::guarantee_id(*bank, bank_ref);
        let times = accepted.iter().filter(|(g, _)| *g == id).count();
        assert_eq!(times, 1, "{bank:03}/{bank_ref} accepted {times} times");
    }
    assert_eq!(accepted.len(), issued.len());
    assert_eq!(gateway_nonce(stack).await, expected, "the gateway sent exactly one transaction per action");
}

#[tokio::test]
async fn fifty_concurrent_mutations_from_five_clients_are_fifty_transactions_with_consecutive_nonces() {
    let stack = Stack::start(StackOptions { gateway: true, ..StackOptions::default() }).await;
    let issued = issue_many(&stack, "LG-50", 50).await;
    egp_contracts::tls::use_ring();
    let clients: Vec<reqwest::Client> = (0..5).map(|_| reqwest::Client::new()).collect();
    let requests = issued.iter().enumerate().map(|(n, (bank, bank_ref))| {
        let client = &clients[n % clients.len()];
        let url = &stack.api_url;
        async move { accept_until_answered(url, client, &format!("fifty-{n}"), *bank, bank_ref).await }
    });
    let actions = join_all(requests).await;
    let ids: Vec<String> = actions.iter().map(|a| a["id"].as_str().unwrap().to_owned()).collect();
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 50, "fifty actions");
    assert!(actions.iter().all(|a| a["status"] == "PENDING"), "{actions:#?}");

    let done = all_settled(&stack, &ids).await;
    assert!(done.iter().all(|a| a["status"] == "FINAL"), "{done:#?}");
    let hashes: BTreeSet<String> = done.iter().map(|a| a["transactionHash"].as_str().unwrap().to_owned()).collect();
    assert_eq!(hashes.len(), 50, "fifty distinct transactions");
    let provider = stack.admin().await.provider().clone();
    let mut nonces = Vec::new();
    for (action, hash) in done.iter().zip(done.iter().map(|a| a["transactionHash"].as_str().unwrap())) {
        let tx = provider.get_transaction_by_hash(hash.parse::<B256>().unwrap()).await.unwrap().expect("on chain");
        assert_eq!(action["nonce"], tx.nonce(), "the recorded nonce is the transaction's");
        nonces.push(tx.nonce());
    }
    nonces.sort_unstable();
    assert_eq!(nonces, (0..50).collect::<Vec<u64>>(), "consecutive nonces, none twice, none skipped");
    accepted_exactly_once(&stack, &issued, 50).await;
}

#[tokio::test]
async fn one_idempotency_key_sent_ten_times_at_once_is_one_transaction() {
    let stack = Stack::start(StackOptions { gateway: true, ..StackOptions::default() }).await;
    let issued = issue_many(&stack, "LG-KEY", 2).await;
    let (bank, bank_ref) = issued[0].clone();
    egp_contracts::tls::use_ring();
    let clients: Vec<reqwest::Client> = (0..10).map(|_| reqwest::Client::new()).collect();
    let same =
        clients.iter().map(|client| accept_until_answered(&stack.api_url, client, "same-key-10", bank, &bank_ref));
    let answers = join_all(same).await;
    let ids: HashSet<&str> = answers.iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 1, "one action for one key: {answers:#?}");
    let id = ids.into_iter().next().unwrap().to_owned();
    let done = settled(&stack, &id).await;
    assert_eq!(done["status"], "FINAL", "{done:#}");

    // After it is final, the same key and request is still that action; another request is refused.
    let again = act(&stack, "acceptGuarantee", accept_input("same-key-10", bank, &bank_ref)).await;
    assert_eq!(again["id"], id.as_str());
    assert_eq!(again["status"], "FINAL");
    let (other_bank, other_ref) = issued[1].clone();
    let conflict = send(&stack, "acceptGuarantee", accept_input("same-key-10", other_bank, &other_ref)).await;
    assert_eq!(codes(&conflict), ["IDEMPOTENCY_CONFLICT"], "{conflict:#}");
    let by_id = json!({ "idempotencyKey": "same-key-10", "guarantee": { "id": egp_testkit::guarantee_id(bank, &bank_ref).to_string() }, "agencyCode": "21009" });
    assert_eq!(
        act(&stack, "acceptGuarantee", by_id).await["id"],
        id.as_str(),
        "the same guarantee by id is the same request"
    );

    let accepted = accepted_on_chain(&stack).await;
    assert_eq!(accepted.len(), 1, "one transaction");
    assert_eq!(gateway_nonce(&stack).await, 1);
}

/// Holds the gateway sender's advisory lock from a `psql` session of its own, so that no API
/// sends until it is dropped.
pub(crate) struct SenderLock(std::process::Child);

impl SenderLock {
    pub(crate) fn take(stack: &Stack) -> Self {
        use std::io::Write as _;
        let key = egp_api::outbox::sender_lock(super::gateway(stack));
        let mut psql = std::process::Command::new("psql")
            .args(["-X", "-q", &stack.database_url])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("psql runs");
        writeln!(psql.stdin.as_mut().unwrap(), "SELECT pg_advisory_lock({key});").unwrap();
        // Taken once another session can no longer take it.
        while stack.sql(&format!("SELECT pg_try_advisory_lock({key})")).trim() == "t" {
            std::thread::sleep(Duration::from_millis(20));
        }
        Self(psql)
    }
}

impl Drop for SenderLock {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The actions' statuses as stored (the API is dead: nothing moves).
fn stored(stack: &Stack, ids: &[String]) -> Vec<String> {
    let list = ids.join(",");
    let rows = stack.sql(&format!(
        "SELECT status || CASE WHEN mined_block IS NULL THEN '' ELSE ' mined' END FROM actions WHERE id IN ({list}) ORDER BY id"
    ));
    rows.lines().map(str::to_owned).collect()
}

#[tokio::test]
async fn the_api_killed_with_sigkill_three_times_loses_no_action_and_sends_none_twice() {
    let mut stack = Stack::start(StackOptions { gateway: true, ..StackOptions::default() }).await;
    let issued = issue_many(&stack, "LG-KILL", 24).await;
    let provider = stack.admin().await.provider().clone();
    // No blocks until the third round: every transaction sent stays in flight.
    let _: Value = provider.raw_request("evm_setAutomine".into(), (false,)).await.unwrap();
    let head = provider.get_block_number().await.unwrap();
    egp_contracts::tls::use_ring();
    let client = reqwest::Client::new();
    let mut ids = Vec::new();

    // Killed while actions are queued: another session holds the sender's lock, so nothing is
    // signed; the API is killed right after answering.
    stack.kill_api();
    let lock = SenderLock::take(&stack);
    stack.start_api().await;
    let batch = ids_of(spawn_accepts(&stack, &client, &issued[..8])).await;
    stack.kill_api();
    assert_eq!(stored(&stack, &batch), vec!["pending"; 8], "killed while all eight were queued");
    ids.extend(batch);
    drop(lock);
    stack.start_api().await;

    // Killed while transactions are in flight: all sixteen signed, recorded and sent, none mined.
    let batch = ids_of(spawn_accepts(&stack, &client, &issued[8..16])).await;
    ids.extend(batch);
    let deadline = Instant::now() + Duration::from_secs(60);
    while statuses(&stack, &ids).await.iter().any(|a| a["status"] != "SUBMITTED") {
        assert!(Instant::now() < deadline, "not all sent: {:?}", stored(&stack, &ids));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    stack.kill_api();
    assert_eq!(stored(&stack, &ids), vec!["submitted"; 16], "killed with sixteen transactions in flight");
    assert_eq!(provider.get_block_number().await.unwrap(), head, "nothing was mined yet");
    stack.start_api().await;

    // Killed while the requests themselves are being answered: the clients retry with their keys.
    let _: Value = provider.raw_request("evm_setIntervalMining".into(), (1,)).await.unwrap();
    let handles = spawn_accepts(&stack, &client, &issued[16..]);
    tokio::time::sleep(Duration::from_millis(30)).await;
    stack.kill_api();
    tokio::time::sleep(Duration::from_millis(300)).await;
    stack.start_api().await;
    ids.extend(ids_of(handles).await);

    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 24, "every request is one action");
    let done = all_settled(&stack, &ids).await;
    assert!(done.iter().all(|a| a["status"] == "FINAL"), "{done:#?}");
    accepted_exactly_once(&stack, &issued, 24).await;
}
