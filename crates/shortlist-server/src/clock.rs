//! The server's clock. The timetable is enforced against it (spec: api §5);
//! tests and the embedded demo use a clock they move by hand. Also its
//! times as messages and pages write them in UTC ([`utc`], [`iso`]).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Unix seconds, UTC.
pub trait Clock: Send + Sync + 'static {
    /// Now.
    fn now(&self) -> u64;
}

/// The system clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> u64 {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
    }
}

/// A clock that stands still until moved: for tests and the demo, which
/// run a timetable of days in seconds. Never used by `shortlist serve`.
#[derive(Clone, Debug, Default)]
pub struct ManualClock(Arc<AtomicU64>);

impl ManualClock {
    /// A clock showing `now`.
    pub fn new(now: u64) -> Self {
        Self(Arc::new(AtomicU64::new(now)))
    }

    /// Sets the time.
    pub fn set(&self, now: u64) {
        self.0.store(now, Ordering::SeqCst);
    }

    /// Moves the time forward.
    pub fn advance(&self, secs: u64) {
        self.0.fetch_add(secs, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian.
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, u32::try_from(m).unwrap_or(1), u32::try_from(d).unwrap_or(1))
}

fn parts(t: u64) -> (i64, u32, u32, u64, u64) {
    let days = i64::try_from(t / 86_400).unwrap_or(0);
    let (y, m, d) = civil(days);
    let secs = t % 86_400;
    (y, m, d, secs / 3600, (secs % 3600) / 60)
}

/// `2026-11-30T09:00:00Z`, for `<time datetime>`.
pub fn iso(t: u64) -> String {
    let (y, m, d, hh, mm) = parts(t);
    format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{:02}Z", t % 60)
}

/// `2026-11-30 09:00 UTC`.
pub fn utc(t: u64) -> String {
    let (y, m, d, hh, mm) = parts(t);
    format!("{y:04}-{m:02}-{d:02} {hh:02}:{mm:02} UTC")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(iso(1_900_000_000), "2030-03-17T17:46:40Z");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00 UTC");
    }
}
