//! Timetable amendments (spec: board §4.11, V1.5): the organiser extends a
//! deadline, or brings it forward when the manifest allows it, by an entry
//! that the server signs with the manifest's `server_key` and appends before
//! the deadline passes. The effective timetable at any point of the board is
//! the manifest's, with every valid amendment before that point applied.

use shortlist_crypto::credential::{CredentialPublicKey, CredentialSecret};

use crate::codec::{Reader, Writer};
use crate::entry::Hash;
use crate::error::{BoardError, Result};
use crate::manifest::{Calendar, Timetable};

/// Domain separator of amendment signatures (23 bytes).
pub const AMENDMENT_DOMAIN: &[u8] = b"shortlist/v1/amendment\0";
/// Version byte of the amendment payload.
pub const AMENDMENT_VERSION: u8 = 1;
/// Length of the signed part of the payload (everything but the signature).
const SIGNED_LEN: usize = 18;

/// Which deadline an amendment moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Deadline {
    /// The end of nominations (code 1).
    NominationsClose,
    /// The end of voting (code 2).
    VotingClose,
}

impl Deadline {
    /// Its code on the wire.
    pub fn code(self) -> u8 {
        match self {
            Deadline::NominationsClose => 1,
            Deadline::VotingClose => 2,
        }
    }

    /// A short name: `nominations_close` or `voting_close`.
    pub fn name(self) -> &'static str {
        match self {
            Deadline::NominationsClose => "nominations_close",
            Deadline::VotingClose => "voting_close",
        }
    }

    /// The deadline's value in a timetable.
    pub fn of(self, t: &Timetable) -> u64 {
        match self {
            Deadline::NominationsClose => t.nominations_close,
            Deadline::VotingClose => t.voting_close,
        }
    }

    fn set(self, t: &mut Timetable, to: u64) {
        match self {
            Deadline::NominationsClose => t.nominations_close = to,
            Deadline::VotingClose => t.voting_close = to,
        }
    }
}

/// A timetable amendment (payload of entry kind 14).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Amendment {
    /// The deadline moved.
    pub deadline: Deadline,
    /// Its value before this amendment (the effective value, Unix seconds).
    pub from: u64,
    /// Its new value, Unix seconds.
    pub to: u64,
    /// ed25519 signature by the manifest's `server_key`.
    pub signature: [u8; 64],
}

fn message(manifest_hash: &Hash, signed: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(AMENDMENT_DOMAIN.len() + 32 + signed.len());
    m.extend_from_slice(AMENDMENT_DOMAIN);
    m.extend_from_slice(manifest_hash);
    m.extend_from_slice(signed);
    m
}

fn unsigned(deadline: Deadline, from: u64, to: u64) -> Vec<u8> {
    let mut w = Writer::new();
    w.u8(AMENDMENT_VERSION).u8(deadline.code()).u64(from).u64(to);
    w.finish()
}

impl Amendment {
    /// Makes and signs an amendment with the server's key.
    pub fn sign(
        server: &CredentialSecret,
        manifest_hash: &Hash,
        deadline: Deadline,
        from: u64,
        to: u64,
    ) -> Self {
        let signature = server.sign(&message(manifest_hash, &unsigned(deadline, from, to)));
        Self { deadline, from, to, signature }
    }

    /// The payload: `u8 version ‖ u8 deadline ‖ u64 from ‖ u64 to ‖ [64] signature`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = unsigned(self.deadline, self.from, self.to);
        out.extend_from_slice(&self.signature);
        out
    }

    /// Decodes a payload (spec: board §4.11).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new("amendment", bytes);
        if r.u8()? != AMENDMENT_VERSION {
            return Err(BoardError::malformed("amendment", "unknown version"));
        }
        let deadline = match r.u8()? {
            1 => Deadline::NominationsClose,
            2 => Deadline::VotingClose,
            _ => return Err(BoardError::malformed("amendment", "unknown deadline")),
        };
        let (from, to) = (r.u64()?, r.u64()?);
        let signature = r.fixed::<64>()?;
        r.finish()?;
        Ok(Self { deadline, from, to, signature })
    }

    /// Checks the signature under the manifest's server key (spec: V1.5 rule 2).
    pub fn verify(&self, server: &CredentialPublicKey, manifest_hash: &Hash) -> Result<()> {
        let bytes = self.to_bytes();
        let signed = bytes.get(..SIGNED_LEN).unwrap_or_default();
        server
            .verify(&message(manifest_hash, signed), &self.signature)
            .map_err(|_| BoardError::invalid("V1.5", "the amendment is not signed by the server key"))
    }

    /// Checks the timing rules of an amendment appended at `time` against
    /// the timetable in force before it (spec: V1.5 rules 3–6). `closed` is
    /// whether the phase the deadline ends is already closed on the board
    /// (definition posted, or voting closed).
    pub fn check(
        &self,
        time: u64,
        current: &Timetable,
        calendar: &Calendar,
        closed: bool,
    ) -> std::result::Result<(), String> {
        let now = self.deadline.of(current);
        let name = self.deadline.name();
        if self.from != now {
            return Err(format!("moves {name} from {}, but it is {now}", self.from));
        }
        if closed || time >= now {
            return Err(format!("{name} ({now}) has passed: a deadline can only be moved before it"));
        }
        if self.to == self.from {
            return Err(format!("leaves {name} where it is"));
        }
        if self.to < self.from {
            if !calendar.early_close {
                return Err(format!("brings {name} forward, which the manifest does not allow"));
            }
            if self.to < time {
                return Err(format!("brings {name} forward into the past ({} < {time})", self.to));
            }
        }
        let mut next = *current;
        self.deadline.set(&mut next, self.to);
        if !(next.nominations_close <= next.voting_open && next.voting_open < next.voting_close) {
            return Err(
                "the amended timetable must keep nominations close ≤ voting open < voting close".into()
            );
        }
        Ok(())
    }

    /// The timetable with this amendment applied.
    pub fn apply(&self, t: &Timetable) -> Timetable {
        let mut next = *t;
        self.deadline.set(&mut next, self.to);
        next
    }
}

