//! # shortlist-board
//!
//! The protocol model of shortlist's bulletin board (spec: `spec/board.md`):
//! entries and their hash chain ([`entry`], [`board`]), the RFC 9162 Merkle
//! tree over them ([`merkle`]), signed checkpoints and receipts
//! ([`checkpoint`], [`receipt`]), the payload of every entry kind
//! ([`manifest`], [`definition`], [`payload`], [`amendment`], [`registrar`]),
//! each with its rules beside its encoding and the text rules they share
//! ([`text`]), the poll's lifecycle rules that the server admits by and the
//! verifier replays ([`lifecycle`]), the API's error codes ([`error_code`]),
//! the election record file ([`record`]), the record verifier ([`verify`]),
//! the encrypted sums and the result with its explanation ([`sums`],
//! [`tally`]), and, with the `zones` feature, dates in a poll's time zone
//! (`zone`).
//!
//! The crate does no I/O beyond reading a record file; the server, the
//! clients, the `shortlist-verify` program and the browser's WebAssembly all
//! apply the protocol's rules through it.
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

pub mod amendment;
pub mod board;
pub mod checkpoint;
pub mod codec;
pub mod definition;
pub mod entry;
pub mod error;
pub mod error_code;
pub mod lifecycle;
pub mod manifest;
pub mod merkle;
pub mod payload;
pub mod receipt;
pub mod record;
pub mod registrar;
pub mod sums;
pub mod tally;
pub mod text;
pub mod verify;
#[cfg(feature = "zones")]
pub mod zone;

pub use error::{BoardError, Result};
