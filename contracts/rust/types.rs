//! Domain types shared by the whole workspace: the contracts' enums as Rust enums, bank codes,
//! satang amounts and the short ASCII codes the contracts keep in a `bytes32`.
//!
//! The enums mirror `contracts/src/interfaces/*.sol` variant for variant (a test compares them with
//! the Solidity sources); the ABI itself only knows them as `uint8`.

use std::fmt;
use std::str::FromStr;

use alloy::primitives::B256;
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// Declares a Rust enum mirroring a Solidity enum: `u8` conversions, names as in Solidity for
/// `Display`/`FromStr` (case-insensitive) and serde.
macro_rules! solidity_enum {
    ($(#[$meta:meta])* $name:ident = $solidity:literal { $($(#[$vmeta:meta])* $variant:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[repr(u8)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every variant, in Solidity order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];
            /// The Solidity enum this mirrors (`Contract.Enum` or a file-level name).
            pub const SOLIDITY_NAME: &'static str = $solidity;

            /// The variant's name as Solidity spells it.
            pub const fn name(self) -> &'static str {
                match self {
                    $(Self::$variant => stringify!($variant)),+
                }
            }
        }

        impl TryFrom<u8> for $name {
            type Error = Error;

            fn try_from(value: u8) -> Result<Self> {
                Self::ALL.get(usize::from(value)).copied().ok_or_else(|| Error::UnknownEnumValue {
                    kind: $solidity,
                    value: value.to_string(),
                })
            }
        }

        impl From<$name> for u8 {
            fn from(value: $name) -> u8 {
                value as u8
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }

        impl FromStr for $name {
            type Err = Error;

            fn from_str(text: &str) -> Result<Self> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|variant| variant.name().eq_ignore_ascii_case(text.trim()))
                    .ok_or_else(|| Error::UnknownEnumValue { kind: $solidity, value: text.to_owned() })
            }
        }
    };
}

