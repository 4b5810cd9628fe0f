//! Creating a poll, opening and closing voting, and starting the tally
//! (spec: api §7.1).

use shortlist_board::error_code::ErrorCode;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Serialize;
use shortlist_board::entry::EntryKind;
use shortlist_board::lifecycle::rules::{self, Submitted};
use utoipa::ToSchema;

use crate::api::{AppendedInfo, Organiser};
use crate::error::{ApiResult, AppError, ErrorBody, Json, Path};
use crate::model::ManifestSpec;
use crate::sequencer::{phase, refused, Op};
use crate::state::{ceremony, AppState, Need};

/// A poll just created.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedPoll {
    /// The poll id.
    pub poll_id: String,
    /// Hex of the manifest hash: the poll's identity.
    pub manifest_hash: String,
    /// Hex of the server's checkpoint-signing key, as the manifest names it.
    pub server_key: String,
    /// The manifest entry (entry 0).
    pub appended: AppendedInfo,
}

/// Creates a poll from a manifest; entry 0 goes on its board.
#[utoipa::path(post, path = "/v1/polls", tag = "organiser", request_body = ManifestSpec,
    security(("organiser" = [])),
    responses((status = 201, body = CreatedPoll), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_poll(
    _: Organiser,
    State(state): State<AppState>,
    Json(spec): Json<ManifestSpec>,
) -> ApiResult<(StatusCode, Json<CreatedPoll>)> {
    let server_key = state.shared.server_key.public_key();
    let manifest = spec.to_manifest(server_key)?;
    let payload = manifest.to_bytes();
    let hash: [u8; 32] = shortlist_board::entry::payload_hash(&payload);
    let store = &state.shared.store;
    let now = state.shared.clock.now();
    if !store.create_poll(&manifest.poll_id, &payload, &hash, now).await? {
        // Taken, unless an earlier attempt made the row but not entry 0.
        let row = store.poll(&manifest.poll_id).await?;
        let same = row.is_some_and(|r| r.manifest == payload);
        if same && store.board_size(&manifest.poll_id).await? > 0 {
            // A repeat of the same creation: the same answer, nothing new.
            let entry0 =
                store.entry(&manifest.poll_id, 0).await?.ok_or_else(|| AppError::internal("no entry 0"))?;
            let entry = crate::state::entry_of(entry0)?;
            let appended = AppendedInfo::repeat_of(&entry);
            return Ok((
                StatusCode::OK,
                Json(CreatedPoll {
                    poll_id: manifest.poll_id.clone(),
                    manifest_hash: hex::encode(hash),
                    server_key: hex::encode(server_key.to_bytes()),
                    appended,
                }),
            ));
        }
        if !same {
            return Err(AppError::conflict(
                ErrorCode::PollExists,
                format!("poll `{}` exists already", manifest.poll_id),
            ));
        }
    }
    let appended = state.sequencer.submit(&manifest.poll_id, Op::Manifest { payload }).await?;
    tracing::info!(poll = %manifest.poll_id, "poll created");
    Ok((
        StatusCode::CREATED,
        Json(CreatedPoll {
            poll_id: manifest.poll_id.clone(),
            manifest_hash: hex::encode(hash),
            server_key: hex::encode(server_key.to_bytes()),
            appended: appended.into(),
        }),
    ))
}

/// Voting opened.
#[derive(Debug, Serialize, ToSchema)]
pub struct VotingOpened {
    /// The phase (`voting`).
    pub phase: String,
    /// Hex of the joint election key the ceremony produced.
    pub joint_key: String,
}

/// Opens voting: checks the board up to now (the key ceremony must have
/// produced a joint key) and takes ballots until the timetable closes.
#[utoipa::path(post, path = "/v1/polls/{poll}/voting/open", tag = "organiser", security(("organiser" = [])),
    params(("poll" = String, Path)), responses((status = 200, body = VotingOpened), (status = 409, body = ErrorBody)))]
