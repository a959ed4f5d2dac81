//! egp-api against real PostgreSQL (a fresh database per test) holding what the real indexer
//! wrote from a real anvil chain driven with the `egp` library. Nothing is mocked.

mod actions;
#[allow(dead_code, reason = "each test uses part of the shared world")]
mod common;
mod confirmations;
mod enums;
mod guarantees;
mod http;
mod open_data;
mod pages;
mod sdl;
mod subscriptions;
mod verify;
mod websocket;
