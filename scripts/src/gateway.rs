//! What e-GP does for an agency, through its gateway address and naming the agency: accept or
//! reject a guarantee or an amendment, reduce or release, claim (pay, or extend or pay),
//! withdraw a claim, supersede with a replacement.
//!
//! [`GatewayCall`] is the one place each step's registry call is built: the `Egp` methods below
//! send it from this connection's wallet; the API's outbox (`egp-api`) simulates it, signs it
//! with the gateway's signer and sends it itself.
//!
//! The answers to an amendment ([`Egp::accept_amendment`], [`Egp::reject_amendment`]) name the
//! amendment they answer, as the contract requires: give the sequence number e-GP showed the agency
//! (`Some(n)`), or `None` to have it read here. Either way nothing is sent when no amendment is
//! pending or when amendment `n` is no longer the pending one.

use alloy::contract::RawCallBuilder;
use alloy::primitives::{Address, B256, Bytes};
use alloy::providers::DynProvider;
use alloy::sol_types::SolCall;
use chrono::NaiveDate;
use egp_contracts::bindings::guarantee_registry::GuaranteeRegistry as Registry;
use egp_contracts::{Code, Satang, dates};

use crate::outcome::{Outcome, Subject};
use crate::{Egp, Result};

/// One agency-side step, with its own arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GatewayStep {
    /// Accept a pending guarantee.
    Accept,
    /// Reject a pending guarantee, with a reason code.
    Reject {
        /// The reason code.
        reason: Code,
    },
    /// Accept the pending amendment, named by its sequence (a stale one is refused).
    AcceptAmendment {
        /// The sequence number of the amendment answered.
        amendment: u16,
    },
    /// Reject the pending amendment, named by its sequence, with a reason code.
    RejectAmendment {
        /// The sequence number of the amendment answered.
        amendment: u16,
        /// The reason code.
        reason: Code,
    },
    /// Release part of the outstanding amount.
    Reduce {
        /// By how much.
        by: Satang,
    },
    /// Release in full; the contractor's obligations ended on this Bangkok day.
    Release {
        /// The day the obligations ended.
        obligations_ended: NaiveDate,
    },
    /// Demand payment.
    Claim {
        /// The amount demanded.
        amount: Satang,
        /// SHA-256 of the demand document.
        demand_hash: B256,
    },
    /// Demand an extension to the end of `requested_expiry`, or else payment.
    ClaimExtendOrPay {
        /// The amount demanded if the bank does not extend.
        amount: Satang,
        /// The expiry asked for (Bangkok day).
        requested_expiry: NaiveDate,
        /// SHA-256 of the demand document.
        demand_hash: B256,
    },
    /// Withdraw the open claim.
    WithdrawClaim,
    /// Replace the guarantee with `replacement` (a replacement or top-up for the same agency).
    Supersede {
        /// The replacing guarantee.
        replacement: B256,
    },
}

/// A step on a guarantee, for an agency: everything the registry call needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayCall {
    /// The guarantee.
    pub guarantee: B256,
    /// The agency e-GP acts for (the guarantee's beneficiary).
    pub agency: Code,
    /// What to do.
    pub step: GatewayStep,
}

impl GatewayStep {
    /// The step in words ("accept amendment"), as outcomes and logs name it.
    pub fn describe(&self) -> &'static str {
        match self {
            Self::Accept => "accept",
            Self::Reject { .. } => "reject",
            Self::AcceptAmendment { .. } => "accept amendment",
            Self::RejectAmendment { .. } => "reject amendment",
            Self::Reduce { .. } => "reduce",
            Self::Release { .. } => "release",
            Self::Claim { .. } => "claim",
            Self::ClaimExtendOrPay { .. } => "claim extend-or-pay",
            Self::WithdrawClaim => "withdraw claim",
            Self::Supersede { .. } => "supersede",
        }
    }
}

