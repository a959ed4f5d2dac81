//! Every event type lands in the right tables, with the right provenance; logs the ABI does not
//! know are skipped and counted.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use alloy::dyn_abi::{DynSolType, DynSolValue, Specifier};
use alloy::json_abi::{JsonAbi, Param};
use alloy::primitives::B256;
use alloy::providers::Provider;
use alloy::rpc::types::Filter;
use egp_indexer::{Indexer, Metrics};
use serde_json::Value;
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::common::{TempDir, World, database_url, guarantee_id, index_once, settings_for};

/// contract address, block number, block hash, block time, tx hash, tx index, log index, event.
type ProvenanceRow = (Vec<u8>, i64, Vec<u8>, i64, Vec<u8>, i32, i32, String);
/// amount, outstanding, total paid, counts, release dates, status before suspension.
type G1Row = (String, String, String, i32, i32, i32, Option<String>, Option<String>, String);

#[sqlx::test(migrator = "egp_indexer::MIGRATOR")]
async fn every_event_type_lands_in_the_right_tables(_: PgPoolOptions, options: PgConnectOptions) {
    let world = World::new().await;
    let receipts = world.every_event().await;
    let url = database_url(&options);
    index_once(&world, &url).await;
    let pool = PgPool::connect(&url).await.unwrap();

    // Every event name of the three ABIs that the scenario emits is stored, once per log.
    let names: BTreeSet<String> =
        sqlx::query_scalar("SELECT DISTINCT event FROM events").fetch_all(&pool).await.unwrap().into_iter().collect();
    for name in [
        "IssuerAdmitted",
        "IssuerSuspended",
        "IssuerResumed",
        "SignerAdded",
        "SignerRemoved",
        "AgencyRegistered",
        "GatewayAuthorised",
        "GatewayRevoked",
        "RoleGranted",
        "GuaranteeIssued",
        "GuaranteeAccepted",
        "GuaranteeRejected",
        "GuaranteeCancelled",
        "AmendmentProposed",
        "AmendmentAccepted",
        "AmendmentRejected",
        "AmendmentLapsed",
        "GuaranteeReduced",
        "GuaranteeReleased",
        "ClaimMade",
        "ClaimPaid",
        "ClaimRejected",
        "ClaimWithdrawn",
        "GuaranteeExtended",
        "GuaranteeExpired",
        "GuaranteeSuperseded",
        "GuaranteeSuspended",
        "GuaranteeResumed",
        "CreditConfirmationIssued",
        "CreditConfirmationRevoked",
        "CreditConfirmationSuperseded",
        "CreditConfirmationExpired",
    ] {
        assert!(names.contains(name), "no {name} stored; stored: {names:?}");
    }
    let (stored, distinct): (i64, i64) =
        sqlx::query_as("SELECT count(*), count(DISTINCT (block_hash, log_index)) FROM events")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(stored, distinct);
    args_hold_every_field_of_the_log(&pool).await;

    // Provenance of every log of a few receipts equals the node's.
    for (label, receipt) in &receipts {
        for log in receipt.inner.logs() {
            let row: ProvenanceRow = sqlx::query_as(
                "SELECT contract_address, block_number, block_hash, block_timestamp, transaction_hash,
                     transaction_index, log_index, event FROM events WHERE block_hash = $1 AND log_index = $2",
            )
            .bind(log.block_hash.unwrap().as_slice())
            .bind(log.log_index.unwrap() as i32)
            .fetch_one(&pool)
            .await
            .unwrap_or_else(|e| panic!("{label}: log {:?} not stored: {e}", log.log_index));
            assert_eq!(row.0, log.address().as_slice(), "{label}");
            assert_eq!(row.1 as u64, receipt.block_number.unwrap(), "{label}");
            assert_eq!(row.3 as u64, log.block_timestamp.unwrap_or(row.3 as u64), "{label}");
            assert_eq!(row.4, receipt.transaction_hash.as_slice(), "{label}");
            assert_eq!(row.5 as u64, receipt.transaction_index.unwrap(), "{label}");
        }
    }
    let (timestamp_ok,): (bool,) = sqlx::query_as(
        "SELECT bool_and(e.block_timestamp = b.block_timestamp) FROM events e JOIN blocks b USING (chain_id, block_number, block_hash)",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(timestamp_ok, "every event's block time is its block's");

    // Current state.
    let status = |bank_ref: &'static str| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, String>("SELECT status FROM guarantees WHERE id = $1")
                .bind(guarantee_id(2, bank_ref).as_slice())
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    assert_eq!(status("LG-1").await, "Released");
    assert_eq!(status("LG-2").await, "Rejected");
    assert_eq!(status("LG-3").await, "Cancelled");
    assert_eq!(status("LG-4").await, "Expired");
    assert_eq!(status("LG-5").await, "Superseded");
    assert_eq!(status("LG-6").await, "Active");
    assert_eq!(status("LG-7").await, "PaidOut");
    let g1: G1Row = sqlx::query_as(
        "SELECT amount::text, outstanding::text, total_paid::text, amendment_count, claim_count, release_count,
             obligations_ended_at::text, return_deadline::text, status_before_suspension
         FROM guarantees WHERE id = $1",
    )
    .bind(guarantee_id(2, "LG-1").as_slice())
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!((g1.0.as_str(), g1.1.as_str(), g1.2.as_str()), ("150000000", "0", "5000000"));
    assert_eq!((g1.3, g1.4, g1.5), (3, 4, 2));
    let ended: u64 = g1.6.unwrap().parse().unwrap();
    assert_eq!(g1.7.unwrap().parse::<u64>().unwrap(), ended + 15 * 86_400);
    assert_eq!(g1.8, "None");
    let links: (Option<Vec<u8>>, Option<Vec<u8>>) = sqlx::query_as(
        "SELECT (SELECT replaced_by FROM guarantees WHERE id = $1), (SELECT replaces FROM guarantees WHERE id = $2)",
    )
    .bind(guarantee_id(2, "LG-5").as_slice())
    .bind(guarantee_id(2, "LG-6").as_slice())
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(links.0.as_deref(), Some(guarantee_id(2, "LG-6").as_slice()));
    assert_eq!(links.1.as_deref(), Some(guarantee_id(2, "LG-5").as_slice()));

    let amendments: Vec<(i32, String, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT sequence, status, reason_code, lapse_cause FROM guarantee_amendments WHERE guarantee_id = $1
         ORDER BY sequence",
    )
    .bind(guarantee_id(2, "LG-1").as_slice())
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        amendments,
        vec![
            (1, "Accepted".into(), None, None),
            (2, "Rejected".into(), Some("NOT-AGREED".into()), None),
            (3, "Lapsed".into(), None, Some("Release".into())),
        ]
    );
    let pending: (bool, String, Option<Vec<u8>>) = sqlx::query_as(
        "SELECT amendment_pending, pending_amount::text, pending_terms_hash FROM guarantees WHERE id = $1",
    )
    .bind(guarantee_id(2, "LG-1").as_slice())
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(pending, (false, "0".into(), None), "the lapsed amendment is no longer pending");
    let claims: Vec<(i32, String, bool, Option<Vec<String>>)> = sqlx::query_as(
        "SELECT sequence, status, extend_or_pay, discrepancies FROM guarantee_claims WHERE guarantee_id = $1 ORDER BY sequence",
    )
    .bind(guarantee_id(2, "LG-1").as_slice())
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        claims,
        vec![
            (1, "Paid".into(), false, None),
            (2, "Extended".into(), true, None),
            (3, "Rejected".into(), false, Some(vec!["LATE".into(), "WRONG-AMOUNT".into()])),
            (4, "Withdrawn".into(), false, None),
        ]
    );
    let releases: Vec<(i32, String, String)> = sqlx::query_as(
        "SELECT sequence, kind, amount::text FROM guarantee_releases WHERE guarantee_id = $1 ORDER BY sequence",
    )
    .bind(guarantee_id(2, "LG-1").as_slice())
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(releases, vec![(1, "Reduce".into(), "10000000".into()), (2, "Release".into(), "135000000".into())]);

    let confirmations: Vec<(String, String, Option<Vec<u8>>)> =
        sqlx::query_as("SELECT bank_ref, status, replaces FROM credit_confirmations ORDER BY bank_ref")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(
        confirmations,
        vec![
            ("CC-1".into(), "Revoked".into(), None),
            ("CC-2".into(), "Superseded".into(), None),
            ("CC-3".into(), "Valid".into(), Some(guarantee_id(2, "CC-2").to_vec())),
            ("CC-4".into(), "Expired".into(), None),
        ]
    );
    let issuers: Vec<(i32, String, i64)> =
        sqlx::query_as("SELECT bank_code, status, signer_count FROM issuers ORDER BY bank_code")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(issuers, vec![(2, "Active".into(), 1), (4, "Active".into(), 1)]);
    let signers: Vec<(i32, bool)> =
        sqlx::query_as("SELECT bank_code, active FROM issuer_signers ORDER BY bank_code, active")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(signers, vec![(2, false), (2, true), (4, true)]);
    let agencies: Vec<String> =
        sqlx::query_scalar("SELECT code FROM agencies ORDER BY code").fetch_all(&pool).await.unwrap();
    assert_eq!(agencies, vec!["21009", "99999"]);
    let gateways: Vec<bool> =
        sqlx::query_scalar("SELECT authorised FROM gateways ORDER BY authorised").fetch_all(&pool).await.unwrap();
    assert_eq!(gateways, vec![false, true]);

    // Every row derived from an event carries that event's provenance, and the chain is final.
    let orphans: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM guarantees g WHERE NOT EXISTS (SELECT 1 FROM events e
             WHERE e.block_hash = g.block_hash AND e.log_index = g.log_index AND e.transaction_hash = g.transaction_hash)",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(orphans, 0);
    let unfinal: i64 =
        sqlx::query_scalar("SELECT count(*) FROM events WHERE NOT is_final").fetch_one(&pool).await.unwrap();
    assert_eq!(unfinal, 0, "with 0 confirmations every indexed block is final");

    // And the contracts agree with every row.
    let mut conn = egp_indexer::follow::connect(&url).await.unwrap();
    let chain = egp_indexer::chain::Chain::connect(
        &world.anvil.endpoint(),
        std::time::Duration::from_secs(5),
        Default::default(),
    )
    .unwrap();
    let report = egp_indexer::verify::verify(&mut conn, &chain, &world.deployment, None, None).await.unwrap();
    assert!(report.is_clean(), "{:#?}", report.differences);
    assert!(report.events > 50 && report.records > 10, "{report:?}");
    let _ = B256::ZERO;
}

