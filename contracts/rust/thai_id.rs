//! Thai 13-digit identifiers (national id or juristic registration number) and their on-chain
//! commitments.
//!
//! An id is personal data for individuals (PDPA B.E. 2562), so a [`ThaiId`] never prints itself:
//! `Debug` is redacted, there is no `Display`, and parse errors name the problem, never the digits.
//! Only [`ThaiId::commit`] leaves the process: HMAC-SHA256 of the 13 ASCII digits under the
//! consortium's off-chain [`Pepper`].

use std::fmt;
use std::str::FromStr;

use alloy::primitives::B256;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Why a string is not a valid Thai 13-digit id. Never carries the id itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ThaiIdError {
    /// Not 13 digits once spaces and dashes are removed.
    #[error("a Thai id has 13 digits, this one has {found}")]
    WrongLength {
        /// How many characters were left after removing separators.
        found: usize,
    },
    /// A character other than a digit, space or dash.
    #[error("a Thai id holds only digits (spaces and dashes allowed), found another character at position {position}")]
    NotADigit {
        /// 1-based position in the input.
        position: usize,
    },
    /// The 13th digit does not match the first twelve.
    #[error("the Thai id's check digit does not match its first 12 digits")]
    CheckDigit,
}

/// A validated Thai 13-digit id. Deliberately opaque: it cannot be printed or serialised.
#[derive(Clone, PartialEq, Eq)]
pub struct ThaiId([u8; 13]);

impl ThaiId {
    /// The check digit for the first twelve digits: `(11 − Σ d[i]·(14−i) mod 11) mod 10`.
    pub fn check_digit(first_twelve: &[u8; 12]) -> u8 {
        let sum: u32 =
            first_twelve.iter().zip((2..=13u32).rev()).map(|(&digit, weight)| u32::from(digit) * weight).sum();
        ((11 - sum % 11) % 10) as u8
    }

    /// Builds an id from twelve digits, appending the correct check digit (for synthetic data).
    pub fn from_first_twelve(first_twelve: [u8; 12]) -> Result<Self, ThaiIdError> {
        if let Some(position) = first_twelve.iter().position(|&d| d > 9) {
            return Err(ThaiIdError::NotADigit { position: position + 1 });
        }
        let mut digits = [0u8; 13];
        digits[..12].copy_from_slice(&first_twelve);
        digits[12] = Self::check_digit(&first_twelve);
        Ok(Self(digits))
    }

    /// Juristic persons' registration numbers start with 0; national ids of individuals do not.
    pub fn is_juristic(&self) -> bool {
        self.0[0] == 0
    }

    /// Whether `text` holds a valid Thai id anywhere: a run of 13 digits, or 13 digits written
    /// with spaces or dashes between them, that passes the check digit. Free text that goes on
    /// chain or into storage (reason codes, client keys) is refused when this is true.
    pub fn appears_in(text: &str) -> bool {
        let bytes = text.as_bytes();
        let mut start = 0;
        while start < bytes.len() {
            if !bytes[start].is_ascii_digit() {
                start += 1;
                continue;
            }
            // A stretch of digits and separators, and every run of plain digits inside it.
            let mut end = start;
            while end < bytes.len() && (bytes[end].is_ascii_digit() || bytes[end] == b' ' || bytes[end] == b'-') {
                end += 1;
            }
            let stretch = &text[start..end];
            let digits = stretch.bytes().filter(u8::is_ascii_digit).count();
            if digits == 13 && stretch.parse::<Self>().is_ok() {
                return true;
            }
            if stretch.split([' ', '-']).any(|run| run.len() == 13 && run.parse::<Self>().is_ok()) {
                return true;
            }
            start = end;
        }
        false
    }

    /// The on-chain commitment: HMAC-SHA256(pepper, the 13 ASCII digits).
    pub fn commit(&self, pepper: &Pepper) -> B256 {
        let mut mac = Hmac::<Sha256>::new_from_slice(&pepper.0).expect("HMAC accepts keys of any length");
        mac.update(&self.0.map(|d| b'0' + d));
        B256::from_slice(&mac.finalize().into_bytes())
    }
}

impl FromStr for ThaiId {
    type Err = ThaiIdError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let mut digits = [0u8; 13];
        let mut count = 0;
        for (index, ch) in input.trim().chars().enumerate() {
            match ch {
                ' ' | '-' => continue,
                '0'..='9' => {
                    if count < 13 {
                        digits[count] = ch as u8 - b'0';
                    }
                    count += 1;
                }
                _ => {
                    return Err(ThaiIdError::NotADigit { position: index + 1 });
                }
            }
        }
        if count != 13 {
            return Err(ThaiIdError::WrongLength { found: count });
        }
        let first_twelve: [u8; 12] = digits[..12].try_into().expect("12 of 13 digits");
        if Self::check_digit(&first_twelve) != digits[12] {
            return Err(ThaiIdError::CheckDigit);
        }
        Ok(Self(digits))
    }
}

impl fmt::Debug for ThaiId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ThaiId(<redacted>)")
    }
}

/// The consortium's secret HMAC key for id commitments. Destroying it is how erasure requests are
/// honoured, so it never appears in output: `Debug` is redacted.
#[derive(Clone)]
pub struct Pepper(Vec<u8>);

/// Why a pepper was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PepperError {
    /// Too short to resist brute force over the 10^12 possible ids.
    #[error("the pepper must be at least {minimum} bytes, it has {found}")]
    TooShort {
        /// The minimum length in bytes.
        minimum: usize,
        /// The length given.
        found: usize,
    },
    /// The hex form did not decode.
    #[error("the pepper is not valid hex")]
    NotHex,
}

