//! The part of committing a batch that needs no database, done before its transaction (in the
//! reader's task, while the writer commits the batch before it): the events' `COPY` rows, and
//! the current state of the records the batch creates, folded from the batch's own events and
//! encoded. The transaction is left with what needs stored history: the records that existed
//! before the batch. Keeping the rest out of it keeps PostgreSQL, the slowest stage of a
//! backfill, busy without waiting on the indexer.

use std::collections::BTreeSet;

use crate::Result;
use crate::copy::CopyData;
use crate::decode::{EntityKey, IndexedEvent};
use crate::read::Batch;
use crate::state;
use crate::write;
use crate::write_state::DerivedCopy;

/// A batch with its database-independent work done.
#[derive(Debug)]
pub struct PreparedBatch {
    batch: Batch,
    chain_id: u64,
    /// `COPY` rows of every event of the batch.
    pub(crate) events: CopyData,
    /// Every record the batch changes.
    pub(crate) entities: BTreeSet<EntityKey>,
    /// Of those, the records that existed before the batch (their rows need their stored events).
    pub(crate) existing: BTreeSet<EntityKey>,
    /// The rows of the records the batch creates, encoded.
    pub(crate) created_rows: DerivedCopy,
}

impl PreparedBatch {
    /// Prepares `batch` of chain `chain_id`. Fails only when a folded value cannot be encoded.
    pub fn new(chain_id: u64, batch: Batch) -> Result<Self> {
        let entities: BTreeSet<EntityKey> =
            batch.events.iter().flat_map(|e| e.entity().into_iter().chain(e.related())).collect();
        // A record whose first event in the batch creates it has no history and no rows yet
        // (the contracts refuse to create a record twice): its rows follow from the batch alone.
        let mut created = BTreeSet::new();
        let mut seen = BTreeSet::new();
        for event in &batch.events {
            if let Some(entity) = event.entity()
                && seen.insert(entity)
                && event.creates()
            {
                created.insert(entity);
            }
            seen.extend(event.related());
        }
        let existing = entities.difference(&created).copied().collect();
        let created_rows =
            DerivedCopy::encode(&state::fold(chain_id, touching(&batch.events, &created)).rows(&created))?;
        let events = write::encode_events(chain_id, batch.events.iter())?;
        Ok(Self { batch, chain_id, events, entities, existing, created_rows })
    }

    /// The batch.
    pub fn batch(&self) -> &Batch {
        &self.batch
    }

    /// The chain it was prepared for.
    pub fn chain_id(&self) -> u64 {
        self.chain_id
    }

    /// The batch's events that change a record that existed before it (as the record or as its
    /// related record), in chain order: the rest cannot change those records.
    pub(crate) fn events_of_existing(&self) -> impl Iterator<Item = &IndexedEvent> {
        touching(&self.batch.events, &self.existing)
    }
}

/// The events that change one of `records` (as the record or as its related record), in order:
/// the others cannot change those records' rows.
fn touching<'a>(
    events: &'a [IndexedEvent],
    records: &'a BTreeSet<EntityKey>,
) -> impl Iterator<Item = &'a IndexedEvent> {
    let touches = |key: Option<EntityKey>| key.is_some_and(|key| records.contains(&key));
    events.iter().filter(move |e| touches(e.entity()) || touches(e.related()))
}
