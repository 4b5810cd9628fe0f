//! Issue 10, "nominations that can be worked through": listed by arrival
//! with the label the token was issued to, the time and the statement;
//! approved or rejected by a short id; each candidate can ask where theirs
//! stands with their own token (spec: api §7.1, §7.2).

mod common;

use common::*;
use serde_json::json;
use shortlist_client::ClientError;
use shortlist_crypto::credential::CredentialSecret;
use shortlist_server::clock::ManualClock;

fn code(e: ClientError) -> (u16, String) {
    match e {
        ClientError::Server { status, code, .. } => (status, code),
        other => panic!("expected a refusal, got {other}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nominations_by_arrival_with_labels_short_ids_and_candidate_status() {
    let db = Db::sqlite();
    let clock = ManualClock::new(T0);
    let key = CredentialSecret::generate(&mut rand::rngs::OsRng);
    let server = Server::start(&db, clock.clone(), &key).await;
    let api = server.api("noms-2030");
    let people = People::new(3);
    api.create_poll(&manifest("noms-2030", &people)).await.unwrap();
    api.action("/nominations/open").await.unwrap();
    let labels = ["ada@example.org", "grace@example.org", "alan@example.org"];
    let issued = api.post("/candidate-tokens", true, json!({ "labels": labels })).await.unwrap();
    let token = |i: usize| issued[i]["token"].as_str().unwrap().to_string();
    // They arrive in the order Grace, Alan, Ada.
    for (i, name, at) in [(1, "Grace", 10), (2, "Alan", 20), (0, "Ada", 30)] {
        clock.set(T0 + at);
        let body = json!({ "token": token(i), "candidate": {
            "contest_id": 1, "name": name, "statement": format!("{name} will serve."),
            "attributes": { "gender": if name == "Alan" { "man" } else { "woman" } } } });
        api.post("/expressions-of-interest", false, body).await.unwrap();
    }
    let list = api.get_org("/nominations").await.unwrap();
    let list = list.as_array().unwrap();
    let names: Vec<_> = list.iter().map(|n| n["candidate"]["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Grace", "Alan", "Ada"], "by arrival");
    let labels_seen: Vec<_> = list.iter().map(|n| n["label"].as_str().unwrap()).collect();
    assert_eq!(labels_seen, ["grace@example.org", "alan@example.org", "ada@example.org"]);
    assert_eq!(list[0]["submitted_at"], T0 + 10);
    assert_eq!(list[0]["submitted_text"], "2030-03-17T17:46:50Z");
    assert_eq!(list[1]["candidate"]["statement"], "Alan will serve.");
    for n in list {
        let short = n["short_id"].as_str().unwrap();
        assert_eq!(short.len(), 8);
        assert!(n["id"].as_str().unwrap().starts_with(short));
    }
    // A candidate sees their own status, with their token only.
    let status =
        api.post("/expressions-of-interest/status", false, json!({ "token": token(0) })).await.unwrap();
    assert_eq!((status["name"].as_str(), status["status"].as_str()), (Some("Ada"), Some("pending")));
    let e = api.post("/expressions-of-interest/status", false, json!({ "token": "not-a-token" })).await;
    assert_eq!(code(e.unwrap_err()), (403, "invalid_token".into()));

    // The organiser works through them by short id.
    let short = |i: usize| list[i]["short_id"].as_str().unwrap().to_string();
    let approved = api.action(&format!("/nominations/{}/approve", short(0))).await.unwrap();
    assert_eq!(approved["entry"]["kind"], "candidate");
    api.action(&format!("/nominations/{}/reject", short(1).to_uppercase())).await.unwrap();
    assert_eq!(
        code(api.action(&format!("/nominations/{}/reject", short(1))).await.unwrap_err()),
        (409, "not_pending".into())
    );
    assert_eq!(code(api.action("/nominations/00000000/approve").await.unwrap_err()).0, 404);
    assert_eq!(code(api.action("/nominations/abc/approve").await.unwrap_err()).0, 400);
    let grace =
        api.post("/expressions-of-interest/status", false, json!({ "token": token(1) })).await.unwrap();
    assert_eq!((grace["status"].as_str(), grace["candidate_id"].as_u64()), (Some("approved"), Some(1)));
    let alan =
        api.post("/expressions-of-interest/status", false, json!({ "token": token(2) })).await.unwrap();
    assert_eq!(alan["status"], "rejected");
    let issued_only =
        api.post("/candidate-tokens", true, json!({ "labels": ["late@example.org"] })).await.unwrap();
    let e = api
        .post("/expressions-of-interest/status", false, json!({ "token": issued_only[0]["token"] }))
        .await
        .unwrap_err();
    assert_eq!(code(e), (404, "not_found".into()));
    server.app.finish().await;
}

#[test]
fn short_ids_grow_until_they_tell_ids_apart() {
    let mut a = [0u8; 32];
    let mut b = [0u8; 32];
    a[5] = 1;
    b[5] = 2;
    let c = [0xffu8; 32];
    let s = shortlist_server::api::organiser::short_ids(&[a, b, c]);
    assert_eq!(s, ["000000000001", "000000000002", "ffffffffffff"]);
    assert_eq!(shortlist_server::api::organiser::short_ids(&[c]), ["ffffffff"]);
}
