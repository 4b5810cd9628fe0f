//! The registrar's e-mail delivery (spec: board §4.12.1, api §10): each
//! member's booth link, the credential in its fragment, through the
//! registrar's own SMTP settings, with the server's mail pieces (the
//! template and its placeholders, the message, the SMTP transport and its
//! rate). The server never sees a secret, so the job is the registrar's,
//! kept on the registrar's machine: a journal `OUT.mail` ([`journal`]) next
//! to the delivery file, with the token queue's rules (api §4.2): at most
//! `rate_per_sec`, `connections` messages in flight, a temporary failure
//! (4xx, connection lost) retried after `retry_base_ms · 2^attempts` (at
//! most an hour), failed after `max_attempts`; a 5xx or a bad address
//! failed with its reason; resumable after a kill; resend to one member or
//! to every failure.
//!
//! **At least once.** A `try` line is synced before each SMTP transaction
//! and a `sent` line right after the 250. A run killed between the two
//! leaves the member in doubt: the next run sends again, the *same*
//! message (same Message-ID, same credential), and counts it in `resumed`
//! (an upper bound on copies delivered twice). The other choice, at most
//! once, would leave such a member without their credential and unable to
//! vote, which is worse than a duplicate a mail client shows once; SMTP
//! offers no two-phase commit to close the window.

pub mod journal;

use std::collections::{BinaryHeap, VecDeque};
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};
use futures_util::stream::{FuturesUnordered, StreamExt};
use shortlist_board::manifest::Manifest;
use shortlist_server::mail::sender::{Direct, Mailer};
use shortlist_server::mail::template::{Template, Values};
use shortlist_server::mail::MailConfig;

use self::journal::{Event, Journal, Row, State};
use crate::registrar_issued::{booth_link, Issued};

/// A template file: `subject`, `text`, `html` (placeholders `{name}`,
/// `{title}`, `{poll}`, `{voting_close}`, `{link}`).
fn template_file(path: &Path) -> Result<Template> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let table: toml::Table = toml::from_str(&text).with_context(|| format!("{}", path.display()))?;
    let part = |k: &str| -> Result<String> {
        Ok(table
            .get(k)
            .and_then(|v| v.as_str())
            .with_context(|| format!("{}: no `{k}`", path.display()))?
            .to_string())
    };
    let t = Template { subject: part("subject")?, text: part("text")?, html: part("html")? };
    t.check().map_err(anyhow::Error::msg)?;
    Ok(t)
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// Where the job ended.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Messages the SMTP server accepted in this run.
    pub sent: usize,
    /// Members not delivered (this run or before), with the reason.
    pub failed: Vec<(String, String)>,
    /// Messages sent again because a stopped run left them in doubt.
    pub resumed: u64,
}

/// The message's id: the same member, credential and generation make the
/// same Message-ID (no secret in it).
fn message_id(poll: &str, i: &Issued, hm: &[u8; 32], generation: u64) -> String {
    let key = i.credential.derive(hm).public_key().to_bytes();
    let mut input = b"shortlist/v1/registrar-message\0".to_vec();
    input.extend_from_slice(poll.as_bytes());
    input.push(0);
    input.extend_from_slice(i.member.as_bytes());
    input.extend_from_slice(&key);
    if generation > 0 {
        input.extend_from_slice(&generation.to_be_bytes());
    }
    hex::encode(shortlist_board::entry::payload_hash(&input))
}

/// What the mail settings and template give.
pub struct MailSetup {
    mailer: Mailer,
    template: Template,
}

impl MailSetup {
    /// Reads the `[mail]` keys from `mail_file` and the template (the
    /// file's, else the default in the settings' `lang`, from the catalogue).
    pub fn load(mail_file: &Path, template: Option<&Path>) -> Result<Self> {
        let text =
            std::fs::read_to_string(mail_file).with_context(|| format!("reading {}", mail_file.display()))?;
        let config: MailConfig =
            toml::from_str(&text).with_context(|| format!("{}: the [mail] settings", mail_file.display()))?;
        let template = match template {
            None => Template::default_in(&config.lang),
            Some(f) => template_file(f)?,
        };
        // The token key is unused here: the registrar mails credentials, not tokens.
        Ok(Self { mailer: Mailer::new(config, &rand::random::<[u8; 32]>())?, template })
    }
}

/// Appends a resend (a new generation, from scratch) for each of `members`
/// to the journal of `out`; `failed` adds every failed member.
pub fn queue_resend(issued: &[Issued], out: &Path, members: &[String], failed: bool) -> Result<usize> {
    let rows = journal::replay(out)?;
    let mut j = Journal::open(out)?;
    let mut n = 0;
    for m in members {
        if !issued.iter().any(|i| &i.member == m) {
            anyhow::bail!("member {m} is not in {}", out.display());
        }
    }
    for i in issued {
        let row = rows.get(&i.member);
        let is_failed = row.is_some_and(|r| matches!(r.state, State::Failed(_)));
        if members.contains(&i.member) || (failed && is_failed) {
            let g = row.map_or(0, |r| r.generation).saturating_add(1);
            j.push(&Event::Resend { m: i.member.clone(), g })?;
            n += 1;
        }
    }
    j.commit()?;
    Ok(n)
}

