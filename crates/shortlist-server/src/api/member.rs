//! The member's routes (spec: api §7.3): redeem an eligibility token for a
//! credential, cast, audit, and fetch a receipt. Every proof and signature
//! is checked before the sequencer sees the request.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use shortlist_board::checkpoint::Checkpoint;
use shortlist_board::entry::EntryKind;
use shortlist_board::error_code::ErrorCode;
use shortlist_board::payload::ciphertexts_hash;
use shortlist_board::payload::{Ballot, Purpose, SpoiledBallot};
use shortlist_board::receipt::Receipt;
use shortlist_crypto::ballot::BallotContext;
use shortlist_crypto::credential::CredentialPublicKey;
use utoipa::ToSchema;

use super::AppendedInfo;
use crate::error::{ApiResult, AppError, ErrorBody, Json, Path};
use crate::keys::{self, ELIGIBILITY};
use crate::limits::ClientAddr;
use crate::model::{unhex, unhex32};
use crate::sequencer::{catch_up, Op};
use crate::state::{AppState, Need, PollCtx};

/// A credential registration.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Registration {
    /// The eligibility token the member received.
    pub token: String,
    /// Hex of the credential's ed25519 public key, made on the member's device.
    pub credential: String,
}

/// Redeems an eligibility token: the credential goes on the board.
#[utoipa::path(post, path = "/v1/polls/{poll}/credentials", tag = "member", params(("poll" = String, Path)),
    request_body = Registration,
    responses((status = 200, body = AppendedInfo), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn register(
    State(state): State<AppState>,
    Path(poll): Path<String>,
    Json(req): Json<Registration>,
) -> ApiResult<Json<AppendedInfo>> {
    state.poll(&poll, Need::Manifest).await?;
    let key = unhex32("credential", &req.credential)?;
    // spec: board §4.5 — strict keys only.
    CredentialPublicKey::from_bytes(&key)
        .map_err(|e| AppError::invalid(ErrorCode::InvalidCredential, e.to_string()))?;
    let token_hash = keys::token_hash(ELIGIBILITY, &poll, &req.token);
    let op = Op::Credential { key, token_hash };
    Ok(Json(state.sequencer.submit(&poll, op).await?.into()))
}

/// A ballot to cast.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CastRequest {
    /// Hex of the ballot payload (spec: board §4.6), signed for casting.
    pub ballot: String,
}

/// Casts a ballot. The same ballot twice gets the same receipt.
#[utoipa::path(post, path = "/v1/polls/{poll}/ballots", tag = "member", params(("poll" = String, Path)),
    request_body = CastRequest,
    responses((status = 200, body = AppendedInfo), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
#[tracing::instrument(name = "cast", skip_all, fields(poll = %poll))]
pub async fn cast(
    State(state): State<AppState>,
    Path(poll): Path<String>,
    Json(req): Json<CastRequest>,
) -> ApiResult<Json<AppendedInfo>> {
    let p = open_poll(&state, &poll).await?;
    let payload = unhex("ballot", &req.ballot)?;
    let ballot = Ballot::from_bytes(&payload)?;
    let credential = ballot.credential.to_bytes();
    let (_, dh) = p.definition.as_ref().ok_or_else(|| AppError::internal("no definition"))?;
    // spec: board V4.2
    ballot
        .verify_signature(Purpose::Cast, &p.manifest_hash, dh)
        .map_err(|e| AppError::invalid(ErrorCode::BadSignature, e.to_string()))?;
    // Charged only after the signature holds: no one else can spend a
    // member's allowance by sending junk in the member's name.
    state.shared.limits.credential(&credential)?;
    let ballot = check_proofs(p.clone(), ballot).await?;
    let fingerprints = ballot.contests.iter().map(|c| ciphertexts_hash(&c.ciphertexts)).collect();
    let op = Op::Ballot { payload, credential, fingerprints };
    Ok(Json(state.sequencer.submit(&poll, op).await?.into()))
}

/// An audited ballot.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditRequest {
    /// Hex of the spoiled-ballot payload (spec: board §4.7): each contest's
    /// ciphertexts and their openings, with no credential and no signature.
    pub spoiled: String,
}

/// Audits a chosen ballot (Benaloh challenge): its ciphertexts are posted
/// with their openings, never counted, and can never be cast. The audit
/// carries no credential, so nothing ties the audited choice to a member.
#[utoipa::path(post, path = "/v1/polls/{poll}/audits", tag = "member", params(("poll" = String, Path)),
    request_body = AuditRequest,
    responses((status = 200, body = AppendedInfo), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 429, body = ErrorBody)))]
pub async fn audit(
    State(state): State<AppState>,
    ClientAddr(ip): ClientAddr,
    Path(poll): Path<String>,
    Json(req): Json<AuditRequest>,
) -> ApiResult<Json<AppendedInfo>> {
    let p = open_poll(&state, &poll).await?;
    let payload = unhex("spoiled", &req.spoiled)?;
    let spoiled = SpoiledBallot::from_bytes(&payload)?;
    state.shared.limits.audit(ip)?;
    let spoiled = check_audit(p.clone(), spoiled).await?;
    let fingerprints = spoiled.contests.iter().map(|c| ciphertexts_hash(&c.ciphertexts)).collect();
    let op = Op::Spoiled { payload, fingerprints };
    Ok(Json(state.sequencer.submit(&poll, op).await?.into()))
}

