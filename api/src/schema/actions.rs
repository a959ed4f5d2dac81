//! e-GP's actions as GraphQL objects: the `Action` a mutation returns, `action(id)` and the
//! `actionUpdates` subscription that follows actions to `FINAL` or `FAILED`. The mutations are in
//! [`super::mutations`]; the outbox behind them in [`crate::outbox`].

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use async_graphql::{Context, ID, Json, Object, SimpleObject, Subscription};
use futures_util::Stream;
use tokio::sync::broadcast;

use super::guarantee::{Event, Guarantee, visible_guarantee};
use super::types::{ActionKind, ActionStatus, JsonValue, hex0x, iso};
use super::{Api, principal, session};
use crate::auth::{Principal, Role};
use crate::outbox::{ActionRow, Outbox, store};
use crate::{Error, Result, db};

/// Most actions one `actionUpdates` follows.
const MAX_FOLLOWED: usize = 100;
/// Longest wait for a notification before reading anyway.
const POLL: Duration = Duration::from_secs(2);

/// Why an action failed.
#[derive(Debug, Clone, PartialEq, Eq, SimpleObject)]
pub struct ActionError {
    /// Stable: the contract's custom error in upper snake case (`GUARANTEE_NOT_IN_STATE`,
    /// `NOT_BENEFICIARY`, …), `STALE_SEQUENCE` (the amendment or claim named is no longer the
    /// open one) or `REVERTED` (mined, reverted, reason unknown).
    pub code: String,
    /// One sentence for people: "guarantee 0x… is Active; accept needs PendingAcceptance".
    pub message: String,
}

/// An agency step e-GP asked for through a mutation, and how far it got.
pub struct Action(pub ActionRow);

