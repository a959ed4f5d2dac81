//! Every agency step as a mutation, to `FINAL`, with its event in the guarantee's history; the
//! refusals (a contract's, a tax id, a reused key, a bank's key) and a node that goes away; a
//! stuck transaction replaced with higher fees.

use std::time::{Duration, Instant};

use alloy::providers::Provider;
use chrono::Days;
use egp::bank::{Amendment, reference_hash};
use egp_contracts::Satang;
use egp_testkit::{Stack, StackOptions, pepper};
use serde_json::{Value, json};

use super::{accepted_on_chain, act, action, codes, gateway, gateway_nonce, input, send, settled, with};
use crate::{COMPANY, terms, today};

/// The step's action settles FINAL, its event is the one expected, from the action's own
/// transaction (signed by the gateway, mined successfully), and the guarantee's history holds it.
async fn final_with_event(stack: &Stack, pending: &Value, event: &str) -> Value {
    assert_eq!(pending["status"], "PENDING", "a mutation answers at once: {pending:#}");
    let done = settled(stack, pending["id"].as_str().unwrap()).await;
    assert_eq!(done["status"], "FINAL", "{done:#}");
    let transaction = done["transactionHash"].as_str().unwrap().to_owned();
    assert_eq!(done["event"]["name"], event, "{done:#}");
    assert_eq!(done["event"]["provenance"]["transactionHash"], transaction.as_str());
    assert_eq!(done["event"]["provenance"]["final"], true);
    assert_eq!(done["event"]["provenance"]["blockNumber"], done["blockNumber"]);
    assert_eq!(done["event"]["recordId"], done["guaranteeId"]);
    let provider = stack.admin().await.provider().clone();
    let receipt = provider.get_transaction_receipt(transaction.parse().unwrap()).await.unwrap().expect("mined");
    assert!(receipt.status(), "the step succeeded on chain");
    assert_eq!(receipt.from, gateway(stack), "signed by the gateway");
    let history = stack
        .graphql(
            "query($id: String!) { guarantee(id: $id) { history { name provenance { transactionHash } } } }",
            json!({ "id": done["guaranteeId"] }),
        )
        .await;
    let found = history["data"]["guarantee"]["history"]
        .as_array()
        .unwrap_or_else(|| panic!("{history:#}"))
        .iter()
        .any(|e| e["name"] == event && e["provenance"]["transactionHash"] == transaction.as_str());
    assert!(found, "{event} of {transaction} is in the history: {history:#}");
    done
}

