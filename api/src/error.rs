//! The crate's errors, and how each reaches a GraphQL client: a stable public code in
//! `extensions.code`, and for internal faults a fixed message (the cause is logged inside the
//! request's span, never sent).

use async_graphql::ErrorExtensions;

/// Everything that can go wrong in the API.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The database failed or refused a statement.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// The node's JSON-RPC endpoint failed.
    #[error("node rpc: {0}")]
    Rpc(String),
    /// The configuration is unusable.
    #[error("configuration: {0}")]
    Config(String),
    /// Reading a file or a socket failed.
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
    /// A stored row cannot be read back (a column out of its range).
    #[error("stored {table} row is corrupt: {reason}")]
    Corrupt {
        /// The table.
        table: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// No such record, or not one the caller may see.
    #[error("{what} not found")]
    NotFound {
        /// What was looked for.
        what: &'static str,
    },
    /// A supplier tax id failed validation. Deliberately carries no value: the id is personal data.
    #[error("the tax id is not a valid 13-digit Thai id")]
    InvalidTaxId,
    /// `first`/`last` above the configured page size.
    #[error("page size {requested} is above the maximum of {max}")]
    PageTooLarge {
        /// What the client asked for.
        requested: i64,
        /// The maximum.
        max: usize,
    },
    /// An argument that does not parse (an id, a bank code, a date, an amount, a cursor).
    #[error("invalid {field}: {reason}")]
    InvalidInput {
        /// The argument.
        field: &'static str,
        /// Why (never the value of a personal-data argument).
        reason: String,
    },
    /// No API key, or one that is not configured.
    #[error("a valid API key is required")]
    Unauthenticated,
    /// The caller's role may not do this.
    #[error("the API key's role may not {action}")]
    Forbidden {
        /// What was refused.
        action: &'static str,
    },
    /// The gateway's signer failed to sign.
    #[error("signing: {0}")]
    Signer(String),
    /// An idempotency key came again with a different request.
    #[error("idempotency key {key:?} was used for a different request (action {action}); use a new key")]
    IdempotencyConflict {
        /// The key.
        key: String,
        /// The action stored under it.
        action: i64,
    },
    /// The outbox holds as many queued actions as it takes.
    #[error("{queued} actions are queued, the most this server takes; nothing was queued: retry later")]
    Overloaded {
        /// Actions queued now.
        queued: i64,
    },
    /// The node could not simulate a mutation, so nothing was queued.
    #[error("the chain node could not simulate the action, so nothing was queued; retry with the same idempotency key")]
    NodeUnavailable,
    /// Mutations need the gateway's signer, and this server has none.
    #[error("this server has no gateway signer: mutations are off")]
    WritesDisabled,
    /// A mutation argument holds what looks like a 13-digit Thai id. Carries no value.
    #[error("{field} holds what looks like a 13-digit Thai id; mutations never take personal data")]
    PersonalData {
        /// The argument.
        field: &'static str,
    },
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The stable public code clients branch on (`extensions.code`).
    pub fn code(&self) -> &'static str {
        match self {
            Self::Database(_)
            | Self::Rpc(_)
            | Self::Config(_)
            | Self::Io(_)
            | Self::Corrupt { .. }
            | Self::Signer(_) => "INTERNAL",
            Self::NotFound { .. } => "NOT_FOUND",
            Self::InvalidTaxId => "INVALID_TAX_ID",
            Self::PageTooLarge { .. } => "PAGE_TOO_LARGE",
            Self::InvalidInput { .. } => "BAD_USER_INPUT",
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Forbidden { .. } => "FORBIDDEN",
            Self::IdempotencyConflict { .. } => "IDEMPOTENCY_CONFLICT",
            Self::Overloaded { .. } => "OVERLOADED",
            Self::NodeUnavailable => "NODE_UNAVAILABLE",
            Self::WritesDisabled => "WRITES_DISABLED",
            Self::PersonalData { .. } => "PERSONAL_DATA_REFUSED",
        }
    }

    /// Whether the cause is ours (logged, never shown) rather than the caller's.
    pub fn is_internal(&self) -> bool {
        self.code() == "INTERNAL"
    }

    /// An invalid argument.
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Self::InvalidInput { field, reason: reason.into() }
    }
}

impl From<Error> for async_graphql::Error {
    fn from(error: Error) -> Self {
        let code = error.code();
        if error.is_internal() {
            // Inside the request's span: the operator sees the cause, the client a fixed sentence.
            tracing::error!(%error, "request failed");
            return async_graphql::Error::new("internal error").extend_with(|_, e| e.set("code", code));
        }
        let mut out = async_graphql::Error::new(error.to_string()).extend_with(|_, e| e.set("code", code));
        if let Error::PageTooLarge { requested, max } = error {
            out = out.extend_with(|_, e| {
                e.set("requested", requested);
                e.set("max", max as i64);
            });
        }
        out
    }
}
