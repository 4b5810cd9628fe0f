//! One admission rule per operation (spec: api §5's table; board §8.4 for
//! the steps that check the same on a record). Each takes the facts it
//! needs — the poll's [`Now`] and a few booleans or counts the caller read —
//! and returns the phase the poll moves to, or the first [`Refusal`] in the
//! order the spec lists the checks. Pure: no I/O, no clock.

use crate::amendment::{Amendment, Deadline};
use crate::entry::EntryKind;
use crate::manifest::{Calendar, RevotePolicy};

use super::{Action, Changed, Now, Phase, Refusal};

/// What an admitted operation does to the phase.
pub type Admission = Result<Option<Phase>, Refusal>;

fn phase_in(now: &Now, allowed: &[Phase], action: Action) -> Result<(), Refusal> {
    if allowed.contains(&now.phase) {
        Ok(())
    } else {
        Err(Refusal::WrongPhase { phase: now.phase, action })
    }
}

/// Entry 0: the manifest (spec: api §5, "create poll"). `index` is the
/// index it would get.
pub fn create_poll(index: u64) -> Admission {
    if index != 0 {
        return Err(Refusal::PollExists);
    }
    Ok(Some(Phase::Setup))
}

/// Opening nominations: before `nc`, `setup` → `nominations` (api §5; the
/// deadline is judged first: once it passed, nominations can never open).
pub fn open_nominations(now: &Now) -> Admission {
    if now.time >= now.timetable.nominations_close {
        return Err(Refusal::TooLate {
            action: Action::OpenNominations,
            at: now.timetable.nominations_close,
        });
    }
    phase_in(now, &[Phase::Setup], Action::OpenNominations)?;
    Ok(Some(Phase::Nominations))
}

/// A candidate's expression of interest: `nominations`, before `nc`.
pub fn nominate(now: &Now) -> Admission {
    phase_in(now, &[Phase::Nominations], Action::Nominate)?;
    if now.time >= now.timetable.nominations_close {
        return Err(Refusal::TooLate { action: Action::Nominate, at: now.timetable.nominations_close });
    }
    Ok(None)
}

/// Entering (or approving) a candidate: `setup` or `nominations`, `t < nc`;
/// an approval needs its nomination still pending (`pending`: `None` for a
/// candidate entered directly).
pub fn enter_candidate(now: &Now, pending: Option<bool>) -> Admission {
    // spec: V1.4 — candidates precede the definition.
    phase_in(now, &[Phase::Setup, Phase::Nominations], Action::EnterCandidate)?;
    if now.time >= now.timetable.nominations_close {
        return Err(Refusal::TooLate { action: Action::EnterCandidate, at: now.timetable.nominations_close });
    }
    if pending == Some(false) {
        return Err(Refusal::NotPending);
    }
    Ok(None)
}

/// Closing nominations with the ballot definition: `setup` or
/// `nominations` → `defined`, `t ≥ nc`, built from every candidate entry
/// (`built_from` of the `on_board` there are now).
pub fn close_nominations(now: &Now, on_board: u64, built_from: u64) -> Admission {
    nominations_closable(now)?;
    if on_board != built_from {
        return Err(Refusal::Changed(Changed::Candidates));
    }
    Ok(Some(Phase::Defined))
}

/// The phase and the time of closing nominations: `setup` or
/// `nominations`, `t ≥ nc` (spec: api §5; V1.4).
fn nominations_closable(now: &Now) -> Result<(), Refusal> {
    phase_in(now, &[Phase::Setup, Phase::Nominations], Action::CloseNominations)?;
    if now.time < now.timetable.nominations_close {
        return Err(Refusal::TooEarly {
            action: Action::CloseNominations,
            at: now.timetable.nominations_close,
        });
    }
    Ok(())
}

/// Whether an op repeats an entry already on the board (spec: api §3
/// "Idempotency"): the same payload is the same entry, answered before any
/// other check and in any phase.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Submitted {
    /// Its entry is not on the board: its rule decides.
    New,
    /// Its entry is on the board already: the answer is that entry.
    Repeat,
}

