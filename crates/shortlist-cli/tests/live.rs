//! Issue 14, Build 3: the live verifier follows a real server over HTTP.
//! `shortlist loadgen --follow` runs the rush against an embedded server on
//! loopback while `shortlist-verify --follow`'s code reads the board with
//! `GET …/record?from=` as it grows; it must verify every checkpoint, end
//! with the verified result and report its rate.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::process::Command;

#[test]
fn the_live_verifier_follows_a_poll_over_http_to_its_verified_result() {
    let out = Command::new(env!("CARGO_BIN_EXE_shortlist"))
        .args(["loadgen", "--members", "60", "--concurrency", "8", "--follow"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}\n{}", String::from_utf8_lossy(&out.stderr));
    let line = text.lines().find(|l| l.contains("live verifier")).unwrap_or_else(|| panic!("{text}"));
    assert!(line.starts_with('✓'), "{line}");
    assert!(line.contains("final verdict: every step passed"), "{line}");
    assert!(line.contains("ballots/s"), "{line}");
}
