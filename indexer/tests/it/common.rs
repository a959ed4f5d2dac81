//! The test world: anvil (the bootstrapped binary) on a free port with the three contracts
//! deployed and the consortium set up, a manifest file, a fresh database from `#[sqlx::test]`,
//! and helpers to run the indexer in-process or as a real process.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use alloy::network::EthereumWallet;
use alloy::node_bindings::{Anvil, AnvilInstance};
use alloy::primitives::{Address, B256, keccak256};
use alloy::providers::{DynProvider, Provider, ProviderBuilder};
use alloy::rpc::types::TransactionReceipt;
use egp_contracts::bindings::credit_confirmation_registry::ICreditConfirmationRegistry::ConfirmationRequest;
use egp_contracts::bindings::guarantee_registry::IGuaranteeRegistry::IssueRequest;
use egp_contracts::bindings::{Consortium, CreditConfirmationRegistry, GuaranteeRegistry};
use egp_contracts::{ApplicantType, Code, Deployment, ExpiryType, GuaranteeType, Purpose};
use egp_indexer::Settings;
use sqlx::postgres::PgConnectOptions;
use tokio_util::sync::CancellationToken;

/// Sends a contract call and waits for its successful receipt.
#[macro_export]
macro_rules! mined {
    ($call:expr) => {{
        let receipt = $call.send().await.expect("sent").get_receipt().await.expect("mined");
        assert!(receipt.status(), "transaction reverted");
        receipt
    }};
}

pub(crate) fn code(text: &str) -> B256 {
    Code::new(text).unwrap().to_b256()
}

pub(crate) fn guarantee_id(bank: u16, bank_ref: &str) -> B256 {
    keccak256([&bank.to_be_bytes()[..], bank_ref.as_bytes()].concat())
}

/// A chain with the contracts deployed and one bank, one agency and one gateway set up.
pub(crate) struct World {
    pub(crate) anvil: AnvilInstance,
    pub(crate) provider: DynProvider,
    pub(crate) admin: Address,
    pub(crate) bank: Address,
    pub(crate) bank2: Address,
    pub(crate) gateway: Address,
    pub(crate) deployment: Deployment,
    pub(crate) manifest: PathBuf,
    _dir: TempDir,
}

/// A temporary folder removed on drop.
pub(crate) struct TempDir(pub PathBuf);

impl TempDir {
    pub(crate) fn new(tag: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("egp-indexer-{tag}-{}-{}", std::process::id(), rand_suffix()));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn rand_suffix() -> u64 {
    use std::time::{SystemTime, UNIX_EPOCH};
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos() as u64 % 1_000_000_007
}

pub(crate) fn provider_for(anvil: &AnvilInstance) -> DynProvider {
    let wallet: EthereumWallet = anvil.wallet().expect("anvil has dev accounts");
    egp_contracts::tls::use_ring();
    ProviderBuilder::new().wallet(wallet).connect_http(anvil.endpoint_url()).erased()
}

impl World {
    pub(crate) async fn new() -> Self {
        Self::with_anvil(Anvil::at(egp_contracts::tools::anvil())).await
    }

    pub(crate) async fn with_anvil(anvil: Anvil) -> Self {
        let _ = tracing_subscriber::fmt()
            .with_test_writer()
            .with_env_filter(std::env::var("RUST_LOG").unwrap_or_else(|_| "egp_indexer=info".into()))
            .try_init();
        let anvil = anvil.try_spawn().expect("scripts/bootstrap installs anvil");
        let provider = provider_for(&anvil);
        let a = anvil.addresses();
        let (admin, bank, bank2, gateway) = (a[0], a[1], a[2], a[3]);
        let deployment = egp_contracts::deployment::deploy(&provider, admin, admin).await.unwrap();
        let consortium = Consortium::new(deployment.contracts.consortium.address, provider.clone());
        mined!(consortium.admitIssuer(2, 0, "Bangkok Bank".into()).from(admin));
        mined!(consortium.addSigner(2, bank).from(admin));
        mined!(consortium.admitIssuer(4, 0, "Kasikornbank".into()).from(admin));
        mined!(consortium.addSigner(4, bank2).from(admin));
        mined!(consortium.registerAgency(code("21009"), "Department of Highways".into()).from(admin));
        mined!(consortium.authoriseGateway(gateway).from(admin));
        let dir = TempDir::new("world");
        let manifest = dir.0.join("deployment.json");
        deployment.write(&manifest).unwrap();
        Self { anvil, provider, admin, bank, bank2, gateway, deployment, manifest, _dir: dir }
    }

