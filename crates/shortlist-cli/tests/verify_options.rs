//! `shortlist verify` is `shortlist-verify` (issue 12, item 4): the same
//! implementation (the `shortlist-verify` library) and the same options,
//! `--json`, `--checkpoint`, `--since`, `--manifest-hash`, `--complete`,
//! with the same exit codes: 0 holds, 1 a step failed, 2 unreadable. The
//! standalone program's side is `crates/shortlist-verify/tests/options.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::path::Path;
use std::process::{Command, Output};

use shortlist_board::record::{self, Frame};

fn shortlist(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shortlist")).args(args).output().unwrap()
}

/// The record of a small simulated poll and the hex of its last checkpoint.
fn record(dir: &Path) -> (String, String) {
    let path = dir.join("poll.record");
    let out = Command::new(env!("CARGO_BIN_EXE_shortlist"))
        .args(["simulate", "--voters", "12", "--out"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let frames = record::read_all(&std::fs::read(&path).unwrap()).unwrap();
    let last = frames
        .iter()
        .rev()
        .find_map(|f| match f {
            Frame::Checkpoint(c) => Some(hex::encode(c.to_bytes())),
            Frame::Entry(_) => None,
        })
        .unwrap();
    (path.to_str().unwrap().to_string(), last)
}

#[test]
fn shortlist_verify_takes_the_standalone_verifiers_options() {
    let dir = tempfile::tempdir().unwrap();
    let (rec, last) = record(dir.path());
    let checkpoint = dir.path().join("last.checkpoint");
    std::fs::write(&checkpoint, &last).unwrap();
    let cp = checkpoint.to_str().unwrap();

    // --json: the library's report, as `shortlist-verify --json` prints it.
    let out = shortlist(&["verify", &rec, "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let options = shortlist_verify::Options { json: true, ..Default::default() };
    let report = shortlist_verify::verify(Path::new(&rec), &options).unwrap();
    assert_eq!(printed, serde_json::to_value(&report).unwrap(), "the same report as the library's");
    assert_eq!(printed["phase"], "complete");

    // --checkpoint and --since: a saved checkpoint the record matches, and
    // proofs already checked up to it; --complete: the poll has its result.
    let out = shortlist(&["verify", &rec, "--checkpoint", cp, "--since", cp, "--complete"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("V1.1"));

    // A checkpoint that is not one: exit 2, said as shortlist-verify says it.
    let junk = dir.path().join("junk.checkpoint");
    std::fs::write(&junk, "not hex").unwrap();
    for flag in ["--checkpoint", "--since"] {
        let out = shortlist(&["verify", &rec, flag, junk.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(2), "{flag}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("checkpoint"), "{flag}");
    }
    // Another manifest hash: V1.3 fails, exit 1.
    let out = shortlist(&["verify", &rec, "--manifest-hash", &"00".repeat(32), "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let v13 = printed["steps"].as_array().unwrap().iter().find(|s| s["id"] == "V1.3").unwrap();
    assert_eq!(v13["failed"], 1);
    // No record: exit 2.
    let out = shortlist(&["verify", dir.path().join("absent.record").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
}
