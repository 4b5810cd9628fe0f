//! The whole poll over HTTP against the in-process router (issue 5): create,
//! 3-of-5 ceremony, roll, tokens, registration, 200 members casting at once
//! with audits and revotes, close, tally by 3 trustees, result; then the
//! record downloaded from the server passes the verifier, with every
//! receipt's checkpoint in it. On SQLite always; on PostgreSQL when
//! `DATABASE_URL` is set (and always under CI).

mod common;

use std::sync::Arc;

use common::*;
use shortlist_client::board::PollView;
use shortlist_crypto::credential::CredentialSecret;
use shortlist_crypto::elgamal::Encrypter;
use shortlist_server::clock::ManualClock;

const MEMBERS: usize = 200;

async fn lifecycle(db: Db) {
    let clock = ManualClock::new(T0);
    let key = CredentialSecret::generate(&mut rand::rngs::OsRng);
    let server = Server::start(&db, clock.clone(), &key).await;
    let api = server.api("shortlist-2027");
    let people = People::new(5);
    let mut trustees = setup(&api, &people, &clock).await;
    let tokens = roll(&api, MEMBERS).await;
    assert_eq!(tokens.len(), MEMBERS);

    clock.set(T0 + 200);
    let opened = api.action("/voting/open").await.unwrap();
    let view = Arc::new(PollView::fetch(&api).await.unwrap());
    let ctx = view.context().expect("voting is open");
    assert_eq!(opened["joint_key"].as_str().unwrap(), hex::encode(ctx.joint_key.to_bytes()));
    let enc = Arc::new(Encrypter::new(&ctx.joint_key));

    let mut tasks = tokio::task::JoinSet::new();
    for (i, token) in tokens.into_iter().enumerate() {
        let (api, view, enc) = (server.api("shortlist-2027"), view.clone(), enc.clone());
        tasks.spawn(async move { vote(&api, &view, &enc, &token, i).await });
    }
    let mut voted = Vec::new();
    while let Some(v) = tasks.join_next().await {
        voted.push(v.unwrap());
    }
    assert_eq!(voted.len(), MEMBERS);

    clock.set(T0 + 300);
    api.action("/voting/close").await.unwrap();
    api.action("/tally").await.unwrap();
    for t in trustees.iter_mut().take(3) {
        t.decrypt(&api).await.unwrap();
    }

    // The result: counts match the members' final choices.
    let result = api.get("/result").await.unwrap();
    let rows = result["contests"][0]["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 30);
    let mut expected = [0u64; 30];
    for v in &voted {
        for (c, s) in expected.iter_mut().zip(&v.selection) {
            *c += u64::from(*s);
        }
    }
    for row in rows {
        let id = row["candidate_id"].as_u64().unwrap() as usize;
        assert_eq!(row["count"].as_u64().unwrap(), expected[id - 1], "count of candidate {id}");
    }
    let elected: Vec<_> = rows.iter().filter(|r| r["elected"].as_bool().unwrap()).collect();
    assert_eq!(elected.len(), 9);
    let women = elected.iter().filter(|r| (r["candidate_id"].as_u64().unwrap() - 1) % 2 == 0).count();
    assert!(women >= 5, "the slate rule holds: {women} women");

    // The record passes every step, and holds every receipt's checkpoint.
    let saved = voted.iter().map(|v| v.receipt.checkpoint.clone()).collect();
    let report = verify_record(&api, saved).await;
    assert!(report.passed(), "verifier failed: {:?}", report.failed_steps());
    // Read in parts (`record?from=&to=`, api §7.5), the record is the same
    // bytes; each part ends at a checkpoint, the last before its `to`.
    let whole = api.record().await.unwrap();
    let magic = shortlist_board::record::MAGIC;
    let (mut parts, mut from, mut reads) = (magic.to_vec(), 0u64, 0);
    loop {
        let to = from + 50;
        let part = api.record_part(from, to).await.unwrap();
        assert!(part.starts_with(magic));
        parts.extend_from_slice(&part[magic.len()..]);
        reads += 1;
        from = shortlist_board::record::RecordReader::new(parts.as_slice())
            .unwrap()
            .filter(|f| matches!(f, Ok(shortlist_board::record::Frame::Entry(_))))
            .count() as u64;
        if from < to {
            break;
        }
    }
    assert_eq!(parts, whole, "the parts make the whole record");
    assert!(reads >= 2, "read in {reads} parts");
    let err = api.record_part(7, 7).await.unwrap_err().to_string();
    assert!(err.contains("malformed"), "to must be above from: {err}");
    let status = api.get("/status").await.unwrap();
    assert_eq!(status["phase"], "done");
    assert_eq!(status["by_kind"]["ballot"].as_u64().unwrap(), (MEMBERS + MEMBERS / 10) as u64);
    assert_eq!(status["by_kind"]["spoiled-ballot"].as_u64().unwrap(), (MEMBERS / 10) as u64);
    server.app.finish().await;
}

/// The tally's sum runs as a job that outlives the request (api §5
/// "Tally"): with no time to wait, the call answers 202 `aggregating`;
/// repeating it ends with the aggregate posted once, which the trustees
/// decrypt, and the record verifies.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_tally_still_summing_answers_202_until_the_aggregate_is_posted() {
    let db = Db::sqlite();
    let clock = ManualClock::new(T0);
    let key = CredentialSecret::generate(&mut rand::rngs::OsRng);
    let limits = shortlist_server::limits::Limits { tally_wait_ms: 0, ..test_limits() };
    let server = Server::start_with(&db, clock.clone(), &key, limits).await;
    let api = server.api("shortlist-2027");
    let people = People::new(5);
    let mut trustees = setup(&api, &people, &clock).await;
    let tokens = roll(&api, 20).await;
    clock.set(T0 + 200);
    api.action("/voting/open").await.unwrap();
    let view = PollView::fetch(&api).await.unwrap();
    let enc = Encrypter::new(&view.context().unwrap().joint_key);
    let mut receipts = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        receipts.push(vote(&api, &view, &enc, token, i).await.receipt.checkpoint);
    }
    clock.set(T0 + 300);
    api.action("/voting/close").await.unwrap();
    let first = api.action("/tally").await.unwrap();
    assert_eq!(first["status"], "aggregating", "no time to wait: 202 {first}");
    let mut answer = first;
    for _ in 0..200 {
        if answer["status"] != "aggregating" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        answer = api.action("/tally").await.unwrap();
    }
    assert_eq!(answer["entry"]["kind"], "aggregate", "the aggregate entry: {answer}");
    let again = api.action("/tally").await.unwrap();
    assert_eq!(again["repeat"], true, "a repeat once posted: {again}");
    assert_eq!(again["entry"]["index"], answer["entry"]["index"]);
    let status = api.get("/status").await.unwrap();
    assert_eq!(status["by_kind"]["aggregate"].as_u64(), Some(1), "one aggregate");
    for t in trustees.iter_mut().take(3) {
        t.decrypt(&api).await.unwrap();
    }
    let report = verify_record(&api, receipts).await;
    assert!(report.passed(), "verifier failed: {:?}", report.failed_steps());
    server.app.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn lifecycle_on_sqlite() {
    lifecycle(Db::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn lifecycle_on_postgres() {
    if let Some(db) = Db::postgres().await {
        lifecycle(db).await;
    }
}