    pub(crate) fn registry(&self) -> GuaranteeRegistry::GuaranteeRegistryInstance<DynProvider> {
        GuaranteeRegistry::new(self.deployment.contracts.guarantee_registry.address, self.provider.clone())
    }

    pub(crate) fn confirmations(&self) -> CreditConfirmationRegistry::CreditConfirmationRegistryInstance<DynProvider> {
        CreditConfirmationRegistry::new(
            self.deployment.contracts.credit_confirmation_registry.address,
            self.provider.clone(),
        )
    }

    pub(crate) fn consortium(&self) -> Consortium::ConsortiumInstance<DynProvider> {
        Consortium::new(self.deployment.contracts.consortium.address, self.provider.clone())
    }

    pub(crate) async fn now(&self) -> u64 {
        self.provider
            .get_block_by_number(alloy::eips::BlockNumberOrTag::Latest)
            .await
            .unwrap()
            .unwrap()
            .header
            .timestamp
    }

    pub(crate) async fn rpc(&self, method: &'static str, params: serde_json::Value) -> serde_json::Value {
        self.provider.raw_request(method.into(), params).await.unwrap()
    }

    /// Issues a guarantee of bank 002 (fixed expiry `expiry`), returning its id and receipt.
    pub(crate) async fn issue(&self, bank_ref: &str, expiry: u64) -> (B256, TransactionReceipt) {
        let now = self.now().await;
        let request = IssueRequest {
            bankRef: bank_ref.into(),
            branchCode: code("0001"),
            guaranteeType: GuaranteeType::PERF as u8,
            amount: 100_000_000,
            issueDate: now,
            effectiveDate: now,
            expiryType: ExpiryType::FIXD as u8,
            expiryDate: expiry,
            expiryConditionHash: B256::ZERO,
            agencyCode: code("21009"),
            projectNumber: code("69029460012"),
            contractNumber: "CGD-2569/0042".into(),
            applicantCommitment: keccak256(format!("applicant {bank_ref}")),
            applicantType: ApplicantType::Juristic as u8,
            documentHash: keccak256(format!("document {bank_ref}")),
        };
        let receipt = mined!(self.registry().issue(request).from(self.bank));
        (guarantee_id(2, bank_ref), receipt)
    }

    pub(crate) fn confirmation_request(&self, bank_ref: &str, valid_until: u64) -> ConfirmationRequest {
        ConfirmationRequest {
            bankRef: bank_ref.into(),
            certifyingOffice: code("HEAD OFFICE"),
            supplierCommitment: keccak256("supplier"),
            supplierType: ApplicantType::Individual as u8,
            creditLine: 5_000_000_000,
            asOfDate: 1_767_225_600,
            validUntil: valid_until,
            purpose: Purpose::PROJECT as u8,
            projectNumber: code("69029460012"),
            projectBudget: 20_000_000_000,
            documentHash: keccak256(format!("confirmation {bank_ref}")),
        }
    }

    /// Every kind of event, at least once: the full e-LG lifecycle, credit confirmations and the
    /// consortium's own changes. Returns the receipts by label.
    pub(crate) async fn every_event(&self) -> BTreeMap<&'static str, TransactionReceipt> {
        let mut receipts = BTreeMap::new();
        let r = self.registry();
        let (bank, gw, admin) = (self.bank, self.gateway, self.admin);
        let agency = code("21009");
        let far = self.now().await + 10 * 365 * 86_400;

