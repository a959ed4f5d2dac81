//! The tracker: the mirror is the truth for `included`. An action is included when the indexer's
//! `events` hold an event of its guarantee from one of its transactions, final when that event's
//! block is; an included action whose event the indexer rolled back (a reorg) is submitted again
//! and the sender follows its transaction anew.

use egp_store::ActionStatus;

use super::Outbox;
use crate::Result;

impl Outbox {
    /// Brings the mirror's word into the gateway's open actions; returns how many changed.
    pub(crate) async fn track(&self) -> Result<u64> {
        let gateway = self.gateway().to_vec();
        let mut tx = self.pool.begin().await?;
        let rolled_back = sqlx::query!(
            "UPDATE actions a SET status = $3, block_number = NULL, block_hash = NULL, log_index = NULL
             WHERE a.gateway = $1 AND a.chain_id = $2 AND a.status = $4
               AND NOT EXISTS (SELECT 1 FROM events e
                               WHERE e.chain_id = a.chain_id AND e.entity_key = a.guarantee_id
                                 AND e.block_number = a.block_number AND e.log_index = a.log_index
                                 AND e.block_hash = a.block_hash)",
            gateway,
            self.chain_id(),
            ActionStatus::Submitted as _,
            ActionStatus::Included as _
        )
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let seen = sqlx::query!(
            "WITH seen AS (
                 SELECT DISTINCT ON (a.id) a.id, e.transaction_hash, e.block_number, e.block_hash, e.log_index,
                        CASE WHEN e.is_final THEN $3 ELSE $4 END AS status
                 FROM actions a
                 JOIN action_transactions t ON t.action_id = a.id
                 JOIN events e ON e.chain_id = a.chain_id AND e.entity_key = a.guarantee_id
                              AND e.transaction_hash = t.transaction_hash
                 WHERE a.gateway = $1 AND a.chain_id = $2 AND a.status = ANY($5)
                 ORDER BY a.id, e.block_number, e.log_index
             )
             UPDATE actions a SET status = s.status, transaction_hash = s.transaction_hash,
                                  block_number = s.block_number, block_hash = s.block_hash,
                                  log_index = s.log_index, retrying = NULL
             FROM seen s
             WHERE a.id = s.id
               AND (a.status, a.block_hash, a.log_index) IS DISTINCT FROM (s.status, s.block_hash, s.log_index)",
            gateway,
            self.chain_id(),
            ActionStatus::Final as _,
            ActionStatus::Included as _,
            &ActionStatus::OPEN[..] as _
        )
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        if rolled_back > 0 {
            tracing::warn!(actions = rolled_back, "included actions were rolled back by a reorg; following them again");
        }
        Ok(rolled_back + seen)
    }
}
