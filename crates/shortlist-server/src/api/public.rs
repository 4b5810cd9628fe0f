//! Public routes (spec: api §7.5): anyone may read the poll, the board by
//! range or as a live stream, checkpoints, consistency proofs and the whole
//! election record. The result is [`super::result`]'s.

use shortlist_board::error_code::ErrorCode;
use std::convert::Infallible;
use std::time::Duration;

use axum::body::Body;
use axum::extract::State;
use axum::http::header;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::IntoResponse;
use futures_util::stream::{self, Stream, StreamExt};
use serde::{Deserialize, Serialize};
use shortlist_board::checkpoint::Checkpoint;
use shortlist_board::definition::CandidateRegistration;
use shortlist_board::entry::{EntryKind, Hash};
use shortlist_board::merkle::TreeSize;
use shortlist_board::record::RecordWriter;
use utoipa::{IntoParams, ToSchema};

use super::result::roll_members;
use super::EntryInfo;
use crate::error::{ApiResult, AppError, ErrorBody, Json, Path, Query};
use crate::model::CandidateSpec;
use crate::sequencer::catch_up;
use crate::state::{entry_of, AppState, Need};

/// Most entries one page returns.
const PAGE: u64 = 1000;

/// Every poll on this server.
#[utoipa::path(get, path = "/v1/polls", tag = "public", responses((status = 200, body = [String])))]
pub async fn polls(State(state): State<AppState>) -> ApiResult<Json<Vec<String>>> {
    Ok(Json(state.shared.store.poll_ids().await?))
}

/// A poll's manifest.
#[derive(Debug, Serialize, ToSchema)]
pub struct PollInfo {
    /// The poll id.
    pub poll_id: String,
    /// The title.
    pub title: String,
    /// Hex of the manifest hash.
    pub manifest_hash: String,
    /// Hex of the manifest payload (entry 0).
    pub manifest: String,
    /// Hex of the server's checkpoint key.
    pub server_key: String,
    /// The timetable in force (amendments applied), Unix seconds.
    pub timetable: crate::model::TimetableSpec,
    /// The zone dates are shown in (IANA name or offset); empty for UTC.
    pub time_zone: String,
}

/// A poll's manifest.
#[utoipa::path(get, path = "/v1/polls/{poll}", tag = "public", params(("poll" = String, Path)),
    responses((status = 200, body = PollInfo), (status = 404, body = ErrorBody)))]
pub async fn poll(State(state): State<AppState>, Path(poll): Path<String>) -> ApiResult<Json<PollInfo>> {
    let p = state.poll(&poll, Need::Manifest).await?;
    let t = state.timetable(&p).await?;
    Ok(Json(PollInfo {
        poll_id: p.id.clone(),
        title: p.manifest.title.clone(),
        manifest_hash: hex::encode(p.manifest_hash),
        manifest: hex::encode(p.manifest.to_bytes()),
        server_key: hex::encode(p.manifest.server_key.to_bytes()),
        timetable: crate::model::TimetableSpec {
            nominations_close: t.nominations_close,
            voting_open: t.voting_open,
            voting_close: t.voting_close,
        },
        time_zone: p.manifest.calendar.zone.clone(),
    }))
}

/// Where a poll stands.
#[derive(Debug, Serialize, ToSchema)]
pub struct Status {
    /// The lifecycle phase.
    pub phase: String,
    /// The server's clock, Unix seconds.
    pub now: u64,
    /// Entries on the board.
    pub entries: u64,
    /// Entries by kind name.
    pub by_kind: std::collections::BTreeMap<String, u64>,
    /// Members on the roll.
    pub members: u64,
    /// Eligibility tokens issued.
    pub tokens_issued: u64,
    /// Tokens redeemed.
    pub tokens_redeemed: u64,
    /// Expressions of interest awaiting a decision.
    pub nominations_pending: u64,
}

/// Where a poll stands: phase, clock and counts.
#[utoipa::path(get, path = "/v1/polls/{poll}/status", tag = "public", params(("poll" = String, Path)),
    responses((status = 200, body = Status), (status = 404, body = ErrorBody)))]
