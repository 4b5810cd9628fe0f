//! Issue 16, Build 5: random tampering with an honest record. Every mutation
//! — bits flipped, frames dropped, swapped, duplicated, moved, the file cut,
//! a checkpoint replayed elsewhere — is rejected by the verifier (spec: board
//! §8), which never panics. `TAMPER_ITERATIONS` sets the count (default
//! 1,200; CI runs the default).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::process::Command;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use shortlist_board::record::{self, Frame, RecordWriter};
use shortlist_board::verify::{Report, Verifier};

/// An honest record of `voters` members from `shortlist simulate`.
fn honest(voters: usize) -> Vec<u8> {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!("shortlist-tamper-{}-{n}.record", std::process::id()));
    let out = Command::new(env!("CARGO_BIN_EXE_shortlist"))
        .args(["simulate", "--voters", &voters.to_string(), "--out"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success(), "simulate: {}", String::from_utf8_lossy(&out.stderr));
    let bytes = std::fs::read(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    bytes
}

/// Verifies a record held in memory, as `verify_path` does a file.
fn verify(bytes: &[u8]) -> Report {
    let mut reader = match record::open(bytes) {
        Ok(r) => r,
        Err(e) => {
            let mut v = Verifier::new();
            v.unreadable(0, &e);
            return v.finish(&mut |_| Err(e_again()));
        }
    };
    let mut v = Verifier::new();
    loop {
        let offset = reader.offset();
        match reader.next() {
            None => break,
            Some(Ok(frame)) => v.feed(&frame, offset),
            Some(Err(err)) => {
                v.unreadable(offset, &err);
                break;
            }
        }
    }
    v.finish(&mut |offset| {
        let at = usize::try_from(offset).map_err(|_| e_again())?;
        record::read_frame(&mut bytes.get(at..).ok_or_else(e_again)?)
    })
}

fn e_again() -> shortlist_board::BoardError {
    shortlist_board::BoardError::malformed("record", "offset outside the record")
}

fn write(frames: &[Frame]) -> Vec<u8> {
    let mut w = RecordWriter::new(Vec::new()).unwrap();
    for f in frames {
        w.write(f).unwrap();
    }
    w.finish().unwrap()
}

/// Whether `fr` is the same board as `frames`: the same entries, and only
/// genuine checkpoints, each right after the entries it covers, the last one
/// covering every entry. Dropping an intermediate checkpoint, or repeating
/// one in its own place, changes no entry and no signed statement: it is not
/// tampering with the board, and such mutations are counted apart.
fn same_board(fr: &[Frame], frames: &[Frame]) -> bool {
    let entries =
        |f: &[Frame]| f.iter().filter(|x| matches!(x, Frame::Entry(_))).cloned().collect::<Vec<_>>();
    if entries(fr) != entries(frames) || fr.last() != frames.last() {
        return false;
    }
    let mut seen = 0u64;
    fr.iter().all(|f| match f {
        Frame::Entry(_) => {
            seen += 1;
            true
        }
        Frame::Checkpoint(c) => c.size == seen && frames.contains(f),
    })
}

/// One random mutation of the honest record; its name and the bytes (None
/// when it leaves the same board: see [`same_board`]).
fn mutate(rng: &mut ChaCha20Rng, bytes: &[u8], frames: &[Frame]) -> (&'static str, Option<Vec<u8>>) {
    let (kind, out) = mutate_raw(rng, bytes, frames);
    let same = out == bytes || record::read_all(&out).is_ok_and(|f| same_board(&f, frames));
    (kind, (!same).then_some(out))
}

fn mutate_raw(rng: &mut ChaCha20Rng, bytes: &[u8], frames: &[Frame]) -> (&'static str, Vec<u8>) {
    let n = frames.len();
    let checkpoints: Vec<usize> = frames
        .iter()
        .enumerate()
        .filter(|(_, f)| matches!(f, Frame::Checkpoint(_)))
        .map(|(i, _)| i)
        .collect();
    let mut fr = frames.to_vec();
    match rng.gen_range(0..9) {
        0 => {
            let mut b = bytes.to_vec();
            for _ in 0..rng.gen_range(1..=3) {
                let i = rng.gen_range(0..b.len());
                b[i] ^= 1 << rng.gen_range(0..8);
            }
            ("bits flipped", b)
        }
        1 => {
            let mut b = bytes.to_vec();
            let i = rng.gen_range(0..b.len());
            b[i] = b[i].wrapping_add(rng.gen_range(1..=255));
            ("byte replaced", b)
        }
        2 => {
            let i = rng.gen_range(0..n);
            fr.remove(i);
            ("frame dropped", write(&fr))
        }
        3 => {
            let i = rng.gen_range(0..n - 1);
            let j = rng.gen_range(i + 1..n);
            fr.swap(i, j);
            if fr == frames {
                fr.swap(0, 1);
            }
            ("frames swapped", write(&fr))
        }
        4 => {
            let i = rng.gen_range(0..n);
            let f = fr[i].clone();
            let j = rng.gen_range(0..=n);
            fr.insert(j, f);
            ("frame duplicated", write(&fr))
        }
        5 => {
            let i = rng.gen_range(0..n);
            let f = fr.remove(i);
            let mut j = rng.gen_range(0..n);
            if j == i {
                j = (i + 1) % n;
            }
            fr.insert(j, f);
            ("frame moved", write(&fr))
        }
        6 => {
            let cut = rng.gen_range(0..bytes.len());
            ("truncated", bytes[..cut].to_vec())
        }
        7 => {
            // An earlier checkpoint replayed at the end or in another place.
            let c = fr[checkpoints[rng.gen_range(0..checkpoints.len() - 1)]].clone();
            let j = if rng.gen_bool(0.5) { n } else { rng.gen_range(1..n) };
            fr.insert(j, c);
            ("checkpoint replayed", write(&fr))
        }
        _ => {
            let mut b = bytes.to_vec();
            let len = rng.gen_range(1..=64);
            let extra: Vec<u8> = (0..len).map(|_| rng.gen()).collect();
            let at = rng.gen_range(0..=b.len());
            b.splice(at..at, extra);
            ("bytes inserted", b)
        }
    }
}

#[test]
fn every_random_mutation_of_an_honest_record_is_rejected_without_panic() {
    let iterations: usize =
        std::env::var("TAMPER_ITERATIONS").ok().and_then(|v| v.parse().ok()).unwrap_or(1200);
    let seed: u64 =
        std::env::var("TAMPER_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or_else(rand::random);
    let bytes = honest(4);
    let frames = record::read_all(&bytes).unwrap();
    let honest_report = verify(&bytes);
    assert!(honest_report.passed(), "the honest record fails: {:?}", honest_report.failed_steps());

    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let mut by_kind: BTreeMap<&str, (usize, BTreeMap<String, usize>)> = BTreeMap::new();
    let mut skipped = 0;
    for i in 0..iterations {
        let (kind, tampered) = mutate(&mut rng, &bytes, &frames);
        let Some(tampered) = tampered else {
            skipped += 1;
            continue;
        };
        let report = catch_unwind(AssertUnwindSafe(|| verify(&tampered)))
            .unwrap_or_else(|_| panic!("mutation {i} ({kind}, seed {seed}): the verifier panicked"));
        // A tampered record must not verify as the finished poll: an honest
        // prefix (a cut exactly after a checkpoint) passes only "in progress".
        assert!(
            !(report.passed() && report.complete()),
            "mutation {i} ({kind}, seed {seed}) passed verification as a finished poll"
        );
        let e = by_kind.entry(kind).or_default();
        e.0 += 1;
        *e.1.entry(report.failed_steps().join("+")).or_default() += 1;
    }
    let total: usize = by_kind.values().map(|v| v.0).sum();
    eprintln!(
        "tampering: {total} mutations rejected (seed {seed}; {skipped} left the same board and were skipped)"
    );
    for (kind, (count, steps)) in &by_kind {
        eprintln!("  {kind:<20} {count:>5}  failed steps: {steps:?}");
    }
    assert!(total * 100 >= iterations * 95, "too many mutations left the same board");
}

/// A record cut exactly after an earlier checkpoint is an honest record of
/// an earlier moment: alone it verifies up to there, but not as a finished
/// poll, and a checkpoint saved later (a member's receipt) exposes it.
#[test]
fn a_record_cut_at_an_earlier_checkpoint_is_caught_by_a_later_saved_checkpoint() {
    let bytes = honest(4);
    let frames = record::read_all(&bytes).unwrap();
    let last = frames.iter().rposition(|f| matches!(f, Frame::Checkpoint(_))).unwrap();
    let Frame::Checkpoint(saved) = frames[last].clone() else { unreachable!() };
    let earlier = frames[..last].iter().rposition(|f| matches!(f, Frame::Checkpoint(_))).unwrap();
    let cut = write(&frames[..=earlier]);
    let report = verify(&cut);
    assert!(
        report.passed() && !report.complete(),
        "a record cut before its result is not an honest poll in progress"
    );
    let mut v = Verifier::new();
    v.expect_checkpoints(vec![saved]);
    let mut reader = record::open(cut.as_slice()).unwrap();
    let mut offset = reader.offset();
    while let Some(f) = reader.next() {
        v.feed(&f.unwrap(), offset);
        offset = reader.offset();
    }
    let report = v.finish(&mut |_| Err(e_again()));
    assert!(report.failed_steps().contains(&"V1.1"), "{:?}", report.failed_steps());
}
