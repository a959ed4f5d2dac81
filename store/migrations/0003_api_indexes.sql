-- Indexes for the API's keyset pages (egp-api `guarantees` and `creditConfirmations`, ordered by
-- issue block then id). Without them a page sorts every row its filter matches: on a mirror of
-- 1,000,000 guarantees an unfiltered first page read the whole table (parallel seq scan, then a
-- top-N sort), and a large agency's page read and sorted its tens of thousands of rows. With
-- them a page walks the index in order and stops after `first` + 1 rows.
CREATE INDEX guarantees_issued ON guarantees (chain_id, issued_block_number, id);
CREATE INDEX guarantees_agency_issued ON guarantees (chain_id, agency_code, issued_block_number, id);
CREATE INDEX credit_confirmations_issued ON credit_confirmations (chain_id, issued_block_number, id);
