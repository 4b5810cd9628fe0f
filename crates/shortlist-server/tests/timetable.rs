//! Issue 10, "timetable in dates": a poll created with RFC 3339 dates in
//! Europe/Paris, its voting extended by a signed amendment, takes ballots
//! after the manifest's close and runs to a result that verifies; a forged
//! amendment fails V1.5. Amendments that break a rule are refused with their
//! codes and leave the board unchanged (spec: board §4.11, api §5).

mod common;

use common::*;
use serde_json::{json, Value};
use shortlist_board::amendment::Amendment;
use shortlist_board::board::BoardWriter;
use shortlist_board::entry::EntryKind;
use shortlist_board::record::{Frame, RecordWriter};
use shortlist_client::board::PollView;
use shortlist_client::{Api, ClientError, Method, Transport};
use shortlist_crypto::credential::CredentialSecret;
use shortlist_crypto::elgamal::Encrypter;
use shortlist_server::clock::ManualClock;

// T0 = 2030-03-17T17:46:40Z; Paris is at +01:00 then (summer time starts on 31 March).
const NOMINATIONS_CLOSE: &str = "2030-03-17T18:48:20+01:00"; // T0 + 100
const VOTING_OPEN: &str = "2030-03-17T17:50:00Z"; // T0 + 200
const VOTING_CLOSE: &str = "2030-03-17T18:51:40+01:00"; // T0 + 300
const EXTENDED: &str = "2030-03-17T18:53:20+01:00"; // T0 + 400

fn dated(poll: &str, people: &People, early_close: bool) -> Value {
    let mut m = manifest(poll, people);
    m["timetable"] = json!({
        "nominations_close": NOMINATIONS_CLOSE,
        "voting_open": VOTING_OPEN,
        "voting_close": VOTING_CLOSE,
        "time_zone": "Europe/Paris",
        "early_close": early_close,
    });
    m
}

fn refused(e: ClientError) -> (u16, String) {
    match e {
        ClientError::Server { status, code, .. } => (status, code),
        other => panic!("expected a refusal, got {other}"),
    }
}

async fn amend(api: &Api<InProcess>, deadline: &str, to: Value) -> Result<Value, ClientError> {
    api.post("/timetable", true, json!({ "deadline": deadline, "to": to })).await
}

async fn page(api: &Api<InProcess>, path: &str) -> String {
    let reply = api.transport().send(Method::Get, path, None, "text/html", Vec::new()).await.unwrap();
    assert_eq!(reply.status, 200, "{path}");
    String::from_utf8(reply.body).unwrap()
}

/// The record with its amendment replaced by one signed by another key,
/// the chain rebuilt and every checkpoint signed again by the server key:
/// only the amendment's own signature gives it away.
fn forge(record: &[u8], server: &CredentialSecret) -> Vec<u8> {
    let frames = shortlist_board::record::read_all(record).unwrap();
    let mut board = BoardWriter::new();
    let mut out = RecordWriter::new(Vec::new()).unwrap();
    for f in frames {
        match f {
            Frame::Entry(e) => {
                let mut payload = e.payload.clone();
                if e.kind == EntryKind::Amendment {
                    let a = Amendment::from_bytes(&e.payload).unwrap();
                    let forger = CredentialSecret::generate(&mut rand::rngs::OsRng);
                    let h = board.manifest_hash().unwrap();
                    payload = Amendment::sign(&forger, &h, a.deadline, a.from, a.to).to_bytes();
                }
                let rebuilt = board.append(e.kind, e.time, payload).unwrap();
                out.entry(&rebuilt).unwrap();
            }
            Frame::Checkpoint(c) => out.checkpoint(&board.checkpoint(server, c.time).unwrap()).unwrap(),
        }
    }
    out.finish().unwrap()
}

fn verify_bytes(bytes: &[u8]) -> shortlist_board::verify::Report {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("poll.record");
    std::fs::write(&path, bytes).unwrap();
    shortlist_board::verify::verify_path(&path, Vec::new(), None, None, |_| {}).unwrap()
}

