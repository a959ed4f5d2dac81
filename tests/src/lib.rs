//! egp-e2e: the whole of egp-chain running together for end-to-end tests and the latency
//! benchmark. The stack itself (anvil, the contracts, a fresh database, the indexer and the API
//! as processes) is [`egp_testkit::Stack`]; this crate adds what only end-to-end tests need:
//! [`browser`] drives a headless Chromium for the pages people see, and [`verify`] runs the
//! indexer's own comparison of the mirror with the chain.

pub mod browser;
pub mod chaos;

use std::time::Duration;

use egp_testkit::Stack;

/// What `egp-indexer verify` finds over everything `stack` indexed so far: every event, block
/// and current-state row compared with the chain and a fresh fold of its events.
pub async fn verify(stack: &Stack) -> egp_indexer::verify::Report {
    let deployment = egp_contracts::Deployment::read(&stack.manifest).expect("the manifest");
    let chain = egp_indexer::chain::Chain::connect(&stack.rpc_url, Duration::from_secs(10), Default::default())
        .expect("the node");
    let mut conn = egp_indexer::follow::connect(&stack.database_url).await.expect("the database");
    egp_indexer::verify::verify(&mut conn, &chain, &deployment, None, None).await.expect("verify runs")
}
