//! The defects `shortlist simulate --tamper KIND` can write into a record,
//! each caught by one numbered step of the verifier (spec: board §8).

use anyhow::{bail, Context, Result};
use shortlist_board::board::BoardWriter;
use shortlist_board::checkpoint::Checkpoint;
use shortlist_board::definition::CandidateRegistration;
use shortlist_board::entry::{Chain, EntryKind};
use shortlist_board::record::Frame;
use shortlist_crypto::credential::CredentialSecret;

/// A defect to write into the record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tamper {
    /// Two neighbouring entries swapped.
    EntryReordered,
    /// An audited-ballot entry removed.
    EntryDeleted,
    /// A candidate registration rewritten and the chain after it rebuilt.
    EntryReplaced,
    /// The record cut off inside its last frame.
    Truncated,
    /// A second, validly signed checkpoint for another tree of the same size.
    ForkedCheckpoint,
    /// A checkpoint whose signature is wrong.
    BadCheckpointSignature,
    /// A ballot from a credential that was never registered.
    UnregisteredCredential,
    /// A ballot accepted after voting closed.
    BallotAfterClose,
    /// A ballot's contests copied under another credential and re-signed.
    CopiedBallot,
    /// An audited ballot's public encryption cast as a vote.
    AuditedBallotCast,
    /// An audited ballot posted a second time.
    AuditRepeated,
    /// A ballot with one proof response changed, signed by its credential.
    TamperedProof,
    /// An aggregate that is not the sum of the ballots.
    WrongAggregate,
    /// A trustee's decryption share with a wrong partial decryption.
    BadDecryptionShare,
    /// A result whose count differs from the decryption.
    WrongCount,
    /// A result naming a trustee that posted no decryption share.
    ResultTrustees,
    /// A result whose slate breaks the rules.
    WrongSlate,
    /// A voting-close extension signed by a key other than the server's.
    ForgedAmendment,
    /// Registrar mode: a ballot from a key not on the registrar's list.
    UnlistedCredential,
}

/// Every kind with its name, the step that must catch it, and what it does.
pub const TAMPERS: &[(Tamper, &str, &str, &str)] = &[
    (Tamper::EntryReordered, "entry-reordered", "V1.1", "two entries swapped"),
    (Tamper::EntryDeleted, "entry-deleted", "V1.1", "an audited-ballot entry removed"),
    (Tamper::EntryReplaced, "entry-replaced", "V1.1", "an entry rewritten, the chain after it rebuilt"),
    (Tamper::Truncated, "truncated", "V1.1", "the record cut off inside its last frame"),
    (Tamper::ForkedCheckpoint, "forked-checkpoint", "V1.1", "a second signed checkpoint for another tree"),
    (Tamper::BadCheckpointSignature, "bad-checkpoint-signature", "V1.2", "a checkpoint signature altered"),
    (
        Tamper::UnregisteredCredential,
        "unregistered-credential",
        "V4.3",
        "a ballot from an unregistered credential",
    ),
    (Tamper::BallotAfterClose, "ballot-after-close", "V4.4", "a ballot accepted after voting closed"),
    (Tamper::CopiedBallot, "copied-ballot", "V4.5", "a ballot copied under another credential"),
    (Tamper::TamperedProof, "tampered-proof", "V4.5", "a proof response changed"),
    (
        Tamper::AuditedBallotCast,
        "audited-ballot-cast",
        "V4.7",
        "an audited ballot's encryption cast as a vote",
    ),
    (Tamper::AuditRepeated, "audit-repeated", "V4.7", "an audited ballot posted a second time"),
    (Tamper::WrongAggregate, "wrong-aggregate", "V6.1", "an aggregate that is not the ballots' sum"),
    (Tamper::BadDecryptionShare, "bad-decryption-share", "V6.2", "a wrong partial decryption"),
    (Tamper::WrongCount, "wrong-count", "V6.6", "a result count that differs from the decryption"),
    (Tamper::ResultTrustees, "result-trustees", "V6.6", "a result naming a trustee with no decryption share"),
    (Tamper::WrongSlate, "wrong-slate", "V6.7", "a slate that breaks the rules"),
    (Tamper::ForgedAmendment, "forged-amendment", "V1.5", "a timetable amendment not signed by the server"),
    (
        Tamper::UnlistedCredential,
        "unlisted-credential",
        "V4.9",
        "registrar mode: a ballot from a key not on the registrar's list",
    ),
];

