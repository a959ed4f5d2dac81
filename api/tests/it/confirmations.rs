//! Credit confirmations, `verifyCreditConfirmation` for each rule, `supplier(taxId)` and
//! `indexerStatus`.

use chrono::Days;
use egp::bank::ConfirmationPurpose;
use egp_contracts::{Satang, ThaiId};
use serde_json::{Value, json};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::common::*;

const VERIFY: &str = r#"query($taxId: String!, $project: String!, $budget: String!, $bid: String!) {
  verifyCreditConfirmation(taxId: $taxId, projectNumber: $project, budget: $budget, bidDate: $bid) {
    valid bidDate reasons { code message }
    confirmations { confirmationId bankCode valid reasons { code } provenance { blockNumber transactionHash } }
  }
}"#;

fn reasons(response: &Value) -> Vec<String> {
    let mut codes: Vec<String> = response["data"]["verifyCreditConfirmation"]["reasons"]
        .as_array()
        .unwrap_or_else(|| panic!("{response:#}"))
        .iter()
        .map(|r| r["code"].as_str().unwrap().to_owned())
        .collect();
    codes.sort();
    codes
}

/// A valid 13-digit id nobody in the test holds.
fn stranger() -> String {
    let first: [u8; 12] = [3, 1, 0, 0, 6, 0, 0, 0, 9, 9, 9, 9];
    let check = ThaiId::check_digit(&first);
    first.iter().chain([check].iter()).map(|d| char::from(b'0' + d)).collect()
}

#[sqlx::test(migrator = "egp_store::MIGRATOR")]
async fn confirmations_verification_supplier_and_status(pool_options: PgPoolOptions, options: PgConnectOptions) {
    let world = World::start().await;
    let today = world.today().await;
    let bbl = world.bank(BBL).await;
    let kbank = world.bank(KBANK).await;
    // The company: exactly a quarter of the budget, issued today.
    let good = bbl.issue_confirmation(&confirmation("CC-1", COMPANY, today), &pepper()).await.unwrap().subject_id();
    // The person: a confirmation below a quarter, and a registration confirmation since revoked.
    let mut small = confirmation("CC-2", PERSON, today);
    small.credit_line = Satang(100_000_000);
    kbank.issue_confirmation(&small, &pepper()).await.unwrap();
    let mut registration = confirmation("CC-3", PERSON, today);
    registration.purpose = ConfirmationPurpose::Registration;
    let revoked = bbl.issue_confirmation(&registration, &pepper()).await.unwrap().subject_id();
    bbl.revoke_confirmation(revoked, &code("CREDIT-WITHDRAWN")).await.unwrap();
    // The company's guarantee, for its exposure.
    world.issue_accepted(BBL, &terms("LG-S", today)).await;

    let url = database_url(&options);
    world.index(&url).await;
    let pool = pool_options.connect_with(options).await.unwrap();
    let schema = schema(pool.clone(), &world.url);
    let verify = |tax_id: &str, project: &str, bid: chrono::NaiveDate| {
        let schema = schema.clone();
        let variables = json!({ "taxId": tax_id, "project": project, "budget": "2000000000", "bid": bid.to_string() });
        async move { run(&schema, egp(), VERIFY, variables).await }
    };

    let ok = verify(COMPANY, PROJECT, today).await;
    let answer = &ok["data"]["verifyCreditConfirmation"];
    assert_eq!(answer["valid"], true, "{ok:#}");
    assert_eq!(answer["confirmations"][0]["confirmationId"], hex(good));
    assert_eq!(answer["confirmations"][0]["bankCode"], "002");
    assert!(answer["confirmations"][0]["provenance"]["blockNumber"].as_i64().unwrap() > 0);
    assert!(ok["extensions"]["consistency"]["indexedBlockNumber"].as_i64().is_some());

    let too_late = verify(COMPANY, PROJECT, today + Days::new(100)).await;
    assert_eq!(reasons(&too_late), ["EXPIRED", "ISSUED_TOO_EARLY"]);
    assert_eq!(reasons(&verify(COMPANY, "69029460099", today).await), ["WRONG_PROJECT"]);
    assert_eq!(reasons(&verify(COMPANY, PROJECT, today - Days::new(1)).await), ["ISSUED_AFTER_BID_DATE"]);
    assert_eq!(reasons(&verify(PERSON, PROJECT, today).await), ["BELOW_QUARTER_OF_BUDGET", "REVOKED"]);
    assert_eq!(reasons(&verify(&stranger(), PROJECT, today).await), ["NO_CONFIRMATION"]);
    let invalid = verify("1112034563563", PROJECT, today).await;
    assert_eq!(codes(&invalid), ["INVALID_TAX_ID"]);
    assert!(!invalid.to_string().contains("1112034563563"));

    // Lookups and the list with every filter.
    let one = data(
        &schema,
        r#"{ creditConfirmation(bankCode: "002", bankRef: "CC-1") { id status purpose projectNumber creditLine { thb }
            projectBudget { satang } validUntil history { name } provenance { final } } }"#,
        empty(),
    )
    .await;
    let c = &one["creditConfirmation"];
    assert_eq!(c["id"], hex(good));
    assert_eq!(c["status"], "VALID");
    assert_eq!(c["creditLine"]["thb"], "5,000,000.00 THB");
    assert_eq!(c["history"][0]["name"], "CreditConfirmationIssued");
    let list = r#"query($filter: ConfirmationFilterInput) { creditConfirmations(filter: $filter, first: 10) {
        totalCount edges { node { bankRef } } } }"#;
    let cases = [
        (json!({}), 3),
        (json!({ "supplierTaxId": PERSON }), 2),
        (json!({ "bankCode": "004" }), 1),
        (json!({ "purpose": "REGISTRATION" }), 1),
        (json!({ "projectNumber": PROJECT }), 2),
        (json!({ "statuses": ["REVOKED"] }), 1),
        (json!({ "validOn": today.to_string() }), 2),
        (json!({ "validOn": (today + Days::new(200)).to_string() }), 0),
    ];
    for (filter, expected) in cases {
        let page = data(&schema, list, json!({ "filter": filter })).await;
        assert_eq!(page["creditConfirmations"]["totalCount"], expected, "{filter}");
    }

    // The supplier's position.
    let supplier = data(
        &schema,
        r#"query($id: String!) { supplier(taxId: $id) { commitment activeExposure { satang }
            guaranteesByStatus { status count } validConfirmations { bankRef } } }"#,
        json!({ "id": COMPANY }),
    )
    .await;
    let s = &supplier["supplier"];
    assert_eq!(s["activeExposure"]["satang"], "125000000");
    assert_eq!(s["guaranteesByStatus"], json!([{ "status": "ACTIVE", "count": 1 }]));
    assert_eq!(s["validConfirmations"], json!([{ "bankRef": "CC-1" }]));
    assert!(!supplier.to_string().contains(COMPANY));

    // Where the mirror stands.
    let status = data(
        &schema,
        "{ indexerStatus { chainHead indexedBlockNumber indexedBlockHash lag lastReorg { fromBlock } } }",
        empty(),
    )
    .await;
    let s = &status["indexerStatus"];
    assert_eq!(s["chainHead"], s["indexedBlockNumber"]);
    assert_eq!(s["lag"], 0);
    assert!(s["indexedBlockHash"].as_str().unwrap().starts_with("0x"));
}