/// Mails every member of `issued` whose message is queued in the journal
/// of `out` (everyone not sent or failed yet), until none is queued.
pub async fn deliver(
    issued: &[Issued],
    manifest: &Manifest,
    hm: &[u8; 32],
    setup: &MailSetup,
    out: &Path,
) -> Result<Outcome> {
    let mut rows = journal::replay(out)?;
    let mut j = Journal::open(out)?;
    let cfg = &setup.mailer.config;
    let poll = manifest.poll_id.as_str();
    let close = shortlist_server::web::time::utc(manifest.timetable.voting_close);
    let close = close.as_str();
    let mut result = Outcome::default();
    // Ready now, in roll order; waiting for a retry, soonest first.
    let mut ready: VecDeque<usize> = VecDeque::new();
    let mut waiting: BinaryHeap<std::cmp::Reverse<(u64, usize)>> = BinaryHeap::new();
    for (n, i) in issued.iter().enumerate() {
        let row = rows.entry(i.member.clone()).or_default();
        result.resumed = result.resumed.saturating_add(row.resumed);
        match &row.state {
            State::Queued if row.next_at > now_ms() => waiting.push(std::cmp::Reverse((row.next_at, n))),
            State::Queued | State::Sending => ready.push_back(n),
            State::Sent => {}
            State::Failed(why) => result.failed.push((i.member.clone(), why.clone())),
        }
    }
    let send = |n: usize, generation: u64| {
        let i = issued.get(n);
        async move {
            let Some(i) = i else { return (n, generation, Direct::Refused("no such member".into())) };
            let credential = i.credential.to_text();
            let link = booth_link(&cfg.public_url, poll, &credential, hm);
            let values =
                Values { name: &i.name, title: &manifest.title, poll, voting_close: close, link: &link };
            let id = message_id(poll, i, hm, generation);
            (n, generation, setup.mailer.send_direct(&i.name, &i.email, &setup.template, &values, &id).await)
        }
    };
    let width = usize::try_from(cfg.connections).unwrap_or(1).max(1);
    let mut inflight = FuturesUnordered::new();
    loop {
        let now = now_ms();
        while let Some(std::cmp::Reverse((at, n))) = waiting.peek().copied() {
            if at > now {
                break;
            }
            waiting.pop();
            ready.push_back(n);
        }
        // spec: api §10 — the try is on disk before the SMTP transaction,
        // and the outcomes of the last round before the next message starts:
        // one sync commits both.
        let mut started = Vec::new();
        while inflight.len() + started.len() < width {
            let Some(n) = ready.pop_front() else { break };
            let Some(i) = issued.get(n) else { continue };
            let g = rows.get(&i.member).map_or(0, |r| r.generation);
            j.push(&Event::Try { m: i.member.clone(), g })?;
            started.push((n, g));
        }
        j.commit()?;
        for (n, g) in started {
            inflight.push(send(n, g));
        }
        if inflight.is_empty() {
            match waiting.peek() {
                Some(std::cmp::Reverse((at, _))) => {
                    tokio::time::sleep(Duration::from_millis(at.saturating_sub(now_ms()))).await;
                    continue;
                }
                None => break,
            }
        }
        let wake = waiting.peek().map(|std::cmp::Reverse((at, _))| *at);
        let done = tokio::select! {
            d = inflight.next() => d,
            () = tokio::time::sleep(Duration::from_millis(wake.map_or(3_600_000, |at| at.saturating_sub(now_ms())))) => None,
        };
        let mut outcomes: Vec<_> = done.into_iter().collect();
        while let Some(Some(d)) = futures_util::FutureExt::now_or_never(inflight.next()) {
            outcomes.push(d);
        }
        for (n, g, outcome) in outcomes {
            let Some(i) = issued.get(n) else { continue };
            let row = rows.entry(i.member.clone()).or_default();
            let m = i.member.clone();
            let event = match outcome {
                Direct::Sent => {
                    result.sent += 1;
                    Event::Sent { m, g }
                }
                Direct::Refused(why) => {
                    result.failed.push((m.clone(), why.clone()));
                    Event::Failed { m, why }
                }
                Direct::Temporary(why) => {
                    let a = row.attempts.saturating_add(1);
                    if a >= cfg.max_attempts {
                        let why = format!("gave up after {a} temporary failures: {why}");
                        result.failed.push((m.clone(), why.clone()));
                        Event::Failed { m, why }
                    } else {
                        let wait = cfg.retry_base_ms.saturating_mul(1u64 << a.min(20)).min(3_600_000);
                        let next = now_ms().saturating_add(wait);
                        waiting.push(std::cmp::Reverse((next, n)));
                        Event::Retry { m, a, next, why }
                    }
                }
            };
            journal::apply(row, &event);
            // Committed with the next tries, at the top of the loop: one
            // sync for both, before any further message starts.
            j.push(&event)?;
        }
    }
    j.commit()?;
    Ok(result)
}

/// Counts and problem rows for `mail-status`, as printed lines.
pub fn status(issued: &[Issued], out: &Path) -> Result<Vec<String>> {
    let rows = journal::replay(out)?;
    let (mut queued, mut retrying, mut sent, mut resumed) = (0, 0, 0, 0);
    let mut problems = Vec::new();
    for i in issued {
        let r = rows.get(&i.member).cloned().unwrap_or_else(Row::default);
        resumed += r.resumed;
        match &r.state {
            State::Sent => sent += 1,
            State::Failed(why) => problems.push(format!("  failed   {} <{}>: {why}", i.member, i.email)),
            State::Queued | State::Sending => {
                queued += 1;
                if let Some(why) = &r.last_error {
                    retrying += 1;
                    problems.push(format!(
                        "  retrying {} <{}>: {} temporary failures, last: {why}",
                        i.member, i.email, r.attempts
                    ));
                }
            }
        }
    }
    let failed = problems.iter().filter(|p| p.starts_with("  failed")).count();
    let mut lines = vec![format!(
        "{} members: {queued} queued ({retrying} waiting to retry), {sent} sent, {failed} failed; \
         {resumed} sent again after a stop (in doubt)",
        issued.len()
    )];
    lines.extend(problems);
    Ok(lines)
}
