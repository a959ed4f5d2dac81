//! e-GP's subscribers on the API's WebSocket (graphql-transport-ws), following every guarantee
//! event from block 0 with the resume rule of docs/api.md: after a reconnect, subscribe again
//! from the block of the last event seen and skip the events already handled. Every event ever
//! received is kept, with each step back (an event at or before the last one that is not a
//! skipped repeat), which only a reorg may cause.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_util::sync::CancellationToken;

use egp_testkit::EGP_KEY;

/// An event's place and transaction: (block, log index, transaction hash).
pub type EventKey = (u64, u64, String);

/// A step back: the place (block, log index) it went back to, and when (how many events had
/// been handled before it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rewind {
    /// Where it went back to.
    pub place: (u64, u64),
    /// Events handled before it.
    pub after: u64,
}

/// What one subscriber saw.
#[derive(Debug, Default)]
pub struct Seen {
    /// Every event received, with when it was last received (how many events had been handled
    /// before it).
    pub events: BTreeMap<EventKey, u64>,
    /// Every step back.
    pub rewinds: Vec<Rewind>,
    /// Reconnects (the API was killed, or the subscription ended with an error).
    pub resumes: u32,
    /// Events delivered again that were already handled, outside a resume's skip or a rewind.
    pub duplicates: u32,
    /// Events handled so far.
    handled: u64,
    /// The last event handled.
    last: Option<(u64, u64)>,
    /// Skipping repeats after a resume.
    resuming: bool,
    /// After a rewind, the place it rewound from: events up to it come again.
    replay_until: Option<(u64, u64)>,
}

impl Seen {
    fn handle(&mut self, key: EventKey) {
        let place = (key.0, key.1);
        let known = self.events.contains_key(&key);
        if let Some(last) = self.last
            && place <= last
        {
            if self.resuming && known {
                return;
            }
            // A rewind: what comes up to where it stood is delivered again, legitimately.
            self.rewinds.push(Rewind { place, after: self.handled });
            self.replay_until = Some(self.replay_until.map_or(last, |until| until.max(last)));
        } else if known && self.replay_until.is_none_or(|until| place > until) {
            self.duplicates += 1;
        }
        if self.replay_until.is_some_and(|until| place > until) {
            self.replay_until = None;
        }
        self.resuming = false;
        self.events.insert(key, self.handled);
        self.handled += 1;
        self.last = Some(place);
    }

    /// The block to resume from.
    fn resume_block(&self) -> u64 {
        self.last.map_or(0, |(block, _)| block)
    }

    /// Every event received.
    pub fn keys(&self) -> BTreeSet<EventKey> {
        self.events.keys().cloned().collect()
    }

    /// The events received that are not `canonical` and that no later step back went past: the
    /// subscriber still holds them for true.
    pub fn orphans_standing(&self, canonical: &BTreeSet<EventKey>) -> Vec<&EventKey> {
        self.events
            .iter()
            .filter(|&(key, &when)| {
                !canonical.contains(key)
                    && !self.rewinds.iter().any(|rewind| rewind.after > when && rewind.place <= (key.0, key.1))
            })
            .map(|(key, _)| key)
            .collect()
    }
}

const QUERY: &str = "subscription($from: Int) { guaranteeEvents(fromBlock: $from) { provenance { blockNumber logIndex transactionHash } } }";

