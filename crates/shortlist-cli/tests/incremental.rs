//! Issue 14, Build 3: live and incremental verification gives exactly the
//! whole-record verdict. Honest and tampered records from `shortlist
//! simulate` (every `--tamper` kind, and frames swapped at random) are fed to
//! one verifier in random chunks, settled at every cut as a live follower
//! settles at each read (spec: board §8.6); the report at the end (verdict,
//! phase, every step's counts and failures, turnout, result) equals the
//! one-shot verification's, also when the verifier is saved at a random
//! frame and loaded again (`--save`, `--since STATE`). `INCREMENTAL_CASES` sets the cases per record
//! (default 2).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::process::Command;
use std::sync::OnceLock;

use proptest::prelude::*;
use shortlist_board::record::{self, Frame, RecordWriter};
use shortlist_board::verify::{Report, Verifier};

const TAMPERS: &[&str] = &[
    "entry-reordered",
    "entry-deleted",
    "entry-replaced",
    "truncated",
    "forked-checkpoint",
    "bad-checkpoint-signature",
    "unregistered-credential",
    "ballot-after-close",
    "copied-ballot",
    "audited-ballot-cast",
    "tampered-proof",
    "wrong-aggregate",
    "bad-decryption-share",
    "wrong-count",
    "wrong-slate",
    "forged-amendment",
];

/// A record from `shortlist simulate` with 40 voters (some audit, some revote).
fn simulate(tamper: Option<&str>) -> Vec<u8> {
    let name = tamper.unwrap_or("honest");
    let path = std::env::temp_dir().join(format!("shortlist-incr-{}-{name}.record", std::process::id()));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_shortlist"));
    cmd.args(["simulate", "--voters", "40", "--out"]).arg(&path);
    if let Some(t) = tamper {
        cmd.args(["--tamper", t]);
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "simulate {name}: {}", String::from_utf8_lossy(&out.stderr));
    let bytes = std::fs::read(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    bytes
}

/// Every record: the honest one first, then one per tamper kind.
fn records() -> &'static Vec<(String, Vec<u8>)> {
    static R: OnceLock<Vec<(String, Vec<u8>)>> = OnceLock::new();
    R.get_or_init(|| {
        std::iter::once(None)
            .chain(TAMPERS.iter().map(|t| Some(*t)))
            .map(|t| (t.unwrap_or("honest").to_string(), simulate(t)))
            .collect()
    })
}

/// The frames of a record with their offsets, and the read error that
/// ends it, if any.
type Frames = (Vec<(u64, Frame)>, Option<(u64, shortlist_board::BoardError)>);

fn frames(bytes: &[u8]) -> Frames {
    let mut reader = record::open(bytes).unwrap();
    let mut out = Vec::new();
    loop {
        let offset = reader.offset();
        match reader.next() {
            None => return (out, None),
            Some(Ok(f)) => out.push((offset, f)),
            Some(Err(e)) => return (out, Some((offset, e))),
        }
    }
}

/// Verifies the frames, settling after each cut (frame counts, ascending);
/// after `resume` frames, saves the verifier's state and goes on with the
/// verifier loaded from it, as a follower resuming with `--since STATE`.
fn verify(bytes: &[u8], (frames, error): &Frames, cuts: &[usize], resume: Option<usize>) -> Report {
    let mut v = Verifier::new();
    let mut cuts = cuts.iter().peekable();
    let end = error.as_ref().map_or(bytes.len() as u64, |(o, _)| *o);
    for (i, (offset, frame)) in frames.iter().enumerate() {
        v.feed(frame, *offset);
        while cuts.next_if(|c| **c <= i + 1).is_some() {
            v.settle();
            let p = v.progress();
            assert_eq!(p.entries, v.report().entries);
            assert_eq!(p.failed, v.report().failed_steps());
        }
        if resume == Some(i + 1) {
            let next = frames.get(i + 1).map_or(end, |(o, _)| *o);
            let state = v.save(next).unwrap();
            let (loaded, at) = Verifier::load(&state).unwrap();
            assert_eq!(at, next);
            assert_eq!(loaded.report().entries, v.report().entries);
            v = loaded;
        }
    }
    if let Some((offset, e)) = error {
        v.unreadable(*offset, e);
    }
    v.finish(&mut |offset| {
        let at = usize::try_from(offset).unwrap();
        record::read_frame(&mut bytes.get(at..).unwrap_or_default())
    })
}

/// The report as JSON, each step's messages sorted: ballots are checked in
/// batches, so failures of one step found at feed time and at a batch may
/// interleave differently; the set of messages is the same. A step keeps
/// its first 8 messages only: past 8 failures, which 8 depends on that
/// interleaving, and only the count is compared.
fn canonical(r: &Report) -> serde_json::Value {
    let mut v = serde_json::to_value(r).unwrap();
    for step in v["steps"].as_array_mut().unwrap() {
        let kept = step["details"].as_array().unwrap().len() as u64;
        if step["failed"].as_u64().unwrap() > kept {
            step["details"] = serde_json::Value::Null;
        } else {
            step["details"].as_array_mut().unwrap().sort_by_key(ToString::to_string);
        }
    }
    v
}

