//! What a mutation asks for, and how it enters the outbox: the idempotency key, the fingerprint
//! of the request, the simulation, the write.

use egp::gateway::{GatewayCall, GatewayStep};
use egp_contracts::ContractRevert;
use egp_store::{ActionKind, ActionStatus};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::Outbox;
use super::store::{self, ActionRow, Inserted, NewAction};
use crate::{Error, Result};

/// The amendment or claim a request answers, as the client named it (`None`: the open one).
///
/// The registry's answers to an amendment name it, and it refuses a stale one (`StaleAmendment`):
/// the outbox puts the named sequence, or the pending one, in the call. `withdrawClaim` names no
/// claim, so for a claim the outbox checks that the one the client names is still the open one.
/// Either way a request about amendment 2 never accepts amendment 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answers {
    /// An amendment's sequence.
    Amendment(Option<u16>),
    /// A claim's sequence.
    Claim(Option<u16>),
}

/// One mutation's request, validated: the call, and what identifies it for idempotency.
#[derive(Debug, Clone)]
pub struct ActionRequest {
    /// The client's idempotency key.
    pub idempotency_key: String,
    /// The registry call.
    pub call: GatewayCall,
    /// The request as the client gave it, normalised (ids resolved, amounts and dates in one
    /// spelling, absent options absent): its SHA-256 is the fingerprint.
    pub given: Value,
    /// The arguments as they will be sent, for people (absent options resolved).
    pub arguments: Map<String, Value>,
    /// The amendment or claim it answers, if it answers one.
    pub answers: Option<Answers>,
}

/// The kind of action a step is (its stored name is in the `kind` column and the fingerprint).
pub fn kind(step: &GatewayStep) -> ActionKind {
    match step {
        GatewayStep::Accept => ActionKind::Accept,
        GatewayStep::Reject { .. } => ActionKind::Reject,
        GatewayStep::AcceptAmendment { .. } => ActionKind::AcceptAmendment,
        GatewayStep::RejectAmendment { .. } => ActionKind::RejectAmendment,
        GatewayStep::Reduce { .. } => ActionKind::Reduce,
        GatewayStep::Release { .. } => ActionKind::Release,
        GatewayStep::Claim { .. } => ActionKind::Claim,
        GatewayStep::ClaimExtendOrPay { .. } => ActionKind::ClaimExtendOrPay,
        GatewayStep::WithdrawClaim => ActionKind::WithdrawClaim,
        GatewayStep::Supersede { .. } => ActionKind::Supersede,
    }
}

impl ActionRequest {
    /// A request for `call`: `given` holds the client's own arguments beyond the guarantee and
    /// the agency (normalised), `arguments` the resolved ones.
    pub fn new(
        idempotency_key: String,
        call: GatewayCall,
        given: Map<String, Value>,
        arguments: Map<String, Value>,
        answers: Option<Answers>,
    ) -> Self {
        let mut fingerprinted = given;
        fingerprinted.insert("kind".into(), json!(kind(&call.step).name()));
        fingerprinted.insert("guarantee".into(), json!(call.guarantee.to_string()));
        fingerprinted.insert("agency".into(), json!(call.agency.as_str()));
        Self { idempotency_key, call, given: Value::Object(fingerprinted), arguments, answers }
    }

    /// SHA-256 of the normalised request (`serde_json` writes object keys in sorted order).
    pub fn fingerprint(&self) -> Vec<u8> {
        Sha256::digest(self.given.to_string().as_bytes()).to_vec()
    }
}

/// The code of a refusal for an amendment or claim that is no longer the open one, whether the
/// outbox or the registry (`StaleAmendment`, `StaleClaim`) found it.
const STALE_SEQUENCE: &str = "STALE_SEQUENCE";

/// A contract refusal as a failed action's code and sentence: `GUARANTEE_NOT_IN_STATE`,
/// "guarantee 0x… is Active; accept needs PendingAcceptance".
pub fn refusal(revert: &ContractRevert) -> (String, String) {
    (code(revert.name()), revert.to_string())
}

