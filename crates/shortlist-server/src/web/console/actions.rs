//! The console's changes: each a form POST to `/console/p/{poll}/do/{action}`
//! with the session's CSRF token, handled by the organiser route's own
//! handler (spec: api §7.6). The phase steps go through a confirmation page
//! first. Success redirects to the console (303, so a reload repeats
//! nothing); a refusal shows the console with an error summary; the token
//! export answers with the CSV itself, as a download never stored here.

use shortlist_board::error_code::ErrorCode;
use std::fmt::Write as _;

use axum::extract::State;
use axum::http::header::{self, HeaderValue};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

use super::links::{do_path, ACTIONS};
use super::page::{console, Outcome};
use super::session::Session;
use super::{console_path, csrf_field, panels, refused, render};
use crate::api::{organiser, Organiser};
use crate::error::{AppError, Path};
use crate::state::AppState;
use crate::web::html::esc;
use crate::web::i18n::Lang;
use crate::web::pages::{html, load};

/// The form every action posts (fields it does not use are empty).
#[derive(Debug, Default, Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    csrf: String,
    /// A nomination id (approve, reject).
    #[serde(default)]
    id: String,
    /// The roll as CSV text (roll).
    #[serde(default)]
    roll: String,
    /// The deadline to move (amend): `nominations_close` or `voting_close`.
    #[serde(default)]
    deadline: String,
    /// Its new value from a `datetime-local` field, in the poll's zone (amend).
    #[serde(default)]
    to: String,
}

/// `GET /console/p/{poll}/confirm/{action}`: "are you sure?" for a phase step.
pub async fn confirm(
    State(state): State<AppState>,
    s: Session,
    Path((poll, action)): Path<(String, String)>,
) -> Response {
    let lang = s.lang;
    if !panels::STEPS.iter().any(|(a, _)| *a == action) {
        return refused(lang, StatusCode::NOT_FOUND, "console.refused.no_action");
    }
    let p = match load(&state, &poll, lang).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let title = lang.t(&format!("console.confirm.{action}.title"));
    let mut b = String::new();
    let _ = writeln!(
        b,
        "<span class=\"caption\">{}</span>\n<h1>{}</h1>\n<p>{}</p>\n<p class=\"notice\">{}</p>",
        esc(&p.manifest.title),
        esc(title),
        esc(lang.t(&format!("console.confirm.{action}.text"))),
        esc(lang.t("console.confirm.final"))
    );
    let _ = writeln!(
        b,
        "<form method=\"post\" action=\"{}\" id=\"confirm-form\">{}<button type=\"submit\" class=\"button\" id=\"confirm\">{}</button>\
         <a class=\"button button-secondary\" href=\"{}{}#phases\">{}</a></form>",
        esc(&do_path(&lang, &poll, &action)),
        csrf_field(&s.csrf),
        esc(lang.t(&format!("console.action.{action}"))),
        esc(&console_path(&poll)),
        lang.query(),
        esc(lang.t("console.confirm.cancel"))
    );
    html(StatusCode::OK, render(lang, title, &b, Some(&s.csrf), false), false)
}

/// `POST /console/p/{poll}/do/{action}`.
pub async fn act(
    State(state): State<AppState>,
    s: Session,
    Path((poll, action)): Path<(String, String)>,
    form: Result<Form<ActionForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let form = form.map(|Form(f)| f).unwrap_or_default();
    if let Some(r) = s.csrf_refusal(&form.csrf) {
        return r;
    }
    let Some((_, panel)) = ACTIONS.iter().find(|(a, _)| *a == action) else {
        return refused(s.lang, StatusCode::NOT_FOUND, "console.refused.no_action");
    };
    if action == "tokens" {
        return match organiser::issue_tokens(
            Organiser,
            State(state.clone()),
            Path(poll.clone()),
            crate::error::Query(organiser::TokensQuery { reissue: None }),
        )
        .await
        {
            Ok(csv) => download(csv.into_response(), &poll, state.shared.clock.now()),
            Err(e) => failed(&state, &s, &poll, panel, &e).await,
        };
    }
    let done = run(&state, &poll, &action, form).await;
    match done {
        Ok(()) => {
            tracing::info!(poll = %poll, action = %action, "console action");
            let lang = if s.lang.explicit { format!("lang={}&", s.lang.code) } else { String::new() };
            Redirect::to(&format!("{}?{lang}done={action}#done", console_path(&poll))).into_response()
        }
        Err(e) => failed(&state, &s, &poll, panel, &e).await,
    }
}

/// Runs one action through the organiser route's handler.
async fn run(state: &AppState, poll: &str, action: &str, form: ActionForm) -> Result<(), AppError> {
    let (st, p) = (State(state.clone()), Path(poll.to_string()));
    match action {
        "nominations-open" => organiser::open_nominations(Organiser, st, p).await.map(drop),
        "nominations-close" => organiser::close_nominations(Organiser, st, p).await.map(drop),
        "voting-open" => organiser::open_voting(Organiser, st, p).await.map(drop),
        "voting-close" => organiser::close_voting(Organiser, st, p).await.map(drop),
        "tally" => organiser::tally(Organiser, st, p).await.map(drop),
        "approve" => {
            let path = Path((poll.to_string(), form.id));
            organiser::approve_nomination(Organiser, st, path).await.map(drop)
        }
        "reject" => {
            let path = Path((poll.to_string(), form.id));
            organiser::reject_nomination(Organiser, st, path).await.map(drop)
        }
        "roll" => organiser::import_roll(Organiser, st, p, Ok(form.roll)).await.map(drop),
        "amend" => super::timetable::run(state, poll, form.deadline, &form.to).await,
        "mail-send" => crate::api::mail::send(Organiser, st, p).await.map(drop),
        "mail-resend-failed" => crate::api::mail::resend_failed(Organiser, st, p).await.map(drop),
        _ => Err(AppError::not_found(ErrorCode::NoRoute, "no such action")),
    }
}

/// The token CSV as a download: `no-store`, never kept on the server.
fn download(mut res: Response, poll: &str, now: u64) -> Response {
    let safe: String = poll
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' })
        .collect();
    let name = format!("attachment; filename=\"shortlist-tokens-{safe}-{now}.csv\"");
    if let Ok(v) = HeaderValue::from_str(&name) {
        res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// The console with the refusal in its error summary.
async fn failed(state: &AppState, s: &Session, poll: &str, panel: &'static str, e: &AppError) -> Response {
    let status = if e.status().is_server_error() { e.status() } else { StatusCode::UNPROCESSABLE_ENTITY };
    let status = if e.status() == StatusCode::CONFLICT { StatusCode::CONFLICT } else { status };
    console(state, s, poll, &Outcome::Failed(panel, message(&s.lang, e)), status).await
}

/// A refusal in the organiser's words: the catalogue's text for its code,
/// with the server's detail where it names what to fix (a line of the CSV).
fn message(lang: &Lang, e: &AppError) -> String {
    let text = lang.t(&format!("console.err.{}", e.code()));
    match (text.is_empty(), e.code()) {
        (true, _) => e.message().to_string(),
        (
            false,
            ErrorCode::Malformed
            | ErrorCode::DuplicateMember
            | ErrorCode::InvalidDefinition
            | ErrorCode::BoardInvalid,
        ) => {
            format!("{text} ({})", e.message())
        }
        (false, _) => text.to_string(),
    }
}

/// `GET` of an action's path (a language switch after a refusal): the console.
pub async fn to_console(s: Session, Path((poll, _)): Path<(String, String)>) -> Redirect {
    Redirect::to(&format!("{}{}", console_path(&poll), s.lang.query()))
}
