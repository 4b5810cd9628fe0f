//! The API's error codes (spec: api §2): the stable, machine-readable
//! `code` of every error body the server sends, one enum shared by the
//! server, the lifecycle's refusals and the clients. A test holds it equal
//! to the spec's table.

/// A stable error code of the HTTP API (spec: api §2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ErrorCode {
    /// `malformed`.
    Malformed,
    /// `unauthorized`.
    Unauthorized,
    /// `invalid_token`.
    InvalidToken,
    /// `unregistered`.
    Unregistered,
    /// `not_a_trustee`.
    NotATrustee,
    /// `bad_signature`.
    BadSignature,
    /// `no_such_poll`.
    NoSuchPoll,
    /// `not_found`.
    NotFound,
    /// `no_route`.
    NoRoute,
    /// `method_not_allowed`.
    MethodNotAllowed,
    /// `timeout`.
    Timeout,
    /// `wrong_phase`.
    WrongPhase,
    /// `timetable`.
    Timetable,
    /// `poll_exists`.
    PollExists,
    /// `not_pending`.
    NotPending,
    /// `invalid_definition`.
    InvalidDefinition,
    /// `duplicate_member`.
    DuplicateMember,
    /// `board_invalid`.
    BoardInvalid,
    /// `ceremony_incomplete`.
    CeremonyIncomplete,
    /// `changed`.
    Changed,
    /// `already_registered`.
    AlreadyRegistered,
    /// `already_voted`.
    AlreadyVoted,
    /// `duplicate_ciphertexts`.
    DuplicateCiphertexts,
    /// `duplicate`.
    Duplicate,
    /// `too_large`.
    TooLarge,
    /// `unsupported_media_type`.
    UnsupportedMediaType,
    /// `invalid_manifest`.
    InvalidManifest,
    /// `invalid_candidate`.
    InvalidCandidate,
    /// `invalid_request`.
    InvalidRequest,
    /// `invalid_credential`.
    InvalidCredential,
    /// `invalid_ballot`.
    InvalidBallot,
    /// `invalid_proof`.
    InvalidProof,
    /// `invalid_audit`.
    InvalidAudit,
    /// `invalid_share`.
    InvalidShare,
    /// `wrong_index`.
    WrongIndex,
    /// `invalid`.
    Invalid,
    /// `rate_limited`.
    RateLimited,
    /// `internal`.
    Internal,
    /// `unavailable`.
    Unavailable,
    /// `invalid_time`.
    InvalidTime,
    /// `ambiguous_time`.
    AmbiguousTime,
    /// `no_deadline`.
    NoDeadline,
    /// `amend_unchanged`.
    AmendUnchanged,
    /// `amend_passed`.
    AmendPassed,
    /// `invalid_amendment`.
    InvalidAmendment,
    /// `mail_not_configured`.
    MailNotConfigured,
    /// `invalid_template`.
    InvalidTemplate,
    /// `already_redeemed`.
    AlreadyRedeemed,
    /// `ambiguous_id`.
    AmbiguousId,
    /// `no_such_member`.
    NoSuchMember,
    /// `wrong_server_key`.
    WrongServerKey,
    /// `amend_earlier`.
    AmendEarlier,
    /// `amend_past`.
    AmendPast,
    /// `amend_order`.
    AmendOrder,
    /// `unlisted`.
    Unlisted,
    /// `revoked`.
    Revoked,
    /// `registrar_mode`.
    RegistrarMode,
    /// `token_mode`.
    TokenMode,
    /// `duplicate_key`.
    DuplicateKey,
    /// `registrar_order`.
    RegistrarOrder,
}

