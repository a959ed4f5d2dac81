-- Finality on the remaining tables without a scan: `mark_final` sets `is_final` on every row at or
-- below the new final block, and without these partial indexes it read the whole of
-- `guarantee_amendments`, `guarantee_claims` and `guarantee_releases` (and the small registry
-- tables) on every commit that moved finality forward. A row written final (the default, zero
-- confirmations) never enters these indexes, so they cost nothing then.
CREATE INDEX issuers_unfinal ON issuers (chain_id, block_number) WHERE NOT is_final;
CREATE INDEX issuer_signers_unfinal ON issuer_signers (chain_id, block_number) WHERE NOT is_final;
CREATE INDEX agencies_unfinal ON agencies (chain_id, block_number) WHERE NOT is_final;
CREATE INDEX gateways_unfinal ON gateways (chain_id, block_number) WHERE NOT is_final;
CREATE INDEX guarantee_amendments_unfinal ON guarantee_amendments (chain_id, block_number) WHERE NOT is_final;
CREATE INDEX guarantee_claims_unfinal ON guarantee_claims (chain_id, block_number) WHERE NOT is_final;
CREATE INDEX guarantee_releases_unfinal ON guarantee_releases (chain_id, block_number) WHERE NOT is_final;
CREATE INDEX credit_confirmations_unfinal ON credit_confirmations (chain_id, block_number) WHERE NOT is_final;
