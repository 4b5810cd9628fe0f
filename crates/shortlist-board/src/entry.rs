//! Board entries and the hash chain (spec: board §2, §5).
//!
//! Each entry has its index, the hash of the previous entry, its type, the
//! server's time of append and its canonical payload. Its hash is
//! `SHA-256("shortlist/v1/entry" ‖ 0x00 ‖ u64 index ‖ prev ‖ u8 kind ‖ u64 time
//! ‖ u32 len ‖ payload)`; entry 0 has `prev` = 32 zero bytes and is the manifest.

use sha2::{Digest, Sha256};

use crate::codec::{Reader, Writer};
use crate::error::{BoardError, Result};

/// Domain separator of entry hashes.
pub const ENTRY_DOMAIN: &[u8] = b"shortlist/v1/entry\0";
/// The largest payload an entry may carry.
pub const MAX_PAYLOAD: usize = 16 * 1024 * 1024;

/// A 32-byte hash of the board.
pub type Hash = [u8; 32];

/// The type of an entry (spec: board §4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum EntryKind {
    /// The manifest (entry 0 only).
    Manifest,
    /// A candidate registration.
    Candidate,
    /// The ballot definition (once, when nominations close).
    Definition,
    /// A trustee's key-ceremony commitment message.
    CeremonyCommitment,
    /// A trustee's encrypted share for another trustee.
    CeremonyShare,
    /// A trustee's complaint about a share.
    CeremonyComplaint,
    /// A credential registration.
    Credential,
    /// A cast ballot.
    Ballot,
    /// An audited (spoiled) ballot with its opening.
    SpoiledBallot,
    /// Voting closed.
    VotingClosed,
    /// The homomorphic aggregates of the ballots that count.
    Aggregate,
    /// A trustee's decryption share.
    DecryptionShare,
    /// The result: counts, ranking and slate.
    Result,
    /// A timetable amendment: a deadline moved by the organiser (spec: §4.11).
    Amendment,
    /// Part of the registrar's list of credential keys (spec: §4.12).
    RegistrarList,
    /// The registrar's supplement: keys of members added late (spec: §4.12).
    RegistrarSupplement,
    /// The registrar's revocation of a key and its replacement (spec: §4.12).
    RegistrarRevocation,
}

impl EntryKind {
    /// Every kind, in code order.
    pub const ALL: [EntryKind; 17] = [
        EntryKind::Manifest,
        EntryKind::Candidate,
        EntryKind::Definition,
        EntryKind::CeremonyCommitment,
        EntryKind::CeremonyShare,
        EntryKind::CeremonyComplaint,
        EntryKind::Credential,
        EntryKind::Ballot,
        EntryKind::SpoiledBallot,
        EntryKind::VotingClosed,
        EntryKind::Aggregate,
        EntryKind::DecryptionShare,
        EntryKind::Result,
        EntryKind::Amendment,
        EntryKind::RegistrarList,
        EntryKind::RegistrarSupplement,
        EntryKind::RegistrarRevocation,
    ];

    /// The kind's byte on the wire.
    pub fn code(self) -> u8 {
        match self {
            EntryKind::Manifest => 1,
            EntryKind::Candidate => 2,
            EntryKind::Definition => 3,
            EntryKind::CeremonyCommitment => 4,
            EntryKind::CeremonyShare => 5,
            EntryKind::CeremonyComplaint => 6,
            EntryKind::Credential => 7,
            EntryKind::Ballot => 8,
            EntryKind::SpoiledBallot => 9,
            EntryKind::VotingClosed => 10,
            EntryKind::Aggregate => 11,
            EntryKind::DecryptionShare => 12,
            EntryKind::Result => 13,
            EntryKind::Amendment => 14,
            EntryKind::RegistrarList => 15,
            EntryKind::RegistrarSupplement => 16,
            EntryKind::RegistrarRevocation => 17,
        }
    }

    /// The kind with this byte.
    pub fn from_code(code: u8) -> Result<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|k| k.code() == code)
            .ok_or_else(|| BoardError::malformed("entry", format!("unknown entry kind {code}")))
    }

    /// A short name for reports.
    pub fn name(self) -> &'static str {
        match self {
            EntryKind::Manifest => "manifest",
            EntryKind::Candidate => "candidate",
            EntryKind::Definition => "definition",
            EntryKind::CeremonyCommitment => "ceremony-commitment",
            EntryKind::CeremonyShare => "ceremony-share",
            EntryKind::CeremonyComplaint => "ceremony-complaint",
            EntryKind::Credential => "credential",
            EntryKind::Ballot => "ballot",
            EntryKind::SpoiledBallot => "spoiled-ballot",
            EntryKind::VotingClosed => "voting-closed",
            EntryKind::Aggregate => "aggregate",
            EntryKind::DecryptionShare => "decryption-share",
            EntryKind::Result => "result",
            EntryKind::Amendment => "amendment",
            EntryKind::RegistrarList => "registrar-list",
            EntryKind::RegistrarSupplement => "registrar-supplement",
            EntryKind::RegistrarRevocation => "registrar-revocation",
        }
    }
}

