//! Configuration: flags, each with an environment variable. Secrets (the pepper, API keys) come
//! from the environment or files only, never from flags.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use egp_contracts::Pepper;

use crate::auth::ApiKeys;
use crate::{Error, Result};

/// egp-api: GraphQL API over the indexer's mirror of egp-chain — look up, verify and follow
/// guarantees and credit confirmations, with proof of where each fact lives on chain.
#[derive(Debug, Parser)]
#[command(name = "egp-api", version, about, long_about = None)]
pub struct Cli {
    /// What to do (default: serve).
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Settings of the server.
    #[command(flatten)]
    pub settings: Settings,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API (the default).
    Serve,
    /// Read an API key from standard input and print the line to put in the API keys file.
    HashKey {
        /// Role: `egp`, `bank` or `verify`.
        #[arg(long)]
        role: String,
        /// The bank of a `bank` key (`002`).
        #[arg(long)]
        bank: Option<String>,
        /// A label for logs (never the key).
        #[arg(long, default_value = "key")]
        label: String,
    },
}

/// Settings of the server.
#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// PostgreSQL connection URL (the indexer's database); required to serve.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// JSON-RPC endpoint of a node, for `fresh` verification and the chain head.
    #[arg(long, env = "EGP_RPC_URL", default_value = "http://127.0.0.1:8545")]
    pub rpc_url: String,
    /// The deployment manifest: selects the chain whose mirror is served (default: the only one).
    #[arg(long, env = "EGP_MANIFEST")]
    pub manifest: Option<PathBuf>,
    /// File holding the HMAC pepper (hex, at least 16 bytes); else the `EGP_PEPPER` variable.
    #[arg(long, env = "EGP_PEPPER_FILE")]
    pub pepper_file: Option<PathBuf>,
    /// File of API keys (`role[:bank] sha256:<hex> [label]` per line); entries in the
    /// `EGP_API_KEYS` variable (`;`-separated) are added.
    #[arg(long, env = "EGP_API_KEYS_FILE")]
    pub api_keys_file: Option<PathBuf>,
    /// Address to listen on.
    #[arg(long, env = "EGP_API_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Limits.
    #[command(flatten)]
    pub limits: Limits,
    /// Most database connections.
    #[arg(long, env = "EGP_API_DB_CONNECTIONS", default_value_t = 16)]
    pub db_connections: u32,
    /// `/health` fails when the mirror is more than this many blocks behind the node.
    #[arg(long, env = "EGP_API_HEALTH_MAX_LAG", default_value_t = 20)]
    pub health_max_lag: u64,
    /// The e-GP gateway's signer and the outbox's limits (mutations).
    #[command(flatten)]
    pub gateway: crate::outbox::GatewaySettings,
    /// The public pages.
    #[command(flatten)]
    pub public: crate::web::PublicSettings,
}

/// Request limits, all on by default.
#[derive(Debug, Clone, Args)]
pub struct Limits {
    /// Deepest query nesting.
    #[arg(long, env = "EGP_API_MAX_DEPTH", default_value_t = 12)]
    pub max_depth: usize,
    /// Highest query complexity (a list field counts its page size times its children).
    #[arg(long, env = "EGP_API_MAX_COMPLEXITY", default_value_t = 5000)]
    pub max_complexity: usize,
    /// Largest page (`first`/`last`); at most 100.
    #[arg(long, env = "EGP_API_MAX_PAGE_SIZE", default_value_t = 100)]
    pub max_page_size: usize,
    /// Largest request body, bytes.
    #[arg(long, env = "EGP_API_MAX_BODY_BYTES", default_value_t = 64 * 1024)]
    pub max_body_bytes: usize,
    /// Time limit of one request, milliseconds.
    #[arg(long, env = "EGP_API_TIMEOUT_MS", default_value_t = 10_000)]
    pub timeout_ms: u64,
    /// Requests executed at once; more wait (up to the time limit) for a slot.
    #[arg(long, env = "EGP_API_MAX_CONCURRENT", default_value_t = 64)]
    pub max_concurrent: usize,
    /// Subscriptions one WebSocket connection may run at once; one more is refused with an
    /// `error` message (`TOO_MANY_SUBSCRIPTIONS`) and the connection stays open.
    #[arg(long, env = "EGP_API_WS_MAX_SUBSCRIPTIONS", default_value_t = 100)]
    pub ws_max_subscriptions: usize,
    /// WebSocket connections one API key may have open at once; one more is closed with 4403.
    #[arg(long, env = "EGP_API_WS_MAX_CONNECTIONS_PER_KEY", default_value_t = 32)]
    pub ws_max_connections_per_key: usize,
    /// Time a WebSocket client has to send `connection_init`, milliseconds (else closed with 4408).
    #[arg(long, env = "EGP_API_WS_INIT_TIMEOUT_MS", default_value_t = 5_000)]
    pub ws_init_timeout_ms: u64,
    /// A WebSocket connection without subscriptions that hears nothing from its client for this
    /// long, milliseconds, is closed (1000).
    #[arg(long, env = "EGP_API_WS_IDLE_TIMEOUT_MS", default_value_t = 300_000)]
    pub ws_idle_timeout_ms: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_depth: 12,
            max_complexity: 5000,
            max_page_size: 100,
            max_body_bytes: 64 * 1024,
            timeout_ms: 10_000,
            max_concurrent: 64,
            ws_max_subscriptions: 100,
            ws_max_connections_per_key: 32,
            ws_init_timeout_ms: 5_000,
            ws_idle_timeout_ms: 300_000,
        }
    }
}

