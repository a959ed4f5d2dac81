//! The indexer's `NOTIFY` after each commit, and the outbox's after each change of an action,
//! fanned out to subscriptions and the sender. One `LISTEN` connection per server, on a pool of
//! its own named [`LISTENER_APPLICATION_NAME`] in `pg_stat_activity`. A notification is only a
//! wake-up: subscriptions also poll every few seconds and learn of reorgs from the `reorgs`
//! table, so a notification lost while the listener reconnects, or dropped because a subscriber
//! lagged, delays an event but never drops it. After a reconnect the listener publishes a
//! [`CommitKind::Reconnected`] commit so that everyone looks at once.

use std::time::Duration;

use sqlx::PgPool;
use sqlx::postgres::{PgListener, PgPoolOptions};
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

pub use egp_store::notify::{Commit, CommitKind};

/// The `application_name` of the listener's connection.
pub const LISTENER_APPLICATION_NAME: &str = "egp-api-listener";

/// The commit published after the listener reconnected (notifications may have been missed).
fn reconnected() -> Commit {
    Commit {
        kind: CommitKind::Reconnected,
        chain_id: 0,
        from_block: 0,
        to_block: 0,
        events: 0,
        records: 0,
        changed: Vec::new(),
        truncated: false,
    }
}

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

    /// Listens on the indexer's channel until `cancel`, reconnecting after failures, on a
    /// connection of its own made with `pool`'s options.
    pub async fn listen(&self, pool: PgPool, cancel: CancellationToken) {
        let options = pool.connect_options().as_ref().clone().application_name(LISTENER_APPLICATION_NAME);
        let pool =
            PgPoolOptions::new().max_connections(1).max_lifetime(None).idle_timeout(None).connect_lazy_with(options);
        let mut first = true;
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
            if !first {
                self.reconnected();
            }
            first = false;
            loop {
                tokio::select! {
                    _ = cancel.cancelled() => return,
                    received = listener.try_recv() => match received {
                        Ok(Some(notification)) if notification.channel() == crate::outbox::store::NOTIFY_CHANNEL => {
                            if let Ok(id) = notification.payload().parse() {
                                let _ = self.actions.send(id);
                            }
                        }
                        Ok(Some(notification)) => self.publish(notification.payload()),
                        // The connection was lost and made again: what was sent meanwhile is gone.
                        Ok(None) => {
                            tracing::warn!("indexer notifications interrupted; listening again");
                            self.reconnected();
                        }
                        Err(error) => {
                            tracing::warn!(%error, "indexer notifications interrupted; reconnecting");
                            break;
                        }
                    }
                }
            }
        }
    }

    /// Tells every subscriber that notifications may have been missed.
    fn reconnected(&self) {
        let _ = self.sender.send(reconnected());
    }
}
