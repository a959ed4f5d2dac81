//! An event's fields as the JSON text of `events.args`: every field by its ABI name, in ABI order;
//! integers as decimal strings (never floats), bytes as 0x-hex, addresses checksummed, tuples as
//! objects keyed by component name. The layout of each event is worked out once, from its ABI.

use std::io::Write as _;

use alloy::dyn_abi::{DecodedEvent, DynSolValue};
use alloy::json_abi::{Event, Param};

/// How one event's fields are written: its inputs in ABI order, each with whether it is a topic.
#[derive(Debug)]
pub(super) struct Args {
    inputs: Vec<(bool, JsonField)>,
}

impl Args {
    /// The layout of `event`'s fields.
    pub(super) fn new(event: &Event) -> Self {
        Self { inputs: event.inputs.iter().map(|p| (p.indexed, JsonField::new(&p.name, &p.components))).collect() }
    }

    /// The JSON text of `decoded` (an event of this layout whose data is `data_len` bytes), or
    /// `None` when it holds fewer values than the ABI has inputs.
    pub(super) fn json(&self, decoded: &DecodedEvent, data_len: usize) -> Option<String> {
        let (mut indexed, mut body) = (decoded.indexed.iter(), decoded.body.iter());
        let mut json = Vec::with_capacity(64 + 2 * data_len);
        json.push(b'{');
        for (position, (is_topic, field)) in self.inputs.iter().enumerate() {
            let value = if *is_topic { indexed.next() } else { body.next() };
            if position > 0 {
                json.push(b',');
            }
            json.extend_from_slice(&field.key);
            write_json(&mut json, value?, &field.components);
        }
        json.push(b'}');
        Some(String::from_utf8(json).expect("the args JSON is built from UTF-8 only"))
    }
}

/// How one value is written into the args JSON: its key, and the keys of its components when it
/// is a tuple (or an array of tuples).
#[derive(Debug)]
struct JsonField {
    /// `"name":`, escaped once here rather than for every event.
    key: Vec<u8>,
    components: Vec<JsonField>,
}

impl JsonField {
    fn new(name: &str, components: &[Param]) -> Self {
        let mut key = serde_json::to_vec(name).expect("a string serialises");
        key.push(b':');
        Self { key, components: components.iter().map(|c| Self::new(&c.name, &c.components)).collect() }
    }
}

/// Writes a decoded ABI value as JSON: integers as decimal strings (never floats), bytes as 0x-hex,
/// addresses checksummed, tuples as objects keyed by component name (or position, unnamed).
fn write_json(out: &mut Vec<u8>, value: &DynSolValue, components: &[JsonField]) {
    match value {
        DynSolValue::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        DynSolValue::Int(i, _) => write_quoted(out, i),
        DynSolValue::Uint(u, _) => write_quoted(out, u),
        DynSolValue::FixedBytes(word, size) => write_hex(out, &word[..*size]),
        DynSolValue::Address(address) => write_quoted(out, address.to_checksum_buffer(None).as_str()),
        DynSolValue::Function(function) => write_quoted(out, function),
        DynSolValue::Bytes(bytes) => write_hex(out, bytes),
        DynSolValue::String(text) => serde_json::to_writer(&mut *out, text).expect("a Vec takes any write"),
        DynSolValue::Array(items) | DynSolValue::FixedArray(items) => {
            out.push(b'[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(b',');
                }
                write_json(out, item, components);
            }
            out.push(b']');
        }
        DynSolValue::Tuple(items) => {
            out.push(b'{');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(b',');
                }
                match components.get(index) {
                    Some(field) => {
                        out.extend_from_slice(&field.key);
                        write_json(out, item, &field.components);
                    }
                    None => {
                        write_quoted(out, index);
                        out.push(b':');
                        write_json(out, item, &[]);
                    }
                }
            }
            out.push(b'}');
        }
        #[allow(unreachable_patterns, reason = "CustomStruct exists only with alloy's eip712 feature")]
        _ => out.extend_from_slice(b"null"),
    }
}

/// `value`'s display form as a JSON string (only for forms without quotes or backslashes).
fn write_quoted(out: &mut Vec<u8>, value: impl std::fmt::Display) {
    write!(out, "\"{value}\"").expect("a Vec takes any write");
}