/// An amendment as read from the board: the entry's index and time, and the
/// amendment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Amended {
    /// The entry index.
    pub index: u64,
    /// The entry time.
    pub time: u64,
    /// The amendment.
    pub amendment: Amendment,
}

/// The effective timetable after `amendments` (in board order), applying
/// each one that passes V1.5 — the same rule as the verifier, for servers and
/// pages. `closed_nominations_at` / `voting_closed_at` are the indices of the
/// definition and voting-closed entries, if any.
pub fn effective(
    base: &Timetable,
    calendar: &Calendar,
    server: &CredentialPublicKey,
    manifest_hash: &Hash,
    amendments: &[Amended],
    closed_nominations_at: Option<u64>,
    voting_closed_at: Option<u64>,
) -> Timetable {
    let mut t = *base;
    for a in amendments {
        let closed_at = match a.amendment.deadline {
            Deadline::NominationsClose => closed_nominations_at,
            Deadline::VotingClose => voting_closed_at,
        };
        let closed = closed_at.is_some_and(|c| c < a.index);
        if a.amendment.verify(server, manifest_hash).is_ok()
            && a.amendment.check(a.time, &t, calendar, closed).is_ok()
        {
            t = a.amendment.apply(&t);
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tt() -> Timetable {
        Timetable { nominations_close: 100, voting_open: 200, voting_close: 300 }
    }

    #[test]
    fn round_trip_and_signature() {
        let key = CredentialSecret::generate(&mut rand::rngs::OsRng);
        let h = [7u8; 32];
        let a = Amendment::sign(&key, &h, Deadline::VotingClose, 300, 400);
        let bytes = a.to_bytes();
        assert_eq!(bytes.len(), 82);
        assert_eq!(Amendment::from_bytes(&bytes).unwrap(), a);
        assert!(a.verify(&key.public_key(), &h).is_ok());
        assert!(a.verify(&key.public_key(), &[8u8; 32]).is_err());
        let other = CredentialSecret::generate(&mut rand::rngs::OsRng);
        assert!(a.verify(&other.public_key(), &h).is_err());
        let mut forged = a.clone();
        forged.to = 500;
        assert!(forged.verify(&key.public_key(), &h).is_err());
        assert!(Amendment::from_bytes(&bytes[..81]).is_err());
        let mut bad = bytes.clone();
        bad[1] = 3;
        assert!(Amendment::from_bytes(&bad).is_err());
    }

    #[test]
    fn timing_rules() {
        let key = CredentialSecret::generate(&mut rand::rngs::OsRng);
        let h = [1u8; 32];
        let plain = Calendar::default();
        let early = Calendar { zone: String::new(), early_close: true };
        let ext = Amendment::sign(&key, &h, Deadline::VotingClose, 300, 400);
        assert!(ext.check(250, &tt(), &plain, false).is_ok());
        assert!(ext.check(300, &tt(), &plain, false).is_err(), "at the deadline");
        assert!(ext.check(250, &tt(), &plain, true).is_err(), "voting already closed");
        let stale = Amendment::sign(&key, &h, Deadline::VotingClose, 299, 400);
        assert!(stale.check(250, &tt(), &plain, false).is_err());
        let fwd = Amendment::sign(&key, &h, Deadline::VotingClose, 300, 260);
        assert!(fwd.check(250, &tt(), &plain, false).is_err(), "not allowed by the manifest");
        assert!(fwd.check(250, &tt(), &early, false).is_ok());
        assert!(fwd.check(270, &tt(), &early, false).is_err(), "into the past");
        let past_open = Amendment::sign(&key, &h, Deadline::NominationsClose, 100, 201);
        assert!(past_open.check(50, &tt(), &plain, false).is_err(), "beyond voting open");
        let nom = Amendment::sign(&key, &h, Deadline::NominationsClose, 100, 200);
        assert!(nom.check(50, &tt(), &plain, false).is_ok());
        let applied = effective(
            &tt(),
            &plain,
            &key.public_key(),
            &h,
            &[
                Amended { index: 3, time: 50, amendment: nom },
                Amended { index: 4, time: 60, amendment: fwd },
                Amended { index: 5, time: 250, amendment: ext },
            ],
            None,
            None,
        );
        assert_eq!(applied, Timetable { nominations_close: 200, voting_open: 200, voting_close: 400 });
    }
}
