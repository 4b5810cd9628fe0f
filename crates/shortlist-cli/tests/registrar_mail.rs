//! The registrar's e-mail job (issue 11 build 2; spec: api §10, board
//! §4.12.1) against a real SMTP server on 127.0.0.1 (`smtp_sink`, in this
//! process), a real `shortlist serve` and the real `shortlist registrar`
//! binary: `issue` posts the list of `REGISTRAR_MAIL_MEMBERS` members
//! (default 200); `registrar mail` is SIGKILLed at random moments while the
//! sink answers 451 for a while, and run again until it finishes. Then every
//! member but one has exactly one distinct message (copies of one Message-ID,
//! the in-doubt ones, are at most what `mail-status` reports sent again),
//! whose link holds their credential; the address answered 550 is failed
//! with its reason in `mail-status`; `--resend MEMBER` and `--resend-failed`
//! mail again. The mail settings say `lang = "fr"`: every message is the
//! French default template from the catalogue.
//!
//! `REGISTRAR_MAIL_MEMBERS=10000 cargo test --release -p shortlist-cli --test registrar_mail -- --nocapture`
//! runs the long variant; `REGISTRAR_MAIL_KILLS` sets the number of kill
//! rounds (default 4; 0 for a sending benchmark, whose rate limit is
//! half the members per second, the 451 second included in the time);
//! `REGISTRAR_MAIL_CONNECTIONS` the SMTP connections (default 4).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic, missing_docs)]

mod smtp_sink;

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rand::Rng;
use serde_json::json;
use shortlist_cli::http::Http;
use shortlist_client::Api;
use shortlist_crypto::credential::CredentialSecret;
use smtp_sink::Sink;

const KEY: &str = "registrar-mail-organiser-key-0123456789";

fn shortlist() -> Command {
    Command::new(env!("CARGO_BIN_EXE_shortlist"))
}

