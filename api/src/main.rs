//! The `egp-api` command: parses the configuration and runs the library.

use std::io::{Read, Write};
use std::process::ExitCode;

use clap::Parser;
use egp_api::{Cli, Command};
use tokio_util::sync::CancellationToken;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_env("EGP_LOG").unwrap_or_else(|_| EnvFilter::new("info")))
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let cancel = CancellationToken::new();
            let on_signal = cancel.clone();
            tokio::spawn(async move {
                let _ = tokio::signal::ctrl_c().await;
                on_signal.cancel();
            });
            egp_api::serve(cli.settings, cancel).await
        }
        Command::HashKey { role, bank, label } => hash_key(&role, bank.as_deref(), &label),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(%error, "egp-api failed");
            ExitCode::FAILURE
        }
    }
}

/// Reads a key from standard input and prints its keys-file line (the hash, never the key).
fn hash_key(role: &str, bank: Option<&str>, label: &str) -> egp_api::Result<()> {
    let mut key = String::new();
    std::io::stdin().read_to_string(&mut key)?;
    let line = egp_api::auth::key_line(&key, role, bank, label)?;
    writeln!(std::io::stdout(), "{line}")?;
    Ok(())
}