/// `bytes` as a `"0x…"` JSON string.
fn write_hex(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(b"\"0x");
    let start = out.len();
    out.resize(start + 2 * bytes.len(), 0);
    alloy::hex::encode_to_slice(bytes, &mut out[start..]).expect("the buffer holds two digits a byte");
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use alloy::dyn_abi::Specifier;
    use alloy::primitives::{Address, B256, LogData};
    use alloy::sol_types::SolEvent;
    use egp_contracts::artifacts;
    use egp_contracts::bindings::consortium::Consortium::IssuerAdmitted;
    use egp_contracts::bindings::guarantee_registry::GuaranteeRegistry::{ClaimRejected, GuaranteeIssued};
    use egp_contracts::bindings::guarantee_registry::IGuaranteeRegistry::IssueRequest;
    use serde_json::{Value, json};

    use super::*;

    /// The args JSON text of `log`, an event of `contract`, and its keys in the order they are
    /// written.
    fn args(contract: &str, log: &LogData) -> (Value, Vec<String>) {
        let abi = artifacts::embedded(contract).expect("a deployed contract").abi;
        let event = abi.events().find(|e| Some(&e.selector()) == log.topics().first()).expect("an event of the ABI");
        let decoded = event.resolve().expect("resolves").decode_log_data(log).expect("decodes");
        let text = Args::new(event).json(&decoded, log.data.len()).expect("every field");
        let value: Value = serde_json::from_str(&text).expect("valid JSON");
        let mut keys: Vec<(usize, String)> = value
            .as_object()
            .expect("an object")
            .keys()
            .map(|k| (text.find(&format!("\"{k}\":")).expect("the key is written"), k.clone()))
            .collect();
        keys.sort();
        (value, keys.into_iter().map(|(_, k)| k).collect())
    }

    #[test]
    fn strings_are_escaped_and_fields_keep_the_abi_order() {
        let name = "Bank \"A\" \\ of\nSiam \u{1} ธนาคาร 🚀";
        let actor = Address::repeat_byte(0xab);
        let log = IssuerAdmitted { bankCode: 2, kind: 1, name: name.into(), actor }.encode_log_data();
        let (value, keys) = args("Consortium", &log);
        assert_eq!(value, json!({ "bankCode": "2", "kind": "1", "name": name, "actor": actor.to_checksum(None) }));
        assert_eq!(keys, ["bankCode", "kind", "name", "actor"]);
    }

    #[test]
    fn integers_are_decimal_strings_bytes_hex_and_tuples_objects_by_component_name() {
        let request = IssueRequest {
            bankRef: "LG-2569-000001".into(),
            branchCode: B256::ZERO,
            guaranteeType: 3,
            amount: u128::MAX,
            issueDate: u64::MAX,
            effectiveDate: 0,
            expiryType: 0,
            expiryDate: 1_800_000_000,
            expiryConditionHash: B256::repeat_byte(0x11),
            agencyCode: B256::repeat_byte(0x22),
            projectNumber: B256::ZERO,
            contractNumber: "CGD/0042".into(),
            applicantCommitment: B256::repeat_byte(0x33),
            applicantType: 1,
            documentHash: B256::repeat_byte(0x44),
        };
        let issued = GuaranteeIssued {
            id: B256::repeat_byte(0x55),
            bankCode: 2,
            agencyCode: B256::repeat_byte(0x22),
            request,
            status: 1,
            actor: Address::repeat_byte(0xab),
        };
        let (value, keys) = args("GuaranteeRegistry", &issued.encode_log_data());
        assert_eq!(keys, ["id", "bankCode", "agencyCode", "request", "status", "actor"]);
        let request = &value["request"];
        assert_eq!(request["amount"], u128::MAX.to_string());
        assert_eq!(request["issueDate"], u64::MAX.to_string());
        assert_eq!(request["effectiveDate"], "0");
        assert_eq!(request["bankRef"], "LG-2569-000001");
        assert_eq!(request["expiryConditionHash"], B256::repeat_byte(0x11).to_string());
        assert_eq!(request.as_object().unwrap().len(), 15, "every component: {request}");
        assert_eq!(value["id"], B256::repeat_byte(0x55).to_string());

        let rejected = ClaimRejected {
            id: B256::repeat_byte(0x55),
            sequence: 1,
            discrepancies: vec![B256::repeat_byte(1), B256::repeat_byte(2)],
            status: 2,
            actor: Address::repeat_byte(0xab),
        };
        let (value, _) = args("GuaranteeRegistry", &rejected.encode_log_data());
        assert_eq!(value["discrepancies"], json!([B256::repeat_byte(1).to_string(), B256::repeat_byte(2).to_string()]));
        let empty = ClaimRejected { discrepancies: vec![], ..rejected };
        assert_eq!(args("GuaranteeRegistry", &empty.encode_log_data()).0["discrepancies"], json!([]));
    }
}
