-- egp-indexer schema: an append-only event history, the blocks seen, one checkpoint per chain and
-- deployment, and current-state tables that are a pure function of the event history.
--
-- Conventions: amounts and contract integers (uint64 dates included) are NUMERIC, never floats;
-- ids, hashes, commitments and addresses are BYTEA; the short ASCII codes the contracts keep in a
-- bytes32 (agency, project, branch, reason) are TEXT; enums are stored by their Solidity name.
-- Every row derived from events carries the provenance of the last event that changed it
-- (chain_id, contract_address, block_number, block_hash, block_timestamp, transaction_hash,
-- transaction_index, log_index) and whether that block is final.

CREATE TABLE checkpoints (
    chain_id BIGINT NOT NULL,
    -- The consortium contract's address identifies the deployment.
    deployment BYTEA NOT NULL,
    guarantee_registry BYTEA NOT NULL,
    credit_confirmation_registry BYTEA NOT NULL,
    start_block BIGINT NOT NULL,
    -- Every block up to and including this one is indexed (start_block - 1 before the first batch).
    block_number BIGINT NOT NULL,
    -- Hash of block_number (NULL only when block_number is -1).
    block_hash BYTEA,
    -- Highest block known to be final when the checkpoint last moved.
    final_block BIGINT NOT NULL DEFAULT -1,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (chain_id, deployment)
);

CREATE TABLE blocks (
    chain_id BIGINT NOT NULL,
    block_number BIGINT NOT NULL,
    block_hash BYTEA NOT NULL,
    parent_hash BYTEA NOT NULL,
    block_timestamp BIGINT NOT NULL,
    is_final BOOLEAN NOT NULL,
    PRIMARY KEY (chain_id, block_number)
);
CREATE INDEX blocks_unfinal ON blocks (chain_id, block_number) WHERE NOT is_final;

CREATE TABLE events (
    chain_id BIGINT NOT NULL,
    contract_address BYTEA NOT NULL,
    block_number BIGINT NOT NULL,
    block_hash BYTEA NOT NULL,
    block_timestamp BIGINT NOT NULL,
    transaction_hash BYTEA NOT NULL,
    transaction_index INTEGER NOT NULL,
    log_index INTEGER NOT NULL,
    is_final BOOLEAN NOT NULL,
    -- 'Consortium', 'GuaranteeRegistry' or 'CreditConfirmationRegistry'.
    contract TEXT NOT NULL,
    event TEXT NOT NULL,
    -- The record the event changes ('guarantee', 'confirmation', 'issuer', 'agency', 'gateway'),
    -- NULL for events that change no record (OpenZeppelin role events).
    entity_kind TEXT,
    entity_key BYTEA,
    -- A second record the event changes (the replacement of a superseded guarantee).
    related_key BYTEA,
    topic0 BYTEA NOT NULL,
    topic1 BYTEA,
    topic2 BYTEA,
    topic3 BYTEA,
    data BYTEA NOT NULL,
    -- Every field of the event by its ABI name; integers as decimal strings, bytes as 0x-hex.
    args JSONB NOT NULL,
    PRIMARY KEY (chain_id, block_hash, log_index)
);
CREATE UNIQUE INDEX events_position ON events (chain_id, block_number, log_index);
CREATE INDEX events_entity ON events (chain_id, entity_kind, entity_key);
CREATE INDEX events_related ON events (chain_id, related_key) WHERE related_key IS NOT NULL;
CREATE INDEX events_transaction ON events (transaction_hash);
CREATE INDEX events_unfinal ON events (chain_id, block_number) WHERE NOT is_final;

CREATE TABLE issuers (
    chain_id BIGINT NOT NULL,
    bank_code INTEGER NOT NULL,
    kind TEXT NOT NULL,
    -- The institution's name (an organisation, never a person).
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    signer_count BIGINT NOT NULL,
    suspension_reason_hash BYTEA,
    admitted_block_number BIGINT NOT NULL,
    contract_address BYTEA NOT NULL,
    block_number BIGINT NOT NULL,
    block_hash BYTEA NOT NULL,
    block_timestamp BIGINT NOT NULL,
    transaction_hash BYTEA NOT NULL,
    transaction_index INTEGER NOT NULL,
    log_index INTEGER NOT NULL,
    is_final BOOLEAN NOT NULL,
    PRIMARY KEY (chain_id, bank_code)
);