/// Every stored event's `args` holds each field of its log by ABI name and nothing else: read
/// back through the ABI, the JSON gives the same values as decoding the stored topics and data.
async fn args_hold_every_field_of_the_log(pool: &PgPool) {
    type EventRow = (String, String, Vec<u8>, Option<Vec<u8>>, Option<Vec<u8>>, Option<Vec<u8>>, Vec<u8>, String);
    let rows: Vec<EventRow> =
        sqlx::query_as("SELECT contract, event, topic0, topic1, topic2, topic3, data, args::text FROM events")
            .fetch_all(pool)
            .await
            .unwrap();
    assert!(rows.len() > 50, "the scenario emits every event: {}", rows.len());
    let abis: BTreeMap<String, JsonAbi> = ["Consortium", "GuaranteeRegistry", "CreditConfirmationRegistry"]
        .into_iter()
        .map(|name| (name.to_owned(), egp_contracts::artifacts::embedded(name).unwrap().abi))
        .collect();
    for (contract, name, topic0, topic1, topic2, topic3, data, args) in rows {
        let event = abis[&contract].events().find(|e| e.selector().as_slice() == topic0).expect("an event of the ABI");
        assert_eq!(event.name, name);
        let topics = [Some(topic0), topic1, topic2, topic3].into_iter().flatten().map(|t| B256::from_slice(&t));
        let decoded = event.resolve().unwrap().decode_log_parts(topics, &data).unwrap();
        let (mut indexed, mut body) = (decoded.indexed.into_iter(), decoded.body.into_iter());
        let args: Value = serde_json::from_str(&args).unwrap_or_else(|e| panic!("{name}: args are not JSON: {e}"));
        let fields = args.as_object().unwrap_or_else(|| panic!("{name}: args are not an object: {args}"));
        assert_eq!(fields.len(), event.inputs.len(), "{name}: one key per field: {args}");
        for input in &event.inputs {
            let expected = if input.indexed { indexed.next() } else { body.next() }.unwrap();
            let ty = input.resolve().unwrap();
            let json = fields.get(&input.name).unwrap_or_else(|| panic!("{name}: no {} in {args}", input.name));
            assert_eq!(from_json(&ty, json, &input.components), expected, "{name}.{}", input.name);
        }
    }
}

