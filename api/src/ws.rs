//! Subscriptions over WebSocket (graphql-transport-ws, and the older graphql-ws) with limits like
//! those on queries. async-graphql speaks the protocol; this module stands between it and the
//! socket, reading the type and id of each message, and enforces:
//!
//! - **`connection_init` in time**: a client that has not been acknowledged within
//!   `--ws-init-timeout-ms` is closed with `4408 Connection initialisation timeout` (the code the
//!   protocol gives it).
//! - **connections per API key**: a `connection_init` whose key already has
//!   `--ws-max-connections-per-key` connections open is closed with `4403 Forbidden` (the
//!   protocol's code for a refused `connection_init`), naming the key's label and the limit.
//! - **subscriptions per connection**: a `subscribe` above `--ws-max-subscriptions` running on
//!   the connection gets an `error` message for its id (code `TOO_MANY_SUBSCRIPTIONS`); the
//!   connection and its other subscriptions go on.
//! - **idle connections**: a connection with no subscription running that has heard nothing from
//!   its client for `--ws-idle-timeout-ms` is closed with `1000` and the reason.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_graphql::http::{ALL_WEBSOCKET_PROTOCOLS, WebSocketProtocols, WsMessage};
use async_graphql::{Data, ServerError};
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use tokio::time::Instant;

use crate::auth::{Principal, hash_key, key_from_headers};
use crate::http::AppState;

/// The close code graphql-transport-ws gives a missing `connection_init`.
pub const CLOSE_INIT_TIMEOUT: u16 = 4408;
/// The close code graphql-transport-ws recommends for a refused `connection_init`.
pub const CLOSE_FORBIDDEN: u16 = 4403;
/// Normal closure: an idle connection is closed with it.
pub const CLOSE_IDLE: u16 = 1000;

/// Open WebSocket connections by API key (its hash), shared by every connection of a server.
#[derive(Debug, Default)]
pub struct KeyConnections {
    open: Mutex<HashMap<String, usize>>,
}

/// One connection counted against its key; uncounted when dropped.
struct Counted {
    connections: Arc<KeyConnections>,
    key: String,
}

impl KeyConnections {
    /// Counts a connection for `key` unless it already has `limit` open.
    fn count(self: &Arc<Self>, key: String, limit: usize) -> Option<Counted> {
        let mut open = self.open.lock().expect("not poisoned");
        let n = open.entry(key.clone()).or_default();
        if *n >= limit {
            return None;
        }
        *n += 1;
        Some(Counted { connections: self.clone(), key })
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        let mut open = self.connections.open.lock().expect("not poisoned");
        if let Some(n) = open.get_mut(&self.key) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.key);
            }
        }
    }
}

/// The part of a message this module reads (the payload is skipped, not built).
#[derive(Deserialize)]
struct Envelope {
    #[serde(rename = "type")]
    kind: String,
    id: Option<String>,
}

/// The key a `connection_init` payload carries (`apiKey`, `authorization: Bearer …` or
/// `x-api-key`; names in any case, as GraphiQL sends its Headers tab here).
fn key_from_init(message: &[u8]) -> Option<String> {
    #[derive(Deserialize)]
    struct Init {
        payload: Option<serde_json::Value>,
    }
    let payload = serde_json::from_slice::<Init>(message).ok()?.payload?;
    let field = |name: &str| payload.as_object()?.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v);
    let value = field("apiKey").or_else(|| field("authorization")).or_else(|| field("x-api-key"))?.as_str()?;
    Some(value.trim_start_matches("Bearer ").to_owned())
}

/// `GET /graphql/ws`: upgrades to a WebSocket speaking the protocol the client asked for (400 if
/// it named none this server speaks). The key may be in the headers or the `connection_init`.
pub(crate) async fn upgrade(State(state): State<AppState>, headers: HeaderMap, upgrade: WebSocketUpgrade) -> Response {
    let protocol = headers
        .get(header::SEC_WEBSOCKET_PROTOCOL)
        .and_then(|value| value.to_str().ok())
        .and_then(|asked| asked.split(',').find_map(|p| p.trim().parse::<WebSocketProtocols>().ok()));
    let Some(protocol) = protocol else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let header_key = key_from_headers(&headers);
    upgrade.protocols(ALL_WEBSOCKET_PROTOCOLS).on_upgrade(move |socket| serve(socket, state, protocol, header_key))
}

