//! What a command did, for people (`Display`) and machines (JSON via serde).

use std::fmt;

use alloy::primitives::{Address, B256};
use serde::Serialize;

use crate::Sent;

/// What an action was about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Subject {
    /// An e-LG.
    Guarantee {
        /// Its id.
        id: B256,
    },
    /// A claim on an e-LG (what the bank's answers act on).
    Claim {
        /// The guarantee's id.
        id: B256,
        /// The claim's sequence number.
        sequence: u16,
    },
    /// An amendment of an e-LG (what the agency's answers act on).
    Amendment {
        /// The guarantee's id.
        id: B256,
        /// The amendment's sequence number.
        sequence: u16,
    },
    /// A credit confirmation.
    Confirmation {
        /// Its id.
        id: B256,
    },
    /// An issuer (bank or finance company).
    Issuer {
        /// Its bank code.
        #[serde(rename = "bankCode")]
        bank_code: String,
    },
    /// An issuer's signer address.
    Signer {
        /// The issuer's bank code.
        #[serde(rename = "bankCode")]
        bank_code: String,
        /// The address.
        address: Address,
    },
    /// A government agency.
    Agency {
        /// Its code.
        code: String,
    },
    /// An e-GP gateway address.
    Gateway {
        /// The address.
        address: Address,
    },
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Guarantee { id } => write!(f, "guarantee {id}"),
            Self::Claim { id, sequence } => write!(f, "claim {sequence} of guarantee {id}"),
            Self::Amendment { id, sequence } => write!(f, "amendment {sequence} of guarantee {id}"),
            Self::Confirmation { id } => write!(f, "credit confirmation {id}"),
            Self::Issuer { bank_code } => write!(f, "issuer {bank_code}"),
            Self::Signer { bank_code, address } => write!(f, "signer {address} of issuer {bank_code}"),
            Self::Agency { code } => write!(f, "agency {code}"),
            Self::Gateway { address } => write!(f, "gateway {address}"),
        }
    }
}

/// The result of one action: what, on what, the transaction, and the status it left.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Outcome {
    /// The action, in words ("issue", "accept amendment").
    pub action: &'static str,
    /// What it acted on.
    pub subject: Subject,
    /// The transaction.
    #[serde(flatten)]
    pub sent: Sent,
    /// The subject's status after the transaction (guarantees, confirmations, issuers).
    pub status: Option<String>,
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.sent.dry_run {
            return write!(
                f,
                "dry run: {} {} would succeed, estimated gas {}",
                self.action, self.subject, self.sent.gas
            );
        }
        write!(f, "{} {}: ", self.action, self.subject)?;
        if let (Some(transaction), Some(block)) = (self.sent.transaction, self.sent.block) {
            write!(f, "transaction {transaction} in block {block}, gas {}", self.sent.gas)?;
        }
        if let Some(status) = &self.status {
            write!(f, "; status {status}")?;
        }
        Ok(())
    }
}

impl Outcome {
    /// The id of the guarantee or confirmation the outcome is about (zero for other subjects).
    pub fn subject_id(&self) -> B256 {
        match self.subject {
            Subject::Guarantee { id }
            | Subject::Claim { id, .. }
            | Subject::Amendment { id, .. }
            | Subject::Confirmation { id } => id,
            _ => B256::ZERO,
        }
    }
}
