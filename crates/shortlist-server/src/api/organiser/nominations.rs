//! Nominations (spec: api §7.1): opening them, candidate tokens, the list
//! of expressions of interest, approving, rejecting or entering a candidate,
//! and closing them with the ballot definition.

use shortlist_board::error_code::ErrorCode;
use std::collections::HashSet;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use shortlist_board::definition::{BallotDefinition, CandidateRegistration, DefinedContest};
use shortlist_board::entry::EntryKind;
use shortlist_board::lifecycle::rules::{self, Submitted};
use shortlist_board::lifecycle::{Action, Phase, Refusal};
use utoipa::ToSchema;

use crate::api::{AppendedInfo, Organiser};
use crate::error::{ApiResult, AppError, ErrorBody, Json, Path};
use crate::keys::{self, CANDIDATE};
use crate::model::CandidateSpec;
use crate::sequencer::{refused, Op};
use crate::state::{AppState, Need};

/// A poll's new phase.
#[derive(Debug, Serialize, ToSchema)]
pub struct PhaseInfo {
    /// The phase.
    pub phase: String,
}

/// Opens nominations: candidates may send expressions of interest.
#[utoipa::path(post, path = "/v1/polls/{poll}/nominations/open", tag = "organiser", security(("organiser" = [])),
    params(("poll" = String, Path)), responses((status = 200, body = PhaseInfo), (status = 409, body = ErrorBody)))]
pub async fn open_nominations(
    _: Organiser,
    State(state): State<AppState>,
    Path(poll): Path<String>,
) -> ApiResult<Json<PhaseInfo>> {
    let p = state.poll(&poll, Need::Manifest).await?;
    let now = state.lifecycle_now(&p).await?;
    let next = rules::open_nominations(&now).map_err(|r| refused(&r))?.unwrap_or(Phase::Nominations);
    // The move is made only from the phase the rule judged.
    if !state.shared.store.set_phase_if(&poll, now.phase.name(), next.name()).await? {
        let now = state.lifecycle_now(&p).await?;
        return Err(refused(&Refusal::WrongPhase { phase: now.phase, action: Action::OpenNominations }));
    }
    Ok(Json(PhaseInfo { phase: next.name().into() }))
}

/// How many candidate tokens to issue.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CandidateTokensRequest {
    /// One token per label (e.g. the would-be candidate's e-mail address).
    pub labels: Vec<String>,
}

/// One candidate token, shown once.
#[derive(Debug, Serialize, ToSchema)]
pub struct IssuedToken {
    /// The label it was issued for.
    pub label: String,
    /// The token: give it to the would-be candidate; it is not stored.
    pub token: String,
}

/// Issues candidate tokens (returned once; stored only as hashes).
#[utoipa::path(post, path = "/v1/polls/{poll}/candidate-tokens", tag = "organiser", security(("organiser" = [])),
    params(("poll" = String, Path)), request_body = CandidateTokensRequest,
    responses((status = 200, body = [IssuedToken]), (status = 404, body = ErrorBody)))]
pub async fn candidate_tokens(
    _: Organiser,
    State(state): State<AppState>,
    Path(poll): Path<String>,
    Json(req): Json<CandidateTokensRequest>,
) -> ApiResult<impl IntoResponse> {
    state.poll(&poll, Need::Manifest).await?;
    if req.labels.is_empty() || req.labels.len() > 10_000 {
        return Err(AppError::invalid(ErrorCode::InvalidRequest, "give 1–10,000 labels"));
    }
    let mut out = Vec::with_capacity(req.labels.len());
    let mut hashes = Vec::with_capacity(req.labels.len());
    for label in req.labels {
        let token = keys::new_token();
        hashes.push((keys::token_hash(CANDIDATE, &poll, &token), label.clone()));
        out.push(IssuedToken { label, token: token.to_string() });
    }
    state.shared.store.add_candidate_tokens(&poll, &hashes).await?;
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(out)))
}