pub async fn status(State(state): State<AppState>, Path(poll): Path<String>) -> ApiResult<Json<Status>> {
    let store = &state.shared.store;
    let row =
        store.poll(&poll).await?.ok_or_else(|| AppError::not_found(ErrorCode::NoSuchPoll, "no such poll"))?;
    let mut by_kind = std::collections::BTreeMap::new();
    for (code, n) in store.kind_counts(&poll).await? {
        by_kind.insert(EntryKind::from_code(code)?.name().to_string(), n);
    }
    let roll = store.roll_counts(&poll).await?;
    let members = roll_members(&state, &poll, roll.members).await?;
    let pending = store.nominations(&poll).await?.iter().filter(|n| n.status == "pending").count();
    Ok(Json(Status {
        phase: row.phase,
        now: state.shared.clock.now(),
        entries: store.board_size(&poll).await?,
        by_kind,
        members,
        tokens_issued: roll.tokens_issued,
        tokens_redeemed: roll.redeemed,
        nominations_pending: u64::try_from(pending).unwrap_or(u64::MAX),
    }))
}

/// A candidate on the board.
#[derive(Debug, Serialize, ToSchema)]
pub struct CandidateInfo {
    /// The candidate id.
    pub candidate_id: u32,
    /// The candidate.
    pub candidate: CandidateSpec,
}

/// The candidates.
#[derive(Debug, Serialize, ToSchema)]
pub struct Candidates {
    /// Every registered candidate, in board order.
    pub registered: Vec<CandidateInfo>,
    /// Hex of the ballot definition, once nominations closed.
    pub definition: Option<String>,
    /// Hex of its hash.
    pub definition_hash: Option<String>,
}

/// The registered candidates and, once posted, the ballot definition.
#[utoipa::path(get, path = "/v1/polls/{poll}/candidates", tag = "public", params(("poll" = String, Path)),
    responses((status = 200, body = Candidates), (status = 404, body = ErrorBody)))]
pub async fn candidates(
    State(state): State<AppState>,
    Path(poll): Path<String>,
) -> ApiResult<Json<Candidates>> {
    let p = state.poll(&poll, Need::Manifest).await?;
    let store = &state.shared.store;
    let mut registered = Vec::new();
    for row in store.entries_of_kind(&poll, EntryKind::Candidate.code(), 0, 100_000).await? {
        let r = CandidateRegistration::from_bytes(&row.payload)?;
        registered.push(CandidateInfo {
            candidate_id: r.candidate.candidate_id,
            candidate: CandidateSpec {
                contest_id: r.contest_id,
                name: r.candidate.name,
                statement: r.statement,
                attributes: r.candidate.attributes.into_iter().collect(),
            },
        });
    }
    let def = store.entries_of_kind(&poll, EntryKind::Definition.code(), 0, 1).await?;
    let def = def.first();
    let _ = p;
    Ok(Json(Candidates {
        registered,
        definition: def.map(|d| hex::encode(&d.payload)),
        definition_hash: def.map(|d| {
            let h: Hash = shortlist_board::entry::payload_hash(&d.payload);
            hex::encode(h)
        }),
    }))
}

/// A range of entries.
#[derive(Debug, Deserialize, IntoParams)]
pub struct Range {
    /// First index (default 0).
    pub from: Option<u64>,
    /// One past the last index (default: `from` + 1000, at most that).
    pub to: Option<u64>,
}

/// Entries by range, at most 1,000 at a time.
#[utoipa::path(get, path = "/v1/polls/{poll}/entries", tag = "public", params(("poll" = String, Path), Range),
    responses((status = 200, body = [EntryInfo]), (status = 404, body = ErrorBody)))]
pub async fn entries(
    State(state): State<AppState>,
    Path(poll): Path<String>,
    Query(r): Query<Range>,
) -> ApiResult<Json<Vec<EntryInfo>>> {
    let store = &state.shared.store;
    let size = store.board_size(&poll).await?;
    let from = r.from.unwrap_or(0);
    let to = r.to.unwrap_or(u64::MAX).min(from.saturating_add(PAGE)).min(size);
    let mut out = Vec::new();
    if from >= to {
        return Ok(Json(out));
    }
    let rows = store.entries(&poll, from, to).await?;
    for row in rows {
        out.push(EntryInfo::of(&entry_of(row)?));
    }
    Ok(Json(out))
}

/// Where a live stream starts.
#[derive(Debug, Deserialize, IntoParams)]
pub struct StreamFrom {
    /// First index (default 0).
    pub from: Option<u64>,
}

/// The board as a live stream (server-sent events, one `entry` event per
/// entry, JSON as in `/entries`), from `from` on, for monitors.
#[utoipa::path(get, path = "/v1/polls/{poll}/entries/stream", tag = "public", params(("poll" = String, Path), StreamFrom),
    responses((status = 200, description = "text/event-stream of entries"), (status = 404, body = ErrorBody)))]
