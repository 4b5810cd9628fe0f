//! The trustee's routes (spec: api §7.4). Every message is a
//! `TrusteeMessage` signed with the trustee's manifest key over the manifest
//! hash, the entry kind and the trustee's index, so the body is the request
//! and the signature is its authentication. The server never sees a secret.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use shortlist_board::checkpoint::Checkpoint;
use shortlist_board::entry::EntryKind;
use shortlist_board::error_code::ErrorCode;
use shortlist_board::lifecycle::rules;
use shortlist_board::payload::{Aggregate, DecryptionShares, TrusteeMessage};
use shortlist_crypto::dkg::transport::{Complaint, EncryptedShare};
use shortlist_crypto::dkg::{CeremonyParams, CommitmentMessage};
use shortlist_crypto::threshold::DecryptionShare;
use utoipa::{IntoParams, ToSchema};

use super::{AppendedInfo, EntryInfo};
use crate::error::{ApiResult, AppError, ErrorBody, Json, Path, Query};
use crate::model::unhex;
use crate::sequencer::{refused, Op};
use crate::state::{AppState, Need, PollCtx};

/// A signed trustee message.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrusteePost {
    /// `commitment`, `share`, `complaint` or `decryption`.
    pub kind: String,
    /// Hex of the TrusteeMessage (spec: board §4.4).
    pub message: String,
}

/// Posts a trustee message after checking its signature and its content.
#[utoipa::path(post, path = "/v1/polls/{poll}/trustee-messages", tag = "trustee", params(("poll" = String, Path)),
    request_body = TrusteePost,
    responses((status = 200, body = AppendedInfo), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn post_message(
    State(state): State<AppState>,
    Path(poll): Path<String>,
    Json(req): Json<TrusteePost>,
) -> ApiResult<Json<AppendedInfo>> {
    let kind = match req.kind.as_str() {
        "commitment" => EntryKind::CeremonyCommitment,
        "share" => EntryKind::CeremonyShare,
        "complaint" => EntryKind::CeremonyComplaint,
        "decryption" => EntryKind::DecryptionShare,
        other => return Err(AppError::malformed(format!("unknown trustee message kind `{other}`"))),
    };
    let need = if kind == EntryKind::DecryptionShare { Need::Context } else { Need::Manifest };
    let p = state.poll(&poll, need).await?;
    let payload = unhex("message", &req.message)?;
    let msg = TrusteeMessage::from_bytes(&payload)?;
    let info = p.manifest.trustees.iter().find(|t| t.index == msg.trustee).ok_or_else(|| {
        AppError::forbidden(ErrorCode::NotATrustee, format!("the manifest has no trustee {}", msg.trustee))
    })?;
    msg.verify(&info.key, &p.manifest_hash, kind).map_err(|_| {
        AppError::forbidden(ErrorCode::BadSignature, format!("not signed by trustee {}'s key", msg.trustee))
    })?;
    let params = CeremonyParams {
        manifest_hash: p.manifest_hash,
        n: u16::try_from(p.manifest.trustees.len()).map_err(AppError::internal)?,
        t: p.manifest.threshold,
    };
    let me = msg.trustee;
    let mismatch = |what: &str| {
        AppError::invalid(ErrorCode::WrongIndex, format!("the {what} names another trustee than the signer"))
    };
    // The phases each kind may be posted in are the lifecycle's (the sequencer's rule).
    let recipient = match kind {
        EntryKind::CeremonyCommitment => {
            let m = CommitmentMessage::from_bytes(&msg.body)?;
            if m.trustee != me {
                return Err(mismatch("commitment"));
            }
            m.verify(&params, &mut rand::rngs::OsRng)?; // spec: V5.1
            0
        }
        EntryKind::CeremonyShare => {
            let s = EncryptedShare::from_bytes(&msg.body)?;
            if s.sender != me {
                return Err(mismatch("share"));
            }
            if s.recipient == me || s.recipient == 0 || s.recipient > params.n {
                return Err(AppError::invalid(
                    ErrorCode::WrongIndex,
                    "a share goes to another trustee of the manifest",
                ));
            }
            s.recipient
        }
        EntryKind::CeremonyComplaint => {
            let c = Complaint::from_bytes(&msg.body)?;
            if c.recipient != me {
                return Err(mismatch("complaint"));
            }
            c.sender
        }
        _ => {
            check_decryption(&state, &p, &msg).await?;
            0
        }
    };
    // spec: api §5 "Tally" — the sequencer appends the result after the
    // t-th share as the lifecycle's next step; this answer is the share's.
    let op = Op::Trustee { kind, trustee: me, recipient, payload, phases: &[] };
    Ok(Json(state.sequencer.submit(&poll, op).await?.into()))
}

/// The aggregate on the board, its payload hash and its index; the
/// lifecycle's rule said it is there (phase `tallying` or later, set in the
/// commit that appended it).
async fn posted_aggregate(state: &AppState, poll: &str) -> ApiResult<(Aggregate, [u8; 32], u64)> {
    let rows = state.shared.store.entries_of_kind(poll, EntryKind::Aggregate.code(), 0, 1).await?;
    let row = rows.first().ok_or_else(|| AppError::internal("the poll is tallying without an aggregate"))?;
    let seed: [u8; 32] = shortlist_board::entry::payload_hash(&row.payload);
    Ok((Aggregate::from_bytes(&row.payload)?, seed, row.index))
}

fn decode_shares(msg: &TrusteeMessage) -> ApiResult<(Checkpoint, Vec<DecryptionShare>)> {
    let body = DecryptionShares::from_bytes(&msg.body)?;
    let shares = body.decoded()?;
    Ok((body.checkpoint, shares))
}

/// spec: board V6.2 — one share per posted aggregate contest, each by the
/// signer, each proven against the signer's verification key.
async fn check_decryption(state: &AppState, p: &PollCtx, msg: &TrusteeMessage) -> ApiResult<()> {
    // spec: V6.2 — the aggregate is on the board before a share's proofs
    // can be checked against it.
    rules::decryption_share_request(&state.lifecycle_now(p).await?).map_err(|r| refused(&r))?;
    let (aggregate, _, aggregate_at) = posted_aggregate(state, &p.id).await?;
    let (checkpoint, shares) = decode_shares(msg)?;
    // spec: board V6.2 — the share names a checkpoint this server signed
    // that covers the aggregate.
    checkpoint
        .verify(&p.manifest.server_key, &p.manifest_hash)
        .map_err(|e| AppError::invalid(ErrorCode::InvalidShare, e.to_string()))?;
    if checkpoint.size <= aggregate_at {
        return Err(AppError::invalid(
            ErrorCode::InvalidShare,
            "the share names a checkpoint that does not cover the aggregate",
        ));
    }
    let ctx = p.context().ok_or_else(|| AppError::internal("tallying, but voting never opened"))?;
    let group = p.group.as_ref().ok_or_else(|| AppError::internal("tallying, but voting never opened"))?;
    if shares.len() != aggregate.contests.len() {
        return Err(AppError::invalid(ErrorCode::InvalidShare, "one decryption share per contest is needed"));
    }
    let vk = group.verification_key(msg.trustee);
    for (share, contest) in shares.iter().zip(&aggregate.contests) {
        if share.trustee != msg.trustee {
            return Err(AppError::invalid(
                ErrorCode::WrongIndex,
                "a share names another trustee than the signer",
            ));
        }
        share.verify(&ctx, &vk, &contest.totals, &mut rand::rngs::OsRng)?;
    }
    Ok(())
}

/// Which trustee's inbox.
#[derive(Debug, Deserialize, IntoParams)]
pub struct InboxQuery {
    /// The trustee's index.
    pub trustee: u16,
}

/// What a trustee needs from the board.
#[derive(Debug, Serialize, ToSchema)]
pub struct Inbox {
    /// Every commitment message.
    pub commitments: Vec<EntryInfo>,
    /// Encrypted shares addressed to this trustee.
    pub shares: Vec<EntryInfo>,
    /// Every complaint.
    pub complaints: Vec<EntryInfo>,
    /// The aggregate, once posted.
    pub aggregate: Option<EntryInfo>,
}

/// The board entries addressed to or needed by one trustee (all public).
#[utoipa::path(get, path = "/v1/polls/{poll}/trustee-inbox", tag = "trustee",
    params(("poll" = String, Path), InboxQuery), responses((status = 200, body = Inbox), (status = 404, body = ErrorBody)))]
