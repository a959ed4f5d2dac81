-- Every reorg the indexer rolled back, so that "the last reorg" survives restarts of the indexer
-- and the API. Written in the rollback's own transaction.
CREATE TABLE reorgs (
    id BIGSERIAL PRIMARY KEY,
    chain_id BIGINT NOT NULL,
    -- The highest block still canonical.
    fork_block BIGINT NOT NULL,
    -- The blocks undone: fork_block + 1 to the previous checkpoint.
    from_block BIGINT NOT NULL,
    to_block BIGINT NOT NULL,
    events_removed BIGINT NOT NULL,
    rolled_back_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX reorgs_latest ON reorgs (chain_id, id DESC);
