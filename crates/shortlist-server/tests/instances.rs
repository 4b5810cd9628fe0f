//! Several server instances on one database, and restarts (issue 5): two
//! instances taking casts at once produce one chain that verifies with every
//! receipt on it; a server restarted on the same database carries on, and
//! every receipt issued before the restart is on the board.

mod common;

use std::sync::Arc;

use common::*;
use shortlist_client::board::PollView;
use shortlist_crypto::credential::CredentialSecret;
use shortlist_crypto::elgamal::Encrypter;
use shortlist_server::clock::ManualClock;

const POLL: &str = "two-instances";

/// Casts with `tokens` spread over `servers`, all at once.
async fn cast_all(
    servers: &[&Server],
    view: &Arc<PollView>,
    tokens: Vec<String>,
    offset: usize,
) -> Vec<Voted> {
    let enc = Arc::new(Encrypter::new(&view.context().expect("open").joint_key));
    let mut tasks = tokio::task::JoinSet::new();
    for (i, token) in tokens.into_iter().enumerate() {
        let api = servers[i % servers.len()].api(POLL);
        let (view, enc) = (view.clone(), enc.clone());
        tasks.spawn(async move { vote(&api, &view, &enc, &token, offset + i).await });
    }
    let mut out = Vec::new();
    while let Some(v) = tasks.join_next().await {
        out.push(v.unwrap());
    }
    out
}

async fn close_and_check(
    a: &Server,
    b: &Server,
    trustees: &mut [shortlist_client::trustee::Trustee],
    voted: &[Voted],
) {
    a.clock.set(T0 + 300);
    b.api(POLL).action("/voting/close").await.unwrap();
    a.api(POLL).action("/tally").await.unwrap();
    for (i, t) in trustees.iter_mut().take(3).enumerate() {
        let via = if i % 2 == 0 { a } else { b };
        t.decrypt(&via.api(POLL)).await.unwrap();
    }
    let saved = voted.iter().map(|v| v.receipt.checkpoint.clone()).collect();
    let report = verify_record(&b.api(POLL), saved).await;
    assert!(report.passed(), "verifier failed: {:?}", report.failed_steps());
    // Every receipt's entry is on the board, with the ballot it was issued for.
    for v in voted {
        let code = hex::encode(v.receipt.tracking_code);
        let fresh = a.api(POLL).get(&format!("/receipts/{code}")).await.unwrap();
        assert_eq!(fresh["index"].as_u64().unwrap(), v.receipt.index);
    }
    let status = a.api(POLL).get("/status").await.unwrap();
    assert_eq!(status["phase"], "done");
}

async fn two_instances(db: Db) {
    let clock = ManualClock::new(T0);
    let key = CredentialSecret::generate(&mut rand::rngs::OsRng);
    let a = Server::start(&db, clock.clone(), &key).await;
    let b = Server::start(&db, clock.clone(), &key).await;
    let people = People::new(5);
    let mut trustees = setup(&a.api(POLL), &people, &clock).await;
    let tokens = roll(&b.api(POLL), 60).await;
    clock.set(T0 + 200);
    a.api(POLL).action("/voting/open").await.unwrap();
    let view = Arc::new(PollView::fetch(&b.api(POLL)).await.unwrap());
    let voted = cast_all(&[&a, &b], &view, tokens, 0).await;
    // Both instances appended ballots (each through its own sequencer).
    for s in [&a, &b] {
        let text = s.app.state.shared.metrics.render();
        let line =
            text.lines().find(|l| l.starts_with("shortlist_board_entries_total{kind=\"ballot\"}")).unwrap();
        let n: f64 = line.rsplit(' ').next().unwrap().parse().unwrap();
        assert!(n >= 20.0, "each instance cast its share: {line}");
    }
    close_and_check(&a, &b, &mut trustees, &voted).await;
    a.app.finish().await;
    b.app.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_on_postgres() {
    if let Some(db) = Db::postgres().await {
        two_instances(db).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_on_sqlite() {
    two_instances(Db::sqlite()).await;
}

async fn restart(db: Db) {
    let clock = ManualClock::new(T0);
    let key = CredentialSecret::generate(&mut rand::rngs::OsRng);
    let first = Server::start(&db, clock.clone(), &key).await;
    let people = People::new(5);
    let mut trustees = setup(&first.api(POLL), &people, &clock).await;
    let mut tokens = roll(&first.api(POLL), 40).await;
    clock.set(T0 + 200);
    first.api(POLL).action("/voting/open").await.unwrap();
    let view = Arc::new(PollView::fetch(&first.api(POLL)).await.unwrap());
    let later = tokens.split_off(20);
    let mut voted = cast_all(&[&first], &view, tokens, 0).await;
    let size_before = first.api(POLL).get("/status").await.unwrap()["entries"].as_u64().unwrap();
    // Stop (gracefully) and start a new server on the same database.
    first.app.finish().await;
    let second = Server::start(&db, clock.clone(), &key).await;
    let size_after = second.api(POLL).get("/status").await.unwrap()["entries"].as_u64().unwrap();
    assert_eq!(size_before, size_after, "nothing acknowledged is lost across a restart");
    voted.extend(cast_all(&[&second], &view, later, 20).await);
    let third = Server::start(&db, clock.clone(), &key).await;
    close_and_check(&second, &third, &mut trustees, &voted).await;
    second.app.finish().await;
    third.app.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn restart_on_sqlite() {
    restart(Db::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn restart_on_postgres() {
    if let Some(db) = Db::postgres().await {
        restart(db).await;
    }
}
