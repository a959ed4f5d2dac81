-- The event history's primary key becomes its position, (chain_id, block_number, log_index),
-- which was already unique (`events_position`): the mirror holds one canonical block per number
-- (a reorg deletes the blocks above the fork before the new branch is written), so the position
-- identifies an event as well as (chain_id, block_hash, log_index) did. One unique index instead
-- of two: the block-hash key was a second B-tree written for every event (about a quarter of the
-- CPU of inserting 100,000 events) that no query used. Writing an event that is already stored
-- stays a no-op; the writer refuses an event whose position is stored with another block hash.
ALTER TABLE events DROP CONSTRAINT events_pkey;
ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY USING INDEX events_position;
