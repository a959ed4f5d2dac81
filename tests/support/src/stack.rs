//! The whole stack for end-to-end tests and the latency benchmark: the local consortium's chain
//! with the contracts deployed, a scratch database migrated by `egp-indexer migrate`, and
//! `egp-indexer` and `egp-api` as processes (killable, each start with its own log file), seen
//! from e-GP's side: GraphQL over HTTP with the `egp` key.

use std::path::PathBuf;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use alloy::providers::Provider;
use alloy::signers::local::PrivateKeySigner;
use alloy::transports::http::reqwest;
use egp::Egp;
use egp::local::LocalConsortium;
use serde_json::{Value, json};

use crate::chain::{Chain, ChainOptions, Net, pepper_hex};
use crate::db::{ScratchDb, psql, server_url};
use crate::dirs::TempDir;
use crate::front::RpcFront;
use crate::ports::free_port;
use crate::process::{binary, run, spawn};

/// The API key of the `egp` role in every stack.
pub const EGP_KEY: &str = "e2e-egp-key-0123456789";

/// The variable the API reads the gateway's mnemonic from (`--mnemonic-env`).
const GATEWAY_MNEMONIC_ENV: &str = "EGP_E2E_GATEWAY_MNEMONIC";

/// How the stack runs.
#[derive(Debug, Clone)]
pub struct StackOptions {
    /// Seconds between blocks (`None`: a block per transaction).
    pub block_time: Option<u64>,
    /// Keep anvil's states of the latest blocks in memory only, for a chain reorganised with
    /// `anvil_rollback` ([`egp::local::AnvilOptions::states_in_memory`]).
    pub anvil_states_in_memory: bool,
    /// How often the indexer polls the head.
    pub poll_interval_ms: u64,
    /// Give the API the local gateway's wallet (mutations on).
    pub gateway: bool,
    /// Put an [`RpcFront`] between the API and the chain (the indexer reads the chain directly).
    pub api_front: bool,
    /// More arguments for the API.
    pub api_args: Vec<String>,
    /// Run the API from a copy of its binary alone in the stack's folder, that folder as its
    /// working directory (it must need nothing from the checkout).
    pub api_copied_alone: bool,
    /// The PostgreSQL server to create the stack's database on (`postgres://…/postgres`);
    /// `DATABASE_URL` when absent.
    pub database_server: Option<String>,
    /// Put a [`RpcFront`] between the indexer and the chain.
    pub indexer_front: bool,
    /// More arguments for the indexer.
    pub indexer_args: Vec<String>,
}

impl Default for StackOptions {
    fn default() -> Self {
        Self {
            block_time: None,
            anvil_states_in_memory: false,
            poll_interval_ms: 50,
            gateway: false,
            api_front: false,
            api_args: Vec::new(),
            api_copied_alone: false,
            database_server: None,
            indexer_front: false,
            indexer_args: Vec::new(),
        }
    }
}

/// A child process killed (SIGKILL) and reaped on drop.
struct Service(Child);

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Everything running together. Dropping it kills the services and drops the database; the
/// folder with the logs is kept when a test fails.
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
    /// The front between the API and the chain, with `api_front`.
    pub api_front: Option<RpcFront>,
    /// The front between the indexer and the chain, with `indexer_front`.
    pub front: Option<RpcFront>,
    options: StackOptions,
    metrics_port: u16,
    api_port: u16,
    // Declared before the database and the chain: dropped (killed) first.
    indexer: Option<Service>,
    api: Option<Service>,
    indexer_starts: u32,
    api_starts: u32,
    http: reqwest::Client,
    _database: ScratchDb,
    net: Net,
}

impl Stack {
    /// Starts anvil, deploys with the local consortium's roles, creates and migrates a database
    /// and starts the indexer and the API; returns once the API answers.
    pub async fn start(options: StackOptions) -> Self {
        let chain = Chain::with_options(ChainOptions {
            block_time: options.block_time,
            states_in_memory: options.anvil_states_in_memory,
        })
        .await;
        let net = Net::on(chain, TempDir::kept_on_failure("e2e")).await;
        let dir = net.dir().path().to_owned();
        let database = ScratchDb::create(&options.database_server.clone().unwrap_or_else(server_url), "e2e")
            .await
            .expect("a scratch database");
        let database_url = database.url().to_owned();
        run(&binary("egp-indexer"), &["--database-url", &database_url, "migrate"], "");

        std::fs::write(dir.join("pepper"), pepper_hex()).expect("pepper file");
        let line = run(&binary("egp-api"), &["hash-key", "--role", "egp", "--label", "e2e"], EGP_KEY);
        std::fs::write(dir.join("api-keys"), line).expect("keys file");

        let api_port = free_port();
        let api_front = if options.api_front { Some(RpcFront::open_to(&net.url).await) } else { None };
        let front = if options.indexer_front { Some(RpcFront::open_to(&net.url).await) } else { None };
        let mut stack = Self {
            consortium: net.consortium().clone(),
            rpc_url: net.url.clone(),
            manifest: net.manifest.clone(),
            dir,
            database_url,
            api_url: format!("http://127.0.0.1:{api_port}/graphql"),
            api_front,
            front,
            options,
            metrics_port: free_port(),
            api_port,
            indexer: None,
            api: None,
            indexer_starts: 0,
            api_starts: 0,
            http: {
                egp_contracts::tls::use_ring();
                reqwest::Client::new()
            },
            _database: database,
            net,
        };
        stack.start_indexer();
        stack.start_api().await;
        stack
    }

