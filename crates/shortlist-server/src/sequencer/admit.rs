//! What the sequencer appends, and how it admits it: for each op it reads,
//! under the poll's lock, only the facts the lifecycle's rule needs
//! (`shortlist_board::lifecycle::rules`), asks the rule, turns a refusal into
//! the HTTP error (spec: api §2, §5), and only then writes. No lifecycle
//! rule is written here.

use axum::http::StatusCode;
use shortlist_board::amendment::{Amendment, Deadline};
use shortlist_board::board::BoardWriter;
use shortlist_board::definition::CandidateRegistration;
use shortlist_board::entry::{Entry, EntryKind, Hash};
use shortlist_board::error_code::ErrorCode;
use shortlist_board::lifecycle::{rules, Now, Phase, Refusal, RefusalClass};
use shortlist_board::manifest::{Calendar, Manifest, RevotePolicy, Timetable};
use shortlist_board::registrar::{RegistrarBody, RegistrarEntry};
use shortlist_store::{AppendTx, NewEntry};

use crate::error::AppError;

/// The phases of a poll, in order (spec: api §5), by their stored names.
pub mod phase {
    use shortlist_board::lifecycle::Phase;

    /// Created; the organiser may enter candidates, trustees run the ceremony.
    pub const SETUP: &str = Phase::Setup.name();
    /// Candidates may send expressions of interest.
    pub const NOMINATIONS: &str = Phase::Nominations.name();
    /// The ballot definition is on the board.
    pub const DEFINED: &str = Phase::Defined.name();
    /// Ballots are taken.
    pub const VOTING: &str = Phase::Voting.name();
    /// Voting closed.
    pub const CLOSED: &str = Phase::Closed.name();
    /// The aggregate is on the board; trustees decrypt.
    pub const TALLYING: &str = Phase::Tallying.name();
    /// The result is on the board.
    pub const DONE: &str = Phase::Done.name();
}

/// The kind codes of key-ceremony entries.
pub const CEREMONY_KINDS: [u8; 3] = [4, 5, 6];

/// What to append, with what the sequencer checks under the lock. (Fields
/// are named for what they hold; the variant docs say what each op is.)
#[derive(Debug)]
#[allow(missing_docs)]
pub enum Op {
    /// Entry 0.
    Manifest { payload: Vec<u8> },
    /// A candidate registration, given the next candidate id (1, 2, …) here;
    /// from an approved nomination, if `nomination`.
    Candidate { registration: CandidateRegistration, nomination: Option<[u8; 32]> },
    /// The ballot definition (closes nominations), built from `candidates`
    /// candidate entries: refused if more were appended since.
    Definition { payload: Vec<u8>, hash: Hash, candidates: u64 },
    /// A trustee message: one per `(kind, trustee, recipient)`, in the
    /// phases the lifecycle gives `kind` (`rules::trustee_phases`).
    /// `phases` is not read: kept so that existing callers compile.
    Trustee {
        kind: EntryKind,
        trustee: u16,
        recipient: u16,
        payload: Vec<u8>,
        phases: &'static [&'static str],
    },
    /// A credential registration redeeming an eligibility token.
    Credential { key: [u8; 32], token_hash: [u8; 32] },
    /// A cast ballot.
    Ballot { payload: Vec<u8>, credential: [u8; 32], fingerprints: Vec<[u8; 32]> },
    /// An audited ballot.
    Spoiled { payload: Vec<u8>, fingerprints: Vec<[u8; 32]> },
    /// Opens voting: no entry, a phase change and the joint key, derived
    /// from `ceremony` ceremony entries: refused if more were appended since.
    OpenVoting { joint_key: [u8; 32], ceremony: u64 },
    /// Voting closed.
    VotingClosed,
    /// The aggregate.
    Aggregate { payload: Vec<u8> },
    /// The result (appended by the sequencer itself once it is due).
    Result { payload: Vec<u8> },
    /// Posts the result if it is due and not posted (spec: api §5 "Tally"):
    /// the retry task's request. No entry of its own.
    Finish,
    /// A timetable amendment signed by the server for the organiser
    /// (spec: board §4.11, V1.5).
    Amend { payload: Vec<u8>, amendment: Amendment },
    /// A registrar entry whose signature the handler checked (spec: board
    /// §4.12, V4.9).
    Registrar { payload: Vec<u8>, body: RegistrarBody },
}

/// What one op came to.
pub(super) enum Outcome {
    Appended(Entry),
    Repeat(u64),
    Done,
    Refused(AppError),
}