        // G1: the long lifecycle.
        let (g1, receipt) = self.issue("LG-1", far).await;
        receipts.insert("issue", receipt);
        receipts.insert("accept", mined!(r.accept(g1, agency).from(gw)));
        mined!(r.proposeAmendment(g1, 150_000_000, far + 1000, keccak256("terms 1")).from(bank));
        receipts.insert("accept_amendment", mined!(r.acceptAmendment(g1, agency, 1).from(gw)));
        mined!(r.reduce(g1, agency, 10_000_000).from(gw));
        mined!(r.claim(g1, agency, 20_000_000, keccak256("demand 1")).from(gw));
        receipts.insert("pay", mined!(r.pay(g1, 1, 5_000_000, keccak256("GFMIS-1")).from(bank)));
        mined!(r.claimExtendOrPay(g1, agency, 1_000_000, far + 5000, keccak256("demand 2")).from(gw));
        mined!(r.extend(g1, 2, far + 6000).from(bank));
        mined!(r.proposeAmendment(g1, 160_000_000, far + 7000, keccak256("terms 2")).from(bank));
        mined!(r.rejectAmendment(g1, agency, 2, code("NOT-AGREED")).from(gw));
        mined!(r.claim(g1, agency, 1_000_000, keccak256("demand 3")).from(gw));
        mined!(r.rejectClaim(g1, 3, vec![code("LATE"), code("WRONG-AMOUNT")]).from(bank));
        mined!(r.claim(g1, agency, 1_000_000, keccak256("demand 4")).from(gw));
        mined!(r.withdrawClaim(g1, agency).from(gw));
        mined!(r.suspend(g1, keccak256("court order")).from(admin));
        mined!(r.resume(g1, keccak256("order lifted")).from(admin));
        // Amendment 3 is still pending when G1 is released: it lapses.
        mined!(r.proposeAmendment(g1, 170_000_000, far + 8000, keccak256("terms 3")).from(bank));
        let ended = self.now().await - 100;
        receipts.insert("release", mined!(r.release(g1, agency, ended).from(gw)));
        // G2 rejected, G3 cancelled.
        let (g2, _) = self.issue("LG-2", far).await;
        mined!(r.reject(g2, agency, code("WRONG-PROJECT")).from(gw));
        let (g3, _) = self.issue("LG-3", far).await;
        mined!(r.cancel(g3, code("DUPLICATE")).from(bank));
        // G5 superseded by G6; G7 paid out.
        let (g5, _) = self.issue("LG-5", far).await;
        mined!(r.accept(g5, agency).from(gw));
        let (g6, _) = self.issue("LG-6", far).await;
        mined!(r.accept(g6, agency).from(gw));
        receipts.insert("supersede", mined!(r.supersede(g5, agency, g6).from(gw)));
        let (g7, _) = self.issue("LG-7", far).await;
        mined!(r.accept(g7, agency).from(gw));
        mined!(r.claim(g7, agency, 100_000_000, keccak256("demand 7")).from(gw));
        mined!(r.pay(g7, 1, 100_000_000, keccak256("GFMIS-7")).from(bank));

        // Credit confirmations: revoked, superseded, and (below) expired.
        let c = self.confirmations();
        mined!(c.issue(self.confirmation_request("CC-1", 0)).from(bank));
        mined!(c.revoke(guarantee_id(2, "CC-1"), code("CREDIT-WITHDRAWN")).from(bank));
        mined!(c.issue(self.confirmation_request("CC-2", 0)).from(bank));
        receipts.insert(
            "confirmation_supersede",
            mined!(c.supersede(guarantee_id(2, "CC-2"), self.confirmation_request("CC-3", 0)).from(bank)),
        );

        // Expiry: G4 and CC-4 expire after time moves on.
        let soon = self.now().await + 100;
        let (g4, _) = self.issue("LG-4", soon).await;
        mined!(r.accept(g4, agency).from(gw));
        mined!(c.issue(self.confirmation_request("CC-4", soon)).from(bank));
        self.rpc("evm_increaseTime", serde_json::json!([1000])).await;
        mined!(r.expire(g4).from(admin));
        mined!(c.expire(guarantee_id(2, "CC-4")).from(admin));

        // The consortium's own changes.
        let k = self.consortium();
        mined!(k.suspendIssuer(4, keccak256("licence review")).from(admin));
        mined!(k.resumeIssuer(4).from(admin));
        let spare = self.anvil.addresses()[5];
        mined!(k.addSigner(2, spare).from(admin));
        mined!(k.removeSigner(2, spare).from(admin));
        let gateway2 = self.anvil.addresses()[6];
        mined!(k.authoriseGateway(gateway2).from(admin));
        mined!(k.revokeGateway(gateway2).from(admin));
        mined!(k.registerAgency(code("99999"), "Comptroller General's Department".into()).from(admin));
        let _ = (g1, g2, g3, g4, g5, g6, g7);
        receipts
    }
}

