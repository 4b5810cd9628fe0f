//! The console's timetable panel (issue 10, build items 1 and 4; spec: api
//! §7.1, board §4.11): the timetable in force in the poll's zone, every
//! amendment on the board, and a form per deadline that can still move.
//! The form's `datetime-local` field is read as wall-clock time in the
//! poll's zone (not the browser's) and goes through the handler of
//! `POST /v1/polls/{poll}/timetable`, as `shortlist organiser amend` does.

use shortlist_board::error_code::ErrorCode;
use std::fmt::Write as _;

use axum::extract::State;
use shortlist_board::zone::{self, LocalTimeError};

use super::csrf_field;
use super::links::do_path;
use super::panels::open;
use crate::api::timetable::{amend, AmendRequest, TimetableInfo};
use crate::api::Organiser;
use crate::error::{AppError, Json, Path};
use crate::model::{TimeInput, TimetableSpec};
use crate::state::{AppState, Need, PollCtx};
use crate::web::html::esc;
use crate::web::i18n::Lang;
use crate::web::time;

/// The two deadlines an amendment can move, with their catalogue stem.
const DEADLINES: &[&str] = &["nominations_close", "voting_close"];

fn deadline_of(t: &TimetableSpec, deadline: &str) -> u64 {
    if deadline == "nominations_close" {
        t.nominations_close
    } else {
        t.voting_close
    }
}

/// Whether `deadline` can still be moved: its phase is not over on the
/// board and the deadline has not passed (spec: V1.5 rule 4).
fn movable(deadline: &str, phase: &str, t: &TimetableInfo) -> bool {
    let open = if deadline == "nominations_close" {
        matches!(phase, "setup" | "nominations")
    } else {
        !matches!(phase, "closed" | "tallying" | "done")
    };
    open && t.now < deadline_of(&t.current, deadline)
}

/// The panel: the dates in force, the amendments, and the forms.
pub fn panel(lang: &Lang, p: &PollCtx, csrf: &str, phase: &str, t: &TimetableInfo) -> String {
    let z = &p.manifest.calendar.zone;
    let mut b = String::new();
    open(&mut b, lang, "timetable");
    b.push_str("<dl class=\"summary-list\">\n");
    for (key, at) in [
        ("poll.nominations_close", t.current.nominations_close),
        ("poll.voting_open", t.current.voting_open),
        ("poll.voting_close", t.current.voting_close),
    ] {
        let _ = writeln!(b, "<div><dt>{}</dt><dd>{}</dd></div>", esc(lang.t(key)), time::element(at, z));
    }
    b.push_str("</dl>\n");
    let zone_name = if z.is_empty() { "UTC" } else { z.as_str() };
    let _ = writeln!(
        b,
        "<p class=\"hint\">{}</p>",
        esc(&lang.f("console.timetable.zone", &[("zone", zone_name)]))
    );
    let _ = writeln!(b, "<h3>{}</h3>", esc(lang.t("console.timetable.amendments")));
    if t.amendments.is_empty() {
        let _ = writeln!(b, "<p id=\"amendments\">{}</p>", esc(lang.t("console.timetable.none")));
    } else {
        b.push_str("<ul id=\"amendments\" class=\"amendments\">\n");
        for a in &t.amendments {
            let text = lang.f(
                &format!("console.timetable.moved.{}", a.deadline),
                &[("from", &zone::show(a.from, z)), ("to", &zone::show(a.to, z))],
            );
            let _ = writeln!(
                b,
                "<li>{} <span class=\"hint\">{}</span></li>",
                esc(&text),
                esc(&lang.f("console.timetable.entry", &[("index", &a.index.to_string())]))
            );
        }
        b.push_str("</ul>\n");
    }
    let movable: Vec<&str> = DEADLINES.iter().copied().filter(|d| movable(d, phase, t)).collect();
    if movable.is_empty() {
        let _ = writeln!(b, "<p>{}</p>\n</section>", esc(lang.t("console.timetable.fixed")));
        return b;
    }
    let rule = if t.early_close { "console.timetable.rule_early" } else { "console.timetable.rule_later" };
    let _ = writeln!(b, "<h3>{}</h3>\n<p>{}</p>", esc(lang.t("console.timetable.move")), esc(lang.t(rule)));
    for d in movable {
        form(&mut b, lang, p, csrf, d, deadline_of(&t.current, d));
    }
    b.push_str("</section>\n");
    b
}

