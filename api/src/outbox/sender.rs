//! The sender: one per gateway address and database (a session-level advisory lock on a
//! connection of its own). Each round it
//!
//! 1. checks the actions in flight against the chain: the gateway's mined nonce is read first,
//!    then the receipt of every transaction signed for each action. A receipt marks the action
//!    mined (or failed, when the registry reverted it); a nonce used by a transaction that is none
//!    of the action's puts the action back in the queue (nothing of it happened); a transaction
//!    not mined after the time limit is replaced at the same nonce with higher fees; after a
//!    restart or a node failure every unmined transaction is broadcast again (same bytes, same
//!    hash: the node takes it at most once);
//! 2. signs the pending actions in order, each with the next nonce, recording the signed
//!    transaction before broadcasting it;
//! 3. lets the tracker bring the mirror's word (included, final) into the actions.
//!
//! A failure of the node stops the round and is retried; one of the database ends the session,
//! which starts again (and reconciles again) once PostgreSQL answers.

use std::future::IntoFuture;
use std::sync::Arc;
use std::time::Duration;

use alloy::consensus::{TxEip1559, TxEnvelope, TypedTransaction};
use alloy::eips::BlockId;
use alloy::eips::eip2718::{Decodable2718, Encodable2718};
use alloy::network::{Ethereum, NetworkWallet, TransactionBuilder};
use alloy::primitives::{Address, B256, Bytes, TxKind, U256};
use alloy::providers::Provider;
use alloy::rpc::types::TransactionRequest;
use alloy::transports::{RpcError, TransportErrorKind};
use egp_contracts::ContractRevert;
use egp_contracts::rpc::{NodeFailure, RefusalKind};
use sqlx::Connection;
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

use super::store::{self, InFlight};
use super::{Outbox, request};
use crate::notify::Commit;
use crate::{Error, Result};

/// Time limit of one call to the node.
const RPC_TIMEOUT: Duration = Duration::from_secs(10);
/// Pending actions signed per round.
const BATCH: i64 = 100;

/// What a failed call to the node means, for the sender.
trait Failure {
    fn into_error(self, what: &str) -> Error;
    /// One of our contracts' custom errors, when the node refused with one.
    fn revert(&self) -> Option<ContractRevert>;
}

impl Failure for NodeFailure {
    fn into_error(self, what: &str) -> Error {
        Error::Rpc(format!("{what}: {self}"))
    }

    fn revert(&self) -> Option<ContractRevert> {
        self.refusal()?.revert.as_ref().and_then(|data| ContractRevert::decode(data))
    }
}

async fn node<T>(call: impl IntoFuture<Output = Result<T, RpcError<TransportErrorKind>>>) -> Result<T, NodeFailure> {
    match tokio::time::timeout(RPC_TIMEOUT, call.into_future()).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(NodeFailure::from_rpc(&error)),
        Err(_) => Err(NodeFailure::Unreachable { reason: format!("no answer within {RPC_TIMEOUT:?}") }),
    }
}

async fn read<T>(what: &str, call: impl IntoFuture<Output = Result<T, RpcError<TransportErrorKind>>>) -> Result<T> {
    node(call).await.map_err(|error| error.into_error(what))
}

const UNREACHABLE: &str = "the chain node is unreachable; retrying";

impl Outbox {
    /// Sends and follows the gateway's actions until `cancel`, waking on new actions and on the
    /// indexer's commits. Only one server sends for a gateway: the others wait for the lock.
    pub async fn run(self: Arc<Self>, mut commits: broadcast::Receiver<Commit>, cancel: CancellationToken) {
        while !cancel.is_cancelled() {
            match self.session(&mut commits, &cancel).await {
                Ok(()) => return,
                Err(error) => {
                    tracing::warn!(%error, "the action sender stopped; starting again");
                    tokio::select! {
                        _ = cancel.cancelled() => return,
                        _ = tokio::time::sleep(Duration::from_secs(2)) => {}
                    }
                }
            }
        }
    }

    /// Wakes the sender (a new action was queued).
    pub(crate) fn wake(&self) {
        self.wake.notify_one();
    }

