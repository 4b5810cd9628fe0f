//! `shortlist simulate` and the record verifier: an honest record passes
//! every step; each tamper kind fails exactly the step that must catch it;
//! the record round-trips byte for byte.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

use shortlist_board::record::{self, RecordWriter};
use shortlist_board::verify::verify_path;

fn simulate(voters: usize, tamper: Option<&str>, out: &Path) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_shortlist"));
    cmd.args(["simulate", "--voters", &voters.to_string(), "--out"]).arg(out);
    if let Some(t) = tamper {
        cmd.args(["--tamper", t]);
    }
    let status = cmd.output().unwrap();
    assert!(status.status.success(), "simulate failed: {}", String::from_utf8_lossy(&status.stderr));
}

fn temp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("shortlist-test-{}-{name}.record", std::process::id()))
}

#[test]
fn honest_record_of_1000_voters_passes_every_step_and_round_trips() {
    let path = temp("honest");
    simulate(1000, None, &path);
    let report = verify_path(&path, Vec::new(), None, None, |_| {}).unwrap();
    assert!(report.passed(), "failed steps: {:?}", report.failed_steps());
    assert!(report.ballots >= 1000);
    // No complaints on an honest record (V5.5); no registrar in token mode (V4.9).
    assert!(
        report.steps.iter().all(|s| ["V5.5", "V4.9"].contains(&s.id) || s.checked > 0),
        "a step checked nothing"
    );
    let table = &report.result[0];
    assert_eq!(table.rows.len(), 30);
    assert_eq!(table.rows.iter().filter(|r| r.2).count(), 9);
    // Byte for byte: reading and rewriting every frame gives the same file.
    let bytes = std::fs::read(&path).unwrap();
    let mut w = RecordWriter::new(Vec::new()).unwrap();
    for f in record::read_all(&bytes).unwrap() {
        w.write(&f).unwrap();
    }
    assert_eq!(w.finish().unwrap(), bytes);
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn every_tamper_kind_fails_exactly_its_step() {
    let list =
        Command::new(env!("CARGO_BIN_EXE_shortlist")).args(["simulate", "--list-tampers"]).output().unwrap();
    let list = String::from_utf8(list.stdout).unwrap();
    let kinds: Vec<(String, String)> = list
        .lines()
        .map(|l| {
            let mut w = l.split_whitespace();
            (w.next().unwrap().to_string(), w.next().unwrap().to_string())
        })
        .collect();
    assert!(kinds.len() >= 14, "{list}");
    for (kind, step) in kinds {
        let path = temp(&kind);
        simulate(45, Some(&kind), &path);
        let report = verify_path(&path, Vec::new(), None, None, |_| {}).unwrap();
        assert_eq!(report.failed_steps(), vec![step.as_str()], "tamper {kind}");
        std::fs::remove_file(&path).unwrap();
    }
}

#[test]
fn unknown_tamper_kind_is_refused() {
    let out = Command::new(env!("CARGO_BIN_EXE_shortlist"))
        .args(["simulate", "--voters", "3", "--tamper", "nonsense", "--out"])
        .arg(temp("nonsense"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown tamper kind"));
}

#[test]
fn since_trusts_proofs_up_to_a_passed_checkpoint_and_checks_the_rest() {
    use shortlist_board::record::Frame;
    let path = temp("since");
    simulate(500, None, &path);
    let frames = record::read_all(&std::fs::read(&path).unwrap()).unwrap();
    let first = frames
        .iter()
        .find_map(|f| if let Frame::Checkpoint(c) = f { Some(c.clone()) } else { None })
        .unwrap();
    let full = verify_path(&path, Vec::new(), None, None, |_| {}).unwrap();
    let since = verify_path(&path, Vec::new(), Some(first.clone()), None, |_| {}).unwrap();
    assert!(since.passed(), "{:?}", since.failed_steps());
    let proofs =
        |r: &shortlist_board::verify::Report| r.steps.iter().find(|s| s.id == "V4.5").unwrap().checked;
    assert!(proofs(&since) < proofs(&full), "{} vs {}", proofs(&since), proofs(&full));
    // A --since checkpoint must be signed by the server and match the record.
    let mut forged = first;
    forged.root[0] ^= 1;
    let bad = verify_path(&path, Vec::new(), Some(forged), None, |_| {}).unwrap();
    assert!(!bad.passed());
    std::fs::remove_file(&path).unwrap();
}