/// The facts every op of a group shares, read once under the lock: the
/// manifest's timetable, revote policy and calendar, and the deadlines as
/// amended on the board (spec: board V1.5).
pub(super) struct GroupFacts {
    base: Option<(Timetable, RevotePolicy, Calendar)>,
    nominations_close: Option<u64>,
    voting_close: Option<u64>,
    // The manifest names a registrar (spec: board §4.12).
    registrar: bool,
}

impl GroupFacts {
    pub(super) async fn load(tx: &mut AppendTx, manifest: Option<&Manifest>) -> Result<Self, AppError> {
        let base = manifest.map(|m| (m.timetable, m.revote, m.calendar.clone()));
        let registrar = manifest.is_some_and(|m| m.registrar.is_some());
        let mut a = Self { base, nominations_close: None, voting_close: None, registrar };
        for (_, _, payload) in tx.payloads_of_kind(EntryKind::Amendment.code()).await? {
            a.record(&Amendment::from_bytes(&payload)?);
        }
        Ok(a)
    }

    fn record(&mut self, a: &Amendment) {
        match a.deadline {
            Deadline::NominationsClose => self.nominations_close = Some(a.to),
            Deadline::VotingClose => self.voting_close = Some(a.to),
        }
    }

    fn base(&self) -> Result<&(Timetable, RevotePolicy, Calendar), AppError> {
        self.base.as_ref().ok_or_else(|| AppError::not_found(ErrorCode::NoSuchPoll, "no such poll"))
    }

    /// The timetable in force.
    pub(super) fn timetable(&self) -> Result<Timetable, AppError> {
        let (t, _, _) = self.base()?;
        Ok(Timetable {
            nominations_close: self.nominations_close.unwrap_or(t.nominations_close),
            voting_open: t.voting_open,
            voting_close: self.voting_close.unwrap_or(t.voting_close),
        })
    }
}

/// 409 `wrong_phase`: voting has not opened, with when the timetable opens it.
pub fn not_open(opens: u64) -> AppError {
    AppError::conflict(
        ErrorCode::WrongPhase,
        format!(
            "voting has not opened: the timetable opens it at {} ({opens} in Unix seconds)",
            crate::clock::utc(opens)
        ),
    )
}

/// The HTTP error for a refusal (spec: api §2's table of codes).
pub fn refused(r: &Refusal) -> AppError {
    let message = match r {
        Refusal::NotOpen { opens, .. } => return not_open(*opens),
        Refusal::TooEarly { action, at } => format!(
            "{}: the timetable opens this at {} ({at} in Unix seconds)",
            action.describe(),
            crate::clock::utc(*at)
        ),
        Refusal::TooLate { action, at } => format!(
            "{}: the timetable closed this at {} ({at} in Unix seconds)",
            action.describe(),
            crate::clock::utc(*at)
        ),
        other => other.to_string(),
    };
    let status = match r.class() {
        RefusalClass::Forbidden => StatusCode::FORBIDDEN,
        RefusalClass::Conflict => StatusCode::CONFLICT,
        RefusalClass::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
    };
    AppError::new(status, r.code(), message)
}

/// The phase as stored.
pub fn stored_phase(name: &str) -> Result<Phase, AppError> {
    Phase::parse(name).ok_or_else(|| AppError::internal(format!("unknown phase `{name}`")))
}

/// Checks one op against the board's state through the lifecycle's rule
/// and appends it. Every check runs before any write, so a refused op
/// changes nothing.
pub(super) async fn apply(
    tx: &mut AppendTx,
    board: &mut BoardWriter,
    time: u64,
    facts: &mut GroupFacts,
    op: &Op,
) -> Result<Outcome, AppError> {
    let index = board.len();
    // Idempotency: the same payload twice is the same entry (never for the
    // empty voting-closed payload, which has no repeat).
    if let Some(payload) = payload_of(op) {
        let ph: Hash = shortlist_board::entry::payload_hash(payload);
        if let Some(existing) = tx.find_payload(&ph).await? {
            return Ok(Outcome::Repeat(existing));
        }
    }
    if let Op::Finish = op {
        // The result step that follows it is the sequencer's (result.rs).
        return Ok(Outcome::Done);
    }
    if let Op::Manifest { payload } = op {
        return match rules::create_poll(index) {
            Err(r) => Ok(Outcome::Refused(refused(&r))),
            Ok(_) => append(tx, board, time, EntryKind::Manifest, payload.clone()).await,
        };
    }
    if let Op::Credential { key, token_hash } = op {
        // A retry of the same registration is the same entry.
        if let Some((at, _)) = tx.credential(key).await? {
            if tx.token_redeemed_at(token_hash).await? == Some(at) {
                return Ok(Outcome::Repeat(at));
            }
        }
    }
    let now = Now { phase: stored_phase(&tx.phase().await?)?, time, timetable: facts.timetable()? };
    let admitted = match admit(tx, index, &now, facts, op).await? {
        Ok(next) => next,
        Err(r) => return Ok(Outcome::Refused(refused(&r))),
    };
    if let Some(next) = admitted {
        tx.set_phase(next.name()).await?;
    }
    write(tx, board, time, facts, op).await
}

