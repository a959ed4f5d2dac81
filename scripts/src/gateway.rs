//! What e-GP does for an agency, through its gateway address and naming the agency: accept or
//! reject a guarantee or an amendment, reduce or release, claim (pay, or extend or pay),
//! withdraw a claim, supersede with a replacement.
//!
//! The answers to an amendment ([`Egp::accept_amendment`], [`Egp::reject_amendment`]) name the
//! amendment they answer, as the contract requires: give the sequence number e-GP showed the agency
//! (`Some(n)`), or `None` to have it read here. Either way nothing is sent when no amendment is
//! pending or when amendment `n` is no longer the pending one.

use alloy::primitives::B256;
use chrono::NaiveDate;
use egp_contracts::{Code, Satang, dates};

use crate::outcome::{Outcome, Subject};
use crate::{Egp, Result};

impl Egp {
    /// Accepts a pending guarantee for `agency`.
    pub async fn accept(&self, id: B256, agency: &Code) -> Result<Outcome> {
        let registry = self.guarantees();
        let sent = self.transact(registry.accept(id, agency.to_b256())).await?;
        self.guarantee_outcome("accept", id, sent).await
    }

    /// Rejects a pending guarantee for `agency`, with a reason code.
    pub async fn reject(&self, id: B256, agency: &Code, reason: &Code) -> Result<Outcome> {
        let registry = self.guarantees();
        let sent = self.transact(registry.reject(id, agency.to_b256(), reason.to_b256())).await?;
        self.guarantee_outcome("reject", id, sent).await
    }

    /// Accepts the pending amendment of guarantee `id` for `agency`. `amendment` is the sequence
    /// number of the amendment the agency agreed to, as read; `None` accepts the one pending now.
    /// Nothing is sent when none is pending, or when `amendment` is no longer the pending one
    /// ([`crate::Error::NothingToAnswer`], [`crate::Error::MovedOn`]).
    pub async fn accept_amendment(&self, id: B256, agency: &Code, amendment: Option<u16>) -> Result<Outcome> {
        let sequence = self.amendment_to_answer(id, amendment, "accept").await?;
        let registry = self.guarantees();
        let sent = self.transact(registry.acceptAmendment(id, agency.to_b256(), sequence)).await?;
        self.answer_outcome("accept", id, Subject::Amendment { id, sequence }, sent).await
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
        let sequence = self.amendment_to_answer(id, amendment, "reject").await?;
        let registry = self.guarantees();
        let sent = self.transact(registry.rejectAmendment(id, agency.to_b256(), sequence, reason.to_b256())).await?;
        self.answer_outcome("reject", id, Subject::Amendment { id, sequence }, sent).await
    }

    /// Releases `by` of the outstanding amount (a partial release).
    pub async fn reduce(&self, id: B256, agency: &Code, by: Satang) -> Result<Outcome> {
        let registry = self.guarantees();
        let sent = self.transact(registry.reduce(id, agency.to_b256(), by.0)).await?;
        self.guarantee_outcome("reduce", id, sent).await
    }

    /// Releases the guarantee in full; the contractor's obligations ended on `obligations_ended`.
    pub async fn release(&self, id: B256, agency: &Code, obligations_ended: NaiveDate) -> Result<Outcome> {
        let registry = self.guarantees();
        let ended = dates::start_of_day(obligations_ended);
        let sent = self.transact(registry.release(id, agency.to_b256(), ended)).await?;
        self.guarantee_outcome("release", id, sent).await
    }

    /// Demands payment of `amount`, with the hash of the demand document.
    pub async fn claim(&self, id: B256, agency: &Code, amount: Satang, demand_hash: B256) -> Result<Outcome> {
        let registry = self.guarantees();
        let sent = self.transact(registry.claim(id, agency.to_b256(), amount.0, demand_hash)).await?;
        self.guarantee_outcome("claim", id, sent).await
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
        let registry = self.guarantees();
        let requested = dates::end_of_day(requested_expiry);
        let call = registry.claimExtendOrPay(id, agency.to_b256(), amount.0, requested, demand_hash);
        let sent = self.transact(call).await?;
        self.guarantee_outcome("claim extend-or-pay", id, sent).await
    }

    /// Withdraws the open claim.
    pub async fn withdraw_claim(&self, id: B256, agency: &Code) -> Result<Outcome> {
        let registry = self.guarantees();
        let sent = self.transact(registry.withdrawClaim(id, agency.to_b256())).await?;
        self.guarantee_outcome("withdraw claim", id, sent).await
    }

    /// Replaces guarantee `id` with `replacement` (a replacement or top-up for the same agency).
    pub async fn supersede(&self, id: B256, agency: &Code, replacement: B256) -> Result<Outcome> {
        let registry = self.guarantees();
        let sent = self.transact(registry.supersede(id, agency.to_b256(), replacement)).await?;
        self.guarantee_outcome("supersede", id, sent).await
    }
}