/// An expression of interest, as the organiser sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct NominationInfo {
    /// Its id (hex), for approving or rejecting.
    pub id: String,
    /// The shortest prefix of `id` (at least 8 hex digits) that no other
    /// nomination of the poll shares: approve and reject take it too.
    pub short_id: String,
    /// The label the candidate token was issued to.
    pub label: String,
    /// When it arrived (its latest version), Unix seconds.
    pub submitted_at: u64,
    /// The same, RFC 3339 in the poll's zone.
    pub submitted_text: String,
    /// The candidate as submitted.
    pub candidate: CandidateSpec,
    /// `pending`, `approved` or `rejected`.
    pub status: String,
    /// The candidate id once approved.
    pub candidate_id: Option<u32>,
}

/// Lists expressions of interest.
#[utoipa::path(get, path = "/v1/polls/{poll}/nominations", tag = "organiser", security(("organiser" = [])),
    params(("poll" = String, Path)), responses((status = 200, body = [NominationInfo])))]
pub async fn list_nominations(
    _: Organiser,
    State(state): State<AppState>,
    Path(poll): Path<String>,
) -> ApiResult<Json<Vec<NominationInfo>>> {
    let p = state.poll(&poll, Need::Manifest).await?;
    let rows = state.shared.store.nominations(&poll).await?;
    let shorts = short_ids(&rows.iter().map(|r| r.token_hash).collect::<Vec<_>>());
    let mut out = Vec::with_capacity(rows.len());
    for (r, short_id) in rows.into_iter().zip(shorts) {
        out.push(NominationInfo {
            id: hex::encode(r.token_hash),
            short_id,
            label: r.label,
            submitted_at: r.submitted_at,
            submitted_text: shortlist_board::zone::rfc3339(r.submitted_at, &p.manifest.calendar.zone),
            candidate: CandidateSpec {
                contest_id: r.contest_id,
                name: r.name,
                statement: r.statement,
                attributes: serde_json::from_str(&r.attributes_json).map_err(AppError::internal)?,
            },
            status: r.status,
            candidate_id: r.candidate_id,
        });
    }
    Ok(Json(out))
}

/// The shortest prefixes, at least 8 hex digits, that tell the ids apart.
pub fn short_ids(ids: &[[u8; 32]]) -> Vec<String> {
    let full: Vec<String> = ids.iter().map(hex::encode).collect();
    let mut len = 8;
    while len < 64 {
        let mut seen = HashSet::new();
        if full.iter().all(|h| seen.insert(h.get(..len).unwrap_or(h))) {
            break;
        }
        len += 2;
    }
    full.iter().map(|h| h.get(..len).unwrap_or(h).to_string()).collect()
}

/// The nomination whose id starts with `id` (at least 6 hex digits, any case):
/// 404 `not_found` if none, 409 `ambiguous_id` if several.
fn find_nomination(
    rows: Vec<shortlist_store::NominationRow>,
    id: &str,
) -> Result<shortlist_store::NominationRow, AppError> {
    let id = id.trim().to_ascii_lowercase();
    if id.len() < 6 || id.len() > 64 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::malformed("a nomination id is 6 to 64 hex digits"));
    }
    let mut matching = rows.into_iter().filter(|r| hex::encode(r.token_hash).starts_with(&id));
    let first =
        matching.next().ok_or_else(|| AppError::not_found(ErrorCode::NotFound, "no such nomination"))?;
    if matching.next().is_some() {
        return Err(AppError::conflict(
            ErrorCode::AmbiguousId,
            "several nominations start with that id; give more digits",
        ));
    }
    Ok(first)
}

/// Approves an expression of interest: the candidate goes on the board.
#[utoipa::path(post, path = "/v1/polls/{poll}/nominations/{id}/approve", tag = "organiser", security(("organiser" = [])),
    params(("poll" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = AppendedInfo), (status = 409, body = ErrorBody)))]
