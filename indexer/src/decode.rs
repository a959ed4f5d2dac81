//! Turning raw logs into events: the typed enums of `egp_contracts::bindings` for the state rules,
//! and every field by its ABI name (from the same committed artifacts), written as JSON text, for
//! the event history. No ABI is written here.

use std::collections::HashMap;
use std::io::Write as _;

use alloy::dyn_abi::{DynSolEvent, DynSolValue, Specifier};
use alloy::json_abi::{JsonAbi, Param};
use alloy::primitives::{Address, B256, Bytes, LogData};
use alloy::sol_types::SolEventInterface;
use egp_contracts::Deployment;
use egp_contracts::bindings::consortium::Consortium::ConsortiumEvents;
use egp_contracts::bindings::credit_confirmation_registry::CreditConfirmationRegistry::CreditConfirmationRegistryEvents;
use egp_contracts::bindings::guarantee_registry::GuaranteeRegistry::GuaranteeRegistryEvents;

/// Which of the deployment's contracts emitted a log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContractKind {
    /// The consortium (issuers, signers, agencies, gateways, roles).
    Consortium,
    /// The e-LG registry.
    GuaranteeRegistry,
    /// The credit confirmation registry.
    CreditConfirmationRegistry,
}

impl ContractKind {
    /// The contract's name, as stored in `events.contract`.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Consortium => "Consortium",
            Self::GuaranteeRegistry => "GuaranteeRegistry",
            Self::CreditConfirmationRegistry => "CreditConfirmationRegistry",
        }
    }

    /// The contract named `name` in `events.contract`.
    pub fn from_name(name: &str) -> Option<Self> {
        [Self::Consortium, Self::GuaranteeRegistry, Self::CreditConfirmationRegistry]
            .into_iter()
            .find(|kind| kind.name() == name)
    }
}

/// Where an event comes from: the same columns on every event row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    /// The emitting contract.
    pub contract_address: Address,
    /// Block number.
    pub block_number: u64,
    /// Block hash.
    pub block_hash: B256,
    /// Block timestamp, Unix seconds.
    pub block_timestamp: u64,
    /// Transaction hash.
    pub transaction_hash: B256,
    /// Index of the transaction in its block.
    pub transaction_index: u64,
    /// Index of the log in its block.
    pub log_index: u64,
    /// Whether the block is final.
    pub is_final: bool,
}

/// A decoded event of one of the three contracts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payload {
    /// From the consortium.
    Consortium(ConsortiumEvents),
    /// From the e-LG registry.
    Guarantee(GuaranteeRegistryEvents),
    /// From the credit confirmation registry.
    Confirmation(CreditConfirmationRegistryEvents),
}

/// The record an event changes, as stored in `events.entity_kind` and `events.entity_key`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EntityKey {
    /// A guarantee, by id.
    Guarantee(B256),
    /// A credit confirmation, by id.
    Confirmation(B256),
    /// An issuer (with its signers), by bank code.
    Issuer(u16),
    /// An agency, by its bytes32 code.
    Agency(B256),
    /// An e-GP gateway, by address.
    Gateway(Address),
}

impl EntityKey {
    /// The kind, as stored.
    pub const fn kind(&self) -> &'static str {
        match self {
            Self::Guarantee(_) => "guarantee",
            Self::Confirmation(_) => "confirmation",
            Self::Issuer(_) => "issuer",
            Self::Agency(_) => "agency",
            Self::Gateway(_) => "gateway",
        }
    }

    /// The key, as stored.
    pub fn key(&self) -> Vec<u8> {
        match self {
            Self::Guarantee(id) | Self::Confirmation(id) | Self::Agency(id) => id.to_vec(),
            Self::Issuer(code) => code.to_be_bytes().to_vec(),
            Self::Gateway(address) => address.to_vec(),
        }
    }

    /// Reads a stored kind and key back.
    pub fn from_stored(kind: &str, key: &[u8]) -> Option<Self> {
        Some(match kind {
            "guarantee" => Self::Guarantee(B256::try_from(key).ok()?),
            "confirmation" => Self::Confirmation(B256::try_from(key).ok()?),
            "issuer" => Self::Issuer(u16::from_be_bytes(key.try_into().ok()?)),
            "agency" => Self::Agency(B256::try_from(key).ok()?),
            "gateway" => Self::Gateway(Address::try_from(key).ok()?),
            _ => return None,
        })
    }
}

