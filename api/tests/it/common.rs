//! The API's test world on top of `egp-testkit`'s ([`World`]: anvil on a free port with the local
//! consortium deployed by `egp::deploy`, parties acting through the `egp` library): the indexer
//! run in-process into the test's fresh database, and the API's schema and router over it.

use std::sync::Arc;

use alloy::primitives::B256;
use async_graphql::{Request, Variables};
use chrono::{Days, NaiveDate};
use egp::bank::{ConfirmationPurpose, ConfirmationTerms, Expiry, GuaranteeTerms, reference_hash};
use egp_api::auth::{ApiKeys, Principal, Role};
use egp_api::schema::{Api, ApiSchema};
use egp_api::{Limits, chain, http, notify, schema};
use egp_contracts::{ApplicantType, BankCode, Code, GuaranteeType, Satang, ThaiId};
pub(crate) use egp_testkit::Net as World;
pub(crate) use egp_testkit::db::test_database_url as database_url;
pub(crate) use egp_testkit::pepper;
use serde_json::{Value, json};
use sqlx::PgPool;
use tokio_util::sync::CancellationToken;

pub(crate) const BBL: u16 = 2;
pub(crate) const KBANK: u16 = 4;
pub(crate) const HIGHWAYS: &str = "21009";
pub(crate) const IRRIGATION: &str = "03005";
pub(crate) const PROJECT: &str = "69029460012";
/// A valid juristic registration number (the applicant of most guarantees).
pub(crate) const COMPANY: &str = "0105564012347";
/// Another valid id (1112034563562 from DOMAIN.md).
pub(crate) const PERSON: &str = "1112034563562";

/// The keys every HTTP test uses.
pub(crate) const EGP_KEY: &str = "egp-key-for-tests-0001";
pub(crate) const BBL_KEY: &str = "bank-002-key-for-tests";
pub(crate) const KBANK_KEY: &str = "bank-004-key-for-tests";
pub(crate) const VERIFY_KEY: &str = "verify-key-for-tests-01";

pub(crate) fn code(text: &str) -> Code {
    Code::new(text).unwrap()
}

pub(crate) fn bank(code: u16) -> BankCode {
    BankCode::new(code).unwrap()
}

/// The indexer run in-process over a [`World`] (the API tests read what it writes).
pub(crate) trait Indexing {
    /// Indexes everything up to the head into `database`.
    async fn index(&self, database: &str);
    /// The indexer's settings for `database`, polling fast, plus `extra` flags.
    fn indexer_settings(&self, database: &str, extra: &[&str]) -> egp_indexer::Settings;
}

impl Indexing for World {
    async fn index(&self, database: &str) {
        egp_indexer::run(self.indexer_settings(database, &["--exit-when-caught-up"]), CancellationToken::new())
            .await
            .expect("indexer");
    }

