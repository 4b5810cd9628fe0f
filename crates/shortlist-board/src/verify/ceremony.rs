//! Key-ceremony steps of the record verifier (spec: board §8, V5.x).

use std::collections::{BTreeMap, BTreeSet};

use shortlist_crypto::dkg::transport::{Complaint, EncryptedShare, Verdict};
use shortlist_crypto::dkg::{CeremonyParams, CommitmentMessage, GroupPublic};

use super::report::{Report, Step};
use super::Poll;
use crate::entry::{Entry, EntryKind};
use crate::lifecycle::ceremony::{ceremony_phase, ceremony_step};
use crate::lifecycle::{rules, CeremonyPosts, Now};
use crate::payload::TrusteeMessage;

/// What the verifier has learned of the key ceremony.
#[derive(Default)]
pub(crate) struct Ceremony {
    commitments: BTreeMap<u16, CommitmentMessage>,
    shares: Vec<EncryptedShare>,
    complaints: Vec<Complaint>,
    group: Option<Option<GroupPublic>>,
    // The qualified set Q, once derived (spec: V5.6).
    qualified: Vec<u16>,
    frozen: bool,
    // The messages the lifecycle's rule admitted (spec: api §5, V5.x).
    posts: CeremonyPosts,
}

pub(crate) fn params(poll: &Poll) -> CeremonyParams {
    CeremonyParams {
        manifest_hash: poll.manifest_hash,
        n: u16::try_from(poll.manifest.trustees.len()).unwrap_or(u16::MAX),
        t: poll.manifest.threshold,
    }
}

/// Decodes a trustee message and checks its signature under the manifest's key.
pub(crate) fn signed(poll: &Poll, e: &Entry, step: Step, report: &mut Report) -> Option<TrusteeMessage> {
    let msg = match TrusteeMessage::from_bytes(&e.payload) {
        Ok(m) => m,
        Err(err) => {
            report.fail(step, format!("entry {}: {err}", e.index));
            return None;
        }
    };
    let Some(info) = poll.manifest.trustees.iter().find(|t| t.index == msg.trustee) else {
        report.fail(step, format!("entry {}: no trustee {} in the manifest", e.index, msg.trustee));
        return None;
    };
    if msg.verify(&info.key, &poll.manifest_hash, e.kind).is_err() {
        report.fail(step, format!("entry {}: bad signature by trustee {}", e.index, msg.trustee));
        return None;
    }
    Some(msg)
}

impl Ceremony {
    /// A ceremony entry, replayed through the lifecycle's rule for trustee
    /// messages ([`CeremonyPosts`]) with the proof checks beside it.
    pub(crate) fn entry(&mut self, poll: &Poll, e: &Entry, report: &mut Report) {
        let step = match e.kind {
            EntryKind::CeremonyCommitment => Step::V5_1,
            EntryKind::CeremonyShare => Step::V5_2,
            _ => Step::V5_5,
        };
        report.checked(step, 1);
        // spec: V5.6 — the ceremony is open until the joint key is in use.
        let now = poll.setup.now(ceremony_phase(self.group.is_some()), e.time);
        if rules::trustee_phase(&now, e.kind).is_err() {
            report.fail(
                Step::V5_6,
                format!("entry {}: ceremony message after the joint key was in use", e.index),
            );
            return;
        }
        let Some(msg) = signed(poll, e, step, report) else { return };
        match e.kind {
            EntryKind::CeremonyCommitment => self.commitment(poll, &now, e, &msg, report),
            EntryKind::CeremonyShare => self.share(&now, e, &msg, report),
            _ => self.complaint(&now, e, &msg, report),
        }
    }

    /// spec: V5.1 — a commitment message by its signer that verifies; a
    /// second one by the same trustee is refused (the first is kept).
    fn commitment(&mut self, poll: &Poll, now: &Now, e: &Entry, msg: &TrusteeMessage, report: &mut Report) {
        let c = match CommitmentMessage::from_bytes(&msg.body) {
            Ok(c) => c,
            Err(err) => return report.fail(Step::V5_1, format!("entry {}: {err}", e.index)),
        };
        if c.trustee != msg.trustee {
            return report.fail(
                Step::V5_1,
                format!(
                    "entry {}: trustee {} posted trustee {}'s commitments",
                    e.index, msg.trustee, c.trustee
                ),
            );
        }
        if let Err(err) = c.verify(&params(poll), &mut rand::rngs::OsRng) {
            return report.fail(Step::V5_1, format!("entry {}: {err}", e.index));
        }
        let repeat = format!("trustee {} committed twice", c.trustee);
        if self.admit(now, e, (c.trustee, 0), &repeat, report) {
            self.commitments.insert(c.trustee, c);
        }
    }

    /// spec: V5.2 — an encrypted share from its signer to another trustee.
    /// A second share for the same pair is refused (api §5: one message per
    /// trustee and recipient) and still kept for share completeness, so its
    /// sender is out of the qualified set as before (protocol V5.3).
    fn share(&mut self, now: &Now, e: &Entry, msg: &TrusteeMessage, report: &mut Report) {
        let s = match EncryptedShare::from_bytes(&msg.body) {
            Ok(s) => s,
            Err(err) => return report.fail(Step::V5_2, format!("entry {}: {err}", e.index)),
        };
        if s.sender != msg.trustee || s.recipient == s.sender {
            return report.fail(Step::V5_2, format!("entry {}: share names the wrong trustees", e.index));
        }
        let repeat = format!("trustee {} sent trustee {} a second share", s.sender, s.recipient);
        self.admit(now, e, (s.sender, s.recipient), &repeat, report);
        self.shares.push(s);
    }

