//! `guaranteeEvents` and `creditConfirmationEvents`: each event the indexer commits, with its
//! provenance, pushed after the commit's `NOTIFY`. `fromBlock` replays from a block first, so a
//! client that reconnects resumes from the block of the last event it saw, without gaps; with
//! `fromBlockHash`, the hash that block had when it saw it, a reorg that replaced the block while
//! the client was away rewinds the replay to the first block that reorg undid.
//!
//! A reorg that undoes blocks already delivered rewinds the subscription to the first block
//! undone, so the new branch's events come (again) in order. The rewind is read from the `reorgs`
//! table in the same snapshot as the events, before every read: a `NOTIFY` missed while the API's
//! listener reconnected, or dropped because the subscriber lagged, cannot hide a reorg.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use async_graphql::{Context, InputObject, Subscription};
use futures_util::Stream;
use tokio::sync::broadcast;

use super::guarantee::Event;
use super::types::{parse_bank, parse_id};
use super::{Api, principal};
use crate::db::{self, EventRow, Session};
use crate::notify::Commit;

/// Events per read.
const BATCH: i64 = 200;
/// Longest wait for a notification before reading anyway.
const POLL: Duration = Duration::from_secs(3);

/// Which events to follow.
#[derive(Debug, Clone, Default, InputObject)]
pub struct EventFilterInput {
    /// Only this record's events (0x id).
    pub record_id: Option<String>,
    /// Only this bank's records (`002`); a `bank` key is always limited to its own.
    pub bank_code: Option<String>,
}

/// The subscriptions.
#[derive(Debug, Default)]
pub struct EventSubscription;

struct Follow {
    api: Arc<Api>,
    kind: &'static str,
    record: Option<Vec<u8>>,
    bank: Option<i32>,
    /// The last (block, log index) delivered; `None` until the starting point is known.
    after: Option<(i64, i32)>,
    from_block: Option<i64>,
    /// The hash `from_block` had when the client saw it.
    from_block_hash: Option<Vec<u8>>,
    /// Set when the starting point is refused: the stream ends after that error.
    refused: bool,
    /// The id of the last reorg taken into account (0: none), read with the starting point.
    reorg: i64,
    buffer: VecDeque<EventRow>,
    commits: broadcast::Receiver<Commit>,
}

impl Follow {
    async fn next_event(&mut self) -> async_graphql::Result<Event> {
        loop {
            if let Some(row) = self.buffer.pop_front() {
                self.after = Some((row.block_number, row.log_index));
                return Ok(Event(row));
            }
            let session = Session::new(self.api.pool.clone(), self.api.chain_id);
            if let Some(marker) = session.marker().await? {
                let after = match self.after {
                    None => {
                        self.reorg = db::reorgs_after(&session, None).await?.map_or(0, |(id, _)| id);
                        let from = match self.from_block {
                            Some(from) => self.resume_at(&session, from).await.inspect_err(|_| self.refused = true)?,
                            None => marker.block_number + 1,
                        };
                        *self.after.insert((from - 1, i32::MAX))
                    }
                    Some(mut after) => {
                        if let Some((id, first_undone)) = db::reorgs_after(&session, Some(self.reorg)).await? {
                            self.reorg = id;
                            if first_undone <= after.0 {
                                // Blocks already delivered were replaced: their new events come again.
                                after = (first_undone - 1, i32::MAX);
                                self.after = Some(after);
                            }
                        }
                        after
                    }
                };
                let rows = db::events_after(
                    &session,
                    self.kind,
                    after,
                    marker.block_number,
                    self.record.clone(),
                    self.bank,
                    BATCH,
                )
                .await?;
                if !rows.is_empty() {
                    self.buffer.extend(rows);
                    continue;
                }
            }
            drop(session);
            // Any commit, a reconnect of the listener, a lag or the poll interval: look again.
            let _ = tokio::time::timeout(POLL, self.commits.recv()).await;
        }
    }
}

impl Follow {
    /// Where a replay asked from block `from` starts: there, unless the client named the hash it
    /// saw there and a reorg has replaced that block since; then at the first block undone.
    async fn resume_at(&self, session: &Session, from: i64) -> async_graphql::Result<i64> {
        let Some(seen) = &self.from_block_hash else { return Ok(from) };
        let held = db::block_hash(session, from).await?;
        if held.as_ref() == Some(seen) {
            return Ok(from);
        }
        match db::first_undone_with(session, from).await? {
            Some(first_undone) => Ok(first_undone),
            // Not indexed yet, and never undone: nothing of it was delivered.
            None if held.is_none() => Ok(from),
            None => Err(crate::Error::invalid(
                "fromBlockHash",
                format!("block {from} of this chain was never replaced and its hash is not 0x{}", hex::encode(seen)),
            )
            .into()),
        }
    }
}

fn follow(
    ctx: &Context<'_>,
    kind: &'static str,
    filter: Option<EventFilterInput>,
    from_block: Option<i64>,
    from_block_hash: Option<String>,
) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<Event>> + use<>> {
    let who = principal(ctx)?;
    who.require_browse("follow events")?;
    let api = ctx.data_unchecked::<Arc<Api>>().clone();
    let filter = filter.unwrap_or_default();
    let record = filter.record_id.as_deref().map(|id| parse_id("recordId", id)).transpose()?;
    let mut bank = filter.bank_code.as_deref().map(parse_bank).transpose()?;
    if let Some(own) = who.bank() {
        let own = i32::from(own.get());
        if bank.is_some_and(|b| b != own) {
            return Err(crate::Error::Forbidden { action: "follow another bank's records" }.into());
        }
        bank = Some(own);
    }
    if from_block.is_some_and(|b| b < 0) {
        return Err(crate::Error::invalid("fromBlock", "must not be negative").into());
    }
    let from_block_hash = from_block_hash.as_deref().map(|hash| parse_id("fromBlockHash", hash)).transpose()?;
    if from_block_hash.is_some() && from_block.is_none() {
        return Err(crate::Error::invalid("fromBlockHash", "needs fromBlock, the block it is the hash of").into());
    }
    let commits = api.notifier.subscribe();
    let state = Follow {
        api,
        kind,
        record,
        bank,
        after: None,
        from_block,
        from_block_hash,
        refused: false,
        reorg: 0,
        buffer: VecDeque::new(),
        commits,
    };
    Ok(futures_util::stream::unfold(state, |mut state| async move {
        if state.refused {
            return None;
        }
        let item = state.next_event().await;
        Some((item, state))
    }))
}

#[Subscription]
impl EventSubscription {
    /// Every guarantee event committed by the indexer from now on, or from `fromBlock` (resume
    /// with the block of the last event seen and skip the events already handled). With
    /// `fromBlockHash`, the hash that block had in the last event seen, a reorg that replaced it
    /// meanwhile replays from the first block the reorg undid.
    async fn guarantee_events(
        &self,
        ctx: &Context<'_>,
        filter: Option<EventFilterInput>,
        from_block: Option<i64>,
        from_block_hash: Option<String>,
    ) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<Event>> + use<>> {
        follow(ctx, "guarantee", filter, from_block, from_block_hash)
    }

    /// Every credit confirmation event committed from now on, or from `fromBlock` (and
    /// `fromBlockHash`, as for `guaranteeEvents`).
    async fn credit_confirmation_events(
        &self,
        ctx: &Context<'_>,
        filter: Option<EventFilterInput>,
        from_block: Option<i64>,
        from_block_hash: Option<String>,
    ) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<Event>> + use<>> {
        follow(ctx, "confirmation", filter, from_block, from_block_hash)
    }
}