#[tokio::test]
async fn every_agency_step_through_the_api_reaches_final_with_its_event_in_the_history() {
    let stack = Stack::start(StackOptions { gateway: true, ..StackOptions::default() }).await;
    let today = today(&stack).await;
    let bank = stack.bank(2).await;
    for bank_ref in ["LG-API-1", "LG-API-2", "LG-API-3", "LG-API-4"] {
        bank.issue_guarantee(&terms(bank_ref, COMPANY, today), &pepper()).await.unwrap();
    }
    let g1 = egp_testkit::guarantee_id(2, "LG-API-1");
    let expiry = today.checked_add_days(Days::new(365)).unwrap();

    let accepted = act(&stack, "acceptGuarantee", input("step-accept-1", "LG-API-1")).await;
    assert_eq!(accepted["kind"], "ACCEPT");
    assert_eq!(accepted["guaranteeId"], g1.to_string());
    final_with_event(&stack, &accepted, "GuaranteeAccepted").await;

    let reject = with(input("step-reject-2", "LG-API-2"), json!({ "reasonCode": "DOC-MISMATCH" }));
    let rejected = final_with_event(&stack, &act(&stack, "rejectGuarantee", reject).await, "GuaranteeRejected").await;
    assert_eq!(rejected["arguments"]["reasonCode"], "DOC-MISMATCH");

    let amendment = |n: u128| Amendment {
        new_amount: Satang(125_000_000 + n * 10_000_000),
        new_expiry: Some(expiry),
        terms_hash: reference_hash(&format!("amendment {n}")),
    };
    bank.propose_amendment(g1, &amendment(1)).await.unwrap();
    let accept_amendment = with(input("step-amend-1", "LG-API-1"), json!({ "sequence": 1 }));
    let done = act(&stack, "acceptAmendment", accept_amendment).await;
    let done = final_with_event(&stack, &done, "AmendmentAccepted").await;
    assert_eq!(done["arguments"]["amendmentSequence"], 1);

    bank.propose_amendment(g1, &amendment(2)).await.unwrap();
    let reject_amendment = with(input("step-amend-2", "LG-API-1"), json!({ "reasonCode": "TERMS-NOT-AGREED" }));
    let done = act(&stack, "rejectAmendment", reject_amendment).await;
    let done = final_with_event(&stack, &done, "AmendmentRejected").await;
    assert_eq!(done["arguments"]["amendmentSequence"], 2, "the open amendment is resolved when not named");

    let reduce = with(input("step-reduce", "LG-API-1"), json!({ "amount": "10000000" }));
    final_with_event(&stack, &act(&stack, "reduceGuarantee", reduce).await, "GuaranteeReduced").await;

    let demand = reference_hash("demand 1").to_string();
    let claim = with(input("step-claim", "LG-API-1"), json!({ "amount": "5000000", "demandHash": demand }));
    let done = final_with_event(&stack, &act(&stack, "claimGuarantee", claim).await, "ClaimMade").await;
    assert_eq!(done["kind"], "CLAIM");
    bank.pay(g1, Some(1), Satang(5_000_000), reference_hash("GFMIS-API-1")).await.unwrap();

    let later = today.checked_add_days(Days::new(400)).unwrap().to_string();
    let demand = reference_hash("demand 2").to_string();
    let extend_or_pay = with(
        input("step-claim-eop", "LG-API-1"),
        json!({ "amount": "5000000", "demandHash": demand, "extendTo": later }),
    );
    let done = final_with_event(&stack, &act(&stack, "claimGuarantee", extend_or_pay).await, "ClaimMade").await;
    assert_eq!(done["kind"], "CLAIM_EXTEND_OR_PAY");
    let withdraw = with(input("step-withdraw", "LG-API-1"), json!({ "claimSequence": 2 }));
    final_with_event(&stack, &act(&stack, "withdrawClaim", withdraw).await, "ClaimWithdrawn").await;

    let replacement = act(&stack, "acceptGuarantee", input("step-accept-3", "LG-API-3")).await;
    final_with_event(&stack, &replacement, "GuaranteeAccepted").await;
    let supersede = with(
        input("step-supersede", "LG-API-1"),
        json!({ "replacement": { "id": egp_testkit::guarantee_id(2, "LG-API-3").to_string() } }),
    );
    final_with_event(&stack, &act(&stack, "supersedeGuarantee", supersede).await, "GuaranteeSuperseded").await;

    final_with_event(
        &stack,
        &act(&stack, "acceptGuarantee", input("step-accept-4", "LG-API-4")).await,
        "GuaranteeAccepted",
    )
    .await;
    let release = with(input("step-release", "LG-API-4"), json!({ "obligationsEnded": today.to_string() }));
    final_with_event(&stack, &act(&stack, "releaseGuarantee", release).await, "GuaranteeReleased").await;

    // Twelve actions, twelve transactions from the gateway: nothing more was ever sent.
    assert_eq!(gateway_nonce(&stack).await, 12);
    let status = stack
        .graphql(
            r#"{ guarantee(bankCode: "002", bankRef: "LG-API-1") { status replacedBy { bankRef } } }"#,
            Value::Null,
        )
        .await;
    assert_eq!(status["data"]["guarantee"]["status"], "SUPERSEDED", "{status:#}");
    assert_eq!(status["data"]["guarantee"]["replacedBy"]["bankRef"], "LG-API-3");
}

