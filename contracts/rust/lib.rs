//! egp-contracts: the workspace's contract layer.
//!
//! - [`compile`]: compiles `contracts/src` with foundry-compilers, offline, with an explicit
//!   compiler (native solc or the bootstrapped solcjs adapter), never a download.
//! - [`bindings`]: alloy bindings from the committed artifacts; no ABI is written by hand.
//! - [`deployment`]: deploys the contracts and reads and writes the deployment manifest.
//! - [`revert`]: turns revert data into sentences a bank operator can act on.
//! - [`types`] and [`thai_id`]: the domain types the indexer, the API and the command line share.
//! - [`tools`]: where the bootstrapped anvil and solc live.
//! - [`tls`]: ring as rustls's provider, set before any HTTP client is built.
//! - [`verification`]: the public verification page of a record: its URL and its QR code.

pub mod bindings;
pub mod compile;
pub mod dates;
pub mod deployment;
mod error;
pub mod revert;
pub mod thai_id;
pub mod tls;
pub mod tools;
pub mod types;
pub mod verification;

pub use deployment::Deployment;
pub use error::Error;
pub use revert::ContractRevert;
pub use thai_id::{Pepper, ThaiId};
pub use types::{
    ApplicantType, BankCode, Code, ConfirmationStatus, ExpiryType, GuaranteeAction, GuaranteeStatus, GuaranteeType,
    IssuerKind, IssuerStatus, Purpose, Role, Satang,
};

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
