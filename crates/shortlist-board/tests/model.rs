//! The board model: encodings round-trip, the chain links, checkpoints sign,
//! the record streams, and the tally rules.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use shortlist_board::checkpoint::Checkpoint;
use shortlist_board::definition::{BallotDefinition, Candidate, CandidateRegistration, DefinedContest};
use shortlist_board::entry::{Chain, Entry, EntryKind};
use shortlist_board::manifest::{ContestRules, Manifest, SlateRule};
use shortlist_board::record::{self, Frame, RecordWriter};
use shortlist_board::tally;
use shortlist_board::BoardError;
use shortlist_crypto::credential::CredentialSecret;

mod common;

fn insecure_test_rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

fn manifest(rng: &mut ChaCha20Rng) -> (Manifest, CredentialSecret) {
    common::sample_manifest(rng, 5, 3)
}

fn candidates(n: u32) -> DefinedContest {
    DefinedContest {
        contest_id: 1,
        candidates: (0..n)
            .map(|i| Candidate {
                candidate_id: 100 + i,
                name: format!("Candidate {i}"),
                attributes: vec![("gender".into(), if i % 3 == 0 { "woman" } else { "man" }.into())],
            })
            .collect(),
    }
}

#[test]
fn manifest_round_trips_and_rejects_bad_rules() {
    let mut rng = insecure_test_rng(1);
    let (m, _) = manifest(&mut rng);
    let bytes = m.to_bytes();
    assert_eq!(Manifest::from_bytes(&bytes).unwrap(), m);
    let mut bad = m.clone();
    bad.threshold = 6;
    assert!(matches!(Manifest::from_bytes(&bad.to_bytes()), Err(BoardError::Invalid { step: "V1.3", .. })));
    let mut bad = m.clone();
    bad.timetable.voting_close = 150;
    assert!(matches!(bad.validate(), Err(BoardError::Invalid { step: "V1.3", .. })));
    let mut bad = m.clone();
    bad.contests[0].slate_rules[0].min_seats = 10;
    assert!(bad.validate().is_err());
    let mut trailing = bytes.clone();
    trailing.push(0);
    assert!(matches!(Manifest::from_bytes(&trailing), Err(BoardError::Malformed { .. })));
    for cut in 0..bytes.len() {
        assert!(Manifest::from_bytes(&bytes[..cut]).is_err());
    }
}

#[test]
fn definition_and_registration_round_trip() {
    let mut rng = insecure_test_rng(2);
    let (m, _) = manifest(&mut rng);
    let def = BallotDefinition { contests: vec![candidates(30)] };
    assert_eq!(BallotDefinition::from_bytes(&def.to_bytes()).unwrap(), def);
    def.validate(&m).unwrap();
    let shape = def.shape(&m, 1).unwrap();
    assert_eq!((shape.candidates, shape.min, shape.max), (30, 0, 9));
    let mut dup = def.clone();
    dup.contests[0].candidates[1].candidate_id = 100;
    assert!(matches!(dup.validate(&m), Err(BoardError::Invalid { step: "V1.4", .. })));
    let reg = CandidateRegistration {
        contest_id: 1,
        candidate: candidates(1).candidates[0].clone(),
        statement: "I will".into(),
    };
    assert_eq!(CandidateRegistration::from_bytes(&reg.to_bytes()).unwrap(), reg);
}

#[test]
fn chain_links_and_detects_reorder_and_tamper() {
    let mut chain = Chain::new();
    let entries: Vec<Entry> = (0..5u8)
        .map(|i| {
            let kind = if i == 0 { EntryKind::Manifest } else { EntryKind::Credential };
            chain.append(kind, u64::from(i), vec![i; 3])
        })
        .collect();
    let mut check = Chain::new();
    for e in &entries {
        check.check_next(e).unwrap();
        assert_eq!(Entry::from_bytes(&e.to_bytes()).unwrap(), *e);
    }
    assert_eq!(check.head(), chain.head());
    let mut check = Chain::new();
    check.check_next(&entries[0]).unwrap();
    assert!(matches!(check.check_next(&entries[2]), Err(BoardError::Invalid { step: "V1.1", .. })));
    let mut tampered = entries[1].clone();
    tampered.payload[0] ^= 1;
    let mut check = Chain::new();
    check.check_next(&entries[0]).unwrap();
    check.check_next(&tampered).unwrap();
    assert!(check.check_next(&entries[2]).is_err(), "a changed payload breaks the next link");
}