async fn amended_poll_runs_to_a_verified_result(db: Db) {
    let clock = ManualClock::new(T0);
    let key = CredentialSecret::generate(&mut rand::rngs::OsRng);
    let server = Server::start(&db, clock.clone(), &key).await;
    let api = server.api("amended-2030");
    let people = People::new(5);
    let mut trustees = setup_with(&api, &people, &clock, dated("amended-2030", &people, false)).await;

    // The RFC 3339 dates are the manifest's Unix seconds; the zone is kept.
    let info = api.get("").await.unwrap();
    assert_eq!(
        info["timetable"],
        json!({ "nominations_close": T0 + 100, "voting_open": T0 + 200, "voting_close": T0 + 300 })
    );
    assert_eq!(info["time_zone"], "Europe/Paris");

    let tokens = roll(&api, 6).await;
    clock.set(T0 + 200);
    api.action("/voting/open").await.unwrap();
    let view = PollView::fetch(&api).await.unwrap();
    let enc = Encrypter::new(&view.context().unwrap().joint_key);
    for (i, token) in tokens.iter().enumerate().take(3) {
        vote(&api, &view, &enc, token, i).await;
    }

    // Before the manifest's close, voting is extended by 100 seconds.
    clock.set(T0 + 250);
    let out = amend(&api, "voting_close", json!(EXTENDED)).await.unwrap();
    assert_eq!(out["appended"]["entry"]["kind"], "amendment");
    assert_eq!(out["timetable"]["current"]["voting_close"], T0 + 400);
    assert_eq!(out["timetable"]["manifest"]["voting_close"], T0 + 300);
    assert_eq!(out["timetable"]["current_text"]["voting_close"], EXTENDED);
    assert_eq!(out["timetable"]["amendments"][0]["from"], T0 + 300);
    let index = out["appended"]["entry"]["index"].clone();
    // The same request again is the same entry.
    let again = amend(&api, "voting_close", json!(T0 + 400)).await.unwrap();
    assert_eq!(again["appended"]["repeat"], true);
    assert_eq!(again["appended"]["entry"]["index"], index);

    // After the manifest's close, ballots are still taken; voting cannot close yet.
    clock.set(T0 + 350);
    for (i, token) in tokens.iter().enumerate().skip(3) {
        vote(&api, &view, &enc, token, i).await;
    }
    assert_eq!(refused(api.action("/voting/close").await.unwrap_err()), (409, "timetable".into()));
    // The poll's page shows the amended close in the poll's zone.
    let html = page(&api, "/p/amended-2030").await;
    assert!(html.contains("2030-03-17 18:53 CET"), "the page shows the amended close");
    assert!(!html.contains("2030-03-17 18:51 CET"), "the page no longer shows the manifest's close");

    clock.set(T0 + 400);
    api.action("/voting/close").await.unwrap();
    api.action("/tally").await.unwrap();
    for t in trustees.iter_mut().take(3) {
        t.decrypt(&api).await.unwrap();
    }
    assert_eq!(api.get("/status").await.unwrap()["phase"], "done");
    // The result explains itself: turnout (member 3 audited once first).
    let result = api.get("/result").await.unwrap();
    assert_eq!(
        result["turnout"],
        json!({ "members": 6, "credentials": 6, "ballots_cast": 6, "ballots_counted": 6, "audited": 1 })
    );
    let contest = &result["contests"][0];
    for m in contest["slate_moves"].as_array().unwrap() {
        assert_eq!(m["rules"], json!(["at least 5 seats for gender = woman"]), "{m}");
    }
    let html = page(&api, "/p/amended-2030/results").await;
    assert!(html.contains("Turnout: 6 members on the roll, 6 registered to vote, 6 ballots counted"));

    // The record verifies, amendment included (V1.5), every ballot inside the amended window.
    let record = api.record().await.unwrap();
    let report = verify_bytes(&record);
    assert!(report.passed(), "verifier failed: {:?}", report.failed_steps());
    let v15 = report.steps.iter().find(|s| s.id == "V1.5").unwrap();
    assert_eq!((v15.checked, v15.failed), (1, 0));
    let turnout = &report.turnout;
    assert_eq!(
        (turnout.credentials, turnout.ballots_cast, turnout.ballots_counted, turnout.audited),
        (6, 6, 6, 1)
    );
    let text = report.to_string();
    assert!(text.contains("turnout: 6 credentials registered, 6 ballots cast, 6 counted"), "{text}");
    assert_eq!(
        report.result[0].notes,
        contest["notes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_str().unwrap().to_string())
            .collect::<Vec<_>>(),
        "the verifier explains the result as the server does"
    );

    // The same amendment signed by another key fails V1.5 and is not applied:
    // the ballots cast after the manifest's close then fail V4.4.
    let forged = verify_bytes(&forge(&record, &key));
    let failed = forged.failed_steps();
    assert!(failed.contains(&"V1.5"), "a forged amendment fails V1.5: {failed:?}");
    assert!(failed.contains(&"V4.4"), "the late ballots are outside the manifest's window: {failed:?}");
    server.app.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn amended_poll_runs_to_a_verified_result_on_sqlite() {
    amended_poll_runs_to_a_verified_result(Db::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn amended_poll_runs_to_a_verified_result_on_postgres() {
    if let Some(db) = Db::postgres().await {
        amended_poll_runs_to_a_verified_result(db).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn amendments_that_break_a_rule_are_refused_and_change_nothing() {
    let db = Db::sqlite();
    let clock = ManualClock::new(T0);
    let key = CredentialSecret::generate(&mut rand::rngs::OsRng);
    let server = Server::start(&db, clock.clone(), &key).await;
    let api = server.api("strict-2030");
    let people = People::new(3);
    api.create_poll(&dated("strict-2030", &people, false)).await.unwrap();
    let size = || async { api.get("/status").await.unwrap()["entries"].as_u64().unwrap() };
    let before = size().await;

    clock.set(T0 + 50);
    let cases: Vec<(&str, Value, (u16, &str))> = vec![
        // Earlier, which this manifest does not allow.
        ("nominations_close", json!(T0 + 80), (422, "invalid_amendment")),
        // Past voting opening: nominations close ≤ voting open < voting close.
        ("nominations_close", json!(T0 + 250), (422, "invalid_amendment")),
        ("voting_close", json!(T0 + 250), (422, "invalid_amendment")),
        ("voting_close", json!(VOTING_CLOSE), (422, "invalid_amendment")),
        ("voting_open", json!(T0 + 250), (400, "malformed")),
        ("voting_close", json!("next Tuesday"), (422, "invalid_time")),
        ("voting_close", json!("2030-03-17T19:00:00"), (422, "invalid_time")),
    ];
    for (deadline, to, (status, code)) in cases {
        let got = refused(amend(&api, deadline, to.clone()).await.unwrap_err());
        assert_eq!(got, (status, code.to_string()), "{deadline} → {to}");
    }
    // Not the organiser: no key, or another key.
    let anonymous = Api::new(InProcess(server.app.router.clone()), "strict-2030");
    let body = json!({ "deadline": "voting_close", "to": T0 + 500 });
    assert_eq!(refused(anonymous.post("/timetable", false, body.clone()).await.unwrap_err()).0, 401);
    let impostor = Api::new(InProcess(server.app.router.clone()), "strict-2030")
        .with_organiser_key("not-the-organiser-key-0000");
    assert_eq!(refused(impostor.post("/timetable", true, body).await.unwrap_err()).0, 401);
    assert_eq!(size().await, before, "no refusal appended anything");

    // After its deadline, a deadline cannot move.
    clock.set(T0 + 100);
    let got = refused(amend(&api, "nominations_close", json!(T0 + 150)).await.unwrap_err());
    assert_eq!(got, (409, "timetable".into()));
    amend(&api, "voting_close", json!(T0 + 500)).await.unwrap();
    clock.set(T0 + 500);
    let got = refused(amend(&api, "voting_close", json!(T0 + 600)).await.unwrap_err());
    assert_eq!(got, (409, "timetable".into()));
    assert_eq!(size().await, before + 1, "only the valid amendment was appended");
    let t = api.get("/timetable").await.unwrap();
    assert_eq!(t["amendments"].as_array().unwrap().len(), 1);
    assert_eq!(t["current"]["voting_close"], T0 + 500);
    server.app.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn early_close_when_the_manifest_allows_it() {
    let db = Db::sqlite();
    let clock = ManualClock::new(T0);
    let key = CredentialSecret::generate(&mut rand::rngs::OsRng);
    let server = Server::start(&db, clock.clone(), &key).await;
    let api = server.api("early-2030");
    let people = People::new(3);
    api.create_poll(&dated("early-2030", &people, true)).await.unwrap();
    api.enter_candidate(1, "Ada", "", &[("gender", "woman")]).await.unwrap();
    clock.set(T0 + 50);
    // Not into the past.
    let got = refused(amend(&api, "nominations_close", json!(T0 + 40)).await.unwrap_err());
    assert_eq!(got, (422, "invalid_amendment".into()));
    assert_eq!(refused(api.action("/nominations/close").await.unwrap_err()), (409, "timetable".into()));
    amend(&api, "nominations_close", json!(T0 + 60)).await.unwrap();
    clock.set(T0 + 60);
    // Nominations close 40 seconds before the manifest said.
    api.action("/nominations/close").await.unwrap();
    let t = api.get("/timetable").await.unwrap();
    assert_eq!(t["early_close"], true);
    assert_eq!(t["current_text"]["nominations_close"], "2030-03-17T18:47:40+01:00");
    server.app.finish().await;
}
