//! The indexer's `NOTIFY` after every commit: the channel and its payload, written by the
//! indexer inside the commit's transaction and read by the API's listener.

use serde::{Deserialize, Serialize};

/// The channel the indexer's `NOTIFY` speaks on after every commit.
pub const CHANNEL: &str = "egp_indexer";

/// At most this many changed records are named in one payload (PostgreSQL's payload limit is
/// 8000 bytes); `truncated` says when more changed.
pub const MAX_CHANGED: usize = 50;

/// What a commit did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CommitKind {
    /// A batch of new blocks was stored.
    Batch,
    /// Blocks were rolled back to a fork point.
    Reorg,
    /// Not from the indexer: a reader's listener reconnected, so notifications may have been
    /// missed; whoever waits looks at the tables again.
    Reconnected,
}

/// One commit of the indexer, as its `NOTIFY` payload describes it (JSON, camelCase).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Commit {
    /// A batch or a rollback.
    pub kind: CommitKind,
    /// Chain id.
    pub chain_id: u64,
    /// First block covered (for a reorg: the first block undone).
    pub from_block: i64,
    /// Last block covered.
    pub to_block: i64,
    /// Events stored (for a reorg: removed).
    #[serde(default)]
    pub events: u64,
    /// Records changed.
    #[serde(default)]
    pub records: usize,
    /// The changed records as `kind:0xkey`, [`MAX_CHANGED`] at most.
    #[serde(default)]
    pub changed: Vec<String>,
    /// Whether more records changed than `changed` names.
    #[serde(default)]
    pub truncated: bool,
}

impl Commit {
    /// The payload to send.
    pub fn payload(&self) -> String {
        serde_json::to_string(self).expect("a commit serialises")
    }

    /// Reads a payload.
    pub fn parse(payload: &str) -> serde_json::Result<Self> {
        serde_json::from_str(payload)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_payload_reads_back_and_keeps_its_wire_names() {
        let commit = Commit {
            kind: CommitKind::Reorg,
            chain_id: 31337,
            from_block: 5,
            to_block: 9,
            events: 3,
            records: 1,
            changed: vec!["guarantee:0x01".into()],
            truncated: false,
        };
        let payload = commit.payload();
        assert!(payload.contains(r#""kind":"reorg""#) && payload.contains(r#""fromBlock":5"#), "{payload}");
        assert_eq!(Commit::parse(&payload).unwrap(), commit);
        let minimal = Commit::parse(r#"{"kind":"batch","chainId":1,"fromBlock":1,"toBlock":2}"#).unwrap();
        assert_eq!((minimal.kind, minimal.events, minimal.truncated), (CommitKind::Batch, 0, false));
        assert!(Commit::parse(r#"{"kind":"other","chainId":1,"fromBlock":1,"toBlock":2}"#).is_err());
    }
}