/// Checks an audit's openings on a blocking thread (spec: board V4.8).
async fn check_audit(p: std::sync::Arc<PollCtx>, spoiled: SpoiledBallot) -> ApiResult<SpoiledBallot> {
    tokio::task::spawn_blocking(move || {
        let ctx =
            p.context().ok_or_else(|| AppError::conflict(ErrorCode::WrongPhase, "voting has not opened"))?;
        if spoiled.contests.len() != p.shapes.len() || spoiled.openings.len() != p.shapes.len() {
            return Err(AppError::invalid(
                ErrorCode::InvalidAudit,
                format!(
                    "the audit has {} contests and {} openings; the poll has {} contests",
                    spoiled.contests.len(),
                    spoiled.openings.len(),
                    p.shapes.len()
                ),
            ));
        }
        for ((contest, shape), opening) in spoiled.contests.iter().zip(&p.shapes).zip(&spoiled.openings) {
            contest
                .check_opening(shape, &ctx.joint_key, opening)
                .map_err(|e| AppError::invalid(ErrorCode::InvalidAudit, e.to_string()))?;
        }
        Ok(spoiled)
    })
    .await
    .map_err(AppError::internal)?
}

async fn open_poll(state: &AppState, poll: &str) -> ApiResult<std::sync::Arc<PollCtx>> {
    let p = state.poll(poll, Need::Context).await?;
    if p.context().is_none() {
        return Err(crate::sequencer::not_open(p.manifest.timetable.voting_open));
    }
    Ok(p)
}

/// Checks every contest's proofs on a blocking thread (spec: board V4.5).
async fn check_proofs(p: std::sync::Arc<PollCtx>, ballot: Ballot) -> ApiResult<Ballot> {
    tokio::task::spawn_blocking(move || {
        let ctx =
            p.context().ok_or_else(|| AppError::conflict(ErrorCode::WrongPhase, "voting has not opened"))?;
        if ballot.contests.len() != p.shapes.len() {
            return Err(AppError::invalid(
                ErrorCode::InvalidBallot,
                format!("the ballot has {} contests; the poll has {}", ballot.contests.len(), p.shapes.len()),
            ));
        }
        let credential = ballot.credential.to_bytes();
        let bctx = BallotContext { election: &ctx, credential: &credential };
        let mut rng = rand::rngs::OsRng;
        for (i, (contest, shape)) in ballot.contests.iter().zip(&p.shapes).enumerate() {
            let rules = p.manifest.contests.get(i).map(|c| c.contest_id);
            if Some(contest.contest_id) != rules {
                return Err(AppError::invalid(
                    ErrorCode::InvalidBallot,
                    format!("contest {i} has the wrong id"),
                ));
            }
            contest.verify(&bctx, shape, &mut rng)?;
        }
        Ok(ballot)
    })
    .await
    .map_err(AppError::internal)?
}

/// A receipt fetched by tracking code.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReceiptInfo {
    /// The entry index.
    pub index: u64,
    /// Hex of the receipt under the latest checkpoint.
    pub receipt: String,
    /// Hex of that checkpoint.
    pub checkpoint: String,
}

/// A receipt and inclusion proof for a ballot, by tracking code, under the
/// latest checkpoint.
#[utoipa::path(get, path = "/v1/polls/{poll}/receipts/{tracking_code}", tag = "member",
    params(("poll" = String, Path), ("tracking_code" = String, Path)),
    responses((status = 200, body = ReceiptInfo), (status = 404, body = ErrorBody)))]
pub async fn receipt(
    State(state): State<AppState>,
    Path((poll, code)): Path<(String, String)>,
) -> ApiResult<Json<ReceiptInfo>> {
    let code = unhex32("tracking_code", &code)?;
    let store = &state.shared.store;
    let row = store.entry_by_payload_hash(&poll, &code).await?;
    let row = row
        .filter(|r| r.kind == EntryKind::Ballot.code())
        .ok_or_else(|| AppError::not_found(ErrorCode::NotFound, "no ballot with that tracking code"))?;
    let entry = crate::state::entry_of(row)?;
    let (size, bytes) =
        store.latest_checkpoint(&poll).await?.ok_or_else(|| AppError::internal("no checkpoint"))?;
    let checkpoint = Checkpoint::from_bytes(&bytes)?;
    let mut logs = state.shared.logs.lock().await;
    let cache = logs.entry(poll.clone()).or_default();
    catch_up(&state.shared, &poll, cache, size).await?;
    let receipt = Receipt::issue(&entry, &cache.log, checkpoint).map_err(AppError::internal)?;
    Ok(Json(ReceiptInfo {
        index: entry.index,
        receipt: hex::encode(receipt.to_bytes()),
        checkpoint: hex::encode(bytes),
    }))
}
