//! egp-e2e: the whole of egp-chain running together for end-to-end tests and the latency
//! benchmark — a local consortium chain (anvil), the contracts deployed with the `egp` library,
//! a fresh PostgreSQL database, the indexer and the GraphQL API (as processes, so that they can
//! be killed, or as tasks), and e-GP's side: GraphQL over HTTP and subscriptions over WebSocket.
//! The API can sign e-GP's actions with the local gateway's key, and can reach the chain through
//! a [`gate::RpcGate`] that a test closes to take the node away. [`browser`] drives a headless
//! Chromium for the pages people see.

pub mod browser;
pub mod chaos;
pub mod front;
pub mod gate;
pub mod private_postgres;
mod process;

pub use process::binary;
use process::{psql, spawn, try_psql};

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use alloy::primitives::B256;
use alloy::signers::local::PrivateKeySigner;
use alloy::transports::http::reqwest;
use egp::Egp;
use egp::local::{AnvilOptions, LocalChain, LocalConsortium, start_anvil};
use egp_contracts::{BankCode, Pepper};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

/// The API key of the `egp` role in every stack.
pub const EGP_KEY: &str = "e2e-egp-key-0123456789";
/// The pepper the stack's banks commit ids with and the API hashes tax ids with.
pub const PEPPER_HEX: &str = "0x6532652d7065707065722d666f722d656770";

/// The stack's pepper.
pub fn pepper() -> Pepper {
    Pepper::from_hex(PEPPER_HEX).expect("a valid pepper")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("a free port").local_addr().expect("an address").port()
}

/// How the stack runs.
#[derive(Debug, Clone)]
pub struct StackOptions {
    /// Seconds between blocks (`None`: a block per transaction).
    pub block_time: Option<u64>,
    /// How often the indexer polls the head.
    pub poll_interval_ms: u64,
    /// Run the indexer and the API as processes (killable, with log files) instead of tasks.
    pub processes: bool,
    /// Give the API the local gateway's wallet (mutations on).
    pub gateway: bool,
    /// Put an [`gate::RpcGate`] between the API and the chain (the indexer reads the chain directly).
    pub rpc_gate: bool,
    /// More arguments for the API.
    pub api_args: Vec<String>,
    /// Run the API from a copy of its binary alone in the stack's folder, that folder as its
    /// working directory (it must need nothing from the checkout).
    pub api_copied_alone: bool,
    /// The PostgreSQL server to create the stack's database on (`postgres://…/postgres`);
    /// `DATABASE_URL` when absent.
    pub database_server: Option<String>,
    /// Put a [`front::RpcFront`] between the indexer and the chain.
    pub indexer_front: bool,
    /// More arguments for the indexer.
    pub indexer_args: Vec<String>,
}

impl Default for StackOptions {
    fn default() -> Self {
        Self {
            block_time: None,
            poll_interval_ms: 50,
            processes: true,
            gateway: false,
            rpc_gate: false,
            api_args: Vec::new(),
            api_copied_alone: false,
            database_server: None,
            indexer_front: false,
            indexer_args: Vec::new(),
        }
    }
}

/// The variable the API reads the gateway's mnemonic from (`--mnemonic-env`).
const GATEWAY_MNEMONIC_ENV: &str = "EGP_E2E_GATEWAY_MNEMONIC";

enum Service {
    Process(Child),
    Task(CancellationToken),
}

impl Service {
    fn stop(&mut self) {
        match self {
            Self::Process(child) => {
                let _ = child.kill();
                let _ = child.wait();
            }
            Self::Task(cancel) => cancel.cancel(),
        }
    }
}

