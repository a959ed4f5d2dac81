//! An RPC front: an HTTP proxy in front of a real node's JSON-RPC endpoint that can take the node
//! away or make it answer wrongly without touching the node. Open, it passes every request on.
//! It can refuse connections (nothing listens on its port) or hang them (requests are held
//! without an answer) for a while, answer `eth_sendRawTransaction` with HTTP 503 and send nothing
//! on (as a load balancer in front of a dead node would), and answer the next few calls with
//! malformed JSON, with a block whose number is not the one asked, or with logs carrying a topic
//! no contract has.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use alloy::primitives::{Address, keccak256};
use alloy::transports::http::reqwest;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

/// A wrong answer the front can give.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tamper {
    /// A body cut in the middle of the JSON (any method).
    MalformedJson,
    /// `eth_getBlockByNumber` of a number answered with the next block's number.
    WrongBlockNumber,
    /// One more log in an `eth_getLogs` answer with logs, at `address`, with an unknown topic.
    UnknownTopic(Address),
}

#[derive(Default)]
struct Pending {
    malformed: u32,
    wrong_block: u32,
    unknown_topic: Option<(Address, u32)>,
}

#[derive(Clone)]
struct Shared {
    upstream: String,
    client: reqwest::Client,
    pending: Arc<Mutex<Pending>>,
    /// Requests are held while this is non-zero.
    hanging: Arc<AtomicU32>,
    /// Wrong answers given so far.
    tampered: Arc<AtomicU64>,
    /// `eth_sendRawTransaction` is answered 503 while this is set.
    refuse_sends: Arc<AtomicBool>,
}

/// The front (stops listening when dropped).
pub struct RpcFront {
    address: SocketAddr,
    shared: Shared,
    open: Option<CancellationToken>,
}