/// Serves one upgraded connection until either side closes it or a limit does.
async fn serve(socket: WebSocket, state: AppState, protocol: WebSocketProtocols, header_key: Option<String>) {
    let limits = state.api.limits.clone();
    let (mut sink, mut incoming) = socket.split();
    let (forward, forwarded) = tokio::sync::mpsc::channel::<Bytes>(16);
    let to_graphql = futures_util::stream::unfold(forwarded, |mut rx| async move { rx.recv().await.map(|m| (m, rx)) });
    // The principal is settled here (key, limits) and handed to async-graphql's init callback;
    // without one it refuses the connection as it always has (1002, "a valid API key is required").
    let settled: Arc<Mutex<Option<Principal>>> = Arc::default();
    let handed = settled.clone();
    let graphql = async_graphql::http::WebSocket::new(state.schema.clone(), to_graphql, protocol).on_connection_init(
        move |_payload| async move {
            let principal = handed
                .lock()
                .expect("not poisoned")
                .take()
                .ok_or_else(|| async_graphql::Error::new("a valid API key is required"))?;
            let mut data = Data::default();
            data.insert(principal);
            Ok(data)
        },
    );
    futures_util::pin_mut!(graphql);

    let init_deadline = Instant::now() + Duration::from_millis(limits.ws_init_timeout_ms);
    let idle_after = Duration::from_millis(limits.ws_idle_timeout_ms);
    let mut heard = Instant::now();
    let mut init_seen = false;
    let mut acknowledged = false;
    let mut running: HashSet<String> = HashSet::new();
    let mut _counted: Option<Counted> = None;
    let close = |code: u16, reason: String| Message::Close(Some(CloseFrame { code, reason: reason.into() }));

    loop {
        let deadline = if !acknowledged {
            Some(init_deadline)
        } else if running.is_empty() {
            Some(heard + idle_after)
        } else {
            None
        };
        let timer = async move {
            match deadline {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            // Read from the socket only while async-graphql has room for the message: the loop
            // never waits on the channel, so it keeps driving async-graphql, which empties it.
            frame = incoming.next(), if forward.capacity() > 0 => {
                let data = match frame {
                    Some(Ok(Message::Text(text))) => Bytes::from(text),
                    Some(Ok(Message::Binary(bytes))) => bytes,
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                    Some(Ok(Message::Close(_)) | Err(_)) | None => break,
                };
                heard = Instant::now();
                // Anything that is not a message this module reads goes to async-graphql as it
                // is, which answers it per the protocol (4400 and the like).
                if let Ok(message) = serde_json::from_slice::<Envelope>(&data) {
                    match (message.kind.as_str(), message.id) {
                        ("connection_init", _) if !init_seen => {
                            init_seen = true;
                            let principal = header_key
                                .iter()
                                .chain(key_from_init(&data).iter())
                                .find_map(|key| state.keys.authenticate(key).ok().map(|who| (hash_key(key), who)));
                            if let Some((key, principal)) = principal {
                                let limit = limits.ws_max_connections_per_key;
                                let Some(counted) = state.ws_connections.count(key, limit) else {
                                    let reason = format!(
                                        "Forbidden: API key \"{}\" already has {limit} WebSocket connections open, \
                                         the most allowed",
                                        principal.label
                                    );
                                    tracing::info!(key = %principal.label, limit, "WebSocket refused: connections per key");
                                    let _ = sink.send(close(CLOSE_FORBIDDEN, reason)).await;
                                    break;
                                };
                                _counted = Some(counted);
                                *settled.lock().expect("not poisoned") = Some(principal);
                            }
                        }
                        // Counted from the init on: async-graphql starts a subscription sent
                        // right behind the init, before this loop has seen the ack.
                        ("subscribe" | "start", Some(id)) if init_seen && !running.contains(&id) => {
                            if running.len() >= limits.ws_max_subscriptions {
                                let refusal = too_many_subscriptions(protocol, &id, limits.ws_max_subscriptions);
                                if sink.send(Message::Text(refusal.into())).await.is_err() {
                                    break;
                                }
                                continue;
                            }
                            running.insert(id);
                        }
                        ("complete" | "stop", Some(id)) => {
                            running.remove(&id);
                        }
                        _ => {}
                    }
                }
                if forward.try_send(data).is_err() {
                    break;
                }
            }
            out = graphql.next() => {
                match out {
                    Some(WsMessage::Text(text)) => {
                        if let Ok(message) = serde_json::from_str::<Envelope>(&text) {
                            match (message.kind.as_str(), message.id) {
                                ("connection_ack", _) => acknowledged = true,
                                ("complete" | "error", Some(id)) => {
                                    running.remove(&id);
                                }
                                _ => {}
                            }
                        }
                        if sink.send(Message::Text(text.into())).await.is_err() {
                            break;
                        }
                    }
                    Some(WsMessage::Close(code, reason)) => {
                        let _ = sink.send(close(code, reason)).await;
                        break;
                    }
                    None => break,
                }
            }
            () = timer => {
                let message = if acknowledged {
                    let reason = format!("idle: no subscription and no message for {} ms", limits.ws_idle_timeout_ms);
                    close(CLOSE_IDLE, reason)
                } else {
                    close(CLOSE_INIT_TIMEOUT, "Connection initialisation timeout".into())
                };
                let _ = sink.send(message).await;
                break;
            }
        }
    }
    let _ = sink.close().await;
}

/// The protocol's `error` message refusing subscription `id`.
fn too_many_subscriptions(protocol: WebSocketProtocols, id: &str, limit: usize) -> String {
    let message = format!("this connection already runs {limit} subscriptions, the most allowed; complete one first");
    let mut error = ServerError::new(message, None);
    let mut extensions = async_graphql::ErrorExtensionValues::default();
    extensions.set("code", "TOO_MANY_SUBSCRIPTIONS");
    error.extensions = Some(extensions);
    // graphql-transport-ws sends a list of errors; the older graphql-ws one error.
    let payload = match protocol {
        WebSocketProtocols::GraphQLWS => serde_json::json!([error]),
        WebSocketProtocols::SubscriptionsTransportWS => serde_json::json!(error),
    };
    serde_json::json!({ "type": "error", "id": id, "payload": payload }).to_string()
}
