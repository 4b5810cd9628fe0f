//! `/p/{poll}/results`: the counts as a table with CSS bars (the numbers are
//! in the table; the bars are decoration), the slate with the rules that
//! shaped it, any ties and how they were broken, and links to the record
//! and the verification page. Plain HTML: no script.

use std::fmt::Write as _;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use shortlist_board::manifest::ContestRules;

use super::poll::slate_rule;
use super::{error_page, html, phase_name, PollPage};
use crate::api::result::{self as public, ContestResultInfo, ResultRow};
use crate::error::Path;
use crate::state::AppState;
use crate::web::html::{esc, poll_base, seg, Current, Page};
use crate::web::i18n::Lang;

/// `GET /p/{poll}/results`.
pub async fn page(
    State(state): State<AppState>,
    PollPage { id: poll, lang, poll: p, .. }: PollPage,
) -> Response {
    let title = lang.f("results.title", &[("poll", &p.manifest.title)]);
    let mut b = format!("<h1>{}</h1>\n", esc(&title));
    let q = lang.query();
    match public::result(State(state.clone()), Path(poll.clone())).await {
        Ok(r) => {
            let r = r.0;
            let trustees = r.trustees.iter().map(u16::to_string).collect::<Vec<_>>().join(", ");
            let _ = writeln!(b, "<p>{}</p>", esc(&lang.f("results.intro", &[("trustees", &trustees)])));
            let t = &r.turnout;
            let _ = writeln!(
                b,
                "<p class=\"turnout\">{}</p>",
                esc(&lang.f(
                    "results.turnout",
                    &[
                        ("members", &t.members.to_string()),
                        ("credentials", &t.credentials.to_string()),
                        ("counted", &t.ballots_counted.to_string()),
                        ("cast", &t.ballots_cast.to_string()),
                        ("audited", &t.audited.to_string()),
                    ]
                ))
            );
            for c in &r.contests {
                if let Some(rules) = p.manifest.contests.iter().find(|x| x.contest_id == c.contest_id) {
                    b.push_str(&contest(&lang, rules, c));
                }
            }
            let _ = writeln!(
                b,
                "<h2>{}</h2>\n<p>{}</p>",
                esc(lang.t("results.check")),
                esc(lang.t("results.check_text"))
            );
            let _ = writeln!(
                b,
                "<ul class=\"plain-list\"><li><a href=\"{}/verify{q}\">{}</a></li><li><a href=\"/v1/polls/{}/record\" download>{}</a></li></ul>",
                esc(&poll_base(&poll)),
                esc(lang.t("poll.link_verify")),
                esc(&seg(&poll)),
                esc(lang.t("poll.link_record"))
            );
        }
        Err(e) if e.status() == StatusCode::NOT_FOUND => {
            let phase =
                state.shared.store.poll(&poll).await.ok().flatten().map(|r| r.phase).unwrap_or_default();
            let _ = writeln!(
                b,
                "<p>{}</p>\n<p>{}</p>",
                esc(lang.t("results.none")),
                esc(&lang.f("results.phase", &[("phase", phase_name(&lang, &phase))]))
            );
        }
        Err(e) => return error_page(lang, Some(&poll), &e),
    }
    let page = Page {
        lang,
        poll: Some(&poll),
        current: Current::Results,
        title: &title,
        body: b,
        script: None,
        data: None,
    };
    html(StatusCode::OK, page.render(), true)
}

/// One contest: the slate, the rules, the table of counts with bars, the ties.
fn contest(lang: &Lang, rules: &ContestRules, c: &ContestResultInfo) -> String {
    let mut b = format!(
        "<section class=\"contest\" aria-labelledby=\"contest-{id}\">\n<h2 id=\"contest-{id}\">{}</h2>\n",
        esc(&rules.title),
        id = c.contest_id
    );
    // The slate.
    let elected: Vec<_> = c.rows.iter().filter(|r| r.elected).collect();
    let _ = writeln!(
        b,
        "<h3>{}</h3>\n<ol class=\"slate\">",
        esc(&lang.count("results.slate", elected.len() as u64, &[]))
    );
    for r in &elected {
        let _ = writeln!(b, "<li>{}</li>", esc(&r.name));
    }
    b.push_str("</ol>\n");
    rules_and_moves(&mut b, lang, rules, c, &elected);
    ties(&mut b, lang, c);
    table(&mut b, lang, rules, c);
    b.push_str("</section>\n");
    b
}

