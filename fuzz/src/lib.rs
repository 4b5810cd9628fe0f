//! # shortlist-fuzz
//!
//! AFL++ fuzz targets for shortlist (issue 16, Build 3): point and scalar
//! decoding, ballot decoding and verification, record and entry decoding
//! with the record verifier, and the JSON request bodies. See `README.md`.
#![forbid(unsafe_code)]

pub mod targets;
