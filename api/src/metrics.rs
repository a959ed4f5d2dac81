//! `/metrics` in the Prometheus text format: requests by HTTP status, a latency histogram, and
//! errors by public code, recorded through the `metrics` crate into a Prometheus recorder that
//! belongs to this [`Metrics`] (never the process-global one: APIs in one process keep their own
//! figures) and rendered by its exporter.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use metrics::Histogram;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle, PrometheusRecorder};

const REQUESTS: &str = "egp_api_requests_total";
const ERRORS: &str = "egp_api_errors_total";
const DURATION: &str = "egp_api_request_duration_seconds";
/// Upper bounds of the latency buckets, seconds.
const BUCKETS: [f64; 12] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];
/// Latency samples wait in the recorder until folded into the buckets; fold them every this many
/// requests so that an API nobody scrapes does not grow.
const UPKEEP_EVERY: u64 = 1024;

/// The API's counters.
pub struct Metrics {
    recorder: PrometheusRecorder,
    handle: PrometheusHandle,
    duration: Histogram,
    observed: AtomicU64,
}

impl Default for Metrics {
    fn default() -> Self {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(DURATION.to_owned()), &BUCKETS)
            .expect("the bucket list is not empty")
            .build_recorder();
        let handle = recorder.handle();
        let duration = metrics::with_local_recorder(&recorder, || {
            metrics::describe_counter!(REQUESTS, "GraphQL HTTP requests by status.");
            metrics::describe_counter!(ERRORS, "GraphQL errors by public code.");
            metrics::describe_histogram!(DURATION, "GraphQL request latency.");
            metrics::histogram!(DURATION)
        });
        Self { recorder, handle, duration, observed: AtomicU64::new(0) }
    }
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").field("observed", &self.observed).finish_non_exhaustive()
    }
}

impl Metrics {
    /// Records one request.
    pub fn observe(&self, status: u16, latency: Duration, codes: &[String]) {
        metrics::with_local_recorder(&self.recorder, || {
            metrics::counter!(REQUESTS, "status" => status.to_string()).increment(1);
            for code in codes {
                metrics::counter!(ERRORS, "code" => code.clone()).increment(1);
            }
        });
        self.duration.record(latency.as_secs_f64());
        if self.observed.fetch_add(1, Ordering::Relaxed) % UPKEEP_EVERY == UPKEEP_EVERY - 1 {
            self.handle.run_upkeep();
        }
    }

    /// The Prometheus exposition.
    pub fn render(&self) -> String {
        self.handle.render()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_instance_counts_its_own_requests_in_the_same_names_and_buckets() {
        let (one, two) = (Metrics::default(), Metrics::default());
        one.observe(200, Duration::from_millis(3), &[]);
        one.observe(200, Duration::from_millis(40), &["PAGE_TOO_LARGE".to_owned()]);
        one.observe(401, Duration::from_micros(500), &["UNAUTHENTICATED".to_owned()]);
        two.observe(413, Duration::from_millis(2), &["BODY_TOO_LARGE".to_owned()]);

        let first = one.render();
        for line in [
            "# TYPE egp_api_requests_total counter\n",
            "egp_api_requests_total{status=\"200\"} 2\n",
            "egp_api_requests_total{status=\"401\"} 1\n",
            "# HELP egp_api_errors_total GraphQL errors by public code.\n",
            "egp_api_errors_total{code=\"PAGE_TOO_LARGE\"} 1\n",
            "# TYPE egp_api_request_duration_seconds histogram\n",
            "egp_api_request_duration_seconds_bucket{le=\"0.001\"} 1\n",
            "egp_api_request_duration_seconds_bucket{le=\"0.005\"} 2\n",
            "egp_api_request_duration_seconds_bucket{le=\"0.05\"} 3\n",
            "egp_api_request_duration_seconds_bucket{le=\"10\"} 3\n",
            "egp_api_request_duration_seconds_bucket{le=\"+Inf\"} 3\n",
            "egp_api_request_duration_seconds_count 3\n",
        ] {
            assert!(first.contains(line), "{line:?} in {first}");
        }
        assert!(!first.contains("BODY_TOO_LARGE") && !first.contains("status=\"413\""), "{first}");
        let second = two.render();
        assert!(second.contains("egp_api_requests_total{status=\"413\"} 1\n"), "{second}");
        assert!(second.contains("egp_api_request_duration_seconds_count 1\n"), "{second}");
        assert!(!second.contains("status=\"200\""), "{second}");
    }
}
