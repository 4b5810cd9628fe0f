//! Email delivery of tokens (issue 11, build 2; spec: api §4.2) against a
//! real SMTP server on 127.0.0.1 (`smtp_sink`, in this process) and the
//! real `shortlist serve` binary:
//!
//! - `mail_delivers_every_member`: `MAIL_MEMBERS` members (default 300)
//!   each get exactly one message whose link names the poll and holds a
//!   token that redeems; one address answered 550 is the only failure; a
//!   sink answering 451 for a while delays and retries; resends give new
//!   tokens and the old ones stop working. Prints messages per second.
//! - `mail_survives_sigkill`: the server is SIGKILLed at random moments
//!   while sending and started again; at the end every member has exactly
//!   one distinct message (copies of one Message-ID are counted and
//!   reported apart). On PostgreSQL (when `DATABASE_URL` is set, in a fresh
//!   database) two instances send at once and one of them is killed.
//!
//! - `mail_through_aiosmtpd`: the same delivery through aiosmtpd, a
//!   maintained SMTP server from outside this project (Debian's
//!   `python3-aiosmtpd`, or `pip install aiosmtpd`), which stores what it
//!   accepts in a Maildir: every member's message, names with accents
//!   included, arrives once, parses, and its token redeems. Skipped when
//!   aiosmtpd is missing, except under `CI`, where it fails.
//!
//! `MAIL_MEMBERS=10000 cargo test --release -p shortlist-cli --test mail -- --nocapture`
//! runs the long variant.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic, missing_docs)]

mod smtp_sink;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rand::Rng;
use serde_json::{json, Value};
use shortlist_cli::http::Http;
use shortlist_client::{Api, ClientError};
use shortlist_crypto::credential::CredentialSecret;
use smtp_sink::{Received, Sink};

const KEY: &str = "mail-test-organiser-key-0123456789";
const PUBLIC_URL: &str = "https://vote.example.test";

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

/// A `shortlist serve` process with a `[mail]` section pointing at the sink.
struct Server {
    child: Option<Child>,
    dir: PathBuf,
    data: PathBuf,
    port: u16,
    database_url: Option<String>,
    kills: usize,
}

