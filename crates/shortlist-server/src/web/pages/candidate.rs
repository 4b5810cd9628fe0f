//! `/p/{poll}/candidate#t=TOKEN`: a would-be candidate sends or updates an
//! expression of interest. The token stays in the fragment, which never
//! reaches the server's log; the page's script reads it and sends it in
//! the JSON body of `POST /v1/polls/{poll}/expressions-of-interest`.
//! Without the script the same form posts here (`POST /p/{poll}/candidate`,
//! the token pasted into its field, so in the body too) and the page comes
//! back with the outcome. Errors follow the error-summary pattern: a
//! summary at the top linking to each field's own message, answers kept.

use shortlist_board::error_code::ErrorCode;
use std::collections::BTreeMap;
use std::fmt::Write as _;

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Form;
use serde::Deserialize;

use super::{html, lang_of, load, phase_name, PollPage};
use crate::api::candidate::{self as api, ExpressionOfInterest};
use crate::error::{Json, Path};
use crate::model::CandidateSpec;
use crate::state::{AppState, PollCtx};
use crate::web::html::{esc, poll_base, Current, Page};
use crate::web::i18n::Lang;
use crate::web::time;

/// The form as posted without the script (field names as in the page).
#[derive(Debug, Default, Deserialize)]
pub struct CandidateForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    contest: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    statement: String,
    /// `attr-0`, `attr-1`, …: the slate rules' attributes, in page order.
    #[serde(flatten)]
    attributes: BTreeMap<String, String>,
}

/// What the form shows: the answers, the errors (field id or none, text), whether it was sent.
#[derive(Default)]
struct Outcome {
    form: CandidateForm,
    errors: Vec<(Option<&'static str>, String)>,
    sent: bool,
}

/// `GET /p/{poll}/candidate`.
pub async fn page(
    State(state): State<AppState>,
    Path(poll): Path<String>,
    query: RawQuery,
    headers: HeaderMap,
) -> Response {
    let lang = lang_of(&query, &headers);
    render(&state, &poll, lang, &Outcome::default()).await
}

/// `POST /p/{poll}/candidate`: the form without the script.
pub async fn post(
    State(state): State<AppState>,
    PollPage { id: poll, lang, poll: p, .. }: PollPage,
    form: Result<Form<CandidateForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    // A body that is not a form shows as an empty form, with its errors.
    let form = form.map(|Form(f)| f).unwrap_or_default();
    let mut outcome = Outcome { errors: validate(&lang, &form), form, sent: false };
    if outcome.errors.is_empty() {
        let req = ExpressionOfInterest {
            token: outcome.form.token.trim().to_ascii_lowercase(),
            candidate: spec(&p, &outcome.form),
        };
        match api::submit(State(state.clone()), Path(poll.clone()), Json(req)).await {
            Ok(_) => outcome.sent = true,
            Err(e) => outcome.errors.push(server_error(&lang, e.code(), &e.to_string())),
        }
    }
    render(&state, &poll, lang, &outcome).await
}

/// The attributes the slate rules name, sorted, each once.
fn attributes(p: &PollCtx) -> Vec<String> {
    let mut a: Vec<String> =
        p.manifest.contests.iter().flat_map(|c| c.slate_rules.iter().map(|r| r.attribute.clone())).collect();
    a.sort_unstable();
    a.dedup();
    a
}

fn spec(p: &PollCtx, form: &CandidateForm) -> CandidateSpec {
    let contest_id = form
        .contest
        .trim()
        .parse()
        .ok()
        .or_else(|| p.manifest.contests.first().map(|c| c.contest_id))
        .unwrap_or(0);
    let attributes = attributes(p)
        .into_iter()
        .enumerate()
        .filter_map(|(i, a)| {
            let v = form.attributes.get(&format!("attr-{i}"))?.trim().to_string();
            (!v.is_empty()).then_some((a, v))
        })
        .collect();
    CandidateSpec {
        contest_id,
        name: form.name.trim().to_string(),
        statement: form.statement.clone(),
        attributes,
    }
}

/// The checks the page's script makes too.
fn validate(lang: &Lang, form: &CandidateForm) -> Vec<(Option<&'static str>, String)> {
    let mut errors = Vec::new();
    let token = form.token.trim();
    if token.is_empty() {
        errors.push((Some("token"), lang.t("candidate.err_token").to_string()));
    } else if token.len() != 32 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        errors.push((Some("token"), lang.t("candidate.err_token_format").to_string()));
    }
    let name = form.name.trim();
    if name.is_empty() {
        errors.push((Some("name"), lang.t("candidate.err_name").to_string()));
    } else if name.len() > 200 {
        errors.push((Some("name"), lang.t("candidate.err_name_long").to_string()));
    }
    if form.statement.len() > 10_000 {
        errors.push((Some("statement"), lang.t("candidate.err_statement_long").to_string()));
    }
    errors
}

