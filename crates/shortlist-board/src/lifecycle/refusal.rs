//! Why an operation may not be appended next: one variant per rule of the
//! lifecycle (spec: api §5), each naming its spec step and its API error.

use crate::amendment::Deadline;

use super::Phase;

/// The operation a rule judged (for messages and for the step it fails).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// Creating the poll (entry 0).
    CreatePoll,
    /// Opening nominations (`setup` → `nominations`).
    OpenNominations,
    /// A candidate's expression of interest.
    Nominate,
    /// Entering or approving a candidate.
    EnterCandidate,
    /// Closing nominations: the ballot definition.
    CloseNominations,
    /// A key-ceremony message (commitment, share, complaint).
    CeremonyMessage,
    /// A trustee's decryption share.
    DecryptionShare,
    /// Importing the roll of members.
    ImportRoll,
    /// Mailing eligibility tokens to members (spec: api §4.2).
    MailTokens,
    /// Registering a credential.
    RegisterCredential,
    /// Casting a ballot.
    CastBallot,
    /// Auditing a ballot.
    AuditBallot,
    /// Opening voting (`defined` → `voting`).
    OpenVoting,
    /// Closing voting (`voting` → `closed`).
    CloseVoting,
    /// Posting the aggregate (`closed` → `tallying`).
    Tally,
    /// Posting the result (`tallying` → `done`).
    PostResult,
    /// Amending the timetable.
    Amend,
    /// Posting a registrar entry (list part, supplement, revocation).
    Registrar,
}

impl Action {
    /// What the action is, as a gerund phrase (`casting a ballot`).
    pub fn describe(self) -> &'static str {
        match self {
            Action::CreatePoll => "creating the poll",
            Action::OpenNominations => "opening nominations",
            Action::Nominate => "sending an expression of interest",
            Action::EnterCandidate => "entering a candidate",
            Action::CloseNominations => "closing nominations",
            Action::CeremonyMessage | Action::DecryptionShare => "this trustee message",
            Action::ImportRoll => "importing the roll",
            Action::MailTokens => "mailing tokens",
            Action::RegisterCredential => "registering a credential",
            Action::CastBallot => "casting a ballot",
            Action::AuditBallot => "auditing a ballot",
            Action::OpenVoting => "opening voting",
            Action::CloseVoting => "closing voting",
            Action::Tally => "posting the aggregate",
            Action::PostResult => "posting the result",
            Action::Amend => "amending the timetable",
            Action::Registrar => "posting a registrar entry",
        }
    }

    /// The verifier step that checks this action's phase and timing on a
    /// record (spec: board §8.4); api §5 for what only the server sees.
    pub fn step(self) -> &'static str {
        match self {
            Action::CreatePoll => "V1.1",
            Action::EnterCandidate | Action::CloseNominations => "V1.4",
            Action::Amend => "V1.5",
            Action::RegisterCredential => "V4.1",
            Action::Registrar => "V4.9",
            Action::CastBallot => "V4.4",
            Action::AuditBallot => "V4.8",
            // spec: V5.6 — a ceremony entry after the ceremony closed.
            Action::CeremonyMessage => "V5.6",
            Action::DecryptionShare => "V6.2",
            Action::CloseVoting | Action::Tally => "V6.1",
            Action::PostResult => "V6.6",
            Action::OpenNominations
            | Action::Nominate
            | Action::ImportRoll
            | Action::MailTokens
            | Action::OpenVoting => "api §5",
        }
    }
}

/// What changed on the board since the handler read it (409 `changed`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Changed {
    /// A candidate entry was added after the definition was built.
    Candidates,
    /// A ceremony entry was added after the joint key was derived.
    Ceremony,
    /// The timetable was amended after the amendment was made.
    Timetable,
}

/// How the API reports a refusal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RefusalClass {
    /// 403: the caller is not entitled to this.
    Forbidden,
    /// 409: the board's state does not allow it now.
    Conflict,
    /// 422: the request breaks a rule whatever the state.
    Invalid,
}