/// One log, decoded, with its provenance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexedEvent {
    /// Where it comes from.
    pub provenance: Provenance,
    /// Which contract emitted it.
    pub contract: ContractKind,
    /// The event's name in the ABI.
    pub name: String,
    /// The typed event.
    pub payload: Payload,
    /// The raw topics.
    pub topics: Vec<B256>,
    /// The raw data.
    pub data: Bytes,
    /// Every field by ABI name, in ABI order, as JSON text: integers as decimal strings (never
    /// floats), bytes as 0x-hex, addresses checksummed, tuples as objects keyed by component name.
    pub args_json: String,
}

impl IndexedEvent {
    /// The record the event changes, if any.
    pub fn entity(&self) -> Option<EntityKey> {
        use ConsortiumEvents as C;
        use CreditConfirmationRegistryEvents as K;
        use GuaranteeRegistryEvents as G;
        Some(match &self.payload {
            Payload::Consortium(event) => match event {
                C::IssuerAdmitted(e) => EntityKey::Issuer(e.bankCode),
                C::IssuerSuspended(e) => EntityKey::Issuer(e.bankCode),
                C::IssuerResumed(e) => EntityKey::Issuer(e.bankCode),
                C::SignerAdded(e) => EntityKey::Issuer(e.bankCode),
                C::SignerRemoved(e) => EntityKey::Issuer(e.bankCode),
                C::AgencyRegistered(e) => EntityKey::Agency(e.agencyCode),
                C::GatewayAuthorised(e) => EntityKey::Gateway(e.gateway),
                C::GatewayRevoked(e) => EntityKey::Gateway(e.gateway),
                C::RoleAdminChanged(_) | C::RoleGranted(_) | C::RoleRevoked(_) => return None,
            },
            Payload::Guarantee(event) => EntityKey::Guarantee(match event {
                G::GuaranteeIssued(e) => e.id,
                G::GuaranteeAccepted(e) => e.id,
                G::GuaranteeRejected(e) => e.id,
                G::GuaranteeCancelled(e) => e.id,
                G::AmendmentProposed(e) => e.id,
                G::AmendmentAccepted(e) => e.id,
                G::AmendmentRejected(e) => e.id,
                G::AmendmentLapsed(e) => e.id,
                G::GuaranteeReduced(e) => e.id,
                G::GuaranteeReleased(e) => e.id,
                G::ClaimMade(e) => e.id,
                G::ClaimPaid(e) => e.id,
                G::ClaimRejected(e) => e.id,
                G::ClaimWithdrawn(e) => e.id,
                G::GuaranteeExtended(e) => e.id,
                G::GuaranteeExpired(e) => e.id,
                G::GuaranteeSuperseded(e) => e.id,
                G::GuaranteeSuspended(e) => e.id,
                G::GuaranteeResumed(e) => e.id,
            }),
            Payload::Confirmation(event) => EntityKey::Confirmation(match event {
                K::CreditConfirmationIssued(e) => e.id,
                K::CreditConfirmationRevoked(e) => e.id,
                K::CreditConfirmationSuperseded(e) => e.id,
                K::CreditConfirmationExpired(e) => e.id,
            }),
        })
    }

    /// Whether the event creates its record (the contracts emit it once per record).
    pub fn creates(&self) -> bool {
        matches!(
            &self.payload,
            Payload::Guarantee(GuaranteeRegistryEvents::GuaranteeIssued(_))
                | Payload::Confirmation(CreditConfirmationRegistryEvents::CreditConfirmationIssued(_))
                | Payload::Consortium(ConsortiumEvents::IssuerAdmitted(_) | ConsortiumEvents::AgencyRegistered(_))
        )
    }

    /// A second record the event changes: the replacement named by a supersession.
    pub fn related(&self) -> Option<EntityKey> {
        match &self.payload {
            Payload::Guarantee(GuaranteeRegistryEvents::GuaranteeSuperseded(e)) => {
                Some(EntityKey::Guarantee(e.replacementId))
            }
            Payload::Confirmation(CreditConfirmationRegistryEvents::CreditConfirmationSuperseded(e)) => {
                Some(EntityKey::Confirmation(e.replacementId))
            }
            _ => None,
        }
    }
}

/// Why a log was skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    /// Emitted by an address outside the deployment.
    UnknownContract,
    /// A topic the contract's ABI does not have, or data that does not decode.
    UnknownTopic,
}

