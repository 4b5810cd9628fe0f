//! The web pages in a real browser (issue 13): a real poll on an embedded
//! server (SQLite in a temporary directory, loopback HTTP), driven through
//! its phases by the client library, while Debian's Chromium, through
//! playwright-core (`tests/browser/run.mjs`), plays candidates, members and
//! anyone else at a phone and a desktop viewport, scans every page with
//! axe-core and keeps screenshots under `target/browser-screenshots/`.
//! Then the record is downloaded and verified here, with the browser's
//! ballots in it.
//!
//! Skips, saying why, when node, the npm packages (`npm ci` in
//! `tests/browser`), Chromium or the WebAssembly build are missing; with
//! `SHORTLIST_BROWSER_TESTS=1` (CI) a missing piece is a failure.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic, missing_docs)]

use shortlist_cli::http::Http;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use serde_json::{json, Value};
use shortlist_client::board::PollView;
use shortlist_client::trustee::Trustee;
use shortlist_client::Api;
use shortlist_crypto::credential::CredentialSecret;
use shortlist_server::clock::ManualClock;

mod common;

const POLL: &str = "members-shortlist";
const ORGANISER_KEY: &str = "browser-organiser-key-0123456789abcdef";
const DAY: u64 = 86_400;
/// Members on the roll: the browser scenarios use them in order.
const MEMBERS: usize = 16;

