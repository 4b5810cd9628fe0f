//! Rules that keep a manifest or a candidate from being degenerate (spec:
//! board §4.1 V1.3 items 7–13, §4.2): the poll-id alphabet, calendar times,
//! positive contest ids and selection limits, distinct trustee keys, slate
//! rules that reserve something, and text within the rules of §2.1. Kept apart
//! from the encodings so that either can change without the other.

use std::collections::HashSet;

use crate::definition::{Candidate, CandidateRegistration};
use crate::error::{BoardError, Result};
use crate::manifest::Manifest;
use crate::text::{check, TextKind};

/// The longest poll id, in bytes.
pub const MAX_POLL_ID: usize = 64;
/// The latest time a manifest may name: 9999-12-31T23:59:59Z, the end of
/// RFC 3339's calendar, in Unix seconds.
pub const MAX_TIME: u64 = 253_402_300_799;
/// The most seats or selections a contest may have: a contest never has more
/// candidates than this (board §4.3).
pub const MAX_SELECTIONS: u16 = 1024;

/// Whether `id` is a poll id: 1–64 bytes of `A–Z a–z 0–9 . _ -`, the first
/// a letter or a digit (so never `.`, `..`, a path or an option).
pub fn is_poll_id(id: &str) -> bool {
    let ok = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-');
    id.len() <= MAX_POLL_ID
        && id.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
        && id.bytes().all(ok)
}

fn text(step: &'static str, what: impl std::fmt::Display, s: &str, kind: TextKind) -> Result<()> {
    check(s, kind).map_err(|why| BoardError::invalid(step, format!("{what} {why}")))
}

/// The manifest rules beyond the encoding's (spec: board §4.1, V1.3 items
/// 7–13). [`Manifest::validate`] calls this after its own checks.
pub fn manifest(m: &Manifest) -> Result<()> {
    let step = "V1.3";
    if !is_poll_id(&m.poll_id) {
        return Err(BoardError::invalid(
            step,
            "the poll id must be 1–64 of A–Z a–z 0–9 . _ - and begin with a letter or digit",
        ));
    }
    text(step, "the poll title", &m.title, TextKind::Name)?;
    let t = &m.timetable;
    if [t.nominations_close, t.voting_open, t.voting_close].iter().any(|&x| x > MAX_TIME) {
        return Err(BoardError::invalid(
            step,
            format!("timetable times must be at most {MAX_TIME} (year 9999)"),
        ));
    }
    for c in &m.contests {
        let id = c.contest_id;
        if id == 0 {
            return Err(BoardError::invalid(step, "contest ids start at 1"));
        }
        text(step, format_args!("contest {id}'s title"), &c.title, TextKind::Name)?;
        if c.max_selections == 0 || c.max_selections > MAX_SELECTIONS || c.seats > MAX_SELECTIONS {
            return Err(BoardError::invalid(
                step,
                format!("contest {id}: max_selections and seats must be 1–{MAX_SELECTIONS}"),
            ));
        }
        let mut rules = HashSet::new();
        for r in &c.slate_rules {
            text(step, format_args!("contest {id}: a slate rule's attribute"), &r.attribute, TextKind::Name)?;
            text(step, format_args!("contest {id}: a slate rule's value"), &r.value, TextKind::Value)?;
            if r.min_seats == 0 {
                return Err(BoardError::invalid(
                    step,
                    format!("contest {id}: a slate rule reserves no seat"),
                ));
            }
            if !rules.insert((&r.attribute, &r.value)) {
                return Err(BoardError::invalid(step, format!("contest {id}: a slate rule is repeated")));
            }
        }
    }
    let mut keys = HashSet::new();
    for tr in &m.trustees {
        text(step, format_args!("trustee {}'s name", tr.index), &tr.name, TextKind::Name)?;
        let key = tr.key.to_bytes();
        if !keys.insert(key) {
            return Err(BoardError::invalid(
                step,
                format!("trustee {}'s key is another trustee's: each trustee needs their own key", tr.index),
            ));
        }
        if key == m.server_key.to_bytes() {
            return Err(BoardError::invalid(step, format!("trustee {}'s key is the server's", tr.index)));
        }
    }
    // spec: board V1.3 item 14 — the registrar is a party apart from the
    // server and the trustees: its key is neither's.
    if let Some(r) = &m.registrar {
        let r = r.to_bytes();
        if r == m.server_key.to_bytes() || keys.contains(&r) {
            return Err(BoardError::invalid(step, "the registrar's key is the server's or a trustee's"));
        }
    }
    Ok(())
}

/// A candidate's text (spec: board §4.2): the name a name, attribute keys
/// names and distinct, values values. Reported under `step`.
pub fn candidate(step: &'static str, c: &Candidate) -> Result<()> {
    let who = who(c);
    text(step, format_args!("{who}'s name"), &c.name, TextKind::Name)?;
    let mut keys = HashSet::new();
    for (k, v) in &c.attributes {
        text(step, format_args!("{who}'s attribute name"), k, TextKind::Name)?;
        text(step, format_args!("{who}'s attribute value"), v, TextKind::Value)?;
        if !keys.insert(k) {
            return Err(BoardError::invalid(step, format!("{who} has attribute `{k}` twice")));
        }
    }
    Ok(())
}

/// How messages name a candidate: by id once it has one.
fn who(c: &Candidate) -> String {
    if c.candidate_id == 0 {
        "the candidate".into()
    } else {
        format!("candidate {}", c.candidate_id)
    }
}

/// A candidate registration's text (spec: board §4.2, checked at V1.4).
pub fn registration(reg: &CandidateRegistration) -> Result<()> {
    candidate("V1.4", &reg.candidate)?;
    text("V1.4", format_args!("{}'s statement", who(&reg.candidate)), &reg.statement, TextKind::LongText)
}