/// The stable code of a registry custom error: its name in upper snake case, except that both
/// stale answers are the one `STALE_SEQUENCE` a client already branches on.
fn code(name: &str) -> String {
    match name {
        "StaleAmendment" | "StaleClaim" => STALE_SEQUENCE.to_owned(),
        other => screaming_snake(other),
    }
}

/// `GuaranteeNotInState` → `GUARANTEE_NOT_IN_STATE`.
fn screaming_snake(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 8);
    for (index, ch) in name.char_indices() {
        if ch.is_ascii_uppercase() && index > 0 {
            out.push('_');
        }
        out.push(ch.to_ascii_uppercase());
    }
    out
}

impl Outbox {
    /// Takes a request: the action already stored under its key (same request), or a refusal
    /// the contract gives now (stored failed, nothing sent), or a new pending action for the
    /// sender. Refused without storing anything: a key reused for another request
    /// (`IDEMPOTENCY_CONFLICT`), a full queue (`OVERLOADED`), a node that cannot simulate
    /// (`NODE_UNAVAILABLE`).
    pub async fn submit(&self, mut request: ActionRequest) -> Result<ActionRow> {
        let fingerprint = request.fingerprint();
        let key = request.idempotency_key.clone();
        if let Some(existing) = store::by_key(&self.pool, self.chain_id(), &key).await? {
            return same_request(existing, &fingerprint);
        }
        let refused = self.simulate(&mut request).await?;
        let action = NewAction {
            chain_id: self.chain_id(),
            gateway: self.gateway().to_vec(),
            contract_address: self.registry().to_vec(),
            idempotency_key: key,
            fingerprint: fingerprint.clone(),
            kind: kind(&request.call.step),
            guarantee_id: request.call.guarantee.to_vec(),
            agency_code: request.call.agency.to_string(),
            arguments: Value::Object(request.arguments),
            calldata: request.call.calldata().to_vec(),
            refused,
        };
        match store::insert(&self.pool, action, self.settings.max_queued_actions).await? {
            Inserted::New(row) => {
                if row.status == ActionStatus::Pending {
                    tracing::info!(action = row.id, kind = %row.kind, "action queued");
                    self.wake();
                }
                Ok(row)
            }
            Inserted::Existing(row) => same_request(row, &fingerprint),
            Inserted::Overloaded(queued) => Err(Error::Overloaded { queued }),
        }
    }

    /// `eth_call` as the gateway: `None` when the registry would take it, else the refusal.
    /// First names the amendment an answer is for (the client's, or the pending one) in the call;
    /// after the simulation, checks that the claim a withdrawal names is still the open one.
    async fn simulate(&self, request: &mut ActionRequest) -> Result<Option<(String, String)>> {
        if let Some(Answers::Amendment(given)) = request.answers {
            // With none pending (or no such guarantee) the registry refuses, whatever the number.
            let pending = match self.egp.guarantee(request.call.guarantee).await {
                Ok(view) => view.pending_amendment().unwrap_or(view.amendments),
                Err(egp::Error::RpcUnreachable { .. } | egp::Error::Rpc { .. }) => return Err(Error::NodeUnavailable),
                Err(_) => 0,
            };
            let sequence = given.unwrap_or(pending);
            if let GatewayStep::AcceptAmendment { amendment } | GatewayStep::RejectAmendment { amendment, .. } =
                &mut request.call.step
            {
                *amendment = sequence;
            }
            request.arguments.insert("amendmentSequence".into(), json!(sequence));
        }
        match self.egp.simulate_gateway(self.gateway(), &request.call).await {
            Ok(()) => {}
            Err(egp::Error::Reverted(revert)) => return Ok(Some(refusal(&revert))),
            Err(egp::Error::RpcUnreachable { reason, .. } | egp::Error::Rpc { reason, .. }) => {
                tracing::warn!(%reason, "the node could not simulate an action");
                return Err(Error::NodeUnavailable);
            }
            Err(other) => return Err(Error::Rpc(other.to_string())),
        }
        let Some(Answers::Claim(given)) = request.answers else { return Ok(None) };
        let id = request.call.guarantee;
        // The simulation passed, so a claim is open: the last one.
        let open = self.read(id).await?.claims;
        request.arguments.insert("claimSequence".into(), json!(open));
        match given {
            Some(given) if given != open => Ok(Some((
                STALE_SEQUENCE.to_owned(),
                format!("guarantee {id}: the open claim is claim {open}, not claim {given}; nothing was sent"),
            ))),
            _ => Ok(None),
        }
    }

