//! Pages for people, served by this binary with no network access beyond it and no API key:
//! GraphiQL (its assets embedded at build time), the public verification pages of guarantees and
//! credit confirmations with their QR codes, live refresh and the in-browser document check, and
//! the open data. Every route here is rate-limited per client; every response of the server
//! carries the security headers (CSP allowing only this server's own files, no referrer).
//!
//! Routes: `GET /graphql` (GraphiQL), `/assets/{file}`, `/v/{id}`, `/v/{id}/qr.svg`,
//! `/v/{id}/watch` and the same under `/v/c/{id}` for credit confirmations,
//! `/open-data/guarantees.csv` and `.json`.

pub mod assets;
mod guard;
mod open_data;
mod page;
mod record;
mod render;
mod words;

use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderMap, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use clap::Args;
use tokio::sync::Semaphore;

pub use guard::CONTENT_SECURITY_POLICY;

use crate::http::AppState;
use crate::{Error, Result};

/// Settings of the public pages.
#[derive(Debug, Clone, Args)]
pub struct PublicSettings {
    /// The public pages' base URL as people reach them (`https://verify.egp.example`); the QR
    /// codes encode it. Default: `http://` and the request's `Host`.
    #[arg(long, env = "EGP_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Requests per minute one client address may make to the public pages, their assets and the
    /// open data.
    #[arg(long, env = "EGP_PUBLIC_RATE_LIMIT", default_value_t = 120)]
    pub public_rate_limit: u32,
    /// Verification pages following their record at once (each holds one connection open).
    #[arg(long, env = "EGP_PUBLIC_MAX_WATCHERS", default_value_t = 512)]
    pub public_max_watchers: usize,
    /// Take the client's address from the last `X-Forwarded-For` entry (behind a reverse proxy
    /// that sets it; otherwise a client could pick its own).
    #[arg(long, env = "EGP_PUBLIC_TRUST_FORWARDED_FOR")]
    pub public_trust_forwarded_for: bool,
}

impl Default for PublicSettings {
    fn default() -> Self {
        Self { public_url: None, public_rate_limit: 120, public_max_watchers: 512, public_trust_forwarded_for: false }
    }
}

/// The public pages' state.
#[derive(Debug)]
pub struct Web {
    public_url: Option<String>,
    https: bool,
    limiter: guard::RateLimiter,
    watchers: Arc<Semaphore>,
    open_data: open_data::Cache,
    closing: tokio_util::sync::CancellationToken,
}

impl Web {
    /// The state from settings; refuses a public URL or a limit that cannot work.
    pub fn new(settings: &PublicSettings) -> Result<Self> {
        let public_url = settings
            .public_url
            .as_deref()
            .map(egp_contracts::verification::public_base)
            .transpose()
            .map_err(|e| Error::Config(e.to_string()))?;
        if settings.public_rate_limit == 0 || settings.public_max_watchers == 0 {
            return Err(Error::Config("the public rate limit and watcher count must be above 0".into()));
        }
        Ok(Self {
            https: public_url.as_deref().is_some_and(|u| u.starts_with("https://")),
            public_url,
            limiter: guard::RateLimiter::new(settings.public_rate_limit, settings.public_trust_forwarded_for),
            watchers: Arc::new(Semaphore::new(settings.public_max_watchers)),
            open_data: open_data::Cache::default(),
            closing: tokio_util::sync::CancellationToken::new(),
        })
    }

    /// Ends the pages' open event streams (the server is shutting down).
    pub fn close(&self) {
        self.closing.cancel();
    }

    /// The base URL of this request's pages: the configured one, else `http://` and `Host`.
    fn base_url(&self, headers: &HeaderMap) -> Option<String> {
        if let Some(url) = &self.public_url {
            return Some(url.clone());
        }
        let host = headers.get(header::HOST)?.to_str().ok()?;
        egp_contracts::verification::public_base(&format!("http://{host}")).ok()
    }
}

impl Default for Web {
    fn default() -> Self {
        Self::new(&PublicSettings::default()).expect("the defaults are valid")
    }
}

/// The public routes, rate-limited, over `state`.
pub(crate) fn router(state: &AppState) -> Router {
    Router::new()
        .route("/graphql", get(graphiql))
        .route("/assets/{file}", get(assets::serve))
        .route("/v/{id}", get(page::guarantee))
        .route("/v/{id}/qr.svg", get(page::guarantee_qr))
        .route("/v/{id}/watch", get(page::guarantee_watch))
        .route("/v/c/{id}", get(page::confirmation))
        .route("/v/c/{id}/qr.svg", get(page::confirmation_qr))
        .route("/v/c/{id}/watch", get(page::confirmation_watch))
        .route("/open-data/guarantees.csv", get(open_data::csv))
        .route("/open-data/guarantees.json", get(open_data::json))
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), guard::rate_limit))
        .with_state(state.clone())
}

/// Adds the security headers to every response of `router`.
pub(crate) fn with_security_headers(router: Router, state: &AppState) -> Router {
    router.layer(axum::middleware::from_fn_with_state(state.clone(), guard::security_headers))
}

/// `GET /graphql`: GraphiQL, every file of it from this server.
async fn graphiql() -> Response {
    let page = format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>egp-chain GraphQL API</title>\n\
         <link rel=\"stylesheet\" href=\"{css}\">\n<link rel=\"stylesheet\" href=\"{page_css}\">\n\
         <script src=\"{react}\" defer></script>\n<script src=\"{react_dom}\" defer></script>\n\
         <script src=\"{graphiql}\" defer></script>\n<script src=\"{start}\" defer></script>\n\
         </head>\n<body>\n<div id=\"graphiql\">Loading GraphiQL…</div>\n</body>\n</html>\n",
        css = assets::GRAPHIQL_CSS,
        page_css = assets::GRAPHIQL_PAGE_CSS,
        react = assets::REACT_JS,
        react_dom = assets::REACT_DOM_JS,
        graphiql = assets::GRAPHIQL_JS,
        start = assets::GRAPHIQL_START_JS,
    );
    ([(header::CACHE_CONTROL, "no-cache")], Html(page)).into_response()
}
