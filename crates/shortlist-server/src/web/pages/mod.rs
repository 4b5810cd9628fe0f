//! The pages, one module each. Handlers read through the same functions as
//! the `/v1` routes, so a page never shows what the API would not.

pub mod board;
pub mod booth;
pub mod candidate;
pub mod poll;
pub mod results;
pub mod verify;

use std::fmt::Write as _;
use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::header::{self, HeaderMap};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::html::{esc, poll_base, Current, Page};
use super::i18n::Lang;
use super::time;
use crate::error::AppError;
use crate::state::{AppState, Need, PollCtx};

/// The language of a request (`?lang=`, else `Accept-Language`).
pub fn lang_of(query: &RawQuery, headers: &HeaderMap) -> Lang {
    let chosen = query.0.as_deref().and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("lang=")));
    Lang::choose(chosen, headers)
}

/// What every poll page starts from: the poll id, the reader's language and
/// the poll's facts. A poll that cannot be read answers with its error page.
pub struct PollPage {
    /// The poll id from the path.
    pub id: String,
    /// The reader's language.
    pub lang: Lang,
    /// The poll's facts.
    pub poll: Arc<PollCtx>,
    /// The timetable in force (amendments applied, spec: board V1.5).
    pub timetable: shortlist_board::manifest::Timetable,
}

impl axum::extract::FromRequestParts<AppState> for PollPage {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Response> {
        let query = RawQuery(parts.uri.query().map(str::to_string));
        let lang = lang_of(&query, &parts.headers);
        let axum::extract::Path(id) = axum::extract::Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let poll = load(state, &id, lang).await?;
        let timetable = state.timetable(&poll).await.map_err(|e| error_page(lang, Some(&id), &e))?;
        Ok(Self { id, lang, poll, timetable })
    }
}

/// An HTML response; `no-store` for pages that must not be kept (the booth).
pub fn html(status: StatusCode, body: String, store: bool) -> Response {
    let cache = if store { "no-cache" } else { "no-store" };
    (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8"), (header::CACHE_CONTROL, cache)], body)
        .into_response()
}

/// The poll's facts, or a page saying why not.
pub async fn load(state: &AppState, poll: &str, lang: Lang) -> Result<Arc<PollCtx>, Response> {
    state.poll(poll, Need::Manifest).await.map_err(|e| error_page(lang, Some(poll), &e))
}

/// A page for an error: "no such poll" (404) or "try again later".
pub fn error_page(lang: Lang, poll: Option<&str>, e: &AppError) -> Response {
    let (status, title, text) = if e.status() == StatusCode::NOT_FOUND {
        (StatusCode::NOT_FOUND, lang.t("error.no_poll.title"), lang.t("error.no_poll.text"))
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, lang.t("error.unavailable.title"), lang.t("error.unavailable.text"))
    };
    let body = format!("<h1>{}</h1>\n<p>{}</p>", esc(title), esc(text));
    let page = Page {
        lang,
        poll: poll.filter(|_| status != StatusCode::NOT_FOUND),
        current: Current::Other,
        title,
        body,
        script: None,
        data: None,
    };
    html(status, page.render(), false)
}

/// The phase's name for people.
pub fn phase_name(lang: &Lang, phase: &str) -> &'static str {
    match phase {
        "setup" => lang.t("phase.setup"),
        "nominations" => lang.t("phase.nominations"),
        "defined" => lang.t("phase.defined"),
        "voting" => lang.t("phase.voting"),
        "closed" => lang.t("phase.closed"),
        "tallying" => lang.t("phase.tallying"),
        "done" => lang.t("phase.done"),
        _ => lang.t("phase.unknown"),
    }
}

/// The next deadline and what happens then, as a countdown paragraph the
/// script keeps current, or nothing when no deadline is ahead.
pub fn countdown(lang: &Lang, t: &shortlist_board::manifest::Timetable, phase: &str, now: u64) -> String {
    let (key, target) = match phase {
        "setup" | "nominations" if now < t.nominations_close => {
            ("countdown.nominations_close", t.nominations_close)
        }
        "setup" | "nominations" | "defined" if now < t.voting_open => {
            ("countdown.voting_open", t.voting_open)
        }
        "voting" if now < t.voting_close => ("countdown.voting_close", t.voting_close),
        _ => return String::new(),
    };
    let text = lang.f(key, &[("span", &time::span(lang, target.saturating_sub(now)))]);
    format!(
        "<p class=\"countdown\" data-countdown=\"{key}\" data-target=\"{target}\" data-now=\"{now}\">{}</p>",
        esc(&text)
    )
}

/// A list of the polls `ids`: each one's title (its id if the manifest
/// cannot be read) linked to `link(id)`, with the id beside it if `show_id`.
pub(crate) async fn poll_list(
    state: &AppState,
    lang: Lang,
    ids: &[String],
    link: fn(&str) -> String,
    show_id: bool,
) -> String {
    let mut list = String::from("<ul class=\"plain-list\">\n");
    for id in ids {
        let title = state
            .poll(id, Need::Manifest)
            .await
            .map(|p| p.manifest.title.clone())
            .unwrap_or_else(|_| id.clone());
        let _ = write!(list, "<li><a href=\"{}{}\">{}</a>", esc(&link(id)), lang.query(), esc(&title));
        if show_id {
            let _ = write!(list, " <span class=\"hint\">({})</span>", esc(id));
        }
        list.push_str("</li>\n");
    }
    list.push_str("</ul>\n");
    list
}

/// `GET /`: the polls on this server.
pub async fn home(State(state): State<AppState>, query: RawQuery, headers: HeaderMap) -> Response {
    let lang = lang_of(&query, &headers);
    let ids = match state.shared.store.poll_ids().await {
        Ok(ids) => ids,
        Err(e) => return error_page(lang, None, &AppError::from(e)),
    };
    let mut body = format!("<h1>{}</h1>\n<p>{}</p>\n", esc(lang.t("home.title")), esc(lang.t("home.intro")));
    if ids.is_empty() {
        let _ = writeln!(body, "<p>{}</p>", esc(lang.t("home.none")));
    } else {
        body.push_str(&poll_list(&state, lang, &ids, poll_base, false).await);
    }
    let page = Page {
        lang,
        poll: None,
        current: Current::Other,
        title: lang.t("home.title"),
        body,
        script: None,
        data: None,
    };
    html(StatusCode::OK, page.render(), true)
}

/// Text with blank-line-separated paragraphs as `<p>` elements.
pub fn paragraphs(text: &str) -> String {
    text.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| format!("<p>{}</p>", esc(p).replace('\n', "<br>")))
        .collect::<Vec<_>>()
        .join("\n")
}
