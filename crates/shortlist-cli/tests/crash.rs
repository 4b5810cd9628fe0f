//! Crash test (issue 16, build 4): the real `shortlist serve` binary on
//! SQLite (and on PostgreSQL when `DATABASE_URL` is set) is killed with
//! SIGKILL at random moments — while tokens are issued, while members
//! register and cast concurrently, while trustees decrypt and the result is
//! posted — and started again each time. After every restart, every receipt
//! the server acknowledged names its ballot on the board; at the end of each
//! poll the tally finishes (no poll stuck in `tallying`) and the record
//! verifies against every acknowledged receipt's checkpoint.
//!
//! `crash_small` runs a few kills (part of the README's test command);
//! `crash_long` (ignored) runs `CRASH_ITERATIONS` kills (default 200):
//! `CRASH_ITERATIONS=200 cargo test --release --test crash -- --ignored`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic, missing_docs)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rand::Rng;
use serde_json::{json, Value};
use shortlist_board::receipt::Receipt;
use shortlist_cli::http::Http;
use shortlist_client::board::PollView;
use shortlist_client::member::Member;
use shortlist_client::trustee::Trustee;
use shortlist_client::{Api, ClientError};
use shortlist_crypto::credential::CredentialSecret;
use shortlist_crypto::elgamal::Encrypter;

const KEY: &str = "crash-test-organiser-key-0123456789";
const MEMBERS: usize = 10;

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

/// The server process, killed and started again on the same port and data.
struct Server {
    child: Option<Child>,
    dir: PathBuf,
    port: u16,
    database_url: Option<String>,
    kills: usize,
}

