//! egp-indexer against real anvil and real PostgreSQL (a fresh database per test).

mod bad_node;
#[allow(dead_code, reason = "each test uses part of the shared world")]
mod common;
mod copy;
mod events;
mod faults;
mod layout;
mod live;
mod read;
mod reorg;
mod verify;