    fn indexer_args(&self) -> Vec<String> {
        let rpc_url = self.front.as_ref().map_or_else(|| self.rpc_url.clone(), RpcFront::url);
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
        let rpc_url = self.api_front.as_ref().map_or_else(|| self.rpc_url.clone(), RpcFront::url);
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
            args.extend(["--mnemonic-env", GATEWAY_MNEMONIC_ENV, "--mnemonic-index", index.as_str()].map(String::from));
        }
        args.extend(self.options.api_args.iter().cloned());
        args
    }

    /// (Re)starts the indexer.
    pub fn start_indexer(&mut self) {
        self.indexer_starts += 1;
        let log = self.dir.join(format!("indexer-{}.log", self.indexer_starts));
        self.indexer = Some(Service(spawn(&binary("egp-indexer"), &self.indexer_args(), &[], &log, None)));
    }

    /// (Re)starts the API and waits until it answers.
    pub async fn start_api(&mut self) {
        self.api_starts += 1;
        let args = self.api_args();
        let log = self.dir.join(format!("api-{}.log", self.api_starts));
        let env = [(GATEWAY_MNEMONIC_ENV, self.consortium.mnemonic.as_str())];
        let child = if self.options.api_copied_alone {
            let alone = self.dir.join("alone");
            std::fs::create_dir_all(&alone).expect("a folder for the binary");
            std::fs::copy(binary("egp-api"), alone.join("egp-api")).expect("a copy of egp-api");
            spawn(&alone.join("egp-api"), &args, &env, &log, Some(&alone))
        } else {
            spawn(&binary("egp-api"), &args, &env, &log, None)
        };
        self.api = Some(Service(child));
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.http.get(format!("http://127.0.0.1:{}/metrics", self.api_port)).send().await.is_err() {
            assert!(Instant::now() < deadline, "the API did not come up; see {}", self.dir.display());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Kills the API process with SIGKILL, wherever it is.
    pub fn kill_api(&mut self) {
        self.api = None;
    }

    /// Kills the indexer process with SIGKILL, wherever it is.
    pub fn kill_indexer(&mut self) {
        self.indexer = None;
    }

    /// The chain with the contracts deployed.
    pub fn net(&self) -> &Net {
        &self.net
    }

    /// A connection signing as `signer`.
    pub async fn connect(&self, signer: PrivateKeySigner) -> Egp {
        self.net.connect(signer).await
    }

    /// A bank's connection.
    pub async fn bank(&self, code: u16) -> Egp {
        self.net.bank(code).await
    }

    /// The e-GP gateway's connection.
    pub async fn gateway(&self) -> Egp {
        self.net.gateway().await
    }

    /// The admin's connection.
    pub async fn admin(&self) -> Egp {
        self.net.admin().await
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
        self.try_graphql(&self.http, query, variables).await.expect("the API answers")
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

    fn log_files(&self) -> Vec<PathBuf> {
        let mut logs: Vec<PathBuf> = std::fs::read_dir(&self.dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|entry| entry.path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "log"))
            .collect();
        logs.sort();
        logs
    }

    /// Everything the indexer and the API logged.
    pub fn logs(&self) -> String {
        self.log_files().iter().map(|path| std::fs::read_to_string(path).unwrap_or_default()).collect()
    }

    /// The last lines of each log, for a failing test's message.
    pub fn logs_tail(&self) -> String {
        let mut all = String::new();
        for path in self.log_files() {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let lines: Vec<&str> = text.lines().collect();
            all.push_str(&format!("--- {}\n", path.display()));
            all.push_str(&lines[lines.len().saturating_sub(30)..].join("\n"));
            all.push('\n');
        }
        all
    }

    /// Runs a query on the stack's database through `psql`, returning its unaligned output.
    pub fn sql(&self, query: &str) -> String {
        psql(&self.database_url, query)
    }
}

/// What a fault-injection run needs: a graceful stop, liveness, and reads that may fail.
impl Stack {
    /// Stops everything, anvil with SIGTERM so that it removes its state folder (a SIGKILL,
    /// as on drop, leaves it behind).
    pub async fn shutdown(mut self) {
        self.kill_api();
        self.kill_indexer();
        let _ = self.net.chain.stop().await;
    }

    /// Whether the indexer process is running (it was not killed, or was started again).
    pub fn indexer_running(&self) -> bool {
        self.indexer.is_some()
    }

    /// Whether the API process is running.
    pub fn api_running(&self) -> bool {
        self.api.is_some()
    }

    /// Whether the indexer process is alive; `false` once it exited on its own (a panic or a
    /// fatal error), or when it is not started.
    pub fn indexer_alive(&mut self) -> bool {
        self.indexer.as_mut().is_some_and(|service| matches!(service.0.try_wait(), Ok(None)))
    }

    /// The indexer's arguments, for a second indexer on another database (`--database-url`
    /// replaced) reading the chain directly, without metrics.
    pub fn clean_indexer_args(&self, database_url: &str) -> Vec<String> {
        let mut args = self.indexer_args();
        args[1] = database_url.to_owned();
        args[3] = self.rpc_url.clone();
        // The running indexer holds the metrics port.
        if let Some(at) = args.iter().position(|arg| arg == "--metrics-addr") {
            args.drain(at..at + 2);
        }
        args
    }

    /// [`Stack::sql`] that gives `None` when `psql` fails (the server is away).
    pub fn try_sql(&self, query: &str) -> Option<String> {
        let output =
            Command::new("psql").args(["-X", "-q", "-t", "-A", &self.database_url, "-c", query]).output().ok()?;
        if !output.status.success() {
            return None;
        }
        String::from_utf8(output.stdout).ok()
    }

    /// Whether the API answers a query (with data or an error).
    pub async fn api_answers(&self) -> bool {
        let body = json!({ "query": "{ banks { code } }" }).to_string();
        let request = self.http.post(&self.api_url).header("authorization", format!("Bearer {EGP_KEY}"));
        request.header("content-type", "application/json").body(body).send().await.is_ok()
    }
}
