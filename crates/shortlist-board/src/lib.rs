//! # shortlist-board
//!
//! The protocol model of shortlist's bulletin board (spec: `spec/board.md`):
//! the RFC 9162 Merkle tree over entries ([`merkle`]). Entries, the hash
//! chain, checkpoints, receipts, the record file and the record verifier are
//! being added (issue "Bulletin board, election record and the independent
//! verifier").
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
pub mod lifecycle;
pub mod manifest;
pub mod merkle;
pub mod payload;
pub mod receipt;
pub mod record;
pub mod sums;
pub mod tally;
pub mod text;
pub mod validate;
pub mod verify;
#[cfg(feature = "zones")]
pub mod zone;

pub use error::{BoardError, Result};
