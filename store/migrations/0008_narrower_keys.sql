-- Cheaper index entries on the two tables a backfill fills (every event writes one `events` row,
-- every issuance one `guarantees` row with nine index entries):
-- - `events_entity` is keyed by the record's key alone: every lookup (the writer's history of a
--   record, the API's history and event feeds) gives the key, and a key names one record (ids and
--   agency codes are 32 bytes, gateways 20, bank codes 2), so the kind is checked on the row.
--   Without the text column in the middle, an entry is cheaper to compare and to write.
-- - Codes, references and statuses compare bytewise ("C"), like `events.entity_kind`: their
--   values are ASCII, equality is unchanged, and the B-trees stop calling the locale's collation
--   (costly under en_US or th_TH) for every comparison. Sorting by them gives byte order, the
--   same on every server.
DROP INDEX events_entity;
CREATE INDEX events_entity ON events (chain_id, entity_key);
ALTER TABLE guarantees
    ALTER COLUMN bank_ref TYPE TEXT COLLATE "C",
    ALTER COLUMN agency_code TYPE TEXT COLLATE "C",
    ALTER COLUMN project_number TYPE TEXT COLLATE "C",
    ALTER COLUMN status TYPE TEXT COLLATE "C";
ALTER TABLE credit_confirmations
    ALTER COLUMN bank_ref TYPE TEXT COLLATE "C",
    ALTER COLUMN project_number TYPE TEXT COLLATE "C",
    ALTER COLUMN status TYPE TEXT COLLATE "C";
