//! egp-store owns egp-chain's database: the migrations and [`MIGRATOR`], the rows of the
//! current-state tables ([`rows`]) with their statuses and kinds typed ([`status`], and the
//! contracts' own enums from `egp-contracts`), the indexer's `NOTIFY` channel and payload
//! ([`notify`]), and the one comparison of a mirrored row with the contracts' view of it
//! ([`compare`]). The indexer writes through it and the API reads through it; neither declares a
//! row, a status or a column mapping of its own.

pub mod compare;
pub mod notify;
pub mod rows;
pub mod status;

use sqlx::migrate::Migrator;

pub use egp_contracts::{
    ApplicantType, ConfirmationStatus, ExpiryType, GuaranteeAction, GuaranteeStatus, GuaranteeType, IssuerKind,
    IssuerStatus, Purpose, Satang,
};
pub use status::{ActionKind, ActionStatus, AmendmentStatus, ClaimStatus, ReleaseKind};

/// The schema (`store/migrations/`): the indexer applies it at every connect, the API's and the
/// tests' databases take the same. An applied migration is never edited (sqlx checks checksums).
pub static MIGRATOR: Migrator = sqlx::migrate!();
