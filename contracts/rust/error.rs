//! The crate's error type.

use std::path::PathBuf;

use crate::revert::ContractRevert;
use crate::thai_id::{PepperError, ThaiIdError};

/// Everything that can go wrong in the contract layer.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An artifact was asked for a contract egp-chain does not deploy.
    #[error(
        "no artifact of contract {name:?}: egp-chain deploys Consortium, GuaranteeRegistry and CreditConfirmationRegistry"
    )]
    UnknownContract {
        /// The name asked for.
        name: String,
    },
    /// An embedded artifact is not the JSON `egp-compiler` writes.
    #[error("the embedded artifact of {name} is not valid: {source}")]
    ArtifactJson {
        /// The contract.
        name: String,
        /// What the parser said.
        source: serde_json::Error,
    },
    /// An external tool (anvil) was found nowhere.
    #[error("no {tool} found (looked at {looked}): install Foundry's {tool}, set {} to its path, or run scripts/bootstrap in a checkout", tool.to_ascii_uppercase())]
    ToolMissing {
        /// The tool.
        tool: &'static str,
        /// Every place looked at, in order.
        looked: String,
    },
    /// A bank code is not 3 digits between 001 and 999.
    #[error("invalid bank code {value:?}: expected 3 digits from 001 to 999")]
    InvalidBankCode {
        /// The value given.
        value: String,
    },
    /// An amount is not a non-negative baht amount with at most two decimals.
    #[error("invalid amount {value:?}: expected baht such as 1,234,567.89")]
    InvalidAmount {
        /// The value given.
        value: String,
    },
    /// A code (agency, project, branch, reason) is not 1 to 32 printable ASCII characters.
    #[error("invalid code {value:?}: expected 1 to 32 printable ASCII characters")]
    InvalidCode {
        /// The value given.
        value: String,
    },
    /// A bank reference is empty or longer than 35 bytes.
    #[error("invalid bank reference {value:?}: expected 1 to 35 bytes")]
    InvalidBankRef {
        /// The value given.
        value: String,
    },
    /// A date is not `YYYY-MM-DD`.
    #[error("invalid date {value:?}: expected YYYY-MM-DD")]
    InvalidDate {
        /// The value given.
        value: String,
    },
    /// A value does not name a variant of a domain enum (`domain_enum!`).
    #[error("{value:?} is not a {kind}")]
    UnknownEnumValue {
        /// The Solidity enum for a mirror of one, else the Rust type.
        kind: &'static str,
        /// The value given.
        value: String,
    },
    /// A Thai id failed validation. The id itself is never part of the message.
    #[error("invalid Thai id: {0}")]
    InvalidThaiId(#[from] ThaiIdError),
    /// The pepper for id commitments was refused.
    #[error("invalid pepper: {0}")]
    InvalidPepper(#[from] PepperError),
    /// The deployment manifest could not be read or written.
    #[error("cannot access deployment manifest {}: {source}", path.display())]
    ManifestIo {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The deployment manifest is not valid.
    #[error("deployment manifest {} is not valid: {source}", path.display())]
    ManifestJson {
        /// The file.
        path: PathBuf,
        /// What the parser said.
        source: serde_json::Error,
    },
    /// A creation transaction was mined but created nothing.
    #[error("deploying {contract} failed in transaction {transaction}")]
    DeploymentFailed {
        /// The contract's name.
        contract: String,
        /// The creation transaction.
        transaction: alloy::primitives::TxHash,
    },
    /// The node answered with an error, or could not be reached.
    #[error("the node failed: {0}")]
    Rpc(crate::rpc::NodeFailure),
    /// A sent transaction's receipt did not come (in time).
    #[error("{0}")]
    Receipt(#[from] crate::rpc::ReceiptError),
    /// A contract call reverted with one of our contracts' errors.
    #[error("{0}")]
    Reverted(Box<ContractRevert>),
    /// A public base URL for the verification pages is unusable.
    #[error("public URL {value:?} is not usable: {reason}")]
    InvalidPublicUrl {
        /// The value given.
        value: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A text does not fit in a QR code.
    #[error("cannot make a QR code of {length} bytes: {reason}")]
    QrCode {
        /// The text's length.
        length: usize,
        /// What the encoder said.
        reason: String,
    },
}

impl From<ContractRevert> for Error {
    fn from(revert: ContractRevert) -> Self {
        Self::Reverted(Box::new(revert))
    }
}

impl Error {
    /// Wraps an RPC failure.
    pub(crate) fn rpc(error: alloy::transports::TransportError) -> Self {
        Self::Rpc(crate::rpc::NodeFailure::from_rpc(&error))
    }

    /// Wraps a failed contract call or deployment, decoding our custom errors.
    pub(crate) fn deploy(error: alloy::contract::Error) -> Self {
        match ContractRevert::from_contract_error(&error) {
            Some(revert) => revert.into(),
            None => match crate::rpc::NodeFailure::from_contract(&error) {
                Some(failure) => Self::Rpc(failure),
                None => Self::Rpc(crate::rpc::NodeFailure::Local { reason: error.to_string() }),
            },
        }
    }
}