/// What the browser run needs.
struct Env {
    node: PathBuf,
    chromium: PathBuf,
    dir: PathBuf,
    shots: PathBuf,
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// The browser toolchain, or `None` (skip) with the reason printed; under
/// `SHORTLIST_BROWSER_TESTS=1` a missing piece fails the test.
fn env() -> Option<Env> {
    let mandatory = std::env::var("SHORTLIST_BROWSER_TESTS").is_ok_and(|v| v == "1");
    let root = workspace();
    let dir = root.join("tests/browser");
    let node = PathBuf::from(std::env::var("SHORTLIST_NODE").unwrap_or_else(|_| "node".into()));
    let chromium =
        PathBuf::from(std::env::var("SHORTLIST_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()));
    let mut missing = Vec::new();
    if !Command::new(&node).arg("--version").output().is_ok_and(|o| o.status.success()) {
        missing.push(format!("node ({})", node.display()));
    }
    for package in ["playwright-core", "axe-core"] {
        if !dir.join("node_modules").join(package).join("package.json").exists() {
            missing.push(format!("the npm package {package} (run `npm ci` in tests/browser)"));
        }
    }
    if !chromium.exists() {
        missing.push(format!("Chromium at {} (apt-get install chromium)", chromium.display()));
    }
    if !root.join("web/pkg/shortlist_wasm.js").exists() {
        missing.push("the WebAssembly build in web/pkg".into());
    }
    if missing.is_empty() {
        let shots = root.join("target/browser-screenshots");
        return Some(Env { node, chromium, dir, shots });
    }
    let why = format!("browser tests need {}", missing.join(", "));
    assert!(!mandatory, "SHORTLIST_BROWSER_TESTS=1 but {why} (.ci/browser-setup installs them)");
    eprintln!("skipping: {why}; .ci/browser-setup installs them");
    None
}

/// Runs one phase of the browser scenarios; returns what the script wrote.
async fn browser(env: &Env, phase: &str, config: Value) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config.json");
    let out = dir.path().join("out.json");
    let mut config = config;
    config["phase"] = phase.into();
    config["chromium"] = env.chromium.to_string_lossy().into();
    config["screenshots"] = env.shots.to_string_lossy().into();
    config["out"] = out.to_string_lossy().into();
    std::fs::write(&cfg, serde_json::to_vec_pretty(&config).unwrap()).unwrap();
    let (node, script) = (env.node.clone(), env.dir.join("run.mjs"));
    let status = tokio::task::spawn_blocking(move || Command::new(node).arg(script).arg(cfg).status())
        .await
        .unwrap()
        .expect("run node");
    assert!(status.success(), "browser phase {phase} failed (see its output above)");
    serde_json::from_slice(&std::fs::read(&out).unwrap_or_else(|_| b"{}".to_vec())).unwrap()
}

fn manifest(now: u64, trustees: &[CredentialSecret]) -> Value {
    json!({
        "poll_id": POLL,
        "title": "Members' shortlist for the council slate",
        "timetable": { "nominations_close": now + 3 * DAY, "voting_open": now + 4 * DAY, "voting_close": now + 11 * DAY },
        // Two contests: the booth casts one list per contest (issue 10, defect 7).
        "contests": [{
            "contest_id": 1, "title": "Council slate", "seats": 3, "min_selections": 1, "max_selections": 3,
            "slate_rules": [{ "attribute": "gender", "value": "woman", "min_seats": 2 }]
        }, {
            "contest_id": 2, "title": "Treasurer", "seats": 1, "min_selections": 0, "max_selections": 1
        }],
        "trustees": trustees.iter().enumerate()
            .map(|(i, k)| json!({ "name": format!("Trustee {}", i + 1), "key": hex::encode(k.public_key().to_bytes()) }))
            .collect::<Vec<_>>(),
        "threshold": 2,
        "revote": "last"
    })
}

/// Candidates the organiser enters directly, beside the two the browser sends.
const ENTERED: [(&str, &str, &str); 6] = [
    ("Amara Okafor", "woman", "Twelve years on the housing committee.\n\nI will publish every decision."),
    ("Ben Hughes", "man", "Transport campaigner."),
    ("Chloe Martin", "woman", "Treasurer of the branch since 2021."),
    ("Dev Patel", "man", "Youth organiser."),
    ("Elena Rossi", "woman", "Union representative."),
    ("Finn O'Brien", "man", "Runs the food bank."),
];

/// Candidates for the second contest.
const TREASURER: [(&str, &str, &str); 2] =
    [("Grace Lee", "woman", "Accountant."), ("Hamid Karimi", "man", "Runs the credit union.")];

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pages_in_chromium_at_phone_and_desktop_sizes() {
    let Some(env) = env() else { return };

    // The embedded server, with a clock the test moves.
    let dir = tempfile::tempdir().unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let clock = ManualClock::new(now);
    // One browser, one address: no per-client limit.
    let server =
        common::Loopback::start(dir.path(), ORGANISER_KEY, &clock, common::one_client_limits()).await;
    let base = server.url.clone();
    let http = Http::new(&base).unwrap();
    let api = Arc::new(Api::new(http, POLL).with_organiser_key(ORGANISER_KEY));

    // Setup and nominations.
    let keys: Vec<CredentialSecret> =
        (0..3).map(|_| CredentialSecret::generate(&mut rand::rngs::OsRng)).collect();
    let created = api.create_poll(&manifest(now, &keys)).await.unwrap();
    let manifest_hash = created["manifest_hash"].as_str().unwrap().to_string();
    api.action("/nominations/open").await.unwrap();
    let tokens =
        api.post("/candidate-tokens", true, json!({ "labels": ["phone", "desktop"] })).await.unwrap();
    let candidate_tokens: Vec<String> =
        tokens.as_array().unwrap().iter().map(|t| t["token"].as_str().unwrap().to_string()).collect();
    let common = json!({ "base": base, "poll": POLL, "manifest_hash": manifest_hash });
    let mut cfg = common.clone();
    cfg["candidate_tokens"] = json!(candidate_tokens);
    browser(&env, "nominations", cfg).await;

    // The browser's expressions of interest arrived; the organiser approves them.
    let nominations = api.get_org("/nominations").await.unwrap();
    let nominations = nominations.as_array().unwrap();
    assert_eq!(nominations.len(), 2, "one expression of interest per viewport: {nominations:?}");
    for n in nominations {
        assert_eq!(n["status"], "pending");
        assert_eq!(n["candidate"]["attributes"]["gender"], "woman");
        api.action(&format!("/nominations/{}/approve", n["id"].as_str().unwrap())).await.unwrap();
    }
    for (name, gender, statement) in ENTERED {
        api.enter_candidate(1, name, statement, &[("gender", gender)]).await.unwrap();
    }
    for (name, gender, statement) in TREASURER {
        api.enter_candidate(2, name, statement, &[("gender", gender)]).await.unwrap();
    }

    // The key ceremony, the roll, the tokens; voting opens.
    let view = PollView::fetch(api.as_ref()).await.unwrap();
    let mut trustees =
        shortlist_client::ceremony::run_in_one_process(api.as_ref(), &view, &keys).await.unwrap();
    clock.set(now + 3 * DAY);
    api.action("/nominations/close").await.unwrap();
    let mut roll = String::from("member_id,name,email\n");
    for i in 0..MEMBERS {
        roll.push_str(&format!("M{i:03},Member {i},m{i}@example.org\n"));
    }
    api.import_roll(&roll).await.unwrap();
    let csv = api.issue_tokens().await.unwrap();
    // The server's booth link is the one the page reads: token and manifest hash in the fragment.
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (token_col, path_col) = (col("token"), col("booth_path"));
    let mut member_tokens = Vec::new();
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        let token = cells[token_col].to_string();
        assert_eq!(cells[path_col], format!("/p/{POLL}/booth#t={token}&m={manifest_hash}"));
        member_tokens.push(token);
    }
    assert_eq!(member_tokens.len(), MEMBERS);
    clock.set(now + 4 * DAY + 3600);
    api.action("/voting/open").await.unwrap();

    // Voting, in the browser. The script asks this control server to close
    // voting in the middle of its last scenario (a cast after the close).
    let control = control_server(api.clone(), clock.clone(), now + 11 * DAY).await;
    let mut cfg = common.clone();
    cfg["member_tokens"] = json!(member_tokens);
    cfg["control"] = control.into();
    let voted = browser(&env, "voting", cfg).await;
    let status = api.get("/status").await.unwrap();
    assert_eq!(status["phase"], "closed", "the browser's last scenario closed voting");

    // Every ballot the browser cast is on the board, with its receipt.
    let codes: Vec<String> = voted["tracking_codes"]
        .as_array()
        .expect("tracking codes from the browser")
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    assert!(codes.len() >= 8, "the browser cast at least 8 ballots: {codes:?}");
    for code in &codes {
        let r = api.get(&format!("/receipts/{code}")).await.unwrap();
        assert!(r["index"].as_u64().is_some(), "{code}");
    }
    let ballots = status["by_kind"]["ballot"].as_u64().unwrap();
    let audits = status["by_kind"]["spoiled-ballot"].as_u64().unwrap_or(0);
    assert_eq!(
        ballots,
        u64::try_from(codes.len()).unwrap(),
        "one ballot per cast the browser saw (retries repeat)"
    );
    assert_eq!(audits, voted["audits"].as_u64().unwrap(), "the audited ballots");

    // The tally.
    api.action("/tally").await.unwrap();
    for t in trustees.iter_mut().take(2) {
        t.decrypt(api.as_ref()).await.unwrap();
    }
    let result = api.get("/result").await.unwrap();
    let total = |c: usize| -> u64 {
        result["contests"][c]["rows"].as_array().unwrap().iter().map(|r| r["count"].as_u64().unwrap()).sum()
    };
    assert!(total(0) > 0, "{result}");
    assert!(total(1) > 0, "the booth's choices in the second contest count: {result}");

    // The record verifies here; a tampered copy fails, at steps the page must name too.
    let record = api.record().await.unwrap();
    let anchor: [u8; 32] = hex::decode(&manifest_hash).unwrap().try_into().unwrap();
    let good = dir.path().join("good.record");
    std::fs::write(&good, &record).unwrap();
    let report = shortlist_board::verify::verify_path(&good, Vec::new(), None, Some(anchor), |_| {}).unwrap();
    assert!(report.passed(), "{report}");
    let mut bad = record.clone();
    let mid = bad.len() / 2;
    bad[mid] ^= 0x01;
    let bad_path = dir.path().join("tampered.record");
    std::fs::write(&bad_path, &bad).unwrap();
    let tampered =
        shortlist_board::verify::verify_path(&bad_path, Vec::new(), None, Some(anchor), |_| {}).unwrap();
    assert!(!tampered.passed());
    let steps: Vec<&str> = report.steps.iter().map(|s| s.id).collect();
    let mut cfg = common.clone();
    cfg["steps"] = json!(steps);
    cfg["tampered_record"] = bad_path.to_string_lossy().into();
    cfg["tampered_failed"] = json!(tampered.failed_steps());
    cfg["counts"] = json!(result["contests"][0]["rows"]);
    cfg["fresh_token"] = json!(member_tokens.last());
    browser(&env, "done", cfg).await;

    server.stop().await;
}

/// A loopback server the browser script calls to move the poll on:
/// `POST /close-voting` sets the clock to the close and closes voting.
async fn control_server(api: Arc<Api<Http>>, clock: ManualClock, close: u64) -> String {
    use axum::routing::post;
    let app = axum::Router::new().route(
        "/close-voting",
        post(move || {
            let (api, clock) = (api.clone(), clock.clone());
            async move {
                clock.set(close);
                match api.action("/voting/close").await {
                    Ok(_) => "closed".to_string(),
                    Err(e) => format!("error: {e}"),
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

// ------------------------------------------------------------ organiser console

const CONSOLE_POLL: &str = "console-poll";

/// Runs `tests/browser/console.mjs` with `config`; returns what it wrote.
async fn console_script(env: &Env, config: Value) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let (cfg, out) = (dir.path().join("config.json"), dir.path().join("out.json"));
    let mut config = config;
    config["chromium"] = env.chromium.to_string_lossy().into();
    config["screenshots"] = env.shots.join("console").to_string_lossy().into();
    config["out"] = out.to_string_lossy().into();
    std::fs::write(&cfg, serde_json::to_vec_pretty(&config).unwrap()).unwrap();
    let (node, script) = (env.node.clone(), env.dir.join("console.mjs"));
    let status = tokio::task::spawn_blocking(move || Command::new(node).arg(script).arg(cfg).status())
        .await
        .unwrap()
        .expect("run node");
    assert!(status.success(), "the console's browser run failed (see its output above)");
    serde_json::from_slice(&std::fs::read(&out).unwrap_or_else(|_| b"{}".to_vec())).unwrap()
}

/// The organiser console in Chromium (issue 10, build item 4): the browser
/// signs in with the organiser key and runs a whole poll from the console —
/// phases, a nomination approved and one rejected, the roll uploaded from a
/// file, the tokens downloaded, two members voting in the booth with links
/// from that download, the tally and the result — while this test plays
/// the trustees and moves the clock when the script asks (a control
/// server). Screenshots under `target/browser-screenshots/console/`.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn organiser_console_in_chromium_at_phone_and_desktop_sizes() {
    let Some(env) = env() else { return };
    let dir = tempfile::tempdir().unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let clock = ManualClock::new(now);
    // E-mail on, to a closed port: the console's Sending panel shows a queue.
    let mail = Some(common::mail_to_a_closed_port());
    let server = common::Loopback::start_with_mail(
        dir.path(),
        ORGANISER_KEY,
        &clock,
        common::one_client_limits(),
        mail,
    )
    .await;
    let base = server.url.clone();
    let api = Arc::new(Api::new(Http::new(&base).unwrap(), CONSOLE_POLL).with_organiser_key(ORGANISER_KEY));

    // The poll exists (created from the command line); three candidates entered.
    let keys: Vec<CredentialSecret> =
        (0..3).map(|_| CredentialSecret::generate(&mut rand::rngs::OsRng)).collect();
    let mut m = manifest(now, &keys);
    m["poll_id"] = CONSOLE_POLL.into();
    m["title"] = "Branch committee election".into();
    m["contests"][0]["slate_rules"] = json!([]);
    // One contest: the console's scenario stands candidates in the first only.
    m["contests"] = json!([m["contests"][0].clone()]);
    // Dates in a zone of its own, as the console shows and reads them.
    m["timetable"]["time_zone"] = "+02:00".into();
    api.create_poll(&m).await.unwrap();
    for (name, gender, statement) in ENTERED.iter().take(3) {
        api.enter_candidate(1, name, statement, &[("gender", gender)]).await.unwrap();
    }
    let trustees: Vec<Trustee> = keys
        .iter()
        .zip(1u16..)
        .map(|(k, i)| Trustee::new(i, CredentialSecret::from_secret_bytes(&k.expose_secret_bytes())))
        .collect();
    let control = console_control(api.clone(), clock.clone(), now, trustees).await;
    let out = console_script(
        &env,
        json!({ "base": base, "poll": CONSOLE_POLL, "key": ORGANISER_KEY, "control": control }),
    )
    .await;

    // What the browser did is what the board holds.
    let status = api.get("/status").await.unwrap();
    assert_eq!(status["phase"], "done", "{status}");
    // Four from the file, and one added late and sent a link by e-mail.
    assert_eq!(status["members"], 5);
    assert_eq!(status["by_kind"]["ballot"], out["ballots"], "{status}");
    let queue = api.get_org("/mail").await.unwrap();
    assert_eq!(queue["queued"], 1, "{queue}");
    let nominations = api.get_org("/nominations").await.unwrap();
    let statuses: Vec<&str> =
        nominations.as_array().unwrap().iter().map(|n| n["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["approved", "rejected"]);
    // The voting deadline the console moved a day later.
    let timetable = api.get("/timetable").await.unwrap();
    assert_eq!(timetable["amendments"].as_array().unwrap().len(), 1, "{timetable}");
    assert_eq!(timetable["current"]["voting_close"], (now + 11 * DAY) / 60 * 60 + DAY, "{timetable}");
    let result = api.get("/result").await.unwrap();
    let total: u64 =
        result["contests"][0]["rows"].as_array().unwrap().iter().map(|r| r["count"].as_u64().unwrap()).sum();
    assert!(total >= 2, "{result}");
    let record = api.record().await.unwrap();
    let path = dir.path().join("console.record");
    std::fs::write(&path, &record).unwrap();
    let report = shortlist_board::verify::verify_path(&path, Vec::new(), None, None, |_| {}).unwrap();
    assert!(report.passed(), "{report}");

    server.stop().await;
}

/// What the console's browser run cannot do itself: candidates sending
/// expressions of interest, the trustees' work, and time passing.
async fn console_control(
    api: Arc<Api<Http>>,
    clock: ManualClock,
    now: u64,
    trustees: Vec<Trustee>,
) -> String {
    use axum::extract::Path as AxPath;
    use axum::routing::post;
    let trustees = Arc::new(tokio::sync::Mutex::new(trustees));
    let app = axum::Router::new().route(
        "/{step}",
        post(move |AxPath(step): AxPath<String>| {
            let (api, clock, trustees) = (api.clone(), clock.clone(), trustees.clone());
            async move {
                let r: Result<(), String> = async {
                    let e = |e: shortlist_client::ClientError| e.to_string();
                    match step.as_str() {
                        "nominate" => {
                            let t = api.post("/candidate-tokens", true, json!({ "labels": ["g", "h"] })).await.map_err(e)?;
                            for (i, name) in ["Grace Lin", "Hugo Marsh"].iter().enumerate() {
                                let candidate = json!({ "contest_id": 1, "name": name, "statement": "Ten years organising tenants.", "attributes": {} });
                                let body = json!({ "token": t[i]["token"], "candidate": candidate });
                                api.post("/expressions-of-interest", false, body).await.map_err(e)?;
                                // A second apart: the list is by arrival time, and two
                                // in one second fall back to the token's hash order.
                                clock.advance(1);
                            }
                        }
                        "ceremony" => {
                            let view = PollView::fetch(api.as_ref()).await.map_err(e)?;
                            let mut ts = trustees.lock().await;
                            for t in ts.iter_mut() {
                                t.commit(api.as_ref(), &view).await.map_err(e)?;
                            }
                            for t in ts.iter_mut() {
                                t.send_shares(api.as_ref(), &view).await.map_err(e)?;
                            }
                            for t in ts.iter_mut() {
                                t.receive_shares(api.as_ref(), &view).await.map_err(e)?;
                            }
                        }
                        "nominations-deadline" => clock.set(now + 3 * DAY),
                        "voting-opens" => clock.set(now + 4 * DAY + 3600),
                        // The deadline in force: the console moves it.
                        "voting-deadline" => {
                            let t = api.get("/timetable").await.map_err(e)?;
                            let close = t["current"]["voting_close"].as_u64().ok_or("no voting_close")?;
                            clock.set(close);
                        }
                        "decrypt" => {
                            for t in trustees.lock().await.iter_mut().take(2) {
                                t.decrypt(api.as_ref()).await.map_err(e)?;
                            }
                        }
                        other => return Err(format!("no step {other}")),
                    }
                    Ok(())
                }
                .await;
                match r {
                    Ok(()) => "ok".to_string(),
                    Err(e) => format!("error: {e}"),
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

// ------------------------------------------------------------ registrar mode

/// Registrar mode in Chromium (issue 11; spec: board §4.12.1): the registrar
/// posts the signed list of credential keys; at a phone and a desktop
/// viewport a member opens the registrar's `…/booth#c=SECRET&m=HASH` link,
/// votes and gets a receipt (`tests/browser/registrar.mjs`; screenshots
/// under `target/browser-screenshots/registrar/`); a mistyped credential is
/// refused on the page. The ballots are on the board, and the record
/// verifies with V4.9.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn registrar_booth_link_votes_in_chromium() {
    use shortlist_board::registrar::MemberCredential;
    let Some(env) = env() else { return };
    let dir = tempfile::tempdir().unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let clock = ManualClock::new(now);
    let server =
        common::Loopback::start(dir.path(), ORGANISER_KEY, &clock, common::one_client_limits()).await;
    let base = server.url.clone();
    let poll = "registrar-booth";
    let api = Api::new(Http::new(&base).unwrap(), poll).with_organiser_key(ORGANISER_KEY);
    let keys: Vec<CredentialSecret> =
        (0..3).map(|_| CredentialSecret::generate(&mut rand::rngs::OsRng)).collect();
    let registrar = CredentialSecret::generate(&mut rand::rngs::OsRng);
    let mut m = manifest(now, &keys);
    m["poll_id"] = poll.into();
    m["contests"] = json!([{ "contest_id": 1, "title": "Council slate", "seats": 2, "min_selections": 1, "max_selections": 2 }]);
    m["registrar_key"] = hex::encode(registrar.public_key().to_bytes()).into();
    let created = api.create_poll(&m).await.unwrap();
    let manifest_hash = created["manifest_hash"].as_str().unwrap().to_string();
    let hm: [u8; 32] = hex::decode(&manifest_hash).unwrap().try_into().unwrap();
    api.action("/nominations/open").await.unwrap();
    for (name, gender, statement) in ENTERED.iter().take(3) {
        api.enter_candidate(1, name, statement, &[("gender", gender)]).await.unwrap();
    }
    let view = PollView::fetch(&api).await.unwrap();
    let mut trustees = shortlist_client::ceremony::run_in_one_process(&api, &view, &keys).await.unwrap();
    clock.set(now + 3 * DAY);
    api.action("/nominations/close").await.unwrap();
    // The registrar: four members' credentials, the signed list on the board.
    let members: Vec<MemberCredential> =
        (0..4).map(|_| MemberCredential::generate(&mut rand::rngs::OsRng)).collect();
    let listed = shortlist_cli::registrar::derive_keys(&members, &hm);
    shortlist_cli::registrar::post_keys(&api, &registrar, &hm, listed, true).await.unwrap();
    clock.set(now + 4 * DAY + 3600);
    api.action("/voting/open").await.unwrap();

    let cfg_dir = tempfile::tempdir().unwrap();
    let (cfg, out) = (cfg_dir.path().join("config.json"), cfg_dir.path().join("out.json"));
    let credentials: Vec<String> = members.iter().take(2).map(|c| c.to_text().to_string()).collect();
    let config = json!({
        "base": base, "poll": poll, "manifest_hash": manifest_hash, "credentials": credentials,
        "chromium": env.chromium.to_string_lossy(), "screenshots": env.shots.join("registrar").to_string_lossy(),
        "out": out.to_string_lossy(),
    });
    std::fs::write(&cfg, serde_json::to_vec_pretty(&config).unwrap()).unwrap();
    let (node, script) = (env.node.clone(), env.dir.join("registrar.mjs"));
    let status = tokio::task::spawn_blocking(move || Command::new(node).arg(script).arg(cfg).status())
        .await
        .unwrap()
        .expect("run node");
    assert!(status.success(), "the registrar booth's browser run failed (see its output above)");
    let voted: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let codes = voted["tracking_codes"].as_array().unwrap();
    assert_eq!(codes.len(), 2, "one ballot per viewport: {voted}");
    for code in codes {
        let r = api.get(&format!("/receipts/{}", code.as_str().unwrap())).await.unwrap();
        assert!(r["index"].as_u64().is_some(), "{code}");
    }

    clock.set(now + 11 * DAY);
    api.action("/voting/close").await.unwrap();
    api.action("/tally").await.unwrap();
    for t in trustees.iter_mut().take(2) {
        t.decrypt(&api).await.unwrap();
    }
    let result = api.get("/result").await.unwrap();
    assert_eq!(result["turnout"]["credentials"], 4, "{result}");
    assert_eq!(result["turnout"]["ballots_counted"], 2, "{result}");
    let path = dir.path().join("registrar.record");
    std::fs::write(&path, api.record().await.unwrap()).unwrap();
    let report = shortlist_board::verify::verify_path(&path, Vec::new(), None, Some(hm), |_| {}).unwrap();
    assert!(report.passed(), "{report}");
    assert_eq!(report.turnout.credentials, 4);
    server.stop().await;
}
