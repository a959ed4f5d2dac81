//! egp-api: the GraphQL API e-GP officers and systems use to decide whether a supplier's
//! guarantee or credit confirmation is good — and to prove it. It reads the PostgreSQL mirror the
//! indexer (`egp-indexer`) writes: every record carries the provenance of the event behind it,
//! every answer names the indexed block it was read at, and `verifyGuarantee(fresh: true)`
//! re-reads the contract to show that the mirror and the chain agree.
//!
//! With the e-GP gateway's signer configured it is also e-GP's write path: one mutation per
//! agency step, each an action written to a durable outbox and sent exactly once ([`outbox`]).
//!
//! Modules: [`schema`] (the GraphQL schema: one object per domain, DataLoaders, the Relay
//! helper; no HTTP), [`http`] (axum: `/graphql`, `/health`, `/metrics`, keys and limits),
//! [`ws`] (subscriptions over WebSocket and their limits), [`web`] (pages for people: GraphiQL,
//! the public verification pages with QR codes and the document check, open data), [`db`]
//! (per-request snapshots and the
//! statements), [`auth`] (hashed API keys and roles), [`chain`] (reads from the node), [`notify`]
//! (the indexer's and the outbox's `NOTIFY`), [`outbox`] (the actions: idempotency, simulation,
//! the sender), [`metrics`], [`config`].

pub mod auth;
pub mod chain;
pub mod config;
pub mod db;
mod error;
pub mod http;
pub mod metrics;
pub mod notify;
pub mod outbox;
pub mod schema;
pub mod web;
pub mod ws;

use std::sync::Arc;

use sqlx::postgres::PgPoolOptions;
use tokio_util::sync::CancellationToken;

pub use config::{Cli, Command, Limits, Settings};
pub use error::{Error, Result};

/// Everything a server runs on, built from settings: the schema and the HTTP state. The
/// gateway's signer comes from the settings' wallet, if one is configured.
pub async fn build(settings: &Settings) -> Result<(schema::ApiSchema, http::AppState)> {
    build_with_signer(settings, settings.gateway.signer()?).await
}

/// [`build`] with the gateway's signer given in code (any alloy `TxSigner`, an HSM); `None`
/// serves reads only and refuses mutations.
pub async fn build_with_signer(
    settings: &Settings,
    signer: Option<outbox::GatewaySigner>,
) -> Result<(schema::ApiSchema, http::AppState)> {
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
    let outbox = match signer {
        Some(signer) => {
            let path = settings.manifest.as_ref().ok_or_else(|| {
                Error::Config("mutations need the deployment manifest (--manifest) to know the registry".into())
            })?;
            let deployment = egp_contracts::Deployment::read(path)
                .map_err(|e| Error::Config(format!("cannot read the manifest {}: {e}", path.display())))?;
            tracing::info!(gateway = %signer.address(), "mutations on: the gateway signs e-GP's actions");
            let outbox =
                outbox::Outbox::new(pool.clone(), &settings.rpc_url, deployment, signer, settings.gateway.clone())?;
            Some(Arc::new(outbox))
        }
        None => None,
    };
    let api = Arc::new(schema::Api {
        pool,
        chain_id,
        pepper,
        limits: settings.limits.clone(),
        chain: chain::ChainReader::new(&settings.rpc_url)?,
        notifier: notify::Notifier::default(),
        outbox,
    });
    let schema = schema::build(api.clone());
    let state = http::AppState::new(schema.clone(), api, keys, settings.health_max_lag)
        .with_web(web::Web::new(&settings.public)?);
    Ok((schema, state))
}

/// Serves the API until `cancel` (and sends the gateway's actions, when it has a signer).
pub async fn serve(settings: Settings, cancel: CancellationToken) -> Result<()> {
    let signer = settings.gateway.signer()?;
    serve_with_signer(settings, signer, cancel).await
}

/// [`serve`] with the gateway's signer given in code.
pub async fn serve_with_signer(
    settings: Settings,
    signer: Option<outbox::GatewaySigner>,
    cancel: CancellationToken,
) -> Result<()> {
    let (_, state) = build_with_signer(&settings, signer).await?;
    let api = state.api.clone();
    let listener_cancel = cancel.child_token();
    let sender = api.outbox.clone().map(|outbox| {
        let commits = api.notifier.subscribe();
        tokio::spawn(outbox.run(commits, cancel.child_token()))
    });
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
    if let Some(sender) = sender {
        let _ = sender.await;
    }
    served.map_err(Error::from)
}
