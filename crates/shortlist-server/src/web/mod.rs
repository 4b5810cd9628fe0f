//! The web pages (issue 13): the public poll, live board, results and
//! verification pages, the candidate's form and the member's booth, served
//! beside `/v1` from assets embedded from the repository's `web/` folder.
//!
//! Every response of this router carries a strict Content-Security-Policy
//! (no inline script or style, nothing from another origin), `nosniff` and
//! `Referrer-Policy: no-referrer`, so that a booth or candidate link's
//! fragment, which holds a token, never leaks. Strings come from one
//! catalogue per language (`web/i18n/`); pages are rendered on the server
//! and work before their script, which only enhances them, except where the
//! crypto must run on the member's device (booth, verifier).

pub mod assets;
pub mod console;
pub mod html;
pub mod i18n;
pub mod pages;
pub mod time;

use axum::extract::Request;
use axum::http::header::{self, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;
use axum::Router;

use crate::state::AppState;

/// The Content-Security-Policy of every page and asset.
pub const CSP: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
     img-src 'self'; connect-src 'self'; worker-src 'self'; manifest-src 'self'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

/// The pages and assets.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(pages::home))
        .route("/p/{poll}", get(pages::poll::page))
        .route("/p/{poll}/board", get(pages::board::page))
        .route("/p/{poll}/results", get(pages::results::page))
        .route("/p/{poll}/candidate", get(pages::candidate::page).post(pages::candidate::post))
        .route("/p/{poll}/booth", get(pages::booth::page))
        .route("/p/{poll}/verify", get(pages::verify::page))
        .route("/assets/{*path}", get(assets::serve))
        .merge(console::routes())
        // Pages and assets go gzipped to browsers that take it: the booth's
        // WebAssembly is 781 kB, 302 kB gzipped, on a member's phone.
        .layer(tower_http::compression::CompressionLayer::new().gzip(true))
        .layer(middleware::from_fn(security_headers))
}

/// Adds the security headers to a response of the web router.
async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    h.insert("permissions-policy", HeaderValue::from_static("camera=(), microphone=(), geolocation=()"));
    res
}
