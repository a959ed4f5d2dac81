//! The fixture every integration test shares: a real anvil on a free port with the local
//! consortium's chain id and accounts, the contracts deployed and the consortium's roles set up
//! through `egp::deploy`, and connections as the admin, the gateway and any bank. Nothing is mocked.
#![allow(dead_code, reason = "each test binary uses its own part of the shared fixture")]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use alloy::network::TransactionBuilder;
use alloy::primitives::{Address, B256, U256};
use alloy::providers::Provider;
use alloy::rpc::types::TransactionRequest;
use alloy::signers::local::PrivateKeySigner;
use chrono::{Days, NaiveDate};
use egp::bank::{Expiry, GuaranteeTerms, reference_hash};
use egp::deploy::DeployReport;
use egp::local::{AnvilOptions, LocalChain, LocalConsortium, start_anvil};
use egp::{Egp, Error, Outcome, Subject};
use egp_contracts::{ApplicantType, BankCode, Code, GuaranteeType, Pepper, Satang, ThaiId, dates};

/// The pepper every test commits applicant ids with.
pub(crate) fn pepper() -> Pepper {
    Pepper::new(*b"egp-chain test pepper, 32 bytes!").expect("32 bytes is long enough")
}

/// A bank code from its number.
pub(crate) fn bank(code: u16) -> BankCode {
    BankCode::new(code).expect("a valid bank code")
}

/// A code (agency, reason, branch…).
pub(crate) fn code(text: &str) -> Code {
    Code::new(text).expect("a valid code")
}

/// Bangkok Bank and Kasikornbank: the two banks most tests use.
pub(crate) const BBL: u16 = 2;
pub(crate) const KBANK: u16 = 4;
/// The Department of Highways: the beneficiary most tests use.
pub(crate) const HIGHWAYS: &str = "21009";
/// The Royal Irrigation Department: another registered agency.
pub(crate) const IRRIGATION: &str = "03005";

/// A port nothing listens on (the OS's pick, released at once).
pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port").local_addr().expect("its address").port()
}

/// A temporary folder removed on drop.
pub(crate) struct TempDir(pub(crate) PathBuf);

impl TempDir {
    pub(crate) fn new(label: &str) -> Self {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("egp-{label}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create a temporary folder");
        Self(dir)
    }