pub async fn open_voting(
    _: Organiser,
    State(state): State<AppState>,
    Path(poll): Path<String>,
) -> ApiResult<Json<VotingOpened>> {
    let p = state.poll(&poll, Need::Definition).await?;
    // spec: api §5 "Opening voting" — the phase before the ceremony is read.
    rules::open_voting_request(&state.lifecycle_now(&p).await?).map_err(|r| refused(&r))?;
    let (group, failed, messages) = ceremony(&state, &poll).await?;
    if !failed.is_empty() {
        return Err(AppError::conflict(
            ErrorCode::BoardInvalid,
            format!("the board fails verification steps {}", failed.join(", ")),
        ));
    }
    let group = group.ok_or_else(|| {
        AppError::conflict(ErrorCode::CeremonyIncomplete, "the key ceremony has not produced a joint key yet")
    })?;
    let joint_key = group.joint_key.to_bytes();
    state.sequencer.submit(&poll, Op::OpenVoting { joint_key, ceremony: messages }).await?;
    state.forget(&poll);
    Ok(Json(VotingOpened { phase: phase::VOTING.into(), joint_key: hex::encode(joint_key) }))
}

/// Closes voting (not before the timetable's close).
#[utoipa::path(post, path = "/v1/polls/{poll}/voting/close", tag = "organiser", security(("organiser" = [])),
    params(("poll" = String, Path)), responses((status = 200, body = AppendedInfo), (status = 409, body = ErrorBody)))]
pub async fn close_voting(
    _: Organiser,
    State(state): State<AppState>,
    Path(poll): Path<String>,
) -> ApiResult<Json<AppendedInfo>> {
    state.poll(&poll, Need::Manifest).await?;
    Ok(Json(state.sequencer.submit(&poll, Op::VotingClosed).await?.into()))
}

/// Starts the tally: posts the homomorphic aggregate of the ballots that
/// count (one per credential, by the revote policy). Trustees then decrypt;
/// the result is posted when the threshold of valid shares is in. Summing a
/// large poll outlasts a request: after a while the answer is 202 and the
/// sum goes on; repeat the call until it answers 200 (spec: api §5 "Tally").
#[utoipa::path(post, path = "/v1/polls/{poll}/tally", tag = "organiser", security(("organiser" = [])),
    params(("poll" = String, Path)), responses((status = 200, body = AppendedInfo),
        (status = 202, body = TallyRunning), (status = 409, body = ErrorBody)))]
#[tracing::instrument(name = "tally", skip_all, fields(poll = %poll))]
pub async fn tally(
    _: Organiser,
    State(state): State<AppState>,
    Path(poll): Path<String>,
) -> ApiResult<axum::response::Response> {
    let p = state.poll(&poll, Need::Context).await?;
    let now = state.lifecycle_now(&p).await?;
    // spec: api §5 "Tally" — a repeat (the aggregate is on the board) is
    // answered with it before the phase is judged.
    let posted = state.shared.store.entries_of_kind(&poll, EntryKind::Aggregate.code(), 0, 1).await?;
    let posted = posted.into_iter().next();
    rules::tally_request(&now, Submitted::repeat_if(posted.is_some())).map_err(|r| refused(&r))?;
    if let Some(row) = posted {
        let entry = crate::state::entry_of(row)?;
        return Ok(Json(AppendedInfo::repeat_of(&entry)).into_response());
    }
    match crate::tally::start(&state.tallies, &state.shared, &state.sequencer, p).await? {
        Some(out) => Ok(Json(AppendedInfo::from(out)).into_response()),
        None => Ok((
            StatusCode::ACCEPTED,
            Json(TallyRunning { status: "aggregating", message: "summing the ballots; repeat this call" }),
        )
            .into_response()),
    }
}

/// The tally's sum is still running: repeat `POST …/tally`.
#[derive(Serialize, ToSchema)]
pub struct TallyRunning {
    /// `aggregating`.
    pub status: &'static str,
    /// What to do.
    pub message: &'static str,
}
