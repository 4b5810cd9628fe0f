//! # shortlist-crypto
//!
//! The cryptographic core of shortlist, as specified in `spec/protocol.md`.
//! It owns: the canonical wire encodings of every group element, scalar and
//! proof ([`wire`]); the Fiat–Shamir conventions ([`transcript`], [`labels`]);
//! exponential ElGamal on ristretto255 ([`elgamal`]) and bounded discrete logs
//! ([`dlog`]); the zero-knowledge proofs ([`proofs`]) and their randomized
//! batch verification ([`batch`]); ballots and Benaloh audits ([`ballot`]);
//! voter credential keys and signatures ([`credential`]);
//! the dealerless key ceremony ([`dkg`]); threshold decryption ([`threshold`]).
//!
//! The crate is pure: no I/O, no async, no clock, no global state. It takes
//! randomness from the caller as a `CryptoRngCore` and builds for
//! `wasm32-unknown-unknown`.
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

extern crate alloc;

pub mod ballot;
pub mod batch;
pub mod bytes;
pub mod credential;
pub mod dkg;
pub mod dlog;
pub mod elgamal;
pub mod error;
pub mod labels;
pub mod proofs;
pub mod secret;
pub mod threshold;
pub mod transcript;
pub mod wire;

pub use error::{CryptoError, Result};
pub use wire::Point;

/// Re-exported so callers name the same scalar type.
pub use curve25519_dalek::scalar::Scalar;
