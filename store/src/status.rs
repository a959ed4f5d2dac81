//! The statuses and kinds the mirror and the API derive (the contracts' own enums are in
//! `egp-contracts`): each declared once with [`egp_contracts::domain_enum!`], stored as its name in
//! a `TEXT` column and, in the API (feature `graphql`), a GraphQL enum; never spelled anywhere else.

egp_contracts::domain_enum! {
    /// Where an amendment proposal stands.
    pub enum AmendmentStatus {
        /// Proposed, awaiting the agency.
        Pending,
        /// Accepted: the terms changed.
        Accepted,
        /// Refused by the agency.
        Rejected,
        /// Overtaken, unanswered, by a later change of terms or by the end of the guarantee (see
        /// `lapseCause`).
        Lapsed,
    }
}

egp_contracts::domain_enum! {
    /// Where a claim (demand for payment) stands.
    pub enum ClaimStatus {
        /// Awaiting the bank's answer.
        Open,
        /// Paid.
        Paid,
        /// Refused by the bank (with discrepancies).
        Rejected,
        /// Withdrawn by the agency.
        Withdrawn,
        /// Answered by extending the guarantee (extend-or-pay).
        Extended,
    }
}

egp_contracts::domain_enum! {
    /// What a release row records.
    pub enum ReleaseKind {
        /// Part of the outstanding amount released.
        Reduce,
        /// The guarantee released in full.
        Release,
    }
}

// `actions.kind` holds these in lower camel case, as it always has.
egp_contracts::domain_enum! {
    /// The agency step an action takes.
    pub enum ActionKind {
        /// Accept a pending guarantee.
        Accept = "accept",
        /// Reject a pending guarantee.
        Reject = "reject",
        /// Accept the pending amendment.
        AcceptAmendment = "acceptAmendment",
        /// Reject the pending amendment.
        RejectAmendment = "rejectAmendment",
        /// Release part of the outstanding amount.
        Reduce = "reduce",
        /// Release in full.
        Release = "release",
        /// Demand payment.
        Claim = "claim",
        /// Demand an extension, or else payment.
        ClaimExtendOrPay = "claimExtendOrPay",
        /// Withdraw the open claim.
        WithdrawClaim = "withdrawClaim",
        /// Replace with another guarantee.
        Supersede = "supersede",
    }
}

// `actions.status` holds these in lower case, as it always has.
egp_contracts::domain_enum! {
    /// Where an action stands.
    pub enum ActionStatus {
        /// Accepted and stored; no transaction sent yet.
        Pending = "pending",
        /// Its transaction is signed, recorded and sent (`transactionHash`); not yet in the mirror.
        Submitted = "submitted",
        /// Its event is in the indexer's mirror (`blockNumber`, `logIndex`, `event`).
        Included = "included",
        /// Its event's block is final: it cannot be undone.
        Final = "final",
        /// Refused (`error`): nothing of it changed on chain.
        Failed = "failed",
    }
}

impl ActionStatus {
    /// The statuses of an action the sender or the tracker still work on.
    pub const OPEN: [Self; 3] = [Self::Pending, Self::Submitted, Self::Included];
    /// The statuses of an action nothing of which is mirrored yet: the sender may still fail it.
    pub const NOT_MIRRORED: [Self; 2] = [Self::Pending, Self::Submitted];

    /// Whether nothing more will happen to the action.
    pub const fn is_settled(self) -> bool {
        matches!(self, Self::Final | Self::Failed)
    }
}

#[cfg(test)]
mod tests {
    use egp_contracts::DomainEnum;

    use super::*;

    #[test]
    fn names_are_the_stored_spellings() {
        assert_eq!(
            ClaimStatus::ALL.iter().map(|s| s.name()).collect::<Vec<_>>(),
            ["Open", "Paid", "Rejected", "Withdrawn", "Extended"]
        );
        assert_eq!(AmendmentStatus::Lapsed.to_string(), "Lapsed");
        assert_eq!(ReleaseKind::Reduce.name(), "Reduce");
        assert_eq!(
            ActionStatus::ALL.iter().map(|s| s.name()).collect::<Vec<_>>(),
            ["pending", "submitted", "included", "final", "failed"]
        );
        assert_eq!(ActionKind::ClaimExtendOrPay.name(), "claimExtendOrPay");
        assert_eq!(ActionKind::ClaimExtendOrPay.graphql_name(), "CLAIM_EXTEND_OR_PAY");
        assert_eq!(ActionKind::from_name("withdrawClaim"), Some(ActionKind::WithdrawClaim));
    }
}
