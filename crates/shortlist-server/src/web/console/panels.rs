//! The console's panels, each a `<section>` with its heading: HTML from
//! the same facts the `/v1` routes return.

use std::fmt::Write as _;

use shortlist_board::entry::EntryKind;
use shortlist_board::payload::TrusteeMessage;

use super::csrf_field;
use super::links::do_path;
use crate::api::organiser::NominationInfo;
use crate::api::public::Status;
use crate::api::result::ResultInfo;
use crate::error::AppError;
use crate::state::{AppState, PollCtx};
use crate::web::html::{esc, poll_base, summary_rows};
use crate::web::i18n::Lang;
use crate::web::pages::phase_name;

/// The panels, in page order: id and heading key.
const PANELS: &[(&str, &str)] = &[
    ("status", "console.status.title"),
    ("phases", "console.phases.title"),
    ("timetable", "console.timetable.title"),
    ("nominations", "console.nominations.title"),
    ("roll", "console.roll.title"),
    ("tokens", "console.tokens.title"),
    ("trustees", "console.trustees.title"),
    ("result", "console.result.title"),
];

/// Opens panel `id`: its `<section>` and heading.
pub(super) fn open(b: &mut String, lang: &Lang, id: &str) {
    let key = PANELS.iter().find(|(p, _)| *p == id).map_or("", |(_, k)| k);
    let _ = writeln!(
        b,
        "<section class=\"console-panel\" id=\"{id}\" aria-labelledby=\"{id}-title\">\n<h2 id=\"{id}-title\">{}</h2>",
        esc(lang.t(key))
    );
}

/// The links to each panel.
pub fn contents(lang: &Lang) -> String {
    let mut b = format!("<nav class=\"contents\" aria-label=\"{}\"><ul>", esc(lang.t("console.contents")));
    for (id, key) in PANELS {
        let _ = write!(b, "<li><a href=\"#{id}\">{}</a></li>", esc(lang.t(key)));
    }
    b.push_str("</ul></nav>\n");
    b
}

/// Where the poll stands: the counts.
pub fn status(lang: &Lang, s: &Status) -> String {
    let mut b = String::new();
    open(&mut b, lang, "status");
    let ballots = s.by_kind.get("ballot").copied().unwrap_or(0);
    let candidates = s.by_kind.get("candidate").copied().unwrap_or(0);
    b.push_str("<dl class=\"summary-list\">\n");
    let rows = [
        ("console.status.phase", phase_name(lang, &s.phase).to_string()),
        ("console.status.candidates", candidates.to_string()),
        ("console.status.pending", s.nominations_pending.to_string()),
        ("poll.members", s.members.to_string()),
        ("console.status.issued", s.tokens_issued.to_string()),
        ("poll.registered", s.tokens_redeemed.to_string()),
        ("poll.ballots", ballots.to_string()),
        ("poll.entries", s.entries.to_string()),
    ];
    b.push_str(&summary_rows(*lang, &rows));
    b.push_str("</dl>\n");
    b
}

/// The phase steps, in order, with the phase each is taken from.
pub const STEPS: &[(&str, &[&str])] = &[
    ("nominations-open", &["setup"]),
    ("nominations-close", &["setup", "nominations"]),
    ("voting-open", &["defined"]),
    ("voting-close", &["voting"]),
    ("tally", &["closed"]),
];

const ORDER: &[&str] = &["setup", "nominations", "defined", "voting", "closed", "tallying", "done"];

