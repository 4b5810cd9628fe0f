//! The key ceremony's admission, as a replay of the record holds it (spec:
//! board §4.4, §8.3 V5.1, V5.2, V5.5, V5.6; api §5): the server's rule for a
//! trustee message ([`rules::trustee_message`]) — one per `(kind, trustee,
//! recipient)`, only while the ceremony is open — over the messages the
//! replay admitted. Signatures, decoding and the proofs stay the caller's
//! checks; the qualified set is the crypto core's (`GroupPublic::derive`).

use std::collections::HashSet;

use crate::entry::EntryKind;

use super::{rules, Now, Phase, Refusal};

/// The ceremony messages a replay admitted, by `(kind, trustee, recipient)`
/// as the server keys them: a commitment's recipient is 0, a share's is the
/// trustee it goes to, a complaint's is the sender it accuses.
#[derive(Clone, Debug, Default)]
pub struct CeremonyPosts {
    posted: HashSet<(u8, u16, u16)>,
}

impl CeremonyPosts {
    /// Whether `trustee` already posted a message of `kind` to `recipient`.
    pub fn posted(&self, kind: EntryKind, trustee: u16, recipient: u16) -> bool {
        self.posted.contains(&(kind.code(), trustee, recipient))
    }

    /// A ceremony message of `kind` by `trustee` to `recipient` at `now`:
    /// the server's rule, on the facts replayed (spec: V5.1, V5.2, V5.5;
    /// after the ceremony closed, V5.6). Recorded if admitted.
    pub fn admit(&mut self, now: &Now, kind: EntryKind, trustee: u16, recipient: u16) -> Result<(), Refusal> {
        rules::trustee_message(now, kind, trustee, self.posted(kind, trustee, recipient))?;
        self.posted.insert((kind.code(), trustee, recipient));
        Ok(())
    }
}

/// The ceremony's phase on a record (spec: board §8.1, V5.6): opening voting
/// is no entry, so the ceremony is open (`setup`, before voting) until the
/// joint key is in use — a ballot or audit froze the ceremony and the
/// qualified set was derived — and over (`voting`) from then on.
pub fn ceremony_phase(key_in_use: bool) -> Phase {
    if key_in_use {
        Phase::Voting
    } else {
        Phase::Setup
    }
}

/// The spec step a refused ceremony message of `kind` fails on a record:
/// its own step for a repeat (V5.1 commitments, V5.2 shares, V5.5
/// complaints), V5.6 once the ceremony is over.
pub fn ceremony_step(kind: EntryKind, refusal: &Refusal) -> &'static str {
    match (refusal, kind) {
        (Refusal::DuplicateTrusteeMessage { .. }, EntryKind::CeremonyCommitment) => "V5.1",
        (Refusal::DuplicateTrusteeMessage { .. }, EntryKind::CeremonyShare) => "V5.2",
        (Refusal::DuplicateTrusteeMessage { .. }, _) => "V5.5",
        _ => "V5.6",
    }
}
