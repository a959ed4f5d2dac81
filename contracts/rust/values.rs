//! The domain's values: bank codes, satang amounts, the short ASCII codes the contracts keep in
//! a `bytes32`, and record ids.

use std::fmt;
use std::str::FromStr;

use alloy::primitives::B256;
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

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