/// The URL of the database `#[sqlx::test]` created.
pub(crate) fn database_url(options: &PgConnectOptions) -> String {
    let base = std::env::var("DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let (base, _) = base.rsplit_once('/').expect("DATABASE_URL has a database");
    format!("{base}/{}", options.get_database().expect("a test database"))
}

/// Settings for `world` and `database`, polling fast, plus `extra` flags.
pub(crate) fn settings(world: &World, database: &str, extra: &[&str]) -> Settings {
    settings_for(&world.anvil.endpoint(), &world.manifest, database, extra)
}

pub(crate) fn settings_for(rpc: &str, manifest: &std::path::Path, database: &str, extra: &[&str]) -> Settings {
    let mut args: Vec<String> = vec![
        "--database-url".into(),
        database.into(),
        "--rpc-url".into(),
        rpc.into(),
        "--manifest".into(),
        manifest.display().to_string(),
        "--poll-interval-ms".into(),
        "50".into(),
        "--max-backoff-ms".into(),
        "500".into(),
        "--rpc-timeout-ms".into(),
        "3000".into(),
        "--progress".into(),
        "off".into(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    Settings::from_args(args)
}

/// Indexes until caught up with the head, in this process.
pub(crate) async fn index_once(world: &World, database: &str) {
    egp_indexer::run(settings(world, database, &["--exit-when-caught-up"]), CancellationToken::new()).await.unwrap();
}

/// Runs the indexer in a task until the returned token is cancelled.
pub(crate) fn follow(settings: Settings) -> (CancellationToken, tokio::task::JoinHandle<egp_indexer::Result<()>>) {
    let cancel = CancellationToken::new();
    let handle = tokio::spawn(egp_indexer::run(settings, cancel.clone()));
    (cancel, handle)
}

/// Waits until `check` holds, polling every 25 ms, at most `seconds`.
pub(crate) async fn eventually<F, Fut>(seconds: u64, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(seconds);
    while !check().await {
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// The checkpoint block of `pool`'s database.
pub(crate) async fn checkpoint(pool: &sqlx::PgPool) -> i64 {
    sqlx::query_scalar::<_, i64>("SELECT block_number FROM checkpoints")
        .fetch_optional(pool)
        .await
        .unwrap()
        .unwrap_or(-1)
}

/// Per-table checksums (`egp_table_checksums()`), without `blocks` (which headers are stored
/// depends on how close to the head each range was read) and with `is_final` as written.
pub(crate) async fn checksums(pool: &sqlx::PgPool) -> BTreeMap<String, (i64, String)> {
    sqlx::query_as::<_, (String, i64, String)>("SELECT table_name, row_count, checksum FROM egp_table_checksums()")
        .fetch_all(pool)
        .await
        .unwrap()
        .into_iter()
        .filter(|(table, _, _)| table != "blocks")
        .map(|(table, count, sum)| (table, (count, sum)))
        .collect()
}

/// A second fresh, migrated database next to `options`' (dropped by the caller's drop of the guard).
pub(crate) struct ScratchDb {
    pub(crate) url: String,
    pub(crate) pool: sqlx::PgPool,
    name: String,
    admin: sqlx::PgPool,
}

impl ScratchDb {
    pub(crate) async fn new(admin: &sqlx::PgPool, options: &PgConnectOptions) -> Self {
        let name = format!("egp_clean_{}_{}", std::process::id(), rand_suffix());
        sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\"")).execute(admin).await.unwrap();
        sqlx::query(&format!("CREATE DATABASE \"{name}\"")).execute(admin).await.unwrap();
        let url = database_url(&options.clone().database(&name));
        let pool = sqlx::PgPool::connect(&url).await.unwrap();
        egp_indexer::MIGRATOR.run(&pool).await.unwrap();
        Self { url, pool, name, admin: admin.clone() }
    }

    pub(crate) async fn drop_now(self) {
        self.pool.close().await;
        sqlx::query(&format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name))
            .execute(&self.admin)
            .await
            .unwrap();
    }
}
