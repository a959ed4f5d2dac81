//! The mutations: one per agency step, for the `egp` role, each naming the agency it acts for and
//! carrying the client's idempotency key. A mutation returns at once: the `Action`, `PENDING`
//! (queued for the gateway's signer), or `FAILED` with the contract's reason when a simulation
//! says the registry would refuse it (then nothing is sent). The same key with the same request
//! returns the same action; with another request it is `IDEMPOTENCY_CONFLICT`. No argument may
//! hold a 13-digit Thai id (`PERSONAL_DATA_REFUSED`).

use alloy::primitives::B256;
use async_graphql::{Context, InputObject, Object};
use egp::gateway::{GatewayCall, GatewayStep};
use egp_contracts::{Code, Satang, ThaiId};
use serde_json::{Map, Value, json};

use super::actions::{Action, outbox};
use super::guarantees::record_id;
use super::types::{parse_amount, parse_date, parse_id, today};
use crate::outbox::{ActionRequest, Answers};
use crate::{Error, Result};

/// Longest idempotency key.
const MAX_KEY: usize = 128;

/// A guarantee: its `id`, or `bankCode` and `bankRef`.
#[derive(Debug, Clone, InputObject)]
pub struct GuaranteeRefInput {
    /// The 0x id.
    pub id: Option<String>,
    /// The issuing bank (`002`), with `bankRef`.
    pub bank_code: Option<String>,
    /// The bank's reference, with `bankCode`.
    pub bank_ref: Option<String>,
}

impl GuaranteeRefInput {
    fn resolve(&self) -> Result<B256> {
        for (field, text) in [("id", &self.id), ("bankCode", &self.bank_code), ("bankRef", &self.bank_ref)] {
            refuse_personal_data(field, text.as_deref().unwrap_or_default())?;
        }
        let id = record_id(self.id.clone(), self.bank_code.clone(), self.bank_ref.clone())?;
        Ok(B256::from_slice(&id))
    }
}