impl ErrorCode {
    /// Every code.
    pub const ALL: [ErrorCode; 60] = [
        ErrorCode::Malformed,
        ErrorCode::Unauthorized,
        ErrorCode::InvalidToken,
        ErrorCode::Unregistered,
        ErrorCode::NotATrustee,
        ErrorCode::BadSignature,
        ErrorCode::NoSuchPoll,
        ErrorCode::NotFound,
        ErrorCode::NoRoute,
        ErrorCode::MethodNotAllowed,
        ErrorCode::Timeout,
        ErrorCode::WrongPhase,
        ErrorCode::Timetable,
        ErrorCode::PollExists,
        ErrorCode::NotPending,
        ErrorCode::InvalidDefinition,
        ErrorCode::DuplicateMember,
        ErrorCode::BoardInvalid,
        ErrorCode::CeremonyIncomplete,
        ErrorCode::Changed,
        ErrorCode::AlreadyRegistered,
        ErrorCode::AlreadyVoted,
        ErrorCode::DuplicateCiphertexts,
        ErrorCode::Duplicate,
        ErrorCode::TooLarge,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::InvalidManifest,
        ErrorCode::InvalidCandidate,
        ErrorCode::InvalidRequest,
        ErrorCode::InvalidCredential,
        ErrorCode::InvalidBallot,
        ErrorCode::InvalidProof,
        ErrorCode::InvalidAudit,
        ErrorCode::InvalidShare,
        ErrorCode::WrongIndex,
        ErrorCode::Invalid,
        ErrorCode::RateLimited,
        ErrorCode::Internal,
        ErrorCode::Unavailable,
        ErrorCode::InvalidTime,
        ErrorCode::AmbiguousTime,
        ErrorCode::NoDeadline,
        ErrorCode::AmendUnchanged,
        ErrorCode::AmendPassed,
        ErrorCode::InvalidAmendment,
        ErrorCode::MailNotConfigured,
        ErrorCode::InvalidTemplate,
        ErrorCode::AlreadyRedeemed,
        ErrorCode::AmbiguousId,
        ErrorCode::NoSuchMember,
        ErrorCode::WrongServerKey,
        ErrorCode::AmendEarlier,
        ErrorCode::AmendPast,
        ErrorCode::AmendOrder,
        ErrorCode::Unlisted,
        ErrorCode::Revoked,
        ErrorCode::RegistrarMode,
        ErrorCode::TokenMode,
        ErrorCode::DuplicateKey,
        ErrorCode::RegistrarOrder,
    ];

    /// The code as it travels in an error body, e.g. `wrong_phase`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Malformed => "malformed",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::InvalidToken => "invalid_token",
            ErrorCode::Unregistered => "unregistered",
            ErrorCode::NotATrustee => "not_a_trustee",
            ErrorCode::BadSignature => "bad_signature",
            ErrorCode::NoSuchPoll => "no_such_poll",
            ErrorCode::NotFound => "not_found",
            ErrorCode::NoRoute => "no_route",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::Timeout => "timeout",
            ErrorCode::WrongPhase => "wrong_phase",
            ErrorCode::Timetable => "timetable",
            ErrorCode::PollExists => "poll_exists",
            ErrorCode::NotPending => "not_pending",
            ErrorCode::InvalidDefinition => "invalid_definition",
            ErrorCode::DuplicateMember => "duplicate_member",
            ErrorCode::BoardInvalid => "board_invalid",
            ErrorCode::CeremonyIncomplete => "ceremony_incomplete",
            ErrorCode::Changed => "changed",
            ErrorCode::AlreadyRegistered => "already_registered",
            ErrorCode::AlreadyVoted => "already_voted",
            ErrorCode::DuplicateCiphertexts => "duplicate_ciphertexts",
            ErrorCode::Duplicate => "duplicate",
            ErrorCode::TooLarge => "too_large",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::InvalidManifest => "invalid_manifest",
            ErrorCode::InvalidCandidate => "invalid_candidate",
            ErrorCode::InvalidRequest => "invalid_request",
            ErrorCode::InvalidCredential => "invalid_credential",
            ErrorCode::InvalidBallot => "invalid_ballot",
            ErrorCode::InvalidProof => "invalid_proof",
            ErrorCode::InvalidAudit => "invalid_audit",
            ErrorCode::InvalidShare => "invalid_share",
            ErrorCode::WrongIndex => "wrong_index",
            ErrorCode::Invalid => "invalid",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::Internal => "internal",
            ErrorCode::Unavailable => "unavailable",
            ErrorCode::InvalidTime => "invalid_time",
            ErrorCode::AmbiguousTime => "ambiguous_time",
            ErrorCode::NoDeadline => "no_deadline",
            ErrorCode::AmendUnchanged => "amend_unchanged",
            ErrorCode::AmendPassed => "amend_passed",
            ErrorCode::InvalidAmendment => "invalid_amendment",
            ErrorCode::MailNotConfigured => "mail_not_configured",
            ErrorCode::InvalidTemplate => "invalid_template",
            ErrorCode::AlreadyRedeemed => "already_redeemed",
            ErrorCode::AmbiguousId => "ambiguous_id",
            ErrorCode::NoSuchMember => "no_such_member",
            ErrorCode::WrongServerKey => "wrong_server_key",
            ErrorCode::AmendEarlier => "amend_earlier",
            ErrorCode::AmendPast => "amend_past",
            ErrorCode::AmendOrder => "amend_order",
            ErrorCode::Unlisted => "unlisted",
            ErrorCode::Revoked => "revoked",
            ErrorCode::RegistrarMode => "registrar_mode",
            ErrorCode::TokenMode => "token_mode",
            ErrorCode::DuplicateKey => "duplicate_key",
            ErrorCode::RegistrarOrder => "registrar_order",
        }
    }

    /// The code with this text.
    pub fn parse(code: &str) -> Option<ErrorCode> {
        Self::ALL.into_iter().find(|c| c.as_str() == code)
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
