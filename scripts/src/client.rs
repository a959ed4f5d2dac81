//! [`Egp`]: a connection to egp-chain (node, deployment, signer) and the one path every
//! transaction takes: simulate, estimate, send, wait for the receipt, explain any failure.

use std::path::Path;
use std::time::Duration;

use alloy::contract::{CallBuilder, CallDecoder};
use alloy::network::{EthereumWallet, TxSigner};
use alloy::primitives::{Address, Signature, TxHash};
use alloy::providers::{DynProvider, Provider, ProviderBuilder};
use egp_contracts::ContractRevert;
use egp_contracts::bindings::{Consortium, CreditConfirmationRegistry, GuaranteeRegistry};
use egp_contracts::deployment::Deployment;
use egp_contracts::rpc::{self, NodeFailure, ReceiptError, RefusalKind};
use serde::Serialize;

use crate::{Error, Result};

/// A connection to egp-chain: the node, the deployment manifest it was checked against, and
/// (for commands that send transactions) the signer's address.
#[derive(Debug, Clone)]
pub struct Egp {
    provider: DynProvider,
    url: String,
    deployment: Deployment,
    sender: Option<Address>,
    dry_run: bool,
    receipt_timeout: Duration,
}

/// What happened to a transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Sent {
    /// The transaction hash (none for a dry run).
    pub transaction: Option<TxHash>,
    /// The block it was mined in (none for a dry run).
    pub block: Option<u64>,
    /// Gas used (mined) or estimated (dry run).
    pub gas: u64,
    /// Whether it was only simulated (`eth_call` and gas estimate), not sent.
    pub dry_run: bool,
}

impl Egp {
    /// Connects to the node at `url`, reads the manifest at `manifest`, and checks that the node
    /// serves the manifest's chain and contracts. `signer` signs transactions; without one the
    /// connection can only read.
    pub async fn connect<S>(url: &str, manifest: &Path, signer: Option<S>) -> Result<Self>
    where
        S: TxSigner<Signature> + Send + Sync + 'static,
    {
        let deployment = Deployment::read(manifest)?;
        let egp = Self::connect_to(url, deployment, signer)?;
        egp.check(manifest).await?;
        Ok(egp)
    }

    /// A connection to a deployment given in memory (no checks; see [`Egp::connect`]).
    pub fn connect_to<S>(url: &str, deployment: Deployment, signer: Option<S>) -> Result<Self>
    where
        S: TxSigner<Signature> + Send + Sync + 'static,
    {
        let parsed = url.parse().map_err(|_| Error::Usage(format!("{url:?} is not a valid RPC URL")))?;
        let sender = signer.as_ref().map(|s| s.address());
        egp_contracts::tls::use_ring();
        let provider = match signer {
            // The node's pending nonce for every transaction, not a local counter: the same key
            // may sign elsewhere (another connection, the bank's other systems), and a refused
            // send must not leave a gap that strands the next transaction.
            Some(signer) => ProviderBuilder::default()
                .with_gas_estimation()
                .with_simple_nonce_management()
                .fetch_chain_id()
                .wallet(EthereumWallet::new(signer))
                .connect_http(parsed)
                .erased(),
            None => ProviderBuilder::new().connect_http(parsed).erased(),
        };
        Ok(Self {
            provider,
            url: url.to_owned(),
            deployment,
            sender,
            dry_run: false,
            receipt_timeout: rpc::RECEIPT_TIMEOUT,
        })
    }

    /// How long [`Egp::transact`] waits for a sent transaction to be mined (default
    /// [`rpc::RECEIPT_TIMEOUT`]) before giving up with [`Error::NotMined`].
    pub fn with_receipt_timeout(mut self, limit: Duration) -> Self {
        self.receipt_timeout = limit;
        self
    }

    /// Simulate transactions (`eth_call` and gas estimate) instead of sending them.
    pub fn with_dry_run(mut self, dry_run: bool) -> Self {
        self.dry_run = dry_run;
        self
    }

    async fn check(&self, manifest: &Path) -> Result<()> {
        let mismatches =
            self.deployment.check_on_chain(&self.provider).await.map_err(|error| self.contracts_error(error))?;
        match mismatches.into_iter().next() {
            None => Ok(()),
            Some(mismatch) => {
                Err(Error::ManifestMismatch { manifest: manifest.to_owned(), url: self.url.clone(), mismatch })
            }
        }
    }

    /// The node's provider (with the signer's wallet, if any).
    pub fn provider(&self) -> &DynProvider {
        &self.provider
    }

    /// The deployment this connection drives.
    pub fn deployment(&self) -> &Deployment {
        &self.deployment
    }

    /// The signer's address, if a signer was given.
    pub fn sender(&self) -> Option<Address> {
        self.sender
    }

    /// The RPC URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The consortium contract.
    pub fn consortium(&self) -> Consortium::ConsortiumInstance<DynProvider> {
        Consortium::new(self.deployment.contracts.consortium.address, self.provider.clone())
    }

