//! What every handler holds: the shared parts ([`crate::shared`]) and the
//! sequencer's handle; and each poll's fixed facts (manifest, definition,
//! key-ceremony outcome), loaded from the board on first use and cached.

use shortlist_board::error_code::ErrorCode;
use std::sync::Arc;

use shortlist_board::amendment::{Amended, Amendment};
use shortlist_board::definition::BallotDefinition;
use shortlist_board::entry::EntryKind;
use shortlist_board::manifest::{Manifest, Timetable};
use shortlist_board::record::Frame;
use shortlist_board::verify::Verifier;
use shortlist_crypto::dkg::GroupPublic;

use crate::error::AppError;
use crate::sequencer::{stored_phase, Sequencer, CEREMONY_KINDS};
use crate::shared::Shared;
// The facts `AppState::poll` returns, and how a stored row reads, are the
// shared layer's (`crate::shared`); handlers name them here with the rest.
pub use crate::shared::{entry_of, PollCtx};

/// The application state handed to handlers.
#[derive(Clone)]
pub struct AppState {
    /// Shared parts.
    pub shared: Arc<Shared>,
    /// The append path.
    pub sequencer: Sequencer,
    /// The aggregations running on this instance (spec: api §5 "Tally").
    pub tallies: Arc<crate::tally::Jobs>,
}

impl AppState {
    /// The poll's timetable amendments, in board order (spec: board §4.11).
    pub async fn amendments(&self, id: &str) -> Result<Vec<Amended>, AppError> {
        let rows = self.shared.store.entries_of_kind(id, EntryKind::Amendment.code(), 0, 100_000).await?;
        rows.into_iter()
            .map(|r| {
                Ok(Amended { index: r.index, time: r.time, amendment: Amendment::from_bytes(&r.payload)? })
            })
            .collect()
    }

    /// The timetable in force: the manifest's with every amendment on the
    /// board applied (the sequencer admits only valid ones, spec: V1.5).
    pub async fn timetable(&self, p: &PollCtx) -> Result<Timetable, AppError> {
        Ok(self.amendments(&p.id).await?.iter().fold(p.manifest.timetable, |t, a| a.amendment.apply(&t)))
    }

    /// Where the lifecycle stands for a request now (spec: api §5): the
    /// stored phase, the server clock and the timetable in force — the facts
    /// a handler's rule needs (`shortlist_board::lifecycle::rules`).
    pub async fn lifecycle_now(&self, p: &PollCtx) -> Result<shortlist_board::lifecycle::Now, AppError> {
        let row = self.shared.store.poll(&p.id).await?;
        let row = row.ok_or_else(|| AppError::not_found(ErrorCode::NoSuchPoll, "no such poll"))?;
        Ok(shortlist_board::lifecycle::Now {
            phase: stored_phase(&row.phase)?,
            time: self.shared.clock.now(),
            timetable: self.timetable(p).await?,
        })
    }

    /// The poll's facts; reloaded from the store when `need` is not met by
    /// the cached copy (another instance, or this one, moved the poll on).
    pub async fn poll(&self, id: &str, need: Need) -> Result<Arc<PollCtx>, AppError> {
        if let Some(p) = self.cached(id) {
            if need.met(&p) {
                return Ok(p);
            }
        }
        let fresh = Arc::new(self.load(id).await?);
        if let Ok(mut map) = self.shared.polls.write() {
            map.insert(id.to_string(), fresh.clone());
        }
        Ok(fresh)
    }

    fn cached(&self, id: &str) -> Option<Arc<PollCtx>> {
        self.shared.polls.read().ok().and_then(|m| m.get(id).cloned())
    }

    /// Forgets the cached facts of a poll.
    pub fn forget(&self, id: &str) {
        if let Ok(mut map) = self.shared.polls.write() {
            map.remove(id);
        }
    }

    async fn load(&self, id: &str) -> Result<PollCtx, AppError> {
        let store = &self.shared.store;
        let row = store
            .poll(id)
            .await?
            .ok_or_else(|| AppError::not_found(ErrorCode::NoSuchPoll, format!("no poll `{id}`")))?;
        let manifest = Manifest::from_bytes(&row.manifest)?;
        let mut ctx = PollCtx {
            id: id.to_string(),
            manifest,
            manifest_hash: row.manifest_hash,
            phase: row.phase.clone(),
            definition: None,
            shapes: Vec::new(),
            group: None,
        };
        if let Some(dh) = row.definition_hash {
            let e = store.entries_of_kind(id, EntryKind::Definition.code(), 0, 1).await?;
            let e = e.first().ok_or_else(|| AppError::internal("definition hash without a definition"))?;
            let def = BallotDefinition::from_bytes(&e.payload)?;
            ctx.shapes = ctx
                .manifest
                .contests
                .iter()
                .map(|c| def.shape(&ctx.manifest, c.contest_id))
                .collect::<Result<_, _>>()?;
            ctx.definition = Some((def, dh));
        }
        if row.joint_key.is_some() {
            let (group, _, _) = ceremony(self, id).await?;
            ctx.group = group;
        }
        Ok(ctx)
    }
}

/// What a handler needs of a poll's facts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    /// The manifest only.
    Manifest,
    /// The definition.
    Definition,
    /// The definition and the joint key.
    Context,
}

impl Need {
    fn met(self, p: &PollCtx) -> bool {
        match self {
            Need::Manifest => true,
            Need::Definition => p.definition.is_some(),
            Need::Context => p.definition.is_some() && p.group.is_some(),
        }
    }
}

/// Runs the verifier over the board up to its first ballot (or all of it)
/// and returns the ceremony's outcome and the steps that failed.
/// Also returns how many ceremony entries it read.
pub async fn ceremony(
    state: &AppState,
    id: &str,
) -> Result<(Option<GroupPublic>, Vec<&'static str>, u64), AppError> {
    let store = &state.shared.store;
    let size = store.board_size(id).await?;
    let mut v = Verifier::new();
    let mut from = 0;
    let mut messages = 0u64;
    'read: while from < size {
        let rows = store.entries(id, from, from.saturating_add(1000).min(size)).await?;
        if rows.is_empty() {
            break;
        }
        for row in rows {
            if row.kind == EntryKind::Ballot.code() || row.kind == EntryKind::SpoiledBallot.code() {
                break 'read;
            }
            from = row.index + 1;
            if CEREMONY_KINDS.contains(&row.kind) {
                messages += 1;
            }
            v.feed(&Frame::Entry(entry_of(row)?), 0);
        }
    }
    let group = v.ceremony_group();
    let failed = v.report().failed_steps();
    Ok((group, failed, messages))
}