#[tokio::test]
async fn a_refusal_is_failed_at_once_and_a_node_that_is_down_is_clear_or_retried_never_internal() {
    let mut stack = Stack::start(StackOptions { gateway: true, api_front: true, ..StackOptions::default() }).await;
    let today = today(&stack).await;
    let bank = stack.bank(2).await;
    for bank_ref in ["LG-NO-1", "LG-NO-2"] {
        bank.issue_guarantee(&terms(bank_ref, COMPANY, today), &pepper()).await.unwrap();
    }
    let first = act(&stack, "acceptGuarantee", input("no-accept-1", "LG-NO-1")).await;
    assert_eq!(settled(&stack, first["id"].as_str().unwrap()).await["status"], "FINAL");
    let sent = gateway_nonce(&stack).await;

    // The contract would refuse: FAILED at once with its reason, and nothing is sent.
    let again = act(&stack, "acceptGuarantee", input("no-accept-again", "LG-NO-1")).await;
    assert_eq!(again["status"], "FAILED", "{again:#}");
    assert_eq!(again["error"]["code"], "GUARANTEE_NOT_IN_STATE");
    let g1 = egp_testkit::guarantee_id(2, "LG-NO-1");
    assert_eq!(again["error"]["message"], format!("guarantee {g1} is Active; accept needs PendingAcceptance"));
    let wrong_agency = with(input("no-agency", "LG-NO-2"), json!({ "agencyCode": "03005" }));
    let refused = act(&stack, "acceptGuarantee", wrong_agency).await;
    assert_eq!(refused["error"]["code"], "NOT_BENEFICIARY", "{refused:#}");
    assert!(refused["error"]["message"].as_str().unwrap().contains("not agency 03005"), "{refused:#}");
    let no_amendment = with(input("no-amendment", "LG-NO-1"), json!({ "sequence": 1 }));
    assert_eq!(act(&stack, "acceptAmendment", no_amendment).await["error"]["code"], "NO_PENDING_AMENDMENT");
    // Amendment 1 is pending, the request answers amendment 2: the registry refuses it in the
    // simulation, so nothing is sent.
    let expiry = today.checked_add_days(Days::new(365)).unwrap();
    let amendment =
        Amendment { new_amount: Satang(130_000_000), new_expiry: Some(expiry), terms_hash: reference_hash("a1") };
    bank.propose_amendment(g1, &amendment).await.unwrap();
    let stale = act(&stack, "acceptAmendment", with(input("no-stale", "LG-NO-1"), json!({ "sequence": 2 }))).await;
    assert_eq!(stale["status"], "FAILED", "{stale:#}");
    assert_eq!(stale["error"]["code"], "STALE_SEQUENCE");
    assert_eq!(
        stale["error"]["message"],
        format!(
            "guarantee {g1}: the answer is to amendment 2, but amendment 1 is the one pending; read the guarantee \
             again"
        )
    );
    // A retry of a failed action is that failed action, not a new attempt.
    let retried = act(&stack, "acceptGuarantee", input("no-accept-again", "LG-NO-1")).await;
    assert_eq!(retried["id"], again["id"]);
    assert_eq!(retried["status"], "FAILED");
    assert_eq!(gateway_nonce(&stack).await, sent, "no refused action was sent");

    // Refused requests: clear codes, nothing stored, no personal data echoed.
    let tax_id = with(input("no-tax-id", "LG-NO-2"), json!({ "reasonCode": COMPANY }));
    let response = send(&stack, "rejectGuarantee", tax_id).await;
    assert_eq!(codes(&response), ["PERSONAL_DATA_REFUSED"], "{response:#}");
    assert!(!response.to_string().contains(COMPANY));
    let key_with_id = send(&stack, "acceptGuarantee", input(&format!("key-{COMPANY}"), "LG-NO-2")).await;
    assert_eq!(codes(&key_with_id), ["PERSONAL_DATA_REFUSED"]);
    assert!(!key_with_id.to_string().contains(COMPANY));
    let conflict = send(&stack, "acceptGuarantee", input("no-accept-1", "LG-NO-2")).await;
    assert_eq!(codes(&conflict), ["IDEMPOTENCY_CONFLICT"], "{conflict:#}");
    let bad = send(&stack, "reduceGuarantee", with(input("no-bad", "LG-NO-1"), json!({ "amount": "1,000" }))).await;
    assert_eq!(codes(&bad), ["BAD_USER_INPUT"]);

    // The node is down: the mutation cannot be simulated, so it is refused and nothing is stored.
    stack.api_front.as_mut().unwrap().refuse().await;
    let down = send(&stack, "acceptGuarantee", input("down-accept-2", "LG-NO-2")).await;
    assert_eq!(codes(&down), ["NODE_UNAVAILABLE"], "{down:#}");
    stack.api_front.as_mut().unwrap().resume().await;

    // The node stops taking transactions after the action is queued: it is retried, then sent once.
    stack.api_front.as_ref().unwrap().refuse_sends(true);
    let queued = act(&stack, "acceptGuarantee", input("down-accept-2", "LG-NO-2")).await;
    assert_eq!(queued["status"], "PENDING", "the retry of a refused request is a new action: {queued:#}");
    let id = queued["id"].as_str().unwrap().to_owned();
    let deadline = Instant::now() + Duration::from_secs(30);
    let retrying = loop {
        let now = action(&stack, &id).await;
        if now["retrying"].is_string() {
            break now;
        }
        assert!(Instant::now() < deadline, "never retried: {now:#}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(retrying["status"], "SUBMITTED", "signed and recorded, not yet taken: {retrying:#}");
    assert_eq!(retrying["retrying"], "the chain node is unreachable; retrying");
    stack.api_front.as_mut().unwrap().refuse().await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(action(&stack, &id).await["status"], "SUBMITTED");
    stack.api_front.as_mut().unwrap().resume().await;
    stack.api_front.as_ref().unwrap().refuse_sends(false);
    let done = settled(&stack, &id).await;
    assert_eq!(done["status"], "FINAL", "{done:#}");
    assert!(done["retrying"].is_null());
    let accepted = accepted_on_chain(&stack).await;
    let g2 = egp_testkit::guarantee_id(2, "LG-NO-2");
    assert_eq!(accepted.iter().filter(|(id, _)| *id == g2).count(), 1, "accepted exactly once");
    assert_eq!(gateway_nonce(&stack).await, sent + 1, "one transaction for the retried action");
}

#[tokio::test]
async fn a_stuck_transaction_is_replaced_with_higher_fees_and_mined_once() {
    let stack = Stack::start(StackOptions {
        gateway: true,
        api_args: vec!["--tx-replace-after-secs".into(), "2".into()],
        ..StackOptions::default()
    })
    .await;
    let today = today(&stack).await;
    stack.bank(2).await.issue_guarantee(&terms("LG-STUCK", COMPANY, today), &pepper()).await.unwrap();
    let provider = stack.admin().await.provider().clone();
    let _: Value = provider.raw_request("evm_setAutomine".into(), (false,)).await.unwrap();

    let pending = act(&stack, "acceptGuarantee", input("stuck-1", "LG-STUCK")).await;
    let id = pending["id"].as_str().unwrap().to_owned();
    let deadline = Instant::now() + Duration::from_secs(60);
    let replaced = loop {
        let now = action(&stack, &id).await;
        if now["attempts"].as_i64().unwrap() >= 2 {
            break now;
        }
        assert!(Instant::now() < deadline, "never replaced: {now:#}\n{}", stack.logs_tail());
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(replaced["status"], "SUBMITTED");
    let pooled: Value = provider.raw_request("txpool_content".into(), ()).await.unwrap();
    let nonce_entries = pooled["pending"].as_object().map_or(0, |by_sender| {
        by_sender.values().map(|by_nonce| by_nonce.as_object().map_or(0, |n| n.len())).sum::<usize>()
    });
    assert_eq!(nonce_entries, 1, "the replacement took the original's place: {pooled:#}");

    let _: Value = provider.raw_request("evm_setAutomine".into(), (true,)).await.unwrap();
    let _: Value = provider.raw_request("evm_mine".into(), ()).await.unwrap();
    let done = settled(&stack, &id).await;
    assert_eq!(done["status"], "FINAL", "{done:#}");
    assert_eq!(gateway_nonce(&stack).await, 1, "one transaction mined for the action");
    let accepted = accepted_on_chain(&stack).await;
    assert_eq!(accepted.len(), 1);
    assert_eq!(accepted[0].1.to_string(), done["transactionHash"].as_str().unwrap());
    let mined = provider.get_transaction_by_hash(accepted[0].1).await.unwrap().unwrap();
    assert_eq!(done["nonce"], 0);
    assert_eq!(alloy::consensus::Transaction::nonce(&mined), 0);
    assert_eq!(accepted[0].0, egp_testkit::guarantee_id(2, "LG-STUCK"));
}

#[tokio::test]
async fn action_updates_follows_an_accept_to_final_and_completes() {
    let mut stack = Stack::start(StackOptions { gateway: true, ..StackOptions::default() }).await;
    let today = today(&stack).await;
    stack.bank(2).await.issue_guarantee(&terms("LG-FOLLOW", COMPANY, today), &pepper()).await.unwrap();
    // No blocks until the subscription is listening: it sees the action sent, then mined.
    let provider = stack.admin().await.provider().clone();
    let _: Value = provider.raw_request("evm_setAutomine".into(), (false,)).await.unwrap();
    // And no sending until it is listening either: another session holds the sender's lock.
    stack.kill_api();
    let lock = super::exactly_once::SenderLock::take(&stack);
    stack.start_api().await;
    let pending = act(&stack, "acceptGuarantee", input("follow-1", "LG-FOLLOW")).await;
    let id = pending["id"].as_str().unwrap().to_owned();
    let mut socket = crate::subscriptions::subscribe(
        &stack,
        "subscription($ids: [ID!]!) { actionUpdates(ids: $ids) { id status transactionHash blockNumber event { name } } }",
        json!({ "ids": [id] }),
    )
    .await;
    let first = crate::subscriptions::next_json(&mut socket).await;
    assert_eq!(first["payload"]["data"]["actionUpdates"]["status"], "PENDING", "{first}");
    drop(lock);
    let deadline = Instant::now() + Duration::from_secs(30);
    while action(&stack, &id).await["status"] != "SUBMITTED" {
        assert!(Instant::now() < deadline, "never sent");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _: Value = provider.raw_request("evm_setAutomine".into(), (true,)).await.unwrap();
    let _: Value = provider.raw_request("evm_mine".into(), ()).await.unwrap();

    let order = ["PENDING", "SUBMITTED", "INCLUDED", "FINAL"];
    let mut seen: Vec<Value> = vec![first["payload"]["data"]["actionUpdates"].clone()];
    loop {
        let message = crate::subscriptions::next_json(&mut socket).await;
        if message["type"] == "complete" {
            break;
        }
        assert_eq!(message["type"], "next", "{message}");
        seen.push(message["payload"]["data"]["actionUpdates"].clone());
    }
    let statuses: Vec<&str> = seen.iter().map(|a| a["status"].as_str().unwrap()).collect();
    let ranks: Vec<usize> = statuses.iter().map(|s| order.iter().position(|o| o == s).unwrap()).collect();
    // Every change is sent (a receipt seen is one, with the status unchanged); none goes back.
    assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "updates never go back: {statuses:?}");
    assert_eq!(statuses[0], "PENDING", "the first update is the action as it stood: {statuses:?}");
    assert!(statuses.contains(&"SUBMITTED"), "{statuses:?}");
    let last = seen.last().unwrap();
    assert_eq!(last["status"], "FINAL", "the stream completes once the action is final");
    assert_eq!(last["event"]["name"], "GuaranteeAccepted");
    assert!(last["blockNumber"].is_u64());
}
