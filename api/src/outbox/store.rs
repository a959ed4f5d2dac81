//! The outbox's statements over `actions` and `action_transactions` (see
//! `store/migrations/0009_actions.sql`). Every change of an action bumps its revision and
//! notifies `egp_actions` (triggers), so subscriptions on any server see it.

use egp_store::{ActionKind, ActionStatus};
use sqlx::PgPool;

use crate::Result;

/// The channel every change of an action is notified on (its id as the payload).
pub const NOTIFY_CHANNEL: &str = "egp_actions";

/// An action as stored.
#[derive(Debug, Clone, PartialEq)]
#[allow(missing_docs, reason = "the columns are documented in store/migrations/0009_actions.sql")]
pub struct ActionRow {
    pub id: i64,
    pub chain_id: i64,
    pub gateway: Vec<u8>,
    pub idempotency_key: String,
    pub fingerprint: Vec<u8>,
    pub kind: ActionKind,
    pub guarantee_id: Vec<u8>,
    pub agency_code: String,
    /// JSON text.
    pub arguments: String,
    pub status: ActionStatus,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub retrying: Option<String>,
    pub nonce: Option<i64>,
    pub transaction_hash: Option<Vec<u8>>,
    pub mined_block: Option<i64>,
    pub block_number: Option<i64>,
    pub block_hash: Option<Vec<u8>>,
    pub log_index: Option<i32>,
    pub revision: i64,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds.
    pub updated_at: i64,
    /// Transactions signed for it so far (replacements included).
    pub attempts: i64,
}

impl ActionRow {
    /// Whether nothing more will happen to it.
    pub fn is_settled(&self) -> bool {
        self.status.is_settled()
    }
}

/// An action to write.
#[derive(Debug, Clone)]
pub struct NewAction {
    /// Chain.
    pub chain_id: i64,
    /// Signing gateway.
    pub gateway: Vec<u8>,
    /// The registry.
    pub contract_address: Vec<u8>,
    /// The client's key.
    pub idempotency_key: String,
    /// SHA-256 of the normalised request.
    pub fingerprint: Vec<u8>,
    /// The step.
    pub kind: ActionKind,
    /// The guarantee.
    pub guarantee_id: Vec<u8>,
    /// The agency.
    pub agency_code: String,
    /// Resolved arguments.
    pub arguments: serde_json::Value,
    /// The call.
    pub calldata: Vec<u8>,
    /// `None` to queue it; a refusal (code, sentence) to store it failed.
    pub refused: Option<(String, String)>,
}

/// What [`insert`] did.
#[derive(Debug)]
pub enum Inserted {
    /// Written (pending, or failed when refused).
    New(ActionRow),
    /// The key was taken meanwhile: the action already stored under it.
    Existing(ActionRow),
    /// The queue is full; nothing was written.
    Overloaded(i64),
}

/// An action by id.
pub async fn by_id(pool: &PgPool, chain_id: i64, id: i64) -> Result<Option<ActionRow>> {
    Ok(by_ids(pool, chain_id, &[id]).await?.pop())
}

/// Actions by id, in id order.
pub async fn by_ids(pool: &PgPool, chain_id: i64, ids: &[i64]) -> Result<Vec<ActionRow>> {
    by_ids_on(&mut *pool.acquire().await?, chain_id, ids).await
}

/// Actions by id, in id order, read on `conn` (a request's snapshot).
pub async fn by_ids_on(conn: &mut sqlx::PgConnection, chain_id: i64, ids: &[i64]) -> Result<Vec<ActionRow>> {
    Ok(sqlx::query_as!(
        ActionRow,
        r#"SELECT a.id, a.chain_id, a.gateway, a.idempotency_key, a.fingerprint, a.kind AS "kind: ActionKind",
                  a.guarantee_id, a.agency_code, a.arguments::text AS "arguments!", a.status AS "status: ActionStatus",
                  a.error_code,
                  a.error_message, a.retrying, a.nonce, a.transaction_hash, a.mined_block, a.block_number,
                  a.block_hash, a.log_index, a.revision,
                  extract(epoch FROM a.created_at)::bigint AS "created_at!",
                  extract(epoch FROM a.updated_at)::bigint AS "updated_at!",
                  (SELECT count(*) FROM action_transactions t WHERE t.action_id = a.id) AS "attempts!"
           FROM actions a WHERE a.chain_id = $1 AND a.id = ANY($2) ORDER BY a.id"#,
        chain_id,
        ids
    )
    .fetch_all(conn)
    .await?)
}

