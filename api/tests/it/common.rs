//! The test world: anvil on a free port with the local consortium deployed by `egp::deploy`,
//! parties acting through the `egp` library, the indexer run in-process into the test's fresh
//! database, and the API's schema and router over that database.

use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::Arc;

use alloy::primitives::B256;
use alloy::signers::local::PrivateKeySigner;
use async_graphql::{Request, Variables};
use chrono::{Days, NaiveDate};
use egp::Egp;
use egp::bank::{ConfirmationPurpose, ConfirmationTerms, Expiry, GuaranteeTerms, reference_hash};
use egp::local::{AnvilOptions, LocalChain, LocalConsortium, start_anvil};
use egp_api::auth::{ApiKeys, Principal, Role};
use egp_api::schema::{Api, ApiSchema};
use egp_api::{Limits, chain, http, notify, schema};
use egp_contracts::{ApplicantType, BankCode, Code, GuaranteeType, Pepper, Satang, ThaiId, dates};
use serde_json::{Value, json};
use sqlx::PgPool;
use sqlx::postgres::PgConnectOptions;
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

pub(crate) fn pepper() -> Pepper {
    Pepper::new(*b"egp-chain test pepper, 32 bytes!").expect("32 bytes")
}

pub(crate) fn code(text: &str) -> Code {
    Code::new(text).unwrap()
}

pub(crate) fn bank(code: u16) -> BankCode {
    BankCode::new(code).unwrap()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A temporary folder removed on drop.
pub(crate) struct TempDir(pub(crate) PathBuf);

impl TempDir {
    fn new() -> Self {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let dir =
            std::env::temp_dir().join(format!("egp-api-{}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed)));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A chain with the contracts deployed and the local consortium's roles set up.
pub(crate) struct World {
    pub(crate) consortium: LocalConsortium,
    pub(crate) url: String,
    pub(crate) manifest: PathBuf,
    _anvil: LocalChain,
    _dir: TempDir,
}

impl World {
    pub(crate) async fn start() -> Self {
        let consortium = LocalConsortium::embedded().expect("anvil/consortium.json");
        let mut anvil = None;
        for _ in 0..5 {
            let options =
                AnvilOptions { anvil: egp_contracts::tools::anvil(), port: free_port(), block_time: None, state: None };
            if let Ok(started) = start_anvil(&consortium, &options).await {
                anvil = Some(started);
                break;
            }
        }
        let anvil = anvil.expect("anvil starts (scripts/bootstrap installs it)");
        let dir = TempDir::new();
        let manifest = dir.0.join("deployment.json");
        let admin = consortium.admin().unwrap();
        egp::deploy::deploy(&anvil.url, admin, None, Some(&consortium), &manifest, false).await.expect("deploy");
        Self { url: anvil.url.clone(), consortium, manifest, _anvil: anvil, _dir: dir }
    }

    async fn connect(&self, signer: PrivateKeySigner) -> Egp {
        Egp::connect(&self.url, &self.manifest, Some(signer)).await.unwrap()
    }

    pub(crate) async fn bank(&self, code: u16) -> Egp {
        self.connect(self.consortium.bank(bank(code)).unwrap()).await
    }

    pub(crate) async fn gateway(&self) -> Egp {
        self.connect(self.consortium.gateway().unwrap()).await
    }

    pub(crate) async fn admin(&self) -> Egp {
        self.connect(self.consortium.admin().unwrap()).await
    }

    /// The chain's Bangkok date today.
    pub(crate) async fn today(&self) -> NaiveDate {
        let reader = Egp::connect(&self.url, &self.manifest, None::<PrivateKeySigner>).await.unwrap();
        dates::bangkok_date(reader.chain_time().await.unwrap())
    }

    /// Issues `terms` from bank `code`; returns the id.
    pub(crate) async fn issue(&self, code: u16, terms: &GuaranteeTerms) -> B256 {
        self.bank(code).await.issue_guarantee(terms, &pepper()).await.expect("issue").subject_id()
    }

    /// Issues and has the agency accept.
    pub(crate) async fn issue_accepted(&self, code: u16, terms: &GuaranteeTerms) -> B256 {
        let id = self.issue(code, terms).await;
        self.gateway().await.accept(id, &terms.agency).await.expect("accept");
        id
    }

    /// Indexes everything up to the head into `database`.
    pub(crate) async fn index(&self, database: &str) {
        egp_indexer::run(self.indexer_settings(database, &["--exit-when-caught-up"]), CancellationToken::new())
            .await
            .expect("indexer");
    }

    pub(crate) fn indexer_settings(&self, database: &str, extra: &[&str]) -> egp_indexer::Settings {
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

/// The URL of the database `#[sqlx::test]` created.
pub(crate) fn database_url(options: &PgConnectOptions) -> String {
    let base = std::env::var("DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let (base, _) = base.rsplit_once('/').unwrap();
    format!("{base}/{}", options.get_database().unwrap())
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
