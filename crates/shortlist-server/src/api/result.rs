//! The public result (spec: api §7.5, `GET …/result`): the decrypted counts
//! ranked with the slate, ties and slate moves explained, and the turnout
//! (board §8.5).

use serde::Serialize;
use shortlist_board::definition::BallotDefinition;
use shortlist_board::entry::EntryKind;
use shortlist_board::error_code::ErrorCode;
use shortlist_board::payload::PollResult;
use utoipa::ToSchema;

use crate::error::{ApiResult, AppError, ErrorBody, Json, Path};
use crate::state::{AppState, Need};
use axum::extract::State;

/// One line of a contest's result.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResultRow {
    /// Rank, from 1.
    pub rank: u32,
    /// The candidate id.
    pub candidate_id: u32,
    /// The candidate's name.
    pub name: String,
    /// Their count.
    pub count: u64,
    /// Whether they are on the slate.
    pub elected: bool,
}

/// A contest's result.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContestResultInfo {
    /// The contest.
    pub contest_id: u32,
    /// Ranked candidates.
    pub rows: Vec<ResultRow>,
    /// Candidates with equal counts, and how the tie-break ordered them.
    pub ties: Vec<TieInfo>,
    /// Candidates a slate rule moved onto or off the slate.
    pub slate_moves: Vec<SlateMoveInfo>,
    /// The explanation as sentences (English), as the verifier prints it.
    pub notes: Vec<String>,
}

/// A tie (spec: board §4.9).
#[derive(Debug, Serialize, ToSchema)]
pub struct TieInfo {
    /// The count they share.
    pub count: u64,
    /// Candidate ids in the order the tie-break key put them.
    pub candidates: Vec<u32>,
    /// Whether the tie-break decided a seat (some are on the slate, some not).
    pub decisive: bool,
    /// The rule that broke it: `aggregate_hash` (SHA-256 of the aggregate entry and the id).
    pub broken_by: String,
}

/// A candidate whose place a slate rule changed.
#[derive(Debug, Serialize, ToSchema)]
pub struct SlateMoveInfo {
    /// The candidate.
    pub candidate_id: u32,
    /// Their rank, from 1.
    pub rank: u32,
    /// `true`: brought onto the slate from below the seats; `false`: passed over.
    pub elected: bool,
    /// The rules that moved them, in words (`at least 5 seats for gender = woman`).
    pub rules: Vec<String>,
    /// The same rules, as indices into the contest's slate rules in the manifest.
    pub rule_indices: Vec<u32>,
}

/// Who took part.
#[derive(Debug, Serialize, ToSchema)]
pub struct TurnoutInfo {
    /// Members on the roll: the server's roll (token mode) or the members the
    /// board states (registrar mode; spec: board §8.5).
    pub members: u64,
    /// Credentials on the board: registered (token mode) or listed by the
    /// registrar and not revoked (registrar mode; spec: board §8.5).
    pub credentials: u64,
    /// Ballots cast, revotes included.
    pub ballots_cast: u64,
    /// Ballots counted: one per credential (the aggregate's count).
    pub ballots_counted: u64,
    /// Ballots audited (never counted).
    pub audited: u64,
}

/// The result.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResultInfo {
    /// Trustees whose shares were combined.
    pub trustees: Vec<u16>,
    /// Per contest.
    pub contests: Vec<ContestResultInfo>,
    /// The result entry's index.
    pub index: u64,
    /// Who took part.
    pub turnout: TurnoutInfo,
}

/// The posted result, ranked, with the slate.
#[utoipa::path(get, path = "/v1/polls/{poll}/result", tag = "public", params(("poll" = String, Path)),
    responses((status = 200, body = ResultInfo), (status = 404, body = ErrorBody)))]
