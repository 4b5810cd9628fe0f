//! The organiser console (issue 10, build item 4; spec: api §4.1 and §7.6):
//! the organiser's routes of `/v1` as pages, behind a sign-in by the
//! organiser key and a session cookie. Pages are rendered on the server and
//! work without their script (which only reads a chosen file into a field);
//! every change is a form POST checked for the session, its CSRF token and
//! the request's origin, and goes through the same handler as the API route.
//! Every console response is `Cache-Control: no-store`.

pub mod actions;
pub mod chart;
pub mod links;
pub mod page;
pub mod panels;
pub mod session;
pub mod signin;
pub mod signin_page;
pub mod timetable;

use std::fmt::Write as _;

use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;

use super::html::{esc, seg, Current, Page};
use super::i18n::Lang;
use super::pages::html;
use crate::state::AppState;

/// The console's routes (merged into the web router, so they carry its
/// security headers).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/console", get(signin::home))
        .route("/console/sign-in", post(signin::post).get(signin::to_home))
        .route("/console/sign-out", post(signin::sign_out).get(signin::to_home))
        .route("/console/p/{poll}", get(page::page))
        .route("/console/p/{poll}/confirm/{action}", get(actions::confirm))
        .route("/console/p/{poll}/do/{action}", post(actions::act).get(actions::to_console))
}

/// The console page of a poll.
pub fn console_path(poll: &str) -> String {
    format!("/console/p/{}", seg(poll))
}

/// A console page: the layout with the console's own navigation (the
/// polls, sign out) above `body`.
pub fn render(lang: Lang, title: &str, body: &str, csrf: Option<&str>, script: bool) -> String {
    let q = lang.query();
    let mut b = String::new();
    let _ = write!(
        b,
        "<nav class=\"console-nav\" aria-label=\"{}\"><a href=\"/console{q}\">{}</a>",
        esc(lang.t("console.nav")),
        esc(lang.t("console.polls"))
    );
    if let Some(csrf) = csrf {
        let _ = write!(
            b,
            "<form method=\"post\" action=\"/console/sign-out{q}\" class=\"inline-form\">{}\
             <button type=\"submit\" class=\"button button-secondary\">{}</button></form>",
            csrf_field(csrf),
            esc(lang.t("console.sign_out"))
        );
    }
    b.push_str("</nav>\n");
    b.push_str(body);
    Page {
        lang,
        poll: None,
        current: Current::Other,
        title,
        body: b,
        script: script.then_some("console"),
        data: None,
    }
    .render()
}

/// The hidden field that carries the session's CSRF token.
pub fn csrf_field(csrf: &str) -> String {
    format!("<input type=\"hidden\" name=\"csrf\" value=\"{}\">", esc(csrf))
}

/// A refusal page: why (a catalogue key) and a way back to the console.
pub fn refused(lang: Lang, status: StatusCode, key: &str) -> Response {
    let body = format!(
        "<h1>{}</h1>\n<p>{}</p>\n<p><a href=\"/console{}\">{}</a></p>",
        esc(lang.t("console.refused.title")),
        esc(lang.t(key)),
        lang.query(),
        esc(lang.t("console.back"))
    );
    html(status, render(lang, lang.t("console.refused.title"), &body, None, false), false)
}