/// The phase buttons: each step done, available now (a button to its
/// confirmation page, with the date it waits for in the poll's zone) or later.
pub fn phases(lang: &Lang, p: &PollCtx, phase: &str, t: &shortlist_board::manifest::Timetable) -> String {
    let poll = p.id.as_str();
    let mut b = String::new();
    open(&mut b, lang, "phases");
    let _ = writeln!(b, "<p>{}</p>\n<ol class=\"steps console-steps\">", esc(lang.t("console.phases.intro")));
    let at = ORDER.iter().position(|p| *p == phase).unwrap_or(0);
    for (action, from) in STEPS {
        let last_from = from.iter().filter_map(|f| ORDER.iter().position(|p| p == f)).max().unwrap_or(0);
        let label = esc(lang.t(&format!("console.action.{action}")));
        let when = match *action {
            "nominations-close" => t.nominations_close,
            "voting-open" => t.voting_open,
            _ => t.voting_close,
        };
        let when = shortlist_board::zone::show(when, &p.manifest.calendar.zone);
        let hint = esc(&lang.f(&format!("console.step.{action}"), &[("at", &when)]));
        if from.contains(&phase) {
            let _ = writeln!(
                b,
                "<li class=\"step-now\"><a class=\"button\" href=\"{}/confirm/{action}{}\">{label}</a><span class=\"step-detail\">{hint}</span></li>",
                esc(&super::console_path(poll)),
                lang.query()
            );
        } else if at > last_from {
            let _ = writeln!(
                b,
                "<li class=\"step-ok\"><span class=\"mark\" aria-hidden=\"true\">✓</span>{label} <span class=\"visually-hidden\">{}</span></li>",
                esc(lang.t("console.step_done"))
            );
        } else {
            let _ = writeln!(
                b,
                "<li class=\"step-later\"><span class=\"mark\" aria-hidden=\"true\">·</span>{label} <span class=\"hint\">({})</span></li>",
                esc(lang.t("console.step_later"))
            );
        }
    }
    b.push_str("</ol>\n</section>\n");
    b
}

/// The expressions of interest, with approve and reject buttons for the pending ones.
pub fn nominations(lang: &Lang, poll: &str, csrf: &str, phase: &str, list: &[NominationInfo]) -> String {
    let mut b = String::new();
    open(&mut b, lang, "nominations");
    if list.is_empty() {
        let _ = writeln!(b, "<p>{}</p>\n</section>", esc(lang.t("console.nominations.none")));
        return b;
    }
    let open_phase = matches!(phase, "setup" | "nominations");
    b.push_str("<ul class=\"candidates nominations\">\n");
    for n in list {
        let status_key = match n.status.as_str() {
            "approved" => "console.nominations.approved",
            "rejected" => "console.nominations.rejected",
            _ => "console.nominations.pending",
        };
        let _ = write!(
            b,
            "<li class=\"candidate\" data-nomination=\"{}\"><h3>{}</h3><p><span class=\"tag tag-{}\">{}</span> <span class=\"hint\">{}</span></p>",
            esc(&n.id),
            esc(&n.candidate.name),
            esc(&n.status),
            esc(lang.t(status_key)),
            esc(&lang.f("console.nominations.id", &[("id", n.id.get(..8).unwrap_or(&n.id))]))
        );
        if !n.candidate.attributes.is_empty() {
            b.push_str("<ul class=\"attributes\">");
            for (k, v) in &n.candidate.attributes {
                let _ = write!(b, "<li>{}: {}</li>", esc(k), esc(v));
            }
            b.push_str("</ul>");
        }
        b.push_str(&crate::web::pages::paragraphs(&n.candidate.statement));
        if n.status == "pending" && open_phase {
            for (action, class) in [("approve", "button"), ("reject", "button button-secondary")] {
                let _ = write!(
                    b,
                    "<form method=\"post\" action=\"{}\" class=\"inline-form\">{}<input type=\"hidden\" name=\"id\" value=\"{}\">\
                     <button type=\"submit\" class=\"{class}\" aria-label=\"{}\">{}</button></form>",
                    esc(&do_path(lang, poll, action)),
                    csrf_field(csrf),
                    esc(&n.id),
                    esc(&lang.f(&format!("console.nominations.{action}_label"), &[("name", &n.candidate.name)])),
                    esc(lang.t(&format!("console.nominations.{action}")))
                );
            }
        }
        b.push_str("</li>\n");
    }
    b.push_str("</ul>\n</section>\n");
    b
}