    /// The e-LG registry.
    pub fn guarantees(&self) -> GuaranteeRegistry::GuaranteeRegistryInstance<DynProvider> {
        GuaranteeRegistry::new(self.deployment.contracts.guarantee_registry.address, self.provider.clone())
    }

    /// The credit confirmation registry.
    pub fn confirmations(&self) -> CreditConfirmationRegistry::CreditConfirmationRegistryInstance<DynProvider> {
        CreditConfirmationRegistry::new(
            self.deployment.contracts.credit_confirmation_registry.address,
            self.provider.clone(),
        )
    }

    /// Sends `call` from the signer: simulates it first (a revert becomes [`Error::Reverted`] in
    /// plain words and nothing is sent), then sends it and waits for its receipt, at most the
    /// receipt time limit ([`Error::NotMined`] names the transaction). With dry run on, stops
    /// after the simulation.
    pub async fn transact<P, D>(&self, call: CallBuilder<P, D>) -> Result<Sent>
    where
        P: Provider,
        D: CallDecoder + Unpin,
    {
        let sender = self.sender.ok_or(Error::NoWallet)?;
        let call = call.from(sender);
        let estimate = call.estimate_gas().await.map_err(|error| self.call_error(error))?;
        if self.dry_run {
            return Ok(Sent { transaction: None, block: None, gas: estimate, dry_run: true });
        }
        // A margin over the estimate: state may move between estimate and inclusion.
        let pending = call.gas(estimate + estimate / 5).send().await.map_err(|error| self.call_error(error))?;
        let receipt = rpc::receipt(pending, self.receipt_timeout).await.map_err(|error| self.receipt_error(error))?;
        let block = receipt.block_number.unwrap_or_default();
        if !receipt.inner.status() {
            return Err(Error::TransactionFailed { hash: receipt.transaction_hash, block });
        }
        Ok(Sent {
            transaction: Some(receipt.transaction_hash),
            block: Some(block),
            gas: receipt.gas_used,
            dry_run: false,
        })
    }

    /// Explains a failed call: our contracts' errors in words, a poor account, an unreachable node.
    pub(crate) fn call_error(&self, error: alloy::contract::Error) -> Error {
        if let Some(revert) = ContractRevert::from_contract_error(&error) {
            return revert.into();
        }
        match NodeFailure::from_contract(&error) {
            Some(failure) => self.node_error(failure),
            // Never reached the node: the call could not be encoded or its answer decoded.
            None => Error::Rpc { url: self.url.clone(), reason: first_line(&error.to_string()) },
        }
    }

    /// A failed RPC call, in the library's words.
    pub(crate) fn rpc_error(&self, error: &alloy::transports::TransportError) -> Error {
        self.node_error(NodeFailure::from_rpc(error))
    }

    /// A failure of the node, in the library's words.
    pub(crate) fn node_error(&self, failure: NodeFailure) -> Error {
        node_error(&self.url, self.sender, failure)
    }

    /// An error of the contract layer, its node failures in the library's words.
    pub(crate) fn contracts_error(&self, error: egp_contracts::Error) -> Error {
        contracts_error(&self.url, self.sender, error)
    }

    fn receipt_error(&self, error: ReceiptError) -> Error {
        receipt_error(&self.url, self.sender, error)
    }
}

/// A failure of the node at `url`: unreachable (no usable answer), a sender that cannot pay, or
/// another refusal in the node's own words. `sender` signs the transactions.
pub(crate) fn node_error(url: &str, sender: Option<Address>, failure: NodeFailure) -> Error {
    if failure.is_unreachable() {
        return Error::RpcUnreachable { url: url.to_owned(), reason: first_line(&failure.to_string()) };
    }
    match (failure.refusal().map(|refusal| refusal.kind), sender) {
        (Some(RefusalKind::InsufficientFunds), Some(address)) => Error::InsufficientFunds { address },
        _ => Error::Rpc { url: url.to_owned(), reason: first_line(&failure.to_string()) },
    }
}

/// An error of the contract layer, its node failures in the library's words.
pub(crate) fn contracts_error(url: &str, sender: Option<Address>, error: egp_contracts::Error) -> Error {
    match error {
        egp_contracts::Error::Rpc(failure) => node_error(url, sender, failure),
        egp_contracts::Error::Receipt(error) => receipt_error(url, sender, error),
        other => other.into(),
    }
}

fn receipt_error(url: &str, sender: Option<Address>, error: ReceiptError) -> Error {
    match error {
        ReceiptError::NotMined { hash, limit } => Error::NotMined { hash, limit },
        ReceiptError::Node { hash, failure } => match node_error(url, sender, failure) {
            Error::RpcUnreachable { url, reason } => {
                Error::RpcUnreachable { url, reason: format!("{reason} (waiting for transaction {hash})") }
            }
            Error::Rpc { url, reason } => {
                Error::Rpc { url, reason: format!("{reason} (waiting for transaction {hash})") }
            }
            other => other,
        },
    }
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or_default().to_owned()
}