struct Serve(Child);

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn serve(dir: &Path) -> (Serve, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let config = dir.join("server.toml");
    std::fs::write(
        &config,
        "[limits]\nper_client_per_sec = 0\nper_credential_per_min = 0\nconnections_per_client = 0\n",
    )
    .unwrap();
    let child = shortlist()
        .args(["serve", "--bind", &format!("127.0.0.1:{port}"), "--data-dir"])
        .arg(dir.join("data"))
        .arg("--config")
        .arg(&config)
        .env("SHORTLIST_ORGANISER_KEY", KEY)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let url = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let started = Instant::now();
    while !client.get(format!("{url}/healthz")).send().await.is_ok_and(|r| r.status().is_success()) {
        assert!(started.elapsed() < Duration::from_secs(30), "the server did not start");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    (Serve(child), url)
}

fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn registrar_mail_survives_sigkill_retries_4xx_and_fails_5xx() {
    let n: usize = std::env::var("REGISTRAR_MAIL_MEMBERS").ok().and_then(|v| v.parse().ok()).unwrap_or(200);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (_server, url) = serve(d).await;
    let pass = d.join("pass");
    std::fs::write(&pass, "correct horse battery").unwrap();
    let rkey = d.join("registrar.key");
    let registrar = || {
        let mut c = shortlist();
        c.arg("registrar").arg("--key").arg(&rkey).arg("--passphrase-file").arg(&pass);
        c
    };
    run(registrar().arg("keygen"));
    let rpub = shortlist_cli::registrar::public_key(&rkey, &pass).unwrap();

    let t0 = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    let trustees: Vec<CredentialSecret> =
        (0..2).map(|_| CredentialSecret::generate(&mut rand::rngs::OsRng)).collect();
    let manifest = json!({
        "poll_id": "regmail", "title": "Registrar mail",
        "timetable": { "nominations_close": t0 + 3600, "voting_open": t0 + 3600, "voting_close": t0 + 7200 },
        "contests": [{ "contest_id": 1, "title": "One", "seats": 1, "min_selections": 0, "max_selections": 1 }],
        "trustees": trustees.iter().enumerate()
            .map(|(i, k)| json!({"name": format!("T{i}"), "key": hex::encode(k.public_key().to_bytes())}))
            .collect::<Vec<_>>(),
        "threshold": 2, "revote": "last", "registrar_key": rpub,
    });
    let api = Api::new(Http::new(&url).unwrap(), "regmail").with_organiser_key(KEY);
    api.create_poll(&manifest).await.unwrap();

    let mut roll = String::from("member_id,name,email\n");
    for i in 0..n {
        roll.push_str(&format!("m{i:05},Member {i},m{i:05}@example.test\n"));
    }
    roll.push_str("bad,Bad Address,bad@example.test\n");
    let roll_file = d.join("roll.csv");
    std::fs::write(&roll_file, roll).unwrap();
    let out = d.join("credentials.csv");
    let server = ["--server", url.as_str(), "--poll", "regmail"];
    run(registrar()
        .arg("issue")
        .args(server)
        .arg("--roll")
        .arg(&roll_file)
        .arg("--out")
        .arg(&out)
        .arg("--index")
        .arg(d.join("index.csv"))
        .args(["--public-url", "https://vote.example.test"]));

    let sink = Sink::start().await;
    sink.reject("bad@example.test");
    // 451 to everything for the first second: retried with back-off.
    sink.temp_fail_until(Instant::now() + Duration::from_millis(1000));
    let conns: u32 =
        std::env::var("REGISTRAR_MAIL_CONNECTIONS").ok().and_then(|v| v.parse().ok()).unwrap_or(4);
    let mail = d.join("mail.toml");
    std::fs::write(
        &mail,
        format!(
            "smtp_host = \"127.0.0.1\"\nsmtp_port = {}\ntls = \"none\"\nfrom = \"Registrar <registrar@example.test>\"\n\
             public_url = \"https://vote.example.test\"\nretry_base_ms = 150\nrate_per_sec = {}\nlang = \"fr\"\nconnections = {conns}\n",
            sink.port,
            (n / 2).max(20)
        ),
    )
    .unwrap();
    let mail_job = || {
        let mut c = registrar();
        c.arg("mail").args(server).arg("--out").arg(&out).arg("--mail").arg(&mail);
        c
    };
    let status = || {
        let o = run(registrar().arg("mail-status").arg("--out").arg(&out));
        String::from_utf8(o.stdout).unwrap()
    };
    // Killed at random moments, then run to the end.
    let started = Instant::now();
    let mut kills = 0;
    let rounds: usize = std::env::var("REGISTRAR_MAIL_KILLS").ok().and_then(|v| v.parse().ok()).unwrap_or(4);
    for _ in 0..rounds {
        let mut child = mail_job().stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        let wait = rand::thread_rng().gen_range(150..900);
        tokio::time::sleep(Duration::from_millis(wait)).await;
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap(); // SIGKILL
            kills += 1;
        }
        child.wait().unwrap();
        println!("after kill {kills}: {}", status().lines().next().unwrap_or(""));
    }
    // The last run to the end, its peak resident memory read while it runs.
    let mut child = mail_job().stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let mut peak_kib = 0u64;
    while child.try_wait().unwrap().is_none() {
        let status = std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap_or_default();
        let hwm = status.lines().find_map(|l| l.strip_prefix("VmHWM:"));
        peak_kib =
            peak_kib.max(hwm.and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok()).unwrap_or(0));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let last = child.wait_with_output().unwrap();
    assert!(last.status.success(), "{}", String::from_utf8_lossy(&last.stderr));
    let elapsed = started.elapsed();
    println!("{}", String::from_utf8_lossy(&last.stdout));

    // Every member but the refused one: exactly one distinct message, whose link holds their credential.
    let delivery = std::fs::read_to_string(&out).unwrap();
    let credential: HashMap<String, String> = delivery
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect::<Vec<_>>())
        .map(|f| (f[2].to_string(), f[3].to_string()))
        .collect();
    let received = sink.received();
    let mut ids: HashMap<String, HashSet<String>> = HashMap::new();
    for m in &received {
        let text = m.readable();
        let c = &credential[&m.rcpt];
        assert!(
            text.contains(&format!("/p/regmail/booth#c={c}&m=")),
            "the link holds the member's credential"
        );
        // `lang = "fr"`: the default template is the French catalogue's.
        assert!(text.contains("Bonjour Member ") && text.contains("<html lang=\"fr\">"), "French: {text}");
        ids.entry(m.rcpt.clone()).or_default().insert(m.message_id().unwrap());
    }
    assert_eq!(ids.len(), n, "every member but the refused one got a message");
    assert!(ids.values().all(|s| s.len() == 1), "one distinct message each");
    assert!(!ids.contains_key("bad@example.test"));
    let copies = received.len() - n;
    let s = status();
    println!("{s}");
    let resumed: usize = s.split("; ").nth(1).and_then(|t| t.split(' ').next()).unwrap().parse().unwrap();
    assert!(copies <= resumed, "{copies} copies, at most the {resumed} in doubt");
    assert!(
        s.starts_with(&format!("{} members: 0 queued (0 waiting to retry), {n} sent, 1 failed", n + 1)),
        "{s}"
    );
    assert!(s.contains("failed   bad <bad@example.test>: refused:") && s.contains("550"), "{s}");
    let (temp, rejected) = sink.refusals();
    assert!(temp > 0 && rejected > 0, "the sink answered 451 ({temp}) and 550 ({rejected})");
    println!(
        "{n} members, {kills} SIGKILLs, {temp} 451s: {} messages ({copies} copies of one in doubt) in {:.1} s, \
         {:.0} messages/s; the mail job's peak resident memory {:.1} MiB",
        received.len(),
        elapsed.as_secs_f64(),
        received.len() as f64 / elapsed.as_secs_f64(),
        peak_kib as f64 / 1024.0
    );

    // Resend to one member: a new message (a new Message-ID), the same credential.
    run(mail_job().args(["--resend", "m00003"]));
    let again: Vec<_> = sink.received().into_iter().filter(|m| m.rcpt == "m00003@example.test").collect();
    let distinct: HashSet<String> = again.iter().map(|m| m.message_id().unwrap()).collect();
    assert_eq!(distinct.len(), 2);
    // Resend to every failure, once the address accepts mail.
    sink.accept("bad@example.test");
    let o = run(mail_job().arg("--resend-failed"));
    assert!(String::from_utf8_lossy(&o.stdout).contains("1 members queued to be sent again"));
    assert_eq!(sink.received().iter().filter(|m| m.rcpt == "bad@example.test").count(), 1);
    assert!(status().starts_with(&format!(
        "{} members: 0 queued (0 waiting to retry), {} sent, 0 failed",
        n + 1,
        n + 1
    )));
    // An unknown member is refused and changes nothing.
    let o = mail_job().args(["--resend", "nobody"]).output().unwrap();
    assert!(!o.status.success());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(d.join("credentials.csv.mail")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
