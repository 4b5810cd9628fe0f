//! Turnout over time as a chart: plain SVG drawn on the server (no script,
//! no chart library), with the same numbers in a table for screen readers
//! and anyone who prefers one. Two cumulative lines over the board's own
//! append times: credentials registered and ballots cast, under the roll's
//! size.

use std::fmt::Write as _;

use shortlist_board::entry::EntryKind;

use crate::api::public::Status;
use crate::state::{AppState, PollCtx};
use crate::web::html::esc;
use crate::web::i18n::Lang;
use crate::web::time;

/// How many intervals the time axis is cut into.
const BINS: usize = 24;
const W: u64 = 640;
const H: u64 = 280;
const LEFT: u64 = 56;
const RIGHT: u64 = 16;
const TOP: u64 = 16;
const BOTTOM: u64 = 60;

/// Cumulative counts at the end of each interval of `[start, end]`.
fn cumulative(times: &[u64], start: u64, end: u64) -> Vec<u64> {
    let span = end.saturating_sub(start).max(1);
    let mut out = Vec::with_capacity(BINS);
    let mut sorted = times.to_vec();
    sorted.sort_unstable();
    for i in 1..=BINS {
        let edge = start + span * i as u64 / BINS as u64;
        out.push(sorted.partition_point(|t| *t <= edge) as u64);
    }
    out
}

fn x(i: usize) -> u64 {
    LEFT + (W - LEFT - RIGHT) * i as u64 / BINS as u64
}

fn y(v: u64, max: u64) -> u64 {
    let plot = H - TOP - BOTTOM;
    TOP + plot - plot * v.min(max) / max.max(1)
}

fn polyline(values: &[u64], max: u64, class: &str) -> String {
    let mut pts = format!("{},{}", x(0), y(0, max));
    for (i, v) in values.iter().enumerate() {
        let _ = write!(pts, " {},{}", x(i + 1), y(*v, max));
    }
    format!("<polyline class=\"{class}\" fill=\"none\" stroke-width=\"3\" points=\"{pts}\"/>")
}

/// The turnout panel part: the chart, its legend and its table.
pub async fn turnout(state: &AppState, lang: &Lang, p: &PollCtx, s: &Status) -> String {
    let store = &state.shared.store;
    let credentials = store.entry_times(&p.id, EntryKind::Credential.code()).await.unwrap_or_default();
    let ballots = store.entry_times(&p.id, EntryKind::Ballot.code()).await.unwrap_or_default();
    let mut b = format!("<h3 id=\"turnout-title\">{}</h3>\n", esc(lang.t("console.turnout.title")));
    if credentials.is_empty() && ballots.is_empty() {
        let _ = writeln!(b, "<p id=\"turnout-none\">{}</p>", esc(lang.t("console.turnout.none")));
        return b;
    }
    // The timetable in force: an amendment may have moved voting's close.
    let t = state.timetable(p).await.unwrap_or(p.manifest.timetable);
    let zone = &p.manifest.calendar.zone;
    let first = credentials.iter().chain(&ballots).copied().min().unwrap_or(t.voting_open);
    let last = credentials.iter().chain(&ballots).copied().max().unwrap_or(t.voting_open);
    let start = first.min(t.voting_open);
    let end = s.now.min(t.voting_close).max(last).max(start + 60);
    let reg = cumulative(&credentials, start, end);
    let cast = cumulative(&ballots, start, end);
    let top = s.members.max(reg.last().copied().unwrap_or(0)).max(cast.last().copied().unwrap_or(0)).max(1);
    let desc = lang.f(
        "console.turnout.desc",
        &[
            ("registered", &credentials.len().to_string()),
            ("ballots", &ballots.len().to_string()),
            ("members", &s.members.to_string()),
            ("from", &shortlist_board::zone::show(start, zone)),
            ("to", &shortlist_board::zone::show(end, zone)),
        ],
    );
    let _ = writeln!(
        b,
        "<figure class=\"chart\">\n<svg class=\"chart-svg\" viewBox=\"0 0 {W} {H}\" role=\"img\" aria-labelledby=\"chart-title chart-desc\" focusable=\"false\">\n\
         <title id=\"chart-title\">{}</title>\n<desc id=\"chart-desc\">{}</desc>",
        esc(lang.t("console.turnout.title")),
        esc(&desc)
    );
    b.push_str(&axes(s.members, top, start, end, zone));
    b.push_str(&polyline(&reg, top, "chart-registered"));
    b.push_str(&polyline(&cast, top, "chart-ballots"));
    b.push_str("\n</svg>\n");
    let _ = writeln!(
        b,
        "<figcaption><ul class=\"legend\"><li><span class=\"swatch swatch-registered\" aria-hidden=\"true\"></span>{}</li>\
         <li><span class=\"swatch swatch-ballots\" aria-hidden=\"true\"></span>{}</li>\
         <li><span class=\"swatch swatch-roll\" aria-hidden=\"true\"></span>{}</li></ul></figcaption>\n</figure>",
        esc(lang.t("console.turnout.registered")),
        esc(lang.t("console.turnout.ballots")),
        esc(&lang.f("console.turnout.roll", &[("n", &s.members.to_string())]))
    );
    b.push_str(&table(lang, &p.manifest.calendar.zone, start, end, &reg, &cast));
    b
}