/// Starts a subscriber on `ws_url` until `stop`.
pub fn start(ws_url: String, stop: CancellationToken) -> (Arc<Mutex<Seen>>, tokio::task::JoinHandle<()>) {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let state = seen.clone();
    let task = tokio::spawn(async move {
        while !stop.is_cancelled() {
            let from = state.lock().expect("the subscriber's state").resume_block();
            let follow = follow(&ws_url, from, &state);
            tokio::select! {
                () = stop.cancelled() => return,
                () = follow => {}
            }
            {
                let mut seen = state.lock().expect("the subscriber's state");
                seen.resumes += 1;
                seen.resuming = true;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    });
    (seen, task)
}

/// One connection: subscribes from `from` and handles events until the connection or the
/// subscription ends.
async fn follow(ws_url: &str, from: u64, seen: &Mutex<Seen>) {
    let Ok(mut request) = ws_url.into_client_request() else { return };
    request.headers_mut().insert("sec-websocket-protocol", "graphql-transport-ws".parse().expect("a header"));
    let Ok(Ok((mut socket, _))) =
        tokio::time::timeout(Duration::from_secs(5), tokio_tungstenite::connect_async(request)).await
    else {
        return;
    };
    let init = json!({ "type": "connection_init", "payload": { "apiKey": EGP_KEY } });
    let subscribe =
        json!({ "id": "1", "type": "subscribe", "payload": { "query": QUERY, "variables": { "from": from } } });
    for message in [init, subscribe] {
        if socket.send(Message::Text(message.to_string().into())).await.is_err() {
            return;
        }
    }
    while let Some(Ok(message)) = socket.next().await {
        let text = match message {
            Message::Text(text) => text,
            Message::Close(_) => return,
            _ => continue,
        };
        let Ok(message) = serde_json::from_str::<Value>(&text) else { return };
        match message["type"].as_str() {
            Some("connection_ack") => {}
            Some("ping") => {
                let _ = socket.send(Message::Text(json!({ "type": "pong" }).to_string().into())).await;
            }
            Some("next") => {
                let provenance = &message["payload"]["data"]["guaranteeEvents"]["provenance"];
                let (Some(block), Some(index), Some(tx)) = (
                    provenance["blockNumber"].as_u64(),
                    provenance["logIndex"].as_u64(),
                    provenance["transactionHash"].as_str(),
                ) else {
                    // An error in place of an event (the database was away): resume.
                    return;
                };
                seen.lock().expect("the subscriber's state").handle((block, index, tx.to_owned()));
            }
            _ => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(block: u64, index: u64, tx: &str) -> EventKey {
        (block, index, tx.to_owned())
    }

    #[test]
    fn repeats_after_a_resume_are_skipped_steps_back_are_rewinds_and_other_repeats_duplicates() {
        let mut seen = Seen::default();
        seen.handle(key(5, 0, "a"));
        seen.handle(key(6, 0, "b"));
        seen.resuming = true;
        seen.handle(key(6, 0, "b"));
        assert!(seen.rewinds.is_empty() && seen.duplicates == 0, "a repeat after a resume is skipped");
        seen.handle(key(7, 0, "c"));
        seen.handle(key(6, 0, "x"));
        assert_eq!(seen.rewinds, [Rewind { place: (6, 0), after: 3 }], "another event at a place already passed");
        seen.handle(key(7, 0, "c"));
        assert_eq!(seen.duplicates, 0, "events up to where the rewind started come again");
        seen.handle(key(8, 0, "d"));
        seen.handle(key(9, 0, "d"));
        seen.handle(key(8, 1, "e"));
        seen.handle(key(9, 0, "d"));
        let places: Vec<(u64, u64)> = seen.rewinds.iter().map(|rewind| rewind.place).collect();
        assert_eq!(places, [(6, 0), (8, 1)]);
        assert_eq!(seen.duplicates, 0);
        seen.resuming = false;
        seen.last = Some((5, 0));
        seen.replay_until = None;
        seen.handle(key(7, 0, "c"));
        assert_eq!(seen.duplicates, 1, "delivered again, moving forward, outside a resume or a rewind");
        assert_eq!(seen.keys().len(), 7);
    }

    #[test]
    fn an_orphan_stands_until_a_later_step_back_goes_past_it() {
        let mut seen = Seen::default();
        seen.handle(key(5, 0, "a"));
        seen.handle(key(6, 0, "orphan"));
        seen.handle(key(7, 0, "orphan too"));
        let canonical: BTreeSet<EventKey> = [key(5, 0, "a"), key(7, 0, "new")].into();
        assert_eq!(seen.orphans_standing(&canonical).len(), 2, "nothing told the subscriber yet");
        seen.handle(key(7, 0, "new"));
        assert_eq!(
            seen.orphans_standing(&canonical),
            [&key(6, 0, "orphan")],
            "the step back to block 7 undoes the event there, not the one at block 6"
        );

        let mut seen = Seen::default();
        seen.handle(key(5, 0, "a"));
        seen.handle(key(6, 0, "orphan"));
        seen.handle(key(6, 0, "new"));
        assert!(seen.orphans_standing(&[key(5, 0, "a"), key(6, 0, "new")].into()).is_empty());
        seen.handle(key(5, 0, "b"));
        seen.handle(key(6, 0, "orphan"));
        let canonical: BTreeSet<EventKey> = [key(5, 0, "b")].into();
        assert_eq!(
            seen.orphans_standing(&canonical),
            [&key(6, 0, "orphan")],
            "received again after the step back that had undone it"
        );
    }
}
