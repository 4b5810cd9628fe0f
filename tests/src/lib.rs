//! End-to-end tests across shortlist's crates live beside this file
//! (`tests/*.rs`); this library is empty.
