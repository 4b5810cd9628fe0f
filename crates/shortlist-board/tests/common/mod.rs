//! Shared by the board crate's tests: a sample manifest, and the failed
//! steps of a record's verification.
#![allow(dead_code)]

use rand_chacha::ChaCha20Rng;
use shortlist_board::manifest::{
    ContestRules, Manifest, RevotePolicy, SlateRule, TieBreak, Timetable, TrusteeInfo,
};
use shortlist_board::record;
use shortlist_board::verify::Verifier;
use shortlist_board::BoardError;
use shortlist_crypto::credential::CredentialSecret;

/// A one-contest manifest (9 of many, at least 5 women) with `trustees`
/// fresh trustee keys and the given threshold; returns the server's key too.
pub fn sample_manifest(rng: &mut ChaCha20Rng, trustees: u16, threshold: u16) -> (Manifest, CredentialSecret) {
    let server = CredentialSecret::generate(rng);
    let trustees = (1..=trustees)
        .map(|i| TrusteeInfo {
            index: i,
            name: format!("T{i}"),
            key: CredentialSecret::generate(rng).public_key(),
        })
        .collect();
    let m = Manifest {
        poll_id: "spring-2027".into(),
        title: "Shortlist for the 2027 slate".into(),
        timetable: Timetable { nominations_close: 100, voting_open: 200, voting_close: 300 },
        contests: vec![ContestRules {
            contest_id: 1,
            title: "Slate".into(),
            seats: 9,
            min_selections: 0,
            max_selections: 9,
            slate_rules: vec![SlateRule { attribute: "gender".into(), value: "woman".into(), min_seats: 5 }],
        }],
        trustees,
        threshold,
        revote: RevotePolicy::LastCounts,
        tie_break: TieBreak::AggregateHash,
        server_key: server.public_key(),
        calendar: Default::default(),
        registrar: None,
    };
    (m, server)
}

/// The failed steps of a record's verification, with their details.
pub fn failures(bytes: &[u8]) -> Vec<(&'static str, Vec<String>)> {
    let mut v = Verifier::new();
    for (offset, f) in (0u64..).zip(&record::read_all(bytes).unwrap_or_default()) {
        v.feed(f, offset);
    }
    let report = v.finish(&mut |_| Err(BoardError::malformed("record", "no re-read in these tests")));
    report.steps.iter().filter(|s| !s.passed()).map(|s| (s.id, s.details.clone())).collect()
}
