//! The registrar's mail journal `OUT.mail` (spec: api §10): one JSON line
//! per event, appended and synced, readable by its owner only. It holds no
//! secret (member ids, attempts, reasons). Replaying it gives each member's
//! state: `queued` (no event yet, a retry, or a resend), `sending` (a `try`
//! with no outcome: in doubt after a crash), `sent` or `failed`.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde_json::{json, Value};

/// One journal line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// About to send generation `g` (written and synced before the SMTP transaction).
    Try { m: String, g: u64 },
    /// The SMTP server's 250 for generation `g`.
    Sent { m: String, g: u64 },
    /// A temporary failure: attempt `a` failed; try again at `next` (ms since the epoch).
    Retry { m: String, a: u64, next: u64, why: String },
    /// Refused for good, or too many temporary failures.
    Failed { m: String, why: String },
    /// The registrar asked to send again: generation `g`, from scratch.
    Resend { m: String, g: u64 },
}

impl Event {
    /// The line: `{"e": KIND, "m": MEMBER, …}`.
    fn to_json(&self) -> Value {
        match self {
            Self::Try { m, g } => json!({"e": "try", "m": m, "g": g}),
            Self::Sent { m, g } => json!({"e": "sent", "m": m, "g": g}),
            Self::Retry { m, a, next, why } => {
                json!({"e": "retry", "m": m, "a": a, "next": next, "why": why})
            }
            Self::Failed { m, why } => json!({"e": "failed", "m": m, "why": why}),
            Self::Resend { m, g } => json!({"e": "resend", "m": m, "g": g}),
        }
    }

    fn from_json(line: &str) -> Result<Self> {
        let v: Value = serde_json::from_str(line)?;
        let s = |k: &str| v[k].as_str().map(str::to_string).with_context(|| format!("no `{k}`"));
        let n = |k: &str| v[k].as_u64().with_context(|| format!("no `{k}`"));
        Ok(match v["e"].as_str() {
            Some("try") => Self::Try { m: s("m")?, g: n("g")? },
            Some("sent") => Self::Sent { m: s("m")?, g: n("g")? },
            Some("retry") => Self::Retry { m: s("m")?, a: n("a")?, next: n("next")?, why: s("why")? },
            Some("failed") => Self::Failed { m: s("m")?, why: s("why")? },
            Some("resend") => Self::Resend { m: s("m")?, g: n("g")? },
            _ => anyhow::bail!("unknown event"),
        })
    }

    fn member(&self) -> &str {
        match self {
            Self::Try { m, .. }
            | Self::Sent { m, .. }
            | Self::Retry { m, .. }
            | Self::Failed { m, .. }
            | Self::Resend { m, .. } => m,
        }
    }
}

/// Where one member's message stands.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum State {
    /// Waiting to be sent (at `next_at`, ms, if a retry).
    #[default]
    Queued,
    /// Tried and no outcome recorded: the run stopped mid-send.
    Sending,
    /// The SMTP server accepted it.
    Sent,
    /// Not delivered, with the reason.
    Failed(String),
}

/// One member's replayed state.
#[derive(Clone, Debug, Default)]
pub struct Row {
    /// The state.
    pub state: State,
    /// The message generation (bumped by a resend; part of the Message-ID).
    pub generation: u64,
    /// Temporary failures so far.
    pub attempts: u64,
    /// When a retry is due, ms since the epoch (0: now).
    pub next_at: u64,
    /// The last temporary failure's reason.
    pub last_error: Option<String>,
    /// Tries left without an outcome by a stopped run (an upper bound on
    /// copies delivered twice).
    pub resumed: u64,
}

/// The journal's path for the delivery file `out`.
pub fn path(out: &Path) -> PathBuf {
    let mut p = out.as_os_str().to_owned();
    p.push(".mail");
    PathBuf::from(p)
}

/// The earlier release's list of members sent to (`OUT.sent`), read as sent.
fn legacy_path(out: &Path) -> PathBuf {
    let mut p = out.as_os_str().to_owned();
    p.push(".sent");
    PathBuf::from(p)
}

