//! The background sender (spec: api §4.2): `connections` workers, each
//! claiming a few due rows with a lease, sending them over SMTP at the
//! configured rate, and marking each `sent` right after the server's 250
//! (in a group commit shared by the workers, awaited before the worker's
//! next message: the window in which a crash leaves a sent message marked
//! `sending` is that commit), `queued` again with
//! exponential back-off after a temporary failure, or `failed` with the
//! reason after a permanent one. Rows a crashed instance left `sending`
//! are claimed again once their lease lapses. The SMTP transport and the
//! message are [`super::smtp`]'s.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use lettre::message::Mailbox;
use rand::Rng;
use shortlist_store::{MailJob, MailOutcome};
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;

use super::booth_link;
use super::connection::SendError;
use super::smtp::now_ms;
pub use super::smtp::{wall_secs, Direct, Mailer};
use super::template::{Template, Values};
use crate::keys::{self, ELIGIBILITY};
use crate::state::{AppState, Need};

/// How long an idle worker waits before looking for due rows again.
const IDLE: Duration = Duration::from_millis(500);

/// The longest back-off after a temporary failure.
const MAX_BACKOFF_MS: u64 = 3_600_000;

/// Starts the workers; they stop once `closed` changes, giving back the
/// rows they claimed and have not tried.
pub fn start(state: AppState, mailer: Arc<Mailer>, closed: watch::Receiver<bool>) -> Vec<JoinHandle<()>> {
    let (marks, rx) = mpsc::unbounded_channel();
    let mut handles = vec![tokio::spawn(marker(state.shared.store.clone(), rx))];
    // One claim at a time: each is a write transaction, and idle workers
    // look for due rows twice a second; unguarded, a dozen of them waiting
    // on a slow disk's write lock held most of SQLite's small pool, and a
    // request could wait past its timeout for a connection.
    let gate = Arc::new(tokio::sync::Mutex::new(()));
    handles.extend((0..mailer.config.connections).map(|_| {
        let (state, mailer, mut closed) = (state.clone(), mailer.clone(), closed.clone());
        let (marks, gate) = (marks.clone(), gate.clone());
        tokio::spawn(async move {
            loop {
                if *closed.borrow() {
                    break;
                }
                let worked = match work_once(&state, &mailer, &marks, &closed, &gate).await {
                    Ok(n) => n > 0,
                    Err(e) => {
                        tracing::warn!(error = %e, "the mail sender failed; will retry");
                        false
                    }
                };
                if !worked {
                    tokio::select! {
                        () = tokio::time::sleep(IDLE) => {}
                        () = mailer.wake.notified() => {}
                        _ = closed.changed() => break,
                    }
                }
            }
        })
    }));
    // The marker ends once every worker (holding a clone of `marks`) has.
    drop(marks);
    handles
}

/// What a message is built from, per poll.
struct PollMail {
    title: String,
    manifest_hash: String,
    voting_close: String,
    template: Template,
}

async fn poll_mail(state: &AppState, lang: &str, poll: &str) -> anyhow::Result<PollMail> {
    let p = state.poll(poll, Need::Manifest).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let close = state.timetable(&p).await.map_err(|e| anyhow::anyhow!("{e}"))?.voting_close;
    let template = match state.shared.store.mail_template(poll).await? {
        Some((subject, text, html)) => Template { subject, text, html },
        None => Template::default_in(lang),
    };
    Ok(PollMail {
        title: p.manifest.title.clone(),
        manifest_hash: hex::encode(p.manifest_hash),
        voting_close: shortlist_board::zone::rfc3339(close, &p.manifest.calendar.zone),
        template,
    })
}

/// Claims one batch and works it; returns how many rows it claimed.
async fn work_once(
    state: &AppState,
    mailer: &Mailer,
    marks: &mpsc::UnboundedSender<Mark>,
    closed: &watch::Receiver<bool>,
    gate: &tokio::sync::Mutex<()>,
) -> anyhow::Result<usize> {
    let store = &state.shared.store;
    let mut claim_bytes = [0u8; 16];
    rand::thread_rng().fill(&mut claim_bytes);
    let claim = hex::encode(claim_bytes);
    let lease_ms = mailer.config.lease_secs.saturating_mul(1000);
    let (jobs, lease_until) = {
        let _one_at_a_time = gate.lock().await;
        let lease_until = now_ms().saturating_add(lease_ms);
        (store.mail_claim(now_ms(), lease_until, mailer.batch(), &claim).await?, lease_until)
    };
    let claimed = jobs.len();
    let mut tried = 0;
    let mut polls: HashMap<String, PollMail> = HashMap::new();
    let margin = u64::try_from(mailer.config.timeout().as_millis()).unwrap_or(u64::MAX).saturating_mul(2);
    for job in jobs {
        if let Some(limiter) = &mailer.limiter {
            limiter.until_ready().await;
        }
        // Stop when asked, or when the lease would lapse during the SMTP
        // transaction (another instance could claim the row meanwhile).
        if *closed.borrow() || now_ms().saturating_add(margin) >= lease_until {
            break;
        }
        if !polls.contains_key(&job.poll_id) {
            let pm = poll_mail(state, &mailer.config.lang, &job.poll_id).await?;
            polls.insert(job.poll_id.clone(), pm);
        }
        let Some(pm) = polls.get(&job.poll_id) else { continue };
        let outcome = send_one(mailer, pm, &job).await;
        // spec: api §4.2 — recorded (committed) before the next message.
        let (reply, committed) = oneshot::channel();
        marks
            .send(((job.id, claim.clone(), outcome), reply))
            .map_err(|_| anyhow::anyhow!("the mail marker stopped"))?;
        committed.await?.map_err(|e| anyhow::anyhow!("recording a sent message: {e}"))?;
        tried += 1;
    }
    // A write (and a sync) only when some rows were left untried.
    if tried < claimed {
        store.mail_release(&claim).await?;
    }
    Ok(claimed)
}

