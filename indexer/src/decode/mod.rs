//! Turning raw logs into events: the typed enums of `egp_contracts::bindings` for the state rules,
//! and every field by its ABI name (from the same committed artifacts, embedded by
//! [`egp_contracts::artifacts`]), written as JSON text for the event history (`args.rs`). No ABI
//! is written here.

mod args;

use std::collections::HashMap;

use alloy::dyn_abi::{DynSolEvent, Specifier};
use alloy::primitives::{Address, B256, Bytes, LogData};
use alloy::sol_types::SolEventInterface;
use egp_contracts::Deployment;
use egp_contracts::artifacts;
use egp_contracts::bindings::consortium::Consortium::ConsortiumEvents;
use egp_contracts::bindings::credit_confirmation_registry::CreditConfirmationRegistry::CreditConfirmationRegistryEvents;
use egp_contracts::bindings::guarantee_registry::GuaranteeRegistry::GuaranteeRegistryEvents;

use self::args::Args;

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
    /// The three, in deployment order.
    pub const ALL: [Self; 3] = [Self::Consortium, Self::GuaranteeRegistry, Self::CreditConfirmationRegistry];

    /// The contract's name, as stored in `events.contract` (and as its artifact is named).
    pub const fn name(self) -> &'static str {
        match self {
            Self::Consortium => "Consortium",
            Self::GuaranteeRegistry => "GuaranteeRegistry",
            Self::CreditConfirmationRegistry => "CreditConfirmationRegistry",
        }
    }

    /// The contract named `name` in `events.contract`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.name() == name)
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
    args: Args,
}

impl Decoder {
    /// A decoder for the deployment's three addresses. The ABIs are the committed artifacts the
    /// bindings are generated from, as `egp-contracts` embeds them.
    pub fn new(deployment: &Deployment) -> Self {
        let contracts = HashMap::from([
            (deployment.contracts.consortium.address, ContractKind::Consortium),
            (deployment.contracts.guarantee_registry.address, ContractKind::GuaranteeRegistry),
            (deployment.contracts.credit_confirmation_registry.address, ContractKind::CreditConfirmationRegistry),
        ]);
        let mut events = HashMap::new();
        for kind in ContractKind::ALL {
            let artifact = artifacts::embedded(kind.name()).expect("the committed artifacts hold every contract's ABI");
            for event in artifact.abi.events() {
                let abi = EventAbi {
                    name: event.name.clone(),
                    decoder: event.resolve().expect("artifact events resolve"),
                    args: Args::new(event),
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
        let args_json = abi.args.json(&decoded, data.len()).ok_or(Skip::UnknownTopic)?;
        Ok(IndexedEvent {
            provenance,
            contract,
            name: abi.name.clone(),
            payload,
            topics: topics.to_vec(),
            data: log.data.clone(),
            args_json,
        })
    }
}

#[cfg(test)]
mod tests {
    use alloy::primitives::{Address, B256};
    use alloy::sol_types::SolEvent;
    use egp_contracts::bindings::consortium::Consortium::IssuerAdmitted;

    use super::*;

    fn deployment() -> Deployment {
        egp_testkit::synthetic_deployment(31_337, "test")
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
}