pub async fn stream(
    State(state): State<AppState>,
    Path(poll): Path<String>,
    Query(q): Query<StreamFrom>,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    state.poll(&poll, Need::Manifest).await?;
    let from = q.from.unwrap_or(0);
    let events = stream::unfold((state, poll, from), |(state, poll, next)| async move {
        loop {
            let store = &state.shared.store;
            let rows = match store.entries(&poll, next, next.saturating_add(100)).await {
                Ok(rows) => rows,
                Err(e) => {
                    tracing::warn!(error = %e, "stream read failed");
                    return None;
                }
            };
            if rows.is_empty() {
                if *state.shared.stopping.borrow() {
                    return None;
                }
                let _ = tokio::time::timeout(Duration::from_secs(1), state.shared.appended.notified()).await;
                continue;
            }
            let mut events = Vec::with_capacity(rows.len());
            let mut next = next;
            for row in rows {
                let entry = entry_of(row).ok()?;
                next = entry.index + 1;
                events.push(Ok(Event::default()
                    .event("entry")
                    .id(entry.index.to_string())
                    .json_data(EntryInfo::of(&entry))
                    .ok()?));
            }
            return Some((stream::iter(events), (state, poll, next)));
        }
    })
    .flatten();
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}

/// A signed checkpoint.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckpointInfo {
    /// Entries covered.
    pub size: u64,
    /// Hex of the last covered entry's hash.
    pub head: String,
    /// Hex of the Merkle root.
    pub root: String,
    /// Server time, Unix seconds.
    pub time: u64,
    /// Hex of the 144-byte checkpoint (spec: board §6.1).
    pub bytes: String,
}

fn checkpoint_info(bytes: &[u8]) -> ApiResult<CheckpointInfo> {
    let c = Checkpoint::from_bytes(bytes)?;
    Ok(CheckpointInfo {
        size: c.size,
        head: hex::encode(c.head),
        root: hex::encode(c.root),
        time: c.time,
        bytes: hex::encode(bytes),
    })
}

/// The latest checkpoint's size and bytes; 404 `no_such_poll` for a poll
/// that does not exist (every poll has a checkpoint from its creation on).
async fn latest_or_404(store: &shortlist_store::Store, poll: &str) -> ApiResult<(u64, Vec<u8>)> {
    match store.latest_checkpoint(poll).await? {
        Some(c) => Ok(c),
        None if store.poll(poll).await?.is_none() => {
            Err(AppError::not_found(ErrorCode::NoSuchPoll, format!("no such poll: {poll}")))
        }
        None => Err(AppError::not_found(ErrorCode::NotFound, "no checkpoint yet")),
    }
}

/// The latest signed checkpoint.
#[utoipa::path(get, path = "/v1/polls/{poll}/checkpoints/latest", tag = "public", params(("poll" = String, Path)),
    responses((status = 200, body = CheckpointInfo), (status = 404, body = ErrorBody)))]
pub async fn latest_checkpoint(
    State(state): State<AppState>,
    Path(poll): Path<String>,
) -> ApiResult<Json<CheckpointInfo>> {
    let (_, bytes) = latest_or_404(&state.shared.store, &poll).await?;
    Ok(Json(checkpoint_info(&bytes)?))
}

/// Checkpoints with sizes in `from..=to`, at most 1,000.
#[utoipa::path(get, path = "/v1/polls/{poll}/checkpoints", tag = "public", params(("poll" = String, Path), Range),
    responses((status = 200, body = [CheckpointInfo]), (status = 404, body = ErrorBody)))]
pub async fn checkpoints(
    State(state): State<AppState>,
    Path(poll): Path<String>,
    Query(r): Query<Range>,
) -> ApiResult<Json<Vec<CheckpointInfo>>> {
    state.shared.store.board_size(&poll).await?;
    let cap = u64::MAX >> 2;
    let (from, to) = (r.from.unwrap_or(0).min(cap), r.to.unwrap_or(cap).min(cap));
    let rows = state.shared.store.checkpoints(&poll, from, to).await?;
    Ok(Json(rows.iter().take(1000).map(|(_, b)| checkpoint_info(b)).collect::<ApiResult<_>>()?))
}

/// Two tree sizes.
#[derive(Debug, Deserialize, IntoParams)]
pub struct Sizes {
    /// The older size (≥ 1).
    pub from: u64,
    /// The newer size (≤ the board's).
    pub to: u64,
}

/// A consistency proof.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsistencyInfo {
    /// The older size.
    pub from: u64,
    /// The newer size.
    pub to: u64,
    /// Hex of the proof (spec: board §3.4).
    pub proof: String,
}

/// The proof that the board at size `to` extends the board at size `from`.
#[utoipa::path(get, path = "/v1/polls/{poll}/consistency", tag = "public", params(("poll" = String, Path), Sizes),
    responses((status = 200, body = ConsistencyInfo), (status = 400, body = ErrorBody)))]
