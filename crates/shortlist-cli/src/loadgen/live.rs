//! `loadgen --follow`: the live verifier (`shortlist-verify --follow`, board
//! §8.6) following the first instance over HTTP during the rush, on its own
//! thread, so that its rate is measured against the server's peak.

use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Result};
use shortlist_board::verify::{Report, Verifier};
use shortlist_verify::follow::{follow, Follow};

/// A live verifier running beside the load.
pub struct Live {
    handle: JoinHandle<Result<Report, String>>,
    // (when, ballots checked) at each settled read.
    ticks: Arc<Mutex<Vec<(Instant, u64)>>>,
}

/// Starts following `poll` on the server at `base`.
pub fn spawn(base: String, poll: &str) -> Live {
    let ticks = Arc::new(Mutex::new(Vec::new()));
    let (t, poll) = (ticks.clone(), poll.to_string());
    let handle = std::thread::spawn(move || {
        let f = Follow {
            url: &base,
            poll: &poll,
            every: Duration::from_millis(100),
            keep: None,
            save: None,
            resume: None,
        };
        follow(Verifier::new(), &f, |tick| {
            if let Ok(mut t) = t.lock() {
                t.push((Instant::now(), tick.progress.ballots));
            }
        })
    });
    Live { handle, ticks }
}

impl Live {
    /// Waits for the verifier to verify the result, then prints its rate
    /// during the rush (`start..end`, `casts` ballots acknowledged) and how
    /// long after the last cast it had verified them all.
    pub fn report(self, start: Instant, end: Instant, casts: usize) -> Result<()> {
        let report = self.handle.join().map_err(|_| anyhow!("the live verifier panicked"))?;
        let report = report.map_err(|e| anyhow!("the live verifier could not read the board: {e}"))?;
        let ticks = self.ticks.lock().map_err(|_| anyhow!("poisoned"))?.clone();
        let casts = u64::try_from(casts).unwrap_or(u64::MAX);
        // Ballots verified during the rush, and when every cast was verified.
        let at_start = ticks.iter().take_while(|(t, _)| *t <= start).last().map_or(0, |(_, b)| *b);
        let during = ticks.iter().take_while(|(t, _)| *t <= end).last().map_or(0, |(_, b)| *b);
        let caught_up = ticks.iter().find(|(_, b)| *b >= casts).map(|(t, _)| *t);
        let rush = end.saturating_duration_since(start).as_secs_f64().max(1e-6);
        #[allow(clippy::cast_precision_loss)]
        let rate = during.saturating_sub(at_start) as f64 / rush;
        match caught_up {
            Some(t) => {
                let lag = t.saturating_duration_since(end).as_secs_f64();
                let whole = t.saturating_duration_since(start).as_secs_f64().max(1e-6);
                #[allow(clippy::cast_precision_loss)]
                let overall = casts as f64 / whole;
                println!(
                    "{} live verifier (--follow over HTTP, beside the server): {rate:.0} ballots/s during the rush \
                     ({during} of {casts} verified by its end); all verified {lag:.2} s after the last cast \
                     ({overall:.0} ballots/s from the first cast); {} settled reads; final verdict: {}",
                    if report.passed() { "✓" } else { "✗" },
                    ticks.len(),
                    if report.passed() { "every step passed" } else { "FAILED" },
                )
            }
            None => println!("✗ live verifier: verified {during} of {casts} ballots"),
        }
        if !report.passed() {
            print!("{report}");
            bail!("the live verifier failed: {}", report.failed_steps().join(", "));
        }
        if !report.complete() {
            bail!("the live verifier stopped before the result: {}", report.phase.describe());
        }
        Ok(())
    }
}