/// The action stored under `key`, if any.
pub async fn by_key(pool: &PgPool, chain_id: i64, key: &str) -> Result<Option<ActionRow>> {
    let id = sqlx::query_scalar!("SELECT id FROM actions WHERE chain_id = $1 AND idempotency_key = $2", chain_id, key)
        .fetch_optional(pool)
        .await?;
    match id {
        Some(id) => by_id(pool, chain_id, id).await,
        None => Ok(None),
    }
}

/// Writes `action` unless its key is taken or (for an action to queue) the queue holds
/// `max_queued` actions of its gateway. One writer at a time per gateway (a transaction-scoped
/// advisory lock), so the count is exact and two requests with one key write one action.
pub async fn insert(pool: &PgPool, action: NewAction, max_queued: i64) -> Result<Inserted> {
    let mut tx = pool.begin().await?;
    let lock = lock_key(&action.gateway, QUEUE_LOCK);
    sqlx::query!("SELECT pg_advisory_xact_lock($1)", lock).execute(&mut *tx).await?;
    let taken = sqlx::query_scalar!(
        "SELECT id FROM actions WHERE chain_id = $1 AND idempotency_key = $2",
        action.chain_id,
        action.idempotency_key
    )
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(id) = taken {
        tx.commit().await?;
        let row = by_id(pool, action.chain_id, id).await?.expect("committed rows stay");
        return Ok(Inserted::Existing(row));
    }
    if action.refused.is_none() {
        let queued = queued(&mut tx, &action.gateway).await?;
        if queued >= max_queued {
            return Ok(Inserted::Overloaded(queued));
        }
    }
    let (status, code, message) = match &action.refused {
        Some((code, message)) => (ActionStatus::Failed, Some(code.as_str()), Some(message.as_str())),
        None => (ActionStatus::Pending, None, None),
    };
    let id = sqlx::query_scalar!(
        "INSERT INTO actions (chain_id, gateway, contract_address, idempotency_key, fingerprint, kind, guarantee_id,
                              agency_code, arguments, calldata, status, error_code, error_message)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::text::json, $10, $11, $12, $13) RETURNING id",
        action.chain_id,
        action.gateway,
        action.contract_address,
        action.idempotency_key,
        action.fingerprint,
        action.kind as _,
        action.guarantee_id,
        action.agency_code,
        action.arguments.to_string(),
        action.calldata,
        status as _,
        code,
        message
    )
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Inserted::New(by_id(pool, action.chain_id, id).await?.expect("committed rows stay")))
}

/// Actions of `gateway` accepted but not yet mined.
async fn queued(conn: &mut sqlx::PgConnection, gateway: &[u8]) -> Result<i64> {
    Ok(sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM actions
           WHERE gateway = $1 AND (status = $2 OR (status = $3 AND mined_block IS NULL))"#,
        gateway,
        ActionStatus::Pending as _,
        ActionStatus::Submitted as _
    )
    .fetch_one(conn)
    .await?)
}

/// The tag of the lock writers of a gateway's queue take for one insert.
pub(crate) const QUEUE_LOCK: i64 = 0x6567_705f_7175_6575; // "egp_queu"
/// The tag of the lock the gateway's one sender holds for its session.
pub(crate) const SENDER_LOCK: i64 = 0x6567_705f_7365_6e64; // "egp_send"