pub async fn approve_nomination(
    _: Organiser,
    State(state): State<AppState>,
    Path((poll, id)): Path<(String, String)>,
) -> ApiResult<Json<AppendedInfo>> {
    let p = state.poll(&poll, Need::Manifest).await?;
    let row = find_nomination(state.shared.store.nominations(&poll).await?, &id)?;
    let id = row.token_hash;
    let spec = CandidateSpec {
        contest_id: row.contest_id,
        name: row.name,
        statement: row.statement,
        attributes: serde_json::from_str(&row.attributes_json).map_err(AppError::internal)?,
    };
    let registration = spec.to_registration(&p.manifest)?;
    let op = Op::Candidate { registration, nomination: Some(id) };
    Ok(Json(state.sequencer.submit(&poll, op).await?.into()))
}

/// Rejects an expression of interest.
#[utoipa::path(post, path = "/v1/polls/{poll}/nominations/{id}/reject", tag = "organiser", security(("organiser" = [])),
    params(("poll" = String, Path), ("id" = String, Path)),
    responses((status = 204), (status = 409, body = ErrorBody)))]
pub async fn reject_nomination(
    _: Organiser,
    State(state): State<AppState>,
    Path((poll, id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    state.poll(&poll, Need::Manifest).await?;
    let row = find_nomination(state.shared.store.nominations(&poll).await?, &id)?;
    if !state.shared.store.reject_nomination(&poll, &row.token_hash).await? {
        return Err(AppError::conflict(ErrorCode::NotPending, "no pending nomination with that id"));
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Enters a candidate directly.
#[utoipa::path(post, path = "/v1/polls/{poll}/candidates", tag = "organiser", security(("organiser" = [])),
    params(("poll" = String, Path)), request_body = CandidateSpec,
    responses((status = 200, body = AppendedInfo), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn enter_candidate(
    _: Organiser,
    State(state): State<AppState>,
    Path(poll): Path<String>,
    Json(spec): Json<CandidateSpec>,
) -> ApiResult<Json<AppendedInfo>> {
    let p = state.poll(&poll, Need::Manifest).await?;
    let registration = spec.to_registration(&p.manifest)?;
    let op = Op::Candidate { registration, nomination: None };
    Ok(Json(state.sequencer.submit(&poll, op).await?.into()))
}

/// Closes nominations: the ballot definition (every candidate on the
/// board, in board order) is posted.
#[utoipa::path(post, path = "/v1/polls/{poll}/nominations/close", tag = "organiser", security(("organiser" = [])),
    params(("poll" = String, Path)),
    responses((status = 200, body = AppendedInfo), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn close_nominations(
    _: Organiser,
    State(state): State<AppState>,
    Path(poll): Path<String>,
) -> ApiResult<Json<AppendedInfo>> {
    let p = state.poll(&poll, Need::Manifest).await?;
    let rows = state.shared.store.entries_of_kind(&poll, EntryKind::Candidate.code(), 0, 100_000).await?;
    let candidates = u64::try_from(rows.len()).map_err(AppError::internal)?;
    let mut contests: Vec<DefinedContest> = p
        .manifest
        .contests
        .iter()
        .map(|c| DefinedContest { contest_id: c.contest_id, candidates: Vec::new() })
        .collect();
    for row in rows {
        let reg = CandidateRegistration::from_bytes(&row.payload)?;
        if let Some(c) = contests.iter_mut().find(|c| c.contest_id == reg.contest_id) {
            c.candidates.push(reg.candidate);
        }
    }
    let definition = BallotDefinition { contests };
    let payload = definition.to_bytes();
    let hash: [u8; 32] = shortlist_board::entry::payload_hash(&payload);
    // spec: api §5 — a repeat, else the phase and "too early", are said
    // before the definition is judged (the sequencer judges them again).
    let on_board = state.shared.store.entry_by_payload_hash(&poll, &hash).await?.is_some();
    let now = state.lifecycle_now(&p).await?;
    rules::close_nominations_request(&now, Submitted::repeat_if(on_board)).map_err(|r| refused(&r))?;
    definition.validate(&p.manifest).map_err(|e| {
        AppError::conflict(ErrorCode::InvalidDefinition, format!("cannot close nominations: {e}"))
    })?;
    let op = Op::Definition { payload, hash, candidates };
    let out = state.sequencer.submit(&poll, op).await?;
    state.forget(&poll);
    Ok(Json(out.into()))
}
