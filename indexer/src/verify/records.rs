//! The current-state rows against what the events imply (a fresh fold) and against the contracts'
//! own views (`eth_call`).

use std::collections::BTreeMap;

use alloy::eips::BlockId;
use alloy::primitives::{Address, B256};
use egp_contracts::Deployment;
use egp_contracts::bindings::{Consortium, CreditConfirmationRegistry, GuaranteeRegistry};
use futures_util::future::try_join_all;
use serde::Serialize;

use super::{Difference, Report};
use crate::chain::Chain;
use crate::rows::Derived;
use crate::{Error, Result};

/// Compares two sets of rows table by table, by key and column (`is_final` aside: it depends on
/// when the rows were written, not on the chain).
pub(super) fn compare_rows(expected: &Derived, stored: &Derived, report: &mut Report) {
    fn rows_by_key<T: Serialize>(
        rows: &[T],
        key: &[&str],
    ) -> BTreeMap<String, serde_json::Map<String, serde_json::Value>> {
        rows.iter()
            .filter_map(|row| match serde_json::to_value(row) {
                Ok(serde_json::Value::Object(mut map)) => {
                    map.remove("is_final");
                    let k = key.iter().map(|k| render(&map[*k])).collect::<Vec<_>>().join("/");
                    Some((k, map))
                }
                _ => None,
            })
            .collect()
    }
    fn table<T: Serialize>(name: &'static str, key: &[&str], expected: &[T], stored: &[T], report: &mut Report) {
        let mut expected = rows_by_key(expected, key);
        for (k, row) in rows_by_key(stored, key) {
            match expected.remove(&k) {
                None => report.differences.push(Difference::ExtraRecord { table: name, key: k }),
                Some(want) => {
                    for (field, value) in &row {
                        if want.get(field) != Some(value) {
                            report.differences.push(Difference::Record {
                                table: name,
                                key: k.clone(),
                                field: field.clone(),
                                stored: render(value),
                                expected: want.get(field).map(render).unwrap_or_default(),
                            });
                        }
                    }
                }
            }
        }
        for k in expected.into_keys() {
            report.differences.push(Difference::MissingRecord { table: name, key: k });
        }
    }
    table("issuers", &["bank_code"], &expected.issuers, &stored.issuers, report);
    table("issuer_signers", &["bank_code", "signer"], &expected.signers, &stored.signers, report);
    table("agencies", &["agency_code"], &expected.agencies, &stored.agencies, report);
    table("gateways", &["gateway"], &expected.gateways, &stored.gateways, report);
    table("guarantees", &["id"], &expected.guarantees, &stored.guarantees, report);
    table("guarantee_amendments", &["guarantee_id", "sequence"], &expected.amendments, &stored.amendments, report);
    table("guarantee_claims", &["guarantee_id", "sequence"], &expected.claims, &stored.claims, report);
    table("guarantee_releases", &["guarantee_id", "sequence"], &expected.releases, &stored.releases, report);
    table("credit_confirmations", &["id"], &expected.confirmations, &stored.confirmations, report);
}

/// A JSON value as a short readable string (byte arrays as 0x-hex).
fn render(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Array(items) if items.iter().all(|i| i.is_u64()) && !items.is_empty() => {
            let bytes: Vec<u8> = items.iter().filter_map(|i| i.as_u64()).map(|b| b as u8).collect();
            format!("0x{}", hex::encode(bytes))
        }
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Compares the current-state rows with the contracts' views at block `at`. Returns how many
/// records were compared.
pub(super) async fn compare_contracts(
    chain: &Chain,
    deployment: &Deployment,
    at: u64,
    stored: &Derived,
    report: &mut Report,
) -> Result<usize> {
    let provider = chain.provider();
    let block = BlockId::number(at);
    let rpc = |e: alloy::contract::Error| Error::Rpc { method: "eth_call", message: e.to_string() };
    let registry = GuaranteeRegistry::new(deployment.contracts.guarantee_registry.address, provider);
    let confirmations =
        CreditConfirmationRegistry::new(deployment.contracts.credit_confirmation_registry.address, provider);
    let consortium = Consortium::new(deployment.contracts.consortium.address, provider);
    let mut push = |table: &'static str, key: String, field: &str, stored: String, expected: String| {
        if stored != expected {
            report.differences.push(Difference::Record { table, key, field: field.to_owned(), stored, expected });
        }
    };
    for chunk in stored.guarantees.chunks(32) {
        let views = try_join_all(chunk.iter().map(|row| {
            let id = B256::try_from(row.id.as_slice()).unwrap_or_default();
            let call = registry.getGuarantee(id).block(block);
            async move { call.call().await }
        }))
        .await
        .map_err(rpc)?;
        for (row, view) in chunk.iter().zip(views) {
            let key = format!("0x{}", hex::encode(&row.id));
            for egp_store::compare::Field { name: field, stored, expected } in egp_store::compare::guarantee(row, &view)
            {
                push("guarantees", key.clone(), field, stored, expected);
            }
        }
    }
    for chunk in stored.confirmations.chunks(32) {
        let views = try_join_all(chunk.iter().map(|row| {
            let id = B256::try_from(row.id.as_slice()).unwrap_or_default();
            let call = confirmations.getConfirmation(id).block(block);
            async move { call.call().await }
        }))
        .await
        .map_err(rpc)?;
        for (row, view) in chunk.iter().zip(views) {
            let key = format!("0x{}", hex::encode(&row.id));
            for egp_store::compare::Field { name: field, stored, expected } in
                egp_store::compare::confirmation(row, &view)
            {
                push("credit_confirmations", key.clone(), field, stored, expected);
            }
        }
    }
    for row in &stored.issuers {
        let view = consortium.issuer(row.bank_code as u16).block(block).call().await.map_err(rpc)?;
        for egp_store::compare::Field { name: field, stored, expected } in egp_store::compare::issuer(row, &view) {
            push("issuers", format!("{:03}", row.bank_code), field, stored, expected);
        }
    }
    for row in &stored.signers {
        let signer = Address::try_from(row.signer.as_slice()).unwrap_or_default();
        let bank = consortium.issuerOf(signer).block(block).call().await.map_err(rpc)?;
        let expected = bank == row.bank_code as u16;
        push(
            "issuer_signers",
            format!("{:03}/{signer}", row.bank_code),
            "active",
            row.active.to_string(),
            expected.to_string(),
        );
    }
    for row in &stored.agencies {
        let code = B256::try_from(row.agency_code.as_slice()).unwrap_or_default();
        let registered = consortium.isAgency(code).block(block).call().await.map_err(rpc)?;
        push("agencies", row.code.clone(), "registered", "true".into(), registered.to_string());
    }
    for row in &stored.gateways {
        let gateway = Address::try_from(row.gateway.as_slice()).unwrap_or_default();
        let authorised = consortium.isGateway(gateway).block(block).call().await.map_err(rpc)?;
        push("gateways", gateway.to_string(), "authorised", row.authorised.to_string(), authorised.to_string());
    }
    Ok(stored.guarantees.len()
        + stored.confirmations.len()
        + stored.issuers.len()
        + stored.signers.len()
        + stored.agencies.len()
        + stored.gateways.len())
}
