//! `guarantee(...)` and `guarantees(...)`: the whole record with provenance, every filter,
//! pagination both ways with stable cursors, `totalCount`, and the consistency marker.

use alloy::providers::Provider;
use async_graphql::connection::{CursorType, OpaqueCursor};
use chrono::Days;
use egp::bank::{Amendment, reference_hash};
use egp_contracts::{GuaranteeType, Satang};
use serde_json::json;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::common::*;

const RECORD: &str = r#"query($id: String) { guarantee(id: $id) {
    id bankCode bank { name } bankRef branchCode type currency
    amount { satang thb } outstanding { satang thb } totalPaid { satang }
    issueDate effectiveDate expiryType expiryDate agencyCode agency { name } projectNumber contractNumber
    applicantCommitment applicantType documentHash status amendmentPending openClaimAmount { satang }
    replacesId replacedById issuedBlockNumber issuedTransactionHash
    amendmentPending amendments { sequence status lapseCause newAmount { satang } amountAfter { satang } provenance { blockNumber } }
    claims { sequence status amount { satang } paidAmount { satang } paymentReference }
    releases { sequence }
    history { name contract args provenance { blockNumber logIndex transactionHash } }
    provenance { chainId contract blockNumber blockHash blockTime transactionHash transactionIndex logIndex final }
} }"#;

const PAGE: &str = r#"query($filter: GuaranteeFilterInput, $order: GuaranteeOrder, $first: Int, $after: String, $last: Int, $before: String) {
  guarantees(filter: $filter, orderBy: $order, first: $first, after: $after, last: $last, before: $before) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { bankRef amount { satang } } }
  }
}"#;

fn refs(data: &serde_json::Value) -> Vec<String> {
    data["guarantees"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["bankRef"].as_str().unwrap().to_owned())
        .collect()
}

