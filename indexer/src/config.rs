//! Configuration: flags, each with an environment variable, documented in `--help`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use alloy::transports::http::reqwest::Url;
use clap::{Args, Parser, Subcommand};

/// egp-indexer: mirrors every event of an egp-chain deployment into PostgreSQL, exactly once,
/// following reorgs and surviving crashes; `verify` proves the mirror against the chain.
#[derive(Debug, Parser)]
#[command(name = "egp-indexer", version, about, long_about = None)]
pub struct Cli {
    /// What to do (default: run).
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Settings shared by every command.
    #[command(flatten)]
    pub settings: Settings,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Index: backfill from the deployment block, then follow the chain (the default).
    Run,
    /// Re-read the chain and compare it with the database; exit code 1 on any difference.
    Verify(VerifyArgs),
    /// Apply the database migrations and exit.
    Migrate,
}

/// Which blocks `verify` re-reads.
#[derive(Debug, Clone, Args)]
pub struct VerifyArgs {
    /// First block (default: the deployment block).
    #[arg(long)]
    pub from_block: Option<u64>,
    /// Last block (default: the checkpoint).
    #[arg(long)]
    pub to_block: Option<u64>,
}

/// Settings of the indexer.
#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// PostgreSQL connection URL.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: String,
    /// JSON-RPC endpoint of a node of the chain (http:// or https://).
    #[arg(long, env = "EGP_RPC_URL", default_value = "http://127.0.0.1:8545")]
    pub rpc_url: String,
    /// The deployment manifest written by `egp deploy` (chain id, addresses, deployment blocks).
    #[arg(long, env = "EGP_MANIFEST", default_value = "deployment.json")]
    pub manifest: PathBuf,
    /// Blocks on top of a block before it counts as final (0 for instant-finality chains such as
    /// Besu QBFT).
    #[arg(long, env = "EGP_CONFIRMATIONS", default_value_t = 0)]
    pub confirmations: u64,
    /// Take finality from the node's `finalized` block tag instead of counting confirmations.
    #[arg(long, env = "EGP_USE_FINALIZED_TAG")]
    pub finalized_tag: bool,
    /// How often to ask for new blocks once caught up, in milliseconds (with new heads over
    /// WebSocket, the safety net for a missed notification).
    #[arg(long, env = "EGP_POLL_INTERVAL_MS", default_value_t = 1000)]
    pub poll_interval_ms: u64,
    /// Where new heads come from once caught up: `auto` (`ws://` or `wss://` at the host and port
    /// of `--rpc-url`, as anvil serves), a `ws://` or `wss://` URL (Besu serves WebSocket on its
    /// own port, often 8546), or `off` to only poll. Without a subscription the indexer polls.
    #[arg(long, env = "EGP_WS_URL", default_value = "auto", value_name = "auto|off|URL")]
    pub ws_url: WsUrl,
    /// First `eth_getLogs` range, in blocks; it doubles while the blocks hold fewer events than
    /// half a batch and answers come fast, and halves on refusals. Starting small means the first
    /// batch commits at once, however dense the first blocks are.
    #[arg(long, env = "EGP_INITIAL_BLOCK_RANGE", default_value_t = 1)]
    pub initial_block_range: u64,
    /// Largest `eth_getLogs` range, in blocks.
    #[arg(long, env = "EGP_MAX_BLOCK_RANGE", default_value_t = 50_000)]
    pub max_block_range: u64,
    /// Events per batch the range aims at (the range stops growing above it).
    #[arg(long, env = "EGP_TARGET_BATCH_EVENTS", default_value_t = 10_000)]
    pub target_batch_events: u64,
    /// Blocks below the head whose every header is read and chained (reorg detection window);
    /// older blocks are read as ranges.
    #[arg(long, env = "EGP_REORG_WINDOW", default_value_t = 128)]
    pub reorg_window: u64,
    /// Time limit of one JSON-RPC call, in milliseconds.
    #[arg(long, env = "EGP_RPC_TIMEOUT_MS", default_value_t = 20_000)]
    pub rpc_timeout_ms: u64,
    /// Longest pause between retries after an RPC or database fault, in milliseconds.
    #[arg(long, env = "EGP_MAX_BACKOFF_MS", default_value_t = 30_000)]
    pub max_backoff_ms: u64,
    /// Address for `/metrics` and `/health` (none when absent).
    #[arg(long, env = "EGP_METRICS_ADDR")]
    pub metrics_addr: Option<SocketAddr>,
    /// `/health` fails when no loop iteration succeeded for this long, in seconds.
    #[arg(long, env = "EGP_HEALTH_STALE_SECS", default_value_t = 60)]
    pub health_stale_secs: u64,
    /// Stop once this block is indexed (default: follow forever).
    #[arg(long, env = "EGP_STOP_AT_BLOCK")]
    pub stop_at_block: Option<u64>,
    /// Stop once caught up with the head (a one-off backfill).
    #[arg(long, env = "EGP_EXIT_WHEN_CAUGHT_UP")]
    pub exit_when_caught_up: bool,
    /// Progress bar on a terminal, log lines otherwise: `auto`, `bar`, `log` or `off`.
    #[arg(long, env = "EGP_PROGRESS", default_value = "auto")]
    pub progress: String,
}

