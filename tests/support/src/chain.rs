//! Anvil worlds: the local consortium's chain ([`Chain`]), with the contracts deployed and the
//! consortium's roles set up by `egp::deploy` ([`Net`]), or anvil's own dev accounts with the
//! contracts deployed through the bindings alone ([`DevChain`]), for the crates below `egp`.

use std::path::PathBuf;

use alloy::network::{EthereumWallet, TransactionBuilder};
use alloy::node_bindings::{Anvil, AnvilInstance};
use alloy::primitives::{Address, B256, U256, keccak256};
use alloy::providers::{DynProvider, Provider, ProviderBuilder};
use alloy::rpc::types::TransactionRequest;
use alloy::signers::local::PrivateKeySigner;
use chrono::{Days, NaiveDate};
use egp::Egp;
use egp::bank::{Expiry, GuaranteeTerms, reference_hash};
use egp::deploy::DeployReport;
use egp::local::{AnvilOptions, LocalChain, LocalConsortium, start_anvil};
use egp_contracts::deployment::{DeployedContract, DeployedContracts, Deployment};
use egp_contracts::{BankCode, Code, GuaranteeType, Pepper, Satang, ThaiId, dates};

use crate::dirs::TempDir;
use crate::ports::free_port;

/// The pepper every test commits ids with (and the stack's API hashes tax ids with).
const PEPPER: &[u8; 32] = b"egp-chain test pepper, 32 bytes!";

/// A deployment on chain `chain_id` at made-up addresses (the consortium at `0xc1…`, the e-LG
/// registry at `0xc2…`, the credit confirmation registry at `0xc3…`), for events made without a
/// chain (the decoder's tests, the API benchmark's synthetic chain).
pub fn synthetic_deployment(chain_id: u64, compiler_version: &str) -> Deployment {
    let contract = |byte: u8| DeployedContract {
        address: Address::repeat_byte(byte),
        deployment_block: 1,
        transaction_hash: keccak256([byte]),
        bytecode_hash: keccak256([byte, byte]),
    };
    Deployment {
        chain_id,
        compiler_version: compiler_version.into(),
        deployer: Address::repeat_byte(0xad),
        contracts: DeployedContracts {
            consortium: contract(0xc1),
            guarantee_registry: contract(0xc2),
            credit_confirmation_registry: contract(0xc3),
        },
    }
}

/// The tests' pepper.
pub fn pepper() -> Pepper {
    Pepper::new(*PEPPER).expect("32 bytes is long enough")
}

/// The tests' pepper as a pepper file holds it (`0x…`).
pub fn pepper_hex() -> String {
    format!("0x{}", alloy::hex::encode(PEPPER))
}

/// The guarantee (or credit confirmation) id of `bank_ref` of bank `bank`.
pub fn guarantee_id(bank: u16, bank_ref: &str) -> B256 {
    egp_contracts::types::record_id(BankCode::new(bank).expect("a bank code"), bank_ref)
}

/// anvil as the workspace finds it (installed by `scripts/bootstrap`), to configure further.
pub fn anvil() -> Anvil {
    Anvil::at(egp_contracts::tools::anvil())
}

/// anvil with its dev accounts and a provider signing as any of them.
pub struct DevChain {
    /// The running anvil (stopped on drop).
    pub anvil: AnvilInstance,
    /// A provider whose wallet holds every dev account.
    pub provider: DynProvider,
}

impl DevChain {
    /// Starts `anvil` (see [`anvil()`]).
    pub fn start(anvil: Anvil) -> Self {
        let anvil = anvil.try_spawn().expect("anvil starts (scripts/bootstrap installs it)");
        let provider = Self::provider_for(&anvil);
        Self { anvil, provider }
    }

    /// A provider signing as any dev account of `anvil`.
    pub fn provider_for(anvil: &AnvilInstance) -> DynProvider {
        let wallet: EthereumWallet = anvil.wallet().expect("anvil has dev accounts");
        egp_contracts::tls::use_ring();
        ProviderBuilder::new().wallet(wallet).connect_http(anvil.endpoint_url()).erased()
    }