/// The slate rules, and whether they changed the slate from the plain top
/// seats (who moved in and out, by which rule).
fn rules_and_moves(
    b: &mut String,
    lang: &Lang,
    rules: &ContestRules,
    c: &ContestResultInfo,
    elected: &[&ResultRow],
) {
    let seats = usize::from(rules.seats);
    let top: Vec<_> = c.rows.iter().take(seats).collect();
    let moved_in: Vec<&str> = elected
        .iter()
        .filter(|r| !top.iter().any(|t| t.candidate_id == r.candidate_id))
        .map(|r| r.name.as_str())
        .collect();
    let moved_out: Vec<&str> = top.iter().filter(|t| !t.elected).map(|t| t.name.as_str()).collect();
    if rules.slate_rules.is_empty() {
        let _ = writeln!(b, "<p>{}</p>", esc(&lang.count("results.no_rules", u64::from(rules.seats), &[])));
    } else {
        for r in &rules.slate_rules {
            let _ = writeln!(b, "<p>{}</p>", esc(&slate_rule(lang, r)));
        }
        if moved_in.is_empty() {
            let _ = writeln!(b, "<p>{}</p>", esc(lang.t("results.rules_no_change")));
        } else {
            let _ = writeln!(
                b,
                "<p class=\"notice\">{}</p>",
                esc(&lang.f(
                    "results.rules_changed",
                    &[("in", &moved_in.join(", ")), ("out", &moved_out.join(", "))]
                ))
            );
        }
        for m in &c.slate_moves {
            let name =
                c.rows.iter().find(|r| r.candidate_id == m.candidate_id).map_or("", |r| r.name.as_str());
            let rule = m
                .rule_indices
                .iter()
                .filter_map(|i| rules.slate_rules.get(usize::try_from(*i).unwrap_or(usize::MAX)))
                .map(|r| slate_rule(lang, r))
                .collect::<Vec<_>>()
                .join(" ");
            let key = if m.elected { "results.moved_in" } else { "results.moved_out" };
            let _ = writeln!(
                b,
                "<p>{}</p>",
                esc(&lang.f(key, &[("name", name), ("rank", &m.rank.to_string()), ("rule", &rule)]))
            );
        }
    }
}

/// The ties met in the ranking and how they were broken.
fn ties(b: &mut String, lang: &Lang, c: &ContestResultInfo) {
    if !c.ties.is_empty() {
        let _ = writeln!(
            b,
            "<h3>{}</h3>\n<p>{}</p>\n<ul>",
            esc(lang.t("results.ties")),
            esc(lang.t("results.tie_rule"))
        );
        for t in &c.ties {
            let names: Vec<&str> = t
                .candidates
                .iter()
                .filter_map(|id| c.rows.iter().find(|r| r.candidate_id == *id).map(|r| r.name.as_str()))
                .collect();
            let key = if t.decisive { "results.tie_decisive" } else { "results.tie" };
            let _ =
                writeln!(b, "<li>{}</li>", esc(&lang.count(key, t.count, &[("names", &names.join(", "))])));
        }
        b.push_str("</ul>\n");
    }
}

/// The table of counts, with CSS bars.
fn table(b: &mut String, lang: &Lang, rules: &ContestRules, c: &ContestResultInfo) {
    let max = c.rows.iter().map(|r| r.count).max().unwrap_or(0).max(1);
    let _ = writeln!(
        b,
        "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-labelledby=\"counts-{id}\">\n<table class=\"table results\">\n<caption id=\"counts-{id}\">{}</caption>\n<thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\" class=\"num\">{}</th><th scope=\"col\">{}</th></tr></thead>\n<tbody>",
        esc(&lang.f("results.caption", &[("contest", &rules.title)])),
        esc(lang.t("results.col_rank")),
        esc(lang.t("results.col_name")),
        esc(lang.t("results.col_count")),
        esc(lang.t("results.col_slate")),
        id = c.contest_id
    );
    for r in &c.rows {
        let pct = r.count.saturating_mul(100) / max;
        let slate = if r.elected { lang.t("results.on_slate") } else { "" };
        let class = if r.elected { " class=\"elected\"" } else { "" };
        let _ = writeln!(
            b,
            "<tr{class}><td>{}</td><th scope=\"row\">{}<span class=\"bar w-{pct}\" aria-hidden=\"true\"></span></th><td class=\"num\">{}</td><td>{}</td></tr>",
            r.rank,
            esc(&r.name),
            r.count,
            esc(slate)
        );
    }
    b.push_str("</tbody>\n</table>\n</div>\n");
}
