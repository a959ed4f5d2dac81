//! The `INSERT ... SELECT FROM UNNEST(...)` statement of every current-state table, one
//! statement per table and batch. Written out column by column so that `query!` checks each one.

use sqlx::PgConnection;

use crate::Result;
use crate::rows::{
    AgencyRow, AmendmentRow, ClaimRow, ConfirmationRow, Derived, GatewayRow, GuaranteeRow, IssuerRow, ReleaseRow,
    SignerRow,
};
use crate::write::column;

/// Inserts rows of `issuers`.
pub(crate) async fn issuers_rows(conn: &mut PgConnection, rows: &[IssuerRow]) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let chain_id: Vec<i64> = column!(rows, chain_id);
    let bank_code: Vec<i32> = column!(rows, bank_code);
    let kind: Vec<String> = column!(rows, kind);
    let name: Vec<String> = column!(rows, name);
    let status: Vec<String> = column!(rows, status);
    let signer_count: Vec<i64> = column!(rows, signer_count);
    let suspension_reason_hash: Vec<Option<Vec<u8>>> = column!(rows, suspension_reason_hash);
    let admitted_block_number: Vec<i64> = column!(rows, admitted_block_number);
    let contract_address: Vec<Vec<u8>> = column!(rows, contract_address);
    let block_number: Vec<i64> = column!(rows, block_number);
    let block_hash: Vec<Vec<u8>> = column!(rows, block_hash);
    let block_timestamp: Vec<i64> = column!(rows, block_timestamp);
    let transaction_hash: Vec<Vec<u8>> = column!(rows, transaction_hash);
    let transaction_index: Vec<i32> = column!(rows, transaction_index);
    let log_index: Vec<i32> = column!(rows, log_index);
    let is_final: Vec<bool> = column!(rows, is_final);
    sqlx::query!(
        "INSERT INTO issuers (chain_id, bank_code, kind, name, status, signer_count, suspension_reason_hash, admitted_block_number, contract_address, block_number, block_hash, block_timestamp, transaction_hash, transaction_index, log_index, is_final) SELECT c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15 FROM UNNEST($1::bigint[], $2::int[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bytea[], $8::bigint[], $9::bytea[], $10::bigint[], $11::bytea[], $12::bigint[], $13::bytea[], $14::int[], $15::int[], $16::bool[]) AS u(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15)",
        &chain_id,
        &bank_code,
        &kind,
        &name,
        &status,
        &signer_count,
        &suspension_reason_hash as &[Option<Vec<u8>>],
        &admitted_block_number,
        &contract_address,
        &block_number,
        &block_hash,
        &block_timestamp,
        &transaction_hash,
        &transaction_index,
        &log_index,
        &is_final,
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Inserts rows of `issuer_signers`.
pub(crate) async fn signers_rows(conn: &mut PgConnection, rows: &[SignerRow]) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let chain_id: Vec<i64> = column!(rows, chain_id);
    let bank_code: Vec<i32> = column!(rows, bank_code);
    let signer: Vec<Vec<u8>> = column!(rows, signer);
    let active: Vec<bool> = column!(rows, active);
    let added_block_number: Vec<i64> = column!(rows, added_block_number);
    let contract_address: Vec<Vec<u8>> = column!(rows, contract_address);
    let block_number: Vec<i64> = column!(rows, block_number);
    let block_hash: Vec<Vec<u8>> = column!(rows, block_hash);
    let block_timestamp: Vec<i64> = column!(rows, block_timestamp);
    let transaction_hash: Vec<Vec<u8>> = column!(rows, transaction_hash);
    let transaction_index: Vec<i32> = column!(rows, transaction_index);
    let log_index: Vec<i32> = column!(rows, log_index);
    let is_final: Vec<bool> = column!(rows, is_final);
    sqlx::query!(
        "INSERT INTO issuer_signers (chain_id, bank_code, signer, active, added_block_number, contract_address, block_number, block_hash, block_timestamp, transaction_hash, transaction_index, log_index, is_final) SELECT c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12 FROM UNNEST($1::bigint[], $2::int[], $3::bytea[], $4::bool[], $5::bigint[], $6::bytea[], $7::bigint[], $8::bytea[], $9::bigint[], $10::bytea[], $11::int[], $12::int[], $13::bool[]) AS u(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12)",
        &chain_id,
        &bank_code,
        &signer,
        &active,
        &added_block_number,
        &contract_address,
        &block_number,
        &block_hash,
        &block_timestamp,
        &transaction_hash,
        &transaction_index,
        &log_index,
        &is_final,
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Inserts rows of `agencies`.
pub(crate) async fn agencies_rows(conn: &mut PgConnection, rows: &[AgencyRow]) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let chain_id: Vec<i64> = column!(rows, chain_id);
    let agency_code: Vec<Vec<u8>> = column!(rows, agency_code);
    let code: Vec<String> = column!(rows, code);
    let name: Vec<String> = column!(rows, name);
    let contract_address: Vec<Vec<u8>> = column!(rows, contract_address);
    let block_number: Vec<i64> = column!(rows, block_number);
    let block_hash: Vec<Vec<u8>> = column!(rows, block_hash);
    let block_timestamp: Vec<i64> = column!(rows, block_timestamp);
    let transaction_hash: Vec<Vec<u8>> = column!(rows, transaction_hash);
    let transaction_index: Vec<i32> = column!(rows, transaction_index);
    let log_index: Vec<i32> = column!(rows, log_index);
    let is_final: Vec<bool> = column!(rows, is_final);
    sqlx::query!(
        "INSERT INTO agencies (chain_id, agency_code, code, name, contract_address, block_number, block_hash, block_timestamp, transaction_hash, transaction_index, log_index, is_final) SELECT c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11 FROM UNNEST($1::bigint[], $2::bytea[], $3::text[], $4::text[], $5::bytea[], $6::bigint[], $7::bytea[], $8::bigint[], $9::bytea[], $10::int[], $11::int[], $12::bool[]) AS u(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11)",
        &chain_id,
        &agency_code,
        &code,
        &name,
        &contract_address,
        &block_number,
        &block_hash,
        &block_timestamp,
        &transaction_hash,
        &transaction_index,
        &log_index,
        &is_final,
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Inserts rows of `gateways`.
pub(crate) async fn gateways_rows(conn: &mut PgConnection, rows: &[GatewayRow]) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let chain_id: Vec<i64> = column!(rows, chain_id);
    let gateway: Vec<Vec<u8>> = column!(rows, gateway);
    let authorised: Vec<bool> = column!(rows, authorised);
    let contract_address: Vec<Vec<u8>> = column!(rows, contract_address);
    let block_number: Vec<i64> = column!(rows, block_number);
    let block_hash: Vec<Vec<u8>> = column!(rows, block_hash);
    let block_timestamp: Vec<i64> = column!(rows, block_timestamp);
    let transaction_hash: Vec<Vec<u8>> = column!(rows, transaction_hash);
    let transaction_index: Vec<i32> = column!(rows, transaction_index);
    let log_index: Vec<i32> = column!(rows, log_index);
    let is_final: Vec<bool> = column!(rows, is_final);
    sqlx::query!(
        "INSERT INTO gateways (chain_id, gateway, authorised, contract_address, block_number, block_hash, block_timestamp, transaction_hash, transaction_index, log_index, is_final) SELECT c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10 FROM UNNEST($1::bigint[], $2::bytea[], $3::bool[], $4::bytea[], $5::bigint[], $6::bytea[], $7::bigint[], $8::bytea[], $9::int[], $10::int[], $11::bool[]) AS u(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10)",
        &chain_id,
        &gateway,
        &authorised,
        &contract_address,
        &block_number,
        &block_hash,
        &block_timestamp,
        &transaction_hash,
        &transaction_index,
        &log_index,
        &is_final,
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Inserts rows of `guarantees`.
pub(crate) async fn insert_guarantees(conn: &mut PgConnection, rows: &[GuaranteeRow]) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let chain_id: Vec<i64> = column!(rows, chain_id);
    let id: Vec<Vec<u8>> = column!(rows, id);
    let bank_code: Vec<i32> = column!(rows, bank_code);
    let bank_ref: Vec<String> = column!(rows, bank_ref);
    let branch_code: Vec<Option<String>> = column!(rows, branch_code);
    let guarantee_type: Vec<String> = column!(rows, guarantee_type);
    let amount: Vec<String> = column!(rows, amount);
    let outstanding: Vec<String> = column!(rows, outstanding);
    let total_paid: Vec<String> = column!(rows, total_paid);
    let issue_date: Vec<String> = column!(rows, issue_date);
    let effective_date: Vec<String> = column!(rows, effective_date);
    let expiry_type: Vec<String> = column!(rows, expiry_type);
    let expiry_date: Vec<String> = column!(rows, expiry_date);
    let expiry_condition_hash: Vec<Option<Vec<u8>>> = column!(rows, expiry_condition_hash);
    let agency_code: Vec<String> = column!(rows, agency_code);
    let project_number: Vec<Option<String>> = column!(rows, project_number);
    let contract_number: Vec<String> = column!(rows, contract_number);
    let applicant_commitment: Vec<Vec<u8>> = column!(rows, applicant_commitment);
    let applicant_type: Vec<String> = column!(rows, applicant_type);
    let document_hash: Vec<Vec<u8>> = column!(rows, document_hash);
    let terms_hash: Vec<Option<Vec<u8>>> = column!(rows, terms_hash);
    let status: Vec<String> = column!(rows, status);
    let status_before_suspension: Vec<String> = column!(rows, status_before_suspension);
    let suspension_reason_hash: Vec<Option<Vec<u8>>> = column!(rows, suspension_reason_hash);
    let amendment_count: Vec<i32> = column!(rows, amendment_count);
    let claim_count: Vec<i32> = column!(rows, claim_count);
    let release_count: Vec<i32> = column!(rows, release_count);
    let amendment_pending: Vec<bool> = column!(rows, amendment_pending);
    let pending_amount: Vec<String> = column!(rows, pending_amount);
    let pending_expiry_date: Vec<String> = column!(rows, pending_expiry_date);
    let pending_terms_hash: Vec<Option<Vec<u8>>> = column!(rows, pending_terms_hash);
    let claim_amount: Vec<String> = column!(rows, claim_amount);
    let claim_requested_expiry: Vec<String> = column!(rows, claim_requested_expiry);
    let obligations_ended_at: Vec<Option<String>> = column!(rows, obligations_ended_at);
    let return_deadline: Vec<Option<String>> = column!(rows, return_deadline);
    let replaces: Vec<Option<Vec<u8>>> = column!(rows, replaces);
    let replaced_by: Vec<Option<Vec<u8>>> = column!(rows, replaced_by);
    let issued_by: Vec<Vec<u8>> = column!(rows, issued_by);
    let issued_block_number: Vec<i64> = column!(rows, issued_block_number);
    let issued_transaction_hash: Vec<Vec<u8>> = column!(rows, issued_transaction_hash);
    let contract_address: Vec<Vec<u8>> = column!(rows, contract_address);
    let block_number: Vec<i64> = column!(rows, block_number);
    let block_hash: Vec<Vec<u8>> = column!(rows, block_hash);
    let block_timestamp: Vec<i64> = column!(rows, block_timestamp);
    let transaction_hash: Vec<Vec<u8>> = column!(rows, transaction_hash);
    let transaction_index: Vec<i32> = column!(rows, transaction_index);
    let log_index: Vec<i32> = column!(rows, log_index);
    let is_final: Vec<bool> = column!(rows, is_final);
    sqlx::query!(
        "INSERT INTO guarantees (chain_id, id, bank_code, bank_ref, branch_code, guarantee_type, amount, outstanding, total_paid, issue_date, effective_date, expiry_type, expiry_date, expiry_condition_hash, agency_code, project_number, contract_number, applicant_commitment, applicant_type, document_hash, terms_hash, status, status_before_suspension, suspension_reason_hash, amendment_count, claim_count, release_count, amendment_pending, pending_amount, pending_expiry_date, pending_terms_hash, claim_amount, claim_requested_expiry, obligations_ended_at, return_deadline, replaces, replaced_by, issued_by, issued_block_number, issued_transaction_hash, contract_address, block_number, block_hash, block_timestamp, transaction_hash, transaction_index, log_index, is_final) SELECT c0, c1, c2, c3, c4, c5, c6::numeric, c7::numeric, c8::numeric, c9::numeric, c10::numeric, c11, c12::numeric, c13, c14, c15, c16, c17, c18, c19, c20, c21, c22, c23, c24, c25, c26, c27, c28::numeric, c29::numeric, c30, c31::numeric, c32::numeric, c33::numeric, c34::numeric, c35, c36, c37, c38, c39, c40, c41, c42, c43, c44, c45, c46, c47 FROM UNNEST($1::bigint[], $2::bytea[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::bytea[], $15::text[], $16::text[], $17::text[], $18::bytea[], $19::text[], $20::bytea[], $21::bytea[], $22::text[], $23::text[], $24::bytea[], $25::int[], $26::int[], $27::int[], $28::bool[], $29::text[], $30::text[], $31::bytea[], $32::text[], $33::text[], $34::text[], $35::text[], $36::bytea[], $37::bytea[], $38::bytea[], $39::bigint[], $40::bytea[], $41::bytea[], $42::bigint[], $43::bytea[], $44::bigint[], $45::bytea[], $46::int[], $47::int[], $48::bool[]) AS u(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16, c17, c18, c19, c20, c21, c22, c23, c24, c25, c26, c27, c28, c29, c30, c31, c32, c33, c34, c35, c36, c37, c38, c39, c40, c41, c42, c43, c44, c45, c46, c47)",
        &chain_id,
        &id,
        &bank_code,
        &bank_ref,
        &branch_code as &[Option<String>],
        &guarantee_type,
        &amount,
        &outstanding,
        &total_paid,
        &issue_date,
        &effective_date,
        &expiry_type,
        &expiry_date,
        &expiry_condition_hash as &[Option<Vec<u8>>],
        &agency_code,
        &project_number as &[Option<String>],
        &contract_number,
        &applicant_commitment,
        &applicant_type,
        &document_hash,
        &terms_hash as &[Option<Vec<u8>>],
        &status,
        &status_before_suspension,
        &suspension_reason_hash as &[Option<Vec<u8>>],
        &amendment_count,
        &claim_count,
        &release_count,
        &amendment_pending,
        &pending_amount,
        &pending_expiry_date,
        &pending_terms_hash as &[Option<Vec<u8>>],
        &claim_amount,
        &claim_requested_expiry,
        &obligations_ended_at as &[Option<String>],
        &return_deadline as &[Option<String>],
        &replaces as &[Option<Vec<u8>>],
        &replaced_by as &[Option<Vec<u8>>],
        &issued_by,
        &issued_block_number,
        &issued_transaction_hash,
        &contract_address,
        &block_number,
        &block_hash,
        &block_timestamp,
        &transaction_hash,
        &transaction_index,
        &log_index,
        &is_final,
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Inserts rows of `guarantee_amendments`.
pub(crate) async fn amendments_rows(conn: &mut PgConnection, rows: &[AmendmentRow]) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let chain_id: Vec<i64> = column!(rows, chain_id);
    let guarantee_id: Vec<Vec<u8>> = column!(rows, guarantee_id);
    let sequence: Vec<i32> = column!(rows, sequence);
    let new_amount: Vec<String> = column!(rows, new_amount);
    let new_expiry_date: Vec<String> = column!(rows, new_expiry_date);
    let terms_hash: Vec<Vec<u8>> = column!(rows, terms_hash);
    let status: Vec<String> = column!(rows, status);
    let reason_code: Vec<Option<String>> = column!(rows, reason_code);
    let amount_after: Vec<Option<String>> = column!(rows, amount_after);
    let outstanding_after: Vec<Option<String>> = column!(rows, outstanding_after);
    let expiry_date_after: Vec<Option<String>> = column!(rows, expiry_date_after);
    let proposed_by: Vec<Vec<u8>> = column!(rows, proposed_by);
    let answered_by: Vec<Option<Vec<u8>>> = column!(rows, answered_by);
    let proposed_block_number: Vec<i64> = column!(rows, proposed_block_number);
    let contract_address: Vec<Vec<u8>> = column!(rows, contract_address);
    let block_number: Vec<i64> = column!(rows, block_number);
    let block_hash: Vec<Vec<u8>> = column!(rows, block_hash);
    let block_timestamp: Vec<i64> = column!(rows, block_timestamp);
    let transaction_hash: Vec<Vec<u8>> = column!(rows, transaction_hash);
    let transaction_index: Vec<i32> = column!(rows, transaction_index);
    let log_index: Vec<i32> = column!(rows, log_index);
    let is_final: Vec<bool> = column!(rows, is_final);
    sqlx::query!(
        "INSERT INTO guarantee_amendments (chain_id, guarantee_id, sequence, new_amount, new_expiry_date, terms_hash, status, reason_code, amount_after, outstanding_after, expiry_date_after, proposed_by, answered_by, proposed_block_number, contract_address, block_number, block_hash, block_timestamp, transaction_hash, transaction_index, log_index, is_final) SELECT c0, c1, c2, c3::numeric, c4::numeric, c5, c6, c7, c8::numeric, c9::numeric, c10::numeric, c11, c12, c13, c14, c15, c16, c17, c18, c19, c20, c21 FROM UNNEST($1::bigint[], $2::bytea[], $3::int[], $4::text[], $5::text[], $6::bytea[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::bytea[], $13::bytea[], $14::bigint[], $15::bytea[], $16::bigint[], $17::bytea[], $18::bigint[], $19::bytea[], $20::int[], $21::int[], $22::bool[]) AS u(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16, c17, c18, c19, c20, c21)",
        &chain_id,
        &guarantee_id,
        &sequence,
        &new_amount,
        &new_expiry_date,
        &terms_hash,
        &status,
        &reason_code as &[Option<String>],
        &amount_after as &[Option<String>],
        &outstanding_after as &[Option<String>],
        &expiry_date_after as &[Option<String>],
        &proposed_by,
        &answered_by as &[Option<Vec<u8>>],
        &proposed_block_number,
        &contract_address,
        &block_number,
        &block_hash,
        &block_timestamp,
        &transaction_hash,
        &transaction_index,
        &log_index,
        &is_final,
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Inserts rows of `guarantee_claims`.
pub(crate) async fn claims_rows(conn: &mut PgConnection, rows: &[ClaimRow]) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let chain_id: Vec<i64> = column!(rows, chain_id);
    let guarantee_id: Vec<Vec<u8>> = column!(rows, guarantee_id);
    let sequence: Vec<i32> = column!(rows, sequence);
    let claim_amount: Vec<String> = column!(rows, claim_amount);
    let extend_or_pay: Vec<bool> = column!(rows, extend_or_pay);
    let requested_expiry_date: Vec<String> = column!(rows, requested_expiry_date);
    let demand_hash: Vec<Vec<u8>> = column!(rows, demand_hash);
    let status: Vec<String> = column!(rows, status);
    let paid_amount: Vec<Option<String>> = column!(rows, paid_amount);
    let payment_reference: Vec<Option<Vec<u8>>> = column!(rows, payment_reference);
    let outstanding_after: Vec<Option<String>> = column!(rows, outstanding_after);
    let total_paid_after: Vec<Option<String>> = column!(rows, total_paid_after);
    let discrepancies: Vec<Option<String>> =
        rows.iter().map(|r| r.discrepancies.as_ref().map(|d| serde_json::json!(d).to_string())).collect();
    let extended_to: Vec<Option<String>> = column!(rows, extended_to);
    let claimed_by: Vec<Vec<u8>> = column!(rows, claimed_by);
    let closed_by: Vec<Option<Vec<u8>>> = column!(rows, closed_by);
    let claimed_block_number: Vec<i64> = column!(rows, claimed_block_number);
    let contract_address: Vec<Vec<u8>> = column!(rows, contract_address);
    let block_number: Vec<i64> = column!(rows, block_number);
    let block_hash: Vec<Vec<u8>> = column!(rows, block_hash);
    let block_timestamp: Vec<i64> = column!(rows, block_timestamp);
    let transaction_hash: Vec<Vec<u8>> = column!(rows, transaction_hash);
    let transaction_index: Vec<i32> = column!(rows, transaction_index);
    let log_index: Vec<i32> = column!(rows, log_index);
    let is_final: Vec<bool> = column!(rows, is_final);
    sqlx::query!(
        "INSERT INTO guarantee_claims (chain_id, guarantee_id, sequence, claim_amount, extend_or_pay, requested_expiry_date, demand_hash, status, paid_amount, payment_reference, outstanding_after, total_paid_after, discrepancies, extended_to, claimed_by, closed_by, claimed_block_number, contract_address, block_number, block_hash, block_timestamp, transaction_hash, transaction_index, log_index, is_final) SELECT c0, c1, c2, c3::numeric, c4, c5::numeric, c6, c7, c8::numeric, c9, c10::numeric, c11::numeric, CASE WHEN c12 IS NULL THEN NULL ELSE ARRAY(SELECT jsonb_array_elements_text(c12::jsonb)) END, c13::numeric, c14, c15, c16, c17, c18, c19, c20, c21, c22, c23, c24 FROM UNNEST($1::bigint[], $2::bytea[], $3::int[], $4::text[], $5::bool[], $6::text[], $7::bytea[], $8::text[], $9::text[], $10::bytea[], $11::text[], $12::text[], $13::text[], $14::text[], $15::bytea[], $16::bytea[], $17::bigint[], $18::bytea[], $19::bigint[], $20::bytea[], $21::bigint[], $22::bytea[], $23::int[], $24::int[], $25::bool[]) AS u(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16, c17, c18, c19, c20, c21, c22, c23, c24)",
        &chain_id,
        &guarantee_id,
        &sequence,
        &claim_amount,
        &extend_or_pay,
        &requested_expiry_date,
        &demand_hash,
        &status,
        &paid_amount as &[Option<String>],
        &payment_reference as &[Option<Vec<u8>>],
        &outstanding_after as &[Option<String>],
        &total_paid_after as &[Option<String>],
        &discrepancies as &[Option<String>],
        &extended_to as &[Option<String>],
        &claimed_by,
        &closed_by as &[Option<Vec<u8>>],
        &claimed_block_number,
        &contract_address,
        &block_number,
        &block_hash,
        &block_timestamp,
        &transaction_hash,
        &transaction_index,
        &log_index,
        &is_final,
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Inserts rows of `guarantee_releases`.
pub(crate) async fn releases_rows(conn: &mut PgConnection, rows: &[ReleaseRow]) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let chain_id: Vec<i64> = column!(rows, chain_id);
    let guarantee_id: Vec<Vec<u8>> = column!(rows, guarantee_id);
    let sequence: Vec<i32> = column!(rows, sequence);
    let kind: Vec<String> = column!(rows, kind);
    let amount: Vec<String> = column!(rows, amount);
    let outstanding_after: Vec<String> = column!(rows, outstanding_after);
    let obligations_ended_at: Vec<Option<String>> = column!(rows, obligations_ended_at);
    let return_deadline: Vec<Option<String>> = column!(rows, return_deadline);
    let released_by: Vec<Vec<u8>> = column!(rows, released_by);
    let contract_address: Vec<Vec<u8>> = column!(rows, contract_address);
    let block_number: Vec<i64> = column!(rows, block_number);
    let block_hash: Vec<Vec<u8>> = column!(rows, block_hash);
    let block_timestamp: Vec<i64> = column!(rows, block_timestamp);
    let transaction_hash: Vec<Vec<u8>> = column!(rows, transaction_hash);
    let transaction_index: Vec<i32> = column!(rows, transaction_index);
    let log_index: Vec<i32> = column!(rows, log_index);
    let is_final: Vec<bool> = column!(rows, is_final);
    sqlx::query!(
        "INSERT INTO guarantee_releases (chain_id, guarantee_id, sequence, kind, amount, outstanding_after, obligations_ended_at, return_deadline, released_by, contract_address, block_number, block_hash, block_timestamp, transaction_hash, transaction_index, log_index, is_final) SELECT c0, c1, c2, c3, c4::numeric, c5::numeric, c6::numeric, c7::numeric, c8, c9, c10, c11, c12, c13, c14, c15, c16 FROM UNNEST($1::bigint[], $2::bytea[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::bytea[], $10::bytea[], $11::bigint[], $12::bytea[], $13::bigint[], $14::bytea[], $15::int[], $16::int[], $17::bool[]) AS u(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16)",
        &chain_id,
        &guarantee_id,
        &sequence,
        &kind,
        &amount,
        &outstanding_after,
        &obligations_ended_at as &[Option<String>],
        &return_deadline as &[Option<String>],
        &released_by,
        &contract_address,
        &block_number,
        &block_hash,
        &block_timestamp,
        &transaction_hash,
        &transaction_index,
        &log_index,
        &is_final,
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Inserts rows of `credit_confirmations`.
pub(crate) async fn insert_confirmations(conn: &mut PgConnection, rows: &[ConfirmationRow]) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let chain_id: Vec<i64> = column!(rows, chain_id);
    let id: Vec<Vec<u8>> = column!(rows, id);
    let bank_code: Vec<i32> = column!(rows, bank_code);
    let bank_ref: Vec<String> = column!(rows, bank_ref);
    let certifying_office: Vec<String> = column!(rows, certifying_office);
    let supplier_commitment: Vec<Vec<u8>> = column!(rows, supplier_commitment);
    let supplier_type: Vec<String> = column!(rows, supplier_type);
    let credit_line: Vec<String> = column!(rows, credit_line);
    let as_of_date: Vec<String> = column!(rows, as_of_date);
    let issued_at: Vec<String> = column!(rows, issued_at);
    let valid_until: Vec<String> = column!(rows, valid_until);
    let purpose: Vec<String> = column!(rows, purpose);
    let project_number: Vec<Option<String>> = column!(rows, project_number);
    let project_budget: Vec<String> = column!(rows, project_budget);
    let document_hash: Vec<Vec<u8>> = column!(rows, document_hash);
    let status: Vec<String> = column!(rows, status);
    let revocation_reason: Vec<Option<String>> = column!(rows, revocation_reason);
    let replaces: Vec<Option<Vec<u8>>> = column!(rows, replaces);
    let replaced_by: Vec<Option<Vec<u8>>> = column!(rows, replaced_by);
    let issued_by: Vec<Vec<u8>> = column!(rows, issued_by);
    let issued_block_number: Vec<i64> = column!(rows, issued_block_number);
    let issued_transaction_hash: Vec<Vec<u8>> = column!(rows, issued_transaction_hash);
    let contract_address: Vec<Vec<u8>> = column!(rows, contract_address);
    let block_number: Vec<i64> = column!(rows, block_number);
    let block_hash: Vec<Vec<u8>> = column!(rows, block_hash);
    let block_timestamp: Vec<i64> = column!(rows, block_timestamp);
    let transaction_hash: Vec<Vec<u8>> = column!(rows, transaction_hash);
    let transaction_index: Vec<i32> = column!(rows, transaction_index);
    let log_index: Vec<i32> = column!(rows, log_index);
    let is_final: Vec<bool> = column!(rows, is_final);
    sqlx::query!(
        "INSERT INTO credit_confirmations (chain_id, id, bank_code, bank_ref, certifying_office, supplier_commitment, supplier_type, credit_line, as_of_date, issued_at, valid_until, purpose, project_number, project_budget, document_hash, status, revocation_reason, replaces, replaced_by, issued_by, issued_block_number, issued_transaction_hash, contract_address, block_number, block_hash, block_timestamp, transaction_hash, transaction_index, log_index, is_final) SELECT c0, c1, c2, c3, c4, c5, c6, c7::numeric, c8::numeric, c9::numeric, c10::numeric, c11, c12, c13::numeric, c14, c15, c16, c17, c18, c19, c20, c21, c22, c23, c24, c25, c26, c27, c28, c29 FROM UNNEST($1::bigint[], $2::bytea[], $3::int[], $4::text[], $5::text[], $6::bytea[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::bytea[], $16::text[], $17::text[], $18::bytea[], $19::bytea[], $20::bytea[], $21::bigint[], $22::bytea[], $23::bytea[], $24::bigint[], $25::bytea[], $26::bigint[], $27::bytea[], $28::int[], $29::int[], $30::bool[]) AS u(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16, c17, c18, c19, c20, c21, c22, c23, c24, c25, c26, c27, c28, c29)",
        &chain_id,
        &id,
        &bank_code,
        &bank_ref,
        &certifying_office,
        &supplier_commitment,
        &supplier_type,
        &credit_line,
        &as_of_date,
        &issued_at,
        &valid_until,
        &purpose,
        &project_number as &[Option<String>],
        &project_budget,
        &document_hash,
        &status,
        &revocation_reason as &[Option<String>],
        &replaces as &[Option<Vec<u8>>],
        &replaced_by as &[Option<Vec<u8>>],
        &issued_by,
        &issued_block_number,
        &issued_transaction_hash,
        &contract_address,
        &block_number,
        &block_hash,
        &block_timestamp,
        &transaction_hash,
        &transaction_index,
        &log_index,
        &is_final,
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Inserts issuers, their signers, agencies and gateways.
pub(crate) async fn insert_issuers(conn: &mut PgConnection, rows: &Derived) -> Result<()> {
    issuers_rows(conn, &rows.issuers).await?;
    signers_rows(conn, &rows.signers).await?;
    agencies_rows(conn, &rows.agencies).await?;
    gateways_rows(conn, &rows.gateways).await
}

/// Inserts amendments, claims and releases.
pub(crate) async fn insert_guarantee_children(conn: &mut PgConnection, rows: &Derived) -> Result<()> {
    amendments_rows(conn, &rows.amendments).await?;
    claims_rows(conn, &rows.claims).await?;
    releases_rows(conn, &rows.releases).await
}
