//! The organiser's routes for sending tokens by email (spec: api §4.2,
//! §7.1): start, progress, resend to one member or to every failure, and
//! the poll's template. They answer 409 `mail_not_configured` when the
//! server has no `[mail]` section.

use shortlist_board::error_code::ErrorCode;
use std::sync::Arc;

use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::Organiser;
use crate::error::{ApiResult, AppError, ErrorBody, Json, Path, Query};
use crate::keys::{self, ELIGIBILITY};
use crate::mail::sender::Mailer;
use crate::mail::template::Template;
use crate::sequencer::refused;
use crate::state::{AppState, Need};
use shortlist_board::lifecycle::rules;

/// The most rows the progress lists.
const MAX_LISTED: u32 = 100_000;

fn mailer(state: &AppState) -> Result<Arc<Mailer>, AppError> {
    state.shared.mail.get().cloned().ok_or_else(|| {
        AppError::conflict(
            ErrorCode::MailNotConfigured,
            "this server does not send e-mail: give it a [mail] section in its configuration file",
        )
    })
}

/// Tokens are mailed until voting closes (the lifecycle's rule, spec: api
/// §4.2, §7.1; the phase read from the database).
async fn open_for_mail(state: &AppState, poll: &str) -> Result<(), AppError> {
    let p = state.poll(poll, Need::Manifest).await?;
    rules::mail_tokens(&state.lifecycle_now(&p).await?).map_err(|r| refused(&r))?;
    Ok(())
}

/// Members queued for a message.
#[derive(Debug, Serialize, ToSchema)]
pub struct MailQueued {
    /// Members queued now.
    pub queued: u64,
    /// Members left out because they hold a token already (from the CSV,
    /// or queued before): resend to one of them to mail a new token.
    pub holding_token: u64,
}

/// Queues a message with a new token for every member who holds no token
/// and has none queued; the sender mails them at the configured rate.
#[utoipa::path(post, path = "/v1/polls/{poll}/mail/send", tag = "organiser", security(("organiser" = [])),
    params(("poll" = String, Path)),
    responses((status = 200, body = MailQueued), (status = 409, body = ErrorBody)))]
pub async fn send(
    _: Organiser,
    State(state): State<AppState>,
    Path(poll): Path<String>,
) -> ApiResult<Json<MailQueued>> {
    let mailer = mailer(&state)?;
    open_for_mail(&state, &poll).await?;
    let store = &state.shared.store;
    let members = store.mail_candidates(&poll).await?;
    let tokens: Vec<(String, [u8; 32])> = members
        .iter()
        .map(|m| {
            let t = mailer.key.token(&poll, &m.member_id, 0);
            (m.member_id.clone(), keys::token_hash(ELIGIBILITY, &poll, &t))
        })
        .collect();
    let queued = store.mail_enqueue(&poll, &tokens, crate::mail::sender::wall_secs()).await?;
    let roll = store.roll_counts(&poll).await?;
    mailer.wake.notify_waiters();
    tracing::info!(poll = %poll, queued, "token messages queued");
    Ok(Json(MailQueued { queued, holding_token: roll.members.saturating_sub(queued) }))
}

/// One member's message that is not sent (yet).
#[derive(Debug, Serialize, ToSchema)]
pub struct MailMember {
    /// The member.
    pub member_id: String,
    /// `queued` (waiting, perhaps to retry), `sending` or `failed`.
    pub state: String,
    /// Attempts made.
    pub attempts: u64,
    /// The token's generation (0 first, one more per resend).
    pub generation: u64,
    /// Why the last attempt failed.
    pub error: Option<String>,
}

/// Progress of a poll's token messages.
#[derive(Debug, Serialize, ToSchema)]
pub struct MailProgress {
    /// Waiting to be sent, or to be retried.
    pub queued: u64,
    /// Being sent now.
    pub sending: u64,
    /// Accepted by the SMTP server.
    pub sent: u64,
    /// Given up on (see `members`).
    pub failed: u64,
    /// Rows claimed again after a sender stopped mid-way (a crash): each
    /// may have sent a second copy of the same message (same Message-ID).
    pub resumed: u64,
    /// Every member whose message is not sent, with the reason of the last failure.
    pub members: Vec<MailMember>,
}

/// What the progress lists.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ProgressQuery {
    /// `unsent` (the default): every member whose message is not sent;
    /// `none`: the counts only, for a caller that polls while a large queue
    /// drains (the list of 100,000 queued members is megabytes).
    pub members: Option<String>,
}

/// Progress: counts, and every member whose message is not sent.
#[utoipa::path(get, path = "/v1/polls/{poll}/mail", tag = "organiser", security(("organiser" = [])),
    params(("poll" = String, Path), ProgressQuery), responses((status = 200, body = MailProgress),
    (status = 400, body = ErrorBody)))]
pub async fn progress(
    _: Organiser,
    State(state): State<AppState>,
    Path(poll): Path<String>,
    Query(q): Query<ProgressQuery>,
) -> ApiResult<Json<MailProgress>> {
    let list = match q.members.as_deref() {
        None | Some("unsent") => true,
        Some("none") => false,
        Some(other) => return Err(AppError::malformed(format!("members={other}: expected unsent or none."))),
    };
    state.poll(&poll, Need::Manifest).await?;
    let store = &state.shared.store;
    let c = store.mail_counts(&poll).await?;
    let rows = if list { store.mail_rows(&poll, None, MAX_LISTED).await? } else { Vec::new() };
    let members = rows
        .into_iter()
        .map(|r| MailMember {
            member_id: r.member_id,
            state: r.state,
            attempts: r.attempts,
            generation: r.generation,
            error: r.error,
        })
        .collect();
    Ok(Json(MailProgress {
        queued: c.queued,
        sending: c.sending,
        sent: c.sent,
        failed: c.failed,
        resumed: c.resumed,
        members,
    }))
}

