//! Backfill progress: a bar (blocks, events/s, ETA) on a terminal, a log line every few seconds
//! otherwise.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

/// How progress is shown.
#[derive(Debug)]
pub struct Progress {
    bar: Option<ProgressBar>,
    log: bool,
    started: Instant,
    last_log: Instant,
    first_block: Option<u64>,
    events: u64,
}

const LOG_EVERY: Duration = Duration::from_secs(10);

impl Progress {
    /// `mode` is `auto` (bar on a terminal, log lines otherwise), `bar`, `log` or `off`.
    pub fn new(mode: &str) -> Self {
        let terminal = std::io::stderr().is_terminal();
        let bar = matches!(mode, "bar") || (mode == "auto" && terminal);
        let log = matches!(mode, "log") || (mode == "auto" && !terminal);
        let bar = bar.then(|| {
            let bar = ProgressBar::new(0);
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] {wide_bar} block {pos}/{len} {msg} ETA {eta}",
                )
                .expect("a valid template"),
            );
            bar
        });
        let now = Instant::now();
        Self { bar, log, started: now, last_log: now, first_block: None, events: 0 }
    }

    /// Records a committed batch: the checkpoint is `indexed`, the head `head`.
    pub fn update(&mut self, indexed: u64, head: u64, events: u64) {
        let first = *self.first_block.get_or_insert(indexed);
        self.events += events;
        let elapsed = self.started.elapsed().as_millis().max(1) as u64;
        let events_per_second = self.events * 1000 / elapsed;
        if let Some(bar) = &self.bar {
            bar.set_length(head);
            bar.set_position(indexed);
            bar.set_message(format!("{events_per_second} events/s"));
        }
        if self.log && (self.last_log.elapsed() >= LOG_EVERY || indexed >= head) && indexed > first {
            self.last_log = Instant::now();
            let blocks_per_second = (indexed - first) * 1000 / elapsed;
            let eta = head.saturating_sub(indexed).checked_div(blocks_per_second).unwrap_or(0);
            tracing::info!(
                indexed,
                head,
                events = self.events,
                events_per_second,
                eta_seconds = eta,
                "backfill progress"
            );
        }
    }

    /// Clears the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