/// Swaps frames `i` and `j` (of the entries and checkpoints) and writes the record again.
fn swapped(bytes: &[u8], i: usize, j: usize) -> Vec<u8> {
    let mut fr = record::read_all(bytes).unwrap();
    let (i, j) = (i % fr.len(), j % fr.len());
    fr.swap(i, j);
    let mut w = RecordWriter::new(Vec::new()).unwrap();
    for f in &fr {
        w.write(f).unwrap();
    }
    w.finish().unwrap()
}

fn cases() -> u32 {
    std::env::var("INCREMENTAL_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(2)
}

fn check(bytes: &[u8], mut cuts: Vec<usize>, resume: usize) {
    let fr = frames(bytes);
    let whole = verify(bytes, &fr, &[], None);
    for c in &mut cuts {
        *c %= fr.0.len() + 1;
    }
    cuts.sort_unstable();
    let resume = resume % (fr.0.len() + 1);
    let live = verify(bytes, &fr, &cuts, Some(resume));
    assert_eq!(canonical(&live), canonical(&whole), "cuts {cuts:?}, resumed after {resume} frames");
    assert_eq!(live.passed(), whole.passed());
}

/// Settling after every frame: the finest chunks.
#[test]
fn every_frame_a_chunk_gives_the_whole_verdict() {
    for (name, bytes) in records() {
        let fr = frames(bytes);
        let whole = verify(bytes, &fr, &[], None);
        let every: Vec<usize> = (1..=fr.0.len()).collect();
        let live = verify(bytes, &fr, &every, None);
        assert_eq!(canonical(&live), canonical(&whole), "{name}");
        assert_eq!(whole.passed(), name == "honest", "{name}: {:?}", whole.failed_steps());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases() * 17, ..ProptestConfig::default() })]

    /// Random chunks of each record, honest and tampered.
    #[test]
    fn random_chunks_give_the_whole_verdict(
        which in 0usize..17,
        cuts in proptest::collection::vec(any::<usize>(), 0..12),
        resume in any::<usize>(),
    ) {
        let (_, bytes) = &records()[which];
        check(bytes, cuts, resume);
    }

    /// Random chunks of the honest record with two frames swapped.
    #[test]
    fn random_chunks_of_a_reordered_record_give_the_whole_verdict(
        i in any::<usize>(),
        j in any::<usize>(),
        cuts in proptest::collection::vec(any::<usize>(), 0..12),
        resume in any::<usize>(),
    ) {
        let bytes = swapped(&records()[0].1, i, j);
        check(&bytes, cuts, resume);
    }
}

/// `shortlist verify PREFIX --save STATE`, then `shortlist verify RECORD
/// --since STATE` on the whole record: the second run reads only what
/// follows the prefix and prints the report of a one-shot run.
#[test]
fn a_saved_state_resumes_a_record_file() {
    let bytes = &records()[0].1;
    let all = record::read_all(bytes).unwrap();
    // The prefix ends at a checkpoint about half way.
    let half = (all.len() / 2..all.len()).find(|i| matches!(all[*i], Frame::Checkpoint(_))).unwrap();
    let mut w = RecordWriter::new(Vec::new()).unwrap();
    for f in &all[..=half] {
        w.write(f).unwrap();
    }
    let prefix = w.finish().unwrap();
    assert!(bytes.starts_with(&prefix));
    let dir = tempfile::tempdir().unwrap();
    let (p, r, st) = (dir.path().join("prefix"), dir.path().join("record"), dir.path().join("state"));
    std::fs::write(&p, &prefix).unwrap();
    std::fs::write(&r, bytes).unwrap();
    let run = |args: &[&std::ffi::OsStr]| {
        let out = Command::new(env!("CARGO_BIN_EXE_shortlist")).arg("verify").args(args).output().unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stdout).to_string())
    };
    let (code, text) = run(&[p.as_os_str(), "--save".as_ref(), st.as_os_str()]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("in progress"), "{text}");
    let (code, resumed) = run(&[r.as_os_str(), "--since".as_ref(), st.as_os_str(), "--json".as_ref()]);
    assert_eq!(code, Some(0), "{resumed}");
    let (_, whole) = run(&[r.as_os_str(), "--json".as_ref()]);
    let (a, b): (serde_json::Value, serde_json::Value) =
        (serde_json::from_str(&resumed).unwrap(), serde_json::from_str(&whole).unwrap());
    assert_eq!(a, b);
    // Another poll's record does not continue the state: it fails.
    let other = dir.path().join("other");
    std::fs::write(&other, &records()[12].1).unwrap();
    let (code, text) = run(&[other.as_os_str(), "--since".as_ref(), st.as_os_str()]);
    assert_ne!(code, Some(0), "{text}");
}