/// Reads the facts the op's rule needs and asks it.
async fn admit(
    tx: &mut AppendTx,
    index: u64,
    now: &Now,
    facts: &GroupFacts,
    op: &Op,
) -> Result<rules::Admission, AppError> {
    Ok(match op {
        Op::Manifest { .. } => rules::create_poll(index),
        Op::Candidate { nomination, .. } => {
            let pending = match nomination {
                Some(n) => Some(tx.nomination_pending(n).await?),
                None => None,
            };
            rules::enter_candidate(now, pending)
        }
        Op::Definition { candidates, .. } => {
            let on_board = tx.count_kinds(&[EntryKind::Candidate.code()]).await?;
            rules::close_nominations(now, on_board, *candidates)
        }
        Op::Trustee { kind, trustee, recipient, .. } => {
            let posted = tx.trustee_posted(kind.code(), *trustee, *recipient).await?;
            rules::trustee_message(now, *kind, *trustee, posted)
        }
        Op::Credential { key, token_hash } => {
            // spec: V4.9 — no token redemption in registrar mode.
            if let Err(r) = rules::registration_mode(facts.registrar) {
                return Ok(Err(r));
            }
            let registered = tx.credential(key).await?.is_some();
            let fresh = tx.token_fresh(token_hash).await?;
            rules::register_credential(now, registered, fresh)
        }
        Op::Ballot { credential, fingerprints, .. } => {
            let (_, revote, _) = facts.base()?;
            let cast = tx.credential(credential).await?;
            let f = rules::BallotFacts {
                registered: cast.is_some(),
                cast_before: cast.map_or(0, |(_, n)| n),
                fresh_ciphertexts: rules::fingerprints_distinct(fingerprints)
                    && !tx.any_ciphertext(fingerprints).await?,
                registrar_mode: facts.registrar,
                revoked: facts.registrar && tx.revoked_at(credential).await?.is_some(),
            };
            rules::cast_ballot(now, *revote, &f)
        }
        Op::Spoiled { fingerprints, .. } => {
            let fresh =
                rules::fingerprints_distinct(fingerprints) && !tx.any_ciphertext(fingerprints).await?;
            rules::audit_ballot(now, fresh)
        }
        Op::OpenVoting { ceremony, .. } => {
            let on_board = tx.count_kinds(&CEREMONY_KINDS).await?;
            rules::open_voting(now, on_board, *ceremony)
        }
        Op::VotingClosed => rules::close_voting(now),
        Op::Aggregate { .. } => rules::tally(now),
        Op::Result { .. } => rules::post_result(now),
        Op::Finish => Ok(None),
        Op::Amend { amendment, .. } => {
            let (_, _, calendar) = facts.base()?;
            rules::amend(now, amendment, calendar)
        }
        Op::Registrar { body, .. } => registrar_admission(tx, now, facts, body).await?,
    })
}

/// The facts of a registrar entry, and its rule (spec: board §4.12, V4.9).
async fn registrar_admission(
    tx: &mut AppendTx,
    now: &Now,
    facts: &GroupFacts,
    body: &RegistrarBody,
) -> Result<rules::Admission, AppError> {
    let mut f = rules::RegistrarFacts { registrar_mode: facts.registrar, ..Default::default() };
    for (_, _, payload) in tx.payloads_of_kind(EntryKind::RegistrarList.code()).await? {
        if let RegistrarBody::List { roll_size, keys, .. } =
            RegistrarEntry::from_bytes(EntryKind::RegistrarList, &payload)?.body
        {
            f.parts = f.parts.saturating_add(1);
            f.roll_size = Some(roll_size);
            f.listed = f.listed.saturating_add(u64::try_from(keys.len()).map_err(AppError::internal)?);
        }
    }
    let added = body.added();
    let distinct: std::collections::HashSet<&[u8; 32]> = added.iter().collect();
    f.fresh_keys = distinct.len() == added.len() && !tx.any_credential(added).await?;
    let step = match body {
        RegistrarBody::List { roll_size, part, keys } => rules::RegistrarStep::List {
            roll_size: *roll_size,
            part: *part,
            keys: u64::try_from(keys.len()).map_err(AppError::internal)?,
        },
        RegistrarBody::Supplement { .. } => rules::RegistrarStep::Supplement,
        RegistrarBody::Revocation { revoked, .. } => {
            f.revocable = tx.credential(revoked).await?.is_some() && tx.revoked_at(revoked).await?.is_none();
            rules::RegistrarStep::Revocation
        }
    };
    Ok(rules::registrar_entry(now, step, &f))
}

