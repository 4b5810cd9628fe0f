//! The frictions of a real poll run from the command line (issue 10): a
//! poll with two contests voted on end to end with one `--choose` per
//! contest; `verify` on a poll in progress passes at every phase; a failed
//! `vote register` can be retried; `vote check` says whether a ballot was
//! replaced or counted; upper-case tokens and `--choose "1, 2"`; `verify`
//! from `SHORTLIST_SERVER`/`SHORTLIST_POLL`; "no such poll"; "voting has not
//! opened" says when it opens.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, missing_docs)]

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use shortlist_client::board::PollView;
use shortlist_client::member::{ballot_status, BallotStatus};
use shortlist_client::Api;
use shortlist_server::clock::ManualClock;
use shortlist_server::limits::Limits;

mod common;

const T0: u64 = 1_900_000_000;
const ORGANISER_KEY: &str = "frictions-organiser-key-0123456789";
const POLL: &str = "two-contests";

fn shortlist(args: &[&str]) -> ExitCode {
    let mut argv = vec!["shortlist"];
    argv.extend_from_slice(args);
    shortlist_cli::run(argv)
}

#[track_caller]
fn ok(args: &[&str]) {
    assert_eq!(shortlist(args), ExitCode::SUCCESS, "shortlist {}", args.join(" "));
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Two contests: a board (2 of 3 candidates) and a treasurer (1 of 2).
fn manifest(dir: &Path, keys: &[String]) -> PathBuf {
    let contests = "[[contests]]\ncontest_id = 1\ntitle = \"Board\"\nseats = 2\nmin_selections = 0\nmax_selections = 2\n\n\
                    [[contests]]\ncontest_id = 2\ntitle = \"Treasurer\"\nseats = 1\nmin_selections = 0\nmax_selections = 1\n\n";
    common::manifest_toml(dir, POLL, "Board and treasurer", T0, contests, keys)
}

fn status_of(receipt: &Path) -> (u64, Vec<u8>) {
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(receipt).unwrap()).unwrap();
    let r =
        shortlist_board::receipt::Receipt::from_bytes(&hex::decode(v["receipt"].as_str().unwrap()).unwrap())
            .unwrap();
    (r.index, hex::decode(v["ballot"].as_str().unwrap()).unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_two_contest_poll_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let clock = ManualClock::new(T0);
    let server = common::Loopback::start(d, ORGANISER_KEY, &clock, Limits::default()).await;
    let url = server.url.clone();
    // `verify` takes the server and poll from the environment, as the
    // other commands do (this test is alone in its process).
    std::env::set_var("SHORTLIST_SERVER", &url);
    std::env::set_var("SHORTLIST_POLL", POLL);
    let key_file = d.join("organiser.key");
    std::fs::write(&key_file, ORGANISER_KEY).unwrap();
    let pass = d.join("pass");
    std::fs::write(&pass, "correct horse battery").unwrap();
    let org = |args: &[&str]| {
        let mut a = vec!["organiser", "--key-file", s(&key_file)];
        a.extend_from_slice(args);
        ok(&a);
    };
    let (tkeys, pubs) = common::trustee_keys(d, &pass, 3);

    // An unknown poll is "no such poll".
    let none = reqwest::get(format!("{url}/v1/polls/nope/record")).await.unwrap();
    assert_eq!(none.status(), 404);
    let body: serde_json::Value = serde_json::from_slice(&none.bytes().await.unwrap()).unwrap();
    assert_eq!(body["code"], "no_such_poll", "{body}");
    assert_eq!(shortlist(&["verify", "--poll", "nope"]), ExitCode::from(2));

    org(&["create", s(&manifest(d, &pubs))]);
    // Nominations open: in progress, every step so far holds (defect 4).
    ok(&["verify"]);
    for (contest, name) in [("1", "Ada"), ("1", "Bea"), ("1", "Cal"), ("2", "Dan"), ("2", "Eve")] {
        org(&["add-candidate", POLL, "--contest", contest, "--name", name]);
    }
    for _round in 0..3 {
        for k in &tkeys {
            ok(&["trustee", "--key", s(k), "--passphrase-file", s(&pass), "ceremony"]);
        }
    }
    ok(&["verify"]);
    clock.set(T0 + 100);
    org(&["close-nominations", POLL]);
    let roll = d.join("roll.csv");
    std::fs::write(&roll, "member_id,name,email\nm1,A,a@x\nm2,B,b@x\nm3,C,c@x\n").unwrap();
    org(&["roll", POLL, s(&roll)]);
    let tokens_csv = d.join("tokens.csv");
    org(&["tokens", POLL, "--out", s(&tokens_csv)]);
    let rows: Vec<Vec<String>> = std::fs::read_to_string(&tokens_csv)
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    let mh = rows[0][4].clone();

    // Before voting opens, the refusal says when it opens (defect 9).
    let early = reqwest::Client::new()
        .post(format!("{url}/v1/polls/{POLL}/ballots"))
        .header("content-type", "application/json")
        .body(r#"{"ballot": "00"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(early.status(), 409);
    let body: serde_json::Value = serde_json::from_slice(&early.bytes().await.unwrap()).unwrap();
    let opens = shortlist_server::web::time::utc(T0 + 200);
    assert!(body["message"].as_str().unwrap().contains(&opens), "{body}");

    // A mistyped token: refused, and the retry with the right one works (defect 5).
    let register = |wallet: &Path, token: &str| {
        shortlist(&["vote", "--wallet", s(wallet), "register", "--token", token, "--manifest-hash", &mh])
    };
    let w0 = d.join("wallet0.json");
    assert_eq!(register(&w0, &"0".repeat(32)), ExitCode::from(2), "a wrong token is refused");
    assert_eq!(register(&w0, &rows[0][3]), ExitCode::SUCCESS, "the retry with the right token registers");
    // An upper-case token works (defect 9).
    let w1 = d.join("wallet1.json");
    assert_eq!(register(&w1, &format!("  {}  ", rows[1][3].to_uppercase())), ExitCode::SUCCESS);
    let w2 = d.join("wallet2.json");
    assert_eq!(register(&w2, &rows[2][3]), ExitCode::SUCCESS);

    clock.set(T0 + 200);
    org(&["open-voting", POLL]);
    ok(&["verify"]);

    // One --choose per contest, in order (defect 7); "1, 2" with a space (defect 9).
    let cast = |wallet: &Path, receipt: &Path, choices: &[&str]| {
        let mut a = vec!["vote", "--wallet", s(wallet), "cast", "--receipt", s(receipt)];
        for c in choices {
            a.extend(["--choose", c]);
        }
        shortlist(&a)
    };
    let r0 = d.join("r0.json");
    let r0b = d.join("r0b.json");
    let r1 = d.join("r1.json");
    let r2 = d.join("r2.json");
    assert_eq!(cast(&w0, &r0, &["1"]), ExitCode::from(2), "one --choose for two contests is refused");
    assert_eq!(cast(&w0, &r0, &["1", "3"]), ExitCode::from(2), "no candidate 3 in the second contest");
    assert_eq!(cast(&w0, &r0, &["3", "1"]), ExitCode::SUCCESS);
    let mut audited = vec!["vote", "--wallet", s(&w1), "cast", "--audit-first", "--receipt", s(&r1)];
    audited.extend(["--choose", "1, 2", "--choose", "2"]);
    ok(&audited);
    assert_eq!(cast(&w2, &r2, &["none", "1"]), ExitCode::SUCCESS);
    // Member 0 changes their vote: the first ballot is replaced (defect 6).
    assert_eq!(cast(&w0, &r0b, &["1,2", "none"]), ExitCode::SUCCESS);
    ok(&["verify"]);

    let api = Api::new(shortlist_cli::http::Http::new(&url).unwrap(), POLL);
    let view = PollView::fetch(&api).await.unwrap();
    let status = |r: PathBuf| {
        let (api, view) = (&api, &view);
        async move {
            let (index, ballot) = status_of(&r);
            ballot_status(api, view, index, &ballot).await.unwrap()
        }
    };
    let (later, _) = status_of(&r0b);
    assert_eq!(status(r0.clone()).await, BallotStatus::Replaced { by: later });
    assert_eq!(status(r0b.clone()).await, BallotStatus::Current);
    for r in [&r0, &r0b, &r1, &r2] {
        ok(&["vote", "check", s(r)]);
    }

    clock.set(T0 + 300);
    org(&["close-voting", POLL]);
    ok(&["verify"]);
    assert_eq!(status(r1.clone()).await, BallotStatus::WillCount);
    org(&["tally", POLL]);
    ok(&["verify"]);
    assert_eq!(shortlist(&["verify", "--complete"]), ExitCode::from(1), "not complete yet");
    for k in &tkeys[..2] {
        ok(&["trustee", "--key", s(k), "--passphrase-file", s(&pass), "decrypt"]);
    }
    ok(&["verify", "--complete"]);
    let counted = status(r1.clone()).await;
    assert!(matches!(counted, BallotStatus::Counted { .. }), "{counted:?}");
    assert_eq!(status(r0.clone()).await, BallotStatus::Replaced { by: later });

    // The result, per contest: Board: Ada 2 (m0, m1), Bea 2 (m0, m1), Cal 0
    // (m0's first ballot was replaced); Treasurer: Dan 1 (m2), Eve 1 (m1).
    let result = reqwest::get(format!("{url}/v1/polls/{POLL}/result")).await.unwrap().bytes().await.unwrap();
    let result: serde_json::Value = serde_json::from_slice(&result).unwrap();
    let counts = |c: usize| -> Vec<(String, u64)> {
        let mut v: Vec<(String, u64)> = result["contests"][c]["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["name"].as_str().unwrap().to_string(), r["count"].as_u64().unwrap()))
            .collect();
        v.sort();
        v
    };
    assert_eq!(counts(0), vec![("Ada".into(), 2), ("Bea".into(), 2), ("Cal".into(), 0)]);
    assert_eq!(counts(1), vec![("Dan".into(), 1), ("Eve".into(), 1)]);

    server.stop().await;
}
