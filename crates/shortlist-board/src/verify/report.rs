//! The verifier's report: every numbered step with its counts and failures.

use serde::Serialize;

/// A numbered step of the record verifier (spec: board §8), in report
/// order. Every failure names one; the ids and titles are those of the
/// spec's table (a test holds the two equal).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Step {
    /// V1.1: chain and tree integrity.
    V1_1,
    /// V1.2: checkpoint signatures.
    V1_2,
    /// V1.3: manifest well-formed.
    V1_3,
    /// V1.4: nominations and ballot definition.
    V1_4,
    /// V1.5: timetable amendments.
    V1_5,
    /// V5.1: key ceremony: commitment messages.
    V5_1,
    /// V5.2: key ceremony: encrypted shares.
    V5_2,
    /// V5.5: key ceremony: complaints.
    V5_5,
    /// V5.6: key ceremony: qualified set and joint key.
    V5_6,
    /// V4.1: credential registrations.
    V4_1,
    /// V4.2: ballot signatures.
    V4_2,
    /// V4.3: ballots from registered credentials.
    V4_3,
    /// V4.4: ballots inside the voting window.
    V4_4,
    /// V4.5: ballot proofs.
    V4_5,
    /// V4.6: revote policy.
    V4_6,
    /// V4.7: no duplicate ciphertexts.
    V4_7,
    /// V4.8: audited ballots open to what they claim.
    V4_8,
    /// V4.9: registrar: signed list, listed unrevoked keys.
    V4_9,
    /// V6.1: voting closed and aggregates recomputed.
    V6_1,
    /// V6.2: decryption shares.
    V6_2,
    /// V6.3: combination of shares.
    V6_3,
    /// V6.6: result counts.
    V6_6,
    /// V6.7: ranking and slate.
    V6_7,
}

impl Step {
    /// Every step, in report order.
    pub const ALL: [Step; 23] = [
        Step::V1_1,
        Step::V1_2,
        Step::V1_3,
        Step::V1_4,
        Step::V1_5,
        Step::V5_1,
        Step::V5_2,
        Step::V5_5,
        Step::V5_6,
        Step::V4_1,
        Step::V4_2,
        Step::V4_3,
        Step::V4_4,
        Step::V4_5,
        Step::V4_6,
        Step::V4_7,
        Step::V4_8,
        Step::V4_9,
        Step::V6_1,
        Step::V6_2,
        Step::V6_3,
        Step::V6_6,
        Step::V6_7,
    ];

    /// The step's id and title, as in the spec's table.
    fn row(self) -> (&'static str, &'static str) {
        match self {
            Step::V1_1 => ("V1.1", "chain and tree integrity"),
            Step::V1_2 => ("V1.2", "checkpoint signatures"),
            Step::V1_3 => ("V1.3", "manifest well-formed"),
            Step::V1_4 => ("V1.4", "nominations and ballot definition"),
            Step::V1_5 => ("V1.5", "timetable amendments"),
            Step::V5_1 => ("V5.1", "key ceremony: commitment messages"),
            Step::V5_2 => ("V5.2", "key ceremony: encrypted shares"),
            Step::V5_5 => ("V5.5", "key ceremony: complaints"),
            Step::V5_6 => ("V5.6", "key ceremony: qualified set and joint key"),
            Step::V4_1 => ("V4.1", "credential registrations"),
            Step::V4_2 => ("V4.2", "ballot signatures"),
            Step::V4_3 => ("V4.3", "ballots from registered credentials"),
            Step::V4_4 => ("V4.4", "ballots inside the voting window"),
            Step::V4_5 => ("V4.5", "ballot proofs"),
            Step::V4_6 => ("V4.6", "revote policy"),
            Step::V4_7 => ("V4.7", "no duplicate ciphertexts"),
            Step::V4_8 => ("V4.8", "audited ballots open to what they claim"),
            Step::V4_9 => ("V4.9", "registrar: signed list, listed unrevoked keys"),
            Step::V6_1 => ("V6.1", "voting closed and aggregates recomputed"),
            Step::V6_2 => ("V6.2", "decryption shares"),
            Step::V6_3 => ("V6.3", "combination of shares"),
            Step::V6_6 => ("V6.6", "result counts"),
            Step::V6_7 => ("V6.7", "ranking and slate"),
        }
    }