pub async fn inbox(
    State(state): State<AppState>,
    Path(poll): Path<String>,
    Query(q): Query<InboxQuery>,
) -> ApiResult<Json<Inbox>> {
    state.poll(&poll, Need::Manifest).await?;
    let store = &state.shared.store;
    let mut lists: Vec<Vec<EntryInfo>> = Vec::new();
    for kind in [EntryKind::CeremonyCommitment, EntryKind::CeremonyComplaint, EntryKind::Aggregate] {
        let mut list = Vec::new();
        for row in store.entries_of_kind(&poll, kind.code(), 0, 100_000).await? {
            list.push(EntryInfo::of(&crate::state::entry_of(row)?));
        }
        lists.push(list);
    }
    let aggregate = lists.pop().and_then(|l| l.into_iter().next());
    let complaints = lists.pop().unwrap_or_default();
    let commitments = lists.pop().unwrap_or_default();
    let mut shares = Vec::new();
    for row in store.entries_of_kind(&poll, EntryKind::CeremonyShare.code(), 0, 100_000).await? {
        let msg = TrusteeMessage::from_bytes(&row.payload)?;
        if EncryptedShare::from_bytes(&msg.body).is_ok_and(|s| s.recipient == q.trustee) {
            shares.push(EntryInfo::of(&crate::state::entry_of(row)?));
        }
    }
    Ok(Json(Inbox { commitments, shares, complaints, aggregate }))
}
