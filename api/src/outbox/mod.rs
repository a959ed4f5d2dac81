//! e-GP's write path: agency actions taken through GraphQL mutations, sent exactly once from the
//! gateway's key.
//!
//! A mutation becomes an [`ActionRequest`]; [`Outbox::submit`] checks its idempotency key,
//! simulates the registry call with `eth_call` (a refusal becomes a `failed` action at once, with
//! the contract's reason, and nothing is sent) and writes the action to PostgreSQL before
//! anything is signed. The sender ([`Outbox::run`], one per gateway address and database, under
//! an advisory lock) then signs each pending action with the gateway's signer, records the signed
//! transaction and its nonce before broadcasting it, follows it to its receipt, replaces it with
//! higher fees when it is stuck, and on every start reconciles what it recorded with the chain
//! by nonce and hash. An action's transactions all share one nonce, so at most one of them can be
//! mined; a new nonce is given only when the old one was used by a transaction that is none of
//! the action's. Whether an action is included comes from the indexer's mirror: the tracker
//! joins the action's transactions to the mirrored events.
//!
//! Modules: [`request`] (what a mutation asks, the fingerprint, the simulation), [`store`] (the
//! statements), the sender and the tracker.

pub mod request;
mod sender;
pub mod store;
mod track;

use std::time::Duration;

use alloy::network::{EthereumWallet, TxSigner};
use alloy::primitives::{Address, Signature};
use clap::Args;
use egp::Egp;
use egp_contracts::Deployment;
use sqlx::PgPool;
use tokio::sync::Notify;

pub use request::{ActionRequest, Answers};
pub use store::ActionRow;

use crate::{Error, Result};

/// The gateway's signer: a keystore, a mnemonic or a raw key from the configuration (the same
/// options as the `egp` command's wallets), or any alloy `TxSigner` (an HSM) given in code.
#[derive(Debug, Clone)]
pub struct GatewaySigner {
    wallet: EthereumWallet,
    address: Address,
}

impl GatewaySigner {
    /// A signer from any alloy `TxSigner`.
    pub fn new<S>(signer: S) -> Self
    where
        S: TxSigner<Signature> + Send + Sync + 'static,
    {
        let address = signer.address();
        Self { wallet: EthereumWallet::new(signer), address }
    }

    /// The gateway's address.
    pub fn address(&self) -> Address {
        self.address
    }
}

/// The advisory lock the gateway's one sender holds while it sends (in `pg_locks`, to see which
/// server sends; a server that does not hold it waits).
pub fn sender_lock(gateway: Address) -> i64 {
    store::lock_key(gateway.as_slice(), store::SENDER_LOCK)
}

/// The gateway's settings: its wallet (mutations are off without one) and the outbox's limits.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Gateway (mutations)")]
pub struct GatewaySettings {
    /// The e-GP gateway's wallet, as the `egp` command takes it (`--keystore`, `--mnemonic-env`,
    /// `--private-key-env`, `--local-account gateway`). Without one, mutations are refused.
    #[command(flatten)]
    pub wallet: egp::wallet::WalletArgs,
    /// Most actions queued (accepted, not yet mined); beyond it mutations are `OVERLOADED`.
    #[arg(long, env = "EGP_API_MAX_QUEUED_ACTIONS", default_value_t = 1000)]
    pub max_queued_actions: i64,
    /// A transaction not mined after this many seconds is replaced with higher fees.
    #[arg(long, env = "EGP_API_TX_REPLACE_AFTER_SECS", default_value_t = 60)]
    pub tx_replace_after_secs: u64,
    /// How often the sender looks at the chain and the mirror, milliseconds.
    #[arg(long, env = "EGP_API_SENDER_POLL_MS", default_value_t = 250)]
    pub sender_poll_ms: u64,
}

impl Default for GatewaySettings {
    fn default() -> Self {
        Self {
            wallet: egp::wallet::WalletArgs::default(),
            max_queued_actions: 1000,
            tx_replace_after_secs: 60,
            sender_poll_ms: 250,
        }
    }
}

impl GatewaySettings {
    /// Refuses limits that are off or out of range.
    pub fn check(&self) -> Result<()> {
        if self.max_queued_actions < 1 || self.tx_replace_after_secs == 0 || self.sender_poll_ms == 0 {
            return Err(Error::Config(
                "--max-queued-actions, --tx-replace-after-secs and --sender-poll-ms must be above 0".into(),
            ));
        }
        Ok(())
    }

    /// The configured wallet's signer, if one is configured.
    pub fn signer(&self) -> Result<Option<GatewaySigner>> {
        let signer = self.wallet.signer().map_err(|error| Error::Config(format!("the gateway's wallet: {error}")))?;
        Ok(signer.map(GatewaySigner::new))
    }
}

/// The write path: the simulation node, the signer, the queue in PostgreSQL, the sender's wake-up.
pub struct Outbox {
    pool: PgPool,
    /// A read-only connection (simulations, reads of the registry).
    egp: Egp,
    signer: GatewaySigner,
    deployment: Deployment,
    settings: GatewaySettings,
    wake: Notify,
}

impl std::fmt::Debug for Outbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outbox").field("gateway", &self.signer.address).finish_non_exhaustive()
    }
}

impl Outbox {
    /// The outbox of `deployment`'s registry over `pool`, simulating and sending through the node
    /// at `rpc_url`, signing with `signer`. Nothing is contacted until used.
    pub fn new(
        pool: PgPool,
        rpc_url: &str,
        deployment: Deployment,
        signer: GatewaySigner,
        settings: GatewaySettings,
    ) -> Result<Self> {
        settings.check()?;
        let egp = Egp::connect_to(rpc_url, deployment.clone(), None::<alloy::signers::local::PrivateKeySigner>)
            .map_err(|error| Error::Config(error.to_string()))?;
        Ok(Self { pool, egp, signer, deployment, settings, wake: Notify::new() })
    }

    /// The gateway's address.
    pub fn gateway(&self) -> Address {
        self.signer.address
    }

    /// The chain the actions go to.
    pub fn chain_id(&self) -> i64 {
        self.deployment.chain_id as i64
    }

    /// The e-LG registry.
    pub fn registry(&self) -> Address {
        self.deployment.contracts.guarantee_registry.address
    }

    /// Actions by id (of this chain), as stored now.
    pub async fn actions(&self, ids: &[i64]) -> Result<Vec<ActionRow>> {
        store::by_ids(&self.pool, self.chain_id(), ids).await
    }

    fn poll(&self) -> Duration {
        Duration::from_millis(self.settings.sender_poll_ms)
    }
}
