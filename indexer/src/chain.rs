//! The node, as the indexer reads it: the head, headers, finality and logs, every call with a time
//! limit and counted in the metrics when it fails.

use std::future::IntoFuture;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use alloy::eips::BlockNumberOrTag;
use alloy::primitives::Address;
use alloy::providers::{DynProvider, Provider, ProviderBuilder};
use alloy::rpc::types::{Filter, Log};
use futures_util::future::try_join_all;

use crate::metrics::Metrics;
use crate::write::BlockHeader;
use crate::{Error, Result};

/// A read-only connection to a node.
#[derive(Debug, Clone)]
pub struct Chain {
    provider: DynProvider,
    timeout: Duration,
    metrics: Arc<Metrics>,
}

impl Chain {
    /// Connects over HTTP (nothing is sent until the first call).
    pub fn connect(url: &str, timeout: Duration, metrics: Arc<Metrics>) -> Result<Self> {
        let url =
            url.parse().map_err(|_| Error::Rpc { method: "connect", message: format!("invalid RPC URL {url:?}") })?;
        egp_contracts::tls::use_ring();
        let provider = ProviderBuilder::new().disable_recommended_fillers().connect_http(url).erased();
        Ok(Self { provider, timeout, metrics })
    }

    /// The provider, for contract calls.
    pub fn provider(&self) -> &DynProvider {
        &self.provider
    }

    async fn call<T, E: std::fmt::Display>(
        &self,
        method: &'static str,
        future: impl IntoFuture<Output = std::result::Result<T, E>>,
    ) -> Result<T> {
        let outcome = match tokio::time::timeout(self.timeout, future.into_future()).await {
            Ok(Ok(value)) => return Ok(value),
            Ok(Err(error)) => Error::Rpc { method, message: error.to_string() },
            Err(_) => Error::Rpc { method, message: format!("no answer within {:?}", self.timeout) },
        };
        self.metrics.rpc_errors_total.fetch_add(1, Ordering::Relaxed);
        Err(outcome)
    }

    /// The chain id.
    pub async fn chain_id(&self) -> Result<u64> {
        self.call("eth_chainId", self.provider.get_chain_id()).await
    }

    /// The latest block number.
    pub async fn head(&self) -> Result<u64> {
        self.call("eth_blockNumber", self.provider.get_block_number()).await
    }

    /// The header of block `tag`, if the node has it.
    pub async fn header_at(&self, tag: BlockNumberOrTag) -> Result<Option<BlockHeader>> {
        let block = self.call("eth_getBlockByNumber", self.provider.get_block_by_number(tag)).await?;
        Ok(block.map(|b| BlockHeader {
            number: b.header.number,
            hash: b.header.hash,
            parent_hash: b.header.parent_hash,
            timestamp: b.header.timestamp,
        }))
    }

    /// The header of block `number`; a node answering another block is an error, never trusted.
    pub async fn header(&self, number: u64) -> Result<BlockHeader> {
        let header = self.header_at(BlockNumberOrTag::Number(number)).await?.ok_or(Error::MissingBlock(number))?;
        if header.number != number {
            self.metrics.rpc_errors_total.fetch_add(1, Ordering::Relaxed);
            return Err(Error::WrongBlock { asked: number, answered: header.number });
        }
        Ok(header)
    }

    /// The headers of `numbers`, fetched concurrently, in the order given.
    pub async fn headers(&self, numbers: &[u64]) -> Result<Vec<BlockHeader>> {
        let mut headers = Vec::with_capacity(numbers.len());
        for chunk in numbers.chunks(32) {
            headers.extend(try_join_all(chunk.iter().map(|&n| self.header(n))).await?);
        }
        Ok(headers)
    }

    /// The highest final block: the node's `finalized` tag, or `confirmations` below `head`.
    pub async fn final_block(&self, head: u64, confirmations: u64, use_tag: bool) -> Result<Option<u64>> {
        if use_tag {
            return Ok(self.header_at(BlockNumberOrTag::Finalized).await?.map(|h| h.number.min(head)));
        }
        Ok(head.checked_sub(confirmations))
    }

    /// The logs of `addresses` in blocks `from..=to`.
    pub async fn logs(&self, addresses: &[Address], from: u64, to: u64) -> Result<Vec<Log>> {
        let filter = Filter::new().address(addresses.to_vec()).from_block(from).to_block(to);
        self.call("eth_getLogs", self.provider.get_logs(&filter)).await
    }
}