solidity_enum! {
    /// Guarantee types of the procurement regulation B.E. 2560.
    GuaranteeType = "IGuaranteeRegistry.GuaranteeType" {
        /// Bid security.
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

solidity_enum! {
    /// How a guarantee ends.
    ExpiryType = "IGuaranteeRegistry.ExpiryType" {
        /// On a fixed date.
        FIXD,
        /// Open-ended.
        OPEN,
        /// On a documented condition.
        COND,
    }
}

solidity_enum! {
    /// Where a guarantee stands (URDG 758 lifecycle).
    GuaranteeStatus = "IGuaranteeRegistry.Status" {
        /// Does not exist.
        None,
        /// Issued, awaiting the agency.
        PendingAcceptance,
        /// In force.
        Active,
        /// A demand for payment is open.
        Claimed,
        /// A demand to extend or else pay is open.
        ExtendOrPay,
        /// Frozen by the admin.
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

solidity_enum! {
    /// The transition a guarantee error speaks of.
    GuaranteeAction = "IGuaranteeRegistry.Action" {
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

solidity_enum! {
    /// Company or individual (only a commitment of the id goes on chain either way).
    ApplicantType = "ApplicantType" {
        /// A juristic person (registration number starts with 0).
        Juristic,
        /// An individual.
        Individual,
    }
}

solidity_enum! {
    /// What a credit confirmation is for.
    Purpose = "ICreditConfirmationRegistry.Purpose" {
        /// One e-GP project (with project number and budget).
        PROJECT,
        /// Supplier registration.
        REGISTRATION,
    }
}

solidity_enum! {
    /// Where a credit confirmation stands.
    ConfirmationStatus = "ICreditConfirmationRegistry.ConfirmationStatus" {
        /// Does not exist.
        None,
        /// In force.
        Valid,
        /// Revoked by the bank.
        Revoked,
        /// Replaced by the bank.
        Superseded,
        /// Past its validity.
        Expired,
    }
}

solidity_enum! {
    /// Bank or finance company.
    IssuerKind = "IConsortium.IssuerKind" {
        /// A commercial bank.
        Bank,
        /// A finance company licensed for guarantee business.
        FinanceCompany,
    }
}

solidity_enum! {
    /// Where an issuer stands in the consortium.
    IssuerStatus = "IConsortium.IssuerStatus" {
        /// Never admitted.
        None,
        /// May sign.
        Active,
        /// Can do nothing.
        Suspended,
    }
}

solidity_enum! {
    /// The duties no address may combine in the consortium (separation of duties).
    Role = "IConsortium.Role" {
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

/// A 3-digit Bank of Thailand bank code (`002` Bangkok Bank). On chain a `uint16`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct BankCode(u16);

impl BankCode {
    /// A code from its number, 1 to 999.
    pub fn new(code: u16) -> Result<Self> {
        if (1..=999).contains(&code) { Ok(Self(code)) } else { Err(Error::InvalidBankCode { value: code.to_string() }) }
    }

    /// The number as the contracts hold it.
    pub const fn get(self) -> u16 {
        self.0
    }
}

impl FromStr for BankCode {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self> {
        let text = text.trim();
        if text.len() != 3 || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::InvalidBankCode { value: text.to_owned() });
        }
        Self::new(text.parse().expect("three digits")).map_err(|_| Error::InvalidBankCode { value: text.to_owned() })
    }
}

impl TryFrom<String> for BankCode {
    type Error = Error;

    fn try_from(text: String) -> Result<Self> {
        text.parse()
    }
}

impl From<BankCode> for String {
    fn from(code: BankCode) -> Self {
        code.to_string()
    }
}

impl fmt::Display for BankCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:03}", self.0)
    }
}

/// An amount of Thai baht in satang (1 THB = 100 satang). Never a float.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize)]
pub struct Satang(pub u128);

impl Satang {
    /// Parses baht as people write them: `1,234,567.89`, `1234567`, `0.5`.
    pub fn from_baht(text: &str) -> Result<Self> {
        let invalid = || Error::InvalidAmount { value: text.to_owned() };
        let cleaned: String = text.trim().trim_end_matches("THB").trim().replace(',', "");
        let (whole, fraction) = cleaned.split_once('.').unwrap_or((&cleaned, ""));
        if whole.is_empty()
            || fraction.len() > 2
            || !(whole.bytes().chain(fraction.bytes())).all(|b| b.is_ascii_digit())
        {
            return Err(invalid());
        }
        let whole: u128 = whole.parse().map_err(|_| invalid())?;
        let fraction: u128 =
            if fraction.is_empty() { 0 } else { format!("{fraction:0<2}").parse().map_err(|_| invalid())? };
        whole.checked_mul(100).and_then(|s| s.checked_add(fraction)).map(Self).ok_or_else(invalid)
    }
}

impl fmt::Display for Satang {
    /// `1,234,567.89 THB`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whole = (self.0 / 100).to_string();
        let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
        for (index, ch) in whole.chars().enumerate() {
            if index > 0 && (whole.len() - index).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(ch);
        }
        write!(f, "{grouped}.{:02} THB", self.0 % 100)
    }
}

/// A short code held on chain as left-aligned ASCII in a `bytes32`: agency codes (`21009`),
/// e-GP project numbers, branch codes, reason and discrepancy codes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Code(String);

impl Code {
    /// A code of 1 to 32 printable ASCII characters.
    pub fn new(text: &str) -> Result<Self> {
        if text.is_empty() || text.len() > 32 || !text.bytes().all(|b| b.is_ascii_graphic() || b == b' ') {
            return Err(Error::InvalidCode { value: text.to_owned() });
        }
        Ok(Self(text.to_owned()))
    }

    /// The code as the contracts hold it.
    pub fn to_b256(&self) -> B256 {
        let mut word = [0u8; 32];
        word[..self.0.len()].copy_from_slice(self.0.as_bytes());
        B256::from(word)
    }

    /// Reads a code back from a `bytes32`; `None` for the zero word.
    pub fn from_b256(word: B256) -> Result<Option<Self>> {
        let end = word.iter().position(|&b| b == 0).unwrap_or(32);
        if end == 0 {
            return Ok(None);
        }
        let text = std::str::from_utf8(&word[..end]).map_err(|_| Error::InvalidCode { value: word.to_string() })?;
        if word[end..].iter().any(|&b| b != 0) {
            return Err(Error::InvalidCode { value: word.to_string() });
        }
        Self::new(text).map(Some)
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for Code {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self> {
        Self::new(text)
    }
}

impl TryFrom<String> for Code {
    type Error = Error;

    fn try_from(text: String) -> Result<Self> {
        Self::new(&text)
    }
}

impl From<Code> for String {
    fn from(code: Code) -> Self {
        code.0
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The id of guarantee or credit confirmation `bank_ref` of `bank`, as the registries compute it:
/// `keccak256(abi.encodePacked(uint16 bankCode, bankRef))`.
pub fn record_id(bank: BankCode, bank_ref: &str) -> B256 {
    let mut packed = Vec::with_capacity(2 + bank_ref.len());
    packed.extend_from_slice(&bank.get().to_be_bytes());
    packed.extend_from_slice(bank_ref.as_bytes());
    alloy::primitives::keccak256(packed)
}

/// A bank reference: 1 to 35 bytes, as the registries require.
pub fn check_bank_ref(bank_ref: &str) -> Result<()> {
    if bank_ref.is_empty() || bank_ref.len() > 35 {
        return Err(Error::InvalidBankRef { value: bank_ref.to_owned() });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
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