/// An advisory lock key for `gateway`: its first eight bytes under a tag, so the queue's and the
/// sender's locks never meet each other or the indexer's writer lock.
pub(crate) fn lock_key(gateway: &[u8], tag: i64) -> i64 {
    let mut bytes = [0u8; 8];
    for (slot, byte) in bytes.iter_mut().zip(gateway.iter().chain(std::iter::repeat(&0))) {
        *slot = *byte;
    }
    i64::from_be_bytes(bytes) ^ tag
}

/// A pending action, as the sender needs it.
#[derive(Debug, Clone)]
pub(crate) struct Pending {
    pub(crate) id: i64,
    pub(crate) contract_address: Vec<u8>,
    pub(crate) calldata: Vec<u8>,
}

/// Up to `limit` pending actions of `gateway`, oldest first.
pub(crate) async fn pending(pool: &PgPool, chain_id: i64, gateway: &[u8], limit: i64) -> Result<Vec<Pending>> {
    Ok(sqlx::query_as!(
        Pending,
        "SELECT id, contract_address, calldata FROM actions
         WHERE gateway = $1 AND chain_id = $2 AND status = $4 ORDER BY id LIMIT $3",
        gateway,
        chain_id,
        limit,
        ActionStatus::Pending as _
    )
    .fetch_all(pool)
    .await?)
}