    /// Guarantee `id` as the registry holds it now.
    async fn read(&self, id: alloy::primitives::B256) -> Result<egp::read::GuaranteeView> {
        match self.egp.guarantee(id).await {
            Ok(view) => Ok(view),
            Err(egp::Error::RpcUnreachable { .. } | egp::Error::Rpc { .. }) => Err(Error::NodeUnavailable),
            Err(other) => Err(Error::Rpc(other.to_string())),
        }
    }
}

/// The stored action when `fingerprint` is its request's, else `IDEMPOTENCY_CONFLICT`.
fn same_request(existing: ActionRow, fingerprint: &[u8]) -> Result<ActionRow> {
    if existing.fingerprint == fingerprint {
        Ok(existing)
    } else {
        Err(Error::IdempotencyConflict { key: existing.idempotency_key, action: existing.id })
    }
}

#[cfg(test)]
mod tests {
    use alloy::primitives::B256;
    use egp_contracts::Code;

    use super::*;

    fn request(key: &str, given: Value) -> ActionRequest {
        let call = GatewayCall::new(B256::repeat_byte(1), &Code::new("21009").unwrap(), GatewayStep::Accept);
        let Value::Object(given) = given else { unreachable!() };
        ActionRequest::new(key.into(), call, given, Map::new(), None)
    }

    #[test]
    fn the_fingerprint_is_the_normalised_request_not_the_key_or_key_order() {
        let a = request("k1", json!({ "b": 1, "a": "x" }));
        let b = request("k2", json!({ "a": "x", "b": 1 }));
        assert_eq!(a.fingerprint(), b.fingerprint());
        assert_ne!(a.fingerprint(), request("k1", json!({ "a": "y", "b": 1 })).fingerprint());
    }

    #[test]
    fn contract_error_names_become_stable_codes() {
        assert_eq!(code("GuaranteeNotInState"), "GUARANTEE_NOT_IN_STATE");
        assert_eq!(code("NotGateway"), "NOT_GATEWAY");
        assert_eq!(code("ExpiryPassed"), "EXPIRY_PASSED");
        assert_eq!(code("NotYetEffective"), "NOT_YET_EFFECTIVE");
        assert_eq!(code("ObligationsEndInFuture"), "OBLIGATIONS_END_IN_FUTURE");
        assert_eq!(code("RoleConflict"), "ROLE_CONFLICT");
        // The registry's stale answers and the outbox's own check share one code.
        assert_eq!(code("StaleAmendment"), STALE_SEQUENCE);
        assert_eq!(code("StaleClaim"), STALE_SEQUENCE);
    }

    #[test]
    fn a_registry_refusal_decoded_from_its_bytes_has_its_code_and_sentence() {
        use alloy::sol_types::SolError;
        use egp_contracts::bindings::guarantee_registry::GuaranteeRegistry as G;

        let id = B256::repeat_byte(0xab);
        let revert = ContractRevert::decode(&G::StaleAmendment { id, named: 2, pending: 3 }.abi_encode()).unwrap();
        let (code, message) = refusal(&revert);
        assert_eq!(code, STALE_SEQUENCE);
        assert_eq!(
            message,
            format!(
                "guarantee {id}: the answer is to amendment 2, but amendment 3 is the one pending; read the guarantee again"
            )
        );
        let revert = ContractRevert::decode(&G::AmendmentAlreadyPending { id, sequence: 1 }.abi_encode()).unwrap();
        assert_eq!(refusal(&revert).0, "AMENDMENT_ALREADY_PENDING");
    }
}
