//! Recovery after a crash (issue 16, defects 2 and 3): a poll left with `t`
//! decryption shares and no result is finished from the board when the
//! server starts again; tokens whose answer was lost are re-issued.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use shortlist_board::entry::EntryKind;
use shortlist_client::board::PollView;
use shortlist_client::member::Member;
use shortlist_client::{ClientError, Transport};
use shortlist_crypto::credential::CredentialSecret;
use shortlist_crypto::elgamal::Encrypter;
use shortlist_server::clock::ManualClock;
use shortlist_server::sequencer::{phase, Op};

/// The server commits the t-th share and dies before posting the result
/// (simulated: the shares go through the sequencer, as the handler does,
/// and the handler's next step never runs). A fresh server on the same
/// database finishes the tally by itself; the record verifies.
async fn result_after_crash(db: Db) {
    let clock = ManualClock::new(T0);
    let key = CredentialSecret::generate(&mut rand::rngs::OsRng);
    let server = Server::start(&db, clock.clone(), &key).await;
    let api = server.api("crash-tally");
    let people = People::new(5);
    let mut trustees = setup(&api, &people, &clock).await;
    let tokens = roll(&api, 6).await;
    clock.set(T0 + 200);
    api.action("/voting/open").await.unwrap();
    let view = Arc::new(PollView::fetch(&api).await.unwrap());
    let enc = Encrypter::new(&view.context().unwrap().joint_key);
    let mut saved = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        saved.push(vote(&api, &view, &enc, token, i).await.receipt.checkpoint);
    }
    clock.set(T0 + 300);
    api.action("/voting/close").await.unwrap();
    api.action("/tally").await.unwrap();
    for (t, index) in trustees.iter_mut().take(3).zip(1u16..) {
        let d = t.prepare_decryption(&api).await.unwrap();
        let op = Op::Trustee {
            kind: EntryKind::DecryptionShare,
            trustee: index,
            recipient: 0,
            payload: d.message.clone(),
            phases: &[phase::TALLYING],
        };
        server.app.state.sequencer.submit("crash-tally", op).await.unwrap();
    }
    server.app.finish().await;

    // The restart: the result appears without any trustee doing anything.
    let server = Server::start(&db, clock.clone(), &key).await;
    let api = server.api("crash-tally");
    let mut phase_now = String::new();
    for _ in 0..100 {
        phase_now = api.get("/status").await.unwrap()["phase"].as_str().unwrap().to_string();
        if phase_now == "done" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(phase_now, "done", "the poll is left in tallying after a restart");
    assert!(api.get("/result").await.is_ok());
    let report = verify_record(&api, saved).await;
    assert!(report.passed(), "verifier failed: {:?}", report.failed_steps());
    server.app.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn result_after_crash_on_sqlite() {
    result_after_crash(Db::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn result_after_crash_on_postgres() {
    if let Some(db) = Db::postgres().await {
        result_after_crash(db).await;
    }
}

fn tokens_of(csv: &str) -> Vec<(String, String)> {
    csv.lines()
        .skip(1)
        .map(|l| l.split(',').collect::<Vec<_>>())
        .map(|r| (r[0].into(), r[3].into()))
        .collect()
}

/// The answer to `…/tokens` is lost after the commit: `?reissue=unredeemed`
/// gives those members new tokens that work, and the old ones stop working;
/// a redeemed token is never replaced.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn lost_tokens_are_reissued() {
    let db = Db::sqlite();
    let clock = ManualClock::new(T0);
    let key = CredentialSecret::generate(&mut rand::rngs::OsRng);
    let server = Server::start(&db, clock.clone(), &key).await;
    let api = server.api("lost-tokens");
    let people = People::new(5);
    setup(&api, &people, &clock).await;
    let lost = roll(&api, 3).await; // the organiser never sees this answer
    assert!(tokens_of(&api.issue_tokens().await.unwrap()).is_empty(), "tokens are not issued twice");

    let reissue = || async {
        let reply = api
            .transport()
            .send(
                shortlist_client::Method::Post,
                "/v1/polls/lost-tokens/tokens?reissue=unredeemed",
                Some(ORGANISER_KEY),
                "application/json",
                Vec::new(),
            )
            .await
            .unwrap();
        assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
        tokens_of(&String::from_utf8(reply.body).unwrap())
    };
    let fresh = reissue().await;
    assert_eq!(fresh.len(), 3, "every unredeemed member gets a new token");
    // A member added after the lost answer gets one too.
    api.import_roll("member_id,name\nm00003,Late\n").await.unwrap();
    let fresh = reissue().await;
    assert_eq!(fresh.len(), 4, "members without a token are included");
    assert!(fresh.iter().all(|(_, t)| !lost.contains(t)));

    clock.set(T0 + 200);
    api.action("/voting/open").await.unwrap();
    let old = Member::new().register(&api, &lost[0]).await;
    assert!(
        matches!(&old, Err(ClientError::Server { code, .. }) if code == "invalid_token"),
        "a replaced token is refused: {old:?}"
    );
    Member::new().register(&api, &fresh[0].1).await.unwrap();
    // A second re-issue leaves the redeemed member alone.
    let again = reissue().await;
    assert_eq!(again.iter().map(|(m, _)| m.as_str()).collect::<Vec<_>>(), ["m00001", "m00002", "m00003"]);
    Member::new().register(&api, &again[1].1).await.unwrap();
    let stale = Member::new().register(&api, &fresh[1].1).await;
    assert!(stale.is_err(), "the first re-issue's token was replaced by the second");
    server.app.finish().await;
}
