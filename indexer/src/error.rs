//! The crate's error type.

use alloy::primitives::B256;
use sqlx::migrate::MigrateError;

/// Everything that can go wrong while indexing or verifying.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The deployment manifest could not be read, or does not match the chain.
    #[error("deployment manifest: {0}")]
    Manifest(#[from] egp_contracts::Error),
    /// The node serves another chain than the manifest names.
    #[error("the manifest is for chain {manifest}, the node at the RPC URL serves chain {node}")]
    WrongChain {
        /// Chain id in the manifest.
        manifest: u64,
        /// Chain id the node reports.
        node: u64,
    },
    /// The database holds a checkpoint for another deployment on the same chain.
    #[error("the database mirrors deployment {stored} on chain {chain_id}, not {manifest}; use a fresh database")]
    OtherDeployment {
        /// The chain.
        chain_id: u64,
        /// The deployment (consortium address) in the database.
        stored: String,
        /// The deployment in the manifest.
        manifest: String,
    },
    /// A JSON-RPC call failed or timed out.
    #[error("rpc {method} failed: {message}")]
    Rpc {
        /// The JSON-RPC method.
        method: &'static str,
        /// What the transport or node said.
        message: String,
    },
    /// The node does not know a block it should know (it is behind, or pruned).
    #[error("the node has no block {0}")]
    MissingBlock(u64),
    /// The node answered another block than the one asked for (a faulty node or a proxy in
    /// between); retried, since the next answer may be right.
    #[error("asked the node for block {asked}, it answered block {answered}")]
    WrongBlock {
        /// The block asked for.
        asked: u64,
        /// The number of the block the node returned.
        answered: u64,
    },
    /// The node's answers did not fit together (a reorg while a range was being read); retried.
    #[error("inconsistent chain data at block {block}: {reason}")]
    Inconsistent {
        /// The block where the data disagreed.
        block: u64,
        /// What disagreed.
        reason: &'static str,
    },
    /// A query failed or the connection to PostgreSQL broke.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// PostgreSQL refused a batch's data: a value, a constraint or the schema (SQLSTATE classes
    /// 22, 23 and 42). The same batch would be refused again, so the indexer stops rather than
    /// retry; the transaction was rolled back, so nothing of the batch was written.
    #[error(
        "PostgreSQL refused blocks {from} to {to} (SQLSTATE {code}: {message}); nothing of them was written and \
         the indexer stops: the same batch would be refused again"
    )]
    Refused {
        /// First block of the batch.
        from: u64,
        /// Last block of the batch.
        to: u64,
        /// The SQLSTATE.
        code: String,
        /// PostgreSQL's message.
        message: String,
    },
    /// The migrations could not be applied.
    #[error("database migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Another writer moved the checkpoint under us (should be impossible while we hold the lock).
    #[error("the checkpoint of chain {chain_id} is no longer at block {expected}: another writer?")]
    CheckpointMoved {
        /// The chain.
        chain_id: u64,
        /// Where we expected it.
        expected: i64,
    },
    /// A row in the database cannot be decoded (it was not written by this indexer).
    #[error("stored event {block_hash}#{log_index} cannot be decoded: {reason}")]
    CorruptEvent {
        /// Block hash of the event.
        block_hash: B256,
        /// Log index of the event.
        log_index: i64,
        /// Why.
        reason: String,
    },
    /// A current-state value bound for a `NUMERIC` column is not a non-negative decimal integer
    /// (a bug in the fold: the contracts' integers are unsigned).
    #[error("value {value:?} for a NUMERIC column is not a non-negative decimal integer")]
    NotANumber {
        /// The value.
        value: String,
    },
    /// The metrics server could not listen.
    #[error("metrics server on {addr}: {source}")]
    Listen {
        /// The address.
        addr: std::net::SocketAddr,
        /// What the OS said.
        source: std::io::Error,
    },
    /// Shutdown was requested.
    #[error("cancelled")]
    Cancelled,
}

impl Error {
    /// Whether retrying later can succeed (the node or the database was away, or the chain moved).
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Rpc { .. } | Self::MissingBlock(_) | Self::WrongBlock { .. } | Self::Inconsistent { .. })
            || self.is_database()
    }

    /// This error as [`Error::Refused`] of blocks `from..=to`, when PostgreSQL refused the data.
    pub(crate) fn refused(self, from: u64, to: u64) -> Self {
        match &self {
            Self::Database(error) => match refusal(error) {
                Some((code, message)) => Self::Refused { from, to, code, message },
                None => self,
            },
            _ => self,
        }
    }

    /// Whether the error came from PostgreSQL (the write connection must be replaced and the
    /// work retried). A refusal of the data itself is not: retrying cannot change the answer.
    pub fn is_database(&self) -> bool {
        match self {
            Self::Database(error) => refusal(error).is_none(),
            Self::CheckpointMoved { .. } => true,
            // The server went away while the migrations ran (they run on every connect); a
            // migration that fails on its own SQL stays fatal.
            Self::Migrate(MigrateError::Execute(error) | MigrateError::ExecuteMigration(error, _)) => {
                is_connection_lost(error)
            }
            _ => false,
        }
    }
}

/// The SQLSTATE and message of an error where PostgreSQL refused the data rather than failed to
/// take it: class 22 (a value: out of range, not a number, bad JSON), 23 (a constraint) or 42 (the
/// schema: a missing table or column, a permission).
fn refusal(error: &sqlx::Error) -> Option<(String, String)> {
    let sqlx::Error::Database(error) = error else { return None };
    let code = error.code()?;
    ["22", "23", "42"]
        .iter()
        .any(|class| code.starts_with(class))
        .then(|| (code.into_owned(), error.message().to_owned()))
}

/// The connection broke or the server is stopping, starting or crashed (SQLSTATE classes 08
/// and 57P), as opposed to a statement that failed.
fn is_connection_lost(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(_) | sqlx::Error::Tls(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed => true,
        sqlx::Error::Database(error) => {
            error.code().is_some_and(|code| code.starts_with("08") || code.starts_with("57P"))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_migration_cut_off_by_the_server_is_retried_a_failing_one_is_not() {
        let reset = || sqlx::Error::Io(std::io::ErrorKind::ConnectionReset.into());
        assert!(Error::Migrate(MigrateError::Execute(reset())).is_database());
        assert!(Error::Migrate(MigrateError::ExecuteMigration(reset(), 2)).is_transient());
        assert!(!Error::Migrate(MigrateError::Execute(sqlx::Error::RowNotFound)).is_transient());
        assert!(!Error::Migrate(MigrateError::VersionMismatch(1)).is_transient());
    }
}