    /// spec: V5.5 — a complaint by its signer, the share's recipient; a
    /// second complaint about the same sender is refused and ignored.
    fn complaint(&mut self, now: &Now, e: &Entry, msg: &TrusteeMessage, report: &mut Report) {
        let c = match Complaint::from_bytes(&msg.body) {
            Ok(c) => c,
            Err(err) => return report.fail(Step::V5_5, format!("entry {}: {err}", e.index)),
        };
        if c.recipient != msg.trustee {
            return report
                .fail(Step::V5_5, format!("entry {}: complaint posted by another trustee", e.index));
        }
        let repeat = format!("trustee {} complained about trustee {} twice", c.recipient, c.sender);
        if self.admit(now, e, (c.recipient, c.sender), &repeat, report) {
            self.complaints.push(c);
        }
    }

    /// Admits a ceremony message of `trustee` to `recipient` through the
    /// lifecycle's rule; a refusal is reported at its step, saying what
    /// `repeat`s.
    fn admit(
        &mut self,
        now: &Now,
        e: &Entry,
        (trustee, recipient): (u16, u16),
        repeat: &str,
        report: &mut Report,
    ) -> bool {
        match self.posts.admit(now, e.kind, trustee, recipient) {
            Ok(()) => true,
            Err(r) => {
                let step = Step::from_id(ceremony_step(e.kind, &r)).unwrap_or(Step::V5_6);
                report.fail(step, format!("entry {}: {repeat}", e.index));
                false
            }
        }
    }

    /// Ends the ceremony: later ceremony entries fail V5.6.
    pub(crate) fn freeze(&mut self) {
        self.frozen = true;
    }

    /// The qualified set and joint key (spec: V5.6), computed once.
    pub(crate) fn group(&mut self, poll: &Poll, report: &mut Report) -> Option<&GroupPublic> {
        if self.group.is_none() {
            let (g, qualified) = self.derive(poll, report);
            self.group = Some(g);
            self.qualified = qualified;
        }
        self.group.as_ref().and_then(Option::as_ref)
    }

    /// Whether the group was derived (successfully or not).
    pub(crate) fn derived(&self) -> bool {
        self.group.is_some()
    }

    /// The qualified set, once the group is derived.
    pub(crate) fn qualified(&self) -> &[u16] {
        &self.qualified
    }

    fn derive(&self, poll: &Poll, report: &mut Report) -> (Option<GroupPublic>, Vec<u16>) {
        let params = params(poll);
        let mut rng = rand::rngs::OsRng;
        let mut out: BTreeSet<u16> = BTreeSet::new();
        for c in &self.complaints {
            let (Some(sender), Some(recipient)) =
                (self.commitments.get(&c.sender), self.commitments.get(&c.recipient))
            else {
                report.fail(
                    Step::V5_5,
                    format!("complaint {}→{} names a trustee without commitments", c.sender, c.recipient),
                );
                continue;
            };
            let Some(share) = self.shares.iter().find(|s| s.sender == c.sender && s.recipient == c.recipient)
            else {
                report.fail(
                    Step::V5_5,
                    format!("complaint about a share {}→{} that is not on the board", c.sender, c.recipient),
                );
                continue;
            };
            match c.adjudicate(&params, sender, recipient, share, &mut rng) {
                Ok(Verdict::SenderAtFault { sender }) => {
                    out.insert(sender);
                }
                Ok(Verdict::ComplainerAtFault { recipient }) => {
                    out.insert(recipient);
                }
                Err(err) => report.fail(Step::V5_5, err.to_string()),
            }
        }
        // A trustee that did not send exactly one share to every other
        // committed trustee is out (V5.3).
        let mut sent: BTreeMap<(u16, u16), usize> = BTreeMap::new();
        for s in &self.shares {
            *sent.entry((s.sender, s.recipient)).or_default() += 1;
        }
        for i in self.commitments.keys() {
            let complete =
                self.commitments.keys().filter(|j| *j != i).all(|j| sent.get(&(*i, *j)).copied() == Some(1));
            if !complete {
                out.insert(*i);
            }
        }
        let qualified: Vec<&CommitmentMessage> =
            self.commitments.values().filter(|c| !out.contains(&c.trustee)).collect();
        report.checked(Step::V5_6, 1);
        let indices = qualified.iter().map(|c| c.trustee).collect();
        match GroupPublic::derive(&params, &qualified) {
            Ok(g) => (Some(g), indices),
            Err(err) => {
                report.fail(Step::V5_6, err.to_string());
                (None, indices)
            }
        }
    }

    /// Derives the group at the end of the record. While the ceremony may
    /// still run (nothing froze it and voting has not closed: spec: board
    /// §8.1), a group that cannot be derived yet is not a V5.6 failure:
    /// returns `false`, the ceremony is in progress.
    pub(crate) fn finish(&mut self, poll: &Poll, report: &mut Report, settled: bool) -> bool {
        if self.frozen || settled || self.group.is_some() {
            return self.group(poll, report).is_some() || self.frozen || settled;
        }
        let mut scratch = Report::new();
        let derived = self.group(poll, &mut scratch).is_some();
        report.absorb(scratch, if derived { None } else { Some(Step::V5_6) });
        derived
    }
}
