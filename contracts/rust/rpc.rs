//! What a failed call to the node means, read from alloy's typed errors rather than from their
//! text: no answer at all ([`RpcError::Transport`]: connection, timeout), an HTTP error status,
//! an answer that is not JSON-RPC, or the node's refusal ([`RpcError::ErrorResp`]: code, message,
//! data). And waiting for a receipt, always with a time limit.
//!
//! Within a refusal, geth and anvil use the generic codes -32000 and -32003 for every reason a
//! transaction is turned away, so the [`RefusalKind`] is read from the error object's `message`
//! field (a revert from its code 3 or its revert data); the transport's own text is never parsed.

use std::time::Duration;

use alloy::network::Network;
use alloy::primitives::{Bytes, TxHash};
use alloy::providers::{PendingTransactionBuilder, PendingTransactionError, WatchTxError};
use alloy::transports::{RpcError, TransportErrorKind};

/// How long a sent transaction may take to be mined before waiting for it is given up.
pub const RECEIPT_TIMEOUT: Duration = Duration::from_secs(120);

/// A call to the node that failed, classified.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NodeFailure {
    /// No answer: the connection failed, was cut, or timed out.
    #[error("no answer: {reason}")]
    Unreachable {
        /// The root cause, as the operating system or HTTP client gives it.
        reason: String,
    },
    /// The node, or a proxy in front of it, answered with an HTTP error status.
    #[error("HTTP status {status}")]
    Http {
        /// The status code.
        status: u16,
    },
    /// The answer is not what JSON-RPC promises (malformed, or null where a value was due).
    #[error("an answer that is not valid JSON-RPC: {reason}")]
    Malformed {
        /// What the parser said.
        reason: String,
    },
    /// The node answered with a JSON-RPC error.
    #[error("{0}")]
    Refused(Refusal),
    /// The request failed before it left (encoding, a local signer).
    #[error("{reason}")]
    Local {
        /// What failed.
        reason: String,
    },
}

/// The node's refusal: its JSON-RPC error object, and what it means.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (code {code})")]
pub struct Refusal {
    /// What it means.
    pub kind: RefusalKind,
    /// The JSON-RPC error code.
    pub code: i64,
    /// The node's message.
    pub message: String,
    /// Revert data, when the node returned some.
    pub revert: Option<Bytes>,
}

/// Why the node refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusalKind {
    /// The call or the transaction's simulation reverted.
    Reverted,
    /// The nonce is already used by a mined transaction of the sender.
    NonceTooLow,
    /// The node already holds this very transaction.
    AlreadyKnown,
    /// The sender cannot pay for gas and value.
    InsufficientFunds,
    /// The fees are below what the node accepts (or below a transaction it would replace).
    Underpriced,
    /// Anything else.
    Other,
}

impl Refusal {
    /// Reads a JSON-RPC error object: its code, its message, the revert data alloy found in it.
    pub fn new(code: i64, message: &str, revert: Option<Bytes>) -> Self {
        let message = message.to_owned();
        let lower = message.to_ascii_lowercase();
        let kind = if code == 3 || revert.is_some() || lower.contains("execution reverted") {
            RefusalKind::Reverted
        } else if lower.contains("nonce too low") {
            RefusalKind::NonceTooLow
        } else if ["already known", "already imported", "known transaction"].iter().any(|m| lower.contains(m)) {
            RefusalKind::AlreadyKnown
        } else if lower.contains("insufficient funds") {
            RefusalKind::InsufficientFunds
        } else if ["underpriced", "fee cap", "less than block base fee"].iter().any(|m| lower.contains(m)) {
            RefusalKind::Underpriced
        } else {
            RefusalKind::Other
        };
        Self { kind, code, message, revert }
    }
}

impl NodeFailure {
    /// Classifies a failed RPC call.
    pub fn from_rpc(error: &RpcError<TransportErrorKind>) -> Self {
        match error {
            RpcError::ErrorResp(payload) => {
                Self::Refused(Refusal::new(payload.code, &payload.message, payload.as_revert_data()))
            }
            RpcError::Transport(kind) => match kind.as_http_error() {
                Some(http) => Self::Http { status: http.status },
                None => Self::Unreachable { reason: root_cause(kind) },
            },
            RpcError::NullResp => Self::Malformed { reason: "null where a value was due".to_owned() },
            RpcError::DeserError { err, .. } => Self::Malformed { reason: err.to_string() },
            RpcError::SerError(err) => Self::Local { reason: err.to_string() },
            RpcError::LocalUsageError(err) => Self::Local { reason: err.to_string() },
            RpcError::UnsupportedFeature(feature) => Self::Local { reason: format!("unsupported: {feature}") },
        }
    }

    /// Classifies a failed contract call or deployment; `None` when the node was never involved
    /// (an ABI encoding or decoding problem).
    pub fn from_contract(error: &alloy::contract::Error) -> Option<Self> {
        match error {
            alloy::contract::Error::TransportError(error) => Some(Self::from_rpc(error)),
            alloy::contract::Error::PendingTransactionError(error) => Some(Self::from_pending(error)),
            _ => None,
        }
    }

    /// Classifies a failure while following a pending transaction.
    pub fn from_pending(error: &PendingTransactionError) -> Self {
        match error {
            PendingTransactionError::TransportError(error) => Self::from_rpc(error),
            other => Self::Unreachable { reason: other.to_string() },
        }
    }

    /// The refusal, if the node answered with one.
    pub fn refusal(&self) -> Option<&Refusal> {
        match self {
            Self::Refused(refusal) => Some(refusal),
            _ => None,
        }
    }

    /// True when no usable answer came (no connection, an HTTP error, an answer that is not
    /// JSON-RPC): trying again later may work.
    pub fn is_unreachable(&self) -> bool {
        matches!(self, Self::Unreachable { .. } | Self::Http { .. } | Self::Malformed { .. })
    }
}

/// The innermost error of the chain: "Connection refused (os error 111)" rather than the HTTP
/// client's "error sending request for url (…)".
fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = error;
    while let Some(source) = cause.source() {
        cause = source;
    }
    let text = cause.to_string();
    text.lines().next().unwrap_or_default().to_owned()
}

/// Waiting for a receipt failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReceiptError {
    /// No receipt within the limit: the transaction may still be mined later.
    #[error(
        "transaction {hash} was sent but not mined within {} s; it may still be mined: look it up before sending again",
        limit.as_secs()
    )]
    NotMined {
        /// The transaction.
        hash: TxHash,
        /// The limit.
        limit: Duration,
    },
    /// The node failed while the receipt was awaited.
    #[error("waiting for the receipt of transaction {hash}: {failure}")]
    Node {
        /// The transaction.
        hash: TxHash,
        /// What failed.
        failure: NodeFailure,
    },
}

/// Waits for the receipt of `pending`, at most `limit`.
pub async fn receipt<N: Network>(
    pending: PendingTransactionBuilder<N>,
    limit: Duration,
) -> Result<N::ReceiptResponse, ReceiptError> {
    let hash = *pending.tx_hash();
    match pending.with_timeout(Some(limit)).get_receipt().await {
        Ok(receipt) => Ok(receipt),
        Err(PendingTransactionError::TxWatcher(WatchTxError::Timeout)) => Err(ReceiptError::NotMined { hash, limit }),
        Err(error) => Err(ReceiptError::Node { hash, failure: NodeFailure::from_pending(&error) }),
    }
}
