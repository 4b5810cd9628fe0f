//! The web pages through the router (issue 13): security headers on every
//! page and asset, content types, ETag revalidation, the language switch,
//! escaping, and each page's content through a poll's phases. Browser
//! tests (Chromium) are in the workspace's `tests/browser.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, missing_docs)]

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use common::{Db, People, Server, T0};
use http_body_util::BodyExt;
use shortlist_crypto::credential::CredentialSecret;
use shortlist_server::clock::ManualClock;
use tower::ServiceExt;

struct Got {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
}

async fn get(router: &Router, path: &str, extra: &[(&str, &str)]) -> Got {
    let mut req = Request::builder().uri(path);
    for (k, v) in extra {
        req = req.header(*k, *v);
    }
    let res = router.clone().oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    Got { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
}

fn assert_secure(g: &Got, path: &str) {
    let csp = g.headers.get(header::CONTENT_SECURITY_POLICY).expect(path).to_str().unwrap();
    assert!(csp.contains("default-src 'none'"), "{path}: {csp}");
    assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval';"), "{path}: {csp}");
    assert!(!csp.contains("unsafe-inline"), "{path}");
    assert_eq!(g.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{path}");
    assert_eq!(g.headers[header::REFERRER_POLICY], "no-referrer", "{path}");
}

#[tokio::test]
async fn pages_and_assets_are_served_safely_in_each_language() {
    let db = Db::sqlite();
    let clock = ManualClock::new(T0);
    let server = Server::start(&db, clock.clone(), &CredentialSecret::generate(&mut rand::rngs::OsRng)).await;
    let people = People::new(5);
    let api = server.api("web-test");
    let mut manifest = common::manifest("web-test", &people);
    manifest["title"] = "Shortlist <b>&amp; \"quotes\"</b>".into();
    api.create_poll(&manifest).await.unwrap();
    api.action("/nominations/open").await.unwrap();
    let r = &server.app.router;

    // Every page: 200, HTML, headers, escaped title, no inline script or style.
    for path in [
        "/p/web-test",
        "/p/web-test/board",
        "/p/web-test/results",
        "/p/web-test/candidate",
        "/p/web-test/booth",
        "/p/web-test/verify",
        "/",
    ] {
        let g = get(r, path, &[]).await;
        assert_eq!(g.status, StatusCode::OK, "{path}: {}", g.body);
        assert_secure(&g, path);
        assert!(g.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/html"), "{path}");
        assert!(g.body.starts_with("<!doctype html>"), "{path}");
        assert!(g.body.contains("<html lang=\"en\">"), "{path}");
        assert!(!g.body.contains("<b>&amp;"), "{path}: the title is escaped");
        assert!(!g.body.contains(" style="), "{path}: no inline style");
        for script in g.body.split("<script").skip(1) {
            let open = script.split('>').next().unwrap();
            assert!(
                open.contains("src=") || open.contains("application/json"),
                "{path}: inline script {open}"
            );
        }
        assert!(g.body.contains("class=\"skip-link\" href=\"#main\""), "{path}");
    }
    let booth = get(r, "/p/web-test/booth", &[]).await;
    assert_eq!(booth.headers[header::CACHE_CONTROL], "no-store");

    // The poll page: title, phase, countdown, timetable, turnout, rules.
    let page = get(r, "/p/web-test", &[]).await.body;
    assert!(page.contains("Shortlist &lt;b&gt;&amp;amp; &quot;quotes&quot;&lt;/b&gt;"));
    assert!(page.contains("Nominations are open"));
    assert!(page.contains("Nominations close in 1 minute, 40 seconds."));
    assert!(page.contains("at least 5 seats go to candidates whose gender is “woman”"));
    assert!(page.contains("Members choose up to 9 candidates."));

    // Language: the query wins over Accept-Language; unknown falls back to English.
    let fr = get(r, "/p/web-test", &[("accept-language", "fr-FR,fr;q=0.9,en;q=0.5")]).await.body;
    assert!(fr.contains("<html lang=\"fr\">") && fr.contains("Les candidatures sont ouvertes"));
    let en = get(r, "/p/web-test?lang=en", &[("accept-language", "fr")]).await.body;
    assert!(en.contains("<html lang=\"en\">") && en.contains("href=\"/p/web-test/board?lang=en\""));
    let xx = get(r, "/p/web-test?lang=xx", &[]).await.body;
    assert!(xx.contains("<html lang=\"en\">"));

    // Results before the result: a plain statement, not an error.
    let res = get(r, "/p/web-test/results", &[]).await;
    assert!(res.body.contains("There are no results yet."));

    // Unknown poll: 404 page, still with the headers.
    let missing = get(r, "/p/nope", &[]).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_secure(&missing, "/p/nope");
    assert!(missing.body.contains("Poll not found"));

    // Assets: type, ETag, 304, 404; the API keeps its own JSON.
    let css = get(r, "/assets/app.css", &[]).await;
    assert_eq!(css.status, StatusCode::OK);
    assert_secure(&css, "/assets/app.css");
    assert_eq!(css.headers[header::CONTENT_TYPE], "text/css; charset=utf-8");
    let etag = css.headers[header::ETAG].to_str().unwrap().to_string();
    let again = get(r, "/assets/app.css", &[("if-none-match", &etag)]).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    let js = get(r, "/assets/js/common.js", &[]).await;
    assert_eq!(js.headers[header::CONTENT_TYPE], "text/javascript; charset=utf-8");
    assert_eq!(get(r, "/assets/none.js", &[]).await.status, StatusCode::NOT_FOUND);
    assert_eq!(get(r, "/assets/../Cargo.toml", &[]).await.status, StatusCode::NOT_FOUND);
    let v1 = get(r, "/v1/polls/web-test", &[]).await;
    assert!(v1.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("application/json"));
    assert_eq!(shortlist_server::web::assets::content_type("x/shortlist_wasm_bg.wasm"), "application/wasm");
    // The candidate form without the script: posted as a plain form.
    let tokens = api.post("/candidate-tokens", true, serde_json::json!({ "labels": ["x"] })).await.unwrap();
    let token = tokens[0]["token"].as_str().unwrap().to_string();
    let bad = post_form(r, "/p/web-test/candidate", "token=123&name=&statement=").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_secure(&bad, "POST /p/web-test/candidate");
    assert!(bad.body.contains("<title>There is a problem: Stand as a candidate"));
    assert!(bad.body.contains("<li><a href=\"#token\">Your candidate token should be 32 letters"));
    assert!(bad.body.contains("<li><a href=\"#name\">Enter your name</a></li>"));
    assert!(bad.body.contains("id=\"token\" name=\"token\" value=\"123\""), "answers kept");
    let unknown =
        post_form(r, "/p/web-test/candidate", &format!("token={}&name=Ada&contest=1", "f".repeat(32))).await;
    assert!(unknown.body.contains("We do not recognise this candidate token"));
    let good = post_form(
        r,
        "/p/web-test/candidate",
        &format!("token={token}&contest=1&name=Ada+Okafor&statement=Housing.&attr-0=woman"),
    )
    .await;
    assert_eq!(good.status, StatusCode::OK, "{}", good.body);
    assert!(good.body.contains("We have your expression of interest"));
    let noms = api.get_org("/nominations").await.unwrap();
    assert_eq!(noms[0]["candidate"]["name"], "Ada Okafor");
    assert_eq!(noms[0]["candidate"]["attributes"]["gender"], "woman");
    server.app.finish().await;
}

async fn post_form(router: &Router, path: &str, body: &str) -> Got {
    let req = Request::builder()
        .method("POST")
        .uri(path)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body.to_string()))
        .unwrap();
    let res = router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    Got { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
}

#[tokio::test]
async fn the_webassembly_goes_gzipped_to_browsers_that_take_it() {
    let db = Db::sqlite();
    let server =
        Server::start(&db, ManualClock::new(T0), &CredentialSecret::generate(&mut rand::rngs::OsRng)).await;
    let r = &server.app.router;
    let path = "/assets/pkg/shortlist_wasm_bg.wasm";
    let req =
        Request::builder().uri(path).header(header::ACCEPT_ENCODING, "gzip").body(Body::empty()).unwrap();
    let res = r.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::CONTENT_ENCODING], "gzip");
    assert_eq!(res.headers()[header::CONTENT_TYPE], "application/wasm");
    let zipped = res.into_body().collect().await.unwrap().to_bytes();
    let plain =
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../web/pkg/shortlist_wasm_bg.wasm")).unwrap();
    assert!(zipped.len() < plain.len() / 2, "{} gzipped bytes of {}", zipped.len(), plain.len());
    // Without Accept-Encoding: the bytes as they are.
    let res = r.clone().oneshot(Request::builder().uri(path).body(Body::empty()).unwrap()).await.unwrap();
    assert!(res.headers().get(header::CONTENT_ENCODING).is_none());
    assert_eq!(res.into_body().collect().await.unwrap().to_bytes().len(), plain.len());
    server.app.finish().await;
}