/// Why an operation may not be appended next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The poll already has a manifest (409 `poll_exists`).
    PollExists,
    /// The poll's phase does not allow the action (409 `wrong_phase`).
    WrongPhase {
        /// The phase the poll is in.
        phase: Phase,
        /// What was refused.
        action: Action,
    },
    /// Voting has not opened yet; the timetable opens it at `opens` (409 `wrong_phase`).
    NotOpen {
        /// What was refused.
        action: Action,
        /// `voting_open`, Unix seconds.
        opens: u64,
    },
    /// The timetable opens this at `at` (409 `timetable`).
    TooEarly {
        /// What was refused.
        action: Action,
        /// When it opens, Unix seconds.
        at: u64,
    },
    /// The timetable closed this at `at` (409 `timetable`).
    TooLate {
        /// What was refused.
        action: Action,
        /// When it closed, Unix seconds.
        at: u64,
    },
    /// The board changed since the request was built (409 `changed`).
    Changed(Changed),
    /// The nomination is not pending (409 `not_pending`).
    NotPending,
    /// The trustee already posted this kind of message (409 `duplicate`).
    DuplicateTrusteeMessage {
        /// The trustee's index.
        trustee: u16,
    },
    /// The credential is already registered (409 `already_registered`).
    AlreadyRegistered,
    /// No member holds this eligibility token, or it was redeemed (403 `invalid_token`).
    InvalidToken,
    /// The ballot's credential is not registered (403 `unregistered`).
    Unregistered,
    /// The first ballot counts and this credential has cast one (409 `already_voted`).
    AlreadyVoted,
    /// A contest's ciphertexts are on the board already, cast or audited, or
    /// repeat within the ballot (409 `duplicate_ciphertexts`).
    DuplicateCiphertexts,
    /// The amended deadline has passed or its phase is over (409 `timetable`).
    DeadlinePassed {
        /// The deadline.
        deadline: Deadline,
        /// Its value in force, Unix seconds.
        at: u64,
    },
    /// The amendment breaks a timing rule (422 `invalid_amendment`).
    InvalidAmendment(String),
    /// Registrar mode: the ballot's credential key is on no registrar list
    /// or supplement before it (403 `unlisted`).
    Unlisted,
    /// Registrar mode: the ballot's credential key was revoked before it (403 `revoked`).
    Revoked,
    /// Registrar mode: credentials come from the registrar's list, not from
    /// token redemption (409 `registrar_mode`).
    RegistrarMode,
    /// Token mode: the manifest names no registrar (409 `token_mode`).
    TokenMode,
    /// A key of a registrar entry is already listed, or repeats within it (409 `duplicate_key`).
    DuplicateKey,
    /// A registrar entry out of order: a list part not next, beyond the
    /// roll's size or after the list is complete; a supplement before it is;
    /// a revocation of a key not listed or already revoked (409 `registrar_order`).
    RegistrarOrder(String),
}

impl Refusal {
    /// The API's error code (spec: api §2).
    pub fn code(&self) -> crate::error_code::ErrorCode {
        use crate::error_code::ErrorCode as C;
        match self {
            Refusal::PollExists => C::PollExists,
            Refusal::WrongPhase { .. } | Refusal::NotOpen { .. } => C::WrongPhase,
            Refusal::TooEarly { .. } | Refusal::TooLate { .. } | Refusal::DeadlinePassed { .. } => {
                C::Timetable
            }
            Refusal::Changed(_) => C::Changed,
            Refusal::NotPending => C::NotPending,
            Refusal::DuplicateTrusteeMessage { .. } => C::Duplicate,
            Refusal::AlreadyRegistered => C::AlreadyRegistered,
            Refusal::InvalidToken => C::InvalidToken,
            Refusal::Unregistered => C::Unregistered,
            Refusal::AlreadyVoted => C::AlreadyVoted,
            Refusal::DuplicateCiphertexts => C::DuplicateCiphertexts,
            Refusal::InvalidAmendment(_) => C::InvalidAmendment,
            Refusal::Unlisted => C::Unlisted,
            Refusal::Revoked => C::Revoked,
            Refusal::RegistrarMode => C::RegistrarMode,
            Refusal::TokenMode => C::TokenMode,
            Refusal::DuplicateKey => C::DuplicateKey,
            Refusal::RegistrarOrder(_) => C::RegistrarOrder,
        }
    }

