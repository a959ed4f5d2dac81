//! The stack's processes and tools: workspace binaries started with their output in a log file,
//! and `psql` statements.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::Stack;

/// Runs `statement` on `url` with `psql`; panics when it fails.
pub(crate) fn psql(url: &str, statement: &str) {
    let status = Command::new("psql")
        .args(["-X", "-q", url, "-c", statement])
        .env("PGOPTIONS", "--client-min-messages=warning")
        .stdout(Stdio::null())
        .status();
    assert!(status.is_ok_and(|s| s.success()), "psql failed: {statement}");
}

/// Runs `statement` on `url` with `psql`; whether it succeeded.
pub(crate) fn try_psql(url: &str, statement: &str) -> bool {
    Command::new("psql")
        .args(["-X", "-q", url, "-c", statement])
        .env("PGOPTIONS", "--client-min-messages=warning")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// A workspace binary built next to this executable (`cargo nextest run --workspace` builds them).
pub fn binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the current executable");
    let candidates = exe.ancestors().skip(1).take(3).map(|dir| dir.join(name)).collect::<Vec<_>>();
    candidates.iter().find(|path| path.is_file()).cloned().unwrap_or_else(|| {
        panic!("{name} is not built next to {}: run `cargo build --workspace --bins` first", exe.display())
    })
}

/// Starts `binary` with its output in `log`, in `cwd` when given (else the test's directory).
pub(crate) fn spawn(binary: &Path, args: &[String], env: &[(&str, &str)], log: &Path, cwd: Option<&Path>) -> Child {
    let log = std::fs::File::create(log).expect("a log file");
    let mut command = Command::new(binary);
    if let Some(cwd) = cwd {
        command.current_dir(cwd);
    }
    command
        .args(args)
        .envs(env.iter().copied())
        .env("RUST_LOG", "info")
        .env("EGP_LOG", "info")
        .env_remove("EGP_PEPPER")
        .stdout(log.try_clone().expect("a log handle"))
        .stderr(log)
        .spawn()
        .unwrap_or_else(|error| panic!("cannot start {}: {error}", binary.display()))
}

impl Stack {
    /// Stops everything, anvil with SIGTERM so that it removes its state folder (a SIGKILL,
    /// as on drop, leaves it behind).
    pub async fn shutdown(mut self) {
        self.kill_api();
        self.kill_indexer();
        if let Some(chain) = self.chain.take() {
            let _ = chain.stop().await;
        }
    }

    /// Whether the indexer process is running (it was not killed, or was started again).
    pub fn indexer_running(&self) -> bool {
        self.indexer.is_some()
    }

    /// Whether the API process is running.
    pub fn api_running(&self) -> bool {
        self.api.is_some()
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
}

impl Stack {
    /// [`Stack::sql`] that gives `None` when `psql` fails (the server is away).
    pub fn try_sql(&self, query: &str) -> Option<String> {
        let output =
            Command::new("psql").args(["-X", "-q", "-t", "-A", &self.database_url, "-c", query]).output().ok()?;
        if !output.status.success() {
            return None;
        }
        String::from_utf8(output.stdout).ok()
    }

    /// Whether the indexer process is alive; `false` once it exited on its own (a panic or a
    /// fatal error), or when it is not started.
    pub fn indexer_alive(&mut self) -> bool {
        match &mut self.indexer {
            Some(crate::Service::Process(child)) => matches!(child.try_wait(), Ok(None)),
            Some(crate::Service::Task(_)) => true,
            None => false,
        }
    }
}

impl Stack {
    /// Whether the API answers a query (with data or an error).
    pub async fn api_answers(&self) -> bool {
        let body = serde_json::json!({ "query": "{ banks { code } }" }).to_string();
        let request = self.http.post(&self.api_url).header("authorization", format!("Bearer {}", crate::EGP_KEY));
        request.header("content-type", "application/json").body(body).send().await.is_ok()
    }
}
