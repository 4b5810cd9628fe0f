//! Known-answer test vectors (STYLE.md, "Tests"): `spec/vectors/<topic>.json`.
//!
//! Each topic has a seeded generator in `vectors_gen/`. With
//! `SHORTLIST_WRITE_VECTORS=1` a test writes its file; without it, it reads the
//! committed file, requires it to equal what the generator makes now, and then
//! checks every case from the file alone through the public API: valid cases
//! verify, invalid ones fail with their expected error. Regenerate with
//!
//! ```text
//! SHORTLIST_WRITE_VECTORS=1 cargo test -p shortlist-crypto --release --test vectors
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;
mod vectors_gen;

use std::path::PathBuf;

use serde_json::Value;
use vectors_gen::{ballot, ceremony, decryption, encodings, nonces, proofs, REGENERATE};

fn vector_path(topic: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../spec/vectors/")).join(format!("{topic}.json"))
}

/// Where two JSON values differ, as `$.a.b[3]` paths (at most `limit`).
fn differences(committed: &Value, generated: &Value, path: &str, out: &mut Vec<String>, limit: usize) {
    if out.len() >= limit {
        return;
    }
    match (committed, generated) {
        (Value::Object(a), Value::Object(b)) => {
            let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for k in keys {
                match (a.get(k), b.get(k)) {
                    (Some(x), Some(y)) => differences(x, y, &format!("{path}.{k}"), out, limit),
                    (Some(_), None) => out.push(format!("{path}.{k}: only in the committed file")),
                    (None, _) => out.push(format!("{path}.{k}: only in the generator's output")),
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            if a.len() != b.len() {
                out.push(format!("{path}: {} items committed, {} generated", a.len(), b.len()));
            }
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                differences(x, y, &format!("{path}[{i}]"), out, limit);
            }
        }
        (a, b) if a != b => {
            let short = |v: &Value| {
                let s = v.to_string();
                if s.len() > 80 {
                    format!("{}…", &s[..80])
                } else {
                    s
                }
            };
            out.push(format!("{path}: committed {} generated {}", short(a), short(b)));
        }
        _ => {}
    }
}

/// Writes (on request) or compares the file, then checks it from its contents.
fn run(topic: &str, generate: fn() -> Value, check: fn(&Value)) {
    let path = vector_path(topic);
    let generated = generate();
    if std::env::var("SHORTLIST_WRITE_VECTORS").is_ok_and(|v| v == "1") {
        let mut text = serde_json::to_string_pretty(&generated).unwrap();
        text.push('\n');
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    }
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}; to regenerate: {REGENERATE}", path.display()));
    let committed: Value = serde_json::from_str(&text).unwrap();
    let mut diffs = Vec::new();
    differences(&committed, &generated, "$", &mut diffs, 20);
    assert!(
        diffs.is_empty(),
        "{topic}.json differs from its generator (if the change is intended, regenerate with \
         `{REGENERATE}` and review the diff):\n  {}",
        diffs.join("\n  ")
    );
    check(&committed);
}

#[test]
fn encodings_vectors() {
    run("encodings", encodings::generate, encodings::check);
}

#[test]
fn proofs_vectors() {
    run("proofs", proofs::generate, proofs::check);
}

#[test]
fn ballot_vectors() {
    run("ballot", ballot::generate, ballot::check);
}

#[test]
fn ceremony_vectors() {
    run("ceremony", ceremony::generate, ceremony::check);
}

#[test]
fn decryption_vectors() {
    run("decryption", decryption::generate, decryption::check);
}

#[test]
fn nonces_vectors() {
    run("nonces", nonces::generate, nonces::check);
}
