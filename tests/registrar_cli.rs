//! Registrar mode through the command line (issue 11; spec: board §4.12,
//! api §10): a real server on a loopback port; the registrar makes its key,
//! the organiser's manifest names it, `shortlist registrar issue` writes the
//! delivery file (0600) and posts the list; members vote with
//! `vote register --credential` and `vote cast`; a supplement adds a late
//! member; `registrar replace` revokes a member's key; `shortlist verify`
//! passes the record. `issue --mail` mails each member their booth link
//! through a real SMTP server on 127.0.0.1 (the sink of the mail tests);
//! `--resume` mails no one twice; one refused address is reported.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, missing_docs)]

use std::path::Path;
use std::process::ExitCode;

use shortlist_server::clock::ManualClock;

mod common;
#[path = "../crates/shortlist-cli/tests/smtp_sink/mod.rs"]
mod smtp_sink;

const T0: u64 = 1_900_000_000;
const ORGANISER_KEY: &str = "registrar-organiser-key-0123456789";

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

/// The rows of a CSV without its header.
fn rows(p: &Path) -> Vec<Vec<String>> {
    std::fs::read_to_string(p)
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn registrar_mode_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let clock = ManualClock::new(T0);
    let server = common::Loopback::start(d, ORGANISER_KEY, &clock, common::one_client_limits()).await;
    let url = server.url.clone();
    let key_file = d.join("organiser.key");
    std::fs::write(&key_file, ORGANISER_KEY).unwrap();
    let pass = d.join("pass");
    std::fs::write(&pass, "correct horse battery").unwrap();
    let org = |args: &[&str]| {
        let mut a = vec!["organiser", "--server", &url, "--key-file", s(&key_file)];
        a.extend_from_slice(args);
        ok(&a);
    };
    let (tkeys, pubs) = common::trustee_keys(d, &pass, 2);
    // The registrar's key, sealed like a trustee's; its public key goes in the manifest.
    let rkey = d.join("registrar.key");
    let reg = |args: &[&str]| {
        let mut a = vec!["registrar", "--key", s(&rkey), "--passphrase-file", s(&pass)];
        a.extend_from_slice(args);
        shortlist(&a)
    };
    assert_eq!(reg(&["keygen"]), ExitCode::SUCCESS);
    let rpub = shortlist_cli::registrar::public_key(&rkey, &pass).unwrap();
    let contests = "[[contests]]\ncontest_id = 1\ntitle = \"One seat\"\nseats = 1\nmin_selections = 1\nmax_selections = 1\n\n";
    let manifest = common::manifest_toml(d, "reg", "Registrar poll", T0, contests, &pubs);
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, format!("registrar_key = \"{rpub}\"\n{text}")).unwrap();
    org(&["create", s(&manifest)]);
    for name in ["Ada", "Bea"] {
        org(&["add-candidate", "reg", "--name", name]);
    }
    for _ in 0..3 {
        for k in &tkeys {
            let a = [
                "trustee",
                "--key",
                s(k),
                "--passphrase-file",
                s(&pass),
                "ceremony",
                "--server",
                &url,
                "--poll",
                "reg",
            ];
            ok(&a);
        }
    }
    clock.set(T0 + 100);
    org(&["close-nominations", "reg"]);

    // The registrar issues: the delivery file is the only place the secrets are.
    let roll = d.join("roll.csv");
    std::fs::write(&roll, "member_id,name,email\nm1,A,a@x.org\nm2,B,b@x.org\nm3,C,c@x.org\nm9,Z,z@x.org\n")
        .unwrap();
    let sink = smtp_sink::Sink::start().await;
    sink.reject("z@x.org");
    let mail = d.join("mail.toml");
    std::fs::write(
        &mail,
        format!(
            "smtp_host = \"127.0.0.1\"\nsmtp_port = {}\ntls = \"none\"\nfrom = \"Registrar <registrar@example.org>\"\n\
             public_url = \"{url}\"\nretry_base_ms = 10\n",
            sink.port
        ),
    )
    .unwrap();
    let out = d.join("credentials.csv");
    let index = d.join("index.csv");
    let server_args = ["--server", url.as_str(), "--poll", "reg"];
    let mut issue = vec!["issue"];
    issue.extend(server_args);
    issue.extend(["--roll", s(&roll), "--out", s(&out), "--index", s(&index), "--public-url", &url]);
    issue.extend(["--mail", s(&mail)]);
    assert_eq!(reg(&issue), ExitCode::SUCCESS);
    // Three messages; each link holds its member's credential; z@x.org refused.
    let received = sink.received();
    assert_eq!(received.len(), 3);
    for row in rows(&out).iter().filter(|r| r[0] != "m9") {
        let who = received.iter().find(|m| m.rcpt.contains(&format!("{}@x.org", row[1].to_lowercase())));
        let text = who.expect("a message for each member").readable();
        assert!(text.contains(&format!("#c={}&m=", row[3])), "the link holds the member's credential");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&out).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(std::fs::metadata(&index).unwrap().permissions().mode() & 0o777, 0o600);
    }
    // A second issue into the same file is refused; --resume re-posts the same list (repeats).
    assert_ne!(reg(&issue), ExitCode::SUCCESS);
    let mut resume = issue.clone();
    resume.push("--resume");
    assert_eq!(reg(&resume), ExitCode::SUCCESS);
    // No one is mailed twice (the refused one is tried again).
    assert_eq!(sink.count(), 3);
    let delivered: Vec<Vec<String>> = rows(&out).into_iter().filter(|r| r[0] != "m9").collect();
    assert_eq!(delivered.len(), 3);
    let mh = delivered[0][4].rsplit("&m=").next().unwrap().to_string();
    assert!(delivered[0][4].starts_with(&format!("{url}/p/reg/booth#c={}&m=", delivered[0][3])));
    clock.set(T0 + 200);
    org(&["open-voting", "reg"]);

    // Members vote with their credentials; a mistyped one is refused locally.
    let vote = |i: usize, credential: &str, choice: &str| -> ExitCode {
        let wallet = d.join(format!("wallet{i}.json"));
        let mut a = vec!["vote", "--wallet", s(&wallet), "register"];
        a.extend(server_args);
        a.extend(["--credential", credential, "--manifest-hash", &mh]);
        let r = shortlist(&a);
        if r != ExitCode::SUCCESS {
            return r;
        }
        let receipt = d.join(format!("receipt{i}.json"));
        shortlist(&["vote", "--wallet", s(&wallet), "cast", "--choose", choice, "--receipt", s(&receipt)])
    };
    let mut typo = delivered[0][3].clone();
    typo.replace_range(0..1, if typo.starts_with('0') { "1" } else { "0" });
    assert_eq!(vote(9, &typo, "1"), ExitCode::from(2));
    for (i, row) in delivered.iter().enumerate() {
        assert_eq!(vote(i, &row[3], if i == 0 { "1" } else { "2" }), ExitCode::SUCCESS);
    }

    // A late member: a supplement. Member m1 lost the credential: replaced.
    let late = d.join("late.csv");
    std::fs::write(&late, "member_id,name,email\nm4,D,d@x\n").unwrap();
    let late_out = d.join("late-credentials.csv");
    let mut supplement = vec!["supplement"];
    supplement.extend(server_args);
    supplement.extend(["--roll", s(&late), "--out", s(&late_out), "--index", s(&index)]);
    assert_eq!(reg(&supplement), ExitCode::SUCCESS);
    assert_eq!(vote(3, &rows(&late_out)[0][3], "1"), ExitCode::SUCCESS);
    let renewed = d.join("m1-new.csv");
    let mut replace = vec!["replace"];
    replace.extend(server_args);
    replace.extend(["--member", "m1", "--index", s(&index), "--out", s(&renewed)]);
    assert_eq!(reg(&replace), ExitCode::SUCCESS);
    // The old key's next ballot is refused; the new one votes (and replaces m1's first).
    let receipt = d.join("again.json");
    assert_eq!(
        shortlist(&[
            "vote",
            "--wallet",
            s(&d.join("wallet0.json")),
            "cast",
            "--choose",
            "2",
            "--receipt",
            s(&receipt)
        ]),
        ExitCode::from(2)
    );
    assert_eq!(vote(4, &rows(&renewed)[0][3], "2"), ExitCode::SUCCESS);

    clock.set(T0 + 300);
    org(&["close-voting", "reg"]);
    org(&["tally", "reg"]);
    for k in tkeys.iter() {
        ok(&[
            "trustee",
            "--key",
            s(k),
            "--passphrase-file",
            s(&pass),
            "decrypt",
            "--server",
            &url,
            "--poll",
            "reg",
        ]);
    }
    let record = d.join("reg.record");
    std::fs::write(
        &record,
        shortlist_client::Api::new(shortlist_cli::http::Http::new(&url).unwrap(), "reg")
            .record()
            .await
            .unwrap(),
    )
    .unwrap();
    let report = shortlist_board::verify::verify_path(&record, Vec::new(), None, None, |_| {}).unwrap();
    assert!(report.passed(), "failed: {:?}", report.failed_steps());
    // m1 (new key), m2, m3, m4: four members, four counted ballots; Bea 3, Ada 1.
    assert_eq!(report.turnout.ballots_counted, 4);
    server.stop().await;
}
