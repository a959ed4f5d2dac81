//! WebSocket subscriptions' limits, each against the real API served over TCP and a real
//! WebSocket client (graphql-transport-ws): `connection_init` in time (4408), connections per
//! API key (4403), subscriptions per connection (an `error` message, the connection goes on) and
//! idle connections (1000). The subscriptions follow a real, empty, migrated database.

use std::time::Duration;

use egp_api::Limits;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use sqlx::PgPool;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use crate::common::*;

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

const FOLLOW: &str = "subscription { guaranteeEvents { name recordId } }";

/// The API over `pool` on a free port; its `ws://` URL. Subscriptions need no node.
async fn serve(pool: PgPool, limits: Limits) -> String {
    let router = router(pool, "http://127.0.0.1:9", limits);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("ws://{addr}/graphql/ws")
}

async fn connect(url: &str, header_key: Option<&str>) -> Socket {
    let mut request = url.into_client_request().unwrap();
    request.headers_mut().insert("sec-websocket-protocol", "graphql-transport-ws".parse().unwrap());
    if let Some(key) = header_key {
        request.headers_mut().insert("authorization", format!("Bearer {key}").parse().unwrap());
    }
    let (socket, response) = tokio_tungstenite::connect_async(request).await.expect("the API accepts WebSockets");
    assert_eq!(response.headers()["sec-websocket-protocol"], "graphql-transport-ws");
    socket
}

async fn send(socket: &mut Socket, message: Value) {
    socket.send(Message::Text(message.to_string().into())).await.unwrap();
}

/// The next message: a JSON text, or the close frame's code and reason.
async fn next(socket: &mut Socket) -> Result<Value, (u16, String)> {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(20), socket.next())
            .await
            .expect("a message within 20 s")
            .expect("a close frame before the end of the stream")
            .expect("a valid frame");
        match frame {
            Message::Text(text) => return Ok(serde_json::from_str(&text).unwrap()),
            Message::Close(Some(frame)) => return Err((u16::from(frame.code), frame.reason.as_str().to_owned())),
            Message::Close(None) => return Err((u16::from(CloseCode::Status), String::new())),
            Message::Ping(_) | Message::Pong(_) => continue,
            other => panic!("unexpected frame {other:?}"),
        }
    }
}

async fn expect_json(socket: &mut Socket) -> Value {
    next(socket).await.unwrap_or_else(|(code, reason)| panic!("closed with {code} {reason:?}"))
}

async fn expect_close(socket: &mut Socket) -> (u16, String) {
    match next(socket).await {
        Err(close) => close,
        Ok(message) => panic!("a close frame, not {message}"),
    }
}

/// Connects and completes `connection_init` with `key` in the payload.
async fn acknowledged(url: &str, key: &str) -> Socket {
    let mut socket = connect(url, None).await;
    send(&mut socket, json!({ "type": "connection_init", "payload": { "apiKey": key } })).await;
    assert_eq!(expect_json(&mut socket).await, json!({ "type": "connection_ack" }));
    socket
}

async fn subscribe(socket: &mut Socket, id: &str) {
    send(socket, json!({ "id": id, "type": "subscribe", "payload": { "query": FOLLOW } })).await;
}

/// Pings and returns the next message: a pong unless something was queued before it.
async fn ping(socket: &mut Socket) -> Value {
    send(socket, json!({ "type": "ping" })).await;
    expect_json(socket).await
}

#[sqlx::test(migrator = "egp_store::MIGRATOR")]
async fn ws_a_client_that_sends_no_connection_init_in_time_is_closed_4408(pool: PgPool) {
    let limits = Limits { ws_init_timeout_ms: 300, ..Limits::default() };
    let url = serve(pool, limits).await;

    let mut silent = connect(&url, Some(EGP_KEY)).await;
    assert_eq!(expect_close(&mut silent).await, (4408, "Connection initialisation timeout".to_owned()));

    // One that sends it in time is acknowledged and stays past the init time limit.
    let mut prompt = acknowledged(&url, EGP_KEY).await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(ping(&mut prompt).await, json!({ "type": "pong" }));
}

