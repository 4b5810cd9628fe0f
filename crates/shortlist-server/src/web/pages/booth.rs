//! `/p/{poll}/booth#t=TOKEN&m=MANIFESTHASH`: the member's booth. The page
//! is a shell: the script loads the crypto core (WebAssembly), checks the
//! manifest hash from the link against the board before it encrypts
//! anything, makes the credential on the device, and casts in one step.
//! Sent `no-store`: nothing of a member's session is kept by caches.

use std::fmt::Write as _;

use axum::http::StatusCode;
use axum::response::Response;

use super::candidate::error_summary;
use super::{html, PollPage};
use crate::web::html::{esc, Current, Page};

/// `GET /p/{poll}/booth`.
pub async fn page(PollPage { id: poll, lang, poll: p, .. }: PollPage) -> Response {
    let title = lang.t("booth.title");
    let mut b = String::new();
    let _ = writeln!(
        b,
        "<span class=\"caption\">{}</span>\n<h1 id=\"booth-heading\">{}</h1>",
        esc(&p.manifest.title),
        esc(title)
    );
    let _ = writeln!(b, "<noscript><p class=\"notice\">{}</p></noscript>", esc(lang.t("booth.noscript")));
    b.push_str(&error_summary(&lang, &[]));
    let _ = writeln!(
        b,
        "<div id=\"booth\" aria-live=\"polite\"><p id=\"booth-loading\" class=\"js-only\">{}</p></div>",
        esc(lang.t("booth.loading"))
    );
    let data = serde_json::json!({ "poll": poll }).to_string();
    let page = Page {
        lang,
        poll: Some(&poll),
        current: Current::Other,
        title,
        body: b,
        script: Some("booth"),
        data: Some(data),
    };
    html(StatusCode::OK, page.render(), false)
}