/// The roll: its counts and the upload form.
pub fn roll(lang: &Lang, poll: &str, csrf: &str, s: &Status) -> String {
    let mut b = String::new();
    open(&mut b, lang, "roll");
    let _ = writeln!(b, "<p>{}</p>", esc(&lang.f("console.roll.count", &[("n", &s.members.to_string())])));
    if matches!(s.phase.as_str(), "closed" | "tallying" | "done") {
        let _ = writeln!(b, "<p>{}</p>\n</section>", esc(lang.t("console.roll.closed")));
        return b;
    }
    let _ = writeln!(
        b,
        "<form method=\"post\" action=\"{}\" id=\"roll-form\">{}\n\
         <div class=\"field\" id=\"roll-file-field\" hidden><label for=\"roll-file\">{}</label>\
         <p class=\"hint\" id=\"roll-file-hint\">{}</p>\
         <input type=\"file\" id=\"roll-file\" accept=\".csv,text/csv\" aria-describedby=\"roll-file-hint\"></div>\n\
         <div class=\"field\"><label for=\"roll-csv\">{}</label><p class=\"hint\" id=\"roll-csv-hint\">{}</p>\
         <textarea class=\"input\" id=\"roll-csv\" name=\"roll\" rows=\"6\" spellcheck=\"false\" aria-describedby=\"roll-csv-hint\"></textarea></div>\n\
         <button type=\"submit\" class=\"button\">{}</button>\n</form>",
        esc(&do_path(lang, poll, "roll")),
        csrf_field(csrf),
        esc(lang.t("console.roll.file")),
        esc(lang.t("console.roll.file_hint")),
        esc(lang.t("console.roll.csv")),
        esc(lang.t("console.roll.csv_hint")),
        esc(lang.t("console.roll.button"))
    );
    b.push_str("</section>\n");
    b
}

/// Tokens: the export and how far sending has got.
pub fn tokens(lang: &Lang, poll: &str, csrf: &str, s: &Status) -> String {
    let mut b = String::new();
    open(&mut b, lang, "tokens");
    let waiting = s.members.saturating_sub(s.tokens_issued);
    let _ = writeln!(
        b,
        "<dl class=\"summary-list\"><div><dt>{}</dt><dd>{}</dd></div><div><dt>{}</dt><dd>{}</dd></div><div><dt>{}</dt><dd>{}</dd></div></dl>",
        esc(lang.t("console.tokens.issued")),
        s.tokens_issued,
        esc(lang.t("console.tokens.waiting")),
        waiting,
        esc(lang.t("console.tokens.redeemed")),
        s.tokens_redeemed
    );
    let _ = writeln!(b, "<p>{}</p>", esc(lang.t("console.tokens.intro")));
    if waiting > 0 && !matches!(s.phase.as_str(), "closed" | "tallying" | "done") {
        let _ = writeln!(
            b,
            "<form method=\"post\" action=\"{}\" id=\"tokens-form\">{}<button type=\"submit\" class=\"button\">{}</button></form>",
            esc(&do_path(lang, poll, "tokens")),
            csrf_field(csrf),
            esc(&lang.f("console.tokens.button", &[("n", &waiting.to_string())]))
        );
    }
    b
}

/// The end of the tokens panel: sending by e-mail (spec: api §4.2) — the
/// queue's counts, the members not delivered with the reason, and the
/// buttons to send and to resend the failures; or, on a server without
/// `[mail]`, that it sends no e-mail.
pub async fn sending(
    state: &AppState,
    lang: &Lang,
    poll: &str,
    csrf: &str,
    s: &Status,
) -> Result<String, AppError> {
    let mut b = format!("<h3>{}</h3>\n", esc(lang.t("console.tokens.sending")));
    if state.shared.mail.get().is_none() {
        let _ = writeln!(
            b,
            "<p class=\"notice\" id=\"sending\">{}</p>\n</section>",
            esc(lang.t("console.tokens.no_email"))
        );
        return Ok(b);
    }
    let store = &state.shared.store;
    let c = store.mail_counts(poll).await?;
    b.push_str("<div id=\"sending\">\n<dl class=\"summary-list\">\n");
    b.push_str(&summary_rows(
        *lang,
        &[
            ("console.mail.queued", c.queued.to_string()),
            ("console.mail.sending", c.sending.to_string()),
            ("console.mail.sent", c.sent.to_string()),
            ("console.mail.failed", c.failed.to_string()),
        ],
    ));
    b.push_str("</dl>\n");
    let _ = writeln!(b, "<p class=\"hint\">{}</p>", esc(lang.t("console.mail.hint")));
    let open = !matches!(s.phase.as_str(), "closed" | "tallying" | "done");
    if open {
        let _ = writeln!(
            b,
            "<form method=\"post\" action=\"{}\" id=\"mail-send-form\">{}<button type=\"submit\" class=\"button\">{}</button></form>",
            esc(&do_path(lang, poll, "mail-send")),
            csrf_field(csrf),
            esc(lang.t("console.mail.send"))
        );
    }
    b.push_str(&problems(state, lang, poll).await?);
    if open && c.failed > 0 {
        let _ = writeln!(
            b,
            "<form method=\"post\" action=\"{}\" id=\"mail-resend-form\">{}<button type=\"submit\" class=\"button button-secondary\">{}</button></form>",
            esc(&do_path(lang, poll, "mail-resend-failed")),
            csrf_field(csrf),
            esc(&lang.count("console.mail.resend_failed", c.failed, &[]))
        );
    }
    b.push_str("</div>\n</section>\n");
    Ok(b)
}

