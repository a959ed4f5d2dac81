//! API keys and roles. Keys are configured as SHA-256 hashes only (`egp-api hash-key` prints the
//! line for a key); a request's key is hashed and looked up, so no plain key is ever held.
//!
//! Roles: `egp` sees everything; `bank` (with its bank code) sees only that bank's records;
//! `verify` may only call the verify queries and gets minimal fields. Tender guarantees (TEND)
//! are visible only to `egp` and the issuing bank.

use std::collections::HashMap;

use egp_contracts::{BankCode, GuaranteeType};
use sha2::{Digest, Sha256};

use crate::{Error, Result};

/// What a caller may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// e-GP and the CGD: everything.
    Egp,
    /// One bank: its own records only.
    Bank(BankCode),
    /// A verifier: the verify queries only, minimal fields.
    Verify,
}

/// The authenticated caller of a request (request data in the GraphQL context).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The role.
    pub role: Role,
    /// The key's label, for logs.
    pub label: String,
}

impl Principal {
    /// A principal of `role` (for tests and tools).
    pub fn new(role: Role, label: &str) -> Self {
        Self { role, label: label.to_owned() }
    }

    /// The bank this caller is restricted to, if any.
    pub fn bank(&self) -> Option<BankCode> {
        match self.role {
            Role::Bank(bank) => Some(bank),
            _ => None,
        }
    }

    /// Whether this caller may read records beyond the verify queries.
    pub fn may_browse(&self) -> bool {
        !matches!(self.role, Role::Verify)
    }

    /// Refuses the `verify` role (everything but the verify queries).
    pub fn require_browse(&self, action: &'static str) -> Result<()> {
        if self.may_browse() { Ok(()) } else { Err(Error::Forbidden { action }) }
    }

    /// Whether a record of `bank` of type `guarantee_type` (none for a credit confirmation) is
    /// visible to this caller: bid securities are confidential to e-GP and the issuing bank.
    pub fn sees(&self, bank: i32, guarantee_type: Option<GuaranteeType>) -> bool {
        match self.role {
            Role::Egp => true,
            Role::Bank(own) => i32::from(own.get()) == bank,
            Role::Verify => guarantee_type != Some(GuaranteeType::TEND),
        }
    }
}

/// The configured keys, by the hex SHA-256 of the key.
#[derive(Debug, Clone, Default)]
pub struct ApiKeys {
    by_hash: HashMap<String, Principal>,
}

/// The hex SHA-256 of an API key, as stored.
pub fn hash_key(key: &str) -> String {
    hex::encode(Sha256::digest(key.trim().as_bytes()))
}

/// The keys-file line for `key` (its hash, never the key).
pub fn key_line(key: &str, role: &str, bank: Option<&str>, label: &str) -> Result<String> {
    let role = match (role, bank) {
        ("egp", None) | ("verify", None) => role.to_owned(),
        ("bank", Some(bank)) => {
            let bank: BankCode = bank.parse().map_err(|_| Error::Config(format!("{bank:?} is not a bank code")))?;
            format!("bank:{bank}")
        }
        _ => return Err(Error::Config("role is egp, verify, or bank with --bank".into())),
    };
    if key.trim().len() < 16 {
        return Err(Error::Config("an API key needs at least 16 characters".into()));
    }
    Ok(format!("{role} sha256:{} {label}", hash_key(key)))
}

impl ApiKeys {
    /// Parses lines `role[:bank] sha256:<64 hex> [label]`; `#` starts a comment.
    pub fn parse(text: &str) -> Result<Self> {
        let mut keys = Self::default();
        for (number, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let bad = |why: &str| Error::Config(format!("API keys line {}: {why}", number + 1));
            let mut parts = line.split_whitespace();
            let role = parts.next().ok_or_else(|| bad("empty"))?;
            let hash = parts.next().ok_or_else(|| bad("no key hash"))?;
            let label = parts.next().unwrap_or("key").to_owned();
            let role = match role.split_once(':') {
                None if role == "egp" => Role::Egp,
                None if role == "verify" => Role::Verify,
                Some(("bank", bank)) => Role::Bank(bank.parse().map_err(|_| bad("not a bank code"))?),
                _ => return Err(bad("role is egp, verify or bank:<code>")),
            };
            let hash = hash.strip_prefix("sha256:").ok_or_else(|| bad("the key must be given as sha256:<hex>"))?;
            if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(bad("a sha256 hash is 64 hex digits"));
            }
            keys.by_hash.insert(hash.to_ascii_lowercase(), Principal { role, label });
        }
        Ok(keys)
    }

    /// Adds a key (tests and tools), hashing it.
    pub fn insert(&mut self, key: &str, principal: Principal) {
        self.by_hash.insert(hash_key(key), principal);
    }

    /// The caller a presented key belongs to.
    pub fn authenticate(&self, key: &str) -> Result<Principal> {
        self.by_hash.get(&hash_key(key)).cloned().ok_or(Error::Unauthenticated)
    }

    /// Whether no key is configured.
    pub fn is_empty(&self) -> bool {
        self.by_hash.is_empty()
    }
}

/// The key in an `Authorization: Bearer …` or `X-API-Key` header value.
pub fn key_from_headers(headers: &axum::http::HeaderMap) -> Option<String> {
    if let Some(value) = headers.get(axum::http::header::AUTHORIZATION).and_then(|v| v.to_str().ok())
        && let Some(key) = value.strip_prefix("Bearer ")
    {
        return Some(key.trim().to_owned());
    }
    headers.get("x-api-key").and_then(|v| v.to_str().ok()).map(|v| v.trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_stored_hashed_and_parsed_by_role() {
        let line = key_line("bank-002-secret-key", "bank", Some("002"), "bbl").unwrap();
        assert!(!line.contains("secret"), "{line}");
        let text = format!("# keys\n{line}\n{}\n", key_line("egp-secret-key-123", "egp", None, "egp").unwrap());
        let keys = ApiKeys::parse(&text).unwrap();
        assert_eq!(keys.authenticate("bank-002-secret-key").unwrap().role, Role::Bank(BankCode::new(2).unwrap()));
        assert_eq!(keys.authenticate("egp-secret-key-123").unwrap().role, Role::Egp);
        assert!(matches!(keys.authenticate("nope"), Err(Error::Unauthenticated)));
        assert!(ApiKeys::parse("root sha256:00").is_err());
        assert!(ApiKeys::parse("egp plain-key").is_err());
    }
}
