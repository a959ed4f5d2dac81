//! HTTP wiring: `POST /graphql`, subscriptions over WebSocket (graphql-transport-ws, served by
//! [`crate::ws`]) on `GET /graphql/ws`, `/health`, `/metrics`, and the public pages of
//! [`crate::web`] (GraphiQL on `GET /graphql`). Authentication, body size, time limit and
//! concurrency are enforced here; the schema knows nothing of HTTP.

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tokio::sync::Semaphore;
use tracing::Instrument;

use crate::auth::{ApiKeys, key_from_headers};
use crate::config::Limits;
use crate::db::Session;
use crate::metrics::Metrics;
use crate::schema::{Api, ApiSchema};

/// What the handlers share.
#[derive(Clone)]
pub struct AppState {
    /// The schema.
    pub schema: ApiSchema,
    /// Shared resources.
    pub api: Arc<Api>,
    /// The configured keys.
    pub keys: Arc<ApiKeys>,
    /// Counters.
    pub metrics: Arc<Metrics>,
    /// Slots for requests executing at once.
    pub slots: Arc<Semaphore>,
    /// `/health` fails above this lag.
    pub health_max_lag: u64,
    /// The public pages' state.
    pub web: Arc<crate::web::Web>,
    /// Open WebSocket connections by API key.
    pub ws_connections: Arc<crate::ws::KeyConnections>,
}

impl AppState {
    /// The state over a schema and its resources.
    pub fn new(schema: ApiSchema, api: Arc<Api>, keys: ApiKeys, health_max_lag: u64) -> Self {
        let slots = Arc::new(Semaphore::new(api.limits.max_concurrent));
        let (keys, metrics, ws_connections) = (Arc::new(keys), Arc::new(Metrics::default()), Arc::default());
        let web = Arc::new(crate::web::Web::default());
        Self { schema, api, keys, metrics, slots, health_max_lag, web, ws_connections }
    }

    /// The same state with the public pages' settings.
    pub fn with_web(mut self, web: crate::web::Web) -> Self {
        self.web = Arc::new(web);
        self
    }

    fn limits(&self) -> &Limits {
        &self.api.limits
    }
}

/// The router.
pub fn router(state: AppState) -> Router {
    let body_limit = state.limits().max_body_bytes;
    let pages = crate::web::router(&state);
    let api = Router::new()
        .route("/graphql", post(graphql))
        .route("/graphql/ws", get(crate::ws::upgrade))
        .route("/health", get(health))
        .route("/metrics", get(metrics))
        .layer(DefaultBodyLimit::max(body_limit))
        .with_state(state.clone());
    crate::web::with_security_headers(api.merge(pages), &state)
}

/// A JSON error body in the GraphQL shape, with its code.
fn error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = serde_json::json!({ "errors": [{ "message": message, "extensions": { "code": code } }] });
    (status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

async fn graphql(State(state): State<AppState>, headers: HeaderMap, body: Result<Bytes, BytesRejection>) -> Response {
    let started = Instant::now();
    let (response, codes) = execute(&state, &headers, body).await;
    state.metrics.observe(response.status().as_u16(), started.elapsed(), &codes);
    response
}

async fn execute(
    state: &AppState,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> (Response, Vec<String>) {
    let fail = |status, code: &str, message: &str| (error(status, code, message), vec![code.to_owned()]);
    let Some(principal) = key_from_headers(headers).and_then(|key| state.keys.authenticate(&key).ok()) else {
        return fail(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", "a valid API key is required");
    };
    let body = match body {
        Ok(body) => body,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            let message = format!("the request body is above {} bytes", state.limits().max_body_bytes);
            return fail(StatusCode::PAYLOAD_TOO_LARGE, "BODY_TOO_LARGE", &message);
        }
        Err(_) => return fail(StatusCode::BAD_REQUEST, "BAD_REQUEST", "the request body could not be read"),
    };
    let Ok(request) = serde_json::from_slice::<async_graphql::Request>(&body) else {
        let message = "the body is not a GraphQL request ({\"query\": ..., \"variables\": ...})";
        return fail(StatusCode::BAD_REQUEST, "GRAPHQL_PARSE_FAILED", message);
    };
    let timeout = state.limits().timeout();
    let Ok(Ok(_permit)) = tokio::time::timeout(timeout, state.slots.acquire()).await else {
        return fail(StatusCode::SERVICE_UNAVAILABLE, "OVERLOADED", "too many requests at once; retry shortly");
    };
    let span = tracing::info_span!("graphql", key = %principal.label, operation = ?request.operation_name);
    let run = state.schema.execute(request.data(principal));
    let Ok(response) = tokio::time::timeout(timeout, run).instrument(span).await else {
        let message = format!("the request took longer than {} ms", state.limits().timeout_ms);
        return fail(StatusCode::OK, "TIMEOUT", &message);
    };
    let codes = response
        .errors
        .iter()
        .filter_map(|e| e.extensions.as_ref().and_then(|x| x.get("code")).map(|c| c.to_string().replace('"', "")))
        .collect();
    let body =
        serde_json::to_vec(&response).unwrap_or_else(|_| b"{\"errors\":[{\"message\":\"internal error\"}]}".to_vec());
    ((StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], body).into_response(), codes)
}

async fn health(State(state): State<AppState>) -> Response {
    let session = Session::new(state.api.pool.clone(), state.api.chain_id);
    let marker = match session.marker().await {
        Ok(marker) => marker,
        Err(error) => {
            tracing::warn!(%error, "health: database unreachable");
            let body = serde_json::json!({ "status": "down", "database": "unreachable" });
            return (StatusCode::SERVICE_UNAVAILABLE, axum::Json(body)).into_response();
        }
    };
    drop(session);
    let head = state.api.chain.head().await.ok();
    let indexed = marker.as_ref().map(|m| m.block_number);
    let lag = match (head, indexed) {
        (Some(head), Some(indexed)) => Some((head as i64 - indexed).max(0)),
        _ => None,
    };
    let healthy = indexed.is_some() && lag.is_none_or(|lag| lag as u64 <= state.health_max_lag);
    let body = serde_json::json!({
        "status": if healthy { "ok" } else { "degraded" },
        "database": "ok",
        "indexedBlock": indexed,
        "chainHead": head,
        "lag": lag,
    });
    let status = if healthy { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, axum::Json(body)).into_response()
}

async fn metrics(State(state): State<AppState>) -> Response {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], state.metrics.render()).into_response()
}
