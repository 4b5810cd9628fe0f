//! `/console`: signing in with the organiser key, the list of polls, and
//! signing out (spec: api §4.1).

use std::fmt::Write as _;

use axum::extract::{RawQuery, State};
use axum::http::header::{self, HeaderMap};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use zeroize::Zeroizing;

use super::session::{self, Session};
use super::signin_page::page;
use super::{console_path, refused, render};
use crate::state::AppState;
use crate::web::html::esc;
use crate::web::pages::{error_page, html, lang_of, poll_list};

/// The sign-in form as posted.
#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    key: String,
}

/// `GET /console`: the polls when signed in, else the sign-in form.
pub async fn home(State(state): State<AppState>, query: RawQuery, headers: HeaderMap) -> Response {
    let lang = lang_of(&query, &headers);
    let session = match session::current(&state, &headers).await {
        Ok(s) => s,
        Err(e) => return error_page(lang, None, &e),
    };
    let Some((_, csrf)) = session else { return page(lang, StatusCode::OK, None) };
    let ids = match state.shared.store.poll_ids().await {
        Ok(ids) => ids,
        Err(e) => return error_page(lang, None, &e.into()),
    };
    let mut b = format!("<h1>{}</h1>\n", esc(lang.t("console.polls_title")));
    if ids.is_empty() {
        let _ = writeln!(b, "<p>{}</p>", esc(lang.t("console.no_polls")));
    } else {
        b.push_str(&poll_list(&state, lang, &ids, console_path, true).await);
    }
    let _ = writeln!(b, "<p class=\"hint\">{}</p>", esc(lang.t("console.create_hint")));
    html(StatusCode::OK, render(lang, lang.t("console.polls_title"), &b, Some(&csrf), false), false)
}

/// `POST /console/sign-in`: the organiser key, once, in the form's body.
pub async fn post(
    State(state): State<AppState>,
    query: RawQuery,
    headers: HeaderMap,
    form: Result<Form<SignInForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let lang = lang_of(&query, &headers);
    if let Err(key) = session::same_origin(&headers) {
        return refused(lang, StatusCode::FORBIDDEN, key);
    }
    let key = Zeroizing::new(form.map(|Form(f)| f.key).unwrap_or_default());
    if key.trim().is_empty() || !state.shared.organiser.matches(&key) {
        tracing::info!("console sign-in refused");
        return page(lang, StatusCode::UNAUTHORIZED, Some("console.signin.wrong"));
    }
    match session::start(&state, &headers).await {
        Ok(cookie) => {
            tracing::info!("console sign-in");
            let mut res = Redirect::to(&format!("/console{}", lang.query())).into_response();
            res.headers_mut().insert(header::SET_COOKIE, cookie);
            res
        }
        Err(e) => error_page(lang, None, &e),
    }
}

/// The sign-out form as posted.
#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /console/sign-out`: ends the session.
pub async fn sign_out(
    State(state): State<AppState>,
    s: Session,
    form: Result<Form<CsrfForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let presented = form.map(|Form(f)| f.csrf).unwrap_or_default();
    if let Some(r) = s.csrf_refusal(&presented) {
        return r;
    }
    if let Err(e) = s.end(&state).await {
        return error_page(s.lang, None, &e);
    }
    let mut res = page(s.lang, StatusCode::OK, Some("console.signed_out"));
    res.headers_mut().insert(header::SET_COOKIE, session::clear());
    res
}

/// `GET` of a POST-only console route (after a language switch): the console.
pub async fn to_home(query: RawQuery, headers: HeaderMap) -> Redirect {
    Redirect::to(&format!("/console{}", lang_of(&query, &headers).query()))
}
