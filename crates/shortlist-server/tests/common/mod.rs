//! Test harness: the in-process router as a client transport, a server on
//! SQLite or on a fresh PostgreSQL database, and a whole poll driven
//! through the clients of every role.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::sync::Arc;

use axum::body::Body;
use axum::Router;
use http_body_util::BodyExt;
use rand::Rng;
use serde_json::{json, Value};
use shortlist_client::board::PollView;
use shortlist_client::member::Member;
use shortlist_client::trustee::Trustee;
use shortlist_client::{Api, ClientError, Method, Reply, Transport};
use shortlist_crypto::credential::CredentialSecret;
use shortlist_crypto::elgamal::Encrypter;
use shortlist_server::clock::ManualClock;
use shortlist_server::limits::Limits;
use shortlist_server::{App, ServerParts};
use shortlist_store::Store;
use tower::ServiceExt;

/// The router, called in process.
#[derive(Clone)]
pub struct InProcess(pub Router);

impl Transport for InProcess {
    async fn send(
        &self,
        method: Method,
        path: &str,
        bearer: Option<&str>,
        ct: &str,
        body: Vec<u8>,
    ) -> shortlist_client::Result<Reply> {
        let mut req = axum::http::Request::builder()
            .method(match method {
                Method::Get => "GET",
                Method::Post => "POST",
            })
            .uri(path)
            .header("content-type", ct);
        if let Some(b) = bearer {
            req = req.header("authorization", format!("Bearer {b}"));
        }
        let req = req.body(Body::from(body)).map_err(|e| ClientError::Transport(e.to_string()))?;
        let res = self.0.clone().oneshot(req).await.map_err(|e| ClientError::Transport(e.to_string()))?;
        let status = res.status().as_u16();
        let body = res
            .into_body()
            .collect()
            .await
            .map_err(|e| ClientError::Transport(e.to_string()))?
            .to_bytes()
            .to_vec();
        Ok(Reply { status, body })
    }
}

pub const ORGANISER_KEY: &str = "test-organiser-key-0123456789abcdef";
pub const T0: u64 = 1_900_000_000;

/// Limits for tests: generous, so 200 members from "one client" pass.
pub fn test_limits() -> Limits {
    Limits { per_client_per_sec: 0, per_credential_per_min: 0, ..Limits::default() }
}

/// Where a test's database lives.
pub enum Db {
    Sqlite(tempfile::TempDir),
    Postgres(String),
}

impl Db {
    pub fn sqlite() -> Self {
        Db::Sqlite(tempfile::tempdir().unwrap())
    }

    /// A fresh database on the server named by `DATABASE_URL`; `None` (skip)
    /// when it is unset, except under CI, where that is a failure.
    pub async fn postgres() -> Option<Self> {
        let Ok(base) = std::env::var("DATABASE_URL") else {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("CI=true but DATABASE_URL is unset: the PostgreSQL tests must run under CI (.ci/throwaway-postgres)");
            }
            eprintln!("DATABASE_URL unset: skipping the PostgreSQL test");
            return None;
        };
        use sqlx::Connection;
        let name = format!("shortlist_test_{:016x}", rand::thread_rng().gen::<u64>());
        let mut conn = sqlx::PgConnection::connect(&base).await.expect("connect to DATABASE_URL");
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.unwrap();
        let (head, _) = base.rsplit_once('/').expect("DATABASE_URL has a database path");
        Some(Db::Postgres(format!("{head}/{name}")))
    }

    pub fn url(&self) -> String {
        match self {
            Db::Sqlite(dir) => shortlist_server::config::sqlite_url(dir.path()),
            Db::Postgres(url) => url.clone(),
        }
    }
}

/// A server instance on a database.
pub struct Server {
    pub app: App,
    pub clock: ManualClock,
    pub server_key: [u8; 32],
}

impl Server {
    pub async fn start(db: &Db, clock: ManualClock, server_key: &CredentialSecret) -> Self {
        Self::start_with(db, clock, server_key, test_limits()).await
    }

    pub async fn start_with(
        db: &Db,
        clock: ManualClock,
        server_key: &CredentialSecret,
        limits: Limits,
    ) -> Self {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_test_writer()
            .try_init();
        let store = Store::open(&db.url()).await.unwrap();
        let app = App::new(ServerParts {
            store,
            server_key: CredentialSecret::from_secret_bytes(&server_key.expose_secret_bytes()),
            organiser_key: ORGANISER_KEY.into(),
            clock: Arc::new(clock.clone()),
            limits,
        })
        .unwrap();
        Self { app, clock, server_key: server_key.public_key().to_bytes() }
    }

    pub fn api(&self, poll: &str) -> Api<InProcess> {
        Api::new(InProcess(self.app.router.clone()), poll).with_organiser_key(ORGANISER_KEY)
    }
}

/// The poll's people: trustee keys.
pub struct People {
    pub trustee_keys: Vec<CredentialSecret>,
}

impl People {
    pub fn new(n: usize) -> Self {
        Self { trustee_keys: (0..n).map(|_| CredentialSecret::generate(&mut rand::rngs::OsRng)).collect() }
    }
}