    /// The stable id, e.g. `V4.5`.
    pub fn id(self) -> &'static str {
        self.row().0
    }

    /// What the step checks.
    pub fn title(self) -> &'static str {
        self.row().1
    }

    /// The step with this id.
    pub fn from_id(id: &str) -> Option<Step> {
        Self::ALL.into_iter().find(|s| s.id() == id)
    }
}

/// How far the poll has gone, as its record shows it. A record of a poll in
/// progress passes when every step so far holds (spec: board §8.1): the
/// steps that need later entries are not failed for their absence.
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Nominations open: no ballot definition yet.
    Nominations,
    /// The key ceremony is not complete, and no ballot has been cast.
    KeyCeremony,
    /// Voting open (or about to open): no voting-closed entry yet.
    VotingOpen,
    /// Voting closed, no aggregate yet.
    VotingClosed,
    /// Aggregate posted; decryption shares or the result still to come.
    Tallying,
    /// The result is on the record.
    Complete,
}

impl Phase {
    /// The phase in words.
    pub fn describe(self) -> &'static str {
        match self {
            Phase::Nominations => "nominations open, no ballot definition yet",
            Phase::KeyCeremony => "key ceremony not complete, voting not yet open",
            Phase::VotingOpen => "voting open, not yet tallied",
            Phase::VotingClosed => "voting closed, not yet tallied",
            Phase::Tallying => "tally in progress, no result yet",
            Phase::Complete => "complete, with its result",
        }
    }
}

/// How many failure messages a step keeps.
const MAX_DETAILS: usize = 8;

/// One step's outcome.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct StepReport {
    /// The step id, e.g. `V4.5`.
    pub id: &'static str,
    /// What the step checks.
    pub title: &'static str,
    /// How many items the step checked.
    pub checked: u64,
    /// How many items failed.
    pub failed: u64,
    /// The first failure messages.
    pub details: Vec<String>,
}

impl StepReport {
    /// Whether the step passed.
    pub fn passed(&self) -> bool {
        self.failed == 0
    }
}

/// The report of a whole verification.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// Every step, in order.
    pub steps: Vec<StepReport>,
    /// The verified result, per contest: `(candidate name, votes, elected)` in ranking order.
    pub result: Vec<ContestTable>,
    /// How many entries were read.
    pub entries: u64,
    /// How many ballots were checked.
    pub ballots: u64,
    /// The poll id and the hex manifest hash the record is about: the poll's
    /// identity, to compare with the one the organiser published (spec:
    /// board §1.5).
    pub poll: Option<(String, String)>,
    /// Who took part, as the board shows it (spec: board §8.5).
    pub turnout: Turnout,
    /// How far the poll has gone (spec: board §8.1).
    pub phase: Phase,
}

/// Participation as the board shows it. (In token mode the members on the
/// roll are not on the board; the server's result adds them.)
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Turnout {
    /// Members on the roll in registrar mode: the list's roll size plus the
    /// supplements' keys (spec: board §8.5); absent in token mode.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members: Option<u64>,
    /// Credentials issued: registered (V4.1), or listed by the registrar and
    /// not revoked (V4.9); spec: board §8.5.
    pub credentials: u64,
    /// Ballots cast, revotes included.
    pub ballots_cast: u64,
    /// Ballots that count: one per credential under the revote policy (V4.6).
    pub ballots_counted: u64,
    /// Ballots audited (spoiled), never counted.
    pub audited: u64,
}

/// The result table of one contest.
#[derive(Clone, Debug, Serialize)]
pub struct ContestTable {
    /// The contest's title.
    pub title: String,
    /// `(candidate name, votes, on the slate)` in ranking order.
    pub rows: Vec<(String, u64, bool)>,
    /// Ties and slate moves, by candidate id (spec: board §4.9).
    pub explanation: crate::tally::Explanation,
    /// The same, as sentences: how each tie was broken, which rule moved whom.
    pub notes: Vec<String>,
}

