//! The router through `oneshot`: API keys and roles (TEND hidden from other banks), and hostile
//! input — each a clear error with a code, never a 5xx or a panic. Also `/health`, `/metrics`
//! and GraphiQL.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use egp_api::Limits;
use egp_contracts::GuaranteeType;
use serde_json::{Value, json};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use tower::ServiceExt;

use crate::common::*;

async fn call(router: &axum::Router, key: Option<&str>, body: impl Into<Body>) -> (StatusCode, Value) {
    let mut request = Request::post("/graphql").header("content-type", "application/json");
    if let Some(key) = key {
        request = request.header("authorization", format!("Bearer {key}"));
    }
    let response = router.clone().oneshot(request.body(body.into()).unwrap()).await.unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

async fn graphql(router: &axum::Router, key: Option<&str>, query: &str) -> (StatusCode, Value) {
    call(router, key, json!({ "query": query }).to_string()).await
}

async fn get(router: &axum::Router, path: &str) -> (StatusCode, String) {
    let response = router.clone().oneshot(Request::get(path).body(Body::empty()).unwrap()).await.unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

fn refs(response: &Value) -> Vec<String> {
    let mut refs: Vec<String> = response["data"]["guarantees"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{response:#}"))
        .iter()
        .map(|e| e["node"]["bankRef"].as_str().unwrap().to_owned())
        .collect();
    refs.sort();
    refs
}

#[sqlx::test(migrator = "egp_store::MIGRATOR")]
async fn keys_roles_limits_and_hostile_input(pool_options: PgPoolOptions, options: PgConnectOptions) {
    let world = World::start().await;
    let today = world.today().await;
    world.issue_accepted(BBL, &terms("BBL-PERF", today)).await;
    let mut tender = terms("BBL-TEND", today);
    tender.guarantee_type = GuaranteeType::TEND;
    let bbl_tender = world.issue_accepted(BBL, &tender).await;
    tender.bank_ref = "KB-TEND".into();
    world.issue_accepted(KBANK, &tender).await;
    let url = database_url(&options);
    world.index(&url).await;
    let pool = pool_options.connect_with(options).await.unwrap();
    let router = router(pool, &world.url, Limits::default());
    let list = "{ guarantees(first: 10) { totalCount edges { node { bankRef } } } }";

    // No key, or an unknown one: 401 with a code.
    for key in [None, Some("not-a-configured-key")] {
        let (status, body) = graphql(&router, key, list).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(codes(&body), ["UNAUTHENTICATED"]);
    }

    // Each role sees exactly what it should.
    let (status, all) = graphql(&router, Some(EGP_KEY), list).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(refs(&all), ["BBL-PERF", "BBL-TEND", "KB-TEND"]);
    assert_eq!(refs(&graphql(&router, Some(BBL_KEY), list).await.1), ["BBL-PERF", "BBL-TEND"]);
    assert_eq!(refs(&graphql(&router, Some(KBANK_KEY), list).await.1), ["KB-TEND"]);
    let other_bank = format!(r#"{{ guarantee(id: "{}") {{ id }} }}"#, hex(bbl_tender));
    assert_eq!(codes(&graphql(&router, Some(KBANK_KEY), &other_bank).await.1), ["NOT_FOUND"]);
    assert_eq!(codes(&graphql(&router, Some(BBL_KEY), &other_bank).await.1), Vec::<String>::new());
    let (_, verifier) = graphql(&router, Some(VERIFY_KEY), list).await;
    assert_eq!(codes(&verifier), ["FORBIDDEN"]);
    assert!(verifier["data"].is_null(), "{verifier}");
    let tender_check = format!(r#"{{ verifyGuarantee(id: "{}") {{ valid reasons {{ code }} }} }}"#, hex(bbl_tender));
    let (_, hidden) = graphql(&router, Some(VERIFY_KEY), &tender_check).await;
    assert_eq!(hidden["data"]["verifyGuarantee"]["reasons"][0]["code"], "NOT_FOUND");
    let (_, issuer_sees) = graphql(&router, Some(BBL_KEY), &tender_check).await;
    assert_eq!(issuer_sees["data"]["verifyGuarantee"]["valid"], true, "{issuer_sees}");
    assert_eq!(codes(&graphql(&router, Some(VERIFY_KEY), "{ banks { code } }").await.1), ["FORBIDDEN"]);

    // Hostile input.
    let deep = format!(
        r#"{{ guarantee(bankCode: "002", bankRef: "BBL-PERF") {{ {} id {} }} }}"#,
        "replaces { ".repeat(20),
        "}".repeat(20)
    );
    let node = "history { args provenance { blockNumber } } amendments { sequence } claims { sequence }";
    let bomb = format!(
        "{{ a: guarantees(first: 100) {{ edges {{ node {{ {node} }} }} }} b: guarantees(first: 100) {{ edges {{ node {{ {node} }} }} }} }}"
    );
    let cases = [
        (deep.as_str(), "QUERY_TOO_DEEP"),
        (bomb.as_str(), "QUERY_TOO_COMPLEX"),
        ("{ guarantees(first: 10000) { totalCount } }", "PAGE_TOO_LARGE"),
        ("{ guarantees(last: -1) { totalCount } }", "BAD_USER_INPUT"),
        (r#"{ guarantee(id: "0xzz") { id } }"#, "BAD_USER_INPUT"),
        (r#"{ guarantee(bankCode: "2", bankRef: "x") { id } }"#, "BAD_USER_INPUT"),
        (r#"{ guarantees(filter: { supplierTaxId: "12345" }) { totalCount } }"#, "INVALID_TAX_ID"),
        (r#"{ supplier(taxId: "abc") { commitment } }"#, "INVALID_TAX_ID"),
        ("{ guarantees(first: 1) { nope } }", "GRAPHQL_VALIDATION_FAILED"),
        ("{ guarantees(first: ", "GRAPHQL_PARSE_FAILED"),
    ];
    for (query, code) in cases {
        let (status, body) = graphql(&router, Some(EGP_KEY), query).await;
        assert_eq!(status, StatusCode::OK, "{code}: {body}");
        assert_eq!(codes(&body), [code], "{body:#}");
    }
    let huge = json!({ "query": format!("{{ banks {{ code }} }} #{}", "x".repeat(200_000)) }).to_string();
    let (status, body) = call(&router, Some(EGP_KEY), huge).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(codes(&body), ["BODY_TOO_LARGE"]);
    let (status, body) = call(&router, Some(EGP_KEY), "this is not json").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(codes(&body), ["GRAPHQL_PARSE_FAILED"]);

    // Operations endpoints.
    let (status, health) = get(&router, "/health").await;
    assert_eq!(status, StatusCode::OK, "{health}");
    assert!(health.contains("\"lag\":0"), "{health}");
    let (status, metrics) = get(&router, "/metrics").await;
    assert_eq!(status, StatusCode::OK);
    assert!(metrics.contains("egp_api_requests_total{status=\"401\"} 2"), "{metrics}");
    assert!(metrics.contains("egp_api_errors_total{code=\"PAGE_TOO_LARGE\"} 1"), "{metrics}");
    assert!(metrics.contains("egp_api_request_duration_seconds_count"), "{metrics}");
    let (status, page) = get(&router, "/graphql").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("GraphiQL"));
}

#[sqlx::test(migrator = "egp_store::MIGRATOR")]
async fn an_empty_mirror_answers_without_data_and_a_null_marker(
    pool_options: PgPoolOptions,
    options: PgConnectOptions,
) {
    let pool = pool_options.connect_with(options).await.unwrap();
    let router = router(pool, "http://127.0.0.1:9", Limits::default());
    let (status, body) = graphql(&router, Some(EGP_KEY), "{ guarantees(first: 5) { totalCount } }").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["data"]["guarantees"]["totalCount"], 0);
    assert!(body["extensions"]["consistency"]["indexedBlockNumber"].is_null(), "{body}");
    let (status, _) = get(&router, "/health").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
}