impl Submitted {
    /// `Repeat` if `on_board`.
    pub fn repeat_if(on_board: bool) -> Self {
        if on_board {
            Submitted::Repeat
        } else {
            Submitted::New
        }
    }
}

/// Closing nominations as judged when the request arrives, before the
/// definition built from the candidate entries is judged valid (spec: api
/// §5, §7.1): a repeat (that definition is on the board) is the same entry
/// again (api §3); otherwise the phase, then `t ≥ nc`, are said first —
/// before nominations close more candidates may still come, so "too early"
/// outranks an invalid definition. [`close_nominations`] judges it again
/// under the lock, with the candidates counted.
pub fn close_nominations_request(now: &Now, submitted: Submitted) -> Result<(), Refusal> {
    match submitted {
        Submitted::Repeat => Ok(()),
        Submitted::New => nominations_closable(now),
    }
}

/// The phases in which a trustee message of `kind` may be posted: the
/// ceremony before voting opens (spec: V5.x), decryption shares while
/// tallying (V6.2). `None` if `kind` is not a trustee message.
pub fn trustee_phases(kind: EntryKind) -> Option<(&'static [Phase], Action)> {
    match kind {
        EntryKind::CeremonyCommitment | EntryKind::CeremonyShare | EntryKind::CeremonyComplaint => {
            Some((&[Phase::Setup, Phase::Nominations, Phase::Defined], Action::CeremonyMessage))
        }
        EntryKind::DecryptionShare => Some((&[Phase::Tallying], Action::DecryptionShare)),
        _ => None,
    }
}

/// Whether a trustee message of `kind` may be posted in the poll's phase
/// (the first check of [`trustee_message`]).
pub fn trustee_phase(now: &Now, kind: EntryKind) -> Result<(), Refusal> {
    let (phases, action) = trustee_phases(kind).unwrap_or((&[], Action::CeremonyMessage));
    phase_in(now, phases, action)
}

/// A trustee message: in its phases, one per `(kind, trustee, recipient)`
/// (`posted`: whether that trustee already posted one).
pub fn trustee_message(now: &Now, kind: EntryKind, trustee: u16, posted: bool) -> Admission {
    trustee_phase(now, kind)?;
    if posted {
        return Err(Refusal::DuplicateTrusteeMessage { trustee });
    }
    Ok(None)
}

/// Importing the roll: not once voting is over (api §5).
pub fn import_roll(now: &Now) -> Admission {
    if now.phase.voting_over() {
        return Err(Refusal::WrongPhase { phase: now.phase, action: Action::ImportRoll });
    }
    Ok(None)
}

/// Mailing eligibility tokens (spec: api §4.2, §7.1): as the roll, not
/// once voting is over — a token could no longer be redeemed.
pub fn mail_tokens(now: &Now) -> Admission {
    if now.phase.voting_over() {
        return Err(Refusal::WrongPhase { phase: now.phase, action: Action::MailTokens });
    }
    Ok(None)
}

/// Registering a credential (spec: V4.1): a key not registered yet, before
/// voting closes, redeeming an issued, unredeemed token (`token_fresh`; the
/// verifier, which sees no tokens, passes `true`).
pub fn register_credential(now: &Now, registered: bool, token_fresh: bool) -> Admission {
    if registered {
        return Err(Refusal::AlreadyRegistered);
    }
    let close = now.timetable.voting_close;
    if now.phase.voting_over() || now.time >= close {
        return Err(Refusal::TooLate { action: Action::RegisterCredential, at: close });
    }
    if !token_fresh {
        return Err(Refusal::InvalidToken);
    }
    Ok(None)
}

/// The phase and the voting window for a ballot or an audit (spec: V4.4,
/// V4.8): phase `voting` (before it, when voting opens), `vo ≤ t < vc`.
fn in_voting_window(now: &Now, action: Action) -> Result<(), Refusal> {
    let t = &now.timetable;
    if now.phase != Phase::Voting {
        if now.phase < Phase::Voting {
            return Err(Refusal::NotOpen { action, opens: t.voting_open });
        }
        return Err(Refusal::WrongPhase { phase: now.phase, action });
    }
    if now.time < t.voting_open {
        return Err(Refusal::TooEarly { action, at: t.voting_open });
    }
    if now.time >= t.voting_close {
        return Err(Refusal::TooLate { action, at: t.voting_close });
    }
    Ok(())
}

