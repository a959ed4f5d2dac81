//! Shared output types and conversions: amounts (satang as strings plus THB formatted), dates
//! (ISO-8601 in Asia/Bangkok), hex ids and addresses, provenance, and the domain enums.

use async_graphql::SimpleObject;
use egp_contracts::{Satang, dates};

use crate::db::{Marker, ProvenanceRow};
use crate::{Error, Result};

/// A JSON value for the `JSON` scalar (`Json<JsonValue>`), its numbers served as numbers.
///
/// foundry-compilers turns on serde_json's `arbitrary_precision`, with which a `serde_json`
/// number serialises into any serializer but serde_json's own as a private one-key map
/// (`{"$serde_json::private::Number": "1"}`); async-graphql's is another, so a client would see
/// that map. This writes each number as the integer or float it is.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct JsonValue(pub(crate) serde_json::Value);

impl serde::Serialize for JsonValue {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        Plain(&self.0).serialize(serializer)
    }
}

struct Plain<'a>(&'a serde_json::Value);

impl serde::Serialize for Plain<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        use serde_json::Value;
        match self.0 {
            Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
                (Some(u), _, _) => serializer.serialize_u64(u),
                (None, Some(i), _) => serializer.serialize_i64(i),
                (None, None, Some(f)) => serializer.serialize_f64(f),
                // Beyond f64: its digits, as text.
                (None, None, None) => serializer.serialize_str(&n.to_string()),
            },
            Value::Array(items) => serializer.collect_seq(items.iter().map(Plain)),
            Value::Object(fields) => serializer.collect_map(fields.iter().map(|(k, v)| (k, Plain(v)))),
            Value::Null => serializer.serialize_unit(),
            Value::Bool(b) => serializer.serialize_bool(*b),
            Value::String(text) => serializer.serialize_str(text),
        }
    }
}

/// `0x`-prefixed lowercase hex.
pub(crate) fn hex0x(bytes: &[u8]) -> String {
    format!("0x{}", hex::encode(bytes))
}

/// An address, EIP-55 checksummed.
pub(crate) fn address(bytes: &[u8]) -> String {
    if bytes.len() == 20 { alloy::primitives::Address::from_slice(bytes).to_checksum(None) } else { hex0x(bytes) }
}

/// A Unix timestamp as an ISO-8601 date-time in Asia/Bangkok (`2027-12-31T23:59:59+07:00`).
pub(crate) fn iso(timestamp: u64) -> String {
    dates::to_bangkok(timestamp).to_rfc3339()
}

/// A stored `NUMERIC` timestamp as an ISO-8601 Bangkok date-time.
pub(crate) fn iso_text(table: &'static str, text: &str) -> Result<String> {
    Ok(iso(parse_u64(table, text)?))
}

/// A stored `NUMERIC` as an unsigned 64-bit integer.
pub(crate) fn parse_u64(table: &'static str, text: &str) -> Result<u64> {
    text.parse().map_err(|_| Error::Corrupt { table, reason: format!("{text:?} is not a uint64") })
}

/// An amount of Thai baht.
#[derive(Debug, Clone, PartialEq, Eq, SimpleObject)]
pub struct Amount {
    /// Satang (1 THB = 100 satang), as a decimal string: exact at any size.
    pub satang: String,
    /// Baht formatted for people: `1,250,000.00 THB`.
    pub thb: String,
}

impl Amount {
    /// From satang.
    pub fn new(satang: u128) -> Self {
        Self::from(Satang(satang))
    }
}

impl From<Satang> for Amount {
    fn from(amount: Satang) -> Self {
        Self { satang: amount.0.to_string(), thb: amount.to_string() }
    }
}

/// Where a fact lives on chain: the event that last changed the record.
#[derive(Debug, Clone, PartialEq, Eq, SimpleObject)]
pub struct Provenance {
    /// Chain id.
    pub chain_id: i64,
    /// The contract that emitted the event (EIP-55).
    pub contract: String,
    /// Block number.
    pub block_number: i64,
    /// Block hash.
    pub block_hash: String,
    /// Block time, ISO-8601 in Asia/Bangkok.
    pub block_time: String,
    /// Transaction hash.
    pub transaction_hash: String,
    /// Index of the transaction in its block.
    pub transaction_index: i32,
    /// Index of the log in its block.
    pub log_index: i32,
    /// Whether the block is final (cannot be reorganised away).
    #[graphql(name = "final")]
    pub is_final: bool,
}

