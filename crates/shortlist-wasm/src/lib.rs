//! # shortlist-wasm
//!
//! What the browser runs: shortlist's Rust core compiled to WebAssembly and
//! called from the booth, the receipt page and the record verifier's page
//! (issue 13). There is no JavaScript cryptography: the pages hand bytes and
//! JSON to this module and show what it returns.
//!
//! This crate owns only the JavaScript boundary, as thin wrappers:
//!
//! - [`Poll`]: a poll read from the board's entries, chain-checked, with its
//!   manifest, definition and joint key derived from the entries themselves
//!   ([`shortlist_client::board::PollView`]);
//! - [`Credential`]: the member's ed25519 credential key;
//! - [`PreparedBallot`], [`ChosenBallot`], [`AuditedBallot`]: a ballot in the
//!   commit-then-choose Benaloh form (spec: protocol §8.3–8.4, board
//!   §4.6–4.7);
//! - [`check_receipt`], [`check_consistency`]: receipts and checkpoints
//!   (spec: board §6);
//! - [`RecordVerifier`]: the whole record verifier (spec: board §8), fed in
//!   chunks, for a Web Worker.
//!
//! Every protocol rule lives in `shortlist-crypto`, `shortlist-board` and
//! `shortlist-client`. Every function returns `Result<_, Error>`, which
//! JavaScript receives as a thrown `Error` with a plain message; no function
//! panics on input. No secret leaves the module except through
//! [`Credential::export_secret`].
//!
//! Build: `scripts/build-wasm` (README, "The browser's WebAssembly").
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::cast_possible_truncation
    )
)]

mod ballot;
mod credential;
mod poll;
mod receipt;
mod testing;
mod verifier;

use wasm_bindgen::prelude::*;

pub use ballot::{AuditedBallot, ChosenBallot, PreparedBallot};
pub use credential::Credential;
pub use poll::Poll;
pub use receipt::{check_consistency, check_receipt, checkpoint_json, receipt_json};
pub use testing::insecure_seeded_ballot_for_tests;
pub use verifier::RecordVerifier;

/// An error for JavaScript: thrown there as an `Error` with this message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error(String);

impl Error {
    /// An error with a message.
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<Error> for JsValue {
    fn from(e: Error) -> Self {
        JsError::new(&e.0).into()
    }
}

impl From<shortlist_client::ClientError> for Error {
    fn from(e: shortlist_client::ClientError) -> Self {
        Self(e.to_string())
    }
}

impl From<shortlist_board::BoardError> for Error {
    fn from(e: shortlist_board::BoardError) -> Self {
        Self(e.to_string())
    }
}

impl From<shortlist_crypto::CryptoError> for Error {
    fn from(e: shortlist_crypto::CryptoError) -> Self {
        Self(e.to_string())
    }
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Decodes hex of exactly `N` bytes; `what` names the value in the error.
pub(crate) fn hex_array<const N: usize>(what: &str, text: &str) -> Result<[u8; N]> {
    let bytes = hex::decode(text.trim()).map_err(|_| Error::new(format!("{what}: not hex")))?;
    <[u8; N]>::try_from(bytes.as_slice())
        .map_err(|_| Error::new(format!("{what}: {} bytes where {N} are expected", bytes.len())))
}

/// A JSON text of a serializable value.
pub(crate) fn to_json(v: &impl serde::Serialize) -> Result<String> {
    serde_json::to_string(v).map_err(|e| Error::new(format!("JSON: {e}")))
}