/// What the board says about a ballot's credential and ciphertexts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BallotFacts {
    /// The credential is registered (by an earlier entry).
    pub registered: bool,
    /// Ballots the credential cast before.
    pub cast_before: u64,
    /// No contest's ciphertexts are on the board (cast or audited), and no
    /// two contests of the ballot have the same ones (spec: V4.7).
    pub fresh_ciphertexts: bool,
    /// The manifest names a registrar: `registered` means listed (spec: V4.9).
    pub registrar_mode: bool,
    /// The registrar revoked the credential before this ballot (spec: V4.9).
    pub revoked: bool,
}

/// Every rule a cast ballot breaks, in the order of api §5: the phase and
/// window (V4.4), registration (V4.3), the revote policy (V4.6), fresh
/// ciphertexts (V4.7). The server refuses with the first; the verifier
/// reports them all.
pub fn cast_ballot_refusals(now: &Now, revote: RevotePolicy, f: &BallotFacts) -> Vec<Refusal> {
    let mut out = Vec::new();
    if let Err(r) = in_voting_window(now, Action::CastBallot) {
        out.push(r);
    }
    if !f.registered {
        // spec: V4.9 — in registrar mode, the key must be listed.
        out.push(if f.registrar_mode { Refusal::Unlisted } else { Refusal::Unregistered });
    }
    if f.revoked {
        // spec: V4.9 — no ballot from a key after its revocation.
        out.push(Refusal::Revoked);
    }
    if !revote_allows(revote, f.cast_before) {
        out.push(Refusal::AlreadyVoted);
    }
    if !f.fresh_ciphertexts {
        out.push(Refusal::DuplicateCiphertexts);
    }
    out
}

/// Casting a ballot: the first of [`cast_ballot_refusals`], if any.
pub fn cast_ballot(now: &Now, revote: RevotePolicy, f: &BallotFacts) -> Admission {
    match cast_ballot_refusals(now, revote, f).into_iter().next() {
        Some(r) => Err(r),
        None => Ok(None),
    }
}

/// The revote policy (spec: V4.6, manifest `revote`): whether a credential
/// that cast `cast_before` ballots may cast another. The one place the
/// policy is written.
pub fn revote_allows(revote: RevotePolicy, cast_before: u64) -> bool {
    match revote {
        RevotePolicy::LastCounts => true,
        RevotePolicy::FirstCounts => cast_before == 0,
    }
}

/// Whether a newly cast ballot replaces the credential's earlier one in
/// the count (spec: V4.6): under `last`, yes; under `first`, a second
/// ballot is never admitted.
pub fn supersedes(revote: RevotePolicy) -> bool {
    revote == RevotePolicy::LastCounts
}

/// Auditing a ballot (spec: V4.8, board §4.7): the phase and window, fresh
/// ciphertexts (V4.7); no credential.
pub fn audit_ballot(now: &Now, fresh_ciphertexts: bool) -> Admission {
    in_voting_window(now, Action::AuditBallot)?;
    if !fresh_ciphertexts {
        return Err(Refusal::DuplicateCiphertexts);
    }
    Ok(None)
}

/// Whether a ballot's contest fingerprints are distinct among themselves
/// (spec: V4.7, api §2); whether they are new is the caller's fact.
pub fn fingerprints_distinct(fingerprints: &[[u8; 32]]) -> bool {
    let set: std::collections::HashSet<&[u8; 32]> = fingerprints.iter().collect();
    set.len() == fingerprints.len()
}

