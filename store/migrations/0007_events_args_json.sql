-- The history's decoded fields (`args`) become `json`: the text as the indexer wrote it, checked
-- to be valid JSON, not converted to `jsonb`'s binary tree. Building that tree was the largest
-- single cost of writing an event (on 50,000 GuaranteeIssued events the PostgreSQL backend
-- spent 2.63 s of CPU with `jsonb`, 1.66 s with `json`). Nothing queries inside `args` with a
-- `jsonb`-only operator or index; `->` and `->>` work on `json` as well, and the fields keep
-- the ABI's order.
ALTER TABLE events ALTER COLUMN args TYPE json;
