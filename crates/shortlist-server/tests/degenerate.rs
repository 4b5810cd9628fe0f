//! Issue 16, defects 4 and 5: degenerate manifests (spec: board §4.1 V1.3
//! items 7–13) and control characters in names and text (board §2.1) are
//! refused at the server with their code, and nothing is stored.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use common::*;
use rand::rngs::OsRng;
use serde_json::{json, Value};
use shortlist_client::{Api, ClientError};
use shortlist_crypto::credential::CredentialSecret;
use shortlist_server::clock::ManualClock;

const POLL: &str = "degenerate";

fn expect_refused<T: std::fmt::Debug>(what: &str, r: shortlist_client::Result<T>, status: u16, code: &str) {
    match r {
        Err(ClientError::Server { status: s, code: c, message }) => {
            assert_eq!((s, c.as_str()), (status, code), "{what}: {message}");
        }
        other => panic!("{what}: expected {status} {code}, got {other:?}"),
    }
}

/// The list of polls.
async fn polls(api: &Api<InProcess>) -> Value {
    use shortlist_client::{Method, Transport};
    let reply =
        api.transport().send(Method::Get, "/v1/polls", None, "application/json", Vec::new()).await.unwrap();
    assert_eq!(reply.status, 200);
    serde_json::from_slice(&reply.body).unwrap()
}

/// Every way the issue found (and a few more) to make a manifest degenerate.
fn degenerate(people: &People, server_key: &[u8; 32]) -> Vec<(&'static str, Value)> {
    let good = manifest(POLL, people);
    let with = |f: &dyn Fn(&mut Value)| {
        let mut m = good.clone();
        f(&mut m);
        m
    };
    let k0 = good["trustees"][0]["key"].clone();
    vec![
        ("the same trustee key twice", with(&|m| m["trustees"][1]["key"] = k0.clone())),
        (
            "the same key for every trustee",
            with(&|m| {
                for t in m["trustees"].as_array_mut().unwrap() {
                    t["key"] = k0.clone();
                }
            }),
        ),
        (
            "a trustee key that is the server's",
            with(&|m| m["trustees"][2]["key"] = json!(hex::encode(server_key))),
        ),
        ("max_selections = 0", with(&|m| m["contests"][0]["max_selections"] = json!(0))),
        ("max_selections above any contest", with(&|m| m["contests"][0]["max_selections"] = json!(5000))),
        ("seats above any contest", with(&|m| m["contests"][0]["seats"] = json!(5000))),
        ("contest_id = 0", with(&|m| m["contests"][0]["contest_id"] = json!(0))),
        ("an empty title", with(&|m| m["title"] = json!(""))),
        ("an 800 kB title", with(&|m| m["title"] = json!("x".repeat(800_000)))),
        ("a 201-byte contest title", with(&|m| m["contests"][0]["title"] = json!("x".repeat(201)))),
        ("an empty trustee name", with(&|m| m["trustees"][0]["name"] = json!(""))),
        ("voting closing after year 9999", with(&|m| m["timetable"]["voting_close"] = json!(u64::MAX))),
        ("poll id `..`", with(&|m| m["poll_id"] = json!(".."))),
        ("poll id `a/b`", with(&|m| m["poll_id"] = json!("a/b"))),
        ("poll id `-rf`", with(&|m| m["poll_id"] = json!("-rf"))),
        ("poll id with a percent sign", with(&|m| m["poll_id"] = json!("a%2fb"))),
        ("threshold 0", with(&|m| m["threshold"] = json!(0))),
        ("threshold above n", with(&|m| m["threshold"] = json!(6))),
        (
            "a slate rule reserving no seat",
            with(&|m| m["contests"][0]["slate_rules"][0]["min_seats"] = json!(0)),
        ),
        (
            "a repeated slate rule",
            with(&|m| {
                let r = m["contests"][0]["slate_rules"][0].clone();
                m["contests"][0]["slate_rules"].as_array_mut().unwrap().push(r);
            }),
        ),
        ("NUL in the title", with(&|m| m["title"] = json!("Members\u{0}"))),
        ("a newline in a contest title", with(&|m| m["contests"][0]["title"] = json!("Short\nlist"))),
        ("a bidi override in a trustee name", with(&|m| m["trustees"][0]["name"] = json!("Ann \u{202E}eve"))),
        (
            "an escape in a slate rule value",
            with(&|m| m["contests"][0]["slate_rules"][0]["value"] = json!("wo\u{1b}[2Jman")),
        ),
    ]
}

