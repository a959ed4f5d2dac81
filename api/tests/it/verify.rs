//! `verifyGuarantee`: every reason a guarantee can fail, `fresh: true` against the contract
//! (including a row tampered in the database), the `verify` role's minimal view, and the date
//! asked by default when the chain's clock runs ahead of the wall clock.

use chrono::Days;
use egp::bank::reference_hash;
use egp_api::auth::{Principal, Role};
use egp_contracts::{GuaranteeType, Satang};
use serde_json::{Value, json};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::common::*;

const VERIFY: &str = r#"query($id: String, $agency: String, $project: String, $type: GuaranteeType, $min: String, $on: String, $fresh: Boolean) {
  verifyGuarantee(id: $id, agencyCode: $agency, projectNumber: $project, type: $type, minimumOutstanding: $min, onDate: $on, fresh: $fresh) {
    valid reasons { code message } onDate guaranteeId status type agencyCode expiryDate
    provenance { blockNumber transactionHash final }
    fresh { blockNumber agrees differences }
  }
}"#;

fn reason_codes(response: &Value) -> Vec<String> {
    response["data"]["verifyGuarantee"]["reasons"]
        .as_array()
        .unwrap_or_else(|| panic!("{response:#}"))
        .iter()
        .map(|r| r["code"].as_str().unwrap().to_owned())
        .collect()
}

