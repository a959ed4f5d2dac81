//! e-GP acting through the API: GraphQL mutations signed by the gateway's key in the API process,
//! followed to `FINAL` through the indexer's mirror, against real anvil and PostgreSQL. Every
//! test counts what reached the chain: the gateway's nonce (every transaction it ever sent) and
//! the registry's events.

mod exactly_once;
mod steps;

use std::time::{Duration, Instant};

use alloy::primitives::{Address, B256};
use alloy::providers::Provider;
use alloy::rpc::types::Filter;
use alloy::sol_types::SolEvent;
use egp_contracts::bindings::guarantee_registry::GuaranteeRegistry;
use egp_testkit::Stack;
use serde_json::{Value, json};

/// Every field of an action the tests look at.
pub(crate) const ACTION: &str = "id kind status idempotencyKey guaranteeId agencyCode arguments gateway
    transactionHash nonce attempts retrying receiptBlockNumber blockNumber blockHash logIndex
    error { code message } event { name recordId provenance { transactionHash blockNumber logIndex final } }";

/// The input type of each mutation.
fn input_type(mutation: &str) -> &'static str {
    match mutation {
        "acceptGuarantee" => "AcceptGuaranteeInput",
        "rejectGuarantee" => "RejectGuaranteeInput",
        "acceptAmendment" => "AcceptAmendmentInput",
        "rejectAmendment" => "RejectAmendmentInput",
        "reduceGuarantee" => "ReduceGuaranteeInput",
        "releaseGuarantee" => "ReleaseGuaranteeInput",
        "claimGuarantee" => "ClaimGuaranteeInput",
        "withdrawClaim" => "WithdrawClaimInput",
        "supersedeGuarantee" => "SupersedeGuaranteeInput",
        other => panic!("no mutation {other}"),
    }
}

/// The GraphQL text of `mutation` returning an action.
pub(crate) fn mutation_text(mutation: &str) -> String {
    format!("mutation($input: {}!) {{ {mutation}(input: $input) {{ {ACTION} }} }}", input_type(mutation))
}

/// Sends `mutation` with `input`; the whole response.
pub(crate) async fn send(stack: &Stack, mutation: &str, input: Value) -> Value {
    stack.graphql(&mutation_text(mutation), json!({ "input": input })).await
}

/// Sends `mutation` and returns the action, failing on any error.
pub(crate) async fn act(stack: &Stack, mutation: &str, input: Value) -> Value {
    let response = send(stack, mutation, input).await;
    assert!(response["errors"].is_null(), "{mutation}: {response:#}");
    response["data"][mutation].clone()
}

/// The codes of a response's errors.
pub(crate) fn codes(response: &Value) -> Vec<String> {
    response["errors"]
        .as_array()
        .map(|errors| errors.iter().map(|e| e["extensions"]["code"].as_str().unwrap_or("").to_owned()).collect())
        .unwrap_or_default()
}

/// The action as stored now.
pub(crate) async fn action(stack: &Stack, id: &str) -> Value {
    let response =
        stack.graphql(&format!("query($id: ID!) {{ action(id: $id) {{ {ACTION} }} }}"), json!({ "id": id })).await;
    assert!(response["errors"].is_null(), "{response:#}");
    response["data"]["action"].clone()
}

/// Waits until action `id` is FINAL or FAILED; returns it.
pub(crate) async fn settled(stack: &Stack, id: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let now = action(stack, id).await;
        if now["status"] == "FINAL" || now["status"] == "FAILED" {
            return now;
        }
        assert!(Instant::now() < deadline, "action {id} did not settle: {now:#}\n{}", stack.logs_tail());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The statuses of many actions in one request (aliases), in the order of `ids`.
pub(crate) async fn statuses(stack: &Stack, ids: &[String]) -> Vec<Value> {
    let fields: String =
        ids.iter().enumerate().map(|(n, id)| format!("a{n}: action(id: \"{id}\") {{ {ACTION} }} ")).collect();
    let response = stack.graphql(&format!("{{ {fields} }}"), Value::Null).await;
    assert!(response["errors"].is_null(), "{response:#}");
    (0..ids.len()).map(|n| response["data"][format!("a{n}")].clone()).collect()
}

/// Waits until every action of `ids` is FINAL or FAILED; returns them.
pub(crate) async fn all_settled(stack: &Stack, ids: &[String]) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        let now = statuses(stack, ids).await;
        if now.iter().all(|a| a["status"] == "FINAL" || a["status"] == "FAILED") {
            return now;
        }
        let open: Vec<String> = now
            .iter()
            .filter(|a| a["status"] != "FINAL")
            .map(|a| format!("{} {} {}", a["id"], a["status"], a["retrying"]))
            .collect();
        assert!(Instant::now() < deadline, "actions did not settle: {open:?}\n{}", stack.logs_tail());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The gateway's address.
pub(crate) fn gateway(stack: &Stack) -> Address {
    stack.consortium.gateway().expect("the gateway").address()
}

/// How many transactions the gateway has ever had mined.
pub(crate) async fn gateway_nonce(stack: &Stack) -> u64 {
    let provider = stack.admin().await.provider().clone();
    provider.get_transaction_count(gateway(stack)).await.expect("a nonce")
}

/// The registry's events of type `E` on chain, as (guarantee id, transaction hash).
pub(crate) async fn events_on_chain<E: SolEvent>(stack: &Stack) -> Vec<(B256, B256)> {
    let admin = stack.admin().await;
    let registry = admin.deployment().contracts.guarantee_registry.address;
    let filter = Filter::new().address(registry).event_signature(E::SIGNATURE_HASH).from_block(0);
    let logs = admin.provider().get_logs(&filter).await.expect("logs");
    logs.iter().map(|log| (log.topics()[1], log.transaction_hash.expect("a mined log"))).collect()
}

/// The accept events on chain.
pub(crate) async fn accepted_on_chain(stack: &Stack) -> Vec<(B256, B256)> {
    events_on_chain::<GuaranteeRegistry::GuaranteeAccepted>(stack).await
}

/// The input naming `bank_ref` of bank 002 for the Department of Highways, with `key`.
pub(crate) fn input(key: &str, bank_ref: &str) -> Value {
    json!({ "idempotencyKey": key, "guarantee": { "bankCode": "002", "bankRef": bank_ref }, "agencyCode": "21009" })
}

/// `input` with more fields.
pub(crate) fn with(mut base: Value, more: Value) -> Value {
    for (key, value) in more.as_object().expect("an object") {
        base[key] = value.clone();
    }
    base
}
