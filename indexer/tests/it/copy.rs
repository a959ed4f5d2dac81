//! The bulk writes: binary `COPY` of every current-state table reads back field for field, a
//! value that is not a number is refused without writing anything, and writing the same events
//! twice stores them once.

use std::sync::Arc;
use std::time::Duration;

use alloy::primitives::B256;

use egp_indexer::Error;
use egp_indexer::chain::Chain;
use egp_indexer::decode::Decoder;
use egp_indexer::read::Reader;
use egp_indexer::rows::{
    AgencyRow, AmendmentRow, ClaimRow, ConfirmationRow, Derived, GatewayRow, GuaranteeRow, IssuerRow, ReleaseRow,
    SignerRow,
};
use egp_indexer::{verify, write};
use egp_store::{
    AmendmentStatus, ApplicantType, ClaimStatus, ConfirmationStatus, ExpiryType, GuaranteeAction, GuaranteeStatus,
    GuaranteeType, IssuerKind, IssuerStatus, Purpose, ReleaseKind, Satang,
};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgConnection};

use crate::common::{World, database_url};

const CHAIN: i64 = 25600;

/// Fills the provenance columns, distinct per `n`.
macro_rules! provenance {
    ($n:expr) => {{
        let n: u8 = $n;
        (
            vec![n; 20],
            1000 + i64::from(n),
            vec![n; 32],
            1_767_225_600 + i64::from(n),
            vec![n ^ 0xff; 32],
            i32::from(n),
            7 * i32::from(n),
            n % 2 == 0,
        )
    }};
}

