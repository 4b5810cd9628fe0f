//! The registrar's route (spec: api §7.6, board §4.12): a registrar entry
//! signed by the manifest's registrar key — a part of the list of credential
//! keys, a supplement, or a revocation with its replacement. The signature
//! is the authority: the server holds no registrar secret and sees no
//! member's credential secret; it checks the signature, then the sequencer
//! admits the entry through the lifecycle's rule (V4.9).

use axum::extract::State;
use serde::Deserialize;
use shortlist_board::entry::EntryKind;
use shortlist_board::error_code::ErrorCode;
use shortlist_board::registrar::RegistrarEntry;
use utoipa::ToSchema;

use super::AppendedInfo;
use crate::error::{ApiResult, AppError, ErrorBody, Json, Path};
use crate::model::unhex;
use crate::sequencer::Op;
use crate::state::{AppState, Need};

/// A registrar entry to post.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegistrarPost {
    /// `list`, `supplement` or `revocation`.
    pub kind: String,
    /// Hex of the entry's payload, signature included (spec: board §4.12).
    pub payload: String,
}

/// Posts a registrar entry after checking the registrar's signature.
#[utoipa::path(post, path = "/v1/polls/{poll}/registrar", tag = "registrar", params(("poll" = String, Path)),
    request_body = RegistrarPost,
    responses((status = 200, body = AppendedInfo), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
pub async fn post(
    State(state): State<AppState>,
    Path(poll): Path<String>,
    Json(req): Json<RegistrarPost>,
) -> ApiResult<Json<AppendedInfo>> {
    let kind = match req.kind.as_str() {
        "list" => EntryKind::RegistrarList,
        "supplement" => EntryKind::RegistrarSupplement,
        "revocation" => EntryKind::RegistrarRevocation,
        other => return Err(AppError::malformed(format!("unknown registrar entry kind `{other}`"))),
    };
    let p = state.poll(&poll, Need::Manifest).await?;
    let Some(key) = &p.manifest.registrar else {
        return Err(AppError::conflict(ErrorCode::TokenMode, "this poll's manifest names no registrar"));
    };
    let payload = unhex("payload", &req.payload)?;
    let entry = RegistrarEntry::from_bytes(kind, &payload)?;
    // spec: board V4.9 — signed by the manifest's registrar key.
    entry.verify(&p.manifest_hash, key).map_err(|_| {
        AppError::forbidden(ErrorCode::BadSignature, "not signed by the manifest's registrar key")
    })?;
    let op = Op::Registrar { payload, body: entry.body };
    Ok(Json(state.sequencer.submit(&poll, op).await?.into()))
}