/// One entry of the board.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Position on the board, from 0.
    pub index: u64,
    /// The hash of the previous entry (zeros for entry 0).
    pub prev: Hash,
    /// The entry's type.
    pub kind: EntryKind,
    /// The server's clock when it appended the entry, Unix seconds.
    pub time: u64,
    /// The canonical payload of the kind.
    pub payload: Vec<u8>,
}

impl Entry {
    /// The entry hash (spec: board §5.1).
    pub fn hash(&self) -> Hash {
        let mut h = Sha256::new();
        h.update(ENTRY_DOMAIN);
        h.update(self.index.to_be_bytes());
        h.update(self.prev);
        h.update([self.kind.code()]);
        h.update(self.time.to_be_bytes());
        h.update(u32::try_from(self.payload.len()).unwrap_or(u32::MAX).to_be_bytes());
        h.update(&self.payload);
        h.finalize().into()
    }

    /// The encoding in a record: `u64 index ‖ prev ‖ u8 kind ‖ u64 time ‖ u32 len ‖ payload`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new();
        w.u64(self.index).fixed(&self.prev).u8(self.kind.code()).u64(self.time).bytes(&self.payload);
        w.finish()
    }

    /// Decodes an entry.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new("entry", bytes);
        let index = r.u64()?;
        let prev = r.fixed::<32>()?;
        let kind = EntryKind::from_code(r.u8()?)?;
        let time = r.u64()?;
        let payload = r.bytes(MAX_PAYLOAD)?.to_vec();
        r.finish()?;
        Ok(Self { index, prev, kind, time, payload })
    }

    /// SHA-256 of the payload alone: the manifest hash, the definition hash,
    /// a ballot's tracking code.
    pub fn payload_hash(&self) -> Hash {
        payload_hash(&self.payload)
    }
}

/// SHA-256 of a payload (spec: board §5.4): a ballot's tracking code, the
/// manifest and definition hashes, the tie-break seed.
pub fn payload_hash(payload: &[u8]) -> Hash {
    Sha256::digest(payload).into()
}

/// Builds a hash chain: each new entry gets the next index and the previous hash.
#[derive(Clone, Debug, Default)]
pub struct Chain {
    next_index: u64,
    head: Hash,
}

impl Chain {
    /// An empty chain.
    pub fn new() -> Self {
        Self::default()
    }

    /// Makes the next entry.
    pub fn append(&mut self, kind: EntryKind, time: u64, payload: Vec<u8>) -> Entry {
        let entry = Entry { index: self.next_index, prev: self.head, kind, time, payload };
        self.head = entry.hash();
        self.next_index = self.next_index.saturating_add(1);
        entry
    }

    /// Checks that `entry` continues the chain and advances it (spec: board V1.1).
    pub fn check_next(&mut self, entry: &Entry) -> Result<Hash> {
        if entry.index != self.next_index {
            return Err(BoardError::invalid(
                "V1.1",
                format!("entry {} found where entry {} was expected", entry.index, self.next_index),
            ));
        }
        if entry.prev != self.head {
            return Err(BoardError::invalid(
                "V1.1",
                format!(
                    "entry {} does not link to the hash of entry {}",
                    entry.index,
                    self.next_index.wrapping_sub(1)
                ),
            ));
        }
        if (entry.index == 0) != (entry.kind == EntryKind::Manifest) {
            return Err(BoardError::invalid("V1.1", "entry 0, and only entry 0, is the manifest"));
        }
        let h = entry.hash();
        self.head = h;
        self.next_index =
            self.next_index.checked_add(1).ok_or_else(|| BoardError::invalid("V1.1", "the board is full"))?;
        Ok(h)
    }

    /// Continues the chain after an entry whose link was broken, so that a
    /// verifier can report one defect and keep checking.
    pub fn resync(&mut self, next_index: u64, head: Hash) {
        self.next_index = next_index;
        self.head = head;
    }

    /// How many entries the chain holds.
    pub fn len(&self) -> u64 {
        self.next_index
    }

    /// Whether the chain is empty.
    pub fn is_empty(&self) -> bool {
        self.next_index == 0
    }

    /// The hash of the last entry (zeros when empty).
    pub fn head(&self) -> Hash {
        self.head
    }
}

/// Parses a 32-byte hash given in hex, e.g. a manifest hash passed on a
/// command line (spec: board §1.5).
pub fn hash_from_hex(s: &str) -> std::result::Result<Hash, String> {
    let bytes = hex::decode(s.trim()).map_err(|e| format!("not hex: {e}"))?;
    bytes.try_into().map_err(|_| "a hash is 32 bytes (64 hex digits)".to_string())
}
