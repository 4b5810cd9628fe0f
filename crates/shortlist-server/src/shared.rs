//! What the sequencer and the handlers share: the store, the server's keys,
//! the clock, the limiters, the mailer, and the per-instance caches (each
//! poll's Merkle log and fixed facts). It stands below the sequencer, which
//! appends through it, and below the handlers' state, which adds the
//! sequencer's handle to it.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use shortlist_board::definition::BallotDefinition;
use shortlist_board::entry::{Entry, EntryKind, Hash};
use shortlist_board::manifest::Manifest;
use shortlist_board::merkle::{Frontier, MerkleLog};
use shortlist_crypto::ballot::ContestShape;
use shortlist_crypto::credential::CredentialSecret;
use shortlist_crypto::dkg::GroupPublic;
use shortlist_crypto::transcript::ElectionContext;
use shortlist_store::{EntryRow, Store};
use tokio::sync::{Mutex, Notify};

use crate::clock::Clock;
use crate::error::AppError;
use crate::keys::OrganiserKey;
use crate::limits::RateLimits;
use crate::mail::smtp::Mailer;
use crate::metrics::Metrics;

/// What the sequencer and the handlers share.
pub struct Shared {
    /// The database.
    pub store: Store,
    /// The checkpoint-signing key.
    pub server_key: CredentialSecret,
    /// The organiser's bearer key.
    pub organiser: OrganiserKey,
    /// The clock the timetable is enforced against.
    pub clock: Arc<dyn Clock>,
    /// Cached Merkle logs.
    pub logs: Logs,
    /// Cached poll facts.
    pub polls: RwLock<HashMap<String, Arc<PollCtx>>>,
    /// Metrics.
    pub metrics: Metrics,
    /// Woken after every commit (live streams wait on it).
    pub appended: Notify,
    /// Rate limits.
    pub limits: Arc<RateLimits>,
    /// Set when the server is stopping: live streams end.
    pub stopping: tokio::sync::watch::Sender<bool>,
    /// Email delivery of tokens, when `[mail]` is configured (spec: api §4.2).
    pub mail: std::sync::OnceLock<Arc<Mailer>>,
    /// For tests only: how many of the next result computations fail on
    /// purpose, to show that a result is retried until it is on the board
    /// (spec: api §5 "Tally"). 0 in service.
    pub result_faults: std::sync::atomic::AtomicU32,
}

/// A poll's Merkle log of committed entries, cached per instance.
#[derive(Default)]
pub struct LogCache {
    /// Every committed leaf.
    pub log: MerkleLog,
    /// The frontier of the same leaves.
    pub frontier: Frontier,
}

/// Per-instance Merkle logs, by poll.
pub type Logs = Mutex<HashMap<String, LogCache>>;

/// A poll's facts that never change once set.
#[derive(Debug)]
pub struct PollCtx {
    /// The poll id.
    pub id: String,
    /// The manifest.
    pub manifest: Manifest,
    /// Its hash (the poll's identity).
    pub manifest_hash: Hash,
    /// The phase when this was loaded.
    pub phase: String,
    /// The definition and its hash, once posted.
    pub definition: Option<(BallotDefinition, Hash)>,
    /// Contest shapes, in manifest order, once defined.
    pub shapes: Vec<ContestShape>,
    /// The ceremony's outcome, once voting opened.
    pub group: Option<GroupPublic>,
}

impl PollCtx {
    /// The crypto context, once the definition and joint key are known.
    pub fn context(&self) -> Option<ElectionContext> {
        let (_, dh) = self.definition.as_ref()?;
        let g = self.group.as_ref()?;
        Some(ElectionContext {
            manifest_hash: self.manifest_hash,
            definition_hash: *dh,
            joint_key: g.joint_key,
        })
    }
}

/// Turns a stored row into an entry (the row carries the previous entry's
/// hash, read in the same query).
pub fn entry_of(row: EntryRow) -> Result<Entry, AppError> {
    Ok(Entry {
        index: row.index,
        prev: row.prev,
        kind: EntryKind::from_code(row.kind)?,
        time: row.time,
        payload: row.payload,
    })
}