/// Decodes the logs of one deployment.
#[derive(Debug)]
pub struct Decoder {
    contracts: HashMap<Address, ContractKind>,
    events: HashMap<(ContractKind, B256), EventAbi>,
}

/// One event of a contract's ABI, ready to decode and to write as JSON.
#[derive(Debug)]
struct EventAbi {
    name: String,
    decoder: DynSolEvent,
    /// The inputs in ABI order, with whether each is a topic.
    inputs: Vec<(bool, JsonField)>,
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

fn artifact_abi(json: &str) -> JsonAbi {
    #[derive(serde::Deserialize)]
    struct Artifact {
        abi: JsonAbi,
    }
    serde_json::from_str::<Artifact>(json).expect("the committed artifacts hold an ABI").abi
}

impl Decoder {
    /// A decoder for the deployment's three addresses. The ABIs are the committed artifacts the
    /// bindings are generated from.
    pub fn new(deployment: &Deployment) -> Self {
        let contracts = HashMap::from([
            (deployment.contracts.consortium.address, ContractKind::Consortium),
            (deployment.contracts.guarantee_registry.address, ContractKind::GuaranteeRegistry),
            (deployment.contracts.credit_confirmation_registry.address, ContractKind::CreditConfirmationRegistry),
        ]);
        let abis = [
            (ContractKind::Consortium, include_str!("../../contracts/artifacts/Consortium.json")),
            (ContractKind::GuaranteeRegistry, include_str!("../../contracts/artifacts/GuaranteeRegistry.json")),
            (
                ContractKind::CreditConfirmationRegistry,
                include_str!("../../contracts/artifacts/CreditConfirmationRegistry.json"),
            ),
        ];
        let mut events = HashMap::new();
        for (kind, json) in abis {
            for event in artifact_abi(json).events() {
                let abi = EventAbi {
                    name: event.name.clone(),
                    decoder: event.resolve().expect("artifact events resolve"),
                    inputs: event.inputs.iter().map(|p| (p.indexed, JsonField::new(&p.name, &p.components))).collect(),
                };
                events.insert((kind, event.selector()), abi);
            }
        }
        Self { contracts, events }
    }

    /// The deployment's addresses.
    pub fn addresses(&self) -> Vec<Address> {
        let mut addresses: Vec<Address> = self.contracts.keys().copied().collect();
        addresses.sort();
        addresses
    }

