//! egp: drive egp-chain from Rust. A library first — typed and async, for a bank to embed in its
//! own systems — with the `egp` command line as a thin layer on top.
//!
//! - [`Egp`] connects to a node, checks it against the deployment manifest, and sends every
//!   transaction the same way: simulate, send, wait, explain failures in words.
//! - [`admin`], [`bank`], [`gateway`]: the actions of the consortium admin (CGD), of an issuing
//!   bank, and of e-GP acting for an agency; [`read`]: what the contracts hold now.
//! - [`wallet`]: keystores, mnemonics, raw keys; any `alloy` `TxSigner` (an HSM) works too.
//! - [`local`]: the local anvil consortium defined in `anvil/`; [`seed`]: realistic demo data.

pub mod admin;
pub mod bank;
mod client;
pub mod deploy;
mod error;
pub mod gateway;
pub mod local;
pub mod outcome;
pub mod read;
pub mod seed;
pub mod wallet;

pub use client::{Egp, Sent};
pub use error::{Error, Result};
pub use outcome::{Outcome, Subject};