#[sqlx::test(migrator = "egp_store::MIGRATOR")]
async fn lookups_filters_pagination_and_provenance(pool_options: PgPoolOptions, options: PgConnectOptions) {
    let world = World::start().await;
    let today = world.today().await;
    let gateway = world.gateway().await;
    let agency = code(HIGHWAYS);

    // LG-A: accepted, amended to 1,500,000, amended again (pending), claimed and paid 300,000: the
    // payment makes amendment 2 lapse.
    let a = world.issue_accepted(BBL, &terms("LG-A", today)).await;
    let bbl = world.bank(BBL).await;
    let amendment = Amendment {
        new_amount: Satang(150_000_000),
        new_expiry: Some(today + Days::new(800)),
        terms_hash: reference_hash("amendment 1"),
    };
    bbl.propose_amendment(a, &amendment).await.unwrap();
    gateway.accept_amendment(a, &agency, None).await.unwrap();
    let second = Amendment { new_amount: Satang(200_000_000), ..amendment };
    bbl.propose_amendment(a, &second).await.unwrap();
    gateway.claim(a, &agency, Satang(30_000_000), reference_hash("demand")).await.unwrap();
    let paid = bbl.pay(a, None, Satang(30_000_000), reference_hash("GFMIS-1")).await.unwrap();
    // LG-B: pending, another applicant, 500,000.
    let mut b = terms("LG-B", today);
    b.applicant = PERSON.parse().unwrap();
    b.applicant_type = None;
    b.amount = Satang(50_000_000);
    world.issue(BBL, &b).await;
    // LG-C: Kasikornbank bid security for the Royal Irrigation Department, expiring in 30 days.
    let mut c = terms("LG-C", today);
    c.guarantee_type = GuaranteeType::TEND;
    c.agency = code(IRRIGATION);
    c.amount = Satang(25_000_000);
    c.expiry = egp::bank::Expiry::Fixed(today + Days::new(30));
    world.issue_accepted(KBANK, &c).await;
    // LG-D: advance payment of 2,000,000.
    let mut d = terms("LG-D", today);
    d.guarantee_type = GuaranteeType::APAY;
    d.amount = Satang(200_000_000);
    world.issue_accepted(BBL, &d).await;

    let url = database_url(&options);
    world.index(&url).await;
    let pool = pool_options.connect_with(options).await.unwrap();
    let schema = schema(pool.clone(), &world.url);

    // The whole record, with provenance pointing at the last transaction (the payment).
    let response = run(&schema, egp(), RECORD, json!({ "id": hex(a) })).await;
    let g = &response["data"]["guarantee"];
    assert_eq!(g["id"], hex(a));
    assert_eq!(g["bankCode"], "002");
    assert_eq!(g["bank"]["name"], "Bangkok Bank");
    assert_eq!(g["type"], "PERF");
    assert_eq!(g["amount"], json!({ "satang": "150000000", "thb": "1,500,000.00 THB" }));
    assert_eq!(g["outstanding"]["satang"], "120000000");
    assert_eq!(g["totalPaid"]["satang"], "30000000");
    assert_eq!(g["status"], "ACTIVE");
    assert_eq!(g["expiryType"], "FIXD");
    let expiry = (today + Days::new(800)).format("%Y-%m-%dT23:59:59+07:00").to_string();
    assert_eq!(g["expiryDate"], expiry);
    assert_eq!(g["issueDate"], today.format("%Y-%m-%dT00:00:00+07:00").to_string());
    assert_eq!(g["agencyCode"], HIGHWAYS);
    assert_eq!(g["projectNumber"], PROJECT);
    let commitment = COMPANY.parse::<egp_contracts::ThaiId>().unwrap().commit(&pepper());
    assert_eq!(g["applicantCommitment"], commitment.to_string());
    assert_eq!(g["amendments"][0]["status"], "ACCEPTED");
    assert_eq!(g["amendments"][0]["amountAfter"]["satang"], "150000000");
    assert_eq!(g["amendments"][0]["lapseCause"], json!(null));
    assert_eq!(g["amendments"][1]["status"], "LAPSED");
    assert_eq!(g["amendments"][1]["lapseCause"], "PAY");
    assert_eq!(g["amendmentPending"], false, "the payment overtook amendment 2");
    assert_eq!(g["claims"][0]["status"], "PAID");
    assert_eq!(g["claims"][0]["paidAmount"]["satang"], "30000000");
    let names: Vec<&str> = g["history"].as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap()).collect();
    assert_eq!(names.first(), Some(&"GuaranteeIssued"), "{names:?}");
    assert_eq!(names.len(), 8, "{names:?}");
    assert_eq!(names.last(), Some(&"AmendmentLapsed"), "{names:?}");
    let p = &g["provenance"];
    assert_eq!(p["blockNumber"], paid.sent.block.unwrap());
    assert_eq!(p["transactionHash"], paid.sent.transaction.unwrap().to_string());
    assert_eq!(p["chainId"], world.consortium().chain_id);
    assert_eq!(p["final"], true);
    assert!(p["blockTime"].as_str().unwrap().ends_with("+07:00"));
    assert_eq!(g["history"].as_array().unwrap().last().unwrap()["provenance"]["transactionHash"], p["transactionHash"]);
    let registry = bbl.deployment().contracts.guarantee_registry.address;
    assert_eq!(p["contract"], registry.to_checksum(None));
    // The node agrees on the block hash; the marker names the indexed head.
    let block = bbl.provider().get_block_by_number(paid.sent.block.unwrap().into()).await.unwrap().unwrap();
    assert_eq!(p["blockHash"], block.header.hash.to_string());
    let head = bbl.provider().get_block_number().await.unwrap();
    let head_hash = bbl.provider().get_block_by_number(head.into()).await.unwrap().unwrap().header.hash;
    let marker = &response["extensions"]["consistency"];
    assert_eq!(marker["indexedBlockNumber"], head);
    assert_eq!(marker["indexedBlockHash"], head_hash.to_string());
    assert_eq!(marker["chainId"], world.consortium().chain_id);

    // By bank and reference; unknown and malformed ids.
    let by_ref = data(&schema, r#"{ guarantee(bankCode: "002", bankRef: "LG-A") { id } }"#, empty()).await;
    assert_eq!(by_ref["guarantee"]["id"], hex(a));
    let missing = run(&schema, egp(), RECORD, json!({ "id": format!("0x{}", "ab".repeat(32)) })).await;
    assert_eq!(codes(&missing), ["NOT_FOUND"]);
    let malformed = run(&schema, egp(), RECORD, json!({ "id": "0x12" })).await;
    assert_eq!(codes(&malformed), ["BAD_USER_INPUT"]);

    // Every filter.
    let expiring_to = (today + Days::new(60)).to_string();
    let cases = [
        (json!({ "bankCode": "002" }), vec!["LG-A", "LG-B", "LG-D"]),
        (json!({ "agencyCode": IRRIGATION }), vec!["LG-C"]),
        (json!({ "projectNumber": PROJECT }), vec!["LG-A", "LG-B", "LG-C", "LG-D"]),
        (json!({ "statuses": ["PENDING_ACCEPTANCE"] }), vec!["LG-B"]),
        (json!({ "statuses": ["ACTIVE", "PENDING_ACCEPTANCE"], "bankCode": "002" }), vec!["LG-A", "LG-B", "LG-D"]),
        (json!({ "types": ["TEND", "APAY"] }), vec!["LG-C", "LG-D"]),
        (json!({ "supplierTaxId": PERSON }), vec!["LG-B"]),
        (json!({ "supplierTaxId": COMPANY }), vec!["LG-A", "LG-C", "LG-D"]),
        (json!({ "amountMin": "100000000", "amountMax": "160000000" }), vec!["LG-A"]),
        (json!({ "expiringFrom": today.to_string(), "expiringTo": expiring_to }), vec!["LG-C"]),
        (
            json!({ "issuedFrom": today.to_string(), "issuedTo": today.to_string() }),
            vec!["LG-A", "LG-B", "LG-C", "LG-D"],
        ),
        (json!({ "issuedFrom": (today + Days::new(1)).to_string() }), vec![]),
    ];
    for (filter, expected) in cases {
        let page = data(&schema, PAGE, json!({ "filter": filter, "first": 10 })).await;
        assert_eq!(refs(&page), expected, "filter {filter}");
        assert_eq!(page["guarantees"]["totalCount"], expected.len(), "filter {filter}");
    }

    // A tax id with a wrong check digit: a clear code, and the id is not echoed.
    let bad = run(&schema, egp(), PAGE, json!({ "filter": { "supplierTaxId": "1112034563563" } })).await;
    assert_eq!(codes(&bad), ["INVALID_TAX_ID"]);
    assert!(!bad.to_string().contains("1112034563563"), "{bad}");

    // Pagination forward and backward by amount, with stable cursors and the total on each page.
    let order = json!({ "field": "AMOUNT", "direction": "ASC" });
    let first = data(&schema, PAGE, json!({ "order": order, "first": 2 })).await;
    assert_eq!(refs(&first), ["LG-C", "LG-B"]);
    assert_eq!(first["guarantees"]["totalCount"], 4);
    assert_eq!(first["guarantees"]["pageInfo"]["hasNextPage"], true);
    assert_eq!(first["guarantees"]["pageInfo"]["hasPreviousPage"], false);
    let cursor = first["guarantees"]["pageInfo"]["endCursor"].clone();
    let second = data(&schema, PAGE, json!({ "order": order, "first": 2, "after": cursor })).await;
    assert_eq!(refs(&second), ["LG-A", "LG-D"]);
    assert_eq!(second["guarantees"]["pageInfo"]["hasNextPage"], false);
    assert_eq!(second["guarantees"]["pageInfo"]["hasPreviousPage"], true);
    let again = data(&schema, PAGE, json!({ "order": order, "first": 2, "after": cursor })).await;
    assert_eq!(refs(&again), refs(&second), "a cursor names a position, not an offset");
    let last = data(&schema, PAGE, json!({ "order": order, "last": 3 })).await;
    assert_eq!(refs(&last), ["LG-B", "LG-A", "LG-D"]);
    assert_eq!(last["guarantees"]["pageInfo"]["hasPreviousPage"], true);
    let start = last["guarantees"]["pageInfo"]["startCursor"].clone();
    let before = data(&schema, PAGE, json!({ "order": order, "last": 3, "before": start })).await;
    assert_eq!(refs(&before), ["LG-C"]);
    assert_eq!(before["guarantees"]["pageInfo"]["hasPreviousPage"], false);
    let descending =
        data(&schema, PAGE, json!({ "order": { "field": "AMOUNT", "direction": "DESC" }, "first": 3 })).await;
    assert_eq!(refs(&descending), ["LG-D", "LG-A", "LG-B"]);
    let by_issue = data(&schema, PAGE, json!({ "first": 10 })).await;
    assert_eq!(refs(&by_issue), ["LG-A", "LG-B", "LG-C", "LG-D"]);

    // Page size above the limit: a clear error, not a silent cut.
    let huge = run(&schema, egp(), PAGE, json!({ "first": 10_000 })).await;
    assert_eq!(codes(&huge), ["PAGE_TOO_LARGE"]);
    assert!(huge["errors"][0]["message"].as_str().unwrap().contains("100"), "{huge}");
    let bad_cursor = run(&schema, egp(), PAGE, json!({ "first": 2, "after": "not-a-cursor" })).await;
    assert_eq!(codes(&bad_cursor), ["BAD_USER_INPUT"]);

    // A cursor is typed and carries its order: a forged sort key, or a cursor made under another
    // order, is BAD_USER_INPUT naming the problem (never INTERNAL, never a silent empty page).
    let message = |answer: &serde_json::Value| answer["errors"][0]["message"].as_str().unwrap_or_default().to_owned();
    let mut forged = OpaqueCursor::<serde_json::Value>::decode_cursor(cursor.as_str().unwrap()).unwrap();
    forged.0["k"] = json!("abc");
    let answer =
        run(&schema, egp(), PAGE, json!({ "order": order, "first": 2, "after": forged.encode_cursor() })).await;
    assert_eq!(codes(&answer), ["BAD_USER_INPUT"]);
    assert!(message(&answer).contains("not a cursor of this API"), "{answer}");
    for other in [json!({ "field": "ISSUED", "direction": "ASC" }), json!({ "field": "AMOUNT", "direction": "DESC" })] {
        let answer = run(&schema, egp(), PAGE, json!({ "order": other, "first": 2, "after": cursor })).await;
        assert_eq!(codes(&answer), ["BAD_USER_INPUT"], "order {other}");
        assert!(message(&answer).contains("made for the order \"guarantees:AMOUNT:ASC\""), "{answer}");
    }

    // Banks and agencies.
    let parties = data(&schema, "{ banks { code name status } agencies { code name } }", empty()).await;
    assert!(parties["banks"].as_array().unwrap().iter().any(|b| b["code"] == "004" && b["status"] == "ACTIVE"));
    assert!(parties["agencies"].as_array().unwrap().iter().any(|a| a["code"] == HIGHWAYS));
}
