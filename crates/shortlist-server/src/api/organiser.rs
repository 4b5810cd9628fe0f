//! The organiser's routes (spec: api §7.1): create a poll, run nominations,
//! import the roll, issue tokens, open and close voting, start the tally.
//! Every route needs the organiser key.

use shortlist_board::error_code::ErrorCode;
use std::collections::HashSet;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use shortlist_board::definition::{BallotDefinition, CandidateRegistration, DefinedContest};
use shortlist_board::entry::EntryKind;
use shortlist_board::lifecycle::{rules, Action, Counted, Phase, Refusal};
use shortlist_board::payload::{Aggregate, Ballot};
use shortlist_board::sums::BallotSums;
use shortlist_board::text::{check, normalise, TextKind, MAX_NAME_BYTES};
use shortlist_store::MemberRow;
use utoipa::{IntoParams, ToSchema};
use zeroize::Zeroize;

use super::{AppendedInfo, Organiser};
use crate::error::{ApiResult, AppError, ErrorBody, Json, Path, Query};
use crate::keys::{self, CANDIDATE, ELIGIBILITY};
use crate::model::{CandidateSpec, ManifestSpec};
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
    // Too early is said before the candidates are judged: more may still come
    // (the sequencer checks the time again under the lock; spec: api §5).
    let close = state.timetable(&p).await?.nominations_close;
    if state.shared.clock.now() < close {
        return Err(AppError::conflict(
            ErrorCode::Timetable,
            format!(
                "closing nominations: the timetable opens this at {} ({close} in Unix seconds)",
                crate::clock::utc(close)
            ),
        ));
    }
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
    definition.validate(&p.manifest).map_err(|e| {
        AppError::conflict(ErrorCode::InvalidDefinition, format!("cannot close nominations: {e}"))
    })?;
    let payload = definition.to_bytes();
    let hash: [u8; 32] = shortlist_board::entry::payload_hash(&payload);
    let op = Op::Definition { payload, hash, candidates };
    let out = state.sequencer.submit(&poll, op).await?;
    state.forget(&poll);
    Ok(Json(out.into()))
}

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
    if p.definition.is_none() {
        return Err(AppError::conflict(
            ErrorCode::WrongPhase,
            "close nominations (post the ballot definition) first",
        ));
    }
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
/// the result is posted when the threshold of valid shares is in.
#[utoipa::path(post, path = "/v1/polls/{poll}/tally", tag = "organiser", security(("organiser" = [])),
    params(("poll" = String, Path)), responses((status = 200, body = AppendedInfo), (status = 409, body = ErrorBody)))]
pub async fn tally(
    _: Organiser,
    State(state): State<AppState>,
    Path(poll): Path<String>,
) -> ApiResult<Json<AppendedInfo>> {
    let p = state.poll(&poll, Need::Context).await?;
    let now = state.lifecycle_now(&p).await?;
    if now.phase >= Phase::Tallying {
        // A repeat: the aggregate is on the board already.
        let rows = state.shared.store.entries_of_kind(&poll, EntryKind::Aggregate.code(), 0, 1).await?;
        if let Some(row) = rows.into_iter().next() {
            let entry = crate::state::entry_of(row)?;
            return Ok(Json(AppendedInfo::repeat_of(&entry)));
        }
    }
    rules::tally(&now).map_err(|r| refused(&r))?;
    let aggregate = aggregate(&state, &p).await?;
    let out = state.sequencer.submit(&poll, Op::Aggregate { payload: aggregate.to_bytes() }).await?;
    Ok(Json(out.into()))
}

/// Sums the ballots that count (spec: protocol §7.2, board V4.6).
async fn aggregate(state: &AppState, p: &crate::state::PollCtx) -> ApiResult<Aggregate> {
    let store = &state.shared.store;
    let kind = EntryKind::Ballot.code();
    // Registrar mode: a replacement key votes as its member's first key
    // (spec: V4.9), so one member has one counted ballot across a re-issue.
    let mut voter: std::collections::HashMap<[u8; 32], [u8; 32]> = std::collections::HashMap::new();
    for row in store.entries_of_kind(&p.id, EntryKind::RegistrarRevocation.code(), 0, 1 << 40).await? {
        let e = shortlist_board::registrar::RegistrarEntry::from_bytes(
            EntryKind::RegistrarRevocation,
            &row.payload,
        )?;
        if let shortlist_board::registrar::RegistrarBody::Revocation { revoked, replacement } = e.body {
            let root = voter.get(&revoked).copied().unwrap_or(revoked);
            voter.insert(replacement, root);
        }
    }
    // Pass 1: which entry counts for each credential (spec: V4.6, the lifecycle's policy).
    let mut counted = Counted::new(p.manifest.revote);
    let mut from = 0;
    loop {
        let rows = store.entries_of_kind(&p.id, kind, from, 2000).await?;
        let Some(end) = rows.last().map(|r| r.index + 1) else { break };
        for row in rows {
            let credential: [u8; 32] = row
                .payload
                .get(..32)
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| AppError::internal("short ballot"))?;
            counted.add(voter.get(&credential).copied().unwrap_or(credential), row.index);
        }
        from = end;
    }
    let wanted: HashSet<u64> = counted.indices();
    // Pass 2: sum them.
    let mut sums = BallotSums::new(&p.shapes);
    from = 0;
    loop {
        let rows = store.entries_of_kind(&p.id, kind, from, 500).await?;
        let Some(end) = rows.last().map(|r| r.index + 1) else { break };
        for row in rows.into_iter().filter(|r| wanted.contains(&r.index)) {
            sums.add(&Ballot::from_bytes(&row.payload)?);
        }
        from = end;
    }
    let ballots = u64::try_from(counted.len()).map_err(AppError::internal)?;
    Ok(sums.to_aggregate(ballots))
}