/// A row of every table; `full` sets every nullable field, otherwise every one is NULL.
fn rows(n: u8, full: bool) -> Derived {
    let some = |v: &str| full.then(|| v.to_owned());
    let some_bytes = |b: u8| full.then(|| vec![b; 32]);
    let (
        contract_address,
        block_number,
        block_hash,
        block_timestamp,
        transaction_hash,
        transaction_index,
        log_index,
        is_final,
    ) = provenance!(n);
    macro_rules! row {
        ($ty:ident { $($field:ident: $value:expr),* $(,)? }) => {
            $ty {
                $($field: $value,)*
                contract_address: contract_address.clone(),
                block_number,
                block_hash: block_hash.clone(),
                block_timestamp,
                transaction_hash: transaction_hash.clone(),
                transaction_index,
                log_index,
                is_final,
            }
        };
    }
    let key = vec![n; 32];
    Derived {
        issuers: vec![row!(IssuerRow {
            chain_id: CHAIN,
            bank_code: i32::from(n),
            kind: IssuerKind::Bank,
            name: format!("ธนาคาร {n}"),
            status: IssuerStatus::Active,
            signer_count: 3,
            suspension_reason_hash: some_bytes(1),
            admitted_block_number: 5,
        })],
        signers: vec![row!(SignerRow {
            chain_id: CHAIN,
            bank_code: i32::from(n),
            signer: vec![n; 20],
            active: full,
            added_block_number: 6,
        })],
        agencies: vec![row!(AgencyRow {
            chain_id: CHAIN,
            agency_code: key.clone(),
            code: "21009".into(),
            name: "กรมทางหลวง".into(),
        })],
        gateways: vec![row!(GatewayRow { chain_id: CHAIN, gateway: vec![n; 20], authorised: full })],
        guarantees: vec![row!(GuaranteeRow {
            chain_id: CHAIN,
            id: key.clone(),
            bank_code: 2,
            bank_ref: "LG-1".into(),
            branch_code: some("0001"),
            guarantee_type: GuaranteeType::TEND,
            currency: "THB".into(),
            amount: Satang(u128::MAX),
            outstanding: Satang(100_000_000),
            total_paid: Satang(0),
            issue_date: "1767225600".into(),
            effective_date: "10000".into(),
            expiry_type: ExpiryType::FIXD,
            expiry_date: u64::MAX.to_string(),
            expiry_condition_hash: some_bytes(2),
            agency_code: "21009".into(),
            project_number: some("69029460012"),
            contract_number: String::new(),
            applicant_commitment: vec![3; 32],
            applicant_type: ApplicantType::Juristic,
            document_hash: vec![4; 32],
            terms_hash: some_bytes(5),
            status: GuaranteeStatus::Active,
            status_before_suspension: GuaranteeStatus::None,
            suspension_reason_hash: some_bytes(6),
            amendment_count: 1,
            claim_count: 2,
            release_count: 3,
            amendment_pending: full,
            pending_amount: Satang(9999),
            pending_expiry_date: "1".into(),
            pending_terms_hash: some_bytes(7),
            claim_amount: Satang(12_345_678_901_234_567_890),
            claim_requested_expiry: "0".into(),
            obligations_ended_at: some("1800000000"),
            return_deadline: some("1801296000"),
            replaces: some_bytes(8),
            replaced_by: some_bytes(9),
            issued_by: vec![n; 20],
            issued_block_number: 7,
            issued_transaction_hash: vec![10; 32],
        })],
        amendments: vec![row!(AmendmentRow {
            chain_id: CHAIN,
            guarantee_id: key.clone(),
            sequence: 1,
            new_amount: Satang(500),
            new_expiry_date: "1800000000".into(),
            terms_hash: vec![11; 32],
            status: AmendmentStatus::Accepted,
            reason_code: some("NOT-AGREED"),
            amount_after: full.then_some(Satang(500)),
            outstanding_after: full.then_some(Satang(400)),
            expiry_date_after: some("1800000000"),
            proposed_by: vec![12; 20],
            answered_by: full.then(|| vec![13; 20]),
            proposed_block_number: 8,
            lapse_cause: full.then_some(GuaranteeAction::Reduce),
        })],
        claims: vec![row!(ClaimRow {
            chain_id: CHAIN,
            guarantee_id: key.clone(),
            sequence: 1,
            claim_amount: Satang(100),
            extend_or_pay: full,
            requested_expiry_date: "0".into(),
            demand_hash: vec![14; 32],
            status: ClaimStatus::Rejected,
            paid_amount: full.then_some(Satang(0)),
            payment_reference: some_bytes(15),
            outstanding_after: full.then_some(Satang(400)),
            total_paid_after: full.then_some(Satang(100)),
            discrepancies: full.then(|| vec!["LATE".to_owned(), "WRONG-AMOUNT".to_owned(), "ข้อ 3".to_owned()]),
            extended_to: some("1900000000"),
            claimed_by: vec![16; 20],
            closed_by: full.then(|| vec![17; 20]),
            claimed_block_number: 9,
        })],
        releases: vec![row!(ReleaseRow {
            chain_id: CHAIN,
            guarantee_id: key.clone(),
            sequence: 1,
            kind: ReleaseKind::Reduce,
            amount: Satang(50),
            outstanding_after: Satang(350),
            obligations_ended_at: some("1800000000"),
            return_deadline: some("1801296000"),
            released_by: vec![18; 20],
        })],
        confirmations: vec![row!(ConfirmationRow {
            chain_id: CHAIN,
            id: key,
            bank_code: 4,
            bank_ref: "CC-1".into(),
            certifying_office: "สาขาสีลม".into(),
            supplier_commitment: vec![19; 32],
            supplier_type: ApplicantType::Individual,
            credit_line: Satang(1_000_000_000),
            as_of_date: "1767225600".into(),
            issued_at: "1767225601".into(),
            valid_until: "1775001600".into(),
            purpose: Purpose::PROJECT,
            project_number: some("69029460012"),
            project_budget: Satang(0),
            document_hash: vec![20; 32],
            status: ConfirmationStatus::Valid,
            revocation_reason: some("FRAUD"),
            replaces: some_bytes(21),
            replaced_by: some_bytes(22),
            issued_by: vec![23; 20],
            issued_block_number: 10,
            issued_transaction_hash: vec![24; 32],
        })],
    }
}

/// Concatenates the rows of two sets, in the order `load` returns them (by key).
fn both(a: Derived, b: Derived) -> Derived {
    Derived {
        issuers: [a.issuers, b.issuers].concat(),
        signers: [a.signers, b.signers].concat(),
        agencies: [a.agencies, b.agencies].concat(),
        gateways: [a.gateways, b.gateways].concat(),
        guarantees: [a.guarantees, b.guarantees].concat(),
        amendments: [a.amendments, b.amendments].concat(),
        claims: [a.claims, b.claims].concat(),
        releases: [a.releases, b.releases].concat(),
        confirmations: [a.confirmations, b.confirmations].concat(),
    }
}