    async fn session(&self, commits: &mut broadcast::Receiver<Commit>, cancel: &CancellationToken) -> Result<()> {
        let mut lock = sqlx::PgConnection::connect_with(&self.pool.connect_options()).await?;
        let key = super::sender_lock(self.gateway());
        loop {
            let locked = sqlx::query_scalar!(r#"SELECT pg_try_advisory_lock($1) AS "locked!""#, key)
                .fetch_one(&mut lock)
                .await?;
            if locked {
                break;
            }
            tokio::select! {
                _ = cancel.cancelled() => return Ok(()),
                _ = tokio::time::sleep(self.poll() * 8) => {}
            }
        }
        tracing::info!(gateway = %self.gateway(), "sending the gateway's actions");
        let mut sender = Sender { outbox: self, next_nonce: None, last_head: None, resync: true, chain_checked: false };
        let mut commits_open = true;
        loop {
            // Without the lock's connection another server may start sending: stop first.
            sqlx::query("SELECT 1").execute(&mut lock).await?;
            match sender.round().await {
                Ok(()) => {}
                Err(Error::Rpc(reason)) => {
                    tracing::warn!(%reason, "the chain node failed; the sender retries");
                    sender.resync = true;
                    sender.next_nonce = None;
                }
                Err(other) => return Err(other),
            }
            tokio::select! {
                _ = cancel.cancelled() => {
                    let _ = sqlx::query_scalar!("SELECT pg_advisory_unlock($1)", key).fetch_one(&mut lock).await;
                    return Ok(());
                }
                _ = self.wake.notified() => {}
                received = commits.recv(), if commits_open => {
                    commits_open = !matches!(received, Err(broadcast::error::RecvError::Closed));
                }
                _ = tokio::time::sleep(self.poll()) => {}
            }
        }
    }
}

/// One session's state.
struct Sender<'a> {
    outbox: &'a Outbox,
    /// The nonce the next new action gets (read again after a failure).
    next_nonce: Option<u64>,
    /// The head seen last round: receipts are looked up when it moves.
    last_head: Option<u64>,
    /// Broadcast every unmined transaction again (after a start or a failure of the node).
    resync: bool,
    chain_checked: bool,
}

