//! Exponential back-off with jitter, shared by the indexing loop (faults of the node or the
//! database) and the new-heads subscription (a node without WebSocket, or one that went away).

use std::time::Duration;

use rand::Rng;
use tokio_util::sync::CancellationToken;

use crate::{Error, Result};

/// Exponential back-off with jitter: 250 ms, 500 ms, 1 s, ... up to a maximum, each pause
/// between half and all of that.
#[derive(Debug)]
pub struct Backoff {
    attempt: u32,
    max: Duration,
}

impl Backoff {
    /// A back-off that never waits longer than `max`.
    pub fn new(max: Duration) -> Self {
        Self { attempt: 0, max }
    }

    /// The next pause.
    pub fn next_delay(&mut self) -> Duration {
        let base = Duration::from_millis(250).saturating_mul(1 << self.attempt.min(16)).min(self.max);
        self.attempt += 1;
        base * rand::thread_rng().gen_range(50..=100) / 100
    }

    /// Back to the shortest pause.
    pub fn reset(&mut self) {
        self.attempt = 0;
    }

    /// Sleeps for the next pause unless cancelled first.
    pub async fn wait(&mut self, cancel: &CancellationToken) -> Result<()> {
        let delay = self.next_delay();
        tokio::select! {
            () = cancel.cancelled() => Err(Error::Cancelled),
            () = tokio::time::sleep(delay) => Ok(()),
        }
    }
}
