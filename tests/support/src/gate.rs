//! A gate in front of the chain's JSON-RPC endpoint, for tests of a node that goes away: open, it
//! passes every request to anvil; closed, nothing listens on its port (connection refused);
//! `refuse_sends` keeps it open but answers `eth_sendRawTransaction` with HTTP 503, as a load
//! balancer in front of a dead node would, and sends nothing on.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use alloy::transports::http::reqwest;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use tokio_util::sync::CancellationToken;

#[derive(Clone)]
struct Shared {
    upstream: String,
    client: reqwest::Client,
    refuse_sends: Arc<AtomicBool>,
}

/// The gate (closed when dropped).
pub struct RpcGate {
    address: SocketAddr,
    shared: Shared,
    open: Option<CancellationToken>,
}

impl RpcGate {
    /// An open gate in front of `upstream` on a free port.
    pub async fn open_to(upstream: &str) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a free port");
        let address = listener.local_addr().expect("an address");
        egp_contracts::tls::use_ring();
        let shared = Shared {
            upstream: upstream.to_owned(),
            client: reqwest::Client::new(),
            refuse_sends: Arc::new(AtomicBool::new(false)),
        };
        let mut gate = Self { address, shared, open: None };
        gate.serve(listener);
        gate
    }

    /// The gate's RPC URL.
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

    /// Stops listening: every call fails with connection refused.
    pub async fn close(&mut self) {
        if let Some(open) = self.open.take() {
            open.cancel();
        }
        // The listener is dropped once the server task sees the cancellation.
        for _ in 0..200 {
            if tokio::net::TcpStream::connect(self.address).await.is_err() {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("the gate at {} did not close", self.address);
    }

    /// Listens again on the same port.
    pub async fn reopen(&mut self) {
        if self.open.is_some() {
            return;
        }
        let listener = tokio::net::TcpListener::bind(self.address).await.expect("the gate's port again");
        self.serve(listener);
    }

    /// Whether `eth_sendRawTransaction` is answered 503 (and not passed on).
    pub fn refuse_sends(&self, refuse: bool) {
        self.shared.refuse_sends.store(refuse, Ordering::SeqCst);
    }
}

impl Drop for RpcGate {
    fn drop(&mut self) {
        if let Some(open) = self.open.take() {
            open.cancel();
        }
    }
}

async fn forward(State(shared): State<Shared>, body: Bytes) -> Response {
    if shared.refuse_sends.load(Ordering::SeqCst) && body.windows(22).any(|w| w == b"eth_sendRawTransaction") {
        return (StatusCode::SERVICE_UNAVAILABLE, "the node is down").into_response();
    }
    let answer =
        shared.client.post(&shared.upstream).header(header::CONTENT_TYPE, "application/json").body(body).send().await;
    match answer {
        Ok(answer) => {
            let status = StatusCode::from_u16(answer.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
            let bytes = answer.bytes().await.unwrap_or_default();
            (status, [(header::CONTENT_TYPE, "application/json")], bytes).into_response()
        }
        Err(_) => (StatusCode::BAD_GATEWAY, "anvil did not answer").into_response(),
    }
}