impl Sender<'_> {
    async fn round(&mut self) -> Result<()> {
        let o = self.outbox;
        let gateway = o.gateway().to_vec();
        if !store::has_open(&o.pool, o.chain_id(), &gateway).await? {
            return Ok(());
        }
        let provider = o.egp.provider();
        if !self.chain_checked {
            let chain = read("eth_chainId", provider.get_chain_id()).await?;
            if chain != o.deployment.chain_id {
                return Err(Error::Config(format!(
                    "the node serves chain {chain}, the manifest chain {}: nothing is sent",
                    o.deployment.chain_id
                )));
            }
            self.chain_checked = true;
        }
        // The mirror first: an action it already holds is no longer in flight, whatever the
        // node's receipts say.
        o.track().await?;
        let head = read("eth_blockNumber", provider.get_block_number()).await?;
        let moved = self.last_head != Some(head);
        self.check_in_flight(moved).await?;
        self.resync = false;
        self.send_pending().await?;
        self.last_head = Some(head);
        Ok(())
    }

    /// Receipts, nonces used elsewhere, stuck transactions, broadcasts again.
    async fn check_in_flight(&mut self, head_moved: bool) -> Result<()> {
        let o = self.outbox;
        let actions = store::in_flight(&o.pool, o.chain_id(), o.gateway().as_slice()).await?;
        if actions.is_empty() {
            return Ok(());
        }
        let provider = o.egp.provider();
        // The mined nonce first, the receipts after: a nonce seen used with no receipt of ours
        // was used by another transaction, even if ours is mined a moment later.
        let mined_nonce =
            read("eth_getTransactionCount", provider.get_transaction_count(o.gateway()).block_id(BlockId::latest()))
                .await?;
        let limit = o.settings.tx_replace_after_secs as f64;
        for action in actions {
            let Some(newest) = action.attempts.first() else { continue };
            let stuck = action.mined_block.is_none() && newest.age_secs > limit;
            if !(self.resync || head_moved || stuck) {
                continue;
            }
            if self.settle(&action).await? {
                continue;
            }
            if (action.nonce as u64) < mined_nonce {
                let why =
                    format!("nonce {} was used by another transaction of the gateway; sending again", action.nonce);
                tracing::warn!(
                    action = action.id,
                    nonce = action.nonce,
                    "nonce used elsewhere; the action is queued again"
                );
                store::requeue(&o.pool, action.id, action.nonce, &why).await?;
                self.next_nonce = None;
            } else if stuck {
                self.replace(&action).await?;
            } else if self.resync {
                self.broadcast(action.id, &newest.raw).await?;
            }
        }
        Ok(())
    }

    /// Looks up the receipts of every transaction of `action`; true when one was found (the
    /// action is mined, or failed when the registry reverted it).
    async fn settle(&mut self, action: &InFlight) -> Result<bool> {
        let o = self.outbox;
        let provider = o.egp.provider();
        for attempt in &action.attempts {
            let hash = B256::from_slice(&attempt.hash);
            let Some(receipt) = read("eth_getTransactionReceipt", provider.get_transaction_receipt(hash)).await? else {
                continue;
            };
            let block = receipt.block_number.unwrap_or_default();
            if receipt.status() {
                store::mined(&o.pool, action.id, &attempt.hash, Some(block as i64)).await?;
            } else {
                let (code, message) = self.why_reverted(action, block).await;
                store::mined(&o.pool, action.id, &attempt.hash, Some(block as i64)).await?;
                store::fail(&o.pool, action.id, &code, &message).await?;
            }
            return Ok(true);
        }
        if action.mined_block.is_some()
            && let Some(hash) = &action.transaction_hash
        {
            // Its receipt is gone: reorganised away. It is followed as unmined again.
            tracing::warn!(action = action.id, "a mined transaction of the action was reorganised away");
            store::mined(&o.pool, action.id, hash, None).await?;
        }
        Ok(false)
    }

    /// The registry's reason for reverting `action`'s transaction in `block`, replayed with
    /// `eth_call` on that block's state.
    async fn why_reverted(&self, action: &InFlight, block: u64) -> (String, String) {
        let o = self.outbox;
        let request = TransactionRequest::default()
            .with_from(o.gateway())
            .with_to(Address::from_slice(&action.contract_address))
            .with_input(Bytes::from(action.calldata.clone()));
        let replay = node(o.egp.provider().call(request).block(BlockId::number(block))).await;
        match replay.err().and_then(|error| error.revert()) {
            Some(revert) => request::refusal(&revert),
            None => (
                "REVERTED".to_owned(),
                format!("the transaction was mined in block {block} but the registry reverted it; nothing changed"),
            ),
        }
    }

    /// Signs and sends the pending actions, oldest first.
    async fn send_pending(&mut self) -> Result<()> {
        let o = self.outbox;
        let gateway = o.gateway();
        let pending = store::pending(&o.pool, o.chain_id(), gateway.as_slice(), BATCH).await?;
        if pending.is_empty() {
            return Ok(());
        }
        let provider = o.egp.provider();
        let fees = read("fee estimate", provider.estimate_eip1559_fees()).await?;
        for action in pending {
            let to = Address::from_slice(&action.contract_address);
            let input = Bytes::from(action.calldata.clone());
            let request = TransactionRequest::default().with_from(gateway).with_to(to).with_input(input.clone());
            // The registry's answer now: a refusal fails the action and nothing is sent.
            let gas = match node(provider.estimate_gas(request)).await {
                Ok(gas) => gas,
                Err(refused @ NodeFailure::Refused(_)) => {
                    match refused.revert() {
                        Some(revert) => {
                            let (code, message) = request::refusal(&revert);
                            store::fail(&o.pool, action.id, &code, &message).await?;
                        }
                        None => {
                            let error = refused.into_error("eth_estimateGas");
                            tracing::warn!(action = action.id, %error, "the node refused the gas estimate");
                            let why = "the node refused to estimate the transaction; retrying (see the API's log)";
                            store::retrying(&o.pool, action.id, Some(why)).await?;
                        }
                    }
                    continue;
                }
                Err(unreachable) => {
                    store::retrying(&o.pool, action.id, Some(UNREACHABLE)).await?;
                    return Err(unreachable.into_error("eth_estimateGas"));
                }
            };
            let nonce = self.next_nonce().await?;
            let tx = TxEip1559 {
                chain_id: o.deployment.chain_id,
                nonce,
                // A margin over the estimate: state may move before inclusion (as `egp` does).
                gas_limit: gas + gas / 5,
                max_fee_per_gas: fees.max_fee_per_gas,
                max_priority_fee_per_gas: fees.max_priority_fee_per_gas,
                to: TxKind::Call(to),
                value: U256::ZERO,
                access_list: Default::default(),
                input,
            };
            let (hash, raw) = self.sign(tx).await?;
            if !store::record_attempt(&o.pool, action.id, nonce as i64, hash.as_slice(), &raw).await? {
                continue;
            }
            self.next_nonce = Some(nonce + 1);
            tracing::info!(action = action.id, nonce, transaction = %hash, "sending");
            self.broadcast(action.id, &raw).await?;
        }
        Ok(())
    }

    /// The next nonce: past everything the node has (mined or pooled) and everything ever signed.
    async fn next_nonce(&mut self) -> Result<u64> {
        if let Some(nonce) = self.next_nonce {
            return Ok(nonce);
        }
        let o = self.outbox;
        let pooled = read(
            "eth_getTransactionCount",
            o.egp.provider().get_transaction_count(o.gateway()).block_id(BlockId::pending()),
        )
        .await?;
        let signed = store::highest_nonce(&o.pool, o.chain_id(), o.gateway().as_slice()).await?;
        let nonce = pooled.max(signed.map_or(0, |n| n as u64 + 1));
        self.next_nonce = Some(nonce);
        Ok(nonce)
    }

    async fn sign(&self, tx: TxEip1559) -> Result<(B256, Vec<u8>)> {
        let o = self.outbox;
        let signed: TxEnvelope = NetworkWallet::<Ethereum>::sign_transaction_from(
            &o.signer.wallet,
            o.gateway(),
            TypedTransaction::Eip1559(tx),
        )
        .await
        .map_err(|error| Error::Signer(error.to_string()))?;
        Ok((*signed.tx_hash(), signed.encoded_2718()))
    }

    /// Replaces a stuck transaction: the same call at the same nonce, fees up by a quarter (and
    /// at least the node's estimate), up to four times the node's estimate (at least 1 gwei);
    /// at that ceiling it waits as it is.
    async fn replace(&mut self, action: &InFlight) -> Result<()> {
        let o = self.outbox;
        let Some(newest) = action.attempts.first() else { return Ok(()) };
        let previous = TxEnvelope::decode_2718(&mut newest.raw.as_slice())
            .map_err(|error| Error::Corrupt { table: "action_transactions", reason: error.to_string() })?;
        let Some(previous) = previous.as_eip1559().map(|signed| signed.tx().clone()) else {
            return Err(Error::Corrupt { table: "action_transactions", reason: "not an EIP-1559 transaction".into() });
        };
        let fees = read("fee estimate", o.egp.provider().estimate_eip1559_fees()).await?;
        let ceiling = fees.max_fee_per_gas.max(1_000_000_000) * 4;
        if previous.max_fee_per_gas >= ceiling {
            // Giving up would risk a second send if it is mined later: the action says which
            // transaction waits, and for how long each attempt was given.
            let why = format!(
                "transaction {} is not mined within {} s at the highest fee the sender offers; waiting",
                B256::from_slice(&newest.hash),
                o.settings.tx_replace_after_secs
            );
            tracing::warn!(action = action.id, nonce = action.nonce, "{why}");
            return store::retrying(&o.pool, action.id, Some(&why)).await;
        }
        let bump = |old: u128| old + old / 4 + 1;
        let max_fee_per_gas = bump(previous.max_fee_per_gas).max(fees.max_fee_per_gas).min(ceiling);
        let max_priority_fee_per_gas =
            bump(previous.max_priority_fee_per_gas).max(fees.max_priority_fee_per_gas).min(max_fee_per_gas);
        let tx = TxEip1559 { max_fee_per_gas, max_priority_fee_per_gas, ..previous };
        let (hash, raw) = self.sign(tx).await?;
        if !store::record_attempt(&o.pool, action.id, action.nonce, hash.as_slice(), &raw).await? {
            return Ok(());
        }
        tracing::warn!(action = action.id, nonce = action.nonce, transaction = %hash, "replacing a stuck transaction");
        self.broadcast(action.id, &raw).await
    }

    /// Broadcasts a recorded transaction. The node's refusals are noted on the action and
    /// retried; no answer at all stops the round.
    async fn broadcast(&mut self, id: i64, raw: &[u8]) -> Result<()> {
        let o = self.outbox;
        match node(o.egp.provider().send_raw_transaction(raw)).await {
            Ok(_) => store::retrying(&o.pool, id, None).await,
            Err(NodeFailure::Refused(refusal)) => {
                let why = match refusal.kind {
                    RefusalKind::AlreadyKnown => return store::retrying(&o.pool, id, None).await,
                    RefusalKind::NonceTooLow => {
                        // Used by another transaction, or ours is mined: the next check settles it.
                        self.next_nonce = None;
                        return Ok(());
                    }
                    RefusalKind::InsufficientFunds => {
                        format!("the gateway account {} cannot pay for gas: fund it; retrying", o.gateway())
                    }
                    RefusalKind::Underpriced => {
                        "the node wants higher fees; the transaction will be replaced with higher fees".to_owned()
                    }
                    RefusalKind::Reverted | RefusalKind::Other => {
                        "the node refused the transaction; retrying (see the API's log)".to_owned()
                    }
                };
                tracing::warn!(action = id, error = %refusal, "the node refused a transaction");
                store::retrying(&o.pool, id, Some(&why)).await
            }
            Err(unreachable) => {
                store::retrying(&o.pool, id, Some(UNREACHABLE)).await?;
                Err(unreachable.into_error("eth_sendRawTransaction"))
            }
        }
    }
}