impl RpcFront {
    /// An open front for `upstream` on a free port.
    pub async fn open_to(upstream: &str) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a free port");
        let address = listener.local_addr().expect("an address");
        let shared = Shared {
            upstream: upstream.to_owned(),
            client: {
                egp_contracts::tls::use_ring();
                reqwest::Client::new()
            },
            pending: Arc::default(),
            hanging: Arc::default(),
            tampered: Arc::default(),
            refuse_sends: Arc::default(),
        };
        let mut front = Self { address, shared, open: None };
        front.serve(listener);
        front
    }

    /// The front's RPC URL.
    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    fn serve(&mut self, listener: tokio::net::TcpListener) {
        let cancel = CancellationToken::new();
        let router = Router::new().fallback(forward).with_state(self.shared.clone());
        let stop = cancel.clone();
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).with_graceful_shutdown(stop.cancelled_owned()).await;
        });
        self.open = Some(cancel);
    }

    /// Stops listening: every new connection is refused.
    pub async fn refuse(&mut self) {
        if let Some(open) = self.open.take() {
            open.cancel();
        }
        for _ in 0..500 {
            if tokio::net::TcpStream::connect(self.address).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("the front at {} did not stop listening", self.address);
    }

    /// Holds every request without an answer until [`RpcFront::resume`].
    pub fn hang(&self) {
        self.shared.hanging.store(1, Ordering::SeqCst);
    }

    /// Listens again (after [`RpcFront::refuse`]) and answers again (after [`RpcFront::hang`]).
    pub async fn resume(&mut self) {
        self.shared.hanging.store(0, Ordering::SeqCst);
        if self.open.is_some() {
            return;
        }
        // The port may linger for a moment after the old listener is dropped.
        for _ in 0..500 {
            if let Ok(listener) = tokio::net::TcpListener::bind(self.address).await {
                self.serve(listener);
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("the front cannot listen on {} again", self.address);
    }

    /// Whether `eth_sendRawTransaction` is answered 503 (and not passed on).
    pub fn refuse_sends(&self, refuse: bool) {
        self.shared.refuse_sends.store(refuse, Ordering::SeqCst);
    }

    /// Gives `tamper` as the answer to the next `count` calls it applies to.
    pub fn tamper(&self, tamper: Tamper, count: u32) {
        let mut pending = self.shared.pending.lock().expect("the front's state");
        match tamper {
            Tamper::MalformedJson => pending.malformed += count,
            Tamper::WrongBlockNumber => pending.wrong_block += count,
            Tamper::UnknownTopic(address) => pending.unknown_topic = Some((address, count)),
        }
    }

    /// Whether every wrong answer asked for was given.
    pub fn tampering_done(&self) -> bool {
        let pending = self.shared.pending.lock().expect("the front's state");
        pending.malformed == 0 && pending.wrong_block == 0 && pending.unknown_topic.is_none_or(|(_, n)| n == 0)
    }

    /// Wrong answers given so far.
    pub fn tampered(&self) -> u64 {
        self.shared.tampered.load(Ordering::Relaxed)
    }
}

impl Drop for RpcFront {
    fn drop(&mut self) {
        if let Some(open) = self.open.take() {
            open.cancel();
        }
    }
}

/// Takes one from `counter` if it is not zero.
fn take(counter: &mut u32) -> bool {
    let had = *counter > 0;
    *counter = counter.saturating_sub(1);
    had
}

async fn forward(State(shared): State<Shared>, body: Bytes) -> Response {
    while shared.hanging.load(Ordering::SeqCst) != 0 {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    if shared.refuse_sends.load(Ordering::SeqCst) && body.windows(22).any(|w| w == b"eth_sendRawTransaction") {
        return (StatusCode::SERVICE_UNAVAILABLE, "the node is down").into_response();
    }
    if take(&mut shared.pending.lock().expect("the front's state").malformed) {
        shared.tampered.fetch_add(1, Ordering::Relaxed);
        return json_response(StatusCode::OK, Bytes::from_static(br#"{"jsonrpc":"2.0","id":1,"result":{"number":"0x"#));
    }
    let answer = shared
        .client
        .post(&shared.upstream)
        .header(header::CONTENT_TYPE, "application/json")
        .body(body.clone())
        .send()
        .await;
    let Ok(answer) = answer else {
        return (StatusCode::BAD_GATEWAY, "the node did not answer").into_response();
    };
    let status = StatusCode::from_u16(answer.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
    let bytes = answer.bytes().await.unwrap_or_default();
    match rewrite(&shared, &body, &bytes) {
        Some(rewritten) => {
            shared.tampered.fetch_add(1, Ordering::Relaxed);
            json_response(status, Bytes::from(rewritten.to_string()))
        }
        None => json_response(status, bytes),
    }
}

fn json_response(status: StatusCode, body: Bytes) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// The answer rewritten when a wrong block number or an unknown topic is due for this call.
fn rewrite(shared: &Shared, request: &[u8], answer: &[u8]) -> Option<Value> {
    let request: Value = serde_json::from_slice(request).ok()?;
    let mut answer: Value = serde_json::from_slice(answer).ok()?;
    let method = request["method"].as_str()?;
    let mut pending = shared.pending.lock().expect("the front's state");
    match method {
        "eth_getBlockByNumber" if request["params"][0].as_str()?.starts_with("0x") && answer["result"].is_object() => {
            if !take(&mut pending.wrong_block) {
                return None;
            }
            let number = u64::from_str_radix(answer["result"]["number"].as_str()?.trim_start_matches("0x"), 16).ok()?;
            answer["result"]["number"] = json!(format!("{:#x}", number + 1));
            Some(answer)
        }
        "eth_getLogs" => {
            let (address, count) = pending.unknown_topic.as_mut()?;
            let logs = answer["result"].as_array_mut()?;
            let mut extra = logs.first()?.clone();
            if !take(count) {
                return None;
            }
            extra["address"] = json!(*address);
            extra["topics"] = json!([keccak256("SomethingNewer(uint256)")]);
            extra["data"] = json!("0x");
            extra["logIndex"] = json!("0x3e7");
            logs.push(extra);
            Some(answer)
        }
        _ => None,
    }
}
