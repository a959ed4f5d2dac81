//! A bank's transactions as e-GP sees them through GraphQL, with provenance that matches the
//! bank's own receipts.

use alloy::providers::Provider;
use egp::bank::{Amendment, reference_hash};
use egp_contracts::Satang;
use egp_testkit::{Stack, StackOptions, pepper};
use serde_json::{Value, json};

use crate::{COMPANY, PERSON, code, confirmation, terms, today};

const RECORD: &str = "query($bank: String!, $ref: String!) { guarantee(bankCode: $bank, bankRef: $ref) {
    id status amount { satang } outstanding { satang } totalPaid { satang } expiryDate
    amendments { sequence status } claims { sequence status extendOrPay paidAmount { satang } }
    releases { sequence kind } history { name provenance { blockNumber transactionHash logIndex } }
    provenance { chainId blockNumber blockHash transactionHash logIndex final } } }";

async fn record(stack: &Stack, bank_ref: &str) -> Value {
    let response = stack.graphql(RECORD, json!({ "bank": "002", "ref": bank_ref })).await;
    assert!(response["errors"].is_null(), "{response}");
    response["data"]["guarantee"].clone()
}

#[tokio::test]
async fn a_bank_issues_and_egp_finds_it_by_tax_id_and_verifies_it_with_the_receipts_provenance() {
    let stack = Stack::start(StackOptions::default()).await;
    let today = today(&stack).await;
    let bank = stack.bank(2).await;
    let outcome = bank.issue_guarantee(&terms("LG-E2E-1", COMPANY, today), &pepper()).await.unwrap();
    let accepted = stack.gateway().await.accept(outcome.subject_id(), &code("21009")).await.unwrap();
    stack.wait_indexed(accepted.sent.block.unwrap()).await;

    let found = stack
        .graphql(
            "query($tax: String!) { guarantees(filter: { supplierTaxId: $tax }, first: 10) { totalCount nodes { id status } } }",
            json!({ "tax": COMPANY }),
        )
        .await;
    assert_eq!(found["data"]["guarantees"]["totalCount"], 1, "{found}");
    assert_eq!(found["data"]["guarantees"]["nodes"][0]["id"], outcome.subject_id().to_string());
    let other = stack
        .graphql(
            "query($tax: String!) { guarantees(filter: { supplierTaxId: $tax }) { totalCount } }",
            json!({ "tax": PERSON }),
        )
        .await;
    assert_eq!(other["data"]["guarantees"]["totalCount"], 0);

    let verified = stack
        .graphql(
            "{ verifyGuarantee(bankCode: \"002\", bankRef: \"LG-E2E-1\", agencyCode: \"21009\", projectNumber: \"69029460012\",
                type: PERF, minimumOutstanding: \"125000000\", fresh: true) {
                valid reasons { code } fresh { agrees }
                provenance { chainId blockNumber blockHash transactionHash logIndex final } } }",
            Value::Null,
        )
        .await;
    let verification = &verified["data"]["verifyGuarantee"];
    assert_eq!(verification["valid"], true, "{verified}");
    assert_eq!(verification["fresh"]["agrees"], true);
    // The last fact about it is the acceptance: its provenance is that transaction's receipt.
    let receipt =
        bank.provider().get_transaction_receipt(accepted.sent.transaction.unwrap()).await.unwrap().expect("a receipt");
    let provenance = &verification["provenance"];
    assert_eq!(provenance["chainId"], 25600);
    assert_eq!(provenance["blockNumber"], receipt.block_number.unwrap());
    assert_eq!(provenance["blockHash"], receipt.block_hash.unwrap().to_string());
    assert_eq!(provenance["transactionHash"], receipt.transaction_hash.to_string());
    assert_eq!(provenance["logIndex"], receipt.inner.logs()[0].log_index.unwrap());
    assert_eq!(provenance["final"], true);
}

