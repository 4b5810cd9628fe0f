//! Tests of the registrar rule (spec: board §4.12, V4.9) on the replayed [`Roll`].

use super::*;
use crate::manifest::{RevotePolicy, Timetable};
use crate::registrar::RegistrarBody as B;

const T: Timetable = Timetable { nominations_close: 100, voting_open: 200, voting_close: 300 };

fn roll() -> Roll {
    let mut r = Roll::new(T, RevotePolicy::FirstCounts);
    r.set_registrar_mode(true);
    r.phase = Phase::Voting;
    r
}

fn list(part: u32, keys: &[u8]) -> B {
    B::List { roll_size: 3, part, keys: keys.iter().map(|k| [*k; 32]).collect() }
}

#[test]
fn list_parts_in_order_then_supplements_and_revocations() {
    let mut r = roll();
    assert!(matches!(r.registrar(1, 150, &list(1, &[1])), Err(Refusal::RegistrarOrder(_))));
    assert!(matches!(
        r.registrar(1, 150, &B::Supplement { keys: vec![[9; 32]] }),
        Err(Refusal::RegistrarOrder(_))
    ));
    assert_eq!(r.registrar(1, 150, &list(0, &[1, 2])), Ok(()));
    assert_eq!(r.registrar(2, 150, &list(1, &[2])), Err(Refusal::DuplicateKey));
    assert!(matches!(r.registrar(2, 150, &list(1, &[3, 4])), Err(Refusal::RegistrarOrder(_))));
    assert_eq!(r.registrar(2, 150, &list(1, &[3])), Ok(()));
    assert!(matches!(r.registrar(3, 150, &list(2, &[5])), Err(Refusal::RegistrarOrder(_))));
    assert_eq!(r.registrar(3, 150, &B::Supplement { keys: vec![[3; 32]] }), Err(Refusal::DuplicateKey));
    assert_eq!(
        r.registrar(3, 150, &B::Supplement { keys: vec![[5; 32], [5; 32]] }),
        Err(Refusal::DuplicateKey)
    );
    assert_eq!(r.registrar(3, 150, &B::Supplement { keys: vec![[5; 32]] }), Ok(()));
    let revoke = |old: u8, new: u8| B::Revocation { revoked: [old; 32], replacement: [new; 32] };
    assert!(matches!(r.registrar(4, 150, &revoke(7, 8)), Err(Refusal::RegistrarOrder(_))));
    assert_eq!(r.registrar(4, 150, &revoke(1, 2)), Err(Refusal::DuplicateKey));
    assert_eq!(
        r.registrar(4, 300, &revoke(1, 8)),
        Err(Refusal::TooLate { action: Action::Registrar, at: 300 })
    );
    assert_eq!(r.registrar(4, 150, &revoke(1, 8)), Ok(()));
    assert!(matches!(r.registrar(5, 150, &revoke(1, 9)), Err(Refusal::RegistrarOrder(_))));
}

#[test]
fn ballots_need_a_listed_unrevoked_key_and_a_member_votes_once_across_a_reissue() {
    let mut r = roll();
    r.registrar(1, 150, &B::List { roll_size: 1, part: 0, keys: vec![[1; 32]] }).unwrap();
    assert_eq!(r.cast(2, 250, [9; 32], &[[0xa0; 32]]), Err(Refusal::Unlisted));
    // A ballot before the listing is not from a listed key.
    assert_eq!(r.ballot_refusals(0, 250, &[1; 32], &[[0xa1; 32]]), vec![Refusal::Unlisted]);
    assert_eq!(r.cast(3, 250, [1; 32], &[[0xa2; 32]]), Ok(None));
    r.registrar(4, 250, &B::Revocation { revoked: [1; 32], replacement: [2; 32] }).unwrap();
    assert_eq!(
        r.ballot_refusals(5, 250, &[1; 32], &[[0xa3; 32]]),
        vec![Refusal::Revoked, Refusal::AlreadyVoted]
    );
    // Under "first counts", the replacement is the same member, who voted.
    assert_eq!(r.cast(6, 250, [2; 32], &[[0xa4; 32]]), Err(Refusal::AlreadyVoted));
    assert_eq!(r.voter(&[2; 32]), [1; 32]);
    // Token registrations are refused in registrar mode.
    assert_eq!(r.register(7, 250, [3; 32]), Err(Refusal::RegistrarMode));
}

#[test]
fn token_mode_refuses_registrar_entries() {
    let mut r = Roll::new(T, RevotePolicy::LastCounts);
    assert_eq!(r.registrar(1, 150, &B::Supplement { keys: vec![] }), Err(Refusal::TokenMode));
}