/// Replays the journal of `out` (missing: every member queued). A line cut
/// short by a stop mid-write is ignored if it is the last one.
pub fn replay(out: &Path) -> Result<HashMap<String, Row>> {
    let mut rows: HashMap<String, Row> = HashMap::new();
    let legacy = legacy_path(out);
    if legacy.exists() {
        for m in std::fs::read_to_string(&legacy)?.lines().filter(|l| !l.is_empty()) {
            rows.entry(m.to_string()).or_default().state = State::Sent;
        }
    }
    let path = path(out);
    if !path.exists() {
        return Ok(rows);
    }
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let lines: Vec<&str> = text.lines().collect();
    for (n, line) in lines.iter().enumerate() {
        let event = match Event::from_json(line) {
            Ok(e) => e,
            Err(_) if n + 1 == lines.len() && !text.ends_with('\n') => break,
            Err(e) => anyhow::bail!("{} line {}: {e}", path.display(), n + 1),
        };
        apply(rows.entry(event.member().to_string()).or_default(), &event);
    }
    // A try with no outcome: the run stopped mid-send; it is sent again.
    for r in rows.values_mut().filter(|r| r.state == State::Sending) {
        r.state = State::Queued;
        r.resumed += 1;
    }
    Ok(rows)
}

/// One event's effect on a member's row.
pub fn apply(r: &mut Row, e: &Event) {
    match e {
        Event::Try { g, .. } => {
            // A try after a try with no outcome: that one was in doubt.
            if r.state == State::Sending {
                r.resumed += 1;
            }
            r.generation = *g;
            r.state = State::Sending;
        }
        Event::Sent { g, .. } if *g == r.generation => r.state = State::Sent,
        Event::Sent { .. } => {}
        Event::Retry { a, next, why, .. } => {
            r.state = State::Queued;
            r.attempts = *a;
            r.next_at = *next;
            r.last_error = Some(why.clone());
        }
        Event::Failed { why, .. } => r.state = State::Failed(why.clone()),
        Event::Resend { g, .. } => {
            *r = Row { generation: *g, resumed: r.resumed, ..Row::default() };
        }
    }
}

/// The journal open for appending.
pub struct Journal {
    file: std::fs::File,
    buf: Vec<u8>,
}

impl Journal {
    /// Opens (or makes, mode 0600) the journal of `out`.
    pub fn open(out: &Path) -> Result<Self> {
        Ok(Self { file: crate::keyfile::append_private(&path(out))?, buf: Vec::new() })
    }

    /// Adds an event to the pending batch.
    pub fn push(&mut self, e: &Event) -> Result<()> {
        serde_json::to_writer(&mut self.buf, &e.to_json())?;
        self.buf.push(b'\n');
        Ok(())
    }

    /// Writes the pending batch and syncs it to disk: once this returns,
    /// the events survive a kill.
    pub fn commit(&mut self) -> Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        self.file.write_all(&self.buf)?;
        self.file.sync_data()?;
        self.buf.clear();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn replay_resumes_an_unfinished_try_and_ignores_a_torn_last_line() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("c.csv");
        let mut j = Journal::open(&out).unwrap();
        for e in [
            Event::Try { m: "a".into(), g: 0 },
            Event::Sent { m: "a".into(), g: 0 },
            Event::Try { m: "b".into(), g: 0 },
            Event::Try { m: "c".into(), g: 0 },
            Event::Retry { m: "c".into(), a: 1, next: 5, why: "451".into() },
            Event::Failed { m: "d".into(), why: "550".into() },
            Event::Resend { m: "d".into(), g: 1 },
            Event::Failed { m: "e".into(), why: "550".into() },
        ] {
            j.push(&e).unwrap();
        }
        j.commit().unwrap();
        std::fs::OpenOptions::new()
            .append(true)
            .open(path(&out))
            .and_then(|mut f| f.write_all(b"{\"e\":\"sent\",\"m\":\"b"))
            .unwrap();
        let rows = replay(&out).unwrap();
        let get = |m: &str| rows.get(m).cloned().unwrap_or_default();
        assert_eq!(get("a").state, State::Sent);
        assert_eq!((get("b").state, get("b").resumed), (State::Queued, 1));
        assert_eq!((get("c").state, get("c").attempts, get("c").next_at), (State::Queued, 1, 5));
        assert_eq!((get("d").state, get("d").generation), (State::Queued, 1));
        assert_eq!(get("e").state, State::Failed("550".into()));
    }
}