#[tokio::test]
async fn a_full_lifecycle_is_seen_step_by_step_with_its_history() {
    let stack = Stack::start(StackOptions::default()).await;
    let today = today(&stack).await;
    let (bank, gateway, agency) = (stack.bank(2).await, stack.gateway().await, code("21009"));
    let id = bank.issue_guarantee(&terms("LG-E2E-LIFE", COMPANY, today), &pepper()).await.unwrap().subject_id();
    let expiry = today.checked_add_days(chrono::Days::new(365)).unwrap();
    let later = today.checked_add_days(chrono::Days::new(730)).unwrap();
    // Each step, then what e-GP sees right after it: the new status, from that transaction.
    let mut steps: Vec<egp::Outcome> = Vec::new();
    let mut seen = Vec::new();
    let amendment = Amendment {
        new_amount: Satang(150_000_000),
        new_expiry: Some(expiry),
        terms_hash: reference_hash("amendment 1"),
    };
    for step in 0..8 {
        let (expected, outcome) = match step {
            0 => ("ACTIVE", gateway.accept(id, &agency).await),
            1 => ("ACTIVE", bank.propose_amendment(id, &amendment).await),
            2 => ("ACTIVE", gateway.accept_amendment(id, &agency, None).await),
            3 => (
                "EXTEND_OR_PAY",
                gateway.claim_extend_or_pay(id, &agency, Satang(50_000_000), later, reference_hash("demand 1")).await,
            ),
            4 => ("ACTIVE", bank.extend(id, None, later).await),
            5 => ("CLAIMED", gateway.claim(id, &agency, Satang(40_000_000), reference_hash("demand 2")).await),
            6 => ("ACTIVE", bank.pay(id, None, Satang(30_000_000), reference_hash("GFMIS-E2E-1")).await),
            _ => ("RELEASED", gateway.release(id, &agency, today).await),
        };
        let outcome = outcome.unwrap();
        stack.wait_indexed(outcome.sent.block.unwrap()).await;
        let now = record(&stack, "LG-E2E-LIFE").await;
        assert_eq!(now["status"], expected, "after {}: {now}", outcome.action);
        let transaction = outcome.sent.transaction.unwrap().to_string();
        assert_eq!(now["provenance"]["transactionHash"], transaction, "after {}", outcome.action);
        assert_eq!(now["history"].as_array().unwrap().len(), step + 2, "one history entry per step");
        seen.push(now);
        steps.push(outcome);
    }
    let last = seen.last().unwrap();
    assert_eq!(last["amount"]["satang"], "150000000");
    assert_eq!(last["outstanding"]["satang"], "0");
    assert_eq!(last["totalPaid"]["satang"], "30000000");
    assert_eq!(last["amendments"], json!([{ "sequence": 1, "status": "ACCEPTED" }]));
    assert_eq!(last["claims"][0]["status"], "EXTENDED");
    assert_eq!(last["claims"][1]["status"], "PAID");
    assert_eq!(last["claims"][1]["paidAmount"]["satang"], "30000000");
    assert_eq!(last["releases"][0]["kind"], "RELEASE");
    let history: Vec<&str> = last["history"].as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap()).collect();
    assert_eq!(
        history,
        [
            "GuaranteeIssued",
            "GuaranteeAccepted",
            "AmendmentProposed",
            "AmendmentAccepted",
            "ClaimMade",
            "GuaranteeExtended",
            "ClaimMade",
            "ClaimPaid",
            "GuaranteeReleased"
        ]
    );
    // Every history entry points at the transaction that made it.
    let transactions: Vec<String> = std::iter::once(last["history"][0]["provenance"]["transactionHash"].clone())
        .chain(steps.iter().map(|outcome| json!(outcome.sent.transaction.unwrap().to_string())))
        .map(|hash| hash.as_str().unwrap().to_owned())
        .collect();
    let recorded: Vec<&str> = last["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["provenance"]["transactionHash"].as_str().unwrap())
        .collect();
    assert_eq!(recorded, transactions);
}

#[tokio::test]
async fn a_credit_confirmation_is_valid_for_a_bid_too_small_or_too_old() {
    let stack = Stack::start(StackOptions::default()).await;
    let today = today(&stack).await;
    let bank = stack.bank(4).await;
    // 6,000,000.00 THB for COMPANY (a quarter of 20,000,000.00 is 5,000,000.00); 4,000,000.00 for PERSON.
    bank.issue_confirmation(&confirmation("CC-E2E-1", COMPANY, Satang(600_000_000), today), &pepper()).await.unwrap();
    let last = bank
        .issue_confirmation(&confirmation("CC-E2E-2", PERSON, Satang(400_000_000), today), &pepper())
        .await
        .unwrap();
    stack.wait_indexed(last.sent.block.unwrap()).await;

    let check = |tax: &'static str, bid: chrono::NaiveDate| {
        let stack = &stack;
        async move {
            let response = stack
                .graphql(
                    "query($tax: String!, $bid: String!) { verifyCreditConfirmation(taxId: $tax,
                        projectNumber: \"69029460012\", budget: \"2000000000\", bidDate: $bid) { valid reasons { code } } }",
                    json!({ "tax": tax, "bid": bid.to_string() }),
                )
                .await;
            assert!(response["errors"].is_null(), "{response}");
            response["data"]["verifyCreditConfirmation"].clone()
        }
    };
    let bid = today.checked_add_days(chrono::Days::new(30)).unwrap();
    let valid = check(COMPANY, bid).await;
    assert_eq!(valid["valid"], true, "{valid}");
    let small = check(PERSON, bid).await;
    assert_eq!(small["valid"], false);
    assert!(small["reasons"].to_string().contains("BELOW_QUARTER_OF_BUDGET"), "{small}");
    let old = check(COMPANY, today.checked_add_days(chrono::Days::new(120)).unwrap()).await;
    assert_eq!(old["valid"], false);
    assert!(old["reasons"].to_string().contains("ISSUED_TOO_EARLY"), "{old}");
}
