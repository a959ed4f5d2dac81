//! New heads over WebSocket: a background task holds an `eth_subscribe("newHeads")` subscription
//! and wakes the follow loop on every new block, so a caught-up indexer reacts at once instead of
//! at the next poll. The WebSocket is only the wake-up: the loop still reads the chain over HTTP
//! and still polls, so a missed notification or a dropped subscription costs at most one poll
//! interval. When the node offers no WebSocket or refuses the subscription, the task retries with
//! back-off and logs once per change of state.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use alloy::providers::{Provider, ProviderBuilder, RootProvider, WsConnect};
use alloy::pubsub::{Subscription, SubscriptionItem};
use alloy::rpc::types::Header;
use alloy::transports::TransportResult;
use alloy::transports::http::reqwest::Url;
use tokio::sync::Notify;
use tokio::sync::broadcast::error::RecvError;
use tokio_util::sync::CancellationToken;

use crate::backoff::Backoff;
use crate::metrics::Metrics;

/// How the subscription task reaches the node and how it reports.
#[derive(Debug)]
pub struct NewHeads {
    /// The `ws://` or `wss://` endpoint.
    pub url: String,
    /// Whether the operator named the endpoint (`--ws-url`); a derived one that fails is expected
    /// on HTTP-only nodes, so it is reported at info, not as a warning.
    pub explicit: bool,
    /// Time limit of connecting and subscribing.
    pub timeout: Duration,
    /// Longest pause between attempts.
    pub max_backoff: Duration,
    /// The poll interval, for the log lines.
    pub poll_interval: Duration,
}

impl NewHeads {
    /// Subscribes until `cancel`, calling `wake.notify_one()` on every new head and keeping
    /// `metrics.new_heads_subscribed` up to date.
    pub async fn run(self, wake: Arc<Notify>, metrics: Arc<Metrics>, cancel: CancellationToken) {
        let endpoint = redacted(&self.url);
        let poll_ms = self.poll_interval.as_millis() as u64;
        let mut backoff = Backoff::new(self.max_backoff);
        // Each change is logged once: the first failure, every subscription, every end of one;
        // failed retries only at debug.
        let mut first = true;
        loop {
            let attempt = tokio::select! {
                () = cancel.cancelled() => return,
                attempt = tokio::time::timeout(self.timeout, subscribe(&self.url)) => attempt,
            };
            let error = match attempt {
                Ok(Ok((provider, mut subscription))) => {
                    metrics.new_heads_subscribed.store(true, Ordering::Relaxed);
                    tracing::info!(%endpoint, "subscribed to new heads over WebSocket; polling stays as the fallback");
                    backoff.reset();
                    // A head that arrived while subscribing is not lost, for one extra loop
                    // iteration at most.
                    wake.notify_one();
                    let ended = forward(&mut subscription, &wake, &cancel).await;
                    metrics.new_heads_subscribed.store(false, Ordering::Relaxed);
                    drop(provider);
                    if !ended {
                        return;
                    }
                    // Info, not a warning: indexing goes on by polling, and a node that went away
                    // is already reported by the loop's own reads.
                    tracing::info!(%endpoint, poll_ms, "the new-heads subscription ended; polling until it is back");
                    None
                }
                Ok(Err(error)) => Some(error.to_string()),
                Err(_) => Some(format!("no answer within {:?}", self.timeout)),
            };
            if let Some(error) = error {
                if !first {
                    tracing::debug!(%endpoint, %error, "new heads still unavailable");
                } else if self.explicit {
                    tracing::warn!(
                        %endpoint,
                        %error,
                        poll_ms,
                        "cannot subscribe to new heads over WebSocket; polling and retrying with back-off"
                    );
                } else {
                    tracing::info!(%endpoint, %error, poll_ms, "no new heads over WebSocket; polling");
                }
            }
            first = false;
            tokio::select! {
                () = cancel.cancelled() => return,
                () = tokio::time::sleep(backoff.next_delay()) => {}
            }
        }
    }
}

/// Wakes the loop on every notification until the subscription ends (`true`) or `cancel`
/// (`false`).
async fn forward(subscription: &mut Subscription<Header>, wake: &Notify, cancel: &CancellationToken) -> bool {
    loop {
        let item = tokio::select! {
            () = cancel.cancelled() => return false,
            item = subscription.recv_any() => item,
        };
        match item {
            Ok(SubscriptionItem::Item(header)) => tracing::trace!(number = header.number, "new head"),
            // A header alloy cannot parse (another client's fields) still means a new head, and
            // so do notifications missed while the loop was busy.
            Ok(SubscriptionItem::Other(_)) | Err(RecvError::Lagged(_)) => {}
            Err(RecvError::Closed) => return true,
        }
        wake.notify_one();
    }
}

/// Connects and subscribes. The provider must outlive the subscription: dropping it shuts the
/// connection down.
async fn subscribe(url: &str) -> TransportResult<(RootProvider, Subscription<Header>)> {
    // alloy reconnects once by itself (re-subscribing transparently); after that the
    // subscription ends and this task takes over, with its own back-off and log lines.
    let connect = WsConnect::new(url).with_max_retries(1);
    let provider = ProviderBuilder::new().disable_recommended_fillers().connect_ws(connect).await?;
    let subscription = provider.subscribe_blocks().await?;
    Ok((provider, subscription))
}

/// `scheme://host:port` of `url`, for log lines: user, password, path and query may hold secrets.
fn redacted(url: &str) -> String {
    match Url::parse(url) {
        Ok(url) => match (url.host_str(), url.port_or_known_default()) {
            (Some(host), Some(port)) => format!("{}://{host}:{port}", url.scheme()),
            (Some(host), None) => format!("{}://{host}", url.scheme()),
            _ => url.scheme().to_owned(),
        },
        Err(_) => "(unparsable URL)".to_owned(),
    }
}