/// Re-queues one member with the next generation of token: a new token,
/// so the old one stops working. `Ok(false)` if a concurrent resend won.
async fn requeue(state: &AppState, mailer: &Mailer, poll: &str, member: &str) -> Result<bool, AppError> {
    let store = &state.shared.store;
    let previous = store.mail_generation(poll, member).await?;
    let generation = previous.map_or(0, |g| g + 1);
    let token = mailer.key.token(poll, member, generation);
    let hash = keys::token_hash(ELIGIBILITY, poll, &token);
    Ok(store
        .mail_requeue(poll, member, previous, generation, &hash, crate::mail::sender::wall_secs())
        .await?)
}

/// Mails one member a new token (the old one stops working), whatever the
/// state of their earlier message. 404 `no_such_member`; 409
/// `already_redeemed` when the member has registered.
#[utoipa::path(post, path = "/v1/polls/{poll}/mail/resend/{member}", tag = "organiser", security(("organiser" = [])),
    params(("poll" = String, Path), ("member" = String, Path)),
    responses((status = 200, body = MailQueued), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn resend(
    _: Organiser,
    State(state): State<AppState>,
    Path((poll, member)): Path<(String, String)>,
) -> ApiResult<Json<MailQueued>> {
    let mailer = mailer(&state)?;
    open_for_mail(&state, &poll).await?;
    for _ in 0..3 {
        match state.shared.store.member_redeemed(&poll, &member).await? {
            None => {
                return Err(AppError::not_found(
                    ErrorCode::NoSuchMember,
                    format!("no member `{member}` on the roll"),
                ))
            }
            Some(true) => {
                return Err(AppError::conflict(
                    ErrorCode::AlreadyRedeemed,
                    format!("member `{member}` has redeemed a token: their credential is on the board"),
                ))
            }
            Some(false) => {}
        }
        if requeue(&state, &mailer, &poll, &member).await? {
            mailer.wake.notify_waiters();
            tracing::info!(poll = %poll, member = %member, "token message re-queued with a new token");
            return Ok(Json(MailQueued { queued: 1, holding_token: 0 }));
        }
    }
    Err(AppError::conflict(
        ErrorCode::Changed,
        "another resend to this member ran at the same time; try again",
    ))
}

/// Mails a new token to every member whose message failed.
#[utoipa::path(post, path = "/v1/polls/{poll}/mail/resend-failed", tag = "organiser", security(("organiser" = [])),
    params(("poll" = String, Path)),
    responses((status = 200, body = MailQueued), (status = 409, body = ErrorBody)))]
pub async fn resend_failed(
    _: Organiser,
    State(state): State<AppState>,
    Path(poll): Path<String>,
) -> ApiResult<Json<MailQueued>> {
    let mailer = mailer(&state)?;
    open_for_mail(&state, &poll).await?;
    let mut queued = 0;
    for row in state.shared.store.mail_rows(&poll, Some("failed"), MAX_LISTED).await? {
        if requeue(&state, &mailer, &poll, &row.member_id).await? {
            queued += 1;
        }
    }
    mailer.wake.notify_waiters();
    Ok(Json(MailQueued { queued, holding_token: 0 }))
}

/// A poll's message template (spec: api §4.2): placeholders `{name}`,
/// `{title}`, `{poll}`, `{voting_close}`, `{link}`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MailTemplate {
    /// The subject line (one line; no `{link}`).
    pub subject: String,
    /// The plain-text body (must hold `{link}`).
    pub text: String,
    /// The HTML body (must hold `{link}`; values are HTML-escaped).
    pub html: String,
}

/// The poll's template (the default until the organiser sets one).
#[utoipa::path(get, path = "/v1/polls/{poll}/mail/template", tag = "organiser", security(("organiser" = [])),
    params(("poll" = String, Path)), responses((status = 200, body = MailTemplate)))]
pub async fn template(
    _: Organiser,
    State(state): State<AppState>,
    Path(poll): Path<String>,
) -> ApiResult<Json<MailTemplate>> {
    state.poll(&poll, Need::Manifest).await?;
    let t = match state.shared.store.mail_template(&poll).await? {
        Some((subject, text, html)) => MailTemplate { subject, text, html },
        None => {
            // spec: api §4.2 — the default in the server's `[mail] lang`.
            let mailer = state.shared.mail.get().cloned();
            let lang = mailer.as_ref().map_or("en", |m| m.config.lang.as_str());
            let d = Template::default_in(lang);
            MailTemplate { subject: d.subject, text: d.text, html: d.html }
        }
    };
    Ok(Json(t))
}

/// Sets the poll's template; messages not sent yet use it. 422
/// `invalid_template`.
#[utoipa::path(post, path = "/v1/polls/{poll}/mail/template", tag = "organiser", security(("organiser" = [])),
    params(("poll" = String, Path)), request_body = MailTemplate,
    responses((status = 200, body = MailTemplate), (status = 422, body = ErrorBody)))]
pub async fn set_template(
    _: Organiser,
    State(state): State<AppState>,
    Path(poll): Path<String>,
    Json(t): Json<MailTemplate>,
) -> ApiResult<Json<MailTemplate>> {
    state.poll(&poll, Need::Manifest).await?;
    let checked = Template { subject: t.subject, text: t.text, html: t.html };
    checked.check().map_err(|why| AppError::invalid(ErrorCode::InvalidTemplate, why))?;
    state.shared.store.set_mail_template(&poll, &checked.subject, &checked.text, &checked.html).await?;
    Ok(Json(MailTemplate { subject: checked.subject, text: checked.text, html: checked.html }))
}
