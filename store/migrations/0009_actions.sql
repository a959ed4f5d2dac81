-- e-GP's write path (egp-api mutations): a durable outbox of agency actions. A mutation writes its
-- action here before anything is sent; the API's sender signs it with the gateway's key, records
-- every signed transaction before broadcasting it, and follows it to the mirror. The indexer never
-- writes these tables; an action counts as included only when the indexer's `events` hold the
-- event of one of its transactions.

CREATE TABLE actions (
    id BIGSERIAL PRIMARY KEY,
    chain_id BIGINT NOT NULL,
    -- The gateway address that signs the action's transactions.
    gateway BYTEA NOT NULL,
    -- The contract the call goes to (the e-LG registry).
    contract_address BYTEA NOT NULL,
    -- The client's key: the same key with the same request returns this action, with another
    -- request it is refused.
    idempotency_key TEXT COLLATE "C" NOT NULL,
    -- SHA-256 of the request as the client gave it, normalised.
    fingerprint BYTEA NOT NULL,
    -- 'accept', 'reject', 'acceptAmendment', 'rejectAmendment', 'reduce', 'release', 'claim',
    -- 'claimExtendOrPay', 'withdrawClaim', 'supersede'.
    kind TEXT COLLATE "C" NOT NULL,
    guarantee_id BYTEA NOT NULL,
    agency_code TEXT COLLATE "C" NOT NULL,
    -- The resolved arguments (amounts as decimal strings, hashes and ids as 0x-hex, dates as
    -- YYYY-MM-DD), for people; never personal data.
    arguments JSON NOT NULL,
    -- The exact call sent to `contract_address`.
    calldata BYTEA NOT NULL,
    -- 'pending' (written, nothing signed), 'submitted' (a signed transaction is recorded and
    -- sent), 'included' (its event is in the mirror), 'final' (that event's block is final),
    -- 'failed' (refused: nothing changed on chain).
    status TEXT COLLATE "C" NOT NULL,
    -- For 'failed': a stable code and one readable sentence.
    error_code TEXT,
    error_message TEXT,
    -- Why the sender is retrying (the node unreachable, the account short of gas); NULL when not.
    retrying TEXT,
    -- The nonce of the action's transactions (every attempt shares it).
    nonce BIGINT,
    -- The latest attempt, then the one that was mined.
    transaction_hash BYTEA,
    -- Where the receipt put it (set by the sender; cleared if it is reorganised away).
    mined_block BIGINT,
    -- The mirrored event (set from `events` when included).
    block_number BIGINT,
    block_hash BYTEA,
    log_index INTEGER,
    -- Bumped on every change, for subscriptions.
    revision BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (chain_id, idempotency_key)
);
-- The sender's and the tracker's work: actions not yet final or failed.
CREATE INDEX actions_open ON actions (gateway, id) WHERE status IN ('pending', 'submitted', 'included');

-- Every transaction signed for an action, written before it is broadcast: a replacement shares
-- the nonce of the attempt it replaces, so at most one of an action's transactions can be mined.
CREATE TABLE action_transactions (
    transaction_hash BYTEA PRIMARY KEY,
    action_id BIGINT NOT NULL REFERENCES actions (id),
    nonce BIGINT NOT NULL,
    -- The signed transaction (EIP-2718 bytes), as broadcast.
    raw BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX action_transactions_action ON action_transactions (action_id, created_at);

-- Every change bumps the revision and tells listeners (other API servers' subscriptions) which
-- action changed.
CREATE FUNCTION actions_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.revision := OLD.revision + 1;
    NEW.updated_at := now();
    RETURN NEW;
END $$;
CREATE TRIGGER actions_touch BEFORE UPDATE ON actions FOR EACH ROW EXECUTE FUNCTION actions_touch();

CREATE FUNCTION actions_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('egp_actions', NEW.id::text);
    RETURN NULL;
END $$;
CREATE TRIGGER actions_notify AFTER INSERT OR UPDATE ON actions FOR EACH ROW EXECUTE FUNCTION actions_notify();
