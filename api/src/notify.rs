//! The indexer's `NOTIFY` after each commit, and the outbox's after each change of an action,
//! fanned out to subscriptions and the sender. One `LISTEN` connection per server; subscriptions
//! also poll every few seconds, so a notification lost while the listener reconnects delays an
//! event but never drops it.

use std::time::Duration;

use sqlx::PgPool;
use sqlx::postgres::PgListener;
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

pub use egp_store::notify::{Commit, CommitKind};

/// Fans the indexer's commits and the actions' changes out to subscriptions.
#[derive(Debug)]
pub struct Notifier {
    sender: broadcast::Sender<Commit>,
    actions: broadcast::Sender<i64>,
}

impl Default for Notifier {
    fn default() -> Self {
        Self { sender: broadcast::channel(1024).0, actions: broadcast::channel(1024).0 }
    }
}

impl Notifier {
    /// A receiver of every commit from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Commit> {
        self.sender.subscribe()
    }

    /// A receiver of the id of every action that changes from now on.
    pub fn subscribe_actions(&self) -> broadcast::Receiver<i64> {
        self.actions.subscribe()
    }

    /// Passes on one payload (ignored unless it parses).
    pub fn publish(&self, payload: &str) {
        let Ok(commit) = Commit::parse(payload) else {
            tracing::warn!("unreadable indexer notification ignored");
            return;
        };
        let _ = self.sender.send(commit);
    }

    /// Listens on the indexer's channel until `cancel`, reconnecting after failures.
    pub async fn listen(&self, pool: PgPool, cancel: CancellationToken) {
        while !cancel.is_cancelled() {
            let mut listener = match PgListener::connect_with(&pool).await {
                Ok(listener) => listener,
                Err(error) => {
                    tracing::warn!(%error, "cannot listen for indexer notifications; retrying");
                    tokio::select! { _ = cancel.cancelled() => return, _ = tokio::time::sleep(Duration::from_secs(2)) => continue }
                }
            };
            let channels = [egp_store::notify::CHANNEL, crate::outbox::store::NOTIFY_CHANNEL];
            if let Err(error) = listener.listen_all(channels).await {
                tracing::warn!(%error, "LISTEN failed; retrying");
                tokio::time::sleep(Duration::from_secs(2)).await;
                continue;
            }
            loop {
                tokio::select! {
                    _ = cancel.cancelled() => return,
                    received = listener.recv() => match received {
                        Ok(notification) if notification.channel() == crate::outbox::store::NOTIFY_CHANNEL => {
                            if let Ok(id) = notification.payload().parse() {
                                let _ = self.actions.send(id);
                            }
                        }
                        Ok(notification) => self.publish(notification.payload()),
                        Err(error) => {
                            tracing::warn!(%error, "indexer notifications interrupted; reconnecting");
                            break;
                        }
                    }
                }
            }
        }
    }
}
