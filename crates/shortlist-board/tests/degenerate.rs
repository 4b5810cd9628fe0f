//! Issue 16, defects 4 and 5 at the verifier: a degenerate manifest fails
//! V1.3 (spec: board §4.1 items 7–13), and control characters in a
//! candidate's name, attributes or statement fail V1.4 (board §2.1, §4.2),
//! both when decoding alone and when a record holding them is verified.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use shortlist_board::board::BoardWriter;
use shortlist_board::definition::{BallotDefinition, Candidate, CandidateRegistration, DefinedContest};
use shortlist_board::entry::EntryKind;
use shortlist_board::manifest::{Manifest, SlateRule, Timetable};
use shortlist_board::record::{self, RecordWriter};
use shortlist_board::verify::Verifier;
use shortlist_board::BoardError;
use shortlist_crypto::credential::CredentialSecret;

mod common;

fn manifest(rng: &mut ChaCha20Rng) -> (Manifest, CredentialSecret) {
    common::sample_manifest(rng, 3, 2)
}

type Mutation = (&'static str, fn(&mut Manifest));

const DEGENERATE: &[Mutation] = &[
    ("the same trustee key twice", |m| m.trustees[1].key = m.trustees[0].key),
    ("a trustee key that is the server's", |m| m.trustees[0].key = m.server_key),
    ("max_selections = 0", |m| m.contests[0].max_selections = 0),
    ("max_selections over 1024", |m| m.contests[0].max_selections = 1025),
    ("seats over 1024", |m| m.contests[0].seats = 1025),
    ("contest_id = 0", |m| m.contests[0].contest_id = 0),
    ("an empty title", |m| m.title.clear()),
    ("an 800 kB title", |m| m.title = "x".repeat(60_000)),
    ("an empty contest title", |m| m.contests[0].title.clear()),
    ("an empty trustee name", |m| m.trustees[0].name.clear()),
    ("a time past year 9999", |m| m.timetable.voting_close = 253_402_300_800),
    ("times at u64::MAX", |m| {
        m.timetable =
            Timetable { nominations_close: u64::MAX - 2, voting_open: u64::MAX - 1, voting_close: u64::MAX }
    }),
    ("poll id `..`", |m| m.poll_id = "..".into()),
    ("poll id `a/b`", |m| m.poll_id = "a/b".into()),
    ("poll id `-x`", |m| m.poll_id = "-x".into()),
    ("poll id with a backslash", |m| m.poll_id = "a\\b".into()),
    ("threshold 0", |m| m.threshold = 0),
    ("threshold above n", |m| m.threshold = 4),
    ("a slate rule reserving no seat", |m| m.contests[0].slate_rules[0].min_seats = 0),
    ("a repeated slate rule", |m| {
        let r = m.contests[0].slate_rules[0].clone();
        m.contests[0].slate_rules[0].min_seats = 2;
        m.contests[0].slate_rules.push(SlateRule { min_seats: 2, ..r });
    }),
    ("an empty slate-rule attribute", |m| m.contests[0].slate_rules[0].attribute.clear()),
    ("NUL in the title", |m| m.title.push('\0')),
    ("a newline in a contest title", |m| m.contests[0].title = "Sla\nte".into()),
    ("a bidi override in a trustee name", |m| m.trustees[0].name = "T\u{202E}1".into()),
    ("DEL in a slate-rule value", |m| m.contests[0].slate_rules[0].value = "wo\u{7f}man".into()),
    ("a title not in NFC", |m| m.title = "Zoe\u{308}".into()),
    ("a title with trailing space", |m| m.title = "Slate ".into()),
];

/// A record holding only `m` as entry 0 and a checkpoint of it.
fn record_of(m: &Manifest, server: &CredentialSecret) -> Vec<u8> {
    let mut b = BoardWriter::new();
    let mut w = RecordWriter::new(Vec::new()).unwrap();
    w.entry(&b.append(EntryKind::Manifest, 0, m.to_bytes()).unwrap()).unwrap();
    w.checkpoint(&b.checkpoint(server, 0).unwrap()).unwrap();
    w.finish().unwrap()
}

/// The details of the failed steps of a record's verification.
fn failures(bytes: &[u8]) -> Vec<(&'static str, Vec<String>)> {
    let mut v = Verifier::new();
    for (offset, f) in (0u64..).zip(&record::read_all(bytes).unwrap()) {
        v.feed(f, offset);
    }
    let report = v.finish(&mut |_| Err(BoardError::malformed("record", "no re-read in this test")));
    report.steps.iter().filter(|s| !s.passed()).map(|s| (s.id, s.details.clone())).collect()
}

#[test]
fn degenerate_manifests_fail_v1_3() {
    let mut rng = ChaCha20Rng::seed_from_u64(16);
    let (good, server) = manifest(&mut rng);
    good.validate().unwrap();
    assert!(!failures(&record_of(&good, &server)).iter().any(|(id, _)| *id == "V1.3"));
    for (what, f) in DEGENERATE {
        let mut m = good.clone();
        f(&mut m);
        assert!(
            matches!(m.validate(), Err(BoardError::Invalid { step: "V1.3", .. })),
            "{what}: {:?}",
            m.validate()
        );
        assert!(Manifest::from_bytes(&m.to_bytes()).is_err(), "{what}: decodes");
        let failed = failures(&record_of(&m, &server));
        assert!(failed.iter().any(|(id, _)| *id == "V1.3"), "{what}: the verifier passed V1.3: {failed:?}");
    }
}

fn candidate(name: &str) -> Candidate {
    Candidate { candidate_id: 7, name: name.into(), attributes: vec![("gender".into(), "woman".into())] }
}

type CandidateMutation = (&'static str, fn(&mut CandidateRegistration));

const BAD_CANDIDATES: &[CandidateMutation] = &[
    ("NUL in the name", |r| r.candidate.name = "Ann\0".into()),
    ("an empty name", |r| r.candidate.name.clear()),
    ("a 201-byte name", |r| r.candidate.name = "x".repeat(201)),
    ("a newline in the name", |r| r.candidate.name = "Ann\nBob".into()),
    ("an escape in an attribute value", |r| r.candidate.attributes[0].1 = "\u{1b}[2J".into()),
    ("an empty attribute key", |r| r.candidate.attributes[0].0.clear()),
    ("a repeated attribute", |r| r.candidate.attributes.push(("gender".into(), "man".into()))),
    ("NUL in the statement", |r| r.statement = "I will\0".into()),
    ("a carriage return in the statement", |r| r.statement = "a\r\nb".into()),
    ("a 10,001-byte statement", |r| r.statement = "x".repeat(10_001)),
    ("a name not in NFC", |r| r.candidate.name = "Zoe\u{308}".into()),
];

#[test]
fn control_characters_in_candidates_fail_v1_4() {
    let mut rng = ChaCha20Rng::seed_from_u64(17);
    let (m, server) = manifest(&mut rng);
    let good =
        CandidateRegistration { contest_id: 1, candidate: candidate("Ann"), statement: "line\nline".into() };
    let record = |reg: &CandidateRegistration| {
        let mut b = BoardWriter::new();
        let mut w = RecordWriter::new(Vec::new()).unwrap();
        w.entry(&b.append(EntryKind::Manifest, 0, m.to_bytes()).unwrap()).unwrap();
        w.entry(&b.append(EntryKind::Candidate, 1, reg.to_bytes()).unwrap()).unwrap();
        w.checkpoint(&b.checkpoint(&server, 1).unwrap()).unwrap();
        w.finish().unwrap()
    };
    let v1_4 = |bytes: &[u8]| {
        failures(bytes).into_iter().find(|(id, _)| *id == "V1.4").map(|(_, d)| d).unwrap_or_default()
    };
    // The good record fails V1.4 only for want of a definition.
    assert!(v1_4(&record(&good)).iter().all(|d| d.contains("definition")), "{:?}", v1_4(&record(&good)));
    for (what, f) in BAD_CANDIDATES {
        let mut reg = good.clone();
        f(&mut reg);
        let details = v1_4(&record(&reg));
        assert!(details.iter().any(|d| d.starts_with("entry 1:")), "{what}: passed V1.4: {details:?}");
        // The same candidate in a ballot definition fails V1.4 too.
        let def = BallotDefinition {
            contests: vec![DefinedContest { contest_id: 1, candidates: vec![reg.candidate.clone()] }],
        };
        if reg.candidate != good.candidate {
            assert!(matches!(def.validate(&m), Err(BoardError::Invalid { step: "V1.4", .. })), "{what}");
        }
    }
}

/// Item 5 of issue 12 (spec: board V1.4): an entry of the tally (voting
/// closed, aggregate) before the ballot definition fails V1.4 and is
/// otherwise ignored; the record is a poll still in nominations.
#[test]
fn tally_entries_before_the_definition_fail_v1_4() {
    let mut rng = ChaCha20Rng::seed_from_u64(12);
    let (m, server) = manifest(&mut rng);
    let close = m.timetable.voting_close;
    let mut b = BoardWriter::new();
    let mut w = RecordWriter::new(Vec::new()).unwrap();
    w.entry(&b.append(EntryKind::Manifest, 0, m.to_bytes()).unwrap()).unwrap();
    w.entry(&b.append(EntryKind::VotingClosed, close, Vec::new()).unwrap()).unwrap();
    let empty = shortlist_board::payload::Aggregate { contests: Vec::new() };
    w.entry(&b.append(EntryKind::Aggregate, close + 1, empty.to_bytes()).unwrap()).unwrap();
    w.checkpoint(&b.checkpoint(&server, close + 1).unwrap()).unwrap();
    let bytes = w.finish().unwrap();
    let failed = failures(&bytes);
    assert_eq!(failed.iter().map(|f| f.0).collect::<Vec<_>>(), vec!["V1.4"], "{failed:?}");
    let details = &failed[0].1;
    assert!(
        details.iter().any(|d| d.contains("entry 1: voting-closed before the ballot definition")),
        "{details:?}"
    );
    assert!(
        details.iter().any(|d| d.contains("entry 2: aggregate before the ballot definition")),
        "{details:?}"
    );
}
