//! The load generator: concurrent tasks sending GraphQL over HTTP on loopback, each request timed
//! from send to the last byte of the body; bounded by a request count and a time limit.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use alloy::primitives::B256;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

use crate::Failure;

/// The whole record, as an e-GP officer's screen asks for it: parties, amounts, dates, children,
/// the event history and the provenance.
const LOOKUP: &str = "query Lookup($id: String!) { guarantee(id: $id) {
    id bankCode bankRef type status amount { satang thb } outstanding { satang thb } totalPaid { thb }
    issueDate effectiveDate expiryType expiryDate agencyCode agency { code name } bank { code name }
    projectNumber contractNumber applicantCommitment documentHash
    amendments { sequence status } claims { sequence status amount { thb } }
    releases { sequence kind amount { thb } returnDeadline }
    history { name provenance { blockNumber transactionHash logIndex } }
    provenance { chainId contract blockNumber blockHash blockTime transactionHash logIndex final } } }";

/// An agency's guarantees in some statuses, 50 per page, with the total.
const PAGE: &str = "query Page($filter: GuaranteeFilterInput, $after: String) {
  guarantees(filter: $filter, first: 50, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id bankCode bankRef type status amount { thb } outstanding { thb } expiryDate
                   provenance { blockNumber transactionHash final } } } } }";

/// What the tasks ask.
pub(crate) enum Workload {
    /// `guarantee(id)` of random guarantees.
    Lookup(Vec<B256>),
    /// `guarantees(filter: {agencyCode, statuses}, first: 50)` for a random agency, then up to
    /// `pages - 1` following pages by `after`.
    Pages {
        /// Agency codes.
        agencies: Vec<String>,
        /// Pages read per walk.
        pages: usize,
    },
}

/// One task's place in a page walk.
#[derive(Default)]
struct Walk {
    filter: Value,
    after: Option<String>,
    left: usize,
}

impl Workload {
    fn request(&self, rng: &mut StdRng, walk: &mut Walk) -> Value {
        match self {
            Self::Lookup(ids) => {
                let id = ids[rng.gen_range(0..ids.len())];
                json!({ "query": LOOKUP, "variables": { "id": id.to_string() } })
            }
            Self::Pages { agencies, pages } => {
                if walk.left == 0 || walk.after.is_none() {
                    let agency = &agencies[rng.gen_range(0..agencies.len())];
                    walk.filter = json!({ "agencyCode": agency, "statuses": ["ACTIVE", "CLAIMED"] });
                    walk.after = None;
                    walk.left = *pages;
                }
                walk.left -= 1;
                json!({ "query": PAGE, "variables": { "filter": walk.filter, "after": walk.after } })
            }
        }
    }

    /// Reads the cursor of a page answer; the number of rows it returned.
    fn observe(&self, response: &Value, walk: &mut Walk) -> usize {
        match self {
            Self::Lookup(_) => usize::from(!response["data"]["guarantee"].is_null()),
            Self::Pages { .. } => {
                let page = &response["data"]["guarantees"];
                walk.after = page["pageInfo"]["hasNextPage"]
                    .as_bool()
                    .filter(|more| *more)
                    .and_then(|_| page["pageInfo"]["endCursor"].as_str().map(str::to_owned));
                page["edges"].as_array().map_or(0, Vec::len)
            }
        }
    }
}

/// The outcome of one phase.
pub(crate) struct Figures {
    /// Requests completed.
    pub(crate) requests: usize,
    /// Of which failed (non-200, GraphQL errors, or no consistency marker).
    pub(crate) failures: usize,
    /// The first failure, for the report.
    pub(crate) first_failure: Option<String>,
    /// Rows returned in all.
    pub(crate) rows: usize,
    /// Wall time.
    pub(crate) elapsed: Duration,
    /// Latencies, sorted.
    latencies: Vec<Duration>,
}

impl Figures {
    /// Requests per second.
    pub(crate) fn rate(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// The `q`-quantile latency (nearest rank).
    pub(crate) fn quantile(&self, q: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let rank = ((q * self.latencies.len() as f64).ceil() as usize).clamp(1, self.latencies.len());
        self.latencies[rank - 1]
    }
}

/// The client side of a run.
pub(crate) struct Driver {
    /// `http://127.0.0.1:<port>/graphql`.
    pub(crate) endpoint: String,
    /// The API key.
    pub(crate) key: String,
    /// Tasks at once.
    pub(crate) concurrency: usize,
    /// The HTTP client (keep-alive connections, one per task).
    pub(crate) client: reqwest::Client,
}

impl Driver {
    /// Sends up to `requests` requests of `work` (stopping at `limit`), `concurrency` at a time.
    pub(crate) async fn run(
        &self,
        work: Arc<Workload>,
        requests: usize,
        limit: Duration,
        seed: u64,
    ) -> Result<Figures, Failure> {
        let issued = Arc::new(AtomicUsize::new(0));
        let started = Instant::now();
        let deadline = started + limit;
        let mut tasks = Vec::with_capacity(self.concurrency);
        for task in 0..self.concurrency {
            let (work, issued) = (work.clone(), issued.clone());
            let (client, endpoint, key) = (self.client.clone(), self.endpoint.clone(), self.key.clone());
            tasks.push(tokio::spawn(async move {
                let mut rng = StdRng::seed_from_u64(seed ^ (task as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
                let mut walk = Walk::default();
                let mut figures = Figures {
                    requests: 0,
                    failures: 0,
                    first_failure: None,
                    rows: 0,
                    elapsed: Duration::ZERO,
                    latencies: Vec::new(),
                };
                while issued.fetch_add(1, Ordering::Relaxed) < requests && Instant::now() < deadline {
                    let body = serde_json::to_vec(&work.request(&mut rng, &mut walk))?;
                    let sent = Instant::now();
                    let response = client
                        .post(&endpoint)
                        .bearer_auth(&key)
                        .header(reqwest::header::CONTENT_TYPE, "application/json")
                        .body(body)
                        .send()
                        .await?;
                    let status = response.status();
                    let bytes = response.bytes().await?;
                    figures.latencies.push(sent.elapsed());
                    figures.requests += 1;
                    let answer: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
                    let failed = !status.is_success()
                        || answer.get("errors").is_some_and(|e| e.as_array().is_none_or(|e| !e.is_empty()))
                        || answer["extensions"]["consistency"].is_null();
                    if failed {
                        figures.failures += 1;
                        walk.after = None;
                        if figures.first_failure.is_none() {
                            figures.first_failure = Some(format!(
                                "HTTP {status}: {}",
                                String::from_utf8_lossy(&bytes[..bytes.len().min(400)])
                            ));
                        }
                    } else {
                        figures.rows += work.observe(&answer, &mut walk);
                    }
                }
                Ok::<_, Failure>(figures)
            }));
        }
        let mut all = Figures {
            requests: 0,
            failures: 0,
            first_failure: None,
            rows: 0,
            elapsed: Duration::ZERO,
            latencies: Vec::new(),
        };
        for task in tasks {
            let figures = task.await??;
            all.requests += figures.requests;
            all.failures += figures.failures;
            all.rows += figures.rows;
            all.first_failure = all.first_failure.or(figures.first_failure);
            all.latencies.extend(figures.latencies);
        }
        all.elapsed = started.elapsed();
        all.latencies.sort_unstable();
        Ok(all)
    }
}
