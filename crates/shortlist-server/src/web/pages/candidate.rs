//! `/p/{poll}/candidate#t=TOKEN`: a would-be candidate sends or updates an
//! expression of interest. The token stays in the fragment, which never
//! reaches the server's log; the page's script reads it and sends it in
//! the JSON body of `POST /v1/polls/{poll}/expressions-of-interest`.
//! Errors follow the error-summary pattern: a summary at the top linking
//! to each field's own message, answers kept.

use std::fmt::Write as _;

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::{html, lang_of, load, phase_name};
use crate::error::Path;
use crate::state::AppState;
use crate::web::html::{esc, poll_base, Current, Page};
use crate::web::i18n::Lang;
use crate::web::time;

/// `GET /p/{poll}/candidate`.
pub async fn page(
    State(state): State<AppState>,
    Path(poll): Path<String>,
    query: RawQuery,
    headers: HeaderMap,
) -> Response {
    let lang = lang_of(&query, &headers);
    let p = match load(&state, &poll, lang).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let phase = state.shared.store.poll(&poll).await.ok().flatten().map(|r| r.phase).unwrap_or_default();
    let now = state.shared.clock.now();
    let m = &p.manifest;
    let title = lang.t("candidate.title");
    let mut b = String::new();
    let _ = writeln!(b, "<span class=\"caption\">{}</span>\n<h1>{}</h1>", esc(&m.title), esc(title));
    let open = phase == "nominations" && now < m.timetable.nominations_close;
    if !open {
        let _ = writeln!(
            b,
            "<p>{}</p>\n<p>{}</p>\n<p><a href=\"{}{}\">{}</a></p>",
            esc(lang.t("candidate.closed")),
            esc(&lang.f("results.phase", &[("phase", phase_name(&lang, &phase))])),
            esc(&poll_base(&poll)),
            lang.query(),
            esc(lang.t("candidate.back"))
        );
        let page = Page {
            lang,
            poll: Some(&poll),
            current: Current::Other,
            title,
            body: b,
            script: None,
            data: None,
        };
        return html(StatusCode::OK, page.render(), false);
    }
    let _ = writeln!(
        b,
        "<p>{}</p>\n<p>{} {}</p>",
        esc(lang.t("candidate.intro")),
        esc(lang.t("candidate.deadline")),
        time::element(m.timetable.nominations_close)
    );
    b.push_str("<noscript><p class=\"notice\">");
    b.push_str(&esc(lang.t("candidate.noscript")));
    b.push_str("</p></noscript>\n");
    b.push_str(&error_summary(&lang));
    b.push_str("<div id=\"sent\" class=\"panel\" hidden tabindex=\"-1\"></div>\n");
    b.push_str("<form id=\"eoi\" novalidate>\n");
    b.push_str(&field(
        &lang,
        "token",
        "input",
        "candidate.token",
        Some("candidate.token_hint"),
        "autocomplete=\"off\" spellcheck=\"false\" autocapitalize=\"none\"",
    ));
    if m.contests.len() > 1 {
        let _ = write!(
            b,
            "<div class=\"field\" id=\"contest-field\"><label for=\"contest\">{}</label><p class=\"error-message\" id=\"contest-error\" hidden></p><select id=\"contest\" name=\"contest\">",
            esc(lang.t("candidate.contest"))
        );
        for c in &m.contests {
            let _ = write!(b, "<option value=\"{}\">{}</option>", c.contest_id, esc(&c.title));
        }
        b.push_str("</select></div>\n");
    } else if let Some(c) = m.contests.first() {
        let _ =
            writeln!(b, "<input type=\"hidden\" id=\"contest\" name=\"contest\" value=\"{}\">", c.contest_id);
    }
    b.push_str(&field(
        &lang,
        "name",
        "input",
        "candidate.name",
        Some("candidate.name_hint"),
        "autocomplete=\"name\" maxlength=\"200\"",
    ));
    b.push_str(&field(
        &lang,
        "statement",
        "textarea",
        "candidate.statement",
        Some("candidate.statement_hint"),
        "rows=\"8\"",
    ));
    let mut attributes: Vec<&str> =
        m.contests.iter().flat_map(|c| c.slate_rules.iter().map(|r| r.attribute.as_str())).collect();
    attributes.sort_unstable();
    attributes.dedup();
    for (i, a) in attributes.iter().enumerate() {
        let id = format!("attr-{i}");
        let label = lang.f("candidate.attribute", &[("attribute", a)]);
        let _ = writeln!(
            b,
            "<div class=\"field\" id=\"{id}-field\"><label for=\"{id}\">{}</label><p class=\"hint\" id=\"{id}-hint\">{}</p><p class=\"error-message\" id=\"{id}-error\" hidden></p><input class=\"input\" type=\"text\" id=\"{id}\" name=\"{id}\" data-attribute=\"{}\" aria-describedby=\"{id}-hint\" maxlength=\"200\"></div>",
            esc(&label),
            esc(lang.t("candidate.attribute_hint")),
            esc(a)
        );
    }
    let _ = writeln!(
        b,
        "<button type=\"submit\" class=\"button\">{}</button>\n</form>",
        esc(lang.t("candidate.submit"))
    );
    let data = serde_json::json!({ "poll": poll }).to_string();
    let page = Page {
        lang,
        poll: Some(&poll),
        current: Current::Other,
        title,
        body: b,
        script: Some("candidate"),
        data: Some(data),
    };
    html(StatusCode::OK, page.render(), false)
}

/// The error summary, empty and hidden until the script fills it.
pub fn error_summary(lang: &Lang) -> String {
    format!(
        "<div class=\"error-summary\" id=\"error-summary\" hidden tabindex=\"-1\" aria-labelledby=\"error-summary-title\">\
         <h2 id=\"error-summary-title\">{}</h2><ul class=\"error-list\"></ul></div>\n",
        esc(lang.t("error.summary"))
    )
}

/// A labelled field with a hint and a place for its error message.
fn field(lang: &Lang, id: &str, kind: &str, label: &str, hint: Option<&str>, extra: &str) -> String {
    let mut b =
        format!("<div class=\"field\" id=\"{id}-field\"><label for=\"{id}\">{}</label>", esc(lang.t(label)));
    let mut described = String::new();
    if let Some(h) = hint {
        let _ = write!(b, "<p class=\"hint\" id=\"{id}-hint\">{}</p>", esc(lang.t(h)));
        described = format!(" aria-describedby=\"{id}-hint\"");
    }
    let _ = write!(b, "<p class=\"error-message\" id=\"{id}-error\" hidden></p>");
    if kind == "textarea" {
        let _ =
            write!(b, "<textarea class=\"input\" id=\"{id}\" name=\"{id}\"{described} {extra}></textarea>");
    } else {
        let _ =
            write!(b, "<input class=\"input\" type=\"text\" id=\"{id}\" name=\"{id}\"{described} {extra}>");
    }
    b.push_str("</div>\n");
    b
}