#[sqlx::test(migrator = "egp_indexer::MIGRATOR")]
async fn every_current_state_table_reads_back_what_was_copied(_: PgPoolOptions, options: PgConnectOptions) {
    let mut conn = PgConnection::connect(&database_url(&options)).await.unwrap();
    let written = both(rows(1, true), rows(2, false));
    write::insert_derived(&mut conn, &written).await.unwrap();
    let stored = verify::stored_rows(&mut conn, CHAIN as u64).await.unwrap();
    assert_eq!(stored, written);
}

#[sqlx::test(migrator = "egp_indexer::MIGRATOR")]
async fn a_value_that_is_not_a_number_is_refused_and_nothing_is_written(_: PgPoolOptions, options: PgConnectOptions) {
    let mut conn = PgConnection::connect(&database_url(&options)).await.unwrap();
    let mut bad = both(rows(1, true), rows(2, true));
    bad.guarantees[1].expiry_date = "12.5".into();
    let mut tx = conn.begin().await.unwrap();
    let error = write::insert_derived(&mut tx, &bad).await.unwrap_err();
    assert!(matches!(&error, Error::NotANumber { value } if value == "12.5"), "{error}");
    assert!(error.to_string().contains("\"12.5\""), "the message names the value: {error}");
    tx.rollback().await.unwrap();
    // The connection is usable afterwards and nothing of the batch was kept.
    let stored = verify::stored_rows(&mut conn, CHAIN as u64).await.unwrap();
    assert_eq!(stored, Derived::default());
}

#[sqlx::test(migrator = "egp_indexer::MIGRATOR")]
async fn writing_the_same_events_twice_stores_them_once(_: PgPoolOptions, options: PgConnectOptions) {
    let world = World::new().await;
    world.every_event().await;
    let chain = Chain::connect(&world.anvil.endpoint(), Duration::from_secs(10), Default::default()).unwrap();
    let decoder = Arc::new(Decoder::new(&world.deployment));
    let mut reader = Reader::new(chain.clone(), decoder.clone(), Default::default(), 10_000, 10_000, 100_000);
    let head = chain.head().await.unwrap();
    let start = world.deployment.start_block();
    let batch = reader.read(start, head, false, Some(head)).await.unwrap().next_batch(&decoder, &Default::default());
    let events = batch.unwrap().expect("a batch").events;
    assert!(events.len() > 40, "the scenario emits every event: {}", events.len());

    let mut conn = PgConnection::connect(&database_url(&options)).await.unwrap();
    let count = async |conn: &mut PgConnection| -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM events").fetch_one(conn).await.unwrap()
    };
    let half = events.len() / 2;
    // The first half goes in by COPY, then everything: the stored half is skipped, not doubled.
    assert_eq!(write::insert_events(&mut conn, CHAIN as u64, &events[..half]).await.unwrap(), half as u64);
    assert_eq!(write::insert_events(&mut conn, CHAIN as u64, &events).await.unwrap(), (events.len() - half) as u64);
    assert_eq!(write::insert_events(&mut conn, CHAIN as u64, &events).await.unwrap(), 0);
    assert_eq!(count(&mut conn).await, events.len() as i64);
    // An event at a stored position but of another block (one reorganised away) is refused.
    let mut other_block = events[..1].to_vec();
    other_block[0].provenance.block_hash = B256::repeat_byte(0xab);
    let error = write::insert_events(&mut conn, CHAIN as u64, &other_block).await.unwrap_err();
    assert!(matches!(error, Error::Inconsistent { .. }), "{error}");
    assert_eq!(count(&mut conn).await, events.len() as i64);
    // Written in another order, the same events are stored with the same fields.
    let by_copy: Vec<(String, String)> =
        sqlx::query_as("SELECT event, md5(e::text) FROM events e ORDER BY block_number, log_index")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    sqlx::query("DELETE FROM events").execute(&mut conn).await.unwrap();
    write::insert_events(&mut conn, CHAIN as u64, &events[..1]).await.unwrap();
    write::insert_events(&mut conn, CHAIN as u64, &events).await.unwrap();
    let by_insert: Vec<(String, String)> =
        sqlx::query_as("SELECT event, md5(e::text) FROM events e ORDER BY block_number, log_index")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    assert_eq!(by_copy, by_insert);
}