pub async fn result(State(state): State<AppState>, Path(poll): Path<String>) -> ApiResult<Json<ResultInfo>> {
    let store = &state.shared.store;
    let rows = store.entries_of_kind(&poll, EntryKind::Result.code(), 0, 1).await?;
    let row = rows.first().ok_or_else(|| AppError::not_found(ErrorCode::NotFound, "no result yet"))?;
    let result = PollResult::from_bytes(&row.payload)?;
    let def = store.entries_of_kind(&poll, EntryKind::Definition.code(), 0, 1).await?;
    let def = BallotDefinition::from_bytes(
        &def.first().ok_or_else(|| AppError::internal("no definition"))?.payload,
    )?;
    let p = state.poll(&poll, Need::Manifest).await?;
    let mut contests = Vec::new();
    for (c, d) in result.contests.iter().zip(&def.contests) {
        let mut rows = Vec::new();
        for (id, rank) in c.ranking.iter().zip(1u32..) {
            let pos = d.candidates.iter().position(|x| x.candidate_id == *id);
            let name = pos.and_then(|i| d.candidates.get(i)).map(|x| x.name.clone()).unwrap_or_default();
            let count = pos.and_then(|i| c.counts.get(i)).copied().unwrap_or(0);
            rows.push(ResultRow { rank, candidate_id: *id, name, count, elected: c.slate.contains(id) });
        }
        let Some(rules) = p.manifest.contest(c.contest_id) else { continue };
        let ex = shortlist_board::tally::explain(rules, d, &c.counts, &c.ranking, &c.slate);
        let notes = shortlist_board::tally::notes(rules, d, &ex);
        let ties = ex
            .ties
            .into_iter()
            .map(|t| TieInfo {
                count: t.count,
                candidates: t.candidates,
                decisive: t.decisive,
                broken_by: "aggregate_hash".into(),
            })
            .collect();
        let slate_moves = ex
            .moves
            .into_iter()
            .map(|m| SlateMoveInfo {
                candidate_id: m.candidate_id,
                rank: m.rank,
                elected: m.elected,
                rules: m
                    .rules
                    .iter()
                    .filter_map(|i| rules.slate_rules.get(*i))
                    .map(shortlist_board::tally::describe_rule)
                    .collect(),
                rule_indices: m.rules.iter().filter_map(|i| u32::try_from(*i).ok()).collect(),
            })
            .collect();
        contests.push(ContestResultInfo { contest_id: c.contest_id, rows, ties, slate_moves, notes });
    }
    let counts: std::collections::HashMap<u8, u64> = store.kind_counts(&poll).await?.into_iter().collect();
    let count = |k: EntryKind| counts.get(&k.code()).copied().unwrap_or(0);
    let aggregate = store.entries_of_kind(&poll, EntryKind::Aggregate.code(), 0, 1).await?;
    let counted = match aggregate.first() {
        Some(a) => shortlist_board::payload::Aggregate::from_bytes(&a.payload)?
            .contests
            .first()
            .map_or(0, |c| c.ballots),
        None => 0,
    };
    let turnout = TurnoutInfo {
        members: roll_members(&state, &poll, store.roll_counts(&poll).await?.members).await?,
        // spec: board §8.5 — registered, or listed and not revoked.
        credentials: store.credentials_issued(&poll).await?,
        ballots_cast: count(EntryKind::Ballot),
        ballots_counted: counted,
        audited: count(EntryKind::SpoiledBallot),
    };
    Ok(Json(ResultInfo { trustees: result.trustees, contests, index: row.index, turnout }))
}

/// Members on the roll (spec: board §8.5): in token mode the server's roll
/// (`on_roll`); in registrar mode the server keeps none, and the board says
/// how many: the roll size the registrar's list states plus the keys its
/// supplements added (0 before the list).
pub(crate) async fn roll_members(state: &AppState, poll: &str, on_roll: u64) -> ApiResult<u64> {
    use shortlist_board::registrar::{RegistrarBody, RegistrarEntry};
    let p = state.poll(poll, Need::Manifest).await?;
    if p.manifest.registrar.is_none() {
        return Ok(on_roll);
    }
    let store = &state.shared.store;
    let mut members = 0u64;
    let list = store.entries_of_kind(poll, EntryKind::RegistrarList.code(), 0, 1).await?;
    if let Some(row) = list.first() {
        if let RegistrarBody::List { roll_size, .. } =
            RegistrarEntry::from_bytes(EntryKind::RegistrarList, &row.payload)?.body
        {
            members = roll_size;
        }
    }
    let kind = EntryKind::RegistrarSupplement;
    for row in store.entries_of_kind(poll, kind.code(), 0, u64::from(u32::MAX)).await? {
        let added = RegistrarEntry::from_bytes(kind, &row.payload)?.body.added().len();
        members = members.saturating_add(u64::try_from(added).unwrap_or(u64::MAX));
    }
    Ok(members)
}