impl Tamper {
    /// The kind named `name`.
    pub fn parse(name: &str) -> Result<Self> {
        match TAMPERS.iter().find(|t| t.1 == name) {
            Some(t) => Ok(t.0),
            None => bail!("unknown tamper kind {name:?}; see --list-tampers"),
        }
    }
}

/// Applies the defects that act on the finished record. Returns the bytes
/// to cut from the end of the file (for `Truncated`).
pub fn apply(tamper: Tamper, frames: &mut Vec<Frame>, server: &CredentialSecret) -> Result<usize> {
    let position = |kind: EntryKind, nth: usize| {
        frames
            .iter()
            .enumerate()
            .filter(|(_, f)| matches!(f, Frame::Entry(e) if e.kind == kind))
            .nth(nth)
            .map(|(i, _)| i)
    };
    match tamper {
        Tamper::EntryReordered => {
            let i = position(EntryKind::Candidate, 3).context("no candidates")?;
            frames.swap(i, i + 1);
        }
        Tamper::EntryDeleted => {
            let i = position(EntryKind::SpoiledBallot, 0).context("no audited ballot")?;
            frames.remove(i);
        }
        Tamper::EntryReplaced => {
            // A candidate's statement rewritten, and the chain after it rebuilt.
            let i = position(EntryKind::Candidate, 5).context("no candidates")?;
            if let Some(Frame::Entry(e)) = frames.get_mut(i) {
                let mut reg = CandidateRegistration::from_bytes(&e.payload)?;
                reg.statement = "A statement the candidate never made.".into();
                e.payload = reg.to_bytes();
            }
            rebuild_chain(frames);
        }
        Tamper::Truncated => return Ok(10),
        Tamper::ForkedCheckpoint => {
            let i =
                frames.iter().rposition(|f| matches!(f, Frame::Checkpoint(_))).context("no checkpoint")?;
            let Some(Frame::Checkpoint(c)) = frames.get(i) else { bail!("no checkpoint") };
            let mut fork = BoardWriter::new();
            let entries: Vec<_> = frames
                .iter()
                .filter_map(|f| if let Frame::Entry(e) = f { Some(e.clone()) } else { None })
                .collect();
            let (last, rest) = entries.split_last().context("empty")?;
            for e in rest {
                fork.append(e.kind, e.time, e.payload.clone())?;
            }
            let mut other = last.payload.clone();
            other.push(0);
            fork.append(last.kind, last.time, other)?;
            let forked: Checkpoint = fork.checkpoint(server, c.time)?;
            frames.insert(i, Frame::Checkpoint(forked));
        }
        Tamper::BadCheckpointSignature => {
            let i = frames.iter().position(|f| matches!(f, Frame::Checkpoint(_))).context("no checkpoint")?;
            if let Some(Frame::Checkpoint(c)) = frames.get_mut(i) {
                if let Some(b) = c.signature.get_mut(0) {
                    *b ^= 1;
                }
            }
        }
        _ => {}
    }
    Ok(0)
}

/// Recomputes every entry's `prev` link after a change, as a server hiding
/// an edit would; checkpoints are left as they were signed.
fn rebuild_chain(frames: &mut [Frame]) {
    let mut chain = Chain::new();
    for f in frames.iter_mut() {
        if let Frame::Entry(e) = f {
            let rebuilt = chain.append(e.kind, e.time, std::mem::take(&mut e.payload));
            *e = rebuilt;
        }
    }
}
