//! Unit and property tests of the lifecycle rules.

use proptest::prelude::*;

use super::rules::{self, BallotFacts};
use super::*;
use crate::amendment::{Amendment, Deadline};
use crate::entry::EntryKind;
use crate::manifest::{Calendar, RevotePolicy};

const T: Timetable = Timetable { nominations_close: 100, voting_open: 200, voting_close: 300 };

fn now(phase: Phase, time: u64) -> Now {
    Now { phase, time, timetable: T }
}

#[test]
fn phase_names_round_trip_in_order() {
    for (i, p) in Phase::ALL.into_iter().enumerate() {
        assert_eq!(Phase::parse(p.name()), Some(p));
        assert_eq!(Phase::ALL.iter().position(|q| *q == p), Some(i));
    }
    assert_eq!(Phase::parse("open"), None);
}

#[test]
fn the_phase_walk_of_an_honest_poll() {
    assert_eq!(rules::create_poll(0), Ok(Some(Phase::Setup)));
    assert_eq!(rules::create_poll(1), Err(Refusal::PollExists));
    assert_eq!(rules::open_nominations(&now(Phase::Setup, 10)), Ok(Some(Phase::Nominations)));
    assert_eq!(rules::enter_candidate(&now(Phase::Nominations, 10), Some(true)), Ok(None));
    assert_eq!(rules::enter_candidate(&now(Phase::Nominations, 10), Some(false)), Err(Refusal::NotPending));
    assert_eq!(rules::close_nominations(&now(Phase::Nominations, 100), 3, 3), Ok(Some(Phase::Defined)));
    assert_eq!(rules::open_voting(&now(Phase::Defined, 200), 6, 6), Ok(Some(Phase::Voting)));
    assert_eq!(rules::close_voting(&now(Phase::Voting, 300)), Ok(Some(Phase::Closed)));
    assert_eq!(rules::tally(&now(Phase::Closed, 301)), Ok(Some(Phase::Tallying)));
    assert_eq!(rules::post_result(&now(Phase::Tallying, 302)), Ok(Some(Phase::Done)));
}

#[test]
fn refusals_name_their_code_and_step() {
    let r = rules::close_nominations(&now(Phase::Setup, 99), 3, 3).unwrap_err();
    assert_eq!((r.code().as_str(), r.step()), ("timetable", "V1.4"));
    let r = rules::close_nominations(&now(Phase::Setup, 100), 4, 3).unwrap_err();
    assert_eq!((r.code().as_str(), r.class()), ("changed", RefusalClass::Conflict));
    let r = rules::cast_ballot(&now(Phase::Defined, 250), RevotePolicy::LastCounts, &BallotFacts::default())
        .unwrap_err();
    assert_eq!(r, Refusal::NotOpen { action: Action::CastBallot, opens: 200 });
    assert_eq!((r.code().as_str(), r.step()), ("wrong_phase", "V4.4"));
    let r = rules::register_credential(&now(Phase::Voting, 250), false, false).unwrap_err();
    assert_eq!((r.code().as_str(), r.class()), ("invalid_token", RefusalClass::Forbidden));
    let r = rules::trustee_message(&now(Phase::Voting, 250), EntryKind::CeremonyShare, 2, false).unwrap_err();
    assert_eq!(r.code().as_str(), "wrong_phase");
    let r =
        rules::trustee_message(&now(Phase::Tallying, 350), EntryKind::DecryptionShare, 2, true).unwrap_err();
    assert_eq!(r, Refusal::DuplicateTrusteeMessage { trustee: 2 });
}

#[test]
fn a_ballot_lists_every_rule_it_breaks_in_the_spec_order() {
    let facts =
        BallotFacts { registered: false, cast_before: 1, fresh_ciphertexts: false, ..Default::default() };
    let all = rules::cast_ballot_refusals(&now(Phase::Closed, 400), RevotePolicy::FirstCounts, &facts);
    let steps: Vec<_> = all.iter().map(Refusal::step).collect();
    assert_eq!(steps, ["V4.4", "V4.3", "V4.6", "V4.7"]);
    let last = rules::cast_ballot_refusals(&now(Phase::Voting, 250), RevotePolicy::LastCounts, &facts);
    assert_eq!(last, [Refusal::Unregistered, Refusal::DuplicateCiphertexts]);
}

#[test]
fn amendments_are_judged_against_the_timetable_in_force() {
    let cal = Calendar::default();
    let a = |deadline, from, to| Amendment { deadline, from, to, signature: [0; 64] };
    let n = now(Phase::Voting, 250);
    assert_eq!(rules::amend(&n, &a(Deadline::VotingClose, 300, 400), &cal), Ok(None));
    assert_eq!(
        rules::amend(&n, &a(Deadline::VotingClose, 299, 400), &cal),
        Err(Refusal::Changed(Changed::Timetable))
    );
    let passed = rules::amend(&n, &a(Deadline::NominationsClose, 100, 150), &cal).unwrap_err();
    assert_eq!(passed.code().as_str(), "timetable");
    let back = rules::amend(&n, &a(Deadline::VotingClose, 300, 260), &cal).unwrap_err();
    assert_eq!(back.code().as_str(), "invalid_amendment");
}

#[derive(Clone, Debug)]
enum Op {
    Register(u8),
    Cast(u8, u8),
    Audit(u8),
    Close,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0u8..6).prop_map(Op::Register),
        (0u8..6, 0u8..12).prop_map(|(c, f)| Op::Cast(c, f)),
        (0u8..12).prop_map(Op::Audit),
        Just(Op::Close),
    ]
}

proptest! {
    /// Whatever is attempted, the roll admits a ballot only from a
    /// registered credential, never reuses a fingerprint, keeps one counted
    /// ballot per credential, and never admits a second under `first`.
    #[test]
    fn the_roll_keeps_the_lifecycle_invariants(ops in prop::collection::vec(op(), 1..80), first in any::<bool>()) {
        let revote = if first { RevotePolicy::FirstCounts } else { RevotePolicy::LastCounts };
        let mut roll = Roll::new(T, revote);
        roll.phase = Phase::Voting;
        let mut admitted_fps = std::collections::HashSet::new();
        let mut ballots = std::collections::HashMap::<u8, u64>::new();
        for (i, op) in (1u64..).zip(ops) {
            match op {
                Op::Register(c) => {
                    let again = roll.registered_at(&[c; 32]).is_some() || roll.phase.voting_over();
                    prop_assert_eq!(roll.register(i, 250, [c; 32]).is_err(), again);
                }
                Op::Cast(c, f) => {
                    let ok = roll.cast(i, 250, [c; 32], &[[f; 32]]);
                    if ok.is_ok() {
                        prop_assert!(roll.registered_at(&[c; 32]).is_some());
                        prop_assert!(admitted_fps.insert(f));
                        let n = ballots.entry(c).or_default();
                        *n += 1;
                        prop_assert!(!first || *n == 1);
                    }
                }
                Op::Audit(f) => {
                    if roll.audit(i, 250, &[[f; 32]]).is_ok() {
                        prop_assert!(admitted_fps.insert(f));
                    }
                }
                Op::Close => {
                    if let Ok(next) = rules::close_voting(&roll.now(300)) {
                        roll.advance(next);
                    }
                    prop_assert!(roll.cast(i, 300, [0; 32], &[[99; 32]]).is_err());
                }
            }
            prop_assert_eq!(roll.counted(), ballots.len());
            prop_assert!(roll.counted() <= roll.credentials());
        }
    }
}