impl Settings {
    /// Settings from command-line arguments (after the program name), for tests and tools.
    pub fn from_args<I: IntoIterator<Item = S>, S: Into<std::ffi::OsString> + Clone>(args: I) -> Self {
        #[derive(Parser)]
        struct Only {
            #[command(flatten)]
            settings: Settings,
        }
        let argv = std::iter::once(std::ffi::OsString::from("egp-indexer")).chain(args.into_iter().map(Into::into));
        Only::parse_from(argv).settings
    }

    /// The WebSocket endpoint to subscribe to new heads at, `None` to only poll.
    pub fn ws_endpoint(&self) -> Option<String> {
        match &self.ws_url {
            WsUrl::Off => None,
            WsUrl::Url(url) => Some(url.clone()),
            WsUrl::Auto => {
                let mut url = Url::parse(&self.rpc_url).ok()?;
                let scheme = match url.scheme() {
                    "http" | "ws" => "ws",
                    "https" | "wss" => "wss",
                    _ => return None,
                };
                url.set_scheme(scheme).ok()?;
                Some(url.into())
            }
        }
    }

    /// The poll interval.
    pub fn poll_interval(&self) -> Duration {
        Duration::from_millis(self.poll_interval_ms)
    }

    /// The RPC time limit.
    pub fn rpc_timeout(&self) -> Duration {
        Duration::from_millis(self.rpc_timeout_ms)
    }

    /// The longest back-off.
    pub fn max_backoff(&self) -> Duration {
        Duration::from_millis(self.max_backoff_ms)
    }
}

/// `--ws-url`: where new heads come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WsUrl {
    /// The WebSocket URL at the host and port of `--rpc-url` (`http` → `ws`, `https` → `wss`).
    Auto,
    /// No subscription: poll only.
    Off,
    /// This `ws://` or `wss://` URL.
    Url(String),
}

impl FromStr for WsUrl {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        if value.eq_ignore_ascii_case("auto") {
            return Ok(Self::Auto);
        }
        if value.eq_ignore_ascii_case("off") {
            return Ok(Self::Off);
        }
        let expected = "expected `auto`, `off` or a ws:// or wss:// URL";
        let url = Url::parse(value).map_err(|error| format!("{expected} ({error})"))?;
        if !matches!(url.scheme(), "ws" | "wss") {
            return Err(format!("{expected}, not {}://", url.scheme()));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(format!("{expected} with a host"));
        }
        Ok(Self::Url(value.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::{Cli, Settings, WsUrl};

    fn settings(rpc_url: &str, ws_url: Option<&str>) -> Settings {
        let mut args = vec!["--database-url", "postgres://localhost/egp", "--rpc-url", rpc_url];
        if let Some(ws_url) = ws_url {
            args.extend(["--ws-url", ws_url]);
        }
        Settings::from_args(args)
    }

    #[test]
    fn ws_url_auto_takes_the_host_and_port_of_the_rpc_url() {
        let cases = [
            ("http://127.0.0.1:8545", "ws://127.0.0.1:8545/"),
            ("http://localhost:8545/", "ws://localhost:8545/"),
            ("https://node.example:8443/rpc?key=1", "wss://node.example:8443/rpc?key=1"),
            ("https://node.example", "wss://node.example/"),
            ("http://user:secret@node.example:8545", "ws://user:secret@node.example:8545/"),
            ("ws://127.0.0.1:8546", "ws://127.0.0.1:8546/"),
        ];
        for (rpc, ws) in cases {
            assert_eq!(settings(rpc, None).ws_endpoint().as_deref(), Some(ws), "from {rpc}");
            assert_eq!(settings(rpc, Some("auto")).ws_endpoint().as_deref(), Some(ws), "from {rpc}");
        }
        // Nothing to derive a WebSocket from: poll.
        assert_eq!(settings("unix:///tmp/node.ipc", None).ws_endpoint(), None);
        assert_eq!(settings("not a url", None).ws_endpoint(), None);
    }

    #[test]
    fn ws_url_explicit_or_off() {
        let besu = settings("http://10.0.0.5:8545", Some("ws://10.0.0.5:8546"));
        assert_eq!(besu.ws_url, WsUrl::Url("ws://10.0.0.5:8546".into()));
        assert_eq!(besu.ws_endpoint().as_deref(), Some("ws://10.0.0.5:8546"));
        assert_eq!(
            settings("https://a.example", Some("wss://b.example/ws")).ws_endpoint().as_deref(),
            Some("wss://b.example/ws")
        );
        for off in ["off", "OFF"] {
            assert_eq!(settings("http://127.0.0.1:8545", Some(off)).ws_endpoint(), None);
        }
        assert_eq!("Auto".parse::<WsUrl>(), Ok(WsUrl::Auto));
    }

    #[test]
    fn ws_url_rejects_what_is_not_a_websocket_url() {
        for bad in ["http://127.0.0.1:8546", "127.0.0.1:8546", "ws://", "yes", ""] {
            let error = Cli::try_parse_from(["egp-indexer", "--database-url", "postgres://x/egp", "--ws-url", bad])
                .expect_err(bad)
                .to_string();
            assert!(error.contains("--ws-url"), "{bad}: {error}");
            assert!(error.contains(&format!("'{bad}'")), "{bad}: {error}");
            assert!(error.contains("expected `auto`, `off` or a ws:// or wss:// URL"), "{bad}: {error}");
        }
    }
}
