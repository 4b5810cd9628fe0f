//! `/p/{poll}`: the public poll page. Title, where the poll stands and the
//! next deadline, the timetable, the candidates with their statements and
//! the turnout so far, with links to the other pages.

use std::fmt::Write as _;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use shortlist_board::manifest::{ContestRules, RevotePolicy};

use super::{countdown, error_page, html, paragraphs, phase_name, PollPage};
use crate::api::public;
use crate::error::Path;
use crate::state::AppState;
use crate::web::html::{esc, poll_base, summary_rows, Current, Page};
use crate::web::i18n::Lang;
use crate::web::time;

/// `GET /p/{poll}`.
pub async fn page(
    State(state): State<AppState>,
    PollPage { id: poll, lang, poll: p, timetable }: PollPage,
) -> Response {
    let status = match public::status(State(state.clone()), Path(poll.clone())).await {
        Ok(s) => s.0,
        Err(e) => return error_page(lang, Some(&poll), &e),
    };
    let candidates = match public::candidates(State(state.clone()), Path(poll.clone())).await {
        Ok(c) => c.0,
        Err(e) => return error_page(lang, Some(&poll), &e),
    };
    let m = &p.manifest;
    let base = poll_base(&poll);
    let q = lang.query();
    let mut b = String::new();
    let _ = writeln!(b, "<h1>{}</h1>", esc(&m.title));
    let _ = writeln!(
        b,
        "<div class=\"phase-panel\"><p class=\"phase\"><span class=\"tag tag-{}\">{}</span></p>{}</div>",
        esc(&status.phase),
        esc(phase_name(&lang, &status.phase)),
        countdown(&lang, &timetable, &status.phase, status.now)
    );
    match status.phase.as_str() {
        "nominations" => {
            let _ = writeln!(b, "<p>{}</p>", esc(lang.t("poll.nominations_hint")));
        }
        "voting" => {
            let _ = writeln!(b, "<p>{}</p>", esc(lang.t("poll.voting_hint")));
        }
        "done" => {
            let _ = writeln!(
                b,
                "<p><a class=\"button\" href=\"{}/results{q}\">{}</a></p>",
                esc(&base),
                esc(lang.t("poll.see_results"))
            );
        }
        _ => {}
    }

    // Timetable.
    let t = timetable;
    let _ = writeln!(b, "<h2>{}</h2>\n<dl class=\"summary-list\">", esc(lang.t("poll.timetable")));
    for (key, at) in [
        ("poll.nominations_close", t.nominations_close),
        ("poll.voting_open", t.voting_open),
        ("poll.voting_close", t.voting_close),
    ] {
        let _ = writeln!(
            b,
            "<div><dt>{}</dt><dd>{}</dd></div>",
            esc(lang.t(key)),
            time::element(at, &m.calendar.zone)
        );
    }
    b.push_str("</dl>\n");
    let revote = match m.revote {
        RevotePolicy::LastCounts => lang.t("poll.revote_last"),
        RevotePolicy::FirstCounts => lang.t("poll.revote_first"),
    };
    let _ = writeln!(b, "<p>{}</p>", esc(revote));

    // Turnout.
    let ballots = status.by_kind.get("ballot").copied().unwrap_or(0);
    let _ = writeln!(b, "<h2>{}</h2>\n<dl class=\"summary-list\">", esc(lang.t("poll.turnout")));
    let rows = [
        ("poll.members", status.members.to_string()),
        ("poll.registered", status.tokens_redeemed.to_string()),
        ("poll.ballots", ballots.to_string()),
        ("poll.entries", status.entries.to_string()),
    ];
    b.push_str(&summary_rows(lang, &rows));
    b.push_str("</dl>\n");
    let _ = writeln!(b, "<p class=\"hint\">{}</p>", esc(lang.t("poll.ballots_hint")));

    // Candidates, by contest.
    for c in &m.contests {
        let _ = writeln!(b, "<h2>{}</h2>", esc(&c.title));
        b.push_str(&rules(&lang, c));
        let list: Vec<_> =
            candidates.registered.iter().filter(|r| r.candidate.contest_id == c.contest_id).collect();
        if list.is_empty() {
            let _ = writeln!(b, "<p>{}</p>", esc(lang.t("poll.no_candidates")));
            continue;
        }
        let _ = writeln!(b, "<p>{}</p>", esc(&lang.count("poll.candidate_count", list.len() as u64, &[])));
        b.push_str("<ul class=\"candidates\">\n");
        for r in list {
            let _ = write!(b, "<li class=\"candidate\"><h3>{}</h3>", esc(&r.candidate.name));
            if !r.candidate.attributes.is_empty() {
                b.push_str("<ul class=\"attributes\">");
                for (k, v) in &r.candidate.attributes {
                    let _ = write!(b, "<li>{}: {}</li>", esc(k), esc(v));
                }
                b.push_str("</ul>");
            }
            b.push_str(&paragraphs(&r.candidate.statement));
            b.push_str("</li>\n");
        }
        b.push_str("</ul>\n");
    }

    // Links.
    let _ = writeln!(b, "<h2>{}</h2>\n<ul class=\"plain-list\">", esc(lang.t("poll.more")));
    for (tail, key) in
        [("/board", "poll.link_board"), ("/results", "poll.link_results"), ("/verify", "poll.link_verify")]
    {
        let _ = writeln!(b, "<li><a href=\"{}{tail}{q}\">{}</a></li>", esc(&base), esc(lang.t(key)));
    }
    let _ = writeln!(
        b,
        "<li><a href=\"/v1/polls/{}/record\" download>{}</a></li>\n</ul>",
        esc(&crate::web::html::seg(&poll)),
        esc(lang.t("poll.link_record"))
    );
    let _ = writeln!(
        b,
        "<p class=\"hint\">{} <code class=\"hash\">{}</code></p>",
        esc(lang.t("poll.manifest_hash")),
        hex::encode(p.manifest_hash)
    );

    let page = Page {
        lang,
        poll: Some(&poll),
        current: Current::Poll,
        title: &m.title,
        body: b,
        script: Some("poll"),
        data: None,
    };
    html(StatusCode::OK, page.render(), true)
}

/// A contest's rules in plain words: how many to choose, the slate rules.
pub fn rules(lang: &Lang, c: &ContestRules) -> String {
    let mut b = String::new();
    let choose = if c.min_selections == 0 {
        lang.f("rules.choose_up_to", &[("max", &c.max_selections.to_string())])
    } else if c.min_selections == c.max_selections {
        lang.count("rules.choose_exactly", u64::from(c.max_selections), &[])
    } else {
        lang.f(
            "rules.choose_between",
            &[("min", &c.min_selections.to_string()), ("max", &c.max_selections.to_string())],
        )
    };
    let _ =
        writeln!(b, "<p>{} {}</p>", esc(&lang.count("rules.seats", u64::from(c.seats), &[])), esc(&choose));
    for r in &c.slate_rules {
        let _ = writeln!(b, "<p>{}</p>", esc(&slate_rule(lang, r)));
    }
    b
}

/// One slate rule in plain words.
pub fn slate_rule(lang: &Lang, r: &shortlist_board::manifest::SlateRule) -> String {
    lang.f(
        "rules.slate_rule",
        &[("n", &r.min_seats.to_string()), ("attribute", &r.attribute), ("value", &r.value)],
    )
}