impl GatewayCall {
    /// A step on `guarantee` for `agency`.
    pub fn new(guarantee: B256, agency: &Code, step: GatewayStep) -> Self {
        Self { guarantee, agency: agency.clone(), step }
    }

    /// The ABI-encoded call to the e-LG registry.
    pub fn calldata(&self) -> Bytes {
        let (id, agency) = (self.guarantee, self.agency.to_b256());
        let encoded = match &self.step {
            GatewayStep::Accept => Registry::acceptCall { id, agencyCode: agency }.abi_encode(),
            GatewayStep::Reject { reason } => {
                Registry::rejectCall { id, agencyCode: agency, reasonCode: reason.to_b256() }.abi_encode()
            }
            GatewayStep::AcceptAmendment { amendment } => {
                Registry::acceptAmendmentCall { id, agencyCode: agency, sequence: *amendment }.abi_encode()
            }
            GatewayStep::RejectAmendment { amendment, reason } => Registry::rejectAmendmentCall {
                id,
                agencyCode: agency,
                sequence: *amendment,
                reasonCode: reason.to_b256(),
            }
            .abi_encode(),
            GatewayStep::Reduce { by } => Registry::reduceCall { id, agencyCode: agency, reduceBy: by.0 }.abi_encode(),
            GatewayStep::Release { obligations_ended } => Registry::releaseCall {
                id,
                agencyCode: agency,
                obligationsEndedAt: dates::start_of_day(*obligations_ended),
            }
            .abi_encode(),
            GatewayStep::Claim { amount, demand_hash } => {
                Registry::claimCall { id, agencyCode: agency, amount: amount.0, demandHash: *demand_hash }.abi_encode()
            }
            GatewayStep::ClaimExtendOrPay { amount, requested_expiry, demand_hash } => Registry::claimExtendOrPayCall {
                id,
                agencyCode: agency,
                amount: amount.0,
                requestedExpiryDate: dates::end_of_day(*requested_expiry),
                demandHash: *demand_hash,
            }
            .abi_encode(),
            GatewayStep::WithdrawClaim => Registry::withdrawClaimCall { id, agencyCode: agency }.abi_encode(),
            GatewayStep::Supersede { replacement } => {
                Registry::supersedeCall { id, agencyCode: agency, replacementId: *replacement }.abi_encode()
            }
        };
        encoded.into()
    }

    /// What an outcome of the call says it acted on, in words and as a subject: an answer to an
    /// amendment names the amendment ("accept amendment 2 of guarantee 0x…").
    fn acted_on(&self) -> (&'static str, Subject) {
        let id = self.guarantee;
        match &self.step {
            GatewayStep::AcceptAmendment { amendment } => ("accept", Subject::Amendment { id, sequence: *amendment }),
            GatewayStep::RejectAmendment { amendment, .. } => {
                ("reject", Subject::Amendment { id, sequence: *amendment })
            }
            step => (step.describe(), Subject::Guarantee { id }),
        }
    }
}

impl Egp {
    /// Sends `call` from this connection's wallet (the gateway): simulated first, then sent and
    /// waited for; a refusal is one sentence and nothing is sent.
    pub async fn gateway(&self, call: &GatewayCall) -> Result<Outcome> {
        let sent = self.transact(self.gateway_call(call)).await?;
        let (action, subject) = call.acted_on();
        self.answer_outcome(action, call.guarantee, subject, sent).await
    }

    /// Simulates `call` as sent by `gateway` (`eth_call` on the latest block): `Ok` when the
    /// registry would accept it, else its refusal in words ([`crate::Error::Reverted`]) or why
    /// the node could not say.
    pub async fn simulate_gateway(&self, gateway: Address, call: &GatewayCall) -> Result<()> {
        self.gateway_call(call).from(gateway).call().await.map(drop).map_err(|error| self.call_error(error))
    }

