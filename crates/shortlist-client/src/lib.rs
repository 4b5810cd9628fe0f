//! `shortlist-client` owns what each role's software does against a
//! shortlist server (spec: api §7), independent of how requests travel: an
//! [`Api`] over any [`Transport`] (HTTP with the `http` feature, as the
//! command line uses it; the in-process router in tests). The trustee and member logic runs entirely on the
//! role's own machine; only public values and signed messages are sent.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]
#![cfg_attr(not(test), deny(clippy::indexing_slicing, clippy::cast_possible_truncation))]

pub mod api;
pub mod board;
pub mod ceremony;
pub mod following;
#[cfg(feature = "http")]
pub mod http;
pub mod member;
pub mod trustee;

pub use api::{Api, Method, Reply, Transport};

/// Errors of a client.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The server answered with an error.
    #[error("server said {status} {code}: {message}")]
    Server {
        /// HTTP status.
        status: u16,
        /// The stable error code.
        code: String,
        /// The message.
        message: String,
    },
    /// The request did not get an answer.
    #[error("transport: {0}")]
    Transport(String),
    /// The server's answer is not what the protocol says.
    #[error("protocol: {0}")]
    Protocol(String),
    /// A board-model error.
    #[error(transparent)]
    Board(#[from] shortlist_board::BoardError),
    /// A crypto-core error.
    #[error(transparent)]
    Crypto(#[from] shortlist_crypto::CryptoError),
}

impl ClientError {
    /// A protocol error.
    pub fn protocol(m: impl Into<String>) -> Self {
        Self::Protocol(m.into())
    }

    /// The server's error code, if the server answered with one.
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Server { code, .. } => Some(code),
            _ => None,
        }
    }

    /// The HTTP status, if the server answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Server { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// The result type of clients.
pub type Result<T, E = ClientError> = std::result::Result<T, E>;
