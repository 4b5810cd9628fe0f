//! The tally's entries as the verifier reads them (spec: board §8.4 V6.1,
//! V6.2, V6.6): the voting-closed entry, the aggregate, decryption shares
//! and the result, each admitted by the lifecycle's rule for it and kept
//! for the checks at the end of the record (`result.rs`).

use super::{Poll, Voting};
use crate::entry::Entry;
use crate::entry::EntryKind;
use crate::lifecycle::{rules, Phase as LifePhase, Refusal};
use crate::payload::{Aggregate, PollResult};
use crate::verify::ceremony::signed;
use crate::verify::report::{Report, Step};

impl Voting {
    /// spec: V6.1 — voting closes once, at or after the close in force.
    pub(super) fn voting_closed(&mut self, poll: &Poll, e: &Entry, report: &mut Report) {
        report.checked(Step::V6_1, 1);
        match rules::close_voting(&self.now(poll, e.index, e.time)) {
            Err(Refusal::TooEarly { .. }) => report
                .fail(Step::V6_1, format!("entry {}: voting closed before the timetable's close", e.index)),
            Err(_) => report.fail(Step::V6_1, format!("entry {}: voting closed twice", e.index)),
            Ok(_) => {}
        }
        if self.closed.is_none() {
            self.closed = Some((e.index, e.time));
        }
    }

    /// spec: V6.1 — one aggregate, after voting closed; the first is kept.
    pub(super) fn aggregate_entry(&mut self, poll: &Poll, e: &Entry, report: &mut Report) {
        if let Err(r) = rules::tally(&self.now(poll, e.index, e.time)) {
            report.fail(Step::V6_1, format!("entry {}: {}", e.index, aggregate_refusal(&r)));
        }
        match Aggregate::from_bytes(&e.payload) {
            Ok(a) => {
                if self.aggregate.is_none() {
                    self.aggregate = Some((e.index, e.payload_hash(), a));
                }
            }
            Err(err) => report.fail(Step::V6_1, format!("entry {}: {err}", e.index)),
        }
    }

    /// spec: V6.2 — a signed decryption share, while tallying, one per trustee.
    pub(super) fn decryption_share(&mut self, poll: &Poll, e: &Entry, report: &mut Report) {
        report.checked(Step::V6_2, 1);
        let Some(m) = signed(poll, e, Step::V6_2, report) else { return };
        let posted = self.shares.iter().any(|(_, s)| s.trustee == m.trustee);
        let now = self.now(poll, e.index, e.time);
        match rules::trustee_message(&now, EntryKind::DecryptionShare, m.trustee, posted) {
            Ok(_) => self.shares.push((e.index, m)),
            Err(r) => report.fail(Step::V6_2, format!("entry {}: {r}", e.index)),
        }
    }

    /// spec: V6.6 — one result, after the aggregate; the first is kept.
    pub(super) fn result_entry(&mut self, poll: &Poll, e: &Entry, report: &mut Report) {
        if let Err(r) = rules::post_result(&self.now(poll, e.index, e.time)) {
            let why = if self.result.is_some() { "a second result".to_string() } else { r.to_string() };
            report.fail(Step::V6_6, format!("entry {}: {why}", e.index));
        }
        match PollResult::from_bytes(&e.payload) {
            Ok(r) => {
                if self.result.is_none() {
                    self.result = Some((e.index, r));
                }
            }
            Err(err) => report.fail(Step::V6_6, format!("entry {}: {err}", e.index)),
        }
    }
}

/// What a refused aggregate entry means on a record (spec: V6.1).
fn aggregate_refusal(r: &Refusal) -> &'static str {
    match r {
        Refusal::WrongPhase { phase: LifePhase::Tallying | LifePhase::Done, .. } => "a second aggregate",
        _ => "the aggregate was posted before voting closed",
    }
}