    fn indexer_settings(&self, database: &str, extra: &[&str]) -> egp_indexer::Settings {
        let mut args: Vec<String> = [
            "--database-url",
            database,
            "--rpc-url",
            &self.url,
            "--manifest",
            &self.manifest.display().to_string(),
            "--poll-interval-ms",
            "50",
            "--progress",
            "off",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        args.extend(extra.iter().map(|s| s.to_string()));
        egp_indexer::Settings::from_args(args)
    }
}

/// A performance guarantee of 1,250,000.00 THB for the Department of Highways, expiring in two years.
pub(crate) fn terms(bank_ref: &str, today: NaiveDate) -> GuaranteeTerms {
    GuaranteeTerms {
        bank_ref: bank_ref.to_owned(),
        branch: code("0001"),
        guarantee_type: GuaranteeType::PERF,
        amount: Satang(125_000_000),
        issue_date: today,
        effective_date: today,
        expiry: Expiry::Fixed(today.checked_add_days(Days::new(730)).unwrap()),
        agency: code(HIGHWAYS),
        project_number: code(PROJECT),
        contract_number: "CGD-2569/0042".to_owned(),
        applicant: COMPANY.parse::<ThaiId>().unwrap(),
        applicant_type: Some(ApplicantType::Juristic),
        document_hash: reference_hash(&format!("document {bank_ref}")),
    }
}

/// A project credit confirmation of 5,000,000.00 THB for `supplier`.
pub(crate) fn confirmation(bank_ref: &str, supplier: &str, today: NaiveDate) -> ConfirmationTerms {
    ConfirmationTerms {
        bank_ref: bank_ref.to_owned(),
        certifying_office: code("HEAD OFFICE"),
        supplier: supplier.parse().unwrap(),
        supplier_type: None,
        credit_line: Satang(500_000_000),
        as_of: today,
        valid_until: None,
        purpose: ConfirmationPurpose::Project { number: code(PROJECT), budget: Satang(2_000_000_000) },
        document_hash: reference_hash(&format!("confirmation {bank_ref}")),
    }
}

/// The API's shared resources over `pool`, reading the node at `rpc`.
pub(crate) fn api(pool: PgPool, rpc: &str, limits: Limits) -> Arc<Api> {
    Arc::new(Api {
        pool,
        chain_id: None,
        pepper: pepper(),
        limits,
        chain: chain::ChainReader::new(rpc).unwrap(),
        notifier: notify::Notifier::default(),
        outbox: None,
    })
}

/// The schema over `pool`.
pub(crate) fn schema(pool: PgPool, rpc: &str) -> ApiSchema {
    schema::build(api(pool, rpc, Limits::default()))
}

/// The router over `pool`, with the four test keys.
pub(crate) fn router(pool: PgPool, rpc: &str, limits: Limits) -> axum::Router {
    router_with_web(pool, rpc, limits, egp_api::web::Web::default())
}

/// The router over `pool` with the public pages' state `web`.
pub(crate) fn router_with_web(pool: PgPool, rpc: &str, limits: Limits, web: egp_api::web::Web) -> axum::Router {
    let api = api(pool, rpc, limits);
    let mut keys = ApiKeys::default();
    keys.insert(EGP_KEY, Principal::new(Role::Egp, "egp"));
    keys.insert(BBL_KEY, Principal::new(Role::Bank(bank(BBL)), "bbl"));
    keys.insert(KBANK_KEY, Principal::new(Role::Bank(bank(KBANK)), "kbank"));
    keys.insert(VERIFY_KEY, Principal::new(Role::Verify, "verifier"));
    http::router(http::AppState::new(schema::build(api.clone()), api, keys, 20).with_web(web))
}

pub(crate) fn egp() -> Principal {
    Principal::new(Role::Egp, "egp")
}

/// Runs `query` as `who`; returns the whole response as JSON (data, errors, extensions).
pub(crate) async fn run(schema: &ApiSchema, who: Principal, query: &str, variables: Value) -> Value {
    let request = Request::new(query).variables(Variables::from_json(variables)).data(who);
    serde_json::to_value(schema.execute(request).await).unwrap()
}

/// Runs `query` as e-GP and returns `data`, failing on any error.
pub(crate) async fn data(schema: &ApiSchema, query: &str, variables: Value) -> Value {
    let response = run(schema, egp(), query, variables).await;
    assert!(response.get("errors").is_none_or(|e| e.as_array().is_some_and(Vec::is_empty)), "{response:#}");
    response["data"].clone()
}

/// The codes of a response's errors.
pub(crate) fn codes(response: &Value) -> Vec<String> {
    response["errors"]
        .as_array()
        .map(|errors| errors.iter().map(|e| e["extensions"]["code"].as_str().unwrap_or("").to_owned()).collect())
        .unwrap_or_default()
}

pub(crate) fn hex(id: B256) -> String {
    id.to_string()
}

pub(crate) fn vars(value: Value) -> Value {
    value
}

pub(crate) fn empty() -> Value {
    json!({})
}
