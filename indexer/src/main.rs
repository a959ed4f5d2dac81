//! The `egp-indexer` command: parses the configuration, sets up logging and signals, and calls
//! the library.

use std::process::ExitCode;

use clap::Parser;
use egp_indexer::{Cli, Command};
use tokio_util::sync::CancellationToken;
use tracing_subscriber::EnvFilter;

/// Without `RUST_LOG`: info, except alloy's WebSocket transport, which logs every reconnect
/// attempt as an error; `heads` reports the subscription's changes once each instead.
const DEFAULT_LOG: &str = "info,alloy_pubsub=off,alloy_transport_ws=off";

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_LOG)))
        .with_writer(std::io::stderr)
        .init();
    let cancel = CancellationToken::new();
    tokio::spawn(shutdown_on_signal(cancel.clone()));
    let outcome = match cli.command.unwrap_or(Command::Run) {
        Command::Run => egp_indexer::run(cli.settings, cancel).await.map(|()| ExitCode::SUCCESS),
        Command::Migrate => egp_indexer::migrate(&cli.settings.database_url).await.map(|()| ExitCode::SUCCESS),
        Command::Verify(args) => egp_indexer::verify::run(&cli.settings, &args).await.map(|report| {
            report.log();
            if report.is_clean() { ExitCode::SUCCESS } else { ExitCode::from(1) }
        }),
    };
    outcome.unwrap_or_else(|error| {
        tracing::error!(%error, "egp-indexer failed");
        ExitCode::from(2)
    })
}

/// Cancels on Ctrl-C or SIGTERM: the current batch commits or rolls back, then the process exits.
async fn shutdown_on_signal(cancel: CancellationToken) {
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("installing a SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate.recv() => {}
    }
    tracing::info!("shutdown requested; finishing the current batch");
    cancel.cancel();
}
