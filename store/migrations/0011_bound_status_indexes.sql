-- Statuses and kinds are bound as parameters (each spelled once, by its Rust enum), never written
-- into a statement as a literal. A partial index whose predicate names a literal status serves a
-- bound one only while PostgreSQL plans the statement for that value; a generic plan (a prepared
-- statement run often) cannot prove the predicate and skips the index. These two indexes hold the
-- status or kind as a leading column instead, which any plan can use.

-- The outbox's work by gateway and status (the sender's pending and submitted actions, the
-- tracker's open ones, the queue's count): was `actions_open`, partial on the open statuses.
CREATE INDEX actions_gateway_status ON actions (gateway, status, id);
DROP INDEX actions_open;

-- Guarantees expiring in a window (`expiry_type` = FIXD, bound): was `guarantees_expiry`, partial
-- on the fixed expiry type.
CREATE INDEX guarantees_expiry_type ON guarantees (chain_id, expiry_type, expiry_date);
DROP INDEX guarantees_expiry;
