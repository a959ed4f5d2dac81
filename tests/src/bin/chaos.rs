//! `egp-chaos`: the fault-injection run. Starts anvil, a private PostgreSQL server, the indexer
//! and the API as processes, keeps banks and the gateway busy, injects indexer and API kills,
//! reorgs, database restarts, node outages and bad answers from the node, then checks that
//! nothing was lost and prints one line per fault kind and a verdict (exit status 1 on a loss).
//!
//! `egp-chaos [--seed N] [--short]` (scripts/chaos builds and runs it).
#![allow(clippy::disallowed_macros, reason = "a command whose output is its figures")]

use clap::Parser;

/// The fault-injection run.
#[derive(Debug, Parser)]
#[command(name = "egp-chaos")]
struct Args {
    /// The seed of the faults' order, timing and depths (random when absent; printed).
    #[arg(long)]
    seed: Option<u64>,
    /// A few faults of each kind, under three minutes (as scripts/test runs it).
    #[arg(long)]
    short: bool,
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let seed = args.seed.unwrap_or_else(rand::random);
    println!("chaos: seed {seed} (run again with --seed {seed}){}", if args.short { ", short mode" } else { "" });
    let options = egp_e2e::chaos::Options { seed, short: args.short };
    let passed = egp_e2e::chaos::run(options, &|line| println!("{line}")).await;
    std::process::exit(if passed { 0 } else { 1 });
}