#[sqlx::test(migrator = "egp_store::MIGRATOR")]
async fn ws_connections_per_api_key_are_limited_and_freed_on_close(pool: PgPool) {
    let limits = Limits { ws_max_connections_per_key: 2, ..Limits::default() };
    let url = serve(pool, limits).await;

    let mut first = acknowledged(&url, EGP_KEY).await;
    let _second = acknowledged(&url, EGP_KEY).await;
    // A third with the same key, here in the header, is refused as the protocol refuses an init.
    let mut third = connect(&url, Some(EGP_KEY)).await;
    send(&mut third, json!({ "type": "connection_init" })).await;
    let (code, reason) = expect_close(&mut third).await;
    assert_eq!(code, 4403);
    assert_eq!(reason, "Forbidden: API key \"egp\" already has 2 WebSocket connections open, the most allowed");
    // Other keys are counted apart.
    let _bank = acknowledged(&url, BBL_KEY).await;

    // Closing one frees its place.
    first.close(None).await.unwrap();
    while first.next().await.is_some() {}
    let mut attempts = 0;
    loop {
        let mut again = connect(&url, None).await;
        send(&mut again, json!({ "type": "connection_init", "payload": { "apiKey": EGP_KEY } })).await;
        match next(&mut again).await {
            Ok(ack) => {
                assert_eq!(ack, json!({ "type": "connection_ack" }));
                break;
            }
            // The server may not have counted the close yet.
            Err((4403, _)) if attempts < 50 => {
                attempts += 1;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(close) => panic!("a freed place is given again, not {close:?}"),
        }
    }
}

#[sqlx::test(migrator = "egp_store::MIGRATOR")]
async fn ws_subscriptions_per_connection_are_limited_and_the_connection_goes_on(pool: PgPool) {
    let limits = Limits { ws_max_subscriptions: 2, ..Limits::default() };
    let url = serve(pool, limits).await;
    let mut socket = acknowledged(&url, EGP_KEY).await;

    subscribe(&mut socket, "a").await;
    subscribe(&mut socket, "b").await;
    subscribe(&mut socket, "c").await;
    let refusal = expect_json(&mut socket).await;
    assert_eq!(refusal["type"], "error", "{refusal}");
    assert_eq!(refusal["id"], "c");
    assert_eq!(refusal["payload"][0]["extensions"]["code"], "TOO_MANY_SUBSCRIPTIONS", "{refusal}");
    assert_eq!(
        refusal["payload"][0]["message"],
        "this connection already runs 2 subscriptions, the most allowed; complete one first"
    );
    // The two still run (no message for them) and the connection answers.
    assert_eq!(ping(&mut socket).await, json!({ "type": "pong" }));

    // Completing one makes room for another.
    send(&mut socket, json!({ "id": "a", "type": "complete" })).await;
    assert_eq!(expect_json(&mut socket).await, json!({ "type": "complete", "id": "a" }));
    subscribe(&mut socket, "d").await;
    assert_eq!(ping(&mut socket).await, json!({ "type": "pong" }), "d is accepted");
    subscribe(&mut socket, "e").await;
    assert_eq!(expect_json(&mut socket).await["id"], "e", "e is one too many");

    // A subscription that ends by itself (here refused by validation) frees its place too.
    send(&mut socket, json!({ "id": "b", "type": "complete" })).await;
    assert_eq!(expect_json(&mut socket).await, json!({ "type": "complete", "id": "b" }));
    let invalid = json!({ "id": "f", "type": "subscribe", "payload": { "query": "subscription { nope }" } });
    send(&mut socket, invalid).await;
    let failed = expect_json(&mut socket).await;
    assert_eq!(failed["id"], "f", "{failed}");
    assert_ne!(failed["payload"][0]["extensions"]["code"], "TOO_MANY_SUBSCRIPTIONS", "{failed}");
    if failed["type"] == "next" {
        assert_eq!(expect_json(&mut socket).await, json!({ "type": "complete", "id": "f" }));
    }
    subscribe(&mut socket, "g").await;
    assert_eq!(ping(&mut socket).await, json!({ "type": "pong" }), "g is accepted: f no longer counts");

    // Subscriptions sent right behind the init, before its ack, count too.
    let mut eager = connect(&url, None).await;
    send(&mut eager, json!({ "type": "connection_init", "payload": { "apiKey": EGP_KEY } })).await;
    for id in ["x", "y", "z"] {
        subscribe(&mut eager, id).await;
    }
    let mut answers = [expect_json(&mut eager).await, expect_json(&mut eager).await];
    answers.sort_by_key(|answer| answer["type"].to_string());
    assert_eq!(answers[0], json!({ "type": "connection_ack" }));
    assert_eq!((&answers[1]["type"], &answers[1]["id"]), (&json!("error"), &json!("z")), "{answers:?}");
    assert_eq!(ping(&mut eager).await, json!({ "type": "pong" }));
}

#[sqlx::test(migrator = "egp_store::MIGRATOR")]
async fn ws_an_idle_connection_is_closed_but_one_with_a_subscription_is_not(pool: PgPool) {
    let limits = Limits { ws_idle_timeout_ms: 500, ..Limits::default() };
    let url = serve(pool, limits).await;

    let mut idle = acknowledged(&url, EGP_KEY).await;
    let mut following = acknowledged(&url, EGP_KEY).await;
    subscribe(&mut following, "1").await;

    let (code, reason) = expect_close(&mut idle).await;
    assert_eq!((code, reason.as_str()), (1000, "idle: no subscription and no message for 500 ms"));

    // Well past the idle time, the subscribed connection is still open and answers.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(ping(&mut following).await, json!({ "type": "pong" }));
    // Without its subscription it becomes idle in turn.
    send(&mut following, json!({ "id": "1", "type": "complete" })).await;
    assert_eq!(expect_json(&mut following).await, json!({ "type": "complete", "id": "1" }));
    assert_eq!(expect_close(&mut following).await.0, 1000);
}