impl From<&ProvenanceRow> for Provenance {
    fn from(row: &ProvenanceRow) -> Self {
        Self {
            chain_id: row.chain_id,
            contract: address(&row.contract_address),
            block_number: row.block_number,
            block_hash: hex0x(&row.block_hash),
            block_time: iso(row.block_timestamp.max(0) as u64),
            transaction_hash: hex0x(&row.transaction_hash),
            transaction_index: row.transaction_index,
            log_index: row.log_index,
            is_final: row.is_final,
        }
    }
}

/// The domain enums, declared once (with `egp_contracts::domain_enum!`, in `egp-contracts` and
/// `egp-store`) and mapped there both to their columns and to GraphQL.
pub use egp_store::{
    ActionKind, ActionStatus, AmendmentStatus, ApplicantType, ClaimStatus, ConfirmationStatus, ExpiryType,
    GuaranteeAction, GuaranteeStatus, GuaranteeType, IssuerKind, IssuerStatus, Purpose, ReleaseKind,
};

/// Parses a `0x`-prefixed 32-byte id.
pub(crate) fn parse_id(field: &'static str, text: &str) -> Result<Vec<u8>> {
    let hex = text.trim().strip_prefix("0x").ok_or_else(|| Error::invalid(field, "expected 0x and 64 hex digits"))?;
    if hex.len() != 64 {
        return Err(Error::invalid(field, "expected 0x and 64 hex digits"));
    }
    hex::decode(hex).map_err(|_| Error::invalid(field, "expected 0x and 64 hex digits"))
}

/// Parses a 3-digit bank code.
pub(crate) fn parse_bank(text: &str) -> Result<i32> {
    let bank: egp_contracts::BankCode =
        text.parse().map_err(|_| Error::invalid("bankCode", "expected 3 digits, e.g. 002"))?;
    Ok(i32::from(bank.get()))
}

/// Parses a `YYYY-MM-DD` date.
pub(crate) fn parse_date(field: &'static str, text: &str) -> Result<chrono::NaiveDate> {
    dates::parse_date(text).map_err(|_| Error::invalid(field, "expected a date YYYY-MM-DD"))
}

/// Parses an amount in satang (a decimal string of digits).
pub(crate) fn parse_amount(field: &'static str, text: &str) -> Result<u128> {
    let text = text.trim();
    if text.is_empty() || text.len() > 38 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::invalid(field, "expected satang as a string of digits"));
    }
    text.parse().map_err(|_| Error::invalid(field, "expected satang as a string of digits"))
}

/// Validates a tax id and returns its commitment; the id is dropped here and never echoed.
pub(crate) fn commit_tax_id(pepper: &egp_contracts::Pepper, tax_id: &str) -> Result<Vec<u8>> {
    let id: egp_contracts::ThaiId = tax_id.trim().parse().map_err(|_| Error::InvalidTaxId)?;
    Ok(id.commit(pepper).to_vec())
}

/// Today in Bangkok: the later of the wall clock's date and the date of the newest indexed block
/// (`marker`). The contracts decide what is in force by the chain's clock, so a chain whose clock
/// runs ahead (a development chain moved forward) is answered by its own date; a mirror that lags
/// never turns the date back.
pub(crate) fn today(marker: Option<&Marker>) -> chrono::NaiveDate {
    let wall = chrono::Utc::now().timestamp().max(0) as u64;
    let chain = marker.and_then(|m| m.block_timestamp).map_or(0, |t| t.max(0) as u64);
    dates::bangkok_date(wall.max(chain))
}

#[cfg(test)]
mod tests {
    use async_graphql::{Name, Number, Value};
    use serde_json::json;

    use super::JsonValue;

    #[test]
    fn json_numbers_reach_graphql_as_numbers_not_serde_json_s_private_map() {
        let args =
            JsonValue(json!({ "amendmentSequence": 2, "delta": -3, "ratio": 0.5, "list": [1, "a", null, true] }));
        let value = async_graphql::to_value(&args).unwrap();
        let Value::Object(fields) = value else { panic!("an object: {value:?}") };
        assert_eq!(fields[&Name::new("amendmentSequence")], Value::Number(Number::from(2u64)));
        assert_eq!(fields[&Name::new("delta")], Value::Number(Number::from(-3i64)));
        assert_eq!(fields[&Name::new("ratio")], Value::Number(Number::from_f64(0.5).unwrap()));
        assert_eq!(
            fields[&Name::new("list")],
            Value::List(vec![
                Value::Number(Number::from(1u64)),
                Value::String("a".into()),
                Value::Null,
                Value::Boolean(true)
            ])
        );
        assert_eq!(async_graphql::to_value(&args).unwrap().into_json().unwrap().to_string(), args.0.to_string());
    }
}
