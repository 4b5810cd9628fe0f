//! `/p/{poll}/verify`: anyone checks the whole election record in the
//! page. The script downloads `/v1/polls/{poll}/record` and feeds it to the
//! record verifier (our Rust verifier in WebAssembly) in a Web Worker,
//! showing a progress bar and each numbered step with ✓ or ✗.

use std::fmt::Write as _;

use axum::http::StatusCode;
use axum::response::Response;

use super::{html, PollPage};
use crate::web::html::{esc, seg, Current, Page};

/// `GET /p/{poll}/verify`.
pub async fn page(PollPage { id: poll, lang, poll: p, .. }: PollPage) -> Response {
    let title = lang.f("verify.title", &[("poll", &p.manifest.title)]);
    let mut b = String::new();
    let _ = writeln!(
        b,
        "<h1>{}</h1>\n<p>{}</p>\n<p>{}</p>",
        esc(&title),
        esc(lang.t("verify.intro")),
        esc(lang.t("verify.offline"))
    );
    let _ = writeln!(
        b,
        "<pre class=\"command\"><code>shortlist verify --server URL --poll {}</code></pre>",
        esc(&poll)
    );
    let _ = writeln!(b, "<noscript><p class=\"notice\">{}</p></noscript>", esc(lang.t("verify.noscript")));
    let _ = writeln!(
        b,
        "<p><a href=\"/v1/polls/{}/record\" download>{}</a></p>",
        esc(&seg(&poll)),
        esc(lang.t("poll.link_record"))
    );
    let _ = writeln!(
        b,
        "<button type=\"button\" class=\"button js-only\" id=\"verify-start\" hidden>{}</button>\n\
         <div id=\"verify-progress\" hidden><label for=\"verify-bar\" id=\"verify-label\">{}</label>\
         <progress id=\"verify-bar\" max=\"100\" value=\"0\"></progress><p id=\"verify-status\" role=\"status\"></p></div>\n\
         <div id=\"verify-outcome\" tabindex=\"-1\"></div>\n<ol id=\"verify-steps\" class=\"steps\"></ol>",
        esc(lang.t("verify.start")),
        esc(lang.t("verify.progress"))
    );
    let data = serde_json::json!({ "poll": poll }).to_string();
    let page = Page {
        lang,
        poll: Some(&poll),
        current: Current::Verify,
        title: &title,
        body: b,
        script: Some("verify"),
        data: Some(data),
    };
    html(StatusCode::OK, page.render(), true)
}
