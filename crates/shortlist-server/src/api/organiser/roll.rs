//! The member roll (spec: api §7.1): importing it, and issuing the members'
//! eligibility tokens.

use shortlist_board::error_code::ErrorCode;
use std::collections::HashSet;

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use shortlist_board::lifecycle::rules;
use shortlist_board::text::{check, normalise, TextKind, MAX_NAME_BYTES};
use shortlist_store::MemberRow;
use utoipa::{IntoParams, ToSchema};
use zeroize::Zeroize;

use crate::api::Organiser;
use crate::error::{ApiResult, AppError, ErrorBody, Json, Path, Query};
use crate::keys::{self, ELIGIBILITY};
use crate::sequencer::refused;
use crate::state::{AppState, Need};

/// The result of a roll import.
#[derive(Debug, Serialize, ToSchema)]
pub struct Imported {
    /// Members imported.
    pub imported: u64,
}

/// Imports members from CSV with a header row `member_id,name,email`.
/// All or nothing: one bad or repeated row imports none.
#[utoipa::path(post, path = "/v1/polls/{poll}/roll", tag = "organiser", security(("organiser" = [])),
    params(("poll" = String, Path)), request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = Imported), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn import_roll(
    _: Organiser,
    State(state): State<AppState>,
    Path(poll): Path<String>,
    body: Result<String, axum::extract::rejection::StringRejection>,
) -> ApiResult<Json<Imported>> {
    let body = body?;
    let p = state.poll(&poll, Need::Manifest).await?;
    rules::import_roll(&state.lifecycle_now(&p).await?).map_err(|r| refused(&r))?;
    let members = parse_roll(&body)?;
    match state.shared.store.import_roll(&poll, &members).await? {
        Ok(n) => Ok(Json(Imported { imported: n })),
        Err(id) => Err(AppError::conflict(
            ErrorCode::DuplicateMember,
            format!("member `{id}` is already on the roll; nothing was imported"),
        )),
    }
}

/// The longest member id, in bytes.
const MAX_MEMBER_ID: usize = 128;

/// Parses a roll CSV (header `member_id,name,email`; extra columns ignored).
pub fn parse_roll(body: &str) -> Result<Vec<MemberRow>, AppError> {
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(body.as_bytes());
    let headers = reader.headers().map_err(|e| AppError::malformed(format!("roll CSV: {e}")))?.clone();
    let col = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let (Some(id_col), Some(name_col)) = (col("member_id"), col("name")) else {
        return Err(AppError::malformed(
            "roll CSV: the header must name columns member_id, name and (optionally) email",
        ));
    };
    let email_col = col("email");
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let line = i + 2;
        let rec = rec.map_err(|e| AppError::malformed(format!("roll CSV line {line}: {e}")))?;
        // spec: api §7.1 roll, board §2.1 text rules
        let field = |col: Option<usize>, what: &str, kind: TextKind, max: usize| {
            let v = normalise(col.and_then(|c| rec.get(c)).unwrap_or(""));
            match check(&v, kind) {
                Ok(()) if v.len() <= max => Ok(v),
                Ok(()) => Err(format!("must be at most {max} bytes")),
                Err(why) => Err(why),
            }
            .map_err(|why| AppError::malformed(format!("roll CSV line {line}: the {what} {why}")))
        };
        let id = field(Some(id_col), "member_id", TextKind::Name, MAX_MEMBER_ID)?;
        if !seen.insert(id.clone()) {
            return Err(AppError::malformed(format!("roll CSV line {line}: member `{id}` appears twice")));
        }
        let name = field(Some(name_col), "name", TextKind::Value, MAX_NAME_BYTES)?;
        let email = field(email_col, "email", TextKind::Value, MAX_NAME_BYTES)?;
        out.push(MemberRow { member_id: id, name, email });
    }
    if out.is_empty() {
        return Err(AppError::malformed("roll CSV: no members"));
    }
    Ok(out)
}

/// Which members `…/tokens` issues to.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TokensQuery {
    /// `unredeemed`: a new token for every member who has not redeemed one
    /// (any old token stops working); absent: issue to members without a
    /// token.
    pub reissue: Option<Reissue>,
}

/// What to re-issue.
#[derive(Clone, Copy, Debug, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Reissue {
    /// Every member's token unless redeemed.
    Unredeemed,
}

/// Issues one eligibility token to every member who has none, as CSV
/// `member_id,name,email,token` for a mail merge. Shown once: only hashes
/// are kept. With `?reissue=unredeemed`, gives a new token to every member
/// who has not redeemed one (spec: api §4, "Re-issue"): the way back when an
/// answer was lost.
#[utoipa::path(post, path = "/v1/polls/{poll}/tokens", tag = "organiser", security(("organiser" = [])),
    params(("poll" = String, Path), TokensQuery),
    responses((status = 200, body = String, content_type = "text/csv"), (status = 404, body = ErrorBody)))]
pub async fn issue_tokens(
    _: Organiser,
    State(state): State<AppState>,
    Path(poll): Path<String>,
    Query(q): Query<TokensQuery>,
) -> ApiResult<impl IntoResponse> {
    let p = state.poll(&poll, Need::Manifest).await?;
    let manifest_hash = hex::encode(p.manifest_hash);
    let store = &state.shared.store;
    let members = match q.reissue {
        None => store.members_without_token(&poll).await?,
        Some(Reissue::Unredeemed) => store.members_with_unredeemed_token(&poll).await?,
    };
    let mut tokens = Vec::with_capacity(members.len());
    let mut hashes = Vec::with_capacity(members.len());
    for m in &members {
        let t = keys::new_token();
        hashes.push((m.member_id.clone(), keys::token_hash(ELIGIBILITY, &poll, &t)));
        tokens.push(t);
    }
    let stored: HashSet<String> = match q.reissue {
        None => store.set_token_hashes(&poll, &hashes).await?,
        Some(Reissue::Unredeemed) => store.replace_unredeemed_token_hashes(&poll, &hashes).await?,
    }
    .into_iter()
    .collect();
    let mut w = csv::Writer::from_writer(Vec::new());
    let write =
        |w: &mut csv::Writer<Vec<u8>>, rec: [&str; 6]| w.write_record(rec).map_err(AppError::internal);
    // spec: board §1.5 — the manifest hash travels with every token, and the
    // booth link carries both in its fragment (never sent to a server).
    write(&mut w, ["member_id", "name", "email", "token", "manifest_hash", "booth_path"])?;
    for (m, t) in members.iter().zip(&tokens) {
        if stored.contains(&m.member_id) {
            let mut path = format!("/p/{poll}/booth#t={}&m={manifest_hash}", t.as_str());
            write(&mut w, [&m.member_id, &m.name, &m.email, t, &manifest_hash, &path])?;
            path.zeroize();
        }
    }
    let mut body = w.into_inner().map_err(AppError::internal)?;
    let out = String::from_utf8(body.clone()).map_err(AppError::internal)?;
    body.zeroize();
    tracing::info!(poll = %poll, issued = stored.len(), reissue = q.reissue.is_some(), "eligibility tokens issued");
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8"), (header::CACHE_CONTROL, "no-store")], out))
}