impl std::fmt::Display for Report {
    /// The text report: every step with its mark and count, failures, the
    /// verified result table, and the verdict.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.poll {
            Some((id, hash)) => writeln!(
                f,
                "poll {id}\nmanifest hash {hash}\n  (compare it with the one the organiser published)"
            )?,
            None => writeln!(f, "no manifest: the record names no poll")?,
        }
        writeln!(f, "{} entries, {} ballots", self.entries, self.ballots)?;
        let t = &self.turnout;
        writeln!(
            f,
            "turnout: {} credentials registered, {} ballots cast, {} counted (one per credential), {} audited",
            t.credentials, t.ballots_cast, t.ballots_counted, t.audited
        )?;
        if let Some(m) = t.members {
            writeln!(f, "         {m} members on the roll (the registrar's list and supplements)")?;
        }
        writeln!(f, "phase: {}", self.phase.describe())?;
        for s in &self.steps {
            let mark = if s.passed() { "✓" } else { "✗" };
            writeln!(f, "{mark} {:<5} {:<44} {:>8} checked", s.id, s.title, s.checked)?;
            for d in &s.details {
                writeln!(f, "        {d}")?;
            }
            if s.failed > u64::try_from(s.details.len()).unwrap_or(u64::MAX) {
                writeln!(f, "        … {} failures in all", s.failed)?;
            }
        }
        for table in &self.result {
            writeln!(f, "\n{}", table.title)?;
            writeln!(f, "  rank  {:<28} {:>8}", "candidate", "votes")?;
            for (rank, (name, votes, elected)) in table.rows.iter().enumerate() {
                let mark = if *elected { "*" } else { " " };
                writeln!(f, "  {:>4}{mark} {:<28} {:>8}", rank + 1, name, votes)?;
            }
            writeln!(f, "  (* on the slate)")?;
            for note in &table.notes {
                writeln!(f, "  {note}")?;
            }
        }
        if self.passed() && self.phase != Phase::Complete {
            writeln!(
                f,
                "\nin progress: {}; every step so far holds (the later steps run once the poll reaches them)",
                self.phase.describe()
            )
        } else if self.passed() {
            writeln!(f, "\nevery step passed")
        } else {
            writeln!(f, "\nFAILED: {}", self.failed_steps().join(", "))
        }
    }
}

impl Report {
    pub(crate) fn new() -> Self {
        let steps = Step::ALL
            .iter()
            .map(|s| StepReport { id: s.id(), title: s.title(), checked: 0, failed: 0, details: Vec::new() })
            .collect();
        Self {
            steps,
            result: Vec::new(),
            entries: 0,
            ballots: 0,
            poll: None,
            turnout: Turnout::default(),
            phase: Phase::Complete,
        }
    }

    /// Whether the record is of a finished poll, with its result.
    pub fn complete(&self) -> bool {
        self.phase == Phase::Complete
    }

    /// Moves the phase back to `phase` if the record stops before it.
    pub(crate) fn reached(&mut self, phase: Phase) {
        if (phase as u8) < (self.phase as u8) {
            self.phase = phase;
        }
    }

    /// Adds `other`'s checks and failures, except those of step `except`.
    pub(crate) fn absorb(&mut self, other: Report, except: Option<Step>) {
        for s in other.steps.into_iter().filter(|s| Some(s.id) != except.map(Step::id)) {
            if let Some(mine) = self.steps.iter_mut().find(|m| m.id == s.id) {
                mine.checked += s.checked;
                mine.failed += s.failed;
                let room = MAX_DETAILS.saturating_sub(mine.details.len());
                mine.details.extend(s.details.into_iter().take(room));
            }
        }
    }

    /// The report line of `step` (the report holds every step, in order).
    fn step(&mut self, step: Step) -> Option<&mut StepReport> {
        self.steps.iter_mut().find(|s| s.id == step.id())
    }

    /// Counts `n` items checked by a step.
    pub(crate) fn checked(&mut self, step: Step, n: u64) {
        if let Some(s) = self.step(step) {
            s.checked += n;
        }
    }

    /// Records a failure of a step.
    pub(crate) fn fail(&mut self, step: Step, message: impl Into<String>) {
        if let Some(s) = self.step(step) {
            s.failed += 1;
            if s.details.len() < MAX_DETAILS {
                s.details.push(message.into());
            }
        }
    }

    /// Whether every step passed.
    pub fn passed(&self) -> bool {
        self.steps.iter().all(StepReport::passed)
    }

    /// The ids of the steps that failed.
    pub fn failed_steps(&self) -> Vec<&'static str> {
        self.steps.iter().filter(|s| !s.passed()).map(|s| s.id).collect()
    }

    /// The failed steps among those before and including `last`, in report
    /// order: e.g. [`Step::V6_1`] for everything a trustee needs to hold
    /// before it decrypts (spec: protocol §7.2).
    pub fn failed_through(&self, last: Step) -> Vec<&StepReport> {
        let end = self.steps.iter().position(|s| s.id == last.id()).map_or(self.steps.len(), |i| i + 1);
        self.steps.iter().take(end).filter(|s| !s.passed()).collect()
    }
}