pub async fn consistency(
    State(state): State<AppState>,
    Path(poll): Path<String>,
    Query(s): Query<Sizes>,
) -> ApiResult<Json<ConsistencyInfo>> {
    let size = state.shared.store.board_size(&poll).await?;
    if s.from == 0 || s.from > s.to || s.to > size {
        return Err(AppError::malformed(format!("need 1 ≤ from ≤ to ≤ {size}")));
    }
    let mut logs = state.shared.logs.lock().await;
    let cache = logs.entry(poll.clone()).or_default();
    catch_up(&state.shared, &poll, cache, s.to).await?;
    let proof = cache
        .log
        .consistency_proof(TreeSize::new(s.from), TreeSize::new(s.to))
        .map_err(AppError::internal)?;
    Ok(Json(ConsistencyInfo { from: s.from, to: s.to, proof: hex::encode(proof.to_bytes()) }))
}

/// Where a record read starts, and where a part of it ends.
#[derive(Debug, Deserialize, IntoParams)]
pub struct RecordFrom {
    /// The first entry index (default 0): a live verifier that has read
    /// entries `0..from` asks for the rest (spec: api §7.5).
    pub from: Option<u64>,
    /// Read in parts: stop at the first checkpoint at or after entry count
    /// `to` (or at the latest, if that comes first), so that a reader far
    /// behind reads a bounded part at a time; a part that ends before `to`
    /// ends at the latest checkpoint (spec: api §7.5).
    pub to: Option<u64>,
}

/// The whole election record (spec: board §7) up to the latest checkpoint,
/// for `shortlist-verify`; with `from`, the same file from entry `from` on
/// (the magic, then the frames that follow the first `from` entries).
#[utoipa::path(get, path = "/v1/polls/{poll}/record", tag = "public", params(("poll" = String, Path), RecordFrom),
    responses((status = 200, description = "application/octet-stream: the record file"), (status = 404, body = ErrorBody)))]
pub async fn record(
    State(state): State<AppState>,
    Path(poll): Path<String>,
    Query(q): Query<RecordFrom>,
) -> ApiResult<impl IntoResponse> {
    let store = state.shared.store.clone();
    let (size, _) = latest_or_404(&store, &poll).await?;
    let from = q.from.unwrap_or(0);
    if from > size {
        return Err(AppError::malformed(format!(
            "from {from} is past the latest checkpoint, of size {size}"
        )));
    }
    let end = match q.to {
        None => size,
        Some(to) if to <= from => {
            return Err(AppError::malformed(format!("to {to} must be above from {from}")));
        }
        // The first checkpoint of size ≥ to is the one covering entry to − 1.
        Some(to) if to < size => match store.checkpoint_covering(&poll, to - 1).await? {
            Some((s, _)) => s.min(size),
            None => size,
        },
        Some(_) => size,
    };
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(8);
    tokio::spawn(async move {
        if let Err(e) = write_record(&store, &poll, from, end, &tx).await {
            tracing::warn!(error = %e, "record export failed");
            let _ = tx.send(Err(std::io::Error::other("record export failed"))).await;
        }
    });
    let body = Body::from_stream(tokio_stream::wrappers::ReceiverStream::new(rx));
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"poll.record\""),
        ],
        body,
    ))
}

async fn write_record(
    store: &shortlist_store::Store,
    poll: &str,
    mut from: u64,
    size: u64,
    tx: &tokio::sync::mpsc::Sender<Result<Vec<u8>, std::io::Error>>,
) -> Result<(), AppError> {
    let mut w = RecordWriter::new(Vec::new())?;
    while from < size {
        let to = from.saturating_add(PAGE).min(size);
        let rows = store.entries(poll, from, to).await?;
        let cps = store.checkpoints(poll, from + 1, to).await?;
        let mut cps = cps.into_iter().peekable();
        for row in rows {
            let e = entry_of(row)?;
            w.entry(&e)?;
            while let Some((s, bytes)) = cps.next_if(|(s, _)| *s <= e.index + 1) {
                if s == e.index + 1 {
                    w.checkpoint(&Checkpoint::from_bytes(&bytes)?)?;
                }
            }
        }
        if tx.send(Ok(std::mem::take(w.get_mut()))).await.is_err() {
            return Ok(()); // the client went away
        }
        from = to;
    }
    if !w.get_mut().is_empty() {
        // Nothing new since `from`: the magic alone.
        let _ = tx.send(Ok(std::mem::take(w.get_mut()))).await;
    }
    Ok(())
}