    pub(crate) fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A running local chain (anvil with the consortium's settings), without contracts.
pub(crate) struct Chain {
    pub(crate) consortium: LocalConsortium,
    pub(crate) url: String,
    _anvil: LocalChain,
}

impl Chain {
    /// Starts anvil on a free port; retries on another port if one was taken in between.
    pub(crate) async fn start() -> Self {
        let consortium = LocalConsortium::embedded().expect("anvil/consortium.json");
        let mut last = None;
        for _ in 0..5 {
            let options =
                AnvilOptions { anvil: egp_contracts::tools::anvil(), port: free_port(), block_time: None, state: None };
            match start_anvil(&consortium, &options).await {
                Ok(anvil) => return Self { url: anvil.url.clone(), consortium, _anvil: anvil },
                Err(error) => last = Some(error),
            }
        }
        panic!("anvil did not start: {}", last.expect("five attempts"));
    }
}

/// A chain with the contracts deployed and the local consortium's roles set up.
pub(crate) struct Net {
    pub(crate) chain: Chain,
    pub(crate) url: String,
    pub(crate) manifest: PathBuf,
    pub(crate) report: DeployReport,
    _dir: TempDir,
}

impl Net {
    /// anvil on a free port, `egp::deploy` with the local consortium, the manifest in a temp dir.
    pub(crate) async fn start() -> Self {
        let chain = Chain::start().await;
        let dir = TempDir::new("net");
        let manifest = dir.path().join("deployment.json");
        let admin = chain.consortium.admin().expect("the admin's key");
        let report = egp::deploy::deploy(&chain.url, admin, None, Some(&chain.consortium), &manifest, false)
            .await
            .expect("deploy to a fresh anvil");
        Self { url: chain.url.clone(), chain, manifest, report, _dir: dir }
    }

    /// The local consortium's definition.
    pub(crate) fn consortium(&self) -> &LocalConsortium {
        &self.chain.consortium
    }

    /// A connection signing with `signer`, checked against the manifest.
    pub(crate) async fn connect(&self, signer: PrivateKeySigner) -> Egp {
        Egp::connect(&self.url, &self.manifest, Some(signer)).await.expect("connect to the test chain")
    }

    /// A read-only connection.
    pub(crate) async fn reader(&self) -> Egp {
        Egp::connect(&self.url, &self.manifest, None::<PrivateKeySigner>).await.expect("connect to the test chain")
    }

    /// The CGD admin.
    pub(crate) async fn admin(&self) -> Egp {
        self.connect(self.consortium().admin().expect("admin key")).await
    }

    /// The e-GP gateway.
    pub(crate) async fn gateway(&self) -> Egp {
        self.connect(self.consortium().gateway().expect("gateway key")).await
    }

    /// Bank `code`'s signer from the local consortium.
    pub(crate) async fn bank(&self, code: u16) -> Egp {
        self.connect(self.consortium().bank(bank(code)).expect("a bank of the local consortium")).await
    }

    /// A fresh random account holding `ether` ETH, sent by the admin (nobody in the consortium).
    pub(crate) async fn funded_stranger(&self, ether: u64) -> PrivateKeySigner {
        let stranger = PrivateKeySigner::random();
        self.fund(stranger.address(), ether).await;
        stranger
    }

    /// Sends `ether` ETH from the admin to `to`.
    pub(crate) async fn fund(&self, to: Address, ether: u64) {
        let admin = self.admin().await;
        let from = admin.sender().expect("the admin signs");
        let value = U256::from(ether) * U256::from(10u64).pow(U256::from(18u64));
        let request = TransactionRequest::default().with_from(from).with_to(to).with_value(value);
        let receipt = admin.provider().send_transaction(request).await.unwrap().get_receipt().await.unwrap();
        assert!(receipt.status(), "funding {to} failed");
    }

    /// The latest block number.
    pub(crate) async fn block(&self) -> u64 {
        self.reader().await.provider().get_block_number().await.expect("block number")
    }

    /// The chain's Bangkok date today.
    pub(crate) async fn today(&self) -> NaiveDate {
        dates::bangkok_date(self.reader().await.chain_time().await.expect("chain time"))
    }

    /// Moves the chain's clock forward by `seconds` and mines a block (anvil's own RPC).
    pub(crate) async fn advance_time(&self, seconds: u64) {
        let reader = self.reader().await;
        let provider = reader.provider();
        let _: serde_json::Value =
            provider.raw_request("evm_increaseTime".into(), (U256::from(seconds),)).await.expect("evm_increaseTime");
        let _: serde_json::Value = provider.raw_request("evm_mine".into(), Vec::<u64>::new()).await.expect("evm_mine");
    }

    /// Issues `terms` from bank `code` and returns the guarantee's id.
    pub(crate) async fn issue(&self, code: u16, terms: &GuaranteeTerms) -> B256 {
        let outcome = self.bank(code).await.issue_guarantee(terms, &pepper()).await.expect("issue");
        assert_eq!(outcome.status.as_deref(), Some("PendingAcceptance"));
        outcome.subject_id()
    }

    /// Issues `terms` from bank `code` and has the gateway accept it for its agency.
    pub(crate) async fn issue_accepted(&self, code: u16, terms: &GuaranteeTerms) -> B256 {
        let id = self.issue(code, terms).await;
        let outcome = self.gateway().await.accept(id, &terms.agency).await.expect("accept");
        assert_eq!(outcome.status.as_deref(), Some("Active"));
        id
    }
}

/// A juristic applicant's valid 13-digit registration number.
pub(crate) fn company() -> ThaiId {
    "0105564012347".parse().expect("a valid registration number")
}

/// A performance guarantee of 1,250,000.00 THB for the Department of Highways, issued today,
/// expiring in two years: every field set.
pub(crate) fn terms(bank_ref: &str, today: NaiveDate) -> GuaranteeTerms {
    GuaranteeTerms {
        bank_ref: bank_ref.to_owned(),
        branch: code("0001"),
        guarantee_type: GuaranteeType::PERF,
        amount: Satang(125_000_000),
        issue_date: today,
        effective_date: today,
        expiry: Expiry::Fixed(today.checked_add_days(Days::new(730)).expect("a date")),
        agency: code(HIGHWAYS),
        project_number: code("69029460012"),
        contract_number: "CGD-2569/0042".to_owned(),
        applicant: company(),
        applicant_type: Some(ApplicantType::Juristic),
        document_hash: reference_hash("signed guarantee document"),
    }
}

/// The fixed expiry date of `terms`.
pub(crate) fn fixed_expiry(terms: &GuaranteeTerms) -> NaiveDate {
    match terms.expiry {
        Expiry::Fixed(date) => date,
        ref other => panic!("expected a fixed expiry, got {other:?}"),
    }
}

/// 00:00:00 Bangkok on `date` in Unix seconds, computed here independently of the library.
pub(crate) fn bangkok_midnight(date: NaiveDate) -> u64 {
    let utc = date.and_hms_opt(0, 0, 0).expect("midnight").and_utc().timestamp();
    u64::try_from(utc - 7 * 3600).expect("after 1970")
}

/// 23:59:59 Bangkok on `date` in Unix seconds.
pub(crate) fn bangkok_end_of_day(date: NaiveDate) -> u64 {
    bangkok_midnight(date) + 86_399
}

/// Checks that `outcome` reports a mined transaction exactly as the node has it: hash, block and
/// gas from the receipt, sent by `egp`'s signer to `contract`, successful; and that it names
/// `action` on `subject` with status `status` afterwards.
pub(crate) async fn assert_mined(
    egp: &Egp,
    outcome: &Outcome,
    action: &str,
    subject: &Subject,
    contract: Address,
    status: Option<&str>,
) {
    assert_eq!(outcome.action, action);
    assert_eq!(&outcome.subject, subject);
    assert_eq!(outcome.status.as_deref(), status, "status after {action}");
    assert!(!outcome.sent.dry_run);
    let hash = outcome.sent.transaction.expect("a mined transaction has a hash");
    let receipt = egp.provider().get_transaction_receipt(hash).await.unwrap().expect("the node knows the transaction");
    assert!(receipt.status(), "{action} reverted on chain");
    assert_eq!(outcome.sent.block, receipt.block_number, "block of {action}");
    assert_eq!(outcome.sent.gas, receipt.gas_used, "gas of {action}");
    assert!(outcome.sent.gas > 21_000, "{action} ran contract code: {} gas", outcome.sent.gas);
    assert_eq!(receipt.from, egp.sender().expect("a signer"), "sender of {action}");
    assert_eq!(receipt.to, Some(contract), "contract of {action}");
}

/// [`assert_mined`] for a guarantee transition on the registry.
pub(crate) async fn assert_guarantee_step(egp: &Egp, outcome: &Outcome, action: &str, id: B256, status: &str) {
    let registry = egp.deployment().contracts.guarantee_registry.address;
    assert_mined(egp, outcome, action, &Subject::Guarantee { id }, registry, Some(status)).await;
}

/// [`assert_mined`] for an answer to a claim or amendment (`subject`) on the registry.
pub(crate) async fn assert_answer_step(egp: &Egp, outcome: &Outcome, action: &str, subject: Subject, status: &str) {
    let registry = egp.deployment().contracts.guarantee_registry.address;
    assert_mined(egp, outcome, action, &subject, registry, Some(status)).await;
}

/// Moves the chain's clock to just past `moment` (Unix seconds) and mines a block there.
impl Net {
    pub(crate) async fn advance_past(&self, moment: u64) {
        let now = self.reader().await.chain_time().await.expect("chain time");
        assert!(now <= moment, "the chain is already past {moment}");
        self.advance_time(moment + 1 - now).await;
    }
}

/// The revert sentence of a refused action (panics on success or on any other error).
pub(crate) fn reverted<T: std::fmt::Debug>(result: egp::Result<T>) -> String {
    match result {
        Err(Error::Reverted(revert)) => revert.to_string(),
        other => panic!("expected a contract revert, got {other:?}"),
    }
}

/// The event `E` in the receipt of `outcome`'s transaction (panics if there is none).
pub(crate) async fn event<E: alloy::sol_types::SolEvent>(egp: &Egp, outcome: &Outcome) -> E {
    let hash = outcome.sent.transaction.expect("a mined transaction");
    let receipt = egp.provider().get_transaction_receipt(hash).await.unwrap().expect("a receipt");
    let log = receipt
        .inner
        .logs()
        .iter()
        .find(|log| log.topic0() == Some(&E::SIGNATURE_HASH))
        .unwrap_or_else(|| panic!("no {} in transaction {hash}", E::SIGNATURE));
    E::decode_log_data(log.data()).expect("the event decodes")
}