/// The ABI value `json` stands for: integers from decimal strings, bytes and addresses from hex,
/// tuples from objects keyed by component name.
fn from_json(ty: &DynSolType, json: &Value, components: &[Param]) -> DynSolValue {
    match (ty, json) {
        (DynSolType::Bool, Value::Bool(b)) => DynSolValue::Bool(*b),
        (DynSolType::Array(item), Value::Array(items)) => {
            DynSolValue::Array(items.iter().map(|v| from_json(item, v, components)).collect())
        }
        (DynSolType::Tuple(types), Value::Object(fields)) => {
            assert_eq!(fields.len(), components.len(), "one key per component: {json}");
            DynSolValue::Tuple(
                types.iter().zip(components).map(|(ty, c)| from_json(ty, &fields[&c.name], &c.components)).collect(),
            )
        }
        (DynSolType::Uint(_) | DynSolType::Int(_), Value::String(text)) => {
            assert!(text.bytes().all(|b| b.is_ascii_digit() || b == b'-'), "a decimal integer: {text}");
            ty.coerce_str(text).unwrap()
        }
        (_, Value::String(text)) => ty.coerce_str(text).unwrap_or_else(|e| panic!("{ty}: {text}: {e}")),
        _ => panic!("{ty} written as {json}"),
    }
}