/// The writes of an admitted op, and its entry.
async fn write(
    tx: &mut AppendTx,
    board: &mut BoardWriter,
    time: u64,
    facts: &mut GroupFacts,
    op: &Op,
) -> Result<Outcome, AppError> {
    let index = board.len();
    let (kind, payload) = match op {
        Op::Manifest { payload } => (EntryKind::Manifest, payload.clone()),
        Op::Candidate { registration, nomination } => {
            let next = tx.count_kinds(&[EntryKind::Candidate.code()]).await?.saturating_add(1);
            let id = u32::try_from(next).map_err(AppError::internal)?;
            if let Some(n) = nomination {
                if !tx.approve_nomination(n, id).await? {
                    return Err(AppError::internal("the nomination changed under the lock"));
                }
            }
            let mut registration = registration.clone();
            registration.candidate.candidate_id = id;
            (EntryKind::Candidate, registration.to_bytes())
        }
        Op::Definition { payload, hash, .. } => {
            tx.set_definition_hash(hash).await?;
            (EntryKind::Definition, payload.clone())
        }
        Op::Trustee { kind, trustee, recipient, payload, .. } => {
            tx.add_trustee_post(kind.code(), *trustee, *recipient, index).await?;
            (*kind, payload.clone())
        }
        Op::Credential { key, token_hash } => {
            if !tx.redeem_token(token_hash, index).await? {
                return Err(AppError::internal("the token changed under the lock"));
            }
            tx.add_credential(key, index).await?;
            (EntryKind::Credential, key.to_vec())
        }
        Op::Ballot { payload, credential, fingerprints } => {
            tx.add_ciphertexts(fingerprints, index).await?;
            tx.count_ballot(credential).await?;
            (EntryKind::Ballot, payload.clone())
        }
        Op::Spoiled { payload, fingerprints } => {
            tx.add_ciphertexts(fingerprints, index).await?;
            (EntryKind::SpoiledBallot, payload.clone())
        }
        Op::OpenVoting { joint_key, .. } => {
            tx.set_joint_key(joint_key).await?;
            return Ok(Outcome::Done);
        }
        Op::VotingClosed => (EntryKind::VotingClosed, Vec::new()),
        Op::Aggregate { payload } => (EntryKind::Aggregate, payload.clone()),
        Op::Result { payload } => (EntryKind::Result, payload.clone()),
        Op::Finish => return Ok(Outcome::Done),
        Op::Amend { payload, amendment } => {
            facts.record(amendment);
            (EntryKind::Amendment, payload.clone())
        }
        Op::Registrar { payload, body } => {
            match body {
                RegistrarBody::List { keys, .. } | RegistrarBody::Supplement { keys } => {
                    tx.add_credentials(keys, index).await?
                }
                RegistrarBody::Revocation { revoked, replacement } => {
                    tx.revoke_credential(revoked, replacement, index).await?
                }
            }
            (body.kind(), payload.clone())
        }
    };
    append(tx, board, time, kind, payload).await
}

async fn append(
    tx: &mut AppendTx,
    board: &mut BoardWriter,
    time: u64,
    kind: EntryKind,
    payload: Vec<u8>,
) -> Result<Outcome, AppError> {
    // spec: board §5, §6 — the one writer: chain and Merkle frontier.
    let entry = board.append(kind, time, payload)?;
    let payload_hash = entry.payload_hash();
    tx.insert_entry(&NewEntry {
        index: entry.index,
        kind: kind.code(),
        time,
        payload: &entry.payload,
        hash: entry.hash(),
        payload_hash,
    })
    .await?;
    Ok(Outcome::Appended(entry))
}

fn payload_of(op: &Op) -> Option<&[u8]> {
    match op {
        Op::Manifest { payload }
        | Op::Definition { payload, .. }
        | Op::Trustee { payload, .. }
        | Op::Ballot { payload, .. }
        | Op::Spoiled { payload, .. }
        | Op::Aggregate { payload }
        | Op::Result { payload }
        | Op::Amend { payload, .. }
        | Op::Registrar { payload, .. } => Some(payload),
        Op::Candidate { .. }
        | Op::Credential { .. }
        | Op::OpenVoting { .. }
        | Op::VotingClosed
        | Op::Finish => None,
    }
}
