//! The GraphQL schema, independent of HTTP: one object per domain merged into the root, the
//! request extension that opens each request's snapshot and adds the consistency marker, and
//! [`build`] with the limits applied. Tests call `schema.execute(...)` on what [`build`] returns.

pub mod actions;
pub mod confirmations;
mod extension;
pub mod guarantee;
pub mod guarantees;
pub mod loaders;
pub mod mutations;
pub mod pagination;
pub mod parties;
pub mod subscription;
pub mod types;
pub mod verify;

use std::sync::Arc;

use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, MergedObject, MergedSubscription, Schema};
use sqlx::PgPool;

pub use actions::{ActionQuery, ActionSubscription};
pub use confirmations::ConfirmationQuery;
pub use guarantees::GuaranteeQuery;
pub use loaders::Loaders;
pub use mutations::ActionMutation;
pub use parties::PartyQuery;
pub use subscription::EventSubscription;
pub use verify::VerifyQuery;

use crate::auth::Principal;
use crate::chain::ChainReader;
use crate::config::Limits;
use crate::db::Session;
use crate::notify::Notifier;
use crate::outbox::Outbox;
use crate::{Error, Result};

/// The root query: one object per domain.
#[derive(MergedObject, Default)]
pub struct Query(GuaranteeQuery, ConfirmationQuery, VerifyQuery, PartyQuery, ActionQuery);

/// The root mutation: e-GP's agency actions.
#[derive(MergedObject, Default)]
pub struct Mutation(ActionMutation);

/// The root subscription.
#[derive(MergedSubscription, Default)]
pub struct Subscription(EventSubscription, ActionSubscription);

/// The schema type.
pub type ApiSchema = Schema<Query, Mutation, Subscription>;

/// What every resolver shares: the pool, the pepper, the limits, the node, the notifier.
pub struct Api {
    /// The indexer's database.
    pub pool: PgPool,
    /// The chain served (from the manifest), or the most recently indexed one.
    pub chain_id: Option<u64>,
    /// The HMAC pepper for tax id commitments.
    pub pepper: egp_contracts::Pepper,
    /// Limits.
    pub limits: Limits,
    /// The node, for `fresh` verification and the chain head.
    pub chain: ChainReader,
    /// The indexer's commits and the actions' changes, for subscriptions.
    pub notifier: Notifier,
    /// The write path (mutations), when the gateway's signer is configured.
    pub outbox: Option<Arc<Outbox>>,
}

impl std::fmt::Debug for Api {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Api").field("chain_id", &self.chain_id).field("limits", &self.limits).finish_non_exhaustive()
    }
}

/// The schema over `api`, with the depth and complexity limits on.
pub fn build(api: Arc<Api>) -> ApiSchema {
    let limits = api.limits.clone();
    Schema::build(Query::default(), Mutation::default(), Subscription::default())
        .limit_depth(limits.max_depth)
        .limit_complexity(limits.max_complexity)
        .limit_recursive_depth(64)
        .limit_directives(20)
        .extension(extension::Snapshots)
        .data(api)
        .finish()
}

/// The committed SDL's text for this schema.
pub fn sdl() -> String {
    Schema::build(Query::default(), Mutation::default(), Subscription::default()).finish().sdl()
}

/// Data a request needs beyond the caller: its snapshot and its loaders.
pub(crate) fn request_data(api: &Api) -> (Arc<Session>, DataLoader<Loaders>) {
    let session = Arc::new(Session::new(api.pool.clone(), api.chain_id));
    let loaders = DataLoader::new(Loaders::new(session.clone()), tokio::spawn);
    (session, loaders)
}

pub(crate) fn api<'a>(ctx: &Context<'a>) -> &'a Api {
    ctx.data_unchecked::<Arc<Api>>()
}

pub(crate) fn principal<'a>(ctx: &Context<'a>) -> Result<&'a Principal> {
    ctx.data_opt::<Principal>().ok_or(Error::Unauthenticated)
}

pub(crate) fn session<'a>(ctx: &Context<'a>) -> Result<&'a Arc<Session>> {
    ctx.data_opt::<Arc<Session>>().ok_or_else(|| Error::Config("no session in the request".into()))
}

pub(crate) fn loader<'a>(ctx: &Context<'a>) -> &'a DataLoader<Loaders> {
    ctx.data_unchecked::<DataLoader<Loaders>>()
}

/// A loader's shared error as a client error (internal causes logged, never sent).
pub(crate) fn shared(error: Arc<Error>) -> async_graphql::Error {
    let error = match Arc::try_unwrap(error) {
        Ok(error) => error,
        Err(shared) if shared.is_internal() => Error::Config(shared.to_string()),
        Err(shared) => {
            return async_graphql::Error::new(shared.to_string()).extend_with(|_, e| e.set("code", shared.code()));
        }
    };
    error.into()
}

use async_graphql::ErrorExtensions as _;
