//! The node: the chain head, and a guarantee's state read from the registry with `eth_call` at
//! a given block through the `egp-contracts` bindings (no ABI written here).

use std::time::Duration;

use alloy::eips::BlockId;
use alloy::primitives::{Address, B256};
use alloy::providers::{DynProvider, Provider, ProviderBuilder};
use egp_contracts::bindings::GuaranteeRegistry;
use egp_contracts::{Code, ExpiryType, GuaranteeStatus, GuaranteeType};

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

    /// Compares a mirrored guarantee with the registry's state at the end of `block`. Returns the
    /// fields that differ, as `field: mirror X, chain Y` (empty when they agree).
    pub async fn compare_guarantee(&self, registry: Address, row: &GuaranteeRow, block: u64) -> Result<Vec<String>> {
        let id = B256::try_from(row.id.as_slice())
            .map_err(|_| Error::Corrupt { table: "guarantees", reason: "id is not 32 bytes".into() })?;
        let contract = GuaranteeRegistry::new(registry, self.provider.clone());
        let call = contract.getGuarantee(id).block(BlockId::number(block));
        let g = timed("eth_call getGuarantee", call.call()).await?;
        let mut differences = Vec::new();
        let mut check = |field: &str, mirror: String, chain: String| {
            if mirror != chain {
                differences.push(format!("{field}: mirror {mirror}, chain {chain}"));
            }
        };
        let name = |r: std::result::Result<String, egp_contracts::Error>| r.unwrap_or_else(|_| "unknown".into());
        check("status", row.status.clone(), name(GuaranteeStatus::try_from(g.status).map(|s| s.to_string())));
        check("bankCode", row.bank_code.to_string(), g.bankCode.to_string());
        check(
            "type",
            row.guarantee_type.clone(),
            name(GuaranteeType::try_from(g.guaranteeType).map(|t| t.to_string())),
        );
        check("expiryType", row.expiry_type.clone(), name(ExpiryType::try_from(g.expiryType).map(|t| t.to_string())));
        check("amount", row.amount.clone(), g.amount.to_string());
        check("outstanding", row.outstanding.clone(), g.outstanding.to_string());
        check("totalPaid", row.total_paid.clone(), g.totalPaid.to_string());
        check("expiryDate", row.expiry_date.clone(), g.expiryDate.to_string());
        check(
            "agencyCode",
            row.agency_code.clone(),
            Code::from_b256(g.agencyCode).ok().flatten().map(|c| c.to_string()).unwrap_or_default(),
        );
        check("openClaimAmount", row.claim_amount.clone(), g.claimAmount.to_string());
        check("amendmentPending", row.amendment_pending.to_string(), g.amendmentPending.to_string());
        check("amendmentCount", row.amendment_count.to_string(), g.amendmentCount.to_string());
        check("claimCount", row.claim_count.to_string(), g.claimCount.to_string());
        check("releaseCount", row.release_count.to_string(), g.releaseCount.to_string());
        let link = |b: Option<&Vec<u8>>| b.map(|b| format!("0x{}", hex::encode(b))).unwrap_or_default();
        let word = |w: B256| if w == B256::ZERO { String::new() } else { w.to_string() };
        check("replaces", link(row.replaces.as_ref()), word(g.replaces));
        check("replacedBy", link(row.replaced_by.as_ref()), word(g.replacedBy));
        Ok(differences)
    }
}
