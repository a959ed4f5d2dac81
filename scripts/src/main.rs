//! The `egp` command line: parses arguments and the environment, then calls the `egp` library.

mod cli;

use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    let args = cli::args::Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_env("EGP_LOG").unwrap_or_else(|_| EnvFilter::new("warn")))
        .with_writer(std::io::stderr)
        .init();
    let json = args.json;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a tokio runtime");
    match runtime.block_on(cli::run::run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            cli::output::error(&error, json);
            ExitCode::FAILURE
        }
    }
}