    /// Decodes one log of `provenance.contract_address`.
    pub fn decode(&self, provenance: Provenance, log: &LogData) -> Result<IndexedEvent, Skip> {
        let contract = *self.contracts.get(&provenance.contract_address).ok_or(Skip::UnknownContract)?;
        let topic0 = *log.topics().first().ok_or(Skip::UnknownTopic)?;
        let abi = self.events.get(&(contract, topic0)).ok_or(Skip::UnknownTopic)?;
        let (topics, data) = (log.topics(), &log.data[..]);
        let payload = match contract {
            ContractKind::Consortium => ConsortiumEvents::decode_raw_log(topics, data).map(Payload::Consortium),
            ContractKind::GuaranteeRegistry => {
                GuaranteeRegistryEvents::decode_raw_log(topics, data).map(Payload::Guarantee)
            }
            ContractKind::CreditConfirmationRegistry => {
                CreditConfirmationRegistryEvents::decode_raw_log(topics, data).map(Payload::Confirmation)
            }
        }
        .map_err(|_| Skip::UnknownTopic)?;
        let decoded = abi.decoder.decode_log_data(log).map_err(|_| Skip::UnknownTopic)?;
        let (mut indexed, mut body) = (decoded.indexed.iter(), decoded.body.iter());
        let mut json = Vec::with_capacity(64 + 2 * data.len());
        json.push(b'{');
        for (position, (is_topic, field)) in abi.inputs.iter().enumerate() {
            let value = if *is_topic { indexed.next() } else { body.next() };
            if position > 0 {
                json.push(b',');
            }
            json.extend_from_slice(&field.key);
            write_json(&mut json, value.ok_or(Skip::UnknownTopic)?, &field.components);
        }
        json.push(b'}');
        Ok(IndexedEvent {
            provenance,
            contract,
            name: abi.name.clone(),
            payload,
            topics: topics.to_vec(),
            data: log.data.clone(),
            args_json: String::from_utf8(json).expect("the args JSON is built from UTF-8 only"),
        })
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
    use alloy::primitives::{Address, B256, keccak256};
    use alloy::sol_types::SolEvent;
    use egp_contracts::bindings::consortium::Consortium::IssuerAdmitted;
    use egp_contracts::bindings::guarantee_registry::GuaranteeRegistry::{ClaimRejected, GuaranteeIssued};
    use egp_contracts::bindings::guarantee_registry::IGuaranteeRegistry::IssueRequest;
    use egp_contracts::deployment::{DeployedContract, DeployedContracts};
    use serde_json::{Value, json};

    use super::*;

    fn deployment() -> Deployment {
        let contract = |byte: u8| DeployedContract {
            address: Address::repeat_byte(byte),
            deployment_block: 1,
            transaction_hash: keccak256([byte]),
            bytecode_hash: keccak256([byte, byte]),
        };
        Deployment {
            chain_id: 31_337,
            compiler_version: "test".into(),
            deployer: Address::repeat_byte(0xad),
            contracts: DeployedContracts {
                consortium: contract(0xc1),
                guarantee_registry: contract(0xc2),
                credit_confirmation_registry: contract(0xc3),
            },
        }
    }

    fn provenance(contract: u8) -> Provenance {
        Provenance {
            contract_address: Address::repeat_byte(contract),
            block_number: 7,
            block_hash: B256::repeat_byte(7),
            block_timestamp: 1_767_225_600,
            transaction_hash: B256::repeat_byte(8),
            transaction_index: 0,
            log_index: 0,
            is_final: true,
        }
    }

    /// The args JSON text of `log`, and its keys in the order they are written.
    fn args(contract: u8, log: &LogData) -> (Value, Vec<String>) {
        let event = Decoder::new(&deployment()).decode(provenance(contract), log).expect("an event of the ABI");
        let value: Value = serde_json::from_str(&event.args_json).expect("valid JSON");
        let mut keys: Vec<(usize, String)> = value
            .as_object()
            .expect("an object")
            .keys()
            .map(|k| (event.args_json.find(&format!("\"{k}\":")).expect("the key is written"), k.clone()))
            .collect();
        keys.sort();
        (value, keys.into_iter().map(|(_, k)| k).collect())
    }

    #[test]
    fn strings_are_escaped_and_fields_keep_the_abi_order() {
        let name = "Bank \"A\" \\ of\nSiam \u{1} ธนาคาร 🚀";
        let actor = Address::repeat_byte(0xab);
        let log = IssuerAdmitted { bankCode: 2, kind: 1, name: name.into(), actor }.encode_log_data();
        let (value, keys) = args(0xc1, &log);
        assert_eq!(value, json!({ "bankCode": "2", "kind": "1", "name": name, "actor": actor.to_checksum(None) }));
        assert_eq!(keys, ["bankCode", "kind", "name", "actor"]);
    }

    #[test]
    fn logs_of_other_contracts_unknown_topics_and_bad_data_are_skipped_with_their_reason() {
        let decoder = Decoder::new(&deployment());
        let admitted =
            IssuerAdmitted { bankCode: 2, kind: 1, name: "Bank".into(), actor: Address::ZERO }.encode_log_data();
        let skip = |contract: u8, log: &LogData| decoder.decode(provenance(contract), log).unwrap_err();
        assert_eq!(skip(0xee, &admitted), Skip::UnknownContract);
        // The consortium's event at the registry's address: not a topic of the registry's ABI.
        assert_eq!(skip(0xc2, &admitted), Skip::UnknownTopic);
        assert_eq!(skip(0xc1, &LogData::new_unchecked(vec![], Bytes::new())), Skip::UnknownTopic);
        let cut = LogData::new_unchecked(admitted.topics().to_vec(), Bytes::copy_from_slice(&admitted.data[..40]));
        assert_eq!(skip(0xc1, &cut), Skip::UnknownTopic, "data that does not decode");
        assert!(decoder.decode(provenance(0xc1), &admitted).is_ok());
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
        let (value, keys) = args(0xc2, &issued.encode_log_data());
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
        let (value, _) = args(0xc2, &rejected.encode_log_data());
        assert_eq!(value["discrepancies"], json!([B256::repeat_byte(1).to_string(), B256::repeat_byte(2).to_string()]));
        let empty = ClaimRejected { discrepancies: vec![], ..rejected };
        assert_eq!(args(0xc2, &empty.encode_log_data()).0["discrepancies"], json!([]));
    }
}