/// Records a signed transaction for an action before it is broadcast: its first (the action goes
/// from pending to submitted with `nonce`) or a replacement (same nonce). Returns false, and
/// records nothing, when the action is no longer in that state (then it must not be sent).
pub(crate) async fn record_attempt(pool: &PgPool, id: i64, nonce: i64, hash: &[u8], raw: &[u8]) -> Result<bool> {
    let mut tx = pool.begin().await?;
    let moved = sqlx::query!(
        "UPDATE actions SET status = $5, nonce = $2, transaction_hash = $3, retrying = NULL
         WHERE id = $1 AND ((status = $4 AND nonce IS NULL)
                            OR (status = $5 AND nonce = $2 AND mined_block IS NULL))",
        id,
        nonce,
        hash,
        ActionStatus::Pending as _,
        ActionStatus::Submitted as _
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if moved != 1 {
        return Ok(false);
    }
    sqlx::query!(
        "INSERT INTO action_transactions (transaction_hash, action_id, nonce, raw) VALUES ($1, $2, $3, $4)",
        hash,
        id,
        nonce,
        raw
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Marks an action failed (nothing of it changed the chain), unless it is settled already.
pub(crate) async fn fail(pool: &PgPool, id: i64, code: &str, message: &str) -> Result<()> {
    sqlx::query!(
        "UPDATE actions SET status = $4, error_code = $2, error_message = $3, retrying = NULL
         WHERE id = $1 AND status = ANY($5)",
        id,
        code,
        message,
        ActionStatus::Failed as _,
        &ActionStatus::NOT_MIRRORED[..] as _
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Notes why the sender is retrying an action (`None`: it no longer is).
pub(crate) async fn retrying(pool: &PgPool, id: i64, why: Option<&str>) -> Result<()> {
    sqlx::query!(
        "UPDATE actions SET retrying = $2 WHERE id = $1 AND status = ANY($3) AND retrying IS DISTINCT FROM $2",
        id,
        why,
        &ActionStatus::NOT_MIRRORED[..] as _
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// A submitted action, with every transaction signed for it.
#[derive(Debug, Clone)]
pub(crate) struct InFlight {
    pub(crate) id: i64,
    pub(crate) nonce: i64,
    pub(crate) mined_block: Option<i64>,
    pub(crate) transaction_hash: Option<Vec<u8>>,
    pub(crate) contract_address: Vec<u8>,
    pub(crate) calldata: Vec<u8>,
    /// Newest first.
    pub(crate) attempts: Vec<Attempt>,
}

/// One signed transaction: its hash, its bytes, seconds since it was signed.
#[derive(Debug, Clone)]
pub(crate) struct Attempt {
    pub(crate) hash: Vec<u8>,
    pub(crate) raw: Vec<u8>,
    pub(crate) age_secs: f64,
}

/// The submitted actions of `gateway`, by nonce.
pub(crate) async fn in_flight(pool: &PgPool, chain_id: i64, gateway: &[u8]) -> Result<Vec<InFlight>> {
    let actions = sqlx::query!(
        r#"SELECT id, nonce AS "nonce!", mined_block, transaction_hash, contract_address, calldata FROM actions
           WHERE gateway = $1 AND chain_id = $2 AND status = $3 AND nonce IS NOT NULL ORDER BY nonce, id"#,
        gateway,
        chain_id,
        ActionStatus::Submitted as _
    )
    .fetch_all(pool)
    .await?;
    let ids: Vec<i64> = actions.iter().map(|a| a.id).collect();
    let attempts = sqlx::query!(
        r#"SELECT action_id, transaction_hash, raw,
                  extract(epoch FROM now() - created_at)::float8 AS "age!"
           FROM action_transactions WHERE action_id = ANY($1) ORDER BY action_id, created_at DESC"#,
        &ids
    )
    .fetch_all(pool)
    .await?;
    Ok(actions
        .into_iter()
        .map(|a| InFlight {
            id: a.id,
            nonce: a.nonce,
            mined_block: a.mined_block,
            transaction_hash: a.transaction_hash,
            contract_address: a.contract_address,
            calldata: a.calldata,
            attempts: attempts
                .iter()
                .filter(|t| t.action_id == a.id)
                .map(|t| Attempt { hash: t.transaction_hash.clone(), raw: t.raw.clone(), age_secs: t.age })
                .collect(),
        })
        .collect())
}

/// The receipt of `hash` puts the action in `block` (or, with `None`, no longer: a reorg).
pub(crate) async fn mined(pool: &PgPool, id: i64, hash: &[u8], block: Option<i64>) -> Result<()> {
    sqlx::query!(
        "UPDATE actions SET transaction_hash = $2, mined_block = $3, retrying = NULL
         WHERE id = $1 AND status = $4
           AND (transaction_hash IS DISTINCT FROM $2 OR mined_block IS DISTINCT FROM $3)",
        id,
        hash,
        block,
        ActionStatus::Submitted as _
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// The action's nonce was used by a transaction that is none of its own: nothing of it happened
/// on chain, so it goes back to the queue for a new nonce.
pub(crate) async fn requeue(pool: &PgPool, id: i64, nonce: i64, why: &str) -> Result<()> {
    sqlx::query!(
        "UPDATE actions SET status = $4, nonce = NULL, mined_block = NULL, retrying = $3
         WHERE id = $1 AND status = $5 AND nonce = $2",
        id,
        nonce,
        why,
        ActionStatus::Pending as _,
        ActionStatus::Submitted as _
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// The highest nonce ever signed for `gateway` on this chain.
pub(crate) async fn highest_nonce(pool: &PgPool, chain_id: i64, gateway: &[u8]) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar!(
        "SELECT max(t.nonce) FROM action_transactions t JOIN actions a ON a.id = t.action_id
         WHERE a.gateway = $1 AND a.chain_id = $2",
        gateway,
        chain_id
    )
    .fetch_one(pool)
    .await?)
}

/// Whether `gateway` has actions the sender or the tracker still work on.
///
/// A count, not `EXISTS`: with the statuses bound, PostgreSQL's generic plan for `EXISTS` guesses
/// that most rows match and scans the whole table for the first one, and being cheap on paper it
/// replaces the custom plans after five runs. A count's generic plan looks as dear as it is, so
/// the custom plan over `actions_gateway_status` stays (the open actions are few: the queue's).
pub(crate) async fn has_open(pool: &PgPool, chain_id: i64, gateway: &[u8]) -> Result<bool> {
    Ok(sqlx::query_scalar!(
        r#"SELECT count(*) > 0 AS "open!" FROM actions WHERE gateway = $1 AND chain_id = $2 AND status = ANY($3)"#,
        gateway,
        chain_id,
        &ActionStatus::OPEN[..] as _
    )
    .fetch_one(pool)
    .await?)
}
