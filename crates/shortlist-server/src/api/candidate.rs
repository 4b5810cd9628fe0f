//! The candidate's route (spec: api §7.2): an expression of interest, sent
//! with an organiser-issued candidate token before nominations close.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use shortlist_board::error_code::ErrorCode;
use utoipa::ToSchema;

use crate::error::{ApiResult, AppError, ErrorBody, Json, Path};
use crate::keys::{self, CANDIDATE};
use crate::model::CandidateSpec;
use crate::sequencer::refused;
use crate::state::{AppState, Need};
use shortlist_board::lifecycle::rules;

/// An expression of interest.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpressionOfInterest {
    /// The candidate token from the organiser.
    pub token: String,
    /// The would-be candidate.
    pub candidate: CandidateSpec,
}

/// The stored expression of interest.
#[derive(Debug, Serialize, ToSchema)]
pub struct Submitted {
    /// Its id.
    pub id: String,
    /// `pending` until the organiser approves or rejects it.
    pub status: String,
}

/// Sends (or, while pending, replaces) an expression of interest.
#[utoipa::path(post, path = "/v1/polls/{poll}/expressions-of-interest", tag = "candidate",
    params(("poll" = String, Path)), request_body = ExpressionOfInterest,
    responses((status = 200, body = Submitted), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn submit(
    State(state): State<AppState>,
    Path(poll): Path<String>,
    Json(req): Json<ExpressionOfInterest>,
) -> ApiResult<Json<Submitted>> {
    let p = state.poll(&poll, Need::Manifest).await?;
    let now = state.shared.clock.now();
    let hash = keys::token_hash(CANDIDATE, &poll, &req.token);
    if !state.shared.store.candidate_token_exists(&poll, &hash).await? {
        return Err(AppError::forbidden(ErrorCode::InvalidToken, "unknown candidate token"));
    }
    let mut at = state.lifecycle_now(&p).await?;
    at.time = now;
    rules::nominate(&at).map_err(|r| refused(&r))?;
    req.candidate.to_registration(&p.manifest)?;
    let attributes = serde_json::to_string(&req.candidate.attributes).map_err(AppError::internal)?;
    let stored = state
        .shared
        .store
        .put_nomination(
            &poll,
            &shortlist_store::NewNomination {
                token_hash: hash,
                contest_id: req.candidate.contest_id,
                name: req.candidate.name.trim(),
                statement: &req.candidate.statement,
                attributes_json: &attributes,
                submitted_at: now,
            },
        )
        .await?;
    if !stored {
        return Err(AppError::conflict(
            ErrorCode::NotPending,
            "this expression of interest was already decided",
        ));
    }
    Ok(Json(Submitted { id: hex::encode(hash), status: "pending".into() }))
}

/// A candidate's own question: what became of my expression of interest?
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusQuery {
    /// The candidate token it was sent with.
    pub token: String,
}

/// The state of a candidate's expression of interest.
#[derive(Debug, Serialize, ToSchema)]
pub struct NominationStatus {
    /// Its id (hex).
    pub id: String,
    /// Its short id, as the organiser's list shows it.
    pub short_id: String,
    /// `pending`, `approved` or `rejected`.
    pub status: String,
    /// The candidate id on the board, once approved.
    pub candidate_id: Option<u32>,
    /// The name as sent.
    pub name: String,
    /// When it arrived (its latest version), Unix seconds.
    pub submitted_at: u64,
    /// The same, RFC 3339 in the poll's zone.
    pub submitted_text: String,
}

/// Where a candidate's expression of interest stands, asked with its token
/// (in the body, never in a URL).
#[utoipa::path(post, path = "/v1/polls/{poll}/expressions-of-interest/status", tag = "candidate",
    params(("poll" = String, Path)), request_body = StatusQuery,
    responses((status = 200, body = NominationStatus), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn status(
    State(state): State<AppState>,
    Path(poll): Path<String>,
    Json(req): Json<StatusQuery>,
) -> ApiResult<Json<NominationStatus>> {
    let p = state.poll(&poll, Need::Manifest).await?;
    let hash = keys::token_hash(CANDIDATE, &poll, req.token.trim());
    if !state.shared.store.candidate_token_exists(&poll, &hash).await? {
        return Err(AppError::forbidden(ErrorCode::InvalidToken, "unknown candidate token"));
    }
    let rows = state.shared.store.nominations(&poll).await?;
    let shorts = super::organiser::short_ids(&rows.iter().map(|r| r.token_hash).collect::<Vec<_>>());
    let (row, short_id) =
        rows.into_iter().zip(shorts).find(|(r, _)| r.token_hash == hash).ok_or_else(|| {
            AppError::not_found(ErrorCode::NotFound, "nothing was sent with this token yet")
        })?;
    Ok(Json(NominationStatus {
        id: hex::encode(row.token_hash),
        short_id,
        status: row.status,
        candidate_id: row.candidate_id,
        name: row.name,
        submitted_at: row.submitted_at,
        submitted_text: shortlist_board::zone::rfc3339(row.submitted_at, &p.manifest.calendar.zone),
    }))
}
