//! The load: every bank of the local consortium issuing guarantees, and the e-GP gateway
//! accepting each one, then claiming (the bank pays) or releasing some of them, for as long as
//! the run lasts. Reorgs drop transactions and the node may refuse calls for a moment: a step
//! that fails or takes too long is counted and the load goes on with the next one.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::NaiveDate;
use egp::Egp;
use egp::bank::{GuaranteeTerms, reference_hash};
use egp_contracts::{BankCode, Code, Satang};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use egp_testkit::{Stack, pepper};

/// How long one step may take before it is given up.
const STEP_LIMIT: Duration = Duration::from_secs(20);

/// What the load did.
#[derive(Debug, Default)]
pub struct LoadCounts {
    /// Steps that were mined.
    pub done: AtomicU64,
    /// Steps that failed or were given up (a reorg dropped their transaction, say).
    pub failed: AtomicU64,
}

fn code(text: &str) -> Code {
    Code::new(text).expect("a valid code")
}

/// The terms of every guarantee the run issues.
pub fn terms(bank_ref: &str, today: NaiveDate) -> GuaranteeTerms {
    egp_testkit::guarantee_terms(bank_ref, "0105564012347", today)
}

/// Held (shared) by every step of the load while it sends and waits for its receipt; a reorg
/// takes it exclusively, so that anvil never mines one of the load's transactions while it rolls
/// back and builds the new branch.
pub type Quiet = Arc<tokio::sync::RwLock<()>>;

/// Runs `step`, counting it; `None` when it failed or timed out.
async fn step<T, E>(counts: &LoadCounts, quiet: &Quiet, future: impl Future<Output = Result<T, E>>) -> Option<T> {
    let _sending = quiet.read().await;
    match tokio::time::timeout(STEP_LIMIT, future).await {
        Ok(Ok(value)) => {
            counts.done.fetch_add(1, Ordering::Relaxed);
            Some(value)
        }
        _ => {
            counts.failed.fetch_add(1, Ordering::Relaxed);
            None
        }
    }
}

/// Starts the load until `stop`: one task per bank and one for the gateway.
pub async fn start(
    stack: &Stack,
    seed: u64,
    quiet: Quiet,
    stop: CancellationToken,
) -> (Arc<LoadCounts>, Vec<tokio::task::JoinHandle<()>>) {
    let counts = Arc::new(LoadCounts::default());
    let gateway = stack.gateway().await;
    let today = egp_contracts::dates::bangkok_date(gateway.chain_time().await.expect("the chain's time"));
    let (issued, mut to_answer) = mpsc::unbounded_channel::<(u16, alloy::primitives::B256)>();
    let mut tasks = Vec::new();
    let codes: Vec<u16> = stack.consortium.issuers.iter().map(|issuer| issuer.bank_code.get()).collect();
    let mut banks = Vec::new();
    for &bank_code in &codes {
        banks.push((bank_code, Arc::new(stack.bank(bank_code).await)));
    }
    for (bank_code, bank) in banks.clone() {
        let (counts, issued, stop, quiet) = (counts.clone(), issued.clone(), stop.clone(), quiet.clone());
        tasks.push(tokio::spawn(async move {
            let mut n = 0u64;
            while !stop.is_cancelled() {
                n += 1;
                let bank_ref = format!("CHAOS-{n}");
                let id = egp_contracts::types::record_id(BankCode::new(bank_code).expect("a bank code"), &bank_ref);
                if step(&counts, &quiet, bank.issue_guarantee(&terms(&bank_ref, today), &pepper())).await.is_some() {
                    let _ = issued.send((bank_code, id));
                }
                tokio::time::sleep(Duration::from_millis(150)).await;
            }
        }));
    }
    let (counts_g, stop_g) = (counts.clone(), stop.clone());
    let quiet_g = quiet;
    tasks.push(tokio::spawn(async move {
        let mut rng = StdRng::seed_from_u64(seed ^ 0x6761_7465);
        let agency = code("21009");
        loop {
            let (bank_code, id) = tokio::select! {
                () = stop_g.cancelled() => return,
                next = to_answer.recv() => match next { Some(next) => next, None => return },
            };
            if step(&counts_g, &quiet_g, gateway.accept(id, &agency)).await.is_none() {
                continue;
            }
            match rng.gen_range(0..4) {
                0 => {
                    let demand = reference_hash(&format!("demand {id}"));
                    if step(&counts_g, &quiet_g, gateway.claim(id, &agency, Satang(10_000_000), demand)).await.is_some()
                        && let Some((_, bank)) = banks.iter().find(|(c, _)| *c == bank_code)
                    {
                        let reference = reference_hash(&format!("payment {id}"));
                        step(&counts_g, &quiet_g, bank.pay(id, None, Satang(10_000_000), reference)).await;
                    }
                }
                1 => {
                    step(&counts_g, &quiet_g, gateway.release(id, &agency, today)).await;
                }
                _ => {}
            }
        }
    }));
    (counts, tasks)
}

/// A connection reading the chain (no signer).
pub async fn reader(stack: &Stack) -> Egp {
    Egp::connect(&stack.rpc_url, &stack.manifest, None::<alloy::signers::local::PrivateKeySigner>)
        .await
        .expect("connect")
}