impl Server {
    fn new(dir: &Path, name: &str, smtp_port: u16, mail: &str, database_url: Option<String>) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let dir = dir.join(name);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("server.toml"),
            format!(
                "[limits]\nper_client_per_sec = 0\nper_credential_per_min = 0\nconnections_per_client = 0\n\n\
                 [mail]\nsmtp_host = \"127.0.0.1\"\nsmtp_port = {}\ntls = \"none\"\n\
                 from = \"Elections <elections@example.test>\"\npublic_url = \"{PUBLIC_URL}\"\n{mail}\n",
                smtp_port
            ),
        )
        .unwrap();
        let data = dir.join("data");
        Self { child: None, dir, data, port, database_url, kills: 0 }
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
            .arg(&self.data)
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

    /// The process's peak resident set (Linux `VmHWM`), KiB; 0 if unknown.
    fn peak_rss_kib(&self) -> u64 {
        let Some(c) = &self.child else { return 0 };
        let status = std::fs::read_to_string(format!("/proc/{}/status", c.id())).unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    }

    fn api(&self, poll: &str) -> Api<Http> {
        Api::new(Http::new(&self.url()).unwrap(), poll).with_organiser_key(KEY)
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

/// Retries `f` while the server is away (killed, restarting).
async fn retry<T, F, Fut>(what: &str, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, ClientError>>,
{
    let started = Instant::now();
    loop {
        match f().await {
            Ok(v) => return v,
            Err(ClientError::Transport(_)) if started.elapsed() < Duration::from_secs(60) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(e) => panic!("{what}: {e}"),
        }
    }
}

/// Creates a poll and imports `members` members (`m00000@example.test`, …)
/// and `extra` as more rows (id, name, e-mail); returns the manifest hash.
async fn make_poll(api: &Api<Http>, poll: &str, members: usize, extra: &[(&str, &str, &str)]) -> String {
    let t0 = now();
    let keys: Vec<CredentialSecret> =
        (0..3).map(|_| CredentialSecret::generate(&mut rand::rngs::OsRng)).collect();
    let manifest = json!({
        "poll_id": poll, "title": "Mail test",
        "timetable": { "nominations_close": t0 + 3600, "voting_open": t0 + 3600, "voting_close": t0 + 7200 },
        "contests": [{ "contest_id": 1, "title": "Two of four", "seats": 2, "min_selections": 0, "max_selections": 2 }],
        "trustees": keys.iter().enumerate()
            .map(|(i, k)| json!({"name": format!("T{}", i + 1), "key": hex::encode(k.public_key().to_bytes())}))
            .collect::<Vec<_>>(),
        "threshold": 2, "revote": "last"
    });
    let out = api.create_poll(&manifest).await.unwrap();
    let mut roll = String::from("member_id,name,email\n");
    for i in 0..members {
        roll.push_str(&format!("m{i:05},Member {i},m{i:05}@example.test\n"));
    }
    for (id, name, email) in extra {
        roll.push_str(&format!("{id},{name},{email}\n"));
    }
    api.import_roll(&roll).await.unwrap();
    out["manifest_hash"].as_str().unwrap().to_string()
}

/// Waits until nothing of the poll is queued or sending; returns the progress.
async fn wait_done(api: &Api<Http>, limit: Duration) -> Value {
    let started = Instant::now();
    loop {
        let p = retry("progress", || api.get_org("/mail?members=none")).await;
        if p["queued"] == 0 && p["sending"] == 0 {
            assert_eq!(p["members"].as_array().map(Vec::len), Some(0), "members=none lists no one");
            return retry("progress", || api.get_org("/mail")).await;
        }
        assert!(started.elapsed() < limit, "sending did not finish in {limit:?}: {p}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The poll id, token and manifest hash of a message's booth link.
fn link(m: &Received) -> (String, String, String) {
    let text = m.readable();
    let start = text.find(&format!("{PUBLIC_URL}/p/")).unwrap_or_else(|| panic!("no booth link in {text}"));
    let rest = &text[start + PUBLIC_URL.len() + 3..];
    let (poll, rest) = rest.split_once("/booth#t=").unwrap();
    let token = &rest[..32];
    let m_hash = rest[32..].strip_prefix("&m=").unwrap();
    (poll.to_string(), token.to_string(), m_hash[..64].to_string())
}

/// Messages by recipient.
fn by_rcpt(msgs: &[Received]) -> HashMap<String, Vec<&Received>> {
    let mut out: HashMap<String, Vec<&Received>> = HashMap::new();
    for m in msgs {
        out.entry(m.rcpt.clone()).or_default().push(m);
    }
    out
}

async fn register(api: &Api<Http>, token: &str) -> Result<Value, ClientError> {
    let key = CredentialSecret::generate(&mut rand::rngs::OsRng).public_key().to_bytes();
    api.register(token, &key).await
}

fn code(e: &ClientError) -> String {
    match e {
        ClientError::Server { code, .. } => code.clone(),
        other => format!("{other}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn mail_delivers_every_member() {
    let n: usize = std::env::var("MAIL_MEMBERS").ok().and_then(|v| v.parse().ok()).unwrap_or(300);
    let dir = tempfile::tempdir().unwrap();
    let sink = Sink::start().await;
    sink.reject("bounce@example.test");
    let conns: u32 = std::env::var("MAIL_CONNECTIONS").ok().and_then(|v| v.parse().ok()).unwrap_or(16);
    let mail = format!(
        "rate_per_sec = 0\nconnections = {conns}\nlease_secs = 30\ntimeout_secs = 5\nretry_base_ms = 100\nmax_attempts = 40"
    );
    let mut srv = Server::new(dir.path(), "a", sink.port, &mail, None);
    srv.start().await;

    // 1. Every member once, at full speed; one address refused for good.
    let api = srv.api("mail-a");
    let manifest_hash =
        make_poll(&api, "mail-a", n, &[("bounce", "Extra bounce", "bounce@example.test")]).await;
    let t0 = Instant::now();
    let out = api.action("/mail/send").await.unwrap();
    assert_eq!(out["queued"], n + 1);
    let p = wait_done(&api, Duration::from_secs(600)).await;
    let secs = t0.elapsed().as_secs_f64();
    assert_eq!(p["sent"], n, "{p}");
    assert_eq!(p["failed"], 1, "{p}");
    let failed = &p["members"][0];
    assert_eq!(failed["member_id"], "bounce");
    assert!(failed["error"].as_str().unwrap().contains("550"), "{failed}");
    let msgs = sink.received();
    eprintln!(
        "mail: {n} messages to the local sink in {secs:.2} s: {:.0} messages/s ({conns} connections, no rate \
         limit); the server's peak resident memory {} MiB",
        n as f64 / secs,
        srv.peak_rss_kib() / 1024
    );
    let by = by_rcpt(&msgs);
    assert_eq!(by.len(), n, "one recipient per member, the refused one absent");
    let mut ids = HashSet::new();
    let mut tokens = Vec::new();
    for i in 0..n {
        let got = by.get(&format!("m{i:05}@example.test")).unwrap_or_else(|| panic!("m{i:05} got nothing"));
        assert_eq!(got.len(), 1, "m{i:05} got {} messages", got.len());
        assert!(ids.insert(got[0].message_id().unwrap()), "Message-IDs are distinct");
        let (poll, token, m) = link(got[0]);
        assert_eq!(poll, "mail-a");
        assert_eq!(m, manifest_hash, "the link holds the poll's manifest hash");
        assert!(got[0].data.contains("Dear Member"), "the template's greeting");
        tokens.push(token);
    }
    // Every token redeems, once.
    for (i, t) in tokens.iter().enumerate() {
        register(&api, t).await.unwrap_or_else(|e| panic!("m{i:05}'s token does not redeem: {e}"));
    }
    let e = api.action("/mail/resend/m00000").await.unwrap_err();
    assert_eq!(code(&e), "already_redeemed");
    let e = api.action("/mail/resend/nobody").await.unwrap_err();
    assert_eq!(code(&e), "no_such_member");
    // A second start queues nobody: every member holds a token.
    assert_eq!(api.action("/mail/send").await.unwrap()["queued"], 0);

    // 2. The refused address fixed: resend to failures, through the CLI.
    sink.accept("bounce@example.test");
    let cli = Command::new(env!("CARGO_BIN_EXE_shortlist"))
        .args(["organiser", "--server", &srv.url(), "send-tokens", "mail-a", "--resend-failed", "--wait"])
        .env("SHORTLIST_ORGANISER_KEY", KEY)
        .output()
        .unwrap();
    assert!(cli.status.success(), "{}", String::from_utf8_lossy(&cli.stderr));
    let p = wait_done(&api, Duration::from_secs(60)).await;
    assert_eq!((p["sent"].as_u64(), p["failed"].as_u64()), (Some(n as u64 + 1), Some(0)), "{p}");
    let bounce: Vec<Received> =
        sink.received().into_iter().filter(|m| m.rcpt == "bounce@example.test").collect();
    assert_eq!(bounce.len(), 1);
    register(&api, &link(&bounce[0]).1).await.unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_shortlist"))
        .args(["organiser", "--server", &srv.url(), "send-tokens", "mail-a", "--status"])
        .env("SHORTLIST_ORGANISER_KEY", KEY)
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&status.stdout);
    assert!(shown.contains(&format!("sent {}, failed 0", n + 1)), "{shown}");

    // 3. 451 for a while: delayed and retried, none lost, none failed.
    let api = srv.api("mail-b");
    make_poll(&api, "mail-b", 20, &[]).await;
    let before = sink.count();
    sink.temp_fail_until(Instant::now() + Duration::from_millis(1500));
    let t1 = Instant::now();
    api.action("/mail/send").await.unwrap();
    let p = wait_done(&api, Duration::from_secs(60)).await;
    assert_eq!((p["sent"].as_u64(), p["failed"].as_u64()), (Some(20), Some(0)), "{p}");
    let (temp, _) = sink.refusals();
    assert!(temp >= 20, "every message met a 451 first ({temp})");
    assert!(t1.elapsed() >= Duration::from_millis(1500), "nothing was accepted while the sink answered 451");
    assert_eq!(sink.count() - before, 20);
    eprintln!(
        "mail: 20 messages through {temp} answers 451 over 1.5 s, all sent in {:.1} s",
        t1.elapsed().as_secs_f64()
    );

    // 4. Resend to one member: a new message and token; the old token stops working.
    let first: Vec<Received> =
        sink.received().into_iter().filter(|m| m.rcpt == "m00003@example.test").collect();
    let old = first.iter().find(|m| link(m).0 == "mail-b").unwrap().clone();
    api.action("/mail/resend/m00003").await.unwrap();
    wait_done(&api, Duration::from_secs(60)).await;
    let again: Vec<Received> = sink
        .received()
        .into_iter()
        .filter(|m| m.rcpt == "m00003@example.test" && link(m).0 == "mail-b")
        .collect();
    assert_eq!(again.len(), 2);
    let new = &again[1];
    assert_ne!(new.message_id(), old.message_id());
    assert_ne!(link(new).1, link(&old).1);
    let e = register(&api, &link(&old).1).await.unwrap_err();
    assert_eq!(e.status(), Some(403), "the old token no longer works: {e}");
    register(&api, &link(new).1).await.unwrap();

    // Nothing on another host, nothing in the log holding a token.
    let log = std::fs::read_to_string(srv.dir.join("server.log")).unwrap();
    for t in tokens.iter().take(20) {
        assert!(!log.contains(t.as_str()), "a token in the server log");
    }
}

/// One crash run: `instances` servers on one database, the first killed
/// `kills` times at random moments while sending; returns (messages,
/// duplicate copies, resumed rows).
async fn crash_run(database_url: Option<String>, instances: usize, kills: usize) -> (usize, usize, u64) {
    let n: usize = std::env::var("MAIL_CRASH_MEMBERS").ok().and_then(|v| v.parse().ok()).unwrap_or(200);
    let dir = tempfile::tempdir().unwrap();
    let sink = Sink::start().await;
    // A rate limit makes the job last a few seconds, so the kills land mid-way.
    let mail = "rate_per_sec = 100\nconnections = 2\nlease_secs = 3\ntimeout_secs = 1\nretry_base_ms = 100\nmax_attempts = 40";
    let mut servers: Vec<Server> = (0..instances)
        .map(|i| Server::new(dir.path(), &format!("s{i}"), sink.port, mail, database_url.clone()))
        .collect();
    servers[0].start().await;
    for s in servers.iter_mut().skip(1) {
        // One deployment: the first instance's server key.
        std::fs::create_dir_all(&s.data).unwrap();
        std::fs::copy(dir.path().join("s0/data/server.key"), s.data.join("server.key")).unwrap();
        s.start().await;
    }
    let tag: u32 = rand::thread_rng().gen();
    let poll = format!("mail-crash-{tag:08x}");
    let api = servers[0].api(&poll);
    make_poll(&api, &poll, n, &[]).await;
    api.action("/mail/send").await.unwrap();
    for _ in 0..kills {
        let ms = rand::thread_rng().gen_range(50..500);
        tokio::time::sleep(Duration::from_millis(ms)).await;
        servers[0].kill();
        servers[0].start().await;
    }
    let p = wait_done(&api, Duration::from_secs(300)).await;
    assert_eq!(p["sent"], n, "{p}");
    assert_eq!(p["failed"], 0, "{p}");
    let msgs = sink.received();
    let by = by_rcpt(&msgs);
    let mut duplicates = 0;
    for i in 0..n {
        let got = by.get(&format!("m{i:05}@example.test")).unwrap_or_else(|| panic!("m{i:05} got nothing"));
        let ids: HashSet<String> = got.iter().map(|m| m.message_id().unwrap()).collect();
        assert_eq!(ids.len(), 1, "m{i:05} got {} distinct messages", ids.len());
        let tokens: HashSet<String> = got.iter().map(|m| link(m).1).collect();
        assert_eq!(tokens.len(), 1, "copies of one message hold one token");
        duplicates += got.len() - 1;
    }
    let resumed = p["resumed"].as_u64().unwrap();
    // At most one message per worker (2) per instance is accepted and not
    // yet recorded when a kill lands (spec: api §4.2).
    assert!(duplicates <= kills * 2, "{duplicates} second copies after {kills} kills of 2 workers");
    assert!(
        duplicates as u64 <= resumed,
        "every second copy comes from a resumed row ({duplicates} > {resumed})"
    );
    // A sample of the tokens redeems.
    for i in (0..n).step_by((n / 20).max(1)) {
        let t = link(by[&format!("m{i:05}@example.test")][0]).1;
        register(&api, &t).await.unwrap_or_else(|e| panic!("m{i:05}'s token does not redeem: {e}"));
    }
    (msgs.len(), duplicates, resumed)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn mail_survives_sigkill() {
    let kills: usize = std::env::var("MAIL_KILLS").ok().and_then(|v| v.parse().ok()).unwrap_or(4);
    let started = Instant::now();
    let (msgs, dups, resumed) = crash_run(None, 1, kills).await;
    eprintln!(
        "mail crash (SQLite): {kills} SIGKILLs while sending; {msgs} messages received, every member exactly one \
         distinct message; {dups} second copies of a Message-ID ({resumed} rows resumed) in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let Some(url) = fresh_postgres().await else { return };
    let started = Instant::now();
    let (msgs, dups, resumed) = crash_run(Some(url), 2, kills).await;
    eprintln!(
        "mail crash (PostgreSQL, 2 instances): {kills} SIGKILLs of one; {msgs} messages received, every member \
         exactly one distinct message; {dups} second copies ({resumed} rows resumed) in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

/// A fresh database on the server `DATABASE_URL` names, if set.
async fn fresh_postgres() -> Option<String> {
    let Ok(base) = std::env::var("DATABASE_URL") else {
        eprintln!("DATABASE_URL unset: skipping the PostgreSQL run");
        return None;
    };
    use sqlx::Connection;
    let name = format!("shortlist_mail_{:016x}", rand::thread_rng().gen::<u64>());
    let mut conn = sqlx::PgConnection::connect(&base).await.expect("connect to DATABASE_URL");
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.unwrap();
    let (head, _) = base.rsplit_once('/').expect("DATABASE_URL has a database path");
    Some(format!("{head}/{name}"))
}

/// A Python that has aiosmtpd, if any.
fn aiosmtpd_python() -> Option<String> {
    let candidates =
        [std::env::var("AIOSMTPD_PYTHON").ok(), Some("python3".into()), Some("/usr/bin/python3".into())];
    candidates.into_iter().flatten().find(|py| {
        Command::new(py)
            .args(["-m", "aiosmtpd", "--version"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

/// aiosmtpd on 127.0.0.1 storing every message in a Maildir; stopped on drop.
struct Aiosmtpd(Child);

impl Drop for Aiosmtpd {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn mail_through_aiosmtpd() {
    let Some(python) = aiosmtpd_python() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "aiosmtpd is missing: apt-get install python3-aiosmtpd (or pip install aiosmtpd)"
        );
        eprintln!("aiosmtpd is missing (apt-get install python3-aiosmtpd): skipping");
        return;
    };
    let n = 200;
    let dir = tempfile::tempdir().unwrap();
    let maildir = dir.path().join("maildir");
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let _smtpd = Aiosmtpd(
        Command::new(&python)
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{port}"),
                "-c",
                "aiosmtpd.handlers.Mailbox",
            ])
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start aiosmtpd"),
    );
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(started.elapsed() < Duration::from_secs(30), "aiosmtpd did not listen");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut srv = Server::new(dir.path(), "a", port, "rate_per_sec = 0\nconnections = 4", None);
    srv.start().await;
    let api = srv.api("mail-aio");
    let manifest_hash =
        make_poll(&api, "mail-aio", n, &[("accents", "Élodie Müller-Núñez", "elodie@example.test")]).await;
    api.action("/mail/send").await.unwrap();
    let p = wait_done(&api, Duration::from_secs(120)).await;
    assert_eq!((p["sent"].as_u64(), p["failed"].as_u64()), (Some(n as u64 + 1), Some(0)), "{p}");

    // Every message aiosmtpd stored: its recipient, its link, once each.
    let mut seen = HashSet::new();
    for file in std::fs::read_dir(maildir.join("new")).unwrap() {
        let raw = std::fs::read_to_string(file.unwrap().path()).unwrap();
        let rcpt = raw
            .lines()
            .find_map(|l| l.strip_prefix("X-RcptTo: "))
            .unwrap_or_else(|| panic!("aiosmtpd's X-RcptTo header in {raw}"))
            .trim()
            .to_string();
        assert!(seen.insert(rcpt.clone()), "{rcpt} got two messages");
        let m = Received { rcpt: rcpt.clone(), data: raw.replace('\n', "\r\n"), at: Instant::now() };
        assert!(m.message_id().is_some(), "a Message-ID in {raw}");
        let (poll, token, hash) = link(&m);
        assert_eq!((poll.as_str(), hash.as_str()), ("mail-aio", manifest_hash.as_str()));
        register(&api, &token).await.unwrap_or_else(|e| panic!("{rcpt}'s token does not redeem: {e}"));
        if rcpt == "elodie@example.test" {
            assert!(raw.contains("Subject:") && raw.contains("Content-Type: text/html"), "{raw}");
        }
    }
    assert_eq!(seen.len(), n + 1, "every member once");
    eprintln!("aiosmtpd ({python}): {} messages stored, each once, every token redeemed", n + 1);
}