/// The members whose token message failed or is being retried, with the
/// reason (at most 50 of each).
async fn problems(state: &AppState, lang: &Lang, poll: &str) -> Result<String, AppError> {
    let store = &state.shared.store;
    let failed = store.mail_rows(poll, Some("failed"), 50).await?;
    let waiting = store.mail_rows(poll, Some("queued"), 50).await?;
    let troubled: Vec<_> = failed.iter().chain(waiting.iter().filter(|r| r.error.is_some())).collect();
    let mut b = String::new();
    if troubled.is_empty() {
        return Ok(b);
    }
    let _ = writeln!(
        b,
        "<h4>{}</h4>\n<ul class=\"plain-list\" id=\"mail-problems\">",
        esc(lang.t("console.mail.problems"))
    );
    for r in troubled {
        let key = if r.state == "failed" { "console.mail.row_failed" } else { "console.mail.row_retrying" };
        let text = lang.f(key, &[("member", &r.member_id), ("reason", r.error.as_deref().unwrap_or(""))]);
        let _ = writeln!(b, "<li>{}</li>", esc(&text));
    }
    b.push_str("</ul>\n");
    Ok(b)
}

/// Per trustee (manifest order): commitments, shares sent, complaints and
/// decryption shares on the board.
async fn trustee_counts(state: &AppState, p: &PollCtx) -> Result<Vec<[u64; 4]>, AppError> {
    let store = &state.shared.store;
    let mut counts = vec![[0u64; 4]; p.manifest.trustees.len()];
    let kinds = [
        EntryKind::CeremonyCommitment,
        EntryKind::CeremonyShare,
        EntryKind::CeremonyComplaint,
        EntryKind::DecryptionShare,
    ];
    for (col, kind) in kinds.iter().enumerate() {
        let mut from = 0;
        loop {
            let rows = store.entries_of_kind(&p.id, kind.code(), from, 1000).await?;
            let Some(end) = rows.last().map(|r| r.index + 1) else { break };
            for row in rows {
                let msg = TrusteeMessage::from_bytes(&row.payload)?;
                let i = usize::from(msg.trustee).wrapping_sub(1);
                if let Some(c) = counts.get_mut(i).and_then(|c| c.get_mut(col)) {
                    *c += 1;
                }
            }
            from = end;
        }
    }
    Ok(counts)
}