macro_rules! input {
    ($(#[$meta:meta])* $name:ident { $($(#[$fmeta:meta])* $field:ident: $ty:ty),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, InputObject)]
        pub struct $name {
            /// The client's key for this request: send it again with a retry (same request, same
            /// action; never a second transaction). 1 to 128 printable ASCII characters.
            pub idempotency_key: String,
            /// The guarantee.
            pub guarantee: GuaranteeRefInput,
            /// The agency e-GP acts for (GFMIS code, the guarantee's beneficiary).
            pub agency_code: String,
            $($(#[$fmeta])* pub $field: $ty,)*
        }
    };
}

input! {
    /// Accept a pending guarantee.
    AcceptGuaranteeInput {}
}

input! {
    /// Reject a pending guarantee.
    RejectGuaranteeInput {
        /// The reason code (ASCII, up to 32 characters).
        reason_code: String,
    }
}

input! {
    /// Accept the pending amendment.
    AcceptAmendmentInput {
        /// The amendment answered (its sequence); by default the one pending. Refused with
        /// `STALE_SEQUENCE` when another is pending (the registry checks it too).
        sequence: Option<i32>,
    }
}

input! {
    /// Reject the pending amendment.
    RejectAmendmentInput {
        /// The reason code.
        reason_code: String,
        /// The amendment answered; by default the one pending.
        sequence: Option<i32>,
    }
}

input! {
    /// Release part of the outstanding amount.
    ReduceGuaranteeInput {
        /// By how much, satang (a string of digits).
        amount: String,
    }
}

input! {
    /// Release the guarantee in full.
    ReleaseGuaranteeInput {
        /// The day the contractor's obligations ended (`YYYY-MM-DD`, Bangkok); by default today.
        obligations_ended: Option<String>,
    }
}

input! {
    /// Demand payment, or with `extendTo` an extension or else payment.
    ClaimGuaranteeInput {
        /// The amount demanded, satang.
        amount: String,
        /// SHA-256 of the demand document (0x and 64 hex digits).
        demand_hash: String,
        /// Extend or pay: the expiry asked for (`YYYY-MM-DD`).
        extend_to: Option<String>,
    }
}

input! {
    /// Withdraw the open claim.
    WithdrawClaimInput {
        /// The claim withdrawn (its sequence); by default the open one.
        claim_sequence: Option<i32>,
    }
}

input! {
    /// Replace the guarantee with an accepted replacement or top-up for the same agency.
    SupersedeGuaranteeInput {
        /// The replacing guarantee.
        replacement: GuaranteeRefInput,
    }
}

/// Refuses any text that holds a valid 13-digit Thai id, without echoing it.
fn refuse_personal_data(field: &'static str, text: &str) -> Result<()> {
    if ThaiId::appears_in(text) { Err(Error::PersonalData { field }) } else { Ok(()) }
}

fn code(field: &'static str, text: &str) -> Result<Code> {
    refuse_personal_data(field, text)?;
    Code::new(text.trim()).map_err(|_| Error::invalid(field, "expected 1 to 32 printable ASCII characters"))
}

fn sequence(field: &'static str, value: Option<i32>) -> Result<Option<u16>> {
    value
        .map(|v| u16::try_from(v).ok().filter(|v| *v > 0).ok_or_else(|| Error::invalid(field, "expected 1 to 65535")))
        .transpose()
}

/// What every mutation names: the key, the guarantee, the agency.
struct Target {
    key: String,
    guarantee: B256,
    agency: Code,
}

impl Target {
    fn new(key: &str, guarantee: &GuaranteeRefInput, agency: &str) -> Result<Self> {
        let key = key.trim();
        if key.is_empty() || key.len() > MAX_KEY || !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Error::invalid(
                "idempotencyKey",
                format!("expected 1 to {MAX_KEY} printable ASCII characters"),
            ));
        }
        refuse_personal_data("idempotencyKey", key)?;
        Ok(Self { key: key.to_owned(), guarantee: guarantee.resolve()?, agency: code("agencyCode", agency)? })
    }

    fn request(self, step: GatewayStep, given: Value, arguments: Value, answers: Option<Answers>) -> ActionRequest {
        let object = |value: Value| match value {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        let call = GatewayCall::new(self.guarantee, &self.agency, step);
        ActionRequest::new(self.key, call, object(given), object(arguments), answers)
    }
}

async fn submit(ctx: &Context<'_>, request: ActionRequest) -> async_graphql::Result<Action> {
    let outbox = outbox(ctx, "take actions")?;
    Ok(Action(outbox.submit(request).await?))
}

/// The root mutation.
#[derive(Debug, Default)]
pub struct ActionMutation;

#[Object]
impl ActionMutation {
    /// Accepts a pending guarantee for the agency.
    async fn accept_guarantee(&self, ctx: &Context<'_>, input: AcceptGuaranteeInput) -> async_graphql::Result<Action> {
        outbox(ctx, "take actions")?;
        let target = Target::new(&input.idempotency_key, &input.guarantee, &input.agency_code)?;
        submit(ctx, target.request(GatewayStep::Accept, json!({}), json!({}), None)).await
    }

    /// Rejects a pending guarantee for the agency, with a reason code.
    async fn reject_guarantee(&self, ctx: &Context<'_>, input: RejectGuaranteeInput) -> async_graphql::Result<Action> {
        outbox(ctx, "take actions")?;
        let target = Target::new(&input.idempotency_key, &input.guarantee, &input.agency_code)?;
        let reason = code("reasonCode", &input.reason_code)?;
        let args = json!({ "reasonCode": reason.as_str() });
        submit(ctx, target.request(GatewayStep::Reject { reason }, args.clone(), args, None)).await
    }

    /// Accepts the pending amendment (`sequence`: the one answered, by default the pending one).
    async fn accept_amendment(&self, ctx: &Context<'_>, input: AcceptAmendmentInput) -> async_graphql::Result<Action> {
        outbox(ctx, "take actions")?;
        let target = Target::new(&input.idempotency_key, &input.guarantee, &input.agency_code)?;
        let answered = sequence("sequence", input.sequence)?;
        let given = json!({ "sequence": answered });
        let answers = Some(Answers::Amendment(answered));
        // Without a sequence, the outbox puts the pending amendment's in the call.
        let step = GatewayStep::AcceptAmendment { amendment: answered.unwrap_or_default() };
        submit(ctx, target.request(step, given, json!({}), answers)).await
    }

    /// Rejects the pending amendment, with a reason code.
    async fn reject_amendment(&self, ctx: &Context<'_>, input: RejectAmendmentInput) -> async_graphql::Result<Action> {
        outbox(ctx, "take actions")?;
        let target = Target::new(&input.idempotency_key, &input.guarantee, &input.agency_code)?;
        let reason = code("reasonCode", &input.reason_code)?;
        let answered = sequence("sequence", input.sequence)?;
        let given = json!({ "reasonCode": reason.as_str(), "sequence": answered });
        let args = json!({ "reasonCode": reason.as_str() });
        let answers = Some(Answers::Amendment(answered));
        let step = GatewayStep::RejectAmendment { amendment: answered.unwrap_or_default(), reason };
        submit(ctx, target.request(step, given, args, answers)).await
    }

    /// Releases part of the outstanding amount (less than all of it; `releaseGuarantee` for all).
    async fn reduce_guarantee(&self, ctx: &Context<'_>, input: ReduceGuaranteeInput) -> async_graphql::Result<Action> {
        outbox(ctx, "take actions")?;
        let target = Target::new(&input.idempotency_key, &input.guarantee, &input.agency_code)?;
        let by = Satang(parse_amount("amount", &input.amount)?);
        let args = json!({ "amount": by.0.to_string() });
        submit(ctx, target.request(GatewayStep::Reduce { by }, args.clone(), args, None)).await
    }

    /// Releases the guarantee in full; the contractor's obligations ended on `obligationsEnded`.
    async fn release_guarantee(
        &self,
        ctx: &Context<'_>,
        input: ReleaseGuaranteeInput,
    ) -> async_graphql::Result<Action> {
        outbox(ctx, "take actions")?;
        let target = Target::new(&input.idempotency_key, &input.guarantee, &input.agency_code)?;
        let given_date = input.obligations_ended.as_deref().map(|d| parse_date("obligationsEnded", d)).transpose()?;
        let obligations_ended = given_date.unwrap_or_else(|| today(None));
        let given = json!({ "obligationsEnded": given_date.map(|d| d.to_string()) });
        let args = json!({ "obligationsEnded": obligations_ended.to_string() });
        submit(ctx, target.request(GatewayStep::Release { obligations_ended }, given, args, None)).await
    }

    /// Demands payment of `amount`; with `extendTo`, an extension to that day or else payment.
    async fn claim_guarantee(&self, ctx: &Context<'_>, input: ClaimGuaranteeInput) -> async_graphql::Result<Action> {
        outbox(ctx, "take actions")?;
        let target = Target::new(&input.idempotency_key, &input.guarantee, &input.agency_code)?;
        let amount = Satang(parse_amount("amount", &input.amount)?);
        let demand_hash = B256::from_slice(&parse_id("demandHash", &input.demand_hash)?);
        let extend_to = input.extend_to.as_deref().map(|d| parse_date("extendTo", d)).transpose()?;
        let args = json!({
            "amount": amount.0.to_string(),
            "demandHash": demand_hash.to_string(),
            "extendTo": extend_to.map(|d| d.to_string()),
        });
        let step = match extend_to {
            Some(requested_expiry) => GatewayStep::ClaimExtendOrPay { amount, requested_expiry, demand_hash },
            None => GatewayStep::Claim { amount, demand_hash },
        };
        submit(ctx, target.request(step, args.clone(), args, None)).await
    }

    /// Withdraws the open claim (`claimSequence`: the one withdrawn, by default the open one).
    async fn withdraw_claim(&self, ctx: &Context<'_>, input: WithdrawClaimInput) -> async_graphql::Result<Action> {
        outbox(ctx, "take actions")?;
        let target = Target::new(&input.idempotency_key, &input.guarantee, &input.agency_code)?;
        let answered = sequence("claimSequence", input.claim_sequence)?;
        let given = json!({ "claimSequence": answered });
        let answers = Some(Answers::Claim(answered));
        submit(ctx, target.request(GatewayStep::WithdrawClaim, given, json!({}), answers)).await
    }

    /// Replaces the guarantee with `replacement`, an accepted replacement or top-up for the same
    /// agency (both are linked).
    async fn supersede_guarantee(
        &self,
        ctx: &Context<'_>,
        input: SupersedeGuaranteeInput,
    ) -> async_graphql::Result<Action> {
        outbox(ctx, "take actions")?;
        let target = Target::new(&input.idempotency_key, &input.guarantee, &input.agency_code)?;
        let replacement = input.replacement.resolve()?;
        let args = json!({ "replacement": replacement.to_string() });
        submit(ctx, target.request(GatewayStep::Supersede { replacement }, args.clone(), args, None)).await
    }
}