    /// How the API reports it.
    pub fn class(&self) -> RefusalClass {
        match self {
            Refusal::InvalidToken | Refusal::Unregistered | Refusal::Unlisted | Refusal::Revoked => {
                RefusalClass::Forbidden
            }
            Refusal::InvalidAmendment(_) => RefusalClass::Invalid,
            _ => RefusalClass::Conflict,
        }
    }

    /// The spec step the rule belongs to: the verifier's step that finds the
    /// same defect on a record (board §8.4), or api §5 for a rule only the
    /// server can check (tokens, nominations, stale requests).
    pub fn step(&self) -> &'static str {
        match self {
            Refusal::WrongPhase { action, .. }
            | Refusal::NotOpen { action, .. }
            | Refusal::TooEarly { action, .. }
            | Refusal::TooLate { action, .. } => action.step(),
            Refusal::PollExists => "V1.1",
            Refusal::DeadlinePassed { .. } | Refusal::InvalidAmendment(_) => "V1.5",
            Refusal::AlreadyRegistered => "V4.1",
            Refusal::Unregistered => "V4.3",
            Refusal::AlreadyVoted => "V4.6",
            Refusal::DuplicateCiphertexts => "V4.7",
            Refusal::DuplicateTrusteeMessage { .. } => "V5.1",
            Refusal::Changed(_) | Refusal::NotPending | Refusal::InvalidToken => "api §5",
            Refusal::Unlisted
            | Refusal::Revoked
            | Refusal::RegistrarMode
            | Refusal::TokenMode
            | Refusal::DuplicateKey
            | Refusal::RegistrarOrder(_) => "V4.9",
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::PollExists => write!(f, "the poll already has a manifest"),
            Refusal::WrongPhase { phase, action } => {
                write!(f, "{} is not possible while the poll is in phase `{phase}`", action.describe())
            }
            Refusal::NotOpen { opens, .. } => {
                write!(f, "voting has not opened: the timetable opens it at {opens}")
            }
            Refusal::TooEarly { action, at } => {
                write!(f, "{}: the timetable opens this at {at}", action.describe())
            }
            Refusal::TooLate { action, at } => {
                write!(f, "{}: the timetable closed this at {at}", action.describe())
            }
            Refusal::Changed(Changed::Candidates) => write!(f, "a candidate was added meanwhile; try again"),
            Refusal::Changed(Changed::Ceremony) => {
                write!(f, "a ceremony message arrived meanwhile; try again")
            }
            Refusal::Changed(Changed::Timetable) => {
                write!(f, "the timetable was amended meanwhile; try again")
            }
            Refusal::NotPending => write!(f, "that nomination is not pending"),
            Refusal::DuplicateTrusteeMessage { trustee } => {
                write!(f, "trustee {trustee} already posted this kind of message")
            }
            Refusal::AlreadyRegistered => write!(f, "this credential is already registered"),
            Refusal::InvalidToken => write!(f, "unknown or already redeemed eligibility token"),
            Refusal::Unregistered => write!(f, "this credential is not registered"),
            Refusal::AlreadyVoted => write!(f, "the first ballot counts and this credential has cast one"),
            Refusal::DuplicateCiphertexts => write!(f, "these ciphertexts are already on the board (V4.7)"),
            Refusal::DeadlinePassed { deadline, at } => {
                write!(f, "{} ({at}, Unix seconds) has passed: it can no longer be moved", deadline.name())
            }
            Refusal::InvalidAmendment(why) => f.write_str(why),
            Refusal::Unlisted => write!(f, "this credential key is not on the registrar's list"),
            Refusal::Revoked => write!(f, "the registrar revoked this credential key"),
            Refusal::RegistrarMode => {
                write!(f, "this poll is in registrar mode: credentials come from the registrar, not tokens")
            }
            Refusal::TokenMode => write!(f, "this poll's manifest names no registrar"),
            Refusal::DuplicateKey => {
                write!(f, "a credential key of this entry is already listed, or repeats")
            }
            Refusal::RegistrarOrder(why) => f.write_str(why),
        }
    }
}
