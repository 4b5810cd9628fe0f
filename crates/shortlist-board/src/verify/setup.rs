//! Setup steps of the record verifier (spec: board §8.2 V1.4, V1.5):
//! candidate entries, the ballot definition and timetable amendments,
//! replayed through the lifecycle's rules ([`crate::lifecycle::Setup`]),
//! with the checks of the encodings (decoding, text rules, the definition's
//! shape, the amendment's signature) beside them.

use super::report::Step;
use super::Verifier;
use crate::amendment::Amendment;
use crate::definition::{BallotDefinition, CandidateRegistration};
use crate::entry::Entry;
use crate::lifecycle::{Phase, Refusal};

impl Verifier {
    /// The lifecycle's phase as the record shows it at entry `e`.
    fn record_phase(&self, e: &Entry) -> Phase {
        match &self.poll {
            Some(poll) => self.voting.now(poll, e.index, e.time).phase,
            None => Phase::Setup,
        }
    }

    /// spec: V1.4 — a candidate entry decodes, keeps the text rules, names a
    /// manifest contest, and is admitted by the rule for entering a
    /// candidate (before the definition and `nominations_close`).
    pub(super) fn candidate(&mut self, e: &Entry) {
        self.report.checked(Step::V1_4, 1);
        let phase = self.record_phase(e);
        let Some(poll) = &mut self.poll else { return };
        let reg = match CandidateRegistration::from_bytes(&e.payload) {
            Ok(reg) => reg,
            Err(err) => return self.report.fail(Step::V1_4, format!("entry {}: {err}", e.index)),
        };
        if let Err(err) = reg.validate() {
            self.report.fail(Step::V1_4, format!("entry {}: {err}", e.index));
        }
        if poll.manifest.contest(reg.contest_id).is_none() {
            self.report.fail(Step::V1_4, format!("entry {}: no contest {}", e.index, reg.contest_id));
        }
        if poll.setup.candidate(phase, e.time).is_err() {
            self.report.fail(Step::V1_4, format!("entry {}: registration after nominations closed", e.index));
        }
    }

    /// spec: V1.4 — the ballot definition is admitted by the rule for
    /// closing nominations (one, at or after `nominations_close`), decodes
    /// and validates against the manifest. One posted too early is reported
    /// and still the poll's definition; a second is reported and ignored.
    pub(super) fn definition(&mut self, e: &Entry) {
        self.report.checked(Step::V1_4, 1);
        let phase = self.record_phase(e);
        let Some(poll) = &mut self.poll else { return };
        match poll.setup.definition_refusal(phase, e.time) {
            Some(Refusal::WrongPhase { .. }) => {
                return self
                    .report
                    .fail(Step::V1_4, format!("entry {}: a second ballot definition", e.index));
            }
            Some(_) => self
                .report
                .fail(Step::V1_4, format!("entry {}: definition before nominations closed", e.index)),
            None => {}
        }
        match BallotDefinition::from_bytes(&e.payload).and_then(|d| d.validate(&poll.manifest).map(|()| d)) {
            Ok(d) => {
                poll.definition = Some((d, e.payload_hash()));
                poll.setup.define(e.index);
            }
            Err(err) => self.report.fail(Step::V1_4, format!("entry {}: {err}", e.index)),
        }
    }

    /// spec: V1.5 — a timetable amendment decodes, is signed by the server
    /// key, and is admitted by the amendment rule (rules 3–6: it moves the
    /// deadline in force before it passes, forward — or back, if the
    /// manifest allows early close, but not into the past — and keeps the
    /// timetable ordered). An admitted one applies to every later entry; a
    /// refused one is reported and ignored.
    pub(super) fn amendment(&mut self, e: &Entry) {
        self.report.checked(Step::V1_5, 1);
        let phase = self.record_phase(e);
        let Some(poll) = &mut self.poll else { return };
        let a = match Amendment::from_bytes(&e.payload) {
            Ok(a) => a,
            Err(err) => return self.report.fail(Step::V1_5, format!("entry {}: {err}", e.index)),
        };
        if a.verify(&poll.manifest.server_key, &poll.manifest_hash).is_err() {
            return self.report.fail(
                Step::V1_5,
                format!("entry {}: the amendment is not signed by the server key", e.index),
            );
        }
        if let Err(why) = poll.setup.amend(phase, e.index, e.time, a) {
            self.report.fail(Step::V1_5, format!("entry {}: {why}", e.index));
        }
    }
}
