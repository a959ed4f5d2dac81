//! Domain types shared by the whole workspace: the contracts' enums as Rust enums, bank codes,
//! satang amounts and the short ASCII codes the contracts keep in a `bytes32`.
//!
//! The enums mirror `contracts/src/interfaces/*.sol` variant for variant (a test compares them with
//! the Solidity sources); the ABI itself only knows them as `uint8`. Each is declared with
//! [`domain_enum!`](crate::domain_enum), which also maps it to its column and to GraphQL.

pub use crate::values::{BankCode, Code, Satang, check_bank_ref, record_id};

crate::domain_enum! {
    /// Guarantee types (Finance Ministry procurement regulation B.E. 2560).
    pub enum GuaranteeType: solidity "IGuaranteeRegistry.GuaranteeType" {
        /// Bid security (confidential: only e-GP and the issuing bank see it).
        TEND,
        /// Performance security.
        PERF,
        /// Advance payment.
        APAY,
        /// Retention money.
        RETN,
        /// Warranty.
        WARR,
        /// Any other guarantee.
        OTHR,
    }
}

crate::domain_enum! {
    /// How a guarantee ends.
    pub enum ExpiryType: solidity "IGuaranteeRegistry.ExpiryType" {
        /// On a fixed date.
        FIXD,
        /// Open-ended.
        OPEN,
        /// On a documented condition.
        COND,
    }
}

crate::domain_enum! {
    /// Where a guarantee stands (URDG 758 lifecycle).
    pub enum GuaranteeStatus: solidity "IGuaranteeRegistry.Status", unset None {
        /// Does not exist (never stored as a status; `status_before_suspension` when not suspended).
        None,
        /// Issued, awaiting the agency.
        PendingAcceptance,
        /// In force.
        Active,
        /// A demand for payment is open.
        Claimed,
        /// A demand to extend or else pay is open.
        ExtendOrPay,
        /// Frozen by the admin (court order, fraud).
        Suspended,
        /// The agency refused it.
        Rejected,
        /// The bank withdrew it before acceptance.
        Cancelled,
        /// Released in full.
        Released,
        /// Its fixed expiry passed.
        Expired,
        /// Paid out in full.
        PaidOut,
        /// Replaced by another guarantee.
        Superseded,
    }
}

impl GuaranteeStatus {
    /// Whether nothing can ever change any more.
    pub const fn is_terminal(self) -> bool {
        matches!(
            self,
            Self::Rejected | Self::Cancelled | Self::Released | Self::Expired | Self::PaidOut | Self::Superseded
        )
    }

    /// The statuses whose bits are set in a `GuaranteeNotInState` mask.
    pub fn from_mask(mask: u16) -> Vec<Self> {
        Self::ALL.iter().copied().filter(|status| mask & (1 << *status as u8) != 0).collect()
    }
}

crate::domain_enum! {
    /// A transition of a guarantee: what a refusal speaks of, or what made an amendment lapse.
    pub enum GuaranteeAction: solidity "IGuaranteeRegistry.Action" {
        /// Issue.
        Issue,
        /// Accept.
        Accept,
        /// Reject.
        Reject,
        /// Cancel.
        Cancel,
        /// Propose an amendment.
        ProposeAmendment,
        /// Accept an amendment.
        AcceptAmendment,
        /// Reject an amendment.
        RejectAmendment,
        /// Reduce (partial release).
        Reduce,
        /// Release in full.
        Release,
        /// Claim (pay, or extend or pay).
        Claim,
        /// Pay a claim.
        Pay,
        /// Reject a claim.
        RejectClaim,
        /// Extend in answer to extend-or-pay.
        Extend,
        /// Withdraw a claim.
        WithdrawClaim,
        /// Expire.
        Expire,
        /// Supersede.
        Supersede,
        /// Suspend.
        Suspend,
        /// Resume.
        Resume,
    }
}

impl GuaranteeAction {
    /// The action in plain words, as an operator would say it.
    pub const fn describe(self) -> &'static str {
        match self {
            Self::Issue => "issue",
            Self::Accept => "accept",
            Self::Reject => "reject",
            Self::Cancel => "cancel",
            Self::ProposeAmendment => "propose an amendment",
            Self::AcceptAmendment => "accept an amendment",
            Self::RejectAmendment => "reject an amendment",
            Self::Reduce => "reduce",
            Self::Release => "release",
            Self::Claim => "claim",
            Self::Pay => "pay",
            Self::RejectClaim => "reject a claim",
            Self::Extend => "extend",
            Self::WithdrawClaim => "withdraw a claim",
            Self::Expire => "expire",
            Self::Supersede => "supersede",
            Self::Suspend => "suspend",
            Self::Resume => "resume",
        }
    }
}

crate::domain_enum! {
    /// Company or individual.
    pub enum ApplicantType: solidity "ApplicantType" {
        /// A juristic person.
        Juristic,
        /// An individual.
        Individual,
    }
}

