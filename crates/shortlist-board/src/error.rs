//! The crate's error type. Verification failures name the step of
//! `spec/board.md` (`V1.x`, `V4.x`, `V5.x`, `V6.x`) or of `spec/protocol.md`.

use thiserror::Error;

/// Why a decoding, a board operation or a verification step failed.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum BoardError {
    /// A payload or record was malformed.
    #[error("{what}: malformed: {reason}")]
    Malformed {
        /// What was being decoded.
        what: &'static str,
        /// What was wrong.
        reason: String,
    },
    /// A rule of the protocol was broken.
    #[error("{step}: {reason}")]
    Invalid {
        /// The verification step, e.g. `V1.3`.
        step: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// An error from the cryptographic core.
    #[error(transparent)]
    Crypto(#[from] shortlist_crypto::CryptoError),
    /// Reading or writing a record failed.
    #[error("record I/O: {0}")]
    Io(#[from] std::io::Error),
}

impl BoardError {
    /// A malformed-input error.
    pub fn malformed(what: &'static str, reason: impl Into<String>) -> Self {
        Self::Malformed { what, reason: reason.into() }
    }

    /// A broken rule at a numbered step.
    pub fn invalid(step: &'static str, reason: impl Into<String>) -> Self {
        Self::Invalid { step, reason: reason.into() }
    }
}

/// The crate's result type.
pub type Result<T> = core::result::Result<T, BoardError>;