    fn gateway_call(&self, call: &GatewayCall) -> RawCallBuilder<DynProvider> {
        let registry = self.deployment().contracts.guarantee_registry.address;
        RawCallBuilder::new_raw(self.provider().clone(), call.calldata()).to(registry)
    }

    /// Accepts a pending guarantee for `agency`.
    pub async fn accept(&self, id: B256, agency: &Code) -> Result<Outcome> {
        self.gateway(&GatewayCall::new(id, agency, GatewayStep::Accept)).await
    }

    /// Rejects a pending guarantee for `agency`, with a reason code.
    pub async fn reject(&self, id: B256, agency: &Code, reason: &Code) -> Result<Outcome> {
        self.gateway(&GatewayCall::new(id, agency, GatewayStep::Reject { reason: reason.clone() })).await
    }

    /// Accepts the pending amendment of guarantee `id` for `agency`. `amendment` is the sequence
    /// number of the amendment the agency agreed to, as read; `None` accepts the one pending now.
    /// Nothing is sent when none is pending, or when `amendment` is no longer the pending one
    /// ([`crate::Error::NothingToAnswer`], [`crate::Error::MovedOn`]).
    pub async fn accept_amendment(&self, id: B256, agency: &Code, amendment: Option<u16>) -> Result<Outcome> {
        let amendment = self.amendment_to_answer(id, amendment, "accept").await?;
        self.gateway(&GatewayCall::new(id, agency, GatewayStep::AcceptAmendment { amendment })).await
    }

    /// Rejects the pending amendment of guarantee `id` for `agency`, with a reason code.
    /// `amendment` as for [`Egp::accept_amendment`].
    pub async fn reject_amendment(
        &self,
        id: B256,
        agency: &Code,
        amendment: Option<u16>,
        reason: &Code,
    ) -> Result<Outcome> {
        let amendment = self.amendment_to_answer(id, amendment, "reject").await?;
        let step = GatewayStep::RejectAmendment { amendment, reason: reason.clone() };
        self.gateway(&GatewayCall::new(id, agency, step)).await
    }

    /// Releases `by` of the outstanding amount (a partial release).
    pub async fn reduce(&self, id: B256, agency: &Code, by: Satang) -> Result<Outcome> {
        self.gateway(&GatewayCall::new(id, agency, GatewayStep::Reduce { by })).await
    }

    /// Releases the guarantee in full; the contractor's obligations ended on `obligations_ended`.
    pub async fn release(&self, id: B256, agency: &Code, obligations_ended: NaiveDate) -> Result<Outcome> {
        self.gateway(&GatewayCall::new(id, agency, GatewayStep::Release { obligations_ended })).await
    }

    /// Demands payment of `amount`, with the hash of the demand document.
    pub async fn claim(&self, id: B256, agency: &Code, amount: Satang, demand_hash: B256) -> Result<Outcome> {
        self.gateway(&GatewayCall::new(id, agency, GatewayStep::Claim { amount, demand_hash })).await
    }

    /// Demands an extension to the end of `requested_expiry`, or else payment of `amount`.
    pub async fn claim_extend_or_pay(
        &self,
        id: B256,
        agency: &Code,
        amount: Satang,
        requested_expiry: NaiveDate,
        demand_hash: B256,
    ) -> Result<Outcome> {
        let step = GatewayStep::ClaimExtendOrPay { amount, requested_expiry, demand_hash };
        self.gateway(&GatewayCall::new(id, agency, step)).await
    }

    /// Withdraws the open claim.
    pub async fn withdraw_claim(&self, id: B256, agency: &Code) -> Result<Outcome> {
        self.gateway(&GatewayCall::new(id, agency, GatewayStep::WithdrawClaim)).await
    }

    /// Replaces guarantee `id` with `replacement` (a replacement or top-up for the same agency).
    pub async fn supersede(&self, id: B256, agency: &Code, replacement: B256) -> Result<Outcome> {
        self.gateway(&GatewayCall::new(id, agency, GatewayStep::Supersede { replacement })).await
    }
}
