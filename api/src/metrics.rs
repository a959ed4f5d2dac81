//! `/metrics` in the Prometheus text format: requests by HTTP status, a latency histogram, and
//! errors by public code.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds of the latency buckets, seconds.
const BUCKETS: [f64; 12] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

/// The API's counters.
#[derive(Debug, Default)]
pub struct Metrics {
    by_status: Mutex<BTreeMap<u16, u64>>,
    errors: Mutex<BTreeMap<String, u64>>,
    buckets: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_micros: AtomicU64,
}

impl Metrics {
    /// Records one request.
    pub fn observe(&self, status: u16, latency: Duration, codes: &[String]) {
        *self.by_status.lock().expect("not poisoned").entry(status).or_default() += 1;
        let mut errors = self.errors.lock().expect("not poisoned");
        for code in codes {
            *errors.entry(code.clone()).or_default() += 1;
        }
        drop(errors);
        let seconds = latency.as_secs_f64();
        for (bucket, bound) in self.buckets.iter().zip(BUCKETS) {
            if seconds <= bound {
                bucket.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_micros.fetch_add(latency.as_micros() as u64, Ordering::Relaxed);
    }

    /// The Prometheus exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str("# HELP egp_api_requests_total GraphQL HTTP requests by status.\n");
        out.push_str("# TYPE egp_api_requests_total counter\n");
        for (status, n) in self.by_status.lock().expect("not poisoned").iter() {
            let _ = writeln!(out, "egp_api_requests_total{{status=\"{status}\"}} {n}");
        }
        out.push_str("# HELP egp_api_errors_total GraphQL errors by public code.\n");
        out.push_str("# TYPE egp_api_errors_total counter\n");
        for (code, n) in self.errors.lock().expect("not poisoned").iter() {
            let _ = writeln!(out, "egp_api_errors_total{{code=\"{code}\"}} {n}");
        }
        out.push_str("# HELP egp_api_request_duration_seconds GraphQL request latency.\n");
        out.push_str("# TYPE egp_api_request_duration_seconds histogram\n");
        for (bucket, bound) in self.buckets.iter().zip(BUCKETS) {
            let n = bucket.load(Ordering::Relaxed);
            let _ = writeln!(out, "egp_api_request_duration_seconds_bucket{{le=\"{bound}\"}} {n}");
        }
        let count = self.count.load(Ordering::Relaxed);
        let _ = writeln!(out, "egp_api_request_duration_seconds_bucket{{le=\"+Inf\"}} {count}");
        let sum = self.sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(out, "egp_api_request_duration_seconds_sum {sum}");
        let _ = writeln!(out, "egp_api_request_duration_seconds_count {count}");
        out
    }
}
