//! Tests of the rules judged when a request arrives (before the expensive
//! part of the request: the definition, the ceremony, the sum, a share's
//! proofs) and of when the result is due.

use proptest::prelude::*;

use super::rules::{self, Submitted};
use super::*;

const T: Timetable = Timetable { nominations_close: 100, voting_open: 200, voting_close: 300 };

fn now(phase: Phase, time: u64) -> Now {
    Now { phase, time, timetable: T }
}

fn phase() -> impl Strategy<Value = Phase> {
    proptest::sample::select(Phase::ALL.to_vec())
}

proptest! {
    /// spec: api §3 — a repeat is the same entry in any phase at any time;
    /// otherwise closing nominations is judged as under the lock, less the
    /// candidate count (spec: api §5).
    #[test]
    fn closing_nominations_on_arrival(p in phase(), t in 0u64..400) {
        prop_assert_eq!(rules::close_nominations_request(&now(p, t), Submitted::Repeat), Ok(()));
        let on_arrival = rules::close_nominations_request(&now(p, t), Submitted::New);
        let under_lock = rules::close_nominations(&now(p, t), 3, 3).map(|_| ());
        prop_assert_eq!(on_arrival, under_lock);
    }

    /// spec: api §5 "Opening voting": the phase alone, as under the lock.
    #[test]
    fn opening_voting_on_arrival(p in phase(), t in 0u64..400) {
        let on_arrival = rules::open_voting_request(&now(p, t));
        prop_assert_eq!(on_arrival.is_ok(), p == Phase::Defined);
        if let Err(r) = on_arrival {
            prop_assert_eq!(r.code().as_str(), "wrong_phase");
        }
    }

    /// spec: api §5 "Tally": a repeat answers the aggregate; otherwise `closed`.
    #[test]
    fn tally_on_arrival(p in phase(), t in 0u64..400) {
        prop_assert_eq!(rules::tally_request(&now(p, t), Submitted::Repeat), Ok(None));
        prop_assert_eq!(rules::tally_request(&now(p, t), Submitted::New), rules::tally(&now(p, t)));
    }

    /// spec: V6.2: a share is looked at only once the aggregate is posted.
    #[test]
    fn a_share_on_arrival(p in phase(), t in 0u64..400) {
        let r = rules::decryption_share_request(&now(p, t));
        prop_assert_eq!(r.is_ok(), p >= Phase::Tallying);
        if let Err(r) = r {
            prop_assert_eq!((r.code().as_str(), r.step()), ("wrong_phase", "V6.2"));
        }
    }

    /// spec: V6.3, V6.6: due in `tallying` from the t-th share on, never
    /// before nor once posted.
    #[test]
    fn the_result_is_due_from_the_t_th_share(p in phase(), shares in 0u64..6, threshold in 1u16..5) {
        let due = rules::result_due(&now(p, 400), shares, threshold);
        prop_assert_eq!(due, p == Phase::Tallying && shares >= u64::from(threshold));
        if due {
            prop_assert_eq!(rules::post_result(&now(p, 400)), Ok(Some(Phase::Done)));
        }
    }
}

#[test]
fn too_early_outranks_everything_but_a_repeat() {
    let r = rules::close_nominations_request(&now(Phase::Nominations, 99), Submitted::New).unwrap_err();
    assert_eq!(r, Refusal::TooEarly { action: Action::CloseNominations, at: 100 });
    assert_eq!((r.code().as_str(), r.step()), ("timetable", "V1.4"));
    assert_eq!(rules::close_nominations_request(&now(Phase::Voting, 99), Submitted::Repeat), Ok(()));
    assert_eq!(Submitted::repeat_if(true), Submitted::Repeat);
    assert_eq!(Submitted::repeat_if(false), Submitted::New);
}

proptest! {
    /// spec: api §4.2 — tokens are mailed while the roll may change.
    #[test]
    fn tokens_are_mailed_while_the_roll_is_open(p in phase(), t in 0u64..400) {
        let r = rules::mail_tokens(&now(p, t));
        prop_assert_eq!(r.is_ok(), rules::import_roll(&now(p, t)).is_ok());
        prop_assert_eq!(r.is_ok(), !p.voting_over());
        if let Err(r) = r {
            prop_assert_eq!(r.code().as_str(), "wrong_phase");
        }
    }
}
