//! `/console/p/{poll}`: one poll's console, a page of panels: status and
//! turnout, the phases, the timetable, nominations, the roll, tokens, the
//! trustees and the result. Each panel reads through the same handlers as
//! the `/v1` routes.

use std::fmt::Write as _;

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::session::Session;
use super::{chart, panels, render};
use crate::api::public::Status;
use crate::api::timetable::TimetableInfo;
use crate::api::{organiser, public, Organiser};
use crate::error::{AppError, Path};
use crate::state::{AppState, PollCtx};
use crate::web::html::{esc, poll_base};
use crate::web::pages::{countdown, error_page, html, load, phase_name};
use shortlist_board::manifest::Timetable;

/// What the last action left to say: done (a catalogue key) or an error.
pub enum Outcome {
    /// Nothing.
    None,
    /// An action succeeded: the catalogue key of its message.
    Done(String),
    /// An action failed: the panel it belongs to and the message.
    Failed(&'static str, String),
}

/// `GET /console/p/{poll}` (`?done=ACTION` after an action).
pub async fn page(
    State(state): State<AppState>,
    s: Session,
    Path(poll): Path<String>,
    query: RawQuery,
) -> Response {
    let done = query
        .0
        .as_deref()
        .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("done=")))
        .filter(|a| super::links::ACTIONS.iter().any(|(name, _)| name == a))
        .map(|a| format!("console.done.{a}"));
    let outcome = done.map_or(Outcome::None, Outcome::Done);
    console(&state, &s, &poll, &outcome, StatusCode::OK).await
}

/// The console page of `poll` with an outcome to report.
pub async fn console(
    state: &AppState,
    s: &Session,
    poll: &str,
    outcome: &Outcome,
    code: StatusCode,
) -> Response {
    let lang = s.lang;
    let p = match load(state, poll, lang).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let info = match crate::api::timetable::info(state, &p).await {
        Ok(t) => t,
        Err(e) => return error_page(lang, Some(poll), &e),
    };
    let timetable = Timetable {
        nominations_close: info.current.nominations_close,
        voting_open: info.current.voting_open,
        voting_close: info.current.voting_close,
    };
    let status = match public::status(State(state.clone()), Path(poll.to_string())).await {
        Ok(st) => st.0,
        Err(e) => return error_page(lang, None, &e),
    };
    let mut b = String::new();
    let _ = writeln!(
        b,
        "<span class=\"caption\">{}</span>\n<h1>{}</h1>",
        esc(&lang.f("console.poll_caption", &[("poll", poll)])),
        esc(&p.manifest.title)
    );
    b.push_str(&banner(&lang, outcome));
    let _ = writeln!(
        b,
        "<div class=\"phase-panel\"><p class=\"phase\"><span class=\"tag tag-{}\">{}</span></p>{}</div>",
        esc(&status.phase),
        esc(phase_name(&lang, &status.phase)),
        countdown(&lang, &timetable, &status.phase, status.now)
    );
    match body(state, s, &p, &status, (&timetable, &info)).await {
        Ok(panels) => b.push_str(&panels),
        Err(e) => return error_page(lang, None, &e),
    }
    let title = match outcome {
        Outcome::Failed(..) => format!("{}: {}", lang.t("error.summary"), p.manifest.title),
        _ => p.manifest.title.clone(),
    };
    html(code, render(lang, &title, &b, Some(&s.csrf), true), false)
}

/// The console's panels, in page order, and the link to the public page.
async fn body(
    state: &AppState,
    s: &Session,
    p: &PollCtx,
    status: &Status,
    (timetable, info): (&Timetable, &TimetableInfo),
) -> Result<String, AppError> {
    let (lang, poll) = (s.lang, p.id.as_str());
    let mut b = String::new();
    // A table of contents: the panels are long on a phone.
    b.push_str(&panels::contents(&lang));
    b.push_str(&panels::status(&lang, status));
    b.push_str(&chart::turnout(state, &lang, p, status).await);
    b.push_str("</section>\n");
    b.push_str(&panels::phases(&lang, p, &status.phase, timetable));
    b.push_str(&super::timetable::panel(&lang, p, &s.csrf, &status.phase, info));
    let list = organiser::list_nominations(Organiser, State(state.clone()), Path(poll.to_string())).await?;
    b.push_str(&panels::nominations(&lang, poll, &s.csrf, &status.phase, &list.0));
    b.push_str(&panels::roll(&lang, poll, &s.csrf, status));
    b.push_str(&panels::tokens(&lang, poll, &s.csrf, status));
    b.push_str(&panels::sending(state, &lang, poll, &s.csrf, status).await?);
    b.push_str(&panels::trustees(state, &lang, p).await?);
    let result =
        crate::api::result::result(State(state.clone()), Path(poll.to_string())).await.ok().map(|r| r.0);
    b.push_str(&panels::result(&lang, p, result.as_ref()));
    let _ = writeln!(
        b,
        "<p><a href=\"{}{}\">{}</a></p>",
        esc(&poll_base(poll)),
        lang.query(),
        esc(lang.t("console.public_page"))
    );
    Ok(b)
}

/// The outcome of the last action: a success panel or an error summary
/// linking to the action's panel.
fn banner(lang: &crate::web::i18n::Lang, outcome: &Outcome) -> String {
    let mut b = String::new();
    match outcome {
        Outcome::None => {}
        Outcome::Done(key) => {
            let _ = writeln!(
                b,
                "<div class=\"panel panel-ok\" role=\"status\" id=\"done\"><p>{}</p></div>",
                esc(lang.t(key))
            );
        }
        Outcome::Failed(panel, message) => {
            let _ = writeln!(
                b,
                "<div class=\"error-summary\" id=\"error-summary\" tabindex=\"-1\" role=\"alert\" aria-labelledby=\"error-summary-title\">\
                 <h2 id=\"error-summary-title\">{}</h2><ul class=\"error-list\"><li><a href=\"#{panel}\">{}</a></li></ul></div>",
                esc(lang.t("error.summary")),
                esc(message)
            );
        }
    }
    b
}