/// The test manifest: 9 of `candidates`, at least 5 women, 3-of-5.
pub fn manifest(poll: &str, people: &People) -> Value {
    json!({
        "poll_id": poll,
        "title": "Members' shortlist for the 9-seat slate",
        "timetable": { "nominations_close": T0 + 100, "voting_open": T0 + 200, "voting_close": T0 + 300 },
        "contests": [{
            "contest_id": 1, "title": "Shortlist", "seats": 9, "min_selections": 0, "max_selections": 9,
            "slate_rules": [{ "attribute": "gender", "value": "woman", "min_seats": 5 }]
        }],
        "trustees": people.trustee_keys.iter().enumerate()
            .map(|(i, k)| json!({"name": format!("Trustee {}", i + 1), "key": hex::encode(k.public_key().to_bytes())}))
            .collect::<Vec<_>>(),
        "threshold": 3,
        "revote": "last"
    })
}

/// Creates the poll, enters 30 candidates and runs the key ceremony.
/// Returns the trustees, ready to decrypt.
pub async fn setup(api: &Api<InProcess>, people: &People, clock: &ManualClock) -> Vec<Trustee> {
    setup_with(api, people, clock, manifest(api.poll(), people)).await
}

/// [`setup`] with the given manifest (its nominations close at `T0 + 100`).
pub async fn setup_with(
    api: &Api<InProcess>,
    people: &People,
    clock: &ManualClock,
    manifest: Value,
) -> Vec<Trustee> {
    clock.set(T0);
    api.create_poll(&manifest).await.unwrap();

    for i in 0..30 {
        let gender = if i % 2 == 0 { "woman" } else { "man" };
        api.enter_candidate(1, &format!("Candidate {:02}", i + 1), "I will serve.", &[("gender", gender)])
            .await
            .unwrap();
    }

    let view = PollView::fetch(api).await.unwrap();
    let trustees =
        shortlist_client::ceremony::run_in_one_process(api, &view, &people.trustee_keys).await.unwrap();

    clock.set(T0 + 100);
    api.action("/nominations/close").await.unwrap();
    trustees
}

/// Imports `n` members and returns their tokens, in member order.
pub async fn roll(api: &Api<InProcess>, n: usize) -> Vec<String> {
    let mut csv = String::from("member_id,name,email\n");
    for i in 0..n {
        csv.push_str(&format!("m{i:05},Member {i},m{i}@example.org\n"));
    }
    assert_eq!(api.import_roll(&csv).await.unwrap()["imported"], n as u64);
    let tokens = api.issue_tokens().await.unwrap();
    let mut reader = csv_rows(&tokens);
    reader.remove(0);
    reader.into_iter().map(|r| r[3].clone()).collect()
}

fn csv_rows(text: &str) -> Vec<Vec<String>> {
    text.lines().map(|l| l.split(',').map(str::to_string).collect()).collect()
}

/// Random selections: 1–9 of 30.
pub fn choose() -> Vec<Vec<bool>> {
    let mut rng = rand::thread_rng();
    let k = rng.gen_range(1..=9);
    let mut sel = vec![false; 30];
    let mut picked = 0;
    while picked < k {
        let i = rng.gen_range(0..30);
        // Earlier candidates are more popular.
        if !sel[i] && rng.gen_bool(1.0 / (1.0 + i as f64 / 8.0)) {
            sel[i] = true;
            picked += 1;
        }
    }
    vec![sel]
}

/// What one member did.
pub struct Voted {
    pub payload: Vec<u8>,
    pub selection: Vec<bool>,
    pub receipt: shortlist_board::receipt::Receipt,
    pub audited: bool,
    pub revoted: bool,
}

/// Member `i` registers and votes: some audit first, some revote.
pub async fn vote(api: &Api<InProcess>, view: &PollView, enc: &Encrypter, token: &str, i: usize) -> Voted {
    let m = Member::new();
    m.register(api, token).await.unwrap();
    let audited = i % 10 == 3;
    if audited {
        let chosen = shortlist_client::member::Chosen::new(view, enc, &choose()).unwrap();
        shortlist_client::member::audit(api, chosen).await.unwrap();
    }
    let mut selection = choose();
    let mut p = m.prepare(view, enc, &selection).unwrap();
    let mut receipt = m.cast(api, view, &p).await.unwrap();
    let revoted = i % 10 == 7;
    if revoted {
        selection = choose();
        p = m.prepare(view, enc, &selection).unwrap();
        receipt = m.cast(api, view, &p).await.unwrap();
    }
    let payload = m.cast_payload(view, &p).unwrap();
    // The same ballot again: the same receipt, nothing appended.
    if i % 25 == 0 {
        let again = m.cast(api, view, &p).await.unwrap();
        assert_eq!(again, receipt, "a repeated cast must return the same receipt");
    }
    Voted { payload, selection: selection.remove(0), receipt, audited, revoted }
}

/// Verifies the record downloaded from the server; returns the report.
pub async fn verify_record(
    api: &Api<InProcess>,
    saved: Vec<shortlist_board::checkpoint::Checkpoint>,
) -> shortlist_board::verify::Report {
    let bytes = api.record().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("poll.record");
    std::fs::write(&path, &bytes).unwrap();
    shortlist_board::verify::verify_path(&path, saved, None, None, |_| {}).unwrap()
}