/// Opening voting: `defined` → `voting`, with the joint key derived from
/// every ceremony entry (`derived_from` of `on_board`), `t ≥ vo`.
pub fn open_voting(now: &Now, on_board: u64, derived_from: u64) -> Admission {
    phase_in(now, &[Phase::Defined], Action::OpenVoting)?;
    if on_board != derived_from {
        return Err(Refusal::Changed(Changed::Ceremony));
    }
    if now.time < now.timetable.voting_open {
        return Err(Refusal::TooEarly { action: Action::OpenVoting, at: now.timetable.voting_open });
    }
    Ok(Some(Phase::Voting))
}

/// Opening voting as judged when the request arrives, before the ceremony
/// is read and checked (spec: api §5 "Opening voting"): the definition is
/// on the board and voting has not opened, phase `defined`. Opening voting
/// appends no entry, so it has no repeat. [`open_voting`] judges it again
/// under the lock.
pub fn open_voting_request(now: &Now) -> Result<(), Refusal> {
    phase_in(now, &[Phase::Defined], Action::OpenVoting)
}

/// Closing voting: `voting` → `closed`, `t ≥ vc` (spec: V6.1).
pub fn close_voting(now: &Now) -> Admission {
    phase_in(now, &[Phase::Voting], Action::CloseVoting)?;
    if now.time < now.timetable.voting_close {
        return Err(Refusal::TooEarly { action: Action::CloseVoting, at: now.timetable.voting_close });
    }
    Ok(Some(Phase::Closed))
}

/// The aggregate: `closed` → `tallying` (spec: V6.1).
pub fn tally(now: &Now) -> Admission {
    phase_in(now, &[Phase::Closed], Action::Tally)?;
    Ok(Some(Phase::Tallying))
}

/// Starting the tally as judged when the request arrives, before the sum
/// is started (spec: api §5 "Tally", §7.1): a repeat (the aggregate is on
/// the board) answers that entry in any phase (api §3); otherwise
/// [`tally`]'s phase, judged again under the lock.
pub fn tally_request(now: &Now, submitted: Submitted) -> Admission {
    match submitted {
        Submitted::Repeat => Ok(None),
        Submitted::New => tally(now),
    }
}

/// A decryption share as judged when it arrives, before its proofs, which
/// are checked against the aggregate (spec: V6.2; api §7.4): the aggregate
/// is on the board, phase `tallying` or later. A later phase is judged
/// under the lock by [`trustee_message`], after the repeat (api §3).
pub fn decryption_share_request(now: &Now) -> Result<(), Refusal> {
    if now.phase < Phase::Tallying {
        return Err(Refusal::WrongPhase { phase: now.phase, action: Action::DecryptionShare });
    }
    Ok(())
}

/// Whether the result is due (spec: api §5 "Tally"; V6.3, V6.6): the
/// aggregate is on the board (phase `tallying`) and so are at least `t`
/// decryption shares (`shares`; every one was checked against it before it
/// was appended). The result is a function of those entries, so the
/// sequencer posts it as the step that follows them.
pub fn result_due(now: &Now, shares: u64, threshold: u16) -> bool {
    now.phase == Phase::Tallying && shares >= u64::from(threshold)
}

/// The result: `tallying` → `done` (spec: V6.6).
pub fn post_result(now: &Now) -> Admission {
    phase_in(now, &[Phase::Tallying], Action::PostResult)?;
    Ok(Some(Phase::Done))
}

/// Whether the phase a deadline ends is over: nominations once the
/// definition is posted, voting once it closed (spec: V1.5 rule 4).
pub fn deadline_closed(phase: Phase, deadline: Deadline) -> bool {
    match deadline {
        Deadline::NominationsClose => !phase.before_definition(),
        Deadline::VotingClose => phase.voting_over(),
    }
}

/// A timetable amendment (spec: board §4.11, V1.5; api §5): its `from` is
/// the deadline in force (else the timetable moved meanwhile), the deadline
/// has not passed and its phase is not over, and the move keeps the rules
/// (later; earlier only with `early_close` and not into the past; the
/// timetable ordered). Its signature is the caller's check.
pub fn amend(now: &Now, a: &Amendment, calendar: &Calendar) -> Admission {
    let current = a.deadline.of(&now.timetable);
    if a.from != current {
        return Err(Refusal::Changed(Changed::Timetable));
    }
    let closed = deadline_closed(now.phase, a.deadline);
    if closed || now.time >= current {
        return Err(Refusal::DeadlinePassed { deadline: a.deadline, at: current });
    }
    amend_on_record(now, a, calendar)?;
    Ok(None)
}