#[sqlx::test(migrator = "egp_indexer::MIGRATOR")]
async fn logs_the_abi_does_not_know_are_skipped_and_counted(_: PgPoolOptions, options: PgConnectOptions) {
    let world = World::new().await;
    let far = world.now().await + 86_400 * 365;
    world.issue("LG-1", far).await;
    // A manifest naming the consortium's address as the confirmation registry's too: the
    // consortium's logs reach the decoder as the other contract's, whose ABI has none of their topics.
    let mut deployment = world.deployment.clone();
    let consortium = deployment.contracts.consortium.address;
    deployment.contracts.credit_confirmation_registry.address = consortium;
    let dir = TempDir::new("unknown-topics");
    let manifest = dir.path().join("deployment.json");
    deployment.write(&manifest).unwrap();
    let url = database_url(&options);
    let metrics = Arc::new(Metrics::default());
    let settings = settings_for(&world.anvil.endpoint(), &manifest, &url, &["--exit-when-caught-up"]);
    Indexer::new(settings, metrics.clone()).unwrap().run(Default::default()).await.unwrap();

    let filter = Filter::new().address(consortium).from_block(0);
    let consortium_logs = world.provider.get_logs(&filter).await.unwrap().len() as u64;
    assert!(consortium_logs >= 6, "the setup's logs: {consortium_logs}");
    assert_eq!(metrics.unknown_logs_total.load(Ordering::Relaxed), consortium_logs);
    let pool = PgPool::connect(&url).await.unwrap();
    let stored: Vec<(String, i64)> =
        sqlx::query_as("SELECT contract, count(*) FROM events GROUP BY contract").fetch_all(&pool).await.unwrap();
    assert_eq!(stored, vec![("GuaranteeRegistry".into(), 1)], "only the registry's log is stored");
    let guarantees: i64 = sqlx::query_scalar("SELECT count(*) FROM guarantees").fetch_one(&pool).await.unwrap();
    assert_eq!(guarantees, 1);
}