#[test]
fn checkpoint_signature_and_record_round_trip() {
    let mut rng = insecure_test_rng(3);
    let (m, server) = manifest(&mut rng);
    let mh = [4u8; 32];
    let cp = Checkpoint::sign(&server, &mh, 3, [1; 32], [2; 32], 1234);
    cp.verify(&m.server_key, &mh).unwrap();
    assert_eq!(Checkpoint::from_bytes(&cp.to_bytes()).unwrap(), cp);
    assert!(cp.verify(&m.server_key, &[5u8; 32]).is_err());
    let mut bad = cp.clone();
    bad.root[0] ^= 1;
    assert!(matches!(bad.verify(&m.server_key, &mh), Err(BoardError::Invalid { step: "V1.2", .. })));

    let mut chain = Chain::new();
    let e0 = chain.append(EntryKind::Manifest, 1, m.to_bytes());
    let e1 = chain.append(EntryKind::Credential, 2, vec![9; 32]);
    let mut w = RecordWriter::new(Vec::new()).unwrap();
    w.entry(&e0).unwrap();
    w.entry(&e1).unwrap();
    w.checkpoint(&cp).unwrap();
    let bytes = w.finish().unwrap();
    let frames = record::read_all(&bytes).unwrap();
    assert_eq!(frames, vec![Frame::Entry(e0), Frame::Entry(e1), Frame::Checkpoint(cp)]);
    // Byte for byte: re-writing the frames gives the same file.
    let mut again = RecordWriter::new(Vec::new()).unwrap();
    for f in &frames {
        again.write(f).unwrap();
    }
    assert_eq!(again.finish().unwrap(), bytes);
    assert!(record::read_all(&bytes[..bytes.len() - 1]).is_err());
    assert!(record::read_all(b"not a record at all").is_err());
}

#[test]
fn ranking_breaks_ties_by_definition_hash_and_slate_meets_the_rule() {
    let contest = candidates(12);
    let dh = [7u8; 32];
    // Candidates 0..12 with counts 12, 11, ..., but 4 and 5 tie.
    let mut counts: Vec<u64> = (0..12).map(|i| 100 - i).collect();
    counts[5] = counts[4];
    let ranking = tally::rank(&contest, &counts, &dh);
    assert_eq!(ranking.len(), 12);
    let (a, b) = (104u32, 105u32);
    let first = if tally::tie_break_key(&dh, a) < tally::tie_break_key(&dh, b) { a } else { b };
    let pos = ranking.iter().position(|id| *id == first).unwrap();
    assert_eq!(pos, 4);
    let (mut m, _) = manifest(&mut insecure_test_rng(4));
    m.contests[0].slate_rules[0].min_seats = 3;
    // Women are candidates 0, 3, 6, 9 (ids 100, 103, 106, 109).
    let slate = tally::slate(&m.contests[0], &contest, &ranking);
    assert_eq!(slate.len(), 9);
    let women = slate.iter().filter(|id| (**id - 100) % 3 == 0).count();
    assert!(women >= 3, "slate {slate:?}");
    // Without a rule, the slate is the top 9.
    m.contests[0].slate_rules.clear();
    assert_eq!(tally::slate(&m.contests[0], &contest, &ranking), ranking[..9].to_vec());
    // A rule asking for more women than stand is capped at those standing.
    m.contests[0].slate_rules.push(SlateRule {
        attribute: "gender".into(),
        value: "woman".into(),
        min_seats: 9,
    });
    let slate = tally::slate(&m.contests[0], &contest, &ranking);
    assert_eq!(slate.iter().filter(|id| (**id - 100) % 3 == 0).count(), 4);
    assert_eq!(slate.len(), 9);
}

mod receipts_and_equivocation {
    use super::*;
    use shortlist_board::board::BoardWriter;
    use shortlist_board::checkpoint::check_consistency;
    use shortlist_board::merkle::{leaf_hash, MerkleLog, TreeSize};
    use shortlist_board::receipt::Receipt;
    use shortlist_board::verify::Verifier;

    /// A board of a manifest and `n` credential entries, with its Merkle log.
    fn board(m: &Manifest, n: u8, salt: u8) -> (BoardWriter, MerkleLog, Vec<Entry>) {
        let mut w = BoardWriter::new();
        let mut log = MerkleLog::new();
        let mut entries = vec![w.append(EntryKind::Manifest, 0, m.to_bytes()).unwrap()];
        for i in 0..n {
            entries.push(w.append(EntryKind::Ballot, u64::from(i), vec![i, salt]).unwrap());
        }
        for e in &entries {
            log.push(leaf_hash(&e.hash())).unwrap();
        }
        (w, log, entries)
    }