#[sqlx::test(migrator = "egp_store::MIGRATOR")]
async fn every_reason_fresh_reads_and_the_verify_role(pool_options: PgPoolOptions, options: PgConnectOptions) {
    let world = World::start().await;
    let today = world.today().await;
    let gateway = world.gateway().await;
    let bbl = world.bank(BBL).await;
    let admin = world.admin().await;
    let agency = code(HIGHWAYS);

    let good = world.issue_accepted(BBL, &terms("GOOD", today)).await;
    let pending = world.issue(BBL, &terms("PENDING", today)).await;
    let claimed = world.issue_accepted(BBL, &terms("CLAIMED", today)).await;
    gateway.claim(claimed, &agency, Satang(1_000_000), reference_hash("demand")).await.unwrap();
    let suspended = world.issue_accepted(BBL, &terms("SUSPENDED", today)).await;
    admin.suspend_guarantee(suspended, reference_hash("court order")).await.unwrap();
    let released = world.issue_accepted(BBL, &terms("RELEASED", today)).await;
    gateway.release(released, &agency, today).await.unwrap();
    let cancelled = world.issue(BBL, &terms("CANCELLED", today)).await;
    bbl.cancel(cancelled, &code("DUPLICATE")).await.unwrap();
    let rejected = world.issue(BBL, &terms("REJECTED", today)).await;
    gateway.reject(rejected, &agency, &code("WRONG-PROJECT")).await.unwrap();
    let paid_out = world.issue_accepted(BBL, &terms("PAIDOUT", today)).await;
    gateway.claim(paid_out, &agency, Satang(125_000_000), reference_hash("demand all")).await.unwrap();
    bbl.pay(paid_out, None, Satang(125_000_000), reference_hash("GFMIS-9")).await.unwrap();
    let old = world.issue_accepted(BBL, &terms("OLD", today)).await;
    let new = world.issue_accepted(BBL, &terms("NEW", today)).await;
    gateway.supersede(old, &agency, new).await.unwrap();
    let mut tender = terms("TENDER", today);
    tender.guarantee_type = GuaranteeType::TEND;
    let tender = world.issue_accepted(BBL, &tender).await;

    let url = database_url(&options);
    world.index(&url).await;
    let pool = pool_options.connect_with(options).await.unwrap();
    let schema = schema(pool.clone(), &world.url);
    let verify = |id: alloy::primitives::B256, extra: Value| {
        let schema = schema.clone();
        async move {
            let mut variables = json!({ "id": hex(id) });
            variables.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
            run(&schema, egp(), VERIFY, variables).await
        }
    };

    // Valid for exactly what e-GP asks, with provenance and a fresh read that agrees.
    let requirement = json!({ "agency": HIGHWAYS, "project": PROJECT, "type": "PERF", "min": "125000000",
        "on": today.to_string(), "fresh": true });
    let ok = verify(good, requirement.clone()).await;
    let answer = &ok["data"]["verifyGuarantee"];
    assert_eq!(answer["valid"], true, "{ok:#}");
    assert_eq!(answer["reasons"], json!([]));
    assert_eq!(answer["status"], "ACTIVE");
    assert_eq!(answer["fresh"]["agrees"], true, "{ok:#}");
    assert_eq!(answer["fresh"]["blockNumber"], ok["extensions"]["consistency"]["indexedBlockNumber"]);
    assert!(answer["provenance"]["transactionHash"].as_str().unwrap().starts_with("0x"));

    // Each requirement that does not hold is a reason.
    let later = (today + Days::new(731)).to_string();
    let before = (today - Days::new(1)).to_string();
    let cases: Vec<(alloy::primitives::B256, Value, &str)> = vec![
        (good, json!({ "agency": IRRIGATION }), "WRONG_AGENCY"),
        (good, json!({ "project": "69029460099" }), "WRONG_PROJECT"),
        (good, json!({ "type": "APAY" }), "WRONG_TYPE"),
        (good, json!({ "min": "125000001" }), "OUTSTANDING_BELOW_MINIMUM"),
        (good, json!({ "on": later }), "EXPIRED"),
        (good, json!({ "on": before }), "NOT_YET_EFFECTIVE"),
        (pending, json!({}), "NOT_YET_ACCEPTED"),
        (claimed, json!({}), "CLAIMED"),
        (suspended, json!({}), "SUSPENDED"),
        (released, json!({}), "RELEASED"),
        (cancelled, json!({}), "CANCELLED"),
        (rejected, json!({}), "REJECTED"),
        (paid_out, json!({}), "PAID_OUT"),
        (old, json!({}), "SUPERSEDED"),
        (alloy::primitives::B256::repeat_byte(7), json!({}), "NOT_FOUND"),
    ];
    for (id, extra, expected) in cases {
        let response = verify(id, extra.clone()).await;
        assert_eq!(response["data"]["verifyGuarantee"]["valid"], false, "{expected}: {response:#}");
        assert_eq!(reason_codes(&response), [expected], "{extra}");
    }
    let several = verify(paid_out, json!({ "agency": IRRIGATION, "min": "1" })).await;
    assert_eq!(reason_codes(&several), ["WRONG_AGENCY", "PAID_OUT", "OUTSTANDING_BELOW_MINIMUM"]);

    // A row tampered in the database: the fresh read catches it.
    sqlx::query("UPDATE guarantees SET outstanding = 999 WHERE id = $1")
        .bind(good.as_slice())
        .execute(&pool)
        .await
        .unwrap();
    let tampered = verify(good, json!({ "fresh": true })).await;
    let answer = &tampered["data"]["verifyGuarantee"];
    assert_eq!(answer["valid"], false);
    assert_eq!(reason_codes(&tampered), ["CHAIN_DISAGREES"]);
    assert_eq!(answer["fresh"]["agrees"], false);
    assert_eq!(answer["fresh"]["differences"], json!(["outstanding: mirror 999, chain 125000000"]));

    // The verify role: verification only, minimal fields, no tender guarantees.
    let verifier = Principal::new(Role::Verify, "verifier");
    let minimal = run(
        &schema,
        verifier.clone(),
        &format!(r#"{{ verifyGuarantee(id: "{}") {{ valid status }} }}"#, hex(new)),
        empty(),
    )
    .await;
    assert_eq!(minimal["data"]["verifyGuarantee"], json!({ "valid": true, "status": "ACTIVE" }), "{minimal:#}");
    let whole = run(
        &schema,
        verifier.clone(),
        &format!(r#"{{ verifyGuarantee(id: "{}") {{ guarantee {{ amount {{ satang }} }} }} }}"#, hex(new)),
        empty(),
    )
    .await;
    assert_eq!(codes(&whole), ["FORBIDDEN"]);
    let hidden = run(
        &schema,
        verifier.clone(),
        &format!(r#"{{ verifyGuarantee(id: "{}") {{ valid reasons {{ code }} }} }}"#, hex(tender)),
        empty(),
    )
    .await;
    assert_eq!(hidden["data"]["verifyGuarantee"]["reasons"][0]["code"], "NOT_FOUND");
    let browse = run(&schema, verifier, &format!(r#"{{ guarantee(id: "{}") {{ id }} }}"#, hex(new)), empty()).await;
    assert_eq!(codes(&browse), ["FORBIDDEN"]);
}

/// The contracts judge by the chain's clock: on a chain whose clock runs days ahead of the wall
/// clock (a development chain moved forward), a guarantee in force from the chain's date is valid
/// when no date is asked, and the answer names that date.
#[sqlx::test(migrator = "egp_store::MIGRATOR")]
async fn without_a_date_a_chain_ahead_of_the_wall_clock_is_judged_on_its_own_date(
    pool_options: PgPoolOptions,
    options: PgConnectOptions,
) {
    let world = World::start().await;
    world.advance_time(3 * 86_400).await;
    let chain_today = world.today().await;
    let wall_today = egp_contracts::dates::bangkok_date(chrono::Utc::now().timestamp() as u64);
    assert!(chain_today > wall_today, "the chain's date {chain_today} is ahead of the wall clock's {wall_today}");
    let ahead = world.issue_accepted(BBL, &terms("AHEAD", chain_today)).await;

    world.index(&database_url(&options)).await;
    let schema = schema(pool_options.connect_with(options).await.unwrap(), &world.url);
    let response = run(&schema, egp(), VERIFY, json!({ "id": hex(ahead) })).await;
    let answer = &response["data"]["verifyGuarantee"];
    assert_eq!(answer["valid"], true, "{response:#}");
    assert_eq!(answer["onDate"], chain_today.to_string());

    // A date asked for is still the date answered.
    let response = run(&schema, egp(), VERIFY, json!({ "id": hex(ahead), "on": wall_today.to_string() })).await;
    assert_eq!(reason_codes(&response), ["NOT_YET_EFFECTIVE"], "{response:#}");
}