impl Limits {
    /// The request time limit.
    pub fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms)
    }

    /// Refuses limits that are off or out of range.
    pub fn check(&self) -> Result<()> {
        if !(1..=100).contains(&self.max_page_size) {
            return Err(Error::Config(format!("max page size {} is not between 1 and 100", self.max_page_size)));
        }
        let counts = [
            self.max_depth,
            self.max_complexity,
            self.max_concurrent,
            self.ws_max_subscriptions,
            self.ws_max_connections_per_key,
        ];
        if counts.contains(&0) || [self.timeout_ms, self.ws_init_timeout_ms, self.ws_idle_timeout_ms].contains(&0) {
            return Err(Error::Config("limits must be above 0".into()));
        }
        Ok(())
    }
}

impl Settings {
    /// Settings from command-line arguments (after the program name), for tests and tools.
    pub fn from_args<I: IntoIterator<Item = S>, S: Into<std::ffi::OsString> + Clone>(args: I) -> Self {
        #[derive(Parser)]
        struct Only {
            #[command(flatten)]
            settings: Settings,
        }
        let argv = std::iter::once(std::ffi::OsString::from("egp-api")).chain(args.into_iter().map(Into::into));
        Only::parse_from(argv).settings
    }

    /// The pepper: from `--pepper-file`, else `EGP_PEPPER`. Its value never appears in errors.
    pub fn pepper(&self) -> Result<Pepper> {
        let text = match &self.pepper_file {
            Some(path) => std::fs::read_to_string(path)
                .map_err(|e| Error::Config(format!("cannot read the pepper file {}: {}", path.display(), e.kind())))?,
            None => std::env::var("EGP_PEPPER")
                .map_err(|_| Error::Config("set EGP_PEPPER or --pepper-file (hex, at least 16 bytes)".into()))?,
        };
        Pepper::from_hex(text.trim()).map_err(|e| Error::Config(format!("the pepper is unusable: {e}")))
    }

    /// The API keys: `--api-keys-file` plus `EGP_API_KEYS`. At least one is required.
    pub fn api_keys(&self) -> Result<ApiKeys> {
        let mut text = String::new();
        if let Some(path) = &self.api_keys_file {
            text = std::fs::read_to_string(path).map_err(|e| {
                Error::Config(format!("cannot read the API keys file {}: {}", path.display(), e.kind()))
            })?;
        }
        if let Ok(inline) = std::env::var("EGP_API_KEYS") {
            text.push('\n');
            text.push_str(&inline.replace(';', "\n"));
        }
        let keys = ApiKeys::parse(&text)?;
        if keys.is_empty() {
            return Err(Error::Config("no API key configured (--api-keys-file or EGP_API_KEYS)".into()));
        }
        Ok(keys)
    }

    /// The chain id named by the manifest, if one is configured.
    pub fn chain_id(&self) -> Result<Option<u64>> {
        let Some(path) = &self.manifest else { return Ok(None) };
        let deployment = egp_contracts::Deployment::read(path)
            .map_err(|e| Error::Config(format!("cannot read the manifest {}: {e}", path.display())))?;
        Ok(Some(deployment.chain_id))
    }
}