/// A refusal of the API in the candidate's words.
fn server_error(lang: &Lang, code: ErrorCode, message: &str) -> (Option<&'static str>, String) {
    match code {
        ErrorCode::InvalidToken => (Some("token"), lang.t("candidate.err_token_unknown").into()),
        ErrorCode::WrongPhase | ErrorCode::Timetable => (None, lang.t("candidate.err_closed").into()),
        ErrorCode::NotPending => (None, lang.t("candidate.err_decided").into()),
        ErrorCode::InvalidCandidate => {
            (Some("name"), lang.f("candidate.err_invalid", &[("message", message)]))
        }
        ErrorCode::Internal | ErrorCode::Unavailable => (None, lang.t("err.server").into()),
        _ => (None, message.to_string()),
    }
}

async fn render(state: &AppState, poll: &str, lang: Lang, o: &Outcome) -> Response {
    let p = match load(state, poll, lang).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let phase = state.shared.store.poll(poll).await.ok().flatten().map(|r| r.phase).unwrap_or_default();
    let now = state.shared.clock.now();
    let m = &p.manifest;
    let timetable = match state.timetable(&p).await {
        Ok(t) => t,
        Err(e) => return super::error_page(lang, Some(poll), &e),
    };
    let title = if o.errors.is_empty() {
        lang.t("candidate.title").to_string()
    } else {
        format!("{}: {}", lang.t("error.summary"), lang.t("candidate.title"))
    };
    let mut b = String::new();
    let _ = writeln!(
        b,
        "<span class=\"caption\">{}</span>\n<h1>{}</h1>",
        esc(&m.title),
        esc(lang.t("candidate.title"))
    );
    let open = phase == "nominations" && now < timetable.nominations_close;
    if !open && !o.sent {
        closed(&mut b, &lang, poll, &phase);
        return html(StatusCode::OK, layout(lang, poll, &title, b, None).render(), false);
    }
    intro(&mut b, &lang, timetable.nominations_close, &m.calendar.zone, o);
    form(&mut b, &lang, poll, &p, o);
    let data = serde_json::json!({ "poll": poll }).to_string();
    let status = if o.errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    html(status, layout(lang, poll, &title, b, Some(data)).render(), false)
}

/// The page around `body`; with `data`, the form's script runs.
fn layout<'a>(lang: Lang, poll: &'a str, title: &'a str, body: String, data: Option<String>) -> Page<'a> {
    let script = data.as_ref().map(|_| "candidate");
    Page { lang, poll: Some(poll), current: Current::Other, title, body, script, data }
}

/// Nominations are not open: the phase, and the way back.
fn closed(b: &mut String, lang: &Lang, poll: &str, phase: &str) {
    let _ = writeln!(
        b,
        "<p>{}</p>\n<p>{}</p>\n<p><a href=\"{}{}\">{}</a></p>",
        esc(lang.t("candidate.closed")),
        esc(&lang.f("results.phase", &[("phase", phase_name(lang, phase))])),
        esc(&poll_base(poll)),
        lang.query(),
        esc(lang.t("candidate.back"))
    );
}

/// What the form is for, its deadline, the error summary and the panel
/// that says it was sent.
fn intro(b: &mut String, lang: &Lang, close: u64, zone: &str, o: &Outcome) {
    let _ = writeln!(
        b,
        "<p>{}</p>\n<p>{} {}</p>",
        esc(lang.t("candidate.intro")),
        esc(lang.t("candidate.deadline")),
        time::element(close, zone)
    );
    let _ = writeln!(b, "<noscript><p class=\"notice\">{}</p></noscript>", esc(lang.t("candidate.noscript")));
    b.push_str(&error_summary(lang, &o.errors));
    if o.sent {
        let _ = writeln!(
            b,
            "<div id=\"sent\" class=\"panel panel-ok\" tabindex=\"-1\"><h2>{}</h2><p>{}</p></div>",
            esc(lang.t("candidate.sent_title")),
            esc(lang.t("candidate.sent_text"))
        );
    } else {
        b.push_str("<div id=\"sent\" class=\"panel\" hidden tabindex=\"-1\"></div>\n");
    }
}

/// The expression-of-interest form, with the answers kept after an error.
fn form(b: &mut String, lang: &Lang, poll: &str, p: &PollCtx, o: &Outcome) {
    let _ = writeln!(
        b,
        "<form id=\"eoi\" method=\"post\" action=\"{}/candidate{}\" novalidate>",
        esc(&poll_base(poll)),
        lang.query()
    );
    let err = |id: &str| o.errors.iter().find(|(f, _)| *f == Some(id)).map(|(_, t)| t.as_str());
    let token = Field {
        id: "token",
        label: lang.t("candidate.token"),
        hint: Some(lang.t("candidate.token_hint")),
        value: &o.form.token,
        error: err("token"),
        extra: "autocomplete=\"off\" spellcheck=\"false\" autocapitalize=\"none\"".into(),
    };
    b.push_str(&token.render(false));
    contest_field(b, lang, &p.manifest, o);
    let name = Field {
        id: "name",
        label: lang.t("candidate.name"),
        hint: Some(lang.t("candidate.name_hint")),
        value: &o.form.name,
        error: err("name"),
        extra: "autocomplete=\"name\" maxlength=\"200\"".into(),
    };
    b.push_str(&name.render(false));
    let statement = Field {
        id: "statement",
        label: lang.t("candidate.statement"),
        hint: Some(lang.t("candidate.statement_hint")),
        value: &o.form.statement,
        error: err("statement"),
        extra: "rows=\"8\"".into(),
    };
    b.push_str(&statement.render(true));
    attribute_fields(b, lang, p, o);
    let _ = writeln!(
        b,
        "<button type=\"submit\" class=\"button\">{}</button>\n</form>",
        esc(lang.t("candidate.submit"))
    );
}

