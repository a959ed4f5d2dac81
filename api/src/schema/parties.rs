//! Parties and the mirror itself: `supplier(taxId)`, `banks`, `agencies`, `indexerStatus`.

use async_graphql::{Context, Object, SimpleObject};

use super::confirmations::CreditConfirmation;
use super::guarantee::{Agency, Bank};
use super::types::{Amount, GuaranteeStatus, commit_tax_id, hex0x, iso, parse_date, today};
use super::{api, principal, session};
use crate::db::{self, ConfirmationFilter, GuaranteeFilter};

/// Guarantees of one status.
#[derive(Debug, Clone, SimpleObject)]
pub struct StatusCount {
    /// The status.
    pub status: GuaranteeStatus,
    /// How many guarantees.
    pub count: i64,
    /// Their outstanding amounts, summed.
    pub outstanding: Amount,
}

/// A supplier, known only by the commitment of its tax id.
#[derive(SimpleObject)]
pub struct Supplier {
    /// HMAC-SHA256 commitment of the tax id (never the id).
    pub commitment: String,
    /// Sum outstanding of guarantees in force (Active, Claimed, ExtendOrPay, Suspended).
    pub active_exposure: Amount,
    /// Guarantees by status.
    pub guarantees_by_status: Vec<StatusCount>,
    /// Credit confirmations in force on `asOf`.
    pub valid_confirmations: Vec<CreditConfirmation>,
    /// The date the confirmations were checked on.
    pub as_of: String,
}

/// Where the mirror stands.
#[derive(Debug, Clone, SimpleObject)]
pub struct IndexerStatus {
    /// Chain id.
    pub chain_id: Option<i64>,
    /// The node's latest block (null when the node cannot be reached).
    pub chain_head: Option<i64>,
    /// Every block up to this one is indexed.
    pub indexed_block_number: Option<i64>,
    /// Its hash.
    pub indexed_block_hash: Option<String>,
    /// Its time (ISO-8601, Bangkok).
    pub indexed_block_time: Option<String>,
    /// Highest final block.
    pub final_block_number: Option<i64>,
    /// Blocks the mirror is behind the node.
    pub lag: Option<i64>,
    /// When the checkpoint last moved (ISO-8601, Bangkok).
    pub updated_at: Option<String>,
    /// The last reorg this API saw the indexer roll back (since the API started).
    pub last_reorg: Option<Reorg>,
}

/// A reorg the indexer rolled back.
#[derive(Debug, Clone, SimpleObject)]
pub struct Reorg {
    /// First block undone.
    pub from_block: i64,
    /// Last block undone.
    pub to_block: i64,
    /// When the indexer rolled it back (ISO-8601, Bangkok).
    pub seen_at: String,
}

/// The party and status queries.
#[derive(Debug, Default)]
pub struct PartyQuery;

/// The statuses in which a guarantee still binds its bank (its outstanding amount is exposure).
const LIVE: [GuaranteeStatus; 4] =
    [GuaranteeStatus::Active, GuaranteeStatus::Claimed, GuaranteeStatus::ExtendOrPay, GuaranteeStatus::Suspended];

#[Object]
impl PartyQuery {
    /// A supplier's position: exposure, guarantees by status, valid confirmations. A `bank`
    /// key sees only its own bank's records. The tax id is validated and committed inside the
    /// server; it is never stored, logged or echoed.
    async fn supplier(
        &self,
        ctx: &Context<'_>,
        tax_id: String,
        as_of: Option<String>,
    ) -> async_graphql::Result<Supplier> {
        let who = principal(ctx)?;
        who.require_browse("read suppliers")?;
        let api = api(ctx);
        let commitment = commit_tax_id(&api.pepper, &tax_id)?;
        let session = session(ctx)?;
        let date = match as_of.as_deref() {
            Some(d) => parse_date("asOf", d)?,
            None => today(session.marker().await?.as_ref()),
        };
        let bank = who.bank().map(|b| i32::from(b.get()));
        let filter = GuaranteeFilter { applicant: Some(commitment.clone()), visible_bank: bank, ..Default::default() };
        let mut exposure = 0u128;
        let mut by_status = Vec::new();
        for (status, count, outstanding) in db::guarantee_totals(session, &filter).await? {
            if LIVE.contains(&status) {
                exposure += outstanding.0;
            }
            by_status.push(StatusCount { status, count, outstanding: Amount::from(outstanding) });
        }
        let (start, end) = (egp_contracts::dates::start_of_day(date), egp_contracts::dates::end_of_day(date));
        let filter = ConfirmationFilter {
            supplier: Some(commitment.clone()),
            visible_bank: bank,
            valid_between: Some((start, end)),
            ..Default::default()
        };
        let confirmations = db::confirmations(session, &filter).await?;
        Ok(Supplier {
            commitment: hex0x(&commitment),
            active_exposure: Amount::new(exposure),
            guarantees_by_status: by_status,
            valid_confirmations: confirmations.into_iter().map(CreditConfirmation).collect(),
            as_of: date.format("%Y-%m-%d").to_string(),
        })
    }

    /// The banks and finance companies of the consortium.
    async fn banks(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Bank>> {
        principal(ctx)?.require_browse("list banks")?;
        Ok(db::issuers(session(ctx)?, None).await?.into_iter().map(Bank).collect())
    }

    /// The registered agencies.
    async fn agencies(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Agency>> {
        principal(ctx)?.require_browse("list agencies")?;
        Ok(db::agencies(session(ctx)?, None).await?.into_iter().map(Agency).collect())
    }

    /// Where the mirror stands: chain head, indexed block and hash, lag, last reorg.
    async fn indexer_status(&self, ctx: &Context<'_>) -> async_graphql::Result<IndexerStatus> {
        principal(ctx)?.require_browse("read the indexer status")?;
        let api = api(ctx);
        let marker = session(ctx)?.marker().await?;
        let head = match api.chain.head().await {
            Ok(head) => Some(head as i64),
            Err(error) => {
                tracing::warn!(%error, "chain head unavailable");
                None
            }
        };
        let last_reorg = db::last_reorg(session(ctx)?).await?.map(|(from_block, to_block, at)| Reorg {
            from_block,
            to_block,
            seen_at: iso(at.max(0) as u64),
        });
        Ok(IndexerStatus {
            chain_id: marker.as_ref().map(|m| m.chain_id),
            chain_head: head,
            indexed_block_number: marker.as_ref().map(|m| m.block_number),
            indexed_block_hash: marker.as_ref().and_then(|m| m.block_hash.as_deref().map(hex0x)),
            indexed_block_time: marker.as_ref().and_then(|m| m.block_timestamp.map(|t| iso(t.max(0) as u64))),
            final_block_number: marker.as_ref().map(|m| m.final_block),
            lag: match (head, &marker) {
                (Some(head), Some(m)) => Some((head - m.block_number).max(0)),
                _ => None,
            },
            updated_at: marker.as_ref().map(|m| iso(m.updated_at.max(0) as u64)),
            last_reorg,
        })
    }
}