/// The core of [`amend`] that a record's replay applies (spec: V1.5 rules
/// 3–6, `Amendment::check`): the same rules, each failure reported as the
/// amendment's own defect (a record has no "meanwhile"), at V1.5.
pub fn amend_on_record(now: &Now, a: &Amendment, calendar: &Calendar) -> Result<(), Refusal> {
    let closed = deadline_closed(now.phase, a.deadline);
    a.check(now.time, &now.timetable, calendar, closed).map_err(Refusal::InvalidAmendment)
}

/// Whether a credential registration (kind 7) may be posted in this mode
/// (spec: V4.9): in registrar mode credentials come only from the
/// registrar's entries.
pub fn registration_mode(registrar_mode: bool) -> Result<(), Refusal> {
    if registrar_mode {
        return Err(Refusal::RegistrarMode);
    }
    Ok(())
}

/// What the board says before a registrar entry (spec: board §4.12, V4.9).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RegistrarFacts {
    /// The manifest names a registrar.
    pub registrar_mode: bool,
    /// List parts on the board.
    pub parts: u64,
    /// The roll size the first list part gave, if any.
    pub roll_size: Option<u64>,
    /// Keys the list parts hold.
    pub listed: u64,
    /// The entry's keys are distinct and none is on a list, supplement or
    /// revocation before it.
    pub fresh_keys: bool,
    /// For a revocation: its revoked key is listed and not revoked.
    pub revocable: bool,
}

impl RegistrarFacts {
    /// Whether every part of the list is on the board.
    pub fn list_complete(&self) -> bool {
        self.parts > 0 && self.roll_size == Some(self.listed)
    }
}

/// What a registrar entry is, for its rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegistrarStep {
    /// List part `part` of a roll of `roll_size`, with `keys` keys.
    List {
        /// The roll's size it states.
        roll_size: u64,
        /// Its part number.
        part: u32,
        /// How many keys it lists.
        keys: u64,
    },
    /// A supplement.
    Supplement,
    /// A revocation and replacement.
    Revocation,
}

/// A registrar entry (spec: board §4.12, V4.9): registrar mode; before
/// voting closes; list parts numbered 0, 1, … with one roll size, together
/// exactly that many keys; supplements once the list is complete; a
/// revocation of a listed, unrevoked key; every key new. The signature is
/// the caller's check.
pub fn registrar_entry(now: &Now, step: RegistrarStep, f: &RegistrarFacts) -> Admission {
    if !f.registrar_mode {
        return Err(Refusal::TokenMode);
    }
    let close = now.timetable.voting_close;
    if now.phase.voting_over() || now.time >= close {
        return Err(Refusal::TooLate { action: Action::Registrar, at: close });
    }
    let order = |why: &str| Err(Refusal::RegistrarOrder(why.to_string()));
    match step {
        RegistrarStep::List { roll_size, part, keys } => {
            if f.list_complete() {
                return order("the registrar's list is complete: late members go in a supplement");
            }
            if u64::from(part) != f.parts {
                return order("list parts must be posted in order 0, 1, …");
            }
            if f.roll_size.is_some_and(|r| r != roll_size) {
                return order("every list part must state the same roll size");
            }
            if f.listed.saturating_add(keys) > roll_size {
                return order("the list parts hold more keys than the roll's size");
            }
        }
        RegistrarStep::Supplement => {
            if !f.list_complete() {
                return order("a supplement needs the registrar's list complete first");
            }
        }
        RegistrarStep::Revocation => {
            if !f.list_complete() {
                return order("a revocation needs the registrar's list complete first");
            }
            if !f.revocable {
                return order("the revoked key is not listed, or already revoked");
            }
        }
    }
    if !f.fresh_keys {
        return Err(Refusal::DuplicateKey);
    }
    Ok(None)
}