// Defect 4 (and 5 for the manifest's text): 422 `invalid_manifest`, no poll.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn degenerate_manifests_are_422_invalid_manifest() {
    let db = Db::sqlite();
    let clock = ManualClock::new(T0);
    let key = CredentialSecret::generate(&mut OsRng);
    let server = Server::start(&db, clock, &key).await;
    let api = server.api(POLL);
    let people = People::new(5);
    for (what, m) in degenerate(&people, &server.server_key) {
        let poll = m["poll_id"].as_str().unwrap().to_string();
        let r =
            Api::new(api.transport().clone(), poll).with_organiser_key(ORGANISER_KEY).create_poll(&m).await;
        expect_refused(what, r, 422, "invalid_manifest");
        assert_eq!(polls(&api).await, json!([]), "{what}: a poll was stored");
    }
    // The same manifest, made good, is accepted; NFD text is stored as NFC.
    let mut good = manifest(POLL, &people);
    good["title"] = json!("  Zoe\u{308}'s poll ");
    api.create_poll(&good).await.unwrap();
    let info = api.get("").await.unwrap();
    assert_eq!(info["title"], "Zoë's poll");
    server.app.finish().await;
}

// Defect 5: control characters in candidates, expressions of interest and
// the roll are refused; the board and the roll are unchanged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_characters_are_refused() {
    let db = Db::sqlite();
    let clock = ManualClock::new(T0);
    let key = CredentialSecret::generate(&mut OsRng);
    let server = Server::start(&db, clock, &key).await;
    let api = server.api(POLL);
    let people = People::new(5);
    api.create_poll(&manifest(POLL, &people)).await.unwrap();
    api.action("/nominations/open").await.unwrap();
    let entries = || async { api.get("/status").await.unwrap()["entries"].clone() };
    let before = entries().await;

    let bad_names =
        ["Ann\0", "Ann\nBob", "Ann\tBob", "Ann\u{7f}", "An\u{85}n", "Ann \u{202E}nnA", "\u{2066}x", ""];
    for name in bad_names {
        let r = api.enter_candidate(1, name, "", &[]).await;
        expect_refused(&format!("candidate name {name:?}"), r, 422, "invalid_candidate");
    }
    for statement in ["I will\0 serve", "line\u{2028}separator", "bell\u{7}"] {
        let r = api.enter_candidate(1, "Ann", statement, &[]).await;
        expect_refused(&format!("statement {statement:?}"), r, 422, "invalid_candidate");
    }
    for (k, v) in [("gen\0der", "woman"), ("gender", "wo\0man"), ("", "x")] {
        let r = api.enter_candidate(1, "Ann", "", &[(k, v)]).await;
        expect_refused(&format!("attribute {k:?}={v:?}"), r, 422, "invalid_candidate");
    }
    let tokens = api.post("/candidate-tokens", true, json!({ "labels": ["ann"] })).await.unwrap();
    let token = tokens[0]["token"].as_str().unwrap();
    for candidate in [
        json!({ "contest_id": 1, "name": "Ann\u{0}" }),
        json!({ "contest_id": 1, "name": "Ann", "statement": "hi\u{1b}[31m" }),
        json!({ "contest_id": 1, "name": "Ann", "attributes": { "gender": "wo\u{0}man" } }),
    ] {
        let r = api
            .post("/expressions-of-interest", false, json!({ "token": token, "candidate": candidate }))
            .await;
        expect_refused("expression of interest", r, 422, "invalid_candidate");
    }
    assert_eq!(api.get_org("/nominations").await.unwrap(), json!([]), "no nomination was stored");
    for csv in [
        "member_id,name,email\nm\u{0}1,Ann,a@example.org\n",
        "member_id,name,email\nm1,An\u{0}n,a@example.org\n",
        "member_id,name,email\nm1,Ann,a@exa\u{7}mple.org\n",
        "member_id,name,email\nm1,\u{202E}nnA,a@example.org\n",
        "member_id,name,email\nm1,\"Ann\nBob\",a@example.org\n",
    ] {
        expect_refused(&format!("roll {csv:?}"), api.import_roll(csv).await, 400, "malformed");
    }
    assert_eq!(api.get("/status").await.unwrap()["members"], 0, "no member was imported");
    assert_eq!(entries().await, before, "the board changed");

    // Good text is accepted, normalised: NFC, trimmed, CR LF as LF.
    let ok =
        api.enter_candidate(1, " Zoe\u{308} ", "line one\r\nline two", &[("gender", "woman")]).await.unwrap();
    let payload = hex::decode(ok["entry"]["payload"].as_str().unwrap()).unwrap();
    let reg = shortlist_board::definition::CandidateRegistration::from_bytes(&payload).unwrap();
    assert_eq!((reg.candidate.name.as_str(), reg.statement.as_str()), ("Zoë", "line one\nline two"));
    api.import_roll("member_id,name,email\nm1,Zoe\u{308},z@example.org\n").await.unwrap();
    server.app.finish().await;
}
