//! `shortlist-verify --manifest-hash` (spec: board §1.5): the report names
//! the record's manifest hash first, and a record about any other manifest
//! fails V1.3, whatever else it holds.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::process::Command;

use shortlist_board::board::BoardWriter;
use shortlist_board::entry::EntryKind;
use shortlist_board::manifest::{ContestRules, Manifest, RevotePolicy, TieBreak, Timetable, TrusteeInfo};
use shortlist_board::record::RecordWriter;
use shortlist_crypto::credential::CredentialSecret;

/// A record holding just a manifest under a signed checkpoint; its hash.
fn record(dir: &std::path::Path) -> (std::path::PathBuf, String) {
    let mut rng = rand::rngs::OsRng;
    let server = CredentialSecret::generate(&mut rng);
    let manifest = Manifest {
        poll_id: "anchor-2027".into(),
        title: "Trust anchor".into(),
        timetable: Timetable { nominations_close: 1000, voting_open: 2000, voting_close: 3000 },
        contests: vec![ContestRules {
            contest_id: 1,
            title: "Slate".into(),
            seats: 1,
            min_selections: 0,
            max_selections: 1,
            slate_rules: vec![],
        }],
        trustees: (1u16..=3)
            .map(|i| TrusteeInfo {
                index: i,
                name: format!("Trustee {i}"),
                key: CredentialSecret::generate(&mut rng).public_key(),
            })
            .collect(),
        threshold: 2,
        revote: RevotePolicy::LastCounts,
        tie_break: TieBreak::AggregateHash,
        server_key: server.public_key(),
        calendar: Default::default(),
        registrar: None,
    };
    let mut w = BoardWriter::new();
    let e = w.append(EntryKind::Manifest, 1, manifest.to_bytes()).unwrap();
    let mut out = RecordWriter::new(Vec::new()).unwrap();
    out.entry(&e).unwrap();
    out.checkpoint(&w.checkpoint(&server, 2).unwrap()).unwrap();
    let path = dir.join("anchor.record");
    std::fs::write(&path, out.finish().unwrap()).unwrap();
    (path, hex::encode(e.payload_hash()))
}

fn v13(args: &[&str]) -> (serde_json::Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_shortlist-verify")).args(args).arg("--json").output().unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let step = report["steps"].as_array().unwrap().iter().find(|s| s["id"] == "V1.3").unwrap().clone();
    (step, report["poll"][1].as_str().unwrap_or("").to_string())
}

#[test]
fn another_manifest_hash_fails_v1_3() {
    let dir = tempfile::tempdir().unwrap();
    let (path, hash) = record(dir.path());
    let path = path.to_str().unwrap();

    let (step, named) = v13(&[path, "--manifest-hash", &hash]);
    assert_eq!(step["failed"], 0, "the published hash: V1.3 holds");
    assert_eq!(named, hash, "the report names the manifest hash");

    let other = "00".repeat(32);
    let (step, _) = v13(&[path, "--manifest-hash", &other]);
    assert_eq!(step["failed"], 1, "another hash: V1.3 fails");
    assert!(step["details"][0].as_str().unwrap().contains(&hash));

    // The text report names the hash before anything else.
    let out = Command::new(env!("CARGO_BIN_EXE_shortlist-verify"))
        .args([path, "--manifest-hash", &other])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.lines().nth(1).unwrap().contains(&hash), "{text}");

    // A malformed hash is an error (2), not a verdict.
    let out = Command::new(env!("CARGO_BIN_EXE_shortlist-verify"))
        .args([path, "--manifest-hash", "xyz"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// A poll still in progress (here: nominations open, just the manifest) is
/// not a failure: exit 0, the phase named (issue 10, defect 4); `--complete`
/// asks for the result too.
#[test]
fn a_poll_in_progress_passes_with_its_phase() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = record(dir.path());
    let out = Command::new(env!("CARGO_BIN_EXE_shortlist-verify")).arg(&path).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("in progress: nominations open"), "{text}");
    assert!(!text.contains("FAILED"), "{text}");
    let out = Command::new(env!("CARGO_BIN_EXE_shortlist-verify")).arg(&path).arg("--json").output().unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["phase"], "nominations");
    let out =
        Command::new(env!("CARGO_BIN_EXE_shortlist-verify")).arg(&path).arg("--complete").output().unwrap();
    assert_eq!(out.status.code(), Some(1), "--complete: not complete");
}

/// `shortlist-verify RECORD | head`: a reader that goes away is not a panic
/// (issue 10, defect 9).
#[test]
fn a_closed_pipe_is_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = record(dir.path());
    let mut child = Command::new(env!("CARGO_BIN_EXE_shortlist-verify"))
        .arg(&path)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(out.status.code(), Some(0), "{err}");
}

/// The last checkpoint of the record at `path`, as a file of hex.
fn last_checkpoint(path: &std::path::Path, to: &std::path::Path) -> String {
    let frames = shortlist_board::record::read_all(&std::fs::read(path).unwrap()).unwrap();
    let hex = frames
        .iter()
        .rev()
        .find_map(|f| match f {
            shortlist_board::record::Frame::Checkpoint(c) => Some(hex::encode(c.to_bytes())),
            shortlist_board::record::Frame::Entry(_) => None,
        })
        .unwrap();
    std::fs::write(to, hex).unwrap();
    to.to_str().unwrap().to_string()
}

/// `--checkpoint` and `--since` (issue 12, item 4: the options
/// `shortlist verify` shares; its side is in `shortlist-cli`'s
/// `tests/verify_options.rs`): the program prints the library's report; a
/// saved checkpoint the record matches holds, one of another board at the
/// same size proves equivocation (exit 1), one unreadable is exit 2.
#[test]
fn saved_checkpoints_and_since() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = record(dir.path());
    let ours = last_checkpoint(&path, &dir.path().join("ours.checkpoint"));
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_shortlist-verify")).arg(&path).args(args).output().unwrap()
    };

    let out = run(&["--checkpoint", &ours, "--since", &ours]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    let options = shortlist_verify::Options {
        checkpoints: vec![ours.clone().into()],
        since: Some(ours.clone().into()),
        ..Default::default()
    };
    let report = shortlist_verify::verify(&path, &options).unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), report.to_string(), "the library's report");

    let other_dir = tempfile::tempdir().unwrap();
    let (other, _) = record(other_dir.path());
    let theirs = last_checkpoint(&other, &dir.path().join("theirs.checkpoint"));
    let out = run(&["--checkpoint", &theirs]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stdout));

    std::fs::write(dir.path().join("junk"), "not hex").unwrap();
    let junk = dir.path().join("junk");
    for flag in ["--checkpoint", "--since"] {
        let out = run(&[flag, junk.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(2), "{flag}");
        assert!(String::from_utf8_lossy(&out.stderr).starts_with("shortlist-verify: cannot read"), "{flag}");
    }
}