/// Each trustee's progress in the ceremony and the tally, from the board.
pub async fn trustees(state: &AppState, lang: &Lang, p: &PollCtx) -> Result<String, AppError> {
    let n = p.manifest.trustees.len();
    let counts = trustee_counts(state, p).await?;
    let mut b = String::new();
    open(&mut b, lang, "trustees");
    let _ = writeln!(
        b,
        "<p>{}</p>",
        esc(&lang.f(
            "console.trustees.intro",
            &[("threshold", &p.manifest.threshold.to_string()), ("n", &n.to_string())]
        ))
    );
    let _ = writeln!(
        b,
        "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-labelledby=\"trustees-caption\">\n<table class=\"table table-stack\" role=\"table\">\n\
         <caption id=\"trustees-caption\">{}</caption>\n<thead role=\"rowgroup\"><tr role=\"row\"><th scope=\"col\" role=\"columnheader\">{}</th><th scope=\"col\" role=\"columnheader\">{}</th>\
         <th scope=\"col\" class=\"num\" role=\"columnheader\">{}</th><th scope=\"col\" class=\"num\" role=\"columnheader\">{}</th><th scope=\"col\" role=\"columnheader\">{}</th></tr></thead>\n<tbody role=\"rowgroup\">",
        esc(lang.t("console.trustees.caption")),
        esc(lang.t("console.trustees.col_name")),
        esc(lang.t("console.trustees.col_committed")),
        esc(lang.t("console.trustees.col_shares")),
        esc(lang.t("console.trustees.col_complaints")),
        esc(lang.t("console.trustees.col_decrypted"))
    );
    let others = n.saturating_sub(1);
    let yes = lang.t("console.yes");
    let no = lang.t("console.no");
    for (t, c) in p.manifest.trustees.iter().zip(&counts) {
        let _ = writeln!(
            b,
            "<tr role=\"row\"><th scope=\"row\" role=\"rowheader\">{}</th><td role=\"cell\" data-label=\"{c1}\">{}</td>\
             <td class=\"num\" role=\"cell\" data-label=\"{c2}\">{}</td><td class=\"num\" role=\"cell\" data-label=\"{c3}\">{}</td>\
             <td role=\"cell\" data-label=\"{c4}\">{}</td></tr>",
            esc(&t.name),
            esc(if c[0] > 0 { yes } else { no }),
            esc(&lang.f("console.trustees.shares", &[("sent", &c[1].to_string()), ("of", &others.to_string())])),
            c[2],
            esc(if c[3] > 0 { yes } else { no }),
            c1 = esc(lang.t("console.trustees.col_committed")),
            c2 = esc(lang.t("console.trustees.col_shares")),
            c3 = esc(lang.t("console.trustees.col_complaints")),
            c4 = esc(lang.t("console.trustees.col_decrypted")),
        );
    }
    b.push_str("</tbody>\n</table>\n</div>\n");
    let key = if p.group.is_some() || p.phase != "setup" && p.phase != "nominations" && p.phase != "defined" {
        "console.trustees.key_ready"
    } else {
        "console.trustees.key_pending"
    };
    let _ = writeln!(b, "<p class=\"hint\">{}</p>\n</section>", esc(lang.t(key)));
    Ok(b)
}

/// The result once posted: the slate of each contest and its counts.
pub fn result(lang: &Lang, p: &PollCtx, r: Option<&ResultInfo>) -> String {
    let mut b = String::new();
    open(&mut b, lang, "result");
    let Some(r) = r else {
        let _ = writeln!(b, "<p>{}</p>\n</section>", esc(lang.t("results.none")));
        return b;
    };
    for c in &r.contests {
        let title =
            p.manifest.contests.iter().find(|x| x.contest_id == c.contest_id).map_or("", |x| &x.title);
        let _ = writeln!(
            b,
            "<h3>{}</h3>\n<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-labelledby=\"result-{id}\">\n<table class=\"table\">\
             <caption id=\"result-{id}\">{}</caption>\n<thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\" class=\"num\">{}</th><th scope=\"col\">{}</th></tr></thead>\n<tbody>",
            esc(title),
            esc(&lang.f("results.caption", &[("contest", title)])),
            esc(lang.t("results.col_rank")),
            esc(lang.t("results.col_name")),
            esc(lang.t("results.col_count")),
            esc(lang.t("results.col_slate")),
            id = c.contest_id
        );
        for row in &c.rows {
            let _ = writeln!(
                b,
                "<tr><td>{}</td><th scope=\"row\">{}</th><td class=\"num\">{}</td><td>{}</td></tr>",
                row.rank,
                esc(&row.name),
                row.count,
                esc(if row.elected { lang.t("results.on_slate") } else { "" })
            );
        }
        b.push_str("</tbody>\n</table>\n</div>\n");
    }
    let _ = writeln!(
        b,
        "<p><a href=\"{}/results{}\">{}</a></p>\n</section>",
        esc(&poll_base(&p.id)),
        lang.query(),
        esc(lang.t("console.result.link"))
    );
    b
}
