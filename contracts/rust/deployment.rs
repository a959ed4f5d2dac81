//! Deploying the three contracts and the deployment manifest that the command line writes and the
//! indexer and API read: chain id, each contract's address and deployment block, compiler
//! version and runtime bytecode hash.

use std::path::Path;

use alloy::primitives::{Address, B256, TxHash, keccak256};
use alloy::providers::Provider;
use serde::{Deserialize, Serialize};

use crate::artifacts::{self, CompiledContract};
use crate::bindings::{Consortium, CreditConfirmationRegistry, GuaranteeRegistry};
use crate::rpc;
use crate::{Error, Result};

/// Where one contract lives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeployedContract {
    /// Its address.
    pub address: Address,
    /// The block its creation transaction was mined in (the indexer starts here).
    pub deployment_block: u64,
    /// The creation transaction.
    pub transaction_hash: TxHash,
    /// keccak256 of the runtime bytecode, to recognise the contract on chain.
    pub bytecode_hash: B256,
}

/// The three contracts of one deployment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeployedContracts {
    /// The consortium (membership and roles).
    pub consortium: DeployedContract,
    /// The e-LG registry.
    pub guarantee_registry: DeployedContract,
    /// The credit confirmation registry.
    pub credit_confirmation_registry: DeployedContract,
}

impl DeployedContracts {
    /// The contracts with their names, in deployment order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &DeployedContract)> {
        [
            ("Consortium", &self.consortium),
            ("GuaranteeRegistry", &self.guarantee_registry),
            ("CreditConfirmationRegistry", &self.credit_confirmation_registry),
        ]
        .into_iter()
    }
}

/// The deployment manifest (JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Deployment {
    /// The chain it lives on.
    pub chain_id: u64,
    /// The Solidity compiler that built the bytecode.
    pub compiler_version: String,
    /// The address that deployed, and the consortium's first admin.
    pub deployer: Address,
    /// The contracts.
    pub contracts: DeployedContracts,
}

impl Deployment {
    /// The lowest deployment block: where indexing starts.
    pub fn start_block(&self) -> u64 {
        self.contracts.iter().map(|(_, c)| c.deployment_block).min().unwrap_or(0)
    }

    /// Reads a manifest file.
    pub fn read(path: &Path) -> Result<Self> {
        let text =
            std::fs::read_to_string(path).map_err(|source| Error::ManifestIo { path: path.to_owned(), source })?;
        serde_json::from_str(&text).map_err(|source| Error::ManifestJson { path: path.to_owned(), source })
    }

    /// Writes the manifest file (pretty JSON), creating its folder.
    pub fn write(&self, path: &Path) -> Result<()> {
        if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| Error::ManifestIo { path: path.to_owned(), source })?;
        }
        let mut text = serde_json::to_string_pretty(self).expect("manifests serialise");
        text.push('\n');
        std::fs::write(path, text).map_err(|source| Error::ManifestIo { path: path.to_owned(), source })
    }

    /// Compares the manifest with the chain behind `provider`: the chain id, and the runtime code
    /// at each address. Returns the problems found (empty when everything matches).
    pub async fn check_on_chain(&self, provider: &impl Provider) -> Result<Vec<ManifestMismatch>> {
        let chain_id = provider.get_chain_id().await.map_err(Error::rpc)?;
        if chain_id != self.chain_id {
            return Ok(vec![ManifestMismatch::ChainId { manifest: self.chain_id, chain: chain_id }]);
        }
        let mut mismatches = Vec::new();
        for (name, contract) in self.contracts.iter() {
            let code = provider.get_code_at(contract.address).await.map_err(Error::rpc)?;
            if code.is_empty() {
                mismatches.push(ManifestMismatch::NoCode { contract: name, address: contract.address });
            } else if keccak256(&code) != contract.bytecode_hash {
                mismatches.push(ManifestMismatch::OtherCode { contract: name, address: contract.address });
            }
        }
        Ok(mismatches)
    }
}

/// One way a manifest and a chain disagree.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ManifestMismatch {
    /// The node serves another chain.
    #[error("the manifest is for chain {manifest}, the node serves chain {chain}")]
    ChainId {
        /// Chain id in the manifest.
        manifest: u64,
        /// Chain id the node reports.
        chain: u64,
    },
    /// Nothing is deployed at the address.
    #[error("no contract at {address}, where the manifest puts {contract}")]
    NoCode {
        /// The contract's name.
        contract: &'static str,
        /// The manifest's address.
        address: Address,
    },
    /// Something else is deployed at the address.
    #[error("the code at {address} is not the manifest's {contract}")]
    OtherCode {
        /// The contract's name.
        contract: &'static str,
        /// The manifest's address.
        address: Address,
    },
}

/// Deploys the consortium (with `admin` as CGD admin) and both registries from the embedded
/// artifacts, through `provider`, whose wallet signs as `deployer`, waiting for each receipt at
/// most [`rpc::RECEIPT_TIMEOUT`]. Returns the manifest.
pub async fn deploy(provider: &impl Provider, deployer: Address, admin: Address) -> Result<Deployment> {
    let artifacts: Vec<CompiledContract> =
        artifacts::DEPLOYED_CONTRACTS.iter().map(|name| artifacts::embedded(name)).collect::<Result<_>>()?;
    let consortium_builder = Consortium::deploy_builder(provider, admin).from(deployer);
    let consortium = record(provider, consortium_builder.send().await.map_err(Error::deploy)?, &artifacts[0]).await?;
    let registry_builder = GuaranteeRegistry::deploy_builder(provider, consortium.address).from(deployer);
    let guarantee_registry =
        record(provider, registry_builder.send().await.map_err(Error::deploy)?, &artifacts[1]).await?;
    let confirmations_builder = CreditConfirmationRegistry::deploy_builder(provider, consortium.address).from(deployer);
    let credit_confirmation_registry =
        record(provider, confirmations_builder.send().await.map_err(Error::deploy)?, &artifacts[2]).await?;
    Ok(Deployment {
        chain_id: provider.get_chain_id().await.map_err(Error::rpc)?,
        compiler_version: artifacts[0].compiler_version.clone(),
        deployer,
        contracts: DeployedContracts { consortium, guarantee_registry, credit_confirmation_registry },
    })
}

async fn record(
    provider: &impl Provider,
    pending: alloy::providers::PendingTransactionBuilder<alloy::network::Ethereum>,
    artifact: &CompiledContract,
) -> Result<DeployedContract> {
    let receipt = rpc::receipt(pending, rpc::RECEIPT_TIMEOUT).await?;
    let address = receipt.contract_address.filter(|_| receipt.status()).ok_or(Error::DeploymentFailed {
        contract: artifact.contract_name.clone(),
        transaction: receipt.transaction_hash,
    })?;
    let code = provider.get_code_at(address).await.map_err(Error::rpc)?;
    Ok(DeployedContract {
        address,
        deployment_block: receipt.block_number.unwrap_or_default(),
        transaction_hash: receipt.transaction_hash,
        bytecode_hash: keccak256(&code),
    })
}
