//! The candidate's route (spec: api §7.2): an expression of interest, sent
//! with an organiser-issued candidate token before nominations close.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{ApiResult, AppError, ErrorBody, Json, Path};
use crate::keys::{self, CANDIDATE};
use crate::model::CandidateSpec;
use crate::sequencer::phase;
use crate::state::{AppState, Need};

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
        return Err(AppError::forbidden("invalid_token", "unknown candidate token"));
    }
    let current = state.shared.store.poll(&poll).await?.map(|r| r.phase).unwrap_or_default();
    if current != phase::NOMINATIONS {
        return Err(AppError::conflict("wrong_phase", "nominations are not open"));
    }
    if now >= state.timetable(&p).await?.nominations_close {
        return Err(AppError::conflict("timetable", "the nominations deadline has passed"));
    }
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
        return Err(AppError::conflict("not_pending", "this expression of interest was already decided"));
    }
    Ok(Json(Submitted { id: hex::encode(hash), status: "pending".into() }))
}