crate::domain_enum! {
    /// What a credit confirmation is for.
    pub enum Purpose: solidity "ICreditConfirmationRegistry.Purpose" {
        /// One e-GP project (with project number and budget).
        PROJECT,
        /// Supplier registration.
        REGISTRATION,
    }
}

crate::domain_enum! {
    /// Where a credit confirmation stands (as stored; see `expired` for validity by date).
    pub enum ConfirmationStatus: solidity "ICreditConfirmationRegistry.ConfirmationStatus", unset None {
        /// Does not exist.
        None,
        /// In force until `validUntil`.
        Valid,
        /// Revoked by the bank.
        Revoked,
        /// Replaced by the bank.
        Superseded,
        /// Marked expired.
        Expired,
    }
}

crate::domain_enum! {
    /// Bank or finance company.
    pub enum IssuerKind: solidity "IConsortium.IssuerKind" {
        /// A commercial bank.
        Bank,
        /// A finance company licensed for guarantee business.
        FinanceCompany,
    }
}

crate::domain_enum! {
    /// Where an issuer stands in the consortium.
    pub enum IssuerStatus: solidity "IConsortium.IssuerStatus", unset None {
        /// Never admitted.
        None,
        /// May sign.
        Active,
        /// Can do nothing.
        Suspended,
    }
}

crate::domain_enum! {
    /// The duties no address may combine in the consortium (separation of duties).
    pub enum Role: solidity "IConsortium.Role" {
        /// The CGD admin.
        Admin,
        /// An e-GP gateway.
        Gateway,
        /// An issuer's signer.
        Signer,
    }
}

impl Role {
    /// The duty in plain words.
    pub const fn describe(self) -> &'static str {
        match self {
            Self::Admin => "the consortium admin",
            Self::Gateway => "an e-GP gateway",
            Self::Signer => "a bank signer",
        }
    }
}

#[cfg(test)]
mod tests {
    use alloy::primitives::B256;

    use super::*;

    #[test]
    fn bank_codes_are_three_digits_between_001_and_999() {
        assert_eq!("002".parse::<BankCode>().unwrap().get(), 2);
        assert_eq!(BankCode::new(73).unwrap().to_string(), "073");
        for bad in ["2", "0002", "000", "abc", ""] {
            let err = bad.parse::<BankCode>().unwrap_err();
            assert!(err.to_string().contains(&format!("\"{bad}\"")), "{err}");
        }
        assert!(BankCode::new(1000).is_err());
    }

    #[test]
    fn satang_parse_and_format() {
        assert_eq!(Satang::from_baht("1,234,567.89").unwrap(), Satang(123_456_789));
        assert_eq!(Satang::from_baht("0.5").unwrap(), Satang(50));
        assert_eq!(Satang::from_baht("100 THB").unwrap(), Satang(10_000));
        assert_eq!(Satang(123_456_789).to_string(), "1,234,567.89 THB");
        assert_eq!(Satang(5).to_string(), "0.05 THB");
        assert_eq!(Satang(100_000_000).to_string(), "1,000,000.00 THB");
        for bad in ["", "1.234", "-5", "1e6", "12,3x"] {
            assert!(Satang::from_baht(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn codes_round_trip_through_bytes32() {
        let code = Code::new("21009").unwrap();
        let word = code.to_b256();
        assert_eq!(&word[..5], b"21009");
        assert_eq!(Code::from_b256(word).unwrap(), Some(code));
        assert_eq!(Code::from_b256(B256::ZERO).unwrap(), None);
        assert!(Code::new(&"x".repeat(33)).is_err());
        assert!(Code::new("").is_err());
        assert!(Code::new("กรม").is_err());
    }

    #[test]
    fn record_ids_match_the_registries_formula() {
        let id = record_id(BankCode::new(2).unwrap(), "LG-2569-000001");
        assert_eq!(id, alloy::primitives::keccak256([&[0u8, 2][..], b"LG-2569-000001"].concat()));
        assert!(check_bank_ref("").is_err() && check_bank_ref(&"x".repeat(36)).is_err());
        assert!(check_bank_ref(&"x".repeat(35)).is_ok());
    }

    #[test]
    fn enums_convert_from_u8_and_names() {
        assert_eq!(GuaranteeStatus::try_from(2).unwrap(), GuaranteeStatus::Active);
        assert_eq!("paidout".parse::<GuaranteeStatus>().unwrap(), GuaranteeStatus::PaidOut);
        assert!(GuaranteeStatus::try_from(12).is_err());
        assert_eq!(
            GuaranteeStatus::from_mask((1 << 3) | (1 << 4)),
            vec![GuaranteeStatus::Claimed, GuaranteeStatus::ExtendOrPay]
        );
        assert!(GuaranteeStatus::Superseded.is_terminal() && !GuaranteeStatus::Suspended.is_terminal());
    }
}
