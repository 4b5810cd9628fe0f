//! End-to-end tests across shortlist crates live in `tests/`.