/// The contest to stand in: a choice if there are several, else hidden.
fn contest_field(b: &mut String, lang: &Lang, m: &shortlist_board::manifest::Manifest, o: &Outcome) {
    if m.contests.len() > 1 {
        let _ = write!(
            b,
            "<div class=\"field\" id=\"contest-field\"><label for=\"contest\">{}</label><select id=\"contest\" name=\"contest\">",
            esc(lang.t("candidate.contest"))
        );
        for c in &m.contests {
            let selected = if o.form.contest.trim() == c.contest_id.to_string() { " selected" } else { "" };
            let _ = write!(b, "<option value=\"{}\"{selected}>{}</option>", c.contest_id, esc(&c.title));
        }
        b.push_str("</select></div>\n");
    } else if let Some(c) = m.contests.first() {
        let _ =
            writeln!(b, "<input type=\"hidden\" id=\"contest\" name=\"contest\" value=\"{}\">", c.contest_id);
    }
}

/// One field per attribute the slate rules name.
fn attribute_fields(b: &mut String, lang: &Lang, p: &PollCtx, o: &Outcome) {
    for (i, a) in attributes(p).iter().enumerate() {
        let id = format!("attr-{i}");
        let label = lang.f("candidate.attribute", &[("attribute", a)]);
        let value = o.form.attributes.get(&id).map_or("", String::as_str);
        let extra = format!("data-attribute=\"{}\" maxlength=\"200\"", esc(a));
        let f = Field {
            id: &id,
            label: &label,
            hint: Some(lang.t("candidate.attribute_hint")),
            value,
            error: None,
            extra,
        };
        b.push_str(&f.render(false));
    }
}

/// The error summary: hidden and empty unless there are errors (the
/// script fills it too); each error links to its field.
pub fn error_summary(lang: &Lang, errors: &[(Option<&'static str>, String)]) -> String {
    let hidden = if errors.is_empty() { " hidden" } else { "" };
    let mut items = String::new();
    for (field, text) in errors {
        match field {
            Some(f) => {
                let _ = write!(items, "<li><a href=\"#{f}\">{}</a></li>", esc(text));
            }
            None => {
                let _ = write!(items, "<li>{}</li>", esc(text));
            }
        }
    }
    format!(
        "<div class=\"error-summary\" id=\"error-summary\"{hidden} tabindex=\"-1\" aria-labelledby=\"error-summary-title\">\
         <h2 id=\"error-summary-title\">{}</h2><ul class=\"error-list\">{items}</ul></div>\n",
        esc(lang.t("error.summary"))
    )
}

/// A labelled field with a hint and its error message.
struct Field<'a> {
    id: &'a str,
    label: &'a str,
    hint: Option<&'a str>,
    value: &'a str,
    error: Option<&'a str>,
    extra: String,
}

impl Field<'_> {
    fn render(&self, textarea: bool) -> String {
        let id = self.id;
        let class = if self.error.is_some() { "field field-error" } else { "field" };
        let mut b = format!(
            "<div class=\"{class}\" id=\"{id}-field\"><label for=\"{id}\">{}</label>",
            esc(self.label)
        );
        let mut described = Vec::new();
        if let Some(h) = self.hint {
            let _ = write!(b, "<p class=\"hint\" id=\"{id}-hint\">{}</p>", esc(h));
            described.push(format!("{id}-hint"));
        }
        match self.error {
            Some(e) => {
                let _ = write!(b, "<p class=\"error-message\" id=\"{id}-error\">{}</p>", esc(e));
                described.push(format!("{id}-error"));
            }
            None => {
                let _ = write!(b, "<p class=\"error-message\" id=\"{id}-error\" hidden></p>");
            }
        }
        let described = if described.is_empty() {
            String::new()
        } else {
            format!(" aria-describedby=\"{}\"", described.join(" "))
        };
        let invalid = if self.error.is_some() { " aria-invalid=\"true\"" } else { "" };
        if textarea {
            let _ = write!(
                b,
                "<textarea class=\"input\" id=\"{id}\" name=\"{id}\"{described}{invalid} {}>{}</textarea>",
                self.extra,
                esc(self.value)
            );
        } else {
            let _ = write!(
                b,
                "<input class=\"input\" type=\"text\" id=\"{id}\" name=\"{id}\" value=\"{}\"{described}{invalid} {}>",
                esc(self.value),
                self.extra
            );
        }
        b.push_str("</div>\n");
        b
    }
}
