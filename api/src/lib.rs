//! egp-api: the GraphQL API e-GP officers and systems use to decide whether a supplier's
//! guarantee or credit confirmation is good — and to prove it. It reads the PostgreSQL mirror the
//! indexer (`egp-indexer`) writes: every record carries the provenance of the event behind it,
//! every answer names the indexed block it was read at, and `verifyGuarantee(fresh: true)`
//! re-reads the contract to show that the mirror and the chain agree.
//!
//! Modules: [`schema`] (the GraphQL schema: one object per domain, DataLoaders, the Relay
//! helper; no HTTP), [`http`] (axum: `/graphql`, WebSocket subscriptions, `/health`,
//! `/metrics`, keys and limits), [`web`] (pages for people: GraphiQL, the public verification
//! pages with QR codes and the document check, open data), [`db`] (per-request snapshots and the
//! statements), [`auth`]
//! (hashed API keys and roles), [`chain`] (reads from the node), [`notify`] (the indexer's
//! `NOTIFY`), [`metrics`], [`config`].

pub mod auth;
pub mod chain;
pub mod config;
pub mod db;
mod error;
pub mod http;
pub mod metrics;
pub mod notify;
pub mod schema;
pub mod web;

use std::sync::Arc;

use sqlx::postgres::PgPoolOptions;
use tokio_util::sync::CancellationToken;

pub use config::{Cli, Command, Limits, Settings};
pub use error::{Error, Result};

/// Everything a server runs on, built from settings: the schema and the HTTP state.
pub async fn build(settings: &Settings) -> Result<(schema::ApiSchema, http::AppState)> {
    settings.limits.check()?;
    let pepper = settings.pepper()?;
    let keys = settings.api_keys()?;
    let chain_id = settings.chain_id()?;
    let pool = PgPoolOptions::new()
        .max_connections(settings.db_connections)
        .acquire_timeout(settings.limits.timeout())
        .connect(
            settings
                .database_url
                .as_deref()
                .ok_or_else(|| Error::Config("set DATABASE_URL or --database-url".into()))?,
        )
        .await?;
    let api = Arc::new(schema::Api {
        pool,
        chain_id,
        pepper,
        limits: settings.limits.clone(),
        chain: chain::ChainReader::new(&settings.rpc_url)?,
        notifier: notify::Notifier::default(),
    });
    let schema = schema::build(api.clone());
    let state = http::AppState::new(schema.clone(), api, keys, settings.health_max_lag)
        .with_web(web::Web::new(&settings.public)?);
    Ok((schema, state))
}

/// Serves the API until `cancel`.
pub async fn serve(settings: Settings, cancel: CancellationToken) -> Result<()> {
    let (_, state) = build(&settings).await?;
    let api = state.api.clone();
    let listener_cancel = cancel.child_token();
    let notifications = tokio::spawn(async move { api.notifier.listen(api.pool.clone(), listener_cancel).await });
    let listener = tokio::net::TcpListener::bind(settings.listen).await?;
    tracing::info!(address = %settings.listen, "egp-api listening");
    let (web, stop) = (state.web.clone(), cancel.clone());
    let shutdown = async move {
        stop.cancelled().await;
        web.close();
    };
    // The peer's address feeds the public pages' rate limit.
    let app = http::router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let served = axum::serve(listener, app).with_graceful_shutdown(shutdown).await;
    cancel.cancel();
    let _ = notifications.await;
    served.map_err(Error::from)
}
