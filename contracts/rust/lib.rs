//! egp-contracts: the workspace's contract layer.
//!
//! - [`artifacts`]: the committed artifacts (ABI, bytecode), embedded at build time; the
//!   compiler that regenerates them lives in `egp-compiler`, which no shipped binary links.
//! - [`bindings`]: alloy bindings from the committed artifacts; no ABI is written by hand.
//! - [`deployment`]: deploys the contracts and reads and writes the deployment manifest.
//! - [`revert`]: turns revert data into sentences a bank operator can act on.
//! - [`types`] and [`thai_id`]: the domain types the indexer, the API and the command line share.
//! - [`enums`]: [`domain_enum!`], the one declaration of every status and kind (the contracts'
//!   enums here, the mirror's and the API's in `egp-store`), with its column and GraphQL mappings.
//! - [`tools`]: finding anvil (`ANVIL`, the checkout's `.tools/bin`, `PATH`).
//! - [`rpc`]: what a failed call to the node means, from alloy's typed errors.
//! - [`tls`]: ring as rustls's provider, set before any HTTP client is built.
//! - [`verification`]: the public verification page of a record: its URL and its QR code.

pub mod artifacts;
pub mod bindings;
pub mod dates;
pub mod deployment;
pub mod enums;
mod error;
pub mod revert;
pub mod rpc;
#[cfg(feature = "sqlx")]
pub mod sql;
pub mod thai_id;
pub mod tls;
pub mod tools;
pub mod types;
mod values;
pub mod verification;

pub use deployment::Deployment;
pub use enums::DomainEnum;
pub use error::Error;
pub use revert::ContractRevert;
pub use thai_id::{Pepper, ThaiId};
pub use types::{
    ApplicantType, BankCode, Code, ConfirmationStatus, ExpiryType, GuaranteeAction, GuaranteeStatus, GuaranteeType,
    IssuerKind, IssuerStatus, Purpose, Role, Satang,
};

/// What [`domain_enum!`]'s expansions name, so that the crates invoking it need no dependency
/// of their own on sqlx or async-graphql.
#[doc(hidden)]
pub mod __private {
    #[cfg(feature = "graphql")]
    pub use async_graphql;
    pub use serde;
    #[cfg(feature = "sqlx")]
    pub use sqlx;
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
