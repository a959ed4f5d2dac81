//! What a mutation asks for, and how it enters the outbox: the idempotency key, the fingerprint
//! of the request, the simulation, the write.

use egp::gateway::{GatewayCall, GatewayStep};
use egp_contracts::ContractRevert;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::Outbox;
use super::store::{self, ActionRow, Inserted, NewAction};
use crate::{Error, Result};

/// The amendment or claim a request answers, as the client named it (`None`: the open one).
///
/// Today's registry answers the open amendment or claim; the outbox checks that the one the
/// client names is still that one, so a request about amendment 2 never accepts amendment 3.
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

/// The stable name of a step (the `kind` column; the GraphQL `ActionKind` in upper case).
pub fn kind(step: &GatewayStep) -> &'static str {
    match step {
        GatewayStep::Accept => "accept",
        GatewayStep::Reject { .. } => "reject",
        GatewayStep::AcceptAmendment => "acceptAmendment",
        GatewayStep::RejectAmendment { .. } => "rejectAmendment",
        GatewayStep::Reduce { .. } => "reduce",
        GatewayStep::Release { .. } => "release",
        GatewayStep::Claim { .. } => "claim",
        GatewayStep::ClaimExtendOrPay { .. } => "claimExtendOrPay",
        GatewayStep::WithdrawClaim => "withdrawClaim",
        GatewayStep::Supersede { .. } => "supersede",
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
        fingerprinted.insert("kind".into(), json!(kind(&call.step)));
        fingerprinted.insert("guarantee".into(), json!(call.guarantee.to_string()));
        fingerprinted.insert("agency".into(), json!(call.agency.as_str()));
        Self { idempotency_key, call, given: Value::Object(fingerprinted), arguments, answers }
    }

    /// SHA-256 of the normalised request (`serde_json` writes object keys in sorted order).
    pub fn fingerprint(&self) -> Vec<u8> {
        Sha256::digest(self.given.to_string().as_bytes()).to_vec()
    }
}

/// A contract refusal as a failed action's code and sentence: `GUARANTEE_NOT_IN_STATE`,
/// "guarantee 0x… is Active; accept needs PendingAcceptance".
pub fn refusal(revert: &ContractRevert) -> (String, String) {
    (screaming_snake(revert.name()), revert.to_string())
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
                if row.status == "pending" {
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
    /// Also resolves the amendment or claim a request answers.
    async fn simulate(&self, request: &mut ActionRequest) -> Result<Option<(String, String)>> {
        match self.egp.simulate_gateway(self.gateway(), &request.call).await {
            Ok(()) => {}
            Err(egp::Error::Reverted(revert)) => return Ok(Some(refusal(&revert))),
            Err(egp::Error::RpcUnreachable { reason, .. } | egp::Error::Rpc { reason, .. }) => {
                tracing::warn!(%reason, "the node could not simulate an action");
                return Err(Error::NodeUnavailable);
            }
            Err(other) => return Err(Error::Rpc(other.to_string())),
        }
        let Some(answers) = request.answers else { return Ok(None) };
        let id = request.call.guarantee;
        let view = match self.egp.guarantee(id).await {
            Ok(view) => view,
            Err(egp::Error::RpcUnreachable { .. } | egp::Error::Rpc { .. }) => return Err(Error::NodeUnavailable),
            Err(other) => return Err(Error::Rpc(other.to_string())),
        };
        // The simulation passed, so an amendment is pending or a claim is open: the last one.
        let (what, field, given, open) = match answers {
            Answers::Amendment(given) => ("amendment", "amendmentSequence", given, view.amendments),
            Answers::Claim(given) => ("claim", "claimSequence", given, view.claims),
        };
        request.arguments.insert(field.into(), json!(open));
        match given {
            Some(given) if given != open => Ok(Some((
                "STALE_SEQUENCE".to_owned(),
                format!("guarantee {id}: the open {what} is {what} {open}, not {what} {given}; nothing was sent"),
            ))),
            _ => Ok(None),
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
        assert_eq!(screaming_snake("GuaranteeNotInState"), "GUARANTEE_NOT_IN_STATE");
        assert_eq!(screaming_snake("NotGateway"), "NOT_GATEWAY");
    }
}