impl Pepper {
    /// The shortest pepper accepted, in bytes.
    pub const MIN_LEN: usize = 16;

    /// A pepper from raw bytes, at least [`Pepper::MIN_LEN`] long.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Result<Self, PepperError> {
        let bytes = bytes.into();
        if bytes.len() < Self::MIN_LEN {
            return Err(PepperError::TooShort { minimum: Self::MIN_LEN, found: bytes.len() });
        }
        Ok(Self(bytes))
    }

    /// A pepper from hex (with or without `0x`), as configuration holds it.
    pub fn from_hex(text: &str) -> Result<Self, PepperError> {
        let bytes = hex::decode(text.trim().trim_start_matches("0x")).map_err(|_| PepperError::NotHex)?;
        Self::new(bytes)
    }
}

impl fmt::Debug for Pepper {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pepper(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOMAIN_EXAMPLE: &str = "1112034563562";

    #[test]
    fn accepts_the_domain_example() {
        let id: ThaiId = DOMAIN_EXAMPLE.parse().unwrap();
        assert!(!id.is_juristic());
        let formatted: ThaiId = "1-1120-34563-56-2".parse().unwrap();
        assert_eq!(formatted, id);
    }

    #[test]
    fn check_digit_matches_the_domain_worked_example() {
        // 1112034563562: sum 207, 207 mod 11 = 9, 11 − 9 = 2.
        assert_eq!(ThaiId::check_digit(&[1, 1, 1, 2, 0, 3, 4, 5, 6, 3, 5, 6]), 2);
    }

    /// Position 3 carries weight 11 ≡ 0 (mod 11), so the official algorithm cannot see a change
    /// there; every other single-digit corruption is caught.
    #[test]
    fn rejects_every_single_digit_corruption_the_algorithm_can_detect() {
        let original: Vec<u8> = DOMAIN_EXAMPLE.bytes().collect();
        let mut rejected = 0;
        for position in 0..13 {
            for digit in b'0'..=b'9' {
                if digit == original[position] {
                    continue;
                }
                let mut corrupted = original.clone();
                corrupted[position] = digit;
                let corrupted = String::from_utf8(corrupted).unwrap();
                let result = corrupted.parse::<ThaiId>();
                if position == 2 {
                    assert!(result.is_ok(), "weight-11 position cannot be checked: {corrupted}");
                } else {
                    assert_eq!(result, Err(ThaiIdError::CheckDigit), "corruption accepted: {corrupted}");
                    rejected += 1;
                }
            }
        }
        assert_eq!(rejected, 12 * 9);
    }

    #[test]
    fn errors_never_echo_the_id() {
        for bad in ["1112034563563", "111203456356", "11120345635621", "11120345635x2"] {
            let message = bad.parse::<ThaiId>().unwrap_err().to_string();
            assert!(!message.contains(bad), "{message}");
            assert!(!message.contains("1112034"), "{message}");
        }
        assert_eq!("12345".parse::<ThaiId>(), Err(ThaiIdError::WrongLength { found: 5 }));
        assert_eq!("11120345635x2".parse::<ThaiId>(), Err(ThaiIdError::NotADigit { position: 12 }));
    }

    #[test]
    fn ids_are_found_in_free_text() {
        for text in
            [DOMAIN_EXAMPLE, "id 0105564012347", "REF-0105564012347-X", "1-1120-34563-56-2", "x 1 1120 34563 56 2"]
        {
            assert!(ThaiId::appears_in(text), "{text}");
        }
        for text in ["", "LG-2569-000001", "1112034563563", "21009", "11120345635620", "AMOUNT-WRONG"] {
            assert!(!ThaiId::appears_in(text), "{text}");
        }
    }

    #[test]
    fn debug_is_redacted() {
        let id: ThaiId = DOMAIN_EXAMPLE.parse().unwrap();
        assert_eq!(format!("{id:?}"), "ThaiId(<redacted>)");
        let pepper = Pepper::new(*b"0123456789abcdef").unwrap();
        assert_eq!(format!("{pepper:?}"), "Pepper(<redacted>)");
    }

    #[test]
    fn commitment_is_hmac_sha256_of_the_ascii_digits() {
        let id: ThaiId = DOMAIN_EXAMPLE.parse().unwrap();
        let pepper = Pepper::new(*b"egp-chain test pepper").unwrap();
        let mut mac = Hmac::<Sha256>::new_from_slice(b"egp-chain test pepper").unwrap();
        mac.update(DOMAIN_EXAMPLE.as_bytes());
        let expected: [u8; 32] = mac.finalize().into_bytes().into();
        assert_eq!(id.commit(&pepper), B256::from(expected));
        let other = Pepper::new(*b"another pepper, also long").unwrap();
        assert_ne!(id.commit(&pepper), id.commit(&other));
    }

    #[test]
    fn synthetic_ids_are_valid() {
        let id = ThaiId::from_first_twelve([0, 1, 0, 5, 5, 6, 4, 0, 1, 2, 3, 4]).unwrap();
        assert!(id.is_juristic());
        assert_eq!("0105564012347".parse::<ThaiId>(), Ok(id));
        assert_eq!(
            ThaiId::from_first_twelve([0, 1, 0, 5, 5, 6, 4, 0, 1, 2, 3, 10]),
            Err(ThaiIdError::NotADigit { position: 12 })
        );
    }

    #[test]
    fn short_peppers_are_refused() {
        assert_eq!(Pepper::new(vec![1; 15]).unwrap_err(), PepperError::TooShort { minimum: 16, found: 15 });
        assert_eq!(Pepper::from_hex("zz").unwrap_err(), PepperError::NotHex);
        assert!(Pepper::from_hex("0x000102030405060708090a0b0c0d0e0f").is_ok());
    }
}
