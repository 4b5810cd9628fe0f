//! The poll's lifecycle as one pure state machine (spec: api §5, board §4,
//! §8.4): its phases, and one admission rule per operation that says whether
//! an entry may be appended next and, if not, why ([`Refusal`], citing its
//! spec step). No I/O: the server's sequencer fills the facts a rule needs
//! from its database under the poll's lock; the verifier fills them from the
//! entries it has replayed ([`Roll`]). Both admit through the same rules, so
//! what the server accepts and what the verifier accepts cannot drift apart.

pub mod ceremony;
mod refusal;
mod roll;
pub mod rules;
pub mod setup;

pub use ceremony::CeremonyPosts;
pub use refusal::{Action, Changed, Refusal, RefusalClass};
pub use roll::{Cast, Counted, Fingerprint, Roll};
pub use setup::Setup;

use crate::manifest::Timetable;

/// The phases of a poll, in order (spec: api §5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Phase {
    /// Created; the organiser may enter candidates, trustees run the ceremony.
    Setup,
    /// Candidates may send expressions of interest.
    Nominations,
    /// The ballot definition is on the board.
    Defined,
    /// Ballots are taken.
    Voting,
    /// Voting closed.
    Closed,
    /// The aggregate is on the board; trustees decrypt.
    Tallying,
    /// The result is on the board.
    Done,
}

impl Phase {
    /// Every phase, in order.
    pub const ALL: [Phase; 7] = [
        Phase::Setup,
        Phase::Nominations,
        Phase::Defined,
        Phase::Voting,
        Phase::Closed,
        Phase::Tallying,
        Phase::Done,
    ];

    /// Its name in the API and the database (`setup`, `nominations`, …).
    pub const fn name(self) -> &'static str {
        match self {
            Phase::Setup => "setup",
            Phase::Nominations => "nominations",
            Phase::Defined => "defined",
            Phase::Voting => "voting",
            Phase::Closed => "closed",
            Phase::Tallying => "tallying",
            Phase::Done => "done",
        }
    }

    /// The phase named `name`, if any.
    pub fn parse(name: &str) -> Option<Phase> {
        Phase::ALL.into_iter().find(|p| p.name() == name)
    }

    /// Whether candidates may still be entered (and nominations closed).
    pub fn before_definition(self) -> bool {
        matches!(self, Phase::Setup | Phase::Nominations)
    }

    /// Whether voting has closed (`closed`, `tallying`, `done`).
    pub fn voting_over(self) -> bool {
        matches!(self, Phase::Closed | Phase::Tallying | Phase::Done)
    }
}

impl std::fmt::Display for Phase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Where the poll stands when an entry would be appended: its phase, the
/// entry's time and the timetable in force (the manifest's with every valid
/// amendment before this point applied: spec: V1.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Now {
    /// The poll's phase.
    pub phase: Phase,
    /// The time the entry would carry (Unix seconds).
    pub time: u64,
    /// The timetable in force.
    pub timetable: Timetable,
}

#[cfg(test)]
mod registrar_tests;
#[cfg(test)]
mod request_tests;
#[cfg(test)]
mod setup_tests;
#[cfg(test)]
mod tests;