    /// Dev account `index`.
    pub fn account(&self, index: usize) -> Address {
        self.anvil.addresses()[index]
    }
}

/// A running local chain (anvil with the local consortium's chain id and accounts), no contracts.
pub struct Chain {
    /// The local consortium's definition.
    pub consortium: LocalConsortium,
    /// The HTTP RPC endpoint.
    pub url: String,
    _anvil: LocalChain,
}

impl Chain {
    /// Stops anvil gracefully (SIGTERM), so that it removes its state folder.
    pub async fn stop(self) -> egp::Result<()> {
        self._anvil.stop().await
    }

    /// Starts anvil on a free port, mining a block per transaction.
    pub async fn start() -> Self {
        Self::with_options(ChainOptions::default()).await
    }

    /// Starts anvil on a free port with `options`; retries on another port if one was taken in
    /// between.
    pub async fn with_options(options: ChainOptions) -> Self {
        let consortium = LocalConsortium::embedded().expect("anvil/consortium.json");
        let mut last = None;
        for _ in 0..5 {
            let anvil = AnvilOptions {
                anvil: egp_contracts::tools::anvil(),
                port: free_port(),
                block_time: options.block_time,
                state: None,
                states_in_memory: options.states_in_memory,
            };
            match start_anvil(&consortium, &anvil).await {
                Ok(anvil) => return Self { url: anvil.url.clone(), consortium, _anvil: anvil },
                Err(error) => last = Some(error),
            }
        }
        panic!("anvil did not start (scripts/bootstrap installs it): {}", last.expect("five attempts"));
    }
}

/// What a test chooses of anvil's settings (the kit chooses the binary and a free port).
#[derive(Debug, Clone, Copy, Default)]
pub struct ChainOptions {
    /// Seconds between blocks; `None` mines a block per transaction.
    pub block_time: Option<u64>,
    /// Keep the latest blocks' states in memory only ([`AnvilOptions::states_in_memory`]), for
    /// a chain that `anvil_rollback` reorganises.
    pub states_in_memory: bool,
}

/// A chain with the contracts deployed and the local consortium's roles set up.
pub struct Net {
    /// The chain.
    pub chain: Chain,
    /// The HTTP RPC endpoint.
    pub url: String,
    /// The deployment manifest.
    pub manifest: PathBuf,
    /// What `egp::deploy` reported.
    pub report: DeployReport,
    dir: TempDir,
}

impl Net {
    /// anvil on a free port, `egp::deploy` with the local consortium, the manifest in a temp dir.
    pub async fn start() -> Self {
        Self::on(Chain::start().await, TempDir::new("net")).await
    }

    /// Deploys on `chain`, writing the manifest into `dir` (kept as long as the net).
    pub async fn on(chain: Chain, dir: TempDir) -> Self {
        let manifest = dir.path().join("deployment.json");
        let admin = chain.consortium.admin().expect("the admin's key");
        let report = egp::deploy::deploy(&chain.url, admin, None, Some(&chain.consortium), &manifest, false)
            .await
            .expect("deploy to a fresh anvil");
        Self { url: chain.url.clone(), chain, manifest, report, dir }
    }

    /// The folder holding the manifest.
    pub fn dir(&self) -> &TempDir {
        &self.dir
    }

    /// The local consortium's definition.
    pub fn consortium(&self) -> &LocalConsortium {
        &self.chain.consortium
    }

    /// A connection signing with `signer`, checked against the manifest.
    pub async fn connect(&self, signer: PrivateKeySigner) -> Egp {
        Egp::connect(&self.url, &self.manifest, Some(signer)).await.expect("connect to the test chain")
    }

    /// A read-only connection.
    pub async fn reader(&self) -> Egp {
        Egp::connect(&self.url, &self.manifest, None::<PrivateKeySigner>).await.expect("connect to the test chain")
    }

    /// The CGD admin.
    pub async fn admin(&self) -> Egp {
        self.connect(self.consortium().admin().expect("admin key")).await
    }

    /// The e-GP gateway.
    pub async fn gateway(&self) -> Egp {
        self.connect(self.consortium().gateway().expect("gateway key")).await
    }