/// Everything running together. Dropping it stops the services and drops the database.
pub struct Stack {
    /// The local consortium's definition.
    pub consortium: LocalConsortium,
    /// The chain's RPC URL.
    pub rpc_url: String,
    /// The deployment manifest.
    pub manifest: PathBuf,
    /// The folder holding the manifest, keys and logs.
    pub dir: PathBuf,
    /// The database the indexer writes and the API reads.
    pub database_url: String,
    /// `http://…/graphql`.
    pub api_url: String,
    options: StackOptions,
    admin_url: String,
    database: String,
    metrics_port: u16,
    api_port: u16,
    indexer: Option<Service>,
    api: Option<Service>,
    indexer_starts: u32,
    api_starts: u32,
    /// The gate between the API and the chain, with `rpc_gate`.
    pub gate: Option<gate::RpcGate>,
    /// The front between the indexer and the chain, with `indexer_front`.
    pub front: Option<front::RpcFront>,
    http: reqwest::Client,
    chain: Option<LocalChain>,
}

impl Stack {
    /// Starts anvil, deploys with the local consortium's roles, creates a database and starts
    /// the indexer and the API; returns once the API answers.
    pub async fn start(options: StackOptions) -> Self {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let consortium = LocalConsortium::load(&LocalConsortium::default_path()).expect("anvil/consortium.json");
        let anvil = AnvilOptions {
            anvil: egp_contracts::tools::anvil(),
            port: free_port(),
            block_time: options.block_time,
            state: None,
        };
        let chain = start_anvil(&consortium, &anvil).await.expect("anvil starts (scripts/bootstrap installs it)");
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("egp-e2e-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a temp folder");
        let manifest = dir.join("deployment.json");
        egp::deploy::deploy(&chain.url, consortium.admin().expect("admin"), None, Some(&consortium), &manifest, false)
            .await
            .expect("deploy");

        let server = options.database_server.clone().unwrap_or_else(|| {
            std::env::var("DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
        });
        let base = server.rsplit_once('/').map_or(server.as_str(), |(base, _)| base).to_owned();
        let database = format!("egp_e2e_{}_{n}", std::process::id());
        psql(&server, &format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"));
        psql(&server, &format!("CREATE DATABASE {database}"));
        let database_url = format!("{base}/{database}");
        egp_indexer::migrate(&database_url).await.expect("migrations");

        std::fs::write(dir.join("pepper"), PEPPER_HEX).expect("pepper file");
        let line = egp_api::auth::key_line(EGP_KEY, "egp", None, "e2e").expect("a valid key");
        std::fs::write(dir.join("api-keys"), line).expect("keys file");

        let api_port = free_port();
        let gate = if options.rpc_gate { Some(gate::RpcGate::open_to(&chain.url).await) } else { None };
        let front = if options.indexer_front { Some(front::RpcFront::open_to(&chain.url).await) } else { None };
        let mut stack = Self {
            consortium,
            rpc_url: chain.url.clone(),
            manifest,
            dir,
            database_url,
            api_url: format!("http://127.0.0.1:{api_port}/graphql"),
            options,
            admin_url: server,
            database,
            metrics_port: free_port(),
            api_port,
            indexer: None,
            api: None,
            indexer_starts: 0,
            api_starts: 0,
            gate,
            front,
            http: reqwest::Client::new(),
            chain: Some(chain),
        };
        stack.start_indexer();
        stack.start_api().await;
        stack
    }

    fn indexer_args(&self) -> Vec<String> {
        let rpc_url = self.front.as_ref().map_or_else(|| self.rpc_url.clone(), front::RpcFront::url);
        let mut args: Vec<String> = [
            "--database-url",
            &self.database_url,
            "--rpc-url",
            &rpc_url,
            "--manifest",
            &self.manifest.display().to_string(),
            "--poll-interval-ms",
            &self.options.poll_interval_ms.to_string(),
            "--metrics-addr",
            &format!("127.0.0.1:{}", self.metrics_port),
            "--progress",
            "log",
        ]
        .iter()
        .map(ToString::to_string)
        .collect();
        args.extend(self.options.indexer_args.iter().cloned());
        args
    }

    fn api_args(&self) -> Vec<String> {
        let rpc_url = self.gate.as_ref().map_or_else(|| self.rpc_url.clone(), gate::RpcGate::url);
        let mut args: Vec<String> = [
            "--database-url",
            &self.database_url,
            "--rpc-url",
            &rpc_url,
            "--manifest",
            &self.manifest.display().to_string(),
            "--pepper-file",
            &self.dir.join("pepper").display().to_string(),
            "--api-keys-file",
            &self.dir.join("api-keys").display().to_string(),
            "--listen",
            &format!("127.0.0.1:{}", self.api_port),
        ]
        .iter()
        .map(ToString::to_string)
        .collect();
        if self.options.gateway {
            // As an operator configures it: the gateway's mnemonic in a variable, and its index.
            let index = self.consortium.accounts.gateway.to_string();
            let wallet: &[&str] = if self.options.processes {
                &["--mnemonic-env", GATEWAY_MNEMONIC_ENV, "--mnemonic-index", &index]
            } else {
                &["--local-account", "gateway"]
            };
            args.extend(wallet.iter().map(ToString::to_string));
        }
        args.extend(self.options.api_args.iter().cloned());
        args
    }

    /// (Re)starts the indexer.
    pub fn start_indexer(&mut self) {
        self.indexer_starts += 1;
        let args = self.indexer_args();
        self.indexer = Some(if self.options.processes {
            let log = self.dir.join(format!("indexer-{}.log", self.indexer_starts));
            Service::Process(spawn(&binary("egp-indexer"), &args, &[], &log, None))
        } else {
            let cancel = CancellationToken::new();
            let settings = egp_indexer::Settings::from_args(args);
            let token = cancel.clone();
            tokio::spawn(async move { egp_indexer::run(settings, token).await.expect("indexer") });
            Service::Task(cancel)
        });
    }

    /// (Re)starts the API and waits until it answers.
    pub async fn start_api(&mut self) {
        self.api_starts += 1;
        let args = self.api_args();
        self.api = Some(if self.options.processes {
            let log = self.dir.join(format!("api-{}.log", self.api_starts));
            let env = [(GATEWAY_MNEMONIC_ENV, self.consortium.mnemonic.as_str())];
            if self.options.api_copied_alone {
                let alone = self.dir.join("alone");
                std::fs::create_dir_all(&alone).expect("a folder for the binary");
                std::fs::copy(binary("egp-api"), alone.join("egp-api")).expect("a copy of egp-api");
                Service::Process(spawn(&alone.join("egp-api"), &args, &env, &log, Some(&alone)))
            } else {
                Service::Process(spawn(&binary("egp-api"), &args, &env, &log, None))
            }
        } else {
            let cancel = CancellationToken::new();
            let settings = egp_api::Settings::from_args(args);
            let token = cancel.clone();
            tokio::spawn(async move { egp_api::serve(settings, token).await.expect("api") });
            Service::Task(cancel)
        });
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.http.get(format!("http://127.0.0.1:{}/metrics", self.api_port)).send().await.is_err() {
            assert!(Instant::now() < deadline, "the API did not come up; see {}", self.dir.display());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Kills the API process with SIGKILL, wherever it is.
    pub fn kill_api(&mut self) {
        if let Some(mut service) = self.api.take() {
            service.stop();
        }
    }

    /// Kills the indexer process with SIGKILL, wherever it is.
    pub fn kill_indexer(&mut self) {
        if let Some(mut service) = self.indexer.take() {
            service.stop();
        }
    }

    /// What `egp-indexer verify` finds over everything indexed so far: every event, block and
    /// current-state row compared with the chain and a fresh fold of its events.
    pub async fn verify(&self) -> egp_indexer::verify::Report {
        let deployment = egp_contracts::Deployment::read(&self.manifest).expect("the manifest");
        let chain = egp_indexer::chain::Chain::connect(&self.rpc_url, Duration::from_secs(10), Default::default())
            .expect("the node");
        let mut conn = egp_indexer::follow::connect(&self.database_url).await.expect("the database");
        egp_indexer::verify::verify(&mut conn, &chain, &deployment, None, None).await.expect("verify runs")
    }

    /// A connection signing as `signer`.
    pub async fn connect(&self, signer: PrivateKeySigner) -> Egp {
        Egp::connect(&self.rpc_url, &self.manifest, Some(signer)).await.expect("connect")
    }

    /// A bank's connection.
    pub async fn bank(&self, code: u16) -> Egp {
        self.connect(self.consortium.bank(BankCode::new(code).expect("a bank code")).expect("a bank")).await
    }

    /// The e-GP gateway's connection.
    pub async fn gateway(&self) -> Egp {
        self.connect(self.consortium.gateway().expect("gateway")).await
    }

    /// The admin's connection.
    pub async fn admin(&self) -> Egp {
        self.connect(self.consortium.admin().expect("admin")).await
    }

    /// A GraphQL request as e-GP sends it, through `client`; `None` when no answer came (the API
    /// is down or was killed mid-request).
    pub async fn try_graphql(&self, client: &reqwest::Client, query: &str, variables: Value) -> Option<Value> {
        let body = json!({ "query": query, "variables": variables }).to_string();
        let response = client
            .post(&self.api_url)
            .header("authorization", format!("Bearer {EGP_KEY}"))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .ok()?;
        let text = response.text().await.ok()?;
        Some(serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}")))
    }

    /// A GraphQL request as e-GP sends it (HTTP POST with the egp key); the whole response.
    pub async fn graphql(&self, query: &str, variables: Value) -> Value {
        let body = json!({ "query": query, "variables": variables }).to_string();
        let response = self
            .http
            .post(&self.api_url)
            .header("authorization", format!("Bearer {EGP_KEY}"))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("the API answers");
        let text = response.text().await.expect("a body");
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"))
    }

    /// The indexed block the API answers from (its consistency marker), if any.
    pub async fn indexed_block(&self) -> Option<u64> {
        let response = self.graphql("{ banks { code } }", Value::Null).await;
        response["extensions"]["consistency"]["indexedBlockNumber"].as_u64()
    }

    /// Waits until the API answers from `block` or later.
    pub async fn wait_indexed(&self, block: u64) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if self.indexed_block().await.is_some_and(|indexed| indexed >= block) {
                return;
            }
            assert!(Instant::now() < deadline, "the API never reached block {block}");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// The chain's current block.
    pub async fn head(&self) -> u64 {
        use alloy::providers::Provider;
        self.admin().await.provider().get_block_number().await.expect("a block number")
    }

    /// `http://127.0.0.1:<port>`: where the API serves its pages.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.api_port)
    }

    /// `ws://…/graphql/ws`.
    pub fn ws_url(&self) -> String {
        format!("ws://127.0.0.1:{}/graphql/ws", self.api_port)
    }

    /// Everything the indexer and the API logged.
    pub fn logs(&self) -> String {
        let mut all = String::new();
        for entry in std::fs::read_dir(&self.dir).into_iter().flatten().flatten() {
            if entry.path().extension().is_some_and(|ext| ext == "log") {
                all.push_str(&std::fs::read_to_string(entry.path()).unwrap_or_default());
            }
        }
        all
    }

    /// The last lines of each log, for a failing test's message.
    pub fn logs_tail(&self) -> String {
        let mut all = String::new();
        for entry in std::fs::read_dir(&self.dir).into_iter().flatten().flatten() {
            if entry.path().extension().is_some_and(|ext| ext == "log") {
                let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
                let lines: Vec<&str> = text.lines().collect();
                all.push_str(&format!("--- {}\n", entry.path().display()));
                all.push_str(&lines[lines.len().saturating_sub(30)..].join("\n"));
                all.push('\n');
            }
        }
        all
    }

    /// Runs a query on the stack's database through `psql`, returning its unaligned output.
    pub fn sql(&self, query: &str) -> String {
        let output = Command::new("psql")
            .args(["-X", "-q", "-t", "-A", &self.database_url, "-c", query])
            .output()
            .expect("psql runs");
        assert!(output.status.success(), "psql failed: {}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).expect("UTF-8")
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        for service in [self.api.take(), self.indexer.take()].into_iter().flatten() {
            let mut service = service;
            service.stop();
        }
        // The server may be a private one already stopped.
        try_psql(&self.admin_url, &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.database));
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// The guarantee id of `bank_ref` of `bank`.
pub fn guarantee_id(bank: u16, bank_ref: &str) -> B256 {
    egp_contracts::types::record_id(BankCode::new(bank).expect("a bank code"), bank_ref)
}
