//! The committed artifacts (`contracts/artifacts/*.json`: ABI, bytecode, compiler version),
//! embedded in every binary at build time so that deploying needs no checkout and no compiler.
//! `egp-compiler` regenerates the files; a test there fails when they are stale.

use alloy::json_abi::JsonAbi;
use alloy::primitives::Bytes;
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// The contracts egp-chain deploys, in deployment order.
pub const DEPLOYED_CONTRACTS: [&str; 3] = ["Consortium", "GuaranteeRegistry", "CreditConfirmationRegistry"];

/// One compiled contract: what bindings and deployment need, as committed in
/// `contracts/artifacts/<name>.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompiledContract {
    /// The contract's name.
    pub contract_name: String,
    /// The compiler that produced it (`0.8.37+commit.f401782d`).
    pub compiler_version: String,
    /// Its ABI.
    pub abi: JsonAbi,
    /// Creation code.
    pub bytecode: Bytes,
    /// Runtime code.
    pub deployed_bytecode: Bytes,
}

/// The committed artifact of `name` as embedded at build time (the same text the bindings are
/// generated from); `None` for a contract egp-chain does not deploy.
pub fn embedded_json(name: &str) -> Option<&'static str> {
    match name {
        "Consortium" => Some(include_str!("../artifacts/Consortium.json")),
        "GuaranteeRegistry" => Some(include_str!("../artifacts/GuaranteeRegistry.json")),
        "CreditConfirmationRegistry" => Some(include_str!("../artifacts/CreditConfirmationRegistry.json")),
        _ => None,
    }
}

/// The embedded artifact of `name`, parsed.
pub fn embedded(name: &str) -> Result<CompiledContract> {
    let text = embedded_json(name).ok_or_else(|| Error::UnknownContract { name: name.to_owned() })?;
    serde_json::from_str(text).map_err(|source| Error::ArtifactJson { name: name.to_owned(), source })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_deployed_contract_is_embedded_with_code_and_errors() {
        for name in DEPLOYED_CONTRACTS {
            let artifact = embedded(name).unwrap();
            assert_eq!(artifact.contract_name, name);
            assert!(!artifact.deployed_bytecode.is_empty() && !artifact.abi.errors.is_empty(), "{name}");
        }
    }

    #[test]
    fn an_unknown_contract_is_named_in_the_error() {
        let error = embedded("Token").unwrap_err().to_string();
        assert!(error.contains("\"Token\""), "{error}");
    }
}
