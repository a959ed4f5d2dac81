//! Turning raw logs into events: the typed enums of `egp_contracts::bindings` for the state rules,
//! and every field by its ABI name (from the same committed artifacts) for the event history.
//! No ABI is written here.

use std::collections::HashMap;

use alloy::dyn_abi::{DynSolEvent, DynSolValue, Specifier};
use alloy::json_abi::{Event as AbiEvent, JsonAbi, Param};
use alloy::primitives::{Address, B256, Bytes, Log as PrimitiveLog, LogData};
use alloy::sol_types::SolEventInterface;
use egp_contracts::Deployment;
use egp_contracts::bindings::consortium::Consortium::ConsortiumEvents;
use egp_contracts::bindings::credit_confirmation_registry::CreditConfirmationRegistry::CreditConfirmationRegistryEvents;
use egp_contracts::bindings::guarantee_registry::GuaranteeRegistry::GuaranteeRegistryEvents;
use serde_json::{Map, Value};

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
    /// Every field by ABI name.
    pub args: Value,
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
    events: HashMap<(ContractKind, B256), (AbiEvent, DynSolEvent)>,
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
                let resolved = event.resolve().expect("artifact events resolve");
                events.insert((kind, event.selector()), (event.clone(), resolved));
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
        let (abi_event, dyn_event) = self.events.get(&(contract, topic0)).ok_or(Skip::UnknownTopic)?;
        let typed = PrimitiveLog { address: provenance.contract_address, data: log.clone() };
        let payload = match contract {
            ContractKind::Consortium => ConsortiumEvents::decode_log(&typed).map(|l| Payload::Consortium(l.data)),
            ContractKind::GuaranteeRegistry => {
                GuaranteeRegistryEvents::decode_log(&typed).map(|l| Payload::Guarantee(l.data))
            }
            ContractKind::CreditConfirmationRegistry => {
                CreditConfirmationRegistryEvents::decode_log(&typed).map(|l| Payload::Confirmation(l.data))
            }
        }
        .map_err(|_| Skip::UnknownTopic)?;
        let decoded = dyn_event.decode_log_data(log).map_err(|_| Skip::UnknownTopic)?;
        let (mut indexed, mut body) = (decoded.indexed.into_iter(), decoded.body.into_iter());
        let mut args = Map::new();
        for param in &abi_event.inputs {
            let value = if param.indexed { indexed.next() } else { body.next() };
            let value = value.ok_or(Skip::UnknownTopic)?;
            args.insert(param.name.clone(), to_json(&value, &param.components));
        }
        Ok(IndexedEvent {
            provenance,
            contract,
            name: abi_event.name.clone(),
            payload,
            topics: log.topics().to_vec(),
            data: log.data.clone(),
            args: Value::Object(args),
        })
    }
}

/// A decoded ABI value as JSON: integers as decimal strings (never floats), bytes as 0x-hex,
/// tuples as objects keyed by component name.
fn to_json(value: &DynSolValue, components: &[Param]) -> Value {
    match value {
        DynSolValue::Bool(b) => Value::Bool(*b),
        DynSolValue::Int(i, _) => Value::String(i.to_string()),
        DynSolValue::Uint(u, _) => Value::String(u.to_string()),
        DynSolValue::FixedBytes(word, size) => Value::String(format!("0x{}", hex::encode(&word[..*size]))),
        DynSolValue::Address(address) => Value::String(address.to_string()),
        DynSolValue::Function(function) => Value::String(function.to_string()),
        DynSolValue::Bytes(bytes) => Value::String(format!("0x{}", hex::encode(bytes))),
        DynSolValue::String(text) => Value::String(text.clone()),
        DynSolValue::Array(items) | DynSolValue::FixedArray(items) => {
            Value::Array(items.iter().map(|item| to_json(item, components)).collect())
        }
        DynSolValue::Tuple(items) => Value::Object(
            items
                .iter()
                .enumerate()
                .map(|(index, item)| {
                    let (name, nested) = components
                        .get(index)
                        .map_or((index.to_string(), &[][..]), |p| (p.name.clone(), &p.components[..]));
                    (name, to_json(item, nested))
                })
                .collect(),
        ),
        #[allow(unreachable_patterns, reason = "CustomStruct exists only with alloy's eip712 feature")]
        _ => Value::Null,
    }
}
