//! The timetable (spec: api §7.1, board §4.11): anyone may read it, in Unix
//! seconds and in the poll's zone, with every amendment; the organiser moves
//! a deadline by a timetable amendment that the server signs and appends.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use shortlist_board::amendment::{Amendment, Deadline};
use shortlist_board::manifest::Timetable;
use shortlist_board::zone;
use utoipa::ToSchema;

use super::{AppendedInfo, Organiser};
use crate::error::{ApiResult, AppError, ErrorBody, Json, Path};
use crate::model::{TimeInput, TimetableSpec};
use crate::sequencer::Op;
use crate::state::{AppState, Need, PollCtx};

/// The three dates, RFC 3339 in the poll's zone.
#[derive(Debug, Serialize, ToSchema)]
pub struct TimetableText {
    /// When nominations close.
    pub nominations_close: String,
    /// When voting opens.
    pub voting_open: String,
    /// When voting closes (exclusive).
    pub voting_close: String,
}

impl TimetableText {
    fn of(t: &Timetable, zone_name: &str) -> Self {
        Self {
            nominations_close: zone::rfc3339(t.nominations_close, zone_name),
            voting_open: zone::rfc3339(t.voting_open, zone_name),
            voting_close: zone::rfc3339(t.voting_close, zone_name),
        }
    }
}

/// One amendment on the board.
#[derive(Debug, Serialize, ToSchema)]
pub struct AmendmentInfo {
    /// Its entry index.
    pub index: u64,
    /// When it was appended, Unix seconds.
    pub time: u64,
    /// `nominations_close` or `voting_close`.
    pub deadline: String,
    /// The deadline before, Unix seconds.
    pub from: u64,
    /// The deadline after, Unix seconds.
    pub to: u64,
    /// `from` and `to`, RFC 3339 in the poll's zone.
    pub from_text: String,
    /// See `from_text`.
    pub to_text: String,
}

/// A poll's timetable: the manifest's, the one in force, and the amendments.
#[derive(Debug, Serialize, ToSchema)]
pub struct TimetableInfo {
    /// The poll's zone (IANA name or offset); empty for UTC.
    pub time_zone: String,
    /// Whether the manifest lets the organiser close nominations or voting early.
    pub early_close: bool,
    /// The timetable the manifest set, Unix seconds.
    pub manifest: TimetableSpec,
    /// The timetable in force, Unix seconds.
    pub current: TimetableSpec,
    /// The timetable in force, RFC 3339 in the poll's zone.
    pub current_text: TimetableText,
    /// Every amendment, in board order.
    pub amendments: Vec<AmendmentInfo>,
    /// The server's clock, Unix seconds.
    pub now: u64,
}

fn spec(t: &Timetable) -> TimetableSpec {
    TimetableSpec {
        nominations_close: t.nominations_close,
        voting_open: t.voting_open,
        voting_close: t.voting_close,
    }
}

/// The timetable info of a poll.
pub async fn info(state: &AppState, p: &PollCtx) -> Result<TimetableInfo, AppError> {
    let z = &p.manifest.calendar.zone;
    let amendments = state.amendments(&p.id).await?;
    let current = amendments.iter().fold(p.manifest.timetable, |t, a| a.amendment.apply(&t));
    Ok(TimetableInfo {
        time_zone: z.clone(),
        early_close: p.manifest.calendar.early_close,
        manifest: spec(&p.manifest.timetable),
        current: spec(&current),
        current_text: TimetableText::of(&current, z),
        amendments: amendments
            .iter()
            .map(|a| AmendmentInfo {
                index: a.index,
                time: a.time,
                deadline: a.amendment.deadline.name().into(),
                from: a.amendment.from,
                to: a.amendment.to,
                from_text: zone::rfc3339(a.amendment.from, z),
                to_text: zone::rfc3339(a.amendment.to, z),
            })
            .collect(),
        now: state.shared.clock.now(),
    })
}

/// A poll's timetable: as the manifest set it, as amended, and each amendment.
#[utoipa::path(get, path = "/v1/polls/{poll}/timetable", tag = "public", params(("poll" = String, Path)),
    responses((status = 200, body = TimetableInfo), (status = 404, body = ErrorBody)))]
pub async fn timetable(
    State(state): State<AppState>,
    Path(poll): Path<String>,
) -> ApiResult<Json<TimetableInfo>> {
    let p = state.poll(&poll, Need::Manifest).await?;
    Ok(Json(info(&state, &p).await?))
}

/// A request to move one deadline.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AmendRequest {
    /// `nominations_close` or `voting_close`.
    pub deadline: String,
    /// The new deadline: RFC 3339 with an offset, or Unix seconds.
    pub to: TimeInput,
}

/// An amendment appended.
#[derive(Debug, Serialize, ToSchema)]
pub struct Amended {
    /// The amendment entry.
    pub appended: AppendedInfo,
    /// The timetable now in force.
    pub timetable: TimetableInfo,
}

/// Moves a deadline by a timetable amendment: later, or earlier if the
/// manifest allows early close, and only before the deadline passes.
#[utoipa::path(post, path = "/v1/polls/{poll}/timetable", tag = "organiser", security(("organiser" = [])),
    params(("poll" = String, Path)), request_body = AmendRequest,
    responses((status = 200, body = Amended), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn amend(
    _: Organiser,
    State(state): State<AppState>,
    Path(poll): Path<String>,
    Json(req): Json<AmendRequest>,
) -> ApiResult<Json<Amended>> {
    let deadline = match req.deadline.as_str() {
        "nominations_close" => Deadline::NominationsClose,
        "voting_close" => Deadline::VotingClose,
        other => {
            return Err(AppError::malformed(format!(
                "deadline must be `nominations_close` or `voting_close`, not `{other}`"
            )))
        }
    };
    let to = req.to.seconds("to")?;
    let p = state.poll(&poll, Need::Manifest).await?;
    let amendments = state.amendments(&poll).await?;
    let current = amendments.iter().fold(p.manifest.timetable, |t, a| a.amendment.apply(&t));
    let from = deadline.of(&current);
    // A retry of an amendment that went through: the same entry again.
    if let Some(last) = amendments.iter().rev().find(|a| a.amendment.deadline == deadline) {
        if from == to && last.amendment.to == to {
            let row = state.shared.store.entry(&poll, last.index).await?;
            let row = row.ok_or_else(|| AppError::internal("amendment entry vanished"))?;
            let entry = crate::state::entry_of(row)?;
            let appended = AppendedInfo::repeat_of(&entry);
            return Ok(Json(Amended { appended, timetable: info(&state, &p).await? }));
        }
    }
    let amendment = Amendment::sign(&state.shared.server_key, &p.manifest_hash, deadline, from, to);
    let op = Op::Amend { payload: amendment.to_bytes(), amendment };
    let appended = state.sequencer.submit(&poll, op).await?;
    tracing::info!(poll = %poll, deadline = deadline.name(), from, to, "timetable amended");
    Ok(Json(Amended { appended: appended.into(), timetable: info(&state, &p).await? }))
}