CREATE TABLE issuer_signers (
    chain_id BIGINT NOT NULL,
    bank_code INTEGER NOT NULL,
    signer BYTEA NOT NULL,
    active BOOLEAN NOT NULL,
    added_block_number BIGINT NOT NULL,
    contract_address BYTEA NOT NULL,
    block_number BIGINT NOT NULL,
    block_hash BYTEA NOT NULL,
    block_timestamp BIGINT NOT NULL,
    transaction_hash BYTEA NOT NULL,
    transaction_index INTEGER NOT NULL,
    log_index INTEGER NOT NULL,
    is_final BOOLEAN NOT NULL,
    PRIMARY KEY (chain_id, bank_code, signer)
);
CREATE INDEX issuer_signers_signer ON issuer_signers (chain_id, signer) WHERE active;

CREATE TABLE agencies (
    chain_id BIGINT NOT NULL,
    agency_code BYTEA NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    contract_address BYTEA NOT NULL,
    block_number BIGINT NOT NULL,
    block_hash BYTEA NOT NULL,
    block_timestamp BIGINT NOT NULL,
    transaction_hash BYTEA NOT NULL,
    transaction_index INTEGER NOT NULL,
    log_index INTEGER NOT NULL,
    is_final BOOLEAN NOT NULL,
    PRIMARY KEY (chain_id, agency_code)
);
CREATE INDEX agencies_code ON agencies (chain_id, code);

CREATE TABLE gateways (
    chain_id BIGINT NOT NULL,
    gateway BYTEA NOT NULL,
    authorised BOOLEAN NOT NULL,
    contract_address BYTEA NOT NULL,
    block_number BIGINT NOT NULL,
    block_hash BYTEA NOT NULL,
    block_timestamp BIGINT NOT NULL,
    transaction_hash BYTEA NOT NULL,
    transaction_index INTEGER NOT NULL,
    log_index INTEGER NOT NULL,
    is_final BOOLEAN NOT NULL,
    PRIMARY KEY (chain_id, gateway)
);

CREATE TABLE guarantees (
    chain_id BIGINT NOT NULL,
    id BYTEA NOT NULL,
    bank_code INTEGER NOT NULL,
    bank_ref TEXT NOT NULL,
    branch_code TEXT,
    guarantee_type TEXT NOT NULL,
    currency TEXT NOT NULL DEFAULT 'THB',
    amount NUMERIC(39, 0) NOT NULL,
    outstanding NUMERIC(39, 0) NOT NULL,
    total_paid NUMERIC(39, 0) NOT NULL,
    issue_date NUMERIC(20, 0) NOT NULL,
    effective_date NUMERIC(20, 0) NOT NULL,
    expiry_type TEXT NOT NULL,
    expiry_date NUMERIC(20, 0) NOT NULL,
    expiry_condition_hash BYTEA,
    agency_code TEXT NOT NULL,
    project_number TEXT,
    contract_number TEXT NOT NULL,
    applicant_commitment BYTEA NOT NULL,
    applicant_type TEXT NOT NULL,
    document_hash BYTEA NOT NULL,
    -- Hash of the terms of the last accepted amendment, if any.
    terms_hash BYTEA,
    status TEXT NOT NULL,
    status_before_suspension TEXT NOT NULL,
    suspension_reason_hash BYTEA,
    amendment_count INTEGER NOT NULL,
    claim_count INTEGER NOT NULL,
    release_count INTEGER NOT NULL,
    amendment_pending BOOLEAN NOT NULL,
    pending_amount NUMERIC(39, 0) NOT NULL,
    pending_expiry_date NUMERIC(20, 0) NOT NULL,
    pending_terms_hash BYTEA,
    claim_amount NUMERIC(39, 0) NOT NULL,
    claim_requested_expiry NUMERIC(20, 0) NOT NULL,
    obligations_ended_at NUMERIC(20, 0),
    return_deadline NUMERIC(20, 0),
    replaces BYTEA,
    replaced_by BYTEA,
    issued_by BYTEA NOT NULL,
    issued_block_number BIGINT NOT NULL,
    issued_transaction_hash BYTEA NOT NULL,
    contract_address BYTEA NOT NULL,
    block_number BIGINT NOT NULL,
    block_hash BYTEA NOT NULL,
    block_timestamp BIGINT NOT NULL,
    transaction_hash BYTEA NOT NULL,
    transaction_index INTEGER NOT NULL,
    log_index INTEGER NOT NULL,
    is_final BOOLEAN NOT NULL,
    PRIMARY KEY (chain_id, id)
);
CREATE INDEX guarantees_bank ON guarantees (chain_id, bank_code, bank_ref);
CREATE INDEX guarantees_agency ON guarantees (chain_id, agency_code, status);
CREATE INDEX guarantees_project ON guarantees (chain_id, project_number);
CREATE INDEX guarantees_applicant ON guarantees (chain_id, applicant_commitment);
CREATE INDEX guarantees_status ON guarantees (chain_id, status);
CREATE INDEX guarantees_expiry ON guarantees (chain_id, expiry_date) WHERE expiry_type = 'FIXD';
CREATE INDEX guarantees_unfinal ON guarantees (chain_id, block_number) WHERE NOT is_final;

