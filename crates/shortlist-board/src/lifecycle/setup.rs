//! The facts of a poll before voting, as a replay of its record holds them
//! (spec: board §4.2, §4.3, §4.11; V1.4, V1.5): the candidate entries, the
//! ballot definition, and the timetable in force with the amendments that
//! made it. Candidates, the definition and amendments are admitted by the
//! same rules as the server's ([`super::rules`]); what only the encoding
//! decides (decoding, text rules, the definition's shape, the amendment's
//! signature) stays the caller's check.

use crate::amendment::{Amended, Amendment};
use crate::manifest::{Calendar, Timetable};

use super::{rules, Now, Phase, Refusal};

/// The setup facts a replay has read.
#[derive(Clone, Debug)]
pub struct Setup {
    timetable: Timetable,
    calendar: Calendar,
    candidates: u64,
    definition: Option<u64>,
    amendments: Vec<Amended>,
}

impl Setup {
    /// A poll whose manifest gives this timetable and calendar, before any
    /// other entry.
    pub fn new(timetable: Timetable, calendar: Calendar) -> Self {
        Self { timetable, calendar, candidates: 0, definition: None, amendments: Vec::new() }
    }

    /// The timetable in force: the manifest's with every admitted amendment
    /// read so far applied, in board order (spec: V1.5).
    pub fn timetable(&self) -> Timetable {
        self.timetable
    }

    /// Where the poll stands for an entry at `time` in `phase`.
    pub fn now(&self, phase: Phase, time: u64) -> Now {
        Now { phase, time, timetable: self.timetable }
    }

    /// The candidate entries admitted.
    pub fn candidates(&self) -> u64 {
        self.candidates
    }

    /// The index of the ballot definition, once one is recorded.
    pub fn definition(&self) -> Option<u64> {
        self.definition
    }

    /// Whether the ballot definition precedes entry `index` (spec: V1.4:
    /// nothing is voted on or tallied before it).
    pub fn defined_before(&self, index: u64) -> bool {
        self.definition.is_some_and(|d| d < index)
    }

    /// The admitted amendments, in board order.
    pub fn amendments(&self) -> &[Amended] {
        &self.amendments
    }

    /// A candidate entry at `time` (spec: V1.4, board §4.2): the server's
    /// rule for entering a candidate — before the definition and before
    /// `nominations_close` in force. Counted if admitted.
    pub fn candidate(&mut self, phase: Phase, time: u64) -> Result<(), Refusal> {
        rules::enter_candidate(&self.now(phase, time), None)?;
        self.candidates = self.candidates.saturating_add(1);
        Ok(())
    }

    /// Why a ballot definition at `time` breaks the server's rule for
    /// closing nominations (spec: V1.4, board §4.3: one definition, at or
    /// after `nominations_close`), if it does. A record built it from the
    /// candidates it holds, so the "changed meanwhile" check cannot fail.
    pub fn definition_refusal(&self, phase: Phase, time: u64) -> Option<Refusal> {
        rules::close_nominations(&self.now(phase, time), self.candidates, self.candidates).err()
    }

    /// Records the definition at `index`. A record keeps a definition posted
    /// too early as the poll's (it is reported at V1.4, and every later entry
    /// is still checked against it); a second definition is never recorded.
    pub fn define(&mut self, index: u64) {
        self.definition.get_or_insert(index);
    }

    /// A timetable amendment entry at `index` and `time` whose signature the
    /// caller verified (spec: V1.5 rules 3–6, board §4.11): admitted by
    /// [`rules::amend_on_record`], it applies to every later entry; refused,
    /// it is ignored.
    pub fn amend(&mut self, phase: Phase, index: u64, time: u64, a: Amendment) -> Result<(), Refusal> {
        rules::amend_on_record(&self.now(phase, time), &a, &self.calendar)?;
        self.timetable = a.apply(&self.timetable);
        self.amendments.push(Amended { index, time, amendment: a });
        Ok(())
    }
}

/// The phase a record shows at an entry (spec: board §8.1, api §5). Opening
/// nominations and opening voting are no entries: before the definition
/// (`defined`: it precedes the entry) a record is in `setup`; after it, in
/// `voting` (V4.4 checks the window itself) until a voting-closed entry
/// precedes the entry, then `closed`, `tallying` after the aggregate and
/// `done` after the result.
pub fn record_phase(defined: bool, closed: bool, aggregated: bool, resulted: bool) -> Phase {
    if resulted {
        Phase::Done
    } else if aggregated {
        Phase::Tallying
    } else if closed {
        Phase::Closed
    } else if defined {
        Phase::Voting
    } else {
        Phase::Setup
    }
}
