//! Board-level known-answer records (spec: board §8; `spec/vectors/board.json`
//! and `spec/vectors/board/*.record`): a small honest poll and one record per
//! tamper kind, each written by `shortlist simulate --seed` so that the same
//! command gives the same bytes. A second implementation of the verifier
//! reads each record and must reach the verdict the index gives: the honest
//! record passes every step and shows the result; each tampered one fails
//! exactly its step.
//!
//! Without `SHORTLIST_WRITE_VECTORS`, the test regenerates every record,
//! requires it to equal the committed file byte for byte, and checks the
//! committed files' verdicts against the index. With
//! `SHORTLIST_WRITE_VECTORS=1 cargo test --release -p shortlist-cli --test
//! board_vectors` it writes them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};
use shortlist_board::record::{self, Frame};
use shortlist_board::verify::verify_path;

/// Members in the vector poll: the fewest that give every tamper kind its
/// target (an audit is made by the eighth member).
const VOTERS: usize = 8;
/// The seed every record is drawn from.
const SEED: u64 = 2026;

fn spec_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../spec/vectors"))
}

fn simulate(tamper: Option<&str>, out: &Path) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_shortlist"));
    cmd.args(["simulate", "--voters", &VOTERS.to_string(), "--seed", &SEED.to_string(), "--out"]).arg(out);
    if let Some(t) = tamper {
        cmd.args(["--tamper", t]);
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "simulate failed: {}", String::from_utf8_lossy(&out.stderr));
}

/// Every tamper kind and the step that must catch it (`--list-tampers`).
fn tampers() -> Vec<(String, String, String)> {
    let list =
        Command::new(env!("CARGO_BIN_EXE_shortlist")).args(["simulate", "--list-tampers"]).output().unwrap();
    String::from_utf8(list.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let mut w = l.split_whitespace();
            let name = w.next().unwrap().to_string();
            let step = w.next().unwrap().to_string();
            (name, step, w.collect::<Vec<_>>().join(" "))
        })
        .collect()
}

/// The index entry of one record: what a verifier must conclude from it.
fn describe(name: &str, what: &str, bytes: &[u8], path: &Path) -> Value {
    let report = verify_path(path, Vec::new(), None, None, |_| {}).unwrap();
    // The last checkpoint the file holds intact, as a fingerprint of the board.
    let last = record::read_all(bytes).ok().and_then(|frames| {
        frames.into_iter().rev().find_map(|f| match f {
            Frame::Checkpoint(c) => Some(c),
            Frame::Entry(_) => None,
        })
    });
    let mut v = json!({
        "name": name,
        "defect": what,
        "file": format!("board/{name}.record"),
        "bytes": bytes.len(),
        "failed_steps": report.failed_steps(),
        "phase": report.phase,
    });
    if let Some(c) = last {
        v["last_checkpoint"] =
            json!({ "size": c.size, "head": hex::encode(c.head), "root": hex::encode(c.root) });
    }
    if report.passed() {
        v["entries"] = json!(report.entries);
        v["ballots"] = json!(report.ballots);
        v["turnout"] = serde_json::to_value(&report.turnout).unwrap();
        v["result"] = report
            .result
            .iter()
            .map(|t| {
                json!({
                    "title": t.title,
                    "ranking": t.rows.iter().map(|(name, count, slate)| json!({
                        "name": name, "count": count, "on_slate": slate
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
    }
    v
}

#[test]
fn board_vectors_reproduce_and_give_their_verdicts() {
    let write = std::env::var_os("SHORTLIST_WRITE_VECTORS").is_some();
    let dir = tempfile::tempdir().unwrap();
    let spec = spec_dir();
    if write {
        std::fs::create_dir_all(spec.join("board")).unwrap();
    }
    let mut cases: Vec<(String, Option<String>, String, String)> =
        vec![("honest".into(), None, String::new(), "none: an honest poll".into())];
    cases.extend(tampers().into_iter().map(|(name, step, what)| (name.clone(), Some(name), step, what)));
    let mut records = Vec::new();
    for (name, tamper, step, what) in &cases {
        let fresh = dir.path().join(format!("{name}.record"));
        simulate(tamper.as_deref(), &fresh);
        let bytes = std::fs::read(&fresh).unwrap();
        let committed = spec.join(format!("board/{name}.record"));
        if write {
            std::fs::write(&committed, &bytes).unwrap();
        } else {
            let old = std::fs::read(&committed)
                .unwrap_or_else(|e| panic!("{}: {e}; regenerate (see the file's doc)", committed.display()));
            assert!(
                old == bytes,
                "{name}: the committed record differs from what simulate --seed writes now"
            );
        }
        let entry = describe(name, what, &bytes, &committed);
        let expected: Vec<&str> = if step.is_empty() { Vec::new() } else { vec![step.as_str()] };
        assert_eq!(entry["failed_steps"], json!(expected), "{name}: the verdict");
        records.push(entry);
    }
    let index = json!({
        "description": "Board-level known-answer records (spec: board §7 record format, §8 verification steps). \
                        Each record is a whole poll written by `shortlist simulate --voters 8 --seed 2026` \
                        (with `--tamper NAME` for the others): 30 candidates, choose 0 to 9 (simulated members choose 1 to 9), 9 seats with \
                        the slate rule gender=woman ≥ 5, 5 trustees with threshold 3, one voting-close \
                        amendment, one audited ballot. A conforming verifier reading `file` must fail exactly \
                        the steps in `failed_steps` (none for the honest record, which must also show \
                        `result`); `phase` is the phase the record reached (§8.1). `last_checkpoint` is the \
                        last checkpoint in the file (its size, chain head and Merkle root), `bytes` the file's \
                        length. Per-step counts are informative (§8) and not given.",
        "generator": {
            "command": "shortlist simulate --voters 8 --seed 2026 [--tamper NAME] --out FILE",
            "test": "crates/shortlist-cli/tests/board_vectors.rs",
        },
        "records": records,
    });
    let index_path = spec.join("board.json");
    let text = serde_json::to_string_pretty(&index).unwrap() + "\n";
    if write {
        std::fs::write(&index_path, text).unwrap();
    } else {
        let committed: Value = serde_json::from_str(&std::fs::read_to_string(&index_path).unwrap()).unwrap();
        assert_eq!(committed, index, "spec/vectors/board.json differs from the records; regenerate it");
    }
}