/// Sends one claimed row; returns what became of it.
async fn send_one(mailer: &Mailer, pm: &PollMail, job: &MailJob) -> MailOutcome {
    let token = mailer.key.token(&job.poll_id, &job.member_id, job.generation);
    let hash = keys::token_hash(ELIGIBILITY, &job.poll_id, &token);
    if job.roll_token_hash.as_deref() != Some(hash.as_slice()) {
        return MailOutcome::Failed(
            "superseded: the member's token was replaced (a re-issue); resend to mail a new one".into(),
        );
    }
    if job.redeemed {
        // Redeemed with this very token: an earlier copy arrived.
        return MailOutcome::Sent(now_ms() / 1000);
    }
    let to = match job.email.parse() {
        Ok(address) => Mailbox::new(Some(job.name.clone()), address),
        Err(_) if job.email.is_empty() => return MailOutcome::Failed("no e-mail address on the roll".into()),
        Err(e) => return MailOutcome::Failed(format!("invalid e-mail address: {e}")),
    };
    let link = booth_link(&mailer.config.public_url, &job.poll_id, &token, &pm.manifest_hash);
    let values = Values {
        name: &job.name,
        title: &pm.title,
        poll: &job.poll_id,
        voting_close: &pm.voting_close,
        link: &link,
    };
    let (subject, text, html) = pm.template.render(&values);
    let id = mailer.key.message_id(&job.poll_id, &job.member_id, job.generation);
    // The same row makes the same message: Message-ID, Date and boundary
    // depend only on the row.
    let date = UNIX_EPOCH + Duration::from_secs(job.queued_at);
    let message = match mailer.message(to, &subject, &text, &html, &id, date) {
        Ok(m) => m,
        Err(e) => return MailOutcome::Failed(e),
    };
    match mailer.transport.send(&message).await {
        Ok(()) => MailOutcome::Sent(now_ms() / 1000),
        Err(SendError::Permanent(e)) => {
            tracing::info!(poll = %job.poll_id, member = %job.member_id, reason = %e, "a token message was refused");
            MailOutcome::Failed(format!("refused: {e}"))
        }
        Err(SendError::Temporary(e)) => {
            let attempts = job.attempts + 1;
            if attempts >= mailer.config.max_attempts {
                return MailOutcome::Failed(format!(
                    "gave up after {attempts} temporary failures; the last: {e}"
                ));
            }
            let base = mailer.config.retry_base_ms.max(1);
            let delay = base.saturating_mul(1u64 << job.attempts.min(20)).min(MAX_BACKOFF_MS);
            let jitter = rand::thread_rng().gen_range(0..=delay / 10);
            let next = now_ms().saturating_add(delay).saturating_add(jitter);
            MailOutcome::Retry(next, format!("temporary failure, will retry: {e}"))
        }
    }
}

/// A worker's request to record an outcome, answered once committed.
type Mark = ((i64, String, MailOutcome), oneshot::Sender<Result<(), String>>);

/// Records outcomes in group commits: every mark waiting when a commit
/// starts goes in the next one (spec: api §4.2). Each worker waits for its
/// mark's commit before its next SMTP transaction, so at most one message
/// per worker is accepted and not yet recorded at any time. Ends when every
/// worker has ended.
async fn marker(store: shortlist_store::Store, mut rx: mpsc::UnboundedReceiver<Mark>) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while let Ok(more) = rx.try_recv() {
            batch.push(more);
        }
        let (outcomes, replies): (Vec<_>, Vec<_>) = batch.into_iter().unzip();
        let result = store.mail_outcomes(&outcomes).await.map_err(|e| e.to_string());
        for reply in replies {
            let _ = reply.send(result.clone());
        }
    }
}