impl Server {
    fn new(dir: &Path, database_url: Option<String>) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        std::fs::write(
            dir.join("server.toml"),
            "[limits]\nper_client_per_sec = 0\nper_credential_per_min = 0\nconnections_per_client = 0\n",
        )
        .unwrap();
        Self { child: None, dir: dir.to_path_buf(), port, database_url, kills: 0 }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    async fn start(&mut self) {
        let log =
            std::fs::OpenOptions::new().create(true).append(true).open(self.dir.join("server.log")).unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_shortlist"));
        cmd.arg("serve")
            .arg("--bind")
            .arg(format!("127.0.0.1:{}", self.port))
            .arg("--data-dir")
            .arg(self.dir.join("data"))
            .arg("--config")
            .arg(self.dir.join("server.toml"))
            .env("SHORTLIST_ORGANISER_KEY", KEY)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(log);
        if let Some(url) = &self.database_url {
            cmd.arg("--database-url").arg(url);
        }
        self.child = Some(cmd.spawn().expect("start shortlist serve"));
        let client = reqwest::Client::new();
        let started = Instant::now();
        loop {
            let health = client.get(format!("{}/healthz", self.url())).send().await;
            if health.is_ok_and(|r| r.status().is_success()) {
                return;
            }
            assert!(started.elapsed() < Duration::from_secs(30), "the server did not start; see server.log");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            c.kill().unwrap(); // SIGKILL
            c.wait().unwrap();
            self.kills += 1;
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Whether an error means "the server is not there (now)": retry.
fn transient(e: &ClientError) -> bool {
    match e {
        ClientError::Transport(_) => true,
        ClientError::Server { status, .. } => *status >= 500,
        _ => false,
    }
}

fn code(e: &ClientError) -> &str {
    match e {
        ClientError::Server { code, .. } => code,
        _ => "",
    }
}

/// Retries `f` while the server is away.
async fn retry<T, F, Fut>(what: &str, mut f: F) -> Result<T, ClientError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, ClientError>>,
{
    let started = Instant::now();
    loop {
        match f().await {
            Err(e) if transient(&e) && started.elapsed() < Duration::from_secs(60) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(e) if transient(&e) => panic!("{what}: the server stayed away: {e}"),
            other => return other,
        }
    }
}

/// An acknowledged ballot: its receipt and its payload.
type Acked = (Receipt, Vec<u8>);

/// Every acknowledged receipt names its ballot on the board.
async fn check_receipts(api: &Api<Http>, acked: &[Acked]) -> usize {
    let entries = retry("entries", || shortlist_client::board::entries(api, 0, false)).await.unwrap();
    for (r, payload) in acked {
        let e =
            entries.get(r.index as usize).unwrap_or_else(|| panic!("acknowledged ballot {} lost", r.index));
        assert_eq!(e.payload_hash(), r.tracking_code, "acknowledged ballot {} replaced", r.index);
        assert_eq!(&e.payload, payload);
    }
    acked.len()
}

async fn phase(api: &Api<Http>) -> String {
    let s = retry("status", || api.get("/status")).await.unwrap();
    s["phase"].as_str().unwrap().to_string()
}

fn choose(rng: &mut impl Rng) -> Vec<Vec<bool>> {
    let mut sel = vec![false; 4];
    for _ in 0..rng.gen_range(1..=2) {
        sel[rng.gen_range(0..4)] = true;
    }
    vec![sel]
}

/// Waits until the clock reaches `t` (Unix seconds).
async fn until(t: u64) {
    while now() < t {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Figures of a run.
#[derive(Default, Debug)]
struct Figures {
    polls: usize,
    kills: usize,
    receipts_checked: usize,
    acknowledged: usize,
}

/// One poll from creation to result, with `kills` SIGKILLs: one while
/// tokens are issued, `kills - 2` while members cast, one at the tally.
async fn poll_round(srv: &mut Server, poll: &str, kills: usize, fig: &mut Figures) {
    let http = Http::new(&srv.url()).unwrap();
    let api = Api::new(http.clone(), poll).with_organiser_key(KEY);
    let casting = kills.saturating_sub(2).max(1);
    let t0 = now();
    let nc = t0 + 2;
    let vc = nc + 3 + casting as u64;
    let keys: Vec<CredentialSecret> =
        (0..3).map(|_| CredentialSecret::generate(&mut rand::rngs::OsRng)).collect();
    let manifest = json!({
        "poll_id": poll, "title": "Crash test",
        "timetable": { "nominations_close": nc, "voting_open": nc, "voting_close": vc },
        "contests": [{ "contest_id": 1, "title": "Two of four", "seats": 2, "min_selections": 0, "max_selections": 2 }],
        "trustees": keys.iter().enumerate()
            .map(|(i, k)| json!({"name": format!("T{}", i + 1), "key": hex::encode(k.public_key().to_bytes())}))
            .collect::<Vec<_>>(),
        "threshold": 2, "revote": "last"
    });
    // Setup, without kills.
    api.create_poll(&manifest).await.unwrap();
    for name in ["Ada", "Bea", "Cal", "Dan"] {
        api.enter_candidate(1, name, "", &[]).await.unwrap();
    }
    let view = PollView::fetch(&api).await.unwrap();
    let mut trustees = shortlist_client::ceremony::run_in_one_process(&api, &view, &keys).await.unwrap();
    let mut roll = String::from("member_id,name,email\n");
    for i in 0..MEMBERS {
        roll.push_str(&format!("m{i:03},Member {i},\n"));
    }
    api.import_roll(&roll).await.unwrap();

    // Tokens, killed at a random moment of the request: if the answer is
    // lost, the unredeemed tokens are issued again.
    let delay = Duration::from_micros(rand::thread_rng().gen_range(0..20_000));
    let issuing = tokio::spawn({
        let api = Api::new(http.clone(), poll).with_organiser_key(KEY);
        async move { api.issue_tokens().await }
    });
    tokio::time::sleep(delay).await;
    srv.kill();
    srv.start().await;
    let csv = match issuing.await.unwrap() {
        Ok(csv) if csv.lines().count() == MEMBERS + 1 => csv,
        _ => {
            let reply = retry("re-issue", || async {
                use shortlist_client::Transport;
                let path = format!("/v1/polls/{poll}/tokens?reissue=unredeemed");
                let r = http
                    .send(shortlist_client::Method::Post, &path, Some(KEY), "application/json", vec![])
                    .await?;
                if r.status >= 500 {
                    return Err(ClientError::Server {
                        status: r.status,
                        code: String::new(),
                        message: String::new(),
                    });
                }
                Ok(r)
            })
            .await
            .unwrap();
            assert_eq!(reply.status, 200);
            String::from_utf8(reply.body).unwrap()
        }
    };
    let tokens: Vec<String> = csv.lines().skip(1).map(|l| l.split(',').nth(3).unwrap().to_string()).collect();
    assert_eq!(tokens.len(), MEMBERS, "every member has a working token after the crash");

    until(nc).await;
    retry("close nominations", || api.action("/nominations/close")).await.unwrap();
    let view = Arc::new(PollView::fetch(&api).await.unwrap());
    retry("open voting", || api.action("/voting/open")).await.unwrap();
    let view = Arc::new(
        PollView::from_entries(&shortlist_client::board::entries(&api, 0, true).await.unwrap())
            .unwrap_or_else(|_| (*view).clone()),
    );
    let enc = Arc::new(Encrypter::new(&view.context().expect("voting is open").joint_key));

    // Members register and cast (and revote) until the close, while the
    // server is killed every 0.3–0.9 s.
    let acked: Arc<Mutex<Vec<Acked>>> = Arc::default();
    let mut members = tokio::task::JoinSet::new();
    for token in tokens {
        let (api, view, enc, acked) =
            (Api::new(http.clone(), poll), view.clone(), enc.clone(), acked.clone());
        members.spawn(async move {
            let m = Member::new();
            retry("register", || m.register(&api, &token)).await.expect("registration");
            while now() + 1 < vc {
                let p = m.prepare(&view, &enc, &choose(&mut rand::thread_rng())).unwrap();
                let payload = m.cast_payload(&view, &p).unwrap();
                match retry("cast", || m.cast(&api, &view, &p)).await {
                    Ok(r) => acked.lock().unwrap().push((r, payload)),
                    Err(e) if code(&e) == "timetable" => return,
                    Err(e) => panic!("cast refused: {e}"),
                }
                let pause = rand::thread_rng().gen_range(20..200);
                tokio::time::sleep(Duration::from_millis(pause)).await;
            }
        });
    }
    let mut done = 0;
    while done < casting && now() + 1 < vc {
        let pause = rand::thread_rng().gen_range(300..900);
        tokio::time::sleep(Duration::from_millis(pause)).await;
        srv.kill();
        srv.start().await;
        let snapshot = acked.lock().unwrap().clone();
        fig.receipts_checked += check_receipts(&api, &snapshot).await;
        done += 1;
    }
    while let Some(r) = members.join_next().await {
        r.unwrap();
    }
    until(vc).await;
    if phase(&api).await == "voting" {
        retry("close voting", || api.action("/voting/close")).await.unwrap();
    }
    retry("tally", || api.action("/tally")).await.unwrap();

    // Trustees decrypt, killed at a random moment; after the restart the
    // result must come from the board if t shares are on it, else the
    // trustees run `decrypt` again (re-sending a share already posted).
    let delay = Duration::from_millis(rand::thread_rng().gen_range(0..400));
    let decrypting = tokio::spawn({
        let api = Api::new(http.clone(), poll);
        let mut two: Vec<Trustee> = trustees.drain(..2).collect();
        async move {
            for t in &mut two {
                let _ = t.decrypt(&api).await;
            }
            two
        }
    });
    tokio::time::sleep(delay).await;
    srv.kill();
    srv.start().await;
    let mut two = decrypting.await.unwrap();
    let status = retry("status", || api.get("/status")).await.unwrap();
    let shares = status["by_kind"]["decryption-share"].as_u64().unwrap_or(0);
    if shares >= 2 {
        // Nothing to do but wait: the server finishes from the board.
        let started = Instant::now();
        while phase(&api).await != "done" {
            assert!(
                started.elapsed() < Duration::from_secs(15),
                "poll stuck in tallying with {shares} shares"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    } else {
        for t in &mut two {
            let started = Instant::now();
            loop {
                match t.decrypt(&api).await {
                    Ok(_) => break,
                    Err(e) if transient(&e) && started.elapsed() < Duration::from_secs(60) => {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                    Err(e) => panic!("decrypt: {e}"),
                }
            }
        }
    }
    assert_eq!(phase(&api).await, "done", "no poll stuck");

    // Every acknowledged receipt, then the record against their checkpoints.
    let acked = acked.lock().unwrap().clone();
    fig.receipts_checked += check_receipts(&api, &acked).await;
    fig.acknowledged += acked.len();
    let record = retry("record", || api.record()).await.unwrap();
    let path = srv.dir.join(format!("{poll}.record"));
    std::fs::write(&path, &record).unwrap();
    let saved = acked.iter().map(|(r, _)| r.checkpoint.clone()).collect();
    let report = shortlist_board::verify::verify_path(&path, saved, None, None, |_| {}).unwrap();
    assert!(report.passed(), "{poll}: the record fails {:?}", report.failed_steps());
    let result: Value = api.get("/result").await.unwrap();
    assert!(result["contests"].is_array());
    fig.polls += 1;
}

async fn run(iterations: usize, database_url: Option<String>) -> Figures {
    let dir = tempfile::tempdir().unwrap();
    let mut srv = Server::new(dir.path(), database_url);
    srv.start().await;
    let mut fig = Figures::default();
    let tag: u32 = rand::thread_rng().gen();
    let mut round = 0;
    while srv.kills < iterations {
        let kills = (iterations - srv.kills).clamp(3, 10);
        poll_round(&mut srv, &format!("crash-{tag:08x}-{round}"), kills, &mut fig).await;
        round += 1;
    }
    fig.kills = srv.kills;
    fig
}

fn report(db: &str, fig: &Figures, started: Instant) {
    eprintln!(
        "crash ({db}): {} SIGKILLs over {} polls in {:.0} s; {} acknowledged ballots, {} receipt checks, 0 lost; 0 polls stuck",
        fig.kills,
        fig.polls,
        started.elapsed().as_secs_f64(),
        fig.acknowledged,
        fig.receipts_checked
    );
}

/// On SQLite, then on PostgreSQL if `DATABASE_URL` is set; `CRASH_DB=sqlite`
/// or `postgres` runs one only.
async fn both(iterations: usize) {
    let only = std::env::var("CRASH_DB").unwrap_or_default();
    if only != "postgres" {
        let started = Instant::now();
        let fig = run(iterations, None).await;
        report("SQLite", &fig, started);
    }
    if let (Ok(url), false) = (std::env::var("DATABASE_URL"), only == "sqlite") {
        let started = Instant::now();
        let fig = run(iterations, Some(url)).await;
        report("PostgreSQL", &fig, started);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn crash_small() {
    both(4).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "long: CRASH_ITERATIONS kills (default 200)"]
async fn crash_long() {
    let n = std::env::var("CRASH_ITERATIONS").ok().and_then(|v| v.parse().ok()).unwrap_or(200);
    both(n).await;
}
