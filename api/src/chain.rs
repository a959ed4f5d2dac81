//! The node: the chain head, and a guarantee's state read from the registry with `eth_call` at
//! a given block through the `egp-contracts` bindings (no ABI written here).

use std::time::Duration;

use alloy::eips::BlockId;
use alloy::primitives::{Address, B256};
use alloy::providers::{DynProvider, Provider, ProviderBuilder};
use egp_contracts::bindings::GuaranteeRegistry;

use crate::db::GuaranteeRow;
use crate::{Error, Result};

/// Time limit of one call to the node.
const RPC_TIMEOUT: Duration = Duration::from_secs(5);

/// A read-only connection to a node.
#[derive(Clone)]
pub struct ChainReader {
    provider: DynProvider,
}

impl std::fmt::Debug for ChainReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChainReader").finish_non_exhaustive()
    }
}

async fn timed<T, E: std::fmt::Display>(what: &str, call: impl IntoFuture<Output = Result<T, E>>) -> Result<T> {
    match tokio::time::timeout(RPC_TIMEOUT, call.into_future()).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(Error::Rpc(format!("{what}: {error}"))),
        Err(_) => Err(Error::Rpc(format!("{what}: no answer within {RPC_TIMEOUT:?}"))),
    }
}

impl ChainReader {
    /// A reader of the node at `url` (nothing is sent until asked).
    pub fn new(url: &str) -> Result<Self> {
        let url = url.parse().map_err(|_| Error::Config(format!("{url:?} is not a node URL")))?;
        egp_contracts::tls::use_ring();
        Ok(Self { provider: ProviderBuilder::new().connect_http(url).erased() })
    }

    /// The latest block number.
    pub async fn head(&self) -> Result<u64> {
        timed("eth_blockNumber", self.provider.get_block_number()).await
    }

    /// Compares a mirrored guarantee with the registry's state at the end of `block` (the one
    /// comparison `egp-indexer verify` makes too). Returns the fields that differ, as
    /// `column: mirror X, chain Y` (empty when they agree).
    pub async fn compare_guarantee(&self, registry: Address, row: &GuaranteeRow, block: u64) -> Result<Vec<String>> {
        let id = B256::try_from(row.id.as_slice())
            .map_err(|_| Error::Corrupt { table: "guarantees", reason: "id is not 32 bytes".into() })?;
        let contract = GuaranteeRegistry::new(registry, self.provider.clone());
        let call = contract.getGuarantee(id).block(BlockId::number(block));
        let view = timed("eth_call getGuarantee", call.call()).await?;
        let differences = egp_store::compare::differences(&egp_store::compare::guarantee(row, &view));
        Ok(differences)
    }
}