#[Object]
impl Action {
    /// The action's id (for `action(id)` and `actionUpdates`).
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The step.
    async fn kind(&self) -> ActionKind {
        self.0.kind
    }
    /// Where it stands.
    async fn status(&self) -> ActionStatus {
        self.0.status
    }
    /// The client's idempotency key.
    async fn idempotency_key(&self) -> &str {
        &self.0.idempotency_key
    }
    /// The guarantee acted on (0x id).
    async fn guarantee_id(&self) -> String {
        hex0x(&self.0.guarantee_id)
    }
    /// The agency e-GP acts for.
    async fn agency_code(&self) -> &str {
        &self.0.agency_code
    }
    /// The arguments as sent (amounts in satang as strings, dates `YYYY-MM-DD`, the amendment or
    /// claim sequence answered).
    async fn arguments(&self) -> Json<JsonValue> {
        Json(JsonValue(serde_json::from_str(&self.0.arguments).unwrap_or_default()))
    }
    /// Why it failed (`FAILED` only).
    async fn error(&self) -> Option<ActionError> {
        match (&self.0.error_code, &self.0.error_message) {
            (Some(code), Some(message)) => Some(ActionError { code: code.clone(), message: message.clone() }),
            _ => None,
        }
    }
    /// Why the sender is retrying (the node unreachable, the gateway short of gas); null when it
    /// is not. A retried action is never sent twice.
    async fn retrying(&self) -> Option<&str> {
        self.0.retrying.as_deref()
    }
    /// The gateway address that signs it.
    async fn gateway(&self) -> String {
        super::types::address(&self.0.gateway)
    }
    /// The nonce of its transaction (every replacement shares it).
    async fn nonce(&self) -> Option<i64> {
        self.0.nonce
    }
    /// Its transaction: the one mined once mined, else the latest sent.
    async fn transaction_hash(&self) -> Option<String> {
        self.0.transaction_hash.as_deref().map(hex0x)
    }
    /// Transactions signed for it (above 1 when a stuck one was replaced with higher fees).
    async fn attempts(&self) -> i64 {
        self.0.attempts
    }
    /// The block the node's receipt puts the transaction in, before the mirror confirms it.
    async fn receipt_block_number(&self) -> Option<i64> {
        self.0.mined_block
    }
    /// The mirrored event's block (`INCLUDED`, `FINAL`).
    async fn block_number(&self) -> Option<i64> {
        self.0.block_number
    }
    /// That block's hash.
    async fn block_hash(&self) -> Option<String> {
        self.0.block_hash.as_deref().map(hex0x)
    }
    /// The mirrored event's log index in its block.
    async fn log_index(&self) -> Option<i32> {
        self.0.log_index
    }
    /// The event it caused, as the guarantee's history holds it (`INCLUDED`, `FINAL`).
    async fn event(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Event>> {
        let (Some(block), Some(log)) = (self.0.block_number, self.0.log_index) else { return Ok(None) };
        let row = db::event_at(session(ctx)?, block, log).await?;
        Ok(row
            .filter(|e| e.transaction_hash.as_slice() == self.0.transaction_hash.as_deref().unwrap_or(&[]))
            .map(Event))
    }
    /// The guarantee as the mirror holds it now.
    async fn guarantee(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Guarantee>> {
        visible_guarantee(ctx, self.0.guarantee_id.clone()).await
    }
    /// When the mutation stored it (ISO-8601, Asia/Bangkok).
    async fn created_at(&self) -> String {
        iso(self.0.created_at.max(0) as u64)
    }
    /// When it last changed.
    async fn updated_at(&self) -> String {
        iso(self.0.updated_at.max(0) as u64)
    }
}

/// The outbox, for a caller allowed to act (the `egp` role), on a server that can.
pub(crate) fn outbox<'a>(ctx: &Context<'a>, what: &'static str) -> Result<&'a Arc<Outbox>> {
    require_egp(principal(ctx)?, what)?;
    ctx.data_unchecked::<Arc<Api>>().outbox.as_ref().ok_or(Error::WritesDisabled)
}

fn require_egp(who: &Principal, action: &'static str) -> Result<()> {
    if who.role == Role::Egp { Ok(()) } else { Err(Error::Forbidden { action }) }
}

fn parse_action_id(id: &ID) -> Result<i64> {
    id.parse::<i64>().ok().filter(|id| *id > 0).ok_or_else(|| Error::invalid("id", "expected an action id"))
}

/// `action(id)`.
#[derive(Debug, Default)]
pub struct ActionQuery;

#[Object]
impl ActionQuery {
    /// An action e-GP took through a mutation (`egp` role), as of the request's snapshot.
    async fn action(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Action> {
        let outbox = outbox(ctx, "read actions")?;
        let id = parse_action_id(&id)?;
        let mut conn = session(ctx)?.conn().await?;
        match store::by_ids_on(&mut conn, outbox.chain_id(), &[id]).await?.pop() {
            Some(row) => Ok(Action(row)),
            None => Err(Error::NotFound { what: "action" }.into()),
        }
    }
}

/// `actionUpdates`.
#[derive(Debug, Default)]
pub struct ActionSubscription;

struct Follow {
    outbox: Arc<Outbox>,
    ids: Vec<i64>,
    seen: HashMap<i64, i64>,
    buffer: VecDeque<ActionRow>,
    settled: bool,
    changes: broadcast::Receiver<i64>,
}

impl Follow {
    async fn next(&mut self) -> Option<Action> {
        loop {
            if let Some(row) = self.buffer.pop_front() {
                return Some(Action(row));
            }
            if self.settled {
                return None;
            }
            match self.outbox.actions(&self.ids).await {
                Ok(rows) => {
                    self.settled = rows.len() == self.ids.len() && rows.iter().all(ActionRow::is_settled);
                    for row in rows {
                        if self.seen.insert(row.id, row.revision) != Some(row.revision) {
                            self.buffer.push_back(row);
                        }
                    }
                    if !self.buffer.is_empty() || self.settled {
                        continue;
                    }
                }
                Err(error) => tracing::warn!(%error, "actionUpdates could not read its actions; retrying"),
            }
            let deadline = tokio::time::Instant::now() + POLL;
            loop {
                match tokio::time::timeout_at(deadline, self.changes.recv()).await {
                    Ok(Ok(id)) if !self.ids.contains(&id) => continue,
                    Ok(Err(broadcast::error::RecvError::Closed)) => {
                        tokio::time::sleep_until(deadline).await;
                        break;
                    }
                    _ => break,
                }
            }
        }
    }
}

#[Subscription]
impl ActionSubscription {
    /// The actions `ids` (at most 100) as they are now, then again each time one changes, until
    /// every one is `FINAL` or `FAILED` (then the subscription completes) (`egp` role).
    async fn action_updates(
        &self,
        ctx: &Context<'_>,
        ids: Vec<ID>,
    ) -> async_graphql::Result<impl Stream<Item = Action> + use<>> {
        let outbox = outbox(ctx, "follow actions")?.clone();
        if ids.is_empty() || ids.len() > MAX_FOLLOWED {
            return Err(Error::invalid("ids", format!("give 1 to {MAX_FOLLOWED} action ids")).into());
        }
        let mut ids = ids.iter().map(parse_action_id).collect::<Result<Vec<_>>>()?;
        ids.sort_unstable();
        ids.dedup();
        if outbox.actions(&ids).await?.len() != ids.len() {
            return Err(Error::NotFound { what: "action" }.into());
        }
        let changes = ctx.data_unchecked::<Arc<Api>>().notifier.subscribe_actions();
        let follow = Follow { outbox, ids, seen: HashMap::new(), buffer: VecDeque::new(), settled: false, changes };
        Ok(futures_util::stream::unfold(follow, |mut follow| async move {
            let action = follow.next().await?;
            Some((action, follow))
        }))
    }
}