/// The chart's numbers as a table, one row per interval where anything changed.
fn table(lang: &Lang, zone: &str, start: u64, end: u64, reg: &[u64], cast: &[u64]) -> String {
    let mut b = format!(
        "<details class=\"chart-table\"><summary>{}</summary>\n<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-labelledby=\"turnout-caption\">\n\
         <table class=\"table\"><caption id=\"turnout-caption\">{}</caption>\n<thead><tr><th scope=\"col\">{}</th>\
         <th scope=\"col\" class=\"num\">{}</th><th scope=\"col\" class=\"num\">{}</th></tr></thead>\n<tbody>",
        esc(lang.t("console.turnout.as_table")),
        esc(lang.t("console.turnout.title")),
        esc(lang.t("console.turnout.col_time")),
        esc(lang.t("console.turnout.registered")),
        esc(lang.t("console.turnout.ballots"))
    );
    let span = end.saturating_sub(start).max(1);
    let mut before = (u64::MAX, u64::MAX);
    for (i, (r, c)) in reg.iter().zip(cast).enumerate() {
        if (*r, *c) == before {
            continue;
        }
        before = (*r, *c);
        let edge = start + span * (i as u64 + 1) / BINS as u64;
        let _ = writeln!(
            b,
            "<tr><th scope=\"row\">{}</th><td class=\"num\">{r}</td><td class=\"num\">{c}</td></tr>",
            time::element(edge, zone)
        );
    }
    b.push_str("</tbody></table>\n</div>\n</details>\n");
    b
}

/// The axes, the roll's size (dashed) and the labels of both axes: the
/// times in the poll's zone, date above time so that a phone's larger
/// labels (app.css) do not run into each other.
fn axes(members: u64, top: u64, start: u64, end: u64, zone: &str) -> String {
    let mut b = String::new();
    // Axes, the roll's size and the value ticks.
    let (x0, x1, y0) = (LEFT, W - RIGHT, H - BOTTOM);
    let _ = writeln!(b, "<line class=\"chart-axis\" x1=\"{x0}\" y1=\"{TOP}\" x2=\"{x0}\" y2=\"{y0}\"/>");
    let _ = writeln!(b, "<line class=\"chart-axis\" x1=\"{x0}\" y1=\"{y0}\" x2=\"{x1}\" y2=\"{y0}\"/>");
    if members > 0 {
        let ym = y(members, top);
        let _ = writeln!(
            b,
            "<line class=\"chart-roll\" x1=\"{x0}\" y1=\"{ym}\" x2=\"{x1}\" y2=\"{ym}\" stroke-dasharray=\"6 4\"/>"
        );
    }
    for v in [0, top / 2, top] {
        let _ = writeln!(
            b,
            "<text class=\"chart-label\" x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"14\">{v}</text>",
            x0 - 6,
            y(v, top) + 5
        );
    }
    for (at, anchor, tx) in [(start, "start", x0), (end, "end", x1)] {
        let shown = shortlist_board::zone::show(at, zone);
        let (date, clock) = shown.split_once(' ').unwrap_or((shown.as_str(), ""));
        let _ = writeln!(
            b,
            "<text class=\"chart-label\" y=\"{y0}\" text-anchor=\"{anchor}\" font-size=\"14\">\
             <tspan x=\"{tx}\" dy=\"1.3em\">{}</tspan><tspan x=\"{tx}\" dy=\"1.15em\">{}</tspan></text>",
            esc(date),
            esc(clock)
        );
    }
    b
}
