//! V4.9 — registrar mode (spec: board §4.12, §8.4): every registrar entry
//! is signed by the manifest's registrar key and admitted by the lifecycle's
//! rule (list parts in order, every key new, supplements and revocations
//! after the list); at the end the list parts hold exactly the roll's size.
//! Ballots from unlisted or revoked keys are reported by the ballot rules.

use super::super::ceremony::Ceremony;
use super::super::report::{Report, Step};
use super::super::Poll;
use super::Voting;
use crate::entry::Entry;
use crate::registrar::RegistrarEntry;

impl Voting {
    /// A registrar entry (kinds 15–17).
    pub(super) fn registrar(&mut self, poll: &Poll, ceremony: &mut Ceremony, e: &Entry, report: &mut Report) {
        report.checked(Step::V4_9, 1);
        // Ballots queued before this entry are judged first, in board order.
        self.flush(poll, ceremony, report);
        let Some(key) = &poll.manifest.registrar else {
            report.fail(Step::V4_9, format!("entry {}: a registrar entry in token mode", e.index));
            return;
        };
        let entry = match RegistrarEntry::from_bytes(e.kind, &e.payload) {
            Ok(r) => r,
            Err(err) => {
                report.fail(Step::V4_9, format!("entry {}: {err}", e.index));
                return;
            }
        };
        if entry.verify(&poll.manifest_hash, key).is_err() {
            report.fail(Step::V4_9, format!("entry {}: the registrar's signature does not verify", e.index));
            return;
        }
        self.sync(poll);
        self.roll.phase = self.now(poll, e.index, e.time).phase;
        if let Err(r) = self.roll.registrar(e.index, e.time, &entry.body) {
            report.fail(Step::V4_9, format!("entry {}: {r}", e.index));
        }
    }

    /// spec: V4.9 — in registrar mode, once voting closed, the list is
    /// complete: its parts hold exactly the roll's size. (A poll in progress
    /// may not have posted it all yet.)
    pub(super) fn registrar_finish(&mut self, poll: &Poll, report: &mut Report) {
        if poll.manifest.registrar.is_none() || self.closed.is_none() {
            return;
        }
        report.checked(Step::V4_9, 1);
        match self.roll.registrar_list() {
            (Some(size), listed) if size == listed => {}
            (Some(size), listed) => report.fail(
                Step::V4_9,
                format!("the registrar's list holds {listed} keys but states a roll of {size}"),
            ),
            (None, _) => report.fail(Step::V4_9, "registrar mode, but no registrar list on the board"),
        }
    }
}