CREATE TABLE guarantee_amendments (
    chain_id BIGINT NOT NULL,
    guarantee_id BYTEA NOT NULL,
    sequence INTEGER NOT NULL,
    new_amount NUMERIC(39, 0) NOT NULL,
    new_expiry_date NUMERIC(20, 0) NOT NULL,
    terms_hash BYTEA NOT NULL,
    -- 'Pending', 'Accepted' or 'Rejected'.
    status TEXT NOT NULL,
    reason_code TEXT,
    amount_after NUMERIC(39, 0),
    outstanding_after NUMERIC(39, 0),
    expiry_date_after NUMERIC(20, 0),
    proposed_by BYTEA NOT NULL,
    answered_by BYTEA,
    proposed_block_number BIGINT NOT NULL,
    contract_address BYTEA NOT NULL,
    block_number BIGINT NOT NULL,
    block_hash BYTEA NOT NULL,
    block_timestamp BIGINT NOT NULL,
    transaction_hash BYTEA NOT NULL,
    transaction_index INTEGER NOT NULL,
    log_index INTEGER NOT NULL,
    is_final BOOLEAN NOT NULL,
    PRIMARY KEY (chain_id, guarantee_id, sequence)
);

CREATE TABLE guarantee_claims (
    chain_id BIGINT NOT NULL,
    guarantee_id BYTEA NOT NULL,
    sequence INTEGER NOT NULL,
    claim_amount NUMERIC(39, 0) NOT NULL,
    extend_or_pay BOOLEAN NOT NULL,
    requested_expiry_date NUMERIC(20, 0) NOT NULL,
    demand_hash BYTEA NOT NULL,
    -- 'Open', 'Paid', 'Rejected', 'Withdrawn' or 'Extended'.
    status TEXT NOT NULL,
    paid_amount NUMERIC(39, 0),
    payment_reference BYTEA,
    outstanding_after NUMERIC(39, 0),
    total_paid_after NUMERIC(39, 0),
    discrepancies TEXT[],
    extended_to NUMERIC(20, 0),
    claimed_by BYTEA NOT NULL,
    closed_by BYTEA,
    claimed_block_number BIGINT NOT NULL,
    contract_address BYTEA NOT NULL,
    block_number BIGINT NOT NULL,
    block_hash BYTEA NOT NULL,
    block_timestamp BIGINT NOT NULL,
    transaction_hash BYTEA NOT NULL,
    transaction_index INTEGER NOT NULL,
    log_index INTEGER NOT NULL,
    is_final BOOLEAN NOT NULL,
    PRIMARY KEY (chain_id, guarantee_id, sequence)
);
CREATE INDEX guarantee_claims_open ON guarantee_claims (chain_id, status) WHERE status = 'Open';

