//! `/p/{poll}/board`: the live board. The server renders the latest
//! checkpoint and the newest entries; the script then follows the board's
//! live stream and adds each entry as it is appended.

use std::fmt::Write as _;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::{error_page, html, PollPage};
use crate::api::public::{self, Range};
use crate::api::EntryInfo;
use crate::error::{Path, Query};
use crate::state::AppState;
use crate::web::html::{esc, seg, Current, Page};
use crate::web::i18n::Lang;
use crate::web::time;

/// How many entries the page shows before its script streams more.
const SHOWN: u64 = 50;

/// `GET /p/{poll}/board`.
pub async fn page(
    State(state): State<AppState>,
    PollPage { id: poll, lang, poll: p, .. }: PollPage,
) -> Response {
    let size = match state.shared.store.board_size(&poll).await {
        Ok(s) => s,
        Err(e) => return error_page(lang, Some(&poll), &e.into()),
    };
    let range = Range { from: Some(size.saturating_sub(SHOWN)), to: Some(size) };
    let entries = match public::entries(State(state.clone()), Path(poll.clone()), Query(range)).await {
        Ok(e) => e.0,
        Err(e) => return error_page(lang, Some(&poll), &e),
    };
    let checkpoint =
        public::latest_checkpoint(State(state.clone()), Path(poll.clone())).await.ok().map(|c| c.0);

    let title = lang.f("board.title", &[("poll", &p.manifest.title)]);
    let mut b = format!("<h1>{}</h1>\n<p>{}</p>\n", esc(&title), esc(lang.t("board.intro")));
    let _ = writeln!(b, "<h2>{}</h2>", esc(lang.t("board.checkpoint")));
    b.push_str("<dl class=\"summary-list\" id=\"checkpoint\">\n");
    match &checkpoint {
        Some(c) => {
            let rows = [
                ("board.cp_size", esc(&c.size.to_string())),
                ("board.cp_time", time::element(c.time, &p.manifest.calendar.zone)),
                ("board.cp_head", format!("<code class=\"hash\">{}</code>", esc(&c.head))),
                ("board.cp_root", format!("<code class=\"hash\">{}</code>", esc(&c.root))),
            ];
            for (key, v) in rows {
                let _ =
                    writeln!(b, "<div><dt>{}</dt><dd data-field=\"{key}\">{v}</dd></div>", esc(lang.t(key)));
            }
        }
        None => {
            let _ = writeln!(
                b,
                "<div><dt>{}</dt><dd>{}</dd></div>",
                esc(lang.t("board.cp_size")),
                esc(lang.t("board.none"))
            );
        }
    }
    b.push_str("</dl>\n");
    let _ = writeln!(
        b,
        "<h2>{}</h2>\n<p id=\"board-live\" class=\"live-status\" role=\"status\">{}</p>",
        esc(lang.t("board.entries")),
        esc(&lang.count("board.count", size, &[]))
    );
    b.push_str("<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-labelledby=\"board-caption\">\n<table class=\"table\" id=\"entries\">\n");
    let _ = writeln!(
        b,
        "<caption id=\"board-caption\">{}</caption>\n<thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead>\n<tbody>",
        esc(lang.t("board.caption")),
        esc(lang.t("board.col_index")),
        esc(lang.t("board.col_kind")),
        esc(lang.t("board.col_time")),
        esc(lang.t("board.col_hash")),
    );
    for e in entries.iter().rev() {
        b.push_str(&row(&lang, e, &p.manifest.calendar.zone));
    }
    b.push_str("</tbody>\n</table>\n</div>\n");
    if size > SHOWN {
        let _ = writeln!(
            b,
            "<p class=\"hint\">{}</p>",
            esc(&lang.f("board.older", &[("n", &SHOWN.to_string())]))
        );
    }
    let _ = writeln!(
        b,
        "<p><a href=\"/v1/polls/{}/record\" download>{}</a></p>",
        esc(&seg(&poll)),
        esc(lang.t("poll.link_record"))
    );
    let data = serde_json::json!({ "poll": poll, "next": size, "shown": SHOWN }).to_string();
    let page = Page {
        lang,
        poll: Some(&poll),
        current: Current::Board,
        title: &title,
        body: b,
        script: Some("board"),
        data: Some(data),
    };
    html(StatusCode::OK, page.render(), true)
}

/// One entry as a table row, newest first.
fn row(lang: &Lang, e: &EntryInfo, zone: &str) -> String {
    let kind_key = format!("kind.{}", e.kind);
    let kind = match lang.t(&kind_key) {
        "" => e.kind.as_str(),
        k => k,
    };
    format!(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td><code class=\"hash\">{}</code></td></tr>\n",
        e.index,
        esc(kind),
        time::element(e.time, zone),
        esc(e.hash.get(..16).unwrap_or(&e.hash))
    )
}
