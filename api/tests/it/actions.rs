//! The mutations' front door through the router (`oneshot`): only the `egp` role acts, a server
//! without the gateway's signer refuses, and bad or personal input is refused with a code before
//! anything is simulated or stored. (The whole path to `FINAL` runs in `tests/e2e/actions`.)

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use egp_api::auth::{ApiKeys, Principal, Role};
use egp_api::outbox::{GatewaySettings, GatewaySigner, Outbox};
use egp_api::{Limits, http, schema};
use serde_json::{Value, json};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use tower::ServiceExt;

use crate::common::*;

const ACCEPT: &str = "mutation($input: AcceptGuaranteeInput!) { acceptGuarantee(input: $input) { id status } }";
const REJECT: &str = "mutation($input: RejectGuaranteeInput!) { rejectGuarantee(input: $input) { id status } }";

async fn post(router: &axum::Router, key: &str, query: &str, variables: Value) -> (StatusCode, Value) {
    let (status, text) = post_text(router, key, query, variables).await;
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// The response's text as a client reads it (serde_json here would read back forms that other
/// clients cannot, such as its private number map).
async fn post_text(router: &axum::Router, key: &str, query: &str, variables: Value) -> (StatusCode, String) {
    let body = json!({ "query": query, "variables": variables }).to_string();
    let request = Request::post("/graphql")
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {key}"))
        .body(Body::from(body))
        .unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

fn accept(key: &str, bank_ref: &str) -> Value {
    json!({ "input": { "idempotencyKey": key, "guarantee": { "bankCode": "002", "bankRef": bank_ref }, "agencyCode": HIGHWAYS } })
}

fn router_over(api: Arc<schema::Api>) -> axum::Router {
    let mut keys = ApiKeys::default();
    keys.insert(EGP_KEY, Principal::new(Role::Egp, "egp"));
    keys.insert(BBL_KEY, Principal::new(Role::Bank(bank(BBL)), "bbl"));
    keys.insert(VERIFY_KEY, Principal::new(Role::Verify, "verifier"));
    http::router(http::AppState::new(schema::build(api.clone()), api, keys, 20))
}

#[sqlx::test(migrator = "egp_store::MIGRATOR")]
async fn only_egp_acts_and_bad_or_personal_input_is_refused_before_anything_is_stored(
    pool_options: PgPoolOptions,
    options: PgConnectOptions,
) {
    let world = World::start().await;
    let pool = pool_options.connect_with(options).await.unwrap();

    // Without the gateway's signer, reads work and mutations are off.
    let read_only = router(pool.clone(), &world.url, Limits::default());
    let (status, body) = post(&read_only, EGP_KEY, ACCEPT, accept("k-1", "LG-1")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(codes(&body), ["WRITES_DISABLED"], "{body:#}");

    let deployment = egp_contracts::Deployment::read(&world.manifest).unwrap();
    let signer = GatewaySigner::new(world.consortium().gateway().unwrap());
    let outbox = Outbox::new(pool.clone(), &world.url, deployment, signer, GatewaySettings::default()).unwrap();
    let mut api = Arc::into_inner(api(pool.clone(), &world.url, Limits::default())).unwrap();
    api.outbox = Some(Arc::new(outbox));
    let router = router_over(Arc::new(api));

    for key in [BBL_KEY, VERIFY_KEY] {
        let (_, body) = post(&router, key, ACCEPT, accept("k-2", "LG-1")).await;
        assert_eq!(codes(&body), ["FORBIDDEN"], "{body:#}");
        let (_, body) = post(&router, key, "{ action(id: \"1\") { id } }", Value::Null).await;
        assert_eq!(codes(&body), ["FORBIDDEN"], "{body:#}");
    }
    let (_, body) = post(&router, EGP_KEY, "{ action(id: \"1\") { id } }", Value::Null).await;
    assert_eq!(codes(&body), ["NOT_FOUND"], "{body:#}");

    let reject = |key: &str, reason: &str| {
        json!({ "input": { "idempotencyKey": key, "guarantee": { "bankCode": "002", "bankRef": "LG-1" },
                           "agencyCode": HIGHWAYS, "reasonCode": reason } })
    };
    let cases = [
        (ACCEPT, accept("", "LG-1"), "BAD_USER_INPUT"),
        (ACCEPT, accept(&"k".repeat(129), "LG-1"), "BAD_USER_INPUT"),
        (ACCEPT, accept(&format!("retry-{COMPANY}"), "LG-1"), "PERSONAL_DATA_REFUSED"),
        (ACCEPT, accept("k-3", COMPANY), "PERSONAL_DATA_REFUSED"),
        (ACCEPT, accept("k-4", &"x".repeat(36)), "BAD_USER_INPUT"),
        (REJECT, reject("k-5", PERSON), "PERSONAL_DATA_REFUSED"),
        (REJECT, reject("k-6", "1-1120-34563-56-2"), "PERSONAL_DATA_REFUSED"),
        (REJECT, reject("k-7", &"R".repeat(33)), "BAD_USER_INPUT"),
        (
            ACCEPT,
            json!({ "input": { "idempotencyKey": "k-8", "guarantee": {}, "agencyCode": HIGHWAYS } }),
            "BAD_USER_INPUT",
        ),
    ];
    for (query, variables, code) in cases {
        let (status, body) = post(&router, EGP_KEY, query, variables.clone()).await;
        assert_eq!(status, StatusCode::OK, "{variables}: {body}");
        assert_eq!(codes(&body), [code], "{variables}: {body:#}");
        for id in [COMPANY, PERSON, "1-1120-34563-56-2"] {
            assert!(!body.to_string().contains(id), "a tax id is never echoed: {body}");
        }
    }
    let huge = accept(&"k".repeat(100_000), "LG-1");
    let (status, body) = post(&router, EGP_KEY, ACCEPT, huge).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "mutations have the body limit of queries");
    assert_eq!(codes(&body), ["BODY_TOO_LARGE"]);
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM actions").fetch_one(&pool).await.unwrap();
    assert_eq!(stored, 0, "nothing refused was stored");
}

#[sqlx::test(migrator = "egp_store::MIGRATOR")]
async fn a_full_queue_is_overloaded_and_stores_nothing_but_refusals_and_retries_still_answer(
    pool_options: PgPoolOptions,
    options: PgConnectOptions,
) {
    let world = World::start().await;
    let today = world.today().await;
    for bank_ref in ["LG-Q-1", "LG-Q-2"] {
        world.issue(BBL, &terms(bank_ref, today)).await;
    }
    let pool = pool_options.connect_with(options).await.unwrap();
    // A queue of one, and no sender running: the first action stays queued.
    let deployment = egp_contracts::Deployment::read(&world.manifest).unwrap();
    let signer = GatewaySigner::new(world.consortium().gateway().unwrap());
    let settings = GatewaySettings { max_queued_actions: 1, ..GatewaySettings::default() };
    let outbox = Outbox::new(pool.clone(), &world.url, deployment, signer, settings).unwrap();
    let mut api = Arc::into_inner(api(pool.clone(), &world.url, Limits::default())).unwrap();
    api.outbox = Some(Arc::new(outbox));
    let router = router_over(Arc::new(api));

    let (_, first) = post(&router, EGP_KEY, ACCEPT, accept("q-1", "LG-Q-1")).await;
    assert_eq!(first["data"]["acceptGuarantee"]["status"], "PENDING", "{first:#}");
    let (_, full) = post(&router, EGP_KEY, ACCEPT, accept("q-2", "LG-Q-2")).await;
    assert_eq!(codes(&full), ["OVERLOADED"], "{full:#}");
    // The same request again is the queued action, not a second one.
    let (_, again) = post(&router, EGP_KEY, ACCEPT, accept("q-1", "LG-Q-1")).await;
    assert_eq!(again["data"]["acceptGuarantee"]["id"], first["data"]["acceptGuarantee"]["id"]);
    // A refusal queues nothing, so it is still answered: failed, with the contract's reason.
    let wrong_agency = json!({ "input": { "idempotencyKey": "q-3", "guarantee": { "bankCode": "002", "bankRef": "LG-Q-2" },
                                          "agencyCode": IRRIGATION } });
    let (_, refused) = post(&router, EGP_KEY, ACCEPT, wrong_agency).await;
    let refused = &refused["data"]["acceptGuarantee"];
    assert_eq!(refused["status"], "FAILED", "{refused:#}");
    let id = refused["id"].as_str().unwrap();
    let (_, read) = post(
        &router,
        EGP_KEY,
        "query($id: ID!) { action(id: $id) { status error { code message } } }",
        json!({ "id": id }),
    )
    .await;
    assert_eq!(read["data"]["action"]["error"]["code"], "NOT_BENEFICIARY", "{read:#}");
    let stored: Vec<(String, String)> =
        sqlx::query_as("SELECT idempotency_key, status FROM actions ORDER BY id").fetch_all(&pool).await.unwrap();
    assert_eq!(stored, [("q-1".into(), "pending".into()), ("q-3".into(), "failed".into())]);
}

/// One agency step for guarantee `bank_ref` of bank 002, for the Department of Highways.
fn step(key: &str, bank_ref: &str, extra: Value) -> Value {
    let mut input = json!({ "idempotencyKey": key, "guarantee": { "bankCode": "002", "bankRef": bank_ref }, "agencyCode": HIGHWAYS });
    input.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    json!({ "input": input })
}

#[sqlx::test(migrator = "egp_store::MIGRATOR")]
async fn the_registry_s_time_rules_and_stale_answers_fail_at_once_and_the_sequence_goes_on_chain(
    pool_options: PgPoolOptions,
    options: PgConnectOptions,
) {
    use alloy::providers::Provider;
    use alloy::sol_types::SolCall;
    use chrono::Days;
    use egp::bank::{Amendment, Expiry, reference_hash};
    use egp_contracts::bindings::guarantee_registry::GuaranteeRegistry as G;
    use egp_contracts::{Satang, dates};

    const CLAIM: &str =
        "mutation($input: ClaimGuaranteeInput!) { claimGuarantee(input: $input) { status error { code message } } }";
    const RELEASE: &str = "mutation($input: ReleaseGuaranteeInput!) { releaseGuarantee(input: $input) { status error { code message } } }";
    const AMEND: &str = "mutation($input: AcceptAmendmentInput!) { acceptAmendment(input: $input) { id status arguments error { code message } } }";

    let world = World::start().await;
    let today = world.today().await;
    // LG-T-1 is in force only from the day after tomorrow; LG-T-2 expires tonight; LG-T-3 has
    // amendment 1 pending.
    let mut later = terms("LG-T-1", today);
    later.effective_date = today + Days::new(2);
    let mut tonight = terms("LG-T-2", today);
    tonight.expiry = Expiry::Fixed(today);
    for guarantee in [&later, &tonight, &terms("LG-T-3", today)] {
        world.issue_accepted(BBL, guarantee).await;
    }
    let amended = egp_contracts::types::record_id(bank(BBL), "LG-T-3");
    let amendment = Amendment {
        new_amount: Satang(150_000_000),
        new_expiry: Some(today + Days::new(800)),
        terms_hash: reference_hash("amendment 1"),
    };
    world.bank(BBL).await.propose_amendment(amended, &amendment).await.unwrap();

    let pool = pool_options.connect_with(options).await.unwrap();
    let deployment = egp_contracts::Deployment::read(&world.manifest).unwrap();
    let signer = GatewaySigner::new(world.consortium().gateway().unwrap());
    let gateway = signer.address();
    let outbox = Outbox::new(pool.clone(), &world.url, deployment, signer, GatewaySettings::default()).unwrap();
    let mut api = Arc::into_inner(api(pool.clone(), &world.url, Limits::default())).unwrap();
    api.outbox = Some(Arc::new(outbox));
    let router = router_over(Arc::new(api));
    let provider = world.admin().await.provider().clone();
    let sent = provider.get_transaction_count(gateway).await.unwrap();
    let failed = |body: &Value, field: &str, code: &str| {
        let action = &body["data"][field];
        assert_eq!(action["status"], "FAILED", "{body:#}");
        assert_eq!(action["error"]["code"], code, "{body:#}");
        action["error"]["message"].as_str().unwrap().to_owned()
    };

    // A claim, or extend or pay, before the effective date.
    let demand = json!({ "amount": "1000000", "demandHash": reference_hash("demand").to_string() });
    let (_, body) = post(&router, EGP_KEY, CLAIM, step("t-1", "LG-T-1", demand.clone())).await;
    let message = failed(&body, "claimGuarantee", "NOT_YET_EFFECTIVE");
    assert!(message.contains("too early to claim"), "{message}");
    let mut extend_or_pay = demand.clone();
    extend_or_pay["extendTo"] = json!((today + Days::new(900)).to_string());
    let (_, body) = post(&router, EGP_KEY, CLAIM, step("t-2", "LG-T-1", extend_or_pay.clone())).await;
    failed(&body, "claimGuarantee", "NOT_YET_EFFECTIVE");
    // Obligations that end tomorrow cannot have ended.
    let tomorrow = json!({ "obligationsEnded": (today + Days::new(1)).to_string() });
    let (_, body) = post(&router, EGP_KEY, RELEASE, step("t-3", "LG-T-3", tomorrow)).await;
    failed(&body, "releaseGuarantee", "OBLIGATIONS_END_IN_FUTURE");

    // Amendment 1 is pending: an answer to amendment 2 is the registry's stale refusal; an
    // answer naming none carries amendment 1 in its call.
    let (_, body) = post(&router, EGP_KEY, AMEND, step("t-4", "LG-T-3", json!({ "sequence": 2 }))).await;
    let message = failed(&body, "acceptAmendment", "STALE_SEQUENCE");
    assert_eq!(
        message,
        format!(
            "guarantee {amended}: the answer is to amendment 2, but amendment 1 is the one pending; read the guarantee again"
        )
    );
    let (_, body) = post(&router, EGP_KEY, AMEND, step("t-5", "LG-T-3", json!({}))).await;
    let queued = &body["data"]["acceptAmendment"];
    assert_eq!(queued["status"], "PENDING", "{body:#}");
    assert_eq!(queued["arguments"]["amendmentSequence"], 1, "{body:#}");
    let calldata: Vec<u8> = sqlx::query_scalar("SELECT calldata FROM actions WHERE idempotency_key = 't-5'")
        .fetch_one(&pool)
        .await
        .unwrap();
    let call = G::acceptAmendmentCall::abi_decode(&calldata).unwrap();
    assert_eq!((call.id, call.sequence), (amended, 1));
    let (_, text) = post_text(&router, EGP_KEY, AMEND, step("t-5", "LG-T-3", json!({}))).await;
    assert!(text.contains(r#""arguments":{"amendmentSequence":1}"#), "a plain JSON number: {text}");

    // After LG-T-2's fixed expiry: no claim, no extend or pay.
    let now = world.admin().await.chain_time().await.unwrap();
    let _: Value =
        provider.raw_request("evm_increaseTime".into(), (dates::end_of_day(today) + 1 - now,)).await.unwrap();
    let _: Value = provider.raw_request("evm_mine".into(), ()).await.unwrap();
    let (_, body) = post(&router, EGP_KEY, CLAIM, step("t-6", "LG-T-2", demand)).await;
    let message = failed(&body, "claimGuarantee", "EXPIRY_PASSED");
    assert!(message.contains("too late to claim"), "{message}");
    let (_, body) = post(&router, EGP_KEY, CLAIM, step("t-7", "LG-T-2", extend_or_pay)).await;
    failed(&body, "claimGuarantee", "EXPIRY_PASSED");

    assert_eq!(provider.get_transaction_count(gateway).await.unwrap(), sent, "nothing was sent");
}
