//! The result as a step of the lifecycle (issue 12; spec: api §5 "Tally"):
//! the sequencer appends it after the t-th decryption share; when that
//! attempt fails the share is still answered and kept, and the result is
//! retried until it is on the board; two instances on one database never
//! post two results.

mod common;

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use common::*;
use shortlist_board::entry::EntryKind;
use shortlist_client::board::PollView;
use shortlist_client::trustee::{Decryption, Trustee};
use shortlist_crypto::credential::CredentialSecret;
use shortlist_crypto::elgamal::Encrypter;
use shortlist_server::clock::ManualClock;
use shortlist_server::finish::finish_pending;

/// A poll with a few ballots, tallied: the trustees' shares prepared
/// (threshold 3 of 5), none posted.
async fn tallied(poll: &str, server: &Server, clock: &ManualClock) -> Vec<Decryption> {
    let api = server.api(poll);
    let people = People::new(5);
    let mut trustees: Vec<Trustee> = setup(&api, &people, clock).await;
    let tokens = roll(&api, 4).await;
    clock.set(T0 + 200);
    api.action("/voting/open").await.unwrap();
    let view = Arc::new(PollView::fetch(&api).await.unwrap());
    let enc = Encrypter::new(&view.context().unwrap().joint_key);
    for (i, token) in tokens.iter().enumerate() {
        vote(&api, &view, &enc, token, i).await;
    }
    clock.set(T0 + 300);
    api.action("/voting/close").await.unwrap();
    api.action("/tally").await.unwrap();
    let mut out = Vec::new();
    for t in trustees.iter_mut().take(4) {
        out.push(t.prepare_decryption(&api).await.unwrap());
    }
    out
}

async fn results_on_board(server: &Server, poll: &str) -> u64 {
    let counts = server.app.state.shared.store.kind_counts(poll).await.unwrap();
    counts.iter().find(|(k, _)| *k == EntryKind::Result.code()).map_or(0, |(_, n)| *n)
}

async fn wait_done(server: &Server, poll: &str) -> String {
    let api = server.api(poll);
    let mut phase = String::new();
    // The retry task runs every 5 s (finish::RETRY).
    for _ in 0..150 {
        phase = api.get("/status").await.unwrap()["phase"].as_str().unwrap().to_string();
        if phase == "done" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    phase
}

/// The first attempt at the result (after the t-th share) fails: the share
/// is answered and on the board, and the retry posts the result.
async fn a_failed_result_is_retried(db: Db) {
    let poll = "result-retried";
    let clock = ManualClock::new(T0);
    let key = CredentialSecret::generate(&mut rand::rngs::OsRng);
    let server = Server::start(&db, clock.clone(), &key).await;
    let api = server.api(poll);
    let shares = tallied(poll, &server, &clock).await;
    server.app.state.shared.result_faults.store(1, Ordering::SeqCst);
    for d in shares.iter().take(3) {
        let answer = api.trustee_message("decryption", &d.message).await.unwrap();
        assert_eq!(answer["repeat"], false, "each share is appended: {answer}");
    }
    assert_eq!(server.app.state.shared.result_faults.load(Ordering::SeqCst), 0, "the first attempt failed");
    assert_eq!(wait_done(&server, poll).await, "done", "the failed result was never retried");
    assert_eq!(results_on_board(&server, poll).await, 1);
    assert!(api.get("/result").await.is_ok());
    let report = verify_record(&api, Vec::new()).await;
    assert!(report.passed(), "verifier failed: {:?}", report.failed_steps());
    server.app.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_failed_result_is_retried_on_sqlite() {
    a_failed_result_is_retried(Db::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_failed_result_is_retried_on_postgres() {
    if let Some(db) = Db::postgres().await {
        a_failed_result_is_retried(db).await;
    }
}

/// Two instances on one database: the t-th and a further share reach
/// them at once, both first attempts fail, and both instances' retries
/// race; one result is posted, once.
async fn two_instances_post_one_result(db: Db) {
    let poll = "one-result";
    let clock = ManualClock::new(T0);
    let key = CredentialSecret::generate(&mut rand::rngs::OsRng);
    let a = Server::start(&db, clock.clone(), &key).await;
    let b = Server::start(&db, clock.clone(), &key).await;
    let shares = tallied(poll, &a, &clock).await;
    for s in [&a, &b] {
        s.app.state.shared.result_faults.store(1, Ordering::SeqCst);
    }
    for (d, s) in shares.iter().take(2).zip([&a, &b]) {
        s.api(poll).trustee_message("decryption", &d.message).await.unwrap();
    }
    let (api_a, api_b) = (a.api(poll), b.api(poll));
    let (x, y) = tokio::join!(
        api_a.trustee_message("decryption", &shares[2].message),
        api_b.trustee_message("decryption", &shares[3].message),
    );
    // The first to commit is the t-th; the other is appended too or, if it
    // came after the result, refused `wrong_phase`.
    let codes: Vec<Option<String>> =
        [x, y].into_iter().map(|r| r.err().and_then(|e| e.code().map(str::to_string))).collect();
    assert!(codes.iter().filter(|c| c.is_some()).all(|c| c.as_deref() == Some("wrong_phase")), "{codes:?}");
    assert!(codes.iter().any(Option::is_none), "the t-th share is appended: {codes:?}");
    let (pa, pb) = tokio::join!(finish_pending(&a.app.state), finish_pending(&b.app.state));
    assert!(pa.unwrap() + pb.unwrap() <= 1, "two instances posted a result each");
    assert_eq!(wait_done(&a, poll).await, "done");
    // Later retries find nothing due.
    assert_eq!(finish_pending(&b.app.state).await.unwrap(), 0);
    assert_eq!(results_on_board(&a, poll).await, 1, "one result on the board");
    let report = verify_record(&b.api(poll), Vec::new()).await;
    assert!(report.passed(), "verifier failed: {:?}", report.failed_steps());
    a.app.finish().await;
    b.app.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_post_one_result_on_sqlite() {
    two_instances_post_one_result(Db::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_post_one_result_on_postgres() {
    if let Some(db) = Db::postgres().await {
        two_instances_post_one_result(db).await;
    }
}