    /// Bank `code`'s signer from the local consortium.
    pub async fn bank(&self, code: u16) -> Egp {
        let bank = BankCode::new(code).expect("a bank code");
        self.connect(self.consortium().bank(bank).expect("a bank of the local consortium")).await
    }

    /// Issues `terms` from bank `code` (committing the applicant with [`pepper`]); returns the
    /// guarantee's id.
    pub async fn issue(&self, code: u16, terms: &GuaranteeTerms) -> B256 {
        let outcome = self.bank(code).await.issue_guarantee(terms, &pepper()).await.expect("issue");
        assert_eq!(outcome.status.as_deref(), Some("PendingAcceptance"));
        outcome.subject_id()
    }

    /// Issues `terms` from bank `code` and has the gateway accept it for its agency.
    pub async fn issue_accepted(&self, code: u16, terms: &GuaranteeTerms) -> B256 {
        let id = self.issue(code, terms).await;
        let outcome = self.gateway().await.accept(id, &terms.agency).await.expect("accept");
        assert_eq!(outcome.status.as_deref(), Some("Active"));
        id
    }

    /// A fresh random account holding `ether` ETH, sent by the admin (nobody in the consortium).
    pub async fn funded_stranger(&self, ether: u64) -> PrivateKeySigner {
        let stranger = PrivateKeySigner::random();
        self.fund(stranger.address(), ether).await;
        stranger
    }

    /// Sends `ether` ETH from the admin to `to`.
    pub async fn fund(&self, to: Address, ether: u64) {
        let admin = self.admin().await;
        let from = admin.sender().expect("the admin signs");
        let value = U256::from(ether) * U256::from(10u64).pow(U256::from(18u64));
        let request = TransactionRequest::default().with_from(from).with_to(to).with_value(value);
        let receipt = admin.provider().send_transaction(request).await.unwrap().get_receipt().await.unwrap();
        assert!(receipt.status(), "funding {to} failed");
    }

    /// The latest block number.
    pub async fn block(&self) -> u64 {
        self.reader().await.provider().get_block_number().await.expect("block number")
    }

    /// The chain's Bangkok date today.
    pub async fn today(&self) -> NaiveDate {
        dates::bangkok_date(self.reader().await.chain_time().await.expect("chain time"))
    }

    /// Moves the chain's clock forward by `seconds` and mines a block (anvil's own RPC).
    pub async fn advance_time(&self, seconds: u64) {
        let reader = self.reader().await;
        let provider = reader.provider();
        let _: serde_json::Value =
            provider.raw_request("evm_increaseTime".into(), (U256::from(seconds),)).await.expect("evm_increaseTime");
        let _: serde_json::Value = provider.raw_request("evm_mine".into(), Vec::<u64>::new()).await.expect("evm_mine");
    }

    /// Moves the chain's clock to just past `moment` (Unix seconds) and mines a block there.
    pub async fn advance_past(&self, moment: u64) {
        let now = self.reader().await.chain_time().await.expect("chain time");
        assert!(now <= moment, "the chain is already past {moment}");
        self.advance_time(moment + 1 - now).await;
    }
}

/// A performance guarantee of 1,250,000.00 THB for the Department of Highways, a year of cover
/// from `today`, applied for by `applicant` (a Thai id).
pub fn guarantee_terms(bank_ref: &str, applicant: &str, today: NaiveDate) -> GuaranteeTerms {
    GuaranteeTerms {
        bank_ref: bank_ref.to_owned(),
        branch: Code::new("0001").expect("a code"),
        guarantee_type: GuaranteeType::PERF,
        amount: Satang(125_000_000),
        issue_date: today,
        effective_date: today,
        expiry: Expiry::Fixed(today.checked_add_days(Days::new(365)).expect("a date")),
        agency: Code::new("21009").expect("a code"),
        project_number: Code::new("69029460012").expect("a code"),
        contract_number: "CGD-2569/0042".to_owned(),
        applicant: applicant.parse::<ThaiId>().expect("a valid id"),
        applicant_type: None,
        document_hash: reference_hash(&format!("document {bank_ref}")),
    }
}
