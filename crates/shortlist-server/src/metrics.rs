//! Prometheus metrics, served at `/metrics` (spec: api §6). Each server owns
//! its registry, so several can run in one process (tests, the demo).

use std::time::Duration;

use prometheus::{Encoder, Histogram, HistogramOpts, IntCounter, IntCounterVec, Opts, Registry, TextEncoder};

/// The server's counters.
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    entries: IntCounterVec,
    groups: IntCounter,
    group_size: Histogram,
    group_seconds: Histogram,
}

impl Metrics {
    /// A fresh registry with shortlist's metrics.
    pub fn new() -> Result<Self, prometheus::Error> {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new("shortlist_http_requests_total", "HTTP requests by route and status"),
            &["route", "status"],
        )?;
        let entries = IntCounterVec::new(
            Opts::new("shortlist_board_entries_total", "Entries appended, by kind"),
            &["kind"],
        )?;
        let groups = IntCounter::new("shortlist_group_commits_total", "Group commits")?;
        let group_size = Histogram::with_opts(
            HistogramOpts::new("shortlist_group_commit_requests", "Requests per group commit")
                .buckets(vec![1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0]),
        )?;
        let group_seconds = Histogram::with_opts(HistogramOpts::new(
            "shortlist_group_commit_seconds",
            "Time to check, append and commit one group",
        ))?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(entries.clone()))?;
        registry.register(Box::new(groups.clone()))?;
        registry.register(Box::new(group_size.clone()))?;
        registry.register(Box::new(group_seconds.clone()))?;
        Ok(Self { registry, requests, entries, groups, group_size, group_seconds })
    }

    /// Counts a request.
    pub fn request(&self, route: &str, status: u16) {
        self.requests.with_label_values(&[route, &status.to_string()]).inc();
    }

    /// Counts an appended entry.
    pub fn appended(&self, kind: &str) {
        self.entries.with_label_values(&[kind]).inc();
    }

    /// Records one group commit.
    pub fn group_commit(&self, requests: u64, took: Duration) {
        self.groups.inc();
        #[allow(clippy::cast_precision_loss)]
        self.group_size.observe(requests as f64);
        self.group_seconds.observe(took.as_secs_f64());
    }

    /// The text exposition format.
    pub fn render(&self) -> String {
        let mut out = Vec::new();
        if TextEncoder::new().encode(&self.registry.gather(), &mut out).is_err() {
            return String::new();
        }
        String::from_utf8(out).unwrap_or_default()
    }
}
