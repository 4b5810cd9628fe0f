//! Unit tests of the setup and ceremony facts a replay holds.

use super::ceremony::{ceremony_phase, ceremony_step};
use super::setup::record_phase;
use super::*;
use crate::amendment::{Amendment, Deadline};
use crate::entry::EntryKind;
use crate::manifest::Calendar;

const T: Timetable = Timetable { nominations_close: 100, voting_open: 200, voting_close: 300 };

fn amendment(deadline: Deadline, from: u64, to: u64) -> Amendment {
    Amendment { deadline, from, to, signature: [0; 64] }
}

#[test]
fn candidates_and_one_definition() {
    let mut s = Setup::new(T, Calendar::default());
    assert_eq!(s.candidate(Phase::Setup, 99), Ok(()));
    let late = s.candidate(Phase::Setup, 100).unwrap_err();
    assert_eq!((late.step(), late.code().as_str()), ("V1.4", "timetable"));
    assert_eq!(s.candidates(), 1);
    let early = s.definition_refusal(Phase::Setup, 99).unwrap();
    assert_eq!(early.step(), "V1.4");
    assert_eq!(s.definition_refusal(Phase::Setup, 100), None);
    s.define(3);
    assert!(s.defined_before(4) && !s.defined_before(3));
    let phase = record_phase(s.defined_before(5), false, false, false);
    assert_eq!(phase, Phase::Voting);
    assert!(matches!(s.definition_refusal(phase, 150), Some(Refusal::WrongPhase { .. })));
    assert!(s.candidate(phase, 50).is_err(), "no candidate after the definition");
    s.define(7);
    assert_eq!(s.definition(), Some(3), "the first definition stays");
}

#[test]
fn amendments_apply_in_order_and_refusals_are_ignored() {
    let mut s = Setup::new(T, Calendar::default());
    assert_eq!(s.amend(Phase::Voting, 5, 250, amendment(Deadline::VotingClose, 300, 400)), Ok(()));
    assert_eq!(s.timetable().voting_close, 400);
    // Named from the old value: refused, not applied (spec: V1.5 rule 3).
    let r = s.amend(Phase::Voting, 6, 260, amendment(Deadline::VotingClose, 300, 500)).unwrap_err();
    assert_eq!(r.step(), "V1.5");
    // Forward without early_close: refused (rule 5).
    assert!(s.amend(Phase::Voting, 7, 260, amendment(Deadline::VotingClose, 400, 350)).is_err());
    // Once voting closed, its deadline is over (rule 4).
    assert!(s.amend(Phase::Closed, 8, 260, amendment(Deadline::VotingClose, 400, 450)).is_err());
    assert_eq!(s.timetable().voting_close, 400);
    assert_eq!(s.amendments().len(), 1);
}

#[test]
fn one_ceremony_message_per_trustee_and_recipient_while_open() {
    let mut p = CeremonyPosts::default();
    let open = Now { phase: ceremony_phase(false), time: 1, timetable: T };
    assert_eq!(p.admit(&open, EntryKind::CeremonyShare, 1, 2), Ok(()));
    assert_eq!(p.admit(&open, EntryKind::CeremonyShare, 1, 3), Ok(()));
    let again = p.admit(&open, EntryKind::CeremonyShare, 1, 2).unwrap_err();
    assert_eq!(ceremony_step(EntryKind::CeremonyShare, &again), "V5.2");
    assert_eq!(ceremony_step(EntryKind::CeremonyComplaint, &again), "V5.5");
    let over = Now { phase: ceremony_phase(true), time: 1, timetable: T };
    let late = p.admit(&over, EntryKind::CeremonyCommitment, 3, 0).unwrap_err();
    assert_eq!((late.step(), ceremony_step(EntryKind::CeremonyCommitment, &late)), ("V5.6", "V5.6"));
    assert!(!p.posted(EntryKind::CeremonyCommitment, 3, 0));
}

#[test]
fn the_phase_a_record_shows() {
    assert_eq!(record_phase(false, false, false, false), Phase::Setup);
    assert_eq!(record_phase(true, true, false, false), Phase::Closed);
    assert_eq!(record_phase(true, true, true, false), Phase::Tallying);
    assert_eq!(record_phase(true, true, true, true), Phase::Done);
}