    #[test]
    fn receipt_checks_offline_and_rejects_changes() {
        let mut rng = insecure_test_rng(5);
        let (m, server) = manifest(&mut rng);
        let (w, log, entries) = board(&m, 6, 0);
        let mh = w.manifest_hash().unwrap();
        let cp = w.checkpoint(&server, 99).unwrap();
        let ballot = &entries[3];
        let receipt = Receipt::issue(ballot, &log, cp).unwrap();
        receipt.verify(&ballot.payload, &m.server_key, &mh).unwrap();
        assert_eq!(Receipt::from_bytes(&receipt.to_bytes()).unwrap(), receipt);
        assert!(receipt.verify(&entries[4].payload, &m.server_key, &mh).is_err(), "another ballot");
        assert!(receipt.verify(&ballot.payload, &m.trustees[0].key, &mh).is_err(), "another server key");
        assert!(receipt.verify(&ballot.payload, &m.server_key, &[0u8; 32]).is_err(), "another poll");
        let mut moved = receipt.clone();
        moved.time += 1;
        assert!(moved.verify(&ballot.payload, &m.server_key, &mh).is_err(), "another entry header");
        let bytes = receipt.to_bytes();
        for cut in 0..bytes.len() {
            assert!(Receipt::from_bytes(&bytes[..cut]).is_err());
        }
    }

    #[test]
    fn consistent_checkpoints_pass_and_a_fork_proves_equivocation() {
        let mut rng = insecure_test_rng(6);
        let (m, server) = manifest(&mut rng);
        let (w, log, _) = board(&m, 9, 0);
        let mh = w.manifest_hash().unwrap();
        let new = w.checkpoint(&server, 50).unwrap();
        // An older checkpoint of the same board, at size 4.
        let (w4, _, _) = board(&m, 3, 0);
        let old = w4.checkpoint(&server, 40).unwrap();
        let proof = log.consistency_proof(TreeSize::new(4), TreeSize::new(10)).unwrap();
        check_consistency(&old, &new, &proof, &m.server_key, &mh).unwrap();
        // A fork: same manifest and server, other entries after the manifest.
        let (wf, _, _) = board(&m, 3, 1);
        let forked = wf.checkpoint(&server, 41).unwrap();
        let err = check_consistency(&forked, &new, &proof, &m.server_key, &mh).unwrap_err();
        assert!(err.to_string().contains("equivocation"), "{err}");
        let same_size = wf.checkpoint(&server, 42).unwrap();
        assert!(check_consistency(&old, &same_size, &proof, &m.server_key, &mh).is_err());

        // The verifier, given the forked checkpoint saved by a monitor, proves it against the record.
        let (_, _, entries) = board(&m, 9, 0);
        let mut v = Verifier::new();
        v.expect_checkpoints(vec![forked, old]);
        for (i, e) in entries.iter().enumerate() {
            v.feed(&Frame::Entry(e.clone()), i as u64);
        }
        v.feed(&Frame::Checkpoint(new), 0);
        let report = v.finish(&mut |_| panic!("no re-read expected"));
        let v11 = report.steps.iter().find(|s| s.id == "V1.1").unwrap();
        assert_eq!(v11.failed, 1, "{:?}", v11.details);
        assert!(v11.details[0].contains("equivocation"));
    }
}

#[test]
fn slate_fills_every_seat_even_when_a_rule_passes_candidates_over() {
    // 3 seats; rules a=y (≥1) and b=y (≥1); X and Y have neither, Z has both;
    // ranking X, Y, Z. Y is passed over to keep a seat for the rules, then Z
    // meets both, so Y must still take the third seat.
    let contest = DefinedContest {
        contest_id: 1,
        candidates: vec![
            Candidate { candidate_id: 1, name: "X".into(), attributes: vec![] },
            Candidate { candidate_id: 2, name: "Y".into(), attributes: vec![] },
            Candidate {
                candidate_id: 3,
                name: "Z".into(),
                attributes: vec![("a".into(), "y".into()), ("b".into(), "y".into())],
            },
        ],
    };
    let rules = ContestRules {
        contest_id: 1,
        title: "t".into(),
        seats: 3,
        min_selections: 0,
        max_selections: 3,
        slate_rules: vec![
            SlateRule { attribute: "a".into(), value: "y".into(), min_seats: 1 },
            SlateRule { attribute: "b".into(), value: "y".into(), min_seats: 1 },
        ],
    };
    assert_eq!(tally::slate(&rules, &contest, &[1, 2, 3]), vec![1, 2, 3]);
    let mut two = rules.clone();
    two.seats = 2;
    assert_eq!(tally::slate(&two, &contest, &[1, 2, 3]), vec![1, 3]);
}