/// One deadline's form: a `datetime-local` field holding its current value.
fn form(b: &mut String, lang: &Lang, p: &PollCtx, csrf: &str, deadline: &str, now_at: u64) {
    let z = &p.manifest.calendar.zone;
    let id = format!("amend-{deadline}");
    let _ = writeln!(
        b,
        "<form method=\"post\" action=\"{}\" id=\"{id}\" class=\"amend-form\">{}\
         <input type=\"hidden\" name=\"deadline\" value=\"{deadline}\">\n\
         <div class=\"field\"><label for=\"{id}-to\">{}</label>\
         <p class=\"hint\" id=\"{id}-hint\">{}</p>\
         <input class=\"input input-datetime\" type=\"datetime-local\" id=\"{id}-to\" name=\"to\" value=\"{}\" \
         required aria-describedby=\"{id}-hint\"></div>\n\
         <button type=\"submit\" class=\"button\">{}</button>\n</form>",
        esc(&do_path(lang, &p.id, "amend")),
        csrf_field(csrf),
        esc(lang.t(&format!("console.timetable.label.{deadline}"))),
        esc(&lang.f("console.timetable.hint", &[("now", &zone::show(now_at, z))])),
        esc(&zone::local_input(now_at, z)),
        esc(lang.t(&format!("console.timetable.button.{deadline}")))
    );
}

/// Runs an amendment from the form: the field read in the poll's zone,
/// then the API's handler. A refusal carries a code the console's
/// catalogue explains (`console.err.*`); nothing is appended then.
pub async fn run(state: &AppState, poll: &str, deadline: String, to: &str) -> Result<(), AppError> {
    if !DEADLINES.contains(&deadline.as_str()) {
        return Err(AppError::invalid(ErrorCode::NoDeadline, format!("`{deadline}`")));
    }
    let p = state.poll(poll, Need::Manifest).await?;
    let z = &p.manifest.calendar.zone;
    let secs = zone::parse_local(to, z).map_err(|e| match e {
        LocalTimeError::Ambiguous => AppError::invalid(ErrorCode::AmbiguousTime, format!("`{to}` in {z}")),
        LocalTimeError::Malformed | LocalTimeError::UnknownZone => {
            AppError::invalid(ErrorCode::InvalidTime, format!("`{to}`"))
        }
    })?;
    let current = state.timetable(&p).await?;
    let from = if deadline == "nominations_close" { current.nominations_close } else { current.voting_close };
    // The field holds minutes: the deadline as shown, sent back, is no move.
    if zone::local_input(secs, z) == zone::local_input(from, z) {
        return Err(AppError::invalid(ErrorCode::AmendUnchanged, format!("{deadline} is already `{to}`")));
    }
    let req = AmendRequest { deadline: deadline.clone(), to: TimeInput::Seconds(secs) };
    let res = amend(Organiser, State(state.clone()), Path(poll.to_string()), Json(req)).await;
    match res {
        Ok(_) => Ok(()),
        // spec: V1.5 rules 3–6, said in the organiser's words.
        Err(e) if e.code() == ErrorCode::InvalidAmendment => {
            let code = if secs == from {
                ErrorCode::AmendUnchanged
            } else if secs < from && !p.manifest.calendar.early_close {
                ErrorCode::AmendEarlier
            } else if secs < from && secs < state.shared.clock.now() {
                ErrorCode::AmendPast
            } else {
                ErrorCode::AmendOrder
            };
            Err(AppError::invalid(code, e.message().to_string()))
        }
        Err(e) if e.code() == ErrorCode::Timetable => {
            Err(AppError::conflict(ErrorCode::AmendPassed, e.message().to_string()))
        }
        Err(e) => Err(e),
    }
}