CREATE TABLE guarantee_releases (
    chain_id BIGINT NOT NULL,
    guarantee_id BYTEA NOT NULL,
    sequence INTEGER NOT NULL,
    -- 'Reduce' (partial) or 'Release' (full).
    kind TEXT NOT NULL,
    amount NUMERIC(39, 0) NOT NULL,
    outstanding_after NUMERIC(39, 0) NOT NULL,
    obligations_ended_at NUMERIC(20, 0),
    return_deadline NUMERIC(20, 0),
    released_by BYTEA NOT NULL,
    contract_address BYTEA NOT NULL,
    block_number BIGINT NOT NULL,
    block_hash BYTEA NOT NULL,
    block_timestamp BIGINT NOT NULL,
    transaction_hash BYTEA NOT NULL,
    transaction_index INTEGER NOT NULL,
    log_index INTEGER NOT NULL,
    is_final BOOLEAN NOT NULL,
    PRIMARY KEY (chain_id, guarantee_id, sequence)
);

CREATE TABLE credit_confirmations (
    chain_id BIGINT NOT NULL,
    id BYTEA NOT NULL,
    bank_code INTEGER NOT NULL,
    bank_ref TEXT NOT NULL,
    certifying_office TEXT NOT NULL,
    supplier_commitment BYTEA NOT NULL,
    supplier_type TEXT NOT NULL,
    credit_line NUMERIC(39, 0) NOT NULL,
    as_of_date NUMERIC(20, 0) NOT NULL,
    issued_at NUMERIC(20, 0) NOT NULL,
    valid_until NUMERIC(20, 0) NOT NULL,
    purpose TEXT NOT NULL,
    project_number TEXT,
    project_budget NUMERIC(39, 0) NOT NULL,
    document_hash BYTEA NOT NULL,
    status TEXT NOT NULL,
    revocation_reason TEXT,
    replaces BYTEA,
    replaced_by BYTEA,
    issued_by BYTEA NOT NULL,
    issued_block_number BIGINT NOT NULL,
    issued_transaction_hash BYTEA NOT NULL,
    contract_address BYTEA NOT NULL,
    block_number BIGINT NOT NULL,
    block_hash BYTEA NOT NULL,
    block_timestamp BIGINT NOT NULL,
    transaction_hash BYTEA NOT NULL,
    transaction_index INTEGER NOT NULL,
    log_index INTEGER NOT NULL,
    is_final BOOLEAN NOT NULL,
    PRIMARY KEY (chain_id, id)
);
CREATE INDEX credit_confirmations_bank ON credit_confirmations (chain_id, bank_code, bank_ref);
CREATE INDEX credit_confirmations_supplier ON credit_confirmations (chain_id, supplier_commitment);
CREATE INDEX credit_confirmations_project ON credit_confirmations (chain_id, project_number);
CREATE INDEX credit_confirmations_status ON credit_confirmations (chain_id, status, valid_until);

-- One checksum per table (md5 of every row's text, in a fixed order), to compare two databases
-- that mirror the same chain: `SELECT * FROM egp_table_checksums()`.
CREATE FUNCTION egp_table_checksums() RETURNS TABLE (table_name TEXT, row_count BIGINT, checksum TEXT)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    t TEXT;
BEGIN
    FOREACH t IN ARRAY ARRAY['blocks', 'events', 'issuers', 'issuer_signers', 'agencies', 'gateways',
                             'guarantees', 'guarantee_amendments', 'guarantee_claims',
                             'guarantee_releases', 'credit_confirmations'] LOOP
        table_name := t;
        EXECUTE format('SELECT count(*), md5(coalesce(string_agg(r::text, '','' ORDER BY r::text), '''')) FROM %I r', t)
            INTO row_count, checksum;
        RETURN NEXT;
    END LOOP;
END
$$;