#[test]
fn manifest_calendar_is_version_2_and_version_1_keeps_its_bytes() {
    use shortlist_board::manifest::Calendar;
    let (m, _) = manifest(&mut insecure_test_rng(40));
    let v1 = m.to_bytes();
    assert_eq!(v1[0], 1, "no calendar: version 1, as every existing manifest");
    assert!(v1.ends_with(&m.server_key.to_bytes()), "version 1 ends with the server key");
    let mut dated = m.clone();
    dated.calendar = Calendar { zone: "Europe/Paris".into(), early_close: true };
    let v2 = dated.to_bytes();
    assert_eq!(v2[0], 2);
    assert_eq!(&v2[1..v1.len()], &v1[1..], "version 2 appends, changing nothing before");
    assert_eq!(Manifest::from_bytes(&v2).unwrap(), dated);
    assert_eq!(Manifest::from_bytes(&v1).unwrap(), m);
    // One encoding: a version-2 manifest with an empty calendar is malformed.
    let mut empty = v1.clone();
    empty[0] = 2;
    empty.extend_from_slice(&[0, 0, 0, 0, 0]);
    assert!(Manifest::from_bytes(&empty).is_err());
    // Unknown flags, and zones that are not names or offsets, are refused.
    let mut flags = v2.clone();
    *flags.last_mut().unwrap() = 3;
    assert!(Manifest::from_bytes(&flags).is_err());
    for zone in ["+01:00", "-09:30", "UTC", "America/Argentina/Buenos_Aires", "Etc/GMT+5"] {
        dated.calendar.zone = zone.into();
        assert!(dated.validate().is_ok(), "{zone}");
    }
    for zone in ["+24:00", "+1:00", "../etc/passwd", "/Europe/Paris", "Europe Paris", "1Europe"] {
        dated.calendar.zone = zone.into();
        assert!(dated.validate().is_err(), "{zone}");
    }
}

#[test]
fn explanation_names_ties_and_the_rule_that_moved_each_candidate() {
    // 12 candidates, women are ids 100, 103, 106, 109; counts 100, 99, … with
    // ids 104 and 105 tied, and 108 and 109 tied across the slate's edge.
    let contest = candidates(12);
    let seed = [3u8; 32];
    let mut counts: Vec<u64> = (0..12).map(|i| 100 - i).collect();
    counts[5] = counts[4];
    counts[9] = counts[8];
    let (mut m, _) = manifest(&mut insecure_test_rng(5));
    m.contests[0].seats = 5;
    m.contests[0].slate_rules[0].min_seats = 3;
    let rules = &m.contests[0];
    let ranking = tally::rank(&contest, &counts, &seed);
    let slate = tally::slate(rules, &contest, &ranking);
    let ex = tally::explain(rules, &contest, &counts, &ranking, &slate);
    assert_eq!(ex.ties.len(), 2);
    assert_eq!(ex.ties[0].count, 96);
    let mut tied = ex.ties[0].candidates.clone();
    tied.sort_unstable();
    assert_eq!(tied, vec![104, 105]);
    assert_eq!(ex.ties[1].count, 92);
    // Top 5 by votes: 100, 101, 102, 103 and one of 104/105 (two women);
    // the rule wants three, so 106 comes in and the fifth is passed over.
    let moved_in: Vec<_> = ex.moves.iter().filter(|mv| mv.elected).map(|mv| mv.candidate_id).collect();
    assert_eq!(moved_in, vec![106]);
    let out: Vec<_> = ex.moves.iter().filter(|mv| !mv.elected).collect();
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].rank, 5);
    assert!(ex.moves.iter().all(|mv| mv.rules == vec![0]), "{:?}", ex.moves);
    // The rule, not the tie-break, decided between 104 and 105: neither is on the slate.
    assert!(!ex.ties[0].decisive);
    assert!(!ex.ties[1].decisive);
    // Without rules nothing moves, and the tie-break gives one of 104, 105 the fifth seat.
    m.contests[0].slate_rules.clear();
    let plain = tally::slate(&m.contests[0], &contest, &ranking);
    let ex = tally::explain(&m.contests[0], &contest, &counts, &ranking, &plain);
    assert!(ex.moves.is_empty());
    assert!(ex.ties[0].decisive);
}
