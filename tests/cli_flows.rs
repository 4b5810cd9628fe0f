//! End to end through the command line (issue 6): a real server on a
//! loopback port; the organiser, three trustees and five members each use
//! their `shortlist` subcommand; then `shortlist verify` checks the record.
//! Negative paths: a wrong passphrase, a receipt checked against another
//! poll, a tampered record.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, missing_docs)]

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use shortlist_server::clock::ManualClock;
use shortlist_server::limits::Limits;

mod common;

const T0: u64 = 1_900_000_000;
const ORGANISER_KEY: &str = "e2e-organiser-key-0123456789abcdef";

fn shortlist(args: &[&str]) -> ExitCode {
    let mut argv = vec!["shortlist"];
    argv.extend_from_slice(args);
    shortlist_cli::run(argv)
}

fn ok(args: &[&str]) {
    assert_eq!(shortlist(args), ExitCode::SUCCESS, "shortlist {}", args.join(" "));
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn manifest(dir: &Path, poll: &str, keys: &[String]) -> PathBuf {
    let contests = "[[contests]]\ncontest_id = 1\ntitle = \"Two seats\"\nseats = 2\nmin_selections = 0\nmax_selections = 2\n\n\
                    [[contests.slate_rules]]\nattribute = \"gender\"\nvalue = \"woman\"\nmin_seats = 1\n\n";
    common::manifest_toml(dir, poll, "Small shortlist", T0, contests, keys)
}

/// How many entries the poll's board holds (spec: api §7.5, `GET …/status`).
async fn board_size(url: &str) -> u64 {
    let body = reqwest::get(format!("{url}/v1/polls/e2e/status")).await.unwrap().bytes().await.unwrap();
    serde_json::from_slice::<serde_json::Value>(&body).unwrap()["entries"].as_u64().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_role_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // A real server on a loopback port, with a clock the test moves.
    let clock = ManualClock::new(T0);
    let server = common::Loopback::start(d, ORGANISER_KEY, &clock, Limits::default()).await;
    let url = server.url.clone();
    let key_file = d.join("organiser.key");
    std::fs::write(&key_file, ORGANISER_KEY).unwrap();
    let pass = d.join("pass");
    std::fs::write(&pass, "correct horse battery").unwrap();
    let wrong = d.join("wrong");
    std::fs::write(&wrong, "not the passphrase").unwrap();
    let org = |args: &[&str]| {
        let mut a = vec!["organiser", "--server", &url, "--key-file", s(&key_file)];
        a.extend_from_slice(args);
        ok(&a);
    };

    // Trustees make their keys.
    let (tkeys, pubs) = common::trustee_keys(d, &pass, 3);
    assert_ne!(
        shortlist(&["trustee", "--key", s(&tkeys[0]), "--passphrase-file", s(&wrong), "pubkey"]),
        ExitCode::SUCCESS,
        "a wrong passphrase opens nothing"
    );

    // The organiser creates the poll and enters candidates.
    org(&["create", s(&manifest(d, "e2e", &pubs))]);
    for (name, gender) in [("Ada", "woman"), ("Bea", "woman"), ("Cal", "man"), ("Dan", "man")] {
        org(&["add-candidate", "e2e", "--name", name, "--attr", &format!("gender={gender}")]);
    }

    // The key ceremony, each trustee stepping until done.
    for _round in 0..3 {
        for k in &tkeys {
            ok(&[
                "trustee",
                "--key",
                s(k),
                "--passphrase-file",
                s(&pass),
                "ceremony",
                "--server",
                &url,
                "--poll",
                "e2e",
            ]);
        }
    }
    clock.set(T0 + 100);
    org(&["close-nominations", "e2e"]);

    // The roll and the tokens.
    let roll = d.join("roll.csv");
    std::fs::write(&roll, "member_id,name,email\nm1,A,a@x\nm2,B,b@x\nm3,C,c@x\nm4,D,d@x\nm5,E,e@x\n")
        .unwrap();
    org(&["roll", "e2e", s(&roll)]);
    let tokens = d.join("tokens.csv");
    org(&["tokens", "e2e", "--out", s(&tokens)]);
    // A file of secrets is never overwritten (issue 10 defect 1): a second
    // export to the same name, as after a later roll import, is refused and
    // the first file keeps its five tokens.
    let again =
        ["organiser", "--server", &url, "--key-file", s(&key_file), "tokens", "e2e", "--out", s(&tokens)];
    assert_eq!(shortlist(&again), ExitCode::from(2), "a second export over the file is refused");
    assert_eq!(
        std::fs::read_to_string(&tokens).unwrap().lines().count(),
        6,
        "the first export keeps its tokens"
    );
    // member_id,name,email,token,manifest_hash,booth_link
    let rows: Vec<Vec<String>> = std::fs::read_to_string(&tokens)
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    let tokens: Vec<String> = rows.iter().map(|r| r[3].clone()).collect();
    let mh = rows[0][4].clone();
    assert_eq!(tokens.len(), 5);
    assert_eq!(mh.len(), 64);
    assert!(rows.iter().all(|r| r[4] == mh));
    assert_eq!(rows[0][5], format!("{url}/p/e2e/booth#t={}&m={mh}", tokens[0]));
    clock.set(T0 + 200);
    org(&["open-voting", "e2e"]);

    // Members: register, look at the ballot, cast (one audits first).
    // A manifest hash other than the published one: nothing is registered.
    let stray = d.join("wallet-stray.json");
    let other_hash = "ab".repeat(32);
    let args = ["vote", "--wallet", s(&stray), "register", "--server", &url, "--poll", "e2e"];
    let mut wrong_hash = args.to_vec();
    wrong_hash.extend(["--token", &tokens[0], "--manifest-hash", &other_hash]);
    assert_eq!(shortlist(&wrong_hash), ExitCode::from(2));
    assert!(!stray.exists(), "no wallet is written for a poll with another manifest hash");
    let choices = ["1,3", "1", "2,4", "1,2", "3"];
    let mut receipts = Vec::new();
    for (i, (token, choice)) in tokens.iter().zip(choices).enumerate() {
        let wallet = d.join(format!("wallet{i}.json"));
        let receipt = d.join(format!("receipt{i}.json"));
        ok(&[
            "vote",
            "--wallet",
            s(&wallet),
            "register",
            "--server",
            &url,
            "--poll",
            "e2e",
            "--token",
            token,
            "--manifest-hash",
            &mh,
        ]);
        ok(&["vote", "--wallet", s(&wallet), "ballot"]);
        if i == 1 {
            // A blank ballot only when asked for; each candidate once (issue 10).
            // Refused before anything is cast: the board holds no ballot of theirs.
            let w = s(&wallet);
            let before = board_size(&url).await;
            assert_eq!(shortlist(&["vote", "--wallet", w, "cast"]), ExitCode::from(2), "no --choose");
            let twice = ["vote", "--wallet", w, "cast", "--choose", "1,1"];
            assert_eq!(shortlist(&twice), ExitCode::from(2), "a candidate twice");
            let both = ["vote", "--wallet", w, "cast", "--blank", "--choose", "1"];
            assert_eq!(shortlist(&both), ExitCode::from(2), "--blank with --choose");
            assert_eq!(board_size(&url).await, before, "a refused cast appends nothing");
        }
        let mut cast =
            vec!["vote", "--wallet", s(&wallet), "cast", "--choose", choice, "--receipt", s(&receipt)];
        if i == 0 {
            cast.push("--audit-first");
        }
        ok(&cast);
        receipts.push(receipt);
    }
    // A token works once.
    let again = d.join("wallet-again.json");
    assert_ne!(
        shortlist(&[
            "vote",
            "--wallet",
            s(&again),
            "register",
            "--server",
            &url,
            "--poll",
            "e2e",
            "--token",
            &tokens[0],
            "--manifest-hash",
            &mh,
        ]),
        ExitCode::SUCCESS
    );
    for r in &receipts {
        ok(&["vote", "check", s(r)]);
    }
    // A receipt checked against another poll fails.
    org(&["create", s(&manifest(d, "other", &pubs))]);
    assert_ne!(shortlist(&["vote", "check", s(&receipts[0]), "--poll", "other"]), ExitCode::SUCCESS);

    // Voting extended by 50 s with an RFC 3339 date (T0 + 350), before it closes.
    clock.set(T0 + 250);
    org(&["amend", "e2e", "--voting-closes", "2030-03-17T18:52:30+01:00"]);
    org(&["timetable", "e2e"]);
    clock.set(T0 + 300);
    let close = ["organiser", "--server", &url, "--key-file", s(&key_file), "close-voting", "e2e"];
    assert_ne!(shortlist(&close), ExitCode::SUCCESS, "voting now closes later");
    let late = [
        "organiser",
        "--server",
        &url,
        "--key-file",
        s(&key_file),
        "amend",
        "e2e",
        "--voting-close",
        "1900000000",
    ];
    assert_ne!(shortlist(&late), ExitCode::SUCCESS, "not back into the past");

    // Close, tally, two trustees decrypt (a wrong passphrase cannot).
    clock.set(T0 + 350);
    org(&["close-voting", "e2e"]);
    org(&["tally", "e2e"]);
    let decrypt = |k: &Path, p: &Path| {
        shortlist(&[
            "trustee",
            "--key",
            s(k),
            "--passphrase-file",
            s(p),
            "decrypt",
            "--server",
            &url,
            "--poll",
            "e2e",
        ])
    };
    assert_ne!(decrypt(&tkeys[0], &wrong), ExitCode::SUCCESS);
    assert_eq!(decrypt(&tkeys[0], &pass), ExitCode::SUCCESS);
    // The third trustee follows the board (issue 14): it verifies what it
    // reads, sees the aggregate, verifies the tail and decrypts.
    let follow = [
        "trustee",
        "--key",
        s(&tkeys[2]),
        "--passphrase-file",
        s(&pass),
        "follow",
        "--server",
        &url,
        "--poll",
        "e2e",
        "--every",
        "1",
    ];
    assert_eq!(shortlist(&follow), ExitCode::SUCCESS);
    org(&["result", "e2e"]);

    // The result: Ada 3, Bea 2, Cal 2, Dan 1 (the members' choices).
    let body = reqwest::get(format!("{url}/v1/polls/e2e/result")).await.unwrap().bytes().await.unwrap();
    let result: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let mut counts: Vec<(String, u64)> = result["contests"][0]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["name"].as_str().unwrap().to_string(), r["count"].as_u64().unwrap()))
        .collect();
    counts.sort();
    assert_eq!(counts, vec![("Ada".into(), 3), ("Bea".into(), 2), ("Cal".into(), 2), ("Dan".into(), 1)]);

    // The verifier: on the server's record it passes; on a tampered copy it fails.
    ok(&["verify", "--server", &url, "--poll", "e2e"]);
    // Live (issue 14): --follow reads the board to its verified result and
    // saves its state; resumed from that state, it has nothing more to read.
    // (On its own thread: the follower's HTTP client is blocking.)
    let (kept, state) = (d.join("followed.record"), d.join("follow.state"));
    let args: Vec<String> =
        ["verify", "--follow", &url, "--poll", "e2e", "--keep", s(&kept), "--save", s(&state)]
            .iter()
            .map(ToString::to_string)
            .collect();
    let first = args.clone();
    let follow = move |a: Vec<String>| {
        std::thread::spawn(move || shortlist(&a.iter().map(String::as_str).collect::<Vec<_>>()))
            .join()
            .unwrap()
    };
    assert_eq!(follow(first), ExitCode::SUCCESS);
    let mut resumed = args;
    resumed[7] = "--since".into();
    assert_eq!(follow(resumed), ExitCode::SUCCESS);
    let followed = std::fs::read(&kept).unwrap();
    let record =
        reqwest::get(format!("{url}/v1/polls/e2e/record")).await.unwrap().bytes().await.unwrap().to_vec();
    assert_eq!(followed, record, "the follower's copy is the record, byte for byte");
    let good = d.join("good.record");
    std::fs::write(&good, &record).unwrap();
    ok(&["verify", s(&good)]);
    ok(&["verify", s(&good), "--manifest-hash", &mh]);
    assert_eq!(
        shortlist(&["verify", s(&good), "--manifest-hash", &other_hash]),
        ExitCode::from(1),
        "a record about another manifest fails V1.3"
    );
    let mut bad = record.clone();
    let mid = bad.len() / 2;
    bad[mid] ^= 1;
    let bad_path = d.join("bad.record");
    std::fs::write(&bad_path, &bad).unwrap();
    assert_eq!(shortlist(&["verify", s(&bad_path)]), ExitCode::from(1), "a tampered record fails a step");

    server.stop().await;
}
