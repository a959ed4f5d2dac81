//! The library's error type: one sentence each, naming what was wrong and the values involved,
//! never a secret (keys, passwords, peppers) and never a plain Thai id.

use std::path::PathBuf;

use alloy::primitives::{Address, B256, TxHash};
use egp_contracts::deployment::ManifestMismatch;
use egp_contracts::{ContractRevert, GuaranteeStatus};

/// Everything that can go wrong while driving egp-chain.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The node could not be reached.
    #[error("cannot reach the node at {url}: {reason}")]
    RpcUnreachable {
        /// The RPC URL.
        url: String,
        /// What failed (connection refused, DNS, timeout…).
        reason: String,
    },
    /// The node answered with an error we have no better words for.
    #[error("the node at {url} refused the request: {reason}")]
    Rpc {
        /// The RPC URL.
        url: String,
        /// The node's message.
        reason: String,
    },
    /// The manifest and the node disagree (chain id, or the contracts at the addresses).
    #[error("deployment manifest {} does not match the node at {url}: {mismatch}", manifest.display())]
    ManifestMismatch {
        /// The manifest file.
        manifest: PathBuf,
        /// The RPC URL.
        url: String,
        /// The first disagreement.
        mismatch: ManifestMismatch,
    },
    /// The signing account cannot pay for gas.
    #[error("account {address} has too little to pay for gas: fund it first")]
    InsufficientFunds {
        /// The signing account.
        address: Address,
    },
    /// A command that sends a transaction got no wallet.
    #[error("this command signs a transaction: give a wallet with --keystore, --mnemonic or --private-key-env")]
    NoWallet,
    /// The keystore password is wrong.
    #[error("wrong password for keystore {}", path.display())]
    WrongPassword {
        /// The keystore file.
        path: PathBuf,
    },
    /// A keystore file is not one that can be read (malformed, unsupported, damaged).
    #[error("keystore {}: {problem}", path.display())]
    Keystore {
        /// The keystore file.
        path: PathBuf,
        /// What is wrong with it, with the values involved.
        problem: String,
    },
    /// A wallet could not be loaded (missing file, malformed key or mnemonic).
    #[error("cannot load the wallet: {0}")]
    Wallet(String),
    /// A secret (password, key, mnemonic, pepper) was to come from an environment variable that is unset.
    #[error("environment variable {name} is not set")]
    MissingEnv {
        /// The variable.
        name: String,
    },
    /// A file the command needs could not be read or written.
    #[error("cannot access {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The local consortium definition is not valid.
    #[error("consortium definition {}: {reason}", path.display())]
    Consortium {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The contract refused the call; nothing was sent.
    #[error("{0}")]
    Reverted(Box<ContractRevert>),
    /// An answer was prepared for a claim or amendment that is no longer the open one; nothing was
    /// sent.
    #[error(
        "guarantee {id}: {what} {expected} is no longer open{}; nothing was sent: read the guarantee again",
        open.map_or_else(|| format!(" and no {what} is"), |open| format!(", {what} {open} is"))
    )]
    MovedOn {
        /// The guarantee.
        id: B256,
        /// `claim` or `amendment`.
        what: &'static str,
        /// The sequence the answer was prepared for.
        expected: u16,
        /// The sequence open now, if any.
        open: Option<u16>,
    },
    /// There is no open claim or pending amendment to answer; nothing was sent.
    #[error("guarantee {id} is {status} with no {what} open: nothing to {action}")]
    NothingToAnswer {
        /// The guarantee.
        id: B256,
        /// `claim` or `amendment`.
        what: &'static str,
        /// The answer, in words ("pay", "accept").
        action: &'static str,
        /// The guarantee's status.
        status: GuaranteeStatus,
    },
    /// A sent transaction was not mined within the time limit; it may still be.
    #[error(
        "transaction {hash} was sent but not mined within {} s; it may still be mined: look it up (egp show, or \
         eth_getTransactionReceipt) before sending again",
        limit.as_secs()
    )]
    NotMined {
        /// The transaction.
        hash: TxHash,
        /// The time limit.
        limit: std::time::Duration,
    },
    /// The transaction was mined but failed.
    #[error("transaction {hash} was mined in block {block} but reverted")]
    TransactionFailed {
        /// The transaction.
        hash: TxHash,
        /// Its block.
        block: u64,
    },
    /// A value given to a command is invalid.
    #[error("{0}")]
    Invalid(#[from] egp_contracts::Error),
    /// Something the command was asked to do does not make sense.
    #[error("{0}")]
    Usage(String),
    /// anvil could not be started.
    #[error("cannot start anvil ({}): {reason}", path.display())]
    Anvil {
        /// The anvil binary.
        path: PathBuf,
        /// What failed.
        reason: String,
    },
}

impl From<ContractRevert> for Error {
    fn from(revert: ContractRevert) -> Self {
        Self::Reverted(Box::new(revert))
    }
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
